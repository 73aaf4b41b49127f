/*
 * Waiting for readiness (contracts in file.h, struct pollset).
 *
 * poll, select, epoll_wait and the blocking socket calls all work the
 * same way: scan the files; when none is ready, wait; scan again.  What
 * the wait waits on depends on the kinds scanned.  Guest objects (pipes,
 * eventfds, socketpairs) change only when a guest thread acts, and a
 * timerfd at a deadline: sched_sleep_deadline on file_poll_chan covers
 * both.  Host handles (sockets, and pipes or terminals that a blocking
 * read waits on) change on the host: they go to the POLL hypercall.
 *
 * The guest waits on the host only when no thread can run, and never
 * past another thread's deadline; while others can run, a waiter looks
 * with a zero timeout each time its turn comes.  Every POLL is traced
 * like any other hypercall, so a replay waits for nothing, sees the same
 * answers and so makes the same scheduling decisions.
 */
#include "fs/file.h"

#include "hv/hypercall.h"
#include "lib/string.h"
#include "proc/ktime.h"
#include "proc/sched.h"
#include "proc/signal.h"
#include "uapi/errno.h"

/* With more host handles than one POLL takes, the wait is cut into
 * slices this long, and each rescan looks at all of them. */
#define OVERFLOW_SLICE_NS 10000000ll

void pollset_init(struct pollset *ps)
{
	ps->n = 0;
	ps->overflow = false;
	ps->wake_ns = -1;
}

void pollset_add_handle(struct pollset *ps, int32_t handle, int events)
{
	for (uint32_t i = 0; i < ps->n; i++) {
		if (ps->fds[i].handle == handle) {
			ps->fds[i].events |= (int16_t)events;
			return;
		}
	}
	if (ps->n == RRV_HC_POLL_MAX) {
		ps->overflow = true;
		return;
	}
	ps->fds[ps->n].handle = handle;
	ps->fds[ps->n].events = (int16_t)events;
	ps->fds[ps->n].revents = 0;
	ps->n++;
}

void pollset_add_deadline(struct pollset *ps, int64_t ns)
{
	if (ns < 0)
		ns = 0;
	if (ps->wake_ns < 0 || ns < ps->wake_ns)
		ps->wake_ns = ns;
}

void pollset_add_file(struct pollset *ps, struct file *f, int events)
{
	if (f && f->ops->wait_on)
		f->ops->wait_on(f, events, ps);
}

/* *timeout_ns less the time since start (both unused without a timeout). */
static void timeout_spend(int64_t *timeout_ns, uint64_t start)
{
	if (*timeout_ns <= 0)
		return;
	uint64_t spent = ktime_ns(CLOCK_MONOTONIC) - start;
	*timeout_ns = spent >= (uint64_t)*timeout_ns ? 0 : *timeout_ns - (int64_t)spent;
}

/* One POLL hypercall for the set, its answers copied back. */
static int64_t host_poll(struct pollset *ps, int64_t timeout_ns)
{
	static struct rrv_hc_poll a; /* large; one vCPU, and no wait nests */

	memset(&a, 0, sizeof(a));
	a.nfds = ps->n;
	a.timeout_ns = timeout_ns;
	memcpy(a.fds, ps->fds, ps->n * sizeof(ps->fds[0]));
	int64_t r = hc_call(RRV_HC_POLL, &a);
	for (uint32_t i = 0; i < ps->n; i++)
		ps->fds[i].revents = a.fds[i].revents;
	return r;
}

/*
 * Only guest objects and guest deadlines: a guest wait, so that the
 * other threads run meanwhile (with none, the scheduler sleeps the host
 * until the deadline).
 */
static int guest_wait(struct pollset *ps, int64_t *timeout_ns)
{
	int64_t t = *timeout_ns;
	bool early = false;

	if (ps->wake_ns >= 0 && (t < 0 || ps->wake_ns < t)) {
		t = ps->wake_ns;
		early = true;
	}
	if (t < 0)
		return sched_sleep(&file_poll_chan) < 0 ? -ERESTARTNOHAND : 0;
	uint64_t start = ktime_ns(CLOCK_MONOTONIC);
	int r = sched_sleep_deadline(&file_poll_chan, start + (uint64_t)t);
	if (r == -ERESTARTSYS)
		return -ERESTARTNOHAND;
	if (r == -ETIMEDOUT && !early) {
		*timeout_ns = 0;
		return 1;
	}
	timeout_spend(timeout_ns, start);
	return 0;
}

/*
 * Host handles while other threads can run: look without waiting, and
 * if nothing is ready let the others have their turn before looking
 * again.  The guest never blocks on the host while a thread could run.
 */
static int host_wait_busy(struct pollset *ps, int64_t *timeout_ns)
{
	uint64_t start = *timeout_ns > 0 ? ktime_ns(CLOCK_MONOTONIC) : 0;

	if (host_poll(ps, 0) != 0)
		return 0;
	sched_yield();
	if (signal_pending())
		return -ERESTARTNOHAND;
	timeout_spend(timeout_ns, start);
	return *timeout_ns == 0 ? 1 : 0;
}

int pollset_wait(struct pollset *ps, int64_t *timeout_ns)
{
	if (signal_pending())
		return -ERESTARTNOHAND;
	if (ps->n == 0 && !ps->overflow)
		return guest_wait(ps, timeout_ns);
	if (sched_others_runnable())
		return host_wait_busy(ps, timeout_ns);

	/*
	 * No thread can run: wait on the host.  The wait ends at the
	 * caller's timeout, or earlier at a guest deadline (a timerfd's:
	 * the rescan finds it ready) or another thread's timed wait (the
	 * yield below lets the scheduler end it).
	 */
	int64_t t = *timeout_ns;
	bool early = false, other = false;
	if (ps->wake_ns >= 0 && (t < 0 || ps->wake_ns < t)) {
		t = ps->wake_ns;
		early = true;
	}
	if (ps->overflow && (t < 0 || t > OVERFLOW_SLICE_NS)) {
		t = OVERFLOW_SLICE_NS;
		early = true;
	}
	uint64_t d = sched_next_deadline();
	uint64_t start = *timeout_ns > 0 || d ? ktime_ns(CLOCK_MONOTONIC) : 0;
	if (d) {
		int64_t until = d > start ? (int64_t)(d - start) : 0;
		if (t < 0 || until < t) {
			t = until;
			early = other = true;
		}
	}

	int64_t r = host_poll(ps, t);

	timeout_spend(timeout_ns, start);
	if (other && r == 0) {
		/* Let the thread whose wait ran out go on. */
		sched_yield();
		if (signal_pending())
			return -ERESTARTNOHAND;
	}
	if (r == -ERESTARTSYS) /* a signal to rrv (docs/signals.md) */
		return -ERESTARTNOHAND;
	if (r < 0) /* a handle went away: let the rescan report it, once */
		return 1;
	if (r == 0 && !early)
		return 1;
	return 0;
}

int pollset_wait_handle(int32_t handle, int events)
{
	int64_t forever = -1;
	struct pollset ps;

	for (;;) {
		pollset_init(&ps);
		pollset_add_handle(&ps, handle, events);
		int w = pollset_wait(&ps, &forever);
		if (w < 0)
			return -ERESTARTSYS;
		if (ps.fds[0].revents)
			return 0;
	}
}
