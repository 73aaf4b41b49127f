/*
 * The system calls that make, copy and close descriptors: open, openat,
 * creat, close, close_range, dup, dup2, dup3, pipe and pipe2.
 *
 * Descriptors and pipes are the guest's own; the file system is the
 * host's, reached through the file hypercalls with Linux's flags, modes
 * and errno values passed through, so for a host file the host's answer
 * is the program's.  This file does what the host cannot: the descriptor
 * table, the umask, *at() directory descriptors, and the argument checks
 * Linux makes before touching a file.
 */
#include "fs/file.h"
#include "fs/path.h"
#include "fs/pseudo.h"
#include "hv/hypercall.h"
#include "lib/string.h"
#include "lib/syscall.h"
#include "mm/kalloc.h"
#include "mm/uaccess.h"
#include "proc/proc.h"
#include "uapi/close_range.h"
#include "uapi/errno.h"


static int64_t do_openat(int dirfd, uint64_t upath, uint32_t flags, uint32_t mode)
{
	int64_t len = get_path(0, upath, false);
	if (len < 0)
		return len;
	/* Linux takes the descriptor before opening anything. */
	int fd = fd_find_free(0);
	if (fd < 0)
		return fd;
	/* /proc, /sys and our /dev entries: the guest's (pseudo.c). */
	struct pathres pr;
	int e = path_resolve(dirfd, pathbuf[0], !(flags & O_NOFOLLOW), &pr);
	if (e == -ENOENT && pr.parent_ok && (flags & O_CREAT))
		return pseudo_change_err();
	if (e < 0)
		return e;
	if (pr.kind != PATH_HOST) {
		struct file *sf;
		e = pseudo_open(&pr, flags, &sf);
		if (e < 0)
			return e;
		int r = fd_install(fd, sf, flags & O_CLOEXEC);
		file_put(sf);
		return r < 0 ? r : fd;
	}
	len = (int64_t)strlen(pathbuf[0]);
	int32_t dir;
	int err = at_dir(dirfd, pathbuf[0], &dir);
	if (err < 0)
		return err;

	struct rrv_hc_openat a;
	memset(&a, 0, sizeof(a));
	a.dir = dir;
	a.flags = flags & OPEN_HOST_FLAGS;
	/* The VMM runs with umask 0: the program's umask applies here, to
	 * what O_CREAT or O_TMPFILE creates. */
	if (flags & (O_CREAT | __O_TMPFILE))
		a.mode = mode & 07777 & ~curproc->umask;
	a.path = hc_path(0, len);
	int64_t h = hc_call(RRV_HC_OPENAT, &a);
	if (h < 0)
		return h;

	struct file *f = hostfile_new((int32_t)h, 0);
	if (!f) {
		host_close((int32_t)h);
		return -ENOMEM;
	}
	/* A directory opened by its absolute path keeps it, for the
	 * lookups relative to it that may reach /proc (pseudo.c). */
	if ((flags & O_DIRECTORY) && pathbuf[0][0] == '/' && (f->path = kmalloc((size_t)len + 1)))
		memcpy(f->path, pathbuf[0], (size_t)len + 1);
	int r = fd_install(fd, f, flags & O_CLOEXEC);
	file_put(f);
	return r < 0 ? r : fd;
}

SYSCALL_DEFINE3(open, "som", uint64_t, filename, uint32_t, flags, uint32_t, mode)
{
	return do_openat(AT_FDCWD, filename, flags, mode);
}

SYSCALL_DEFINE4(openat, "fsom", int, dfd, uint64_t, filename, uint32_t, flags,
		uint32_t, mode)
{
	return do_openat(dfd, filename, flags, mode);
}

SYSCALL_DEFINE2(creat, "sm", uint64_t, pathname, uint32_t, mode)
{
	return do_openat(AT_FDCWD, pathname, O_CREAT | O_WRONLY | O_TRUNC, mode);
}

SYSCALL_DEFINE1(close, "f", int, fd)
{
	return fd_close(fd);
}

/* One table per process, so UNSHARE has nothing to unshare. */
SYSCALL_DEFINE3(close_range, "uux", uint32_t, first, uint32_t, last, uint32_t, flags)
{
	if (flags & ~(uint32_t)(CLOSE_RANGE_UNSHARE | CLOSE_RANGE_CLOEXEC))
		return -EINVAL;
	if (first > last)
		return -EINVAL;
	if (last >= NOFILE)
		last = NOFILE - 1;
	for (uint32_t fd = first; fd <= last && fd < NOFILE; fd++) {
		if (!fd_file((int)fd))
			continue;
		if (flags & CLOSE_RANGE_CLOEXEC)
			fd_set_cloexec((int)fd, true);
		else
			fd_close((int)fd);
	}
	return 0;
}

SYSCALL_DEFINE1(dup, "f", int, fildes)
{
	struct file *f = fd_file(fildes);
	if (!f)
		return -EBADF;
	int fd = fd_find_free(0);
	if (fd < 0)
		return fd;
	int r = fd_install(fd, f, false);
	return r < 0 ? r : fd;
}

/* dup3's work once the arguments are checked. */
static int64_t do_dup3(int oldfd, uint32_t newfd, bool cloexec)
{
	if (newfd >= (uint32_t)fd_limit())
		return -EBADF;
	struct file *f = fd_file(oldfd);
	if (!f)
		return -EBADF;
	int r = fd_install((int)newfd, f, cloexec);
	return r < 0 ? r : (int64_t)newfd;
}

SYSCALL_DEFINE2(dup2, "ff", uint32_t, oldfd, uint32_t, newfd)
{
	if (oldfd == newfd)
		return fd_file((int)oldfd) ? (int64_t)newfd : -EBADF;
	return do_dup3((int)oldfd, newfd, false);
}

SYSCALL_DEFINE3(dup3, "ffo", uint32_t, oldfd, uint32_t, newfd, uint32_t, flags)
{
	if (flags & ~(uint32_t)O_CLOEXEC)
		return -EINVAL;
	if (oldfd == newfd)
		return -EINVAL;
	return do_dup3((int)oldfd, newfd, flags & O_CLOEXEC);
}

/* The read end gets the lower descriptor. */
SYSCALL_DEFINE2(pipe2, "po", uint64_t, fildes, uint32_t, flags)
{
	struct file *rd, *wr;

	if (flags & ~(uint32_t)(O_CLOEXEC | O_NONBLOCK | O_DIRECT))
		return -EINVAL;
	int fds[2];
	fds[0] = fd_find_free(0);
	if (fds[0] < 0)
		return fds[0];
	int r = pipe_create(flags, &rd, &wr);
	if (r < 0)
		return r;
	bool cloexec = flags & O_CLOEXEC;
	r = fd_install(fds[0], rd, cloexec);
	if (r == 0) {
		fds[1] = fd_find_free(0);
		r = fds[1] < 0 ? fds[1] : fd_install(fds[1], wr, cloexec);
		if (r < 0)
			fd_close(fds[0]);
	}
	file_put(rd);
	file_put(wr);
	if (r < 0)
		return r;
	if (copy_to_user(fildes, fds, sizeof(fds))) {
		fd_close(fds[0]);
		fd_close(fds[1]);
		return -EFAULT;
	}
	return 0;
}

SYSCALL_DEFINE1(pipe, "p", uint64_t, fildes)
{
	return sys_pipe2(fildes, 0);
}
