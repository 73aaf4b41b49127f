/*
 * gdbstub/threads.c: thread ids in both directions and the thread
 * packets: H, T, qC, qfThreadInfo/qsThreadInfo and qXfer:threads' XML.
 * In multiprocess mode an id is "p<pid>.<tid>", else a bare tid; both
 * hex.  Every id the client names is checked against the target's list.
 */
#include <errno.h>

#include "session.h"

/* A component of an id: hex, or "-1" (all).  "0" (any) is a hex 0. */
static bool parse_id_part(const char **p, const char *end, uint64_t *v, bool *all)
{
	*all = false;
	if (end - *p >= 2 && (*p)[0] == '-' && (*p)[1] == '1') {
		*p += 2;
		*all = true;
		return true;
	}
	return parse_hex(p, end, v);
}

int parse_thread_id(struct gdbstub_session *s, const char **p, const char *end, uint32_t *tid)
{
	const char *q = *p;
	uint64_t v = 0;
	bool all;
	if (q < end && *q == 'p') {
		q++;
		if (!parse_id_part(&q, end, &v, &all))
			return -EINVAL;
		/* A pid other than ours (or "any"/"all") names nothing here. */
		if (!all && v != 0 && v != (uint64_t)s->ops->pid(s->t))
			return -EINVAL;
		if (q == end || *q != '.') {
			*tid = !all && v == 0 ? TID_ANY : TID_ALL; /* every thread of ours */
			*p = q;
			return 0;
		}
		q++;
	}
	if (!parse_id_part(&q, end, &v, &all))
		return -EINVAL;
	if (!all && v > UINT32_MAX - 1)
		return -EINVAL;
	*tid = all ? TID_ALL : (uint32_t)v;
	*p = q;
	return 0;
}

void out_thread_id(struct gdbstub_session *s, uint32_t tid)
{
	if (s->multiprocess)
		out_fmt(&s->out, "p%x.%x", (unsigned)s->ops->pid(s->t), tid);
	else
		out_fmt(&s->out, "%x", tid);
}

/* The live threads, into s->list_tids. */
static int fetch_threads(struct gdbstub_session *s)
{
	int n = s->ops->threads(s->t, s->list_tids, GDB_MAX_THREADS);
	s->list_n = n < 0 ? 0 : n;
	return n;
}

static bool thread_alive(struct gdbstub_session *s, uint32_t tid)
{
	if (fetch_threads(s) < 0)
		return false;
	for (int i = 0; i < s->list_n; i++)
		if (s->list_tids[i] == tid)
			return true;
	return false;
}

uint32_t session_thread(struct gdbstub_session *s, uint32_t tid)
{
	if (tid != TID_ANY && tid != TID_ALL && thread_alive(s, tid))
		return tid;
	/* The stopped thread comes first in the target's list. */
	if (fetch_threads(s) <= 0)
		return 0;
	return s->list_tids[0];
}

/* H op thread-id: which thread later g/m (op 'g') or c/s (op 'c') mean. */
int cmd_thread_H(struct gdbstub_session *s, const char *p, const char *end)
{
	uint32_t tid;
	if (p == end || (*p != 'g' && *p != 'c'))
		return -EINVAL;
	char op = *p++;
	if (parse_thread_id(s, &p, end, &tid) || p != end)
		return -EINVAL;
	if (tid != TID_ANY && tid != TID_ALL && !thread_alive(s, tid))
		return -ESRCH;
	if (op == 'g')
		s->gtid = tid;
	else
		s->ctid = tid;
	out_str(&s->out, "OK");
	return 0;
}

int cmd_thread_T(struct gdbstub_session *s, const char *p, const char *end)
{
	uint32_t tid;
	if (parse_thread_id(s, &p, end, &tid) || p != end || tid == TID_ALL || tid == TID_ANY)
		return -EINVAL;
	if (!thread_alive(s, tid))
		return -ESRCH;
	out_str(&s->out, "OK");
	return 0;
}

int cmd_thread_qC(struct gdbstub_session *s, const char *p, const char *end)
{
	(void)p;
	(void)end;
	uint32_t tid = session_thread(s, s->gtid);
	if (!tid)
		return -ESRCH;
	out_str(&s->out, "QC");
	out_thread_id(s, tid);
	return 0;
}

/* qfThreadInfo answers as many ids as fit in one reply; qsThreadInfo
 * the next ones, until 'l'. */
static int list_more(struct gdbstub_session *s)
{
	if (s->list_next >= (uint32_t)s->list_n) {
		out_str(&s->out, "l");
		return 0;
	}
	out_str(&s->out, "m");
	for (int k = 0; s->list_next < (uint32_t)s->list_n && k < 256; k++, s->list_next++) {
		if (k)
			out_str(&s->out, ",");
		out_thread_id(s, s->list_tids[s->list_next]);
	}
	return 0;
}

int cmd_thread_qf(struct gdbstub_session *s, const char *p, const char *end)
{
	(void)p;
	(void)end;
	int n = fetch_threads(s);
	if (n < 0)
		return n;
	s->list_next = 0;
	return list_more(s);
}

int cmd_thread_qs(struct gdbstub_session *s, const char *p, const char *end)
{
	(void)p;
	(void)end;
	return list_more(s);
}

void out_threads_xml(struct gdbstub_session *s, struct gdb_out *o)
{
	out_str(o, "<?xml version=\"1.0\"?><threads>");
	if (fetch_threads(s) > 0) {
		for (int i = 0; i < s->list_n; i++) {
			uint32_t tid = s->list_tids[i];
			if (s->multiprocess)
				out_fmt(o, "<thread id=\"p%x.%x\"", (unsigned)s->ops->pid(s->t), tid);
			else
				out_fmt(o, "<thread id=\"%x\"", tid);
			const char *name = s->ops->thread_name ? s->ops->thread_name(s->t, tid) : NULL;
			if (name) {
				out_str(o, " name=\"");
				out_xml_text(o, name);
				out_str(o, "\"");
			}
			out_str(o, "/>");
		}
	}
	out_str(o, "</threads>");
}
