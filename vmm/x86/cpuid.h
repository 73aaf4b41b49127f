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

/* Whether p offers the guest a performance counter: architectural
 * perfmon (leaf 0xa, version and general counters nonzero) or AMD's core
 * counter extension (0x80000001 ecx bit 23).  The guest kernel asks the
 * same questions of CPUID (rekernel-rr/preempt.c). */
int cpuid_profile_has_pmu(const struct cpuid_profile *p);

/* Installs p on the vCPU.  Returns 0 or -errno. */
int cpuid_profile_apply(int vcpu_fd, const struct cpuid_profile *p);

#endif
