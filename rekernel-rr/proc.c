/*
 * The process and its thread (contracts in proc.h).  There is exactly one
 * of each, statically allocated: the program rrv runs.  Its identity is
 * the host process's (BOOT tells it), so that getpid and friends say what
 * they would say natively.
 */
#include "proc.h"

#include <rrv/hypercall.h>

#include "hypercall.h"
#include "kalloc.h"
#include "kprintf.h"
#include "main.h"
#include "mm.h"
#include "string.h"
#include "vm.h"
#include "x86.h"

static struct proc proc0;
static struct thread thread0;

struct proc *curproc;
struct thread *curthread;
struct rrv_guest_state guest_state;

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
	set_rlimit(RLIMIT_STACK, 8ull << 20, RLIM_INFINITY);
	set_rlimit(RLIMIT_CORE, 0, RLIM_INFINITY);
	set_rlimit(RLIMIT_NPROC, max_threads / 2, max_threads / 2);
	set_rlimit(RLIMIT_NOFILE, 1024, 524288);
	set_rlimit(RLIMIT_MEMLOCK, 8ull << 20, 8ull << 20);
	set_rlimit(RLIMIT_SIGPENDING, max_threads / 2, max_threads / 2);
	set_rlimit(RLIMIT_MSGQUEUE, 819200, 819200);
	set_rlimit(RLIMIT_NICE, 0, 0);
	set_rlimit(RLIMIT_RTPRIO, 0, 0);
}

void proc_init(void)
{
	const struct rrv_hc_boot *b = &bootinfo.reply;

	proc0.pid = b->pid;
	proc0.ppid = b->ppid;
	proc0.uid = b->uid;
	proc0.euid = proc0.suid = b->euid;
	proc0.gid = b->gid;
	proc0.egid = proc0.sgid = b->egid;
	proc0.umask = b->umask;
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
	proc0.last_tid = proc0.pid;

	curproc = &proc0;
	curthread = &thread0;
}

void proc_exit(uint32_t how, int32_t status, uint64_t rip, uint64_t addr, bool core)
{
	struct rrv_hc_exit e;

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
	hc_call(RRV_HC_EXIT, &e);
	halt_forever();
}
