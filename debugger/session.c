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

/*
 * The kernel's USER_RETURN calls are wanted while something waits for a
 * thread's next ring-3 instruction (a step that entered the kernel, the
 * first stop of --goto or --process), and while a breakpoint's page is
 * not in memory yet: demand paging maps it on the first touch, and the
 * return to ring 3 after that fault is the last moment before the
 * instruction runs.
 */
static void sync_user_return(struct dbg *d)
{
	uint32_t want = d->step_via_return || d->await_return || d->bp_pending ||
			(d->settle && !d->settle_stepping);
	if (want == d->rq.stop_user_return || d->vm->guest_abi < 9)
		return;
	d->rq.stop_user_return = want;
	dbg_publish(d);
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

/*
 * KVM's guest debugging, on only while the engine single-steps (a step,
 * a settle).  Breakpoints are int3s that the guest kernel reports
 * (BREAKPOINT) rather than KVM_GUESTDBG_USE_SW_BP: QEMU's emulated SVM
 * never intercepts int3, and while guest debugging is on KVM intercepts
 * the guest's debug-register writes, which QEMU's emulation then does
 * not arm, so that DR0's preemption points and DR1-DR3's watchpoints
 * would not fire (docs/debugging.md, "How stops are found").
 */
static int guest_debug(struct dbg *d, unsigned extra)
{
	unsigned f = extra;
	if (d->stepping || d->settle_stepping)
		f |= KVM_GUESTDBG_SINGLESTEP;
	return vcpu_set_guest_debug(d->vm, f ? f | KVM_GUESTDBG_ENABLE : 0);
}

/* --------------------------------------------------------------- stops */

/* The run has its answer: the vCPU loop returns. */
static void stop_with(struct dbg *d, const struct gdb_stop *s)
{
	d->out = *s;
	d->want_pause = true;
	d->vm->debug.pause = true;
}

/* A breakpoint or watchpoint hit: true when it stops the run (counted,
 * and handed to collect first). */
static bool hit_stops(struct dbg *d, const struct gdb_stop *s)
{
	d->hits++;
	const struct dbg_run *how = d->how;
	if (how && how->collect && !how->collect(how->ctx, d, s))
		return false;
	if (how && how->stop_hits && d->hits < how->stop_hits)
		return false;
	return true;
}

/*
 * A stop found inside the kernel (a watchpoint's #DB, an int3 the guest
 * took, the first instruction, a step that entered the kernel) is
 * presented in ring 3, as natively: at tid's next USER_RETURN the vCPU
 * is single-stepped through the kernel's last instructions until it is
 * in ring 3 at the frame's rip, the instruction not yet run ("settling").
 */
static void settle(struct dbg *d, uint32_t tid, const struct gdb_stop *s)
{
	d->settle = true;
	d->settle_tid = tid;
	d->settle_stop = *s;
	sync_user_return(d);
}

static void settle_begin(struct dbg *d, uint64_t rip)
{
	d->settle_rip = rip;
	d->settle_stepping = true;
	guest_debug(d, 0);
}

static void settle_done(struct dbg *d, uint32_t tid)
{
	d->settle = d->settle_stepping = false;
	d->cur_tid = tid;
	d->in_user = true;
	d->frame = d->frame_fx = 0;
	stop_with(d, &d->settle_stop);
}

static bool is_ours(const struct dbg *d, pid_t pid)
{
	return d->pid && pid == d->pid;
}

/* The frame registers of a DEBUG call. */
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
	struct rrv_user_regs u;
	bool have_frame = frame_of(d, ev, &u) == 0;
	if (!wanted && !is_ours(d, ev->pid)) {
		if (first_program) {
			if (have_frame)
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
	if (have_frame)
		xfer_save_auxv(d, ev->cr3, u.rsp);
	if (first_program)
		snprintf(d->exec_path, sizeof(d->exec_path), "%s",
			 d->cfg.exec_path ? d->cfg.exec_path : "");
	else {
		d->other_program = true;
		exec_path_from_auxv(d, ev->cr3);
	}
	/* A new program replaces the code the breakpoints were in: gdb
	 * would need exec events, which the stub does not send
	 * (docs/debugging.md, "Limits"). */
	for (int i = 0; i < DBG_BPS_MAX; i++)
		d->bps[i].in_memory = false;
	if (!d->started && !d->goto_pending) {
		struct gdb_stop s = { .kind = GDB_STOP_BREAK, .tid = ev->tid };
		settle(d, ev->tid, &s);
	}
}

static void on_watch(struct dbg *d, const struct rrv_hc_debug *ev)
{
	if (!is_ours(d, ev->pid) || !d->started)
		return;
	int i = watch_hit(d, ev->detail);
	if (i < 0)
		return;
	struct gdb_stop s = {
		.kind = GDB_STOP_WATCH, .tid = ev->tid,
		.type = d->watch[i].type, .addr = d->watch[i].addr,
	};
	if (hit_stops(d, &s))
		settle(d, ev->tid, &s);
}

/*
 * An int3 that reached the guest (KVM let it through: QEMU's emulated
 * SVM), with the frame's rip past it.  One of ours: the frame goes back
 * on the instruction and the kernel resumes it without a signal (answer
 * 1); a hit that is not a stop (another process, another thread while
 * gdb steps one) loses its int3 until the next resume (docs/debugging.md,
 * "Limits").  Not ours: the program's own, answer 0.
 */
static void on_guest_breakpoint(struct dbg *d, const struct rrv_hc_debug *ev)
{
	struct rrv_user_regs *u = GUEST_AT(&d->vm->mem, ev->regs, sizeof(*u));
	if (!u || d->state != DBG_RUNNING)
		return;
	uint64_t at = u->rip - 1;
	int i = bp_find(d, at);
	if (i < 0 || !d->bps[i].in_memory)
		return;
	uint8_t old;
	bool mine = is_ours(d, ev->pid) && ev->cr3 == mem_root(d);
	if (!mine) {
		/* Another process's copy of the page: its byte back. */
		if (bp_poke(d, ev->cr3, at, d->bps[i].orig, &old))
			return;
	}
	u->rip = at;
	d->vm->debug.answer = 1;
	if (!mine || (d->stepping && ev->tid != d->step_tid)) {
		if (mine) {
			bp_poke(d, ev->cr3, at, d->bps[i].orig, &old);
			d->bps[i].in_memory = false;
		}
		return;
	}
	struct gdb_stop s = { .kind = GDB_STOP_BREAK, .tid = ev->tid, .swbreak = true };
	if (hit_stops(d, &s)) {
		d->stepping = false;
		settle(d, ev->tid, &s);
	} else {
		bp_poke(d, ev->cr3, at, d->bps[i].orig, &old);
		d->bps[i].in_memory = false;
	}
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
	d->settle = d->settle_stepping = false;
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
	d->settle = d->settle_stepping = false;
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
	dbg_publish(d);
	d->await_return = true;
	sync_user_return(d);
}

static void on_user_return(struct dbg *d, const struct rrv_hc_debug *ev)
{
	if (!is_ours(d, ev->pid))
		return;
	struct rrv_user_regs u;
	if (frame_of(d, ev, &u))
		return;
	d->cr3 = ev->cr3;
	/* A breakpoint whose page the fault just brought in. */
	if (d->bp_pending && d->state == DBG_RUNNING)
		d->bp_pending = bp_arm_all(d);
	struct gdb_stop s = { .kind = GDB_STOP_BREAK, .tid = ev->tid };
	if (d->await_return) {
		/* --goto or -p: the first ring-3 instruction after it. */
		d->await_return = false;
		settle(d, ev->tid, &s);
	} else if (d->step_via_return && ev->tid == d->step_tid) {
		clear_frame_tf(d, ev);
		d->step_via_return = false;
		settle(d, ev->tid, &s);
	}
	if (d->settle && !d->settle_stepping && ev->tid == d->settle_tid)
		settle_begin(d, u.rip);
	sync_user_return(d);
}

typedef void (*event_fn)(struct dbg *d, const struct rrv_hc_debug *ev);
static const event_fn event_handlers[] = {
	[RRV_DEBUG_WATCH] = on_watch,
	[RRV_DEBUG_SIGNAL] = on_signal,
	[RRV_DEBUG_EXEC] = on_exec,
	[RRV_DEBUG_EXIT] = on_exit_event,
	[RRV_DEBUG_FORK] = on_fork,
	[RRV_DEBUG_USER_RETURN] = on_user_return,
	[RRV_DEBUG_BREAKPOINT] = on_guest_breakpoint,
};

/* Polls the client's ^C; the stop is then presented at the thread's next
 * ring-3 instruction. */
static void poll_interrupt(struct dbg *d)
{
	const struct dbg_run *how = d->how;
	if (d->want_pause || d->settle || !how || !how->interrupted ||
	    !how->interrupted(how->intr_ctx) || !d->pid)
		return;
	uint32_t tid = dbg_current_tid(d);
	struct rrv_debug_thread t;
	const struct rrv_debug_thread *slot = dbg_thread(d, tid, &t);
	if (!slot || slot->pid != d->pid)
		tid = d->cur_tid;
	struct gdb_stop s = { .kind = GDB_STOP_INTERRUPTED, .tid = tid };
	settle(d, tid, &s);
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

static int vcpu_rip(struct dbg *d, uint64_t *rip, uint64_t *rflags)
{
	struct kvm_regs r;
	if (ioctl(d->vm->vcpu_fd, KVM_GET_REGS, &r) < 0)
		return -errno;
	*rip = r.rip;
	if (rflags)
		*rflags = r.rflags;
	return 0;
}

static int on_single_step(struct dbg *d, uint64_t dr6)
{
	uint64_t cr3 = 0;
	int cpl = 0;
	if (dbg_vcpu_cr3(d, &cr3, &cpl))
		return -1;
	/* The guest's own debug exception (a preemption point on DR0, the
	 * kernel's watchpoint bits) goes back to it, as without us. */
	if ((dr6 & (DR6_B0 | DR6_DBG_SLOTS)) || !(dr6 & DR6_BS))
		return inject(d, KVM_GUESTDBG_INJECT_DB, dr6) < 0 ? -1 : 0;
	uint32_t tid = dbg_current_tid(d);
	if (d->settle_stepping) {
		uint64_t rip = 0;
		if (cpl != 3 || vcpu_rip(d, &rip, NULL))
			return guest_debug(d, 0) < 0 ? -1 : 0;
		if (rip != d->settle_rip && !d->said_overshoot) {
			d->said_overshoot = true;
			fprintf(stderr, "rrv: debug: this CPU ran one instruction "
				"past a stop before rrv could stop it (at 0x%llx, "
				"not 0x%llx)\n", (unsigned long long)rip,
				(unsigned long long)d->settle_rip);
		}
		settle_done(d, tid);
		return 0;
	}
	if (!d->stepping)
		return guest_debug(d, 0) < 0 ? -1 : 0;
	if (cpl != 3) {
		/* The step went into the kernel (a fault): the stop is at the
		 * thread's next ring-3 instruction. */
		d->stepping = false;
		d->step_via_return = true;
		sync_user_return(d);
		return guest_debug(d, 0) < 0 ? -1 : 0;
	}
	if (tid != d->step_tid) /* another thread runs: keep stepping */
		return guest_debug(d, 0) < 0 ? -1 : 0;
	d->stepping = false;
	d->cur_tid = tid;
	d->in_user = true;
	d->frame = d->frame_fx = 0;
	struct gdb_stop s = { .kind = GDB_STOP_BREAK, .tid = tid };
	stop_with(d, &s);
	return 0;
}

static int on_debug_exit(void *ctx, const struct kvm_debug_exit_arch *a)
{
	struct dbg *d = ctx;
	int r;
	if (a->exception == 1)
		r = on_single_step(d, a->dr6);
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
	if (d->goto_pending && index >= d->opt.goto_event) {
		d->goto_pending = false;
		if (d->pid) {
			d->await_return = true;
			sync_user_return(d);
		}
		/* else: the process has not run yet; its EXEC stops. */
	}
	if (d->how && d->how->stop_event && index >= d->how->stop_event &&
	    !d->want_pause) {
		struct gdb_stop s = { .kind = GDB_STOP_BREAK, .tid = dbg_current_tid(d) };
		d->cur_tid = s.tid;
		d->in_user = false;
		d->frame = d->frame_fx = 0;
		d->settle = d->settle_stepping = false;
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
	d->settle = d->settle_stepping = false;
	if (how->action == DBG_STEP) {
		uint32_t tid = how->tid ? how->tid : d->cur_tid;
		d->step_tid = tid;
		uint64_t rip = 0, rflags = 0, cr3 = 0;
		int cpl = 0;
		if (d->in_user && tid == d->cur_tid && vcpu_rip(d, &rip, &rflags) == 0 &&
		    dbg_vcpu_cr3(d, &cr3, &cpl) == 0 && !enters_kernel(d, cr3, rip)) {
			d->stepping = true;
			d->step_rflags = rflags;
		} else {
			/* In the kernel, or about to enter it: the thread's next
			 * ring-3 instruction ends the step. */
			d->step_via_return = true;
		}
	}
	/* Breakpoints on pages not in memory yet go in when they come. */
	d->state = DBG_RUNNING;
	d->bp_pending = bp_arm_all(d);
	sync_user_return(d);
	if (guest_debug(d, 0) < 0) {
		fprintf(stderr, "rrv: debug: KVM_SET_GUEST_DEBUG failed\n");
		return -EIO;
	}
	int ended = loop(d);
	d->how = NULL;
	bp_disarm_all(d);
	d->stepping = false;
	d->step_via_return = false;
	d->bp_pending = 0;
	d->settle = d->settle_stepping = false;
	if (d->state != DBG_ENDED)
		sync_user_return(d);
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
	pos->gone = d->state == DBG_GONE || d->state == DBG_ENDED;
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
		watch_clear_all(d);
		d->step_via_return = d->await_return = false;
		d->bp_pending = 0;
		sync_user_return(d);
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
