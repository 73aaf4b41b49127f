/*
 * The session: a replay (replay/replay.c) whose vCPU loop pauses where
 * gdb wants a stop, and the run control every resume goes through
 * (dbg_run).  Stops come from three places:
 *   - the guest kernel's DEBUG calls (on_debug_event): a watchpoint, a
 *     signal, an exec, the exit, a return to ring 3 that was asked for;
 *   - KVM_EXIT_DEBUG (on_debug_exit): an int3 the engine put in the
 *     program's code, or a single step finished;
 *   - the replayer's after-event callback (after_event): BOOT (turning
 *     debug.on), --goto's event, an event limit of dbg_run.
 * A stop found inside the kernel (a watchpoint's #DB, a step that made a
 * system call) is presented at the thread's next ring-3 instruction, with
 * a one-shot breakpoint there (breakpoints.c), so that gdb always looks
 * at a thread in ring 3, as it would natively.  Signals and the exit are
 * the exception: their registers are the saved frame.
 */
#include "session.h"

#include <errno.h>
#include <inttypes.h>
#include <linux/kvm.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "files.h"
#include "replay/replay.h"
#include "vmm/guest_mem.h"
#include "vmm/guestdbg.h"
#include "vmm/vcpu.h"

#define X86_EFLAGS_TF (1ull << 8)
#define DR6_BS (1ull << 14)
#define DR6_B0 (1ull << 0)
#define DR6_DBG_SLOTS 0xeull   /* B1-B3: the debugger's watchpoints */

/* ------------------------------------------------------------ guest state */

static void *guest_state_field(struct dbg *d, size_t off, size_t len)
{
	if (!d->vm->guest_state)
		return NULL;
	return GUEST_AT(&d->vm->mem, d->vm->guest_state + off, len);
}

uint32_t dbg_current_tid(struct dbg *d)
{
	const uint32_t *t = guest_state_field(d, offsetof(struct rrv_guest_state, tid),
					      sizeof(*t));
	return t ? *t : 0;
}

int dbg_threads(struct dbg *d, struct rrv_debug_thread *out, int max)
{
	int n = guestdbg_threads(d->vm, out, (size_t)max, NULL);
	return n < 0 ? 0 : n;
}

const struct rrv_debug_thread *dbg_thread(struct dbg *d, uint32_t tid,
					  struct rrv_debug_thread *buf)
{
	static struct rrv_debug_thread all[RRV_DEBUG_THREADS_MAX];
	int n = dbg_threads(d, all, RRV_DEBUG_THREADS_MAX);
	for (int i = 0; i < n; i++) {
		if (all[i].tid == tid && all[i].state != RRV_DT_EXITED) {
			*buf = all[i];
			return buf;
		}
	}
	return NULL;
}

int dbg_publish(struct dbg *d)
{
	d->rq.on = 1;
	return guestdbg_request(d->vm, &d->rq);
}

int dbg_vcpu_cr3(struct dbg *d, uint64_t *cr3, int *cpl)
{
	struct kvm_sregs s;
	if (ioctl(d->vm->vcpu_fd, KVM_GET_SREGS, &s) < 0)
		return -errno;
	*cr3 = s.cr3;
	*cpl = s.cs.selector & 3;
	return 0;
}

/* KVM's guest-debug flags for the run: int3s always come to us (the
 * program's own are handed back); single step only while stepping. */
static int guest_debug(struct dbg *d, unsigned extra)
{
	unsigned f = KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_SW_BP | extra;
	if (d->stepping || d->over_bp >= 0 || d->over_temp)
		f |= KVM_GUESTDBG_SINGLESTEP;
	return vcpu_set_guest_debug(d->vm, f);
}

/* --------------------------------------------------------------- stops */

/* The run has its answer: the vCPU loop returns. */
static void stop_with(struct dbg *d, const struct gdb_stop *s)
{
	d->out = *s;
	d->want_pause = true;
	d->vm->debug.pause = true;
}

/* A breakpoint or watchpoint stop: counted, handed to collect, or the
 * run's answer. */
static void point_stop(struct dbg *d, const struct gdb_stop *s)
{
	d->hits++;
	const struct dbg_run *how = d->how;
	if (how && how->collect && !how->collect(how->ctx, d, s))
		return;
	if (how && how->stop_hits && d->hits < how->stop_hits)
		return;
	stop_with(d, s);
}

