/*
 * Linux x86-64's signal frame as the program sees it: struct ucontext and
 * its uc_flags (<asm/ucontext.h>, <asm-generic/ucontext.h>) and the frame
 * itself (struct rt_sigframe of arch/x86's <asm/sigframe.h>: not in
 * Linux's uapi headers, but what every handler finds on its stack and
 * rt_sigreturn reads back).  Programs (and glibc's and musl's
 * ucontext_t) depend on every offset here, so each is pinned by a static
 * assertion.
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
#ifndef REKERNEL_UAPI_UCONTEXT_H
#define REKERNEL_UAPI_UCONTEXT_H

#include <stddef.h>
#include <stdint.h>

#include "uapi/sigcontext.h"
#include "uapi/signal.h"

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

struct rt_sigframe {
	uint64_t pretcode;
	struct k_ucontext uc;
	struct k_user_siginfo info;
};

_Static_assert(offsetof(struct k_ucontext, uc_mcontext) == 40, "uc_mcontext");
_Static_assert(offsetof(struct k_ucontext, uc_sigmask) == 296, "uc_sigmask");
_Static_assert(offsetof(struct rt_sigframe, uc) == 8, "rt_sigframe.uc");
_Static_assert(offsetof(struct rt_sigframe, info) == 312, "rt_sigframe.info");
_Static_assert(sizeof(struct rt_sigframe) == 440, "rt_sigframe");

#endif
