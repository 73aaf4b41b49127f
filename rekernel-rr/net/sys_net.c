/*
 * The socket system calls: argument checks, user copies of addresses,
 * msghdrs and options, and descriptors.  The sockets themselves are in
 * socket.c (host sockets and guest socketpairs).  epoll, eventfd and
 * timerfd, with their calls, are in fs/.
 */
#include "fs/file.h"
#include "lib/string.h"
#include "lib/syscall.h"
#include "mm/kalloc.h"
#include "mm/uaccess.h"
#include "net/net.h"
#include "proc/proc.h"
#include "uapi/errno.h"

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
SYSCALL_DEFINE3(socket, "ddd", int, domain, int, type, int, protocol)
{
	int64_t err;

	if (type & ~(SOCK_TYPE_MASK | SOCK_NONBLOCK | SOCK_CLOEXEC))
		return -EINVAL;
	if (fd_find_free(0) < 0)
		return -EMFILE;
	struct file *f = sock_create(domain, type, protocol, &err);
	if (!f)
		return err;
	return install(f, type & SOCK_CLOEXEC);
}

/* socketpair(domain, type, protocol, sv[2]).  protocol is compared
 * whole, all 64 bits of its register, as it always has been here. */
SYSCALL_DEFINE4(socketpair, "dddp", int, domain, int, type, uint64_t, protocol,
		uint64_t, usockvec)
{
	struct file *x, *y;

	if (type & ~(SOCK_TYPE_MASK | SOCK_NONBLOCK | SOCK_CLOEXEC))
		return -EINVAL;
	if (domain != AF_UNIX)
		return -EOPNOTSUPP;
	int t = type & SOCK_TYPE_MASK;
	if (t != SOCK_STREAM && t != SOCK_DGRAM && t != SOCK_SEQPACKET)
		return -EINVAL;
	if (protocol != 0)
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
	if (copy_to_user(usockvec, fds, sizeof(fds))) {
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

SYSCALL_DEFINE3(connect, "fpu", int, fd, uint64_t, uservaddr, uint32_t, addrlen)
{
	return addr_op(fd, uservaddr, addrlen, false);
}

SYSCALL_DEFINE3(bind, "fpu", int, fd, uint64_t, umyaddr, uint32_t, addrlen)
{
	return addr_op(fd, umyaddr, addrlen, true);
}

/* listen(fd, backlog) */
SYSCALL_DEFINE2(listen, "fd", int, fd, int, backlog)
{
	int64_t err;
	struct file *f = sock_fd(fd, &err);
	return f ? sock_listen(f, backlog) : err;
}

/* shutdown(fd, how) */
SYSCALL_DEFINE2(shutdown, "fd", int, fd, int, how)
{
	int64_t err;
	struct file *f = sock_fd(fd, &err);
	return f ? sock_shutdown(f, how) : err;
}

/* accept4(fd, addr, addrlen, flags) */
SYSCALL_DEFINE4(accept4, "fppx", int, fd, uint64_t, upeer_sockaddr,
		uint64_t, upeer_addrlen, uint32_t, flags)
{
	struct sockaddr_buf b;
	int64_t err;

	if (flags & ~(uint32_t)(SOCK_NONBLOCK | SOCK_CLOEXEC))
		return -EINVAL;
	struct file *f = sock_fd(fd, &err);
	if (!f)
		return err;
	if (fd_find_free(0) < 0)
		return -EMFILE;
	struct file *nf = sock_accept(f, flags, &b, &err);
	if (!nf)
		return err;
	err = put_addr(&b, upeer_sockaddr, upeer_addrlen);
	if (err < 0) {
		file_put(nf);
		return err;
	}
	return install(nf, flags & SOCK_CLOEXEC);
}

SYSCALL_DEFINE3(accept, "fpp", int, fd, uint64_t, upeer_sockaddr, uint64_t, upeer_addrlen)
{
	return sys_accept4(fd, upeer_sockaddr, upeer_addrlen, 0);
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

SYSCALL_DEFINE3(getsockname, "fpp", int, fd, uint64_t, usockaddr, uint64_t, usockaddr_len)
{
	return name_op(fd, usockaddr, usockaddr_len, false);
}

SYSCALL_DEFINE3(getpeername, "fpp", int, fd, uint64_t, usockaddr, uint64_t, usockaddr_len)
{
	return name_op(fd, usockaddr, usockaddr_len, true);
}

/* sendto(fd, buf, len, flags, addr, addrlen) */
SYSCALL_DEFINE6(sendto, "fpuxpu", int, fd, uint64_t, buff, uint64_t, len, uint32_t, flags,
		uint64_t, addr, uint32_t, addr_len)
{
	struct sockaddr_buf b;
	struct uio u;
	int64_t err;

	struct file *f = sock_fd(fd, &err);
	if (!f)
		return err;
	if (addr && (err = get_addr(addr, addr_len, &b)) < 0)
		return err;
	uio_init_buf(&u, buff, len);
	return sock_sendmsg(f, &u, addr ? &b : NULL, flags);
}

/* recvfrom(fd, buf, len, flags, addr, addrlen) */
SYSCALL_DEFINE6(recvfrom, "fpuxpp", int, fd, uint64_t, ubuf, uint64_t, size, uint32_t, flags,
		uint64_t, addr, uint64_t, addr_len)
{
	struct sockaddr_buf b;
	struct uio u;
	int64_t err;

	struct file *f = sock_fd(fd, &err);
	if (!f)
		return err;
	uio_init_buf(&u, ubuf, size);
	memset(&b, 0, sizeof(b));
	int64_t r = sock_recvmsg(f, &u, &b, flags, NULL);
	if (r >= 0 && addr && (err = put_addr(&b, addr, addr_len)) < 0)
		return err;
	return r;
}

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
SYSCALL_DEFINE3(sendmsg, "fpx", int, fd, uint64_t, umsg, uint32_t, flags)
{
	struct k_msghdr m;
	struct sockaddr_buf b;
	struct uio u;
	int64_t err;

	struct file *f = msg_args(fd, umsg, &m, &err);
	if (!f)
		return err;
	if (m.controllen) /* SCM_RIGHTS and credentials: not supported */
		return -EOPNOTSUPP;
	if (m.name && (err = get_addr(m.name, m.namelen, &b)) < 0)
		return err;
	if ((err = msg_iov(&u, &m)) < 0)
		return err;
	return sock_sendmsg(f, &u, m.name ? &b : NULL, flags);
}

/* recvmsg(fd, msg, flags) */
SYSCALL_DEFINE3(recvmsg, "fpx", int, fd, uint64_t, umsg, uint32_t, flags)
{
	struct k_msghdr m;
	struct sockaddr_buf b;
	struct uio u;
	uint32_t mflags = 0;
	int64_t err;

	struct file *f = msg_args(fd, umsg, &m, &err);
	if (!f)
		return err;
	if ((err = msg_iov(&u, &m)) < 0)
		return err;
	memset(&b, 0, sizeof(b));
	int64_t r = sock_recvmsg(f, &u, &b, flags, &mflags);
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
	if (copy_to_user(umsg, &m, sizeof(m)))
		return -EFAULT;
	return r;
}

/* setsockopt(fd, level, name, val, len).  optlen is checked as an int
 * and then whole, all 64 bits of its register, as it always has been
 * here. */
SYSCALL_DEFINE5(setsockopt, "fddpu", int, fd, int, level, int, optname, uint64_t, optval,
		uint64_t, optlen)
{
	uint8_t val[RRV_HC_SOCKOPT_MAX];
	int64_t err;

	struct file *f = sock_fd(fd, &err);
	if (!f)
		return err;
	if ((int32_t)optlen < 0)
		return -EINVAL;
	if (optlen > sizeof(val))
		return -EINVAL;
	if (optlen && copy_from_user(val, optval, optlen))
		return -EFAULT;
	return sock_setopt(f, level, optname, val, (uint32_t)optlen);
}

/* getsockopt(fd, level, name, val, len) */
SYSCALL_DEFINE5(getsockopt, "fddpp", int, fd, int, level, int, optname, uint64_t, optval,
		uint64_t, optlen)
{
	uint8_t val[RRV_HC_SOCKOPT_MAX];
	int32_t len;
	int64_t err;

	struct file *f = sock_fd(fd, &err);
	if (!f)
		return err;
	if (copy_from_user(&len, optlen, sizeof(len)))
		return -EFAULT;
	if (len < 0)
		return -EINVAL;
	uint32_t n = (uint32_t)len > sizeof(val) ? sizeof(val) : (uint32_t)len;
	if ((err = sock_getopt(f, level, optname, val, &n)) < 0)
		return err;
	if (n && copy_to_user(optval, val, n))
		return -EFAULT;
	len = (int32_t)n;
	return copy_to_user(optlen, &len, sizeof(len)) ? -EFAULT : 0;
}
