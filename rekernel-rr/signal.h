/*
 * Signals: delivery, default actions, and the entry points the rest of the
 * kernel calls.  Implemented in signal.c; the system calls are in
 * sys_signal.c.  Numbers, flags and frame layouts are Linux x86-64's.
 */
#ifndef REKERNEL_SIGNAL_H
#define REKERNEL_SIGNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "proc.h"

#define SIGHUP 1
#define SIGINT 2
#define SIGQUIT 3
#define SIGILL 4
#define SIGTRAP 5
#define SIGABRT 6
#define SIGBUS 7
#define SIGFPE 8
#define SIGKILL 9
#define SIGUSR1 10
#define SIGSEGV 11
#define SIGUSR2 12
#define SIGPIPE 13
#define SIGALRM 14
#define SIGTERM 15
#define SIGCHLD 17
#define SIGCONT 18
#define SIGSTOP 19
#define SIGTSTP 20
#define SIGSYS 31

/* si_code values the kernel produces. */
#define SI_USER 0
#define SI_KERNEL 0x80
#define SI_TKILL (-6)
#define SEGV_MAPERR 1
#define SEGV_ACCERR 2
#define BUS_ADRALN 1
#define BUS_ADRERR 2
#define FPE_INTDIV 1
#define FPE_FLTDIV 3
#define ILL_ILLOPN 2
#define TRAP_BRKPT 1

/* Initial state: all default actions, nothing blocked or pending. */
void signal_init(struct proc *p, struct thread *t);

/*
 * Queues signal info->signo for thread t (thread-directed) or for its
 * process (to_process true).  A second instance of a pending standard
 * signal is dropped, as in Linux.
 */
void signal_send(struct thread *t, const struct k_siginfo *info, bool to_process);

/*
 * A synchronous signal from a fault in ring 3 (SIGSEGV, SIGBUS, SIGFPE,
 * SIGILL, SIGTRAP): if the program blocks or ignores it, the default
 * action applies, as in Linux's force_sig.  Delivered before tf returns.
 */
void signal_fault(struct trapframe *tf, int signo, int code, uint64_t addr);

/*
 * Called on every return to ring 3 with the user registers about to be
 * restored.  in_syscall says whether tf->rax holds a system call's result
 * (for -ERESTART* handling).  Delivers the first pending unblocked signal:
 * runs its default action (which may end the program) or builds a signal
 * frame on the user stack and points tf at the handler.
 */
void signal_return_to_user(struct trapframe *tf, bool in_syscall);

/* True when the current thread has a pending unblocked signal (a blocking
 * wait should stop). */
bool signal_pending(void);

#endif
