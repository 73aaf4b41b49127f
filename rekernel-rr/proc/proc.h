/*
 * Processes and threads.  The first process is the program rrv runs; fork,
 * vfork and clone make more (fork.c), each with threads sharing its memory,
 * files and signal handlers.  Every process is on one list in creation
 * order (procs), which is the order every walk over them takes, so that
 * the same run makes the same choices.
 *
 * Ownership: mm.c owns proc.mm, file.c owns proc.files, signal.c owns the
 * sig* fields, sched.c owns thread.state and the run queue, syscall.c owns
 * the syscall bookkeeping fields.  Everything runs on the one vCPU with
 * interrupts off, so there are no locks.
 */
#ifndef REKERNEL_PROC_H
#define REKERNEL_PROC_H

#include <stdbool.h>
#include <stdint.h>
#include <rrv/hypercall.h>

#include "proc/trap.h"
#include "uapi/resource.h"
#include "uapi/signal.h"

/* What a queued signal carries: the fields of siginfo_t the kernel fills. */
struct k_siginfo {
	int32_t signo, errno_, code;
	int32_t pid;       /* sender, for SI_USER/SI_TKILL */
	uint32_t uid;
	uint64_t addr;     /* fault address, for SIGSEGV/SIGBUS/SIGFPE/SIGILL/SIGTRAP */
	uint64_t value;    /* si_value, for SI_QUEUE (sigqueue) */
};

struct mm;     /* mm.h */
struct mapfile; /* mm.h */
struct sigqueue; /* signal.c */
struct files;  /* file.h */

enum thread_state { T_UNUSED, T_RUNNABLE, T_BLOCKED, T_ZOMBIE };

struct thread {
	int tid;
	enum thread_state state;
	struct proc *proc;

	/* The user registers, saved on this thread's kernel stack at every
	 * entry to the kernel (syscall, exception, interrupt). */
	struct trapframe *tf;
	uint64_t kstack_top;

	/* User FPU/SSE state (fxsave format), saved on every switch away
	 * from the thread and in signal frames. */
	uint8_t fxstate[512] __attribute__((aligned(16)));
	uint64_t fs_base, gs_base;

	/* pmu.c: retired conditional branches in ring 3 up to its last
	 * switch away (0 without a counter). */
	uint64_t branches;

	/* preempt.c, recording: the rip of the thread's last point, where
	 * it resumed, on which the kernel counts passes until the next one
	 * (0 for none); preempt_due: a tick decided to preempt it at the
	 * next pass; how many ticks ago; how often the registers changed
	 * between passes, and their last digest. */
	uint64_t anchor;
	uint64_t anchor_passes; /* passes over it since it was set */
	bool preempt_due;
	uint32_t due_ticks;
	uint32_t anchor_vary;
	uint64_t anchor_regs;
	/* Early ticks (TICKSOON) left to a thread not yet preempted, which
	 * its kernel uses to find where it first spins. */
	uint32_t soon_left;
	uint64_t probe_passes; /* anchor_passes at the last early tick */

	/* set_tid_address and set_robust_list. */
	uint64_t clear_child_tid;
	uint64_t robust_list, robust_len;

	/* syscall.c: the call in progress, for restarts and --log. */
	int64_t syscall_nr;   /* -1 when not in a system call */
	uint64_t orig_rax;
	bool used_host;       /* the current call made a hypercall */

	/* signal.c */
	sigset_k sigmask;     /* blocked */
	sigset_k sigpending;  /* directed at this thread */
	struct k_siginfo siginfo[NSIG]; /* one queued instance per signal */
	uint64_t altstack_sp, altstack_size;
	uint32_t altstack_flags;
	sigset_k saved_sigmask; /* restored after rt_sigsuspend's handler */
	bool restore_sigmask;
	/* The thread's last ring-3 fault, which every signal frame reports
	 * in sigcontext trapno, err and cr2 as Linux does. */
	uint64_t fault_trapno, fault_err, fault_cr2;
	/* Further instances of pending real-time signals, oldest first
	 * (signal.c's; siginfo[] holds the first of each). */
	struct sigqueue *sigqueue;

