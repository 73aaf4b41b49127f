/*
 * The SYSCALL entry point (MSR_LSTAR) and the first entry into ring 3.
 *
 * SYSCALL leaves the user's rip in rcx and rflags in r11, masks rflags
 * with MSR_SFMASK (IF, TF, DF, AC, NT cleared), loads the kernel CS/SS
 * from MSR_STAR, and does nothing else: rsp is still the user's.  With one
 * vCPU and interrupts off in the kernel, a global is a safe place to park
 * the user rsp while the kernel stack is loaded, so no swapgs and no
 * per-CPU area are needed (the kernel never uses GS, so the user's GS
 * base stays in MSR_GS_BASE untouched).
 *
 * The stub builds the same struct trapframe (trap.h) that vectors.S
 * builds for an exception from ring 3, with vector T_SYSCALL, so that the
 * rest of the kernel (signal frames, sigreturn, ptrace-like dumps) sees
 * one layout.  It returns through trapret's iretq rather than sysret:
 * iretq restores every register from the frame, including a rip that a
 * signal handler or sigreturn changed, and has none of sysret's traps (a
 * non-canonical rcx faulting in ring 0).
 */
#include "arch/x86/gdt.h"
#include "arch/x86/trapframe.h"

	.text
	.globl syscall_entry
syscall_entry:
	movq %rsp, syscall_user_rsp(%rip)
	movq syscall_kstack_top(%rip), %rsp
	/* The frame the CPU would push for an interrupt from ring 3. */
	pushq $SEG_UDATA		/* ss */
	pushq syscall_user_rsp(%rip)	/* rsp */
	pushq %r11			/* rflags */
	pushq $SEG_UCODE		/* cs */
	pushq %rcx			/* rip */
	pushq $0			/* error code */
	pushq $T_SYSCALL		/* vector */
	/* The registers, in alltraps's order (vectors.S). */
	pushq %rax
	pushq %rbx
	pushq %rcx
	pushq %rdx
	pushq %rsi
	pushq %rdi
	pushq %rbp
	pushq %r8
	pushq %r9
	pushq %r10
	pushq %r11
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	/* The top is 16-byte aligned and 22 words were pushed: aligned
	 * for the call, as the ABI wants. */
	movq %rsp, %rdi
	call syscall_dispatch
	jmp trapret

/* usermode_enter(tf): drops everything on the current stack and leaves
 * for ring 3 with the registers in *tf, which must sit at the top of the
 * thread's kernel stack (where the next entry from ring 3 will build its
 * frame). */
	.globl usermode_enter
usermode_enter:
	movq %rdi, %rsp
	jmp trapret

	.bss
	.balign 8
	.globl syscall_kstack_top
syscall_kstack_top:	/* the current thread's kernel stack top */
	.quad 0
syscall_user_rsp:	/* scratch for the user rsp during entry */
	.quad 0

	.section .note.GNU-stack, "", @progbits
