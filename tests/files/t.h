/*
 * Helpers for the file tests (the programs beside this file).  Each
 * program prints one line per system call it makes, "expr = value" or
 * "expr = -1 ENAME", and run.sh compares the output of a native run with that of `rrv run`.  So
 * nothing printed may vary between runs: no inode numbers, times, pids or
 * addresses.
 */
#ifndef FILES_T_H
#define FILES_T_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Symbolic errno names: strerror() texts differ between glibc and musl. */
static __attribute__((unused)) const char *ename(int e)
{
	static const struct {
		int e;
		const char *name;
	} names[] = {
		{ EPERM, "EPERM" },   { ENOENT, "ENOENT" },   { EINTR, "EINTR" },
		{ EIO, "EIO" },       { ENXIO, "ENXIO" },     { EBADF, "EBADF" },
		{ EAGAIN, "EAGAIN" }, { ENOMEM, "ENOMEM" },   { EACCES, "EACCES" },
		{ EFAULT, "EFAULT" }, { EBUSY, "EBUSY" },     { EEXIST, "EEXIST" },
		{ EXDEV, "EXDEV" },   { ENOTDIR, "ENOTDIR" }, { EISDIR, "EISDIR" },
		{ EINVAL, "EINVAL" }, { EMFILE, "EMFILE" },   { ENOTTY, "ENOTTY" },
		{ EFBIG, "EFBIG" },   { ENOSPC, "ENOSPC" },   { ESPIPE, "ESPIPE" },
		{ EROFS, "EROFS" },   { EPIPE, "EPIPE" },     { ERANGE, "ERANGE" },
		{ ENAMETOOLONG, "ENAMETOOLONG" },             { ENOSYS, "ENOSYS" },
		{ ENOTEMPTY, "ENOTEMPTY" },                   { ELOOP, "ELOOP" },
		{ EOPNOTSUPP, "EOPNOTSUPP" },                 { EOVERFLOW, "EOVERFLOW" },
	};
	static char buf[16];

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].e == e)
			return names[i].name;
	snprintf(buf, sizeof(buf), "E%d", e);
	return buf;
}

/* Prints "what = result", with the errno name for -1. */
static __attribute__((unused)) long show(const char *what, long r)
{
	if (r == -1)
		printf("%s = -1 %s\n", what, ename(errno));
	else
		printf("%s = %ld\n", what, r);
	fflush(stdout);
	return r;
}

#define SHOW(expr) (errno = 0, show(#expr, (long)(expr)))

/* FNV-1a, to print a checksum instead of data. */
static __attribute__((unused)) unsigned long long fnv(const void *p, size_t n)
{
	const unsigned char *b = p;
	unsigned long long h = 1469598103934665603ull;

	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 1099511628211ull;
	return h;
}

/* Closes whatever the caller inherited beyond 0-2 (a native run may get
 * a harness's descriptors; rrv passes none), so numbering starts at 3. */
static __attribute__((unused)) void only_stdio(void)
{
	syscall(SYS_close_range, 3, ~0u, 0);
}

#endif
