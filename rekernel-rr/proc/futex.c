/*
 * futex and futex_waitv (contracts in futex.h).
 *
 * One process, so private and shared futexes are the same thing: a wait
 * queue keyed by the user address.  All waiters are on one FIFO list
 * (there are few threads), each with its key and bitset; a wake takes
 * the oldest matching waiters first, so that who wakes is the same in
 * every run.  A waiter sleeps in sched.c on its own thread as the channel
 * and knows it was woken by futex_woken, not by the sleep's result.
 *
 * The value check and the queueing happen with nothing else running
 * (one vCPU, no preemption in the kernel), which is the atomicity
 * FUTEX_WAIT promises.
 *
 * The PI operations keep Linux's lock word protocol (owner tid,
 * FUTEX_WAITERS, FUTEX_OWNER_DIED) but no priority inheritance: a
 * contended lock waits in the same queue, and unlock hands the lock back
 * to user space free and wakes one waiter, which takes it again.
 * futex_waitv with more than one thread is not implemented.
 */
#include "proc/futex.h"

#include "mm/uaccess.h"
#include "proc/ktime.h"
#include "proc/proc.h"
#include "proc/sched.h"
#include "proc/signal.h"
#include "uapi/errno.h"
#include "uapi/futex.h"
#include "uapi/time.h"

static int get_u32(uint64_t uaddr, uint32_t *v)
{
	return copy_from_user(v, uaddr, sizeof(*v));
}

static int put_u32(uint64_t uaddr, uint32_t v)
{
	return copy_to_user(uaddr, &v, sizeof(v));
}

static int get_timeout(uint64_t uts, struct k_timespec *ts)
{
	if (copy_from_user(ts, uts, sizeof(*ts)))
		return -EFAULT;
	if (ts->tv_sec < 0 || ts->tv_nsec < 0 || ts->tv_nsec >= NSEC_PER_SEC)
		return -EINVAL;
	return 0;
}

/* All waiters, oldest first. */
static struct thread *fq_head, *fq_tail;

static void fq_add(struct thread *t, uint64_t key, uint32_t bitset)
{
	t->futex_key = key;
	t->futex_bitset = bitset;
	t->futex_woken = false;
	t->futex_queued = true;
	t->futex_next = 0;
	if (fq_tail)
		fq_tail->futex_next = t;
	else
		fq_head = t;
	fq_tail = t;
}

static void fq_remove(struct thread *t)
{
	struct thread *prev = 0;

	if (!t->futex_queued)
		return;
	for (struct thread *q = fq_head; q; prev = q, q = q->futex_next) {
		if (q != t)
			continue;
		if (prev)
			prev->futex_next = t->futex_next;
		else
			fq_head = t->futex_next;
		if (fq_tail == t)
			fq_tail = prev;
		break;
	}
	t->futex_queued = false;
	t->futex_next = 0;
}

/* Keys are user addresses, which mean the same word only within one
 * address space: a waiter of another process is never a match.  (No
 * memory is shared between processes, so there are no shared futexes
 * across them.) */
static bool same_space(const struct thread *t)
{
	return t->proc->mm == curproc->mm;
}

void futex_forget(struct thread *t)
{
	fq_remove(t);
}

/* Wakes up to n waiters on key whose bitset meets bitset; the count. */
static int wake(uint64_t key, int n, uint32_t bitset)
{
	int woken = 0;
	struct thread *t = fq_head;

	while (t && woken < n) {
		struct thread *nx = t->futex_next;
		if (same_space(t) && t->futex_key == key && (t->futex_bitset & bitset)) {
			fq_remove(t);
			t->futex_woken = true;
			sched_wake_thread(t, false);
			woken++;
		}
		t = nx;
	}
	return woken;
}

int futex_wake(uint64_t uaddr, int n)
{
	return wake(uaddr, n, ~0u);
}

/* Wakes nwake waiters on key, then moves up to nreq more to key2: the
 * total, as Linux counts it. */
static int requeue(uint64_t key, uint64_t key2, int nwake, int nreq)
{
	int n = wake(key, nwake, ~0u);

	for (struct thread *t = fq_head; t && nreq > 0; t = t->futex_next) {
		if (same_space(t) && t->futex_key == key) {
			t->futex_key = key2;
			nreq--;
			n++;
		}
	}
	return n;
}

/*
 * The part of every wait after the value matched: queued, until a wake,
 * the timeout (ts, relative or absolute on clock, or NULL for none) or a
 * signal.  With one thread nobody can wake it, so it ends by the timeout
 * (a host sleep) or as a deadlock, as before threads.
 */
