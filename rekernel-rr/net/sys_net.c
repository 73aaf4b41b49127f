/*
 * The socket system calls: argument checks, user copies of addresses,
 * msghdrs and options, and descriptors.  The sockets themselves are in
 * socket.c (host sockets and guest socketpairs).  epoll, eventfd and
 * timerfd, with their calls, are in fs/.
 */
#include "proc/proc.h"
#include "lib/syscall.h"

#include "uapi/errno.h"
#include "fs/file.h"
#include "mm/kalloc.h"
#include "net/net.h"
#include "lib/string.h"
#include "mm/uaccess.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* The socket behind fd: -EBADF for none, -ENOTSOCK for another file. */
static struct file *sock_fd(int fd, int64_t *err)
{
	struct file *f = fd_file(fd);
	*err = !f ? -EBADF : !is_socket(f) ? -ENOTSOCK : 0;
	return *err ? NULL : f;
}

/* Installs f (consuming its reference) at the lowest free descriptor. */
static int64_t install(struct file *f, bool cloexec)
{
	int fd = fd_find_free(0);
	int r = fd < 0 ? fd : fd_install(fd, f, cloexec);
	file_put(f);
	return r < 0 ? r : fd;
}

/* A user sockaddr of len bytes (Linux refuses beyond sockaddr_storage). */
static int64_t get_addr(uint64_t uaddr, uint64_t len, struct sockaddr_buf *b)
{
	if (len > RRV_HC_SOCKADDR_MAX)
		return -EINVAL;
	b->len = (uint32_t)len;
	if (len && copy_from_user(b->addr, uaddr, len))
		return -EFAULT;
	return 0;
}

/* Gives an address back as Linux's move_addr_to_user: at most *ulen bytes
 * of it, and its full length in *ulen. */
static int64_t put_addr(const struct sockaddr_buf *b, uint64_t uaddr, uint64_t ulen)
{
	int32_t room;

	if (!uaddr || !ulen)
		return 0;
	if (copy_from_user(&room, ulen, sizeof(room)))
		return -EFAULT;
	if (room < 0)
		return -EINVAL;
	uint32_t n = b->len < (uint32_t)room ? b->len : (uint32_t)room;
	if (n && copy_to_user(uaddr, b->addr, n))
		return -EFAULT;
	int32_t full = (int32_t)b->len;
	return copy_to_user(ulen, &full, sizeof(full)) ? -EFAULT : 0;
}

/* socket(domain, type, protocol) */
SYS(sys_socket)
{
	int domain = (int)a0, type = (int)a1;
	int64_t err;

	if (type & ~(SOCK_TYPE_MASK | SOCK_NONBLOCK | SOCK_CLOEXEC))
		return -EINVAL;
	if (fd_find_free(0) < 0)
		return -EMFILE;
	struct file *f = sock_create(domain, type, (int)a2, &err);
	if (!f)
		return err;
	return install(f, type & SOCK_CLOEXEC);
}

/* socketpair(domain, type, protocol, sv[2]) */
SYS(sys_socketpair)
{
	int type = (int)a1;
	struct file *x, *y;

	if (type & ~(SOCK_TYPE_MASK | SOCK_NONBLOCK | SOCK_CLOEXEC))
		return -EINVAL;
	if ((int)a0 != AF_UNIX)
		return -EOPNOTSUPP;
	int t = type & SOCK_TYPE_MASK;
	if (t != SOCK_STREAM && t != SOCK_DGRAM && t != SOCK_SEQPACKET)
		return -EINVAL;
	if (a2 != 0)
		return -EPROTONOSUPPORT;
	int r = unixpair_create(t, (uint32_t)type, &x, &y);
	if (r < 0)
		return r;
	bool cloexec = type & SOCK_CLOEXEC;
	int fds[2];
	fds[0] = fd_find_free(0);
	r = fds[0] < 0 ? fds[0] : fd_install(fds[0], x, cloexec);
	if (r == 0) {
		fds[1] = fd_find_free(0);
		r = fds[1] < 0 ? fds[1] : fd_install(fds[1], y, cloexec);
		if (r < 0)
			fd_close(fds[0]);
	}
	file_put(x);
	file_put(y);
	if (r < 0)
		return r;
	if (copy_to_user(a3, fds, sizeof(fds))) {
		fd_close(fds[0]);
		fd_close(fds[1]);
		return -EFAULT;
	}
	return 0;
}

/* connect(fd, addr, addrlen) and bind(fd, addr, addrlen) */
static int64_t addr_op(int fd, uint64_t uaddr, uint64_t len, bool is_bind)
{
	struct sockaddr_buf b;
	int64_t err;

	struct file *f = sock_fd(fd, &err);
	if (!f)
		return err;
	if ((err = get_addr(uaddr, len, &b)) < 0)
		return err;
	return is_bind ? sock_bind(f, &b) : sock_connect(f, &b);
}

