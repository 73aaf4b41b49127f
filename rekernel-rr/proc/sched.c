/*
 * The scheduler (contracts in sched.h).
 *
 * It runs the threads of every process: the walks below go over procs in
 * creation order and each process's threads in creation order, and a
 * switch to a thread of another process loads that process's page tables.
 *
 * Threads are kernel-stack threads in the xv6 manner: a thread that stops
 * running is always inside the kernel, in schedule(), with its user
 * registers in the trapframe at the top of its kernel stack.  swtch.S
 * swaps the callee-saved registers and the stack; switch_to swaps what
 * else a thread owns on the CPU (FPU state, fs/gs bases, the stack every
 * entry from ring 3 lands on) and what guest_state tells the VMM.
 *
 * Determinism.  A switch happens only at a scheduling point (a blocking
 * wait, sched_yield, exit, a timeslice of SLICE_SYSCALLS system calls),
 * and the next thread is the head of a FIFO run queue.  None of that
 * depends on time, so a replay, where the guest sees the same hypercall
 * results, makes every decision the recording made.  Time enters only
 * through timed waits: their deadlines are compared with the CLOCK
 * hypercall's answer, which the trace holds, so those decisions replay
 * too; and through asynchronous preemption (preempt.c), whose points the
 * trace holds as PREEMPT calls and replay finds again.
 *
 * --chaos=SEED replaces FIFO order and fixed timeslices by choices from
 * a PRNG seeded from the command line (which BOOT records), so that
 * races show up under different interleavings; the same seed gives the
 * same interleaving.
 */
#include "proc/sched.h"

#include <rrv/hypercall.h>

#include "arch/x86/fpu.h"
#include "arch/x86/pmu.h"
#include "arch/x86/vm.h"
#include "arch/x86/x86.h"
#include "hv/hypercall.h"
#include "lib/bootinfo.h"
#include "lib/kprintf.h"
#include "lib/string.h"
#include "lib/syscall.h"
#include "mm/kalloc.h"
#include "mm/mm.h"
#include "proc/preempt.h"
#include "proc/ktime.h"
#include "proc/proc.h"
#include "proc/signal.h"
#include "proc/trap.h"
#include "uapi/errno.h"

/* System calls a thread makes before others get a turn. */
#define SLICE_SYSCALLS 64
/* With --chaos: the longest random timeslice, and the odds (1 in N) of
 * yielding at any system call. */
#define CHAOS_SLICE_MAX 128
#define CHAOS_YIELD_ODDS 16

/* wake_reason */
#define WAKE_NONE 0
#define WAKE_CHAN 1   /* sched_wakeup, a futex wake */
#define WAKE_SIGNAL 2
#define WAKE_TIMEOUT 3

void swtch(uint64_t *old_ksp, uint64_t new_ksp); /* swtch.S */

/* Runnable threads other than the current one, oldest first. */
static struct thread *rq_head, *rq_tail;
static int slice_left = SLICE_SYSCALLS;

static bool chaos;
static uint64_t chaos_seed, chaos_state;

/* xorshift64*: tiny, and all its state is here, so that it repeats
 * exactly from the seed. */
static uint64_t rnd(void)
{
	chaos_state ^= chaos_state >> 12;
	chaos_state ^= chaos_state << 25;
	chaos_state ^= chaos_state >> 27;
	return chaos_state * 0x2545f4914f6cdd1dull;
}

static int new_slice(void)
{
	return chaos ? 1 + (int)(rnd() % CHAOS_SLICE_MAX) : SLICE_SYSCALLS;
}

void sched_init(void)
{
	const char *v;
	size_t len;

	if (!cmdline_get("chaos", &v, &len))
		return;
	chaos = true;
	for (size_t i = 0; i < len && v[i] >= '0' && v[i] <= '9'; i++)
		chaos_seed = chaos_seed * 10 + (uint64_t)(v[i] - '0');
	/* splitmix64 of the seed: neighbouring seeds give unrelated
	 * states, and xorshift must not start at 0. */
	uint64_t z = chaos_seed + 0x9e3779b97f4a7c15ull;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	z ^= z >> 31;
	chaos_state = z ? z : 1;
	slice_left = new_slice();
}