static int64_t wait_queued(uint64_t uaddr, uint32_t bitset, uint32_t clock, uint32_t flags,
			   const struct k_timespec *ts)
{
	struct thread *t = curthread;
	uint64_t deadline = 0;
	int r;

	if (signal_pending())
		return ts ? -ERESTART_RESTARTBLOCK : -ERESTARTSYS;
	if (ts && threads_live <= 1) {
		r = ktime_sleep(clock, flags, ts->tv_sec, ts->tv_nsec);
		return r ? r : -ETIMEDOUT;
	}
	if (ts)
		deadline = sched_deadline(clock, flags, ts->tv_sec, ts->tv_nsec);
	fq_add(t, uaddr, bitset);
	for (;;) {
		r = sched_sleep_deadline(t, deadline);
		if (t->futex_woken)
			return 0;
		if (r == -ETIMEDOUT || r == -ERESTARTSYS)
			break;
		/* Woken for a signal another thread took first: wait on. */
	}
	fq_remove(t);
	if (r == -ERESTARTSYS && ts)
		/* A timed wait is restarted with what is left, not from
		 * scratch (for an absolute timeout that is the same). */
		return -ERESTART_RESTARTBLOCK;
	return r;
}

/* FUTEX_WAKE_OP: the operation on *uaddr2, then up to nwake waiters on
 * uaddr and, if the old value compares true, up to nwake2 on uaddr2. */
static int64_t wake_op(uint64_t uaddr, uint64_t uaddr2, int nwake, int nwake2,
		       uint32_t encoded)
{
	uint32_t op = (encoded >> 28) & 0xf;
	uint32_t cmp = (encoded >> 24) & 0xf;
	int32_t oparg = (int32_t)(encoded << 8) >> 20; /* bits 12..23, signed */
	uint32_t old;

	if (op & FUTEX_OP_OPARG_SHIFT) {
		if (oparg < 0 || oparg > 31)
			oparg &= 31; /* Linux warns and masks */
		oparg = (int32_t)(1u << oparg);
		op &= ~(uint32_t)FUTEX_OP_OPARG_SHIFT;
	}
	if (op > FUTEX_OP_XOR || cmp > 5)
		return -ENOSYS;
	if (get_u32(uaddr2, &old))
		return -EFAULT;
	uint32_t v = old;
	switch (op) {
	case FUTEX_OP_SET: v = (uint32_t)oparg; break;
	case FUTEX_OP_ADD: v = old + (uint32_t)oparg; break;
	case FUTEX_OP_OR: v = old | (uint32_t)oparg; break;
	case FUTEX_OP_ANDN: v = old & ~(uint32_t)oparg; break;
	case FUTEX_OP_XOR: v = old ^ (uint32_t)oparg; break;
	}
	if (put_u32(uaddr2, v))
		return -EFAULT;
	uint32_t cmparg = (uint32_t)((int32_t)(encoded << 20) >> 20); /* signed */
	bool hit = false;
	switch (cmp) {
	case 0: hit = old == cmparg; break;
	case 1: hit = old != cmparg; break;
	case 2: hit = (int32_t)old < (int32_t)cmparg; break;
	case 3: hit = (int32_t)old <= (int32_t)cmparg; break;
	case 4: hit = (int32_t)old > (int32_t)cmparg; break;
	case 5: hit = (int32_t)old >= (int32_t)cmparg; break;
	}
	int n = wake(uaddr, nwake, ~0u);
	if (hit)
		n += wake(uaddr2, nwake2, ~0u);
	return n;
}

static bool thread_alive(uint32_t tid)
{
	for (struct proc *p = procs; p; p = p->next)
		for (struct thread *t = p->threads; t; t = t->next)
			if ((uint32_t)t->tid == tid && t->state != T_ZOMBIE)
			return true;
	return false;
}

static int64_t lock_pi(uint64_t uaddr, bool try)
{
	uint32_t v, tid = (uint32_t)curthread->tid;

	for (;;) {
		if (get_u32(uaddr, &v))
			return -EFAULT;
		uint32_t owner = v & FUTEX_TID_MASK;
		if (owner == tid)
			return -EDEADLK;
		if (owner == 0) {
			/* Free (perhaps with OWNER_DIED): take it, as the
			 * kernel does when user space could not. */
			if (put_u32(uaddr, tid | (v & (FUTEX_OWNER_DIED | FUTEX_WAITERS))))
				return -EFAULT;
			return 0;
		}
		if (!thread_alive(owner)) {
			if (try)
				return -EAGAIN;
			return -ESRCH;
		}
		if (try)
			return -EAGAIN;
		/* Held by a live thread: mark the word so that its unlock
		 * comes to the kernel, and wait for that. */
		if (put_u32(uaddr, v | FUTEX_WAITERS))
			return -EFAULT;
		int64_t r = wait_queued(uaddr, ~0u, CLOCK_MONOTONIC, 0, NULL);
		if (r < 0)
			return r;
	}
}

static int64_t unlock_pi(uint64_t uaddr)
{
	uint32_t v;
	if (get_u32(uaddr, &v))
		return -EFAULT;
	if ((v & FUTEX_TID_MASK) != (uint32_t)curthread->tid)
		return -EPERM;
	if (put_u32(uaddr, 0))
		return -EFAULT;
	/* The woken waiter retakes the lock in lock_pi; others re-mark
	 * FUTEX_WAITERS as they come back. */
	bool more = wake(uaddr, 1, ~0u) > 0;
	for (struct thread *t = fq_head; t && more; t = t->futex_next)
		if (t->futex_key == uaddr) {
			put_u32(uaddr, FUTEX_WAITERS);
			break;
		}
	return 0;
}