SYS(sys_connect)
{
	return addr_op((int)a0, a1, (uint32_t)a2, false);
}

SYS(sys_bind)
{
	return addr_op((int)a0, a1, (uint32_t)a2, true);
}

/* listen(fd, backlog) */
SYS(sys_listen)
{
	int64_t err;
	struct file *f = sock_fd((int)a0, &err);
	return f ? sock_listen(f, (int)a1) : err;
}

/* shutdown(fd, how) */
SYS(sys_shutdown)
{
	int64_t err;
	struct file *f = sock_fd((int)a0, &err);
	return f ? sock_shutdown(f, (int)a1) : err;
}

/* accept4(fd, addr, addrlen, flags) */
SYS(sys_accept4)
{
	uint32_t flags = (uint32_t)a3;
	struct sockaddr_buf b;
	int64_t err;

	if (flags & ~(uint32_t)(SOCK_NONBLOCK | SOCK_CLOEXEC))
		return -EINVAL;
	struct file *f = sock_fd((int)a0, &err);
	if (!f)
		return err;
	if (fd_find_free(0) < 0)
		return -EMFILE;
	struct file *nf = sock_accept(f, flags, &b, &err);
	if (!nf)
		return err;
	err = put_addr(&b, a1, a2);
	if (err < 0) {
		file_put(nf);
		return err;
	}
	return install(nf, flags & SOCK_CLOEXEC);
}

SYS(sys_accept)
{
	return sys_accept4(a0, a1, a2, 0, 0, 0);
}

/* getsockname(fd, addr, addrlen) and getpeername */
static int64_t name_op(int fd, uint64_t uaddr, uint64_t ulen, bool peer)
{
	struct sockaddr_buf b;
	int64_t err;

	struct file *f = sock_fd(fd, &err);
	if (!f)
		return err;
	if ((err = sock_name(f, peer, &b)) < 0)
		return err;
	if (!ulen)
		return -EFAULT;
	return put_addr(&b, uaddr, ulen);
}

SYS(sys_getsockname)
{
	return name_op((int)a0, a1, a2, false);
}

SYS(sys_getpeername)
{
	return name_op((int)a0, a1, a2, true);
}

/* sendto(fd, buf, len, flags, addr, addrlen) */
SYS(sys_sendto)
{
	struct sockaddr_buf b;
	struct uio u;
	int64_t err;

	struct file *f = sock_fd((int)a0, &err);
	if (!f)
		return err;
	if (a4 && (err = get_addr(a4, (uint32_t)a5, &b)) < 0)
		return err;
	uio_init_buf(&u, a1, a2);
	return sock_sendmsg(f, &u, a4 ? &b : NULL, (uint32_t)a3);
}

/* recvfrom(fd, buf, len, flags, addr, addrlen) */
SYS(sys_recvfrom)
{
	struct sockaddr_buf b;
	struct uio u;
	int64_t err;

	struct file *f = sock_fd((int)a0, &err);
	if (!f)
		return err;
	uio_init_buf(&u, a1, a2);
	memset(&b, 0, sizeof(b));
	int64_t r = sock_recvmsg(f, &u, &b, (uint32_t)a3, NULL);
	if (r >= 0 && a4 && (err = put_addr(&b, a4, a5)) < 0)
		return err;
	return r;
}

/* Linux's struct msghdr. */
struct k_msghdr {
	uint64_t name;
	uint32_t namelen, pad0;
	uint64_t iov;
	uint64_t iovlen;
	uint64_t control;
	uint64_t controllen;
	int32_t flags, pad1;
};

/* The socket and the user's msghdr of sendmsg and recvmsg: f, or NULL
 * with *err (-EBADF, -ENOTSOCK, -EFAULT). */
static struct file *msg_args(int fd, uint64_t umsg, struct k_msghdr *m, int64_t *err)
{
	struct file *f = sock_fd(fd, err);
	if (f && copy_from_user(m, umsg, sizeof(*m))) {
		*err = -EFAULT;
		return NULL;
	}
	return f;
}

/* The message's iovecs as a cursor: 0 or -errno; too many of them is
 * -EMSGSIZE for these calls, as in Linux, not readv's -EINVAL. */
static int64_t msg_iov(struct uio *u, const struct k_msghdr *m)
{
	int64_t err = uio_init_iovec(u, m->iov, (int64_t)m->iovlen);
	return err == -EINVAL && m->iovlen > 1024 ? -EMSGSIZE : err;
}