/* Presents a stop found in the kernel at tid's next ring-3 instruction. */
static void stop_at_return(struct dbg *d, uint32_t tid, uint64_t rip,
			   uint64_t cr3, const struct gdb_stop *s)
{
	if (bp_temp_set(d, rip, cr3, tid, s) < 0) {
		/* Cannot patch there (unmapped?): stop in the kernel. */
		d->cur_tid = tid;
		stop_with(d, s);
	}
}

static bool is_ours(const struct dbg *d, pid_t pid)
{
	return d->pid && pid == d->pid;
}

/* The frame registers of a DEBUG call: its rip and rsp. */
static int frame_of(struct dbg *d, const struct rrv_hc_debug *ev,
		    struct rrv_user_regs *u)
{
	const struct rrv_user_regs *p = ev->regs ?
		GUEST_AT(&d->vm->mem, ev->regs, sizeof(*p)) : NULL;
	if (!p)
		return -EFAULT;
	memcpy(u, p, sizeof(*u));
	return 0;
}

/*
 * A step that entered the kernel through a fault left KVM's trace flag in
 * the saved frame (the CPU pushed it); the program must not find it there
 * (a signal frame, a sigreturn): the frame gets the rflags the program had.
 */
static void clear_frame_tf(struct dbg *d, const struct rrv_hc_debug *ev)
{
	if (!(d->stepping || d->step_via_return) || (d->step_rflags & X86_EFLAGS_TF) ||
	    ev->tid != d->step_tid || !ev->regs)
		return;
	struct rrv_user_regs *p = GUEST_AT(&d->vm->mem, ev->regs, sizeof(*p));
	if (p)
		p->rflags &= ~X86_EFLAGS_TF;
}

/* The path an exec'd program was started by (AT_EXECFN), for exec-file. */
static void exec_path_from_auxv(struct dbg *d, uint64_t cr3)
{
	for (size_t i = 0; i + 16 <= d->auxv_len; i += 16) {
		uint64_t pair[2];
		memcpy(pair, d->auxv + i, 16);
		if (pair[0] != 31 /* AT_EXECFN */)
			continue;
		char path[sizeof(d->exec_path)];
		size_t n = mem_read_root(d, cr3, pair[1], path, sizeof(path) - 1);
		path[n] = '\0';
		if (n && memchr(path, '\0', n))
			snprintf(d->exec_path, sizeof(d->exec_path), "%s", path);
		return;
	}
}

/*
 * An execve completed.  The first program's is the first stop (unless
 * --goto or --process say otherwise); its auxiliary vector is kept even
 * when another process is to be debugged, since a forked child has the
 * same.  A later exec of the debugged process replaces its auxv and path.
 */
static void on_exec(struct dbg *d, const struct rrv_hc_debug *ev)
{
	bool first_program = !d->pid && !d->exec_seen;
	bool wanted = d->waiting_for_pid ? ev->pid == d->opt.pid : !d->pid;
	d->exec_seen = true;
	if (!wanted && !is_ours(d, ev->pid)) {
		if (first_program) {
			struct rrv_user_regs u;
			if (frame_of(d, ev, &u) == 0)
				xfer_save_auxv(d, ev->cr3, u.rsp);
			snprintf(d->exec_path, sizeof(d->exec_path), "%s",
				 d->cfg.exec_path ? d->cfg.exec_path : "");
		}
		return;
	}
	d->waiting_for_pid = false;
	d->pid = ev->pid;
	d->cr3 = ev->cr3;
	d->rq.pid = ev->pid;
	dbg_publish(d);
	struct rrv_user_regs u;
	if (frame_of(d, ev, &u) == 0)
		xfer_save_auxv(d, ev->cr3, u.rsp);
	if (first_program)
		snprintf(d->exec_path, sizeof(d->exec_path), "%s",
			 d->cfg.exec_path ? d->cfg.exec_path : "");
	else
		exec_path_from_auxv(d, ev->cr3);
	/* A new program replaces the code the breakpoints were in: gdb
	 * would need exec events, which the stub does not send
	 * (docs/debugging.md, "Limits"). */
	for (int i = 0; i < DBG_BPS_MAX; i++)
		d->bps[i].in_memory = false;
	if (!d->started && !d->goto_pending) {
		struct gdb_stop s = { .kind = GDB_STOP_BREAK, .tid = ev->tid };
		stop_at_return(d, ev->tid, ev->addr, ev->cr3, &s);
	}
}

