/*
 * Sockets (contracts in net.h): host sockets behind VMM handles, and
 * socketpair ends that live in the guest.
 *
 * Host sockets.  The VMM keeps every host socket non-blocking, so a
 * hypercall never waits where the guest did not mean it to.  A call that
 * answers -EAGAIN on a socket the program wants blocking waits through
 * the POLL hypercall (pollwait.c) and tries again; every answer, EAGAIN
 * and readiness included, is a traced hypercall, so a replay runs the
 * same loop with the same answers and needs no network.  O_NONBLOCK,
 * SO_RCVTIMEO and SO_SNDTIMEO are therefore the guest's to keep.
 *
 * Socketpairs.  An end is two pipe ends, one per direction (pipe.c), so
 * that waiting, EOF, EPIPE and SIGPIPE are the pipes'.  Datagram and
 * seqpacket pairs use packet-mode pipes (O_DIRECT): a write is one
 * message, a read takes at most one.  shutdown drops a direction's pipe
 * end, which the peer sees as EOF or EPIPE.
 */
#include "net/net.h"

#include "arch/x86/vm.h"
#include "hv/hypercall.h"
#include "lib/string.h"
#include "mm/kalloc.h"
#include "mm/uaccess.h"
#include "proc/proc.h"
#include "proc/sched.h"
#include "proc/signal.h"
#include "uapi/errno.h"
#include "uapi/ioctls.h"
#include "uapi/time.h"

struct sock {
	int domain, type;
	int64_t rcvtimeo_ns, sndtimeo_ns; /* -1: none */
};

struct upair {
	struct sock s;
	struct file *rd, *wr; /* NULL once shut down */
};

bool is_socket(struct file *f)
{
	return f && (f->ops->kind == FILE_SOCKET || f->ops->kind == FILE_UNIX);
}

/* ---- host sockets ---- */

/*
 * Waits until host socket f may have events, or *timeout_ns (< 0: no
 * limit) runs out.  0: try again; -EAGAIN: the timeout ran out (what
 * Linux's SO_RCVTIMEO gives); a signal: -ERESTARTSYS without a timeout,
 * -EINTR with one, as Linux's sock_intr_errno.
 */
static int64_t sock_wait(struct file *f, int events, int64_t *timeout_ns)
{
	struct pollset ps;
	bool timed = *timeout_ns >= 0;

	pollset_init(&ps);
	pollset_add_handle(&ps, f->handle, events);
	int w = pollset_wait(&ps, timeout_ns);
	if (w < 0)
		return timed ? -EINTR : -ERESTARTSYS;
	if (timed && *timeout_ns == 0)
		return -EAGAIN;
	return 0;
}

static struct sock *sk(struct file *f)
{
	return f->priv;
}

static bool nonblocking(struct file *f, uint32_t flags)
{
	return (f->flags & O_NONBLOCK) || (flags & MSG_DONTWAIT);
}

static int64_t host_sendmsg(struct file *f, struct uio *u, const struct sockaddr_buf *to,
			    uint32_t flags)
{
	struct rrv_hc_iovec iov[RRV_HC_IOV_MAX];
	struct rrv_hc_sendmsg a;
	int64_t done = 0, timeout = sk(f)->sndtimeo_ns;
	uint32_t cnt;

	for (;;) {
		int64_t want = uio_gather(u, false, iov, &cnt);
		if (want < 0)
			return done ? done : want;
		memset(&a, 0, sizeof(a));
		a.handle = (uint32_t)f->handle;
		a.flags = flags & ~(uint32_t)(MSG_DONTWAIT | MSG_NOSIGNAL);
		a.iov = cnt ? virt_to_phys(iov) : 0;
		a.iovcnt = cnt;
		if (to) {
			a.addrlen = to->len;
			memcpy(a.addr, to->addr, to->len);
		}
		int64_t r = hc_call(RRV_HC_SENDMSG, &a);
		if (r == -EAGAIN && !nonblocking(f, flags)) {
			int64_t w = sock_wait(f, POLLOUT, &timeout);
			if (w < 0)
				return done ? done : w;
			continue;
		}
		if (r < 0) {
			if (r == -EPIPE && !(flags & MSG_NOSIGNAL))
				signal_send_sigpipe();
			return done ? done : r;
		}
		uio_advance(u, (uint64_t)r);
		done += r;
		/* A blocking stream send delivers everything, as Linux's. */
		if (u->resid == 0 || sk(f)->type != SOCK_STREAM || nonblocking(f, flags))
			return done;
	}
}

