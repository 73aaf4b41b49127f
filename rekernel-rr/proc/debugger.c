/*
 * rrv debug's half in the guest kernel (contracts in debugger.h).
 *
 * Why it cannot change the run.  Everything here is behind
 * guest_state.debug.on, which is zero unless rrv debug set it.  When set,
 * it reads kernel state and writes only three things: the thread table
 * (a static array, no allocation, that nothing in the kernel reads back),
 * the debug registers DR1-DR3 and their DR7 bits (which only raise a #DB
 * that this file answers, changing nothing), and the DEBUG hypercall's
 * static struct.  DEBUG is untraced (the VMM's dispatcher neither
 * records nor checks it), and the call is not counted as host work of
 * the system call in progress (thread.used_host), whose count EXIT
 * reports in a traced struct.  Values the VMM wrote decide only whether
 * a DEBUG call is made and what DR1-DR3 hold.
 */
#include "proc/debugger.h"

#include <rrv/hypercall.h>

#include "arch/x86/debugreg.h"
#include "arch/x86/vm.h"
#include "hv/hypercall.h"
#include "lib/string.h"
#include "mm/mm.h"
#include "proc/proc.h"

static struct rrv_debug_thread table[RRV_DEBUG_THREADS_MAX];
static uint32_t table_used; /* slots written last time */

/* The watchpoints: the request generation whose DR1-DR3 are loaded, the
 * DR7 bits loaded for the thread now in ring 3, and those it left ring 3
 * with (for the #DB that brought it in). */
static uint32_t loaded_gen;
static bool loaded_any;
static uint64_t user_dr7, entered_dr7;

/* The fault signal already reported, so that its delivery is not
 * reported a second time. */
static struct thread *fault_thread;
static int fault_signo;

static bool on(void)
{
	return *(volatile uint32_t *)&guest_state.debug.on != 0;
}

static uint32_t slot_state(const struct thread *t)
{
	if (t->state == T_ZOMBIE)
		return RRV_DT_EXITED;
	if (t == curthread)
		return RRV_DT_RUNNING;
	return t->state == T_BLOCKED ? RRV_DT_BLOCKED : RRV_DT_RUNNABLE;
}

/* Rewrites the table from the process list (creation order), and bumps
 * its generation when a slot changed. */
static void sync_table(void)
{
	if (!guest_state.threads.table) {
		guest_state.threads.table = virt_to_phys(table);
		guest_state.threads.max = RRV_DEBUG_THREADS_MAX;
	}
	bool changed = false;
	uint32_t n = 0;
	for (struct proc *p = procs; p; p = p->next) {
		for (struct thread *t = p->threads; t && n < RRV_DEBUG_THREADS_MAX;
		     t = t->next) {
			struct rrv_debug_thread s = {
				.tid = (uint32_t)t->tid,
				.pid = p->pid,
				.state = slot_state(t),
				.in_syscall = t->syscall_nr >= 0,
				.syscall_nr = t->syscall_nr >= 0 ? (uint64_t)t->syscall_nr : 0,
				.cr3 = p->mm ? p->mm->pml4_pa : 0,
				.user_regs = t->tf ? virt_to_phys(t->tf) : 0,
				.fxsave = virt_to_phys(t->fxstate),
				.fs_base = t->fs_base,
				.gs_base = t->gs_base,
			};
			if (memcmp(&table[n], &s, sizeof(s))) {
				table[n] = s;
				changed = true;
			}
			n++;
		}
	}
	for (uint32_t i = n; i < table_used; i++) {
		memset(&table[i], 0, sizeof(table[i]));
		changed = true;
	}
	table_used = n;
	if (changed)
		guest_state.threads.generation++;
}

/* One DEBUG call about the current thread (or fields.tid, when set: a
 * new thread).  Static struct: the call is never nested (the VMM answers
 * it before the guest runs on). */
static int64_t event(uint32_t ev, const struct trapframe *tf,
		     struct rrv_hc_debug fields)
{
	static struct rrv_hc_debug a;
	struct thread *t = curthread;

	sync_table();
	a = fields;
	a.event = ev;
	if (!a.tid)
		a.tid = (uint32_t)t->tid;
	a.pid = t->proc->pid;
	a.regs = tf ? virt_to_phys(tf) : 0;
	a.fxsave = 0; /* the thread's FPU state is live in the CPU */
	a.cr3 = t->proc->mm ? t->proc->mm->pml4_pa : 0;
	/* Not the system call's host work: see the top of this file. */
	bool used = t->used_host;
	hc_call(RRV_HC_DEBUG, &a);
	t->used_host = used;
	return a.hdr.ret;
}

bool dbg_breakpoint(struct trapframe *tf, uint64_t dr6)
{
	if (!on())
		return false;
	/* 1: the debugger's int3 or single step; it has set tf already. */
	return event(RRV_DEBUG_BREAKPOINT, tf,
		     (struct rrv_hc_debug){ .detail = dr6 }) == 1;
}