static void on_watch(struct dbg *d, const struct rrv_hc_debug *ev)
{
	if (!is_ours(d, ev->pid) || !d->started)
		return;
	int i = watch_hit(d, ev->detail);
	if (i < 0)
		return;
	struct rrv_user_regs u;
	if (frame_of(d, ev, &u))
		return;
	struct gdb_stop s = {
		.kind = GDB_STOP_WATCH, .tid = ev->tid,
		.type = d->watch[i].type, .addr = d->watch[i].addr,
	};
	/* Counted when it is presented, at the temp breakpoint. */
	stop_at_return(d, ev->tid, u.rip, ev->cr3, &s);
}

static void on_signal(struct dbg *d, const struct rrv_hc_debug *ev)
{
	if (!is_ours(d, ev->pid) || !d->started)
		return;
	clear_frame_tf(d, ev);
	struct gdb_stop s = { .kind = GDB_STOP_SIGNAL, .tid = ev->tid,
			      .signo = ev->signo };
	d->cur_tid = ev->tid;
	d->in_user = false;
	d->frame = ev->regs;
	d->frame_fx = ev->fxsave;
	/* A step that made the kernel deliver a signal ends at it. */
	d->stepping = false;
	d->step_via_return = false;
	stop_with(d, &s);
}

static void on_exit_event(struct dbg *d, const struct rrv_hc_debug *ev)
{
	if (!is_ours(d, ev->pid) || !d->started)
		return;
	int st = ev->status;
	struct gdb_stop s = { .tid = ev->tid };
	if (WIFSIGNALED(st)) {
		s.kind = GDB_STOP_KILLED;
		s.signo = WTERMSIG(st);
	} else {
		s.kind = GDB_STOP_EXITED;
		s.status = WEXITSTATUS(st);
	}
	d->cur_tid = ev->tid;
	d->in_user = false;
	d->frame = ev->regs;
	d->frame_fx = ev->fxsave;
	stop_with(d, &s);
}

/* -p PID: the child appears; its first ring-3 instruction is the stop. */
static void on_fork(struct dbg *d, const struct rrv_hc_debug *ev)
{
	if (!d->waiting_for_pid || (pid_t)ev->detail != d->opt.pid)
		return;
	d->waiting_for_pid = false;
	d->pid = (pid_t)ev->detail;
	d->rq.pid = d->pid;
	d->rq.stop_user_return = 1;
	dbg_publish(d);
}

static void on_user_return(struct dbg *d, const struct rrv_hc_debug *ev)
{
	if (!is_ours(d, ev->pid))
		return;
	struct rrv_user_regs u;
	if (frame_of(d, ev, &u))
		return;
	if (!d->cr3 || d->cr3 != ev->cr3)
		d->cr3 = ev->cr3;
	if (!d->started) {
		/* --goto or -p: the first ring-3 instruction after it. */
		d->rq.stop_user_return = 0;
		dbg_publish(d);
		struct gdb_stop s = { .kind = GDB_STOP_BREAK, .tid = ev->tid };
		stop_at_return(d, ev->tid, u.rip, ev->cr3, &s);
		return;
	}
	if (d->step_via_return && ev->tid == d->step_tid) {
		clear_frame_tf(d, ev);
		d->step_via_return = false;
		d->rq.stop_user_return = 0;
		dbg_publish(d);
		struct gdb_stop s = { .kind = GDB_STOP_BREAK, .tid = ev->tid };
		stop_at_return(d, ev->tid, u.rip, ev->cr3, &s);
	}
}

typedef void (*event_fn)(struct dbg *d, const struct rrv_hc_debug *ev);
static const event_fn event_handlers[] = {
	[RRV_DEBUG_WATCH] = on_watch,
	[RRV_DEBUG_SIGNAL] = on_signal,
	[RRV_DEBUG_EXEC] = on_exec,
	[RRV_DEBUG_EXIT] = on_exit_event,
	[RRV_DEBUG_FORK] = on_fork,
	[RRV_DEBUG_USER_RETURN] = on_user_return,
};

/* Polls the client's ^C; a stop then waits for the next ring-3
 * instruction of the debugged process. */
