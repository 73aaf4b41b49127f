/*
 * Asynchronous preemption of threads that spin in ring 3 (docs/threads.md).
 *
 * Recording (and rrv run): the VMM injects RRV_PREEMPT_VECTOR on a host
 * timer.  A thread that has run in ring 3 for a whole tick without a
 * system call is switched out when another thread can run, and the point
 * (rip, register and stack digests) goes into the trace through the
 * PREEMPT hypercall.  A tick that switches nothing has no effect at all.
 *
 * Replay: no ticks.  The VMM publishes the next recorded point in
 * guest_state.next_preempt; every return to ring 3 of that thread arms
 * DR0 on its rip, and the #DB handler preempts where the digests match.
 */
#ifndef REKERNEL_PREEMPT_H
#define REKERNEL_PREEMPT_H

#include <stdbool.h>

struct trapframe;

/* Looks for a performance counter in the CPUID profile.  Called once. */
void preempt_init(void);

/* The tick, from ring 3: may switch threads.  Returns when tf's thread
 * runs again. */
void preempt_tick(struct trapframe *tf);

/* A #DB from ring 3: true when it was the replay breakpoint (handled:
 * resumed or preempted), false for the program's own (single step). */
bool preempt_debug(struct trapframe *tf);

/* Called by trapret (vectors.S) just before returning to ring 3 with tf:
 * arms or disarms the replay breakpoint for the thread about to run. */
void preempt_user_return(struct trapframe *tf);

#endif
