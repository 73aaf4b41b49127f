/*
 * Checkpoints and going backwards in rrv debug (docs/debugging.md,
 * "Checkpoints" and "Going backwards"); only debugger/ includes this.
 * checkpoints.c takes the machine's snapshots as the replay goes and puts
 * the engine back with one; reverse.c answers bc and bs by re-running from
 * them; both name places in the replay by struct dbg_pos.
 */
#ifndef RRV_DEBUGGER_REVERSE_H
#define RRV_DEBUGGER_REVERSE_H

#include <stdbool.h>
#include <stdint.h>

#include "gdbstub/target.h"

struct dbg;

/*
 * A place in the replay, without a performance counter: the events
 * consumed, the thread, its rip and a digest of its registers (general,
 * the arithmetic flags, fs and gs bases, x87 and SSE).  Two passes over
 * one instruction within one stretch between events differ in some
 * register almost always (a loop counter, a pointer); a pass with every
 * register the same is told apart by nth, its count among such passes
 * when a re-run found it.  end: the end of the debugged process.
 */
struct dbg_pos {
	uint64_t events;
	uint32_t tid;
	uint64_t rip;
	uint64_t digest;
	uint32_t nth;
	bool end;
};

/* checkpoints.c */
/* Turns checkpoints on for d's VM (before vmm_create): cfg.snapshots. */
void cp_configure(struct dbg *d);
/* At the first stop: the first checkpoint (the start of what gdb can
 * reach), and the hook that takes the others as the replay goes. */
int cp_start(struct dbg *d);
/* Puts the machine, the replayer and the engine back as checkpoint id
 * had them; 0 or -1 after printing why. */
int cp_restore(struct dbg *d, int id);
/* A snapshot of the machine at the stop gdb sees now (call.c's
 * throwaway machine); its id, or -1. */
int cp_take_here(struct dbg *d);
/* Drops snapshot id (never the first); its pages merge into the next. */
void cp_drop(struct dbg *d, int id);
/* The latest checkpoint at or before events (0: none), and the first. */
int cp_at_or_before(struct dbg *d, uint64_t events);
int cp_first(struct dbg *d);
/* The events of checkpoint id. */
uint64_t cp_key(struct dbg *d, int id);
/* monitor commands of checkpoints: 0, or -ENOENT for another command. */
int cp_monitor(struct dbg *d, const char *cmd, char *out, size_t len);
void cp_free(struct dbg *d);

/* reverse.c */
/* The place of thread tid now (0: the stopped thread). */
int pos_here(struct dbg *d, uint32_t tid, struct dbg_pos *p);
bool pos_same(const struct dbg_pos *a, const struct dbg_pos *b);
/* bc and bs. */
int reverse_resume(struct dbg *d, const struct gdb_resume *how, struct gdb_stop *stop,
		   bool (*interrupted)(void *ctx), void *ctx);
/* Goes to place p (a gdb checkpoint); 0 with *stop, or -1. */
int reverse_goto(struct dbg *d, const struct dbg_pos *p, struct gdb_stop *stop);

#endif
