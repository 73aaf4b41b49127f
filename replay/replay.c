/*
 * The replayer: the hypercall tap of `rrv replay`.  For each traced call
 * the guest makes it takes the next recorded event, checks that it is the
 * same call (number and input digest), and gives the guest exactly what the
 * recording's host gave it: the struct with its result and every filled
 * buffer.  The host is never consulted.
 */
#include "replay.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stddef.h>
#include <time.h>
#include <unistd.h>

#include "report.h"
#include "trace-format/rrv_trace.h"
#include "vmm/progstate.h"
#include "vmm/hostsig.h"
#include "vmm/vmm.h"

struct replayer {
	char *path;
	struct rrv_trace_reader *rd;
	struct vmm *vm;
	struct cpuid_profile cpuid;
	char **argv, **envp; /* pointers into the header's string lists */
	char *strings;       /* NUL-terminated copies those point into */
	uint64_t total;      /* events in the trace (footer), or 0 */
	int stop_status;     /* set when replay stops the VM itself */

	/* One event read ahead, so that the guest can be told when the next
	 * one is a preemption point (publish_next); its pointers stay valid
	 * until the reader is called again, which only happens once it has
	 * been used. */
	bool have_ahead;
	int ahead_got;       /* what rrv_trace_reader_next returned for it */
	struct rrv_trace_event ahead;
	struct rrv_trace_mark ahead_at; /* the reader's place before it */
	uint64_t index;      /* events handed out so far */

	/* The watchdog: host time of the last replayed event, and how long
	 * a thread may run without reaching its recorded preemption point. */
	int64_t last_event_ns;
	int64_t watchdog_ns;
	/* guest_state.breakpoint_passes at the last sign of progress. */
	uint64_t passes;

	/* guest_state.next_preempt holds a point (written by publish_next),
	 * and the guest's pass counts and host time when it was published:
	 * how long the search for it has run, for the progress line and
	 * reports. */
	bool published;
	uint64_t search_from, near_from;
	int64_t search_ns;
	bool search_shown;
	unsigned search_ticks;
	/* rrv replay --log=syscalls: set guest_state.log_syscalls at BOOT. */
	bool log_syscalls;
	/* The point read ahead, as a PREEMPT struct, and which call it is
	 * (RRV_HC_PREEMPT, or RRV_HC_HOSTSIG of mode POINT). */
	struct rrv_hc_preempt ahead_pt;
	unsigned ahead_nr;

	/* The footer's INTERRUPTED signal (a signal to rrv ended the
	 * recording at once) and EXIT_CODE, rrv record's status then. */
	int interrupted;
	int interrupted_code;

	/* rrv debug: called after each event is in place (replayer_observe). */
	void (*after_event)(void *ctx, uint64_t index, unsigned nr);
	void *after_ctx;
};

/* Replay waits this long for a thread to reach its recorded preemption
 * point (while making no hypercall) before calling it a divergence;
 * RRV_PREEMPT_WATCHDOG (seconds) overrides it. */
#define WATCHDOG_S 30

static const char *field_str(const struct rrv_trace_fields *h, uint32_t tag,
			     char **store)
{
	const struct rrv_trace_field *f = rrv_trace_fields_get(h, tag);
	if (!f)
		return NULL;
	char *s = malloc(f->len + 1);
	if (!s)
		return NULL;
	memcpy(s, f->data, f->len);
	s[f->len] = 0;
	*store = s;
	return s;
}

/* Splits a NUL-separated list into a NULL-terminated vector. */
static char **split_list(const struct rrv_trace_field *f, char **copy, int *count)
{
	size_t len = f ? f->len : 0;
	char *s = malloc(len + 1);
	if (!s)
		return NULL;
	if (len)
		memcpy(s, f->data, len);
	s[len] = 0;
	int n = 0;
	for (size_t i = 0; i < len; i++)
		n += s[i] == 0;
	char **v = calloc((size_t)n + 1, sizeof(*v));
	if (!v) {
		free(s);
		return NULL;
	}
	for (size_t i = 0, k = 0; i < len && (int)k < n; k++) {
		v[k] = s + i;
		i += strlen(s + i) + 1;
	}
	*copy = s;
	*count = n;
	return v;
}

