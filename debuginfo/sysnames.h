/* Names of Linux x86-64 system calls, for reports. */
#ifndef RRV_DEBUGINFO_SYSNAMES_H
#define RRV_DEBUGINFO_SYSNAMES_H

#include <stdint.h>

/* The name of x86-64 system call nr ("write"), or NULL when the generated
 * list (<rrv/syscall_list.h>) does not know the number (never "unknown":
 * the caller says that in its own words). */
const char *syscall_name(uint64_t nr);

#endif
