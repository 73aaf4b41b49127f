/*
 * gdbstub/target.h: what the gdb remote protocol stub asks of the machine
 * it debugs.  The stub (gdbstub/) speaks the protocol and knows nothing of
 * KVM or traces; the debugger (debugger/) implements these operations on
 * a replay.  Unit tests implement them on a fake process.
 *
 * Conventions: every operation returns 0 (or a count) on success and a
 * negative errno on failure; the stub turns failures into E replies.
 * Thread ids are the program's Linux tids; pid is the debugged process.
 * Signals are Linux numbers; the stub maps them to gdb's.
 */
#ifndef RRV_GDBSTUB_TARGET_H
#define RRV_GDBSTUB_TARGET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* One thread's registers, in the shapes the machine has them; the stub
 * lays them out as its target description says (amd64 core, SSE, Linux's
 * orig_rax, fs_base and gs_base). */
struct gdb_regs {
	uint64_t rax, rbx, rcx, rdx, rsi, rdi, rbp, rsp;
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
	uint64_t rip, eflags;
	uint32_t cs, ss, ds, es, fs, gs;
	uint64_t fs_base, gs_base;
	int64_t orig_rax;     /* the system call being served, or -1 */
	uint8_t fxsave[512];  /* x87, MXCSR and XMM0-15, FXSAVE layout */
};

/* Z/z packet types. */
enum gdb_point_type {
	GDB_POINT_SW = 0,     /* software breakpoint */
	GDB_POINT_HW = 1,     /* hardware breakpoint */
	GDB_POINT_WRITE = 2,  /* write watchpoint */
	GDB_POINT_READ = 3,   /* read watchpoint */
	GDB_POINT_ACCESS = 4, /* access watchpoint */
};

enum gdb_stop_kind {
	GDB_STOP_SIGNAL,   /* signo in tid (a fault: at the faulting insn) */
	GDB_STOP_BREAK,    /* a breakpoint, or a finished step: SIGTRAP */
	GDB_STOP_WATCH,    /* a watchpoint at addr fired (type says which) */
	GDB_STOP_EXITED,   /* the process exited with status (exit code) */
	GDB_STOP_KILLED,   /* the process was killed by signal signo */
	GDB_STOP_REPLAY_BEGIN, /* going back reached the recording's start */
	GDB_STOP_REPLAY_END,   /* going forward reached the recording's end
				  before the process ended (trace cut off) */
	GDB_STOP_INTERRUPTED,  /* stopped on the client's ^C: SIGINT */
	GDB_STOP_FORKED,   /* tid forked child (fork-events, when asked) */
	GDB_STOP_EXECD,    /* tid exec'd (exec-events, when asked) */
};

struct gdb_stop {
	enum gdb_stop_kind kind;
	uint32_t tid;
	int signo;                 /* SIGNAL, KILLED */
	int status;                /* EXITED */
	enum gdb_point_type type;  /* WATCH */
	uint64_t addr;             /* WATCH: the data address */
	bool swbreak, hwbreak;     /* BREAK: which kind fired (T reply) */
	pid_t child;               /* FORKED */
	char path[256];            /* EXECD: the new program */
};

enum gdb_resume_action { GDB_CONTINUE, GDB_STEP };

/* One resume request, from vCont, c, s, bc or bs. */
struct gdb_resume {
	enum gdb_resume_action action;
	bool reverse;           /* bc, bs */
	uint32_t step_tid;      /* GDB_STEP: the thread to step (0: current) */
	int signo;              /* a signal gdb asks to deliver: replay cannot
				   (the recording decides); the target may
				   refuse with -EINVAL or ignore it */
};

struct gdb_target_ops {
	/* The debugged process and its threads (live ones, first the one
	 * that stopped).  threads returns how many tids it wrote, at most
	 * max; a return of max may mean more. */
	pid_t (*pid)(void *t);
	int (*threads)(void *t, uint32_t *tids, int max);
	/* A thread's name for qXfer:threads, or NULL. */
	const char *(*thread_name)(void *t, uint32_t tid);

	int (*get_regs)(void *t, uint32_t tid, struct gdb_regs *r);
	int (*set_regs)(void *t, uint32_t tid, const struct gdb_regs *r);

	/* The process's memory, as the program sees it (breakpoints the
	 * stub inserted are invisible).  Return the bytes done, which may be
	 * fewer than len (an unmapped page), or negative errno for none. */
	ssize_t (*read_mem)(void *t, uint64_t addr, void *buf, size_t len);
	ssize_t (*write_mem)(void *t, uint64_t addr, const void *buf, size_t len);

	/* Z and z.  kind is the packet's kind (breakpoint size, watch
	 * length).  -ENOSPC when no hardware slot is free, -EINVAL for a
	 * shape the target cannot do (gdb then falls back or reports it). */
	int (*insert_point)(void *t, enum gdb_point_type type, uint64_t addr, int kind);
	int (*remove_point)(void *t, enum gdb_point_type type, uint64_t addr, int kind);

	/* Runs until something stops the process, then fills *stop.  Blocks;
	 * calls interrupted(ctx) now and then (a nonzero return means the
	 * client sent ^C: stop as soon as possible with INTERRUPTED). */
	int (*resume)(void *t, const struct gdb_resume *how, struct gdb_stop *stop,
		      bool (*interrupted)(void *ctx), void *ctx);

	/* Objects for qXfer: "auxv", "exec-file" (annex: the pid in hex, or
	 * empty), "libraries-svr4" (the XML, the target writes it whole).
	 * Return the bytes written into buf from offset off (0 at the end),
	 * or negative errno (-ENOENT: the object does not exist). */
	ssize_t (*xfer)(void *t, const char *object, const char *annex,
			uint64_t off, void *buf, size_t len);

	/* vFile: files gdb reads to find symbols (the program, its
	 * libraries): the target decides where they come from (the host, or
	 * the copies a packed trace holds).  Read-only: flags other than
	 * O_RDONLY give -EACCES.  fd is the target's own small number. */
	int (*file_open)(void *t, const char *path, int flags, int mode);
	ssize_t (*file_pread)(void *t, int fd, void *buf, size_t len, uint64_t off);
	int (*file_close)(void *t, int fd);
	/* Size and mode (for vFile:fstat); 0 or negative errno. */
	int (*file_stat)(void *t, int fd, uint64_t *size, uint32_t *mode);

	/* qRcmd ("monitor ..."): writes the text to show into out (at most
	 * len bytes, NUL-terminated); returns 0, or -ENOENT for an unknown
	 * command (the stub then says so). */
	int (*monitor)(void *t, const char *cmd, char *out, size_t len);

	/* The client went away or asked to detach/kill: the replay ends. */
	void (*detach)(void *t);
};

#endif
