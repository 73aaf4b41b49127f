/*
 * rrv hypercall ABI: the only door between the guest kernel and the VMM.
 *
 * Self-contained C99, included by the host (vmm/, replay/, tests/) and by the
 * freestanding guest kernel (rekernel-rr/).  docs/hypercalls.md explains it
 * in prose; this header is the reference.
 *
 * Calling convention
 *   The guest fills one argument struct in guest-physical memory below 4 GiB,
 *   then executes   outl %eax, %dx   with
 *       dx  = RRV_HC_PORT_BASE + hypercall number
 *       eax = guest-physical address of the argument struct.
 *   The instruction completes once the VMM has handled the call.  Every
 *   argument struct starts with struct rrv_hc_hdr: the VMM stores the result
 *   in hdr.ret, >= 0 on success or a negative Linux errno value on failure
 *   (-ENOSYS for an unknown number, -EFAULT for a pointer outside guest
 *   memory, -EINVAL for a malformed struct).
 *
 *   Fields marked "in" are read by the VMM, fields marked "out" are written
 *   by it.  Pointers inside structs are guest-physical addresses (rrv_gpa_t);
 *   the VMM checks each one, with its length, before touching it.
 *
 * Versioning
 *   RRV_HC_ABI_VERSION is bumped on every change to this file.  The guest
 *   sends the version it was built with in RRV_HC_BOOT and the VMM refuses
 *   any other.  Numbers are never reused.
 */
#ifndef RRV_HYPERCALL_H
#define RRV_HYPERCALL_H

#include <stdint.h>

#define RRV_HC_ABI_VERSION 10u

/* 0x500..0x5ff: free in the PC port map, and one outl reaches all of it. */
#define RRV_HC_PORT_BASE 0x500u
#define RRV_HC_PORT_COUNT 0x100u

/*
 * A guest-physical address.  Kept as a plain integer on both sides so that
 * host code cannot dereference one by accident: the VMM must translate it
 * through its checked accessor first.
 */
typedef uint64_t rrv_gpa_t;

enum rrv_hc_nr {
	RRV_HC_RESERVED = 0, /* never valid: catches zeroed structs */
	RRV_HC_BOOT = 1,
	RRV_HC_EXIT = 2,
	RRV_HC_PANIC = 3,
	RRV_HC_WRITE = 4,
	RRV_HC_LOG = 5,
	/* Files on the host (v2). */
	RRV_HC_OPENAT = 6,
	RRV_HC_CLOSE = 7,
	RRV_HC_READ = 8,
	RRV_HC_LSEEK = 9,
	RRV_HC_FSTATAT = 10,
	RRV_HC_STATX = 11,
	RRV_HC_FCNTL = 12,
	RRV_HC_IOCTL = 13,
	RRV_HC_GETDENTS = 14,
	RRV_HC_READLINKAT = 15,
	RRV_HC_UNLINKAT = 16,
	RRV_HC_MKDIRAT = 17,
	RRV_HC_RENAMEAT = 18,
	RRV_HC_ACCESSAT = 19,
	RRV_HC_CHMODAT = 20,
	RRV_HC_TRUNCATE = 21,
	RRV_HC_FSYNC = 22,
	RRV_HC_GETCWD = 23,
	RRV_HC_CHDIR = 24,
	/* Time, randomness and the host's identity (v2). */
	RRV_HC_CLOCK = 25,
	RRV_HC_SLEEP = 26,
	RRV_HC_RANDOM = 27,
	RRV_HC_UNAME = 28,
	/* More files on the host (v4). */
	RRV_HC_LINKAT = 29,
	RRV_HC_SYMLINKAT = 30,
	RRV_HC_UTIMENSAT = 31,
	RRV_HC_CHOWNAT = 32,
	/* v5 reserves ranges for work in progress, so that parallel work
	 * never takes the same number: 40-49 threads and scheduling, 50-59
	 * file mappings, /proc and /dev, 60-79 sockets and polling. */
	/* Threads and scheduling (v6). */
	RRV_HC_PREEMPT = 40,
	RRV_HC_THREADS = 41,
	RRV_HC_PMU = 42,
	RRV_HC_HOSTSIG = 43, /* v8: a signal to rrv reaches the program */
	RRV_HC_TICKSOON = 44, /* v10: the next preemption tick, soon */
	/* File mappings, /proc and /dev (v5). */
	RRV_HC_FDPATH = 50,
	/* Sockets to the host network, and waiting on host handles (v5). */
	RRV_HC_SOCKET = 60,
	RRV_HC_CONNECT = 61,
	RRV_HC_BIND = 62,
	RRV_HC_LISTEN = 63,
	RRV_HC_ACCEPT = 64,
	RRV_HC_SENDMSG = 65,
	RRV_HC_RECVMSG = 66,
	RRV_HC_SOCKOPT = 67,
	RRV_HC_SHUTDOWN = 68,
	RRV_HC_SOCKNAME = 69,
	RRV_HC_POLL = 70,
	/* Reports (v8; 80-81 are reserved for them). */
	RRV_HC_DEADLOCK = 80,
	/* Process events, for rrv ps (v8; 83 stays reserved). */
	RRV_HC_PROCESS = 82,
	/* The debugger (v9; 85 stays reserved): rrv debug only, untraced. */
	RRV_HC_DEBUG = 84,
	RRV_HC_MAX /* one past the last number in use */
};

struct rrv_hc_hdr {
	int64_t ret; /* out: result, or -errno */
};

/* A piece of a guest buffer; buffers that are contiguous in guest-virtual
 * memory are usually scattered in guest-physical memory. */
struct rrv_hc_iovec {
	rrv_gpa_t base;
	uint64_t len;
};
#define RRV_HC_IOV_MAX 64u

/*
 * RRV_HC_BOOT: the first call the guest makes.  The VMM checks the ABI
 * version, then describes the machine and the job.
 *
 * The VMM writes into buf (at most buf_len bytes) a sequence of
 * NUL-terminated strings: the kernel command line, the path of the program
 * to execute (empty when there is none; since v2), then argc program
 * arguments, then envc environment strings.  ret is the number of bytes
 * used, or -E2BIG when they do not fit.  Since v8 the guest offers room for
 * the most Linux accepts (RRV_BOOT_STRINGS_MAX of <rrv/arglimit.h>); rrv
 * refuses a larger argv and envp before it builds the VM.
 */
