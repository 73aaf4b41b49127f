/*
 * Files on the host: the hypercalls behind the program's file system calls.
 * The guest kernel owns file descriptors and passes Linux flags through; the
 * VMM owns the host descriptors behind handles (hostfd.c), checks every
 * guest buffer through hc_in()/hc_out(), and answers with Linux errno
 * values.
 */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <termios.h>

#include <rrv/digest.h>
#include <unistd.h>

#include "hc_families.h"
#include "hostpath.h"
#include "hostsig.h"
#include "hypercall.h"
#include "vmm.h"

/* Copies a guest path into buf (RRV_HC_PATH_MAX + 1 bytes) with a NUL. */
static int get_path(struct hc_call *c, const struct rrv_hc_path *p, char *buf)
{
	if (p->len > RRV_HC_PATH_MAX)
		return -ENAMETOOLONG;
	const char *g = hc_in(c, p->gpa, p->len);
	if (!g)
		return -EFAULT;
	memcpy(buf, g, p->len);
	buf[p->len] = 0;
	if (strlen(buf) != p->len) /* an embedded NUL: the guest is confused */
		return -EINVAL;
	return 0;
}

/* The host descriptor for a directory argument: AT_FDCWD (itself
 * negative) or a descriptor, or -EBADF; so test for -EBADF, not < 0. */
static int get_dir(struct hc_call *c, int32_t dir)
{
	if (dir == RRV_HC_AT_CWD)
		return AT_FDCWD;
	return dir < 0 ? -EBADF : hostfd_lookup(&c->vm->files, (uint64_t)dir);
}

/* A path and the directory it is relative to: the checks every *at()
 * handler starts with, in their order, the last one whether the guest may
 * reach what the path names at all (hostpath.h; how: HOSTPATH_*).  *fd is
 * AT_FDCWD or a host descriptor; returns 0 or -errno, so that HC_TRY()
 * applies.  Every handler that takes a path comes through here. */
static int get_path_at(struct hc_call *c, int32_t dir, const struct rrv_hc_path *p,
		       char *buf, int *fd, unsigned how)
{
	HC_TRY(get_path(c, p, buf));
	int d = get_dir(c, dir);
	if (d == -EBADF)
		return -EBADF;
	*fd = d;
	return hostpath_check(d, buf, how);
}

/* HOSTPATH_FOLLOW unless flags hold AT_SYMLINK_NOFOLLOW. */
static unsigned follow_unless(uint32_t flags)
{
	return flags & AT_SYMLINK_NOFOLLOW ? 0 : HOSTPATH_FOLLOW;
}

/* Moves iov[*first...] past n bytes just transferred. */
static void iov_consume(struct iovec *iov, uint32_t cnt, uint32_t *first, size_t n)
{
	while (n > 0 && *first < cnt) {
		if (n >= iov[*first].iov_len) {
			n -= iov[*first].iov_len;
			(*first)++;
		} else {
			iov[*first].iov_base = (char *)iov[*first].iov_base + n;
			iov[*first].iov_len -= n;
			n = 0;
		}
	}
}

static int64_t hc_write(struct hc_call *c)
{
	const struct rrv_hc_write *a = c->args;
	int fd = hostfd_lookup(&c->vm->files, a->handle);
	HC_TRY(fd);
	struct iovec iov[RRV_HC_IOV_MAX];
	int64_t total = hc_iovecs(c, a->iov, a->iovcnt, false, iov);
	HC_TRY(total);

	/* Deliver all of it: a short write to a pipe or terminal is not
	 * something the guest should have to retry. */
	int64_t done = 0;
	uint32_t first = 0;
	while (done < total) {
		ssize_t n = a->at_offset
			? pwritev(fd, iov + first, (int)(a->iovcnt - first), a->offset + done)
			: writev(fd, iov + first, (int)(a->iovcnt - first));
		if (n < 0) {
			/* A signal to rrv ends the wait (hostsig.h). */
			if (errno == EINTR && hostsig_interrupting())
				return done ? done : -RRV_HC_ERESTART;
			if (errno == EINTR)
				continue;
			return done ? done : -errno;
		}
		done += n;
		iov_consume(iov, a->iovcnt, &first, (size_t)n);
	}
	return done;
}

