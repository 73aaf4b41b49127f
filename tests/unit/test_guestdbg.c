/*
 * rrv debug's VMM hooks without KVM: the DEBUG hypercall (vmm/hc_debug.c)
 * checks its struct and calls the hook, or answers 0 without one, and is
 * never traced; guestdbg_request writes guest_state.debug only for a
 * guest of ABI 9; guestdbg_threads copies the guest's table, slot by slot
 * checked; vcpu_write_virt_root writes through the page tables it is
 * given and nowhere else.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/guestdbg.h"
#include "vmm/vcpu.h"
#include "vmm/vmm.h"

#include "unit_vm.h"

#define MEM (2u << 20)
#define ARGS 0x1000u   /* the DEBUG struct */
#define REGS 0x2000u   /* a register frame */
#define STATE 0x3000u  /* struct rrv_guest_state */
#define TABLE 0x8000u  /* the thread table */

struct fixture {
	struct vmm vm;
	int calls;
	struct rrv_hc_debug last;
	int answer;
};

static int hook(void *ctx, const struct rrv_hc_debug *ev)
{
	struct fixture *f = ctx;
	f->calls++;
	f->last = *ev;
	return f->answer;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	if (!f || unit_vm_init(&f->vm, MEM))
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	unit_vm_free(&f->vm);
	free(f);
	return 0;
}

static int64_t debug_call(struct fixture *f, const struct rrv_hc_debug *ev)
{
	memcpy(unit_guest(&f->vm, ARGS, sizeof(*ev)), ev, sizeof(*ev));
	struct hc_call c = { .vm = &f->vm, .mem = &f->vm.mem, .nr = RRV_HC_DEBUG,
			     .args_gpa = ARGS };
	bool in_struct;
	int64_t r = hc_dispatch(&f->vm.hc, &c, &in_struct);
	assert_true(in_struct);
	return r;
}

static const struct rrv_hc_debug watch = {
	.event = RRV_DEBUG_WATCH, .tid = 3, .pid = 2, .detail = 2, .regs = REGS,
};

static void debug_is_an_untraced_observer(void **state)
{
	struct fixture *f = *state;
	const struct hc_desc *d = hc_lookup(&f->vm.hc, RRV_HC_DEBUG);
	assert_non_null(d);
	assert_true(d->flags & HC_F_UNTRACED);
	/* No hook: 0, nothing else. */
	assert_int_equal(debug_call(f, &watch), 0);
	assert_false(f->vm.debug.pause);
}

static void debug_calls_the_hook_and_pauses(void **state)
{
	struct fixture *f = *state;
	f->vm.debug.hook = hook;
	f->vm.debug.ctx = f;
	assert_int_equal(debug_call(f, &watch), 0);
	assert_int_equal(f->calls, 1);
	assert_int_equal(f->last.event, RRV_DEBUG_WATCH);
	assert_int_equal(f->last.tid, 3);
	assert_int_equal(f->last.detail, 2);
	assert_false(f->vm.debug.pause);
	f->answer = VMM_DEBUG_PAUSE;
	struct rrv_hc_debug fork = { .event = RRV_DEBUG_FORK, .tid = 1, .pid = 1,
				     .detail = 2 };
	assert_int_equal(debug_call(f, &fork), 0);
	assert_int_equal(f->calls, 2);
	assert_int_equal(f->last.detail, 2);
	assert_true(f->vm.debug.pause);
}

static void debug_refuses_bad_structs(void **state)
{
	struct fixture *f = *state;
	f->vm.debug.hook = hook;
	f->vm.debug.ctx = f;
	struct rrv_hc_debug ev = watch;
	ev.event = 0;
	assert_int_equal(debug_call(f, &ev), -EINVAL);
	ev.event = RRV_DEBUG_BREAKPOINT + 1;
	assert_int_equal(debug_call(f, &ev), -EINVAL);
	ev = watch;
	ev.tid = 0;
	assert_int_equal(debug_call(f, &ev), -EINVAL);
	ev = watch;
	ev.pid = -1;
	assert_int_equal(debug_call(f, &ev), -EINVAL);
	ev = watch;
	ev.regs = MEM - 8; /* runs off the end of guest memory */
	assert_int_equal(debug_call(f, &ev), -EFAULT);
	ev = watch;
	ev.regs = 0;
	assert_int_equal(debug_call(f, &ev), -EINVAL);
	ev = watch;
	ev.fxsave = MEM - 100;
	assert_int_equal(debug_call(f, &ev), -EFAULT);
	ev = (struct rrv_hc_debug){ .event = RRV_DEBUG_SIGNAL, .tid = 1, .pid = 1,
				    .regs = REGS, .signo = 65 };
	assert_int_equal(debug_call(f, &ev), -EINVAL);
	ev.signo = 0;
	assert_int_equal(debug_call(f, &ev), -EINVAL);
	assert_int_equal(f->calls, 0);
	/* EXIT has no thread and no frame. */
	ev = (struct rrv_hc_debug){ .event = RRV_DEBUG_EXIT, .pid = 1, .status = 256 };
	assert_int_equal(debug_call(f, &ev), 0);
	assert_int_equal(f->calls, 1);
}

