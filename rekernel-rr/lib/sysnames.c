/*
 * The names of system calls, for logs, the ENOSYS notice and the deadlock
 * report, from the one generated list (uapi/unistd.h).
 */
#include "lib/kprintf.h"
#include "lib/syscall.h"
#include "uapi/unistd.h"

static const char *const names[] = {
#define REKERNEL_SYSNAME(nr, name) [nr] = #name,
	RRV_SYSCALL_LIST(REKERNEL_SYSNAME)
#undef REKERNEL_SYSNAME
};

const char *syscall_name(uint64_t nr)
{
	/* One buffer: callers print the name at once, one at a time. */
	static char unknown[24];

	if (nr < sizeof(names) / sizeof(names[0]) && names[nr])
		return names[nr];
	ksnprintf(unknown, sizeof(unknown), "syscall_%lu", nr);
	return unknown;
}