static void poll_interrupt(struct dbg *d)
{
	const struct dbg_run *how = d->how;
	if (d->want_pause || !how || !how->interrupted ||
	    !how->interrupted(how->intr_ctx))
		return;
	uint32_t tid = dbg_current_tid(d);
	struct gdb_stop s = { .kind = GDB_STOP_INTERRUPTED, .tid = tid ? tid : d->cur_tid };
	d->cur_tid = s.tid;
	d->in_user = false;
	d->frame = 0;
	stop_with(d, &s);
}

static int on_debug_event(void *ctx, const struct rrv_hc_debug *ev)
{
	struct dbg *d = ctx;
	if (ev->event < sizeof(event_handlers) / sizeof(event_handlers[0]) &&
	    event_handlers[ev->event])
		event_handlers[ev->event](d, ev);
	poll_interrupt(d);
	return d->want_pause ? VMM_DEBUG_PAUSE : VMM_DEBUG_GO;
}

/* --------------------------------------------------------- KVM_EXIT_DEBUG */

/* Hands the exception back to the guest: the program's own int3, or a
 * #DB that is the guest's (DR0's preemption point, the kernel's
 * watchpoint bits) rather than our single step. */
static int inject(struct dbg *d, unsigned what, uint64_t dr6)
{
	if (what == KVM_GUESTDBG_INJECT_DB) {
		struct kvm_debugregs dr;
		if (ioctl(d->vm->vcpu_fd, KVM_GET_DEBUGREGS, &dr) < 0)
			return -errno;
		dr.dr6 = dr6 & ~DR6_BS;
		if (ioctl(d->vm->vcpu_fd, KVM_SET_DEBUGREGS, &dr) < 0)
			return -errno;
	}
	return guest_debug(d, what);
}

/* The instruction at rip enters the kernel (syscall): a step over it is
 * finished by the thread's next return to ring 3. */
static bool enters_kernel(struct dbg *d, uint64_t cr3, uint64_t rip)
{
	uint8_t b[2];
	if (mem_read_root(d, cr3, rip, b, 2) != 2)
		return false;
	return b[0] == 0x0f && b[1] == 0x05;
}

static int regs_rip(struct dbg *d, uint64_t *rip, uint64_t *rflags)
{
	struct kvm_regs r;
	if (ioctl(d->vm->vcpu_fd, KVM_GET_REGS, &r) < 0)
		return -errno;
	*rip = r.rip;
	if (rflags)
		*rflags = r.rflags;
	return 0;
}

/* Starts stepping one instruction of the thread on the CPU (a step-over
 * of a breakpoint, or gdb's step); false when the instruction is a
 * system call, which is stepped by waiting for the thread's return. */
static bool begin_hw_step(struct dbg *d, uint64_t cr3, uint64_t rip)
{
	return !enters_kernel(d, cr3, rip);
}

static void step_over_done(struct dbg *d)
{
	if (d->over_bp >= 0) {
		struct dbg_bp *b = &d->bps[d->over_bp];
		uint8_t old;
		if (b->used && bp_poke(d, d->over_cr3, b->addr, 0xcc, &old) == 0)
			b->in_memory = d->over_cr3 == mem_root(d) ? true : b->in_memory;
	}
	if (d->over_temp && d->temp.on)
		bp_poke(d, d->temp.cr3, d->temp.addr, 0xcc, &d->temp.orig);
	d->over_bp = -1;
	d->over_temp = false;
}

/* A breakpoint hit that is not a stop: put the byte back, step the one
 * instruction, put the int3 in again (at the step's #DB). */
static int step_over(struct dbg *d, int bp, bool temp, uint64_t cr3, uint64_t rip)
{
	uint8_t old;
	uint8_t orig = temp ? d->temp.orig : d->bps[bp].orig;
	if (bp_poke(d, cr3, rip, orig, &old))
		return -EFAULT;
	if (!begin_hw_step(d, cr3, rip)) {
		/* A system call: the int3 comes back at the next exit. */
		d->over_bp = temp ? -1 : bp;
		d->over_temp = temp;
		d->over_cr3 = cr3;
		d->over_pending_syscall = true;
		return guest_debug(d, 0);
	}
	d->over_bp = temp ? -1 : bp;
	d->over_temp = temp;
	d->over_cr3 = cr3;
	return guest_debug(d, 0);
}

