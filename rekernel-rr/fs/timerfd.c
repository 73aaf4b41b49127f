/*
 * timerfd: a timer in the guest on a host clock.  The expiry is kept as
 * an absolute time on the timer's clock, which is read through the CLOCK
 * hypercall whenever it matters (so a recording captures every reading);
 * expirations are counted on demand, never by an interrupt.  A wait for
 * an expiry is a deadline in a pollset (pollwait.c): one POLL hypercall
 * with that timeout, traced like the rest.  The calls: timerfd_create,
 * timerfd_settime and timerfd_gettime.
 */
#include "fs/file.h"
#include "lib/string.h"
#include "lib/syscall.h"
#include "mm/kalloc.h"
#include "mm/uaccess.h"
#include "proc/ktime.h"
#include "proc/proc.h"
#include "proc/sched.h"
#include "uapi/errno.h"
#include "uapi/time.h"
#include "uapi/timerfd.h"

struct tfd {
	uint32_t clock;
	int64_t expiry;   /* ns on clock; 0: disarmed */
	int64_t interval; /* ns; 0: one shot */
};

static int64_t now(struct tfd *t)
{
	return (int64_t)ktime_ns(t->clock);
}

/* Expirations since the last read at time n; consume moves the timer on. */
static uint64_t expirations(struct tfd *t, int64_t n, bool consume)
{
	if (!t->expiry || n < t->expiry)
		return 0;
	uint64_t k = 1;
	if (t->interval)
		k += (uint64_t)((n - t->expiry) / t->interval);
	if (consume)
		t->expiry = t->interval ? t->expiry + (int64_t)k * t->interval : 0;
	return k;
}

static int64_t tfd_read(struct file *f, struct uio *u, int64_t pos)
{
	struct tfd *t = f->priv;
	uint64_t base;

	(void)pos;
	int r = anon_u64_piece(u, &base);
	if (r < 0)
		return r;
	for (;;) {
		uint64_t k = expirations(t, now(t), true);
		if (k) {
			if (uio_copy_out(u, base, &k, 8))
				return -EFAULT;
			uio_advance(u, 8);
			return 8;
		}
		if (!t->expiry) { /* disarmed: only another thread could arm it */
			r = anon_wait_guest(f);
			if (r < 0)
				return r;
			continue;
		}
		if (f->flags & O_NONBLOCK)
			return -EAGAIN;
		struct pollset ps;
		int64_t forever = -1;
		pollset_init(&ps);
		pollset_add_deadline(&ps, t->expiry - now(t));
		if (pollset_wait(&ps, &forever) < 0)
			return -ERESTARTSYS;
	}
}

static int tfd_poll(struct file *f)
{
	struct tfd *t = f->priv;
	if (!t->expiry)
		return 0;
	return expirations(t, now(t), false) ? POLLIN | POLLRDNORM : 0;
}

static void tfd_wait_on(struct file *f, int events, struct pollset *ps)
{
	struct tfd *t = f->priv;
	if (t->expiry && (events & POLLIN))
		pollset_add_deadline(ps, t->expiry - now(t));
}

static const struct file_ops tfd_ops = {
	.kind = FILE_TIMERFD,
	.read = tfd_read,
	.write = anon_rw_inval,
	ANON_FILE_OPS,
	.poll = tfd_poll,
	.release = anon_release_priv,
	.wait_on = tfd_wait_on,
};

SYSCALL_DEFINE2(timerfd_create, "dx", uint32_t, clockid, uint32_t, flags)
{
	uint32_t clock = clockid;

	if (flags & ~(uint32_t)(O_CLOEXEC | O_NONBLOCK))
		return -EINVAL;
	if (clock == CLOCK_REALTIME_ALARM)
		clock = CLOCK_REALTIME;
	else if (clock == CLOCK_BOOTTIME_ALARM)
		clock = CLOCK_BOOTTIME;
	else if (clock != CLOCK_REALTIME && clock != CLOCK_MONOTONIC && clock != CLOCK_BOOTTIME)
		return -EINVAL;
	struct tfd *t = kmalloc(sizeof(*t));
	if (t)
		t->clock = clock;
	return anon_fd_new(&tfd_ops, t, O_RDWR | (flags & O_NONBLOCK), flags & O_CLOEXEC);
}

static struct tfd *tfd_of(int fd, int64_t *err)
{
	struct file *f = fd_file(fd);
	*err = !f ? -EBADF : f->ops->kind != FILE_TIMERFD ? -EINVAL : 0;
	return *err ? NULL : f->priv;
}

static int64_t ts_ns(const struct k_timespec *ts)
{
	return ts->tv_sec * NSEC_PER_SEC + ts->tv_nsec;
}

static struct k_timespec ns_ts(int64_t ns)
{
	struct k_timespec ts = { ns / NSEC_PER_SEC, ns % NSEC_PER_SEC };
	return ts;
}

static void current(struct tfd *t, struct k_itimerspec *cur)
{
	memset(cur, 0, sizeof(*cur));
	cur->it_interval = ns_ts(t->interval);
	if (t->expiry) {
		int64_t left = t->expiry - now(t);
		cur->it_value = ns_ts(left > 0 ? left : 1);
	}
}

/* All 64 bits of flags are checked. */
SYSCALL_DEFINE4(timerfd_settime, "fxpp", int, ufd, uint64_t, flags, uint64_t, utmr,
		uint64_t, otmr)
{
	struct k_itimerspec nv, old;
	int64_t err;

	struct tfd *t = tfd_of(ufd, &err);
	if (!t)
		return err;
	if (flags & ~(uint64_t)(TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET))
		return -EINVAL;
	if (copy_from_user(&nv, utmr, sizeof(nv)))
		return -EFAULT;
	if (nv.it_value.tv_sec < 0 || nv.it_value.tv_nsec < 0 || nv.it_value.tv_nsec >= NSEC_PER_SEC ||
	    nv.it_interval.tv_sec < 0 || nv.it_interval.tv_nsec < 0 || nv.it_interval.tv_nsec >= NSEC_PER_SEC)
		return -EINVAL;
	if (otmr) {
		current(t, &old);
		if (copy_to_user(otmr, &old, sizeof(old)))
			return -EFAULT;
	}
	t->interval = ts_ns(&nv.it_interval);
	int64_t v = ts_ns(&nv.it_value);
	if (v == 0)
		t->expiry = 0;
	else if (flags & TFD_TIMER_ABSTIME)
		t->expiry = v;
	else
		t->expiry = now(t) + v;
	sched_wakeup(&file_poll_chan);
	return 0;
}

SYSCALL_DEFINE2(timerfd_gettime, "fp", int, ufd, uint64_t, otmr)
{
	struct k_itimerspec cur;
	int64_t err;

	struct tfd *t = tfd_of(ufd, &err);
	if (!t)
		return err;
	/* An expired one-shot timer reads as disarmed. */
	if (t->expiry && !t->interval && now(t) >= t->expiry) {
		memset(&cur, 0, sizeof(cur));
	} else {
		if (t->expiry && t->interval) {
			/* Skip expirations that passed, without consuming them. */
			struct tfd tmp = *t;
			expirations(&tmp, now(t), true);
			if (tmp.expiry) {
				current(&tmp, &cur);
				return copy_to_user(otmr, &cur, sizeof(cur)) ? -EFAULT : 0;
			}
		}
		current(t, &cur);
	}
	return copy_to_user(otmr, &cur, sizeof(cur)) ? -EFAULT : 0;
}
