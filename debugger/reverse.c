/*
 * Going backwards (reverse.h; docs/debugging.md, "Going backwards").
 * Nothing runs backwards: the replay goes back to a checkpoint before the
 * place it is at and re-executes forward, deterministically, watching.
 *
 *   bc  re-run from the checkpoint before here with gdb's breakpoints and
 *       watchpoints, collecting every stop until here; the last is the
 *       answer, reached by restoring and running again to that stop's
 *       count.  None: the checkpoint before that, and so on; none at all:
 *       the first checkpoint, reported as the start of the recording.
 *   bs  the thread's previous ring-3 instruction: from the event boundary
 *       before here, step the thread until here, and stop one step short;
 *       at the first instruction of a stretch, from the boundary before.
 *
 * The stops are found by the engine's own run control (dbg_run with a
 * collect callback and stop_hits), so a stop found going back is one the
 * forward run would have made.
 */
#include "reverse.h"
#include "session.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rrv/digest.h>

#include "replay/replay.h"

/* Arithmetic flags and DF: what the program's instructions set.  TF and
 * RF depend on how the engine reached a place (a step, a breakpoint). */
#define EFLAGS_PROGRAM 0xcd5ull
/* FXSAVE bytes that are the program's: MXCSR, ST0-7, XMM0-15. */
#define FX_MXCSR 24
#define FX_REGS 32
#define FX_REGS_END 416

/* The most steps one bs takes from an event boundary before giving up:
 * a stretch this long between two events is a hot loop, where stepping
 * back an instruction costs more than it is worth. */
#define BS_STEPS_MAX 200000

int pos_here(struct dbg *d, uint32_t tid, struct dbg_pos *p)
{
	struct gdb_regs r;
	if (!tid)
		tid = d->cur_tid;
	if (!tid || regs_get(d, tid, &r))
		return -1;
	uint64_t h = RRV_DIGEST_SEED;
	uint64_t flags = r.eflags & EFLAGS_PROGRAM;
	h = rrv_digest(h, &r.rax, offsetof(struct gdb_regs, rip) -
				  offsetof(struct gdb_regs, rax));
	h = rrv_digest(h, &flags, sizeof(flags));
	h = rrv_digest(h, &r.fs_base, sizeof(r.fs_base));
	h = rrv_digest(h, &r.gs_base, sizeof(r.gs_base));
	h = rrv_digest(h, r.fxsave + FX_MXCSR, 4);
	h = rrv_digest(h, r.fxsave + FX_REGS, FX_REGS_END - FX_REGS);
	*p = (struct dbg_pos){ .events = d->events, .tid = tid, .rip = r.rip,
			       .digest = h };
	return 0;
}

bool pos_same(const struct dbg_pos *a, const struct dbg_pos *b)
{
	if (a->end || b->end)
		return a->end == b->end;
	return a->events == b->events && a->tid == b->tid && a->rip == b->rip &&
	       a->digest == b->digest;
}

/* ------------------------------------------------------------ collecting */

/* A stop found on the way: the k-th stop of the re-run (every stop ends
 * one dbg_run there, so that its place is read from the frame gdb would
 * see). */
struct found {
	uint64_t k;
	struct gdb_stop stop;
	struct dbg_pos pos;
};

struct collection {
	struct dbg *d;
	const struct dbg_pos *target; /* where to stop collecting, or NULL */
	uint64_t helper;              /* our own breakpoint's address, or 0 */
	bool reached;
	struct found *v;
	size_t n, cap;
	bool nomem;
	uint32_t matches;             /* places equal to the target so far */
};

static void add(struct collection *c, uint64_t k, const struct gdb_stop *s,
		const struct dbg_pos *p)
{
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 64;
		struct found *v = realloc(c->v, cap * sizeof(*v));
		if (!v) {
			c->nomem = true;
			return;
		}
		c->v = v;
		c->cap = cap;
	}
	c->v[c->n++] = (struct found){ .k = k, .stop = *s, .pos = *p };
}

/* Whether place p is the target: the same place, and for a target that
 * is the nth of its kind, the nth such. */
static bool at_target(struct collection *c, const struct dbg_pos *p)
{
	if (!c->target || !pos_same(p, c->target))
		return false;
	return c->matches++ == c->target->nth;
}

/* dbg_run's collect for runs that stop at nothing gdb set (steps, runs
 * to a boundary). */
static int ignore(void *ctx, struct dbg *d, const struct gdb_stop *s)
{
	(void)ctx, (void)d, (void)s;
	return 0;
}

static bool is_ended(const struct gdb_stop *s)
{
	return s->kind == GDB_STOP_EXITED || s->kind == GDB_STOP_KILLED ||
	       s->kind == GDB_STOP_REPLAY_END;
}

