/*
 * A thread's registers for gdb.  The thread the vCPU stopped in ring 3 has
 * them in the vCPU (KVM_GET_REGS, SREGS and XSAVE, whose first 512 bytes
 * are the FXSAVE image); a thread stopped inside the kernel (a signal,
 * the exit) has them in the frame the DEBUG call named; every other
 * thread in the frame and FXSAVE area the guest's thread table points to.
 * Every guest address goes through GUEST_AT.
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

static int from_vcpu(struct dbg *d, struct gdb_regs *r)
{
	struct kvm_regs k;
	struct kvm_sregs s;
	if (ioctl(d->vm->vcpu_fd, KVM_GET_REGS, &k) < 0 ||
	    ioctl(d->vm->vcpu_fd, KVM_GET_SREGS, &s) < 0)
		return -EIO;
	r->rax = k.rax; r->rbx = k.rbx; r->rcx = k.rcx; r->rdx = k.rdx;
	r->rsi = k.rsi; r->rdi = k.rdi; r->rbp = k.rbp; r->rsp = k.rsp;
	r->r8 = k.r8; r->r9 = k.r9; r->r10 = k.r10; r->r11 = k.r11;
	r->r12 = k.r12; r->r13 = k.r13; r->r14 = k.r14; r->r15 = k.r15;
	r->rip = k.rip;
	r->eflags = k.rflags;
	r->cs = s.cs.selector; r->ss = s.ss.selector;
	r->ds = s.ds.selector; r->es = s.es.selector;
	r->fs = s.fs.selector; r->gs = s.gs.selector;
	r->fs_base = s.fs.base;
	r->gs_base = s.gs.base;
	r->orig_rax = -1;
	return vcpu_fx(d, r->fxsave);
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
	if (tid == d->cur_tid && d->in_user)
		return from_vcpu(d, r);
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
