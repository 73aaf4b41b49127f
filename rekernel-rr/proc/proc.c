/*
 * Processes and threads (contracts in proc.h).  The first process and its
 * first thread are static: the program rrv runs, whose identity is the
 * host process's (BOOT tells it), so that getpid and friends say what
 * they would say natively.  Later ones (fork.c, clone) are allocated, and
 * their ids follow the first pid in creation order.
 */
#include "proc/proc.h"

#include <rrv/arglimit.h>
#include <rrv/hypercall.h>

#include "arch/x86/fpu.h"
#include "arch/x86/vm.h"
#include "arch/x86/x86.h"
#include "hv/hypercall.h"
#include "lib/bootinfo.h"
#include "lib/kprintf.h"
#include "lib/string.h"
#include "mm/kalloc.h"
#include "mm/mm.h"
#include "proc/debugger.h"
#include "proc/preempt.h"
#include "proc/sched.h"
#include "proc/signal.h"
#include "uapi/errno.h"

static struct proc proc0;
static struct thread thread0;

struct proc *curproc;
struct thread *curthread;
struct proc *procs;
int threads_live;
struct rrv_guest_state guest_state;

int proc_fg_pgid(void)
{
	return proc0.pid;
}

static int last_id;

/* struct proc holds whole signal tables: more than kmalloc's page. */
#define PROC_PAGES ((sizeof(struct proc) + PGSIZE - 1) / PGSIZE)

/* The VMM reads the saved registers as a struct rrv_user_regs. */
_Static_assert(sizeof(struct trapframe) == sizeof(struct rrv_user_regs),
	       "struct trapframe must match struct rrv_user_regs");

/* The thread's kernel stack: every system call and trap from ring 3
 * starts at its top (TSS.rsp0, and syscall_entry's switch). */
KSTACK_DEFINE(thread0_kstack);

static void set_rlimit(int r, uint64_t cur, uint64_t max)
{
	proc0.rlimit[r].cur = cur;
	proc0.rlimit[r].max = max;
}

/*
 * Linux's defaults for a process started from a Debian login, except
 * those Linux derives from the machine's memory, which are derived from
 * the guest's here so that they are the same in every run.
 */
static void default_rlimits(void)
{
	/* Linux: max_threads = RAM pages / 32 (16 KiB stacks, 1/8 of RAM),
	 * and RLIMIT_NPROC and RLIMIT_SIGPENDING are half of that. */
	uint64_t max_threads = kalloc_total_pages() / 32;
	if (max_threads < 20)
		max_threads = 20;

	for (int r = 0; r < RLIM_NLIMITS; r++)
		set_rlimit(r, RLIM_INFINITY, RLIM_INFINITY);
	/* The stack limit is the host's, as a shell's child inherits it
	 * (BOOT, since ABI v8): the room for argv and envp derives from it,
	 * and a command line must fit here when it fits natively. */
	const struct rrv_hc_boot *b = &bootinfo.reply;
	if (b->stack_kib)
		set_rlimit(RLIMIT_STACK, rrv_stack_from_kib(b->stack_kib),
			   rrv_stack_from_kib(b->stack_max_kib));
	else
		set_rlimit(RLIMIT_STACK, RRV_STK_LIM, RLIM_INFINITY);
	set_rlimit(RLIMIT_CORE, 0, RLIM_INFINITY);
	set_rlimit(RLIMIT_NPROC, max_threads / 2, max_threads / 2);
	set_rlimit(RLIMIT_NOFILE, 1024, 524288);
	set_rlimit(RLIMIT_MEMLOCK, 8ull << 20, 8ull << 20);
	set_rlimit(RLIMIT_SIGPENDING, max_threads / 2, max_threads / 2);
	set_rlimit(RLIMIT_MSGQUEUE, 819200, 819200);
	set_rlimit(RLIMIT_NICE, 0, 0);
	set_rlimit(RLIMIT_RTPRIO, 0, 0);
}

/* mm's questions about the running process (mm/mm.h). */
static uint64_t running_stack_limit(void)
{
	return curproc ? curproc->rlimit[RLIMIT_STACK].cur : MM_DEFAULT_STACK_LIMIT;
}

