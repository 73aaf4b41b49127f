/*
 * eventfd: a 64-bit counter in the guest.  write adds, read takes the
 * whole count (or 1 with EFD_SEMAPHORE); a read of zero and a write that
 * would pass UINT64_MAX - 1 wait, unless O_NONBLOCK.  Only guest threads
 * change the counter, so a wait is sched_sleep on file_poll_chan (a
 * deadlock report when no other thread could ever end it, as a native
 * run would hang).
 */
#include "file.h"

#include "errno.h"
#include "kalloc.h"
#include "proc.h"
#include "sched.h"
#include "string.h"

#define EFD_SEMAPHORE 1
#define EFD_MAX (UINT64_MAX - 1)

struct efd {
	uint64_t count;
	bool sem;
};

/* The 8 bytes of a read or write as one piece: Linux wants a buffer of
 * at least 8 bytes, and a program's is never split below that. */
static int piece(struct uio *u, uint64_t *base)
{
	uint64_t len;
	if (u->resid < 8)
		return -EINVAL;
	int r = uio_cur(u, base, &len);
	if (r != 0)
		return r < 0 ? r : -EINVAL;
	return len < 8 ? -EINVAL : 0;
}

static int64_t efd_read(struct file *f, struct uio *u, int64_t pos)
{
	struct efd *e = f->priv;
	uint64_t base;

	(void)pos;
	int r = piece(u, &base);
	if (r < 0)
		return r;
	while (e->count == 0) {
		if (f->flags & O_NONBLOCK)
			return -EAGAIN;
		if (sched_sleep(&file_poll_chan) < 0)
			return -ERESTARTSYS;
	}
	uint64_t v = e->sem ? 1 : e->count;
	if (uio_copy_out(u, base, &v, 8))
		return -EFAULT;
	e->count -= v;
	uio_advance(u, 8);
	sched_wakeup(&file_poll_chan);
	return 8;
}

static int64_t efd_write(struct file *f, struct uio *u, int64_t pos)
{
	struct efd *e = f->priv;
	uint64_t base, v;

	(void)pos;
	int r = piece(u, &base);
	if (r < 0)
		return r;
	if (uio_copy_in(u, &v, base, 8))
		return -EFAULT;
	if (v == UINT64_MAX)
		return -EINVAL;
	while (EFD_MAX - e->count < v) {
		if (f->flags & O_NONBLOCK)
			return -EAGAIN;
		if (sched_sleep(&file_poll_chan) < 0)
			return -ERESTARTSYS;
	}
	e->count += v;
	uio_advance(u, 8);
	sched_wakeup(&file_poll_chan);
	return 8;
}

static int64_t efd_lseek(struct file *f, int64_t off, uint32_t whence)
{
	(void)f;
	(void)off;
	(void)whence;
	return -ESPIPE;
}

/* An anonymous inode, as Linux shows one: mode 0600, no file type. */
static int efd_stat(struct file *f, struct rrv_stat *st)
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

static int64_t efd_ioctl(struct file *f, uint32_t cmd, uint64_t arg)
{
	(void)f;
	(void)cmd;
	(void)arg;
	return -ENOTTY;
}

static int64_t efd_getfl(struct file *f)
{
	return f->flags;
}

static int64_t efd_setfl(struct file *f, uint32_t flags)
{
	f->flags = (f->flags & ~(uint32_t)O_NONBLOCK) | (flags & O_NONBLOCK);
	return 0;
}

static int efd_poll(struct file *f)
{
	struct efd *e = f->priv;
	int mask = 0;
	if (e->count > 0)
		mask |= POLLIN | POLLRDNORM;
	if (e->count < EFD_MAX)
		mask |= POLLOUT | POLLWRNORM;
	return mask;
}

static void efd_release(struct file *f)
{
	kfree(f->priv);
}

static const struct file_ops efd_ops = {
	.kind = FILE_EVENTFD,
	.read = efd_read,
	.write = efd_write,
	.lseek = efd_lseek,
	.stat = efd_stat,
	.ioctl = efd_ioctl,
	.getfl = efd_getfl,
	.setfl = efd_setfl,
	.poll = efd_poll,
	.release = efd_release,
	.wait_on = NULL, /* only guest threads change it */
};

/* eventfd2(initval, flags): EFD_CLOEXEC, EFD_NONBLOCK, EFD_SEMAPHORE */
int64_t sys_eventfd2(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
		     uint64_t a5)
{
	uint32_t flags = (uint32_t)a1;
	(void)a2, (void)a3, (void)a4, (void)a5;

	if (flags & ~(uint32_t)(O_CLOEXEC | O_NONBLOCK | EFD_SEMAPHORE))
		return -EINVAL;
	int fd = fd_find_free(0);
	if (fd < 0)
		return fd;
	struct efd *e = kmalloc(sizeof(*e));
	struct file *f = e ? file_alloc(&efd_ops, O_RDWR | (flags & O_NONBLOCK)) : NULL;
	if (!f) {
		kfree(e);
		return -ENOMEM;
	}
	e->count = (uint32_t)a0;
	e->sem = flags & EFD_SEMAPHORE;
	f->priv = e;
	int r = fd_install(fd, f, flags & O_CLOEXEC);
	file_put(f);
	return r < 0 ? r : fd;
}

int64_t sys_eventfd(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
		    uint64_t a5)
{
	(void)a1, (void)a2, (void)a3, (void)a4, (void)a5;
	return sys_eventfd2(a0, 0, 0, 0, 0, 0);
}
