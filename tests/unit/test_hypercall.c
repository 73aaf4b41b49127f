/*
 * The hypercall table and dispatcher (vmm/hypercall.c), driven through the
 * real handlers with a guest memory but no vCPU: wild numbers and wild
 * pointers must come back as error codes, never as crashes or host writes.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <rrv/arglimit.h>
#include <rrv/digest.h>

#include "vmm/vmm.h"

#include "unit_vm.h"

#define MEM (2u << 20)
#define ARGS 0x1000u  /* where each test puts its argument struct */
#define DATA 0x2000u  /* and its buffers */

struct fixture {
	struct vmm vm;
	int pipe_rd;
	uint32_t handle; /* the pipe's write end, as a host handle */
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	if (!f || unit_vm_init(&f->vm, MEM))
		return -1;
	int p[2];
	if (pipe2(p, O_NONBLOCK))
		return -1;
	f->pipe_rd = p[0];
	int h = hostfd_add(&f->vm.files, p[1]);
	if (h < 0)
		return -1;
	f->handle = (uint32_t)h;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	close(f->pipe_rd);
	unit_vm_free(&f->vm);
	free(f);
	return 0;
}

static int64_t call(struct fixture *f, unsigned nr, rrv_gpa_t args, bool *in_struct)
{
	struct hc_call c = { .vm = &f->vm, .mem = &f->vm.mem, .nr = nr, .args_gpa = args };
	return hc_dispatch(&f->vm.hc, &c, in_struct);
}

static int64_t dummy(struct hc_call *c)
{
	(void)c;
	return 7;
}

static void registration_is_checked(void **state)
{
	(void)state;
	struct hc_table *t = calloc(1, sizeof(*t));
	assert_non_null(t);
	struct hc_desc d = HC_DESC("dummy", struct rrv_hc_hdr, 0, dummy);
	assert_int_equal(hc_register(t, RRV_HC_RESERVED, &d), -ERANGE);
	assert_int_equal(hc_register(t, RRV_HC_PORT_COUNT, &d), -ERANGE);
	assert_int_equal(hc_register(t, 10, &d), 0);
	assert_int_equal(hc_register(t, 10, &d), -EEXIST);
	struct hc_desc bad = d;
	bad.fn = NULL;
	assert_int_equal(hc_register(t, 11, &bad), -EINVAL);
	bad = d;
	bad.args_size = 4; /* smaller than the header */
	assert_int_equal(hc_register(t, 11, &bad), -EINVAL);
	bad.args_size = HC_ARGS_MAX + 8;
	assert_int_equal(hc_register(t, 11, &bad), -EINVAL);
	assert_non_null(hc_lookup(t, 10));
	assert_null(hc_lookup(t, 11));
	assert_null(hc_lookup(t, 100000));
	free(t);
}

static void the_real_table_has_no_conflicts(void **state)
{
	struct fixture *f = *state;
	/* A second registration of every family must be refused. */
	assert_int_equal(hc_register_all(&f->vm.hc), -EEXIST);
	/* v5 reserves ranges that fill up over time: every number of v1-v4
	 * and of each range's numbers in use is registered. */
	for (unsigned nr = 1; nr <= RRV_HC_CHOWNAT; nr++)
		assert_non_null(hc_lookup(&f->vm.hc, nr));
	for (unsigned nr = RRV_HC_SOCKET; nr <= RRV_HC_POLL; nr++)
		assert_non_null(hc_lookup(&f->vm.hc, nr));
}

static void unknown_number_is_enosys(void **state)
{
	struct fixture *f = *state;
	struct rrv_hc_hdr *h = unit_guest(&f->vm, ARGS, sizeof(*h));
	h->ret = 12345;
	bool in;
	assert_int_equal(call(f, 0xfe, ARGS, &in), -ENOSYS);
	assert_true(in);
	assert_int_equal(h->ret, -ENOSYS);
	h->ret = 12345;
	assert_int_equal(call(f, RRV_HC_RESERVED, ARGS, &in), -ENOSYS);
	assert_int_equal(h->ret, -ENOSYS);
	assert_true(f->vm.hc.warned[0xfe]);
}

