/*
 * The file system calls.  Descriptors and pipes are the guest's own; the
 * file system is the host's, reached through the file hypercalls with
 * Linux's flags, modes and errno values passed through, so for a host
 * file the host's answer is the program's.  This file does what the host
 * cannot: the descriptor table, the umask, *at() directory descriptors,
 * argument checks Linux makes before touching a file, and anything that
 * involves a pipe.
 *
 * Every handler has the full six-argument signature of syscall_fn (the
 * table casts nothing); the comment above each gives the Linux prototype.
 */
#include "proc/proc.h"
#include "lib/syscall.h"

#include "uapi/errno.h"
#include "fs/file.h"
#include "hv/hypercall.h"
#include "mm/kalloc.h"
#include "proc/ktime.h"
#include "proc/sched.h"
#include "proc/signal.h"
#include "fs/special.h"
#include "lib/string.h"
#include "mm/uaccess.h"
#include "arch/x86/vm.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/*
 * Paths and host-filled buffers live in the kernel image, which is
 * physically contiguous, so each is one (gpa, len) for the VMM.  Static
 * is safe: one vCPU, interrupts off, and no call sleeps while holding one
 * (only pipe operations and poll sleep, and they use none of these).
 */
static char pathbuf[2][PATH_MAX];
static char namebuf[PATH_MAX];          /* readlink, getcwd */
#define DENTS_MAX 65536
static uint8_t dentsbuf[DENTS_MAX] __attribute__((aligned(8)));

/* ---- paths and directory descriptors ---- */

/*
 * Copies the user's path into pathbuf[i]: its length, or -EFAULT,
 * -ENAMETOOLONG, or -ENOENT for an empty path unless empty_ok (the call
 * has AT_EMPTY_PATH; then a NULL pointer is an empty path too, as in
 * Linux 6.11).
 */
static int64_t get_path(int i, uint64_t upath, bool empty_ok)
{
	if (upath == 0 && empty_ok) {
		pathbuf[i][0] = '\0';
		return 0;
	}
	int64_t n = strncpy_from_user(pathbuf[i], upath, PATH_MAX);
	if (n == 0 && !empty_ok)
		return -ENOENT;
	return n;
}

static struct rrv_hc_path hc_path(int i, int64_t len)
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
static int at_dir(int dirfd, const char *path, int32_t *dir)
{
	if (path[0] == '/') {
		*dir = RRV_HC_AT_CWD;
		return 0;
	}
	if (dirfd == AT_FDCWD) {
		*dir = cwd_dir();
		return 0;
	}
	struct file *f = fd_file(dirfd);
	if (!f)
		return -EBADF;
	if (f->ops->kind != FILE_HOST)
		return -ENOTDIR;
	*dir = f->handle;
	return 0;
}

/* UNLINKAT, MKDIRAT, ACCESSAT, CHMODAT on pathbuf[0]. */
static int64_t pathop(unsigned nr, int dirfd, int64_t len, uint32_t flags, uint32_t mode)
{
	int32_t dir;
	int err = at_dir(dirfd, pathbuf[0], &dir);
	if (err < 0)
		return err;
	struct rrv_hc_pathop a;
	memset(&a, 0, sizeof(a));
	a.dir = dir;
	a.flags = flags;
	a.mode = mode;
	a.path = hc_path(0, len);
	return hc_call(nr, &a);
}

static int64_t host_close(int32_t handle)
{
	struct rrv_hc_close a;
	memset(&a, 0, sizeof(a));
	a.handle = (uint32_t)handle;
	return hc_call(RRV_HC_CLOSE, &a);
}

/* A host file operation on one handle (TRUNCATE, FSYNC). */
static int64_t fileop(unsigned nr, int32_t handle, uint64_t arg)
{
	struct rrv_hc_fileop a;
	memset(&a, 0, sizeof(a));
	a.handle = (uint32_t)handle;
	a.arg = arg;
	return hc_call(nr, &a);
}

/* The open file behind fd if it is a host file: NULL and *err -EBADF for
 * a closed descriptor, or *err = other_err for a pipe. */
static struct file *host_file(int fd, int64_t other_err, int64_t *err)
{
	struct file *f = fd_file(fd);
	if (!f) {
		*err = -EBADF;
		return NULL;
	}
	if (f->ops->kind != FILE_HOST) {
		*err = other_err;
		return NULL;
	}
	return f;
}

/* ---- open, close, dup ---- */

/* What the VMM accepts; other bits are dropped, as open(2) ignores
 * unknown flags (O_ASYNC included: no SIGIO here).  O_CLOEXEC belongs to
 * the descriptor, and the VMM adds its own.  O_LARGEFILE (musl always
 * sets it) is implied for a 64-bit host process, and the VMM, built
 * where the macro is 0, refuses the bit. */
#define OPEN_HOST_FLAGS                                                      \
	(O_ACCMODE | O_CREAT | O_EXCL | O_TRUNC | O_APPEND | O_NONBLOCK |     \
	 O_DIRECTORY | O_NOFOLLOW | O_PATH | O_DSYNC | O_SYNC | O_NOATIME |    \
	 O_TMPFILE | O_DIRECT | O_NOCTTY)
#define O_TMPFILE_BIT 020000000 /* __O_TMPFILE: creates, like O_CREAT */

static int64_t do_openat(int dirfd, uint64_t upath, uint32_t flags, uint32_t mode)
{
	int64_t len = get_path(0, upath, false);
	if (len < 0)
		return len;
	/* Linux takes the descriptor before opening anything. */
	int fd = fd_find_free(0);
	if (fd < 0)
		return fd;
	/* /dev and /proc files the guest answers itself (special.c). */
	struct file *sf;
	int sr = pathbuf[0][0] == '/' ? special_open(pathbuf[0], flags, &sf) : 0;
	if (sr < 0)
		return sr;
	if (sr > 0) {
		int r = fd_install(fd, sf, flags & O_CLOEXEC);
		file_put(sf);
		return r < 0 ? r : fd;
	}
	int32_t dir;
	int err = at_dir(dirfd, pathbuf[0], &dir);
	if (err < 0)
		return err;

	struct rrv_hc_openat a;
	memset(&a, 0, sizeof(a));
	a.dir = dir;
	a.flags = flags & OPEN_HOST_FLAGS;
	/* The VMM runs with umask 0: the program's umask applies here. */
	if (flags & (O_CREAT | O_TMPFILE_BIT))
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
	int r = fd_install(fd, f, flags & O_CLOEXEC);
	file_put(f);
	return r < 0 ? r : fd;
}

/* open(path, flags, mode) */
SYS(sys_open)
{
	return do_openat(AT_FDCWD, a0, (uint32_t)a1, (uint32_t)a2);
}

/* openat(dirfd, path, flags, mode) */
SYS(sys_openat)
{
	return do_openat((int)a0, a1, (uint32_t)a2, (uint32_t)a3);
}

/* creat(path, mode) */
SYS(sys_creat)
{
	return do_openat(AT_FDCWD, a0, O_CREAT | O_WRONLY | O_TRUNC, (uint32_t)a1);
}

/* close(fd) */
SYS(sys_close)
{
	return fd_close((int)a0);
}

#define CLOSE_RANGE_UNSHARE 2
#define CLOSE_RANGE_CLOEXEC 4

/* close_range(first, last, flags): one table per process, so UNSHARE has
 * nothing to unshare. */
