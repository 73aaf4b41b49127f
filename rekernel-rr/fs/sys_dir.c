/*
 * The system calls on directories as such: getdents and getdents64 (the
 * host's listing, or one of pseudo.c's directories), getcwd, chdir and
 * fchdir (the process's working directory: a host handle, or a directory
 * of ours), mkdir and
 * mkdirat.  Removing and renaming entries is in sys_link.c.
 */
#include "arch/x86/vm.h"
#include "fs/file.h"
#include "fs/path.h"
#include "fs/pseudo.h"
#include "hv/hypercall.h"
#include "lib/string.h"
#include "lib/syscall.h"
#include "mm/kalloc.h"
#include "mm/uaccess.h"
#include "proc/proc.h"
#include "uapi/errno.h"

/* Host-filled, in the kernel image as path.h says of the path buffers. */
#define DENTS_MAX 65536
static uint8_t dentsbuf[DENTS_MAX] __attribute__((aligned(8)));

/* ---- listings ---- */

/*
 * Fills dentsbuf with linux_dirent64 records for the user's buffer at
 * ubuf: the bytes used, or -errno.  At most DENTS_MAX bytes a call: a
 * larger buffer just gets fewer entries, and callers loop anyway.
 */
static int64_t dents(int fd, uint64_t ubuf, uint64_t count)
{
	int64_t err;
	struct file *f = fd_file(fd);
	if (!f)
		return -EBADF;
	if (count > DENTS_MAX)
		count = DENTS_MAX;
	/* Fault the user's buffer in before entries are consumed, so that
	 * the copy out cannot fail and lose them; a buffer cut short by an
	 * unmapped page asks for fewer. */
	struct rrv_hc_iovec iov[RRV_HC_IOV_MAX];
	unsigned cnt;
	if (count > 0) {
		int64_t covered = user_iovecs(ubuf, count, true, iov, RRV_HC_IOV_MAX, &cnt);
		if (covered < 0)
			return -EFAULT;
		count = (uint64_t)covered;
	}
	int64_t sn = pseudo_getdents(f, dentsbuf, count);
	if (sn != 0)
		return sn < 0 ? sn : sn - 1;
	f = host_file(fd, -ENOTDIR, &err);
	if (!f)
		return err;

	struct rrv_hc_getdents a;
	memset(&a, 0, sizeof(a));
	a.handle = (uint32_t)f->handle;
	a.buf = virt_to_phys(dentsbuf);
	a.len = count;
	return hc_call(RRV_HC_GETDENTS, &a);
}

SYSCALL_DEFINE3(getdents64, "fpu", int, fd, uint64_t, dirent, uint32_t, count)
{
	int64_t n = dents(fd, dirent, count);
	if (n > 0 && copy_to_user(dirent, dentsbuf, (size_t)n))
		return -EFAULT;
	return n;
}

/*
 * The old struct linux_dirent has the same header and the same record
 * sizes as linux_dirent64, with d_type moved from before the name to the
 * record's last byte; converted in place.
 */
SYSCALL_DEFINE3(getdents, "fpu", int, fd, uint64_t, dirent, uint32_t, count)
{
	int64_t n = dents(fd, dirent, count);
	for (int64_t off = 0; off < n;) {
		uint8_t *d = dentsbuf + off;
		uint16_t reclen;
		memcpy(&reclen, d + 16, sizeof(reclen));
		uint8_t type = d[18];
		size_t namelen = strnlen((char *)d + 19, reclen - 19u);
		memmove(d + 18, d + 19, namelen);
		d[18 + namelen] = '\0';
		d[reclen - 1] = type;
		off += reclen;
	}
	if (n > 0 && copy_to_user(dirent, dentsbuf, (size_t)n))
		return -EFAULT;
	return n;
}

/* ---- the working directory ---- */

/* The length with the NUL, as the system call returns.  rrv's own
 * directory until the program changes it; then the host's path of the
 * directory handle. */
SYSCALL_DEFINE2(getcwd, "pu", uint64_t, buf, uint64_t, size)
{
	int64_t n;
	const char *ours = curproc->cwd ? pseudo_dir_path(curproc->cwd) : NULL;
	if (ours) {
		n = (int64_t)strlen(ours) + 1;
		if ((uint64_t)n > size)
			return -ERANGE;
		memcpy(namebuf, ours, (size_t)n);
	} else if (!curproc->cwd) {
		struct rrv_hc_getcwd a;
		memset(&a, 0, sizeof(a));
		a.buf = virt_to_phys(namebuf);
		a.len = size < PATH_MAX ? size : PATH_MAX;
		n = hc_call(RRV_HC_GETCWD, &a);
	} else {
		struct rrv_hc_fdpath a;
		memset(&a, 0, sizeof(a));
		a.handle = (uint32_t)curproc->cwd->handle;
		a.buf = virt_to_phys(namebuf);
		a.len = PATH_MAX - 1;
		n = hc_call(RRV_HC_FDPATH, &a);
		if (n >= 0) {
			namebuf[n++] = '\0';
			if ((uint64_t)n > size)
				return -ERANGE;
		}
	}
	if (n > 0 && copy_to_user(buf, namebuf, (size_t)n))
		return -EFAULT;
	return n;
}

