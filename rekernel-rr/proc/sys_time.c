/*
 * Time system calls, and the kernel's clock helpers (ktime.h).  Every
 * reading comes from the host through the CLOCK hypercall, and every sleep
 * is the host's, through SLEEP: time is an input a recording must capture,
 * so the guest has no clock of its own (and no vDSO, so that libc really
 * makes these calls).
 */
#include "proc/ktime.h"

#include <rrv/hypercall.h>

#include "hv/hypercall.h"
#include "lib/string.h"
#include "lib/syscall.h"
#include "mm/uaccess.h"
#include "proc/proc.h"
#include "proc/sched.h"
#include "uapi/errno.h"
#include "uapi/time.h"
#include "uapi/unistd.h"

/* The resolution Linux reports for the coarse clocks: one tick at
 * HZ=250, Debian's. */
#define COARSE_RES_NSEC 4000000

int ktime_get(uint32_t clock, int64_t *sec, int64_t *nsec)
{
	struct rrv_hc_clock c;
	memset(&c, 0, sizeof(c));
	c.clock = clock;
	int64_t r = hc_call(RRV_HC_CLOCK, &c);
	*sec = *nsec = 0;
	if (r < 0)
		return r < -4095 ? -EINVAL : (int)r;
	*sec = c.sec;
	*nsec = c.nsec;
	return 0;
}

uint64_t ktime_ns(uint32_t clock)
{
	int64_t sec, nsec;
	if (ktime_get(clock, &sec, &nsec) < 0)
		return 0;
	return (uint64_t)sec * NSEC_PER_SEC + (uint64_t)nsec;
}

uint64_t ktime_tsc(void)
{
	return ktime_ns(CLOCK_MONOTONIC);
}

/*
 * The host clock behind a clock id the program names, or -EINVAL.
 * Besides the fixed ids, a negative id names a CPU-time clock of a process
 * or thread (clock_getcpuclockid, pthread_getcpuclockid): pid in the bits
 * above 3 (inverted), bit 2 for a thread, bits 0-1 which kind (profiling,
 * virtual, scheduler: one clock here).  Only the program's own exist.
 */
static int64_t program_clock(uint64_t arg)
{
	int32_t id = (int32_t)arg;

	if (id >= 0) {
		switch (id) {
		case CLOCK_REALTIME:
		case CLOCK_MONOTONIC:
		case CLOCK_PROCESS_CPUTIME_ID:
		case CLOCK_THREAD_CPUTIME_ID:
		case CLOCK_MONOTONIC_RAW:
		case CLOCK_REALTIME_COARSE:
		case CLOCK_MONOTONIC_COARSE:
		case CLOCK_BOOTTIME:
		case CLOCK_TAI:
			return id;
		default:
			return -EINVAL;
		}
	}
	if ((id & 3) == 3)
		return -EINVAL; /* a clock behind a file descriptor */
	int32_t pid = ~(id >> 3);
	if (pid != 0 && pid != curproc->pid)
		return -EINVAL;
	return (id & 4) ? CLOCK_THREAD_CPUTIME_ID : CLOCK_PROCESS_CPUTIME_ID;
}

SYSCALL_DEFINE2(clock_gettime, "dp", uint64_t, id, uint64_t, utp)
{
	int64_t clk = program_clock(id);
	if (clk < 0)
		return clk;
	struct k_timespec ts;
	int r = ktime_get((uint32_t)clk, &ts.tv_sec, &ts.tv_nsec);
	if (r < 0)
		return r;
	return copy_to_user(utp, &ts, sizeof(ts));
}

SYSCALL_DEFINE2(clock_getres, "dp", uint64_t, id, uint64_t, ures)
{
	int64_t clk = program_clock(id);
	if (clk < 0)
		return clk;
	struct k_timespec ts = { 0, 1 };
	if (clk == CLOCK_REALTIME_COARSE || clk == CLOCK_MONOTONIC_COARSE)
		ts.tv_nsec = COARSE_RES_NSEC;
	return ures ? copy_to_user(ures, &ts, sizeof(ts)) : 0;
}