__attribute__((noreturn)) static void out_of_memory(uint64_t va, uint64_t rss_bytes)
{
	uint64_t rip = curthread && curthread->tf ? curthread->tf->rip : 0;

	kwarn("out of guest memory: the program uses %lu MiB of %lu MiB, and "
	      "needed a page at 0x%lx; it is killed as by the OOM killer "
	      "(give the guest more memory with --memory)\n",
	      rss_bytes >> 20, (kalloc_total_pages() * PGSIZE) >> 20, va);
	proc_exit(RRV_EXIT_SIGNAL, SIGKILL, rip, va, false);
}

static const struct mm_hooks proc_mm_hooks = {
	.stack_limit = running_stack_limit,
	.oom = out_of_memory,
};

void proc_init(void)
{
	const struct rrv_hc_boot *b = &bootinfo.reply;

	mm_set_hooks(&proc_mm_hooks);

	proc0.pid = b->pid;
	proc0.ppid = b->ppid;
	proc0.uid = b->uid;
	proc0.euid = proc0.suid = b->euid;
	proc0.gid = b->gid;
	proc0.egid = proc0.sgid = b->egid;
	proc0.umask = b->umask;
	proc0.prctl.dumpable = 1;
	proc0.prctl.timerslack = 50000; /* ns: Linux's default */
	default_rlimits();

	/* The main thread's id is the process id, as in Linux. */
	thread0.tid = proc0.pid;
	thread0.state = T_RUNNABLE;
	thread0.proc = &proc0;
	thread0.kstack_top = KSTACK_TOP(&thread0_kstack);
	thread0.syscall_nr = -1;

	/* comm is the file name of the program, cut to 15 bytes. */
	const char *name = bootinfo.exec_path;
	for (const char *p = name; *p; p++)
		if (*p == '/')
			name = p + 1;
	size_t n = strnlen(name, sizeof(thread0.comm) - 1);
	memcpy(thread0.comm, name, n);

	proc0.threads = &thread0;
	proc0.nlive = 1;
	proc0.pgid = proc0.sid = proc0.pid;
	proc0.exit_signal = SIGCHLD;
	last_id = proc0.pid;
	threads_live = 1;

	procs = &proc0;
	curproc = &proc0;
	curthread = &thread0;
}

int proc_new_id(void)
{
	/* Linux wraps at pid_max; ids are never reused here, and a run
	 * would need billions of forks to get there. */
	return ++last_id;
}

int64_t proc_self_pid_or(uint64_t pid, int64_t err)
{
	int32_t p = (int32_t)pid;
	if (p < 0)
		return -EINVAL;
	return p == 0 || p == curproc->pid ? 0 : err;
}

struct proc *proc_find(int pid)
{
	for (struct proc *p = procs; p; p = p->next)
		if (p->pid == pid && p->state != P_DEAD)
			return p;
	return NULL;
}

struct proc *proc_alloc(void)
{
	return page_alloc_run((int)PROC_PAGES);
}

void proc_free(struct proc *p)
{
	if (p == &proc0)
		return;
	signal_drop_pending(NULL, p);
	for (size_t i = 0; i < PROC_PAGES; i++)
		page_free((char *)p + i * PGSIZE);
}

_Static_assert(sizeof(struct thread) <= PGSIZE, "struct thread must fit kmalloc");

struct thread *thread_create(struct proc *p, const struct thread *from, uint64_t sp, int tid)
{
	extern char thread_first_entry[]; /* swtch.S */
	struct thread *t = kmalloc(sizeof(*t));
	void *kstack = page_alloc_run(KSTACK_SIZE / PGSIZE);

	if (!t || !kstack) {
		kfree(t);
		if (kstack)
			for (int i = 0; i < KSTACK_SIZE / PGSIZE; i++)
				page_free((char *)kstack + i * PGSIZE);
		return NULL;
	}
	t->tid = tid;
	t->proc = p;
	t->kstack = kstack;
	t->kstack_top = (uint64_t)(uintptr_t)kstack + KSTACK_SIZE;
	t->syscall_nr = -1;
	/* Every entry from ring 3 builds its frame at the stack's top. */
	t->tf = (struct trapframe *)(t->kstack_top - sizeof(struct trapframe));
	*t->tf = *from->tf;
	t->tf->rax = 0;
	if (sp)
		t->tf->rsp = sp;
	/* Its first swtch pops six callee-saved registers (zero) and
	 * returns to thread_first_entry, which leaves for ring 3 through
	 * the trapframe just above. */
	uint64_t *ksp = (uint64_t *)t->tf;
	*--ksp = (uint64_t)(uintptr_t)thread_first_entry;
	for (int i = 0; i < 6; i++)
		*--ksp = 0;
	t->ksp = (uint64_t)(uintptr_t)ksp;

