/*
 * Asynchronous preemption (contracts in preempt.h, design in
 * docs/threads.md).
 *
 * What identifies a point.  A recorded point is the thread, the rip of
 * its next instruction, a digest of its general registers and flags, a
 * digest of the stack around rsp (the red zone below it included, since
 * leaf functions keep locals there), the count of system calls and thread
 * switches since boot (which stretch of ring-3 execution it is in), and
 * the user pages written since the kernel last cleared the dirty bits
 * (mm/dirty.c): how many, and a digest of them.  Within one stretch only
 * the thread's registers and the memory it writes change, so two passes
 * that agree on all of these are the same machine state, and replay,
 * which stops the thread at the first pass after the previous recorded
 * event where all of them match, stops it in the recorded state.  Where
 * the host offers a performance counter (pmu.c), the thread's count of
 * retired conditional branches is compared first.
 *
 * Where a point is placed.  Replay pays one #DB for every pass over the
 * point's rip between the previous event and the point.  So while
 * recording, a thread that resumes where it was preempted gets its own
 * breakpoint on that rip (its anchor) from the moment it runs, and a
 * tick that decides to preempt it waits for the next pass over the
 * anchor: replay then takes as many #DBs as the recording did, instead
 * of one per pass of a loop that ran untrapped for a whole tick
 * (docs/threads.md, "Points that are cheap to find").
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

/* Ticks a decided preemption waits for the thread to pass its anchor,
 * after which it is preempted where the tick finds it. */
#define ANCHOR_WAIT_TICKS 2
/* Passes over an anchor with registers different from the pass before,
 * after which the anchor is dropped for the rest of the stretch: a loop
 * that changes its registers is computing, not waiting, and trapping
 * each of its passes would slow the recording down as much as replay. */
#define ANCHOR_VARY_MAX 4

#define FNV_PRIME 0x100000001b3ull
#define FNV_SEED 0xcbf29ce484222325ull

static int user_ticks;          /* ticks seen by the same ring-3 run */
static struct thread *tick_thread;
static uint64_t tick_syscalls;  /* curproc->nsyscalls at the last tick */
static struct thread *trap_thread; /* the last ring-3 trap served, */
static uint64_t trap_rip;          /* and where its thread resumes */
static bool dr_armed;           /* DR0/DR7 hold a breakpoint on dr_rip */
static uint64_t dr_rip;
static bool ticks_come;         /* recording or running (THREADS) */
static bool soon_asked;         /* a TICKSOON since the last tick */

/* How soon a new thread's first tick comes: long enough for its start-up
 * system calls, short enough that a spin it then enters has made few
 * untrapped passes when the tick anchors it. */
#define SOON_US 50
/* An early tick this close to the anchor is in the same loop, which
 * has not come round yet: the anchor stays. */
#define PROBE_NEAR 256

uint64_t preempt_entries;

void preempt_count_entry(struct thread *t)
{
	preempt_entries++;
	if (t) {
		t->anchor = 0;
		t->anchor_passes = 0;
		t->preempt_due = false;
	}
}

void preempt_ticks_come(bool yes)
{
	ticks_come = yes;
}

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

/* Which stretch, and what it wrote (see the top of this file). */
static void point_ident(struct rrv_point_ident *id)
{
	*id = (struct rrv_point_ident){ .entries = preempt_entries };
	if (curproc->mm)
		id->dirty_digest = mm_dirty_digest(curproc->mm, &id->dirty_pages);
}

/* Recording: t's passes over rip are counted from now on. */
static void anchor_at(struct thread *t, uint64_t rip)
{
	t->anchor = rip;
	t->anchor_passes = 0;
	t->due_ticks = 0;
	t->anchor_vary = 0;
	t->anchor_regs = 0;
}

