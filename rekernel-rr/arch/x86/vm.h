/*
 * Virtual memory: the kernel's address-space layout, its page tables, and
 * the translations between kernel-virtual and guest-physical addresses.
 * Included by assembly too (boot.S needs the stack sizes).
 *
 * Kernel address space (user space, when it comes, lives below 2^47):
 *   0 .. 2^47                 unmapped for now; in particular page 0, so a
 *                             NULL dereference in the kernel faults
 *   DMAP_BASE ..              all guest RAM, 2 MiB pages, RW, NX
 *   RRV_KERNEL_VBASE + 2 MiB  the kernel image, 4 KiB pages: text RX,
 *                             rodata R, data and bss RW; guard pages
 *                             below each kernel stack are left unmapped
 */
#ifndef REKERNEL_VM_H
#define REKERNEL_VM_H

#define PGSIZE 4096
#define PGSHIFT 12
#define HUGEPGSIZE 0x200000 /* a 2 MiB page (PS set in a PD entry) */

#define DMAP_BASE 0xffff800000000000 /* PML4 slot 256: first of the upper half */
/* The direct map covers at most this much RAM.  The VMM gives at most
 * 3 GiB, and hypercall structs must be below 4 GiB anyway. */
#define DMAP_MAX_BYTES 0x100000000

/*
 * Kernel stacks, each preceded by an unmapped guard page so that running
 * off the end faults instead of corrupting the neighbour.  All of them live
 * in section .bss.kstack, which kernel.ld gathers into one run of equal
 * slots; vm_init walks that run and unmaps the first page of every slot.
 */
#define KSTACK_SIZE 0x4000
#define KSTACK_SLOT (PGSIZE + KSTACK_SIZE)

#ifndef __ASSEMBLER__

#include <stdbool.h>
#include <stdint.h>

/* Page-table entry bits. */
#define PTE_P (1ull << 0)
#define PTE_W (1ull << 1)
#define PTE_U (1ull << 2)
#define PTE_PS (1ull << 7) /* in a PD entry: maps a 2 MiB page */
#define PTE_NX (1ull << 63)
#define PTE_ADDR 0x000ffffffffff000ull

/* Indices into each level of the table for virtual address va. */
#define PML4X(va) (((uint64_t)(va) >> 39) & 511)
#define PDPTX(va) (((uint64_t)(va) >> 30) & 511)
#define PDX(va) (((uint64_t)(va) >> 21) & 511)
#define PTX(va) (((uint64_t)(va) >> 12) & 511)

struct kstack {
	uint8_t guard[PGSIZE];
	uint8_t stack[KSTACK_SIZE];
};
/* Defines a kernel stack; its top (the initial rsp) is KSTACK_TOP(&name). */
#define KSTACK_DEFINE(name) \
	struct kstack name __attribute__((section(".bss.kstack"), aligned(PGSIZE)))
#define KSTACK_TOP(ks) ((uint64_t)(uintptr_t)((ks)->stack + KSTACK_SIZE))

/* The image bounds and section boundaries, from kernel.ld. */
extern char __kernel_start[], __text_end[], __rodata_end[], __kernel_end[];
extern char __kstack_start[], __kstack_end[];

/*
 * Replaces the VMM's boot page tables with the kernel's own: the image at
 * RRV_KERNEL_VBASE with per-section permissions, and guest RAM
 * [0, mem_bytes) (rounded down to 2 MiB, capped at DMAP_MAX_BYTES) at
 * DMAP_BASE.  Drops the identity map of low memory.  Called once, early,
 * after the GDT and IDT are loaded from the image.  Panics if the image or
 * RAM does not fit the statically sized tables.
 */
void vm_init(uint64_t mem_bytes);

/*
 * Copies the kernel half of the address space (PML4 entries 256..511: the
 * direct map and the image) into upml4, the top-level table of a user
 * address space, so that the kernel runs unchanged whichever address space
 * is loaded.  The lower half of upml4 is left alone.
 */
void vm_share_kernel(uint64_t *upml4);

/* Loads the kernel's own page tables (no user half), so that a process's
 * address space can be freed while it is being left. */
void vm_activate_kernel(void);

/* Bytes of guest RAM in the direct map; 0 before vm_init. */
uint64_t vm_dmap_bytes(void);

/*
 * Translates [va, va + len) to a guest-physical address when the whole
 * range lies in the kernel image or in the direct map (both are physically
 * contiguous), storing it in *pa.  Returns false otherwise.  Never panics,
 * so the panic path can use it.  len 0 is treated as 1.
 */
bool virt_to_phys_range(const void *va, uint64_t len, uint64_t *pa);

/* virt_to_phys_range for a single byte, panicking for an address outside
 * the image and the direct map: handing such an address to the VMM is a
 * kernel bug. */
uint64_t virt_to_phys(const void *va);

/* The direct-map address of guest-physical pa; panics when pa is not in
 * the direct map (also before vm_init). */
void *phys_to_virt(uint64_t pa);

#endif /* __ASSEMBLER__ */
#endif
