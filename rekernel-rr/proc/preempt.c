/*
 * Asynchronous preemption (contracts in preempt.h, design in
 * docs/threads.md).
 *
 * What identifies a point.  A recorded point is the thread, the rip of
 * its next instruction, a digest of its general registers and flags, and
 * a digest of the stack around rsp (the red zone below it included,
 * since leaf functions keep locals there).  Where the host offers a
 * performance counter (pmu.c), also the thread's count of retired
 * conditional branches.  Replay stops the thread at the first time,
 * after the previous recorded event, that all of these match; a thread's
 * ring-3 execution between two events is a function of its state, so
 * that is the recorded moment.  Without a count, a loop that passes the
 * same rip with the same registers and stack more than once while other
 * memory changes could stop too early (docs/threads.md); the count tells
 * those passes apart.
 */
#include "proc/preempt.h"

#include <stddef.h>
#include <rrv/hypercall.h>

#include "arch/x86/debugreg.h"
#include "arch/x86/pmu.h"
#include "arch/x86/vm.h"
#include "arch/x86/x86.h"
#include "hv/hypercall.h"
#include "mm/mm.h"
#include "proc/proc.h"
#include "proc/sched.h"
#include "proc/signal.h"
#include "proc/trap.h"

/* The stack the digest covers: the 128-byte red zone below rsp and what
 * the spinning code most likely reads above it. */
#define STACK_BELOW 128
#define STACK_ABOVE 256

/* Ticks a thread must spend in ring 3 without a system call before it is
 * preempted.  Two: the first tick may land just after a system call, so
 * one whole tick period is certain to have passed at the second.  A
 * thread that reaches scheduling points on its own is then never
 * preempted asynchronously, which keeps such programs (and --chaos runs)
 * exactly as deterministic as before. */
#define TICKS_TO_PREEMPT 2

/* The breakpoint is slot 0 of the debug registers (arch/x86/debugreg.h):
 * L0 with RW0 and LEN0 zero, an instruction breakpoint.  Slots 1-3 are
 * rrv debug's (proc/debugger.c). */

/* vectors.S tests the saved cs at this offset to call
 * preempt_user_return on returns to ring 3 only. */
_Static_assert(offsetof(struct trapframe, cs) == 18 * 8, "TF_CS in vectors.S");

#define FNV_PRIME 0x100000001b3ull
#define FNV_SEED 0xcbf29ce484222325ull

static int user_ticks;          /* ticks seen by the same ring-3 run */
static struct thread *tick_thread;
static uint64_t tick_syscalls;  /* curproc->nsyscalls at the last tick */
static struct thread *trap_thread; /* the last ring-3 trap served, */
static uint64_t trap_rip;          /* and where its thread resumes */
static bool dr_armed;           /* DR0/DR7 hold a breakpoint on dr_rip */
static uint64_t dr_rip;

static uint64_t fnv(uint64_t h, const void *p, uint64_t n)
{
	const uint8_t *b = p;
	for (uint64_t i = 0; i < n; i++)
		h = (h ^ b[i]) * FNV_PRIME;
	return h;
}

/* The registers the program sees, without RF, which the CPU sets on its
 * own in the frames of some exceptions. */
static uint64_t regs_digest(const struct trapframe *tf)
{
	uint64_t r[17] = {
		tf->r15, tf->r14, tf->r13, tf->r12, tf->r11, tf->r10, tf->r9,
		tf->r8, tf->rbp, tf->rdi, tf->rsi, tf->rdx, tf->rcx, tf->rbx,
		tf->rax, tf->rip, tf->rflags & ~RFLAGS_RF,
	};
	return fnv(FNV_SEED, r, sizeof(r));
}

/* The bytes around rsp that are in memory now.  Never faults anything
 * in: that would change the program's memory (and its maps) at a moment
 * that depends on host time.  A missing page counts as one marker. */
static uint64_t stack_digest(const struct trapframe *tf)
{
	uint64_t h = FNV_SEED;
	uint64_t va = tf->rsp - STACK_BELOW, end = tf->rsp + STACK_ABOVE;
	if (tf->rsp < STACK_BELOW || end > USER_TOP)
		return fnv(h, "\xff", 1);
	while (va < end) {
		uint64_t n = PGSIZE - (va & (PGSIZE - 1));
		if (n > end - va)
			n = end - va;
		const void *p = mm_peek(curproc->mm, va);
		h = p ? fnv(h, p, n) : fnv(h, "\xff", 1);
		va += n;
	}
	return h;
}

/* A rep-prefixed string instruction at rip: the CPU takes interrupts
 * between its iterations, with rip on the instruction, but an instruction
 * breakpoint fires only before the first.  Such a point could never be
 * found again, so the tick waits for the next one. */