static void struct_outside_memory_is_efault(void **state)
{
	struct fixture *f = *state;
	bool in = true;
	assert_int_equal(call(f, RRV_HC_WRITE, MEM, &in), -EFAULT);
	assert_false(in); /* nowhere to answer: the caller uses rax */
	assert_int_equal(call(f, RRV_HC_WRITE, 0xfffff000u, &in), -EFAULT);
	assert_false(in);

	/* The header fits but the struct runs off the end of memory. */
	rrv_gpa_t edge = MEM - sizeof(struct rrv_hc_hdr);
	assert_int_equal(call(f, RRV_HC_WRITE, edge, &in), -EFAULT);
	assert_true(in);
	assert_int_equal(((struct rrv_hc_hdr *)unit_guest(&f->vm, edge, 8))->ret, -EFAULT);
}

static size_t drain(struct fixture *f, char *buf, size_t len)
{
	ssize_t n = read(f->pipe_rd, buf, len);
	return n < 0 ? 0 : (size_t)n;
}

static struct rrv_hc_write *write_args(struct fixture *f, uint32_t iovcnt,
				       struct rrv_hc_iovec **iov)
{
	struct rrv_hc_write *a = unit_guest(&f->vm, ARGS, sizeof(*a));
	a->handle = f->handle;
	a->iovcnt = iovcnt;
	a->iov = ARGS + 0x100;
	*iov = unit_guest(&f->vm, a->iov, sizeof(**iov) * RRV_HC_IOV_MAX);
	return a;
}

static void write_delivers_bytes(void **state)
{
	struct fixture *f = *state;
	struct rrv_hc_iovec *iov;
	write_args(f, 2, &iov);
	memcpy(unit_guest(&f->vm, DATA, 6), "hello ", 6);
	memcpy(unit_guest(&f->vm, MEM - 6, 6), "world\n", 6); /* ends on the last byte */
	iov[0] = (struct rrv_hc_iovec){ DATA, 6 };
	iov[1] = (struct rrv_hc_iovec){ MEM - 6, 6 };
	bool in;
	assert_int_equal(call(f, RRV_HC_WRITE, ARGS, &in), 12);
	char buf[64];
	assert_int_equal(drain(f, buf, sizeof(buf)), 12);
	assert_memory_equal(buf, "hello world\n", 12);
}

/* What the fake taps saw of one call. */
struct tap_log {
	int replayed, recorded, before;
	uint64_t replay_digest, record_digest;
	int64_t ret_in_guest; /* hdr.ret in guest memory when recorded ran */
};

static int fake_replayed(void *ctx, struct hc_call *c, const struct hc_desc *d,
			 const void *pre, uint64_t digest, int64_t *ret)
{
	(void)c, (void)d, (void)pre;
	struct tap_log *l = ctx;
	l->replayed++;
	l->replay_digest = digest;
	*ret = 12; /* "the recording wrote 12 bytes" */
	return 0;
}

static int fake_recorded(void *ctx, struct hc_call *c, const struct hc_desc *d,
			 const void *pre, uint64_t digest, int64_t ret)
{
	(void)d, (void)pre, (void)ret;
	struct tap_log *l = ctx;
	l->recorded++;
	l->record_digest = digest;
	const struct rrv_hc_hdr *h = GUEST_AT(c->mem, c->args_gpa, sizeof(*h));
	l->ret_in_guest = h ? h->ret : 0;
	return 0;
}

static void fake_before(void *ctx, const struct hc_desc *d)
{
	(void)d;
	((struct tap_log *)ctx)->before++;
}

/* A WRITE of "hello" and " world\n" in two pieces, hdr.ret not yet 0. */
static void digest_probe_write(struct fixture *f)
{
	struct rrv_hc_write *a = unit_guest(&f->vm, ARGS, sizeof(*a));
	memset(a, 0, sizeof(*a));
	a->hdr.ret = 12345; /* an output: not digested */
	a->handle = f->handle;
	a->iovcnt = 2;
	a->iov = DATA;
	struct rrv_hc_iovec *iov = unit_guest(&f->vm, DATA, 2 * sizeof(*iov));
	memcpy(unit_guest(&f->vm, 0x3000, 5), "hello", 5);
	memcpy(unit_guest(&f->vm, 0x3100, 7), " world\n", 7);
	iov[0] = (struct rrv_hc_iovec){ 0x3000, 5 };
	iov[1] = (struct rrv_hc_iovec){ 0x3100, 7 };
}