static struct replayer *bad_trace(struct replayer *r, const char *path, int err,
				  int *status)
{
	const char *what = err == RRV_TRACE_E_IO ? strerror(errno) : rrv_trace_strerror(err);
	const char *todo =
		err == RRV_TRACE_E_VERSION ? "replay it with a newer rrv" :
		err == RRV_TRACE_E_ARCH ? "replay it on the architecture that recorded it" :
		err == RRV_TRACE_E_NOT_TRACE ? "give a file written by rrv record" :
		err == RRV_TRACE_E_NOT_FILE ? (errno == EISDIR ? "it is a directory; "
			"give a trace file written by rrv record" : "it is a device; "
			"give a trace file written by rrv record") :
		err == RRV_TRACE_E_IO ? "check the path" :
		"the file is damaged; record again";
	fprintf(stderr, "rrv: cannot replay %s: %s (%s)\n", path, what, todo);
	*status = REPLAY_EXIT_BAD_TRACE;
	replayer_free(r);
	return NULL;
}

struct replayer *replayer_open(const char *path, struct vmm_config *cfg, int *status)
{
	struct replayer *r = calloc(1, sizeof(*r));
	if (!r || !(r->path = strdup(path))) {
		free(r);
		fprintf(stderr, "rrv: out of memory\n");
		*status = RRV_PANIC_STATUS;
		return NULL;
	}
	int err = rrv_trace_reader_open(&r->rd, path);
	if (err)
		return bad_trace(r, path, err, status);

	const struct rrv_trace_fields *h = rrv_trace_reader_header(r->rd);
	const struct rrv_trace_field *kernel = rrv_trace_fields_get(h, RRV_TAG_KERNEL_IMAGE);
	const struct rrv_trace_field *cpuid = rrv_trace_fields_get(h, RRV_TAG_CPUID);
	uint64_t mem;
	if (!kernel || !cpuid || rrv_trace_fields_u64(h, RRV_TAG_MEM_BYTES, &mem) ||
	    cpuid->len % sizeof(r->cpuid.e[0]) ||
	    cpuid->len / sizeof(r->cpuid.e[0]) > CPUID_PROFILE_MAX)
		return bad_trace(r, path, RRV_TRACE_E_CORRUPT, status);
	r->cpuid.n = cpuid->len / sizeof(r->cpuid.e[0]);
	memcpy(r->cpuid.e, cpuid->data, cpuid->len);

	char *argv_copy = NULL, *env_copy = NULL, *cmdline = NULL, *exec = NULL;
	int argc = 0, envc = 0;
	r->argv = split_list(rrv_trace_fields_get(h, RRV_TAG_ARGV), &argv_copy, &argc);
	r->envp = split_list(rrv_trace_fields_get(h, RRV_TAG_ENVP), &env_copy, &envc);
	field_str(h, RRV_TAG_CMDLINE, &cmdline);
	field_str(h, RRV_TAG_EXEC_PATH, &exec);
	/* One allocation list to free: keep the copies in strings[0..3]. */
	char **keep = calloc(4, sizeof(char *));
	if (!r->argv || !r->envp || !keep)
		return bad_trace(r, path, RRV_TRACE_E_NOMEM, status);
	keep[0] = argv_copy;
	keep[1] = env_copy;
	keep[2] = cmdline;
	keep[3] = exec;
	r->strings = (char *)keep;

	uint64_t total, sig, code;
	const struct rrv_trace_fields *foot = rrv_trace_reader_footer(r->rd);
	if (!rrv_trace_fields_u64(foot, RRV_TAG_EVENT_COUNT, &total))
		r->total = total;
	if (!rrv_trace_fields_u64(foot, RRV_TAG_INTERRUPTED, &sig) && sig >= 1 &&
	    sig <= 64) {
		r->interrupted = (int)sig;
		r->interrupted_code = 128 + (int)sig;
		if (!rrv_trace_fields_u64(foot, RRV_TAG_EXIT_CODE, &code) && code < 256)
			r->interrupted_code = (int)code;
	}

