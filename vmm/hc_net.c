/*
 * Sockets to the host network: the hypercalls behind the program's
 * socket system calls, and POLL, the one call that waits on host handles.
 *
 * Every host socket is non-blocking: the guest kernel decides whether a
 * call waits, and waits through POLL, so that each host answer (EAGAIN
 * and readiness too) is one traced hypercall that a replay gives back
 * without a network.  Addresses and option values ride inside the
 * argument struct, which the recorder keeps whole; data moves through
 * iovecs checked by hc_iovecs().  The host is Linux x86-64, so struct
 * sockaddr layouts, MSG_* and SO_* values are the guest's own.
 */

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "hc_families.h"
#include "hostpath.h"
#include "hostsig.h"
#include "hypercall.h"
#include "vmm.h"

static int64_t hc_socket(struct hc_call *c)
{
	const struct rrv_hc_socket *a = c->args;
	/* The guest keeps its own O_NONBLOCK and FD_CLOEXEC; only plain
	 * types reach the host. */
	if (a->type & ~0xf)
		return -EINVAL;
	if (a->domain != AF_UNIX && a->domain != AF_INET && a->domain != AF_INET6)
		return -EAFNOSUPPORT;
	return hostfd_adopt(&c->vm->files,
			    socket(a->domain, a->type | SOCK_NONBLOCK | SOCK_CLOEXEC, a->protocol));
}

static int64_t hc_connect(struct hc_call *c)
{
	const struct rrv_hc_sockaddr_in *a = c->args;
	int fd = hostfd_lookup(&c->vm->files, a->handle);
	HC_TRY(fd);
	if (a->addrlen > RRV_HC_SOCKADDR_MAX)
		return -EINVAL;
	HC_TRY(hostpath_check_sockaddr(a->addr, a->addrlen, 0));
	for (;;) {
		int r = connect(fd, (const struct sockaddr *)a->addr, a->addrlen);
		if (r == 0 || errno != EINTR)
			return hc_sys(r);
	}
}

static int64_t hc_bind(struct hc_call *c)
{
	const struct rrv_hc_sockaddr_in *a = c->args;
	int fd = hostfd_lookup(&c->vm->files, a->handle);
	HC_TRY(fd);
	if (a->addrlen > RRV_HC_SOCKADDR_MAX)
		return -EINVAL;
	HC_TRY(hostpath_check_sockaddr(a->addr, a->addrlen, 1));
	return hc_sys(bind(fd, (const struct sockaddr *)a->addr, a->addrlen));
}

static int64_t hc_listen(struct hc_call *c)
{
	const struct rrv_hc_sockop *a = c->args;
	int fd = hostfd_lookup(&c->vm->files, a->handle);
	HC_TRY(fd);
	return hc_sys(listen(fd, a->arg));
}

static int64_t hc_shutdown(struct hc_call *c)
{
	const struct rrv_hc_sockop *a = c->args;
	int fd = hostfd_lookup(&c->vm->files, a->handle);
	HC_TRY(fd);
	return hc_sys(shutdown(fd, a->arg));
}

static int64_t hc_accept(struct hc_call *c)
{
	struct rrv_hc_sockaddr_out *a = c->args;
	int fd = hostfd_lookup(&c->vm->files, a->handle);
	HC_TRY(fd);
	socklen_t len = RRV_HC_SOCKADDR_MAX;
	memset(a->addr, 0, sizeof(a->addr));
	int nfd;
	do
		nfd = accept4(fd, (struct sockaddr *)a->addr, &len,
			      SOCK_NONBLOCK | SOCK_CLOEXEC);
	while (nfd < 0 && errno == EINTR);
	a->addrlen = nfd < 0 ? 0 : len;
	return hostfd_adopt(&c->vm->files, nfd);
}

static int64_t hc_sockname(struct hc_call *c)
{
	struct rrv_hc_sockaddr_out *a = c->args;
	int fd = hostfd_lookup(&c->vm->files, a->handle);
	HC_TRY(fd);
	socklen_t len = RRV_HC_SOCKADDR_MAX;
	memset(a->addr, 0, sizeof(a->addr));
	int r = a->peer ? getpeername(fd, (struct sockaddr *)a->addr, &len)
			: getsockname(fd, (struct sockaddr *)a->addr, &len);
	a->addrlen = r < 0 ? 0 : len;
	return hc_sys(r);
}

/* Flags a program may pass to send and recv; the rest are refused so
 * that nothing unexpected (MSG_ZEROCOPY, MSG_ERRQUEUE) reaches the host. */
#define SEND_FLAGS (MSG_OOB | MSG_DONTROUTE | MSG_DONTWAIT | MSG_EOR | MSG_MORE | \
		    MSG_NOSIGNAL | MSG_CONFIRM)
#define RECV_FLAGS (MSG_OOB | MSG_PEEK | MSG_TRUNC | MSG_DONTWAIT | MSG_CMSG_CLOEXEC)

static int64_t hc_sendmsg(struct hc_call *c)
{
	const struct rrv_hc_sendmsg *a = c->args;
	int fd = hostfd_lookup(&c->vm->files, a->handle);
	HC_TRY(fd);
	if (a->addrlen > RRV_HC_SOCKADDR_MAX || (a->flags & ~(uint32_t)SEND_FLAGS))
		return -EINVAL;
	struct iovec iov[RRV_HC_IOV_MAX];
	HC_TRY(hc_iovecs(c, a->iov, a->iovcnt, false, iov));
	HC_TRY(hostpath_check_sockaddr(a->addr, a->addrlen, 0));
	struct msghdr m = {
		.msg_name = a->addrlen ? (void *)a->addr : NULL,
		.msg_namelen = a->addrlen,
		.msg_iov = iov,
		.msg_iovlen = a->iovcnt,
	};
	for (;;) {
		ssize_t n = sendmsg(fd, &m, (int)a->flags | MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n >= 0 || errno != EINTR)
			return hc_sys(n);
	}
}

