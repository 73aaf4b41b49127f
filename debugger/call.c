/*
 * gdb's writes to registers and memory, and the functions gdb calls
 * (print strlen(s)), on a replay (docs/debugging.md, "Calling
 * functions").  A replay cannot take a change: the recording decides
 * what the program does.  So the first write at a stop takes a snapshot
 * of the machine (a checkpoint, checkpoints.c) and everything after it
 * happens in a throwaway copy: writes go into the stopped thread's frame
 * and FPU state and, through the checked translation, into memory; a
 * function gdb set up runs until gdb's breakpoint at its return address,
 * with no traced hypercall allowed (the dispatcher holds each one,
 * vm->hc.holding, and the call stops with SIGSEGV).  The next
 * resume of any other kind, or the end of the session, puts the
 * snapshot back: the replay goes on exactly as recorded.
 */
#include "session.h"

#include <errno.h>
#include <linux/kvm.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include "reverse.h"
#include "vmm/guest_mem.h"

/* The flags ring 3 may change (CF PF AF ZF SF DF OF AC ID); the others
 * (IF, IOPL, the trace flag the engine's steps own) stay the frame's. */
#define USER_FLAGS 0x240cd5ull
/* Above this an address is not a user one: iretq to it would fault in
 * the kernel. */
#define USER_TOP 0x0000800000000000ull
/* FXSAVE: MXCSR at 24, and the bytes gdb has a say in (x87 control and
 * status, the stack and XMM0-15); MXCSR's upper half is reserved. */
#define FX_MXCSR 24
#define FX_REGS_END 416

static void say_throwaway(struct dbg *d)
{
	if (d->said_throwaway)
		return;
	d->said_throwaway = true;
	fprintf(stderr, "rrv: debug: gdb's changes to registers and memory, and "
		"functions it calls, live in a throwaway copy of the machine: "
		"visible until the next resume, then the replay goes on as "
		"recorded\n");
}

/* The first write at a stop: the snapshot to come back to. */
static int begin(struct dbg *d)
{
	if (d->throwaway)
		return 0;
	if (d->state != DBG_STOPPED)
		return -ESRCH;
	if (!d->frame) {
		/* An event limit's stop is inside a hypercall, where no
		 * frame of the thread's is at hand to change. */
		fprintf(stderr, "rrv: debug: cannot change the program here (the "
			"stop is inside a system call, not at an instruction of "
			"the program; step once first)\n");
		return -EPERM;
	}
	const struct rrv_user_regs *u =
		GUEST_AT(&d->vm->mem, d->frame, sizeof(*u));
	if (!u)
		return -EFAULT;
	int id = cp_take_here(d);
	if (id < 0) {
		fprintf(stderr, "rrv: debug: cannot change the program: no snapshot "
			"of the machine to come back to (checkpoints are off)\n");
		return -EPERM;
	}
	d->call_snap = id;
	d->call_rip = u->rip;
	d->call_dead = false;
	d->throwaway = true;
	say_throwaway(d);
	return 0;
}

/* FXSAVE bytes gdb sent, merged into the thread's: the reserved and
 * MXCSR_MASK bytes stay, and a reserved MXCSR bit is refused (FXRSTOR
 * would fault in the kernel). */
static int merge_fx(uint8_t *dst, const uint8_t *gdb)
{
	uint32_t mxcsr;
	memcpy(&mxcsr, gdb + FX_MXCSR, 4);
	if (mxcsr & 0xffff0000u)
		return -EINVAL;
	memcpy(dst, gdb, FX_MXCSR + 4);
	memcpy(dst + 32, gdb + 32, FX_REGS_END - 32);
	return 0;
}

/* The FPU state of the thread on the CPU: the vCPU's XSAVE area. */
static int set_vcpu_fx(struct dbg *d, const uint8_t *fx)
{
	static struct kvm_xsave xs;
	if (ioctl(d->vm->vcpu_fd, KVM_GET_XSAVE, &xs) < 0)
		return -errno;
	uint8_t cur[512];
	memcpy(cur, xs.region, 512);
	int err = merge_fx(cur, fx);
	if (err)
		return err;
	if (!memcmp(cur, xs.region, 512))
		return 0;
	memcpy(xs.region, cur, 512);
	return ioctl(d->vm->vcpu_fd, KVM_SET_XSAVE, &xs) < 0 ? -errno : 0;
}

