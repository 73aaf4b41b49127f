/*
 * The names of x86-64 system calls, from the one generated list
 * (tools/gen-syscalls.sh, from the build machine's <asm/unistd_64.h>): the
 * guest kernel's dispatch and these names never disagree, and no number or
 * name is typed by hand.  A number newer than those headers has no name.
 */
#include "sysnames.h"

#include <stddef.h>

#include <rrv/syscall_list.h>

#define SYSCALL_NAME(nr, name) [nr] = #name,
static const char *const names[RRV_SYSCALL_NR_MAX] = {
	RRV_SYSCALL_LIST(SYSCALL_NAME)
};
#undef SYSCALL_NAME

const char *syscall_name(uint64_t nr)
{
	/* The gaps (335..423) are NULL, like numbers past the end. */
	if (nr >= RRV_SYSCALL_NR_MAX)
		return NULL;
	return names[nr];
}
