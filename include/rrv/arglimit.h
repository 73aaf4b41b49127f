/*
 * Linux's limits on the arguments and environment of an exec, shared by the
 * host (tools/, which refuses an argv too long before it builds a VM, as
 * execve would) and the guest kernel (rekernel-rr/fs/exec.c, which checks
 * every exec, the first one included).  One rule, so that rrv and its guest
 * never disagree about a command line.
 *
 * The rule is fs/exec.c's: the strings (the file name, every argument and
 * environment string, each with its NUL) and one pointer per argument
 * (at least one) and environment string must fit in a quarter of the stack
 * limit, but never in more than 3/4 of _STK_LIM (6 MiB) nor in less than
 * ARG_MAX (128 KiB); each string may be at most MAX_ARG_STRLEN (32 pages),
 * NUL included.  Freestanding C.
 */
#ifndef RRV_ARGLIMIT_H
#define RRV_ARGLIMIT_H

#include <stdint.h>

#define RRV_MAX_ARG_STRLEN (32u * 4096u)   /* MAX_ARG_STRLEN */
#define RRV_ARG_MAX_FLOOR (32u * 4096u)    /* ARG_MAX, the least ever allowed */
#define RRV_STK_LIM (8ull << 20)           /* _STK_LIM */
#define RRV_ARG_MAX_CEIL (RRV_STK_LIM / 4 * 3)

/* The BOOT strings: the kernel command line and the program's path (each
 * well under 8 KiB: rrv's own, PATH_MAX) before the most argv and envp
 * Linux accepts. */
#define RRV_BOOT_STRINGS_MAX (RRV_ARG_MAX_CEIL + 8192u)

/* An RLIMIT_STACK value in BOOT's KiB (struct rrv_hc_boot, stack_kib),
 * and back; unlimited or beyond 4 TiB is RRV_STACK_KIB_INFINITY.  The
 * host checks arguments against the value as it travels, so that host
 * and guest agree to the byte. */
static inline uint32_t rrv_stack_to_kib(uint64_t bytes)
{
	return bytes / 1024 >= 0xffffffffull ? 0xffffffffu : (uint32_t)(bytes / 1024);
}

static inline uint64_t rrv_stack_from_kib(uint32_t kib)
{
	return kib == 0xffffffffu ? ~0ull : (uint64_t)kib * 1024;
}

/* Bytes for strings and pointers with this RLIMIT_STACK soft limit. */
static inline uint64_t rrv_arg_limit(uint64_t stack_cur)
{
	uint64_t limit = RRV_ARG_MAX_CEIL;
	if (stack_cur / 4 < limit)
		limit = stack_cur / 4;
	return limit < RRV_ARG_MAX_FLOOR ? RRV_ARG_MAX_FLOOR : limit;
}

/* Nonzero when argc arguments and envc environment strings of
 * string_bytes in all (the file name included, NULs included) fit. */
static inline int rrv_args_fit(uint64_t stack_cur, uint64_t argc, uint64_t envc,
			       uint64_t string_bytes)
{
	uint64_t ptrs = ((argc ? argc : 1) + envc) * 8;
	uint64_t limit = rrv_arg_limit(stack_cur);
	return ptrs < limit && string_bytes <= limit - ptrs;
}

#endif
