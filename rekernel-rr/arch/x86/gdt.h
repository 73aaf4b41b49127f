/*
 * Segmentation: the kernel's GDT and its one TSS.
 *
 * The selector order is fixed by SYSCALL/SYSRET, which derive segments from
 * MSR_STAR instead of reading them from memory:
 *   SYSCALL loads CS = STAR[47:32] and SS = STAR[47:32] + 8,
 *   SYSRET (64-bit) loads CS = STAR[63:48] + 16 and SS = STAR[63:48] + 8.
 * So kernel data follows kernel code, and user data precedes user code.
 */
#ifndef REKERNEL_GDT_H
#define REKERNEL_GDT_H

#define SEG_KCODE 0x08 /* equals RRV_BOOT_CS, so the switch is seamless */
#define SEG_KDATA 0x10
#define SEG_UDATA 0x1b /* GDT slot 3, RPL 3 */
#define SEG_UCODE 0x23 /* GDT slot 4, RPL 3 */
#define SEG_TSS 0x28   /* slots 5 and 6: a system descriptor is 16 bytes */

/* MSR_STAR[63:32] for the layout above: SYSRET's base is SEG_UDATA - 8. */
#define STAR_SELECTORS ((unsigned long long)(SEG_UDATA - 8) << 48 | \
			(unsigned long long)SEG_KCODE << 32)

/* Interrupt stack table slots (1-based, as the IDT gate encodes them).
 * These exceptions get a known-good stack because they can strike when
 * the current one is unusable: #DF usually means it overflowed. */
#define IST_DF 1
#define IST_NMI 2
#define IST_MC 3

#ifndef __ASSEMBLER__

#include <stdint.h>

/*
 * Loads the kernel's GDT, reloads every segment register from it (CS by a
 * far return) and loads the TSS, whose IST slots point at stacks of their
 * own.  Replaces the VMM's boot GDT at RRV_BOOT_GDT.
 */
void gdt_init(void);

/* Sets TSS.rsp0, the stack the CPU switches to on an interrupt or
 * exception from ring 3. */
void tss_set_rsp0(uint64_t rsp0);

#endif
#endif
