/*
 * Host paths a guest names: the one check every path-taking hypercall
 * goes through before the VMM touches the host's file system.
 *
 * The rule (docs/hypercalls.md, "Which host files a guest may reach"):
 * the guest's /proc, /sys and /dev are the guest kernel's own, so the VMM
 * never gives a guest the host's.  A path is refused, with -ENOENT, when
 * the object it resolves to
 *   - lies on procfs, sysfs or another kernel file system (devpts,
 *     cgroup, debugfs, tracefs, securityfs, bpf, pstore, efivarfs,
 *     selinuxfs, configfs, binfmt_misc, nsfs, ...),
 *   - is a character or block device other than /dev/null, zero, full,
 *     random, urandom, tty and the terminal rrv's stdio is on (told apart
 *     by their device numbers, so a copy made with mknod elsewhere is the
 *     same device),
 *   - or is named, once resolved, /proc/..., /sys/... or /dev/... (its
 *     canonical path), except the devices above, the POSIX shared memory
 *     of /dev/shm, and the directory /dev itself when it is only looked
 *     at (stat, readlink, chdir; never opened, so never listed),
 * or when resolving it goes through a "magic link" (/proc/PID/fd/N,
 * exe, cwd, root: the links that jump to an object instead of naming a
 * path); the kernel resolves paths for the check itself (openat2 with
 * RESOLVE_NO_MAGICLINKS), so "..", "//", relative paths from any handle
 * and ordinary symbolic links lead where the host call would go.
 *
 * The VMM answers one hypercall at a time and no guest code runs between
 * the check and the host call that follows it, so checking a path and
 * then using it is sound against the guest.  It is not a defence against
 * other host processes changing the file system under rrv.
 */
#ifndef RRV_VMM_HOSTPATH_H
#define RRV_VMM_HOSTPATH_H

#include <sys/types.h>

/* How hostpath_check() treats the path. */
#define HOSTPATH_FOLLOW 1u /* follow a symbolic link in the last component */
#define HOSTPATH_CREATE 2u /* the object may be missing (the call makes it):
			    * then the directory it would go in is checked,
			    * through a dangling link's target if need be */
#define HOSTPATH_OPEN 4u   /* the object is to be opened for I/O, not only
			    * looked at */

/*
 * Whether the guest may reach path, relative to the host descriptor dir
 * (or AT_FDCWD), resolved as how says: 0, or -ENOENT for a refused
 * object, or the -errno resolving it gave (a missing file is -ENOENT
 * either way).  An empty path names dir itself, which was checked when
 * the guest opened it (or is the working directory or rrv's stdio): 0.
 */
int hostpath_check(int dir, const char *path, unsigned how);

/* Whether the object behind the host descriptor fd (an O_PATH one or
 * not) is one the guest may reach: 0 or -ENOENT (or -errno when it
 * cannot be examined). */
int hostpath_check_fd(int fd, unsigned how);

/* The HOSTPATH_* that an openat() with these flags needs. */
unsigned hostpath_open_how(int flags);

/* A descriptor just opened at a checked path, checked again on the file
 * it opened: fd, or -ENOENT (fd closed). */
int hostpath_opened(int fd, unsigned how);

/* The path of an AF_UNIX address for connect (create 0) or bind (1),
 * checked; every other address, and abstract or unnamed ones, 0. */
int hostpath_check_sockaddr(const void *addr, size_t len, int create);

#endif
