/*
 * rrv debug's engine: a replay that stops.  It replays a trace as rrv
 * replay does and, between the recorded events, stops the program where
 * gdb asks (breakpoints, watchpoints, steps, signals, the exit), presenting
 * the debugged process through gdbstub/target.h.  Nothing it does changes
 * what the program does: breakpoints are taken out of memory at every
 * stop, watchpoints live in the program's DR1-DR3 that no recorded event
 * covers, and every DEBUG call is untraced (docs/debugging.md).
 */
#ifndef RRV_DEBUGGER_DEBUGGER_H
#define RRV_DEBUGGER_DEBUGGER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "gdbstub/target.h"

struct dbg;

/* Exit statuses of rrv debug besides the recorded program's own and
 * replay's (replay/replay.h). */
#define DBG_EXIT_CANNOT 71 /* the trace cannot be debugged (an older
			      kernel), or the debugged process never ran */

struct dbg_options {
	const char *trace;     /* the trace file */
	bool no_pmu;           /* as rrv replay --no-pmu */
	bool have_goto;        /* -g/--goto=EVENT */
	uint64_t goto_event;
	pid_t pid;             /* -p/--process=PID; 0: the first process */
	uint64_t checkpoint_memory; /* --checkpoint-memory; 0: the default */
};

/*
 * Opens the trace and builds the VM; nothing runs yet.  NULL after
 * printing why, with *status rrv's exit status.
 */
struct dbg *dbg_open(const struct dbg_options *o, int *status);

/*
 * Runs the replay to the first stop the options ask for (the program's
 * first instruction, the event of --goto, the process of --process).
 * Returns 0, or rrv's exit status after printing why there is no stop
 * (an old trace, a process that never ran, the replay ended).
 */
int dbg_start(struct dbg *d);

/* The operations gdbstub serves, with d as their target. */
extern const struct gdb_target_ops dbg_target_ops;

/*
 * The end of a session: takes every breakpoint and watchpoint out, lets
 * the replay run to its end unobserved and checks the trace as rrv replay
 * does.  Returns rrv's exit status: the recorded program's when the
 * replay reached its end, else replay's (REPLAY_EXIT_*).
 */
int dbg_finish(struct dbg *d);

void dbg_free(struct dbg *d);

/*
 * Run control, one function for every way of going forward (the reverse
 * engine builds on it with checkpoints).  action continues or steps one
 * ring-3 instruction of tid; the limits stop earlier:
 *   stop_event  stop right after the replay consumed this many events
 *               (the vCPU is then inside that hypercall, in ring 0), 0
 *               for no limit;
 *   stop_hits   stop at the N-th breakpoint or watchpoint stop, 0: the
 *               first;
 *   collect     called for each breakpoint or watchpoint stop, which
 *               then does not stop the run (a nonzero return does).
 */
enum dbg_action { DBG_CONTINUE, DBG_STEP };
struct dbg_run {
	enum dbg_action action;
	uint32_t tid;          /* DBG_STEP: the thread (0: the stopped one) */
	uint64_t stop_event;
	uint64_t stop_hits;
	int (*collect)(void *ctx, struct dbg *d, const struct gdb_stop *stop);
	void *ctx;
	/* the client's ^C, polled at every exit the engine sees */
	bool (*interrupted)(void *ctx);
	void *intr_ctx;
};

/* Returns 0 with *out filled, or negative errno (the replay is gone). */
int dbg_run(struct dbg *d, const struct dbg_run *how, struct gdb_stop *out);

/* Where the replay stands: events consumed, the stopped thread, and
 * whether its ring-3 frame is at hand (every stop but an event limit's:
 * the registers gdb reads are that frame's). */
struct dbg_position {
	uint64_t events;
	uint32_t tid;
	bool frame;
	bool ended;            /* the replay ran to its end or stopped */
	bool gone;             /* the debugged process exited (or ended) */
};
void dbg_position(const struct dbg *d, struct dbg_position *pos);

#endif
