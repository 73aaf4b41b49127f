/*
 * rrv debug's checkpoints (reverse.h; docs/debugging.md, "Checkpoints"):
 * snapshots of the machine (vmm/snapshot.c) taken as the replay goes, at
 * event boundaries, spaced by events and by time, so that going back
 * re-executes from the nearest one, not from the start.  The first is
 * taken at the first stop, the earliest place gdb can reach.  gdb's own
 * checkpoints (monitor checkpoint, restart N) are places, found again
 * from these snapshots.
 */
#include "reverse.h"
#include "session.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "replay/replay.h"
#include "vmm/snapshot.h"
#include "vmm/vmm.h"

/* A snapshot every this many events, or sooner after this much replay
 * time (a stretch of few events that runs long). */
#define CP_EVERY_EVENTS 1000
#define CP_EVERY_NS (250 * 1000000ll)
#define MARKS_MAX 64

/* What a snapshot keeps of the layers above the VMM. */
struct cp_blob {
	struct replayer_state rs;
	uint32_t cur_tid;
	rrv_gpa_t frame, frame_fx;
	bool stop_is_signal;
	struct gdb_stop stop;
};

struct dbg_cps {
	int first;             /* the first stop's snapshot */
	uint64_t seen;         /* events at the last exit the hook saw */
	int64_t last_ns;       /* when the last snapshot was taken */
	struct { bool used; struct dbg_pos pos; } marks[MARKS_MAX];
};

static int64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000ll + ts.tv_nsec;
}

void cp_configure(struct dbg *d)
{
	d->cfg.snapshots = true;
	d->cfg.snapshot_limit = d->opt.checkpoint_memory;
}

/* The snapshot now, at key events.  The engine's int3s are taken out
 * first so that no snapshot holds one (a restore then finds the program's
 * own code, whatever gdb inserted since). */
static int take(struct dbg *d, uint64_t events, bool at_stop)
{
	/* At a stop the engine has the thread's frame; during a run (an
	 * event boundary) there is none, as at an event limit's stop. */
	struct cp_blob b = {
		.cur_tid = d->cur_tid, .frame = d->frame, .frame_fx = d->frame_fx,
		.stop_is_signal = d->stop_is_signal, .stop = d->stop,
	};
	if (!at_stop) {
		b.cur_tid = dbg_current_tid(d);
		b.frame = b.frame_fx = 0;
		b.stop_is_signal = false;
		b.stop = (struct gdb_stop){ .kind = GDB_STOP_BREAK, .tid = b.cur_tid };
	}
	replayer_save(d->rep, &b.rs);
	bool armed = false;
	for (int i = 0; i < DBG_BPS_MAX && !armed; i++)
		armed = d->bps[i].in_memory;
	if (armed)
		bp_disarm_all(d);
	int id = snapshot_take(d->vm, events, &b, sizeof(b));
	if (armed && bp_arm_all(d) < 0)
		fprintf(stderr, "rrv: debug: a breakpoint could not be written "
			"back after a checkpoint\n");
	d->cps->last_ns = mono_ns();
	return id;
}

/* After each exit (vm->exit_hook): a snapshot at an event boundary when
 * the last one is far enough behind.  Never in the middle of the
 * engine's own work on an instruction (a step, a breakpoint stepped
 * over), where its int3s are not all where bp_arm_all would put them. */
static int after_exit(void *ctx)
{
	struct dbg *d = ctx;
	struct dbg_cps *c = d->cps;
	uint64_t events = replayer_events(d->rep);
	if (events == c->seen || d->state != DBG_RUNNING || d->throwaway)
		return 0;
	c->seen = events;
	if (d->stepping || d->want_pause || d->step_via_return || d->await_return)
		return 0;
	int before = snapshot_at_or_before(d->vm, events);
	uint64_t key = 0;
	if (before && snapshot_key(d->vm, before, &key) == 0 && key == events)
		return 0;
	if (before && events - key < CP_EVERY_EVENTS &&
	    mono_ns() - c->last_ns < CP_EVERY_NS)
		return 0;
	/* A failed snapshot costs speed going back, not correctness. */
	take(d, events, false);
	return 0;
}

int cp_start(struct dbg *d)
{
	d->cps = calloc(1, sizeof(*d->cps));
	if (!d->cps) {
		fprintf(stderr, "rrv: debug: out of memory for checkpoints\n");
		return -1;
	}
	d->cps->seen = d->events;
	int id = take(d, d->events, true);
	if (id < 0)
		return -1;
	d->cps->first = id;
	d->vm->exit_hook = after_exit;
	d->vm->exit_ctx = d;
	return 0;
}

int cp_take_here(struct dbg *d)
{
	if (!d->cps)
		return -1;
	return take(d, d->events, true);
}

void cp_drop(struct dbg *d, int id)
{
	if (id > 0 && id != cp_first(d))
		snapshot_drop(d->vm, id);
}

