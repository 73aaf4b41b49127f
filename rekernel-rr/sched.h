/*
 * The scheduler.  One thread for now; the interface is what pipes and,
 * later, futexes and threads need.
 */
#ifndef REKERNEL_SCHED_H
#define REKERNEL_SCHED_H

#include <stdbool.h>

/*
 * Blocks the current thread until sched_wakeup(chan) is called, or until a
 * signal is pending for it.  Returns 0 when woken, -ERESTARTSYS when a
 * signal interrupted the wait (the caller returns that from its system
 * call).  With no other thread able to run, a wait that nothing can end
 * is a deadlock: the program is reported and stopped, as a native run
 * would hang.
 */
int sched_sleep(void *chan);

/* Makes every thread sleeping on chan runnable. */
void sched_wakeup(void *chan);

#endif
