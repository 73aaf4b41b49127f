/*
 * PREEMPT: the guest's note that it switched threads asynchronously
 * (docs/threads.md).  The host has nothing to do for it: what matters is
 * that it passes through the tap like every traced call, so that a
 * recording holds the point (its inputs are the event) and a replay
 * checks that the guest stopped the same thread at the same point.
 */
#include <errno.h>

#include "hc_families.h"
#include "hypercall.h"

static int64_t hc_preempt(struct hc_call *c)
{
	const struct rrv_hc_preempt *a = c->args;
	if (a->method != RRV_PREEMPT_BREAKPOINT && a->method != RRV_PREEMPT_BRANCHES)
		return -EINVAL;
	return 0;
}

static const struct {
	unsigned nr;
	struct hc_desc d;
} preemptfam[] = {
	{ RRV_HC_PREEMPT, HC_DESC("preempt", struct rrv_hc_preempt, 0, hc_preempt) },
};

int hc_preempt_register(struct hc_table *t)
{
	for (size_t i = 0; i < sizeof(preemptfam) / sizeof(preemptfam[0]); i++) {
		int err = hc_register(t, preemptfam[i].nr, &preemptfam[i].d);
		if (err)
			return err;
	}
	return 0;
}
