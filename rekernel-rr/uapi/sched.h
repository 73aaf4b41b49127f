/*
 * Linux's scheduling policies (<linux/sched.h>).
 */
#ifndef REKERNEL_UAPI_SCHED_H
#define REKERNEL_UAPI_SCHED_H

#define SCHED_OTHER 0
#define SCHED_FIFO 1
#define SCHED_RR 2
#define SCHED_BATCH 3
#define SCHED_IDLE 5
#define SCHED_DEADLINE 6

#endif
