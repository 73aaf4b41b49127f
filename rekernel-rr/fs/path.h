/*
 * What the file system calls (fs/sys_*.c) share: the path buffers, the
 * copy of a user path into one, the host directory an *at() call resolves
 * from, and the one-handle host operations.  Implemented in path.c.
 *
 * Paths and host-filled buffers live in the kernel image, which is
 * physically contiguous, so each is one (gpa, len) for the VMM.  Static
 * is safe: one vCPU, interrupts off, and no call sleeps while holding one
 * (only pipe operations and poll sleep, and they use none of these).
 */
#ifndef REKERNEL_FS_PATH_H
#define REKERNEL_FS_PATH_H

#include <stdbool.h>
#include <stdint.h>
#include <rrv/hypercall.h>

#include "arch/x86/vm.h"
#include "fs/file.h"

extern char pathbuf[2][PATH_MAX];
extern char namebuf[PATH_MAX]; /* readlink, getcwd */

/*
 * Copies the user's path into pathbuf[i]: its length, or -EFAULT,
 * -ENAMETOOLONG, or -ENOENT for an empty path unless empty_ok (the call
 * has AT_EMPTY_PATH; then a NULL pointer is an empty path too, as in
 * Linux 6.11).
 */
int64_t get_path(int i, uint64_t upath, bool empty_ok);

/* pathbuf[i], len bytes of it, as the VMM takes a path. */
static inline struct rrv_hc_path hc_path(int i, int64_t len)
{
	struct rrv_hc_path p = { virt_to_phys(pathbuf[i]), (uint64_t)len };
	return p;
}

/*
 * The host directory an *at() call resolves path from, into *dir:
 * RRV_HC_AT_CWD (itself negative) for an absolute path (Linux ignores
 * dirfd then, even a bad one), the process's working directory for
 * AT_FDCWD, else the handle of the host file dirfd names.  0, or -EBADF
 * for a closed descriptor, -ENOTDIR for a pipe.
 */
int at_dir(int dirfd, const char *path, int32_t *dir);

/* UNLINKAT, MKDIRAT, ACCESSAT, CHMODAT on pathbuf[0]. */
int64_t pathop(unsigned nr, int dirfd, int64_t len, uint32_t flags, uint32_t mode);

/* Closes a host handle the guest holds no file for. */
int64_t host_close(int32_t handle);

/* A host file operation on one handle (TRUNCATE, FSYNC). */
int64_t fileop(unsigned nr, int32_t handle, uint64_t arg);

/* The open file behind fd if it is a host file: NULL and *err -EBADF for
 * a closed descriptor, or *err = other_err for a pipe. */
struct file *host_file(int fd, int64_t other_err, int64_t *err);

#endif
