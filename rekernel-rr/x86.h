/*
 * One-instruction wrappers for the privileged x86-64 instructions the kernel
 * uses.  Each is volatile with a memory clobber where the instruction changes
 * what memory means (page tables, descriptor tables), so the compiler cannot
 * move loads and stores across it.
 */
#ifndef REKERNEL_X86_H
#define REKERNEL_X86_H

#include <stdint.h>

#define MSR_EFER 0xc0000080u
#define EFER_NXE (1ull << 11)

#define RFLAGS_IF (1ull << 9)

/* The operand of lgdt and lidt. */
struct descptr {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

static inline uint64_t rcr2(void)
{
	uint64_t v;
	asm volatile("mov %%cr2, %0" : "=r"(v));
	return v;
}

static inline uint64_t rcr3(void)
{
	uint64_t v;
	asm volatile("mov %%cr3, %0" : "=r"(v));
	return v;
}

static inline void lcr3(uint64_t pa)
{
	asm volatile("mov %0, %%cr3" : : "r"(pa) : "memory");
}

static inline void lgdt(const struct descptr *p)
{
	asm volatile("lgdt %0" : : "m"(*p) : "memory");
}

static inline void lidt(const struct descptr *p)
{
	asm volatile("lidt %0" : : "m"(*p) : "memory");
}

static inline void ltr(uint16_t sel)
{
	asm volatile("ltr %0" : : "r"(sel) : "memory");
}

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;
	asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t v)
{
	asm volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32))
		     : "memory");
}

static inline uint64_t read_rsp(void)
{
	uint64_t v;
	asm volatile("mov %%rsp, %0" : "=r"(v));
	return v;
}

static inline uint64_t read_rflags(void)
{
	uint64_t v;
	asm volatile("pushfq; popq %0" : "=r"(v));
	return v;
}

static inline uint16_t read_cs(void)
{
	uint16_t v;
	asm volatile("mov %%cs, %0" : "=r"(v));
	return v;
}

/* Stops the vCPU for good: with IF clear only an NMI could wake it, and the
 * loop puts it straight back. */
static inline __attribute__((noreturn)) void halt_forever(void)
{
	for (;;)
		asm volatile("cli; hlt");
}

#endif
