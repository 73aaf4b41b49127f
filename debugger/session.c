/*
 * The session: a replay (replay/replay.c) whose vCPU loop pauses where
 * gdb wants a stop, and the run control every resume goes through
 * (dbg_run).  Stops come from two places:
 *   - the guest kernel's DEBUG calls (on_debug_event): an int3 of ours or
 *     the end of a step (BREAKPOINT), a watchpoint, a signal, an exec,
 *     the exit, a return to ring 3 that was asked for;
 *   - the replayer's after-event callback (after_event): BOOT (the ABI
 *     check), --goto's event, an event limit of dbg_run.
 * A stop is always inside the kernel, in that call, with the thread's
 * registers in the frame ring 3 resumes from.  KVM's guest debugging is
 * never used (docs/debugging.md, "Why not KVM_GUESTDBG_USE_SW_BP"): a
 * step is the trace flag in the thread's frame, and the kernel asks
 * before it treats the trap as the program's.
 */
#include "session.h"

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "files.h"
#include "replay/replay.h"
#include "reverse.h"
#include "vmm/guest_mem.h"
#include "vmm/guestdbg.h"
#include "vmm/vcpu.h"

#define X86_EFLAGS_TF (1ull << 8)
#define X86_EFLAGS_RF (1ull << 16)
#define DR6_BS (1ull << 14)      /* the #DB was a single step */

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
	uint32_t want = d->step_via_return || d->await_return || d->bp_pending;
	if (want == d->rq.stop_user_return || d->vm->guest_abi < 9)
		return;
	d->rq.stop_user_return = want;
	dbg_publish(d);
}

/* --------------------------------------------------------------- stops */

/* The run has its answer: the vCPU loop returns, inside the DEBUG call
 * (or the recorded event) that found it. */
static void stop_with(struct dbg *d, const struct gdb_stop *s)
{
	d->out = *s;
	d->want_pause = true;
	d->vm->debug.pause = true;
}

/*
 * Every stop is inside the kernel, at a DEBUG call about the thread: its
 * registers are the frame ring 3 resumes from (which the call names), its
 * FPU state the CPU's.  gdb sees the thread as natively: at an
 * instruction not yet run, or after a fault.
 */
