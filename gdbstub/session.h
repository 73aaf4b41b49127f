/*
 * gdbstub/session.h: one client's session, shared by the stub's files
 * (not part of the public API).  Each packet family's handlers live in
 * the file named for it; commands.c dispatches to them.
 */
#ifndef RRV_GDBSTUB_SESSION_H
#define RRV_GDBSTUB_SESSION_H

#include <stdbool.h>
#include <stdint.h>

#include "encode.h"
#include "gdbstub.h"
#include "target.h"

/* Replies may be longer than what gdb sends us (gdb grows its buffer):
 * an 'm' of half a packet's worth of bytes, hex-encoded, fits. */
#define GDB_REPLY_MAX (GDBSTUB_PACKET_MAX + 64)
#define GDB_MAX_THREADS 4096

/* Thread-id values besides a tid: gdb's "-1" (all) and "0" (any). */
#define TID_ALL UINT32_MAX
#define TID_ANY 0u

struct gdbstub_session {
	const struct gdb_target_ops *ops;
	void *t;
	struct gdbstub_io io;
	int io_error;       /* a send that failed, returned to the caller */

	/* What the client said in qSupported and QStartNoAckMode. */
	bool noack, multiprocess, swbreak, hwbreak;
	bool noack_next;    /* QStartNoAckMode: after this reply */
	bool silent;        /* 'k': the protocol has no reply */
	bool detached;      /* the target's detach was called */

	uint32_t gtid, ctid; /* Hg and Hc: a tid, TID_ANY or TID_ALL */
	bool have_stop;
	struct gdb_stop last; /* what '?' repeats */
	uint32_t list_next;   /* qsThreadInfo's place in list_tids */
	int list_n;
	uint32_t list_tids[GDB_MAX_THREADS];

	struct gdb_out out;
	char outbuf[GDB_REPLY_MAX];
	uint8_t scratch[GDBSTUB_PACKET_MAX]; /* memory, files, decoded args */
};

/* A handler gets the arguments after the packet's name, [p, end), and
 * writes its reply into s->out; it returns 0, or -errno for an "Enn"
 * reply.  An empty reply says "unsupported". */
typedef int (*gdb_handler)(struct gdbstub_session *s, const char *p, const char *end);

/* Sends one packet now (before the handler's own reply: qRcmd's 'O'). */
int session_send(struct gdbstub_session *s, const char *payload, size_t len);

/* Resolves a thread the client named (TID_ANY: the first live thread);
 * 0 if none is alive. */
uint32_t session_thread(struct gdbstub_session *s, uint32_t tid);

/* Parses a thread-id ("p<pid>.<tid>", "<tid>", "-1", "0"): *tid gets a
 * tid, TID_ALL or TID_ANY.  -EINVAL for a malformed id or another pid. */
int parse_thread_id(struct gdbstub_session *s, const char **p, const char *end, uint32_t *tid);
/* Writes a tid as the client expects it (with "p<pid>." in
 * multiprocess mode). */
void out_thread_id(struct gdbstub_session *s, uint32_t tid);

/* The handlers, one family per file. */
int cmd_regs_g(struct gdbstub_session *, const char *, const char *);
int cmd_regs_G(struct gdbstub_session *, const char *, const char *);
int cmd_regs_p(struct gdbstub_session *, const char *, const char *);
int cmd_regs_P(struct gdbstub_session *, const char *, const char *);
int cmd_mem_m(struct gdbstub_session *, const char *, const char *);
int cmd_mem_M(struct gdbstub_session *, const char *, const char *);
int cmd_mem_X(struct gdbstub_session *, const char *, const char *);
int cmd_point_Z(struct gdbstub_session *, const char *, const char *);
int cmd_point_z(struct gdbstub_session *, const char *, const char *);
int cmd_thread_H(struct gdbstub_session *, const char *, const char *);
int cmd_thread_T(struct gdbstub_session *, const char *, const char *);
int cmd_thread_qC(struct gdbstub_session *, const char *, const char *);
int cmd_thread_qf(struct gdbstub_session *, const char *, const char *);
int cmd_thread_qs(struct gdbstub_session *, const char *, const char *);
int cmd_resume_c(struct gdbstub_session *, const char *, const char *);
int cmd_resume_s(struct gdbstub_session *, const char *, const char *);
int cmd_resume_C(struct gdbstub_session *, const char *, const char *);
int cmd_resume_S(struct gdbstub_session *, const char *, const char *);
int cmd_resume_bc(struct gdbstub_session *, const char *, const char *);
int cmd_resume_bs(struct gdbstub_session *, const char *, const char *);
int cmd_resume_vcont(struct gdbstub_session *, const char *, const char *);
int cmd_resume_vcont_query(struct gdbstub_session *, const char *, const char *);
int cmd_stop_query(struct gdbstub_session *, const char *, const char *);
int cmd_xfer(struct gdbstub_session *, const char *, const char *);
int cmd_vfile(struct gdbstub_session *, const char *, const char *);

/* The XML thread list for qXfer:threads (xfer.c asks threads.c). */
void out_threads_xml(struct gdbstub_session *s, struct gdb_out *o);

#endif
