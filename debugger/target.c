/*
 * The engine as gdbstub's target (gdbstub/target.h): each operation maps
 * onto the session, breakpoints, watchpoints, registers, memory and qXfer
 * of this folder.  Writes to registers and memory, and the functions gdb
 * calls, happen in a throwaway copy of the machine (call.c): a replay
 * cannot take them (the recording decides what the program does).
 */
#include "session.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

#include "files.h"
#include "reverse.h"

static pid_t t_pid(void *t)
{
	struct dbg *d = t;
	return d->pid;
}

static int t_threads(void *t, uint32_t *tids, int max)
{
	struct dbg *d = t;
	static struct rrv_debug_thread all[RRV_DEBUG_THREADS_MAX];
	if (d->state == DBG_ENDED || max <= 0)
		return 0;
	int n = dbg_threads(d, all, RRV_DEBUG_THREADS_MAX), k = 0;
	/* The stopped thread first, then the others in table order. */
	for (int i = 0; i < n; i++)
		if (all[i].tid == d->cur_tid && all[i].pid == d->pid &&
		    all[i].state != RRV_DT_EXITED)
			tids[k++] = all[i].tid;
	for (int i = 0; i < n && k < max; i++)
		if (all[i].pid == d->pid && all[i].state != RRV_DT_EXITED &&
		    all[i].tid != d->cur_tid)
			tids[k++] = all[i].tid;
	if (k == 0 && d->cur_tid && d->state == DBG_GONE)
		tids[k++] = d->cur_tid;
	return k;
}

static const char *t_thread_name(void *t, uint32_t tid)
{
	(void)t;
	(void)tid;
	return NULL;
}

static int t_get_regs(void *t, uint32_t tid, struct gdb_regs *r)
{
	struct dbg *d = t;
	return regs_get(d, tid ? tid : d->cur_tid, r);
}

static int t_set_regs(void *t, uint32_t tid, const struct gdb_regs *r)
{
	return call_set_regs(t, tid, r);
}

static ssize_t t_read_mem(void *t, uint64_t addr, void *buf, size_t len)
{
	return mem_read(t, addr, buf, len);
}

static ssize_t t_write_mem(void *t, uint64_t addr, const void *buf, size_t len)
{
	return call_write_mem(t, addr, buf, len);
}

static int t_insert(void *t, enum gdb_point_type type, uint64_t addr, int kind)
{
	struct dbg *d = t;
	if (d->state == DBG_ENDED || d->state == DBG_GONE)
		return -ESRCH;
	if (type == GDB_POINT_SW || type == GDB_POINT_HW)
		return kind == 1 ? bp_insert(d, addr) : -EINVAL;
	return watch_insert(d, type, addr, kind);
}

static int t_remove(void *t, enum gdb_point_type type, uint64_t addr, int kind)
{
	struct dbg *d = t;
	if (type == GDB_POINT_SW || type == GDB_POINT_HW)
		return bp_remove(d, addr);
	if (d->state == DBG_ENDED)
		return 0;
	return watch_remove(d, type, addr, kind);
}

static int t_resume(void *t, const struct gdb_resume *how, struct gdb_stop *stop,
		    bool (*interrupted)(void *ctx), void *ctx)
{
	struct dbg *d = t;
	/* A call gdb set up runs in the throwaway machine; any other resume
	 * puts the recording's machine back first. */
	if (call_before_resume(d, how) < 0)
		return -EIO;
	if (how->reverse)
		return reverse_resume(d, how, stop, interrupted, ctx);
	if (how->signo && !d->said_signals) {
		d->said_signals = true;
		fprintf(stderr, "rrv: debug: a replay delivers the signals the "
			"recording had, not gdb's (signal %d not sent)\n", how->signo);
	}
	if (d->state == DBG_GONE) {
		/* The process is gone; nothing of it can run. */
		*stop = d->stop;
		return 0;
	}
	struct dbg_run run = {
		.action = how->action == GDB_STEP ? DBG_STEP : DBG_CONTINUE,
		.tid = how->step_tid,
		.interrupted = interrupted, .intr_ctx = ctx,
	};
	return dbg_run(d, &run, stop);
}

static ssize_t t_xfer(void *t, const char *object, const char *annex,
		      uint64_t off, void *buf, size_t len)
{
	return xfer_read(t, object, annex, off, buf, len);
}

static int t_file_open(void *t, const char *path, int flags, int mode)
{
	struct dbg *d = t;
	(void)mode;
	if ((flags & O_ACCMODE) != O_RDONLY)
		return -EACCES;
	/* gdb's probe of vFile support opens this name: no file to find. */
	if (!strcmp(path, "just probing"))
		return -ENOENT;
	int err = 0;
	int fd = dbg_files_open(d->files, path, &err);
	return fd < 0 ? -err : fd;
}

static ssize_t t_file_pread(void *t, int fd, void *buf, size_t len, uint64_t off)
{
	struct dbg *d = t;
	return dbg_files_pread(d->files, fd, buf, len, off);
}

static int t_file_close(void *t, int fd)
{
	struct dbg *d = t;
	return dbg_files_close(d->files, fd);
}

static int t_file_stat(void *t, int fd, uint64_t *size, uint32_t *mode)
{
	struct dbg *d = t;
	return dbg_files_fstat(d->files, fd, size, mode);
}

static int t_monitor(void *t, const char *cmd, char *out, size_t len)
{
	struct dbg *d = t;
	/* Checkpoints are places in the recording, not in gdb's changes:
	 * those go first (the next stop shows the recording's registers). */
	if (call_undo(d) < 0) {
		snprintf(out, len, "rrv: cannot put the recording's machine back\n");
		return 0;
	}
	if (cp_monitor(d, cmd, out, len) == 0)
		return 0;
	if (!strcmp(cmd, "where")) {
		snprintf(out, len, "event %llu of the replay, thread %u\n",
			 (unsigned long long)d->events, d->cur_tid);
		return 0;
	}
	return -ENOENT;
}

static void t_detach(void *t)
{
	struct dbg *d = t;
	d->detached = true;
}

const struct gdb_target_ops dbg_target_ops = {
	.pid = t_pid,
	.threads = t_threads,
	.thread_name = t_thread_name,
	.get_regs = t_get_regs,
	.set_regs = t_set_regs,
	.read_mem = t_read_mem,
	.write_mem = t_write_mem,
	.insert_point = t_insert,
	.remove_point = t_remove,
	.resume = t_resume,
	.xfer = t_xfer,
	.file_open = t_file_open,
	.file_pread = t_file_pread,
	.file_close = t_file_close,
	.file_stat = t_file_stat,
	.monitor = t_monitor,
	.detach = t_detach,
};