void dbg_kernel_enter(void)
{
	entered_dr7 = user_dr7;
	if (!user_dr7)
		return;
	dr7_set(DR7_SLOTS123, 0);
	user_dr7 = 0;
}

/* The DR7 bits of slots 1-3 the request asks for, less any slot whose
 * address is not the program's (a watchpoint on the kernel would fire
 * in the kernel). */
static uint64_t wanted_dr7(const volatile struct rrv_debug_request *rq)
{
	uint64_t dr7 = rq->dr7 & DR7_SLOTS123;
	for (int n = 1; n <= 3; n++) {
		uint64_t slot = DR7_ENABLE(n) | (0xfull << (16 + 4 * n));
		if (rq->dr[n] >= USER_TOP)
			dr7 &= ~slot;
	}
	return dr7;
}

void dbg_user_return(struct trapframe *tf)
{
	if (!on())
		return;
	fault_thread = 0; /* its signal, if any, was delivered by now */
	sync_table();
	const volatile struct rrv_debug_request *rq = &guest_state.debug;
	struct proc *p = curproc;
	if (rq->pid == 0 || p->pid != rq->pid)
		return; /* dbg_kernel_enter left slots 1-3 off */
	if (rq->stop_user_return)
		event(RRV_DEBUG_USER_RETURN, tf, (struct rrv_hc_debug){ 0 });
	/* Read after the call: the debugger may change them there. */
	uint32_t gen = rq->generation;
	if (!loaded_any || gen != loaded_gen) {
		for (int n = 1; n <= 3; n++)
			dr_set_addr(n, rq->dr[n] < USER_TOP ? rq->dr[n] : 0);
		loaded_gen = gen;
		loaded_any = true;
	}
	uint64_t dr7 = wanted_dr7(rq);
	if (dr7) {
		dr7_set(DR7_SLOTS123, dr7);
		user_dr7 = dr7;
	}
}

bool dbg_watch_hit(struct trapframe *tf, uint64_t dr6)
{
	uint64_t mine = 0;
	for (int n = 1; n <= 3; n++)
		if ((entered_dr7 & DR7_ENABLE(n)) && (dr6 & DR6_B(n)))
			mine |= DR6_B(n);
	if (!mine || !on())
		return false;
	event(RRV_DEBUG_WATCH, tf, (struct rrv_hc_debug){ .detail = dr6 });
	return true;
}

bool dbg_kernel_db(void)
{
	if (!on())
		return false;
	uint64_t dr6;
	asm volatile("mov %%dr6, %0" : "=r"(dr6));
	if (!(dr6 & DR6_B123) || (dr6 & (DR6_B0 | DR6_BS)))
		return false;
	dr6_take();
	dr7_set(DR7_SLOTS123, 0);
	user_dr7 = 0;
	return true;
}

bool dbg_fault_signal(struct trapframe *tf, int signo, int code, uint64_t addr)
{
	if (!on())
		return false;
	/* ret 1: the debugger took the fault (a function gdb called, in a
	 * throwaway copy of the machine): no signal at all. */
	if (event(RRV_DEBUG_SIGNAL, tf, (struct rrv_hc_debug){
		    .signo = signo, .code = code, .addr = addr }) == 1)
		return true;
	fault_thread = curthread;
	fault_signo = signo;
	return false;
}

void dbg_deliver_signal(struct trapframe *tf, const struct k_siginfo *info)
{
	if (!on())
		return;
	if (fault_thread == curthread && fault_signo == info->signo) {
		fault_thread = 0; /* reported at the fault */
		return;
	}
	event(RRV_DEBUG_SIGNAL, tf, (struct rrv_hc_debug){
		.signo = info->signo, .code = info->code, .addr = info->addr });
}

void dbg_exec(struct trapframe *tf, uint64_t at_entry)
{
	if (!on())
		return;
	event(RRV_DEBUG_EXEC, tf, (struct rrv_hc_debug){
		.addr = tf->rip, .detail = at_entry });
}

void dbg_exit(int status)
{
	if (!on())
		return;
	event(RRV_DEBUG_EXIT, curthread->tf, (struct rrv_hc_debug){ .status = status });
}

void dbg_fork(int child)
{
	if (!on())
		return;
	event(RRV_DEBUG_FORK, curthread->tf, (struct rrv_hc_debug){
		.detail = (uint64_t)child });
}

void dbg_thread(int tid)
{
	if (!on())
		return;
	/* tid is the new thread; detail the one that made it. */
	event(RRV_DEBUG_THREAD, curthread->tf, (struct rrv_hc_debug){
		.tid = (uint32_t)tid, .detail = (uint64_t)curthread->tid });
}
