/* rrv replay --check-checkpoints (checkpoints.h). */
#include "checkpoints.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replay.h"
#include "vmm/snapshot.h"
#include "vmm/vmm.h"

/* How a run ended, as the check compares it. */
struct outcome {
	int status;
	uint64_t events;
	uint64_t out_bytes, out_digest;
	uint64_t hypercalls;
};

struct check {
	struct replayer *r;
	struct vmm *vm;
	uint64_t every;
	uint64_t last;      /* events at the last exit seen */
	uint64_t once_at;   /* take one snapshot at these events (0: none) */
	int once_id;        /* ... and its id */
	int *ids;           /* the first run's snapshots */
	int nids, capids;
	bool first_run;
	bool failed;        /* a snapshot could not be taken (said why) */
	bool verbose;
};

static int take(struct check *c, uint64_t events)
{
	struct replayer_state st;
	replayer_save(c->r, &st);
	return snapshot_take(c->vm, events, &st, sizeof(st));
}

/* After each exit: a snapshot where the events reach the next multiple. */
static int after_exit(void *ctx)
{
	struct check *c = ctx;
	uint64_t events = replayer_events(c->r);
	if (events == c->last)
		return 0;
	c->last = events;
	int id = 0;
	if (c->first_run && (events == 1 || events % c->every == 0)) {
		id = take(c, events);
		if (id < 0)
			goto failed;
		if (c->nids == c->capids) {
			int cap = c->capids ? c->capids * 2 : 32;
			int *v = realloc(c->ids, (size_t)cap * sizeof(*v));
			if (!v)
				goto failed;
			c->ids = v;
			c->capids = cap;
		}
		c->ids[c->nids++] = id;
	} else if (c->once_at && events == c->once_at) {
		c->once_id = take(c, events);
		c->once_at = 0;
		if (c->once_id < 0)
			goto failed;
	}
	return 0;
failed:
	c->failed = true;
	c->vm->exit_code = RRV_PANIC_STATUS;
	return -1;
}

static uint64_t hypercalls(const struct vmm *vm)
{
	uint64_t n = 0;
	for (unsigned i = 0; i < RRV_HC_PORT_COUNT; i++)
		n += vm->stats.hypercalls[i];
	return n;
}

static void outcome_of(const struct check *c, int status, struct outcome *o)
{
	*o = (struct outcome){
		.status = status, .events = replayer_events(c->r),
		.out_bytes = c->vm->output.bytes, .out_digest = c->vm->output.digest,
		.hypercalls = hypercalls(c->vm),
	};
}

/* Restores snapshot id and runs to the end; 0 when it ended as first. */
static int rerun(struct check *c, int id, const struct outcome *first)
{
	uint64_t key = 0;
	snapshot_key(c->vm, id, &key);
	struct replayer_state st;
	if (snapshot_restore(c->vm, id, &st, sizeof(st)) || replayer_restore(c->r, &st))
		return -1;
	c->last = replayer_events(c->r);
	c->vm->output.mute = true;
	int status = replayer_finish(c->r, vmm_run(c->vm), false);
	if (c->failed)
		return -1;
	struct outcome o;
	outcome_of(c, status, &o);
	if (o.status == first->status && o.events == first->events &&
	    o.out_bytes == first->out_bytes && o.out_digest == first->out_digest &&
	    o.hypercalls == first->hypercalls) {
		if (c->verbose)
			fprintf(stderr, "rrv: replay: checkpoint %d (after event %"
				PRIu64 ") ran to the same end\n", id, key);
		return 0;
	}
	fprintf(stderr, "rrv: replay: checkpoint %d (after event %" PRIu64 ") "
		"ran to another end: status %d, %" PRIu64 " events, %" PRIu64
		" bytes of output (digest %016" PRIx64 "), %" PRIu64 " hypercalls; "
		"the first run: status %d, %" PRIu64 " events, %" PRIu64 " bytes "
		"(digest %016" PRIx64 "), %" PRIu64 " hypercalls (an rrv bug: "
		"please report it with the trace)\n", id, key, o.status, o.events,
		o.out_bytes, o.out_digest, o.hypercalls, first->status,
		first->events, first->out_bytes, first->out_digest,
		first->hypercalls);
	return -1;
}

int replay_check_checkpoints(struct replayer *r, struct vmm *vm, uint64_t every,
			     bool verbose)
{
	struct check c = { .r = r, .vm = vm, .every = every ? every : 1,
			   .first_run = true, .verbose = verbose };
	vm->exit_hook = after_exit;
	vm->exit_ctx = &c;
	int status = replayer_finish(r, vmm_run(vm), verbose);
	struct outcome first;
	outcome_of(&c, status, &first);
	int result = status;
	/* Only a replay that matched its recording can be checked. */
	if (status == REPLAY_EXIT_DIVERGED || status == REPLAY_EXIT_BAD_TRACE ||
	    status == RRV_PANIC_STATUS || c.failed) {
		if (c.failed)
			result = RRV_PANIC_STATUS;
		goto out;
	}
	c.first_run = false;
	int checked = 0;
	for (int i = 0; i < c.nids; i++) {
		uint64_t key, next;
		if (snapshot_key(vm, c.ids[i], &key))
			continue; /* dropped for the memory bound */
		/* The middle one also takes a snapshot after a restore. */
		if (i == c.nids / 2 && !c.once_id && i + 1 < c.nids &&
		    !snapshot_key(vm, c.ids[i + 1], &next) && next - key >= 2)
			c.once_at = key + (next - key) / 2;
		if (rerun(&c, c.ids[i], &first)) {
			result = REPLAY_EXIT_DIVERGED;
			goto out;
		}
		checked++;
	}
	if (c.once_id > 0) {
		if (rerun(&c, c.once_id, &first)) {
			result = REPLAY_EXIT_DIVERGED;
			goto out;
		}
		checked++;
	}
	struct snapshot_info info;
	snapshot_info(vm, &info);
	fprintf(stderr, "rrv: replay: %d checkpoints checked: each ran to the "
		"end as the first run did (%" PRIu64 " events, %" PRIu64 " bytes "
		"of output, status %d); snapshots hold %" PRIu64 " KiB in %" PRIu64
		" pages (%" PRIu64 " dropped for the bound)\n", checked,
		first.events, first.out_bytes, first.status, info.bytes >> 10,
		info.pages, info.dropped);
	if (verbose)
		fprintf(stderr, "rrv: replay: snapshots: %" PRIu64 " taken, %" PRIu64
			" pages (%" PRIu64 " KiB) copied in %" PRIu64 " us; %" PRIu64
			" restores, %" PRIu64 " pages copied back in %" PRIu64 " us\n",
			info.taken, info.take_pages, info.take_pages * 4, info.take_ns / 1000,
			info.restored, info.restore_pages, info.restore_ns / 1000);
out:
	vm->exit_hook = NULL;
	free(c.ids);
	return result;
}