int call_set_regs(struct dbg *d, uint32_t tid, const struct gdb_regs *r)
{
	if (d->state != DBG_STOPPED)
		return -ESRCH;
	if (!tid)
		tid = d->cur_tid;
	struct gdb_regs cur;
	int err = regs_get(d, tid, &cur);
	if (err)
		return err;
	/* gdb writes back what it read (a G packet, a restored frame): an
	 * unchanged set is no change. */
	struct gdb_regs want = *r;
	want.orig_rax = cur.orig_rax; /* gdb's -1 when it calls: no restart */
	if (!memcmp(&cur, &want, sizeof(cur)))
		return 0;
	if (r->cs != cur.cs || r->ss != cur.ss || r->ds != cur.ds ||
	    r->es != cur.es || r->fs != cur.fs || r->gs != cur.gs ||
	    r->fs_base != cur.fs_base || r->gs_base != cur.gs_base)
		return -EPERM; /* the kernel's to set, not a frame's */
	if (r->rip >= USER_TOP || r->rsp >= USER_TOP)
		return -EINVAL;
	/* Which frame and FPU state: the stop's, or the thread table's for
	 * a thread that is not on the CPU (regs.c reads the same). */
	rrv_gpa_t frame = 0, fx = 0;
	if (tid == d->cur_tid) {
		frame = d->frame;
		fx = d->frame_fx;
	} else {
		struct rrv_debug_thread t;
		const struct rrv_debug_thread *slot = dbg_thread(d, tid, &t);
		if (!slot || slot->pid != d->pid || tid == dbg_current_tid(d) ||
		    slot->state == RRV_DT_RUNNING || !slot->user_regs || !slot->fxsave)
			return -EPERM;
		frame = slot->user_regs;
		fx = slot->fxsave;
	}
	if ((err = begin(d)))
		return err;
	struct rrv_user_regs *u = frame ?
		GUEST_AT(&d->vm->mem, frame, sizeof(*u)) : NULL;
	if (!u)
		return -EFAULT;
	if (fx) {
		uint8_t *p = GUEST_AT(&d->vm->mem, fx, 512);
		if (!p)
			return -EFAULT;
		uint8_t tmp[512];
		memcpy(tmp, p, 512);
		if ((err = merge_fx(tmp, r->fxsave)))
			return err;
		memcpy(p, tmp, 512);
	} else if ((err = set_vcpu_fx(d, r->fxsave))) {
		return err;
	}
	u->rax = r->rax; u->rbx = r->rbx; u->rcx = r->rcx; u->rdx = r->rdx;
	u->rsi = r->rsi; u->rdi = r->rdi; u->rbp = r->rbp; u->rsp = r->rsp;
	u->r8 = r->r8; u->r9 = r->r9; u->r10 = r->r10; u->r11 = r->r11;
	u->r12 = r->r12; u->r13 = r->r13; u->r14 = r->r14; u->r15 = r->r15;
	u->rip = r->rip;
	u->rflags = (u->rflags & ~USER_FLAGS) | (r->eflags & USER_FLAGS);
	/* orig_rax: the kernel restarts no call for a frame gdb changed
	 * (the stop is at a DEBUG call, never inside a system call). */
	return 0;
}

/* One of gdb's writes, for set_up_again. */
static void log_write(struct dbg *d, uint64_t addr, const void *buf, size_t len)
{
	uint32_t n = (uint32_t)len;
	if (len > sizeof(d->call_log) ||
	    sizeof(d->call_log) - d->call_log_len < 12 + len) {
		d->call_log_over = true;
		return;
	}
	uint8_t *p = d->call_log + d->call_log_len;
	memcpy(p, &addr, 8);
	memcpy(p + 8, &n, 4);
	memcpy(p + 12, buf, len);
	d->call_log_len += 12 + len;
}

ssize_t call_write_mem(struct dbg *d, uint64_t addr, const void *buf, size_t len)
{
	if (d->state != DBG_STOPPED)
		return -ESRCH;
	uint64_t root = mem_root(d);
	if (!root)
		return -ESRCH;
	/* No change is no change (gdb rewrites what it read). */
	uint8_t cur[256];
	if (len <= sizeof(cur) && mem_read_root(d, root, addr, cur, len) == len &&
	    !memcmp(cur, buf, len))
		return (ssize_t)len;
	int err = begin(d);
	if (err)
		return err;
	/* A page the program never touched is not in memory: bringing it
	 * in would need the host (a file's page) or change the recording's
	 * page tables; the write stops there. */
	size_t n = mem_write_root(d, root, addr, buf, len);
	if (n)
		log_write(d, addr, buf, n);
	return n ? (ssize_t)n : -EFAULT;
}

/*
 * Whether gdb set up a call of a function in the stopped thread: its pc
 * moved, and the word at its stack pointer is a return address where gdb
 * has a breakpoint (the dummy frame's: the entry point, AT_ENTRY_POINT,
 * or a spot on the stack, ON_STACK, as Debian's gdb does on amd64).
 * That address is kept: the call ends there.
 */
static bool is_call(struct dbg *d)
{
	struct gdb_regs r;
	uint64_t ret;
	if (regs_get(d, d->cur_tid, &r) || r.rip == d->call_rip ||
	    mem_read_root(d, mem_root(d), r.rsp, &ret, 8) != 8 || bp_find(d, ret) < 0)
		return false;
	d->call_ret = ret;
	return true;
}

/* The machine back as the snapshot found it; the snapshot is kept. */
static int restore(struct dbg *d)
{
	d->throwaway = false;
	d->vm->hc.holding = false;
	d->call_dead = false;
	if (cp_restore(d, d->call_snap)) {
		fprintf(stderr, "rrv: debug: cannot put the recording's machine back "
			"after gdb's changes (the replay ends here)\n");
		return -1;
	}
	return 0;
}

