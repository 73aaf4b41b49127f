/*
 * Linux x86-64's struct sigcontext (<asm/sigcontext.h>): the registers a
 * signal handler's frame saves, which glibc calls mcontext_t.  Programs
 * depend on its offsets, so they are pinned by static assertions.
 */
#ifndef REKERNEL_UAPI_SIGCONTEXT_H
#define REKERNEL_UAPI_SIGCONTEXT_H

#include <stddef.h>
#include <stdint.h>

/* struct sigcontext (uapi asm/sigcontext.h), which glibc calls mcontext_t
 * (gregs[REG_R8] ... gregs[REG_CR2], then fpregs). */
struct k_sigcontext {
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
	uint64_t rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip;
	uint64_t eflags;
	uint16_t cs, gs, fs, ss;
	uint64_t err;      /* error code of the thread's last fault */
	uint64_t trapno;   /* vector of the thread's last fault */
	uint64_t oldmask;  /* the mask to restore, as in uc_sigmask */
	uint64_t cr2;      /* address of the thread's last page fault */
	uint64_t fpstate;  /* user address of the fxsave image, or 0 */
	uint64_t reserved1[8];
};

_Static_assert(sizeof(struct k_sigcontext) == 256, "struct sigcontext");
_Static_assert(offsetof(struct k_sigcontext, rip) == 16 * 8, "REG_RIP");
_Static_assert(offsetof(struct k_sigcontext, eflags) == 17 * 8, "REG_EFL");
_Static_assert(offsetof(struct k_sigcontext, cr2) == 22 * 8, "REG_CR2");
_Static_assert(offsetof(struct k_sigcontext, fpstate) == 23 * 8, "fpregs");

#endif
