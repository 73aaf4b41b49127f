/* Saving and restoring the vCPU (cpustate.h). */
#include "cpustate.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

/* The MSRs the guest kernel writes or the CPU changes as it runs: system
 * call entry (STAR, LSTAR, CSTAR, SFMASK), swapgs's other base, TSC_AUX
 * (rdtscp, rdpid), the TSC itself, PAT, SYSENTER (compatibility entry).
 * FS and GS bases and EFER travel in the segment registers. */
static const uint32_t fixed_msrs[] = {
	0xc0000081, /* STAR */
	0xc0000082, /* LSTAR */
	0xc0000083, /* CSTAR */
	0xc0000084, /* SFMASK */
	0xc0000102, /* KERNEL_GS_BASE */
	0xc0000103, /* TSC_AUX */
	0x00000010, /* TSC */
	0x00000277, /* PAT */
	0x00000174, /* SYSENTER_CS */
	0x00000175, /* SYSENTER_ESP */
	0x00000176, /* SYSENTER_EIP */
	0x000001a0, /* MISC_ENABLE */
};

/* Whether KVM gives userspace this MSR's value. */
static int readable(int vcpu_fd, uint32_t index)
{
	struct {
		struct kvm_msrs hdr;
		struct kvm_msr_entry e;
	} one = { .hdr.nmsrs = 1, .e.index = index };
	return ioctl(vcpu_fd, KVM_GET_MSRS, &one) == 1;
}

int cpustate_probe(int kvm_fd, int vcpu_fd, const struct pmu_config *pmu,
		   struct cpustate_msrs *m)
{
	(void)kvm_fd;
	m->n = 0;
	uint32_t want[CPUSTATE_MSRS_MAX];
	size_t n = 0;
	for (size_t i = 0; i < sizeof(fixed_msrs) / sizeof(fixed_msrs[0]); i++)
		want[n++] = fixed_msrs[i];
	/* The branch counter counts per thread: its value at a snapshot is
	 * part of where the thread is (docs/threads.md). */
	if (pmu && pmu->usable) {
		uint32_t pm[] = { pmu->ctl_msr, pmu->ctr_msr, pmu->global_msr };
		for (size_t i = 0; i < 3; i++)
			if (pm[i])
				want[n++] = pm[i];
	}
	for (size_t i = 0; i < n; i++)
		if (readable(vcpu_fd, want[i]))
			m->index[m->n++] = want[i];
	return 0;
}

int cpustate_save(int kvm_fd, int vcpu_fd, const struct cpustate_msrs *m,
		  struct cpustate *s, const char **what)
{
	if (!s->xsave) {
		int sz = ioctl(kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_XSAVE2);
		s->xsave_size = sz > (int)sizeof(struct kvm_xsave) ? (size_t)sz
								  : sizeof(struct kvm_xsave);
		s->xsave = calloc(1, s->xsave_size);
		if (!s->xsave) {
			*what = "memory for the XSAVE area";
			return -ENOMEM;
		}
	}
	unsigned long get_xsave = s->xsave_size > sizeof(struct kvm_xsave)
				  ? KVM_GET_XSAVE2 : KVM_GET_XSAVE;
	s->msrs.hdr.nmsrs = m->n;
	for (uint32_t i = 0; i < m->n; i++)
		s->msrs.e[i] = (struct kvm_msr_entry){ .index = m->index[i] };
	/* One row per part: the request and what it fills. */
	const struct {
		unsigned long req;
		void *arg;
		const char *name;
	} parts[] = {
		{ KVM_GET_REGS, &s->regs, "KVM_GET_REGS" },
		{ KVM_GET_SREGS, &s->sregs, "KVM_GET_SREGS" },
		{ get_xsave, s->xsave, "KVM_GET_XSAVE" },
		{ KVM_GET_XCRS, &s->xcrs, "KVM_GET_XCRS" },
		{ KVM_GET_VCPU_EVENTS, &s->events, "KVM_GET_VCPU_EVENTS" },
		{ KVM_GET_DEBUGREGS, &s->debugregs, "KVM_GET_DEBUGREGS" },
	};
	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		if (ioctl(vcpu_fd, parts[i].req, parts[i].arg) < 0) {
			*what = parts[i].name;
			return -errno;
		}
	}
	int got = ioctl(vcpu_fd, KVM_GET_MSRS, &s->msrs);
	if (got != (int)m->n) {
		*what = "KVM_GET_MSRS";
		return got < 0 ? -errno : -EIO;
	}
	return 0;
}

int cpustate_restore(int vcpu_fd, const struct cpustate *s, const char **what)
{
	/* The order QEMU uses for migration: registers first, segment
	 * registers (which reset pending interrupt state) before the
	 * events that put it back. */
	const struct {
		unsigned long req;
		const void *arg;
		const char *name;
	} parts[] = {
		{ KVM_SET_REGS, &s->regs, "KVM_SET_REGS" },
		{ KVM_SET_XSAVE, s->xsave, "KVM_SET_XSAVE" },
		{ KVM_SET_XCRS, &s->xcrs, "KVM_SET_XCRS" },
		{ KVM_SET_SREGS, &s->sregs, "KVM_SET_SREGS" },
		{ KVM_SET_MSRS, &s->msrs, "KVM_SET_MSRS" },
		{ KVM_SET_VCPU_EVENTS, &s->events, "KVM_SET_VCPU_EVENTS" },
		{ KVM_SET_DEBUGREGS, &s->debugregs, "KVM_SET_DEBUGREGS" },
	};
	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		int r = ioctl(vcpu_fd, parts[i].req, parts[i].arg);
		if (r < 0 || (parts[i].req == KVM_SET_MSRS &&
			      r != (int)s->msrs.hdr.nmsrs)) {
			*what = parts[i].name;
			return r < 0 ? -errno : -EIO;
		}
	}
	return 0;
}

void cpustate_free(struct cpustate *s)
{
	free(s->xsave);
	s->xsave = NULL;
}
