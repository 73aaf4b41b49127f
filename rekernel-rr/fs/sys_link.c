/*
 * The system calls on the names in directories: link, linkat, symlink,
 * symlinkat, unlink, unlinkat, rmdir (unlinkat with AT_REMOVEDIR),
 * rename, renameat, renameat2, readlink and readlinkat.  The host does
 * the work; readlink of /proc/self/exe and /proc/self/fd/N is answered
 * by special.c.
 */
#include "arch/x86/vm.h"
#include "fs/file.h"
#include "fs/path.h"
#include "fs/special.h"
#include "hv/hypercall.h"
#include "lib/string.h"
#include "lib/syscall.h"
#include "mm/uaccess.h"
#include "proc/proc.h"
#include "uapi/errno.h"

/* ---- removing and renaming ---- */

static int64_t do_unlinkat(int dirfd, uint64_t upath, uint32_t flags)
{
	if (flags & ~(uint32_t)AT_REMOVEDIR)
		return -EINVAL;
	int64_t len = get_path(0, upath, false);
	if (len < 0)
		return len;
	return pathop(RRV_HC_UNLINKAT, dirfd, len, flags, 0);
}

SYSCALL_DEFINE1(unlink, "s", uint64_t, pathname)
{
	return do_unlinkat(AT_FDCWD, pathname, 0);
}

SYSCALL_DEFINE1(rmdir, "s", uint64_t, pathname)
{
	return do_unlinkat(AT_FDCWD, pathname, AT_REMOVEDIR);
}

SYSCALL_DEFINE3(unlinkat, "fsx", int, dfd, uint64_t, pathname, uint32_t, flag)
{
	return do_unlinkat(dfd, pathname, flag);
}

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

SYSCALL_DEFINE2(rename, "ss", uint64_t, oldname, uint64_t, newname)
{
	return do_renameat2(AT_FDCWD, oldname, AT_FDCWD, newname, 0);
}

SYSCALL_DEFINE4(renameat, "fsfs", int, olddfd, uint64_t, oldname, int, newdfd,
		uint64_t, newname)
{
	return do_renameat2(olddfd, oldname, newdfd, newname, 0);
}

SYSCALL_DEFINE5(renameat2, "fsfsx", int, olddfd, uint64_t, oldname, int, newdfd,
		uint64_t, newname, uint32_t, flags)
{
	return do_renameat2(olddfd, oldname, newdfd, newname, flags);
}

/* ---- links (hypercalls of ABI v4) ---- */

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

SYSCALL_DEFINE2(link, "ss", uint64_t, oldname, uint64_t, newname)
{
	return two_paths(RRV_HC_LINKAT, AT_FDCWD, oldname, AT_FDCWD, newname, 0);
}

/* All 64 bits of flags are checked. */
SYSCALL_DEFINE5(linkat, "fsfsx", int, olddfd, uint64_t, oldname, int, newdfd,
		uint64_t, newname, uint64_t, flags)
{
	if (flags & ~(uint64_t)(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	return two_paths(RRV_HC_LINKAT, olddfd, oldname, newdfd, newname, (uint32_t)flags);
}

SYSCALL_DEFINE2(symlink, "ss", uint64_t, oldname, uint64_t, newname)
{
	return two_paths(RRV_HC_SYMLINKAT, AT_FDCWD, oldname, AT_FDCWD, newname, 0);
}

SYSCALL_DEFINE3(symlinkat, "sfs", uint64_t, oldname, int, newdfd, uint64_t, newname)
{
	return two_paths(RRV_HC_SYMLINKAT, AT_FDCWD, oldname, newdfd, newname, 0);
}

/* ---- reading links ---- */

/* At most PATH_MAX bytes, no NUL.  An empty path names dirfd itself (a
 * symlink opened O_PATH). */
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

SYSCALL_DEFINE3(readlink, "spu", uint64_t, path, uint64_t, buf, int, bufsiz)
{
	return do_readlinkat(AT_FDCWD, path, buf, bufsiz);
}

SYSCALL_DEFINE4(readlinkat, "fspu", int, dfd, uint64_t, pathname, uint64_t, buf,
		int, bufsiz)
{
	return do_readlinkat(dfd, pathname, buf, bufsiz);
}
