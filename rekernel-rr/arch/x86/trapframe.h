/*
 * What the CPU pushes and the entry code saves: exception vectors, page
 * fault error bits, and the frame every trap and system call builds
 * (vectors.S, syscall_entry.S), with the entry points into ring 3.
 */
#ifndef REKERNEL_ARCH_X86_TRAPFRAME_H
#define REKERNEL_ARCH_X86_TRAPFRAME_H

#define T_DE 0   /* divide error */
#define T_DB 1   /* debug */
#define T_NMI 2
#define T_BP 3   /* breakpoint (int3) */
#define T_OF 4   /* overflow (into) */
#define T_BR 5   /* bound range */
#define T_UD 6   /* invalid opcode */
#define T_NM 7   /* device not available */
#define T_DF 8   /* double fault */
#define T_TS 10  /* invalid TSS */
#define T_NP 11  /* segment not present */
#define T_SS 12  /* stack-segment fault */
#define T_GP 13  /* general protection */
#define T_PF 14  /* page fault */
#define T_MF 16  /* x87 floating-point error */
#define T_AC 17  /* alignment check */
#define T_MC 18  /* machine check */
#define T_XM 19  /* SIMD floating-point */
#define T_NEXCEPTIONS 32
/* Not a vector: trapframe.vector of a frame built by syscall_entry. */
#define T_SYSCALL 0x100

/* #PF error code bits. */
#define PF_PRESENT 0x1 /* a protection violation, not a missing page */
#define PF_WRITE 0x2
#define PF_USER 0x4
#define PF_RSVD 0x8
#define PF_INSN 0x10   /* an instruction fetch */

#ifndef __ASSEMBLER__

#include <stdint.h>

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

/*
 * Leaves for ring 3 with the registers in *tf (syscall_entry.S).  tf must
 * sit at the top of the current thread's kernel stack, where the next
 * entry from ring 3 builds its frame; whatever else is on the stack now
 * is abandoned.
 */
__attribute__((noreturn)) void usermode_enter(struct trapframe *tf);

/* The kernel stack top syscall_entry switches to (syscall_entry.S); kept
 * equal to TSS.rsp0 by trap_set_kstack. */
extern uint64_t syscall_kstack_top;

/* Makes kstack_top the stack every entry from ring 3 starts on: TSS.rsp0
 * for interrupts and exceptions, syscall_kstack_top for SYSCALL. */
void trap_set_kstack(uint64_t kstack_top);

#endif /* __ASSEMBLER__ */

#endif
