/*
 * Which performance counter the guest kernel may use, and with which
 * event, to count retired conditional branches (docs/threads.md, "Branch
 * counting").  The count is exact on the CPUs below, where rr relies on
 * the same events; on other models rrv uses no counter rather than guess.
 *
 * KVM backs the guest's counter MSRs with a host perf event that counts
 * only while the guest runs, so the guest kernel can program them itself
 * and read them at every thread switch without a VM exit of its own.
 */
#include "pmu.h"

#include <cpuid.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include "cpuid.h"

/* Intel: the architectural counter 0 and its global enable (v2+). */
#define MSR_IA32_PERFEVTSEL0 0x186u
#define MSR_IA32_PMC0 0xc1u
#define MSR_IA32_PERF_GLOBAL_CTRL 0x38fu
/* AMD: legacy counter 0, which KVM offers whenever its PMU is on. */
#define MSR_K7_EVNTSEL0 0xc0010000u
#define MSR_K7_PERFCTR0 0xc0010004u

/* BR_INST_RETIRED (event 0xc4) unit masks that select the conditional
 * branches, taken or not, on each kind of Intel core. */
#define INTEL_BR_RETIRED 0xc4u
#define UMASK_CORE 0x01u   /* CONDITIONAL: Sandy Bridge to Comet Lake */
#define UMASK_COND 0x11u   /* COND: Ice Lake and later big cores */
#define UMASK_ATOM 0x7eu   /* JCC: Silvermont to Tremont */
/* AMD family 17h and later: Retired Conditional Branch Instructions. */
#define AMD_RET_COND 0xd1u

struct intel_model {
	uint8_t model; /* family 6 */
	uint8_t umask;
	const char *name;
};

/* Hybrid parts (Alder Lake and later clients) are left out on purpose:
 * their two kinds of core count with different unit masks, and KVM turns
 * its PMU off on them anyway. */
static const struct intel_model intel_models[] = {
	{ 0x2a, UMASK_CORE, "Sandy Bridge" }, { 0x2d, UMASK_CORE, "Sandy Bridge-E" },
	{ 0x3a, UMASK_CORE, "Ivy Bridge" }, { 0x3e, UMASK_CORE, "Ivy Bridge-E" },
	{ 0x3c, UMASK_CORE, "Haswell" }, { 0x3f, UMASK_CORE, "Haswell-E" },
	{ 0x45, UMASK_CORE, "Haswell" }, { 0x46, UMASK_CORE, "Haswell" },
	{ 0x3d, UMASK_CORE, "Broadwell" }, { 0x47, UMASK_CORE, "Broadwell" },
	{ 0x4f, UMASK_CORE, "Broadwell-E" }, { 0x56, UMASK_CORE, "Broadwell-DE" },
	{ 0x4e, UMASK_CORE, "Skylake" }, { 0x5e, UMASK_CORE, "Skylake" },
	{ 0x55, UMASK_CORE, "Skylake-SP/Cascade Lake" },
	{ 0x8e, UMASK_CORE, "Kaby Lake" }, { 0x9e, UMASK_CORE, "Coffee Lake" },
	{ 0xa5, UMASK_CORE, "Comet Lake" }, { 0xa6, UMASK_CORE, "Comet Lake" },
	{ 0x7d, UMASK_COND, "Ice Lake" }, { 0x7e, UMASK_COND, "Ice Lake" },
	{ 0x6a, UMASK_COND, "Ice Lake-SP" }, { 0x6c, UMASK_COND, "Ice Lake-D" },
	{ 0x8c, UMASK_COND, "Tiger Lake" }, { 0x8d, UMASK_COND, "Tiger Lake" },
	{ 0xa7, UMASK_COND, "Rocket Lake" },
	{ 0x8f, UMASK_COND, "Sapphire Rapids" }, { 0xcf, UMASK_COND, "Emerald Rapids" },
	{ 0xad, UMASK_COND, "Granite Rapids" }, { 0xae, UMASK_COND, "Granite Rapids-D" },
	{ 0x37, UMASK_ATOM, "Silvermont" }, { 0x4a, UMASK_ATOM, "Silvermont" },
	{ 0x4d, UMASK_ATOM, "Silvermont" }, { 0x5a, UMASK_ATOM, "Silvermont" },
	{ 0x5d, UMASK_ATOM, "Silvermont" }, { 0x4c, UMASK_ATOM, "Airmont" },
	{ 0x5c, UMASK_ATOM, "Goldmont" }, { 0x5f, UMASK_ATOM, "Goldmont" },
	{ 0x7a, UMASK_ATOM, "Goldmont Plus" }, { 0x86, UMASK_ATOM, "Tremont" },
	{ 0x96, UMASK_ATOM, "Tremont" }, { 0x9c, UMASK_ATOM, "Tremont" },
};

