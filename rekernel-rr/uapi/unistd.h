/*
 * The x86-64 system call numbers, SYS_<name>, from the one generated list
 * (tools/gen-syscalls.sh reads the system's <asm/unistd_64.h>), for the few
 * places that single out a call.  Handlers never name their own number:
 * SYSCALL_DEFINE (lib/syscall.h) takes it from the same list.
 */
#ifndef REKERNEL_UAPI_UNISTD_H
#define REKERNEL_UAPI_UNISTD_H

#include <rrv/syscall_list.h>

#define REKERNEL_SYSNUM_ENUM(nr, name) SYS_##name = (nr),
enum sysnum { RRV_SYSCALL_LIST(REKERNEL_SYSNUM_ENUM) };
#undef REKERNEL_SYSNUM_ENUM

#define NSYSCALLS RRV_SYSCALL_NR_MAX

#endif
