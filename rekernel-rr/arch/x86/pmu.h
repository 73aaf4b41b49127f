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

struct rrv_hc_pmu;

/* Programs the counter the VMM offered (its PMU hypercall's answer) and
 * starts it; a counter it cannot use leaves counting off.  Called once,
 * at boot, before any thread runs in ring 3. */
void pmu_init(const struct rrv_hc_pmu *answer);

/* Whether branches are being counted. */
bool pmu_active(void);

/* The running thread is leaving the CPU: the branches since it last
 * came on are added to its count (the counter is one, the counts are
 * per thread; the caller owns them). */
void pmu_switch_out(uint64_t *count);

/* The running thread's count up to now, given its count when it came on. */
uint64_t pmu_branches(uint64_t count);

#endif
