/*
 * The VMM's low-level side of rrv debug (docs/debugging.md, "How the
 * guest helps"): the debugger's request in guest_state.debug, the guest's
 * thread table, and KVM's own debugging of the vCPU.  The debugger
 * (debugger/) builds on these; nothing here runs unless it asks.
 */
#ifndef RRV_VMM_GUESTDBG_H
#define RRV_VMM_GUESTDBG_H

#include <stddef.h>
#include <stdint.h>

#include <rrv/hypercall.h>

struct vmm;

/*
 * KVM_SET_GUEST_DEBUG with flags, KVM's KVM_GUESTDBG_* bits of
 * <linux/kvm.h>: ENABLE, SINGLESTEP (an exit after each guest
 * instruction), USE_SW_BP (int3 exits, KVM_EXIT_DEBUG with exception 3),
 * INJECT_BP and INJECT_DB (hand the guest the #BP or #DB it would have
 * taken: a program's own int3, a #DB that was not the debugger's).  The
 * guest's own debug registers stay the guest's (no USE_HW_BP): DR0 is
 * replay's and DR1-DR3 the debugger's watchpoints through the guest
 * kernel.  0 turns it all off.  Returns 0 or -errno.
 */
int vcpu_set_guest_debug(struct vmm *vm, unsigned flags);

/*
 * Writes rq into guest_state.debug (where the kernel reads it at use),
 * with generation one past the last request's (rq->generation is
 * ignored) and on = 1 while vm->debug.attach is set, and keeps a copy in
 * vm->debug.rq.  The kernel loads rq's watchpoints on its next return to
 * ring 3 of a thread of rq->pid.  Returns 0, -ENOTSUP for a guest kernel
 * older than ABI 9 (a trace recorded before rrv debug: its kernel has no
 * such field, and its memory there is something else), -ENODEV before
 * BOOT, -EFAULT when guest_state is outside guest memory.
 */
int guestdbg_request(struct vmm *vm, const struct rrv_debug_request *rq);

/*
 * Copies the guest's thread table (guest_state.threads) into out, at
 * most max live slots (tid nonzero, in table order), each checked: a
 * state outside enum rrv_debug_thread_state makes the slot unusable and
 * it is skipped; user_regs and fxsave that do not lie whole in guest
 * memory read as 0.  *generation (may be NULL) gets the table's
 * generation.  Returns the number of slots copied, or -ENOTSUP, -ENODEV
 * (as above), -EFAULT (the table is outside guest memory) or -EPROTO
 * (the table's max is larger than RRV_DEBUG_THREADS_MAX).  An empty
 * table (0) is a guest that has not filled it yet.
 */
int guestdbg_threads(struct vmm *vm, struct rrv_debug_thread *out,
		     size_t max, uint32_t *generation);

/* After BOOT was answered (vcpu.c): with vm->debug.attach, sets
 * guest_state.debug.on for a guest of ABI 9 or later; writes nothing for
 * an older one. */
void guestdbg_after_boot(struct vmm *vm);

#endif
