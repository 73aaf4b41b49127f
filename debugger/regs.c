/*
 * A thread's registers for gdb.  The stopped thread has them in the frame
 * the DEBUG call named (every stop is inside the kernel, session.c), its
 * FPU and SSE state in the CPU (KVM_GET_XSAVE, whose first 512 bytes are
 * the FXSAVE image: the kernel uses no FPU register); every other thread
 * in the frame and FXSAVE area the guest's thread table points to.  fs
 * and gs base come from the table.  Every guest address goes through
 * GUEST_AT.
 */
#include "session.h"

#include <errno.h>
#include <linux/kvm.h>
#include <string.h>
#include <sys/ioctl.h>

#include "vmm/guest_mem.h"

static void from_frame(const struct rrv_user_regs *u, struct gdb_regs *r)
{
	r->rax = u->rax; r->rbx = u->rbx; r->rcx = u->rcx; r->rdx = u->rdx;
	r->rsi = u->rsi; r->rdi = u->rdi; r->rbp = u->rbp; r->rsp = u->rsp;
	r->r8 = u->r8; r->r9 = u->r9; r->r10 = u->r10; r->r11 = u->r11;
	r->r12 = u->r12; r->r13 = u->r13; r->r14 = u->r14; r->r15 = u->r15;
	r->rip = u->rip;
	r->eflags = u->rflags;
	r->cs = (uint32_t)u->cs;
	r->ss = (uint32_t)u->ss;
}

/* The live FXSAVE image of the vCPU. */
static int vcpu_fx(struct dbg *d, uint8_t fx[512])
{
	static struct kvm_xsave xs;
	if (ioctl(d->vm->vcpu_fd, KVM_GET_XSAVE, &xs) < 0)
		return -errno;
	memcpy(fx, xs.region, 512);
	return 0;
}

/* A saved frame and FXSAVE area (fx 0: the FPU state is the vCPU's). */
static int from_saved(struct dbg *d, rrv_gpa_t frame, rrv_gpa_t fx,
		      struct gdb_regs *r)
{
	const struct rrv_user_regs *u = frame ?
		GUEST_AT(&d->vm->mem, frame, sizeof(*u)) : NULL;
	if (!u)
		return -EFAULT;
	from_frame(u, r);
	if (fx) {
		const uint8_t *p = GUEST_AT(&d->vm->mem, fx, 512);
		if (!p)
			return -EFAULT;
		memcpy(r->fxsave, p, 512);
		return 0;
	}
	return vcpu_fx(d, r->fxsave);
}

int regs_get(struct dbg *d, uint32_t tid, struct gdb_regs *r)
{
	memset(r, 0, sizeof(*r));
	r->orig_rax = -1;
	if (d->state == DBG_ENDED)
		return -ESRCH;
	struct rrv_debug_thread t;
	const struct rrv_debug_thread *slot = dbg_thread(d, tid, &t);
	int err;
	if (tid == d->cur_tid && d->frame)
		err = from_saved(d, d->frame, d->frame_fx, r);
	else if (slot && slot->user_regs)
		err = from_saved(d, slot->user_regs,
				 tid == dbg_current_tid(d) ? 0 : slot->fxsave, r);
	else
		return slot ? -EAGAIN : -ESRCH;
	if (err)
		return err;
	if (slot) {
		r->fs_base = slot->fs_base;
		r->gs_base = slot->gs_base;
		if (slot->in_syscall)
			r->orig_rax = (int64_t)slot->syscall_nr;
	}
	return 0;
}
