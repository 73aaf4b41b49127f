/*
 * gdbstub/gdbstub.h: the gdb remote serial protocol, served to one client
 * on behalf of a struct gdb_target_ops (target.h).  The stub knows
 * nothing of KVM or traces; docs/debugging.md, "The gdb stub", lists the
 * packets it answers and those it refuses.
 *
 * Errors: every function returns a negative errno on failure and prints
 * nothing; gdbstub_error() then says what failed in words, for the
 * caller's "rrv: <what failed>: <why> (<what to do>)" line.
 */
#ifndef RRV_GDBSTUB_GDBSTUB_H
#define RRV_GDBSTUB_GDBSTUB_H

#include <stdbool.h>
#include <stddef.h>

#include "target.h"

/* The largest packet gdb may send us (qSupported's PacketSize). */
#define GDBSTUB_PACKET_MAX 16384

/* Listens on addr (NULL: 127.0.0.1, loopback only) and port (0: the
 * system picks one); *out_port, when not NULL, gets the port.  Returns
 * the listening fd, or -errno (-EADDRINUSE: the port is taken). */
int gdbstub_listen(const char *addr, int port, int *out_port);

/* Waits for one client on lfd; returns its connected fd, or -errno. */
int gdbstub_accept(int lfd);

/* Runs a session on a connected fd until the client detaches, kills or
 * goes away.  Returns 0 after a detach or kill, -ECONNRESET when the
 * client went away without one, or another -errno.  The target's detach
 * is called in every case.  Does not close fd. */
int gdbstub_serve(int fd, const struct gdb_target_ops *ops, void *target);

/* Why the last failing gdbstub_* call of this thread failed, in words
 * ("" when none did). */
const char *gdbstub_error(void);

/* ---- the protocol without a socket (unit tests, the fuzz target) ---- */

/* Where a session's replies go.  send gets one packet's payload, escaped
 * as the protocol needs but not framed ($...#cs is the transport's);
 * returns 0 or -errno.  interrupted, when not NULL, says whether the
 * client sent ^C while the target runs. */
struct gdbstub_io {
	int (*send)(void *ctx, const char *payload, size_t len);
	bool (*interrupted)(void *ctx);
	void *ctx;
};

struct gdbstub_session;

struct gdbstub_session *gdbstub_session_new(const struct gdb_target_ops *ops, void *target,
					    const struct gdbstub_io *io);
void gdbstub_session_free(struct gdbstub_session *s);

enum { GDBSTUB_MORE = 0, GDBSTUB_DONE = 1 };

/* Handles one packet's payload (as received: binary data still escaped,
 * no '$', '#' or checksum) and sends its replies through io.  Returns
 * GDBSTUB_MORE, GDBSTUB_DONE after a detach or kill (the target's detach
 * was called), or -errno when io's send failed.  Any byte string is
 * safe: a malformed packet gets an error reply. */
int gdbstub_handle_packet(struct gdbstub_session *s, const char *payload, size_t len);

/* Whether the client switched acknowledgements off (QStartNoAckMode). */
bool gdbstub_session_noack(const struct gdbstub_session *s);

#endif
