/*
 * What the guest kernel does for rrv debug (ABI v9, docs/debugging.md,
 * "How the guest helps"; docs/guest-kernel.md, "rrv debug").  All of it
 * happens only while guest_state.debug.on is set, which only rrv debug's
 * VMM sets, right after BOOT: a recording, a run and a plain replay make
 * no DEBUG call and load no debug register of the debugger's, and no
 * function below changes anything the program or the trace sees.
 *
 *  - The thread table (guest_state.threads), rewritten from the process
 *    list before every DEBUG call and every return to ring 3.
 *  - Watchpoints in DR1-DR3 for the threads of debug.pid, loaded on
 *    every return to ring 3 and cleared on every entry to the kernel
 *    (a data breakpoint fires in any ring: the kernel's own accesses to
 *    user memory must not hit it).
 *  - The DEBUG events: WATCH, SIGNAL, EXEC, EXIT, FORK, THREAD,
 *    USER_RETURN (include/rrv/hypercall.h).
 */
#ifndef REKERNEL_PROC_DEBUGGER_H
#define REKERNEL_PROC_DEBUGGER_H

#include <stdbool.h>
#include <stdint.h>

struct trapframe;
struct k_siginfo;

/* Every entry from ring 3 (trap.c, syscall.c), first thing: takes the
 * debugger's watchpoints out of DR7. */
void dbg_kernel_enter(void);

/* trapret (vectors.S), after preempt_user_return, just before ring 3
 * resumes tf: the table, USER_RETURN, and the watchpoints of the thread
 * about to run. */
void dbg_user_return(struct trapframe *tf);

/* A #DB from ring 3 with dr6 (already taken): true when some of B1-B3
 * are watchpoints this thread had loaded, after the WATCH call; the
 * caller then lets the other bits (B0, BS) go where they always go. */
bool dbg_watch_hit(struct trapframe *tf, uint64_t dr6);

/* A #DB in ring 0 (trap.c): true when it was a debugger watchpoint
 * that fired there anyway (registers the debugger set itself, say):
 * the watchpoints are taken out and the kernel goes on. */
bool dbg_kernel_db(void);

/* A ring-3 fault is about to generate signo (signal_fault), tf at the
 * faulting instruction: SIGNAL, once (its delivery is not reported
 * again).  True when the debugger took the fault: no signal, the thread
 * resumes at tf as the debugger left it. */
bool dbg_fault_signal(struct trapframe *tf, int signo, int code, uint64_t addr);

/* signal_return_to_user is about to act on info's signal for the
 * current thread, tf the frame it interrupts: SIGNAL. */
void dbg_deliver_signal(struct trapframe *tf, const struct k_siginfo *info);

/* The current thread's execve succeeded (or the first program was
 * loaded) and tf is its entry frame; at_entry the program's AT_ENTRY. */
void dbg_exec(struct trapframe *tf, uint64_t at_entry);

/* A ring-3 int3 (dr6 0, tf past it) or single-step #DB (dr6 with BS)
 * that no one else took: true when it was the debugger's (BREAKPOINT
 * answered 1, tf already as ring 3 must resume): no signal.  False: the
 * program's own. */
bool dbg_breakpoint(struct trapframe *tf, uint64_t dr6);

/* The current process is exiting with wait status status, its memory
 * still mapped. */
void dbg_exit(int status);

/* The current process forked child pid (before either runs on), or
 * created thread tid. */
void dbg_fork(int child);
void dbg_thread(int tid);

#endif