static int64_t hc_read(struct hc_call *c)
{
	const struct rrv_hc_read *a = c->args;
	int fd = hostfd_lookup(&c->vm->files, a->handle);
	HC_TRY(fd);
	struct iovec iov[RRV_HC_IOV_MAX];
	int64_t total = hc_iovecs(c, a->iov, a->iovcnt, true, iov);
	HC_TRY(total);

	/* A regular file gives everything up to its end in one read on
	 * Linux's local file systems, and programs count on it (tar takes a
	 * short read for a file that shrank); network and shared file
	 * systems (9p, as under tools/with-kvm) may stop after one piece,
	 * so the rest is asked for.  Anything else returns what it has. */
	struct stat st;
	bool regular = fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
	int64_t done = 0;
	uint32_t first = 0;
	while (done < total) {
		ssize_t n = a->at_offset
			? preadv(fd, iov + first, (int)(a->iovcnt - first), a->offset + done)
			: readv(fd, iov + first, (int)(a->iovcnt - first));
		if (n < 0) {
			if (errno == EINTR && hostsig_interrupting())
				return done ? done : -RRV_HC_ERESTART;
			if (errno == EINTR)
				continue;
			return done ? done : -errno;
		}
		done += n;
		if (n == 0 || !regular)
			break;
		iov_consume(iov, a->iovcnt, &first, (size_t)n);
	}
	return done;
}

/* Linux's O_LARGEFILE bit: glibc defines the macro as 0 on 64-bit hosts,
 * but musl programs pass the real bit (a no-op on 64-bit). */
#define LINUX_O_LARGEFILE 0100000

/* Flags a program may ask for; the VMM adds its own below. */
#define OPEN_FLAGS_ALLOWED                                                  \
	(O_ACCMODE | O_CREAT | O_EXCL | O_TRUNC | O_APPEND | O_NONBLOCK |    \
	 O_DIRECTORY | O_NOFOLLOW | O_PATH | O_DSYNC | O_SYNC |              \
	 LINUX_O_LARGEFILE | O_NOATIME | O_TMPFILE | O_DIRECT)

static int64_t hc_openat(struct hc_call *c)
{
	const struct rrv_hc_openat *a = c->args;
	char path[RRV_HC_PATH_MAX + 1];
	int dir;
	if (a->flags & ~(uint32_t)(OPEN_FLAGS_ALLOWED | O_CLOEXEC | O_NOCTTY))
		return -EINVAL;
	unsigned how = hostpath_open_how((int)a->flags);
	HC_TRY(get_path_at(c, a->dir, &a->path, path, &dir, how));
	/* CLOEXEC: rrv never runs another program, but a host descriptor
	 * must not outlive the handle table.  NOCTTY: the guest's terminal is
	 * rrv's, not a new one. */
	int fd = openat(dir, path, (int)(a->flags & OPEN_FLAGS_ALLOWED) | O_CLOEXEC | O_NOCTTY,
			(mode_t)a->mode);
	if (fd < 0)
		return -errno;
	/* The file it opened, checked again (it is the one checked: nothing
	 * of the guest ran in between). */
	fd = hostpath_opened(fd, how);
	HC_TRY(fd);
	return hostfd_adopt(&c->vm->files, fd);
}

static int64_t hc_close(struct hc_call *c)
{
	const struct rrv_hc_close *a = c->args;
	if (a->handle <= 2) /* rrv's own stdio stays open */
		return hostfd_lookup(&c->vm->files, a->handle) < 0 ? -EBADF : 0;
	return hostfd_close(&c->vm->files, a->handle);
}

static int64_t hc_lseek(struct hc_call *c)
{
	const struct rrv_hc_lseek *a = c->args;
	int fd = hostfd_lookup(&c->vm->files, a->handle);
	HC_TRY(fd);
	return hc_sys(lseek(fd, a->offset, (int)a->whence));
}

static void to_rrv_stat(const struct stat *s, struct rrv_stat *r)
{
	memset(r, 0, sizeof(*r));
	r->st_dev = s->st_dev;
	r->st_ino = s->st_ino;
	r->st_nlink = s->st_nlink;
	r->st_mode = s->st_mode;
	r->st_uid = s->st_uid;
	r->st_gid = s->st_gid;
	r->st_rdev = s->st_rdev;
	r->st_size = s->st_size;
	r->st_blksize = s->st_blksize;
	r->st_blocks = s->st_blocks;
	r->st_atime_sec = s->st_atim.tv_sec;
	r->st_atime_nsec = s->st_atim.tv_nsec;
	r->st_mtime_sec = s->st_mtim.tv_sec;
	r->st_mtime_nsec = s->st_mtim.tv_nsec;
	r->st_ctime_sec = s->st_ctim.tv_sec;
	r->st_ctime_nsec = s->st_ctim.tv_nsec;
}

