/*
 * rrv debug's hooks in the VMM (guestdbg.h): KVM's guest debugging, the
 * request the guest kernel reads, the thread table it writes.  Every
 * guest address goes through GUEST_AT(); nothing the guest wrote is
 * trusted.
 */
#include "guestdbg.h"

#include <errno.h>
#include <linux/kvm.h>
#include <stddef.h>
#include <string.h>
#include <sys/ioctl.h>

#include "vmm.h"

int vcpu_set_guest_debug(struct vmm *vm, unsigned flags)
{
	const unsigned known = KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_SINGLESTEP |
			       KVM_GUESTDBG_USE_SW_BP | KVM_GUESTDBG_INJECT_BP |
			       KVM_GUESTDBG_INJECT_DB;
	if (flags & ~known)
		return -EINVAL;
	if (flags && !(flags & KVM_GUESTDBG_ENABLE))
		return -EINVAL; /* KVM ignores every other bit without it */
	struct kvm_guest_debug dbg = { .control = flags };
	if (ioctl(vm->vcpu_fd, KVM_SET_GUEST_DEBUG, &dbg) < 0)
		return -errno;
	return 0;
}

/* Where a v9 field of guest_state lies, checked; -errno when it cannot
 * be used. */
static int v9_field(struct vmm *vm, size_t off, size_t len, void **p)
{
	if (!vm->guest_state)
		return -ENODEV;
	if (vm->guest_abi < 9)
		return -ENOTSUP;
	*p = GUEST_AT(&vm->mem, vm->guest_state + off, len);
	return *p ? 0 : -EFAULT;
}

int guestdbg_request(struct vmm *vm, const struct rrv_debug_request *rq)
{
	void *g;
	int err = v9_field(vm, offsetof(struct rrv_guest_state, debug),
			   sizeof(*rq), &g);
	if (err)
		return err;
	struct rrv_debug_request w = *rq;
	w.dr[0] = 0; /* DR0 is the kernel's own */
	/* An attached debugger stays on: a request built from scratch
	 * must not switch the guest's side off by leaving on zero. */
	if (vm->debug.attach)
		w.on = 1;
	w.generation = vm->debug.rq.generation + 1;
	memcpy(g, &w, sizeof(w));
	vm->debug.rq = w;
	return 0;
}

void guestdbg_after_boot(struct vmm *vm)
{
	if (!vm->debug.attach || vm->guest_abi < 9)
		return;
	struct rrv_debug_request rq = vm->debug.rq;
	rq.on = 1;
	guestdbg_request(vm, &rq);
}

/* A slot the debugger can use: a known state, its pointers inside guest
 * memory or 0. */
static bool slot_usable(struct vmm *vm, struct rrv_debug_thread *t)
{
	if (t->state > RRV_DT_EXITED)
		return false;
	if (t->user_regs && !GUEST_AT(&vm->mem, t->user_regs,
				      sizeof(struct rrv_user_regs)))
		t->user_regs = 0;
	if (t->fxsave && !GUEST_AT(&vm->mem, t->fxsave, 512))
		t->fxsave = 0;
	return true;
}

int guestdbg_threads(struct vmm *vm, struct rrv_debug_thread *out,
		     size_t max, uint32_t *generation)
{
	void *g;
	int err = v9_field(vm, offsetof(struct rrv_guest_state, threads),
			   sizeof(struct rrv_debug_threads), &g);
	if (err)
		return err;
	struct rrv_debug_threads th;
	memcpy(&th, g, sizeof(th)); /* read the guest's copy once */
	if (generation)
		*generation = th.generation;
	if (th.max > RRV_DEBUG_THREADS_MAX)
		return -EPROTO;
	if (!th.table || !th.max)
		return 0;
	const struct rrv_debug_thread *table =
		GUEST_AT(&vm->mem, th.table, (uint64_t)th.max * sizeof(*table));
	if (!table)
		return -EFAULT;
	size_t n = 0;
	for (uint32_t i = 0; i < th.max && n < max; i++) {
		struct rrv_debug_thread t;
		memcpy(&t, &table[i], sizeof(t));
		if (t.tid && slot_usable(vm, &t))
			out[n++] = t;
	}
	return (int)n;
}
