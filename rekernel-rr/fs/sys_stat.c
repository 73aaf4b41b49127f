/*
 * The system calls that read or change a file's attributes: stat, lstat,
 * fstat, newfstatat and statx; access, faccessat and faccessat2; chmod,
 * fchmod, fchmodat and fchmodat2; chown, lchown, fchown and fchownat;
 * utimensat.  The host answers for a host file; a pipe's or a guest
 * object's stat is made by its kind.
 */
#include "arch/x86/vm.h"
#include "fs/file.h"
#include "fs/path.h"
#include "fs/pseudo.h"
#include "hv/hypercall.h"
#include "lib/string.h"
#include "lib/syscall.h"
#include "mm/uaccess.h"
#include "proc/proc.h"
#include "uapi/errno.h"
#include "uapi/stat.h"

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
	struct pathres pr;
	int err = path_resolve(dirfd, pathbuf[0], !(flags & AT_SYMLINK_NOFOLLOW), &pr);
	if (err < 0)
		return err;
	if (pr.kind != PATH_HOST)
		return pseudo_stat(&pr, st);
	len = (int64_t)strlen(pathbuf[0]);
	int32_t dir;
	err = at_dir(dirfd, pathbuf[0], &dir);
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

SYSCALL_DEFINE2(stat, "sp", uint64_t, filename, uint64_t, statbuf)
{
	return do_fstatat(AT_FDCWD, filename, statbuf, 0);
}

SYSCALL_DEFINE2(lstat, "sp", uint64_t, filename, uint64_t, statbuf)
{
	return do_fstatat(AT_FDCWD, filename, statbuf, AT_SYMLINK_NOFOLLOW);
}

SYSCALL_DEFINE2(fstat, "fp", int, fd, uint64_t, statbuf)
{
	struct rrv_stat st;
	struct file *f = fd_file(fd);
	if (!f)
		return -EBADF;
	int64_t r = f->ops->stat(f, &st);
	return r < 0 ? r : put_stat(statbuf, &st);
}

