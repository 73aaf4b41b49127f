/*
 * futex and futex_waitv, for a process with one thread (contracts in
 * futex.h).
 *
 * With no other thread, nobody waits on a futex and nobody can wake one:
 *   - the wake operations find no waiters and return 0, after doing what
 *     they do to memory (FUTEX_WAKE_OP's operation) and checking what they
 *     check (FUTEX_CMP_REQUEUE's value);
 *   - a wait whose value no longer matches returns EAGAIN at once, as in
 *     Linux; one that matches can only end by its timeout (a host sleep,
 *     then ETIMEDOUT) or by a signal that is already pending.  A wait
 *     without a timeout is a deadlock, which sched_sleep reports.
 *   - the PI locks take a free lock, and refuse one held by anybody else
 *     (no such thread) or by the caller.
 * Threads (a later issue) will replace this with real wait queues; the
 * argument checks and error values here are Linux's and stay.
 */
#include "futex.h"

#include "errno.h"
#include "ktime.h"
#include "proc.h"
#include "sched.h"
#include "signal.h"
#include "uaccess.h"

#define FUTEX_WAIT 0
#define FUTEX_WAKE 1
#define FUTEX_FD 2
#define FUTEX_REQUEUE 3
#define FUTEX_CMP_REQUEUE 4
#define FUTEX_WAKE_OP 5
#define FUTEX_LOCK_PI 6
#define FUTEX_UNLOCK_PI 7
#define FUTEX_TRYLOCK_PI 8
#define FUTEX_WAIT_BITSET 9
#define FUTEX_WAKE_BITSET 10
#define FUTEX_WAIT_REQUEUE_PI 11
#define FUTEX_CMP_REQUEUE_PI 12
#define FUTEX_LOCK_PI2 13
#define FUTEX_PRIVATE_FLAG 128
#define FUTEX_CLOCK_REALTIME 256
#define FUTEX_CMD_MASK (~(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME))

#define FUTEX_TID_MASK 0x3fffffffu
#define FUTEX_OWNER_DIED 0x40000000u
#define FUTEX_WAITERS 0x80000000u

/* FUTEX_WAKE_OP's encoded operation. */
#define FUTEX_OP_SET 0
#define FUTEX_OP_ADD 1
#define FUTEX_OP_OR 2
#define FUTEX_OP_ANDN 3
#define FUTEX_OP_XOR 4
#define FUTEX_OP_OPARG_SHIFT 8

/* futex_waitv. */
#define FUTEX_WAITV_MAX 128
#define FUTEX2_SIZE_U32 0x02
#define FUTEX2_PRIVATE FUTEX_PRIVATE_FLAG

struct k_timespec {
	int64_t tv_sec, tv_nsec;
};

struct k_futex_waitv {
	uint64_t val, uaddr;
	uint32_t flags, reserved;
};

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

/*
 * The part of every wait after the value matched: nothing will wake the
 * thread, so it ends by a pending signal, by the timeout (ts, relative or
 * absolute on clock, or NULL for none), or as a deadlock.
 */
static int64_t wait_alone(uint64_t uaddr, uint32_t clock, uint32_t flags,
			  const struct k_timespec *ts)
{
	if (!ts)
		return sched_sleep((void *)(uintptr_t)uaddr); /* never 0 */
	/* A timed wait is restarted with what is left, not from scratch. */
	if (signal_pending())
		return -ERESTART_RESTARTBLOCK;
	int r = ktime_sleep(clock, flags, ts->tv_sec, ts->tv_nsec);
	return r ? r : -ETIMEDOUT;
}

/* FUTEX_WAKE_OP's operation on *uaddr2; the comparison's result would
 * choose whom to wake, and there is nobody. */
static int64_t wake_op(uint64_t uaddr2, uint32_t encoded)
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
	return 0;
}

static int64_t lock_pi(uint64_t uaddr, bool try)
{
	uint32_t v, tid = (uint32_t)curthread->tid;
	if (get_u32(uaddr, &v))
		return -EFAULT;
	uint32_t owner = v & FUTEX_TID_MASK;
	if (owner == tid)
		return -EDEADLK;
	if (owner == 0) {
		/* Free (perhaps with OWNER_DIED): take it, as the kernel
		 * does when user space could not. */
		if (put_u32(uaddr, tid | (v & FUTEX_OWNER_DIED)))
			return -EFAULT;
		return 0;
	}
	/* Held by a thread that does not exist. */
	return try ? -EAGAIN : -ESRCH;
}

static int64_t unlock_pi(uint64_t uaddr)
{
	uint32_t v;
	if (get_u32(uaddr, &v))
		return -EFAULT;
	if ((v & FUTEX_TID_MASK) != (uint32_t)curthread->tid)
		return -EPERM;
	return put_u32(uaddr, 0) ? -EFAULT : 0;
}

int64_t sys_futex(uint64_t uaddr, uint64_t futex_op, uint64_t val, uint64_t utimeout,
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
		return wait_alone(uaddr, realtime ? CLOCK_REALTIME : CLOCK_MONOTONIC,
				  cmd == FUTEX_WAIT ? 0 : TIMER_ABSTIME,
				  utimeout ? &ts : NULL);
	case FUTEX_WAKE:
		return 0;
	case FUTEX_WAKE_BITSET:
		return (uint32_t)val3 == 0 ? -EINVAL : 0;
	case FUTEX_REQUEUE:
		return (int32_t)val < 0 || (int32_t)utimeout < 0 ? -EINVAL : 0;
	case FUTEX_CMP_REQUEUE:
	case FUTEX_CMP_REQUEUE_PI:
		/* The fourth argument is val2, the requeue count. */
		if ((int32_t)val < 0 || (int32_t)utimeout < 0)
			return -EINVAL;
		if (uaddr2 & 3)
			return -EINVAL;
		if (get_u32(uaddr, &cur))
			return -EFAULT;
		return cur != (uint32_t)val3 ? -EAGAIN : 0;
	case FUTEX_WAKE_OP:
		if (uaddr2 & 3)
			return -EINVAL;
		return wake_op(uaddr2, (uint32_t)val3);
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

int64_t sys_futex_waitv(uint64_t uwaiters, uint64_t nr, uint64_t flags, uint64_t utimeout,
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
	return wait_alone(uwaiters, (uint32_t)clockid, TIMER_ABSTIME, utimeout ? &ts : NULL);
}