int64_t do_futex(uint64_t uaddr, uint64_t futex_op, uint64_t val, uint64_t utimeout,
		 uint64_t uaddr2, uint64_t val3)
{
	uint32_t cmd = (uint32_t)futex_op & FUTEX_CMD_MASK;
	bool realtime = futex_op & FUTEX_CLOCK_REALTIME;
	struct k_timespec ts;
	uint32_t cur;
	int r;

	if (realtime && cmd != FUTEX_WAIT && cmd != FUTEX_WAIT_BITSET &&
	    cmd != FUTEX_WAIT_REQUEUE_PI && cmd != FUTEX_LOCK_PI2)
		return -ENOSYS;
	if (uaddr & 3)
		return -EINVAL;

	switch (cmd) {
	case FUTEX_WAIT:
	case FUTEX_WAIT_BITSET:
	case FUTEX_WAIT_REQUEUE_PI:
		if (cmd == FUTEX_WAIT_BITSET && (uint32_t)val3 == 0)
			return -EINVAL;
		if (utimeout && (r = get_timeout(utimeout, &ts)))
			return r;
		if (get_u32(uaddr, &cur))
			return -EFAULT;
		if (cur != (uint32_t)val)
			return -EAGAIN;
		/* FUTEX_WAIT's timeout is relative, on CLOCK_MONOTONIC unless
		 * CLOCK_REALTIME is asked for; the others' is absolute. */
		return wait_queued(uaddr, cmd == FUTEX_WAIT_BITSET ? (uint32_t)val3 : ~0u,
				   realtime ? CLOCK_REALTIME : CLOCK_MONOTONIC,
				   cmd == FUTEX_WAIT ? 0 : TIMER_ABSTIME,
				   utimeout ? &ts : NULL);
	case FUTEX_WAKE:
		return wake(uaddr, (int)val, ~0u);
	case FUTEX_WAKE_BITSET:
		if ((uint32_t)val3 == 0)
			return -EINVAL;
		return wake(uaddr, (int)val, (uint32_t)val3);
	case FUTEX_REQUEUE:
		if ((int32_t)val < 0 || (int32_t)utimeout < 0)
			return -EINVAL;
		return requeue(uaddr, uaddr2, (int)val, (int)utimeout);
	case FUTEX_CMP_REQUEUE:
	case FUTEX_CMP_REQUEUE_PI:
		/* The fourth argument is val2, the requeue count. */
		if ((int32_t)val < 0 || (int32_t)utimeout < 0)
			return -EINVAL;
		if (uaddr2 & 3)
			return -EINVAL;
		if (get_u32(uaddr, &cur))
			return -EFAULT;
		if (cur != (uint32_t)val3)
			return -EAGAIN;
		if (cmd == FUTEX_CMP_REQUEUE_PI)
			return 0; /* no PI requeue: glibc does not use it */
		return requeue(uaddr, uaddr2, (int)val, (int)utimeout);
	case FUTEX_WAKE_OP:
		if (uaddr2 & 3)
			return -EINVAL;
		return wake_op(uaddr, uaddr2, (int)val, (int)utimeout, (uint32_t)val3);
	case FUTEX_LOCK_PI:
	case FUTEX_LOCK_PI2:
		return lock_pi(uaddr, false);
	case FUTEX_TRYLOCK_PI:
		return lock_pi(uaddr, true);
	case FUTEX_UNLOCK_PI:
		return unlock_pi(uaddr);
	default:
		return -ENOSYS; /* FUTEX_FD is long gone from Linux too */
	}
}

int64_t do_futex_waitv(uint64_t uwaiters, uint64_t nr, uint64_t flags, uint64_t utimeout,
		       uint64_t clockid)
{
	struct k_timespec ts;
	int r;

	if (flags || nr == 0 || nr > FUTEX_WAITV_MAX)
		return -EINVAL;
	if (utimeout) {
		if (clockid != CLOCK_MONOTONIC && clockid != CLOCK_REALTIME)
			return -EINVAL;
		if ((r = get_timeout(utimeout, &ts)))
			return r;
	}
	for (uint64_t i = 0; i < nr; i++) {
		struct k_futex_waitv w;
		uint32_t cur;
		if (copy_from_user(&w, uwaiters + i * sizeof(w), sizeof(w)))
			return -EFAULT;
		if (w.reserved || (w.flags & ~(uint32_t)(FUTEX2_SIZE_U32 | FUTEX2_PRIVATE)) ||
		    (w.flags & 3) != FUTEX2_SIZE_U32 || (w.uaddr & 3))
			return -EINVAL;
		if (get_u32(w.uaddr, &cur))
			return -EFAULT;
		if (cur != (uint32_t)w.val)
			return -EAGAIN;
	}
	if (threads_live > 1)
		return -ENOSYS; /* no waits on several queues with threads yet */
	return wait_queued(uwaiters, ~0u, (uint32_t)clockid, TIMER_ABSTIME,
			   utimeout ? &ts : NULL);
}
