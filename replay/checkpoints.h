/*
 * rrv replay --check-checkpoints=N: a check of snapshots on a real trace
 * (docs/debugging.md, "Checkpoints").  The replay takes a snapshot after
 * its first event and after every N-th, runs to the end, then goes back
 * to each snapshot in turn and runs to the end again, silently: every
 * rerun must make the same hypercalls (the replayer checks each against
 * the trace, as always), write the same output (bytes and digest), end
 * after the same number of events and with the same status.  One rerun
 * also takes a snapshot of its own half way to the next one, which is then
 * restored and run to the end too (a snapshot taken after a restore).
 */
#ifndef RRV_REPLAY_CHECKPOINTS_H
#define RRV_REPLAY_CHECKPOINTS_H

#include <stdbool.h>
#include <stdint.h>

struct replayer;
struct vmm;

/* Runs the check on vm (built with cfg.snapshots, r attached).  Returns
 * rrv replay's status: the recorded program's when every rerun matched,
 * REPLAY_EXIT_DIVERGED when one did not (said on stderr), or the first
 * run's own failure. */
int replay_check_checkpoints(struct replayer *r, struct vmm *vm, uint64_t every,
			     bool verbose);

#endif
