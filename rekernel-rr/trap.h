/*
 * Traps: the IDT and the one C entry point every vector funnels into.
 */
#ifndef REKERNEL_TRAP_H
#define REKERNEL_TRAP_H

#include <stdint.h>

#define T_DE 0   /* divide error */
#define T_NMI 2
#define T_BP 3   /* breakpoint (int3) */
#define T_UD 6   /* invalid opcode */
#define T_DF 8   /* double fault */
#define T_GP 13  /* general protection */
#define T_PF 14  /* page fault */
#define T_MC 18  /* machine check */
#define T_NEXCEPTIONS 32

/*
 * What vectors.S saves on the stack, lowest address first: the general
 * registers it pushes, then the vector and error code (0 where the CPU
 * pushes none), then the frame the CPU pushed.  Laid out to match the
 * push order in vectors.S; change both together.
 */
struct trapframe {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector;
	uint64_t error_code;
	uint64_t rip, cs, rflags, rsp, ss;
};

/* Fills and loads the IDT: all 256 vectors, interrupt gates (IF cleared
 * on entry), #DF, NMI and #MC on their IST stacks (gdt.h). */
void trap_init(void);

/* Called by vectors.S for every vector.  Today every one is fatal: it is
 * reported through RRV_HC_PANIC and trap does not return.  When it does
 * return, vectors.S resumes the interrupted code from *tf. */
void trap(struct trapframe *tf);

#endif