/*
 * The dispatcher digests a traced call once, before it is answered, and
 * hands that digest to the replayer and to the recorder alike; the
 * recorder runs last, with the result already in guest memory.  The value
 * is the one every rrv before computed (this call's digest by the rrv of
 * commit 9743fd5), since recorded traces store it.
 */
static void the_dispatcher_digests_once_for_both_taps(void **state)
{
	struct fixture *f = *state;
	const uint64_t recorded_by_old_rrv = 0xd8907e3348536d92ull;
	/* FNV-1a's published test vectors: the algorithm itself. */
	assert_true(rrv_digest(RRV_DIGEST_SEED, "", 0) == 0xcbf29ce484222325ull);
	assert_true(rrv_digest(RRV_DIGEST_SEED, "a", 1) == 0xaf63dc4c8601ec8cull);
	assert_true(rrv_digest(RRV_DIGEST_SEED, "foobar", 6) == 0x85944171f73967e8ull);

	struct tap_log rec = { 0 };
	f->vm.hc.tap = (struct hc_tap){ .recorded = fake_recorded,
		.before_call = fake_before, .ctx = &rec };
	digest_probe_write(f);
	bool in;
	assert_int_equal(call(f, RRV_HC_WRITE, ARGS, &in), 12);
	assert_int_equal(rec.before, 1);
	assert_int_equal(rec.recorded, 1);
	assert_true(rec.record_digest == recorded_by_old_rrv);
	assert_int_equal(rec.ret_in_guest, 12);
	char buf[64];
	assert_int_equal(drain(f, buf, sizeof(buf)), 12);

	struct tap_log rep = { 0 };
	f->vm.hc.tap = (struct hc_tap){ .replayed = fake_replayed, .ctx = &rep };
	digest_probe_write(f);
	assert_int_equal(call(f, RRV_HC_WRITE, ARGS, &in), 12);
	assert_int_equal(rep.replayed, 1);
	assert_true(rep.replay_digest == recorded_by_old_rrv);
	assert_int_equal(drain(f, buf, sizeof(buf)), 0); /* the host did nothing */

	/* A declared path input: the same as the old rrv too. */
	struct rrv_hc_openat *o = unit_guest(&f->vm, ARGS, sizeof(*o));
	memset(o, 0, sizeof(*o));
	memcpy(unit_guest(&f->vm, 0x3000, 10), "/etc/hosts", 10);
	o->path.gpa = 0x3000;
	o->path.len = 10;
	o->dir = -100;
	assert_int_equal(call(f, RRV_HC_OPENAT, ARGS, &in), 12);
	assert_true(rep.replay_digest == 0x0ec0d1e81488b2f7ull);
	f->vm.hc.tap = (struct hc_tap){ 0 };
}

static void write_refuses_wild_pointers(void **state)
{
	struct fixture *f = *state;
	struct rrv_hc_iovec *iov;
	struct rrv_hc_write *a = write_args(f, 2, &iov);
	char buf[64];
	bool in;

	/* A good piece, then one beyond memory: nothing may be written. */
	iov[0] = (struct rrv_hc_iovec){ DATA, 6 };
	iov[1] = (struct rrv_hc_iovec){ MEM, 1 };
	assert_int_equal(call(f, RRV_HC_WRITE, ARGS, &in), -EFAULT);
	assert_int_equal(a->hdr.ret, -EFAULT);
	assert_int_equal(drain(f, buf, sizeof(buf)), 0);

	/* A piece whose end wraps around the address space. */
	iov[1] = (struct rrv_hc_iovec){ 0xffffffffffff0000ull, 0x20000 };
	assert_int_equal(call(f, RRV_HC_WRITE, ARGS, &in), -EFAULT);

	/* A piece straddling the end of memory. */
	iov[1] = (struct rrv_hc_iovec){ MEM - 4, 8 };
	assert_int_equal(call(f, RRV_HC_WRITE, ARGS, &in), -EFAULT);

	/* The iovec array itself outside memory. */
	a->iov = MEM - sizeof(struct rrv_hc_iovec);
	assert_int_equal(call(f, RRV_HC_WRITE, ARGS, &in), -EFAULT);
	assert_int_equal(drain(f, buf, sizeof(buf)), 0);
}

