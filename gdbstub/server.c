/*
 * gdbstub/server.c: the transport: a TCP listener (loopback unless an
 * address is given), one client, and the session's bytes on its socket:
 * framing each reply, acknowledging each packet until no-ack mode,
 * resending on '-', and watching for ^C while the target runs.
 */
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "packet.h"
#include "session.h"

static _Thread_local char last_error[256];

const char *gdbstub_error(void)
{
	return last_error;
}

__attribute__((format(printf, 2, 3)))
static int fail(int err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(last_error, sizeof(last_error), fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t)n < sizeof(last_error))
		snprintf(last_error + n, sizeof(last_error) - (size_t)n, ": %s", strerror(err));
	return -err;
}

int gdbstub_listen(const char *addr, int port, int *out_port)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_PASSIVE | AI_NUMERICSERV };
	struct addrinfo *res, *ai;
	char portstr[16];
	const char *host = addr ? addr : "127.0.0.1";
	last_error[0] = '\0';
	if (port < 0 || port > 65535)
		return fail(EINVAL, "port %d", port);
	snprintf(portstr, sizeof(portstr), "%d", port);
	int gai = getaddrinfo(host, portstr, &hints, &res);
	if (gai) {
		snprintf(last_error, sizeof(last_error), "address %s: %s", host, gai_strerror(gai));
		return -EINVAL;
	}
	int fd = -1, err = EADDRNOTAVAIL;
	for (ai = res; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
		if (fd < 0) {
			err = errno;
			continue;
		}
		int one = 1;
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd, 1) == 0)
			break;
		err = errno;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0)
		return fail(err, "listening on %s port %d", host, port);
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	if (out_port && getsockname(fd, (struct sockaddr *)&ss, &len) == 0)
		*out_port = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
							    : ((struct sockaddr_in *)&ss)->sin_port);
	return fd;
}