	*cfg = (struct vmm_config){
		.mem_bytes = mem,
		.kernel_image = kernel->data,
		.kernel_size = kernel->len,
		.cmdline = cmdline ? cmdline : "",
		.exec_path = exec,
		.argc = argc,
		.argv = r->argv,
		.envp = r->envp,
		.cpuid = &r->cpuid,
		.replay = true,
	};
	const struct rrv_trace_field *prog = rrv_trace_fields_get(h, RRV_TAG_PROGRAM_IMAGE);
	if (prog) {
		cfg->program_image = prog->data;
		cfg->program_size = prog->len;
	}
	return r;
}

/* The watchdog's clock: host time less the time rrv debug held the VM
 * paused (a user in gdb is not a stuck replay). */
static int64_t now_ns(const struct replayer *r)
{
	return vmm_clock_ns(r->vm);
}

/* The next event: the one read ahead, if any. */
static int next_event(struct replayer *r, struct rrv_trace_event *e)
{
	if (r->have_ahead) {
		r->have_ahead = false;
		*e = r->ahead;
		return r->ahead_got;
	}
	return rrv_trace_reader_next(r->rd, e);
}

/* The recorded HOSTSIG call that is the next event (a copy), or NULL. */
static const struct rrv_hc_hostsig *ahead_hostsig(struct replayer *r,
						  struct rrv_hc_hostsig *h)
{
	const struct rrv_trace_event *a = &r->ahead;
	if (r->ahead_got != 1 || a->type != RRV_EV_HYPERCALL ||
	    a->nr != RRV_HC_HOSTSIG || a->nranges < 1 ||
	    a->ranges[0].len != sizeof(*h))
		return NULL;
	memcpy(h, a->ranges[0].data, sizeof(*h)); /* may be unaligned */
	return h;
}

/* The recorded point that is the next event, or NULL: a PREEMPT call, or
 * a HOSTSIG call of mode POINT, found the same way (r->ahead_nr says
 * which). */
static const struct rrv_hc_preempt *ahead_preempt(struct replayer *r)
{
	if (!r->have_ahead) {
		rrv_trace_reader_tell(r->rd, &r->ahead_at);
		r->ahead_got = rrv_trace_reader_next(r->rd, &r->ahead);
		r->have_ahead = true;
	}
	const struct rrv_trace_event *a = &r->ahead;
	struct rrv_hc_hostsig h;
	if (ahead_hostsig(r, &h) && h.mode == RRV_HOSTSIG_POINT) {
		r->ahead_pt = (struct rrv_hc_preempt){
			.tid = h.tid, .method = h.method, .rip = h.rip,
			.regs_digest = h.regs_digest, .stack_digest = h.stack_digest,
			.branches = h.branches, .ident = h.ident,
		};
		r->ahead_nr = RRV_HC_HOSTSIG;
		return &r->ahead_pt;
	}
	if (r->ahead_got != 1 || a->type != RRV_EV_HYPERCALL ||
	    a->nr != RRV_HC_PREEMPT || a->nranges < 1 ||
	    a->ranges[0].len != sizeof(struct rrv_hc_preempt))
		return NULL;
	memcpy(&r->ahead_pt, a->ranges[0].data, sizeof(r->ahead_pt));
	r->ahead_nr = RRV_HC_PREEMPT;
	return &r->ahead_pt;
}

/* A v8 kernel's fields for signals to rrv: whether a HOSTSIG call of mode
 * POLL comes next (the flag the guest reads at safe points), and which
 * call the published point is. */
static void publish_hostsig(struct replayer *r, const struct rrv_hc_preempt *p)
{
	if (r->vm->guest_abi < 8)
		return;
	struct rrv_hc_hostsig h;
	uint32_t v[2] = {
		ahead_hostsig(r, &h) && h.mode == RRV_HOSTSIG_POLL,
		p ? r->ahead_nr : 0,
	};
	_Static_assert(offsetof(struct rrv_guest_state, next_point_nr) ==
		       offsetof(struct rrv_guest_state, host_signal) + 4, "v8 fields");
	void *g = GUEST_AT(&r->vm->mem, r->vm->guest_state +
			   offsetof(struct rrv_guest_state, host_signal), sizeof(v));
	if (g)
		memcpy(g, v, sizeof(v));
}