static bool at_rep_string(uint64_t rip)
{
	bool rep = false;
	for (int i = 0; i < 15; i++) {
		const uint8_t *p = mm_peek(curproc->mm, rip + (uint64_t)i);
		if (!p)
			return false;
		uint8_t b = *p;
		if (b == 0xf2 || b == 0xf3) {
			rep = true;
			continue;
		}
		if (b == 0x66 || b == 0x67 || b == 0x2e || b == 0x3e ||
		    b == 0x26 || b == 0x36 || b == 0x64 || b == 0x65 ||
		    (b >= 0x40 && b <= 0x4f))
			continue;
		return rep && ((b >= 0xa4 && b <= 0xa7) || (b >= 0xaa && b <= 0xaf) ||
			       (b >= 0x6c && b <= 0x6f));
	}
	return false;
}

/* What preempt_switch reports for the point preempt_debug matched in
 * replay: the recording's method and count, so that the call's inputs
 * are the recorded ones (the count is this run's own where it counts). */
static bool point_set;
static uint32_t point_method;
static uint64_t point_branches;
/* Which call the point is: RRV_HC_PREEMPT, or RRV_HC_HOSTSIG for a
 * signal to rrv taken in ring 3 (preempt_hostsig, or replay's point). */
static unsigned point_nr = RRV_HC_PREEMPT;

/* A signal to rrv, taken where the thread was: the HOSTSIG call with the
 * point, then the signal to the foreground group, delivered at once. */
static void hostsig_point(struct trapframe *tf)
{
	static struct rrv_hc_hostsig h;
	struct thread *t = curthread;

	h = (struct rrv_hc_hostsig){
		.mode = RRV_HOSTSIG_POINT,
		.tid = (uint32_t)t->tid,
		.method = pmu_active() ? RRV_PREEMPT_BRANCHES : RRV_PREEMPT_BREAKPOINT,
		.rip = tf->rip,
		.regs_digest = regs_digest(tf),
		.stack_digest = stack_digest(tf),
		.branches = pmu_branches(t->branches),
	};
	if (point_set) {
		h.method = point_method;
		h.branches = point_branches;
		point_set = false;
	}
	signal_host_deliver(hc_call(RRV_HC_HOSTSIG, &h));
	signal_return_to_user(tf, false);
}

void preempt_switch(struct trapframe *tf)
{
	static struct rrv_hc_preempt p;
	struct thread *t = curthread;

	if (point_nr == RRV_HC_HOSTSIG) {
		point_nr = RRV_HC_PREEMPT;
		hostsig_point(tf);
		return;
	}

	p = (struct rrv_hc_preempt){
		.tid = (uint32_t)t->tid,
		.method = pmu_active() ? RRV_PREEMPT_BRANCHES : RRV_PREEMPT_BREAKPOINT,
		.rip = tf->rip,
		.regs_digest = regs_digest(tf),
		.stack_digest = stack_digest(tf),
		.branches = pmu_branches(t->branches),
	};
	if (point_set) {
		p.method = point_method;
		p.branches = point_branches;
		point_set = false;
	}
	hc_call(RRV_HC_PREEMPT, &p);
	user_ticks = 0;
	sched_yield();
	/* Running again: signals sent meanwhile are delivered now, as at
	 * any return to ring 3 after a switch (in replay just the same). */
	signal_return_to_user(tf, false);
}

enum preempt_verdict preempt_tick(struct trapframe *tf)
{
	struct thread *t = curthread;

	t->tf = tf;
	if (t != tick_thread || curproc->nsyscalls != tick_syscalls) {
		tick_thread = t;
		tick_syscalls = curproc->nsyscalls;
		user_ticks = 0;
	}
	/* A tick that was pending while the kernel served a page fault
	 * arrives as the thread resumes the faulting instruction, with the
	 * registers it had when it first tried it: replay would stop at that
	 * first try, before the fault (its breakpoint comes first), where
	 * the thread's memory differs.  Such a point is left for a later
	 * tick. */
	bool after_trap = t == trap_thread && tf->rip == trap_rip;
	trap_thread = 0;
	/* Only a thread of a process with several threads is preempted:
	 * processes that each have one wait for each other through system
	 * calls (pipes, wait), not by spinning on shared memory. */
	if (++user_ticks < TICKS_TO_PREEMPT || curproc->nlive <= 1 ||
	    !sched_could_switch() || after_trap || at_rep_string(tf->rip))
		return PREEMPT_RESUME;
	return PREEMPT_SWITCH;
}

