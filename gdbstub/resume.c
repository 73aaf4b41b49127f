/*
 * gdbstub/resume.c: run control and stop replies: '?', c, s, C, S, bc,
 * bs, vCont? and vCont.  Each resume packet becomes one struct
 * gdb_resume; the target runs until something stops the process, and
 * its struct gdb_stop becomes a T, W or X reply.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>

#include "signals.h"
#include "session.h"

/* How each stop kind looks in a reply: the letter, the Linux signal of a
 * T reply (0: the stop's own signo), and a fixed reason field. */
static const struct {
	char letter;
	int sig;
	const char *reason;
} stop_shapes[] = {
	[GDB_STOP_SIGNAL] = { 'T', 0, NULL },
	[GDB_STOP_BREAK] = { 'T', SIGTRAP, NULL },
	[GDB_STOP_WATCH] = { 'T', SIGTRAP, NULL },
	[GDB_STOP_EXITED] = { 'W', 0, NULL },
	[GDB_STOP_KILLED] = { 'X', 0, NULL },
	[GDB_STOP_REPLAY_BEGIN] = { 'T', SIGTRAP, "replaylog:begin;" },
	[GDB_STOP_REPLAY_END] = { 'T', SIGTRAP, "replaylog:end;" },
	[GDB_STOP_INTERRUPTED] = { 'T', SIGINT, NULL },
	/* Fork and exec events are not offered (qSupported): they are
	 * plain SIGTRAP stops of the thread. */
	[GDB_STOP_FORKED] = { 'T', SIGTRAP, NULL },
	[GDB_STOP_EXECD] = { 'T', SIGTRAP, NULL },
};
#define NSHAPES (sizeof(stop_shapes) / sizeof(stop_shapes[0]))

static const char *const watch_reasons[] = {
	[GDB_POINT_WRITE] = "watch", [GDB_POINT_READ] = "rwatch", [GDB_POINT_ACCESS] = "awatch",
};

static void out_stop(struct gdbstub_session *s, const struct gdb_stop *st)
{
	if ((unsigned)st->kind >= NSHAPES) {
		out_str(&s->out, "E16"); /* a target bug: say so, do not guess */
		return;
	}
	char letter = stop_shapes[st->kind].letter;
	if (letter == 'W') {
		out_fmt(&s->out, "W%02x", st->status & 0xff);
	} else {
		int sig = stop_shapes[st->kind].sig ? stop_shapes[st->kind].sig : st->signo;
		out_fmt(&s->out, "%c%02x", letter, gdb_signal_from_linux(sig) & 0xff);
	}
	if (letter != 'T') {
		if (s->multiprocess)
			out_fmt(&s->out, ";process:%x", (unsigned)s->ops->pid(s->t));
		return;
	}
	out_str(&s->out, "thread:");
	out_thread_id(s, st->tid);
	out_str(&s->out, ";");
	if (st->kind == GDB_STOP_BREAK && st->swbreak && s->swbreak)
		out_str(&s->out, "swbreak:;");
	if (st->kind == GDB_STOP_BREAK && st->hwbreak && s->hwbreak)
		out_str(&s->out, "hwbreak:;");
	if (st->kind == GDB_STOP_WATCH && st->type >= GDB_POINT_WRITE && st->type <= GDB_POINT_ACCESS)
		out_fmt(&s->out, "%s:%llx;", watch_reasons[st->type], (unsigned long long)st->addr);
	if (stop_shapes[st->kind].reason)
		out_str(&s->out, stop_shapes[st->kind].reason);
}

static bool never_interrupted(void *ctx)
{
	(void)ctx;
	return false;
}

static int resume(struct gdbstub_session *s, const struct gdb_resume *how)
{
	struct gdb_stop st;
	memset(&st, 0, sizeof(st));
	bool (*intr)(void *) = s->io.interrupted ? s->io.interrupted : never_interrupted;
	int rc = s->ops->resume(s->t, how, &st, intr, s->io.ctx);
	if (rc < 0)
		return rc;
	s->last = st;
	s->have_stop = true;
	if (st.kind != GDB_STOP_EXITED && st.kind != GDB_STOP_KILLED)
		s->gtid = s->ctid = st.tid; /* later g and m mean the stopped thread */
	out_stop(s, &st);
	return 0;
}

/* The thread a bare c or s means: the Hc one, or the current (0). */
static uint32_t continue_thread(struct gdbstub_session *s)
{
	return s->ctid == TID_ALL || s->ctid == TID_ANY ? 0 : s->ctid;
}

