/*
 * The system calls on the names in directories: link, linkat, symlink,
 * symlinkat, unlink, unlinkat, rmdir (unlinkat with AT_REMOVEDIR),
 * rename, renameat, renameat2, readlink and readlinkat.  The host does
 * the work; a path of the guest's own (/proc, /sys...) is answered by
 * pseudo.c: readlink reads its links, and changes are refused.
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

/* ---- removing and renaming ---- */

/*
 * The two paths of rename, link and symlink (pathbuf[0] and [1]): an
 * error when either is one of the guest's (both_paths: the first is a
 * path too, not a symlink's text), else 0 with both as the host needs
 * them.
 */
static int64_t refuse_both(int olddirfd, int64_t *olen, int newdirfd, int64_t *nlen,
			   bool both_paths)
{
	static char keep[PATH_MAX];
	memcpy(keep, pathbuf[0], (size_t)*olen + 1);
	memcpy(pathbuf[0], pathbuf[1], (size_t)*nlen + 1);
	int64_t e = pseudo_refuse(newdirfd, false, nlen);
	memcpy(pathbuf[1], pathbuf[0], (size_t)*nlen + 1);
	memcpy(pathbuf[0], keep, (size_t)*olen + 1);
	if (e || !both_paths)
		return e;
	return pseudo_refuse(olddirfd, false, olen);
}

static int64_t do_unlinkat(int dirfd, uint64_t upath, uint32_t flags)
{
	if (flags & ~(uint32_t)AT_REMOVEDIR)
		return -EINVAL;
	int64_t len = get_path(0, upath, false);
	if (len < 0)
		return len;
	int64_t e = pseudo_refuse(dirfd, false, &len);
	if (e)
		return e;
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
	int64_t e = refuse_both(olddirfd, &olen, newdirfd, &nlen, true);
	if (e)
		return e;
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
	int64_t e = refuse_both(olddirfd, &olen, newdirfd, &nlen, nr == RRV_HC_LINKAT);
	if (e)
		return e;
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
	struct file *self = len == 0 ? fd_file(dirfd) : NULL;
	int64_t sn = 0;
	bool ours = false;
	if (self && file_is_pseudo(self)) {
		sn = pseudo_readlink_file(self, namebuf, max);
		ours = true;
	} else if (len > 0) {
		struct pathres pr;
		int e = path_resolve(dirfd, pathbuf[0], false, &pr);
		if (e < 0)
			return e;
		if (pr.kind != PATH_HOST) {
			sn = pseudo_readlink(&pr, namebuf, max);
			ours = true;
		}
		len = (int64_t)strlen(pathbuf[0]);
	}
	if (ours && sn < 0)
		return sn;
	if (ours)
		return copy_to_user(ubuf, namebuf, (size_t)sn) ? -EFAULT : sn;
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