struct rrv_hc_boot {
	struct rrv_hc_hdr hdr;
	uint32_t abi_version; /* in: RRV_HC_ABI_VERSION of the guest */
	/* out, since v8 (zero before): rrv's RLIMIT_STACK soft limit in
	 * KiB, RRV_STACK_KIB_INFINITY for none; the program inherits it, as
	 * from its shell, and Linux derives from it how much argv and envp
	 * an exec takes (<rrv/arglimit.h>).  0: the guest's default. */
	uint32_t stack_kib;
	rrv_gpa_t buf;        /* in: where to put the strings */
	uint64_t buf_len;     /* in */
	uint64_t mem_bytes;   /* out: guest RAM, from guest-physical 0 */
	uint32_t argc;        /* out */
	uint32_t envc;        /* out */
	/* The host process's identity, which the program sees as its own
	 * (getpid, getuid, ...): out, since v2. */
	int32_t pid, ppid;
	uint32_t uid, euid, gid, egid;
	uint32_t umask;
	uint32_t stack_max_kib; /* out, since v8 (zero before): the hard
				   limit, as stack_kib */
	rrv_gpa_t state; /* in, since v3: the kernel's struct rrv_guest_state,
			    or 0 */
};
/* The stack limit travels in two fields that were zero before v8 rather
 * than in new ones, so that the struct keeps its size and a trace of an
 * older kernel still replays (its BOOT event holds the struct whole). */
#define RRV_STACK_KIB_INFINITY 0xffffffffu


/*
 * The debugger's side of struct rrv_guest_state (v9).  Under `rrv debug`
 * the VMM sets debug.on before the guest's first instruction after BOOT;
 * in recording, running and plain replay every field stays zero and the
 * kernel does nothing of this (so a debugged replay and a plain one make
 * the same traced calls: none of this is traced, none of it changes what
 * the program sees).
 *
 * Watchpoints: the debugger's hardware watchpoints live in the program's
 * debug registers DR1-DR3 (DR0 stays the kernel's own, for replay's
 * preemption points, docs/threads.md).  The kernel loads dr[1..3] and the
 * DR7 bits of dr7 that belong to slots 1-3 (L1-L3, RW1-3, LEN1-3) on every
 * return to ring 3 of a thread of process pid, whenever generation
 * changed or the thread's process changed, and clears them for any other
 * process.  A #DB in ring 3 with any of B1-B3 set in DR6 is the debugger's:
 * the kernel clears DR6, makes a DEBUG call with event WATCH (detail =
 * DR6), and returns to the same ring-3 instruction boundary, changing
 * nothing else (no signal, no counter).
 */
struct rrv_debug_request {
	uint32_t on;          /* nonzero: rrv debug is attached */
	int32_t pid;          /* whose threads get dr[1..3]; 0 for none */
	uint64_t dr[4];       /* dr[0] unused (the kernel's) */
	uint64_t dr7;         /* only slots 1-3's enable, RW and LEN bits */
	uint32_t generation;  /* bumped by the VMM after each change */
	/* nonzero: make a DEBUG call with event USER_RETURN just before every
	 * return to ring 3 of a thread of process pid (after any signal
	 * frame is built), so that the debugger finds the next user
	 * instruction exactly after a step that entered the kernel */
	uint32_t stop_user_return;
};

/*
 * The guest's threads, for the debugger (v9): a table the kernel keeps
 * only while debug.on is set, in its own memory (a fixed array: keeping it
 * allocates nothing).  table is the guest-physical address of
 * struct rrv_debug_thread[max]; a slot with tid 0 is free.  The kernel
 * fills a slot when a thread is created (or for the first thread, at
 * exec), updates state, cr3 and the saved register pointers on every
 * switch, and frees the slot when the thread is reaped or exits.
 */
#define RRV_DEBUG_THREADS_MAX 256u
struct rrv_debug_threads {
	rrv_gpa_t table;
	uint32_t max;
	uint32_t generation; /* bumped after every change to the table */
};

enum rrv_debug_thread_state {
	RRV_DT_FREE = 0,
	RRV_DT_RUNNING = 1,  /* the thread on the CPU now: its registers are
				the vCPU's when the CPU is in ring 3 */
	RRV_DT_RUNNABLE = 2,
	RRV_DT_BLOCKED = 3,
	RRV_DT_EXITED = 4,   /* gone, its slot not yet reused */
};

struct rrv_debug_thread {
	uint32_t tid;
	int32_t pid;
	uint32_t state;       /* enum rrv_debug_thread_state */
	uint32_t in_syscall;  /* nonzero: inside a system call (syscall_nr) */
	uint64_t syscall_nr;
	uint64_t cr3;         /* its address space's page table root */
	rrv_gpa_t user_regs;  /* struct rrv_user_regs saved at its last entry
				 to the kernel, or 0 (valid while not running
				 in ring 3) */
	rrv_gpa_t fxsave;     /* its 512-byte FXSAVE area, valid while it is
				 not the thread on the CPU */
	uint64_t fs_base, gs_base;
};

/*
 * What makes a point one machine state (v10, docs/threads.md "What
 * identifies a point"): between two kernel entries that are not page
 * faults or ticks only the running thread's registers and the user
 * memory it writes change, so these, with the digests above, tell every
 * pass over a rip apart.
 *   entries       the guest's count of system calls and thread switches
 *                 since boot: which stretch of ring-3 execution this is
 *   dirty_pages   how many user pages of the thread's address space the
 *                 page tables mark written since the kernel last cleared
 *                 their dirty bits (at every point and every new thread)
 *   dirty_digest  a digest of those pages' addresses and contents
 */
struct rrv_point_ident {
	uint64_t entries;
	uint64_t dirty_digest;
	uint32_t dirty_pages;
	uint32_t pad;
};

/*
 * What the guest kernel publishes about itself, for the VMM's reports (a
 * replay divergence names the thread and shows the program's instruction
 * and backtrace).  The kernel keeps it current with plain stores, which
 * cost no exit; the VMM only reads it, and never trusts it: every address
 * in it goes through the checked translation.  Since v3.
 */
