/*
 * TRANSITIONAL: the two old-style tables of fs/, both empty now that
 * every file system call is defined with SYSCALL_DEFINE.  They exist only
 * because kernel/syscall.c still reads them through add_legacy; delete
 * this file together with those two add_legacy calls (and the extern of
 * sys_file_defs there, and of sys_special_defs in fs/special.h).
 */
#include "fs/special.h"
#include "lib/syscall.h"

const struct syscall_def sys_file_defs[] = {};
const size_t sys_file_ndefs = 0;

const struct syscall_def sys_special_defs[] = {};
const size_t sys_special_ndefs = 0;