bool sched_chaos(uint64_t *seed)
{
	*seed = chaos_seed;
	return chaos;
}

static void rq_push(struct thread *t)
{
	t->rq_next = 0;
	if (rq_tail)
		rq_tail->rq_next = t;
	else
		rq_head = t;
	rq_tail = t;
}

/* Takes t off the queue; prev is the thread before it, or 0 when t is
 * the head. */
static void rq_unlink(struct thread *t, struct thread *prev)
{
	if (prev)
		prev->rq_next = t->rq_next;
	else
		rq_head = t->rq_next;
	if (rq_tail == t)
		rq_tail = prev;
	t->rq_next = 0;
}

/* Takes the next thread to run off the queue: the head, or with --chaos
 * any of them. */
static struct thread *rq_pick(void)
{
	struct thread *prev = 0, *t = rq_head;
	int n = 0;

	if (!t)
		return 0;
	if (chaos) {
		for (struct thread *q = rq_head; q; q = q->rq_next)
			n++;
		for (int i = (int)(rnd() % (uint64_t)n); i > 0; i--) {
			prev = t;
			t = t->rq_next;
		}
	}
	rq_unlink(t, prev);
	return t;
}

static void make_runnable(struct thread *t, int why)
{
	t->state = T_RUNNABLE;
	t->wake_reason = why;
	rq_push(t);
}

void sched_add(struct thread *t)
{
	make_runnable(t, WAKE_NONE);
}

/* Every thread of every process, in creation order, so that the queue
 * order is the same in every run. */
#define FOR_EACH_THREAD(p, t) \
	for (struct proc *p = procs; p; p = p->next) \
		for (struct thread *t = p->threads; t; t = t->next)

void sched_wakeup(void *chan)
{
	FOR_EACH_THREAD(p, t)
		if (t->state == T_BLOCKED && t->wait_chan == chan)
			make_runnable(t, WAKE_CHAN);
}

void sched_wake_thread(struct thread *t, bool by_signal)
{
	if (t->state == T_BLOCKED)
		make_runnable(t, by_signal ? WAKE_SIGNAL : WAKE_CHAN);
}

/* The earliest deadline of a blocked thread, or 0. */
static uint64_t earliest_deadline(void)
{
	uint64_t d = 0;
	FOR_EACH_THREAD(p, t)
		if (t->state == T_BLOCKED && t->deadline && (!d || t->deadline < d))
			d = t->deadline;
	return d;
}

bool sched_others_runnable(void)
{
	return rq_head != 0;
}

uint64_t sched_next_deadline(void)
{
	return earliest_deadline();
}

/* Ends the timed waits whose deadline is at or before now. */
static void expire(uint64_t now)
{
	FOR_EACH_THREAD(p, t)
		if (t->state == T_BLOCKED && t->deadline && t->deadline <= now)
			make_runnable(t, WAKE_TIMEOUT);
}

/*
 * Tells the VMM about every blocked thread (RRV_HC_DEADLOCK): the call it
 * waits in with its arguments, where its registers are saved and its
 * address space's page tables, so that the report shows a backtrace of
 * each.  Static: the kernel stack is small, and a deadlock happens once.
 */
static struct rrv_deadlock_thread deadlocked[RRV_HC_DEADLOCK_MAX];

static bool describe_deadlock(void)
{
	uint32_t n = 0, blocked = 0;
	FOR_EACH_THREAD(p, q) {
		if (q->state != T_BLOCKED)
			continue;
		blocked++;
		if (n == RRV_HC_DEADLOCK_MAX)
			continue;
		struct rrv_deadlock_thread *d = &deadlocked[n++];
		memset(d, 0, sizeof(*d));
		d->tid = (uint32_t)q->tid;
		d->pid = (uint32_t)p->pid;
		d->syscall_nr = q->syscall_nr;
		if (q->tf && q->syscall_nr >= 0) {
			const struct trapframe *tf = q->tf;
			const uint64_t args[6] = { tf->rdi, tf->rsi, tf->rdx,
						   tf->r10, tf->r8, tf->r9 };
			memcpy(d->args, args, sizeof(args));
		}
		d->user_regs = q->tf ? virt_to_phys(q->tf) : 0;
		d->page_root = p->mm ? p->mm->pml4_pa : 0;
		d->other_program = p->other_program;
	}
	uint64_t pa;
	uint64_t len = (uint64_t)n * sizeof(deadlocked[0]);
	if (n == 0 || !virt_to_phys_range(deadlocked, len, &pa))
		return false;
	struct rrv_hc_deadlock a;
	memset(&a, 0, sizeof(a));
	a.nthreads = n;
	a.blocked = blocked;
	a.threads = pa;
	a.threads_len = len;
	return hc_call(RRV_HC_DEADLOCK, &a) == 0;
}

