/*
 * The preemption tick: a host timer that asks for an interrupt in the
 * guest, so that a thread spinning in user space can be switched out
 * (docs/threads.md).  Host time decides when ticks come, which is fine:
 * only the preemptions the guest performs are recorded, as hypercalls.
 */
#ifndef RRV_VMM_TIMER_H
#define RRV_VMM_TIMER_H

#include <stdbool.h>
#include <stdint.h>

struct vmm;

/* Host nanoseconds between ticks: preempting (run, record), and only
 * watching (replay's watchdog). */
#define TIMER_TICK_NS 5000000ll
#define TIMER_WATCH_NS 100000000ll

/*
 * Sets up the tick, every period_ns, for vm's vCPU, which runs on the
 * calling thread, and starts it when armed: each tick makes KVM_RUN come
 * back to the loop (EINTR), which then injects RRV_PREEMPT_VECTOR.
 * Returns 0, or -1 after printing why.
 */
int timer_start(struct vmm *vm, long period_ns, bool armed);

/* Starts or stops the ticks (the THREADS hypercall: only a guest with
 * several threads needs them).  Returns 0, or -1 after printing why. */
int timer_arm(struct vmm *vm, bool on);

/* While ticking: the next tick after ns instead, then every period as
 * before (TICKSOON).  Returns 0, or -1 after printing why. */
int timer_soon(struct vmm *vm, long ns);

/* Stops ticking (safe when timer_start was not called or failed). */
void timer_stop(struct vmm *vm);

/*
 * Called before each KVM_RUN: when a tick is due, injects the vector if
 * the guest can take an interrupt now, else asks KVM to exit as soon as
 * it can (the guest kernel runs with interrupts off; ring 3 with them
 * on).  Returns 1 when it injected, 0 when not, or -errno from
 * KVM_INTERRUPT.
 */
int timer_inject(struct vmm *vm);

/* After KVM_RUN failed with EINTR: takes the pending tick signals, if
 * any (returns whether there were). */
bool timer_take_signal(void);

#endif
