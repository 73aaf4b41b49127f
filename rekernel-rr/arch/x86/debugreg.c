/* The debug registers (contracts in debugreg.h). */
#include "arch/x86/debugreg.h"

#include <stdbool.h>

static uint64_t dr7_bits; /* every slot's bits as set, without DR7_FIXED */
static bool parked;

static void dr7_write(uint64_t v)
{
	asm volatile("mov %0, %%dr7" : : "r"(DR7_FIXED | v));
}

void dr7_set(uint64_t mask, uint64_t bits)
{
	dr7_bits = (dr7_bits & ~mask) | (bits & mask);
	if (!parked)
		dr7_write(dr7_bits);
}

uint64_t dr7_get(uint64_t mask)
{
	return dr7_bits & mask;
}

void dr7_park(void)
{
	if (!(dr7_bits & (DR7_ENABLE(0) | DR7_ENABLE(1) | DR7_ENABLE(2) |
			  DR7_ENABLE(3))))
		return;
	dr7_write(0);
	parked = true;
}

void dr7_unpark(void)
{
	if (!parked)
		return;
	parked = false;
	dr7_write(dr7_bits);
}

void dr_set_addr(int n, uint64_t addr)
{
	/* Each register is its own instruction: the number is in the
	 * opcode. */
	switch (n) {
	case 0: asm volatile("mov %0, %%dr0" : : "r"(addr)); break;
	case 1: asm volatile("mov %0, %%dr1" : : "r"(addr)); break;
	case 2: asm volatile("mov %0, %%dr2" : : "r"(addr)); break;
	case 3: asm volatile("mov %0, %%dr3" : : "r"(addr)); break;
	}
}

uint64_t dr6_take(void)
{
	uint64_t v;
	asm volatile("mov %%dr6, %0" : "=r"(v));
	asm volatile("mov %0, %%dr6" : : "r"(DR6_CLEAR));
	return v;
}