enum preempt_verdict preempt_hostsig(struct trapframe *tf)
{
	struct thread *t = curthread;

	t->tf = tf;
	/* The same points as a tick's are out of replay's reach (above);
	 * the VMM injects again on a later tick. */
	if ((t == trap_thread && tf->rip == trap_rip) || at_rep_string(tf->rip))
		return PREEMPT_RESUME;
	point_nr = RRV_HC_HOSTSIG;
	return PREEMPT_SWITCH;
}

void preempt_note_trap(const struct trapframe *tf)
{
	trap_thread = curthread;
	trap_rip = tf->rip;
}

static void dr_set(uint64_t rip)
{
	dr_set_addr(0, rip);
	dr7_set(DR7_SLOT0, DR7_L0);
	dr_armed = true;
	dr_rip = rip;
}

static void dr_clear(void)
{
	dr7_set(DR7_SLOT0, 0);
	dr_armed = false;
}

/*
 * The breakpoint is off while the host serves a hypercall.  Hardware
 * resets the host's DR7 at every VM exit, but QEMU's software SVM before
 * 9.1 (the nested VM of tools/with-kvm) leaves the guest's breakpoint
 * installed: the host's own processes then stop with SIGTRAP at that
 * address (docs/with-kvm.md).  A DR7 write here does remove it, so a
 * replay that ends, or diverges, at a hypercall leaves none behind.
 * (debugreg.c parks every slot, the debugger's too.)
 */
void preempt_dr_park(void)
{
	dr7_park();
}

void preempt_dr_unpark(void)
{
	dr7_unpark();
}

/* Around every hypercall (hv/hypercall.h): the system call in progress
 * needed the host (for --stats), and the breakpoint must not fire in the
 * VMM's emulation of the exit. */
static void hc_enter(void)
{
	if (curthread && curthread->syscall_nr >= 0)
		curthread->used_host = true;
	preempt_dr_park();
}

static const struct hc_hooks preempt_hc_hooks = {
	.enter = hc_enter,
	.leave = preempt_dr_unpark,
};

void preempt_hook_hypercalls(void)
{
	hc_set_hooks(&preempt_hc_hooks);
}

enum preempt_verdict preempt_debug(struct trapframe *tf, uint64_t dr6)
{
	if (!dr_armed || !(dr6 & DR6_B0)) {
		/* A program's own single step is its SIGTRAP.  Nothing else
		 * can raise #DB in ring 3 (programs cannot set debug
		 * registers), yet in the nested VM of tools/with-kvm a
		 * breakpoint QEMU left installed (docs/with-kvm.md, "Debug
		 * registers leak") raises one with no breakpoint of ours
		 * armed, which would kill the program with SIGTRAP: such a
		 * #DB is ignored, which leaves the program's state as it was. */
		if ((dr6 & DR6_BS) || (tf->rflags & RFLAGS_TF))
			return PREEMPT_NOT_MINE;
		tf->rflags |= RFLAGS_RF;
		return PREEMPT_RESUME;
	}
	volatile struct rrv_preempt_point *want = &guest_state.next_preempt;
	struct thread *t = curthread;

	t->tf = tf;
	if (want->armed && want->tid == (uint32_t)t->tid && want->rip == tf->rip) {
		bool counted = want->method == RRV_PREEMPT_BRANCHES && pmu_active();
		uint64_t n = counted ? pmu_branches(t->branches) : want->branches;
		/* The point, or past its recorded count: then the point was
		 * missed, and the call with this run's count makes the
		 * replayer report where (a divergence naming the thread). */
		if (n > want->branches ||
		    (n == want->branches && regs_digest(tf) == want->regs_digest &&
		     stack_digest(tf) == want->stack_digest)) {
			point_set = true;
			point_method = want->method;
			point_branches = n;
			point_nr = guest_state.next_point_nr == RRV_HC_HOSTSIG
					   ? RRV_HC_HOSTSIG : RRV_HC_PREEMPT;
			dr_clear();
			return PREEMPT_SWITCH;
		}
	}
	/* Not this pass: run the instruction once without the breakpoint. */
	guest_state.breakpoint_passes++;
	tf->rflags |= RFLAGS_RF;
	return PREEMPT_RESUME;
}

void preempt_user_return(struct trapframe *tf)
{
	(void)tf;
	volatile struct rrv_preempt_point *want = &guest_state.next_preempt;
	if (want->armed && want->tid == (uint32_t)curthread->tid) {
		uint64_t rip = want->rip;
		if (!dr_armed || dr_rip != rip)
			dr_set(rip);
	} else if (dr_armed) {
		dr_clear();
	}
}