__attribute__((noreturn)) static void deadlock(void)
{
	struct thread *t = curthread;
	uint64_t rip = t->tf ? t->tf->rip : 0;

	/* The VMM's report says it all; these lines only if it refused. */
	if (describe_deadlock())
		machine_exit(RRV_EXIT_SIGNAL, SIGKILL, rip, 0, false);
	if (threads_live <= 1) {
		kwarn("deadlock: the program's only thread waits in %s and nothing can "
		      "wake it (a native run would hang here); it is stopped as by "
		      "SIGKILL\n",
		      t->syscall_nr >= 0 ? syscall_name((uint64_t)t->syscall_nr)
					 : "the kernel");
	} else {
		kwarn("deadlock: all %d threads of the program wait and none can wake "
		      "another (a native run would hang here); it is stopped as by "
		      "SIGKILL\n", threads_live);
		FOR_EACH_THREAD(p, q)
			if (q->state == T_BLOCKED)
				kwarn("deadlock:   thread %d waits in %s\n", q->tid,
				      q->syscall_nr >= 0
					      ? syscall_name((uint64_t)q->syscall_nr)
					      : "the kernel");
	}
	machine_exit(RRV_EXIT_SIGNAL, SIGKILL, rip, 0, false);
}

static void publish(struct thread *t)
{
	guest_state.tid = (uint32_t)t->tid;
	guest_state.user_regs = t->tf ? virt_to_phys(t->tf) : 0;
	guest_state.in_syscall = t->syscall_nr >= 0;
	guest_state.syscall_nr = t->syscall_nr >= 0 ? (uint64_t)t->syscall_nr : 0;
	guest_state.other_program = t->proc->other_program;
}

static void switch_to(struct thread *prev, struct thread *next)
{
	pmu_switch_out(&prev->branches);
	/* The kernel never touches the FPU, so prev's state is still live. */
	fpu_save(prev->fxstate);
	fpu_restore(next->fxstate);
	wrmsr(MSR_FS_BASE, next->fs_base);
	wrmsr(MSR_GS_BASE, next->gs_base);
	trap_set_kstack(next->kstack_top);
	/* Another process: its page tables (a vfork child shares its
	 * parent's, which need no reload). */
	if (next->proc->mm != prev->proc->mm && next->proc->mm)
		mm_activate(next->proc->mm);
	curproc = next->proc;
	curthread = next;
	preempt_count_entry(NULL);
	publish(next);
	swtch(&prev->ksp, next->ksp);
	/* prev runs again here, later, switched back to by someone. */
	sched_reap();
}

/*
 * Runs the next thread.  The current one has already been put where it
 * belongs: on the run queue (yield), blocked (a wait) or a zombie
 * (exit).  Returns when the current thread is chosen again.
 */
static void schedule(void)
{
	struct thread *prev = curthread, *next;

	for (;;) {
		uint64_t d = earliest_deadline();
		if (rq_head) {
			/* Others can run: check the clock only when some
			 * wait could time out. */
			if (d)
				expire(ktime_ns(CLOCK_MONOTONIC));
			next = rq_pick();
			break;
		}
		if (!d) {
			/* Only a signal from outside can end a wait for
			 * one: a signal to rrv (signal.h). */
			if (signal_host_wait())
				continue;
			deadlock();
		}
		/* Nobody can run until the first deadline: sleep the host
		 * until then, which ends at least that wait, unless a
		 * signal to rrv cuts it short. */
		if (ktime_sleep(CLOCK_MONOTONIC, TIMER_ABSTIME, (int64_t)(d / NSEC_PER_SEC),
				(int64_t)(d % NSEC_PER_SEC)) == -ERESTARTSYS) {
			signal_host_poll();
			continue;
		}
		expire(d);
	}
	slice_left = new_slice();
	next->state = T_RUNNABLE;
	if (next != prev)
		switch_to(prev, next);
}

