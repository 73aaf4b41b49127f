/*
 * Where signal delivery puts the frame on the user stack: the sizes and
 * alignments signal.c uses to place it.  The layouts the program sees
 * (struct rt_sigframe, ucontext, sigcontext, siginfo_t) are Linux's, in
 * uapi/ucontext.h, which this includes.  Only signal.c and sys_signal.c
 * include this.
 */
#ifndef REKERNEL_SIGFRAME_H
#define REKERNEL_SIGFRAME_H

#include "uapi/ucontext.h"

/* The fxsave image; 16-byte alignment is what fxsave/fxrstor need, and
 * Linux aligns the area to 64 (xsave's requirement), as do we. */
#define SIGFRAME_FPSTATE_SIZE 512
#define SIGFRAME_FPSTATE_ALIGN 64
/* The part of the interrupted code's stack below rsp that it may be using
 * (the x86-64 ABI's red zone): the frame goes below it. */
#define SIGFRAME_REDZONE 128

#endif