static int64_t hc_fstatat(struct hc_call *c)
{
	const struct rrv_hc_fstatat *a = c->args;
	char path[RRV_HC_PATH_MAX + 1];
	int dir;
	if (a->flags & ~(uint32_t)(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT))
		return -EINVAL;
	HC_TRY(get_path_at(c, a->dir, &a->path, path, &dir, follow_unless(a->flags)));
	struct rrv_stat *out = hc_out(c, a->stat, sizeof(*out));
	if (!out)
		return -EFAULT;
	struct stat st;
	if (fstatat(dir, path, &st, (int)a->flags) < 0)
		return -errno;
	to_rrv_stat(&st, out);
	return 0;
}

static int64_t hc_statx(struct hc_call *c)
{
	const struct rrv_hc_statx *a = c->args;
	char path[RRV_HC_PATH_MAX + 1];
	int dir;
	HC_TRY(get_path_at(c, a->dir, &a->path, path, &dir, follow_unless(a->flags)));
	_Static_assert(sizeof(struct statx) == RRV_HC_STATX_SIZE, "statx size");
	void *out = hc_out(c, a->buf, RRV_HC_STATX_SIZE);
	if (!out)
		return -EFAULT;
	struct statx sx;
	memset(&sx, 0, sizeof(sx));
	if (statx(dir, path, (int)a->flags, a->mask, &sx) < 0)
		return -errno;
	memcpy(out, &sx, sizeof(sx));
	return 0;
}

static int64_t hc_fcntl(struct hc_call *c)
{
	const struct rrv_hc_fcntl *a = c->args;
	int fd = hostfd_lookup(&c->vm->files, a->handle);
	HC_TRY(fd);
	if (a->cmd == F_GETFL)
		return hc_sys(fcntl(fd, F_GETFL));
	if (a->cmd == F_SETFL)
		return hc_sys(fcntl(fd, F_SETFL, (int)(a->arg & (O_APPEND | O_NONBLOCK |
							     O_DIRECT | O_NOATIME))));
	return -EINVAL;
}

static const struct {
	uint32_t cmd;
	uint32_t size;
} ioctls[] = {
	{ TCGETS, 36 }, /* the kernel's struct termios, not glibc's */
	{ TIOCGWINSZ, sizeof(struct winsize) },
	{ FIONREAD, sizeof(int) },
};

static int64_t hc_ioctl(struct hc_call *c)
{
	const struct rrv_hc_ioctl *a = c->args;
	int fd = hostfd_lookup(&c->vm->files, a->handle);
	HC_TRY(fd);
	for (size_t i = 0; i < sizeof(ioctls) / sizeof(ioctls[0]); i++) {
		if (ioctls[i].cmd != a->cmd)
			continue;
		if (a->len != ioctls[i].size)
			return -EINVAL;
		void *out = hc_out(c, a->buf, a->len);
		if (!out)
			return -EFAULT;
		unsigned char tmp[64] = { 0 };
		if (ioctl(fd, a->cmd, tmp) < 0)
			return -errno;
		memcpy(out, tmp, a->len);
		return 0;
	}
	return -ENOTTY;
}

static int64_t hc_getdents(struct hc_call *c)
{
	const struct rrv_hc_getdents *a = c->args;
	int fd = hostfd_lookup(&c->vm->files, a->handle);
	HC_TRY(fd);
	if (a->len > (1u << 20))
		return -EINVAL;
	void *out = hc_out(c, a->buf, a->len);
	if (!out)
		return -EFAULT;
	return hc_sys(syscall(SYS_getdents64, fd, out, (size_t)a->len));
}

static int64_t hc_readlinkat(struct hc_call *c)
{
	const struct rrv_hc_readlinkat *a = c->args;
	char path[RRV_HC_PATH_MAX + 1];
	int dir;
	HC_TRY(get_path_at(c, a->dir, &a->path, path, &dir, 0));
	if (a->len > RRV_HC_PATH_MAX)
		return -EINVAL;
	char *out = hc_out(c, a->buf, a->len);
	if (!out)
		return -EFAULT;
	return hc_sys(readlinkat(dir, path, out, a->len));
}

/* The calls of struct rrv_hc_pathop share one handler: the same checks
 * of the path and its directory, then the host call that c->nr names. */
