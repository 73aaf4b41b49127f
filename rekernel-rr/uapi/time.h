/*
 * Linux's clock ABI (<linux/time.h>, <linux/time_types.h>): the clock
 * ids, the flag of an absolute timer or sleep, and struct timespec,
 * timeval, timezone and itimerspec as x86-64 lays them out.
 */
#ifndef REKERNEL_UAPI_TIME_H
#define REKERNEL_UAPI_TIME_H

#include <stdint.h>

/* Linux's clock ids. */
#define CLOCK_REALTIME 0
#define CLOCK_MONOTONIC 1
#define CLOCK_PROCESS_CPUTIME_ID 2
#define CLOCK_THREAD_CPUTIME_ID 3
#define CLOCK_MONOTONIC_RAW 4
#define CLOCK_REALTIME_COARSE 5
#define CLOCK_MONOTONIC_COARSE 6
#define CLOCK_BOOTTIME 7
#define CLOCK_REALTIME_ALARM 8
#define CLOCK_BOOTTIME_ALARM 9
#define CLOCK_TAI 11

/* clock_nanosleep, timerfd_settime, futex waits: the time is absolute. */
#define TIMER_ABSTIME 1

struct k_timespec {
	int64_t tv_sec, tv_nsec;
};

struct k_timeval {
	int64_t tv_sec, tv_usec;
};

struct k_timezone {
	int32_t tz_minuteswest, tz_dsttime;
};

/* timerfd_settime's and timerfd_gettime's. */
struct k_itimerspec {
	struct k_timespec it_interval, it_value;
};

#endif
