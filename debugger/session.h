/*
 * The engine's state, shared by its files (debugger/); nothing outside
 * debugger/ includes this.  session.c owns the replay and the run loop,
 * breakpoints.c the int3s, watch.c DR1-DR3, regs.c and memory.c what gdb
 * reads, xfer.c qXfer's objects, target.c the table gdbstub calls.
 */
#ifndef RRV_DEBUGGER_SESSION_H
#define RRV_DEBUGGER_SESSION_H

#include <stdbool.h>
#include <stdint.h>

#include <rrv/hypercall.h>

#include "debugger.h"
#include "vmm/vmm.h"

struct replayer;

/* Software breakpoints gdb inserted (Z0/Z1), and one of the engine's own. */
#define DBG_BPS_MAX 64
struct dbg_bp {
	bool used;
	uint64_t addr;
	uint8_t orig;      /* the program's byte, read when inserted */
	bool in_memory;    /* the int3 is in guest memory now */
};

/* A watchpoint in one of DR1-DR3 (slot i+1). */
#define DBG_WATCH_SLOTS 3
struct dbg_watch {
	bool used;
	enum gdb_point_type type;
	uint64_t addr;
	int len;
	/* A write watchpoint's bytes as last seen (at a resume or a hit),
	 * when they could be read: a hit that leaves them so is no stop. */
	bool have_value;
	uint8_t value[8];
};

enum dbg_state {
	DBG_RUNNING,   /* between stops */
	DBG_STOPPED,   /* stopped, gdb looks */
	DBG_GONE,      /* the debugged process exited (W/X sent) */
	DBG_ENDED,     /* the replay is over (end, divergence) */
};

struct dbg {
	struct dbg_options opt;
	char trace[4200];
	struct vmm_config cfg;
	struct replayer *rep;
	struct vmm *vm;
	bool vm_started;         /* vmm_run was entered once */
	int vm_status;           /* its result once the replay is over */
	enum dbg_state state;

	/* The debugged process: its pid and address space, once it ran. */
	pid_t pid;
	uint64_t cr3;
	char exec_path[256];
	uint8_t auxv[512];
	size_t auxv_len;
	bool waiting_for_pid;    /* -p: waiting for that process to appear */
	bool exec_seen;          /* the first program's EXEC came */
	bool other_program;      /* the debugged process exec'd another */
	bool await_return;       /* --goto, -p, ^C: stop at the next USER_RETURN */
	struct gdb_stop await_stop; /* ... with this stop */
	int bp_pending;          /* breakpoints whose page is not mapped yet */

	/* The stop gdb sees, and where the vCPU is. */
	struct gdb_stop stop;
	uint32_t cur_tid;
	rrv_gpa_t frame;         /* cur_tid's ring-3 frame (0: none, a stop
				    at an event limit) */
	rrv_gpa_t frame_fx;      /* and its FXSAVE area (0: in the CPU) */

	/* The run in progress. */
	const struct dbg_run *how;
	bool stepping;           /* the trace flag is in step_tid's frame */
	uint32_t step_tid;
	rrv_gpa_t step_frame;    /* ... that frame */
	bool step_had_tf;        /* the program had set the flag itself */
	bool have_step_watch;    /* a watchpoint fired during the step */
	struct gdb_stop step_watch;
	bool step_via_return;    /* a step ended by the thread's next
				    USER_RETURN (a system call, a signal) */
	bool stop_is_signal;     /* the stop is a SIGNAL event's */
	/* A breakpoint stepped over (its index, -1 for none): over_tid runs
	 * the instruction under it with the trace flag, in over_cr3. */
	int over_bp;
	uint32_t over_tid;
	uint64_t over_cr3;
	bool over_had_tf;
	bool finishing;          /* dbg_finish: the replay runs to its end */

	bool want_pause;         /* the run has its answer in out */
	struct gdb_stop out;
	uint64_t hits;           /* breakpoint and watchpoint stops so far */
	uint64_t events;         /* events consumed */
	bool goto_pending;       /* --goto not reached yet */
	bool started;            /* the first stop was reached */

	struct dbg_bp bps[DBG_BPS_MAX];
	struct dbg_watch watch[DBG_WATCH_SLOTS];
	struct rrv_debug_request rq;  /* what guest_state.debug holds */

	bool said_signals;       /* "the recording decides" said once */