	/* fork.c: a vfork parent waits until its child lets go of the
	 * memory they share (execve or exit). */
	bool vfork_waiting;

	/* sched.c */
	void *wait_chan;      /* what a blocked thread waits for */
	uint64_t deadline;    /* CLOCK_MONOTONIC ns ending a timed wait; 0: none */
	int wake_reason;      /* why a blocked thread became runnable (sched.c) */
	bool sigwait;         /* blocked waiting for a signal only (pause,
				 sigsuspend, sigwait): a signal to rrv can end
				 that wait, so it is no deadlock (sched.c) */
	uint64_t ksp;         /* saved kernel rsp while switched out (swtch.S) */
	void *kstack;         /* its kernel stack's pages; NULL for thread0's */
	struct thread *next;  /* the process's threads, in creation order */
	struct thread *rq_next; /* the run queue */

	/* futex.c: a thread waits on at most one futex at a time. */
	uint64_t futex_key;   /* the user address waited on */
	uint32_t futex_bitset;
	bool futex_queued, futex_woken;
	struct thread *futex_next;

	char comm[16];        /* prctl(PR_SET_NAME): NUL-terminated */
};

enum proc_state { P_ALIVE, P_ZOMBIE, P_DEAD };

struct proc {
	int pid, ppid;
	int pgid, sid;
	enum proc_state state;
	struct proc *parent;  /* NULL for the first process */
	struct proc *next;    /* procs, in creation order */
	/* wait.c: the wait status a zombie leaves for its parent (Linux's
	 * encoding: status << 8, or the signal | 0x80 for a core dump),
	 * the signal its exit sends the parent (SIGCHLD, or 0), and what a
	 * parent's wait sleeps on. */
	int exit_code;
	int exit_signal;
	char child_chan;
	/* fork.c: the thread of the parent waiting for this vfork child to
	 * exec or exit, or NULL. */
	struct thread *vfork_parent;
	/* prctl(PR_SET_CHILD_SUBREAPER): orphans below it come to it
	 * rather than to the first process (wait.c). */
	bool subreaper;
	/* The rest of prctl's settings, the nice value and the
	 * personality: the process's own, inherited by fork (but
	 * pdeathsig, the signal this process gets when its parent exits). */
	struct proc_prctl {
		int pdeathsig, dumpable, keepcaps, no_new_privs, thp_disable, nice;
		uint64_t timerslack;
		uint32_t personality;
	} prctl;
	/* fs/pseudo.c: the program file, for /proc/PID/exe. */
	struct mapfile *exe;
	/* sys_exec.c: the process (or an ancestor) has exec'd since boot,
	 * so it no longer runs the program rrv started (guest_state's
	 * other_program, for reports). */
	bool other_program;
	uint32_t uid, euid, suid, gid, egid, sgid;
	uint32_t umask;
	struct mm *mm;
	struct files *files;
	/* The working directory: an O_PATH host handle (sys_file.c's
	 * chdir), shared by fork; NULL for rrv's own, where the program
	 * started.  Each process has its own, as in Linux, without ever
	 * changing rrv's. */
	struct file *cwd;

	/* signal.c */
	struct k_sigaction sigaction[NSIG];
	sigset_k sigpending;  /* directed at the process */
	struct k_siginfo siginfo[NSIG];
	struct sigqueue *sigqueue; /* as in struct thread */

	/* getrlimit/setrlimit/prlimit64: soft and hard, RLIMIT_* order
	 * (indices below). */
	struct { uint64_t cur, max; } rlimit[16];

	/* Threads (sched.c, sys_proc.c): every thread not yet freed, in
	 * creation order; how many have not exited.  Thread and process ids
	 * come from one counter (proc_new_id), so the first program's are
	 * pid + 1, pid + 2, ... in creation order, the same in every run. */
	struct thread *threads;
	int nlive;

	/* For --stats: reported to the VMM at exit. */
	uint64_t nsyscalls, nsyscalls_host;
};

