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

/* The open(2) flags the VMM accepts; other bits are dropped, as open(2)
 * ignores unknown flags (O_ASYNC included: no SIGIO here).  O_CLOEXEC
 * belongs to the descriptor, and the VMM adds its own.  O_LARGEFILE (musl
 * always sets it) is implied for a 64-bit host process, and the VMM,
 * built where the macro is 0, refuses the bit. */
#define OPEN_HOST_FLAGS                                                      \
	(O_ACCMODE | O_CREAT | O_EXCL | O_TRUNC | O_APPEND | O_NONBLOCK |     \
	 O_DIRECTORY | O_NOFOLLOW | O_PATH | O_DSYNC | O_SYNC | O_NOATIME |    \
	 O_TMPFILE | O_DIRECT | O_NOCTTY)

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

/*
 * For a call that changes what pathbuf[0] (len bytes, relative to dirfd)
 * names: the error when that is one of the guest's (/proc, /sys...,
 * fs/pseudo.h), or when resolving it failed; 0 when it is the host's,
 * with pathbuf[0] and *len as the host must get them.  An empty path is
 * the host's here.
 */
int64_t pseudo_refuse(int dirfd, bool follow, int64_t *len);

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