struct rrv_guest_state {
	uint32_t tid;        /* the thread running the program's code or its
				system call; 0 when none */
	uint32_t in_syscall; /* nonzero while serving tid's system call */
	uint64_t syscall_nr; /* which one */
	rrv_gpa_t user_regs; /* struct rrv_user_regs of tid as saved at its
				last kernel entry, or 0 */
	/* Written by the VMM, since v6: in replay, after every recorded
	 * event, the next one when it is a preemption point, so that the
	 * guest can set a breakpoint on it before the thread runs again
	 * (docs/threads.md).  Zero while recording or running. */
	struct rrv_preempt_point {
		uint32_t armed;     /* nonzero: the next event is this point */
		uint32_t tid;
		uint64_t rip;
		uint64_t regs_digest, stack_digest;
		uint32_t method;    /* v7: enum rrv_preempt_method recorded */
		uint32_t pad;
		uint64_t branches;  /* v7: the thread's count there (BRANCHES) */
	} next_preempt;
	/* Written by the guest, since v6: how many times a thread passed
	 * the breakpoint on next_preempt's rip without matching it.  Only
	 * grows; the replay watchdog takes growth for progress towards the
	 * point (a hot loop may pass it millions of times first). */
	uint64_t breakpoint_passes;
	/* Written by the guest, since v7: nonzero when tid's process runs a
	 * program it (or an ancestor) exec'd, not the one the recording
	 * started, whose ELF is the only one a trace holds: a report then
	 * names no symbols rather than wrong ones. */
	uint32_t other_program;
	uint32_t pad;
	/* Written by the VMM, since v8: nonzero asks the kernel to log every
	 * system call as --log=syscalls does (rrv replay --log=syscalls,
	 * whose recorded command line may lack it).  The log goes through
	 * LOG, which is not traced, and reads no user page that is not in
	 * memory already, so it changes nothing a replay checks. */
	uint32_t log_syscalls;
	uint32_t pad2;
	/* Written by the VMM, since v8: nonzero when a host signal waits
	 * for the guest to take it with a HOSTSIG call of mode POLL at its
	 * next safe point (RRV_HC_HOSTSIG).  Set only while answering a
	 * traced call (recording, running) or after the event before such a
	 * call (replay), never at an asynchronous moment. */
	uint32_t host_signal;
	/* Written by the VMM, since v8: which call next_preempt's point is,
	 * RRV_HC_PREEMPT or RRV_HC_HOSTSIG (0 reads as PREEMPT). */
	uint32_t next_point_nr;
	/* Since v9: rrv debug (docs/debugging.md).  Zero unless debugging. */
	struct rrv_debug_request debug;  /* written by the VMM */
	struct rrv_debug_threads threads; /* written by the guest */
	/* Written by the VMM, since v10: the rest of next_preempt's point
	 * (struct rrv_point_ident), valid while next_preempt.armed. */
	struct rrv_point_ident next_ident;
	/* Written by the guest, since v10: how many of breakpoint_passes
	 * matched the point's stretch, registers and stack but not its
	 * memory, for rrv's progress line and divergence reports. */
	uint64_t breakpoint_near;
};

/* The program's registers as the kernel saves them at entry (the layout of
 * the kernel's trapframe).  Since v3. */
struct rrv_user_regs {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error_code;
	uint64_t rip, cs, rflags, rsp, ss;
};

/*
 * RRV_HC_PREEMPT (v6): the guest switched threads asynchronously, after a
 * host timer interrupt found tid running in ring 3 and another thread
 * runnable.  Recorded like every call, so that its inputs are a trace
 * event: where the thread was (rip, and digests of its registers and of
 * the stack around rsp, as the guest kernel computes them).  Replay finds
 * the same point again with a hardware breakpoint on rip and these
 * digests, then makes the same call, which the replayer checks.  The VMM
 * does nothing else with it; ret is 0.
 */
enum rrv_preempt_method {
	RRV_PREEMPT_BREAKPOINT = 1, /* rip + register and stack digests */
	RRV_PREEMPT_BRANCHES = 2,   /* also the thread's count of retired
				       conditional branches in ring 3 (v7) */
};
/* The interrupt vector the VMM injects on each host timer tick while
 * recording or running (never in replay): the first one above the CPU's
 * exceptions. */
#define RRV_PREEMPT_VECTOR 32u
struct rrv_hc_preempt {
	struct rrv_hc_hdr hdr;
	uint32_t tid;          /* in: the thread preempted */
	uint32_t method;       /* in: enum rrv_preempt_method */
	uint64_t rip;          /* in: its next user instruction */
	uint64_t regs_digest;  /* in: its general registers, rip, rflags */
	uint64_t stack_digest; /* in: its stack around rsp */
	uint64_t branches;     /* in: the thread's retired conditional
				  branches in ring 3 since it was created
				  (method BRANCHES), else 0 */
	struct rrv_point_ident ident; /* in, since v10 */
};

/*
 * RRV_HC_HOSTSIG (v8): a signal sent to rrv itself (the user's Ctrl-C)
 * becomes a signal to the program, at a point that replay finds again
 * (docs/signals.md, "Signals to rrv").  ret is the signal number to send
 * to the program's foreground process group (the one rrv started), or 0
 * for none.  Three modes:
 *   POLL  at a safe point (every return to ring 3, the scheduler's idle
 *         loop) after the guest saw guest_state.host_signal set; the
 *         point fields are 0.
 *   POINT from the interrupt RRV_HOSTSIG_VECTOR, which the VMM injects
 *         while the program runs in ring 3: the point fields say where
 *         the thread was, as for PREEMPT, and replay stops there with
 *         the same breakpoint (guest_state.next_point_nr says which call
 *         the published point is).
 *   WAIT  no thread can run, none waits with a deadline, and one waits
 *         for a signal (pause, sigsuspend, sigwait): blocks until a host
 *         signal arrives (HC_F_MAY_BLOCK).  -ERESTARTSYS (512) when the
 *         recording is to stop instead.
 * A host call that a host signal interrupts while it waited (READ and
 * WRITE of a terminal, pipe or FIFO, SLEEP, POLL) answers -RRV_HC_ERESTART
 * (v8): nothing was done, and the guest restarts the system call or fails
 * it with EINTR after delivering the signal, as Linux does with
 * -ERESTARTSYS.
 */
