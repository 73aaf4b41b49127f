/*
 * eventfd: a 64-bit counter in the guest.  write adds, read takes the
 * whole count (or 1 with EFD_SEMAPHORE); a read of zero and a write that
 * would pass UINT64_MAX - 1 wait, unless O_NONBLOCK.  Only guest threads
 * change the counter, so a wait is sched_sleep on file_poll_chan (a
 * deadlock report when no other thread could ever end it, as a native
 * run would hang).  The calls: eventfd and eventfd2.
 */
#include "fs/file.h"
#include "lib/string.h"
#include "lib/syscall.h"
#include "mm/kalloc.h"
#include "proc/proc.h"
#include "proc/sched.h"
#include "uapi/errno.h"
#include "uapi/eventfd.h"

#define EFD_MAX (UINT64_MAX - 1)

struct efd {
	uint64_t count;
	bool sem;
};

static int64_t efd_read(struct file *f, struct uio *u, int64_t pos)
{
	struct efd *e = f->priv;
	uint64_t base;

	(void)pos;
	int r = anon_u64_piece(u, &base);
	if (r < 0)
		return r;
	while (e->count == 0) {
		r = anon_wait_guest(f);
		if (r < 0)
			return r;
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
	int r = anon_u64_piece(u, &base);
	if (r < 0)
		return r;
	if (uio_copy_in(u, &v, base, 8))
		return -EFAULT;
	if (v == UINT64_MAX)
		return -EINVAL;
	while (EFD_MAX - e->count < v) {
		r = anon_wait_guest(f);
		if (r < 0)
			return r;
	}
	e->count += v;
	uio_advance(u, 8);
	sched_wakeup(&file_poll_chan);
	return 8;
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

static const struct file_ops efd_ops = {
	.kind = FILE_EVENTFD,
	.read = efd_read,
	.write = efd_write,
	ANON_FILE_OPS,
	.poll = efd_poll,
	.release = anon_release_priv,
	.wait_on = NULL, /* only guest threads change it */
};

/* flags: EFD_CLOEXEC, EFD_NONBLOCK, EFD_SEMAPHORE */
SYSCALL_DEFINE2(eventfd2, "ux", uint32_t, count, uint32_t, flags)
{
	if (flags & ~(uint32_t)(O_CLOEXEC | O_NONBLOCK | EFD_SEMAPHORE))
		return -EINVAL;
	struct efd *e = kmalloc(sizeof(*e));
	if (e) {
		e->count = count;
		e->sem = flags & EFD_SEMAPHORE;
	}
	return anon_fd_new(&efd_ops, e, O_RDWR | (flags & O_NONBLOCK), flags & O_CLOEXEC);
}

SYSCALL_DEFINE1(eventfd, "u", uint32_t, count)
{
	return sys_eventfd2(count, 0);
}
