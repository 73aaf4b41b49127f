/*
 * Each thread's count of retired conditional branches in ring 3, kept
 * with the performance counter the VMM names (RRV_HC_PMU; design in
 * docs/threads.md, "Branch counting").  Without a counter every count
 * stays 0 and pmu_active() is false.
 */
#ifndef REKERNEL_PMU_H
#define REKERNEL_PMU_H

#include <stdbool.h>
#include <stdint.h>

struct thread;

/* Asks the VMM for a counter and starts it.  Called once, at boot,
 * before any thread runs in ring 3. */
void pmu_init(void);

/* Whether branches are being counted. */
bool pmu_active(void);

/* The running thread is leaving the CPU: the branches since it last
 * came on are its own. */
void pmu_switch_out(struct thread *prev);

/* The running thread's count up to now. */
uint64_t pmu_branches(const struct thread *cur);

#endif
