/*
 * The debug registers, shared by two owners that must never disturb each
 * other: replay's preemption breakpoint in slot 0 (DR0, proc/preempt.c,
 * docs/threads.md) and rrv debug's watchpoints in slots 1-3 (DR1-DR3,
 * proc/debugger.c, docs/debugging.md).  DR7 is one register holding the
 * enable, type and length bits of all four slots, so it is written only
 * here, from the two owners' halves combined.
 */
#ifndef REKERNEL_ARCH_X86_DEBUGREG_H
#define REKERNEL_ARCH_X86_DEBUGREG_H

#include <stdint.h>

/* DR7 (Intel SDM vol. 3, 18.2.4): bit 10 always reads as 1; slot n has
 * its enable bits Ln, Gn at 2n, 2n + 1 and its RWn, LENn at 16 + 4n. */
#define DR7_FIXED (1ull << 10)
#define DR7_L0 (1ull << 0)
#define DR7_SLOT0 (0x3ull | (0xfull << 16))
#define DR7_SLOTS123 (0xfcull | (0xfffull << 20))
#define DR7_ENABLE(n) (0x3ull << (2 * (n)))

/* DR6: the slot that fired (Bn), a single step (BS), and what it holds
 * once cleared. */
#define DR6_B0 (1ull << 0)
#define DR6_B(n) (1ull << (n))
#define DR6_B123 0xeull
#define DR6_BS (1ull << 14)
#define DR6_CLEAR 0xffff0ff0ull

/* Replaces the DR7 bits of mask (DR7_SLOT0 or DR7_SLOTS123) by bits and
 * writes DR7 (after the park below, only at the unpark). */
void dr7_set(uint64_t mask, uint64_t bits);

/* The DR7 bits of mask as last set (parked or not). */
uint64_t dr7_get(uint64_t mask);

/*
 * Around every hypercall: DR7 off while the host runs, then back.  QEMU's
 * software SVM before 9.1 (tools/with-kvm's nested VM) leaves a guest's
 * breakpoint installed after a VM exit, where the host's own processes
 * hit it (docs/with-kvm.md, "Debug registers leak"); a DR7 write inside
 * the guest removes it.  Nothing is written when no slot is enabled, so
 * a guest that never arms one writes DR7 no more than before.
 */
void dr7_park(void);
void dr7_unpark(void);

/* Sets DR0-DR3's address n. */
void dr_set_addr(int n, uint64_t addr);

/* Reads DR6 and clears it for the next #DB. */
uint64_t dr6_take(void);

#endif
