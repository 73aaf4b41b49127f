/*
 * The guest's CPUID: a fixed x86-64-v2 profile.  KVM answers CPUID inside
 * the host kernel from the table installed here, so programs see the same
 * features on every machine and in every replay, and library code that
 * picks routines by CPU feature (glibc's memcpy, say) takes the same path.
 * No AVX (the guest kernel saves user state with fxsave), no RDRAND/RDSEED
 * (hardware randomness would bypass the trace), no TSX, no hypervisor bit;
 * a performance counter leaf only where a recording counts branches with
 * it (cpuid_profile_add_pmu, vmm/x86/pmu.c).
 */
#include "cpuid.h"

#include <errno.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

/* Feature bits the profile advertises; each is checked against the host. */
#define L1_EDX 0x0789ab7du /* fpu de pse tsc msr pae cx8 apic sep pge cmov
			      pat clflush mmx fxsr sse sse2 */
#define L1_ECX 0x00b82201u /* sse3 ssse3 cx16 sse4.1 sse4.2 x2apic popcnt */
#define E1_EDX 0x28100800u /* syscall nx rdtscp lm */
#define E1_ECX 0x00000001u /* lahf_lm */

struct named_bits {
	uint32_t function;
	char reg; /* 'c' or 'd' */
	uint32_t bits;
};

static const struct named_bits checked[] = {
	{ 0x1, 'd', L1_EDX },
	{ 0x1, 'c', L1_ECX },
	{ 0x80000001, 'd', E1_EDX },
	{ 0x80000001, 'c', E1_ECX },
};

static const struct cpuid_entry fixed[] = {
	/* vendor words are filled in from the host */
	{ 0x0, 0, 0, 0x7, 0, 0, 0 },
	/* family 6 model 0x3a stepping 9; 64-byte clflush; 1 logical CPU */
	{ 0x1, 0, 0, 0x000306a9, 0x00010800, L1_ECX, L1_EDX },
	/* leaf 2: "see leaf 4" */
	{ 0x2, 0, 0, 0x00000001, 0, 0, 0x00ff0000 },
	/* leaf 4: L1d 32K 8-way, L1i 32K 8-way, L2 256K 8-way, L3 8M 16-way */
	{ 0x4, 0, KVM_CPUID_FLAG_SIGNIFCANT_INDEX, 0x00000121, 0x01c0003f, 0x0000003f, 0 },
	{ 0x4, 1, KVM_CPUID_FLAG_SIGNIFCANT_INDEX, 0x00000122, 0x01c0003f, 0x0000003f, 0 },
	{ 0x4, 2, KVM_CPUID_FLAG_SIGNIFCANT_INDEX, 0x00000143, 0x01c0003f, 0x000001ff, 0 },
	{ 0x4, 3, KVM_CPUID_FLAG_SIGNIFCANT_INDEX, 0x00000163, 0x03c0003f, 0x00001fff, 0x6 },
	{ 0x4, 4, KVM_CPUID_FLAG_SIGNIFCANT_INDEX, 0, 0, 0, 0 },
	{ 0x7, 0, KVM_CPUID_FLAG_SIGNIFCANT_INDEX, 0, 0, 0, 0 },
	{ 0x80000000, 0, 0, 0x80000008, 0, 0, 0 },
	{ 0x80000001, 0, 0, 0, 0, E1_ECX, E1_EDX },
	/* brand string: "rrv virtual x86-64-v2 CPU" */
	{ 0x80000002, 0, 0, 0x20767272, 0x74726976, 0x206c6175, 0x2d363878 },
	{ 0x80000003, 0, 0, 0x762d3436, 0x50432032, 0x00000055, 0 },
	{ 0x80000004, 0, 0, 0, 0, 0, 0 },
	/* AMD-style cache leaves, for libraries that read those instead */
	{ 0x80000005, 0, 0, 0, 0, 0x20080140, 0x20080140 },
	{ 0x80000006, 0, 0, 0, 0, 0x01006140, 0x00408140 },
	/* eax filled in with the host's physical width; 48 virtual bits */
	{ 0x80000008, 0, 0, 0, 0, 0, 0 },
};

static struct kvm_cpuid2 *supported_cpuid(int kvm_fd)
{
	for (unsigned n = 64; n <= 4096; n *= 2) {
		struct kvm_cpuid2 *c =
			calloc(1, sizeof(*c) + n * sizeof(struct kvm_cpuid_entry2));
		if (!c)
			return NULL;
		c->nent = n;
		if (ioctl(kvm_fd, KVM_GET_SUPPORTED_CPUID, c) == 0)
			return c;
		free(c);
		if (errno != E2BIG)
			return NULL;
	}
	return NULL;
}

