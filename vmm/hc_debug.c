/*
 * DEBUG (hypercall 84, ABI v9): the guest kernel tells rrv debug of an
 * event in the debugged program (docs/hypercalls.md).  An observer, like
 * LOG: never recorded, never checked against a trace, performed in
 * replay too, and made only while guest_state.debug.on is set, which
 * only rrv debug sets.  The struct is checked here, so that the hook
 * (vm->debug.hook) sees only events it can act on; without a hook the
 * call answers 0 and does nothing.
 */
#include <errno.h>

#include "hc_families.h"
#include "hypercall.h"
#include "vmm.h"

/* What each event must carry: a thread, a process, a register frame. */
static const struct {
	bool tid, pid, regs;
} needs[] = {
	[RRV_DEBUG_WATCH] = { true, true, true },
	[RRV_DEBUG_SIGNAL] = { true, true, true },
	[RRV_DEBUG_EXEC] = { true, true, true },
	[RRV_DEBUG_EXIT] = { false, true, false },
	[RRV_DEBUG_FORK] = { true, true, false },
	[RRV_DEBUG_THREAD] = { true, true, false },
	[RRV_DEBUG_USER_RETURN] = { true, true, true },
	[RRV_DEBUG_BREAKPOINT] = { true, true, true },
};
#define NEVENTS (sizeof(needs) / sizeof(needs[0]))

static int64_t hc_debug(struct hc_call *c)
{
	const struct rrv_hc_debug *a = c->args;
	struct vmm *vm = c->vm;
	if (a->event == 0 || a->event >= NEVENTS)
		return -EINVAL;
	if ((needs[a->event].tid && !a->tid) || (needs[a->event].pid && a->pid <= 0))
		return -EINVAL;
	if (a->signo < 0 || a->signo > 64 || (a->event == RRV_DEBUG_SIGNAL && !a->signo))
		return -EINVAL;
	if (needs[a->event].regs && !a->regs)
		return -EINVAL;
	/* The frames are the guest's memory: they must lie in it whole. */
	if (a->regs &&
	    !GUEST_AT(c->mem, a->regs, sizeof(struct rrv_user_regs)))
		return -EFAULT;
	if (a->fxsave && !GUEST_AT(c->mem, a->fxsave, 512))
		return -EFAULT;
	if (!vm || !vm->debug.hook)
		return 0;
	/* The hook's answer, for the events whose ret the kernel reads
	 * (BREAKPOINT: 1 when the int3 was the debugger's; a fault's
	 * SIGNAL: 1 when the debugger takes the fault). */
	vm->debug.answer = 0;
	if (vm->debug.hook(vm->debug.ctx, a) == VMM_DEBUG_PAUSE)
		vm->debug.pause = true;
	bool reads = a->event == RRV_DEBUG_BREAKPOINT || a->event == RRV_DEBUG_SIGNAL;
	return reads && vm->debug.answer == 1 ? 1 : 0;
}

static const struct hc_entry debugfam[] = {
	{ RRV_HC_DEBUG, HC_DESC("debug", struct rrv_hc_debug, HC_F_UNTRACED,
				hc_debug) },
};

int hc_debug_register(struct hc_table *t)
{
	return HC_REGISTER_TABLE(t, debugfam);
}