static int64_t host_recvmsg(struct file *f, struct uio *u, struct sockaddr_buf *from,
			    uint32_t flags, uint32_t *msg_flags)
{
	struct rrv_hc_iovec iov[RRV_HC_IOV_MAX];
	struct rrv_hc_recvmsg a;
	int64_t done = 0, timeout = sk(f)->rcvtimeo_ns;
	uint32_t cnt;

	for (;;) {
		int64_t want = uio_gather(u, true, iov, &cnt);
		if (want < 0)
			return done ? done : want;
		memset(&a, 0, sizeof(a));
		a.handle = (uint32_t)f->handle;
		a.flags = flags & (MSG_OOB | MSG_PEEK | MSG_TRUNC);
		a.iov = cnt ? virt_to_phys(iov) : 0;
		a.iovcnt = cnt;
		int64_t r = hc_call(RRV_HC_RECVMSG, &a);
		if (r == -EAGAIN && !nonblocking(f, flags)) {
			int64_t w = sock_wait(f, POLLIN, &timeout);
			if (w < 0)
				return done ? done : w;
			continue;
		}
		if (r < 0)
			return done ? done : r;
		if (from && done == 0) {
			from->len = a.addrlen;
			memcpy(from->addr, a.addr, sizeof(a.addr));
		}
		if (msg_flags)
			*msg_flags = a.msg_flags;
		uio_advance(u, (uint64_t)(r < want ? r : want));
		done += r;
		if (!(flags & MSG_WAITALL) || (flags & MSG_PEEK) || r == 0 || u->resid == 0 ||
		    sk(f)->type != SOCK_STREAM)
			return done;
	}
}

static int64_t hsock_read(struct file *f, struct uio *u, int64_t pos)
{
	if (pos >= 0)
		return -ESPIPE;
	return sock_recvmsg(f, u, NULL, 0, NULL);
}

static int64_t hsock_write(struct file *f, struct uio *u, int64_t pos)
{
	if (pos >= 0)
		return -ESPIPE;
	return sock_sendmsg(f, u, NULL, 0);
}

static int64_t sock_lseek(struct file *f, int64_t off, uint32_t whence)
{
	(void)f;
	(void)off;
	(void)whence;
	return -ESPIPE;
}

static int64_t hsock_ioctl(struct file *f, uint32_t cmd, uint64_t arg)
{
	if (cmd != FIONREAD)
		return -ENOTTY;
	int32_t n __attribute__((aligned(8))) = 0;
	struct rrv_hc_ioctl a;
	memset(&a, 0, sizeof(a));
	a.handle = (uint32_t)f->handle;
	a.cmd = cmd;
	a.buf = virt_to_phys(&n);
	a.len = sizeof(n);
	int64_t r = hc_call(RRV_HC_IOCTL, &a);
	if (r < 0)
		return r;
	return copy_to_user(arg, &n, sizeof(n)) ? -EFAULT : 0;
}

/* The status flags are the guest's: the host socket is always
 * non-blocking. */
static int64_t sock_getfl(struct file *f)
{
	return O_RDWR | (f->flags & O_NONBLOCK);
}

static int64_t sock_setfl(struct file *f, uint32_t flags)
{
	f->flags = (f->flags & ~(uint32_t)O_NONBLOCK) | (flags & O_NONBLOCK);
	return 0;
}

/* Readiness from the host: a POLL that does not wait. */
static int hsock_poll(struct file *f)
{
	static struct rrv_hc_poll a; /* large; one vCPU, nothing nests */

	memset(&a, 0, sizeof(a));
	a.nfds = 1;
	a.fds[0].handle = f->handle;
	a.fds[0].events = POLLIN | POLLPRI | POLLOUT | POLLRDHUP;
	if (hc_call(RRV_HC_POLL, &a) < 0)
		return POLLERR;
	return (uint16_t)a.fds[0].revents;
}

