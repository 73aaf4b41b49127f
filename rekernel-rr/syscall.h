/*
 * System calls: the table, the entry from ring 3, and how a domain file
 * (sys_<domain>.c) contributes its calls.
 *
 * Each domain file defines a table of struct syscall_def and its length;
 * syscall.c gathers them into one array indexed by number at start-up
 * (two definitions of one number are a build bug and panic at boot).  A
 * number with no definition returns -ENOSYS and is logged once by name.
 */
#ifndef REKERNEL_SYSCALL_H
#define REKERNEL_SYSCALL_H

#include <stddef.h>
#include <stdint.h>

#define NSYSCALLS 512

struct trapframe; /* trap.h */

typedef int64_t (*syscall_fn)(uint64_t a0, uint64_t a1, uint64_t a2,
			      uint64_t a3, uint64_t a4, uint64_t a5);

/*
 * args describes each argument for --log=syscalls, one character per
 * argument, strace style:
 *   d signed decimal   u unsigned   x hex   p pointer   s user string
 *   f file descriptor  o open flags   m mode (octal)
 * An empty string is a call without arguments.
 */
struct syscall_def {
	uint16_t nr;
	const char *name;
	syscall_fn fn;
	const char *args;
};

/* fn may take fewer than six arguments (and int64_t or pointer-sized
 * ones): in the x86-64 calling convention the extra argument registers
 * are simply ignored.  The cast through void (*)(void) tells gcc's
 * -Wcast-function-type that this is deliberate. */
#define SYSCALL_DEF(nr, name, fn, args) \
	{ (nr), (name), (syscall_fn)(void (*)(void))(fn), (args) }

/* Defines a domain file's handler name with the six arguments of the
 * table's type, any of them unused. */
#define SYS(name)                                                                \
	static int64_t name(__attribute__((unused)) uint64_t a0,                  \
			    __attribute__((unused)) uint64_t a1,                  \
			    __attribute__((unused)) uint64_t a2,                  \
			    __attribute__((unused)) uint64_t a3,                  \
			    __attribute__((unused)) uint64_t a4,                  \
			    __attribute__((unused)) uint64_t a5)

/* The domain tables (one per sys_<domain>.c). */
extern const struct syscall_def sys_proc_defs[], sys_mem_defs[],
	sys_time_defs[], sys_file_defs[], sys_signal_defs[], sys_net_defs[];
extern const size_t sys_proc_ndefs, sys_mem_ndefs, sys_time_ndefs,
	sys_file_ndefs, sys_signal_ndefs, sys_net_ndefs;
/* Processes: fork.c (clone, fork, vfork), wait.c (wait4, waitid),
 * sys_exec.c (execve, execveat). */
extern const struct syscall_def sys_fork_defs[], sys_wait_defs[], sys_exec_defs[];
extern const size_t sys_fork_ndefs, sys_wait_ndefs, sys_exec_ndefs;

/* The name of system call nr, for logs ("syscall_NNN" when unknown). */
const char *syscall_name(uint64_t nr);

/* Builds the table and programs the SYSCALL MSRs. */
void syscall_init(void);

/* Called by the entry code with the user registers; the result goes to
 * tf->rax.  Then signals are checked before returning to ring 3.
 * (rt_sigreturn rewrites the whole frame and returns the rax it
 * restored, so the store changes nothing.) */
void syscall_dispatch(struct trapframe *tf);

#endif