SYSCALL_DEFINE4(newfstatat, "fspx", int, dfd, uint64_t, filename, uint64_t, statbuf,
		uint32_t, flag)
{
	return do_fstatat(dfd, filename, statbuf, flag);
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

SYSCALL_DEFINE5(statx, "fsxxp", int, dfd, uint64_t, filename, uint32_t, flags,
		uint32_t, mask, uint64_t, buffer)
{
	struct k_statx sx;

	_Static_assert(sizeof(struct k_statx) == RRV_HC_STATX_SIZE, "statx size");
	if (flags & ~(uint32_t)(AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT | AT_EMPTY_PATH |
				AT_STATX_SYNC_TYPE))
		return -EINVAL;
	if ((flags & AT_STATX_SYNC_TYPE) == AT_STATX_SYNC_TYPE || (mask & STATX_RESERVED))
		return -EINVAL;
	int64_t len = get_path(0, filename, flags & AT_EMPTY_PATH);
	if (len < 0)
		return len;

	/* An empty path names dfd itself: a pipe's answer is made here. */
	struct file *self = len == 0 && dfd != AT_FDCWD ? fd_file(dfd) : NULL;
	if (self && self->ops->kind != FILE_HOST) {
		struct rrv_stat st;
		int r = self->ops->stat(self, &st);
		if (r < 0)
			return r;
		stat_to_statx(&st, &sx);
		return copy_to_user(buffer, &sx, sizeof(sx)) ? -EFAULT : 0;
	}
	struct pathres pr;
	int err = path_resolve(dfd, pathbuf[0], !(flags & AT_SYMLINK_NOFOLLOW), &pr);
	if (err < 0)
		return err;
	if (pr.kind != PATH_HOST) {
		struct rrv_stat st;
		err = pseudo_stat(&pr, &st);
		if (err < 0)
			return err;
		stat_to_statx(&st, &sx);
		return copy_to_user(buffer, &sx, sizeof(sx)) ? -EFAULT : 0;
	}
	len = (int64_t)strlen(pathbuf[0]);
	int32_t dir;
	err = at_dir(dfd, pathbuf[0], &dir);
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
	return copy_to_user(buffer, &sx, sizeof(sx)) ? -EFAULT : 0;
}

/* ---- access and modes ---- */

/* faccessat2's work: the host checks mode and flags. */
static int64_t do_faccessat(int dirfd, uint64_t upath, uint32_t mode, uint32_t flags)
{
	int64_t len = get_path(0, upath, flags & AT_EMPTY_PATH);
	if (len < 0)
		return len;
	struct pathres pr;
	int err = path_resolve(dirfd, pathbuf[0], !(flags & AT_SYMLINK_NOFOLLOW), &pr);
	if (err < 0)
		return err;
	if (pr.kind != PATH_HOST)
		return pseudo_access(&pr, mode);
	len = (int64_t)strlen(pathbuf[0]);
	return pathop(RRV_HC_ACCESSAT, dirfd, len, flags, mode);
}

SYSCALL_DEFINE2(access, "sd", uint64_t, filename, uint32_t, mode)
{
	return do_faccessat(AT_FDCWD, filename, mode, 0);
}

SYSCALL_DEFINE3(faccessat, "fsd", int, dfd, uint64_t, filename, uint32_t, mode)
{
	return do_faccessat(dfd, filename, mode, 0);
}

SYSCALL_DEFINE4(faccessat2, "fsdx", int, dfd, uint64_t, filename, uint32_t, mode,
		uint32_t, flags)
{
	return do_faccessat(dfd, filename, mode, flags);
}

/* fchmodat2's work. */
static int64_t do_fchmodat(int dirfd, uint64_t upath, uint32_t mode, uint32_t flags)
{
	if (flags & ~(uint32_t)(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	int64_t len = get_path(0, upath, flags & AT_EMPTY_PATH);
	if (len < 0)
		return len;
	int64_t e = pseudo_refuse(dirfd, !(flags & AT_SYMLINK_NOFOLLOW), &len);
	if (e)
		return e;
	return pathop(RRV_HC_CHMODAT, dirfd, len, flags, mode & 07777);
}

SYSCALL_DEFINE2(chmod, "sm", uint64_t, filename, uint32_t, mode)
{
	return do_fchmodat(AT_FDCWD, filename, mode, 0);
}

SYSCALL_DEFINE3(fchmodat, "fsm", int, dfd, uint64_t, filename, uint32_t, mode)
{
	return do_fchmodat(dfd, filename, mode, 0);
}

/*
 * fchmodat2 is number 452, which only kernel headers >= 6.6 name (Debian
 * 12's linux-libc-dev stops at 450).  The table comes from the system's
 * <asm/unistd_64.h>, so where the headers are older the call is not
 * registered and the program gets -ENOSYS, as from such a kernel.
 */
#ifdef RRV_NR_fchmodat2
SYSCALL_DEFINE4(fchmodat2, "fsmx", int, dfd, uint64_t, filename, uint32_t, mode,
		uint32_t, flags)
{
	return do_fchmodat(dfd, filename, mode, flags);
}
#endif

/* A pipe's mode is fixed here, so that one succeeds without effect. */
SYSCALL_DEFINE2(fchmod, "fm", int, fd, uint32_t, mode)
{
	struct file *f = fd_file(fd);
	if (!f)
		return -EBADF;
	if (file_is_pseudo(f))
		return -EPERM;
	if (f->ops->kind != FILE_HOST)
		return 0;
	pathbuf[0][0] = '\0';
	return pathop(RRV_HC_CHMODAT, fd, 0, AT_EMPTY_PATH, mode & 07777);
}

/* ---- owners and times (hypercalls of ABI v4) ---- */

static int64_t do_chownat(int dirfd, uint64_t upath, uint32_t uid, uint32_t gid,
			  uint32_t flags)
{
	if (flags & ~(uint32_t)(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	int64_t len = get_path(0, upath, flags & AT_EMPTY_PATH);
	if (len < 0)
		return len;
	int64_t e = pseudo_refuse(dirfd, !(flags & AT_SYMLINK_NOFOLLOW), &len);
	if (e)
		return e;
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

SYSCALL_DEFINE3(chown, "sdd", uint64_t, filename, uint32_t, user, uint32_t, group)
{
	return do_chownat(AT_FDCWD, filename, user, group, 0);
}

SYSCALL_DEFINE3(lchown, "sdd", uint64_t, filename, uint32_t, user, uint32_t, group)
{
	return do_chownat(AT_FDCWD, filename, user, group, AT_SYMLINK_NOFOLLOW);
}

SYSCALL_DEFINE3(fchown, "fdd", int, fd, uint32_t, user, uint32_t, group)
{
	return do_chownat(fd, 0, user, group, AT_EMPTY_PATH);
}

SYSCALL_DEFINE5(fchownat, "fsddx", int, dfd, uint64_t, filename, uint32_t, user,
		uint32_t, group, uint32_t, flag)
{
	return do_chownat(dfd, filename, user, group, flag);
}

/* A NULL path means dfd itself, as Linux's futimens does it. */
SYSCALL_DEFINE4(utimensat, "fspx", int, dfd, uint64_t, filename, uint64_t, utimes,
		uint32_t, flags)
{
	if (flags & ~(uint32_t)(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	struct rrv_hc_utimensat a;
	memset(&a, 0, sizeof(a));
	if (utimes) {
		int64_t ts[4];
		if (copy_from_user(ts, utimes, sizeof(ts)))
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
	int64_t len = get_path(0, filename, true);
	if (len < 0)
		return len;
	int64_t e = pseudo_refuse(dfd, !(flags & AT_SYMLINK_NOFOLLOW), &len);
	if (e)
		return e;
	if (len == 0)
		flags |= AT_EMPTY_PATH;
	int32_t dir;
	int err;
	if (len == 0) {
		struct file *f = host_file(dfd, -EBADF, &len);
		if (!f)
			return len;
		dir = f->handle;
	} else if ((err = at_dir(dfd, pathbuf[0], &dir)) < 0) {
		return err;
	}
	a.dir = dir;
	a.flags = flags;
	a.path = hc_path(0, len);
	return hc_call(RRV_HC_UTIMENSAT, &a);
}