	/* gdb's writes and the functions it calls (call.c): the machine as
	 * it was at the first write, to put back at the next resume. */
	bool throwaway;          /* gdb wrote since the stop: a snapshot held */
	int call_snap;           /* ... its id */
	uint64_t call_rip;       /* cur_tid's pc at that stop */
	uint64_t call_ret;       /* the running call's return address */
	bool call_dead;          /* the called code needed the host: the VM is
				    paused inside that hypercall, unanswered */
	bool said_throwaway;     /* the throwaway rule said once */
	/* gdb's memory writes since the last resume (address, length,
	 * bytes): a call set up where the last one needed the host is set
	 * up again on the snapshot (call.c). */
	uint8_t call_log[16384];
	size_t call_log_len;
	bool call_log_over;      /* more than call_log holds */
	bool detached;           /* the client detached, killed or left */
	struct dbg_files *files; /* vFile's source (files.c) */
	struct dbg_cps *cps;     /* checkpoints (checkpoints.c) */
};

/* session.c */
/* The guest's thread table, copied and checked; returns the count. */
int dbg_threads(struct dbg *d, struct rrv_debug_thread *out, int max);
/* The slot of tid, or NULL. */
const struct rrv_debug_thread *dbg_thread(struct dbg *d, uint32_t tid,
					  struct rrv_debug_thread *buf);
/* The thread running now (guest_state.tid), 0 when none. */
uint32_t dbg_current_tid(struct dbg *d);
/* Writes d->rq into guest_state.debug (bumping its generation). */
int dbg_publish(struct dbg *d);

/* breakpoints.c */
int bp_insert(struct dbg *d, uint64_t addr);
int bp_remove(struct dbg *d, uint64_t addr);
/* Puts every int3 into (or takes it out of) the debugged process;
 * arming returns how many could not go in (their page is not mapped). */
int bp_arm_all(struct dbg *d);
void bp_disarm_all(struct dbg *d);
int bp_find(const struct dbg *d, uint64_t addr);
/* One byte of code at addr in address space cr3, and writing it. */
int bp_poke(struct dbg *d, uint64_t cr3, uint64_t addr, uint8_t byte,
	    uint8_t *old);

/* watch.c */
int watch_insert(struct dbg *d, enum gdb_point_type type, uint64_t addr, int len);
int watch_remove(struct dbg *d, enum gdb_point_type type, uint64_t addr, int len);
/* The watchpoint DR6 says fired (B1-B3), or -1. */
int watch_hit(const struct dbg *d, uint64_t dr6);
void watch_clear_all(struct dbg *d);
/* Notes every write watchpoint's bytes, as the run about to start
 * begins from. */
void watch_note_values(struct dbg *d);
/* Whether watchpoint i's hit changed what it watches (always true for a
 * read or access watchpoint, and for bytes not readable before); notes
 * the bytes now.  cr3: the address space the hit was in. */
bool watch_changed(struct dbg *d, int i, uint64_t cr3);

/* regs.c */
int regs_get(struct dbg *d, uint32_t tid, struct gdb_regs *r);

/* memory.c */
ssize_t mem_read(struct dbg *d, uint64_t addr, void *buf, size_t len);
size_t mem_read_root(struct dbg *d, uint64_t cr3, uint64_t addr, void *buf,
		     size_t len);
size_t mem_write_root(struct dbg *d, uint64_t cr3, uint64_t addr,
		      const void *buf, size_t len);
/* The debugged process's page tables, 0 when it has none now. */
uint64_t mem_root(struct dbg *d);

/* call.c */
int call_set_regs(struct dbg *d, uint32_t tid, const struct gdb_regs *r);
ssize_t call_write_mem(struct dbg *d, uint64_t addr, const void *buf, size_t len);
/* Before a resume: a function call gdb set up runs in the throwaway
 * machine; anything else puts the recording's machine back first.  0, or
 * -1 when that failed: the replay cannot go on. */
int call_before_resume(struct dbg *d, const struct gdb_resume *how);
/* The recording's machine back, if gdb changed it (detach, finish). */
int call_undo(struct dbg *d);
/* vm->hc.held: the called code made a traced hypercall. */
void call_on_host_call(void *ctx, unsigned nr);

/* xfer.c */
/* The value of auxiliary vector entry type, from the program's stack. */
bool xfer_auxv(const struct dbg *d, uint64_t type, uint64_t *val);
/* At EXEC: the auxiliary vector from the new program's stack. */
void xfer_save_auxv(struct dbg *d, uint64_t cr3, uint64_t rsp);
ssize_t xfer_read(struct dbg *d, const char *object, const char *annex,
		  uint64_t off, void *buf, size_t len);

#endif