/* One forward run to the next stop, or to the boundary after event
 * until (0: none).  Returns 1 at the boundary, 0 at a stop, -1. */
static int next_stop(struct dbg *d, uint64_t until, struct gdb_stop *s)
{
	/* Stopped on a breakpoint: over it first, as gdb does (out, one
	 * step, back in), or the run would stop there again at once. */
	struct gdb_regs r;
	if (d->frame && d->cur_tid && regs_get(d, d->cur_tid, &r) == 0 &&
	    bp_find(d, r.rip) >= 0) {
		bp_remove(d, r.rip);
		struct dbg_run over = { .action = DBG_STEP, .tid = d->cur_tid,
					.collect = ignore };
		int e = dbg_run(d, &over, s);
		bp_insert(d, r.rip);
		if (e < 0)
			return -1;
		if (s->kind != GDB_STOP_BREAK)
			return 0; /* a signal, the end: a stop of its own */
	}
	struct dbg_run how = { .action = DBG_CONTINUE, .stop_event = until };
	if (dbg_run(d, &how, s) < 0)
		return -1;
	/* The event limit stops with no thread's frame at hand; every
	 * other stop has one, or is an end. */
	if (until && d->events >= until && !d->frame && !is_ended(s) &&
	    s->kind == GDB_STOP_BREAK)
		return 1;
	return 0;
}

/*
 * Re-runs from checkpoint id, noting every stop, until the target (or,
 * with no target, until the boundary after event until).  Returns 0
 * (c->reached says whether the target was found), or -1.
 */
static int run_collecting(struct dbg *d, int id, struct collection *c,
			  uint64_t until)
{
	if (cp_restore(d, id))
		return -1;
	c->matches = 0;
	for (uint64_t k = 1;; k++) {
		struct gdb_stop s;
		int r = next_stop(d, until, &s);
		if (r)
			return r < 0 ? -1 : 0;
		if (s.kind == GDB_STOP_INTERRUPTED || d->state == DBG_ENDED)
			return 0;
		struct dbg_pos p;
		if (is_ended(&s)) {
			p = (struct dbg_pos){ .end = true };
			if (at_target(c, &p))
				c->reached = true;
			return 0;
		}
		if (pos_here(d, s.tid, &p))
			continue;
		if (at_target(c, &p)) {
			c->reached = true;
			return 0;
		}
		/* Our own breakpoint at the target's address (set only where
		 * gdb has none) is no stop of gdb's. */
		if (!(s.kind == GDB_STOP_BREAK && c->helper && p.rip == c->helper))
			add(c, k, &s, &p);
		if (c->nomem)
			return 0;
	}
}

/* Goes to found stop f: the same re-run from checkpoint id, to its k-th
 * stop; checks that it is the same place.  0 with *out, -1. */
static int land(struct dbg *d, int id, const struct found *f, uint64_t until,
		struct gdb_stop *out)
{
	if (cp_restore(d, id))
		return -1;
	for (uint64_t k = 1; k <= f->k; k++) {
		if (next_stop(d, until, out))
			return -1;
		if (k < f->k && (is_ended(out) || d->state == DBG_ENDED))
			return -1;
	}
	struct dbg_pos p;
	if (pos_here(d, out->tid, &p) || !pos_same(&p, &f->pos)) {
		fprintf(stderr, "rrv: debug: going back did not land on the place "
			"the re-run found (event %" PRIu64 ", pc 0x%" PRIx64 "): "
			"an rrv bug, please report it with the trace\n",
			f->pos.events, f->pos.rip);
		return -1;
	}
	*out = f->stop;
	return 0;
}

static int begin_stop(struct dbg *d, struct gdb_stop *out)
{
	if (cp_restore(d, cp_first(d)))
		return -1;
	*out = (struct gdb_stop){ .kind = GDB_STOP_REPLAY_BEGIN, .tid = d->cur_tid };
	d->stop = *out;
	return 0;
}

/* gdb's breakpoint table holds addr (not only the helper). */
static bool user_bp_at(struct dbg *d, uint64_t addr)
{
	return bp_find(d, addr) >= 0;
}

/* ---------------------------------------------------------------- bc */

static int reverse_step_from(struct dbg *d, const struct dbg_pos *here,
			     struct gdb_stop *out);