static void write_refuses_bad_counts_and_handles(void **state)
{
	struct fixture *f = *state;
	struct rrv_hc_iovec *iov;
	struct rrv_hc_write *a = write_args(f, RRV_HC_IOV_MAX + 1, &iov);
	bool in;
	assert_int_equal(call(f, RRV_HC_WRITE, ARGS, &in), -EINVAL);
	a->iovcnt = 0;
	assert_int_equal(call(f, RRV_HC_WRITE, ARGS, &in), 0);
	a->handle = 999;
	assert_int_equal(call(f, RRV_HC_WRITE, ARGS, &in), -EBADF);
	a->handle = 0xffffffffu;
	assert_int_equal(call(f, RRV_HC_WRITE, ARGS, &in), -EBADF);
}

static void boot_passes_strings(void **state)
{
	struct fixture *f = *state;
	static char *argv[] = { "prog", "an arg", NULL };
	static char *envp[] = { "A=1", NULL };
	f->vm.cfg.cmdline = "ktest=args";
	f->vm.cfg.exec_path = "./prog";
	f->vm.cfg.argc = 2;
	f->vm.cfg.argv = argv;
	f->vm.cfg.envp = envp;

	struct rrv_hc_boot *a = unit_guest(&f->vm, ARGS, sizeof(*a));
	a->abi_version = RRV_HC_ABI_VERSION;
	a->buf = DATA;
	a->buf_len = 4096;
	bool in;
	static const char want[] = "ktest=args\0./prog\0prog\0an arg\0A=1";
	assert_int_equal(call(f, RRV_HC_BOOT, ARGS, &in), sizeof(want));
	assert_memory_equal(unit_guest(&f->vm, DATA, sizeof(want)), want, sizeof(want));
	assert_int_equal(a->argc, 2);
	assert_int_equal(a->envc, 1);
	assert_int_equal(a->mem_bytes, MEM);
	assert_int_equal(a->pid, getpid());
	assert_int_equal(a->uid, getuid());
	/* rrv's stack limit, in KiB, which the program inherits (v8). */
	struct rlimit rl;
	assert_int_equal(getrlimit(RLIMIT_STACK, &rl), 0);
	assert_int_equal(a->stack_kib, rrv_stack_to_kib(rl.rlim_cur));
	assert_int_equal(a->stack_max_kib, rrv_stack_to_kib(rl.rlim_max));
	assert_int_equal(rrv_stack_from_kib(rrv_stack_to_kib(8u << 20)), 8u << 20);
	assert_int_equal(rrv_stack_from_kib(rrv_stack_to_kib(RLIM_INFINITY)), RLIM_INFINITY);
	assert_false(f->vm.stopped);

	a->buf_len = 8;
	assert_int_equal(call(f, RRV_HC_BOOT, ARGS, &in), -E2BIG);
	a->buf = MEM - 4;
	a->buf_len = 4096;
	assert_int_equal(call(f, RRV_HC_BOOT, ARGS, &in), -EFAULT);
}

static void boot_refuses_other_abi_versions(void **state)
{
	struct fixture *f = *state;
	struct rrv_hc_boot *a = unit_guest(&f->vm, ARGS, sizeof(*a));
	a->abi_version = RRV_HC_ABI_VERSION + 1;
	a->buf = DATA;
	a->buf_len = 4096;
	bool in;
	assert_int_equal(call(f, RRV_HC_BOOT, ARGS, &in), -EPROTO);
	assert_true(f->vm.stopped);
	assert_int_equal(f->vm.exit_code, RRV_PANIC_STATUS);
}

