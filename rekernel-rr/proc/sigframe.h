/*
 * The user-visible layouts of signal delivery on Linux x86-64: what the
 * kernel writes on the user stack for a handler and reads back in
 * rt_sigreturn, and siginfo_t.  Programs (and glibc's and musl's
 * ucontext_t, mcontext_t and siginfo_t) depend on every offset here, so
 * each is pinned by a static assertion.  Only signal.c and sys_signal.c
 * include this.
 *
 * The frame, lowest address first, as the handler sees it at entry
 * (rsp points at pretcode, as if the handler had been called from the
 * restorer):
 *
 *   rsp + 0    pretcode      the restorer (sa_restorer), the handler's
 *                            return address
 *   rsp + 8    struct k_ucontext   (rdx)
 *   rsp + 312  siginfo_t, 128 bytes (rsi); written only with SA_SIGINFO
 *   ...        padding up to the 64-byte aligned fxsave area
 *              512-byte fxsave image, pointed at by uc_mcontext.fpstate
 *   ...        128-byte red zone of the interrupted code
 */
#ifndef REKERNEL_SIGFRAME_H
#define REKERNEL_SIGFRAME_H

#include <stddef.h>
#include <stdint.h>

#include "proc/proc.h"

/* stack_t: void *ss_sp; int ss_flags; size_t ss_size. */
struct k_stack {
	uint64_t ss_sp;
	int32_t ss_flags;
	int32_t pad;
	uint64_t ss_size;
};

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

/* uc_flags bits. */
#define UC_FP_XSTATE 0x1          /* fpstate holds an xsave image: never here */
#define UC_SIGCONTEXT_SS 0x2      /* sigcontext.ss is meaningful */
#define UC_STRICT_RESTORE_SS 0x4  /* rt_sigreturn restores ss as saved */

/* struct ucontext (uapi asm-generic/ucontext.h): the kernel's sigset is
 * 8 bytes, so siginfo follows right after uc_sigmask (glibc's and musl's
 * larger ucontext_t simply overlaps the siginfo there). */
struct k_ucontext {
	uint64_t uc_flags;
	uint64_t uc_link;
	struct k_stack uc_stack;
	struct k_sigcontext uc_mcontext;
	sigset_k uc_sigmask;
};

/* siginfo_t, 128 bytes: three ints, then a union aligned to 8. */
struct k_user_siginfo {
	int32_t si_signo;
	int32_t si_errno;
	int32_t si_code;
	int32_t pad;
	union {
		struct { /* SI_USER, SI_TKILL, SI_KERNEL; SI_QUEUE adds value */
			int32_t pid;
			uint32_t uid;
			uint64_t value; /* union sigval */
		} kill;
		struct { /* SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP */
			uint64_t addr;
		} fault;
		uint8_t bytes[112];
	} u;
};

struct rt_sigframe {
	uint64_t pretcode;
	struct k_ucontext uc;
	struct k_user_siginfo info;
};

/* The fxsave image; 16-byte alignment is what fxsave/fxrstor need, and
 * Linux aligns the area to 64 (xsave's requirement), as do we. */
#define SIGFRAME_FPSTATE_SIZE 512
#define SIGFRAME_FPSTATE_ALIGN 64
/* The part of the interrupted code's stack below rsp that it may be using
 * (the x86-64 ABI's red zone): the frame goes below it. */
#define SIGFRAME_REDZONE 128

_Static_assert(sizeof(struct k_stack) == 24, "stack_t");
_Static_assert(sizeof(struct k_sigcontext) == 256, "struct sigcontext");
_Static_assert(offsetof(struct k_sigcontext, rip) == 16 * 8, "REG_RIP");
_Static_assert(offsetof(struct k_sigcontext, eflags) == 17 * 8, "REG_EFL");
_Static_assert(offsetof(struct k_sigcontext, cr2) == 22 * 8, "REG_CR2");
_Static_assert(offsetof(struct k_sigcontext, fpstate) == 23 * 8, "fpregs");
_Static_assert(offsetof(struct k_ucontext, uc_mcontext) == 40, "uc_mcontext");
_Static_assert(offsetof(struct k_ucontext, uc_sigmask) == 296, "uc_sigmask");
_Static_assert(sizeof(struct k_user_siginfo) == 128, "siginfo_t");
_Static_assert(offsetof(struct k_user_siginfo, u) == 16, "siginfo union");
_Static_assert(offsetof(struct rt_sigframe, uc) == 8, "rt_sigframe.uc");
_Static_assert(offsetof(struct rt_sigframe, info) == 312, "rt_sigframe.info");
_Static_assert(sizeof(struct rt_sigframe) == 440, "rt_sigframe");

#endif
