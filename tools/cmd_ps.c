/*
 * rrv ps: the processes of a recording, from the PROCESS events the guest
 * kernel made (hypercall 82, since ABI v8): pid, parent, exit status and
 * command line, as rr's ps prints them.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rrv/hypercall.h>

#include "replay/replay.h"
#include "trace-format/rrv_trace.h"
#include "rrv.h"
#include "trace_open.h"

struct ps_proc {
	int32_t pid, ppid;
	bool exited;
	int32_t status; /* the wait status */
	bool cut;       /* the command line lost arguments */
	char cmd[RRV_HC_PROCESS_CMDLINE + 8];
};

struct ps_list {
	struct ps_proc *p;
	size_t n, cap;
};

/* The newest entry for pid: a pid is not reused within a recording (the
 * guest numbers processes in creation order), but a trace is untrusted. */
static struct ps_proc *find(struct ps_list *l, int32_t pid)
{
	for (size_t i = l->n; i-- > 0;)
		if (l->p[i].pid == pid)
			return &l->p[i];
	return NULL;
}

static struct ps_proc *add(struct ps_list *l, int32_t pid, int32_t ppid)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		struct ps_proc *p = realloc(l->p, cap * sizeof(*p));
		if (!p)
			return NULL;
		l->p = p;
		l->cap = cap;
	}
	struct ps_proc *p = &l->p[l->n++];
	memset(p, 0, sizeof(*p));
	p->pid = pid;
	p->ppid = ppid;
	return p;
}

/* The arguments as one line: NULs become spaces, other control bytes '?'
 * (the command line is the program's, and goes to a terminal). */
static void set_cmd(struct ps_proc *p, const struct rrv_hc_process *e)
{
	uint32_t len = e->cmdline_len <= RRV_HC_PROCESS_CMDLINE ? e->cmdline_len
								: RRV_HC_PROCESS_CMDLINE;
	uint32_t n = 0, args = 0;
	for (uint32_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)e->cmdline[i];
		if (c == 0) {
			args++;
			if (i + 1 < len)
				p->cmd[n++] = ' ';
			continue;
		}
		p->cmd[n++] = c < 0x20 || c == 0x7f ? '?' : (char)c;
	}
	p->cmd[n] = 0;
	p->cut = args < e->argc;
}

/* One event into the list; false when it is malformed. */
static bool apply(struct ps_list *l, const struct rrv_trace_event *e)
{
	struct rrv_hc_process a;
	if (e->nranges < 1 || e->ranges[0].len != sizeof(a) || e->ret != 0)
		return false;
	memcpy(&a, e->ranges[0].data, sizeof(a)); /* may be unaligned */
	struct ps_proc *p = find(l, a.pid);
	if (a.event == RRV_PROC_FORK) {
		struct ps_proc *c = add(l, a.pid, a.ppid);
		if (!c)
			return false;
		/* Until it execs, a child runs its parent's program (looked up
		 * after add, which may move the array). */
		struct ps_proc *parent = find(l, a.ppid);
		if (parent == c)
			parent = NULL;
		if (parent) {
			memcpy(c->cmd, parent->cmd, sizeof(c->cmd));
			c->cut = parent->cut;
		}
		return true;
	}
	if (a.event == RRV_PROC_EXEC) {
		if (!p && !(p = add(l, a.pid, a.ppid)))
			return false;
		set_cmd(p, &a);
		return true;
	}
	if (a.event == RRV_PROC_EXIT && p) {
		p->exited = true;
		p->status = a.status;
		return true;
	}
	return false;
}

static void ps_help(void)
{
	printf("Without FILE: the latest trace.  One line per process the\n"
	       "recording ran, in the order they started:\n"
	       "  PID   its process id, as the program saw it\n"
	       "  PPID  its parent's, or -- for the first process\n"
	       "  EXIT  its exit status, -N when signal N killed it, or none\n"
	       "        when it was still running when the recording ended\n"
	       "  CMD   its command line after its last exec (a child that did\n"
	       "        not exec shows its parent's); '...' when arguments\n"
	       "        were cut (rrv keeps the first %u bytes)\n"
	       "Threads are not listed; 'rrv dump --tid=T' shows a thread's\n"
	       "events.  Traces recorded before hypercall ABI 8 hold no\n"
	       "process events.\n", RRV_HC_PROCESS_CMDLINE);
}

int cmd_ps(int argc, char **argv)
{
	const char *file = NULL;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0) {
			ps_help();
			return 0;
		} else if (argv[i][0] == '-') {
			return rrv_usage_error("ps", "ps: unknown option '%s'", argv[i]);
		} else if (file) {
			return rrv_usage_error("ps", "ps: one trace at a time");
		} else {
			file = argv[i];
		}
	}
	char path[4200];
	struct rrv_trace_reader *r = trace_open(file, path, sizeof(path));
	if (!r)
		return REPLAY_EXIT_BAD_TRACE;
	struct ps_list l = { 0 };
	struct rrv_trace_event e;
	uint64_t idx = 0, bad = 0;
	int got;
	while ((got = rrv_trace_reader_next(r, &e)) == 1) {
		if (e.type == RRV_EV_HYPERCALL && e.nr == RRV_HC_PROCESS && !apply(&l, &e))
			bad++;
		idx++;
	}
	int status = 0;
	if (got < 0) {
		fprintf(stderr, "rrv: %s: %s after event %" PRIu64 "%s\n", path,
			rrv_trace_strerror(got), idx,
			got == RRV_TRACE_E_TRUNCATED ? " (the recording was cut off: "
			"the processes up to there are listed)" : "");
		status = got == RRV_TRACE_E_TRUNCATED ? REPLAY_EXIT_TRUNCATED
						      : REPLAY_EXIT_BAD_TRACE;
	}
	if (bad)
		fprintf(stderr, "rrv: %s: %" PRIu64 " malformed process events "
			"skipped (the trace is damaged)\n", path, bad);
	if (!l.n && got >= 0) {
		fprintf(stderr, "rrv: %s holds no process events (it was recorded "
			"before hypercall ABI 8; record it again for rrv ps)\n", path);
		status = REPLAY_EXIT_BAD_TRACE;
	}
	if (l.n)
		printf("PID\tPPID\tEXIT\tCMD\n");
	for (size_t i = 0; i < l.n; i++) {
		const struct ps_proc *p = &l.p[i];
		char ppid[16], exit_s[16];
		if (find(&l, p->ppid) && p->ppid != p->pid)
			snprintf(ppid, sizeof(ppid), "%d", p->ppid);
		else
			snprintf(ppid, sizeof(ppid), "--");
		if (!p->exited)
			snprintf(exit_s, sizeof(exit_s), "none");
		else if (p->status & 0x7f)
			snprintf(exit_s, sizeof(exit_s), "%d", -(p->status & 0x7f));
		else
			snprintf(exit_s, sizeof(exit_s), "%d", (p->status >> 8) & 0xff);
		printf("%d\t%s\t%s\t%s%s\n", p->pid, ppid, exit_s, p->cmd,
		       p->cut ? " ..." : "");
	}
	free(l.p);
	rrv_trace_reader_free(r);
	return status;
}