/* After a point: the next stretch starts, with clean dirty bits. */
static void point_taken(struct thread *t, uint64_t rip)
{
	if (curproc->mm)
		mm_dirty_clear(curproc->mm);
	preempt_entries++;
	anchor_at(t, rip);
	t->preempt_due = false;
	t->soon_left = 0;
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
	point_ident(&h.ident);
	if (point_set) {
		h.method = point_method;
		h.branches = point_branches;
		point_set = false;
	}
	int64_t sig = hc_call(RRV_HC_HOSTSIG, &h);
	point_taken(t, h.rip);
	signal_host_deliver(sig);
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
	point_ident(&p.ident);
	if (point_set) {
		p.method = point_method;
		p.branches = point_branches;
		point_set = false;
	}
	hc_call(RRV_HC_PREEMPT, &p);
	point_taken(t, p.rip);
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
	soon_asked = false;
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
	bool placeable = !after_trap && !at_rep_string(tf->rip);
	bool could = curproc->nlive > 1 && sched_could_switch() && placeable;
	/* A new thread's early ticks (TICKSOON) look for where it spins:
	 * each anchors it where it is unless it passed its anchor since the
	 * last, until it passes one twice with the same registers
	 * (anchor_pass ends the probing).  They do not count towards
	 * preempting it, and each return to ring 3 asks for the next. */
	if (t->soon_left) {
		t->soon_left--;
		/* Moved on from the last anchor (no pass since the last
		 * tick, and not in the same small loop): anchor it here. */
		if (could && (!t->anchor || (t->anchor_passes == t->probe_passes &&
					     (tf->rip < t->anchor - PROBE_NEAR ||
					      tf->rip > t->anchor + PROBE_NEAR))))
			anchor_at(t, tf->rip);
		t->probe_passes = t->anchor_passes;
		return PREEMPT_RESUME;
	}
	if (++user_ticks < TICKS_TO_PREEMPT) {
		/* The first tick of a stretch without an anchor: the thread
		 * may be spinning here, so its passes over this rip are
		 * counted from now on, and a point at the next tick goes on
		 * one of them: replay then pays untrapped passes only for
		 * the part of the stretch before this tick. */
		if (could && (!t->anchor || !t->anchor_passes))
			anchor_at(t, tf->rip);
		return PREEMPT_RESUME;
	}
	if (!could)
		return PREEMPT_RESUME;
	/* The thread passes an anchor it resumed at: preempt it at the next
	 * pass (preempt_debug), where replay finds it for as many #DBs as
	 * this run took, unless it has left that loop. */
	if (t->anchor && t->anchor_passes && dr_armed && dr_rip == t->anchor &&
	    tf->rip != t->anchor && t->due_ticks < ANCHOR_WAIT_TICKS) {
		t->preempt_due = true;
		t->due_ticks++;
		return PREEMPT_RESUME;
	}
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

/* Replay: whether this pass over the published point's rip is the
 * point, cheapest parts first; a point whose stretch (or branch count)
 * this run has gone past counts too, so that the call makes the replayer
 * report where the thread ran past it. */
static bool replay_point_here(struct trapframe *tf, struct thread *t)
{
	volatile struct rrv_preempt_point *want = &guest_state.next_preempt;
	volatile struct rrv_point_ident *id = &guest_state.next_ident;
	bool counted = want->method == RRV_PREEMPT_BRANCHES && pmu_active();
	uint64_t n = counted ? pmu_branches(t->branches) : want->branches;

	if (n > want->branches || preempt_entries > id->entries)
		goto take;
	if (n < want->branches || preempt_entries < id->entries ||
	    regs_digest(tf) != want->regs_digest || stack_digest(tf) != want->stack_digest)
		return false;
	guest_state.breakpoint_near++;
	if (curproc->mm) {
		if (mm_dirty_count(curproc->mm) != id->dirty_pages)
			return false;
		uint32_t pages;
		if (mm_dirty_digest(curproc->mm, &pages) != id->dirty_digest)
			return false;
	}
take:
	point_set = true;
	point_method = want->method;
	point_branches = n;
	point_nr = guest_state.next_point_nr == RRV_HC_HOSTSIG ? RRV_HC_HOSTSIG
							   : RRV_HC_PREEMPT;
	return true;
}

/* Recording: a pass over the thread's anchor (see the top of this file). */
static enum preempt_verdict anchor_pass(struct trapframe *tf, struct thread *t)
{
	if (t->preempt_due && sched_could_switch()) {
		dr_clear();
		return PREEMPT_SWITCH;
	}
	guest_state.breakpoint_passes++; /* for --stats */
	t->anchor_passes++;
	uint64_t r = regs_digest(tf);
	/* Passing it again with the same registers: the thread spins here,
	 * and needs no more early ticks. */
	if (r == t->anchor_regs && t->anchor_passes > 1)
		t->soon_left = 0;
	if (r != t->anchor_regs) {
		t->anchor_regs = r;
		if (++t->anchor_vary > ANCHOR_VARY_MAX) {
			t->anchor = 0;
			dr_clear();
		}
	}
	tf->rflags |= RFLAGS_RF;
	return PREEMPT_RESUME;
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
		if (replay_point_here(tf, t)) {
			dr_clear();
			return PREEMPT_SWITCH;
		}
	} else if (!want->armed && ticks_come && t->anchor == tf->rip) {
		return anchor_pass(tf, t);
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
	struct thread *t = curthread;
	uint64_t rip = 0;
	if (want->armed)
		rip = want->tid == (uint32_t)t->tid ? want->rip : 0;
	else if (ticks_come)
		rip = t->anchor;
	/* A new thread still looking for where it spins (soon_left), back
	 * in ring 3 while another could run: the next tick early
	 * (TICKSOON), one request at a time. */
	if (ticks_come && !want->armed && t->soon_left && !soon_asked &&
	    t->proc->nlive > 1 && sched_could_switch()) {
		soon_asked = true;
		hc_ticksoon(SOON_US);
	}
	if (rip) {
		if (!dr_armed || dr_rip != rip)
			dr_set(rip);
	} else if (dr_armed) {
		dr_clear();
	}
}