/* A counter the guest keeps in guest_state at offset off, or 0; the
 * fields of v10 read as 0 from an older kernel. */
static uint64_t guest_u64(struct replayer *r, size_t off)
{
	if (!r->vm->guest_state ||
	    (off >= offsetof(struct rrv_guest_state, next_ident) && r->vm->guest_abi < 10))
		return 0;
	const uint64_t *p = GUEST_AT(&r->vm->mem, r->vm->guest_state + off, sizeof(*p));
	return p ? *p : 0;
}

/*
 * The search for a preemption point, on a terminal: replay can pass a
 * point's rip many times before it matches, so after a second of it the
 * point and the passes so far are shown, redrawn in place, so that slow
 * is not taken for hung.  show false takes the line off.
 */
static uint64_t search_passes(struct replayer *r);
static uint64_t search_near(struct replayer *r);
static void search_line(struct replayer *r, bool show)
{
	static int tty = -1;
	if (tty < 0)
		tty = isatty(STDERR_FILENO) && !getenv("RRV_NO_PROGRESS");
	if (!tty)
		return;
	if (!show) {
		if (r->search_shown)
			fputs("\r\033[K", stderr);
		r->search_shown = false;
		return;
	}
	fprintf(stderr, "\rrrv: replay: event %llu: finding thread %u's preemption "
		"point at rip 0x%llx: %llu passes so far, %llu near\033[K",
		(unsigned long long)r->index + 1, r->ahead_pt.tid,
		(unsigned long long)r->ahead_pt.rip,
		(unsigned long long)search_passes(r), (unsigned long long)search_near(r));
	r->search_shown = true;
}

/*
 * Tells the guest (guest_state.next_preempt) whether the next recorded
 * event is a preemption point, and which, so that it arms its breakpoint
 * before the thread runs any user instruction.  Called after every
 * replayed event, so the guest always sees the truth about the next one.
 */
static void publish_next(struct replayer *r)
{
	if (!r->vm->guest_state)
		return;
	/* A v6 kernel's point ends before method: the fields after it are
	 * that kernel's own (breakpoint_passes), not room for v7's. */
	size_t size = r->vm->guest_abi >= 7 ? sizeof(struct rrv_preempt_point)
				  : offsetof(struct rrv_preempt_point, method);
	void *g = GUEST_AT(&r->vm->mem, r->vm->guest_state +
		offsetof(struct rrv_guest_state, next_preempt), size);
	if (!g)
		return;
	const struct rrv_hc_preempt *p = ahead_preempt(r);
	publish_hostsig(r, p);
	/* Nothing to write unless a point comes or goes: a trace recorded
	 * by a kernel older than ABI v6 has no next_preempt in its
	 * guest_state, and its memory there must stay untouched. */
	if (!p && !r->published)
		return;
	struct rrv_preempt_point pt = { 0 };
	if (p) {
		struct rrv_hc_preempt rec = *p; /* an aligned copy already */
		pt = (struct rrv_preempt_point){
			.armed = 1, .tid = rec.tid, .rip = rec.rip,
			.regs_digest = rec.regs_digest,
			.stack_digest = rec.stack_digest,
			.method = rec.method, .branches = rec.branches,
		};
	}
	memcpy(g, &pt, size);
	/* v10: the rest of the point, what tells its passes apart. */
	if (r->vm->guest_abi >= 10) {
		struct rrv_point_ident id = p ? p->ident : (struct rrv_point_ident){ 0 };
		void *gi = GUEST_AT(&r->vm->mem, r->vm->guest_state +
				    offsetof(struct rrv_guest_state, next_ident), sizeof(id));
		if (gi)
			memcpy(gi, &id, sizeof(id));
	}
	if (!p || !r->published)
		search_line(r, false);
	if (p && !r->published) {
		r->search_from = guest_u64(r, offsetof(struct rrv_guest_state,
						       breakpoint_passes));
		r->near_from = guest_u64(r, offsetof(struct rrv_guest_state,
						     breakpoint_near));
		r->search_ns = now_ns(r);
	}
	r->published = p != NULL;
}

/* Passes over the published point's rip since it was published, and
 * how many of them were near misses (all but memory matched). */
