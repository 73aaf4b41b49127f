/*
 * The whole state of the one vCPU as KVM keeps it, saved and put back
 * for snapshots (vmm/snapshot.c): general and segment registers, the FPU
 * and vector registers (XSAVE), XCR0, the MSRs rrv's guest kernel uses,
 * pending events and the debug registers.  The VM has no in-kernel
 * interrupt controller (ticks are injected with KVM_INTERRUPT), so there
 * is no LAPIC state to keep; no nested guest, so no nested state.
 */
#ifndef RRV_VMM_X86_CPUSTATE_H
#define RRV_VMM_X86_CPUSTATE_H

#include <linux/kvm.h>
#include <stddef.h>
#include <stdint.h>

#include "pmu.h"

#define CPUSTATE_MSRS_MAX 24

/* Which MSRs a snapshot keeps: the fixed list below that this KVM lets
 * userspace read, plus the counter's when the guest may use it.  Found
 * once per VM. */
struct cpustate_msrs {
	uint32_t n;
	uint32_t index[CPUSTATE_MSRS_MAX];
};

struct cpustate {
	struct kvm_regs regs;
	struct kvm_sregs sregs;
	struct kvm_xcrs xcrs;
	struct kvm_vcpu_events events;
	struct kvm_debugregs debugregs;
	struct {
		struct kvm_msrs hdr;
		struct kvm_msr_entry e[CPUSTATE_MSRS_MAX];
	} msrs;
	size_t xsave_size;  /* bytes of xsave (KVM_CAP_XSAVE2, at least 4 KiB) */
	struct kvm_xsave *xsave;
};

/* Fills *m for this vCPU; returns 0 or -errno. */
int cpustate_probe(int kvm_fd, int vcpu_fd, const struct pmu_config *pmu,
		   struct cpustate_msrs *m);

/* Saves into s (allocating its XSAVE area the first time); restore puts
 * it back.  0 or -errno; *what names the part that failed. */
int cpustate_save(int kvm_fd, int vcpu_fd, const struct cpustate_msrs *m,
		  struct cpustate *s, const char **what);
int cpustate_restore(int vcpu_fd, const struct cpustate *s, const char **what);
void cpustate_free(struct cpustate *s);

#endif