/* A signal number from the client (gdb's numbering), hex. */
static int parse_signal(const char **p, const char *end, int *linux_sig)
{
	uint64_t g;
	if (!parse_hex(p, end, &g) || g > 255)
		return -EINVAL;
	*linux_sig = gdb_signal_to_linux((int)g);
	if (g && !*linux_sig)
		return -EINVAL;
	return 0;
}

/* c, s, C and S may name an address to resume at; a replay cannot jump
 * (the recording decides where the program goes), so that is refused. */
static int simple_resume(struct gdbstub_session *s, const char *p, const char *end,
			 enum gdb_resume_action action, bool with_signal, bool reverse)
{
	struct gdb_resume how = { .action = action, .reverse = reverse,
				  .step_tid = continue_thread(s) };
	if (with_signal) {
		int rc = parse_signal(&p, end, &how.signo);
		if (rc)
			return rc;
	}
	if (p != end)
		return -EINVAL;
	return resume(s, &how);
}

int cmd_resume_c(struct gdbstub_session *s, const char *p, const char *end)
{
	return simple_resume(s, p, end, GDB_CONTINUE, false, false);
}

int cmd_resume_s(struct gdbstub_session *s, const char *p, const char *end)
{
	return simple_resume(s, p, end, GDB_STEP, false, false);
}

int cmd_resume_C(struct gdbstub_session *s, const char *p, const char *end)
{
	return simple_resume(s, p, end, GDB_CONTINUE, true, false);
}

int cmd_resume_S(struct gdbstub_session *s, const char *p, const char *end)
{
	return simple_resume(s, p, end, GDB_STEP, true, false);
}

int cmd_resume_bc(struct gdbstub_session *s, const char *p, const char *end)
{
	return simple_resume(s, p, end, GDB_CONTINUE, false, true);
}

int cmd_resume_bs(struct gdbstub_session *s, const char *p, const char *end)
{
	return simple_resume(s, p, end, GDB_STEP, false, true);
}

int cmd_resume_vcont_query(struct gdbstub_session *s, const char *p, const char *end)
{
	if (p != end)
		return -EINVAL;
	/* No 't' (non-stop only) and no 'r' (range stepping): gdb then
	 * steps ranges itself. */
	out_str(&s->out, "vCont;c;C;s;S");
	return 0;
}

/* vCont;ACTION[:thread-id]...: the replay runs its threads as recorded,
 * so the packet becomes one resume: a step of the thread a step action
 * names (the current one if it names all), else a continue. */
int cmd_resume_vcont(struct gdbstub_session *s, const char *p, const char *end)
{
	struct gdb_resume how = { .action = GDB_CONTINUE };
	bool any = false, have_signal = false;
	while (p < end) {
		if (*p++ != ';' || p == end)
			return -EINVAL;
		char a = *p++;
		int sig = 0, rc;
		if (a == 'C' || a == 'S') {
			if ((rc = parse_signal(&p, end, &sig)))
				return rc;
		} else if (a != 'c' && a != 's') {
			return -EINVAL; /* 't' and 'r' are not offered */
		}
		uint32_t tid = TID_ALL;
		if (p < end && *p == ':') {
			p++;
			if (parse_thread_id(s, &p, end, &tid))
				return -EINVAL;
		}
		bool step = a == 's' || a == 'S';
		if (step && how.action != GDB_STEP) {
			how.action = GDB_STEP;
			how.step_tid = tid == TID_ALL || tid == TID_ANY ? 0 : session_thread(s, tid);
			if (tid != TID_ALL && tid != TID_ANY && how.step_tid != tid)
				return -ESRCH;
			how.signo = sig;
			have_signal = sig != 0;
		} else if (!have_signal && sig) {
			how.signo = sig;
			have_signal = true;
		}
		any = true;
	}
	if (!any)
		return -EINVAL;
	return resume(s, &how);
}

int cmd_stop_query(struct gdbstub_session *s, const char *p, const char *end)
{
	(void)p;
	(void)end;
	if (s->have_stop) {
		out_stop(s, &s->last);
		return 0;
	}
	/* Before any resume the process stands at its start, stopped as
	 * after an exec: SIGTRAP in its first thread. */
	struct gdb_stop st = { .kind = GDB_STOP_SIGNAL, .signo = SIGTRAP,
			       .tid = session_thread(s, TID_ANY) };
	if (!st.tid)
		return -ESRCH;
	s->gtid = s->ctid = st.tid;
	out_stop(s, &st);
	return 0;
}
