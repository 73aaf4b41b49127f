/*
 * The program's x87/SSE state.  The kernel itself never touches the FPU
 * (it is built with -mgeneral-regs-only), so the user's registers stay
 * live in the CPU across system calls and traps; they only need saving
 * where something else will use them: a signal frame, another thread.
 * The format is fxsave's 512 bytes (the CPU profile has no AVX/XSAVE).
 */
#ifndef REKERNEL_FPU_H
#define REKERNEL_FPU_H

#include <stdint.h>

#define FXSTATE_SIZE 512
#define MXCSR_DEFAULT 0x1f80 /* all exceptions masked, round to nearest */
#define FCW_DEFAULT 0x037f   /* the same for the x87, 64-bit precision */

/* Control-register set-up for user FPU use: CR0.MP and NE on, EM and TS
 * off (no lazy switching), CR4.OSFXSR and OSXMMEXCPT on, so that SSE
 * works and SIMD exceptions arrive as #XM. */
void fpu_init(void);

/* Fills area with the state a new program starts with (what Linux gives:
 * FCW 0x37f, MXCSR 0x1f80, empty x87 stack, zero registers) and loads it. */
void fpu_reset(uint8_t area[FXSTATE_SIZE]);

/* The CPU's current FPU/SSE state to area (16-byte aligned), and back. */
void fpu_save(uint8_t area[FXSTATE_SIZE]);
void fpu_restore(const uint8_t area[FXSTATE_SIZE]);

#endif