static const struct kvm_cpuid_entry2 *find(const struct kvm_cpuid2 *c,
					   uint32_t function, uint32_t index)
{
	for (uint32_t i = 0; i < c->nent; i++)
		if (c->entries[i].function == function && c->entries[i].index == index)
			return &c->entries[i];
	return NULL;
}

int cpuid_profile_build(int kvm_fd, struct cpuid_profile *p)
{
	struct kvm_cpuid2 *host = supported_cpuid(kvm_fd);
	if (!host) {
		fprintf(stderr, "rrv: KVM_GET_SUPPORTED_CPUID: %s\n", strerror(errno));
		return -1;
	}

	int err = -1;
	for (size_t i = 0; i < sizeof(checked) / sizeof(checked[0]); i++) {
		const struct kvm_cpuid_entry2 *h = find(host, checked[i].function, 0);
		uint32_t have = !h ? 0 : checked[i].reg == 'c' ? h->ecx : h->edx;
		uint32_t missing = checked[i].bits & ~have;
		if (missing) {
			fprintf(stderr,
				"rrv: this CPU lacks features of rrv's CPU profile "
				"(CPUID 0x%x e%cx bits 0x%08x): rrv needs an "
				"x86-64-v2 CPU (see docs/cpuid.md)\n",
				checked[i].function, checked[i].reg, missing);
			goto out;
		}
	}

	const struct kvm_cpuid_entry2 *leaf0 = find(host, 0, 0);
	const struct kvm_cpuid_entry2 *width = find(host, 0x80000008, 0);
	if (!leaf0 || !width) {
		fprintf(stderr, "rrv: KVM reports no CPUID vendor or address width\n");
		goto out;
	}

	p->n = sizeof(fixed) / sizeof(fixed[0]);
	memcpy(p->e, fixed, sizeof(fixed));
	for (size_t i = 0; i < p->n; i++) {
		struct cpuid_entry *e = &p->e[i];
		if (e->function == 0) {
			e->ebx = leaf0->ebx;
			e->ecx = leaf0->ecx;
			e->edx = leaf0->edx;
		} else if (e->function == 0x80000008) {
			e->eax = (width->eax & 0xff) | (48u << 8);
		}
	}
	err = 0;
out:
	free(host);
	return err;
}

int cpuid_profile_apply(int vcpu_fd, const struct cpuid_profile *p)
{
	struct kvm_cpuid2 *c = calloc(1, sizeof(*c) + p->n * sizeof(struct kvm_cpuid_entry2));
	if (!c)
		return -ENOMEM;
	c->nent = (uint32_t)p->n;
	for (size_t i = 0; i < p->n; i++) {
		c->entries[i].function = p->e[i].function;
		c->entries[i].index = p->e[i].index;
		c->entries[i].flags = p->e[i].flags;
		c->entries[i].eax = p->e[i].eax;
		c->entries[i].ebx = p->e[i].ebx;
		c->entries[i].ecx = p->e[i].ecx;
		c->entries[i].edx = p->e[i].edx;
	}
	int ret = ioctl(vcpu_fd, KVM_SET_CPUID2, c) < 0 ? -errno : 0;
	free(c);
	return ret;
}

static const struct cpuid_entry *profile_find(const struct cpuid_profile *p,
					      uint32_t function)
{
	for (size_t i = 0; i < p->n; i++)
		if (p->e[i].function == function && p->e[i].index == 0)
			return &p->e[i];
	return NULL;
}

int cpuid_profile_counters(const struct cpuid_profile *p)
{
	const struct cpuid_entry *l0 = profile_find(p, 0);
	const struct cpuid_entry *pm = profile_find(p, 0xa);
	if (!l0 || l0->eax < 0xa || !pm || !(pm->eax & 0xff))
		return 0;
	return (int)((pm->eax >> 8) & 0xff);
}

int cpuid_profile_add_pmu(struct cpuid_profile *p, uint32_t eax, uint32_t ebx)
{
	struct cpuid_entry *l0 = NULL;
	for (size_t i = 0; i < p->n; i++)
		if (p->e[i].function == 0)
			l0 = &p->e[i];
	if (!l0 || profile_find(p, 0xa) || p->n >= CPUID_PROFILE_MAX)
		return -1;
	/* Leaves 8 and 9 stay absent: KVM answers zeros below the top. */
	l0->eax = 0xa;
	p->e[p->n++] = (struct cpuid_entry){ 0xa, 0, 0, eax, ebx, 0, 0 };
	return 0;
}

int cpuid_supported_leaf(int kvm_fd, uint32_t function, struct cpuid_entry *out)
{
	struct kvm_cpuid2 *host = supported_cpuid(kvm_fd);
	if (!host)
		return -1;
	const struct kvm_cpuid_entry2 *e = find(host, function, 0);
	if (e)
		*out = (struct cpuid_entry){ e->function, e->index, e->flags,
					     e->eax, e->ebx, e->ecx, e->edx };
	free(host);
	return e ? 0 : -1;
}
