/*
 * Guest pipes, never touching the host, built as Linux builds them so
 * that every byte count a program can observe is the same: a ring of 16
 * slots (64 KiB, Linux's default), each slot a page holding one run of
 * bytes.  A write first tops up the last slot with the write's
 * sub-page remainder when that fits, then takes whole new slots a page at
 * a time; so a write of at most PIPE_BUF bytes is never split (atomic),
 * and "full" means no free slot, not no free byte.  A read drains slots
 * in order and returns as soon as it has something.
 *
 * Semantics: a read waits only while the pipe is empty and a writer
 * exists, and sees EOF once the writers are gone; a write waits for free
 * slots; writing with no reader left is EPIPE plus SIGPIPE; O_NONBLOCK
 * turns every wait into -EAGAIN; O_DIRECT (pipe2) is packet mode: every
 * write its own slot, every read at most one packet.
 */
#include "fs/file.h"

#include "arch/x86/vm.h"
#include "lib/string.h"
#include "mm/kalloc.h"
#include "mm/uaccess.h"
#include "proc/proc.h"
#include "proc/sched.h"
#include "proc/signal.h"
#include "uapi/errno.h"
#include "uapi/ioctls.h"

#define PIPE_DEF_SLOTS 16        /* 64 KiB, Linux's default */
#define PIPE_MAX_SIZE (1u << 20) /* /proc/sys/fs/pipe-max-size */
/* st_dev of a pipe: pipefs's anonymous device.  Linux numbers it at boot
 * (0xd to 0xf on recent kernels); any fixed value will do. */
#define PIPEFS_DEV 0xf

/* The status flags F_SETFL may change on a pipe end. */
#define PIPE_SETFL (O_APPEND | O_NONBLOCK | O_DIRECT | O_NOATIME)

/* A slot: len bytes at page + off. */
struct pipe_slot {
	uint8_t *page;
	uint16_t off, len;
	bool packet; /* written in packet mode: never merged into */
};

struct pipe {
	struct pipe_slot *slots; /* nslots, a power of two */
	uint32_t nslots;
	uint32_t head; /* slots ever filled; head - tail are in use */
	uint32_t tail; /* slots ever drained */
	int readers, writers;
	uint64_t ino;
};

/* Inode numbers for fstat: distinct per pipe, the same in every run. */
static uint64_t next_ino = 1;

static struct pipe_slot *slot_at(struct pipe *p, uint32_t n)
{
	return &p->slots[n & (p->nslots - 1)];
}

static bool full(const struct pipe *p)
{
	return p->head - p->tail >= p->nslots;
}

/* Wakes whatever may now go on: the other end, and pollers. */
static void wake(void *chan)
{
	sched_wakeup(chan);
	sched_wakeup(&file_poll_chan);
}

/* Copies n bytes from src into u, piece by piece: the bytes copied
 * (fewer at a fault or when u runs out). */
static uint64_t to_uio(struct uio *u, const uint8_t *src, uint64_t n)
{
	uint64_t done = 0, base, len;

	while (done < n && uio_cur(u, &base, &len) == 0) {
		uint64_t k = len < n - done ? len : n - done;
		if (uio_copy_out(u, base, src + done, k) < 0)
			break;
		uio_advance(u, k);
		done += k;
	}
	return done;
}

/* Copies up to n bytes from u into dst: the bytes copied. */
static uint64_t from_uio(struct uio *u, uint8_t *dst, uint64_t n)
{
	uint64_t done = 0, base, len;

	while (done < n && uio_cur(u, &base, &len) == 0) {
		uint64_t k = len < n - done ? len : n - done;
		if (uio_copy_in(u, dst + done, base, k) < 0)
			break;
		uio_advance(u, k);
		done += k;
	}
	return done;
}

static void drop_slot(struct pipe *p)
{
	struct pipe_slot *s = slot_at(p, p->tail);
	page_free(s->page);
	memset(s, 0, sizeof(*s));
	p->tail++;
}