/* sendmsg(fd, msg, flags) */
SYS(sys_sendmsg)
{
	struct k_msghdr m;
	struct sockaddr_buf b;
	struct uio u;
	int64_t err;

	struct file *f = msg_args((int)a0, a1, &m, &err);
	if (!f)
		return err;
	if (m.controllen) /* SCM_RIGHTS and credentials: not supported */
		return -EOPNOTSUPP;
	if (m.name && (err = get_addr(m.name, m.namelen, &b)) < 0)
		return err;
	if ((err = msg_iov(&u, &m)) < 0)
		return err;
	return sock_sendmsg(f, &u, m.name ? &b : NULL, (uint32_t)a2);
}

/* recvmsg(fd, msg, flags) */
SYS(sys_recvmsg)
{
	struct k_msghdr m;
	struct sockaddr_buf b;
	struct uio u;
	uint32_t mflags = 0;
	int64_t err;

	struct file *f = msg_args((int)a0, a1, &m, &err);
	if (!f)
		return err;
	if ((err = msg_iov(&u, &m)) < 0)
		return err;
	memset(&b, 0, sizeof(b));
	int64_t r = sock_recvmsg(f, &u, &b, (uint32_t)a2, &mflags);
	if (r < 0)
		return r;
	if (m.name) {
		uint32_t n = b.len < m.namelen ? b.len : m.namelen;
		if (n && copy_to_user(m.name, b.addr, n))
			return -EFAULT;
		m.namelen = b.len;
	}
	m.controllen = 0; /* no control messages ever */
	m.flags = (int32_t)mflags;
	if (copy_to_user(a1, &m, sizeof(m)))
		return -EFAULT;
	return r;
}

/* setsockopt(fd, level, name, val, len) */
SYS(sys_setsockopt)
{
	uint8_t val[RRV_HC_SOCKOPT_MAX];
	int64_t err;

	struct file *f = sock_fd((int)a0, &err);
	if (!f)
		return err;
	if ((int32_t)a4 < 0)
		return -EINVAL;
	if (a4 > sizeof(val))
		return -EINVAL;
	if (a4 && copy_from_user(val, a3, a4))
		return -EFAULT;
	return sock_setopt(f, (int)a1, (int)a2, val, (uint32_t)a4);
}

/* getsockopt(fd, level, name, val, len) */
SYS(sys_getsockopt)
{
	uint8_t val[RRV_HC_SOCKOPT_MAX];
	int32_t len;
	int64_t err;

	struct file *f = sock_fd((int)a0, &err);
	if (!f)
		return err;
	if (copy_from_user(&len, a4, sizeof(len)))
		return -EFAULT;
	if (len < 0)
		return -EINVAL;
	uint32_t n = (uint32_t)len > sizeof(val) ? sizeof(val) : (uint32_t)len;
	if ((err = sock_getopt(f, (int)a1, (int)a2, val, &n)) < 0)
		return err;
	if (n && copy_to_user(a3, val, n))
		return -EFAULT;
	len = (int32_t)n;
	return copy_to_user(a4, &len, sizeof(len)) ? -EFAULT : 0;
}

const struct syscall_def sys_net_defs[] = {
	SYSCALL_DEF(41, "socket", sys_socket, "ddd"),
	SYSCALL_DEF(42, "connect", sys_connect, "fpu"),
	SYSCALL_DEF(43, "accept", sys_accept, "fpp"),
	SYSCALL_DEF(44, "sendto", sys_sendto, "fpuxpu"),
	SYSCALL_DEF(45, "recvfrom", sys_recvfrom, "fpuxpp"),
	SYSCALL_DEF(46, "sendmsg", sys_sendmsg, "fpx"),
	SYSCALL_DEF(47, "recvmsg", sys_recvmsg, "fpx"),
	SYSCALL_DEF(48, "shutdown", sys_shutdown, "fd"),
	SYSCALL_DEF(49, "bind", sys_bind, "fpu"),
	SYSCALL_DEF(50, "listen", sys_listen, "fd"),
	SYSCALL_DEF(51, "getsockname", sys_getsockname, "fpp"),
	SYSCALL_DEF(52, "getpeername", sys_getpeername, "fpp"),
	SYSCALL_DEF(53, "socketpair", sys_socketpair, "dddp"),
	SYSCALL_DEF(54, "setsockopt", sys_setsockopt, "fddpu"),
	SYSCALL_DEF(55, "getsockopt", sys_getsockopt, "fddpp"),
	SYSCALL_DEF(288, "accept4", sys_accept4, "fppx"),
};

const size_t sys_net_ndefs = ARRAY_SIZE(sys_net_defs);