static void exit_sets_the_status(void **state)
{
	struct fixture *f = *state;
	struct rrv_hc_exit *a = unit_guest(&f->vm, ARGS, sizeof(*a));
	bool in;
	a->how = RRV_EXIT_NORMAL;
	a->status = 300; /* only the low byte survives, as in Linux */
	assert_int_equal(call(f, RRV_HC_EXIT, ARGS, &in), 0);
	assert_true(f->vm.stopped);
	assert_int_equal(f->vm.exit_code, 44);

	a->how = RRV_EXIT_SIGNAL;
	a->status = 11;
	call(f, RRV_HC_EXIT, ARGS, &in);
	assert_int_equal(f->vm.exit_code, 128 + 11);

	a->how = 7; /* malformed */
	assert_int_equal(call(f, RRV_HC_EXIT, ARGS, &in), -EINVAL);
	assert_int_equal(f->vm.exit_code, RRV_PANIC_STATUS);
}

static void log_checks_its_buffer(void **state)
{
	struct fixture *f = *state;
	struct rrv_hc_log *a = unit_guest(&f->vm, ARGS, sizeof(*a));
	bool in;
	memcpy(unit_guest(&f->vm, DATA, 12), "unit test\n", 10);
	a->text = DATA;
	a->len = 10;
	assert_int_equal(call(f, RRV_HC_LOG, ARGS, &in), 10);
	a->text = MEM - 2;
	assert_int_equal(call(f, RRV_HC_LOG, ARGS, &in), -EFAULT);
	a->len = 1u << 30;
	a->text = DATA;
	assert_int_equal(call(f, RRV_HC_LOG, ARGS, &in), -EINVAL);
}

static void preempt_is_traced_and_checks_its_method(void **state)
{
	struct fixture *f = *state;
	const struct hc_desc *d = hc_lookup(&f->vm.hc, RRV_HC_PREEMPT);
	assert_non_null(d);
	assert_false(d->flags & HC_F_UNTRACED); /* the point must be recorded */
	struct rrv_hc_preempt *a = unit_guest(&f->vm, ARGS, sizeof(*a));
	bool in;
	*a = (struct rrv_hc_preempt){ .tid = 101, .method = RRV_PREEMPT_BREAKPOINT,
				      .rip = 0x401000 };
	assert_int_equal(call(f, RRV_HC_PREEMPT, ARGS, &in), 0);
	assert_true(in);
	a->method = 7;
	assert_int_equal(call(f, RRV_HC_PREEMPT, ARGS, &in), -EINVAL);
}

/* PROCESS (v8) exists to be recorded: traced, and checked so that a
 * trace never holds a struct rrv ps would misread. */
static void process_is_traced_and_checked(void **state)
{
	struct fixture *f = *state;
	const struct hc_desc *d = hc_lookup(&f->vm.hc, RRV_HC_PROCESS);
	assert_non_null(d);
	assert_false(d->flags & HC_F_UNTRACED);
	assert_int_equal(d->args_size, sizeof(struct rrv_hc_process));
	struct rrv_hc_process *a = unit_guest(&f->vm, ARGS, sizeof(*a));
	bool in;
	memset(a, 0, sizeof(*a));
	a->event = RRV_PROC_EXEC;
	a->pid = 7;
	a->argc = 1;
	a->cmdline_len = 3;
	memcpy(a->cmdline, "sh", 3);
	assert_int_equal(call(f, RRV_HC_PROCESS, ARGS, &in), 0);
	assert_true(in);
	a->cmdline_len = RRV_HC_PROCESS_CMDLINE;
	assert_int_equal(call(f, RRV_HC_PROCESS, ARGS, &in), 0);
	a->cmdline_len = RRV_HC_PROCESS_CMDLINE + 1;
	assert_int_equal(call(f, RRV_HC_PROCESS, ARGS, &in), -EINVAL);
	a->cmdline_len = 0;
	a->event = 0;
	assert_int_equal(call(f, RRV_HC_PROCESS, ARGS, &in), -EINVAL);
	a->event = RRV_PROC_EXIT + 1;
	assert_int_equal(call(f, RRV_HC_PROCESS, ARGS, &in), -EINVAL);
}

