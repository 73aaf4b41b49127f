/*
 * The scheduler: threads of the one process on the one vCPU.
 *
 * Threads change only at scheduling points, which every run of the
 * program reaches identically: a blocking wait, sched_yield, a thread's
 * exit, and the end of a timeslice counted in system calls.  The choice
 * of the next thread depends only on the guest's own state (and, with
 * --chaos, on a seed from the recorded command line), so a replay makes
 * the same choices without any trace event of its own.  The one switch
 * that depends on time, the asynchronous preemption of a thread spinning
 * in ring 3, is preempt.c's, recorded through the PREEMPT hypercall.  See
 * docs/threads.md.
 */
#ifndef REKERNEL_SCHED_H
#define REKERNEL_SCHED_H

#include <stdbool.h>
#include <stdint.h>

struct thread;

/* Reads chaos=SEED from the command line.  Called once at start-up. */
void sched_init(void);

/*
 * Blocks the current thread until sched_wakeup(chan) is called, or until a
 * signal is pending for it.  Returns 0 when woken, -ERESTARTSYS when a
 * signal interrupted the wait (the caller returns that from its system
 * call).  When no thread can run and no timed wait can end, the program
 * is deadlocked: it is reported and stopped, as a native run would hang.
 */
int sched_sleep(void *chan);

/*
 * sched_sleep with a deadline (CLOCK_MONOTONIC nanoseconds, 0: none):
 * also returns -ETIMEDOUT once the deadline has passed.  A deadline is
 * noticed at scheduling points, or by sleeping on the host when no
 * thread can run.
 */
int sched_sleep_deadline(void *chan, uint64_t deadline);

/*
 * The CLOCK_MONOTONIC deadline of a wait for sec:nsec on clock, relative
 * (flags 0) or absolute (flags TIMER_ABSTIME).  Reads the host's clock
 * (a recorded hypercall) unless the timeout is absolute on the monotonic
 * clock already.  Never 0.
 */
uint64_t sched_deadline(uint32_t clock, uint32_t flags, int64_t sec, int64_t nsec);

/*
 * A timed wait on chan for the system calls that sleep (nanosleep, timed
 * futex and signal waits): sched_sleep_deadline, except that a process
 * with one thread sleeps on the host directly, as it always did, since
 * nothing but a signal already pending could end its wait.  Returns 0
 * when woken, -ETIMEDOUT, -ERESTARTSYS, or -EINVAL for a clock the host
 * cannot sleep on.
 */
int sched_timed_sleep(void *chan, uint32_t clock, uint32_t flags, int64_t sec, int64_t nsec);

/* Makes every thread sleeping on chan runnable. */
void sched_wakeup(void *chan);

/* Makes t runnable if it is blocked (futex wakes, signals). */
void sched_wake_thread(struct thread *t, bool by_signal);

/* Lets the other runnable threads run first (sched_yield). */
void sched_yield(void);

/* A system call by the current thread is ending: counts the timeslice
 * down and switches threads when it is used up (or, with --chaos, at
 * random). */
void sched_syscall_point(void);

/* Whether a thread other than the current one can run now. */
bool sched_others_runnable(void);

/* The earliest deadline (CLOCK_MONOTONIC ns) of a blocked thread's timed
 * wait, or 0: how long a wait on the host may last. */
uint64_t sched_next_deadline(void);
/* True when going through the scheduler could let another thread run:
 * one is runnable, or a timed wait may have ended (whose deadline only a
 * scheduling point checks).  For preempt.c's asynchronous preemption. */
bool sched_could_switch(void);

/* Puts a new thread on the run queue. */
void sched_add(struct thread *t);

/* The current thread has exited: never runs again; its memory is freed
 * by whichever thread runs next. */
__attribute__((noreturn)) void sched_exit(void);

/* Frees threads that have exited (not the current one), and processes
 * that were reaped once their threads are gone. */
void sched_reap(void);

/* Takes t off the run queue, if it is there (a thread killed by another's
 * exit_group or execve). */
void sched_unqueue(struct thread *t);

/* The seed of --chaos, and whether it is on. */
bool sched_chaos(uint64_t *seed);

#endif