static int64_t pipe_read(struct file *f, struct uio *u, int64_t pos)
{
	struct pipe *p = f->pipe;
	int64_t done = 0;
	bool freed = false;

	if ((f->flags & O_ACCMODE) == O_WRONLY)
		return -EBADF;
	if (pos >= 0)
		return -ESPIPE;
	if (u->resid == 0)
		return 0;
	for (;;) {
		if (p->head != p->tail) {
			struct pipe_slot *s = slot_at(p, p->tail);
			uint64_t want = s->len < u->resid ? s->len : u->resid;
			uint64_t n = to_uio(u, s->page + s->off, want);
			s->off += n;
			s->len -= n;
			done += n;
			if (n < want) {
				if (!done)
					done = -EFAULT;
				break;
			}
			bool packet = s->packet;
			if (packet)
				s->len = 0; /* the rest of a packet is lost */
			if (s->len == 0) {
				drop_slot(p);
				freed = true;
			}
			if (packet || u->resid == 0)
				break;
			if (p->head != p->tail)
				continue;
		}
		if (p->writers == 0 || done)
			break;
		if (f->flags & O_NONBLOCK) {
			done = -EAGAIN;
			break;
		}
		int r = sched_sleep(&p->head);
		if (r < 0) {
			done = r;
			break;
		}
	}
	if (freed)
		wake(&p->tail);
	return done;
}

/* Tops up the last slot with the write's sub-page remainder when all of
 * it fits there: the bytes added, or -EFAULT. */
static int64_t merge(struct pipe *p, struct uio *u)
{
	uint64_t chars = u->resid & (PGSIZE - 1);
	if (chars == 0 || p->head == p->tail)
		return 0;
	struct pipe_slot *s = slot_at(p, p->head - 1);
	if (s->packet || s->off + s->len + chars > PGSIZE)
		return 0;
	uint64_t n = from_uio(u, s->page + s->off + s->len, chars);
	s->len += (uint16_t)n;
	return n < chars ? -EFAULT : (int64_t)n;
}

static int64_t pipe_write(struct file *f, struct uio *u, int64_t pos)
{
	struct pipe *p = f->pipe;
	bool packet = f->flags & O_DIRECT;

	if ((f->flags & O_ACCMODE) == O_RDONLY)
		return -EBADF;
	if (pos >= 0)
		return -ESPIPE;
	if (u->resid == 0)
		return 0;
	if (p->readers == 0) {
		signal_send_sigpipe();
		return -EPIPE;
	}
	int64_t done = packet ? 0 : merge(p, u);
	if (done < 0 || u->resid == 0)
		goto out;
	for (;;) {
		if (p->readers == 0) {
			signal_send_sigpipe();
			if (!done)
				done = -EPIPE;
			break;
		}
		if (!full(p)) {
			uint8_t *page = page_alloc();
			if (!page) {
				if (!done)
					done = -ENOMEM;
				break;
			}
			/* The slot is taken before the copy: should the copy
			 * fault, a reader drains the short (maybe empty) slot. */
			struct pipe_slot *s = slot_at(p, p->head++);
			s->page = page;
			s->off = 0;
			s->packet = packet;
			uint64_t want = u->resid < PGSIZE ? u->resid : PGSIZE;
			uint64_t n = from_uio(u, page, want);
			s->len = (uint16_t)n;
			done += n;
			if (n < want) {
				if (!done)
					done = -EFAULT;
				break;
			}
			if (u->resid == 0)
				break;
			continue;
		}
		if (f->flags & O_NONBLOCK) {
			if (!done)
				done = -EAGAIN;
			break;
		}
		/* Let the readers at what is there before waiting for room. */
		if (done > 0)
			wake(&p->head);
		int r = sched_sleep(&p->tail);
		if (r < 0) {
			if (!done)
				done = r;
			break;
		}
	}
out:
	if (done > 0)
		wake(&p->head);
	return done;
}

static int64_t pipe_lseek(struct file *f, int64_t off, uint32_t whence)
{
	(void)f;
	(void)off;
	(void)whence;
	return -ESPIPE;
}

static int pipe_stat(struct file *f, struct rrv_stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_dev = PIPEFS_DEV;
	st->st_ino = f->pipe->ino;
	st->st_nlink = 1;
	st->st_mode = S_IFIFO | 0600;
	st->st_uid = curproc->euid;
	st->st_gid = curproc->egid;
	st->st_blksize = PGSIZE;
	return 0;
}

static int64_t pipe_ioctl(struct file *f, uint32_t cmd, uint64_t arg)
{
	struct pipe *p = f->pipe;

	if (cmd != FIONREAD)
		return -ENOTTY;
	int n = 0;
	for (uint32_t i = p->tail; i != p->head; i++)
		n += slot_at(p, i)->len;
	return copy_to_user(arg, &n, sizeof(n)) ? -EFAULT : 0;
}

