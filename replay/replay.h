/*
 * Replay: a trace fed back to the VMM in place of the host.  Every traced
 * hypercall the guest makes is checked against the recorded one (number
 * and input digest) and answered from the trace; the first mismatch stops
 * the run with a divergence report.
 */
#ifndef RRV_REPLAY_H
#define RRV_REPLAY_H

#include <stdbool.h>
#include <stdint.h>

struct vmm;
struct vmm_config;
struct replayer;
struct rrv_trace_reader;

/* rrv replay's exit statuses besides the recorded program's own. */
#define REPLAY_EXIT_DIVERGED 65  /* the run left the recorded path */
#define REPLAY_EXIT_TRUNCATED 69 /* the trace ended early (the recording
				    was cut off); everything before replayed */
#define REPLAY_EXIT_BAD_TRACE 66 /* missing, corrupt or unusable trace */

/*
 * Opens the trace at path and fills cfg with what the recording ran: the
 * kernel image, memory size, CPUID profile, command line, program and
 * arguments.  cfg's pointers stay valid until replayer_free().  Returns
 * NULL after printing why (with *status the exit status to use).
 */
struct replayer *replayer_open(const char *path, struct vmm_config *cfg, int *status);

/* Asks the guest kernel to log system calls (rrv replay --log=syscalls);
 * before replayer_attach. */
void replayer_log_syscalls(struct replayer *r);

/*
 * rrv debug: after_event(ctx, index, nr) is called after each recorded
 * event is answered (index: events consumed so far, nr: its hypercall),
 * with the answer already in guest memory and the next preemption point
 * published; the callback may set guest_state fields (the debugger's) or
 * ask the vCPU loop to pause.  Before replayer_attach.
 */
void replayer_observe(struct replayer *r,
		      void (*after_event)(void *ctx, uint64_t index, unsigned nr),
		      void *ctx);

/* The trace being replayed (rrv debug serves its packed files). */
const struct rrv_trace_reader *replayer_reader(const struct replayer *r);

/* Events replayed so far (where a divergence stopped it). */
uint64_t replayer_events(const struct replayer *r);

/* Installs the replayer as vm's hypercall tap. */
void replayer_attach(struct replayer *r, struct vmm *vm);

/*
 * After the run: checks that the whole trace was used, prints a summary
 * when verbose, and returns the exit status for rrv replay (the recorded
 * program's status, or one of the REPLAY_EXIT_ values).
 */
int replayer_finish(struct replayer *r, int vm_status, bool verbose);

void replayer_free(struct replayer *r);

#endif