static int64_t hc_recvmsg(struct hc_call *c)
{
	struct rrv_hc_recvmsg *a = c->args;
	int fd = hostfd_lookup(&c->vm->files, a->handle);
	HC_TRY(fd);
	if (a->flags & ~(uint32_t)RECV_FLAGS)
		return -EINVAL;
	struct iovec iov[RRV_HC_IOV_MAX];
	HC_TRY(hc_iovecs(c, a->iov, a->iovcnt, true, iov));
	memset(a->addr, 0, sizeof(a->addr));
	struct msghdr m = {
		.msg_name = a->addr,
		.msg_namelen = RRV_HC_SOCKADDR_MAX,
		.msg_iov = iov,
		.msg_iovlen = a->iovcnt,
	};
	for (;;) {
		ssize_t n = recvmsg(fd, &m, (int)a->flags | MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		a->addrlen = n < 0 ? 0 : m.msg_namelen;
		a->msg_flags = n < 0 ? 0 : (uint32_t)m.msg_flags;
		return hc_sys(n);
	}
}

static int64_t hc_sockopt(struct hc_call *c)
{
	struct rrv_hc_sockopt *a = c->args;
	int fd = hostfd_lookup(&c->vm->files, a->handle);
	HC_TRY(fd);
	if (a->len > RRV_HC_SOCKOPT_MAX)
		return -EINVAL;
	/* A timeout would make the host socket wait, and the guest waits
	 * itself; the guest keeps those options. */
	if (a->level == SOL_SOCKET && (a->name == SO_RCVTIMEO || a->name == SO_SNDTIMEO))
		return -ENOPROTOOPT;
	if (a->set)
		return hc_sys(setsockopt(fd, a->level, a->name, a->val, a->len));
	socklen_t len = a->len;
	int r = getsockopt(fd, a->level, a->name, a->val, &len);
	a->len = r < 0 ? 0 : len;
	return hc_sys(r);
}

static int64_t hc_poll(struct hc_call *c)
{
	struct rrv_hc_poll *a = c->args;
	struct pollfd p[RRV_HC_POLL_MAX];
	if (a->nfds > RRV_HC_POLL_MAX)
		return -EINVAL;
	for (uint32_t i = 0; i < a->nfds; i++) {
		int fd = hostfd_lookup(&c->vm->files, (uint32_t)a->fds[i].handle);
		HC_TRY(fd);
		p[i] = (struct pollfd){ .fd = fd, .events = a->fds[i].events };
	}
	/* ppoll for nanoseconds; a host signal (the user's ^C) ends the wait
	 * as an empty answer, and rrv's own handler decides what follows. */
	struct timespec ts = { a->timeout_ns / 1000000000, a->timeout_ns % 1000000000 };
	int n = ppoll(p, a->nfds, a->timeout_ns < 0 ? NULL : &ts, NULL);
	if (n < 0 && errno == EINTR && hostsig_interrupting())
		return -RRV_HC_ERESTART;
	if (n < 0 && errno == EINTR)
		n = 0;
	for (uint32_t i = 0; i < a->nfds; i++)
		a->fds[i].revents = n > 0 ? p[i].revents : 0;
	return hc_sys(n);
}

#define NET_HC(nr, name_, type, fn_, flags_, ...)                               \
	{ nr, { .name = (name_), .args_size = sizeof(struct type), .flags = (flags_), \
		.fn = (fn_), .in = __VA_ARGS__ } }

static const struct hc_entry net[] = {
	NET_HC(RRV_HC_SOCKET, "socket", rrv_hc_socket, hc_socket, 0, { { 0 } }),
	NET_HC(RRV_HC_CONNECT, "connect", rrv_hc_sockaddr_in, hc_connect, 0, { { 0 } }),
	NET_HC(RRV_HC_BIND, "bind", rrv_hc_sockaddr_in, hc_bind, 0, { { 0 } }),
	NET_HC(RRV_HC_LISTEN, "listen", rrv_hc_sockop, hc_listen, 0, { { 0 } }),
	NET_HC(RRV_HC_ACCEPT, "accept", rrv_hc_sockaddr_out, hc_accept, 0, { { 0 } }),
	NET_HC(RRV_HC_SENDMSG, "sendmsg", rrv_hc_sendmsg, hc_sendmsg, 0,
	       { HC_IN_IOV(struct rrv_hc_sendmsg, iov, iovcnt) }),
	NET_HC(RRV_HC_RECVMSG, "recvmsg", rrv_hc_recvmsg, hc_recvmsg, HC_F_OUT_RET, { { 0 } }),
	NET_HC(RRV_HC_SOCKOPT, "sockopt", rrv_hc_sockopt, hc_sockopt, 0, { { 0 } }),
	NET_HC(RRV_HC_SHUTDOWN, "shutdown", rrv_hc_sockop, hc_shutdown, 0, { { 0 } }),
	NET_HC(RRV_HC_SOCKNAME, "sockname", rrv_hc_sockaddr_out, hc_sockname, 0, { { 0 } }),
	NET_HC(RRV_HC_POLL, "poll", rrv_hc_poll, hc_poll, HC_F_MAY_BLOCK, { { 0 } }),
};

int hc_net_register(struct hc_table *t)
{
	return HC_REGISTER_TABLE(t, net);
}