static uint64_t search_passes(struct replayer *r)
{
	return r->published ? guest_u64(r, offsetof(struct rrv_guest_state,
						    breakpoint_passes)) - r->search_from : 0;
}

static uint64_t search_near(struct replayer *r)
{
	return r->published ? guest_u64(r, offsetof(struct rrv_guest_state,
						    breakpoint_near)) - r->near_from : 0;
}

/* A preemption point as reports show it: rip, digests, and the branch
 * count where the recording had one. */
static void point_text(const struct rrv_hc_preempt *p, char *buf, size_t len)
{
	int n = snprintf(buf, len, "rip 0x%llx (registers %016llx, stack %016llx",
			 (unsigned long long)p->rip,
			 (unsigned long long)p->regs_digest,
			 (unsigned long long)p->stack_digest);
	if (n < 0 || (size_t)n >= len)
		return;
	if (p->method == RRV_PREEMPT_BRANCHES) {
		int m = snprintf(buf + n, len - (size_t)n, ", after %llu conditional branches",
				 (unsigned long long)p->branches);
		if (m < 0 || (size_t)(n + m) >= len)
			return;
		n += m;
	}
	snprintf(buf + n, len - (size_t)n, ", stretch %llu, %u written pages %016llx)",
		 (unsigned long long)p->ident.entries, p->ident.dirty_pages,
		 (unsigned long long)p->ident.dirty_digest);
}

/* Says what the recording did at a preemption point, for reports. */
static void preempt_reason(struct replayer *r, const struct rrv_trace_event *e,
			   char *buf, size_t len)
{
	struct rrv_hc_preempt p;
	if (e->nranges < 1 || e->ranges[0].len != sizeof(p)) {
		snprintf(buf, len, "the recording preempted a thread here");
		return;
	}
	memcpy(&p, e->ranges[0].data, sizeof(p));
	char where[256];
	point_text(&p, where, sizeof(where));
	snprintf(buf, len, "the recording preempted thread %u here, at %s; "
		 "this run's thread %u did not stop at that point (it passed "
		 "the rip %llu times since the event before, %llu of them with "
		 "the recorded registers and stack but other memory)", p.tid, where,
		 p.tid, (unsigned long long)search_passes(r),
		 (unsigned long long)search_near(r));
}

/* Stops the VM: the guest cannot go on without the host. */
static int stop(struct replayer *r, int status)
{
	r->stop_status = status;
	r->vm->exit_code = status;
	return -1;
}

/*
 * rrv replay --log=syscalls: the recorded command line is the recording's,
 * so the kernel is asked through guest_state (since ABI v8), which no
 * recorded event covers.  Kernel memory of an older ABI is left alone.
 */
static void ask_log(struct replayer *r, uint32_t abi)
{
	if (!r->log_syscalls || !r->vm->guest_state)
		return;
	if (abi < 8) {
		fprintf(stderr, "rrv: replay: this trace's guest kernel (hypercall "
			"ABI %u) cannot log system calls on replay (record with "
			"--log=syscalls, or with a newer rrv)\n", abi);
		return;
	}
	uint32_t *flag = GUEST_AT(&r->vm->mem, r->vm->guest_state +
		offsetof(struct rrv_guest_state, log_syscalls), sizeof(*flag));
	if (flag)
		*flag = 1;
}

/* The end of a recording that a signal to rrv interrupted: everything it
 * holds was replayed; rrv replay exits as rrv record did (docs/replay.md). */
static void interrupted_end(struct replayer *r)
{
	fprintf(stderr, "rrv: replay: interrupted by %s (signal %d) during "
		"recording, after %llu events: all of them replayed\n",
		hostsig_name(r->interrupted), r->interrupted,
		(unsigned long long)r->index);
	r->stop_status = r->interrupted_code;
	r->vm->exit_code = r->interrupted_code;
	r->vm->stopped = true;
}

