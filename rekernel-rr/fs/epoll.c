/*
 * epoll in the guest: an interest list scanned with file_poll, the same
 * readiness poll(2) sees.  A wait is a pollset (pollwait.c) gathered from
 * the interests, so host sockets are waited on in one POLL hypercall and
 * guest objects through the scheduler.  The calls: epoll_create,
 * epoll_create1, epoll_ctl, epoll_wait, epoll_pwait and epoll_pwait2.
 *
 * Simplifications, documented in docs/sockets.md: an item does not hold
 * its file; it goes away when its descriptor no longer names that file
 * (Linux: when the file's last descriptor closes).  EPOLLET reports a
 * file when its readiness gains a bit since the last report, not on
 * every new arrival of data.
 */
#include "fs/file.h"
#include "lib/string.h"
#include "lib/syscall.h"
#include "mm/kalloc.h"
#include "mm/uaccess.h"
#include "proc/proc.h"
#include "proc/signal.h"
#include "uapi/errno.h"
#include "uapi/eventpoll.h"

#define EP_MAX_EVENTS (INT32_MAX / 12)

struct epitem {
	int fd;
	struct file *f; /* not a reference: checked against fd_file(fd) */
	uint32_t events;
	uint64_t data;
	bool disabled; /* EPOLLONESHOT after its report */
	int last;      /* EPOLLET: what the last report saw */
	struct epitem *next;
};

struct ep {
	struct epitem *items;
};

static struct ep *ep_of(struct file *f)
{
	return f->priv;
}

/* Drops items whose descriptor no longer names their file. */
static void prune(struct ep *ep)
{
	for (struct epitem **pp = &ep->items; *pp;) {
		struct epitem *it = *pp;
		if (fd_file(it->fd) != it->f) {
			*pp = it->next;
			kfree(it);
		} else {
			pp = &it->next;
		}
	}
}

static int item_mask(struct epitem *it)
{
	if (it->disabled)
		return 0;
	return file_poll(it->f) & (int)(it->events | POLLERR | POLLHUP) & 0xffff;
}

static int ep_poll(struct file *f)
{
	struct ep *ep = ep_of(f);
	prune(ep);
	for (struct epitem *it = ep->items; it; it = it->next)
		if (item_mask(it))
			return POLLIN | POLLRDNORM;
	return 0;
}

static void ep_wait_on(struct file *f, int events, struct pollset *ps)
{
	(void)events;
	for (struct epitem *it = ep_of(f)->items; it; it = it->next)
		if (!it->disabled && it->f != f)
			pollset_add_file(ps, it->f, (int)it->events & 0xffff);
}

static void ep_release(struct file *f)
{
	struct ep *ep = ep_of(f);
	while (ep->items) {
		struct epitem *it = ep->items;
		ep->items = it->next;
		kfree(it);
	}
	kfree(ep);
}

static const struct file_ops ep_ops = {
	.kind = FILE_EPOLL,
	.read = anon_rw_inval,
	.write = anon_rw_inval,
	ANON_FILE_OPS,
	.poll = ep_poll,
	.release = ep_release,
	.wait_on = ep_wait_on,
};

SYSCALL_DEFINE1(epoll_create1, "x", uint32_t, flags)
{
	if (flags & ~(uint32_t)O_CLOEXEC)
		return -EINVAL;
	return anon_fd_new(&ep_ops, kmalloc(sizeof(struct ep)), O_RDWR, flags & O_CLOEXEC);
}

SYSCALL_DEFINE1(epoll_create, "d", int, size)
{
	if (size <= 0)
		return -EINVAL;
	return sys_epoll_create1(0);
}

static struct ep *ep_from_fd(int fd, int64_t *err)
{
	struct file *f = fd_file(fd);
	*err = !f ? -EBADF : f->ops->kind != FILE_EPOLL ? -EINVAL : 0;
	return *err ? NULL : f->priv;
}

SYSCALL_DEFINE4(epoll_ctl, "fdfp", int, epfd, int, op, int, fd, uint64_t, event)
{
	struct k_epoll_event ev = { 0, 0 };
	int64_t err;

	struct ep *ep = ep_from_fd(epfd, &err);
	struct file *f = fd_file(fd);
	if (!ep)
		return fd_file(epfd) ? err : -EBADF;
	if (!f)
		return -EBADF;
	if (op != EPOLL_CTL_DEL && copy_from_user(&ev, event, sizeof(ev)))
		return -EFAULT;
	if (f == fd_file(epfd))
		return -EINVAL;
	/* Linux refuses regular files and directories: always ready. */
	if (f->ops->kind == FILE_HOST) {
		struct rrv_stat st;
		if (f->ops->stat(f, &st) == 0 &&
		    ((st.st_mode & S_IFMT) == S_IFREG || (st.st_mode & S_IFMT) == S_IFDIR))
			return -EPERM;
	}
	prune(ep);
	struct epitem *it = ep->items;
	while (it && !(it->fd == fd && it->f == f))
		it = it->next;
	switch (op) {
	case EPOLL_CTL_ADD:
		if (it)
			return -EEXIST;
		it = kmalloc(sizeof(*it));
		if (!it)
			return -ENOMEM;
		it->fd = fd;
		it->f = f;
		it->events = ev.events & ~(uint32_t)(EPOLLEXCLUSIVE | EPOLLWAKEUP);
		it->data = ev.data;
		it->next = ep->items;
		ep->items = it;
		return 0;
	case EPOLL_CTL_MOD:
		if (!it)
			return -ENOENT;
		if (ev.events & EPOLLEXCLUSIVE)
			return -EINVAL;
		it->events = ev.events & ~(uint32_t)EPOLLWAKEUP;
		it->data = ev.data;
		it->disabled = false;
		it->last = 0;
		return 0;
	case EPOLL_CTL_DEL:
		if (!it)
			return -ENOENT;
		for (struct epitem **pp = &ep->items; *pp; pp = &(*pp)->next) {
			if (*pp == it) {
				*pp = it->next;
				break;
			}
		}
		kfree(it);
		return 0;
	default:
		return -EINVAL;
	}
}

