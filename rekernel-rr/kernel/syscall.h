/*
 * The system call table and its dispatcher (handlers are defined with
 * lib/syscall.h's SYSCALL_DEFINE).
 */
#ifndef REKERNEL_KERNEL_SYSCALL_H
#define REKERNEL_KERNEL_SYSCALL_H

struct trapframe;

/* Builds the table from the handlers' definitions and programs the
 * SYSCALL MSRs. */
void syscall_init(void);

/* Called by the entry code with the user registers; the result goes to
 * tf->rax.  Then signals are checked before returning to ring 3.
 * (rt_sigreturn rewrites the whole frame and returns the rax it
 * restored, so the store changes nothing.) */
void syscall_dispatch(struct trapframe *tf);

#endif
