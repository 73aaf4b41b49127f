/*
 * The kernel's own page tables (layout in vm.h).  They are static arrays in
 * .bss: there is no page allocator yet, and a fixed budget of table pages is
 * enough for an image of a few MiB and at most 4 GiB of RAM.
 *
 * The kernel image is mapped with 4 KiB pages, not 2 MiB ones, for two
 * reasons: each section gets its own permissions (with CR0.WP set even ring
 * 0 cannot write to text or rodata), and the guard page below each kernel
 * stack can be left out, so a stack overflow faults (and, since the CPU
 * cannot push the fault's frame either, becomes a #DF on its own IST stack).
 */
#include "arch/x86/vm.h"

#include <rrv/boot.h>

#include "arch/x86/x86.h"
#include "lib/kprintf.h"

#define KPT_MAX 4 /* page tables for the image: 8 MiB */
#define DMAP_PD_MAX (DMAP_MAX_BYTES >> 30)

typedef uint64_t pte_t;

static pte_t pml4[512] __attribute__((aligned(PGSIZE)));
static pte_t kpdpt[512] __attribute__((aligned(PGSIZE)));
static pte_t kpd[512] __attribute__((aligned(PGSIZE)));
static pte_t kpt[KPT_MAX][512] __attribute__((aligned(PGSIZE)));
static pte_t dmap_pdpt[512] __attribute__((aligned(PGSIZE)));
static pte_t dmap_pd[DMAP_PD_MAX][512] __attribute__((aligned(PGSIZE)));

static uint64_t dmap_bytes;

uint64_t vm_dmap_bytes(void)
{
	return dmap_bytes;
}

bool virt_to_phys_range(const void *p, uint64_t len, uint64_t *pa)
{
	uint64_t va = (uint64_t)(uintptr_t)p;
	uint64_t lo = (uint64_t)(uintptr_t)__kernel_start;
	uint64_t hi = (uint64_t)(uintptr_t)__kernel_end;

	if (len == 0)
		len = 1;
	/* Written as va - lo <= size - len so that nothing can wrap. */
	if (va >= lo && va < hi && len <= hi - va) {
		*pa = va - RRV_KERNEL_VBASE;
		return true;
	}
	if (va >= DMAP_BASE && va - DMAP_BASE < dmap_bytes &&
	    len <= dmap_bytes - (va - DMAP_BASE)) {
		*pa = va - DMAP_BASE;
		return true;
	}
	return false;
}

uint64_t virt_to_phys(const void *va)
{
	uint64_t pa;
	if (!virt_to_phys_range(va, 1, &pa))
		panic("virt_to_phys: %p is neither in the image nor in the direct map", va);
	return pa;
}

void *phys_to_virt(uint64_t pa)
{
	if (pa >= dmap_bytes)
		panic("phys_to_virt: 0x%lx is not in the direct map", pa);
	return (void *)(uintptr_t)(DMAP_BASE + pa);
}

/* The table's own guest-physical address, for the entry that points at it. */
static pte_t table_entry(const pte_t *table)
{
	return virt_to_phys(table) | PTE_P | PTE_W;
}

/* Permissions of the image page at va: as tight as its section allows. */
static pte_t image_perm(uint64_t va)
{
	uint64_t ks = (uint64_t)(uintptr_t)__kstack_start;
	uint64_t ke = (uint64_t)(uintptr_t)__kstack_end;

	if (va < (uint64_t)(uintptr_t)__text_end)
		return PTE_P;
	if (va < (uint64_t)(uintptr_t)__rodata_end)
		return PTE_P | PTE_NX;
	if (va >= ks && va < ke && (va - ks) % KSTACK_SLOT == 0)
		return 0; /* guard page */
	return PTE_P | PTE_W | PTE_NX;
}

static void map_image(void)
{
	uint64_t start = (uint64_t)(uintptr_t)__kernel_start;
	uint64_t end = (uint64_t)(uintptr_t)__kernel_end;
	pte_t *pt = 0;
	int npt = 0;

	if ((start | end) & (PGSIZE - 1))
		panic("vm: image bounds not page-aligned");
	if ((uint64_t)(__kstack_end - __kstack_start) % KSTACK_SLOT != 0)
		panic("vm: .bss.kstack is not a run of whole stack slots");
	/* One PDPT and one PD serve the image, so it must not cross 1 GiB. */
	if (PML4X(start) != PML4X(end - 1) || PDPTX(start) != PDPTX(end - 1))
		panic("vm: image crosses a 1 GiB boundary");

	pml4[PML4X(start)] = table_entry(kpdpt);
	kpdpt[PDPTX(start)] = table_entry(kpd);
	for (uint64_t va = start; va < end; va += PGSIZE) {
		/* Pages are visited in order, so a new PD slot means a new PT. */
		if (!pt || PTX(va) == 0) {
			if (npt == KPT_MAX)
				panic("vm: image of %lu KiB needs more than %d page tables",
				      (end - start) >> 10, KPT_MAX);
			pt = kpt[npt++];
			kpd[PDX(va)] = table_entry(pt);
		}
		pte_t perm = image_perm(va);
		pt[PTX(va)] = perm ? (va - RRV_KERNEL_VBASE) | perm : 0;
	}
}

static void map_dmap(uint64_t mem_bytes)
{
	uint64_t bytes = mem_bytes & ~(uint64_t)(HUGEPGSIZE - 1);

	if (bytes > DMAP_MAX_BYTES) {
		kwarn("vm: only the first %lu MiB of %lu MiB of RAM are mapped\n",
		      (uint64_t)DMAP_MAX_BYTES >> 20, mem_bytes >> 20);
		bytes = DMAP_MAX_BYTES;
	}
	pml4[PML4X(DMAP_BASE)] = table_entry(dmap_pdpt);
	for (uint64_t pa = 0; pa < bytes; pa += HUGEPGSIZE) {
		pte_t *pd = dmap_pd[pa >> 30];
		if (PDX(pa) == 0)
			dmap_pdpt[PDPTX(DMAP_BASE + pa)] = table_entry(pd);
		pd[PDX(pa)] = pa | PTE_P | PTE_W | PTE_PS | PTE_NX;
	}
	dmap_bytes = bytes;
}

void vm_share_kernel(uint64_t *upml4)
{
	/* Entries 256..511 point at the kernel's PDPTs, which never change
	 * after vm_init, so a copy of the entries stays valid for good. */
	for (int i = 256; i < 512; i++)
		upml4[i] = pml4[i];
}

void vm_activate_kernel(void)
{
	lcr3(virt_to_phys(pml4));
}

void vm_init(uint64_t mem_bytes)
{
	/* The boot contract sets EFER.NXE; the NX bits below are reserved
	 * bits (and fault) without it, so make sure rather than trust. */
	uint64_t efer = rdmsr(MSR_EFER);
	if (!(efer & EFER_NXE))
		wrmsr(MSR_EFER, efer | EFER_NXE);

	map_image();
	map_dmap(mem_bytes);
	lcr3(virt_to_phys(pml4));
}