static int replayed(void *ctx, struct hc_call *c, const struct hc_desc *d,
		    const void *pre, uint64_t digest, int64_t *ret)
{
	struct replayer *r = ctx;
	uint64_t index = r->index;
	search_line(r, false);
	if (c->nr == RRV_HC_BOOT) { /* for reports: see hc_boot */
		const struct rrv_hc_boot *b = pre;
		r->vm->guest_state = b->state;
		r->vm->guest_abi = b->abi_version;
		/* A newer kernel may expect what this VMM cannot give. */
		if (b->abi_version > RRV_HC_ABI_VERSION) {
			fprintf(stderr, "rrv: replay: %s was recorded by an rrv whose "
				"guest kernel speaks hypercall ABI %u; this rrv speaks "
				"%u (replay it with that rrv or a newer one)\n", r->path,
				b->abi_version, RRV_HC_ABI_VERSION);
			return stop(r, REPLAY_EXIT_BAD_TRACE);
		}
		ask_log(r, b->abi_version);
	}
	struct rrv_trace_event e;
	int got = next_event(r, &e);
	if (got == 1)
		r->index++;
	r->last_event_ns = now_ns(r);
	if (got == RRV_TRACE_E_TRUNCATED) {
		fprintf(stderr, "rrv: replay: the trace ends early, after %llu "
			"events (the recording was cut off): everything up to "
			"there replayed; stopping where the guest made its next "
			"%s hypercall\n", (unsigned long long)index, d->name);
		return stop(r, REPLAY_EXIT_TRUNCATED);
	}
	if (got < 0) {
		fprintf(stderr, "rrv: replay: event %llu of %s is unreadable: %s "
			"(at byte %llu; the trace is damaged after this point)\n",
			(unsigned long long)index, r->path, rrv_trace_strerror(got),
			(unsigned long long)rrv_trace_reader_error_offset(r->rd));
		return stop(r, REPLAY_EXIT_BAD_TRACE);
	}

	if (got == 0 && r->interrupted) {
		interrupted_end(r);
		return -1;
	}

	struct divergence dv = {
		.index = index, .total = r->total,
		.got_nr = c->nr, .got_digest = digest,
		.expected_nr = got == 1 ? e.nr : 0,
		.expected_digest = got == 1 ? e.digest : 0,
		.expected_type = got == 1 ? e.type : 0,
		.trace_ended = got == 0,
	};
	if (got == 0 || e.type != RRV_EV_HYPERCALL || e.nr != c->nr ||
	    e.digest != digest) {
		char why[1024];
		if (got == 1 && e.type == RRV_EV_HYPERCALL && e.nr == RRV_HC_PREEMPT &&
		    c->nr != RRV_HC_PREEMPT) {
			preempt_reason(r, &e, why, sizeof(why));
			dv.reason = why;
		} else if (got == 1 && c->nr == RRV_HC_PREEMPT && e.nr == RRV_HC_PREEMPT &&
			   e.type == RRV_EV_HYPERCALL) {
			const struct rrv_hc_preempt *p = pre;
			struct rrv_hc_preempt q = { 0 };
			if (e.nranges >= 1 && e.ranges[0].len == sizeof(q))
				memcpy(&q, e.ranges[0].data, sizeof(q));
			char rec_at[256], run_at[256];
			point_text(&q, rec_at, sizeof(rec_at));
			point_text(p, run_at, sizeof(run_at));
			snprintf(why, sizeof(why), "recorded: thread %u preempted at "
				 "%s; this run: thread %u at %s", q.tid, rec_at,
				 p->tid, run_at);
			dv.reason = why;
		} else if (c->nr == RRV_HC_PREEMPT) {
			const struct rrv_hc_preempt *p = pre;
			snprintf(why, sizeof(why), "this run preempted thread %u "
				 "at rip 0x%llx, where the recording did not",
				 p->tid, (unsigned long long)p->rip);
			dv.reason = why;
		}
		report_divergence(r->vm, &dv);
		return stop(r, REPLAY_EXIT_DIVERGED);
	}

	/* The struct first, then the filled buffers, where the host put them. */
	if (e.nranges == 0 || e.ranges[0].gpa != c->args_gpa ||
	    e.ranges[0].len != d->args_size) {
		dv.reason = "the recorded call's struct lies elsewhere";
		report_divergence(r->vm, &dv);
		return stop(r, REPLAY_EXIT_DIVERGED);
	}
	memcpy(c->args, e.ranges[0].data, d->args_size);
	for (uint32_t i = 1; i < e.nranges; i++) {
		/* Input copies are for reports; the digest checked the inputs. */
		if (rrv_trace_range_is_input(&e.ranges[i]))
			continue;
		void *dst = GUEST_AT(c->mem, e.ranges[i].gpa, e.ranges[i].len);
		if (!dst) {
			fprintf(stderr, "rrv: replay: event %llu fills guest memory "
				"outside this VM (0x%llx+%llu): the trace does not "
				"match its own header\n", (unsigned long long)index,
				(unsigned long long)e.ranges[i].gpa,
				(unsigned long long)e.ranges[i].len);
			return stop(r, REPLAY_EXIT_BAD_TRACE);
		}
		memcpy(dst, e.ranges[i].data, e.ranges[i].len);
	}
	*ret = e.ret;
	publish_next(r);
	if (r->after_event)
		r->after_event(r->after_ctx, r->index, c->nr);
	/* The last event of an interrupted recording: stop right after it
	 * (its output still goes out), where the recording stopped, rather
	 * than run on into what was never recorded. */
	if (r->interrupted && r->have_ahead && r->ahead_got == 0)
		interrupted_end(r);
	return 0;
}