int call_undo(struct dbg *d)
{
	if (!d->throwaway)
		return 0;
	if (restore(d))
		return -1;
	/* Not a checkpoint for going back: it is at a stop, in the middle of
	 * an event's stretch, where a re-run from it would miss what came
	 * before in that stretch.  The machine stays as it was. */
	cp_drop(d, d->call_snap);
	d->call_snap = 0;
	return 0;
}

/*
 * A call gdb set up where the last one needed the host: the VM waits
 * inside that hypercall and cannot run on from there.  The call is set
 * up again on the snapshot: the recording's machine back, then the
 * registers gdb set and the memory it wrote since the stop (what earlier
 * calls changed is gone with it).  0, or 1 when it cannot be.
 */
static int set_up_again(struct dbg *d)
{
	struct gdb_regs r;
	uint32_t tid = d->cur_tid;
	if (d->call_log_over || regs_get(d, tid, &r))
		return 1;
	if (restore(d))
		return -1;
	d->throwaway = true; /* the same snapshot, for the next undo */
	if (d->cur_tid != tid)
		return 1;
	if (call_set_regs(d, tid, &r))
		return 1;
	uint64_t root = mem_root(d);
	for (size_t i = 0; i + 12 <= d->call_log_len;) {
		uint64_t addr;
		uint32_t n;
		memcpy(&addr, d->call_log + i, 8);
		memcpy(&n, d->call_log + i + 8, 4);
		if (mem_write_root(d, root, addr, d->call_log + i + 12, n) != n)
			return 1;
		i += 12 + n;
	}
	return is_call(d) ? 0 : 1;
}

int call_before_resume(struct dbg *d, const struct gdb_resume *how)
{
	int r = 0;
	if (!d->throwaway) {
		/* nothing of gdb's to keep or undo */
	} else if (!how->reverse && how->action == GDB_CONTINUE && is_call(d)) {
		int again = d->call_dead ? set_up_again(d) : 0;
		if (again) {
			fprintf(stderr, "rrv: debug: cannot call a function here: the "
				"last call stopped where it needed the host, and this "
				"one cannot be set up again on the recording's machine "
				"(the replay goes on as recorded)\n");
			r = again < 0 ? -1 : call_undo(d);
		} else {
			d->vm->hc.holding = true;
		}
	} else {
		r = call_undo(d);
	}
	/* The log is of gdb's writes between two resumes. */
	d->call_log_len = 0;
	d->call_log_over = false;
	return r;
}

/*
 * The called code made a traced hypercall (a system call that needs the
 * host, a page of a file not read yet): the dispatcher left it unanswered
 * and pauses.  The call stops there.  One case is the call's end: the
 * function returned to gdb's breakpoint (the entry point) on a page the
 * program had not touched yet, and the fault would read it from the
 * file; that is gdb's breakpoint stop.  Anything else is a SIGSEGV gdb reports
 * in the called function, with the reason on stderr.
 */
void call_on_host_call(void *ctx, unsigned nr)
{
	struct dbg *d = ctx;
	if (!d->throwaway || d->want_pause) {
		d->vm->debug.pause = true; /* never on past an unanswered call */
		return;
	}
	d->call_dead = true;
	uint32_t tid = dbg_current_tid(d);
	const rrv_gpa_t *at = d->vm->guest_state ?
		GUEST_AT(&d->vm->mem, d->vm->guest_state +
			 offsetof(struct rrv_guest_state, user_regs), sizeof(*at)) : NULL;
	rrv_gpa_t frame = at ? *at : 0;
	const struct rrv_user_regs *u =
		frame ? GUEST_AT(&d->vm->mem, frame, sizeof(*u)) : NULL;
	struct gdb_stop s = { .kind = GDB_STOP_SIGNAL, .tid = tid, .signo = SIGSEGV };
	if (u && u->vector == 14 && u->rip == d->call_ret && bp_find(d, d->call_ret) >= 0) {
		s = (struct gdb_stop){ .kind = GDB_STOP_BREAK, .tid = tid, .swbreak = true };
	} else if (u && u->vector == 14) {
		/* Demand paging: the page comes from the program's file. */
		fprintf(stderr, "rrv: debug: the function gdb called touches a page "
			"the program had not touched yet (at pc 0x%llx), which would be "
			"read from the host's file: a replay cannot; it stops here with "
			"SIGSEGV (continue, step or detach puts the recording back; call "
			"it once the program has run that code)\n",
			(unsigned long long)u->rip);
	} else {
		fprintf(stderr, "rrv: debug: the function gdb called needs the host "
			"(hypercall %u, at pc 0x%llx), which a replay cannot give: "
			"it stops here with SIGSEGV (continue, step or detach puts "
			"the recording back)\n", nr,
			u ? (unsigned long long)u->rip : 0ull);
	}
	d->cur_tid = tid;
	d->frame = u ? frame : 0;
	d->frame_fx = 0;
	d->out = s;
	d->want_pause = true;
	d->vm->debug.pause = true;
}
