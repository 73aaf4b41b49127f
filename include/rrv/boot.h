/*
 * The boot contract between the VMM and the guest kernel: the CPU state and
 * memory layout in force at the kernel's ELF entry point.  Shared by
 * vmm/x86/boot.c (which establishes it) and rekernel-rr/boot.S (which relies
 * on it).  docs/boot.md walks through the sequence.
 */
#ifndef RRV_BOOT_H
#define RRV_BOOT_H

/*
 * At entry the vCPU is in 64-bit long mode, ring 0, interrupts disabled,
 * with paging on (CR0.PG|PE|WP|NE|ET|MP, CR4.PAE|OSFXSR|OSXMMEXCPT,
 * EFER.LME|LMA|SCE|NXE).  CS = RRV_BOOT_CS (64-bit code), the data segments
 * RRV_BOOT_DS.  rsp is undefined: the kernel sets up its own stack first.
 */
#define RRV_BOOT_CS 0x08
#define RRV_BOOT_DS 0x10

/*
 * The VMM's boot page tables live in [RRV_BOOT_PT_BASE, RRV_BOOT_PT_END) and
 * map, with 2 MiB pages:
 *   - guest-physical [0, RRV_BOOT_MAP_BYTES) at virtual 0 (identity);
 *   - the same range at RRV_KERNEL_VBASE, where the kernel is linked.
 * The GDT the VMM describes lives at RRV_BOOT_GDT.  The kernel replaces all
 * of these with its own before it runs anything else, after which this
 * memory is free.
 */
#define RRV_BOOT_GDT 0x1000
#define RRV_BOOT_PT_BASE 0x2000
#define RRV_BOOT_PT_END 0x6000
#define RRV_BOOT_MAP_BYTES 0x40000000ull /* 1 GiB */

/* The kernel is linked at RRV_KERNEL_VBASE + its physical load address. */
#define RRV_KERNEL_VBASE 0xffffffff80000000ull

/* The lowest physical address the kernel image may be loaded at. */
#define RRV_KERNEL_PMIN 0x100000ull

#endif