/*
 * On each watchdog tick: a thread that should stop at a recorded
 * preemption point but has made no hypercall for so long, and has not
 * even passed the point's rip in that time, has run past it (a changed
 * program, a corrupted trace); without this the replay of a thread
 * spinning on a flag would spin forever.  Passes of the rip count as
 * progress: a point deep in a hot loop is found only after many.
 */
static int watchdog(void *ctx)
{
	struct replayer *r = ctx;
	uint64_t passes = guest_u64(r, offsetof(struct rrv_guest_state, breakpoint_passes));
	if (r->published && now_ns(r) - r->search_ns > 1000000000ll &&
	    ++r->search_ticks % 3 == 0)
		search_line(r, true);
	if (passes != r->passes) {
		r->passes = passes;
		r->last_event_ns = now_ns(r);
		return 0;
	}
	if (!r->last_event_ns || now_ns(r) - r->last_event_ns < r->watchdog_ns ||
	    !ahead_preempt(r))
		return 0;
	char why[1024];
	search_line(r, false);
	preempt_reason(r, &r->ahead, why, sizeof(why));
	fprintf(stderr, "rrv: replay diverged at event %llu", (unsigned long long)r->index);
	if (r->total)
		fprintf(stderr, " of %llu", (unsigned long long)r->total);
	fprintf(stderr, ": the program left the recorded path\n"
		"rrv:   expected: preempt (hypercall %u)\n"
		"rrv:   got:      nothing for %lld s: no thread reached the point, "
		"or even passed its address\n"
		"rrv:   %s\n", RRV_HC_PREEMPT,
		(long long)(r->watchdog_ns / 1000000000ll), why);
	progstate_report(r->vm, 0);
	return stop(r, REPLAY_EXIT_DIVERGED);
}

void replayer_log_syscalls(struct replayer *r)
{
	r->log_syscalls = true;
}

void replayer_observe(struct replayer *r,
		      void (*after_event)(void *ctx, uint64_t index, unsigned nr),
		      void *ctx)
{
	r->after_event = after_event;
	r->after_ctx = ctx;
}

const struct rrv_trace_reader *replayer_reader(const struct replayer *r)
{
	return r->rd;
}

uint64_t replayer_events(const struct replayer *r)
{
	return r->index;
}

void replayer_attach(struct replayer *r, struct vmm *vm)
{
	r->vm = vm;
	vm->hc.tap = (struct hc_tap){ .replayed = replayed, .ctx = r };
	const char *w = getenv("RRV_PREEMPT_WATCHDOG");
	long s = w ? strtol(w, NULL, 10) : 0;
	r->watchdog_ns = (s > 0 ? s : WATCHDOG_S) * 1000000000ll;
	vm->tick_hook = watchdog;
	vm->tick_ctx = r;
	/* A recording that counted branches replays here without a counter
	 * (docs/threads.md, "Branch counting"): say so once, since points
	 * are then found less surely. */
	const struct rrv_trace_field *m =
		rrv_trace_fields_get(rrv_trace_reader_header(r->rd), RRV_TAG_PREEMPT_METHOD);
	if (m && m->len >= 8 && !memcmp(m->data, "branches", 8) && !vm->pmu.usable)
		fprintf(stderr, "rrv: replay: the recording counted branches, this "
			"replay cannot (%s): its preemption points are found by rip "
			"and digests alone\n", vm->pmu.what);
}

