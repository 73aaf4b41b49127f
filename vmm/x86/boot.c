/*
 * Establishes the boot contract of include/rrv/boot.h: long mode, paging
 * through a minimal set of 2 MiB mappings, flat segments.  The guest kernel
 * replaces all of it early, so this stays as small as KVM allows.
 */
#include "boot.h"

#include <errno.h>
#include <linux/kvm.h>
#include <string.h>
#include <sys/ioctl.h>

#include <rrv/boot.h>

#include "vmm/guest_mem.h"

#define PTE_P (1ull << 0)
#define PTE_W (1ull << 1)
#define PTE_PS (1ull << 7)

#define CR0_PE (1ull << 0)
#define CR0_MP (1ull << 1)
#define CR0_ET (1ull << 4)
#define CR0_NE (1ull << 5)
#define CR0_WP (1ull << 16)
#define CR0_PG (1ull << 31)
#define CR4_PAE (1ull << 5)
#define CR4_OSFXSR (1ull << 9)
#define CR4_OSXMMEXCPT (1ull << 10)
#define EFER_SCE (1ull << 0)
#define EFER_LME (1ull << 8)
#define EFER_LMA (1ull << 10)
#define EFER_NXE (1ull << 11)

/* Page-table pages inside [RRV_BOOT_PT_BASE, RRV_BOOT_PT_END). */
#define PML4 (RRV_BOOT_PT_BASE + 0x0000)
#define PDPT_LOW (RRV_BOOT_PT_BASE + 0x1000)
#define PDPT_HIGH (RRV_BOOT_PT_BASE + 0x2000)
#define PD (RRV_BOOT_PT_BASE + 0x3000)

/* GDT descriptors: null, 64-bit code, data. */
static const uint64_t boot_gdt[] = {
	0,
	0x00af9b000000ffffull, /* RRV_BOOT_CS: present, ring 0, code, L=1 */
	0x00cf93000000ffffull, /* RRV_BOOT_DS: present, ring 0, data, 4 GiB */
};

int x86_boot_tables(struct guest_mem *gm)
{
	uint8_t *gdt = GUEST_AT(gm, RRV_BOOT_GDT, sizeof(boot_gdt));
	uint8_t *pt = GUEST_AT(gm, RRV_BOOT_PT_BASE, RRV_BOOT_PT_END - RRV_BOOT_PT_BASE);
	if (!gdt || !pt)
		return -EINVAL;
	memcpy(gdt, boot_gdt, sizeof(boot_gdt));
	memset(pt, 0, RRV_BOOT_PT_END - RRV_BOOT_PT_BASE);

	uint64_t *pml4 = (uint64_t *)(pt + (PML4 - RRV_BOOT_PT_BASE));
	uint64_t *low = (uint64_t *)(pt + (PDPT_LOW - RRV_BOOT_PT_BASE));
	uint64_t *high = (uint64_t *)(pt + (PDPT_HIGH - RRV_BOOT_PT_BASE));
	uint64_t *pd = (uint64_t *)(pt + (PD - RRV_BOOT_PT_BASE));

	/* One page directory of 2 MiB pages serves both views of the first
	 * GiB: identity (index 0) and the kernel's link address (PML4 511,
	 * PDPT 510 for 0xffffffff80000000). */
	pml4[0] = PDPT_LOW | PTE_P | PTE_W;
	pml4[511] = PDPT_HIGH | PTE_P | PTE_W;
	low[0] = PD | PTE_P | PTE_W;
	high[510] = PD | PTE_P | PTE_W;
	for (uint64_t i = 0; i < 512; i++)
		pd[i] = (i << 21) | PTE_P | PTE_W | PTE_PS;
	return 0;
}

static void flat_segment(struct kvm_segment *s, uint16_t sel, uint8_t type, int code)
{
	memset(s, 0, sizeof(*s));
	s->base = 0;
	s->limit = 0xffffffff;
	s->selector = sel;
	s->type = type;
	s->present = 1;
	s->s = 1;
	s->g = 1;
	s->l = code ? 1 : 0;
	s->db = code ? 0 : 1;
}

int x86_boot_vcpu(int vcpu_fd, uint64_t entry)
{
	struct kvm_sregs sregs;
	if (ioctl(vcpu_fd, KVM_GET_SREGS, &sregs) < 0)
		return -errno;

	flat_segment(&sregs.cs, RRV_BOOT_CS, 0xb, 1); /* execute/read, accessed */
	flat_segment(&sregs.ds, RRV_BOOT_DS, 0x3, 0); /* read/write, accessed */
	sregs.es = sregs.fs = sregs.gs = sregs.ss = sregs.ds;
	sregs.gdt.base = RRV_BOOT_GDT;
	sregs.gdt.limit = sizeof(boot_gdt) - 1;

	sregs.cr0 = CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_WP | CR0_PG;
	sregs.cr3 = PML4;
	sregs.cr4 = CR4_PAE | CR4_OSFXSR | CR4_OSXMMEXCPT;
	sregs.efer = EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE;
	if (ioctl(vcpu_fd, KVM_SET_SREGS, &sregs) < 0)
		return -errno;

	struct kvm_regs regs;
	memset(&regs, 0, sizeof(regs));
	regs.rip = entry;
	regs.rflags = 0x2; /* reserved bit 1; IF clear */
	if (ioctl(vcpu_fd, KVM_SET_REGS, &regs) < 0)
		return -errno;
	return 0;
}