enum rrv_hostsig_mode {
	RRV_HOSTSIG_POLL = 0,
	RRV_HOSTSIG_POINT = 1,
	RRV_HOSTSIG_WAIT = 2,
};
#define RRV_HOSTSIG_VECTOR 33u
#define RRV_HC_ERESTART 512
struct rrv_hc_hostsig {
	struct rrv_hc_hdr hdr;
	uint32_t mode;         /* in: enum rrv_hostsig_mode */
	uint32_t tid;          /* in: the thread that asks */
	uint32_t method;       /* in, POINT: enum rrv_preempt_method */
	uint32_t pad;
	uint64_t rip;          /* in, POINT: as in struct rrv_hc_preempt */
	uint64_t regs_digest;  /* in, POINT */
	uint64_t stack_digest; /* in, POINT */
	uint64_t branches;     /* in, POINT */
	struct rrv_point_ident ident; /* in, POINT, since v10 */
};

/*
 * RRV_HC_PMU (v7): which performance counter, if any, the guest kernel
 * may program to count retired conditional branches in ring 3 (the
 * thread's "branch count" of RRV_PREEMPT_BRANCHES).  The answer is this
 * host's, in every mode, replay included: it decides only how the guest
 * finds preemption points, never what the program sees, so it is not
 * recorded (HC_F_UNTRACED).  ret is 0 with a counter, -ENODEV without
 * one (KVM offers none, the CPU model is not known to rrv, the CPUID
 * profile lacks the leaf KVM needs to enable it, or --no-pmu).
 */
struct rrv_hc_pmu {
	struct rrv_hc_hdr hdr;
	uint32_t ctl_msr;     /* out: the event select MSR to program */
	uint32_t ctr_msr;     /* out: the counter it drives */
	uint64_t evtsel;      /* out: the event select value (event, unit
				 mask, ring-3 only, enabled) */
	uint32_t global_msr;  /* out: a global enable MSR in which bit 0
				 must also be set, or 0 */
	uint32_t width;       /* out: the counter's width in bits */
};

/*
 * RRV_HC_THREADS (v6): the program's live thread count went from 1 to 2
 * or from 2 to 1.  The VMM runs its preemption tick only while there are
 * several threads: with one, a tick could only ever be dropped, and would
 * cost a VM exit for nothing.  Not recorded (an observer, as LOG): replay
 * injects no ticks anyway.  ret is 1 when this VMM injects ticks
 * (recording, running), 0 when it does not (replay), since v10: the guest
 * then arms its record-time breakpoints for points (docs/threads.md,
 * "Points that are cheap to find"), which change nothing the program
 * sees.
 */
struct rrv_hc_threads {
	struct rrv_hc_hdr hdr;
	uint32_t nthreads; /* in */
	uint32_t pad;
};

/*
 * RRV_HC_TICKSOON (v10): a thread that has not been preempted yet starts
 * running in ring 3 while others wait; the next preemption tick should
 * come after us microseconds rather than at the end of the period, so
 * that the guest sees early where it spins and counts its passes from
 * there (docs/threads.md, "Points that are cheap to find").  Untraced:
 * like THREADS it only decides when ticks come, which replay never
 * injects; the guest makes it only when THREADS answered 1.  ret is 0.
 */
struct rrv_hc_ticksoon {
	struct rrv_hc_hdr hdr;
	uint32_t us; /* in: 1 to 5000 */
	uint32_t pad;
};

/* RRV_HC_EXIT: the guest is done; the VMM stops the vCPU and exits. */
enum rrv_exit_how {
	RRV_EXIT_NORMAL = 0, /* the program exited with status */
	RRV_EXIT_SIGNAL = 1, /* the program was killed by signo */
	RRV_EXIT_EXEC = 2,   /* the program could not start: status is an
				errno (ENOENT, ENOEXEC, ENOMEM...); since v2 */
	RRV_EXIT_INTERRUPTED = 3, /* never sent by a guest (the VMM refuses
				it): a trace footer's EXIT_HOW when a signal
				to rrv ended the recording at once; status is
				that signal.  Since v8 */
};
struct rrv_hc_exit {
	struct rrv_hc_hdr hdr;
	uint32_t how;    /* in: enum rrv_exit_how */
	int32_t status;  /* in: exit status (how == NORMAL) or signal number */
	uint64_t rip;    /* in: where the fatal signal happened, if any */
	uint64_t addr;   /* in: faulting address for SIGSEGV/SIGBUS */
	uint64_t core;   /* in: nonzero if the default action dumps core */
	/* Counters for --stats, since v2. */
	uint64_t syscalls;      /* in: system calls the program made */
	uint64_t syscalls_host; /* in: ... of which needed a hypercall */
};

/*
 * RRV_HC_DEADLOCK (v8): every thread of the program waits and nothing can
 * wake one (no timeout, no signal to come).  The guest kernel describes
 * each blocked thread, then ends the program with EXIT as by SIGKILL.  The
 * VMM prints the deadlock report: per thread the call it waits in with its
 * arguments decoded, and a backtrace read through that thread's own page
 * tables (page_root), every table and page through the checked
 * translation.  Recorded like EXIT (the description is an input buffer of
 * the digest), and replay runs the same handler, so the report appears in
 * replay too.  ret is 0, or -EINVAL for a malformed description.
 */
#define RRV_HC_DEADLOCK_MAX 64u /* threads described; the rest are counted */
struct rrv_deadlock_thread {
	uint32_t tid;
	uint32_t pid;        /* its process (the thread group) */
	int64_t syscall_nr;  /* the call it waits in, or -1: in the kernel */
	uint64_t args[6];    /* the call's arguments as the program passed
				them (rdi, rsi, rdx, r10, r8, r9) */
	rrv_gpa_t user_regs; /* struct rrv_user_regs as saved at its kernel
				entry, or 0 */
	rrv_gpa_t page_root; /* its address space's CR3 (the PML4's
				guest-physical address) */
	uint32_t other_program; /* as rrv_guest_state's */
	uint32_t pad;
};
struct rrv_hc_deadlock {
	struct rrv_hc_hdr hdr;
	uint32_t nthreads;   /* in: entries in threads, at most
				RRV_HC_DEADLOCK_MAX */
	uint32_t blocked;    /* in: blocked threads in all (>= nthreads) */
	rrv_gpa_t threads;   /* in: struct rrv_deadlock_thread[nthreads],
				contiguous in guest-physical memory */
	uint64_t threads_len; /* in: nthreads * sizeof(struct
				 rrv_deadlock_thread) */
};

