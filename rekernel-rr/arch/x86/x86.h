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
#define EFER_SCE (1ull << 0)
#define EFER_NXE (1ull << 11)

/* SYSCALL's MSRs: selectors, the 64-bit entry point, and the RFLAGS bits
 * cleared on entry. */
#define MSR_STAR 0xc0000081u
#define MSR_LSTAR 0xc0000082u
#define MSR_SFMASK 0xc0000084u
/* The user's segment bases (the kernel uses neither, so never swapgs). */
#define MSR_FS_BASE 0xc0000100u
#define MSR_GS_BASE 0xc0000101u
#define MSR_KERNEL_GS_BASE 0xc0000102u
#define MSR_TSC_AUX 0xc0000103u

#define RFLAGS_CF (1ull << 0)
#define RFLAGS_TF (1ull << 8)
#define RFLAGS_IF (1ull << 9)
#define RFLAGS_DF (1ull << 10)
#define RFLAGS_IOPL (3ull << 12)
#define RFLAGS_NT (1ull << 14)
#define RFLAGS_RF (1ull << 16)
#define RFLAGS_AC (1ull << 18)

#define CR0_MP (1ull << 1)
#define CR0_EM (1ull << 2)
#define CR0_TS (1ull << 3)
#define CR0_NE (1ull << 5)
#define CR0_AM (1ull << 18)
#define CR4_TSD (1ull << 2)
#define CR4_OSFXSR (1ull << 9)
#define CR4_OSXMMEXCPT (1ull << 10)

/* The operand of lgdt and lidt. */
struct descptr {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

/* Readers and loaders of the control registers: rcrN() returns crN,
 * lcrN(v) loads it (with a memory clobber: cr3 changes the page tables,
 * cr0 and cr4 what the CPU allows). */
#define DEFINE_RCR(n)						\
	static inline uint64_t rcr##n(void)			\
	{							\
		uint64_t v;					\
		asm volatile("mov %%cr" #n ", %0" : "=r"(v));	\
		return v;					\
	}
#define DEFINE_LCR(n)						\
	static inline void lcr##n(uint64_t v)			\
	{							\
		asm volatile("mov %0, %%cr" #n : : "r"(v) : "memory"); \
	}

DEFINE_RCR(0)
DEFINE_LCR(0)
DEFINE_RCR(2)
DEFINE_RCR(3)
DEFINE_LCR(3)
DEFINE_RCR(4)
DEFINE_LCR(4)

#undef DEFINE_RCR
#undef DEFINE_LCR

/* Drops the TLB entry for one page of the current address space. */
static inline void invlpg(uint64_t va)
{
	asm volatile("invlpg (%0)" : : "r"(va) : "memory");
}

static inline void cpuid(uint32_t leaf, uint32_t sub, uint32_t *a, uint32_t *b,
			 uint32_t *c, uint32_t *d)
{
	asm volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d)
		     : "a"(leaf), "c"(sub));
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