static int64_t pipe_getfl(struct file *f)
{
	return f->flags;
}

static int64_t pipe_setfl(struct file *f, uint32_t flags)
{
	f->flags = (f->flags & ~(uint32_t)PIPE_SETFL) | (flags & PIPE_SETFL);
	return 0;
}

static int pipe_poll(struct file *f)
{
	struct pipe *p = f->pipe;
	int mask = 0;

	if ((f->flags & O_ACCMODE) == O_RDONLY) {
		if (p->head != p->tail)
			mask |= POLLIN | POLLRDNORM;
		if (p->writers == 0)
			mask |= POLLHUP;
	} else {
		if (!full(p))
			mask |= POLLOUT | POLLWRNORM;
		if (p->readers == 0)
			mask |= POLLERR;
	}
	return mask;
}

static void pipe_release(struct file *f)
{
	struct pipe *p = f->pipe;

	if ((f->flags & O_ACCMODE) == O_RDONLY) {
		p->readers--;
		wake(&p->tail); /* writers now get EPIPE */
	} else {
		p->writers--;
		wake(&p->head); /* readers now get EOF */
	}
	if (p->readers == 0 && p->writers == 0) {
		while (p->head != p->tail)
			drop_slot(p);
		kfree(p->slots);
		kfree(p);
	}
}

static const struct file_ops pipe_ops = {
	.kind = FILE_PIPE,
	.read = pipe_read,
	.write = pipe_write,
	.lseek = pipe_lseek,
	.stat = pipe_stat,
	.ioctl = pipe_ioctl,
	.getfl = pipe_getfl,
	.setfl = pipe_setfl,
	.poll = pipe_poll,
	.release = pipe_release,
};

int pipe_create(uint32_t flags, struct file **rd, struct file **wr)
{
	struct pipe *p = kmalloc(sizeof(*p));
	struct pipe_slot *slots = kmalloc(PIPE_DEF_SLOTS * sizeof(*slots));
	struct file *r = file_alloc(&pipe_ops, O_RDONLY | (flags & O_NONBLOCK));
	struct file *w = file_alloc(&pipe_ops, O_WRONLY | (flags & (O_NONBLOCK | O_DIRECT)));

	if (!p || !slots || !r || !w) {
		kfree(p);
		kfree(slots);
		kfree(r);
		kfree(w);
		return -ENOMEM;
	}
	p->slots = slots;
	p->nslots = PIPE_DEF_SLOTS;
	p->readers = p->writers = 1;
	p->ino = next_ino++;
	r->pipe = w->pipe = p;
	*rd = r;
	*wr = w;
	return 0;
}

int64_t pipe_get_size(struct file *f)
{
	if (f->ops != &pipe_ops)
		return -EBADF;
	return (int64_t)f->pipe->nslots * PGSIZE;
}

int64_t pipe_set_size(struct file *f, uint64_t bytes)
{
	if (f->ops != &pipe_ops)
		return -EBADF;
	struct pipe *p = f->pipe;
	/* Linux's round_pipe_size: a power of two of pages, one at least. */
	if (bytes > (1ull << 31))
		return -EINVAL;
	uint32_t nslots = 1;
	while ((uint64_t)nslots * PGSIZE < bytes)
		nslots <<= 1;
	if (nslots > p->nslots && (uint64_t)nslots * PGSIZE > PIPE_MAX_SIZE)
		return -EPERM;
	uint32_t used = p->head - p->tail;
	if (nslots < used)
		return -EBUSY;
	if (nslots != p->nslots) {
		/* As Linux's pipe_resize_ring: the slots in use move to the
		 * front of the new ring. */
		struct pipe_slot *slots = kmalloc(nslots * sizeof(*slots));
		if (!slots)
			return -ENOMEM;
		for (uint32_t i = 0; i < used; i++)
			slots[i] = *slot_at(p, p->tail + i);
		kfree(p->slots);
		p->slots = slots;
		p->nslots = nslots;
		p->tail = 0;
		p->head = used;
		wake(&p->tail); /* more room, perhaps */
	}
	return (int64_t)nslots * PGSIZE;
}