static struct rrv_guest_state *give_state(struct fixture *f, uint32_t abi)
{
	f->vm.guest_state = STATE;
	f->vm.guest_abi = abi;
	return unit_guest(&f->vm, STATE, sizeof(struct rrv_guest_state));
}

static void request_needs_abi_9(void **state)
{
	struct fixture *f = *state;
	struct rrv_debug_request rq = { .on = 1, .pid = 2, .dr = { 5, 0x1000 },
					.dr7 = 0xc };
	assert_int_equal(guestdbg_request(&f->vm, &rq), -ENODEV);
	struct rrv_guest_state *gs = give_state(f, 8);
	memset(gs, 0x5a, sizeof(*gs)); /* an older kernel's memory there */
	assert_int_equal(guestdbg_request(&f->vm, &rq), -ENOTSUP);
	assert_int_equal(((uint8_t *)&gs->debug)[0], 0x5a);
	f->vm.debug.attach = true;
	guestdbg_after_boot(&f->vm);
	assert_int_equal(((uint8_t *)&gs->debug)[0], 0x5a);

	f->vm.guest_abi = 9;
	memset(gs, 0, sizeof(*gs));
	assert_int_equal(guestdbg_request(&f->vm, &rq), 0);
	assert_int_equal(gs->debug.on, 1);
	assert_int_equal(gs->debug.pid, 2);
	assert_int_equal(gs->debug.dr[0], 0); /* never the debugger's */
	assert_int_equal(gs->debug.dr[1], 0x1000);
	assert_int_equal(gs->debug.dr7, 0xc);
	assert_int_equal(gs->debug.generation, 1);
	assert_int_equal(guestdbg_request(&f->vm, &rq), 0);
	assert_int_equal(gs->debug.generation, 2);
	f->vm.guest_state = MEM - 16;
	assert_int_equal(guestdbg_request(&f->vm, &rq), -EFAULT);
}

static void after_boot_attaches(void **state)
{
	struct fixture *f = *state;
	struct rrv_guest_state *gs = give_state(f, 9);
	memset(gs, 0, sizeof(*gs));
	guestdbg_after_boot(&f->vm);
	assert_int_equal(gs->debug.on, 0); /* not rrv debug */
	f->vm.debug.attach = true;
	guestdbg_after_boot(&f->vm);
	assert_int_equal(gs->debug.on, 1);
	assert_int_equal(gs->debug.generation, 1);
	/* A request built from scratch keeps an attached guest on. */
	struct rrv_debug_request rq = { .pid = 3 };
	assert_int_equal(guestdbg_request(&f->vm, &rq), 0);
	assert_int_equal(gs->debug.on, 1);
	assert_int_equal(gs->debug.pid, 3);
	assert_int_equal(gs->debug.generation, 2);
}

static void threads_are_copied_and_checked(void **state)
{
	struct fixture *f = *state;
	struct rrv_debug_thread out[8];
	assert_int_equal(guestdbg_threads(&f->vm, out, 8, NULL), -ENODEV);
	struct rrv_guest_state *gs = give_state(f, 9);
	memset(gs, 0, sizeof(*gs));
	uint32_t gen = 99;
	assert_int_equal(guestdbg_threads(&f->vm, out, 8, &gen), 0);
	assert_int_equal(gen, 0);

	struct rrv_debug_thread *t =
		unit_guest(&f->vm, TABLE, 4 * sizeof(*t));
	memset(t, 0, 4 * sizeof(*t));
	t[0] = (struct rrv_debug_thread){ .tid = 1, .pid = 1,
		.state = RRV_DT_RUNNING, .user_regs = REGS, .fxsave = REGS + 512 };
	t[2] = (struct rrv_debug_thread){ .tid = 2, .pid = 1,
		.state = RRV_DT_BLOCKED, .user_regs = MEM - 8, .fxsave = MEM - 8 };
	t[3] = (struct rrv_debug_thread){ .tid = 3, .pid = 1, .state = 77 };
	gs->threads = (struct rrv_debug_threads){ .table = TABLE, .max = 4,
						  .generation = 5 };
	assert_int_equal(guestdbg_threads(&f->vm, out, 8, &gen), 2);
	assert_int_equal(gen, 5);
	assert_int_equal(out[0].tid, 1);
	assert_int_equal(out[0].user_regs, REGS);
	assert_int_equal(out[0].fxsave, REGS + 512);
	assert_int_equal(out[1].tid, 2);
	assert_int_equal(out[1].user_regs, 0); /* outside guest memory */
	assert_int_equal(out[1].fxsave, 0);
	assert_int_equal(guestdbg_threads(&f->vm, out, 1, NULL), 1);

	gs->threads.max = RRV_DEBUG_THREADS_MAX + 1;
	assert_int_equal(guestdbg_threads(&f->vm, out, 8, NULL), -EPROTO);
	gs->threads.max = RRV_DEBUG_THREADS_MAX;
	gs->threads.table = MEM - 4096;
	assert_int_equal(guestdbg_threads(&f->vm, out, 8, NULL), -EFAULT);
}

