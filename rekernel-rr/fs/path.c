/*
 * The helpers of the file system calls (contracts in path.h): the path
 * buffers and user paths, *at() directory descriptors, and the host
 * operations on one handle.  The calls themselves are in sys_open.c,
 * sys_rw.c, sys_stat.c, sys_fcntl.c, sys_dir.c, sys_link.c and
 * sys_poll.c.
 */
#include "fs/path.h"

#include "fs/pseudo.h"
#include "hv/hypercall.h"
#include "lib/string.h"
#include "mm/uaccess.h"
#include "uapi/errno.h"

char pathbuf[2][PATH_MAX];
char namebuf[PATH_MAX];

int64_t get_path(int i, uint64_t upath, bool empty_ok)
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

int at_dir(int dirfd, const char *path, int32_t *dir)
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

int64_t pathop(unsigned nr, int dirfd, int64_t len, uint32_t flags, uint32_t mode)
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

int64_t host_close(int32_t handle)
{
	struct rrv_hc_close a;
	memset(&a, 0, sizeof(a));
	a.handle = (uint32_t)handle;
	return hc_call(RRV_HC_CLOSE, &a);
}

int64_t fileop(unsigned nr, int32_t handle, uint64_t arg)
{
	struct rrv_hc_fileop a;
	memset(&a, 0, sizeof(a));
	a.handle = (uint32_t)handle;
	a.arg = arg;
	return hc_call(nr, &a);
}

struct file *host_file(int fd, int64_t other_err, int64_t *err)
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

int64_t pseudo_refuse(int dirfd, bool follow, int64_t *len)
{
	struct pathres pr;
	if (*len == 0)
		return 0;
	int e = path_resolve(dirfd, pathbuf[0], follow, &pr);
	if (e == -ENOENT && pr.parent_ok)
		return pseudo_change_err();
	if (e < 0)
		return e;
	if (pr.kind == PATH_OBJ && pseudo_obj_path(&pr)) {
		/* A magic link changes the file it leads to, as in Linux. */
		size_t n = strlen(pseudo_obj_path(&pr));
		memcpy(pathbuf[0], pseudo_obj_path(&pr), n + 1);
	} else if (pr.kind != PATH_HOST) {
		return pseudo_change_err();
	}
	*len = (int64_t)strlen(pathbuf[0]);
	return 0;
}