extern struct proc *curproc;
extern struct thread *curthread;

/* Every process not yet reaped, in creation order; the first is the
 * program rrv started, whose exit ends the run. */
extern struct proc *procs;
#define initproc procs
/* Threads that have not exited, in every process. */
extern int threads_live;
/* Changes p->nlive and threads_live by delta, and tells the VMM when
 * the first process gains a second thread or the last one loses it. */
void proc_nlive_add(struct proc *p, int delta);

/* The next unused process or thread id (one counter for both, as in
 * Linux, starting after the first process's pid). */
int proc_new_id(void);

/* The process with id pid, zombies included (not reaped ones); NULL. */
struct proc *proc_find(int pid);

/* The process group rrv started the program in: the one a signal to rrv
 * (Ctrl-C) goes to, as a terminal sends it to its foreground group. */
int proc_fg_pgid(void);

/* For the calls that accept only the calling process by pid (0 or its own
 * pid): 0 for those, -EINVAL for a negative pid, err for any other. */
int64_t proc_self_pid_or(uint64_t pid, int64_t err);

/* A zeroed process (not on procs yet), or NULL when memory is out;
 * proc_free gives it back. */
struct proc *proc_alloc(void);
void proc_free(struct proc *p);

/*
 * A new thread of p: a copy of from's user registers that returns 0 from
 * the system call on stack sp (0: from's), its own kernel stack, from's
 * FPU state, fs/gs bases, signal mask and name, id tid.  Not yet on p's
 * list nor runnable (proc_add_thread).  NULL when memory is out.
 */
struct thread *thread_create(struct proc *p, const struct thread *from, uint64_t sp, int tid);
void thread_free(struct thread *t);

/* Appends t to its process's threads (creation order), counts it live and
 * makes it runnable. */
void proc_add_thread(struct thread *t);

/* What the kernel publishes for the VMM's reports (ABI v3; BOOT passes
 * its address): the running thread, its system call, and where its user
 * registers were saved.  Kept current with plain stores, no exits. */
extern struct rrv_guest_state guest_state;

/* The host's struct utsname (six fields of 65 bytes: sysname, nodename,
 * release, version, machine, domainname), asked once by UNAME
 * (sys_limits.c): uname(2) and /proc/sys/kernel show it.  NULL when the
 * host would not say. */
const char *proc_utsname(void);

/* Sets up the one process and thread from BOOT's identity (pid, uids,
 * umask), with Linux's default rlimits, and makes them current.  Their
 * memory, files and signal state are filled in by the callers of
 * mm_create, files_init_stdio and signal_init. */
void proc_init(void);

/* Ends the current process (all its threads): RRV_EXIT_NORMAL with a
 * status, or RRV_EXIT_SIGNAL with a signal, its rip and address.  For the
 * first process that ends the run (machine_exit); any other becomes a
 * zombie for its parent (wait.c's proc_zombie).  Does not return. */
__attribute__((noreturn)) void proc_exit(uint32_t how, int32_t status,
					  uint64_t rip, uint64_t addr, bool core);

/* Ends the whole run: reports how to the VMM (as proc_exit, or
 * RRV_EXIT_EXEC with an errno when the program could not start), with the
 * system call counters for --stats.  Other processes still running end
 * with it, as if killed.  Does not return. */
__attribute__((noreturn)) void machine_exit(uint32_t how, int32_t status,
					     uint64_t rip, uint64_t addr, bool core);

/* wait.c: the current process (not the first) ends with wait status
 * code: its other threads, memory and files go, its children go to the
 * first process, and it stays a zombie for its parent, which gets its
 * exit signal.  Does not return. */
__attribute__((noreturn)) void proc_zombie(int code);

/* fork.c: a vfork child lets go of its parent's memory (execve, exit):
 * the parent, waiting in vfork, runs again. */
void vfork_release(struct proc *c);

/* wait.c: ends every thread of p other than the current one (exit_group,
 * execve): they never run again, and their memory is freed by sched_reap. */
void proc_kill_other_threads(struct proc *p);

#endif
