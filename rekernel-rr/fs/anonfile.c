/*
 * Files on an anonymous inode: guest objects that have no name, no
 * position and no ioctls (epoll, eventfd, timerfd; contracts in file.h).
 * Their kinds answer most operations alike, as Linux's anon_inode files
 * do, so those answers, and making such a file behind a new descriptor,
 * are written once here.
 */
#include "fs/file.h"

#include "lib/string.h"
#include "mm/kalloc.h"
#include "proc/proc.h"
#include "proc/sched.h"
#include "uapi/errno.h"

int64_t anon_rw_inval(struct file *f, struct uio *u, int64_t pos)
{
	(void)f;
	(void)u;
	(void)pos;
	return -EINVAL;
}

int64_t anon_lseek(struct file *f, int64_t off, uint32_t whence)
{
	(void)f;
	(void)off;
	(void)whence;
	return -ESPIPE;
}

/* As Linux shows one: mode 0600 and no file type; the inode number is
 * made from the object's address, so that two objects differ. */
int anon_stat(struct file *f, struct rrv_stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_mode = 0600;
	st->st_nlink = 1;
	st->st_blksize = 4096;
	st->st_ino = (uint64_t)(uintptr_t)f->priv & 0xffffffu;
	st->st_uid = curproc->uid;
	st->st_gid = curproc->gid;
	return 0;
}

int64_t anon_ioctl(struct file *f, uint32_t cmd, uint64_t arg)
{
	(void)f;
	(void)cmd;
	(void)arg;
	return -ENOTTY;
}

int64_t anon_getfl(struct file *f)
{
	return f->flags;
}

/* O_NONBLOCK is the one status flag the guest object itself heeds. */
int64_t anon_setfl(struct file *f, uint32_t flags)
{
	f->flags = (f->flags & ~(uint32_t)O_NONBLOCK) | (flags & O_NONBLOCK);
	return 0;
}

void anon_release_priv(struct file *f)
{
	kfree(f->priv);
}

/* sched_sleep reports a deadlock when no other thread could ever end
 * the wait, as a native run would hang. */
int anon_wait_guest(struct file *f)
{
	if (f->flags & O_NONBLOCK)
		return -EAGAIN;
	return sched_sleep(&file_poll_chan) < 0 ? -ERESTARTSYS : 0;
}

/* Linux wants a buffer of at least 8 bytes, and a program's is never
 * split below that, so the 8 bytes are taken as one piece. */
int anon_u64_piece(struct uio *u, uint64_t *base)
{
	uint64_t len;
	if (u->resid < 8)
		return -EINVAL;
	int r = uio_cur(u, base, &len);
	if (r != 0)
		return r < 0 ? r : -EINVAL;
	return len < 8 ? -EINVAL : 0;
}

/* A full descriptor table is tested first, so that -EMFILE wins over a
 * failed allocation of priv (-ENOMEM), as it did in each kind. */
int64_t anon_fd_new(const struct file_ops *ops, void *priv, uint32_t flags, bool cloexec)
{
	int fd = fd_find_free(0);
	struct file *f = fd >= 0 && priv ? file_alloc(ops, flags) : NULL;
	if (!f) {
		kfree(priv);
		return fd < 0 ? fd : -ENOMEM;
	}
	f->priv = priv;
	int r = fd_install(fd, f, cloexec);
	file_put(f); /* on failure the last reference: ops->release frees priv */
	return r < 0 ? r : fd;
}