/*
 * RRV_HC_PANIC: the guest kernel hit something it cannot survive, usually a
 * CPU exception in ring 0.  The VMM prints a report (disassembling the
 * instruction at rip through the guest's own page tables) and exits with
 * status RRV_PANIC_STATUS.  Never returns to the guest.
 */
struct rrv_hc_panic {
	struct rrv_hc_hdr hdr;
	uint32_t vector;     /* in: exception vector, or RRV_PANIC_NO_VECTOR */
	uint32_t msg_len;    /* in */
	uint64_t error_code; /* in */
	uint64_t rip;        /* in: guest-virtual */
	uint64_t cr2;        /* in */
	uint64_t rsp;        /* in */
	uint64_t rflags;     /* in */
	uint64_t cs;         /* in */
	rrv_gpa_t msg;       /* in: what the kernel was doing, not NUL-terminated */
};
#define RRV_PANIC_NO_VECTOR 0xffffffffu
#define RRV_PANIC_STATUS 70 /* EX_SOFTWARE: an internal error of rrv */

/*
 * RRV_HC_WRITE: write the concatenated iovecs to a host handle.  Handles 1
 * and 2 are rrv's own stdout and stderr.  ret is the byte count written.
 */
struct rrv_hc_write {
	struct rrv_hc_hdr hdr;
	uint32_t handle; /* in */
	uint32_t iovcnt; /* in: at most RRV_HC_IOV_MAX */
	rrv_gpa_t iov;   /* in: struct rrv_hc_iovec[iovcnt] */
	/* since v2: pwrite at offset when at_offset is nonzero; otherwise a
	 * plain write at the file position (so a zeroed tail means write). */
	int64_t offset;      /* in */
	uint32_t at_offset;  /* in */
	uint32_t pad;
};

/*
 * RRV_HC_LOG: a diagnostic line from the guest kernel (ENOSYS notices,
 * syscall traces).  Printed on rrv's stderr, prefixed "rrv: guest: ".
 * Logging is an observer: it is never recorded in a trace, so a replay may
 * log more or less than the recording did.
 */
struct rrv_hc_log {
	struct rrv_hc_hdr hdr;
	uint32_t level; /* in: enum rrv_log_level */
	uint32_t len;   /* in */
	rrv_gpa_t text; /* in: len bytes, may hold several '\n'-ended lines */
};
enum rrv_log_level { RRV_LOG_INFO = 0, RRV_LOG_WARN = 1 };


/*
 * ------------------------------------------------------------------------
 * Files on the host (v2)
 *
 * The guest kernel owns the program's file descriptors; the VMM owns host
 * handles.  A handle is a small number, allocated lowest-free-first so that
 * it is the same in every run with the same history; the guest never sees a
 * host descriptor.  Flags, modes, whence values, AT_* flags, errno values
 * and the stat layouts are Linux x86-64's own, so the guest passes them
 * through.  Paths travel as (gpa, len) without a NUL, at most
 * RRV_HC_PATH_MAX bytes, in guest-physically contiguous memory.
 * ------------------------------------------------------------------------
 */
#define RRV_HC_PATH_MAX 4096u
#define RRV_HC_AT_CWD (-100) /* as AT_FDCWD: relative to the host's cwd */

struct rrv_hc_path {
	rrv_gpa_t gpa;
	uint64_t len;
};

/* OPENAT: ret is a new handle.  The VMM adds O_CLOEXEC and O_NOCTTY. */
struct rrv_hc_openat {
	struct rrv_hc_hdr hdr;
	int32_t dir;    /* in: a handle, or RRV_HC_AT_CWD */
	uint32_t flags; /* in: O_* */
	uint32_t mode;  /* in: for O_CREAT, after the guest applied its umask */
	uint32_t pad;
	struct rrv_hc_path path; /* in */
};

/* CLOSE: handles 0-2 cannot be closed (the guest drops its reference). */
struct rrv_hc_close {
	struct rrv_hc_hdr hdr;
	uint32_t handle; /* in */
	uint32_t pad;
};

/* READ: into the iovecs; ret is the byte count, 0 at end of file. */
struct rrv_hc_read {
	struct rrv_hc_hdr hdr;
	uint32_t handle; /* in */
	uint32_t iovcnt; /* in: at most RRV_HC_IOV_MAX */
	rrv_gpa_t iov;   /* in: struct rrv_hc_iovec[iovcnt] */
	int64_t offset;      /* in: pread at offset when at_offset is set */
	uint32_t at_offset;  /* in */
	uint32_t pad;
};

/* LSEEK: ret is the new offset. */
struct rrv_hc_lseek {
	struct rrv_hc_hdr hdr;
	uint32_t handle; /* in */
	uint32_t whence; /* in: SEEK_* */
	int64_t offset;  /* in */
};

/* The Linux x86-64 struct stat, 144 bytes. */
struct rrv_stat {
	uint64_t st_dev, st_ino, st_nlink;
	uint32_t st_mode, st_uid, st_gid, pad0;
	uint64_t st_rdev;
	int64_t st_size, st_blksize, st_blocks;
	int64_t st_atime_sec, st_atime_nsec;
	int64_t st_mtime_sec, st_mtime_nsec;
	int64_t st_ctime_sec, st_ctime_nsec;
	int64_t reserved[3];
};

/* FSTATAT: with AT_EMPTY_PATH and an empty path, stats the handle itself. */
struct rrv_hc_fstatat {
	struct rrv_hc_hdr hdr;
	int32_t dir;    /* in: a handle, or RRV_HC_AT_CWD */
	uint32_t flags; /* in: AT_SYMLINK_NOFOLLOW, AT_EMPTY_PATH */
	struct rrv_hc_path path; /* in */
	rrv_gpa_t stat;          /* in: struct rrv_stat to fill */
};