static int reverse_continue(struct dbg *d, struct gdb_stop *out)
{
	struct dbg_pos here;
	if (d->state == DBG_GONE)
		here = (struct dbg_pos){ .end = true };
	else if (pos_here(d, 0, &here))
		return -EIO;
	uint64_t events = here.end ? UINT64_MAX : here.events;
	int id = cp_at_or_before(d, events);
	if (!id)
		return begin_stop(d, out) ? -EIO : 0;
	/* The target's rip gets a breakpoint for the re-run, so that it
	 * stops there; gdb's own there counts as gdb's. */
	bool helper = !here.end && !user_bp_at(d, here.rip);
	if (helper && bp_insert(d, here.rip) < 0)
		return -EIO;
	struct collection c = { .d = d, .target = &here,
				.helper = helper ? here.rip : 0 };
	/* The first window ends here, at the latest right after the next
	 * event; the ones before it at the next checkpoint's boundary. */
	uint64_t until = here.end ? 0 : here.events + 1;
	bool first_window = true;
	int err = 0;
	for (;;) {
		c.n = 0;
		if (run_collecting(d, id, &c, until)) {
			err = -EIO;
			break;
		}
		if (c.nomem) {
			err = -ENOMEM;
			break;
		}
		if (first_window && !c.reached) {
			/* The stops found may lie after here: none is sure. */
			fprintf(stderr, "rrv: debug: re-running from the checkpoint "
				"at event %" PRIu64 " did not come back here (event %"
				PRIu64 ", pc 0x%" PRIx64 "): an rrv bug, please report "
				"it with the trace\n", cp_key(d, id), here.events,
				here.rip);
			err = -EIO;
			break;
		}
		if (c.n) {
			struct found f = c.v[c.n - 1];
			err = land(d, id, &f, until, out) ? -EIO : 0;
			if (!err && f.stop.kind == GDB_STOP_WATCH) {
				/* A watchpoint fires after the write; going
				 * back, the stop is at the writing instruction,
				 * before it ran. */
				struct gdb_stop w = *out;
				if (helper)
					bp_remove(d, here.rip);
				helper = false;
				struct dbg_pos at;
				if (pos_here(d, w.tid, &at) == 0 &&
				    reverse_step_from(d, &at, out) == 0 &&
				    out->kind != GDB_STOP_REPLAY_BEGIN)
					*out = w;
			}
			break;
		}
		/* Nothing in this window: the one before it. */
		uint64_t key = cp_key(d, id);
		int prev = key ? cp_at_or_before(d, key - 1) : 0;
		if (id == cp_first(d) || !prev) {
			err = begin_stop(d, out) ? -EIO : 0;
			break;
		}
		until = key;
		id = prev;
		/* Later windows need no helper: they end at a boundary. */
		first_window = false;
		c.target = NULL;
		c.helper = 0;
		if (helper)
			bp_remove(d, here.rip);
		helper = false;
	}
	if (helper)
		bp_remove(d, here.rip);
	free(c.v);
	return err;
}

/* ---------------------------------------------------------------- bs */

/* Runs to the boundary after event b (from the checkpoint at or before
 * it), passing over every stop; 0, or -1. */
static int to_boundary(struct dbg *d, uint64_t b)
{
	int id = cp_at_or_before(d, b);
	if (!id || cp_restore(d, id))
		return -1;
	while (d->events < b) {
		struct dbg_run how = { .action = DBG_CONTINUE, .collect = ignore,
				       .stop_event = b };
		struct gdb_stop s;
		if (dbg_run(d, &how, &s) < 0 || is_ended(&s) || d->state == DBG_ENDED)
			return -1;
	}
	return 0;
}

/* One step of tid, passing over breakpoints; 0, or -1 when the process
 * or the replay ended. */
static int step(struct dbg *d, uint32_t tid, struct gdb_stop *s)
{
	/* A breakpoint under the thread's instruction is out for the step. */
	struct gdb_regs r;
	uint64_t out = 0;
	if (d->frame && d->cur_tid == tid && regs_get(d, tid, &r) == 0 &&
	    bp_find(d, r.rip) >= 0) {
		out = r.rip;
		bp_remove(d, out);
	}
	struct dbg_run how = { .action = DBG_STEP, .tid = tid, .collect = ignore };
	int e = dbg_run(d, &how, s);
	if (out)
		bp_insert(d, out);
	if (e < 0 || is_ended(s) || d->state == DBG_ENDED)
		return -1;
	return 0;
}

/* Steps tid from boundary b until here.  *before: how many steps reach
 * the thread's place just before here (-1: here is its first place after
 * b; -2: here was never reached), and *prev that place. */
