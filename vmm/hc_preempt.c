/*
 * PREEMPT: the guest's note that it switched threads asynchronously
 * (docs/threads.md).  The host has nothing to do for it: what matters is
 * that it passes through the tap like every traced call, so that a
 * recording holds the point (its inputs are the event) and a replay
 * checks that the guest stopped the same thread at the same point.
 * THREADS and PMU, untraced, serve the same machinery: when to tick, and
 * which counter the guest may use to count branches.
 */
#include <errno.h>

#include "hc_families.h"
#include "hypercall.h"
#include "timer.h"
#include "vmm.h"

static int64_t hc_preempt(struct hc_call *c)
{
	const struct rrv_hc_preempt *a = c->args;
	if (a->method != RRV_PREEMPT_BREAKPOINT && a->method != RRV_PREEMPT_BRANCHES)
		return -EINVAL;
	return 0;
}

/* The guest's thread count crossed 1: tick only while there are several
 * (run and record; in replay, where nothing is injected, it changes
 * nothing, and the answer 0 tells the guest that no ticks come).  A guest that lies only gets ticks it does not need, or
 * misses ones it did. */
static int64_t hc_threads(struct hc_call *c)
{
	const struct rrv_hc_threads *a = c->args;
	struct vmm *vm = c->vm;
	if (!vm || !vm->tick.inject)
		return 0;
	vm->tick.many = a->nthreads > 1;
	/* A host signal waiting for the guest keeps the ticks on (hostsig.c). */
	if (timer_arm(vm, vm->tick.many || vm->hostsig.pending) < 0)
		return -EIO;
	return 1; /* ticks come: the guest may place its points (v10) */
}

/* The next tick soon (see RRV_HC_TICKSOON); nothing where no ticks come. */
static int64_t hc_ticksoon(struct hc_call *c)
{
	const struct rrv_hc_ticksoon *a = c->args;
	struct vmm *vm = c->vm;
	if (a->us < 1 || a->us > 5000)
		return -EINVAL;
	if (!vm || !vm->tick.inject)
		return 0;
	return timer_soon(vm, (long)a->us * 1000) < 0 ? -EIO : 0;
}

/* Which counter the guest kernel may program: this host's answer, in
 * replay too (see RRV_HC_PMU). */
static int64_t hc_pmu(struct hc_call *c)
{
	struct rrv_hc_pmu *a = c->args;
	const struct pmu_config *p = c->vm ? &c->vm->pmu : NULL;
	if (!p || !p->usable)
		return -ENODEV;
	a->ctl_msr = p->ctl_msr;
	a->ctr_msr = p->ctr_msr;
	a->evtsel = p->evtsel;
	a->global_msr = p->global_msr;
	a->width = p->width;
	return 0;
}

static const struct hc_entry preemptfam[] = {
	{ RRV_HC_PREEMPT, HC_DESC("preempt", struct rrv_hc_preempt, 0, hc_preempt) },
	{ RRV_HC_THREADS, HC_DESC("threads", struct rrv_hc_threads, HC_F_UNTRACED,
				  hc_threads) },
	{ RRV_HC_PMU, HC_DESC("pmu", struct rrv_hc_pmu, HC_F_UNTRACED, hc_pmu) },
	{ RRV_HC_TICKSOON, HC_DESC("ticksoon", struct rrv_hc_ticksoon, HC_F_UNTRACED,
				   hc_ticksoon) },
};

int hc_preempt_register(struct hc_table *t)
{
	return HC_REGISTER_TABLE(t, preemptfam);
}