int gdbstub_accept(int lfd)
{
	last_error[0] = '\0';
	int fd;
	do
		fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	while (fd < 0 && errno == EINTR);
	if (fd < 0)
		return fail(errno, "waiting for gdb to connect");
	int one = 1;
	/* Packets are small and each waits for its answer. */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

struct conn {
	int fd;
	struct gdbstub_session *s;
	struct gdb_rx rx;
	bool gone;          /* the client closed or reset the connection */
	int err;            /* errno of a failed read or write */
	char frame[GDB_REPLY_MAX + 4]; /* the last packet sent, for '-' */
	size_t frame_len;
	/* Bytes read and not yet given to rx: a ^C may come in the same
	 * read as the packet that started the run. */
	uint8_t in[4096];
	size_t in_pos, in_len;
};

static int write_all(struct conn *c, const char *p, size_t n)
{
	while (n) {
		ssize_t w = send(c->fd, p, n, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			c->err = w < 0 ? errno : EPIPE;
			c->gone = c->err == EPIPE || c->err == ECONNRESET;
			return -c->err;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int conn_send(void *ctx, const char *payload, size_t len)
{
	struct conn *c = ctx;
	ssize_t n = gdb_frame(payload, len, c->frame, sizeof(c->frame));
	if (n < 0)
		return (int)n;
	c->frame_len = (size_t)n;
	return write_all(c, c->frame, c->frame_len);
}

/* Reads what is there (waiting up to timeout_ms); 0 when bytes came,
 * -1 at the end or on an error (c->gone, c->err say which). */
static int conn_read(struct conn *c, uint8_t *buf, size_t cap, size_t *got, int timeout_ms)
{
	struct pollfd pfd = { .fd = c->fd, .events = POLLIN };
	*got = 0;
	int pr = poll(&pfd, 1, timeout_ms);
	if (pr < 0 && errno == EINTR)
		return 0;
	if (pr < 0) {
		c->err = errno;
		return -1;
	}
	if (pr == 0)
		return 0;
	ssize_t n = recv(c->fd, buf, cap, 0);
	if (n < 0 && errno == EINTR)
		return 0;
	if (n <= 0) {
		c->gone = true;
		c->err = n < 0 ? errno : ECONNRESET;
		return -1;
	}
	*got = (size_t)n;
	return 0;
}

/* Gives the bytes read so far to rx; true if one was a ^C. */
static bool pending_interrupt(struct conn *c)
{
	while (c->in_pos < c->in_len)
		if (gdb_rx_byte(&c->rx, c->in[c->in_pos++]) == GDB_RX_INTERRUPT)
			return true;
	return false;
}

/* While the target runs gdb (in all-stop mode) sends nothing but ^C;
 * a client that goes away stops the run too. */
static bool conn_interrupted(void *ctx)
{
	struct conn *c = ctx;
	if (pending_interrupt(c))
		return true;
	c->in_pos = c->in_len = 0;
	if (c->gone || conn_read(c, c->in, sizeof(c->in), &c->in_len, 0) < 0)
		return true;
	return pending_interrupt(c);
}

/* One received event; returns GDBSTUB_MORE, GDBSTUB_DONE or -errno. */
static int conn_event(struct conn *c, enum gdb_rx_event ev)
{
	bool ack = !gdbstub_session_noack(c->s);
	switch (ev) {
	case GDB_RX_PACKET:
		if (ack && write_all(c, "+", 1))
			return -c->err;
		return gdbstub_handle_packet(c->s, c->rx.buf, c->rx.len);
	case GDB_RX_BADSUM:
		return ack && write_all(c, "-", 1) ? -c->err : GDBSTUB_MORE;
	case GDB_RX_OVERFLOW: {
		/* Taken (so that gdb does not resend it), and refused. */
		if (ack && write_all(c, "+", 1))
			return -c->err;
		char e[8];
		snprintf(e, sizeof(e), "E%02x", EMSGSIZE);
		return conn_send(c, e, strlen(e)) ? -c->err : GDBSTUB_MORE;
	}
	case GDB_RX_NAK:
		return c->frame_len && write_all(c, c->frame, c->frame_len) ? -c->err : GDBSTUB_MORE;
	default: /* an ack, or a ^C while already stopped */
		return GDBSTUB_MORE;
	}
}

int gdbstub_serve(int fd, const struct gdb_target_ops *ops, void *target)
{
	struct conn *c = calloc(1, sizeof(*c));
	last_error[0] = '\0';
	if (!c)
		return fail(ENOMEM, "starting the gdb session");
	c->fd = fd;
	gdb_rx_init(&c->rx);
	struct gdbstub_io io = { .send = conn_send, .interrupted = conn_interrupted, .ctx = c };
	c->s = gdbstub_session_new(ops, target, &io);
	int rc = c->s ? GDBSTUB_MORE : -ENOMEM;
	while (rc == GDBSTUB_MORE) {
		if (c->in_pos == c->in_len) {
			c->in_pos = 0;
			if (conn_read(c, c->in, sizeof(c->in), &c->in_len, -1) < 0) {
				rc = -c->err;
				break;
			}
			continue;
		}
		enum gdb_rx_event ev = gdb_rx_byte(&c->rx, c->in[c->in_pos++]);
		if (ev != GDB_RX_NONE)
			rc = conn_event(c, ev);
		if (c->gone)
			rc = -ECONNRESET;
	}
	/* After the process exited gdb just closes the connection. */
	bool exited = c->s && c->s->have_stop &&
		      (c->s->last.kind == GDB_STOP_EXITED || c->s->last.kind == GDB_STOP_KILLED);
	if (exited && (c->gone || rc == -ECONNRESET))
		rc = GDBSTUB_DONE;
	if (c->s && !c->s->detached) {
		c->s->detached = true;
		ops->detach(target);
	}
	if (rc == GDBSTUB_DONE)
		rc = 0;
	else if (c->gone || rc == -ECONNRESET)
		rc = fail(ECONNRESET, "the gdb client went away without detaching");
	else if (rc < 0)
		rc = fail(-rc, "talking to the gdb client");
	gdbstub_session_free(c->s);
	free(c);
	return rc;
}