/*
 * The working directory becomes pathbuf[0] (len bytes) from directory
 * dir: opened O_PATH|O_DIRECTORY (ENOENT, ENOTDIR...), then searchable
 * (EACCES), as Linux's chdir checks.  The process's own: rrv's directory,
 * and other processes', stay where they are.
 */
static int64_t set_cwd(int32_t dir, int64_t len)
{
	struct rrv_hc_openat o;
	memset(&o, 0, sizeof(o));
	o.dir = pathbuf[0][0] == '/' ? RRV_HC_AT_CWD : dir;
	o.flags = O_PATH | O_DIRECTORY;
	o.path = hc_path(0, len);
	int64_t h = hc_call(RRV_HC_OPENAT, &o);
	if (h < 0)
		return h;
	static const char dot[] = ".";
	struct rrv_hc_pathop a;
	memset(&a, 0, sizeof(a));
	a.dir = (int32_t)h;
	a.mode = 1; /* X_OK */
	a.path.gpa = virt_to_phys(dot);
	a.path.len = 1;
	int64_t r = hc_call(RRV_HC_ACCESSAT, &a);
	struct file *f = r < 0 ? NULL : hostfile_new((int32_t)h, O_PATH | O_DIRECTORY);
	if (!f) {
		host_close((int32_t)h);
		return r < 0 ? r : -ENOMEM;
	}
	/* Its path, when absolute, for lookups that may reach /proc. */
	if (pathbuf[0][0] == '/' && (f->path = kmalloc((size_t)len + 1)))
		memcpy(f->path, pathbuf[0], (size_t)len + 1);
	if (curproc->cwd)
		file_put(curproc->cwd);
	curproc->cwd = f;
	return 0;
}

/* The working directory becomes f, a directory of ours (a reference of
 * its own). */
static void set_cwd_file(struct file *f)
{
	file_get(f);
	if (curproc->cwd)
		file_put(curproc->cwd);
	curproc->cwd = f;
}

SYSCALL_DEFINE1(chdir, "s", uint64_t, filename)
{
	int64_t len = get_path(0, filename, false);
	if (len < 0)
		return len;
	struct pathres pr;
	int e = path_resolve(AT_FDCWD, pathbuf[0], true, &pr);
	if (e < 0)
		return e;
	if (pr.kind != PATH_HOST) {
		/* /proc/PID/cwd and fd/N of a directory: the host's directory
		 * it names, through a handle of its own. */
		struct file *f;
		e = pseudo_open(&pr, O_RDONLY | O_DIRECTORY, &f);
		if (e < 0)
			return e;
		if (file_is_pseudo(f)) {
			struct rrv_stat st;
			f->ops->stat(f, &st);
			e = (st.st_mode & 0111) || curproc->euid == 0 ? 0 : -EACCES;
			if (!e)
				set_cwd_file(f);
			file_put(f);
			return e;
		}
		memcpy(pathbuf[0], ".", 2);
		int64_t r = f->ops->kind == FILE_HOST ? set_cwd(f->handle, 1) : -ENOTDIR;
		file_put(f);
		return r;
	}
	return set_cwd(cwd_dir(), (int64_t)strlen(pathbuf[0]));
}

/* The directory fd is open on, through a handle of its own. */
SYSCALL_DEFINE1(fchdir, "f", int, fd)
{
	int64_t err;
	struct file *g = fd_file(fd);
	if (g && pseudo_dir_path(g)) {
		set_cwd_file(g);
		return 0;
	}
	struct file *f = host_file(fd, -ENOTDIR, &err);
	if (!f)
		return err;
	memcpy(pathbuf[0], ".", 2);
	return set_cwd(f->handle, 1);
}

/* ---- making directories ---- */

static int64_t do_mkdirat(int dirfd, uint64_t upath, uint32_t mode)
{
	int64_t len = get_path(0, upath, false);
	if (len < 0)
		return len;
	int64_t e = pseudo_refuse(dirfd, false, &len);
	if (e)
		return e;
	return pathop(RRV_HC_MKDIRAT, dirfd, len, 0, mode & 01777 & ~curproc->umask);
}

SYSCALL_DEFINE2(mkdir, "sm", uint64_t, pathname, uint32_t, mode)
{
	return do_mkdirat(AT_FDCWD, pathname, mode);
}

SYSCALL_DEFINE3(mkdirat, "fsm", int, dfd, uint64_t, pathname, uint32_t, mode)
{
	return do_mkdirat(dfd, pathname, mode);
}