	/* The creator is running: its FPU state is the CPU's. */
	fpu_save(t->fxstate);
	t->fs_base = from->fs_base;
	t->gs_base = from->gs_base;
	t->sigmask = from->sigmask;
	t->altstack_flags = SS_DISABLE;
	memcpy(t->comm, from->comm, sizeof(t->comm));
	return t;
}

void thread_free(struct thread *t)
{
	signal_drop_pending(t, NULL);
	/* thread0's stack and struct are static. */
	if (!t->kstack)
		return;
	for (int i = 0; i < KSTACK_SIZE / PGSIZE; i++)
		page_free((char *)t->kstack + i * PGSIZE);
	kfree(t);
}

void proc_add_thread(struct thread *t)
{
	struct thread **pp = &t->proc->threads;
	while (*pp)
		pp = &(*pp)->next;
	*pp = t;
	t->soon_left = PREEMPT_PROBE_TICKS;
	proc_nlive_add(t->proc, 1);
	sched_add(t);
}

/* Processes with more than one live thread. */
static int procs_threaded;

void proc_nlive_add(struct proc *p, int delta)
{
	int before = procs_threaded;

	if (p->nlive > 1)
		procs_threaded--;
	p->nlive += delta;
	if (p->nlive > 1)
		procs_threaded++;
	threads_live += delta;
	/* Asynchronous preemption is for the threads of one process
	 * (preempt.c): the VMM runs its tick only while some process has
	 * several, so tell it when that changes. */
	if ((before > 0) != (procs_threaded > 0))
		preempt_ticks_come(hc_threads(procs_threaded > 0 ? 2 : 1) == 1);
	/* A new thread: the dirty bits start afresh, so that its points'
	 * digests cover what was written since (docs/threads.md). */
	if (delta > 0 && p->mm)
		mm_dirty_clear(p->mm);
}

void proc_exit(uint32_t how, int32_t status, uint64_t rip, uint64_t addr, bool core)
{
	if (curproc == initproc)
		machine_exit(how, status, rip, addr, core);
	/* Linux sets the core bit only for a core actually written, which
	 * RLIMIT_CORE 0 (the default) prevents. */
	if (how == RRV_EXIT_SIGNAL)
		proc_zombie((status & 0x7f) |
			    (core && curproc->rlimit[RLIMIT_CORE].cur ? 0x80 : 0));
	proc_zombie((status & 0xff) << 8);
}

void machine_exit(uint32_t how, int32_t status, uint64_t rip, uint64_t addr, bool core)
{
	struct rrv_hc_exit e;

	/* rrv debug: the first process ends here, its memory still there,
	 * with the wait status its PROCESS event gives below. */
	if (how != RRV_EXIT_EXEC && curproc == initproc)
		dbg_exit(how == RRV_EXIT_SIGNAL ? (status & 0x7f) | (core ? 0x80 : 0)
						: (status & 0xff) << 8);

	/* The exit itself is a system call that needs the host. */
	if (curthread && curthread->syscall_nr >= 0)
		proc0.nsyscalls_host++;
	if (cmdline_has("stats") && proc0.mm)
		kprintf("stats: %lu page faults served in the guest, at most %lu KiB "
			"of program memory, %lu of %lu MiB of guest memory free at exit\n",
			proc0.mm->nfaults, proc0.mm->peak_rss * (PGSIZE / 1024),
			(kalloc_free_pages() * PGSIZE) >> 20,
			(kalloc_total_pages() * PGSIZE) >> 20);

	/* Shared file mappings reach their files at exit, as in Linux. */
	if (proc0.mm)
		mm_sync_all(proc0.mm);

	memset(&e, 0, sizeof(e));
	e.how = how;
	e.status = status;
	e.rip = rip;
	e.addr = addr;
	e.core = core;
	e.syscalls = proc0.nsyscalls;
	e.syscalls_host = proc0.nsyscalls_host;
	/* The first process ends with the machine (a program that could not
	 * start never had one); its status as a wait would give it. */
	if (how != RRV_EXIT_EXEC)
		hc_process(RRV_PROC_EXIT, proc0.pid, proc0.ppid,
			   how == RRV_EXIT_SIGNAL ? (status & 0x7f) | (core ? 0x80 : 0)
						  : (status & 0xff) << 8, NULL, 0);
	hc_call(RRV_HC_EXIT, &e);
	halt_forever();
}