static int on_breakpoint(struct dbg *d, uint64_t pc)
{
	uint64_t cr3 = 0;
	int cpl = 0;
	if (dbg_vcpu_cr3(d, &cr3, &cpl))
		return -1;
	uint32_t tid = dbg_current_tid(d);
	if (d->temp.on && d->temp.in_memory && pc == d->temp.addr) {
		if (cr3 == d->temp.cr3 && tid == d->temp.tid) {
			struct gdb_stop s = d->temp.stop;
			bp_temp_clear(d);
			d->cur_tid = tid;
			d->in_user = true;
			/* A watchpoint counts as a hit; a step or the first
			 * stop is the run's answer. */
			if (s.kind == GDB_STOP_WATCH)
				point_stop(d, &s);
			else
				stop_with(d, &s);
			return 0;
		}
		return step_over(d, -1, true, cr3, pc);
	}
	int i = bp_find(d, pc);
	if (i >= 0 && d->bps[i].in_memory) {
		bool mine = cr3 == mem_root(d);
		bool wrong_thread = d->stepping && tid != d->step_tid;
		if (mine && !wrong_thread) {
			d->cur_tid = tid;
			d->in_user = true;
			struct gdb_stop s = { .kind = GDB_STOP_BREAK, .tid = tid,
					      .swbreak = true };
			d->stepping = false;
			point_stop(d, &s);
			if (!d->want_pause)
				return step_over(d, i, false, cr3, pc);
			return 0;
		}
		return step_over(d, i, false, cr3, pc);
	}
	/* Not ours: the program's own int3, which gets its SIGTRAP as it
	 * did when recorded. */
	return inject(d, KVM_GUESTDBG_INJECT_BP, 0) < 0 ? -1 : 0;
}

static int on_single_step(struct dbg *d, uint64_t pc, uint64_t dr6)
{
	uint64_t cr3 = 0;
	int cpl = 0;
	if (dbg_vcpu_cr3(d, &cr3, &cpl))
		return -1;
	/* The guest's own debug exception (a preemption point on DR0, the
	 * kernel's watchpoint bits) goes back to it, as without us. */
	if (dr6 & (DR6_B0 | DR6_DBG_SLOTS)) {
		if (inject(d, KVM_GUESTDBG_INJECT_DB, dr6) < 0)
			return -1;
		if (!(dr6 & DR6_BS))
			return 0;
	}
	if (!(dr6 & DR6_BS))
		return inject(d, KVM_GUESTDBG_INJECT_DB, dr6) < 0 ? -1 : 0;
	if (d->over_bp >= 0 || d->over_temp) {
		step_over_done(d);
		if (!d->stepping)
			return guest_debug(d, 0) < 0 ? -1 : 0;
	}
	if (!d->stepping)
		return guest_debug(d, 0) < 0 ? -1 : 0;
	uint32_t tid = dbg_current_tid(d);
	if (cpl != 3) {
		/* The step went into the kernel (a fault): the stop is at the
		 * thread's next ring-3 instruction. */
		d->stepping = false;
		d->step_via_return = true;
		d->rq.stop_user_return = 1;
		dbg_publish(d);
		return guest_debug(d, 0) < 0 ? -1 : 0;
	}
	if (tid != d->step_tid) /* another thread runs: keep stepping */
		return guest_debug(d, 0) < 0 ? -1 : 0;
	d->stepping = false;
	d->cur_tid = tid;
	d->in_user = true;
	(void)pc;
	struct gdb_stop s = { .kind = GDB_STOP_BREAK, .tid = tid };
	stop_with(d, &s);
	return 0;
}

static int on_debug_exit(void *ctx, const struct kvm_debug_exit_arch *a)
{
	struct dbg *d = ctx;
	int r;
	if (a->exception == 3)
		r = on_breakpoint(d, a->pc);
	else if (a->exception == 1)
		r = on_single_step(d, a->pc, a->dr6);
	else {
		fprintf(stderr, "rrv: debug: unexpected debug exit (exception %u "
			"at 0x%llx)\n", a->exception, (unsigned long long)a->pc);
		r = -1;
	}
	if (r < 0)
		return -1;
	if (!d->want_pause)
		poll_interrupt(d);
	return d->want_pause ? VMM_DEBUG_PAUSE : VMM_DEBUG_GO;
}

