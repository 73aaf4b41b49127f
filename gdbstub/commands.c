/*
 * gdbstub/commands.c: the session, and the table from packet name to
 * handler.  The handlers of each family live in the file named for it
 * (state.c, threads.c, resume.c, xfer.c, vfile.c); the small queries
 * and the session's end are here.  Any packet not in the table gets the
 * empty reply, which the protocol defines as "not supported".
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "session.h"

#define MONITOR_OUT_MAX 8192

int session_send(struct gdbstub_session *s, const char *payload, size_t len)
{
	int rc = s->io.send(s->io.ctx, payload, len);
	if (rc < 0 && !s->io_error)
		s->io_error = rc;
	return rc;
}

/* The features this stub offers, whatever the client is (qSupported's
 * reply; multiprocess, swbreak and hwbreak follow the client's). */
static const char supported[] =
	"PacketSize=4000;QStartNoAckMode+;qXfer:features:read+;qXfer:threads:read+;"
	"qXfer:auxv:read+;qXfer:exec-file:read+;qXfer:libraries-svr4:read+;"
	"vContSupported+;ReverseContinue+;ReverseStep+";

static bool has_feature(const char *p, const char *end, const char *name)
{
	size_t n = strlen(name);
	while (p < end) {
		const char *semi = memchr(p, ';', (size_t)(end - p));
		const char *stop = semi ? semi : end;
		if ((size_t)(stop - p) == n && memcmp(p, name, n) == 0)
			return true;
		p = semi ? semi + 1 : end;
	}
	return false;
}

static int cmd_qsupported(struct gdbstub_session *s, const char *p, const char *end)
{
	if (p < end && *p == ':')
		p++;
	s->multiprocess = has_feature(p, end, "multiprocess+");
	s->swbreak = has_feature(p, end, "swbreak+");
	s->hwbreak = has_feature(p, end, "hwbreak+");
	out_str(&s->out, supported);
	if (s->multiprocess)
		out_str(&s->out, ";multiprocess+");
	if (s->swbreak)
		out_str(&s->out, ";swbreak+");
	if (s->hwbreak)
		out_str(&s->out, ";hwbreak+");
	return 0;
}

static int cmd_noack(struct gdbstub_session *s, const char *p, const char *end)
{
	if (p != end)
		return -EINVAL;
	s->noack_next = true; /* this OK still goes out acknowledged */
	out_str(&s->out, "OK");
	return 0;
}

static int reply_ok(struct gdbstub_session *s, const char *p, const char *end)
{
	(void)p;
	(void)end;
	out_str(&s->out, "OK");
	return 0;
}

/* qAttached: "1", the process was there before the client (a replay is
 * never started by gdb), so quitting gdb detaches rather than kills. */
static int cmd_attached(struct gdbstub_session *s, const char *p, const char *end)
{
	(void)p;
	(void)end;
	out_str(&s->out, "1");
	return 0;
}

static void end_session(struct gdbstub_session *s)
{
	if (!s->detached) {
		s->detached = true;
		s->ops->detach(s->t);
	}
}

/* D, D;pid, vKill;pid: either way the replay ends (there is nothing to
 * leave running: the recording goes on only under the debugger). */
static int cmd_detach(struct gdbstub_session *s, const char *p, const char *end)
{
	uint32_t tid;
	if (p < end) {
		if (*p++ != ';' || parse_thread_id(s, &p, end, &tid) || p != end)
			return -EINVAL;
	}
	end_session(s);
	out_str(&s->out, "OK");
	return 0;
}

static int cmd_vkill(struct gdbstub_session *s, const char *p, const char *end)
{
	return cmd_detach(s, p, end);
}

static int cmd_kill(struct gdbstub_session *s, const char *p, const char *end)
{
	(void)p;
	(void)end;
	end_session(s);
	s->silent = true;
	return 0;
}

/* Sends text as 'O' packets, hex, a reply's worth at a time. */
static int send_console(struct gdbstub_session *s, const char *text)
{
	size_t len = strlen(text), chunk = (GDB_REPLY_MAX - 2) / 2;
	struct gdb_out o = { .buf = malloc(GDB_REPLY_MAX), .cap = GDB_REPLY_MAX };
	if (!o.buf)
		return -ENOMEM;
	for (size_t at = 0; at < len && !s->io_error; at += chunk) {
		out_reset(&o);
		out_str(&o, "O");
		out_hex(&o, text + at, len - at < chunk ? len - at : chunk);
		session_send(s, o.buf, o.len);
	}
	free(o.buf);
	return 0;
}

/* qRcmd,HEX: "monitor CMD".  The target's text goes out as 'O' packets,
 * then OK; an unknown command is said so the same way. */
