/* The fixed CPUID profile the guest sees (docs/cpuid.md). */
#ifndef RRV_VMM_X86_CPUID_H
#define RRV_VMM_X86_CPUID_H

#include <stddef.h>
#include <stdint.h>

struct cpuid_entry {
	uint32_t function, index, flags; /* flags: KVM_CPUID_FLAG_* */
	uint32_t eax, ebx, ecx, edx;
};

#define CPUID_PROFILE_MAX 32

struct cpuid_profile {
	size_t n;
	struct cpuid_entry e[CPUID_PROFILE_MAX];
};

/*
 * Builds the profile for this host (only the vendor string and the physical
 * address width come from the host) and checks that the host CPU, through
 * KVM, supports every feature it advertises.  Returns 0, or -1 after
 * printing which feature is missing.
 */
int cpuid_profile_build(int kvm_fd, struct cpuid_profile *p);

/* How many general performance counters p offers the guest (Intel's
 * architectural leaf 0xa; 0 without it).  KVM enables an Intel guest's
 * counters from this leaf, so a replay that finds none in the recorded
 * profile cannot use a counter (vmm/x86/pmu.c). */
int cpuid_profile_counters(const struct cpuid_profile *p);

/* Adds leaf 0xa (eax, ebx as KVM would offer them, narrowed) to p and
 * raises its top basic leaf to it.  Returns 0, or -1 when p has it. */
int cpuid_profile_add_pmu(struct cpuid_profile *p, uint32_t eax, uint32_t ebx);

/* KVM's supported version of leaf `function` (index 0).  Returns 0, or
 * -1 when KVM does not list it. */
int cpuid_supported_leaf(int kvm_fd, uint32_t function, struct cpuid_entry *out);

/* Installs p on the vCPU.  Returns 0 or -errno. */
int cpuid_profile_apply(int vcpu_fd, const struct cpuid_profile *p);

#endif