static void hsock_wait_on(struct file *f, int events, struct pollset *ps)
{
	pollset_add_handle(ps, f->handle, events | POLLERR | POLLHUP);
}

static void hsock_release(struct file *f)
{
	struct rrv_hc_close a;

	memset(&a, 0, sizeof(a));
	a.handle = (uint32_t)f->handle;
	hc_call(RRV_HC_CLOSE, &a);
	kfree(f->priv);
}

static const struct file_ops hsock_ops = {
	.kind = FILE_SOCKET,
	.read = hsock_read,
	.write = hsock_write,
	.lseek = sock_lseek,
	.stat = hostfile_stat, /* the host socket's own */
	.ioctl = hsock_ioctl,
	.getfl = sock_getfl,
	.setfl = sock_setfl,
	.poll = hsock_poll,
	.release = hsock_release,
	.wait_on = hsock_wait_on,
};

static struct file *hsock_file(int32_t handle, int domain, int type, uint32_t flags)
{
	struct sock *s = kmalloc(sizeof(*s));
	struct file *f = s ? file_alloc(&hsock_ops, O_RDWR | (flags & O_NONBLOCK)) : NULL;
	if (!f) {
		kfree(s);
		struct rrv_hc_close a;
		memset(&a, 0, sizeof(a));
		a.handle = (uint32_t)handle;
		hc_call(RRV_HC_CLOSE, &a);
		return NULL;
	}
	s->domain = domain;
	s->type = type;
	s->rcvtimeo_ns = s->sndtimeo_ns = -1;
	f->handle = handle;
	f->priv = s;
	return f;
}

struct file *sock_create(int domain, int type, int protocol, int64_t *err)
{
	struct rrv_hc_socket a;

	memset(&a, 0, sizeof(a));
	a.domain = domain;
	a.type = type & SOCK_TYPE_MASK;
	a.protocol = protocol;
	int64_t h = hc_call(RRV_HC_SOCKET, &a);
	if (h < 0) {
		*err = h;
		return NULL;
	}
	struct file *f = hsock_file((int32_t)h, domain, type & SOCK_TYPE_MASK, (uint32_t)type);
	*err = f ? 0 : -ENOMEM;
	return f;
}

static int64_t addr_call(unsigned nr, struct file *f, const struct sockaddr_buf *b)
{
	struct rrv_hc_sockaddr_in a;

	memset(&a, 0, sizeof(a));
	a.handle = (uint32_t)f->handle;
	a.addrlen = b->len;
	memcpy(a.addr, b->addr, b->len);
	return hc_call(nr, &a);
}

static int64_t sockop(unsigned nr, struct file *f, int arg)
{
	struct rrv_hc_sockop a;

	memset(&a, 0, sizeof(a));
	a.handle = (uint32_t)f->handle;
	a.arg = arg;
	return hc_call(nr, &a);
}

static int64_t host_getopt(struct file *f, int level, int name, void *val, uint32_t *len)
{
	struct rrv_hc_sockopt a;

	memset(&a, 0, sizeof(a));
	a.handle = (uint32_t)f->handle;
	a.level = level;
	a.name = name;
	a.len = *len > RRV_HC_SOCKOPT_MAX ? RRV_HC_SOCKOPT_MAX : *len;
	int64_t r = hc_call(RRV_HC_SOCKOPT, &a);
	if (r < 0)
		return r;
	*len = a.len;
	memcpy(val, a.val, a.len);
	return r;
}

int64_t sock_connect(struct file *f, const struct sockaddr_buf *b)
{
	if (f->ops->kind == FILE_UNIX)
		return -EISCONN;
	int64_t r = addr_call(RRV_HC_CONNECT, f, b);
	if (r != -EINPROGRESS || (f->flags & O_NONBLOCK))
		return r;
	/* A blocking connect: wait for the outcome, which SO_ERROR tells. */
	int64_t timeout = sk(f)->sndtimeo_ns;
	for (;;) {
		int64_t w = sock_wait(f, POLLOUT, &timeout);
		if (w < 0)
			return w == -EAGAIN ? -EINPROGRESS : w;
		if (hsock_poll(f) & (POLLOUT | POLLERR | POLLHUP))
			break;
	}
	int32_t err = 0;
	uint32_t len = sizeof(err);
	r = host_getopt(f, SOL_SOCKET, SO_ERROR, &err, &len);
	return r < 0 ? r : -err;
}

