/*
 * Time, randomness and the host's name: the nondeterministic inputs a
 * program gets besides files.  Each is answered from the host here and,
 * once recording exists, comes from the trace in replay.
 */

#include <errno.h>
#include <string.h>
#include <sys/random.h>
#include <sys/utsname.h>
#include <time.h>

#include "hc_families.h"
#include "hostsig.h"
#include "hypercall.h"
#include "vmm.h"

static const clockid_t clocks[] = {
	CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_PROCESS_CPUTIME_ID,
	CLOCK_THREAD_CPUTIME_ID, CLOCK_MONOTONIC_RAW, CLOCK_REALTIME_COARSE,
	CLOCK_MONOTONIC_COARSE, CLOCK_BOOTTIME, CLOCK_TAI,
};

static bool known_clock(uint32_t id)
{
	for (size_t i = 0; i < sizeof(clocks) / sizeof(clocks[0]); i++)
		if ((uint32_t)clocks[i] == id)
			return true;
	return false;
}

static int64_t hc_clock(struct hc_call *c)
{
	struct rrv_hc_clock *a = c->args;
	if (!known_clock(a->clock))
		return -EINVAL;
	struct timespec ts;
	if (clock_gettime((clockid_t)a->clock, &ts) < 0)
		return -errno;
	a->sec = ts.tv_sec;
	a->nsec = ts.tv_nsec;
	return 0;
}

static int64_t hc_sleep(struct hc_call *c)
{
	const struct rrv_hc_sleep *a = c->args;
	if (!known_clock(a->clock) || a->nsec < 0 || a->nsec >= 1000000000 ||
	    a->sec < 0 || (a->flags & ~(uint32_t)TIMER_ABSTIME))
		return -EINVAL;
	struct timespec ts = { .tv_sec = a->sec, .tv_nsec = a->nsec }, rem;
	int err;
	/* Only a signal to rrv cuts the guest's sleep short (hostsig.h). */
	while ((err = clock_nanosleep((clockid_t)a->clock, (int)a->flags, &ts, &rem)) == EINTR) {
		if (hostsig_interrupting())
			return -RRV_HC_ERESTART;
		if (!(a->flags & TIMER_ABSTIME))
			ts = rem;
	}
	return -err;
}

#define RANDOM_MAX 65536u

static int64_t hc_random(struct hc_call *c)
{
	const struct rrv_hc_random *a = c->args;
	if (a->len > RANDOM_MAX)
		return -EINVAL;
	unsigned char *out = hc_out(c, a->buf, a->len);
	if (!out && a->len)
		return -EFAULT;
	uint64_t done = 0;
	while (done < a->len) {
		ssize_t n = getrandom(out + done, a->len - done, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		done += (uint64_t)n;
	}
	return (int64_t)done;
}

static int64_t hc_uname(struct hc_call *c)
{
	const struct rrv_hc_uname *a = c->args;
	_Static_assert(sizeof(struct utsname) == RRV_HC_UTSNAME_SIZE, "utsname");
	void *out = hc_out(c, a->buf, RRV_HC_UTSNAME_SIZE);
	if (!out)
		return -EFAULT;
	struct utsname u;
	if (uname(&u) < 0)
		return -errno;
	memcpy(out, &u, sizeof(u));
	return 0;
}

static const struct hc_entry timefam[] = {
	{ RRV_HC_CLOCK, HC_DESC("clock", struct rrv_hc_clock, 0, hc_clock) },
	{ RRV_HC_SLEEP, HC_DESC("sleep", struct rrv_hc_sleep, HC_F_MAY_BLOCK, hc_sleep) },
	{ RRV_HC_RANDOM, HC_DESC("random", struct rrv_hc_random, HC_F_OUT_RET, hc_random) },
	{ RRV_HC_UNAME, HC_DESC("uname", struct rrv_hc_uname, 0, hc_uname) },
};

int hc_time_register(struct hc_table *t)
{
	return HC_REGISTER_TABLE(t, timefam);
}