static int64_t hc_pathop(struct hc_call *c)
{
	const struct rrv_hc_pathop *a = c->args;
	char path[RRV_HC_PATH_MAX + 1];
	int dir;
	/* unlink and mkdir never follow a last link; mkdir makes it. */
	unsigned how = c->nr == RRV_HC_UNLINKAT ? 0
		     : c->nr == RRV_HC_MKDIRAT ? HOSTPATH_CREATE
		     : follow_unless(a->flags);
	HC_TRY(get_path_at(c, a->dir, &a->path, path, &dir, how));
	switch (c->nr) {
	case RRV_HC_UNLINKAT:
		return hc_sys(unlinkat(dir, path, (int)a->flags));
	case RRV_HC_MKDIRAT:
		return hc_sys(mkdirat(dir, path, (mode_t)a->mode));
	case RRV_HC_ACCESSAT:
		return hc_sys(syscall(SYS_faccessat2, dir, path, (int)a->mode, (int)a->flags));
	case RRV_HC_CHMODAT:
		if (!path[0] && (a->flags & AT_EMPTY_PATH)) {
			if (dir == AT_FDCWD)
				return -EBADF;
			return hc_sys(fchmod(dir, (mode_t)a->mode));
		}
		return hc_sys(fchmodat(dir, path, (mode_t)a->mode, (int)a->flags));
	}
	return -ENOSYS; /* registered for no other number */
}

static int64_t hc_renameat(struct hc_call *c)
{
	const struct rrv_hc_renameat *a = c->args;
	char from[RRV_HC_PATH_MAX + 1], to[RRV_HC_PATH_MAX + 1];
	int olddir, newdir;
	HC_TRY(get_path_at(c, a->olddir, &a->oldpath, from, &olddir, 0));
	HC_TRY(get_path_at(c, a->newdir, &a->newpath, to, &newdir, HOSTPATH_CREATE));
	return hc_sys(renameat2(olddir, from, newdir, to, a->flags));
}

