/*
 * Signals: delivery, default actions, and the entry points the rest of the
 * kernel calls.  Implemented in signal.c; the system calls are in
 * sys_signal.c.  Numbers, flags and frame layouts are Linux x86-64's.
 */
#ifndef REKERNEL_SIGNAL_H
#define REKERNEL_SIGNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "proc/proc.h"
#include "uapi/signal.h"

/* The sa_flags rt_sigaction keeps (uapi/signal.h).  Any other bit is
 * dropped, as Linux does, so that a program can probe for a flag by
 * reading it back. */
#define SA_KNOWN_FLAGS (SA_NOCLDSTOP | SA_NOCLDWAIT | SA_SIGINFO | \
			SA_EXPOSE_TAGBITS | SA_RESTORER | SA_ONSTACK | \
			SA_RESTART | SA_NODEFER | SA_RESETHAND)

/* Signals no program can catch, ignore or block. */
#define SIG_UNBLOCKABLE (SIGBIT(SIGKILL) | SIGBIT(SIGSTOP))

/*
 * What Linux x86-64 reports for each ring-3 exception (arch/x86/kernel/
 * traps.c and fault.c), for trap.c's calls to signal_fault:
 *   #DE      SIGFPE  FPE_INTDIV   addr = rip of the divide
 *   #UD      SIGILL  ILL_ILLOPN   addr = rip
 *   #BP      SIGTRAP SI_KERNEL    addr 0 (rip is after the int3)
 *   #DB      SIGTRAP TRAP_BRKPT or TRAP_TRACE, addr = rip
 *   #GP #SS  SIGSEGV SI_KERNEL    addr 0
 *   #PF      SIGSEGV SEGV_MAPERR (not present) or SEGV_ACCERR, addr = cr2;
 *            SIGBUS BUS_ADRERR for an access beyond a file mapping's end
 *   #AC      SIGBUS  BUS_ADRALN   addr 0
 *   #MF #XM  SIGFPE  FPE_* from the status word / MXCSR, addr = rip
 */

/* Initial state: all default actions, nothing blocked or pending. */
void signal_init(struct proc *p, struct thread *t);

/*
 * Queues signal info->signo for thread t (thread-directed) or for its
 * process (to_process true).  A second instance of a pending standard
 * signal is dropped, as in Linux; real-time signals queue every instance.
 * Returns 0, or -EAGAIN when a real-time signal sent with a code other
 * than SI_USER finds the queue full (sigqueue's error), or -EINVAL for a
 * number outside 1..64.  Callers other than the sigqueue calls may
 * ignore the result.
 */
int signal_send(struct thread *t, const struct k_siginfo *info, bool to_process);

/* SIGPIPE for a write with no reader left (a pipe, a socket): Linux sends
 * it to the writing thread itself, as SI_USER. */
void signal_send_sigpipe(void);

/* Drops every signal pending for t (when t is not NULL) and for p (when
 * p is not NULL), freeing their queued instances: a thread or process
 * going away. */
void signal_drop_pending(struct thread *t, struct proc *p);

/* Wakes the thread that will take sig, once it is queued (signal.c). */
void signal_wake_target(struct thread *t, int sig, bool to_process);

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
 *
 * The return to ring 3 must then load every register from tf, rip, rsp,
 * rflags, rcx and r11 included (iretq): a handler's entry, a restarted
 * system call (rip moved back over the syscall instruction, rax = the
 * call's number) and rt_sigreturn all change them.  The user FPU state
 * must be live in the registers when this is called.
 */
void signal_return_to_user(struct trapframe *tf, bool in_syscall);

/*
 * Signals to rrv (docs/signals.md, "Signals to rrv").  signal_host_poll,
 * at a safe point: when guest_state.host_signal is set, takes the signal
 * with a HOSTSIG call (mode POLL) and sends it to the foreground process
 * group.  signal_host_deliver sends one HOSTSIG answer there.
 * signal_host_wait, from the scheduler when nothing can run and no wait
 * has a deadline: if some thread waits for a signal, waits for a signal
 * to rrv (mode WAIT) and returns true; false when that cannot end the
 * wait either (a deadlock).
 */
void signal_host_poll(void);
void signal_host_deliver(int64_t sig);
bool signal_host_wait(void);

/* True when the current thread has a pending unblocked signal (a blocking
 * wait should stop). */
bool signal_pending(void);

/*
 * On execve: handlers go back to SIG_DFL (ignored signals stay ignored),
 * the alternate stack is dropped; the mask and pending signals survive, as
 * POSIX and Linux have it.
 */
void signal_exec(struct proc *p, struct thread *t);

/* --- For sys_signal.c --- */

struct trapframe;

/* Sets the current thread's mask (SIGKILL and SIGSTOP stay unblocked). */
void signal_set_mask(sigset_k mask);

/* True when action handler/sig means the signal is discarded (SIG_IGN,
 * or SIG_DFL for a signal whose default is to ignore or to stop). */
bool signal_is_ignored(int sig, uint64_t handler);

/* Drops any pending instance of sig, thread- and process-directed (a
 * signal becoming ignored is discarded, as POSIX requires). */
void signal_flush(int sig);

/* Takes the first pending signal in set (whatever the mask says) off the
 * current thread's queues into *info; returns its number or 0. */
int signal_dequeue(sigset_k set, struct k_siginfo *info);

/* Writes info as a 128-byte siginfo_t at user address uaddr.
 * Returns 0 or -EFAULT. */
int signal_copy_siginfo_to_user(uint64_t uaddr, const struct k_siginfo *info);

/* sigaltstack for the current thread, with sp its user stack pointer:
 * ss (new settings) and oss (old ones) may each be NULL.  Returns 0,
 * -EPERM, -EINVAL or -ENOMEM. */
int signal_altstack(const struct k_stack *ss, struct k_stack *oss, uint64_t sp);

/* rt_sigreturn: restores the registers, FPU state, mask and alternate
 * stack saved in the frame at tf->rsp - 8.  Returns the value rax must
 * keep (the restored rax); a bad frame forces SIGSEGV. */
int64_t signal_sigreturn(struct trapframe *tf);

#endif