/* ------------------------------------------------------- replay events */

static void refuse_old(struct dbg *d)
{
	fprintf(stderr, "rrv: cannot debug %s: it was recorded by a kernel "
		"without debugger support (ABI v%u < 9) (record it again with "
		"this rrv)\n", d->trace, d->vm->guest_abi);
	d->vm_status = DBG_EXIT_CANNOT;
	d->state = DBG_ENDED;
	struct gdb_stop s = { .kind = GDB_STOP_REPLAY_END };
	stop_with(d, &s);
}

static void after_event(void *ctx, uint64_t index, unsigned nr)
{
	struct dbg *d = ctx;
	d->events = index;
	if (nr == RRV_HC_BOOT) {
		if (d->vm->guest_abi < 9) {
			refuse_old(d);
			return;
		}
		/* guest_state.debug.on is set by the VMM (vm->debug.attach). */
		d->rq = (struct rrv_debug_request){ .on = 1 };
	}
	/* A breakpoint stepped over by a system call: back in now. */
	if (d->over_pending_syscall) {
		d->over_pending_syscall = false;
		step_over_done(d);
		guest_debug(d, 0);
	}
	if (d->goto_pending && index >= d->opt.goto_event) {
		d->goto_pending = false;
		if (d->pid) {
			d->rq.stop_user_return = 1;
			dbg_publish(d);
		}
		/* else: the process has not run yet; its EXEC stops. */
	}
	if (d->how && d->how->stop_event && index >= d->how->stop_event &&
	    !d->want_pause) {
		struct gdb_stop s = { .kind = GDB_STOP_BREAK, .tid = dbg_current_tid(d) };
		d->cur_tid = s.tid;
		d->in_user = false;
		d->frame = 0;
		stop_with(d, &s);
	}
	poll_interrupt(d);
}

/* ----------------------------------------------------------- run control */

/* Runs the vCPU loop until a pause or the end of the replay. */
static int loop(struct dbg *d)
{
	d->vm_started = true;
	int st = vmm_run(d->vm); /* resumes a paused VM */
	if (st == VMM_PAUSED)
		return 0;
	d->vm_status = st;
	d->state = DBG_ENDED;
	return 1;
}

/* Where the replay ended: the process is gone as far as gdb can tell. */
static void ended_stop(struct dbg *d, struct gdb_stop *out)
{
	*out = (struct gdb_stop){ .kind = GDB_STOP_REPLAY_END, .tid = d->cur_tid };
}

int dbg_run(struct dbg *d, const struct dbg_run *how, struct gdb_stop *out)
{
	if (d->state == DBG_ENDED) {
		ended_stop(d, out);
		return 0;
	}
	d->how = how;
	d->want_pause = false;
	d->hits = 0;
	d->stepping = false;
	d->step_via_return = false;
	if (how->action == DBG_STEP) {
		uint32_t tid = how->tid ? how->tid : d->cur_tid;
		d->step_tid = tid;
		uint64_t rip = 0, rflags = 0, cr3 = 0;
		int cpl = 0;
		if (d->in_user && tid == d->cur_tid && regs_rip(d, &rip, &rflags) == 0 &&
		    dbg_vcpu_cr3(d, &cr3, &cpl) == 0 && begin_hw_step(d, cr3, rip)) {
			d->stepping = true;
			d->step_rflags = rflags;
		} else {
			/* In the kernel, or about to enter it: the thread's next
			 * ring-3 instruction ends the step. */
			d->step_via_return = true;
			d->rq.stop_user_return = 1;
			dbg_publish(d);
		}
	}
	if (bp_arm_all(d) < 0)
		fprintf(stderr, "rrv: debug: a breakpoint could not be written "
			"into the program\n");
	d->state = DBG_RUNNING;
	if (guest_debug(d, 0) < 0) {
		fprintf(stderr, "rrv: debug: KVM_SET_GUEST_DEBUG failed\n");
		return -EIO;
	}
	int ended = loop(d);
	d->how = NULL;
	bp_disarm_all(d);
	d->stepping = false;
	if (d->rq.stop_user_return && d->started) {
		d->rq.stop_user_return = 0;
		dbg_publish(d);
	}
	if (ended) {
		ended_stop(d, out);
		return 0;
	}
	*out = d->out;
	d->stop = d->out;
	d->state = (out->kind == GDB_STOP_EXITED || out->kind == GDB_STOP_KILLED)
			   ? DBG_GONE : DBG_STOPPED;
	if (out->tid)
		d->cur_tid = out->tid;
	return 0;
}

