/*
 * The program's FPU/SSE state (contracts in fpu.h).
 */
#include "arch/x86/fpu.h"

#include "arch/x86/x86.h"
#include "lib/string.h"

/* Offsets in the fxsave area. */
#define FX_FCW 0
#define FX_MXCSR 24

void fpu_init(void)
{
	lcr0((rcr0() | CR0_MP | CR0_NE) & ~(CR0_EM | CR0_TS));
	lcr4(rcr4() | CR4_OSFXSR | CR4_OSXMMEXCPT);
}

void fpu_reset(uint8_t area[FXSTATE_SIZE])
{
	uint16_t fcw = FCW_DEFAULT;
	uint32_t mxcsr = MXCSR_DEFAULT;

	/* An all-zero tag byte means every x87 register is empty (the
	 * abridged tag word fxsave uses). */
	memset(area, 0, FXSTATE_SIZE);
	memcpy(area + FX_FCW, &fcw, sizeof(fcw));
	memcpy(area + FX_MXCSR, &mxcsr, sizeof(mxcsr));
	fpu_restore(area);
}

void fpu_save(uint8_t area[FXSTATE_SIZE])
{
	asm volatile("fxsave64 (%0)" : : "r"(area) : "memory");
}

void fpu_restore(const uint8_t area[FXSTATE_SIZE])
{
	asm volatile("fxrstor64 (%0)" : : "r"(area) : "memory");
}