int64_t sock_bind(struct file *f, const struct sockaddr_buf *b)
{
	if (f->ops->kind == FILE_UNIX)
		return -EINVAL;
	return addr_call(RRV_HC_BIND, f, b);
}

int64_t sock_listen(struct file *f, int backlog)
{
	if (f->ops->kind == FILE_UNIX)
		return -EINVAL;
	return sockop(RRV_HC_LISTEN, f, backlog);
}

struct file *sock_accept(struct file *f, uint32_t flags, struct sockaddr_buf *b,
			 int64_t *err)
{
	struct rrv_hc_sockaddr_out a;
	int64_t timeout = sk(f)->rcvtimeo_ns;

	if (f->ops->kind == FILE_UNIX) {
		*err = -EINVAL;
		return NULL;
	}
	for (;;) {
		memset(&a, 0, sizeof(a));
		a.handle = (uint32_t)f->handle;
		int64_t r = hc_call(RRV_HC_ACCEPT, &a);
		if (r == -EAGAIN && !(f->flags & O_NONBLOCK)) {
			int64_t w = sock_wait(f, POLLIN, &timeout);
			if (w < 0) {
				*err = w;
				return NULL;
			}
			continue;
		}
		if (r < 0) {
			*err = r;
			return NULL;
		}
		b->len = a.addrlen;
		memcpy(b->addr, a.addr, sizeof(a.addr));
		struct file *nf = hsock_file((int32_t)r, sk(f)->domain, sk(f)->type, flags);
		*err = nf ? 0 : -ENOMEM;
		return nf;
	}
}

int64_t sock_shutdown(struct file *f, int how)
{
	if (how < 0 || how > 2)
		return -EINVAL;
	if (f->ops->kind == FILE_SOCKET)
		return sockop(RRV_HC_SHUTDOWN, f, how);
	struct upair *p = f->priv;
	if (how != 1 && p->rd) { /* SHUT_RD or SHUT_RDWR */
		file_put(p->rd);
		p->rd = NULL;
	}
	if (how != 0 && p->wr) {
		file_put(p->wr);
		p->wr = NULL;
	}
	sched_wakeup(&file_poll_chan);
	return 0;
}

int64_t sock_name(struct file *f, bool peer, struct sockaddr_buf *b)
{
	if (f->ops->kind == FILE_UNIX) {
		/* An unnamed AF_UNIX socket: just the family. */
		memset(b, 0, sizeof(*b));
		b->len = 2;
		b->addr[0] = AF_UNIX;
		return 0;
	}
	struct rrv_hc_sockaddr_out a;
	memset(&a, 0, sizeof(a));
	a.handle = (uint32_t)f->handle;
	a.peer = peer;
	int64_t r = hc_call(RRV_HC_SOCKNAME, &a);
	if (r < 0)
		return r;
	b->len = a.addrlen;
	memcpy(b->addr, a.addr, sizeof(a.addr));
	return 0;
}

int64_t sock_setopt(struct file *f, int level, int name, const void *val, uint32_t len)
{
	struct sock *s = f->priv;

	if (level == SOL_SOCKET && (name == SO_RCVTIMEO || name == SO_SNDTIMEO)) {
		struct k_timeval tv;
		if (len < sizeof(tv))
			return -EINVAL;
		memcpy(&tv, val, sizeof(tv));
		if (tv.tv_usec < 0 || tv.tv_usec >= 1000000)
			return -EDOM;
		int64_t ns = tv.tv_sec < 0 || (tv.tv_sec == 0 && tv.tv_usec == 0)
				     ? -1 : tv.tv_sec * 1000000000ll + tv.tv_usec * 1000;
		if (name == SO_RCVTIMEO)
			s->rcvtimeo_ns = ns;
		else
			s->sndtimeo_ns = ns;
		return 0;
	}
	if (f->ops->kind == FILE_UNIX) /* buffer sizes and the like: no effect */
		return level == SOL_SOCKET ? 0 : -ENOPROTOOPT;
	if (len > RRV_HC_SOCKOPT_MAX)
		return -EINVAL;
	struct rrv_hc_sockopt a;
	memset(&a, 0, sizeof(a));
	a.handle = (uint32_t)f->handle;
	a.set = 1;
	a.level = level;
	a.name = name;
	a.len = len;
	memcpy(a.val, val, len);
	return hc_call(RRV_HC_SOCKOPT, &a);
}