SYS(sys_close_range)
{
	uint32_t first = (uint32_t)a0, last = (uint32_t)a1, flags = (uint32_t)a2;

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

/* dup(fd) */
SYS(sys_dup)
{
	struct file *f = fd_file((int)a0);
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

/* dup2(oldfd, newfd) */
SYS(sys_dup2)
{
	if ((uint32_t)a0 == (uint32_t)a1)
		return fd_file((int)a0) ? (int64_t)(uint32_t)a1 : -EBADF;
	return do_dup3((int)a0, (uint32_t)a1, false);
}

/* dup3(oldfd, newfd, flags) */
SYS(sys_dup3)
{
	uint32_t flags = (uint32_t)a2;
	if (flags & ~(uint32_t)O_CLOEXEC)
		return -EINVAL;
	if ((uint32_t)a0 == (uint32_t)a1)
		return -EINVAL;
	return do_dup3((int)a0, (uint32_t)a1, flags & O_CLOEXEC);
}

/* ---- data ---- */

/* A read or write through the file's kind, holding a reference so that a
 * pipe that sleeps cannot lose its file to a close meanwhile. */
static int64_t rw(struct file *f, struct uio *u, int64_t pos, bool is_read)
{
	file_get(f);
	int64_t r = is_read ? f->ops->read(f, u, pos) : f->ops->write(f, u, pos);
	file_put(f);
	return r;
}

static int64_t rw_buf(int fd, uint64_t buf, uint64_t len, int64_t pos, bool is_read)
{
	struct file *f = fd_file(fd);
	if (!f)
		return -EBADF;
	struct uio u;
	uio_init_buf(&u, buf, len);
	return rw(f, &u, pos, is_read);
}

static int64_t rw_vec(int fd, uint64_t uiov, uint64_t cnt, int64_t pos, bool is_read)
{
	struct file *f = fd_file(fd);
	if (!f)
		return -EBADF;
	struct uio u;
	if (cnt > 1024)
		return -EINVAL;
	int r = uio_init_iovec(&u, uiov, (int64_t)cnt);
	if (r < 0)
		return r;
	return rw(f, &u, pos, is_read);
}

/* What a read or write call names: its direction, a user buffer or an
 * iovec array, and whether it takes an offset. */
enum { RW_WRITE = 0, RW_READ = 1, RW_VEC = 2, RW_AT = 4 };

/* The calls below take (fd, buf or iov, count, offset): the offset only
 * with RW_AT, where a negative one is -EINVAL (-1 is not the file
 * position there, as it is for preadv2). */
static int64_t rw_call(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, unsigned how)
{
	int64_t pos = -1;
	if (how & RW_AT) {
		if ((int64_t)a3 < 0)
			return -EINVAL;
		pos = (int64_t)a3;
	}
	bool is_read = how & RW_READ;
	if (how & RW_VEC)
		return rw_vec((int)a0, a1, a2, pos, is_read);
	return rw_buf((int)a0, a1, a2, pos, is_read);
}

/* read(fd, buf, count) */
SYS(sys_read)
{
	return rw_call(a0, a1, a2, a3, RW_READ);
}

/* write(fd, buf, count) */
SYS(sys_write)
{
	return rw_call(a0, a1, a2, a3, RW_WRITE);
}

/* pread64(fd, buf, count, offset) */
SYS(sys_pread64)
{
	return rw_call(a0, a1, a2, a3, RW_READ | RW_AT);
}

/* pwrite64(fd, buf, count, offset) */
SYS(sys_pwrite64)
{
	return rw_call(a0, a1, a2, a3, RW_WRITE | RW_AT);
}

/* readv(fd, iov, iovcnt) */
SYS(sys_readv)
{
	return rw_call(a0, a1, a2, a3, RW_READ | RW_VEC);
}

/* writev(fd, iov, iovcnt) */
SYS(sys_writev)
{
	return rw_call(a0, a1, a2, a3, RW_WRITE | RW_VEC);
}

/* preadv(fd, iov, iovcnt, pos_l, pos_h): on x86-64 pos_l is all of it. */
SYS(sys_preadv)
{
	return rw_call(a0, a1, a2, a3, RW_READ | RW_VEC | RW_AT);
}

/* pwritev(fd, iov, iovcnt, pos_l, pos_h) */
SYS(sys_pwritev)
{
	return rw_call(a0, a1, a2, a3, RW_WRITE | RW_VEC | RW_AT);
}

#define RWF_HIPRI 1 /* a polling hint: nothing to poll here */

/* preadv2/pwritev2(fd, iov, iovcnt, pos_l, pos_h, flags): offset -1 is
 * the file position.  Flags other than the hint are not supported. */
static int64_t rw_vec2(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
		       uint64_t a5, bool is_read)
{
	int64_t pos = (int64_t)a3;
	if (pos < -1)
		return -EINVAL;
	if (a5 & ~(uint64_t)RWF_HIPRI)
		return -EOPNOTSUPP;
	return rw_vec((int)a0, a1, a2, pos, is_read);
}

SYS(sys_preadv2)
{
	return rw_vec2(a0, a1, a2, a3, a5, true);
}

SYS(sys_pwritev2)
{
	return rw_vec2(a0, a1, a2, a3, a5, false);
}

/* lseek(fd, offset, whence) */
SYS(sys_lseek)
{
	struct file *f = fd_file((int)a0);
	if (!f)
		return -EBADF;
	return f->ops->lseek(f, (int64_t)a1, (uint32_t)a2);
}

#define SENDFILE_PAGES 16

/*
 * sendfile(out_fd, in_fd, offset, count): through kernel pages, 64 KiB a
 * round.  As in Linux, in_fd must be a file (not a pipe), the input
 * advances only by what was written, and *offset (when given) is read and
 * updated instead of in_fd's position.
 */
SYS(sys_sendfile)
{
	struct file *out = fd_file((int)a0), *in = fd_file((int)a1);
	uint64_t uoff = a2, count = a3 < MAX_RW_COUNT ? a3 : MAX_RW_COUNT;
	int64_t pos = -1, done = 0;

	if (!out || !in)
		return -EBADF;
	if (in->ops->kind != FILE_HOST)
		return -EINVAL;
	if (uoff) {
		if (copy_from_user(&pos, uoff, sizeof(pos)))
			return -EFAULT;
		if (pos < 0)
			return -EINVAL;
	}

	struct uio_seg segs[SENDFILE_PAGES];
	uint32_t npages = 0;
	while (npages < SENDFILE_PAGES && (uint64_t)npages * PGSIZE < count) {
		void *pg = page_alloc();
		if (!pg)
			break;
		segs[npages].base = (uint64_t)(uintptr_t)pg;
		segs[npages].len = PGSIZE;
		npages++;
	}
	if (npages == 0 && count > 0)
		return -ENOMEM;

	file_get(in);
	file_get(out);
	while ((uint64_t)done < count) {
		uint64_t want = count - (uint64_t)done;
		struct uio_seg rsegs[SENDFILE_PAGES];
		uint32_t n = 0;
		for (; n < npages && want > 0; n++) {
			rsegs[n] = segs[n];
			if (rsegs[n].len > want)
				rsegs[n].len = want;
			want -= rsegs[n].len;
		}
		struct uio u;
		uio_init_kernel(&u, rsegs, n);
		uint64_t asked = u.resid;
		int64_t r = in->ops->read(in, &u, pos);
		if (r <= 0) {
			if (r < 0 && !done)
				done = r;
			break;
		}
		/* Write what was read: the same segments, cut to r bytes. */
		uint64_t left = (uint64_t)r;
		for (uint32_t i = 0; i < n; i++) {
			rsegs[i].len = rsegs[i].len < left ? rsegs[i].len : left;
			left -= rsegs[i].len;
		}
		uio_init_kernel(&u, rsegs, n);
		int64_t w = out->ops->write(out, &u, -1);
		int64_t wrote = w < 0 ? 0 : w;
		if (pos >= 0)
			pos += wrote;
		else if (wrote < r) /* give back what was read, not sent */
			in->ops->lseek(in, wrote - r, SEEK_CUR);
		if (w < 0) {
			if (!done)
				done = w;
			break;
		}
		done += w;
		if (w < r || (uint64_t)r < asked)
			break;
	}
	file_put(in);
	file_put(out);
	for (uint32_t i = 0; i < npages; i++)
		page_free((void *)(uintptr_t)segs[i].base);
	if (uoff && copy_to_user(uoff, &pos, sizeof(pos)))
		return -EFAULT;
	return done;
}

/* ---- stat ---- */

static int64_t put_stat(uint64_t ubuf, const struct rrv_stat *st)
{
	return copy_to_user(ubuf, st, sizeof(*st)) ? -EFAULT : 0;
}

/* fstatat's work: flags are checked, the path is in pathbuf[0]. */
static int64_t stat_at(int dirfd, int64_t len, uint32_t flags, struct rrv_stat *st)
{
	/* An empty path names dirfd itself, which may be a pipe. */
	if (len == 0 && dirfd != AT_FDCWD) {
		struct file *f = fd_file(dirfd);
		if (!f)
			return -EBADF;
		return f->ops->stat(f, st);
	}
	int32_t dir;
	int err = at_dir(dirfd, pathbuf[0], &dir);
	if (err < 0)
		return err;
	struct rrv_hc_fstatat a;
	memset(&a, 0, sizeof(a));
	a.dir = dir;
	a.flags = flags;
	a.path = hc_path(0, len);
	a.stat = virt_to_phys(st);
	return hc_call(RRV_HC_FSTATAT, &a);
}

static int64_t do_fstatat(int dirfd, uint64_t upath, uint64_t ubuf, uint32_t flags)
{
	struct rrv_stat st;

	if (flags & ~(uint32_t)(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT))
		return -EINVAL;
	int64_t len = get_path(0, upath, flags & AT_EMPTY_PATH);
	if (len < 0)
		return len;
	int64_t r = stat_at(dirfd, len, flags, &st);
	return r < 0 ? r : put_stat(ubuf, &st);
}

/* stat(path, buf) */
SYS(sys_stat)
{
	return do_fstatat(AT_FDCWD, a0, a1, 0);
}

/* lstat(path, buf) */
SYS(sys_lstat)
{
	return do_fstatat(AT_FDCWD, a0, a1, AT_SYMLINK_NOFOLLOW);
}

/* fstat(fd, buf) */
SYS(sys_fstat)
{
	struct rrv_stat st;
	struct file *f = fd_file((int)a0);
	if (!f)
		return -EBADF;
	int64_t r = f->ops->stat(f, &st);
	return r < 0 ? r : put_stat(a1, &st);
}

/* newfstatat(dirfd, path, buf, flags) */
SYS(sys_newfstatat)
{
	return do_fstatat((int)a0, a1, a2, (uint32_t)a3);
}

/* Linux's encoding of dev_t, split as statx wants it. */
static uint32_t dev_major(uint64_t dev)
{
	return (uint32_t)((dev >> 8) & 0xfff) | (uint32_t)((dev >> 32) & ~0xfffull);
}

static uint32_t dev_minor(uint64_t dev)
{
	return (uint32_t)(dev & 0xff) | (uint32_t)((dev >> 12) & 0xffffff00ull);
}

static void stat_to_statx(const struct rrv_stat *st, struct k_statx *sx)
{
	memset(sx, 0, sizeof(*sx));
	sx->stx_mask = STATX_BASIC_STATS;
	sx->stx_blksize = (uint32_t)st->st_blksize;
	sx->stx_nlink = (uint32_t)st->st_nlink;
	sx->stx_uid = st->st_uid;
	sx->stx_gid = st->st_gid;
	sx->stx_mode = (uint16_t)st->st_mode;
	sx->stx_ino = st->st_ino;
	sx->stx_size = (uint64_t)st->st_size;
	sx->stx_blocks = (uint64_t)st->st_blocks;
	sx->stx_atime.tv_sec = st->st_atime_sec;
	sx->stx_atime.tv_nsec = (uint32_t)st->st_atime_nsec;
	sx->stx_mtime.tv_sec = st->st_mtime_sec;
	sx->stx_mtime.tv_nsec = (uint32_t)st->st_mtime_nsec;
	sx->stx_ctime.tv_sec = st->st_ctime_sec;
	sx->stx_ctime.tv_nsec = (uint32_t)st->st_ctime_nsec;
	sx->stx_rdev_major = dev_major(st->st_rdev);
	sx->stx_rdev_minor = dev_minor(st->st_rdev);
	sx->stx_dev_major = dev_major(st->st_dev);
	sx->stx_dev_minor = dev_minor(st->st_dev);
}

#define STATX_RESERVED 0x80000000u

/* statx(dirfd, path, flags, mask, buf) */
SYS(sys_statx)
{
	int dirfd = (int)a0;
	uint32_t flags = (uint32_t)a2, mask = (uint32_t)a3;
	struct k_statx sx;

	_Static_assert(sizeof(struct k_statx) == RRV_HC_STATX_SIZE, "statx size");
	if (flags & ~(uint32_t)(AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT | AT_EMPTY_PATH |
				AT_STATX_SYNC_TYPE))
		return -EINVAL;
	if ((flags & AT_STATX_SYNC_TYPE) == AT_STATX_SYNC_TYPE || (mask & STATX_RESERVED))
		return -EINVAL;
	int64_t len = get_path(0, a1, flags & AT_EMPTY_PATH);
	if (len < 0)
		return len;

	/* An empty path names dirfd itself: a pipe's answer is made here. */
	struct file *self = len == 0 && dirfd != AT_FDCWD ? fd_file(dirfd) : NULL;
	if (self && self->ops->kind != FILE_HOST) {
		struct rrv_stat st;
		int r = self->ops->stat(self, &st);
		if (r < 0)
			return r;
		stat_to_statx(&st, &sx);
		return copy_to_user(a4, &sx, sizeof(sx)) ? -EFAULT : 0;
	}
	int32_t dir;
	int err = at_dir(dirfd, pathbuf[0], &dir);
	if (err < 0)
		return err;
	struct rrv_hc_statx a;
	memset(&a, 0, sizeof(a));
	a.dir = dir;
	a.flags = flags;
	a.mask = mask;
	a.path = hc_path(0, len);
	a.buf = virt_to_phys(&sx);
	int64_t r = hc_call(RRV_HC_STATX, &a);
	if (r < 0)
		return r;
	return copy_to_user(a4, &sx, sizeof(sx)) ? -EFAULT : 0;
}

/* ---- fcntl and ioctl ---- */

#define F_DUPFD 0
#define F_GETFD 1
#define F_SETFD 2
#define F_GETFL 3
#define F_SETFL 4
#define F_GETLK 5
#define F_SETLK 6
#define F_SETLKW 7
#define F_OFD_GETLK 36
#define F_OFD_SETLK 37
#define F_OFD_SETLKW 38
#define F_DUPFD_CLOEXEC 1030
#define F_SETPIPE_SZ 1031
#define F_GETPIPE_SZ 1032

#define F_RDLCK 0
#define F_WRLCK 1
#define F_UNLCK 2

/* The status flags F_SETFL may change; the rest of arg is ignored. */
#define SETFL_FLAGS (O_APPEND | O_NONBLOCK | O_DIRECT | O_NOATIME)

/* F_DUPFD: the lowest free descriptor >= arg. */
static int64_t dupfd(struct file *f, uint64_t arg, bool cloexec)
{
	if (arg >= (uint64_t)fd_limit())
		return -EINVAL;
	int nfd = fd_find_free((int)arg);
	if (nfd < 0)
		return nfd;
	int r = fd_install(nfd, f, cloexec);
	return r < 0 ? r : nfd;
}

/* struct flock, x86-64 layout. */
struct k_flock {
	int16_t l_type, l_whence;
	int64_t l_start, l_len;
	int32_t l_pid;
	int32_t pad;
};

/*
 * Record locks.  The program is the only process rrv runs, and its own
 * locks never conflict with each other, so every lock is granted and
 * F_GETLK finds none.  Arguments are checked as Linux checks them.
 */
static int64_t lock(struct file *f, uint64_t arg, bool get, bool ofd)
{
	struct k_flock fl;

	if (copy_from_user(&fl, arg, sizeof(fl)))
		return -EFAULT;
	if (fl.l_type != F_RDLCK && fl.l_type != F_WRLCK && fl.l_type != F_UNLCK)
		return -EINVAL;
	if (fl.l_whence < 0 || fl.l_whence > 2)
		return -EINVAL;
	if (ofd && fl.l_pid != 0)
		return -EINVAL;
	if (get) {
		fl.l_type = F_UNLCK;
		return copy_to_user(arg, &fl, sizeof(fl)) ? -EFAULT : 0;
	}
	/* A read lock needs a readable file, a write lock a writable one. */
	if (fl.l_type != F_UNLCK) {
		int64_t fl_flags = f->ops->getfl(f);
		if (fl_flags < 0)
			return fl_flags;
		uint32_t acc = (uint32_t)fl_flags & O_ACCMODE;
		if ((fl.l_type == F_RDLCK && acc == O_WRONLY) ||
		    (fl.l_type == F_WRLCK && acc == O_RDONLY))
			return -EBADF;
	}
	return 0;
}

/* fcntl(fd, cmd, arg) */
SYS(sys_fcntl)
{
	int fd = (int)a0;
	struct file *f = fd_file(fd);
	if (!f)
		return -EBADF;
	switch ((uint32_t)a1) {
	case F_DUPFD:
		return dupfd(f, (uint32_t)a2, false);
	case F_DUPFD_CLOEXEC:
		return dupfd(f, (uint32_t)a2, true);
	case F_GETFD:
		return fd_get_cloexec(fd) ? FD_CLOEXEC : 0;
	case F_SETFD:
		fd_set_cloexec(fd, a2 & FD_CLOEXEC);
		return 0;
	case F_GETFL:
		return f->ops->getfl(f);
	case F_SETFL:
		return f->ops->setfl(f, (uint32_t)a2 & SETFL_FLAGS);
	case F_GETLK:
		return lock(f, a2, true, false);
	case F_SETLK:
	case F_SETLKW:
		return lock(f, a2, false, false);
	case F_OFD_GETLK:
		return lock(f, a2, true, true);
	case F_OFD_SETLK:
	case F_OFD_SETLKW:
		return lock(f, a2, false, true);
	case F_GETPIPE_SZ:
		return pipe_get_size(f);
	case F_SETPIPE_SZ:
		return pipe_set_size(f, (uint32_t)a2);
	}
	return -EINVAL;
}

#define FIONBIO 0x5421
#define FIONCLEX 0x5450
#define FIOCLEX 0x5451

static int64_t io_fioclex(int fd, struct file *f, uint64_t arg)
{
	(void)f;
	(void)arg;
	fd_set_cloexec(fd, true);
	return 0;
}

static int64_t io_fionclex(int fd, struct file *f, uint64_t arg)
{
	(void)f;
	(void)arg;
	fd_set_cloexec(fd, false);
	return 0;
}

/* FIONBIO: O_NONBLOCK on or off, like F_SETFL. */
static int64_t io_fionbio(int fd, struct file *f, uint64_t arg)
{
	int on;

	(void)fd;
	if (copy_from_user(&on, arg, sizeof(on)))
		return -EFAULT;
	int64_t fl = f->ops->getfl(f);
	if (fl < 0)
		return fl;
	fl = on ? (fl | O_NONBLOCK) : (fl & ~(int64_t)O_NONBLOCK);
	return f->ops->setfl(f, (uint32_t)fl & SETFL_FLAGS);
}

/* Requests every kind of file answers the same way. */
static const struct {
	uint32_t cmd;
	int64_t (*fn)(int fd, struct file *f, uint64_t arg);
} generic_ioctls[] = {
	{ FIOCLEX, io_fioclex },
	{ FIONCLEX, io_fionclex },
	{ FIONBIO, io_fionbio },
};

/* ioctl(fd, cmd, arg): the rest go to the kind (terminal requests and
 * FIONREAD for host files, FIONREAD for pipes; -ENOTTY otherwise). */
SYS(sys_ioctl)
{
	int fd = (int)a0;
	struct file *f = fd_file(fd);
	if (!f)
		return -EBADF;
	for (size_t i = 0; i < ARRAY_SIZE(generic_ioctls); i++)
		if (generic_ioctls[i].cmd == (uint32_t)a1)
			return generic_ioctls[i].fn(fd, f, a2);
	return f->ops->ioctl(f, (uint32_t)a1, a2);
}

#define LOCK_SH 1
#define LOCK_EX 2
#define LOCK_NB 4
#define LOCK_UN 8

/* flock(fd, operation): granted, as record locks are (see lock()). */
SYS(sys_flock)
{
	uint32_t op = (uint32_t)a1 & ~(uint32_t)LOCK_NB;
	if (!fd_file((int)a0))
		return -EBADF;
	if (op != LOCK_SH && op != LOCK_EX && op != LOCK_UN)
		return -EINVAL;
	return 0;
}

/* fadvise64(fd, offset, len, advice): advice only, so checked and done. */
SYS(sys_fadvise64)
{
	struct file *f = fd_file((int)a0);
	if (!f)
		return -EBADF;
	if (f->ops->kind == FILE_PIPE)
		return -ESPIPE;
	if ((int64_t)a2 < 0 || (uint32_t)a3 > 5)
		return -EINVAL;
	return 0;
}

/* ---- directories ---- */

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
	int64_t sn = special_getdents(f, dentsbuf, count);
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

/* getdents64(fd, dirp, count) */
SYS(sys_getdents64)
{
	int64_t n = dents((int)a0, a1, (uint32_t)a2);
	if (n > 0 && copy_to_user(a1, dentsbuf, (size_t)n))
		return -EFAULT;
	return n;
}

/*
 * getdents(fd, dirp, count): the old struct linux_dirent has the same
 * header and the same record sizes as linux_dirent64, with d_type moved
 * from before the name to the record's last byte; converted in place.
 */
SYS(sys_getdents)
{
	int64_t n = dents((int)a0, a1, (uint32_t)a2);
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
	if (n > 0 && copy_to_user(a1, dentsbuf, (size_t)n))
		return -EFAULT;
	return n;
}

/* getcwd(buf, size): the length with the NUL, as the system call
 * returns.  rrv's own directory until the program changes it; then the
 * host's path of the directory handle. */
SYS(sys_getcwd)
{
	int64_t n;
	if (!curproc->cwd) {
		struct rrv_hc_getcwd a;
		memset(&a, 0, sizeof(a));
		a.buf = virt_to_phys(namebuf);
		a.len = a1 < PATH_MAX ? a1 : PATH_MAX;
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
			if ((uint64_t)n > a1)
				return -ERANGE;
		}
	}
	if (n > 0 && copy_to_user(a0, namebuf, (size_t)n))
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
	if (curproc->cwd)
		file_put(curproc->cwd);
	curproc->cwd = f;
	return 0;
}

/* chdir(path) */
SYS(sys_chdir)
{
	int64_t len = get_path(0, a0, false);
	if (len < 0)
		return len;
	return set_cwd(cwd_dir(), len);
}

/* fchdir(fd): the directory fd is open on, through a handle of its own. */
SYS(sys_fchdir)
{
	int64_t err;
	struct file *f = host_file((int)a0, -ENOTDIR, &err);
	if (!f)
		return err;
	memcpy(pathbuf[0], ".", 2);
	return set_cwd(f->handle, 1);
}

/* mkdirat(dirfd, path, mode) */
static int64_t do_mkdirat(int dirfd, uint64_t upath, uint32_t mode)
{
	int64_t len = get_path(0, upath, false);
	if (len < 0)
		return len;
	return pathop(RRV_HC_MKDIRAT, dirfd, len, 0, mode & 01777 & ~curproc->umask);
}

SYS(sys_mkdir)
{
	return do_mkdirat(AT_FDCWD, a0, (uint32_t)a1);
}

SYS(sys_mkdirat)
{
	return do_mkdirat((int)a0, a1, (uint32_t)a2);
}

/* unlinkat(dirfd, path, flags) */
static int64_t do_unlinkat(int dirfd, uint64_t upath, uint32_t flags)
{
	if (flags & ~(uint32_t)AT_REMOVEDIR)
		return -EINVAL;
	int64_t len = get_path(0, upath, false);
	if (len < 0)
		return len;
	return pathop(RRV_HC_UNLINKAT, dirfd, len, flags, 0);
}

SYS(sys_unlink)
{
	return do_unlinkat(AT_FDCWD, a0, 0);
}

SYS(sys_rmdir)
{
	return do_unlinkat(AT_FDCWD, a0, AT_REMOVEDIR);
}

SYS(sys_unlinkat)
{
	return do_unlinkat((int)a0, a1, (uint32_t)a2);
}

/* renameat2(olddirfd, oldpath, newdirfd, newpath, flags) */
static int64_t do_renameat2(int olddirfd, uint64_t uold, int newdirfd, uint64_t unew,
			    uint32_t flags)
{
	int64_t olen = get_path(0, uold, false);
	if (olen < 0)
		return olen;
	int64_t nlen = get_path(1, unew, false);
	if (nlen < 0)
		return nlen;
	int32_t olddir;
	int err = at_dir(olddirfd, pathbuf[0], &olddir);
	if (err < 0)
		return err;
	int32_t newdir;
	err = at_dir(newdirfd, pathbuf[1], &newdir);
	if (err < 0)
		return err;
	struct rrv_hc_renameat a;
	memset(&a, 0, sizeof(a));
	a.olddir = olddir;
	a.newdir = newdir;
	a.flags = flags;
	a.oldpath = hc_path(0, olen);
	a.newpath = hc_path(1, nlen);
	return hc_call(RRV_HC_RENAMEAT, &a);
}

SYS(sys_rename)
{
	return do_renameat2(AT_FDCWD, a0, AT_FDCWD, a1, 0);
}

SYS(sys_renameat)
{
	return do_renameat2((int)a0, a1, (int)a2, a3, 0);
}

SYS(sys_renameat2)
{
	return do_renameat2((int)a0, a1, (int)a2, a3, (uint32_t)a4);
}

/* readlinkat(dirfd, path, buf, bufsiz): at most PATH_MAX bytes, no NUL.
 * An empty path names dirfd itself (a symlink opened O_PATH). */
static int64_t do_readlinkat(int dirfd, uint64_t upath, uint64_t ubuf, int bufsiz)
{
	if (bufsiz <= 0)
		return -EINVAL;
	int64_t len = get_path(0, upath, true);
	if (len < 0)
		return len;
	size_t max = bufsiz < PATH_MAX ? (size_t)bufsiz : PATH_MAX;
	int64_t sn = pathbuf[0][0] == '/' ? special_readlink(pathbuf[0], namebuf, max) : 0;
	if (sn < 0)
		return sn;
	if (sn > 0)
		return copy_to_user(ubuf, namebuf, (size_t)sn - 1) ? -EFAULT : sn - 1;
	int32_t dir;
	int err = at_dir(dirfd, pathbuf[0], &dir);
	if (err < 0)
		return err;
	struct rrv_hc_readlinkat a;
	memset(&a, 0, sizeof(a));
	a.dir = dir;
	a.path = hc_path(0, len);
	a.buf = virt_to_phys(namebuf);
	a.len = bufsiz < PATH_MAX ? (uint64_t)bufsiz : PATH_MAX;
	int64_t n = hc_call(RRV_HC_READLINKAT, &a);
	if (n > 0 && copy_to_user(ubuf, namebuf, (size_t)n))
		return -EFAULT;
	return n;
}

SYS(sys_readlink)
{
	return do_readlinkat(AT_FDCWD, a0, a1, (int)a2);
}

SYS(sys_readlinkat)
{
	return do_readlinkat((int)a0, a1, a2, (int)a3);
}

/* faccessat2(dirfd, path, mode, flags): the host checks mode and flags. */
static int64_t do_faccessat(int dirfd, uint64_t upath, uint32_t mode, uint32_t flags)
{
	int64_t len = get_path(0, upath, flags & AT_EMPTY_PATH);
	if (len < 0)
		return len;
	return pathop(RRV_HC_ACCESSAT, dirfd, len, flags, mode);
}

SYS(sys_access)
{
	return do_faccessat(AT_FDCWD, a0, (uint32_t)a1, 0);
}

SYS(sys_faccessat)
{
	return do_faccessat((int)a0, a1, (uint32_t)a2, 0);
}

SYS(sys_faccessat2)
{
	return do_faccessat((int)a0, a1, (uint32_t)a2, (uint32_t)a3);
}

/* fchmodat2(dirfd, path, mode, flags) */
static int64_t do_fchmodat(int dirfd, uint64_t upath, uint32_t mode, uint32_t flags)
{
	if (flags & ~(uint32_t)(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	int64_t len = get_path(0, upath, flags & AT_EMPTY_PATH);
	if (len < 0)
		return len;
	return pathop(RRV_HC_CHMODAT, dirfd, len, flags, mode & 07777);
}

SYS(sys_chmod)
{
	return do_fchmodat(AT_FDCWD, a0, (uint32_t)a1, 0);
}

SYS(sys_fchmodat)
{
	return do_fchmodat((int)a0, a1, (uint32_t)a2, 0);
}

SYS(sys_fchmodat2)
{
	return do_fchmodat((int)a0, a1, (uint32_t)a2, (uint32_t)a3);
}

/* fchmod(fd, mode): a pipe's mode is fixed here, so that one succeeds
 * without effect. */
SYS(sys_fchmod)
{
	struct file *f = fd_file((int)a0);
	if (!f)
		return -EBADF;
	if (f->ops->kind != FILE_HOST)
		return 0;
	pathbuf[0][0] = '\0';
	return pathop(RRV_HC_CHMODAT, (int)a0, 0, AT_EMPTY_PATH, (uint32_t)a1 & 07777);
}

/* ---- sizes and syncing ---- */

/* ftruncate(fd, length): the host says EINVAL for a read-only file. */
SYS(sys_ftruncate)
{
	int64_t err;
	if ((int64_t)a1 < 0)
		return -EINVAL;
	struct file *f = host_file((int)a0, -EINVAL, &err);
	if (!f)
		return err;
	return fileop(RRV_HC_TRUNCATE, f->handle, a1);
}

/* truncate(path, length): opens the file for writing, as the check for
 * write permission requires anyway.  O_NONBLOCK keeps a FIFO from
 * blocking the open. */
SYS(sys_truncate)
{
	if ((int64_t)a1 < 0)
		return -EINVAL;
	int64_t len = get_path(0, a0, false);
	if (len < 0)
		return len;
	struct rrv_hc_openat a;
	memset(&a, 0, sizeof(a));
	a.dir = pathbuf[0][0] == '/' ? RRV_HC_AT_CWD : cwd_dir();
	a.flags = O_WRONLY | O_NONBLOCK;
	a.path = hc_path(0, len);
	int64_t h = hc_call(RRV_HC_OPENAT, &a);
	if (h < 0)
		return h;
	int64_t r = fileop(RRV_HC_TRUNCATE, (int32_t)h, a1);
	host_close((int32_t)h);
	return r;
}

/* fsync(fd) and fdatasync(fd): a pipe cannot be synced (EINVAL). */
static int64_t do_fsync(int fd, bool data_only)
{
	int64_t err;
	struct file *f = host_file(fd, -EINVAL, &err);
	if (!f)
		return err;
	return fileop(RRV_HC_FSYNC, f->handle, data_only);
}

SYS(sys_fsync)
{
	return do_fsync((int)a0, false);
}

SYS(sys_fdatasync)
{
	return do_fsync((int)a0, true);
}

/* sync(): the host's page cache is the host's business. */
SYS(sys_sync)
{
	return 0;
}

/* syncfs(fd) */
SYS(sys_syncfs)
{
	return fd_file((int)a0) ? 0 : -EBADF;
}

/* ---- pipes ---- */

/* pipe2(fds, flags): the read end gets the lower descriptor. */
SYS(sys_pipe2)
{
	uint32_t flags = (uint32_t)a1;
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
	if (copy_to_user(a0, fds, sizeof(fds))) {
		fd_close(fds[0]);
		fd_close(fds[1]);
		return -EFAULT;
	}
	return 0;
}

/* pipe(fds) */
SYS(sys_pipe)
{
	return sys_pipe2(a0, 0, 0, 0, 0, 0);
}

/* ---- poll and select ---- */

/*
 * Readiness comes from file_poll: a pipe knows, a host file always says
 * ready (the VMM cannot tell without reading), a host socket asks the
 * host.  A scan that finds nothing gathers what to wait on in a pollset
 * (pollwait.c): host sockets' handles and timerfds' deadlines make the
 * wait one POLL hypercall; with guest objects only, a wait with a
 * timeout sleeps that long on the host, and one without sleeps on
 * file_poll_chan (which the scheduler reports as a deadlock when nothing
 * can ever wake it, as a native run would hang).
 */

struct k_timespec {
	int64_t sec, nsec;
};

/* A user timespec as a timeout in ns: -1 for NULL (none), -EINVAL. */
static int64_t get_timeout(uint64_t uts, struct k_timespec *ts)
{
	if (!uts)
		return -1;
	if (copy_from_user(ts, uts, sizeof(*ts)))
		return -EFAULT;
	if (ts->sec < 0 || ts->nsec < 0 || ts->nsec >= NSEC_PER_SEC)
		return -EINVAL;
	if (ts->sec >= INT64_MAX / NSEC_PER_SEC)
		return INT64_MAX;
	return ts->sec * NSEC_PER_SEC + ts->nsec;
}

/*
 * ppoll's and pselect6's temporary signal mask: set for the wait; after
 * an interrupted wait the old one comes back only once the handler has
 * run (signal_return_to_user does that), otherwise at once.
 */
static bool mask_set(uint64_t umask, uint64_t size, sigset_k *old, int64_t *err)
{
	sigset_k set;

	*err = 0;
	if (!umask)
		return false;
	if (size != sizeof(sigset_k)) {
		*err = -EINVAL;
		return false;
	}
	if (copy_from_user(&set, umask, sizeof(set))) {
		*err = -EFAULT;
		return false;
	}
	*old = curthread->sigmask;
	signal_set_mask(set & ~SIG_UNBLOCKABLE);
	return true;
}

static void mask_done(bool set, sigset_k old, int64_t result)
{
	if (!set)
		return;
	if (result == -ERESTARTNOHAND) {
		curthread->saved_sigmask = old;
		curthread->restore_sigmask = true;
	} else {
		signal_set_mask(old);
	}
}

struct k_pollfd {
	int32_t fd;
	int16_t events, revents;
};

#define POLLNVAL 0x020
#define POLL_CHUNK 64

/* One pass over the user's pollfds, storing each revents: how many are
 * ready, or -EFAULT. */
static int64_t poll_scan(uint64_t ufds, uint64_t nfds, struct pollset *ps)
{
	struct k_pollfd pf[POLL_CHUNK];
	int64_t ready = 0;

	for (uint64_t i = 0; i < nfds; i += POLL_CHUNK) {
		uint64_t n = nfds - i < POLL_CHUNK ? nfds - i : POLL_CHUNK;
		uint64_t at = ufds + i * sizeof(pf[0]);
		if (copy_from_user(pf, at, n * sizeof(pf[0])))
			return -EFAULT;
		for (uint64_t j = 0; j < n; j++) {
			struct file *f = pf[j].fd < 0 ? NULL : fd_file(pf[j].fd);
			int mask = 0;
			if (pf[j].fd >= 0)
				mask = f ? file_poll(f) & ((uint16_t)pf[j].events |
							   POLLERR | POLLHUP)
					 : POLLNVAL;
			pf[j].revents = (int16_t)mask;
			ready += mask != 0;
			if (f && !mask)
				pollset_add_file(ps, f, (uint16_t)pf[j].events);
		}
		if (copy_to_user(at, pf, n * sizeof(pf[0])))
			return -EFAULT;
	}
	return ready;
}

static int64_t do_poll(uint64_t ufds, uint64_t nfds, int64_t timeout_ns)
{
	if (nfds > (uint64_t)fd_limit())
		return -EINVAL;
	for (;;) {
		struct pollset ps;
		pollset_init(&ps);
		int64_t n = poll_scan(ufds, nfds, &ps);
		if (n != 0 || timeout_ns == 0)
			return n;
		int w = pollset_wait(&ps, &timeout_ns);
		if (w != 0)
			return w < 0 ? w : poll_scan(ufds, nfds, &ps);
	}
}

/* poll(fds, nfds, timeout_ms) */
SYS(sys_poll)
{
	int ms = (int)a2;
	return do_poll(a0, a1, ms < 0 ? -1 : (int64_t)ms * 1000000);
}

/* ppoll(fds, nfds, timeout, sigmask, sigsetsize) */
SYS(sys_ppoll)
{
	struct k_timespec ts;
	sigset_k old = 0;
	int64_t err;

	int64_t ns = get_timeout(a2, &ts);
	if (ns < -1)
		return ns;
	bool set = mask_set(a3, a4, &old, &err);
	if (err)
		return err;
	int64_t r = do_poll(a0, a1, ns);
	mask_done(set, old, r);
	/* Linux writes back what is left of the timeout: all of it, or none
	 * after the wait ran out. */
	if (r == 0 && ns > 0) {
		struct k_timespec zero = { 0, 0 };
		if (copy_to_user(a2, &zero, sizeof(zero)))
			return -EFAULT;
	}
	return r;
}

#define FDSET_WORDS (NOFILE / 64)
#define POLLIN_SET (POLLRDNORM | 0x080 /* POLLRDBAND */ | POLLIN | POLLHUP | POLLERR)
#define POLLOUT_SET (0x200 /* POLLWRBAND */ | POLLWRNORM | POLLOUT | POLLERR)
#define POLLEX_SET POLLPRI

static const int select_sets[3] = { POLLIN_SET, POLLOUT_SET, POLLEX_SET };

/*
 * select's work on the three user fd_sets (NULL allowed) of nfds bits:
 * the ready count with the sets rewritten, or -errno.
 */
static int64_t do_select(int64_t nfds, const uint64_t uset[3], int64_t timeout_ns)
{
	uint64_t in[3][FDSET_WORDS], out[3][FDSET_WORDS];

	if (nfds < 0)
		return -EINVAL;
	/* Linux looks only as far as its table goes: a descriptor beyond it
	 * is never open, and is ignored rather than EBADF. */
	if (nfds > fd_table_size())
		nfds = fd_table_size();
	size_t bytes = (size_t)(nfds + 63) / 64 * 8;
	memset(in, 0, sizeof(in));
	for (int s = 0; s < 3; s++)
		if (uset[s] && copy_from_user(in[s], uset[s], bytes))
			return -EFAULT;
	for (int fd = 0; fd < nfds; fd++)
		if (((in[0][fd / 64] | in[1][fd / 64] | in[2][fd / 64]) >> (fd % 64)) & 1 &&
		    !fd_file(fd))
			return -EBADF;

	int64_t ready;
	for (;;) {
		struct pollset ps;
		pollset_init(&ps);
		ready = 0;
		memset(out, 0, sizeof(out));
		for (int fd = 0; fd < nfds; fd++) {
			uint64_t bit = 1ull << (fd % 64);
			if (!((in[0][fd / 64] | in[1][fd / 64] | in[2][fd / 64]) & bit))
				continue;
			int mask = file_poll(fd_file(fd));
			int want = 0;
			for (int s = 0; s < 3; s++) {
				if (!(in[s][fd / 64] & bit))
					continue;
				want |= select_sets[s];
				if (mask & select_sets[s]) {
					out[s][fd / 64] |= bit;
					ready++;
				}
			}
			pollset_add_file(&ps, fd_file(fd), want);
		}
		if (ready || timeout_ns == 0)
			break;
		int w = pollset_wait(&ps, &timeout_ns);
		if (w < 0)
			return w;
		if (w > 0)
			timeout_ns = 0; /* one last look, then done */
	}
	for (int s = 0; s < 3; s++)
		if (uset[s] && copy_to_user(uset[s], out[s], bytes))
			return -EFAULT;
	return ready;
}

struct k_timeval {
	int64_t sec, usec;
};

/* select(nfds, readfds, writefds, exceptfds, timeout) */
SYS(sys_select)
{
	const uint64_t sets[3] = { a1, a2, a3 };
	struct k_timeval tv;
	int64_t ns = -1;

	if (a4) {
		if (copy_from_user(&tv, a4, sizeof(tv)))
			return -EFAULT;
		if (tv.sec < 0 || tv.usec < 0 || tv.usec >= 1000000)
			return -EINVAL;
		ns = tv.sec >= INT64_MAX / NSEC_PER_SEC ? INT64_MAX
							: tv.sec * NSEC_PER_SEC + tv.usec * 1000;
	}
	int64_t r = do_select((int)a0, sets, ns);
	if (r == 0 && ns > 0) {
		struct k_timeval zero = { 0, 0 };
		if (copy_to_user(a4, &zero, sizeof(zero)))
			return -EFAULT;
	}
	return r;
}

/* pselect6(nfds, readfds, writefds, exceptfds, timeout, sigmask): the
 * last points at { const sigset_t *ss; size_t ss_len; }. */
SYS(sys_pselect6)
{
	const uint64_t sets[3] = { a1, a2, a3 };
	struct k_timespec ts;
	struct {
		uint64_t ss, ss_len;
	} sm = { 0, 0 };
	sigset_k old = 0;
	int64_t err;

	int64_t ns = get_timeout(a4, &ts);
	if (ns < -1)
		return ns;
	if (a5 && copy_from_user(&sm, a5, sizeof(sm)))
		return -EFAULT;
	bool set = mask_set(sm.ss, sm.ss_len, &old, &err);
	if (err)
		return err;
	int64_t r = do_select((int)a0, sets, ns);
	mask_done(set, old, r);
	if (r == 0 && ns > 0) {
		struct k_timespec zero = { 0, 0 };
		if (copy_to_user(a4, &zero, sizeof(zero)))
			return -EFAULT;
	}
	return r;
}

/* ---- links, times and owners (hypercalls of ABI v4) ---- */

/* linkat and symlinkat: two paths, the first possibly a plain string (the
 * symlink's target is text, not resolved). */
static int64_t two_paths(unsigned nr, int olddirfd, uint64_t uold, int newdirfd,
			 uint64_t unew, uint32_t flags)
{
	int64_t olen = get_path(0, uold, nr == RRV_HC_LINKAT && (flags & AT_EMPTY_PATH));
	if (olen < 0)
		return olen;
	int64_t nlen = get_path(1, unew, false);
	if (nlen < 0)
		return nlen;
	int32_t olddir = RRV_HC_AT_CWD, newdir;
	int err;
	if (nr == RRV_HC_LINKAT && (err = at_dir(olddirfd, pathbuf[0], &olddir)) < 0)
		return err;
	if ((err = at_dir(newdirfd, pathbuf[1], &newdir)) < 0)
		return err;
	struct rrv_hc_renameat a;
	memset(&a, 0, sizeof(a));
	a.olddir = olddir;
	a.newdir = newdir;
	a.flags = flags;
	a.oldpath = hc_path(0, olen);
	a.newpath = hc_path(1, nlen);
	return hc_call(nr, &a);
}

SYS(sys_link)
{
	return two_paths(RRV_HC_LINKAT, AT_FDCWD, a0, AT_FDCWD, a1, 0);
}

SYS(sys_linkat)
{
	if (a4 & ~(uint64_t)(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	return two_paths(RRV_HC_LINKAT, (int)a0, a1, (int)a2, a3, (uint32_t)a4);
}

SYS(sys_symlink)
{
	return two_paths(RRV_HC_SYMLINKAT, AT_FDCWD, a0, AT_FDCWD, a1, 0);
}

SYS(sys_symlinkat)
{
	return two_paths(RRV_HC_SYMLINKAT, AT_FDCWD, a0, (int)a1, a2, 0);
}

#define UTIME_NOW ((1l << 30) - 1l)
#define UTIME_OMIT ((1l << 30) - 2l)

/* utimensat(dirfd, path, times, flags); a NULL path means dirfd itself,
 * as Linux's futimens does it. */
SYS(sys_utimensat)
{
	uint32_t flags = (uint32_t)a3;
	if (flags & ~(uint32_t)(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	struct rrv_hc_utimensat a;
	memset(&a, 0, sizeof(a));
	if (a2) {
		int64_t ts[4];
		if (copy_from_user(ts, a2, sizeof(ts)))
			return -EFAULT;
		for (int i = 1; i < 4; i += 2)
			if ((ts[i] < 0 || ts[i] >= 1000000000) && ts[i] != UTIME_NOW &&
			    ts[i] != UTIME_OMIT)
				return -EINVAL;
		a.have_times = 1;
		a.atime_sec = ts[0];
		a.atime_nsec = ts[1];
		a.mtime_sec = ts[2];
		a.mtime_nsec = ts[3];
	}
	int64_t len = get_path(0, a1, true);
	if (len < 0)
		return len;
	if (len == 0)
		flags |= AT_EMPTY_PATH;
	int32_t dir;
	int err;
	if (len == 0) {
		struct file *f = host_file((int)a0, -EBADF, &len);
		if (!f)
			return len;
		dir = f->handle;
	} else if ((err = at_dir((int)a0, pathbuf[0], &dir)) < 0) {
		return err;
	}
	a.dir = dir;
	a.flags = flags;
	a.path = hc_path(0, len);
	return hc_call(RRV_HC_UTIMENSAT, &a);
}

static int64_t do_chownat(int dirfd, uint64_t upath, uint32_t uid, uint32_t gid,
			  uint32_t flags)
{
	if (flags & ~(uint32_t)(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	int64_t len = get_path(0, upath, flags & AT_EMPTY_PATH);
	if (len < 0)
		return len;
	int32_t dir;
	int err;
	if (len == 0) {
		struct file *f = host_file(dirfd, -EBADF, &len);
		if (!f)
			return len;
		dir = f->handle;
	} else if ((err = at_dir(dirfd, pathbuf[0], &dir)) < 0) {
		return err;
	}
	struct rrv_hc_chownat a;
	memset(&a, 0, sizeof(a));
	a.dir = dir;
	a.flags = flags;
	a.uid = uid;
	a.gid = gid;
	a.path = hc_path(0, len);
	return hc_call(RRV_HC_CHOWNAT, &a);
}

SYS(sys_chown)
{
	return do_chownat(AT_FDCWD, a0, (uint32_t)a1, (uint32_t)a2, 0);
}

SYS(sys_lchown)
{
	return do_chownat(AT_FDCWD, a0, (uint32_t)a1, (uint32_t)a2, AT_SYMLINK_NOFOLLOW);
}

SYS(sys_fchown)
{
	return do_chownat((int)a0, 0, (uint32_t)a1, (uint32_t)a2, AT_EMPTY_PATH);
}

SYS(sys_fchownat)
{
	return do_chownat((int)a0, a1, (uint32_t)a2, (uint32_t)a3, (uint32_t)a4);
}


const struct syscall_def sys_file_defs[] = {
	SYSCALL_DEF(0, "read", sys_read, "fpu"),
	SYSCALL_DEF(1, "write", sys_write, "fpu"),
	SYSCALL_DEF(2, "open", sys_open, "som"),
	SYSCALL_DEF(3, "close", sys_close, "f"),
	SYSCALL_DEF(4, "stat", sys_stat, "sp"),
	SYSCALL_DEF(5, "fstat", sys_fstat, "fp"),
	SYSCALL_DEF(6, "lstat", sys_lstat, "sp"),
	SYSCALL_DEF(7, "poll", sys_poll, "pud"),
	SYSCALL_DEF(8, "lseek", sys_lseek, "fdd"),
	SYSCALL_DEF(16, "ioctl", sys_ioctl, "fxp"),
	SYSCALL_DEF(17, "pread64", sys_pread64, "fpud"),
	SYSCALL_DEF(18, "pwrite64", sys_pwrite64, "fpud"),
	SYSCALL_DEF(19, "readv", sys_readv, "fpd"),
	SYSCALL_DEF(20, "writev", sys_writev, "fpd"),
	SYSCALL_DEF(21, "access", sys_access, "sd"),
	SYSCALL_DEF(22, "pipe", sys_pipe, "p"),
	SYSCALL_DEF(23, "select", sys_select, "dpppp"),
	SYSCALL_DEF(32, "dup", sys_dup, "f"),
	SYSCALL_DEF(33, "dup2", sys_dup2, "ff"),
	SYSCALL_DEF(40, "sendfile", sys_sendfile, "ffpu"),
	SYSCALL_DEF(72, "fcntl", sys_fcntl, "fdx"),
	SYSCALL_DEF(73, "flock", sys_flock, "fd"),
	SYSCALL_DEF(74, "fsync", sys_fsync, "f"),
	SYSCALL_DEF(75, "fdatasync", sys_fdatasync, "f"),
	SYSCALL_DEF(76, "truncate", sys_truncate, "sd"),
	SYSCALL_DEF(77, "ftruncate", sys_ftruncate, "fd"),
	SYSCALL_DEF(78, "getdents", sys_getdents, "fpu"),
	SYSCALL_DEF(79, "getcwd", sys_getcwd, "pu"),
	SYSCALL_DEF(80, "chdir", sys_chdir, "s"),
	SYSCALL_DEF(81, "fchdir", sys_fchdir, "f"),
	SYSCALL_DEF(82, "rename", sys_rename, "ss"),
	SYSCALL_DEF(83, "mkdir", sys_mkdir, "sm"),
	SYSCALL_DEF(86, "link", sys_link, "ss"),
	SYSCALL_DEF(88, "symlink", sys_symlink, "ss"),
	SYSCALL_DEF(92, "chown", sys_chown, "sdd"),
	SYSCALL_DEF(93, "fchown", sys_fchown, "fdd"),
	SYSCALL_DEF(94, "lchown", sys_lchown, "sdd"),
	SYSCALL_DEF(260, "fchownat", sys_fchownat, "fsddx"),
	SYSCALL_DEF(265, "linkat", sys_linkat, "fsfsx"),
	SYSCALL_DEF(266, "symlinkat", sys_symlinkat, "sfs"),
	SYSCALL_DEF(280, "utimensat", sys_utimensat, "fspx"),
	SYSCALL_DEF(84, "rmdir", sys_rmdir, "s"),
	SYSCALL_DEF(85, "creat", sys_creat, "sm"),
	SYSCALL_DEF(87, "unlink", sys_unlink, "s"),
	SYSCALL_DEF(89, "readlink", sys_readlink, "spu"),
	SYSCALL_DEF(90, "chmod", sys_chmod, "sm"),
	SYSCALL_DEF(91, "fchmod", sys_fchmod, "fm"),
	SYSCALL_DEF(162, "sync", sys_sync, ""),
	SYSCALL_DEF(217, "getdents64", sys_getdents64, "fpu"),
	SYSCALL_DEF(221, "fadvise64", sys_fadvise64, "fddd"),
	SYSCALL_DEF(257, "openat", sys_openat, "fsom"),
	SYSCALL_DEF(258, "mkdirat", sys_mkdirat, "fsm"),
	SYSCALL_DEF(262, "newfstatat", sys_newfstatat, "fspx"),
	SYSCALL_DEF(263, "unlinkat", sys_unlinkat, "fsx"),
	SYSCALL_DEF(264, "renameat", sys_renameat, "fsfs"),
	SYSCALL_DEF(267, "readlinkat", sys_readlinkat, "fspu"),
	SYSCALL_DEF(268, "fchmodat", sys_fchmodat, "fsm"),
	SYSCALL_DEF(269, "faccessat", sys_faccessat, "fsd"),
	SYSCALL_DEF(270, "pselect6", sys_pselect6, "dppppp"),
	SYSCALL_DEF(271, "ppoll", sys_ppoll, "puppu"),
	SYSCALL_DEF(292, "dup3", sys_dup3, "ffo"),
	SYSCALL_DEF(293, "pipe2", sys_pipe2, "po"),
	SYSCALL_DEF(295, "preadv", sys_preadv, "fpdd"),
	SYSCALL_DEF(296, "pwritev", sys_pwritev, "fpdd"),
	SYSCALL_DEF(306, "syncfs", sys_syncfs, "f"),
	SYSCALL_DEF(316, "renameat2", sys_renameat2, "fsfsx"),
	SYSCALL_DEF(327, "preadv2", sys_preadv2, "fpddx"),
	SYSCALL_DEF(328, "pwritev2", sys_pwritev2, "fpddx"),
	SYSCALL_DEF(332, "statx", sys_statx, "fsxxp"),
	SYSCALL_DEF(436, "close_range", sys_close_range, "uux"),
	SYSCALL_DEF(439, "faccessat2", sys_faccessat2, "fsdx"),
	SYSCALL_DEF(452, "fchmodat2", sys_fchmodat2, "fsmx"),
};

const size_t sys_file_ndefs = ARRAY_SIZE(sys_file_defs);