/* One scan: the events stored (at most max), or -EFAULT. */
static int64_t ep_scan(struct ep *ep, uint64_t uev, int max, struct pollset *ps)
{
	int n = 0;

	prune(ep);
	for (struct epitem *it = ep->items; it && n < max; it = it->next) {
		int m = item_mask(it);
		if ((it->events & EPOLLET) && !(m & ~it->last)) {
			it->last = m;
			if (!it->disabled)
				pollset_add_file(ps, it->f, (int)it->events & 0xffff);
			continue;
		}
		it->last = m;
		if (!m) {
			if (!it->disabled)
				pollset_add_file(ps, it->f, (int)it->events & 0xffff);
			continue;
		}
		struct k_epoll_event ev = { (uint32_t)m, it->data };
		if (copy_to_user(uev + (uint64_t)n * sizeof(ev), &ev, sizeof(ev)))
			return n ? n : -EFAULT;
		if (it->events & EPOLLONESHOT)
			it->disabled = true;
		n++;
	}
	return n;
}

static int64_t ep_wait(int efd, uint64_t uev, int max, int64_t timeout_ns)
{
	int64_t err;

	struct ep *ep = ep_from_fd(efd, &err);
	if (!ep)
		return err;
	if (max <= 0 || max > EP_MAX_EVENTS)
		return -EINVAL;
	for (;;) {
		struct pollset ps;
		pollset_init(&ps);
		int64_t n = ep_scan(ep, uev, max, &ps);
		if (n != 0 || timeout_ns == 0)
			return n;
		int w = pollset_wait(&ps, &timeout_ns);
		if (w < 0)
			return -EINTR; /* epoll_wait is never restarted */
		if (w > 0)
			timeout_ns = 0; /* one last look */
	}
}

SYSCALL_DEFINE4(epoll_wait, "fpdd", int, epfd, uint64_t, events, int, maxevents,
		int, timeout)
{
	return ep_wait(epfd, events, maxevents, timeout < 0 ? -1 : (int64_t)timeout * 1000000);
}

/* The temporary signal mask of epoll_pwait: restored at once, or after
 * the handler when the wait was interrupted. */
static int64_t with_mask(int efd, uint64_t uev, int max, int64_t ns, uint64_t umask,
			 uint64_t size)
{
	sigset_k set, old = 0;

	if (umask) {
		if (size != sizeof(sigset_k))
			return -EINVAL;
		if (copy_from_user(&set, umask, sizeof(set)))
			return -EFAULT;
		old = curthread->sigmask;
		signal_set_mask(set & ~SIG_UNBLOCKABLE);
	}
	int64_t r = ep_wait(efd, uev, max, ns);
	if (umask) {
		if (r == -EINTR) {
			curthread->saved_sigmask = old;
			curthread->restore_sigmask = true;
		} else {
			signal_set_mask(old);
		}
	}
	return r;
}

SYSCALL_DEFINE6(epoll_pwait, "fpddpu", int, epfd, uint64_t, events, int, maxevents,
		int, timeout, uint64_t, sigmask, uint64_t, sigsetsize)
{
	return with_mask(epfd, events, maxevents,
			 timeout < 0 ? -1 : (int64_t)timeout * 1000000, sigmask, sigsetsize);
}

/* timeout is a struct timespec, NULL for none. */
SYSCALL_DEFINE6(epoll_pwait2, "fpdppu", int, epfd, uint64_t, events, int, maxevents,
		uint64_t, timeout, uint64_t, sigmask, uint64_t, sigsetsize)
{
	struct {
		int64_t sec, nsec;
	} ts;
	int64_t ns = -1;

	if (timeout) {
		if (copy_from_user(&ts, timeout, sizeof(ts)))
			return -EFAULT;
		if (ts.sec < 0 || ts.nsec < 0 || ts.nsec >= 1000000000)
			return -EINVAL;
		ns = ts.sec >= INT64_MAX / 1000000000 ? INT64_MAX : ts.sec * 1000000000 + ts.nsec;
	}
	return with_mask(epfd, events, maxevents, ns, sigmask, sigsetsize);
}
