/*
 * Time for the kernel: the host's clocks, read through the CLOCK
 * hypercall (so that a recording can capture them).  Implemented in
 * sys_time.c beside the time system calls.
 */
#ifndef REKERNEL_KTIME_H
#define REKERNEL_KTIME_H

#include <stdint.h>

#include "uapi/time.h"

#define NSEC_PER_SEC 1000000000ll

/* Reads clock (a clock id, uapi/time.h) into *sec and *nsec; 0 or -EINVAL. */
int ktime_get(uint32_t clock, int64_t *sec, int64_t *nsec);

/* The clock in nanoseconds (0 if it cannot be read). */
uint64_t ktime_ns(uint32_t clock);

/* Sleeps on the host until clock reaches sec:nsec (flags TIMER_ABSTIME)
 * or for that long (flags 0); nothing in the guest can cut it short.
 * 0, or -EINVAL for a clock the host cannot sleep on. */
int ktime_sleep(uint32_t clock, uint32_t flags, int64_t sec, int64_t nsec);

/* What rdtsc returns to the program: CLOCK_MONOTONIC in nanoseconds, a
 * TSC of exactly 1 GHz (trap.c emulates the instruction). */
uint64_t ktime_tsc(void);

#endif