/* STATX: fills RRV_HC_STATX_SIZE bytes, Linux's struct statx. */
#define RRV_HC_STATX_SIZE 256u
struct rrv_hc_statx {
	struct rrv_hc_hdr hdr;
	int32_t dir;    /* in */
	uint32_t flags; /* in: AT_* */
	uint32_t mask;  /* in: STATX_* */
	uint32_t pad;
	struct rrv_hc_path path; /* in */
	rrv_gpa_t buf;           /* in: RRV_HC_STATX_SIZE bytes */
};

/* FCNTL: only F_GETFL and F_SETFL reach the host; descriptor flags and
 * duplication are the guest's business. */
struct rrv_hc_fcntl {
	struct rrv_hc_hdr hdr;
	uint32_t handle; /* in */
	uint32_t cmd;    /* in */
	uint64_t arg;    /* in */
};

/* IOCTL: the terminal requests TCGETS (36 bytes: the kernel's termios),
 * TIOCGWINSZ (8 bytes) and FIONREAD (4 bytes); others get -ENOTTY. */
struct rrv_hc_ioctl {
	struct rrv_hc_hdr hdr;
	uint32_t handle; /* in */
	uint32_t cmd;    /* in */
	rrv_gpa_t buf;   /* in: the request's out buffer */
	uint64_t len;    /* in: its size, which must match the request */
};

/* GETDENTS: Linux struct linux_dirent64 records; ret is the bytes used. */
struct rrv_hc_getdents {
	struct rrv_hc_hdr hdr;
	uint32_t handle; /* in */
	uint32_t pad;
	rrv_gpa_t buf;   /* in */
	uint64_t len;    /* in */
};

/* READLINKAT: ret is the length of the target, not NUL-terminated. */
struct rrv_hc_readlinkat {
	struct rrv_hc_hdr hdr;
	int32_t dir;
	uint32_t pad;
	struct rrv_hc_path path; /* in */
	rrv_gpa_t buf;           /* in */
	uint64_t len;            /* in */
};

/* UNLINKAT (flags AT_REMOVEDIR), MKDIRAT (mode), ACCESSAT (mode, flags),
 * CHMODAT (mode, flags; an empty path with AT_EMPTY_PATH means the handle
 * itself, as fchmod): one struct for the four. */
struct rrv_hc_pathop {
	struct rrv_hc_hdr hdr;
	int32_t dir;    /* in */
	uint32_t flags; /* in */
	uint32_t mode;  /* in */
	uint32_t pad;
	struct rrv_hc_path path; /* in */
};

/* RENAMEAT: renameat2 with flags RENAME_NOREPLACE/EXCHANGE.
 * LINKAT (v4): linkat with flags AT_SYMLINK_FOLLOW/AT_EMPTY_PATH.
 * SYMLINKAT (v4): oldpath is the link's target text; olddir is unused. */
struct rrv_hc_renameat {
	struct rrv_hc_hdr hdr;
	int32_t olddir, newdir; /* in */
	uint32_t flags;         /* in */
	uint32_t pad;
	struct rrv_hc_path oldpath, newpath; /* in */
};

/* UTIMENSAT (v4): with have_times 0, both times are "now", as a NULL
 * times argument; otherwise the two timespecs, nsec possibly UTIME_NOW or
 * UTIME_OMIT.  An empty path with AT_EMPTY_PATH means the handle. */
struct rrv_hc_utimensat {
	struct rrv_hc_hdr hdr;
	int32_t dir;          /* in */
	uint32_t flags;       /* in: AT_SYMLINK_NOFOLLOW, AT_EMPTY_PATH */
	struct rrv_hc_path path; /* in */
	uint32_t have_times;  /* in */
	uint32_t pad;
	int64_t atime_sec, atime_nsec, mtime_sec, mtime_nsec; /* in */
};

/* CHOWNAT (v4): fchownat; (uint32_t)-1 leaves an id unchanged. */
struct rrv_hc_chownat {
	struct rrv_hc_hdr hdr;
	int32_t dir;    /* in */
	uint32_t flags; /* in: AT_SYMLINK_NOFOLLOW, AT_EMPTY_PATH */
	uint32_t uid, gid; /* in */
	struct rrv_hc_path path; /* in */
};

/* TRUNCATE (ftruncate) and FSYNC (datasync in arg): one struct. */
struct rrv_hc_fileop {
	struct rrv_hc_hdr hdr;
	uint32_t handle; /* in */
	uint32_t pad;
	uint64_t arg;    /* in: the length, or nonzero for fdatasync */
};

/* GETCWD: writes the NUL-terminated path; ret is its size with the NUL. */
struct rrv_hc_getcwd {
	struct rrv_hc_hdr hdr;
	rrv_gpa_t buf; /* in */
	uint64_t len;  /* in */
};

/* CHDIR: changes the host cwd, to a path or (empty path) to a handle. */
struct rrv_hc_chdir {
	struct rrv_hc_hdr hdr;
	int32_t handle; /* in: used when the path is empty */
	uint32_t pad;
	struct rrv_hc_path path; /* in */
};

/*
 * ------------------------------------------------------------------------
 * Time, randomness and identity (v2)
 * ------------------------------------------------------------------------
 */

/* CLOCK: reads a host clock (CLOCK_REALTIME, CLOCK_MONOTONIC, ...). */
struct rrv_hc_clock {
	struct rrv_hc_hdr hdr;
	uint32_t clock; /* in: clockid_t */
	uint32_t pad;
	int64_t sec;    /* out */
	int64_t nsec;   /* out */
};

/* SLEEP: clock_nanosleep on the host (flags may hold TIMER_ABSTIME).  A
 * replay does not wait.  ret is 0. */
struct rrv_hc_sleep {
	struct rrv_hc_hdr hdr;
	uint32_t clock; /* in */
	uint32_t flags; /* in */
	int64_t sec;    /* in */
	int64_t nsec;   /* in */
};

/* RANDOM: fills buf with bytes from the host's getrandom(). */
struct rrv_hc_random {
	struct rrv_hc_hdr hdr;
	rrv_gpa_t buf; /* in */
	uint64_t len;  /* in: at most 65536 */
};

/* UNAME: the host's struct utsname (6 fields of 65 bytes). */
#define RRV_HC_UTSNAME_SIZE 390u
struct rrv_hc_uname {
	struct rrv_hc_hdr hdr;
	rrv_gpa_t buf; /* in: RRV_HC_UTSNAME_SIZE bytes */
};