static int count_steps(struct dbg *d, uint64_t b, const struct dbg_pos *here,
		       long *before, struct dbg_pos *prev)
{
	*before = -2;
	if (to_boundary(d, b))
		return -1;
	struct dbg_pos p;
	bool have = false; /* a place of the thread before the last step */
	/* At the first checkpoint the thread is stopped at a place already:
	 * one reached by no step. */
	if (d->frame && d->cur_tid == here->tid && pos_here(d, here->tid, &p) == 0) {
		if (pos_same(&p, here)) {
			*before = -1;
			return 0;
		}
		*prev = p;
		have = true;
	}
	for (long k = 1; k <= BS_STEPS_MAX; k++) {
		struct gdb_stop s;
		if (step(d, here->tid, &s))
			return 0;
		if (pos_here(d, here->tid, &p))
			continue;
		if (pos_same(&p, here)) {
			*before = have ? k - 1 : -1;
			return 0;
		}
		*prev = p;
		have = true;
		if (d->events > here->events)
			return 0;
	}
	fprintf(stderr, "rrv: debug: more than %d instructions since the last "
		"event: reverse-stepi gives up here (set a breakpoint and use "
		"reverse-continue)\n", BS_STEPS_MAX);
	return -1;
}

static int reverse_step_from(struct dbg *d, const struct dbg_pos *here,
			     struct gdb_stop *out)
{
	uint64_t first = cp_key(d, cp_first(d));
	for (uint64_t b = here->events;; b--) {
		if (b < first)
			return begin_stop(d, out);
		long before;
		struct dbg_pos prev;
		if (count_steps(d, b, here, &before, &prev))
			return -1;
		if (before >= 0) {
			if (to_boundary(d, b))
				return -1;
			struct gdb_stop s = { .kind = GDB_STOP_BREAK, .tid = here->tid };
			for (long n = 0; n < before; n++)
				if (step(d, here->tid, &s))
					return -1;
			struct dbg_pos p;
			if (pos_here(d, here->tid, &p) || !pos_same(&p, &prev)) {
				fprintf(stderr, "rrv: debug: stepping back did not land "
					"on the place the re-run found (pc 0x%" PRIx64
					"): an rrv bug, please report it with the trace\n",
					prev.rip);
				return -1;
			}
			*out = (struct gdb_stop){ .kind = GDB_STOP_BREAK,
						  .tid = here->tid };
			d->stop = *out;
			return 0;
		}
		if (before == -2) {
			fprintf(stderr, "rrv: debug: stepping from event %" PRIu64
				" did not come back here (pc 0x%" PRIx64 ")\n", b,
				here->rip);
			return -1;
		}
		if (b == first)
			return begin_stop(d, out);
	}
}

static int reverse_stepi(struct dbg *d, uint32_t tid, struct gdb_stop *out)
{
	if (d->state == DBG_GONE)
		return reverse_continue(d, out); /* from the end: to the last stop */
	struct dbg_pos here;
	if (pos_here(d, tid, &here))
		return -EIO;
	return reverse_step_from(d, &here, out) ? -EIO : 0;
}

int reverse_resume(struct dbg *d, const struct gdb_resume *how, struct gdb_stop *stop,
		   bool (*interrupted)(void *ctx), void *ctx)
{
	(void)interrupted, (void)ctx;
	if (!d->cps)
		return -ENOTSUP;
	if (d->state == DBG_ENDED) {
		/* The replay ran to its end: back into it from there. */
		d->state = DBG_GONE;
	}
	uint64_t events = d->events;
	int r = how->action == GDB_STEP ? reverse_stepi(d, how->step_tid, stop)
					: reverse_continue(d, stop);
	if (r < 0) {
		/* gdb waits for a stop.  The attempt may have left the engine
		 * anywhere (in a step, at a limit): the checkpoint before
		 * where it began is a whole state to go on from. */
		int id = cp_at_or_before(d, events);
		fprintf(stderr, "rrv: debug: going backwards failed (%s): stopped at "
			"the checkpoint of event %" PRIu64 " instead\n", strerror(-r),
			id ? cp_key(d, id) : 0);
		if (!id || cp_restore(d, id))
			return r;
		*stop = (struct gdb_stop){ .kind = GDB_STOP_BREAK, .tid = d->cur_tid };
		r = 0;
	}
	if (r == 0) {
		d->stop = *stop;
		if (stop->tid)
			d->cur_tid = stop->tid;
	}
	return r;
}

int reverse_goto(struct dbg *d, const struct dbg_pos *p, struct gdb_stop *out)
{
	int id = cp_at_or_before(d, p->events);
	if (!id)
		return -1;
	bool helper = !user_bp_at(d, p->rip);
	if (helper && bp_insert(d, p->rip) < 0)
		return -1;
	struct collection c = { .d = d, .target = p, .helper = p->rip };
	int r = run_collecting(d, id, &c, p->events + 1);
	if (helper)
		bp_remove(d, p->rip);
	free(c.v);
	if (r || !c.reached)
		return -1;
	*out = (struct gdb_stop){ .kind = GDB_STOP_BREAK, .tid = p->tid };
	d->stop = *out;
	return 0;
}
