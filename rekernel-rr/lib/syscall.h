/*
 * How a system call handler is defined, and the names of calls.
 *
 * Every handler is defined one way, with typed arguments:
 *
 *	SYSCALL_DEFINE3(read, "fpu", int, fd, uint64_t, buf, uint64_t, count)
 *	{
 *		...
 *	}
 *
 * defines the handler of SYS_read (the number comes from the one generated
 * list, uapi/unistd.h; no handler names its number) and registers it in
 * the section that kernel/syscall.c turns into the dispatch table at boot.
 * Two handlers of one number are a build bug and panic at boot.  A number
 * with no handler returns -ENOSYS and is logged once by name.
 *
 * The argument registers (rdi, rsi, rdx, r10, r8, r9) are converted to the
 * declared types, as Linux does: an int argument is the low 32 bits of its
 * register.  A user pointer is declared uint64_t and reaches user memory
 * only through mm/uaccess.h.
 *
 * The format string says how --log=syscalls prints each argument, one
 * character per argument, strace style:
 *   d signed decimal   u unsigned   x hex   p pointer   s user string
 *   f file descriptor  o open flags   m mode (octal)
 *
 * SYSCALL_ALIAS(name, handler, fmt) registers SYS_name with the handler
 * already defined for SYS_handler, for calls that behave the same (the
 * xattr calls on a path and on a link, for instance).
 */
#ifndef REKERNEL_LIB_SYSCALL_H
#define REKERNEL_LIB_SYSCALL_H

#include <stddef.h>
#include <stdint.h>

#include "uapi/unistd.h"

/* The raw entry: the six argument registers. */
typedef int64_t (*syscall_fn)(const uint64_t *a);

struct syscall_def {
	uint32_t nr;
	syscall_fn fn;
	const char *args; /* --log=syscalls formats, at most six */
};

/* The definitions, in the order the linker put them (arch/x86/kernel.ld). */
extern const struct syscall_def __syscall_defs_start[], __syscall_defs_end[];

#define SYSCALL_SECTION_ \
	__attribute__((used, section(".rodata.syscall_defs"), aligned(8)))

#define SYSCALL_REGISTER_(name, entry, fmt)                                     \
	static const struct syscall_def syscall_def_##name SYSCALL_SECTION_ = { \
		SYS_##name, entry, fmt                                          \
	}

/* Argument i of the raw entry, converted to type t. */
#define SYSCALL_ARG_(t, i) ((t)(uintptr_t)a[i])

#define SYSCALL_BODY_(name, fmt, params, call)                              \
	static int64_t sys_##name params;                                   \
	static int64_t sys_##name##_entry(const uint64_t *a)                \
	{                                                                   \
		(void)a;                                                    \
		return sys_##name call;                                     \
	}                                                                   \
	SYSCALL_REGISTER_(name, sys_##name##_entry, fmt);                   \
	static int64_t sys_##name params

#define SYSCALL_DEFINE0(name, fmt) SYSCALL_BODY_(name, fmt, (void), ())
#define SYSCALL_DEFINE1(name, fmt, t0, a0) \
	SYSCALL_BODY_(name, fmt, (t0 a0), (SYSCALL_ARG_(t0, 0)))
#define SYSCALL_DEFINE2(name, fmt, t0, a0, t1, a1)      \
	SYSCALL_BODY_(name, fmt, (t0 a0, t1 a1),        \
		      (SYSCALL_ARG_(t0, 0), SYSCALL_ARG_(t1, 1)))
#define SYSCALL_DEFINE3(name, fmt, t0, a0, t1, a1, t2, a2)                \
	SYSCALL_BODY_(name, fmt, (t0 a0, t1 a1, t2 a2),                   \
		      (SYSCALL_ARG_(t0, 0), SYSCALL_ARG_(t1, 1), SYSCALL_ARG_(t2, 2)))
#define SYSCALL_DEFINE4(name, fmt, t0, a0, t1, a1, t2, a2, t3, a3)         \
	SYSCALL_BODY_(name, fmt, (t0 a0, t1 a1, t2 a2, t3 a3),             \
		      (SYSCALL_ARG_(t0, 0), SYSCALL_ARG_(t1, 1), SYSCALL_ARG_(t2, 2), \
		       SYSCALL_ARG_(t3, 3)))
#define SYSCALL_DEFINE5(name, fmt, t0, a0, t1, a1, t2, a2, t3, a3, t4, a4) \
	SYSCALL_BODY_(name, fmt, (t0 a0, t1 a1, t2 a2, t3 a3, t4 a4),      \
		      (SYSCALL_ARG_(t0, 0), SYSCALL_ARG_(t1, 1), SYSCALL_ARG_(t2, 2), \
		       SYSCALL_ARG_(t3, 3), SYSCALL_ARG_(t4, 4)))
#define SYSCALL_DEFINE6(name, fmt, t0, a0, t1, a1, t2, a2, t3, a3, t4, a4, t5, a5) \
	SYSCALL_BODY_(name, fmt, (t0 a0, t1 a1, t2 a2, t3 a3, t4 a4, t5 a5),      \
		      (SYSCALL_ARG_(t0, 0), SYSCALL_ARG_(t1, 1), SYSCALL_ARG_(t2, 2),  \
		       SYSCALL_ARG_(t3, 3), SYSCALL_ARG_(t4, 4), SYSCALL_ARG_(t5, 5)))

#define SYSCALL_ALIAS(name, handler, fmt) \
	SYSCALL_REGISTER_(name, sys_##handler##_entry, fmt)

/* The name of system call nr, for logs ("syscall_NNN" when unknown). */
const char *syscall_name(uint64_t nr);

#endif
