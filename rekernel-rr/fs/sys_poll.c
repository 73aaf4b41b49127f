/*
 * poll, ppoll, select and pselect6 (epoll is in epoll.c).
 *
 * Readiness comes from file_poll: a pipe knows, a host file always says
 * ready (the VMM cannot tell without reading), a host socket asks the
 * host.  A scan that finds nothing gathers what to wait on in a pollset
 * (pollwait.c): host sockets' handles and timerfds' deadlines make the
 * wait one POLL hypercall; with guest objects only, a wait with a
 * timeout sleeps that long on the host, and one without sleeps on
 * file_poll_chan (which the scheduler reports as a deadlock when nothing
 * can ever wake it, as a native run would hang).
 */
#include "fs/file.h"
#include "lib/string.h"
#include "lib/syscall.h"
#include "mm/uaccess.h"
#include "proc/ktime.h"
#include "proc/proc.h"
#include "proc/sched.h"
#include "proc/signal.h"
#include "uapi/errno.h"
#include "uapi/poll.h"
#include "uapi/time.h"

/* A user timespec as a timeout in ns: -1 for NULL (none), -EINVAL. */
static int64_t get_timeout(uint64_t uts, struct k_timespec *ts)
{
	if (!uts)
		return -1;
	if (copy_from_user(ts, uts, sizeof(*ts)))
		return -EFAULT;
	if (ts->tv_sec < 0 || ts->tv_nsec < 0 || ts->tv_nsec >= NSEC_PER_SEC)
		return -EINVAL;
	if (ts->tv_sec >= INT64_MAX / NSEC_PER_SEC)
		return INT64_MAX;
	return ts->tv_sec * NSEC_PER_SEC + ts->tv_nsec;
}

/*
 * ppoll's and pselect6's temporary signal mask: set for the wait; after
 * an interrupted wait the old one comes back only once the handler has
 * run (signal_return_to_user does that), otherwise at once.
 */
static bool mask_set(uint64_t umask, uint64_t size, sigset_k *old, int64_t *err)
{
	sigset_k set;

	*err = 0;
	if (!umask)
		return false;
	if (size != sizeof(sigset_k)) {
		*err = -EINVAL;
		return false;
	}
	if (copy_from_user(&set, umask, sizeof(set))) {
		*err = -EFAULT;
		return false;
	}
	*old = curthread->sigmask;
	signal_set_mask(set & ~SIG_UNBLOCKABLE);
	return true;
}

static void mask_done(bool set, sigset_k old, int64_t result)
{
	if (!set)
		return;
	if (result == -ERESTARTNOHAND) {
		curthread->saved_sigmask = old;
		curthread->restore_sigmask = true;
	} else {
		signal_set_mask(old);
	}
}

/* The end of ppoll and pselect6, once the wait returned r: the mask
 * (mask_done), then what is left of the timeout at tsp written back as
 * Linux does, all of it or none after the wait ran out.  r, or -EFAULT. */
static int64_t wait_done(bool set, sigset_k old, uint64_t tsp, int64_t ns, int64_t r)
{
	mask_done(set, old, r);
	if (r == 0 && ns > 0) {
		struct k_timespec zero = { 0, 0 };
		if (copy_to_user(tsp, &zero, sizeof(zero)))
			return -EFAULT;
	}
	return r;
}

/* ---- poll ---- */

#define POLL_CHUNK 64

/* One pass over the user's pollfds, storing each revents: how many are
 * ready, or -EFAULT. */
static int64_t poll_scan(uint64_t ufds, uint64_t nfds, struct pollset *ps)
{
	struct k_pollfd pf[POLL_CHUNK];
	int64_t ready = 0;

	for (uint64_t i = 0; i < nfds; i += POLL_CHUNK) {
		uint64_t n = nfds - i < POLL_CHUNK ? nfds - i : POLL_CHUNK;
		uint64_t at = ufds + i * sizeof(pf[0]);
		if (copy_from_user(pf, at, n * sizeof(pf[0])))
			return -EFAULT;
		for (uint64_t j = 0; j < n; j++) {
			struct file *f = pf[j].fd < 0 ? NULL : fd_file(pf[j].fd);
			int mask = 0;
			if (pf[j].fd >= 0)
				mask = f ? file_poll(f) & ((uint16_t)pf[j].events |
							   POLLERR | POLLHUP)
					 : POLLNVAL;
			pf[j].revents = (int16_t)mask;
			ready += mask != 0;
			if (f && !mask)
				pollset_add_file(ps, f, (uint16_t)pf[j].events);
		}
		if (copy_to_user(at, pf, n * sizeof(pf[0])))
			return -EFAULT;
	}
	return ready;
}

static int64_t do_poll(uint64_t ufds, uint64_t nfds, int64_t timeout_ns)
{
	if (nfds > (uint64_t)fd_limit())
		return -EINVAL;
	for (;;) {
		struct pollset ps;
		pollset_init(&ps);
		int64_t n = poll_scan(ufds, nfds, &ps);
		if (n != 0 || timeout_ns == 0)
			return n;
		int w = pollset_wait(&ps, &timeout_ns);
		if (w != 0)
			return w < 0 ? w : poll_scan(ufds, nfds, &ps);
	}
}