/*
 * ------------------------------------------------------------------------
 * Sockets to the host network (v5, numbers 60-70)
 *
 * A socket is a host handle like a file's (CLOSE closes it, FSTATAT with
 * AT_EMPTY_PATH stats it).  The VMM makes every host socket non-blocking
 * and close-on-exec whatever the guest asked: a call that would wait
 * answers -EAGAIN, and the guest decides whether to wait, through POLL,
 * so that a wait never holds the one vCPU where another thread could run,
 * and so that every host answer, EAGAIN and readiness included, is a
 * traced hypercall that a replay gives back.  Socket addresses travel
 * inside the argument struct (RRV_HC_SOCKADDR_MAX bytes, Linux's struct
 * sockaddr_storage), so that the recorded struct holds them; data travels
 * through iovecs as for READ and WRITE.  Domains AF_UNIX, AF_INET and
 * AF_INET6; types SOCK_STREAM, SOCK_DGRAM and SOCK_SEQPACKET.  docs/
 * sockets.md tells the whole story.
 * ------------------------------------------------------------------------
 */
#define RRV_HC_SOCKADDR_MAX 128u
#define RRV_HC_SOCKOPT_MAX 256u

/* SOCKET: ret is a new handle.  type holds no SOCK_NONBLOCK or
 * SOCK_CLOEXEC: those are the guest's business. */
struct rrv_hc_socket {
	struct rrv_hc_hdr hdr;
	int32_t domain, type, protocol; /* in */
	uint32_t pad;
};

/* CONNECT and BIND: the address is addr[0, addrlen).  A connect that
 * cannot complete at once answers -EINPROGRESS; the guest polls for
 * POLLOUT and reads SO_ERROR. */
struct rrv_hc_sockaddr_in {
	struct rrv_hc_hdr hdr;
	uint32_t handle;  /* in */
	uint32_t addrlen; /* in: at most RRV_HC_SOCKADDR_MAX */
	uint8_t addr[RRV_HC_SOCKADDR_MAX]; /* in */
};

/* LISTEN: listen(handle, backlog). SHUTDOWN: shutdown(handle, arg). */
struct rrv_hc_sockop {
	struct rrv_hc_hdr hdr;
	uint32_t handle; /* in */
	int32_t arg;     /* in */
};

/* ACCEPT: ret is the new connection's handle; the peer's address is
 * addr[0, min(addrlen, RRV_HC_SOCKADDR_MAX)) with addrlen its full size.
 * SOCKNAME: getsockname (peer 0) or getpeername (peer 1) of handle into
 * addr/addrlen likewise; ret is 0. */
struct rrv_hc_sockaddr_out {
	struct rrv_hc_hdr hdr;
	uint32_t handle;  /* in */
	uint32_t peer;    /* in: SOCKNAME only */
	uint32_t addrlen; /* out */
	uint32_t pad;
	uint8_t addr[RRV_HC_SOCKADDR_MAX]; /* out */
};

/* SENDMSG: sendmsg(handle) of the iovecs to addr (addrlen 0: none) with
 * flags (MSG_*; the VMM adds MSG_NOSIGNAL and MSG_DONTWAIT: SIGPIPE is
 * the guest's to raise).  ret is the byte count. */
struct rrv_hc_sendmsg {
	struct rrv_hc_hdr hdr;
	uint32_t handle;  /* in */
	uint32_t flags;   /* in */
	rrv_gpa_t iov;    /* in: struct rrv_hc_iovec[iovcnt] */
	uint32_t iovcnt;  /* in: at most RRV_HC_IOV_MAX */
	uint32_t addrlen; /* in */
	uint8_t addr[RRV_HC_SOCKADDR_MAX]; /* in */
};

/* RECVMSG: recvmsg(handle) into the iovecs with flags (MSG_PEEK,
 * MSG_TRUNC, MSG_WAITALL is the guest's, ...).  ret is the byte count
 * (with MSG_TRUNC, the datagram's real size); the sender's address is
 * addr/addrlen as for ACCEPT, msg_flags what recvmsg reported.  No
 * control messages. */
struct rrv_hc_recvmsg {
	struct rrv_hc_hdr hdr;
	uint32_t handle;    /* in */
	uint32_t flags;     /* in */
	rrv_gpa_t iov;      /* in: struct rrv_hc_iovec[iovcnt] */
	uint32_t iovcnt;    /* in */
	uint32_t addrlen;   /* out */
	uint32_t msg_flags; /* out */
	uint32_t pad;
	uint8_t addr[RRV_HC_SOCKADDR_MAX]; /* out */
};

/* SOCKOPT: setsockopt (set 1: val[0, len) in) or getsockopt (set 0: len
 * in as the room the program has, at most RRV_HC_SOCKOPT_MAX; out as
 * what getsockopt wrote). */
struct rrv_hc_sockopt {
	struct rrv_hc_hdr hdr;
	uint32_t handle; /* in */
	uint32_t set;    /* in */
	int32_t level;   /* in */
	int32_t name;    /* in */
	uint32_t len;    /* in/out */
	uint32_t pad;
	uint8_t val[RRV_HC_SOCKOPT_MAX]; /* in/out */
};

/*
 * POLL: poll(2) on nfds host handles, waiting at most timeout_ns (< 0:
 * no limit; 0: just look).  Each entry's revents is written in place;
 * ret is the number of entries with revents set (0: the time ran out).
 * A replay does not wait: it gives back the recorded answer.
 */
#define RRV_HC_POLL_MAX 48u
struct rrv_hc_pollfd {
	int32_t handle; /* in */
	int16_t events; /* in: POLL* */
	int16_t revents; /* out */
};
struct rrv_hc_poll {
	struct rrv_hc_hdr hdr;
	uint32_t nfds;      /* in: at most RRV_HC_POLL_MAX */
	uint32_t pad;
	int64_t timeout_ns; /* in */
	struct rrv_hc_pollfd fds[RRV_HC_POLL_MAX]; /* in/out */
};

