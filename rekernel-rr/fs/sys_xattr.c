/*
 * The extended-attribute system calls: getxattr, lgetxattr, fgetxattr,
 * listxattr, llistxattr, flistxattr, setxattr and lsetxattr.
 *
 * The program sees files without extended attributes: no SELinux label,
 * no ACL, no capability, which is what ls, cp and tar ask about.  Getting
 * one answers ENODATA (as for a file that has none), listing gives an
 * empty list, and setting one is not supported.  The other calls of the
 * family are not implemented (ENOSYS).
 */
#include "fs/file.h"
#include "lib/syscall.h"
#include "uapi/errno.h"

SYSCALL_DEFINE4(getxattr, "ssxu", uint64_t, pathname, uint64_t, name, uint64_t, value,
		uint64_t, size)
{
	(void)pathname, (void)name, (void)value, (void)size;
	return -ENODATA;
}
SYSCALL_ALIAS(lgetxattr, getxattr, "ssxu");

SYSCALL_DEFINE4(fgetxattr, "fsxu", int, fd, uint64_t, name, uint64_t, value,
		uint64_t, size)
{
	(void)name, (void)value, (void)size;
	return fd_file(fd) ? -ENODATA : -EBADF;
}

SYSCALL_DEFINE3(listxattr, "sxu", uint64_t, pathname, uint64_t, list, uint64_t, size)
{
	(void)pathname, (void)list, (void)size;
	return 0;
}
SYSCALL_ALIAS(llistxattr, listxattr, "sxu");

SYSCALL_DEFINE3(flistxattr, "fxu", int, fd, uint64_t, list, uint64_t, size)
{
	(void)list, (void)size;
	return fd_file(fd) ? 0 : -EBADF;
}

SYSCALL_DEFINE5(setxattr, "ssxux", uint64_t, pathname, uint64_t, name, uint64_t, value,
		uint64_t, size, int, flags)
{
	(void)pathname, (void)name, (void)value, (void)size, (void)flags;
	return -EOPNOTSUPP;
}
SYSCALL_ALIAS(lsetxattr, setxattr, "ssxux");