/* Family and model as CPUID leaf 1 encodes them (SDM vol. 2, CPUID). */
static uint32_t sig_family(uint32_t sig)
{
	uint32_t f = (sig >> 8) & 0xf;
	return f == 0xf ? f + ((sig >> 20) & 0xff) : f;
}

static uint32_t sig_model(uint32_t sig)
{
	uint32_t f = (sig >> 8) & 0xf, m = (sig >> 4) & 0xf;
	return f == 0x6 || f == 0xf ? m | (((sig >> 16) & 0xf) << 4) : m;
}

uint64_t pmu_branch_event(const char vendor[12], uint32_t signature,
			  const char **name)
{
	uint32_t family = sig_family(signature), model = sig_model(signature);
	*name = NULL;
	if (!memcmp(vendor, "GenuineIntel", 12) && family == 6) {
		for (size_t i = 0; i < sizeof(intel_models) / sizeof(intel_models[0]); i++)
			if (intel_models[i].model == model) {
				*name = intel_models[i].name;
				return INTEL_BR_RETIRED | (uint64_t)intel_models[i].umask << 8 |
				       PMU_EVTSEL_USR | PMU_EVTSEL_EN;
			}
		return 0;
	}
	if (!memcmp(vendor, "AuthenticAMD", 12) && family >= 0x17 && family <= 0x1a) {
		*name = family == 0x17 ? "Zen/Zen 2" : family == 0x19 ? "Zen 3/Zen 4" : "Zen 5";
		return AMD_RET_COND | PMU_EVTSEL_USR | PMU_EVTSEL_EN;
	}
	return 0;
}

void pmu_refuse(struct pmu_config *p, const char *why)
{
	p->usable = false;
	snprintf(p->what, sizeof(p->what), "%s", why);
}

/* Intel: KVM's version of leaf 0xa says how many counters it offers. */
static bool intel_counters(int kvm_fd, struct pmu_config *p)
{
	struct cpuid_entry a;
	if (cpuid_supported_leaf(kvm_fd, 0xa, &a)) {
		pmu_refuse(p, "KVM offers its guests no performance counter");
		return false;
	}
	uint32_t version = a.eax & 0xff, ngp = (a.eax >> 8) & 0xff;
	uint32_t width = (a.eax >> 16) & 0xff;
	if (!version || !ngp || width < 32) {
		pmu_refuse(p, "KVM offers its guests no performance counter");
		return false;
	}
	/* One general counter is all the guest uses; a version above 2
	 * adds nothing it needs. */
	if (version > 2)
		version = 2;
	p->needs_leaf_a = true;
	p->leaf_a_eax = version | 1u << 8 | width << 16 | (a.eax & 0xff000000u);
	p->leaf_a_ebx = a.ebx;
	p->ctl_msr = MSR_IA32_PERFEVTSEL0;
	p->ctr_msr = MSR_IA32_PMC0;
	p->global_msr = version >= 2 ? MSR_IA32_PERF_GLOBAL_CTRL : 0;
	p->width = width;
	return true;
}

/* AMD: the legacy counters are there whenever KVM's PMU is on. */
static bool amd_counters(int kvm_fd, struct pmu_config *p)
{
	int caps = ioctl(kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_PMU_CAPABILITY);
	if (caps <= 0) {
		pmu_refuse(p, "KVM offers its guests no performance counter");
		return false;
	}
	p->ctl_msr = MSR_K7_EVNTSEL0;
	p->ctr_msr = MSR_K7_PERFCTR0;
	p->global_msr = 0;
	p->width = 48;
	return true;
}

void pmu_detect(int kvm_fd, bool off, struct pmu_config *p)
{
	memset(p, 0, sizeof(*p));
	if (off) {
		pmu_refuse(p, "turned off (--no-pmu)");
		return;
	}
	uint32_t a, b, c, d;
	char vendor[12];
	__cpuid(0, a, b, c, d);
	memcpy(vendor, &b, 4);
	memcpy(vendor + 4, &d, 4);
	memcpy(vendor + 8, &c, 4);
	__cpuid(1, a, b, c, d);
	const char *name;
	uint64_t ev = pmu_branch_event(vendor, a, &name);
	if (!ev) {
		snprintf(p->what, sizeof(p->what), "%.12s family 0x%x model 0x%x is "
			 "not a CPU whose branch counting rrv knows", vendor,
			 sig_family(a), sig_model(a));
		return;
	}
	bool intel = !memcmp(vendor, "GenuineIntel", 12);
	if (!(intel ? intel_counters(kvm_fd, p) : amd_counters(kvm_fd, p)))
		return;
	p->evtsel = ev;
	p->usable = true;
	snprintf(p->what, sizeof(p->what), "%s %s: event 0x%02x unit mask 0x%02x",
		 intel ? "Intel" : "AMD", name, (unsigned)(ev & 0xff),
		 (unsigned)((ev >> 8) & 0xff));
}