static int cmd_rcmd(struct gdbstub_session *s, const char *p, const char *end)
{
	if (p == end || *p++ != ',')
		return -EINVAL;
	size_t digits = (size_t)(end - p);
	if (digits / 2 >= sizeof(s->scratch) || !hex_decode(p, digits, s->scratch))
		return -EINVAL;
	s->scratch[digits / 2] = '\0';
	const char *cmd = (const char *)s->scratch;
	if (strlen(cmd) != digits / 2)
		return -EINVAL;
	char *text = malloc(MONITOR_OUT_MAX);
	if (!text)
		return -ENOMEM;
	text[0] = '\0';
	int rc = s->ops->monitor ? s->ops->monitor(s->t, cmd, text, MONITOR_OUT_MAX) : -ENOENT;
	text[MONITOR_OUT_MAX - 1] = '\0';
	if (rc == -ENOENT) {
		snprintf(text, MONITOR_OUT_MAX,
			 "rrv: unknown monitor command: '%.200s' (monitor help lists them)\n", cmd);
		rc = 0;
	}
	if (rc == 0)
		rc = send_console(s, text);
	free(text);
	if (rc < 0)
		return rc;
	out_str(&s->out, "OK");
	return 0;
}

/* A name matches a packet that starts with it and then ends or goes on
 * with a separator; a one-letter command takes its arguments at once. */
static const struct command {
	const char *name;
	bool letter;
	gdb_handler fn;
} commands[] = {
	{ "qSupported", false, cmd_qsupported },
	{ "QStartNoAckMode", false, cmd_noack },
	{ "qXfer", false, cmd_xfer },
	{ "qfThreadInfo", false, cmd_thread_qf },
	{ "qsThreadInfo", false, cmd_thread_qs },
	{ "qC", false, cmd_thread_qC },
	{ "qAttached", false, cmd_attached },
	{ "qSymbol", false, reply_ok },
	{ "qRcmd", false, cmd_rcmd },
	{ "vCont?", false, cmd_resume_vcont_query },
	{ "vCont", false, cmd_resume_vcont },
	{ "vFile", false, cmd_vfile },
	{ "vKill", false, cmd_vkill },
	{ "bc", false, cmd_resume_bc },
	{ "bs", false, cmd_resume_bs },
	{ "?", true, cmd_stop_query },
	{ "H", true, cmd_thread_H },
	{ "T", true, cmd_thread_T },
	{ "g", true, cmd_regs_g },
	{ "G", true, cmd_regs_G },
	{ "p", true, cmd_regs_p },
	{ "P", true, cmd_regs_P },
	{ "m", true, cmd_mem_m },
	{ "M", true, cmd_mem_M },
	{ "X", true, cmd_mem_X },
	{ "Z", true, cmd_point_Z },
	{ "z", true, cmd_point_z },
	{ "c", true, cmd_resume_c },
	{ "s", true, cmd_resume_s },
	{ "C", true, cmd_resume_C },
	{ "S", true, cmd_resume_S },
	{ "D", true, cmd_detach },
	{ "k", true, cmd_kill },
};

static const struct command *find_command(const char *p, size_t len)
{
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		const struct command *c = &commands[i];
		size_t n = strlen(c->name);
		if (len < n || memcmp(p, c->name, n) != 0)
			continue;
		if (c->letter || len == n || strchr(":,;", p[n]))
			return c;
	}
	return NULL;
}

int gdbstub_handle_packet(struct gdbstub_session *s, const char *payload, size_t len)
{
	out_reset(&s->out);
	s->io_error = 0;
	s->silent = false;
	const struct command *c = len ? find_command(payload, len) : NULL;
	int rc = c ? c->fn(s, payload + strlen(c->name), payload + len) : 0;
	if (s->io_error)
		return s->io_error;
	if (rc == 0 && s->out.overflow)
		rc = -EMSGSIZE; /* never a truncated reply */
	if (rc < 0) {
		out_reset(&s->out);
		out_fmt(&s->out, "E%02x", -rc & 0xff);
	}
	if (!s->silent && session_send(s, s->out.buf, s->out.len) < 0)
		return s->io_error;
	if (s->noack_next) {
		s->noack = true;
		s->noack_next = false;
	}
	return s->detached ? GDBSTUB_DONE : GDBSTUB_MORE;
}

struct gdbstub_session *gdbstub_session_new(const struct gdb_target_ops *ops, void *target,
					    const struct gdbstub_io *io)
{
	struct gdbstub_session *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->ops = ops;
	s->t = target;
	s->io = *io;
	s->out.buf = s->outbuf;
	s->out.cap = sizeof(s->outbuf);
	s->gtid = s->ctid = TID_ANY;
	return s;
}

void gdbstub_session_free(struct gdbstub_session *s)
{
	free(s);
}

bool gdbstub_session_noack(const struct gdbstub_session *s)
{
	return s->noack;
}
