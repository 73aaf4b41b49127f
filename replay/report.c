/* The divergence report (see report.h). */
#include "report.h"

#include <inttypes.h>
#include <stdio.h>

#include "trace-format/rrv_trace.h"
#include "vmm/progstate.h"
#include "vmm/vmm.h"

static const char *hc_name(struct vmm *vm, unsigned nr)
{
	const struct hc_desc *d = hc_lookup(&vm->hc, nr);
	return d ? d->name : "unknown";
}

void report_divergence(struct vmm *vm, const struct divergence *d)
{
	fprintf(stderr, "rrv: replay diverged at event %" PRIu64, d->index);
	if (d->total)
		fprintf(stderr, " of %" PRIu64, d->total);
	fprintf(stderr, ": the program left the recorded path\n");
	if (d->trace_ended)
		fprintf(stderr, "rrv:   expected: the end of the recording\n");
	else if (d->expected_type != RRV_EV_HYPERCALL)
		fprintf(stderr, "rrv:   expected: a scheduling event (type %u)\n",
			d->expected_type);
	else
		fprintf(stderr, "rrv:   expected: %s (hypercall %u), inputs digest "
			"%016" PRIx64 "\n", hc_name(vm, d->expected_nr),
			d->expected_nr, d->expected_digest);
	fprintf(stderr, "rrv:   got:      %s (hypercall %u), inputs digest %016"
		PRIx64 "%s\n", hc_name(vm, d->got_nr), d->got_nr, d->got_digest,
		!d->trace_ended && d->got_nr == d->expected_nr
			? " (same call, other arguments or data)" : "");
	if (d->reason)
		fprintf(stderr, "rrv:   %s\n", d->reason);
	progstate_report(vm, 0);
}
