/*
 * Sockets, for sys_net.c.  Two kinds of struct file:
 *   FILE_SOCKET  a host socket behind a VMM handle (socket.c): every
 *                operation is a hypercall, non-blocking on the host; a
 *                wait is a POLL hypercall (pollwait.c)
 *   FILE_UNIX    one end of a socketpair, living in the guest (socket.c,
 *                built on two pipes, one per direction)
 * epoll, eventfd and timerfd have their own files and use only file.h.
 * docs/sockets.md tells the whole story.
 */
#ifndef REKERNEL_NET_H
#define REKERNEL_NET_H

#include <stdbool.h>
#include <stdint.h>

#include "fs/file.h"
#include "uapi/errno.h"
#include "uapi/socket.h"

/* A socket address the program passed or will receive. */
struct sockaddr_buf {
	uint32_t len;
	uint8_t addr[RRV_HC_SOCKADDR_MAX];
};

bool is_socket(struct file *f);

/* A new host socket: the file (one reference), or NULL with *err. */
struct file *sock_create(int domain, int type, int protocol, int64_t *err);

int64_t sock_connect(struct file *f, const struct sockaddr_buf *a);
int64_t sock_bind(struct file *f, const struct sockaddr_buf *a);
int64_t sock_listen(struct file *f, int backlog);
/* The new connection (one reference) with O_NONBLOCK from flags, or
 * NULL with *err; the peer's address in *a. */
struct file *sock_accept(struct file *f, uint32_t flags, struct sockaddr_buf *a,
			 int64_t *err);
/* to: NULL for none. */
int64_t sock_sendmsg(struct file *f, struct uio *u, const struct sockaddr_buf *to,
		     uint32_t flags);
/* from may be NULL; *msg_flags gets recvmsg's flags. */
int64_t sock_recvmsg(struct file *f, struct uio *u, struct sockaddr_buf *from,
		     uint32_t flags, uint32_t *msg_flags);
int64_t sock_shutdown(struct file *f, int how);
int64_t sock_name(struct file *f, bool peer, struct sockaddr_buf *a);
/* set: val[0, *len) in; get: *len the room in, what was written out. */
int64_t sock_setopt(struct file *f, int level, int name, const void *val, uint32_t len);
int64_t sock_getopt(struct file *f, int level, int name, void *val, uint32_t *len);

/* socketpair in the guest: both ends (one reference each), or -errno. */
int unixpair_create(int type, uint32_t flags, struct file **a, struct file **b);

#endif
