/* The divergence report of rrv replay. */
#ifndef RRV_REPLAY_REPORT_H
#define RRV_REPLAY_REPORT_H

#include <stdbool.h>
#include <stdint.h>

struct vmm;

struct divergence {
	uint64_t index;            /* the event where replay left the trace */
	uint64_t total;            /* events in the trace, 0 if unknown */
	unsigned got_nr;           /* the hypercall the guest made */
	uint64_t got_digest;
	unsigned expected_nr;      /* the recorded one */
	unsigned expected_type;    /* its event type */
	uint64_t expected_digest;
	bool trace_ended;          /* the trace had no more events */
	const char *reason;        /* extra explanation, or NULL */
};

/*
 * Prints the report on stderr: the event index, what was expected and what
 * came instead, the thread, the program's rip with the instruction
 * (capstone), and a backtrace of the program (libunwind) named by function,
 * line and object (vmm/progstate.h).  Reads the guest through the VMM's
 * checked accessors.
 */
void report_divergence(struct vmm *vm, const struct divergence *d);

#endif