/* THREADS only steers the tick: not recorded, and harmless without one. */
static void threads_is_an_untraced_observer(void **state)
{
	struct fixture *f = *state;
	const struct hc_desc *d = hc_lookup(&f->vm.hc, RRV_HC_THREADS);
	assert_non_null(d);
	assert_true(d->flags & HC_F_UNTRACED);
	struct rrv_hc_threads *a = unit_guest(&f->vm, ARGS, sizeof(*a));
	bool in;
	a->nthreads = 2;
	assert_int_equal(call(f, RRV_HC_THREADS, ARGS, &in), 0);
	assert_false(f->vm.tick.armed); /* no timer in this VM */
}

/* What held saw. */
struct hold_log {
	int calls;
	unsigned nr;
};

static void fake_held(void *ctx, unsigned nr)
{
	struct hold_log *l = ctx;
	l->calls++;
	l->nr = nr;
}

/*
 * rrv debug's throwaway machine (debugger/call.c): while the table holds,
 * a traced call reaches neither the tap nor the host; it gets -EIO in its
 * struct and held is told its number.  An untraced call is answered as
 * usual, and letting go answers traced calls again.
 */
static void holding_answers_no_traced_call(void **state)
{
	struct fixture *f = *state;
	struct tap_log rep = { 0 };
	struct hold_log held = { 0 };
	f->vm.hc.tap = (struct hc_tap){ .replayed = fake_replayed,
		.before_call = fake_before, .ctx = &rep };
	f->vm.hc.holding = true;
	f->vm.hc.held = fake_held;
	f->vm.hc.held_ctx = &held;
	digest_probe_write(f);
	bool in = false;
	assert_int_equal(call(f, RRV_HC_WRITE, ARGS, &in), -EIO);
	assert_true(in);
	const struct rrv_hc_hdr *h = unit_guest(&f->vm, ARGS, sizeof(*h));
	assert_int_equal(h->ret, -EIO);
	assert_int_equal(held.calls, 1);
	assert_int_equal(held.nr, RRV_HC_WRITE);
	assert_int_equal(rep.replayed, 0);
	assert_int_equal(rep.before, 0);
	char buf[64];
	assert_int_equal(drain(f, buf, sizeof(buf)), 0); /* nothing reached the host */

	struct rrv_hc_threads *t = unit_guest(&f->vm, ARGS, sizeof(*t));
	memset(t, 0, sizeof(*t));
	t->nthreads = 1;
	assert_int_equal(call(f, RRV_HC_THREADS, ARGS, &in), 0);
	assert_int_equal(held.calls, 1); /* untraced: not held */

	f->vm.hc.holding = false;
	digest_probe_write(f);
	assert_int_equal(call(f, RRV_HC_WRITE, ARGS, &in), 12);
	assert_int_equal(rep.replayed, 1);
	assert_int_equal(held.calls, 1);
	f->vm.hc.tap = (struct hc_tap){ 0 };
	f->vm.hc.held = NULL;
}

/* PMU answers from the VMM's own detection, untraced, in every mode. */
static void pmu_answers_this_hosts_counter(void **state)
{
	struct fixture *f = *state;
	const struct hc_desc *d = hc_lookup(&f->vm.hc, RRV_HC_PMU);
	assert_non_null(d);
	assert_true(d->flags & HC_F_UNTRACED);
	struct rrv_hc_pmu *a = unit_guest(&f->vm, ARGS, sizeof(*a));
	bool in;
	pmu_refuse(&f->vm.pmu, "none here");
	assert_int_equal(call(f, RRV_HC_PMU, ARGS, &in), -ENODEV);
	f->vm.pmu = (struct pmu_config){
		.usable = true, .ctl_msr = 0x186, .ctr_msr = 0xc1,
		.global_msr = 0x38f, .width = 48, .evtsel = 0x4101c4,
	};
	assert_int_equal(call(f, RRV_HC_PMU, ARGS, &in), 0);
	assert_int_equal(a->ctl_msr, 0x186);
	assert_int_equal(a->ctr_msr, 0xc1);
	assert_int_equal(a->global_msr, 0x38f);
	assert_int_equal(a->width, 48);
	assert_int_equal(a->evtsel, 0x4101c4);
}