int sched_sleep_deadline(void *chan, uint64_t deadline)
{
	struct thread *t = curthread;

	if (signal_pending())
		return -ERESTARTSYS;
	t->wait_chan = chan;
	t->deadline = deadline;
	t->wake_reason = WAKE_NONE;
	t->state = T_BLOCKED;
	schedule();
	t->wait_chan = 0;
	t->deadline = 0;
	if (t->wake_reason == WAKE_TIMEOUT)
		return -ETIMEDOUT;
	if (signal_pending())
		return -ERESTARTSYS;
	return 0;
}

int sched_sleep(void *chan)
{
	return sched_sleep_deadline(chan, 0);
}

uint64_t sched_deadline(uint32_t clock, uint32_t flags, int64_t sec, int64_t nsec)
{
	uint64_t t = (uint64_t)sec * NSEC_PER_SEC + (uint64_t)nsec;
	uint64_t d;

	if (flags & TIMER_ABSTIME) {
		if (clock == CLOCK_MONOTONIC || clock == CLOCK_BOOTTIME) {
			d = t;
		} else {
			/* Another clock's moment, moved onto the monotonic
			 * clock at the time of the call. */
			uint64_t now = ktime_ns(clock);
			uint64_t mono = ktime_ns(CLOCK_MONOTONIC);
			d = t > now ? mono + (t - now) : mono;
		}
	} else {
		d = ktime_ns(CLOCK_MONOTONIC) + t;
	}
	return d ? d : 1;
}

int sched_timed_sleep(void *chan, uint32_t clock, uint32_t flags, int64_t sec, int64_t nsec)
{
	if (signal_pending())
		return -ERESTARTSYS;
	if (threads_live <= 1) {
		int r = ktime_sleep(clock, flags, sec, nsec);
		return r ? r : -ETIMEDOUT;
	}
	if (clock != CLOCK_MONOTONIC && clock != CLOCK_REALTIME &&
	    clock != CLOCK_BOOTTIME && clock != CLOCK_TAI)
		return -EINVAL;
	return sched_sleep_deadline(chan, sched_deadline(clock, flags, sec, nsec));
}

void sched_yield(void)
{
	struct thread *t = curthread;

	t->state = T_RUNNABLE;
	rq_push(t);
	schedule();
}

bool sched_could_switch(void)
{
	return rq_head || earliest_deadline();
}

void sched_syscall_point(void)
{
	if (!rq_head && !earliest_deadline()) {
		/* Alone: nothing to switch to, and nothing to count. */
		slice_left = new_slice();
		return;
	}
	if (chaos && rnd() % CHAOS_YIELD_ODDS == 0) {
		sched_yield();
		return;
	}
	if (--slice_left <= 0)
		sched_yield();
}

__attribute__((noreturn)) void sched_exit(void)
{
	struct thread *t = curthread;

	t->state = T_ZOMBIE;
	proc_nlive_add(curproc, -1);
	schedule();
	panic("sched_exit: thread %d ran again after its exit", t->tid);
}

void sched_reap(void)
{
	struct proc **lp = &procs;

	while (*lp) {
		struct proc *p = *lp;
		struct thread **pp = &p->threads;
		while (*pp) {
			struct thread *t = *pp;
			if (t->state != T_ZOMBIE || t == curthread) {
				pp = &t->next;
				continue;
			}
			*pp = t->next;
			thread_free(t);
		}
		/* A process its parent has reaped (or nobody waits for)
		 * goes once its last thread has. */
		if (p->state == P_DEAD && !p->threads && p != curproc) {
			*lp = p->next;
			proc_free(p);
			continue;
		}
		lp = &p->next;
	}
}

void sched_unqueue(struct thread *t)
{
	struct thread *prev = 0;

	for (struct thread *q = rq_head; q; prev = q, q = q->rq_next) {
		if (q != t)
			continue;
		rq_unlink(t, prev);
		return;
	}
}