static int64_t hc_linkat(struct hc_call *c)
{
	const struct rrv_hc_renameat *a = c->args;
	char from[RRV_HC_PATH_MAX + 1], to[RRV_HC_PATH_MAX + 1];
	if (a->flags & ~(uint32_t)(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	int olddir, newdir;
	HC_TRY(get_path_at(c, a->olddir, &a->oldpath, from, &olddir,
			   a->flags & AT_SYMLINK_FOLLOW ? HOSTPATH_FOLLOW : 0));
	HC_TRY(get_path_at(c, a->newdir, &a->newpath, to, &newdir, HOSTPATH_CREATE));
	return hc_sys(linkat(olddir, from, newdir, to, (int)a->flags));
}

static int64_t hc_symlinkat(struct hc_call *c)
{
	const struct rrv_hc_renameat *a = c->args;
	char target[RRV_HC_PATH_MAX + 1], link[RRV_HC_PATH_MAX + 1];
	int newdir;
	/* The target is only text, checked when something follows it. */
	HC_TRY(get_path(c, &a->oldpath, target));
	HC_TRY(get_path_at(c, a->newdir, &a->newpath, link, &newdir, HOSTPATH_CREATE));
	return hc_sys(symlinkat(target, newdir, link));
}

static int64_t hc_utimensat(struct hc_call *c)
{
	const struct rrv_hc_utimensat *a = c->args;
	char path[RRV_HC_PATH_MAX + 1];
	int dir;
	if (a->flags & ~(uint32_t)(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	HC_TRY(get_path_at(c, a->dir, &a->path, path, &dir, follow_unless(a->flags)));
	struct timespec ts[2] = {
		{ .tv_sec = a->atime_sec, .tv_nsec = a->atime_nsec },
		{ .tv_sec = a->mtime_sec, .tv_nsec = a->mtime_nsec },
	};
	if (!path[0] && (a->flags & AT_EMPTY_PATH)) {
		if (dir == AT_FDCWD)
			return -EBADF;
		return hc_sys(futimens(dir, a->have_times ? ts : NULL));
	}
	return hc_sys(utimensat(dir, path, a->have_times ? ts : NULL,
			     (int)(a->flags & AT_SYMLINK_NOFOLLOW)));
}

static int64_t hc_chownat(struct hc_call *c)
{
	const struct rrv_hc_chownat *a = c->args;
	char path[RRV_HC_PATH_MAX + 1];
	int dir;
	if (a->flags & ~(uint32_t)(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	HC_TRY(get_path_at(c, a->dir, &a->path, path, &dir, follow_unless(a->flags)));
	return hc_sys(fchownat(dir, path, a->uid, a->gid, (int)a->flags));
}

static int64_t hc_truncate(struct hc_call *c)
{
	const struct rrv_hc_fileop *a = c->args;
	int fd = hostfd_lookup(&c->vm->files, a->handle);
	HC_TRY(fd);
	if (a->arg > INT64_MAX)
		return -EINVAL;
	return hc_sys(ftruncate(fd, (off_t)a->arg));
}

static int64_t hc_fsync(struct hc_call *c)
{
	const struct rrv_hc_fileop *a = c->args;
	int fd = hostfd_lookup(&c->vm->files, a->handle);
	HC_TRY(fd);
	return hc_sys(a->arg ? fdatasync(fd) : fsync(fd));
}

static int64_t hc_getcwd(struct hc_call *c)
{
	const struct rrv_hc_getcwd *a = c->args;
	char buf[PATH_MAX];
	if (!getcwd(buf, sizeof(buf)))
		return -errno;
	size_t n = strlen(buf) + 1;
	if (n > a->len)
		return -ERANGE;
	char *out = hc_out(c, a->buf, n);
	if (!out)
		return -EFAULT;
	memcpy(out, buf, n);
	return (int64_t)n;
}

static int64_t hc_chdir(struct hc_call *c)
{
	const struct rrv_hc_chdir *a = c->args;
	char path[RRV_HC_PATH_MAX + 1];
	HC_TRY(get_path(c, &a->path, path));
	if (path[0]) {
		HC_TRY(hostpath_check(AT_FDCWD, path, HOSTPATH_FOLLOW));
		return hc_sys(chdir(path));
	}
	int fd = a->handle < 0 ? -EBADF : hostfd_lookup(&c->vm->files, (uint32_t)a->handle);
	HC_TRY(fd);
	return hc_sys(fchdir(fd));
}

/*
 * In replay only the program's own output is performed: bytes written to
 * rrv's stdout or stderr.  Host files are neither read nor written.
 */
static int64_t replay_write(struct hc_call *c)
{
	const struct rrv_hc_write *a = c->args;
	if (a->handle != 1 && a->handle != 2)
		return 0;
	struct iovec iov[RRV_HC_IOV_MAX];
	int64_t total = hc_iovecs(c, a->iov, a->iovcnt, false, iov);
	if (total <= 0)
		return total;
	/* Write what the recording wrote: ret bytes (a short write then was
	 * a short write to the program). */
	int64_t want = ((struct rrv_hc_hdr *)c->args)->ret;
	int64_t done = 0;
	for (uint32_t i = 0; i < a->iovcnt && done < want; i++) {
		size_t len = iov[i].iov_len;
		if ((int64_t)len > want - done)
			len = (size_t)(want - done);
		const char *p = iov[i].iov_base;
		/* Output already shown, by a run this one re-executes after a
		 * snapshot was restored (rrv debug going back), is not shown
		 * again: only what lies past the most ever written. */
		struct vmm *vm = c->vm;
		uint64_t at = vm->output.bytes;
		size_t skip = vm->output.shown > at
			? (size_t)(vm->output.shown - at < len ? vm->output.shown - at : len)
			: 0;
		vm->output.digest = rrv_digest(vm->output.digest, p, len);
		vm->output.bytes += len;
		if (vm->output.bytes > vm->output.shown)
			vm->output.shown = vm->output.bytes;
		for (size_t off = skip; off < len && !vm->output.mute;) {
			ssize_t n = write((int)a->handle, p + off, len - off);
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				return -errno;
			off += (size_t)n;
		}
		done += (int64_t)len;
	}
	return done;
}

#define P(type) HC_IN_BUF(struct type, path.gpa, path.len)
#define FILE_HC(nr, name_, type, fn_, flags_, ...)                            \
	{ nr, { .name = (name_), .args_size = sizeof(struct type), .flags = (flags_), \
		.fn = (fn_), .in = __VA_ARGS__ } }

static const struct hc_entry files[] = {
	{ RRV_HC_WRITE, { .name = "write", .args_size = sizeof(struct rrv_hc_write),
			  .flags = HC_F_TERMINAL, .fn = hc_write, .replay_fn = replay_write,
			  .in = { HC_IN_IOV(struct rrv_hc_write, iov, iovcnt) } } },
	FILE_HC(RRV_HC_OPENAT, "openat", rrv_hc_openat, hc_openat, 0, { P(rrv_hc_openat) }),
	FILE_HC(RRV_HC_CLOSE, "close", rrv_hc_close, hc_close, 0, { { 0 } }),
	FILE_HC(RRV_HC_READ, "read", rrv_hc_read, hc_read, HC_F_OUT_RET | HC_F_MAY_BLOCK, { { 0 } }),
	FILE_HC(RRV_HC_LSEEK, "lseek", rrv_hc_lseek, hc_lseek, 0, { { 0 } }),
	FILE_HC(RRV_HC_FSTATAT, "fstatat", rrv_hc_fstatat, hc_fstatat, 0, { P(rrv_hc_fstatat) }),
	FILE_HC(RRV_HC_STATX, "statx", rrv_hc_statx, hc_statx, 0, { P(rrv_hc_statx) }),
	FILE_HC(RRV_HC_FCNTL, "fcntl", rrv_hc_fcntl, hc_fcntl, 0, { { 0 } }),
	FILE_HC(RRV_HC_IOCTL, "ioctl", rrv_hc_ioctl, hc_ioctl, 0, { { 0 } }),
	FILE_HC(RRV_HC_GETDENTS, "getdents", rrv_hc_getdents, hc_getdents, HC_F_OUT_RET, { { 0 } }),
	FILE_HC(RRV_HC_READLINKAT, "readlinkat", rrv_hc_readlinkat, hc_readlinkat,
		HC_F_OUT_RET, { P(rrv_hc_readlinkat) }),
	FILE_HC(RRV_HC_UNLINKAT, "unlinkat", rrv_hc_pathop, hc_pathop, 0, { P(rrv_hc_pathop) }),
	FILE_HC(RRV_HC_MKDIRAT, "mkdirat", rrv_hc_pathop, hc_pathop, 0, { P(rrv_hc_pathop) }),
	FILE_HC(RRV_HC_RENAMEAT, "renameat", rrv_hc_renameat, hc_renameat, 0,
		{ HC_IN_BUF(struct rrv_hc_renameat, oldpath.gpa, oldpath.len),
		  HC_IN_BUF(struct rrv_hc_renameat, newpath.gpa, newpath.len) }),
	FILE_HC(RRV_HC_ACCESSAT, "accessat", rrv_hc_pathop, hc_pathop, 0, { P(rrv_hc_pathop) }),
	FILE_HC(RRV_HC_CHMODAT, "chmodat", rrv_hc_pathop, hc_pathop, 0, { P(rrv_hc_pathop) }),
	FILE_HC(RRV_HC_LINKAT, "linkat", rrv_hc_renameat, hc_linkat, 0,
		{ HC_IN_BUF(struct rrv_hc_renameat, oldpath.gpa, oldpath.len),
		  HC_IN_BUF(struct rrv_hc_renameat, newpath.gpa, newpath.len) }),
	FILE_HC(RRV_HC_SYMLINKAT, "symlinkat", rrv_hc_renameat, hc_symlinkat, 0,
		{ HC_IN_BUF(struct rrv_hc_renameat, oldpath.gpa, oldpath.len),
		  HC_IN_BUF(struct rrv_hc_renameat, newpath.gpa, newpath.len) }),
	FILE_HC(RRV_HC_UTIMENSAT, "utimensat", rrv_hc_utimensat, hc_utimensat, 0,
		{ P(rrv_hc_utimensat) }),
	FILE_HC(RRV_HC_CHOWNAT, "chownat", rrv_hc_chownat, hc_chownat, 0, { P(rrv_hc_chownat) }),
	FILE_HC(RRV_HC_TRUNCATE, "truncate", rrv_hc_fileop, hc_truncate, 0, { { 0 } }),
	FILE_HC(RRV_HC_FSYNC, "fsync", rrv_hc_fileop, hc_fsync, 0, { { 0 } }),
	FILE_HC(RRV_HC_GETCWD, "getcwd", rrv_hc_getcwd, hc_getcwd, HC_F_OUT_RET, { { 0 } }),
	FILE_HC(RRV_HC_CHDIR, "chdir", rrv_hc_chdir, hc_chdir, 0, { P(rrv_hc_chdir) }),
};

int hc_file_register(struct hc_table *t)
{
	return HC_REGISTER_TABLE(t, files);
}
