/*
 * Waiting for readiness (contracts in file.h, struct pollset).
 *
 * poll, select, epoll_wait and the blocking socket calls all work the
 * same way: scan the files; when none is ready, wait; scan again.  What
 * the wait waits on depends on the kinds scanned.  Guest objects (pipes,
 * eventfds, socketpairs) change only when a guest thread acts, which
 * sched_sleep on file_poll_chan covers.  Host sockets change on the
 * host: their handles go to one POLL hypercall.  A timerfd becomes ready
 * at a deadline, which bounds that hypercall's timeout.  The POLL
 * hypercall is traced like every other, so a replay waits for nothing
 * and sees the same answers.
 */
#include "file.h"

#include "errno.h"
#include "hypercall.h"
#include "ktime.h"
#include "sched.h"
#include "signal.h"
#include "string.h"

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

int pollset_wait(struct pollset *ps, int64_t *timeout_ns)
{
	if (signal_pending())
		return -ERESTARTNOHAND;

	/* Only guest objects: what poll did before there were sockets. */
	if (ps->n == 0 && ps->wake_ns < 0 && !ps->overflow) {
		if (*timeout_ns < 0)
			return sched_sleep(&file_poll_chan) < 0 ? -ERESTARTNOHAND : 0;
		if (*timeout_ns > 0 && threads_live > 1) {
			/* Another thread or process may be the one to make
			 * a file ready: wait in the scheduler, which lets
			 * it run, rather than on the host. */
			uint64_t start = ktime_ns(CLOCK_MONOTONIC);
			int r = sched_sleep_deadline(&file_poll_chan,
						     start + (uint64_t)*timeout_ns);
			if (r == -ETIMEDOUT) {
				*timeout_ns = 0;
				return 1;
			}
			if (r < 0)
				return -ERESTARTNOHAND;
			uint64_t spent = ktime_ns(CLOCK_MONOTONIC) - start;
			*timeout_ns = spent >= (uint64_t)*timeout_ns
					      ? 0 : *timeout_ns - (int64_t)spent;
			return 0;
		}
		struct rrv_hc_sleep a;
		memset(&a, 0, sizeof(a));
		a.clock = CLOCK_MONOTONIC;
		a.sec = *timeout_ns / NSEC_PER_SEC;
		a.nsec = *timeout_ns % NSEC_PER_SEC;
		hc_call(RRV_HC_SLEEP, &a);
		*timeout_ns = 0;
		return 1;
	}

	/* The host wait ends at the caller's timeout, or earlier at a guest
	 * deadline (then the rescan finds the timerfd ready). */
	int64_t t = *timeout_ns;
	bool early = false;
	if (ps->wake_ns >= 0 && (t < 0 || ps->wake_ns < t)) {
		t = ps->wake_ns;
		early = true;
	}
	if (ps->overflow && (t < 0 || t > OVERFLOW_SLICE_NS)) {
		t = OVERFLOW_SLICE_NS;
		early = true;
	}
	uint64_t start = *timeout_ns > 0 ? ktime_ns(CLOCK_MONOTONIC) : 0;

	static struct rrv_hc_poll a; /* large; one vCPU, and no wait nests */
	memset(&a, 0, sizeof(a));
	a.nfds = ps->n;
	a.timeout_ns = t;
	memcpy(a.fds, ps->fds, ps->n * sizeof(ps->fds[0]));
	int64_t r = hc_call(RRV_HC_POLL, &a);

	if (*timeout_ns > 0) {
		uint64_t spent = ktime_ns(CLOCK_MONOTONIC) - start;
		*timeout_ns = spent >= (uint64_t)*timeout_ns ? 0 : *timeout_ns - (int64_t)spent;
	}
	if (r < 0) /* a handle went away: let the rescan report it, once */
		return 1;
	if (r == 0 && !early)
		return 1;
	return 0;
}
