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
 * DR0 on its rip, and the #DB handler preempts where the digests match,
 * and the thread's branch count too where both the recording and this
 * run count branches (pmu.h).
 */
#ifndef REKERNEL_PREEMPT_H
#define REKERNEL_PREEMPT_H

#include <stdbool.h>
#include <stdint.h>

struct trapframe;
struct thread;

/* System calls and thread switches since boot: which stretch of ring-3
 * execution a point lies in (struct rrv_point_ident.entries). */
extern uint64_t preempt_entries;

/* Counts a system call of t (its stretch ends: a record-time anchor set
 * in it no longer applies), or a thread switch (t NULL). */
void preempt_count_entry(struct thread *t);

/* Early ticks a new thread gets while its kernel looks for where it
 * spins (preempt.c, TICKSOON). */
#define PREEMPT_PROBE_TICKS 256

/* The VMM's answer to THREADS: whether ticks come (recording, running),
 * so that points can be placed where replay finds them cheaply. */
void preempt_ticks_come(bool yes);

/* What a tick or a #DB from ring 3 asks of trap.c. */
enum preempt_verdict {
	PREEMPT_NOT_MINE, /* a #DB of the program's own (single step) */
	PREEMPT_RESUME,   /* go back to the program, nothing changed */
	PREEMPT_SWITCH,   /* call preempt_switch */
};

/* The tick, from ring 3 (recording, running): whether to preempt. */
enum preempt_verdict preempt_tick(struct trapframe *tf);

/* RRV_HOSTSIG_VECTOR from ring 3 (recording, running): a signal to rrv
 * waits; PREEMPT_SWITCH when this is a point replay can find again, and
 * preempt_switch then takes the signal there (HOSTSIG, mode POINT). */
enum preempt_verdict preempt_hostsig(struct trapframe *tf);

/* A #DB from ring 3 with dr6 as it was (trap.c takes it): whether it is
 * replay's breakpoint and, if so, whether this is the recorded point
 * (tf's RF is set to pass over it otherwise). */
enum preempt_verdict preempt_debug(struct trapframe *tf, uint64_t dr6);

/*
 * Records the point (the PREEMPT hypercall) and lets the other threads
 * run; returns when tf's thread runs again.  For a point of a signal to
 * rrv (preempt_hostsig, or replay's breakpoint on a recorded HOSTSIG),
 * makes the HOSTSIG call there instead and delivers its signal.  It must be called from one
 * call site only: the scheduler may make hypercalls with structs on the
 * kernel stack (CLOCK), whose addresses replay checks, so the stack must
 * be as deep in replay (coming from #DB) as in the recording (coming from
 * the tick).
 */
void preempt_switch(struct trapframe *tf);

/* A trap from ring 3 was served (a page fault, say) and tf is where the
 * thread resumes: if that is the instruction it trapped on, a tick that
 * lands there must not preempt (see preempt.c). */
void preempt_note_trap(const struct trapframe *tf);

/* Called by trapret (vectors.S) just before returning to ring 3 with tf:
 * arms or disarms the replay breakpoint for the thread about to run. */
void preempt_user_return(struct trapframe *tf);

/* Around every hypercall (hc_call): turns the replay breakpoint off
 * while the host runs, and back on (see preempt.c for why). */
void preempt_dr_park(void);
void preempt_dr_unpark(void);

/* Installs the hypercall hooks above (hv/hypercall.h); kmain calls it
 * right after BOOT. */
void preempt_hook_hypercalls(void);

#endif
