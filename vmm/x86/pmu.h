/*
 * The host's performance counter, as the guest kernel may use it to count
 * the retired conditional branches of each thread (docs/threads.md,
 * "Branch counting").
 */
#ifndef RRV_VMM_X86_PMU_H
#define RRV_VMM_X86_PMU_H

#include <stdbool.h>
#include <stdint.h>

struct pmu_config {
	bool usable;          /* the guest may program the counter below */
	bool needs_leaf_a;    /* Intel: KVM enables counters only for a
				 guest whose CPUID has leaf 0xa */
	uint32_t leaf_a_eax, leaf_a_ebx; /* Intel: the leaf to offer */
	uint32_t ctl_msr, ctr_msr, global_msr, width;
	uint64_t evtsel;
	char what[160];       /* the CPU and event, or why there is none */
};

/* An event select's parts (Intel SDM 19.2, AMD APM 13.2). */
#define PMU_EVTSEL_USR (1ull << 16) /* count in ring 3 */
#define PMU_EVTSEL_EN (1ull << 22)

/*
 * The event select that counts retired conditional branches, ring 3
 * only, on a CPU of this vendor ("GenuineIntel", "AuthenticAMD") and
 * CPUID leaf 1 signature (eax); 0 when rrv does not know the model.
 * *name says which kind of core it is, for rrv info.
 */
uint64_t pmu_branch_event(const char vendor[12], uint32_t signature,
			  const char **name);

/*
 * Fills *p for this host: whether KVM offers its guests a counter, which
 * MSRs drive it, and which event to count.  off (--no-pmu) leaves it
 * unusable.  Never fails: a host without a counter is a normal case,
 * said in p->what.
 */
void pmu_detect(int kvm_fd, bool off, struct pmu_config *p);

/* Marks p unusable, saying why (p->what). */
void pmu_refuse(struct pmu_config *p, const char *why);

#endif