/* A replay uses an Intel counter only if the recorded profile had the
 * leaf KVM enables it from; a new profile gets it once, on top. */
static void pmu_leaf_goes_on_top_of_the_profile(void **state)
{
	(void)state;
	struct cpuid_profile p = { .n = 2 };
	p.e[0] = (struct cpuid_entry){ .function = 0, .eax = 7 };
	p.e[1] = (struct cpuid_entry){ .function = 1, .eax = 0x306a9 };
	assert_int_equal(cpuid_profile_counters(&p), 0); /* rrv's: top leaf 7 */
	assert_int_equal(cpuid_profile_add_pmu(&p, 0x07300102, 0), 0);
	assert_int_equal(p.e[0].eax, 0xa);
	assert_int_equal(cpuid_profile_counters(&p), 1);
	assert_int_equal(cpuid_profile_add_pmu(&p, 0x07300102, 0), -1);
	p.e[2].eax = 0x07300400; /* version 0: no counter */
	assert_int_equal(cpuid_profile_counters(&p), 0);
	p.e[0].eax = 7;          /* the leaf above the top is not there */
	p.e[2].eax = 0x07300102;
	assert_int_equal(cpuid_profile_counters(&p), 0);
}

/* The event for each kind of core, with ring 3 only and enabled. */
static void pmu_event_per_cpu_model(void **state)
{
	(void)state;
	const char *name;
	const uint64_t on = PMU_EVTSEL_USR | PMU_EVTSEL_EN;
	/* Skylake client: family 6 model 0x5e */
	assert_int_equal(pmu_branch_event("GenuineIntel", 0x506e3, &name), 0x01c4 | on);
	assert_string_equal(name, "Skylake");
	/* Ice Lake server, model 0x6a: COND is unit mask 0x11 there */
	assert_int_equal(pmu_branch_event("GenuineIntel", 0x606a6, &name), 0x11c4 | on);
	/* Goldmont, model 0x5c: the Atom encoding */
	assert_int_equal(pmu_branch_event("GenuineIntel", 0x506c9, &name), 0x7ec4 | on);
	/* Alder Lake (hybrid, model 0x97) and an unknown model: none */
	assert_int_equal(pmu_branch_event("GenuineIntel", 0x90672, &name), 0);
	assert_null(name);
	assert_int_equal(pmu_branch_event("GenuineIntel", 0x006f6, &name), 0);
	/* Zen 2 (family 0x17) and Zen 4 (0x19): event 0xd1 */
	assert_int_equal(pmu_branch_event("AuthenticAMD", 0x830f10, &name), 0xd1 | on);
	assert_int_equal(pmu_branch_event("AuthenticAMD", 0xa60f12, &name), 0xd1 | on);
	/* family 0x15 and other vendors: none */
	assert_int_equal(pmu_branch_event("AuthenticAMD", 0x600f20, &name), 0);
	assert_int_equal(pmu_branch_event("HygonGenuine", 0x900f01, &name), 0);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(registration_is_checked),
		T(the_real_table_has_no_conflicts),
		T(unknown_number_is_enosys),
		T(struct_outside_memory_is_efault),
		T(write_delivers_bytes),
		T(the_dispatcher_digests_once_for_both_taps),
		T(write_refuses_wild_pointers),
		T(write_refuses_bad_counts_and_handles),
		T(boot_passes_strings),
		T(boot_refuses_other_abi_versions),
		T(exit_sets_the_status),
		T(log_checks_its_buffer),
		T(preempt_is_traced_and_checks_its_method),
		T(process_is_traced_and_checked),
		T(threads_is_an_untraced_observer),
		T(holding_answers_no_traced_call),
		T(pmu_answers_this_hosts_counter),
		cmocka_unit_test(pmu_leaf_goes_on_top_of_the_profile),
		cmocka_unit_test(pmu_event_per_cpu_model),
	};
	return cmocka_run_group_tests_name("hypercall", tests, NULL, NULL);
}