int cp_restore(struct dbg *d, int id)
{
	struct cp_blob b;
	int r = snapshot_restore(d->vm, id, &b, sizeof(b));
	if (r == -2)
		fprintf(stderr, "rrv: debug: no checkpoint %d\n", id);
	if (r || replayer_restore(d->rep, &b.rs))
		return -1;
	/* The engine's own state of a run is gone with it; what gdb set
	 * (breakpoints, watchpoints) stays, and is published again. */
	for (int i = 0; i < DBG_BPS_MAX; i++)
		d->bps[i].in_memory = false;
	d->await_return = false;
	d->have_step_watch = false;
	d->stepping = false;
	d->step_via_return = false;
	d->want_pause = false;
	d->events = replayer_events(d->rep);
	d->cur_tid = b.cur_tid;
	d->stop_is_signal = b.stop_is_signal;
	d->frame = b.frame;
	d->frame_fx = b.frame_fx;
	d->stop = b.stop;
	d->state = DBG_STOPPED;
	d->cps->seen = d->events;
	d->rq.stop_user_return = 0;
	if (dbg_publish(d) < 0) {
		fprintf(stderr, "rrv: debug: cannot tell the guest the debugger's "
			"request after a restore\n");
		return -1;
	}
	return 0;
}

int cp_at_or_before(struct dbg *d, uint64_t events)
{
	return snapshot_at_or_before(d->vm, events);
}

int cp_first(struct dbg *d)
{
	return d->cps ? d->cps->first : 0;
}

uint64_t cp_key(struct dbg *d, int id)
{
	uint64_t key = 0;
	snapshot_key(d->vm, id, &key);
	return key;
}

/* ------------------------------------------------------------- monitor */

static int mon_checkpoint(struct dbg *d, const char *arg, char *out, size_t len)
{
	(void)arg;
	struct dbg_pos p;
	if (d->state != DBG_STOPPED || pos_here(d, 0, &p)) {
		snprintf(out, len, "rrv: cannot take a checkpoint here (the "
			 "process is not stopped in a thread)\n");
		return 0;
	}
	for (int i = 0; i < MARKS_MAX; i++) {
		if (!d->cps->marks[i].used) {
			d->cps->marks[i].used = true;
			d->cps->marks[i].pos = p;
			snprintf(out, len, "checkpoint %d: event %" PRIu64 ", thread %u, "
				 "pc 0x%" PRIx64 "\n", i + 1, p.events, p.tid, p.rip);
			return 0;
		}
	}
	snprintf(out, len, "rrv: %d checkpoints already (delete one with "
		 "'monitor delete checkpoint N')\n", MARKS_MAX);
	return 0;
}

static int mark_arg(struct dbg *d, const char *arg)
{
	char *end;
	long n = strtol(arg, &end, 10);
	if (end == arg || *end || n < 1 || n > MARKS_MAX || !d->cps->marks[n - 1].used)
		return -1;
	return (int)n - 1;
}

static int mon_restart(struct dbg *d, const char *arg, char *out, size_t len)
{
	int i = mark_arg(d, arg);
	if (i < 0) {
		snprintf(out, len, "rrv: no checkpoint '%s' ('monitor info "
			 "checkpoints' lists them)\n", arg);
		return 0;
	}
	struct gdb_stop s;
	if (reverse_goto(d, &d->cps->marks[i].pos, &s)) {
		snprintf(out, len, "rrv: could not go back to checkpoint %d\n", i + 1);
		return 0;
	}
	snprintf(out, len, "at checkpoint %d: event %" PRIu64 ", thread %u, pc 0x%"
		 PRIx64 " (gdb: 'maintenance flush register-cache' to see it; "
		 "gdb's restart N does it)\n", i + 1, d->events, d->cur_tid,
		 d->cps->marks[i].pos.rip);
	return 0;
}

static int mon_delete(struct dbg *d, const char *arg, char *out, size_t len)
{
	int i = mark_arg(d, arg);
	if (i < 0) {
		snprintf(out, len, "rrv: no checkpoint '%s'\n", arg);
		return 0;
	}
	d->cps->marks[i].used = false;
	snprintf(out, len, "deleted checkpoint %d\n", i + 1);
	return 0;
}

static int mon_info(struct dbg *d, const char *arg, char *out, size_t len)
{
	(void)arg;
	size_t n = 0;
	for (int i = 0; i < MARKS_MAX && n < len; i++) {
		const struct dbg_pos *p = &d->cps->marks[i].pos;
		if (d->cps->marks[i].used)
			n += (size_t)snprintf(out + n, len - n, "%d: event %" PRIu64
					      ", thread %u, pc 0x%" PRIx64 "\n",
					      i + 1, p->events, p->tid, p->rip);
	}
	struct snapshot_info si;
	snapshot_info(d->vm, &si);
	if (n < len)
		snprintf(out + n, len - n, "snapshots: %d, holding %" PRIu64 " KiB "
			 "(bound %" PRIu64 " MiB, %" PRIu64 " dropped)\n", si.count,
			 si.bytes >> 10, si.cap >> 20, si.dropped);
	return 0;
}

static const struct {
	const char *name;
	int (*fn)(struct dbg *d, const char *arg, char *out, size_t len);
} commands[] = {
	{ "checkpoint", mon_checkpoint },
	{ "restart", mon_restart },
	{ "delete checkpoint", mon_delete },
	{ "info checkpoints", mon_info },
};

int cp_monitor(struct dbg *d, const char *cmd, char *out, size_t len)
{
	if (!d->cps)
		return -ENOENT;
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		size_t n = strlen(commands[i].name);
		if (strncmp(cmd, commands[i].name, n) || (cmd[n] && cmd[n] != ' '))
			continue;
		const char *arg = cmd + n;
		while (*arg == ' ')
			arg++;
		return commands[i].fn(d, arg, out, len);
	}
	return -ENOENT;
}

void cp_free(struct dbg *d)
{
	free(d->cps);
	d->cps = NULL;
}