/* One 4 KiB page mapped at guest-virtual 0x400000 by tables at 0x10000,
 * to guest-physical 0x20000. */
static void map_one_page(struct fixture *f)
{
	uint64_t *pml4 = unit_guest(&f->vm, 0x10000, 4096);
	uint64_t *pdpt = unit_guest(&f->vm, 0x11000, 4096);
	uint64_t *pd = unit_guest(&f->vm, 0x12000, 4096);
	uint64_t *pt = unit_guest(&f->vm, 0x13000, 4096);
	memset(pml4, 0, 4 * 4096);
	pml4[0] = 0x11000 | 3;
	pdpt[0] = 0x12000 | 3;
	pd[2] = 0x13000 | 3; /* 0x400000 >> 21 */
	pt[0] = 0x20000 | 3;
}

static void write_virt_root_stops_at_unmapped(void **state)
{
	struct fixture *f = *state;
	map_one_page(f);
	uint8_t *page = unit_guest(&f->vm, 0x20000, 4096);
	memset(page, 0, 4096);
	uint8_t *next = unit_guest(&f->vm, 0x21000, 16);
	memset(next, 0, 16);
	uint8_t buf[16];
	memset(buf, 0xcc, sizeof(buf));
	assert_int_equal(vcpu_write_virt_root(&f->vm, 0x10000, 0x400010, buf, 4), 4);
	assert_int_equal(page[0x10], 0xcc);
	assert_int_equal(page[0x14], 0);
	/* The page after is unmapped: the write stops at the boundary. */
	assert_int_equal(vcpu_write_virt_root(&f->vm, 0x10000, 0x400ff8, buf, 16), 8);
	assert_int_equal(page[0xfff], 0xcc);
	assert_int_equal(next[0], 0);
	assert_int_equal(vcpu_write_virt_root(&f->vm, 0x10000, 0x800000, buf, 1), 0);
	/* Non-canonical and wrapping addresses write nothing. */
	assert_int_equal(vcpu_write_virt_root(&f->vm, 0x10000, 0x0000800000000000ull,
					      buf, 1), 0);
	assert_int_equal(vcpu_write_virt_root(&f->vm, 0x10000, UINT64_MAX - 3, buf, 8), 0);
	uint8_t back[4];
	assert_int_equal(vcpu_read_virt_root(&f->vm, 0x10000, 0x400010, back, 4), 4);
	assert_memory_equal(back, buf, 4);
}

static void clock_stops_while_paused(void **state)
{
	struct fixture *f = *state;
	int64_t a = vmm_clock_ns(&f->vm);
	vmm_pause_clock(&f->vm, true);
	int64_t b = vmm_clock_ns(&f->vm);
	struct timespec ts = { 0, 50 * 1000 * 1000 };
	nanosleep(&ts, NULL);
	int64_t c = vmm_clock_ns(&f->vm);
	assert_true(c - b < 10 * 1000 * 1000);
	vmm_pause_clock(&f->vm, false);
	nanosleep(&ts, NULL);
	int64_t d = vmm_clock_ns(&f->vm);
	assert_true(d - c >= 50 * 1000 * 1000);
	assert_true(b >= a);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(debug_is_an_untraced_observer),
		T(debug_calls_the_hook_and_pauses),
		T(debug_refuses_bad_structs),
		T(request_needs_abi_9),
		T(after_boot_attaches),
		T(threads_are_copied_and_checked),
		T(write_virt_root_stops_at_unmapped),
		T(clock_stops_while_paused),
	};
	return cmocka_run_group_tests_name("guestdbg", tests, NULL, NULL);
}