int64_t sock_getopt(struct file *f, int level, int name, void *val, uint32_t *len)
{
	struct sock *s = f->priv;
	int32_t v;

	if (level == SOL_SOCKET && (name == SO_RCVTIMEO || name == SO_SNDTIMEO)) {
		int64_t ns = name == SO_RCVTIMEO ? s->rcvtimeo_ns : s->sndtimeo_ns;
		struct k_timeval tv = { 0, 0 };
		if (ns > 0) {
			tv.tv_sec = ns / 1000000000ll;
			tv.tv_usec = ns % 1000000000ll / 1000;
		}
		*len = *len < sizeof(tv) ? *len : sizeof(tv);
		memcpy(val, &tv, *len);
		return 0;
	}
	if (f->ops->kind == FILE_SOCKET)
		return host_getopt(f, level, name, val, len);
	if (level != SOL_SOCKET)
		return -ENOPROTOOPT;
	switch (name) {
	case SO_TYPE:
		v = s->type;
		break;
	case SO_DOMAIN:
		v = AF_UNIX;
		break;
	case SO_ERROR:
	case SO_ACCEPTCONN:
		v = 0;
		break;
	default:
		return -ENOPROTOOPT;
	}
	*len = *len < sizeof(v) ? *len : sizeof(v);
	memcpy(val, &v, *len);
	return 0;
}

/* ---- socketpairs in the guest ---- */

/* A pipe end's O_NONBLOCK for one call (MSG_DONTWAIT): set, and put
 * back after. */
static uint32_t pipe_nb(struct file *pf, bool nb)
{
	uint32_t old = pf->flags;
	pf->ops->setfl(pf, nb ? (old | O_NONBLOCK) : (old & ~(uint32_t)O_NONBLOCK));
	return old;
}

static int64_t unix_sendmsg(struct file *f, struct uio *u, uint32_t flags)
{
	struct upair *p = f->priv;

	if (!p->wr) {
		if (!(flags & MSG_NOSIGNAL))
			signal_send_sigpipe();
		return -EPIPE;
	}
	uint32_t old = pipe_nb(p->wr, nonblocking(f, flags));
	int64_t r = p->wr->ops->write(p->wr, u, -1);
	p->wr->ops->setfl(p->wr, old);
	/* The pipe raised SIGPIPE itself; MSG_NOSIGNAL takes it back. */
	if (r == -EPIPE && (flags & MSG_NOSIGNAL))
		signal_flush(SIGPIPE);
	return r;
}

static int64_t unix_recvmsg(struct file *f, struct uio *u, uint32_t flags)
{
	struct upair *p = f->priv;

	if (!p->rd)
		return 0;
	if (flags & MSG_PEEK)
		return -EOPNOTSUPP; /* the pipes cannot put bytes back */
	uint32_t old = pipe_nb(p->rd, nonblocking(f, flags));
	int64_t r = p->rd->ops->read(p->rd, u, -1);
	p->rd->ops->setfl(p->rd, old);
	return r;
}

static int64_t unix_read(struct file *f, struct uio *u, int64_t pos)
{
	return pos >= 0 ? -ESPIPE : unix_recvmsg(f, u, 0);
}

static int64_t unix_write(struct file *f, struct uio *u, int64_t pos)
{
	return pos >= 0 ? -ESPIPE : unix_sendmsg(f, u, 0);
}

static int unix_stat(struct file *f, struct rrv_stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_mode = 0140777; /* S_IFSOCK | 0777, as Linux shows a pair */
	st->st_nlink = 1;
	st->st_ino = (uint64_t)(uintptr_t)f->priv & 0xffffffu;
	st->st_blksize = 4096;
	st->st_uid = curproc->uid;
	st->st_gid = curproc->gid;
	return 0;
}