void dbg_position(const struct dbg *d, struct dbg_position *pos)
{
	pos->events = d->events;
	pos->tid = d->cur_tid;
	pos->user = d->in_user;
	pos->ended = d->state == DBG_ENDED;
}

/* ------------------------------------------------------------- lifetime */

struct dbg *dbg_open(const struct dbg_options *o, int *status)
{
	struct dbg *d = calloc(1, sizeof(*d));
	if (!d) {
		fprintf(stderr, "rrv: debug: out of memory\n");
		*status = RRV_PANIC_STATUS;
		return NULL;
	}
	d->opt = *o;
	snprintf(d->trace, sizeof(d->trace), "%s", o->trace);
	d->opt.trace = d->trace;
	d->over_bp = -1;
	d->rep = replayer_open(d->trace, &d->cfg, status);
	if (!d->rep) {
		free(d);
		return NULL;
	}
	d->cfg.no_pmu = o->no_pmu;
	d->vm = vmm_create(&d->cfg);
	if (!d->vm) {
		replayer_free(d->rep);
		free(d);
		*status = RRV_PANIC_STATUS;
		return NULL;
	}
	int ferr = dbg_files_create(&d->files, replayer_reader(d->rep), d->trace);
	if (ferr) {
		fprintf(stderr, "rrv: debug: cannot serve %s's files to gdb: %s\n",
			d->trace, strerror(-ferr));
		vmm_destroy(d->vm);
		replayer_free(d->rep);
		free(d);
		*status = REPLAY_EXIT_BAD_TRACE;
		return NULL;
	}
	replayer_observe(d->rep, after_event, d);
	replayer_attach(d->rep, d->vm);
	d->vm->debug.attach = true;
	d->vm->debug.hook = on_debug_event;
	d->vm->debug.on_exit = on_debug_exit;
	d->vm->debug.ctx = d;
	d->goto_pending = o->have_goto;
	d->waiting_for_pid = false;
	return d;
}

int dbg_start(struct dbg *d)
{
	struct dbg_run how = { .action = DBG_CONTINUE };
	struct gdb_stop s;
	if (d->opt.pid)
		d->waiting_for_pid = true;
	/* -p of the first process: its EXEC is the stop, as without -p. */
	int r = dbg_run(d, &how, &s);
	if (r < 0)
		return RRV_PANIC_STATUS;
	if (d->state == DBG_ENDED) {
		if (d->vm_status == DBG_EXIT_CANNOT)
			return DBG_EXIT_CANNOT;
		int st = replayer_finish(d->rep, d->vm_status, false);
		if (d->opt.pid && !d->pid) {
			fprintf(stderr, "rrv: debug: process %d never ran in %s "
				"(see 'rrv ps %s')\n", (int)d->opt.pid, d->trace,
				d->trace);
			return DBG_EXIT_CANNOT;
		}
		fprintf(stderr, "rrv: debug: the replay ended before the "
			"program's first stop\n");
		return st ? st : DBG_EXIT_CANNOT;
	}
	d->started = true;
	return 0;
}

int dbg_finish(struct dbg *d)
{
	if (d->state != DBG_ENDED) {
		for (int i = 0; i < DBG_BPS_MAX; i++)
			d->bps[i].used = false;
		bp_temp_clear(d);
		watch_clear_all(d);
		d->rq.stop_user_return = 0;
		if (d->vm->guest_abi >= 9)
			dbg_publish(d);
		d->vm->debug.hook = NULL;
		d->vm->debug.on_exit = NULL;
		vcpu_set_guest_debug(d->vm, 0);
		int st = vmm_run(d->vm);
		d->vm_status = st;
		d->state = DBG_ENDED;
	}
	if (d->vm_status == DBG_EXIT_CANNOT)
		return DBG_EXIT_CANNOT;
	return replayer_finish(d->rep, d->vm_status, false);
}

void dbg_free(struct dbg *d)
{
	if (!d)
		return;
	dbg_files_free(d->files);
	vmm_destroy(d->vm);
	replayer_free(d->rep);
	free(d);
}
