/*
 * Per-thread branch counts (contracts in pmu.h).
 *
 * One counter, programmed once: it counts ring 3 only, so the kernel's
 * own branches never enter it, and only one thread runs in ring 3
 * between two switches.  A thread's count is therefore the sum of the
 * counter's advances while it was the one switched in.  Each read is a
 * VM exit (KVM intercepts the counter's MSR), so it is read only at
 * thread switches and preemption points, and in replay at the passes
 * of the breakpoint on a recorded point's rip.
 */
#include "arch/x86/pmu.h"

#include <rrv/hypercall.h>

#include "arch/x86/x86.h"

static bool active;
static uint32_t ctr_msr;
static uint64_t mask;     /* the counter's width */
static uint64_t last;     /* its value when the running thread came on */

void pmu_init(const struct rrv_hc_pmu *answer)
{
	const struct rrv_hc_pmu p = *answer;
	if (p.width < 32 || p.width > 64 || !p.ctl_msr || !p.ctr_msr)
		return;
	wrmsr(p.ctl_msr, 0);
	wrmsr(p.ctr_msr, 0);
	if (p.global_msr)
		wrmsr(p.global_msr, rdmsr(p.global_msr) | 1);
	wrmsr(p.ctl_msr, p.evtsel);
	ctr_msr = p.ctr_msr;
	mask = p.width == 64 ? ~0ull : (1ull << p.width) - 1;
	last = rdmsr(ctr_msr) & mask;
	active = true;
}

bool pmu_active(void)
{
	return active;
}

void pmu_switch_out(uint64_t *count)
{
	if (!active)
		return;
	uint64_t now = rdmsr(ctr_msr) & mask;
	*count += (now - last) & mask;
	last = now;
}

uint64_t pmu_branches(uint64_t count)
{
	if (!active)
		return 0;
	return count + (((rdmsr(ctr_msr) & mask) - last) & mask);
}