static void stop_in(struct dbg *d, const struct rrv_hc_debug *ev,
		    const struct gdb_stop *s)
{
	d->cur_tid = ev->tid;
	d->frame = ev->regs;
	d->frame_fx = ev->fxsave;
	d->stepping = false;
	d->step_via_return = false;
	d->await_return = false;
	stop_with(d, s);
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

static bool is_ours(const struct dbg *d, pid_t pid)
{
	return d->pid && pid == d->pid;
}

/* The frame of a DEBUG call, in guest memory (checked by the VMM). */
static struct rrv_user_regs *frame_at(struct dbg *d, rrv_gpa_t gpa)
{
	return gpa ? GUEST_AT(&d->vm->mem, gpa, sizeof(struct rrv_user_regs)) : NULL;
}

/*
 * The step's trace flag out of the frame again, unless the program had
 * set it itself: a step that faulted, or that ends at a signal, must not
 * leave it where the program could see it (a signal frame, a sigreturn).
 */
static void clear_step_tf(struct dbg *d, struct rrv_user_regs *u)
{
	if (u && !d->step_had_tf)
		u->rflags &= ~X86_EFLAGS_TF;
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
	const struct rrv_user_regs *u = frame_at(d, ev->regs);
	if (!wanted && !is_ours(d, ev->pid)) {
		if (first_program) {
			if (u)
				xfer_save_auxv(d, ev->cr3, u->rsp);
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
	if (u)
		xfer_save_auxv(d, ev->cr3, u->rsp);
	if (first_program) {
		snprintf(d->exec_path, sizeof(d->exec_path), "%s",
			 d->cfg.exec_path ? d->cfg.exec_path : "");
	} else {
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
		stop_in(d, ev, &s);
	}
}

/* A watchpoint fired (a trap: the frame is past the access).  During a
 * step the step's own trap follows in the same #DB: the stop waits for
 * it, so that the thread stops once. */
static void on_watch(struct dbg *d, const struct rrv_hc_debug *ev)
{
	if (!is_ours(d, ev->pid) || !d->started)
		return;
	int i = watch_hit(d, ev->detail);
	if (i < 0 || !watch_changed(d, i, ev->cr3))
		return;
	struct gdb_stop s = {
		.kind = GDB_STOP_WATCH, .tid = ev->tid,
		.type = d->watch[i].type, .addr = d->watch[i].addr,
	};
	if (!hit_stops(d, &s))
		return;
	struct rrv_user_regs *u = frame_at(d, ev->regs);
	if (d->stepping && ev->tid == d->step_tid && u && (u->rflags & X86_EFLAGS_TF)) {
		d->step_watch = s;
		d->have_step_watch = true;
		return;
	}
	clear_step_tf(d, d->stepping && ev->tid == d->step_tid ? u : NULL);
	stop_in(d, ev, &s);
}

/* The debugger's own single step: the trace flag it set in the frame. */
static void on_step_trap(struct dbg *d, const struct rrv_hc_debug *ev,
			 struct rrv_user_regs *u)
{
	clear_step_tf(d, u);
	d->vm->debug.answer = 1;
	struct gdb_stop s = { .kind = GDB_STOP_BREAK, .tid = ev->tid };
	if (d->have_step_watch) {
		s = d->step_watch;
		d->have_step_watch = false;
	}
	stop_in(d, ev, &s);
}

static bool enters_kernel(struct dbg *d, uint64_t cr3, uint64_t rip);

/* A breakpoint stepped over: the trace flag out of the frame, the int3
 * back in (not once the session is ending). */
static void over_done(struct dbg *d, struct rrv_user_regs *u)
{
	if (!d->over_had_tf)
		u->rflags &= ~X86_EFLAGS_TF;
	struct dbg_bp *b = &d->bps[d->over_bp];
	uint8_t old;
	if (b->used && !d->finishing && d->state == DBG_RUNNING &&
	    bp_poke(d, d->over_cr3, b->addr, 0xcc, &old) == 0 &&
	    d->over_cr3 == mem_root(d))
		b->in_memory = true;
	d->over_bp = -1;
	d->vm->debug.answer = 1;
}

/*
 * An int3 (detail 0, the frame past it) or a single-step trap (detail
 * DR6) the guest kernel asks about (BREAKPOINT).  One of ours: the frame
 * as ring 3 must resume, answer 1.  A hit that is not a stop (another
 * process, through a page a fork shared; another thread while gdb steps
 * one; a hit collect or stop_hits let pass) is stepped over: the byte
 * back, the one instruction run with the trace flag, the int3 back at
 * its trap.  Not ours: the program's own, answer 0.
 */
static void on_guest_trap(struct dbg *d, const struct rrv_hc_debug *ev)
{
	struct rrv_user_regs *u = frame_at(d, ev->regs);
	if (!u || (d->state != DBG_RUNNING && !d->finishing))
		return;
	if (ev->detail & DR6_BS) {
		if (d->over_bp >= 0 && ev->tid == d->over_tid)
			over_done(d, u);
		else if (d->stepping && ev->tid == d->step_tid && is_ours(d, ev->pid))
			on_step_trap(d, ev, u);
		return;
	}
	if (ev->detail) {
		/* A #DB that is neither a step nor an int3 (which has detail
		 * 0), in a thread the engine steps: after a watchpoint stop,
		 * tools/with-kvm's QEMU (7.2, docs/with-kvm.md) raises the hit
		 * the thread was stopped at once more (DR6 B1, no BS) before
		 * the step's instruction runs.  It is no signal of the
		 * program's: the thread resumes on the instruction, trace flag
		 * still set, RF against a fault-class breakpoint firing again. */
		bool ours_step = (d->over_bp >= 0 && ev->tid == d->over_tid) ||
				 (d->stepping && ev->tid == d->step_tid &&
				  is_ours(d, ev->pid));
		if (ours_step) {
			u->rflags |= X86_EFLAGS_RF;
			d->vm->debug.answer = 1;
		}
		return;
	}
	uint64_t at = u->rip - 1;
	int i = bp_find(d, at);
	if (i < 0 || (!d->bps[i].in_memory && ev->cr3 == mem_root(d)))
		return;
	uint8_t old, cur;
	/* Ours only if the byte there is an int3 we did not find there. */
	if (mem_read_root(d, ev->cr3, at, &cur, 1) != 1 || cur != 0xcc ||
	    d->bps[i].orig == 0xcc)
		return;
	bool mine = is_ours(d, ev->pid) && ev->cr3 == mem_root(d);
	/* The byte back where this thread runs; the thread resumes on it. */
	if (bp_poke(d, ev->cr3, at, d->bps[i].orig, &old))
		return;
	u->rip = at;
	d->vm->debug.answer = 1;
	if (mine)
		d->bps[i].in_memory = false;
	if (d->finishing)
		return;
	struct gdb_stop s = { .kind = GDB_STOP_BREAK, .tid = ev->tid, .swbreak = true };
	if (mine && !(d->stepping && ev->tid != d->step_tid) && hit_stops(d, &s)) {
		if (d->stepping)
			clear_step_tf(d, frame_at(d, d->step_frame));
		stop_in(d, ev, &s);
		return;
	}
	if (d->over_bp < 0 && !enters_kernel(d, ev->cr3, at)) {
		d->over_bp = i;
		d->over_tid = ev->tid;
		d->over_cr3 = ev->cr3;
		d->over_had_tf = (u->rflags & X86_EFLAGS_TF) != 0;
		u->rflags |= X86_EFLAGS_TF;
	}
}

static void on_signal(struct dbg *d, const struct rrv_hc_debug *ev)
{
	if (!is_ours(d, ev->pid) || !d->started)
		return;
	/* A step that made the kernel deliver a signal ends at it. */
	if (d->stepping && ev->tid == d->step_tid)
		clear_step_tf(d, frame_at(d, ev->regs));
	struct gdb_stop s = { .kind = GDB_STOP_SIGNAL, .tid = ev->tid,
			      .signo = ev->signo };
	stop_in(d, ev, &s);
	d->stop_is_signal = true;
	/* A function gdb called faulted (gdb's return address on a stack
	 * that is not executable is one such fault, its end): the throwaway
	 * machine takes no signal; the next resume is another call, from
	 * the frame gdb sets, or puts the recording back (call.c). */
	if (d->vm->hc.holding) {
		d->vm->debug.answer = 1;
		d->stop_is_signal = false;
	}
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
	stop_in(d, ev, &s);
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
	d->await_stop = (struct gdb_stop){ .kind = GDB_STOP_BREAK };
	sync_user_return(d);
}

static void on_user_return(struct dbg *d, const struct rrv_hc_debug *ev)
{
	if (!is_ours(d, ev->pid))
		return;
	d->cr3 = ev->cr3;
	/* A breakpoint whose page the fault just brought in. */
	if (d->bp_pending && d->state == DBG_RUNNING)
		d->bp_pending = bp_arm_all(d);
	if (d->await_return) {
		/* --goto, -p, ^C: the first ring-3 instruction after it. */
		struct gdb_stop s = d->await_stop;
		s.tid = ev->tid;
		stop_in(d, ev, &s);
	} else if (d->step_via_return && ev->tid == d->step_tid) {
		struct gdb_stop s = { .kind = GDB_STOP_BREAK, .tid = ev->tid };
		stop_in(d, ev, &s);
	}
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
	[RRV_DEBUG_BREAKPOINT] = on_guest_trap,
};

/* Polls the client's ^C; the stop is at the debugged process's next
 * return to ring 3. */
static void poll_interrupt(struct dbg *d)
{
	const struct dbg_run *how = d->how;
	if (d->want_pause || d->await_return || !d->pid || !how ||
	    !how->interrupted || !how->interrupted(how->intr_ctx))
		return;
	d->await_return = true;
	d->await_stop = (struct gdb_stop){ .kind = GDB_STOP_INTERRUPTED };
	sync_user_return(d);
}

static int on_debug_event(void *ctx, const struct rrv_hc_debug *ev)
{
	struct dbg *d = ctx;
	/* The session is over: only int3s left in a page another process
	 * copied, and a step-over under way, are still ours. */
	if (d->finishing) {
		if (ev->event == RRV_DEBUG_BREAKPOINT)
			on_guest_trap(d, ev);
		return VMM_DEBUG_GO;
	}
	if (ev->event < sizeof(event_handlers) / sizeof(event_handlers[0]) &&
	    event_handlers[ev->event])
		event_handlers[ev->event](d, ev);
	poll_interrupt(d);
	return d->want_pause ? VMM_DEBUG_PAUSE : VMM_DEBUG_GO;
}

/* The instruction at rip enters the kernel (syscall): a step over it is
 * finished by the thread's next return to ring 3, since the trace flag
 * would follow it into the kernel. */
static bool enters_kernel(struct dbg *d, uint64_t cr3, uint64_t rip)
{
	uint8_t b[2];
	if (mem_read_root(d, cr3, rip, b, 2) != 2)
		return false;
	return b[0] == 0x0f && b[1] == 0x05;
}

/*
 * Starts a step of tid: the trace flag in the frame it resumes from (the
 * stop's own frame, or the one the thread table names for a thread that
 * is not running), so that the CPU traps after one instruction in ring 3
 * and the kernel asks us (BREAKPOINT with BS).  A signal stop (the kernel
 * has yet to act on the signal, and would save the flag in a signal
 * frame), a stop without a frame, or a system call instruction: the step
 * ends at the thread's next return to ring 3 instead.
 */
static void begin_step(struct dbg *d, uint32_t tid)
{
	d->step_tid = tid;
	d->have_step_watch = false;
	rrv_gpa_t frame = 0;
	if (tid == d->cur_tid && d->frame) {
		frame = d->frame;
	} else if (tid != d->cur_tid) {
		struct rrv_debug_thread t;
		const struct rrv_debug_thread *slot = dbg_thread(d, tid, &t);
		if (slot && slot->pid == d->pid && slot->state != RRV_DT_RUNNING)
			frame = slot->user_regs;
	}
	struct rrv_user_regs *u = frame_at(d, frame);
	if (!u || d->stop_is_signal || enters_kernel(d, mem_root(d), u->rip)) {
		d->step_via_return = true;
		return;
	}
	d->step_frame = frame;
	d->step_had_tf = (u->rflags & X86_EFLAGS_TF) != 0;
	u->rflags |= X86_EFLAGS_TF;
	d->stepping = true;
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
	/* rrv dump numbers events from 0: event N is replayed once N + 1
	 * were consumed. */
	if (d->goto_pending && index > d->opt.goto_event) {
		d->goto_pending = false;
		if (d->pid) {
			d->await_return = true;
			d->await_stop = (struct gdb_stop){ .kind = GDB_STOP_BREAK };
			sync_user_return(d);
		}
		/* else: the process has not run yet; its EXEC stops. */
	}
	if (d->how && d->how->stop_event && index >= d->how->stop_event &&
	    !d->want_pause) {
		struct gdb_stop s = { .kind = GDB_STOP_BREAK, .tid = dbg_current_tid(d) };
		d->cur_tid = s.tid;
			d->frame = d->frame_fx = 0;
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
	if (how->action == DBG_STEP)
		begin_step(d, how->tid ? how->tid : d->cur_tid);
	d->stop_is_signal = false;
	/* Breakpoints on pages not in memory yet go in when they come. */
	d->state = DBG_RUNNING;
	d->bp_pending = bp_arm_all(d);
	watch_note_values(d);
	sync_user_return(d);
	int ended = loop(d);
	d->how = NULL;
	bp_disarm_all(d);
	d->stepping = false;
	d->step_via_return = false;
	d->bp_pending = 0;
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
	pos->frame = d->frame != 0;
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
	d->over_bp = -1;
	d->rep = replayer_open(d->trace, &d->cfg, status);
	if (!d->rep) {
		free(d);
		return NULL;
	}
	d->cfg.no_pmu = o->no_pmu;
	cp_configure(d);
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
	d->vm->debug.ctx = d;
	d->vm->hc.held = call_on_host_call;
	d->vm->hc.held_ctx = d;
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
	/* An older trace is refused at BOOT (refuse_old), by a pause that
	 * dbg_run reports as a stop: the status says it. */
	if (d->vm_status == DBG_EXIT_CANNOT)
		return DBG_EXIT_CANNOT;
	if (d->state == DBG_ENDED) {
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
	/* Going backwards needs the first checkpoint; without it the
	 * session goes on forwards only. */
	if (cp_start(d))
		fprintf(stderr, "rrv: debug: no checkpoints: reverse execution "
			"is off for this session\n");
	return 0;
}

int dbg_finish(struct dbg *d)
{
	/* What gdb changed goes away before the replay runs on. */
	if (call_undo(d) < 0 && d->state != DBG_ENDED) {
		d->state = DBG_ENDED;
		d->vm_status = RRV_PANIC_STATUS;
	}
	d->vm->exit_hook = NULL; /* no more checkpoints */
	if (d->state != DBG_ENDED) {
		/* The breakpoints stay known (a copy of a page another process
		 * made while one was in it may still hold its int3), but none
		 * goes into memory again. */
		d->finishing = true;
		watch_clear_all(d);
		d->step_via_return = d->await_return = false;
		d->bp_pending = 0;
		sync_user_return(d);
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
	cp_free(d);
	vmm_destroy(d->vm);
	replayer_free(d->rep);
	free(d);
}