SYSCALL_DEFINE2(gettimeofday, "pp", uint64_t, utv, uint64_t, utz)
{
	if (utv) {
		int64_t sec, nsec;
		int r = ktime_get(CLOCK_REALTIME, &sec, &nsec);
		if (r < 0)
			return r;
		struct k_timeval tv = { sec, nsec / 1000 };
		if (copy_to_user(utv, &tv, sizeof(tv)))
			return -EFAULT;
	}
	if (utz) {
		/* The kernel's timezone is UTC unless someone set it. */
		struct k_timezone tz = { 0, 0 };
		if (copy_to_user(utz, &tz, sizeof(tz)))
			return -EFAULT;
	}
	return 0;
}

SYSCALL_DEFINE1(time, "p", uint64_t, utloc)
{
	int64_t sec, nsec;
	int r = ktime_get(CLOCK_REALTIME, &sec, &nsec);
	if (r < 0)
		return r;
	if (utloc && copy_to_user(utloc, &sec, sizeof(sec)))
		return -EFAULT;
	return sec;
}

int ktime_sleep(uint32_t clock, uint32_t flags, int64_t sec, int64_t nsec)
{
	struct rrv_hc_sleep s;
	memset(&s, 0, sizeof(s));
	s.clock = clock;
	s.flags = flags & TIMER_ABSTIME;
	s.sec = sec;
	s.nsec = nsec;
	int64_t r = hc_call(RRV_HC_SLEEP, &s);
	return r < 0 ? (r < -4095 ? -EINVAL : (int)r) : 0;
}

/* Nothing can interrupt the host's sleep (no signal arrives from outside
 * while the guest waits), so a sleep always runs to its end and the
 * remaining time is never needed. */
static int sleep_on(uint32_t clock, uint32_t flags, uint64_t ureq)
{
	struct k_timespec ts;
	if (copy_from_user(&ts, ureq, sizeof(ts)))
		return -EFAULT;
	if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= NSEC_PER_SEC)
		return -EINVAL;
	/* With other threads, they run meanwhile, and one of them may
	 * interrupt the sleep with a signal. */
	int r = sched_timed_sleep(&curthread->deadline, clock, flags, ts.tv_sec, ts.tv_nsec);
	if (r == -ETIMEDOUT)
		return 0;
	if (r == -ERESTARTSYS)
		return (flags & TIMER_ABSTIME) ? -ERESTARTNOHAND : -ERESTART_RESTARTBLOCK;
	return r;
}

SYSCALL_DEFINE2(nanosleep, "pp", uint64_t, ureq, uint64_t, urem)
{
	(void)urem;
	return sleep_on(CLOCK_MONOTONIC, 0, ureq);
}

SYSCALL_DEFINE4(clock_nanosleep, "dxpp", uint64_t, id, uint64_t, flags, uint64_t, ureq, uint64_t, urem)
{
	int64_t clk = program_clock(id);
	(void)urem;
	if (clk < 0)
		return clk;
	switch (clk) {
	case CLOCK_REALTIME:
	case CLOCK_MONOTONIC:
	case CLOCK_BOOTTIME:
	case CLOCK_TAI:
		return sleep_on((uint32_t)clk, (uint32_t)flags, ureq);
	case CLOCK_THREAD_CPUTIME_ID:
		return -EINVAL;
	case CLOCK_PROCESS_CPUTIME_ID:
		/* The only thread sleeping on its own CPU clock would wait
		 * forever; the host's version would wait on rrv's CPU time. */
		return -EINVAL;
	default:
		return -EOPNOTSUPP; /* the raw and coarse clocks cannot sleep */
	}
}

/* Setting the clock takes CAP_SYS_TIME, which the program never has. */
SYSCALL_DEFINE2(clock_settime, "dp", uint64_t, id, uint64_t, utp)
{
	(void)utp;
	return program_clock(id) < 0 ? -EINVAL : -EPERM;
}

SYSCALL_DEFINE2(settimeofday, "pp", uint64_t, utv, uint64_t, utz)
{
	(void)utv;
	(void)utz;
	return -EPERM;
}
