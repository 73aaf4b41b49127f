/*
 * guestdbg_check TRACE WATCH_ADDR FUNC_LO FUNC_HI: replays TRACE as rrv
 * debug would, without the debugger: the VMM's hooks of vmm/guestdbg.h
 * and the guest kernel's DEBUG events (docs/debugging.md, "How the guest
 * helps").  It prints every event, one line each, for run.sh to check,
 * and checks itself what only it can see:
 *  - at EXEC it pauses the loop (vmm_run returns VMM_PAUSED), reads the
 *    thread table, sets a 4-byte write watchpoint in DR1 on WATCH_ADDR
 *    for the process (guestdbg_request), and resumes;
 *  - every WATCH must come from an instruction in [FUNC_LO, FUNC_HI)
 *    (the function that writes the global), with B1 in DR6;
 *  - at the first WATCH it asks for USER_RETURN once, which must come
 *    at the same rip, and single-steps one instruction there through
 *    KVM (KVM_EXIT_DEBUG on the debugger's on_exit hook);
 *  - the replay must end with the recorded status and no divergence.
 * Prints "status N" last; exits 0 when its own checks held, 1 if not.
 */
#include <errno.h>
#include <inttypes.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replay/replay.h"
#include "vmm/guestdbg.h"
#include "vmm/vmm.h"

struct check {
	struct vmm *vm;
	uint64_t watch, lo, hi;
	int pid;
	int failures;
	int watches;
	bool want_user_return, stepping;
	uint64_t watch_rip;
	int steps;
	bool paused_at_exec;
};

static const char *const names[] = {
	[RRV_DEBUG_WATCH] = "WATCH", [RRV_DEBUG_SIGNAL] = "SIGNAL",
	[RRV_DEBUG_EXEC] = "EXEC", [RRV_DEBUG_EXIT] = "EXIT",
	[RRV_DEBUG_FORK] = "FORK", [RRV_DEBUG_THREAD] = "THREAD",
	[RRV_DEBUG_USER_RETURN] = "USER_RETURN",
};

static void fail(struct check *c, const char *what)
{
	printf("FAIL %s\n", what);
	c->failures++;
}

static uint64_t frame_rip(struct check *c, rrv_gpa_t regs)
{
	const struct rrv_user_regs *r = GUEST_AT(&c->vm->mem, regs, sizeof(*r));
	return r ? r->rip : 0;
}

static int set_watch(struct check *c)
{
	struct rrv_debug_request rq = c->vm->debug.rq;
	rq.pid = c->pid;
	rq.dr[1] = c->watch;
	/* L1, RW1 = 01 (writes), LEN1 = 11 (4 bytes) */
	rq.dr7 = (1ull << 2) | (1ull << 20) | (3ull << 22);
	rq.stop_user_return = c->want_user_return;
	return guestdbg_request(c->vm, &rq);
}