int replayer_finish(struct replayer *r, int vm_status, bool verbose)
{
	if (r->stop_status)
		return r->stop_status;
	int sig = r->vm->hostsig.interrupted;
	if (sig) {
		fprintf(stderr, "rrv: replay stopped by %s after %llu events",
			hostsig_name(sig), (unsigned long long)r->index);
		if (r->total)
			fprintf(stderr, " of %llu", (unsigned long long)r->total);
		fprintf(stderr, "\n");
		return 128 + sig;
	}
	uint64_t used = r->index;
	struct rrv_trace_event e;
	int more = next_event(r, &e);
	if (more == 1) {
		fprintf(stderr, "rrv: replay: the guest finished after %llu events "
			"but the trace holds more: the replay diverged at its "
			"end\n", (unsigned long long)used);
		return REPLAY_EXIT_DIVERGED;
	}
	if (more == RRV_TRACE_E_TRUNCATED) {
		fprintf(stderr, "rrv: replay: the trace ends early (the recording "
			"was cut off); replayed all %llu events it holds\n",
			(unsigned long long)used);
	} else if (more < 0) {
		/* The events all replayed, but the end is not what was
		 * recorded (a damaged footer): rrv info and dump refuse such
		 * a file too, so replay does not pass it as sound. */
		fprintf(stderr, "rrv: replay: %s is damaged after its last event: "
			"%s (replayed all %llu events it holds; the recorded exit "
			"cannot be checked)\n", r->path, rrv_trace_strerror(more),
			(unsigned long long)used);
		return REPLAY_EXIT_BAD_TRACE;
	} else if (verbose)
		fprintf(stderr, "rrv: replayed %llu events from %s\n",
			(unsigned long long)used, r->path);
	return vm_status;
}

void replayer_free(struct replayer *r)
{
	if (!r)
		return;
	rrv_trace_reader_free(r->rd);
	if (r->strings) {
		char **keep = (char **)r->strings;
		for (int i = 0; i < 4; i++)
			free(keep[i]);
		free(keep);
	}
	if (r->argv)
		free(r->argv);
	if (r->envp)
		free(r->envp);
	free(r->path);
	free(r);
}

void replayer_save(const struct replayer *r, struct replayer_state *s)
{
	*s = (struct replayer_state){
		.index = r->index, .passes = r->passes,
		.stop_status = r->stop_status, .published = r->published,
		.ahead = r->have_ahead,
	};
	/* The event read ahead is handed out next: the place is before it. */
	if (r->have_ahead)
		s->at = r->ahead_at;
	else
		rrv_trace_reader_tell(r->rd, &s->at);
}

int replayer_restore(struct replayer *r, const struct replayer_state *s)
{
	int err = rrv_trace_reader_seek(r->rd, &s->at);
	if (err) {
		fprintf(stderr, "rrv: replay: cannot go back to event %llu of %s: %s\n",
			(unsigned long long)s->index, r->path, rrv_trace_strerror(err));
		return -1;
	}
	r->have_ahead = false;
	r->index = s->index;
	r->passes = s->passes;
	r->stop_status = s->stop_status;
	r->published = s->published;
	r->last_event_ns = now_ns(r);
	/* The guest's pass counters went back with its memory: a search in
	 * progress counts from here. */
	r->search_from = guest_u64(r, offsetof(struct rrv_guest_state, breakpoint_passes));
	r->near_from = guest_u64(r, offsetof(struct rrv_guest_state, breakpoint_near));
	r->search_ns = now_ns(r);
	/* Read ahead again, as the replayer had (ahead_preempt reads it and
	 * derives the point from it). */
	if (s->ahead)
		ahead_preempt(r);
	return 0;
}

uint64_t replayer_total(const struct replayer *r)
{
	return r->total;
}