SYSCALL_DEFINE3(poll, "pud", uint64_t, ufds, uint64_t, nfds, int, timeout_msecs)
{
	return do_poll(ufds, nfds, timeout_msecs < 0 ? -1 : (int64_t)timeout_msecs * 1000000);
}

SYSCALL_DEFINE5(ppoll, "puppu", uint64_t, ufds, uint64_t, nfds, uint64_t, tsp,
		uint64_t, sigmask, uint64_t, sigsetsize)
{
	struct k_timespec ts;
	sigset_k old = 0;
	int64_t err;

	int64_t ns = get_timeout(tsp, &ts);
	if (ns < -1)
		return ns;
	bool set = mask_set(sigmask, sigsetsize, &old, &err);
	if (err)
		return err;
	return wait_done(set, old, tsp, ns, do_poll(ufds, nfds, ns));
}

/* ---- select ---- */

#define FDSET_WORDS (NOFILE / 64)
#define POLLIN_SET (POLLRDNORM | POLLRDBAND | POLLIN | POLLHUP | POLLERR)
#define POLLOUT_SET (POLLWRBAND | POLLWRNORM | POLLOUT | POLLERR)
#define POLLEX_SET POLLPRI

static const int select_sets[3] = { POLLIN_SET, POLLOUT_SET, POLLEX_SET };

/*
 * select's work on the three user fd_sets (NULL allowed) of nfds bits:
 * the ready count with the sets rewritten, or -errno.
 */
static int64_t do_select(int64_t nfds, const uint64_t uset[3], int64_t timeout_ns)
{
	uint64_t in[3][FDSET_WORDS], out[3][FDSET_WORDS];

	if (nfds < 0)
		return -EINVAL;
	/* Linux looks only as far as its table goes: a descriptor beyond it
	 * is never open, and is ignored rather than EBADF. */
	if (nfds > fd_table_size())
		nfds = fd_table_size();
	size_t bytes = (size_t)(nfds + 63) / 64 * 8;
	memset(in, 0, sizeof(in));
	for (int s = 0; s < 3; s++)
		if (uset[s] && copy_from_user(in[s], uset[s], bytes))
			return -EFAULT;
	for (int fd = 0; fd < nfds; fd++)
		if (((in[0][fd / 64] | in[1][fd / 64] | in[2][fd / 64]) >> (fd % 64)) & 1 &&
		    !fd_file(fd))
			return -EBADF;

	int64_t ready;
	for (;;) {
		struct pollset ps;
		pollset_init(&ps);
		ready = 0;
		memset(out, 0, sizeof(out));
		for (int fd = 0; fd < nfds; fd++) {
			uint64_t bit = 1ull << (fd % 64);
			if (!((in[0][fd / 64] | in[1][fd / 64] | in[2][fd / 64]) & bit))
				continue;
			int mask = file_poll(fd_file(fd));
			int want = 0;
			for (int s = 0; s < 3; s++) {
				if (!(in[s][fd / 64] & bit))
					continue;
				want |= select_sets[s];
				if (mask & select_sets[s]) {
					out[s][fd / 64] |= bit;
					ready++;
				}
			}
			pollset_add_file(&ps, fd_file(fd), want);
		}
		if (ready || timeout_ns == 0)
			break;
		int w = pollset_wait(&ps, &timeout_ns);
		if (w < 0)
			return w;
		if (w > 0)
			timeout_ns = 0; /* one last look, then done */
	}
	for (int s = 0; s < 3; s++)
		if (uset[s] && copy_to_user(uset[s], out[s], bytes))
			return -EFAULT;
	return ready;
}

SYSCALL_DEFINE5(select, "dpppp", int, n, uint64_t, inp, uint64_t, outp, uint64_t, exp,
		uint64_t, tvp)
{
	const uint64_t sets[3] = { inp, outp, exp };
	struct k_timeval tv;
	int64_t ns = -1;

	if (tvp) {
		if (copy_from_user(&tv, tvp, sizeof(tv)))
			return -EFAULT;
		if (tv.tv_sec < 0 || tv.tv_usec < 0 || tv.tv_usec >= 1000000)
			return -EINVAL;
		ns = tv.tv_sec >= INT64_MAX / NSEC_PER_SEC ? INT64_MAX
							: tv.tv_sec * NSEC_PER_SEC + tv.tv_usec * 1000;
	}
	int64_t r = do_select(n, sets, ns);
	if (r == 0 && ns > 0) {
		struct k_timeval zero = { 0, 0 };
		if (copy_to_user(tvp, &zero, sizeof(zero)))
			return -EFAULT;
	}
	return r;
}

/* sig points at { const sigset_t *ss; size_t ss_len; }. */
SYSCALL_DEFINE6(pselect6, "dppppp", int, n, uint64_t, inp, uint64_t, outp, uint64_t, exp,
		uint64_t, tsp, uint64_t, sig)
{
	const uint64_t sets[3] = { inp, outp, exp };
	struct k_timespec ts;
	struct {
		uint64_t ss, ss_len;
	} sm = { 0, 0 };
	sigset_k old = 0;
	int64_t err;

	int64_t ns = get_timeout(tsp, &ts);
	if (ns < -1)
		return ns;
	if (sig && copy_from_user(&sm, sig, sizeof(sm)))
		return -EFAULT;
	bool set = mask_set(sm.ss, sm.ss_len, &old, &err);
	if (err)
		return err;
	return wait_done(set, old, tsp, ns, do_select(n, sets, ns));
}