static int on_event(void *ctx, const struct rrv_hc_debug *ev)
{
	struct check *c = ctx;
	uint64_t rip = ev->regs ? frame_rip(c, ev->regs) : 0;
	printf("%s pid=%d tid=%u signo=%d code=%d status=%d addr=0x%" PRIx64
	       " detail=0x%" PRIx64 " rip=0x%" PRIx64 "\n", names[ev->event],
	       ev->pid, ev->tid, ev->signo, ev->code, ev->status, ev->addr,
	       ev->detail, rip);
	switch (ev->event) {
	case RRV_DEBUG_EXEC:
		if (c->pid)
			return VMM_DEBUG_GO;
		c->pid = ev->pid;
		if (ev->addr != rip)
			fail(c, "EXEC: addr is not the frame's rip");
		return VMM_DEBUG_PAUSE; /* main() looks around, then resumes */
	case RRV_DEBUG_WATCH:
		c->watches++;
		if (ev->pid != c->pid)
			fail(c, "WATCH in another process");
		if (!(ev->detail & 2))
			fail(c, "WATCH without B1 in DR6");
		if (rip < c->lo || rip >= c->hi)
			fail(c, "WATCH outside the writing function");
		if (c->watches == 1) {
			c->watch_rip = rip;
			c->want_user_return = true;
			if (set_watch(c))
				fail(c, "guestdbg_request for USER_RETURN");
		}
		return VMM_DEBUG_GO;
	case RRV_DEBUG_USER_RETURN:
		if (rip != c->watch_rip)
			fail(c, "USER_RETURN not at the WATCH's rip");
		c->want_user_return = false;
		if (set_watch(c))
			fail(c, "guestdbg_request without USER_RETURN");
		/* One instruction through KVM from here: the loop pauses at
		 * KVM_EXIT_DEBUG (on_exit). */
		if (vcpu_set_guest_debug(c->vm, KVM_GUESTDBG_ENABLE |
					 KVM_GUESTDBG_SINGLESTEP))
			fail(c, "KVM_SET_GUEST_DEBUG");
		c->stepping = true;
		return VMM_DEBUG_GO;
	}
	return VMM_DEBUG_GO;
}

static int on_exit_debug(void *ctx, const struct kvm_debug_exit_arch *a)
{
	struct check *c = ctx;
	if (!c->stepping)
		return -1;
	c->steps++;
	printf("STEP exception=%u pc=0x%llx\n", a->exception,
	       (unsigned long long)a->pc);
	if (a->exception != 1)
		fail(c, "single step: not a #DB");
	c->stepping = false;
	if (vcpu_set_guest_debug(c->vm, 0))
		fail(c, "KVM_SET_GUEST_DEBUG off");
	return VMM_DEBUG_PAUSE;
}

static void look_at_threads(struct check *c)
{
	struct rrv_debug_thread t[8];
	uint32_t gen = 0;
	int n = guestdbg_threads(c->vm, t, 8, &gen);
	printf("THREADS n=%d generation=%u", n, gen);
	for (int i = 0; i < n; i++)
		printf(" %u/%d/%u", t[i].tid, t[i].pid, t[i].state);
	printf("\n");
	if (n != 1 || t[0].pid != c->pid || t[0].state != RRV_DT_RUNNING ||
	    !t[0].user_regs || !t[0].cr3 || gen == 0)
		fail(c, "thread table at EXEC");
}

int main(int argc, char **argv)
{
	if (argc != 5) {
		fprintf(stderr, "usage: guestdbg_check TRACE WATCH_ADDR FUNC_LO FUNC_HI\n");
		return 2;
	}
	struct check c = {
		.watch = strtoull(argv[2], NULL, 0),
		.lo = strtoull(argv[3], NULL, 0),
		.hi = strtoull(argv[4], NULL, 0),
	};
	struct vmm_config cfg;
	int status;
	struct replayer *rep = replayer_open(argv[1], &cfg, &status);
	if (!rep)
		return 2;
	struct vmm *vm = vmm_create(&cfg);
	if (!vm)
		return 2;
	c.vm = vm;
	replayer_attach(rep, vm);
	vm->debug.attach = true;
	vm->debug.hook = on_event;
	vm->debug.on_exit = on_exit_debug;
	vm->debug.ctx = &c;

	int pauses = 0;
	while ((status = vmm_run(vm)) == VMM_PAUSED) {
		pauses++;
		printf("PAUSED\n");
		if (pauses == 1) {
			look_at_threads(&c);
			if (set_watch(&c))
				fail(&c, "guestdbg_request at EXEC");
		}
	}
	status = replayer_finish(rep, status, false);
	if (pauses != 2)
		fail(&c, "expected two pauses (EXEC and the single step)");
	if (c.steps != 1)
		fail(&c, "expected one single step");
	printf("watches %d\n", c.watches);
	printf("status %d\n", status);
	fflush(stdout);
	vmm_destroy(vm);
	replayer_free(rep);
	return c.failures ? 1 : 0;
}