/*
 * ------------------------------------------------------------------------
 * File mappings, /proc and /dev (v5, numbers 50-59)
 *
 * The contents of mapped files reach the guest through READ with
 * at_offset (a pread into the mapped pages), and writable shared mappings
 * go back through WRITE with at_offset: no new call is needed for them.
 * ------------------------------------------------------------------------
 */

/* FDPATH: the host's path of a handle, as readlink of /proc/self/fd/N on
 * the host would give it (for /proc/self/fd/N and /proc/self/maps); ret
 * is its length, not NUL-terminated, truncated to len. */
struct rrv_hc_fdpath {
	struct rrv_hc_hdr hdr;
	uint32_t handle; /* in */
	uint32_t pad;
	rrv_gpa_t buf;   /* in */
	uint64_t len;    /* in: at most RRV_HC_PATH_MAX */
};

/*
 * ------------------------------------------------------------------------
 * Process events (v8, numbers 82-83)
 * ------------------------------------------------------------------------
 */

/*
 * RRV_HC_PROCESS: the guest kernel tells of a process event, so that a
 * trace says which processes ran (rrv ps): a fork (pid, its parent ppid),
 * an exec (pid and the new argv, cut to what fits in cmdline) or an exit
 * (pid and its wait status as Linux encodes it: status << 8, or the
 * signal).  The first process reports its exec with ppid as the program
 * sees it.  Recorded and checked on replay like any call (its struct is
 * its only input); the VMM only checks the struct.  ret is 0, or -EINVAL
 * for an unknown event or a cmdline_len above the array.
 */
enum rrv_proc_event {
	RRV_PROC_FORK = 1,
	RRV_PROC_EXEC = 2,
	RRV_PROC_EXIT = 3,
};
#define RRV_HC_PROCESS_CMDLINE 384u
struct rrv_hc_process {
	struct rrv_hc_hdr hdr;
	uint32_t event;       /* in: enum rrv_proc_event */
	int32_t pid;          /* in */
	int32_t ppid;         /* in: FORK, and the first EXEC */
	int32_t status;       /* in: EXIT: the wait status */
	uint32_t argc;        /* in: EXEC: the new program's argument count */
	uint32_t cmdline_len; /* in: EXEC: bytes used in cmdline */
	/* in: EXEC: the arguments, NUL-terminated strings back to back, as
	 * many as fit whole (fewer than argc when cut) */
	char cmdline[RRV_HC_PROCESS_CMDLINE];
};

/*
 * RRV_HC_DEBUG (v9): the guest kernel tells the debugger of an event in
 * the debugged program.  Made only while guest_state.debug.on is set;
 * never recorded, never checked against the trace (an observer, like
 * LOG).  The VMM stops the replay there when the debugger wants to, and
 * answers 0 when it lets the guest go on; the kernel reads ret only for
 * BREAKPOINT and a fault's SIGNAL (below).
 *
 *   WATCH   a debugger watchpoint fired (detail = DR6) in tid; the thread
 *           returns to ring 3 at regs' rip right after this call.
 *   SIGNAL  tid is about to have signal signo delivered or acted on
 *           (a fault: code is si_code, addr si_addr; before a handler is
 *           set up, before a core dump or kill).  regs is the frame of
 *           the interrupted ring-3 code: for a fault, the faulting
 *           instruction.  For a fault, ret 1: the debugger takes it (a
 *           function gdb called faulted in rrv debug's throwaway copy of
 *           the machine, debugger/call.c): no signal, the thread resumes
 *           at regs as the debugger left them.  ret 0: as without a
 *           debugger.  Never 1 on the recording's own path.
 *   EXEC    pid's thread tid completed an execve; addr is the entry
 *           point (the interpreter's for a dynamic program); detail is
 *           the program's AT_ENTRY.  Made before the first ring-3
 *           instruction of the new program.
 *   EXIT    pid is exiting with wait status status (as Linux encodes it);
 *           made by its last thread while its memory is still mapped.
 *   FORK    pid created child (detail = the child's pid), made in the
 *           parent before either runs on.
 *   THREAD  tid was created in pid (clone with CLONE_THREAD).
 *   USER_RETURN  tid of pid is about to return to ring 3 at regs' rip
 *           (only while debug.stop_user_return is set).
 *   BREAKPOINT  tid took a #BP (int3) in ring 3, regs' rip just past it
 *           (detail 0), or a single-step #DB in ring 3 (detail = DR6,
 *           BS set) that replay's preemption logic did not take.  The
 *           debugger's breakpoints are int3s and its steps the trace
 *           flag in the thread's frame: KVM's own guest debugging is not
 *           used (QEMU's emulated SVM never intercepts int3, and does not
 *           arm the guest's debug registers while KVM intercepts their
 *           writes).  ret 1: the trap was the debugger's, which has set
 *           regs as ring 3 must resume (rip back on an int3's
 *           instruction, the trace flag cleared): the kernel returns
 *           there with no signal.  ret 0: the program's own, which gets
 *           its SIGTRAP as without a debugger.
 * The kernel ignores ret for every other event (and for a SIGNAL that
 * is not a fault's).
 */
enum rrv_debug_event {
	RRV_DEBUG_WATCH = 1,
	RRV_DEBUG_SIGNAL = 2,
	RRV_DEBUG_EXEC = 3,
	RRV_DEBUG_EXIT = 4,
	RRV_DEBUG_FORK = 5,
	RRV_DEBUG_THREAD = 6,
	RRV_DEBUG_USER_RETURN = 7,
	RRV_DEBUG_BREAKPOINT = 8,
};
struct rrv_hc_debug {
	struct rrv_hc_hdr hdr;
	uint32_t event;   /* in: enum rrv_debug_event */
	uint32_t tid;     /* in */
	int32_t pid;      /* in */
	int32_t signo;    /* in: SIGNAL */
	int32_t code;     /* in: SIGNAL: si_code */
	int32_t status;   /* in: EXIT */
	uint64_t addr;    /* in: SIGNAL: si_addr; EXEC: entry */
	uint64_t detail;  /* in: WATCH: DR6; EXEC: AT_ENTRY; FORK: child */
	rrv_gpa_t regs;   /* in: tid's struct rrv_user_regs, or 0 */
	rrv_gpa_t fxsave; /* in: tid's FXSAVE area, or 0 when live in the CPU */
	uint64_t cr3;     /* in: pid's page table root */
};

#endif
