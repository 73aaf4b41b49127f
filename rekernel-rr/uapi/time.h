/*
 * Linux's clock ABI (<linux/time.h>): the clock ids and the flag of an
 * absolute timer or sleep.
 */
#ifndef REKERNEL_UAPI_TIME_H
#define REKERNEL_UAPI_TIME_H

/* Linux's clock ids. */
#define CLOCK_REALTIME 0
#define CLOCK_MONOTONIC 1
#define CLOCK_PROCESS_CPUTIME_ID 2
#define CLOCK_THREAD_CPUTIME_ID 3
#define CLOCK_MONOTONIC_RAW 4
#define CLOCK_REALTIME_COARSE 5
#define CLOCK_MONOTONIC_COARSE 6
#define CLOCK_BOOTTIME 7
#define CLOCK_TAI 11

/* clock_nanosleep, timerfd_settime, futex waits: the time is absolute. */
#define TIMER_ABSTIME 1

#endif