static int64_t unix_ioctl(struct file *f, uint32_t cmd, uint64_t arg)
{
	struct upair *p = f->priv;
	if (cmd == FIONREAD && p->rd)
		return p->rd->ops->ioctl(p->rd, cmd, arg);
	return -ENOTTY;
}

/* As Linux's unix_poll: data or the peer's end of writing make it
 * readable; the peer gone both ways is POLLHUP. */
static int unix_poll(struct file *f)
{
	struct upair *p = f->priv;
	int rm = p->rd ? p->rd->ops->poll(p->rd) : 0;
	int wm = p->wr ? p->wr->ops->poll(p->wr) : 0;
	bool rd_eof = !p->rd || (rm & POLLHUP);
	bool wr_dead = !p->wr || (wm & POLLERR);
	int mask = 0;

	if (rm & POLLIN)
		mask |= POLLIN | POLLRDNORM;
	if (rd_eof)
		mask |= POLLIN | POLLRDNORM | POLLRDHUP;
	if (rd_eof && wr_dead)
		mask |= POLLHUP;
	if ((wm & POLLOUT) || wr_dead)
		mask |= POLLOUT | POLLWRNORM;
	return mask;
}

static void unix_release(struct file *f)
{
	struct upair *p = f->priv;
	if (p->rd)
		file_put(p->rd);
	if (p->wr)
		file_put(p->wr);
	kfree(p);
	sched_wakeup(&file_poll_chan);
}

static const struct file_ops unix_ops = {
	.kind = FILE_UNIX,
	.read = unix_read,
	.write = unix_write,
	.lseek = sock_lseek,
	.stat = unix_stat,
	.ioctl = unix_ioctl,
	.getfl = sock_getfl,
	.setfl = sock_setfl,
	.poll = unix_poll,
	.release = unix_release,
	.wait_on = NULL, /* pipes: only guest threads change them */
};

static struct file *unix_end(int type, uint32_t flags, struct file *rd, struct file *wr)
{
	struct upair *p = kmalloc(sizeof(*p));
	struct file *f = p ? file_alloc(&unix_ops, O_RDWR | (flags & O_NONBLOCK)) : NULL;
	if (!f) {
		kfree(p);
		return NULL;
	}
	p->s.domain = AF_UNIX;
	p->s.type = type;
	p->s.rcvtimeo_ns = p->s.sndtimeo_ns = -1;
	p->rd = rd;
	p->wr = wr;
	f->priv = p;
	return f;
}

int unixpair_create(int type, uint32_t flags, struct file **a, struct file **b)
{
	struct file *r1, *w1, *r2, *w2;
	uint32_t pflags = type == SOCK_STREAM ? 0 : O_DIRECT;

	int err = pipe_create(pflags, &r1, &w1);
	if (err < 0)
		return err;
	err = pipe_create(pflags, &r2, &w2);
	if (err < 0) {
		file_put(r1);
		file_put(w1);
		return err;
	}
	/* a writes w1 and reads r2; b writes w2 and reads r1. */
	*a = unix_end(type, flags, r2, w1);
	*b = *a ? unix_end(type, flags, r1, w2) : NULL;
	if (!*b) {
		if (*a)
			file_put(*a); /* drops r2 and w1 */
		else {
			file_put(r2);
			file_put(w1);
		}
		file_put(r1);
		file_put(w2);
		return -ENOMEM;
	}
	return 0;
}

/* ---- both kinds ---- */

int64_t sock_sendmsg(struct file *f, struct uio *u, const struct sockaddr_buf *to,
		     uint32_t flags)
{
	if (f->ops->kind == FILE_UNIX)
		return to && to->len ? -EISCONN : unix_sendmsg(f, u, flags);
	return host_sendmsg(f, u, to, flags);
}

int64_t sock_recvmsg(struct file *f, struct uio *u, struct sockaddr_buf *from,
		     uint32_t flags, uint32_t *msg_flags)
{
	if (msg_flags)
		*msg_flags = 0;
	if (f->ops->kind == FILE_UNIX) {
		if (from)
			from->len = 0;
		return unix_recvmsg(f, u, flags);
	}
	return host_recvmsg(f, u, from, flags, msg_flags);
}
