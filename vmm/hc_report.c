/*
 * The report hypercalls (80-81): DEADLOCK, the guest kernel's description
 * of a program whose threads all wait with nothing to wake them.  The VMM
 * prints, per thread, the call it waits in with its arguments decoded and
 * a backtrace through that thread's own page tables (vmm/progstate.c).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <rrv/syscall_list.h>

#include "debuginfo/symbolizer.h"
#include "debuginfo/sysnames.h"
#include "hc_families.h"
#include "hypercall.h"
#include "progstate.h"
#include "vmm.h"

/*
 * How a waiting call's arguments are shown: one letter per argument, in
 * order (rdi, rsi, rdx, r10, r8, r9), with its name.
 *   f  a descriptor ("fd 3")          p  an address ("buf 0x7ffd...")
 *   u  a count or size, in decimal    d  a signed number (a pid)
 *   x  flags, in hex                  o  a futex operation (FUTEX_WAIT...)
 * An argument without a name is shown by its value alone.  The calls a
 * deadlock is usually made of; any other shows six hex words.
 */
struct call_fmt {
	uint64_t nr;
	const char *kinds;
	const char *names[6];
};

static const struct call_fmt call_fmts[] = {
	{ RRV_NR_read, "fpu", { "fd", "buf", "count" } },
	{ RRV_NR_write, "fpu", { "fd", "buf", "count" } },
	{ RRV_NR_readv, "fpu", { "fd", "iov", "iovcnt" } },
	{ RRV_NR_writev, "fpu", { "fd", "iov", "iovcnt" } },
	{ RRV_NR_pread64, "fpuu", { "fd", "buf", "count", "offset" } },
	{ RRV_NR_pwrite64, "fpuu", { "fd", "buf", "count", "offset" } },
	{ RRV_NR_futex, "pouppu", { "uaddr", NULL, "val", "timeout", "uaddr2",
				    "val3" } },
	{ RRV_NR_wait4, "dpxp", { "pid", "status", "options", "rusage" } },
	{ RRV_NR_waitid, "udpxp", { "idtype", "id", "info", "options",
				    "rusage" } },
	{ RRV_NR_poll, "pud", { "fds", "nfds", "timeout" } },
	{ RRV_NR_ppoll, "pupp", { "fds", "nfds", "timeout", "sigmask" } },
	{ RRV_NR_select, "upppp", { "nfds", "readfds", "writefds", "exceptfds",
				    "timeout" } },
	{ RRV_NR_pselect6, "uppppp", { "nfds", "readfds", "writefds",
				       "exceptfds", "timeout", "sigmask" } },
	{ RRV_NR_epoll_wait, "fpud", { "epfd", "events", "maxevents",
				       "timeout" } },
	{ RRV_NR_epoll_pwait, "fpudp", { "epfd", "events", "maxevents",
					 "timeout", "sigmask" } },
	{ RRV_NR_accept, "fpp", { "fd", "addr", "addrlen" } },
	{ RRV_NR_accept4, "fppx", { "fd", "addr", "addrlen", "flags" } },
	{ RRV_NR_connect, "fpu", { "fd", "addr", "addrlen" } },
	{ RRV_NR_recvfrom, "fpuxpp", { "fd", "buf", "len", "flags", "addr",
				       "addrlen" } },
	{ RRV_NR_sendto, "fpuxpu", { "fd", "buf", "len", "flags", "addr",
				     "addrlen" } },
	{ RRV_NR_recvmsg, "fpx", { "fd", "msg", "flags" } },
	{ RRV_NR_sendmsg, "fpx", { "fd", "msg", "flags" } },
	{ RRV_NR_openat, "dpxx", { "dirfd", "path", "flags", "mode" } },
	{ RRV_NR_flock, "fx", { "fd", "operation" } },
	{ RRV_NR_fcntl, "fxx", { "fd", "cmd", "arg" } },
	{ RRV_NR_pause, "", { 0 } },
	{ RRV_NR_rt_sigsuspend, "pu", { "mask", "sigsetsize" } },
	{ RRV_NR_rt_sigtimedwait, "pppu", { "set", "info", "timeout",
					    "sigsetsize" } },
};

/* futex(2)'s commands, by op & FUTEX_CMD_MASK. */
static const char *const futex_cmds[] = {
	"FUTEX_WAIT", "FUTEX_WAKE", "FUTEX_FD", "FUTEX_REQUEUE",
	"FUTEX_CMP_REQUEUE", "FUTEX_WAKE_OP", "FUTEX_LOCK_PI",
	"FUTEX_UNLOCK_PI", "FUTEX_TRYLOCK_PI", "FUTEX_WAIT_BITSET",
	"FUTEX_WAKE_BITSET", "FUTEX_WAIT_REQUEUE_PI", "FUTEX_CMP_REQUEUE_PI",
	"FUTEX_LOCK_PI2",
};
#define FUTEX_PRIVATE 128u
#define FUTEX_CLOCK_REALTIME 256u
#define FUTEX_CMD_MASK 127u

static const struct call_fmt *call_fmt(uint64_t nr)
{
	for (size_t i = 0; i < sizeof(call_fmts) / sizeof(call_fmts[0]); i++)
		if (call_fmts[i].nr == nr)
			return &call_fmts[i];
	return NULL;
}

/* Appends to out (of len bytes, *used so far), truncating quietly. */
static __attribute__((format(printf, 4, 5))) void
put(char *out, size_t len, size_t *used, const char *fmt, ...)
{
	if (*used >= len)
		return;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(out + *used, len - *used, fmt, ap);
	va_end(ap);
	if (n > 0)
		*used = *used + (size_t)n < len ? *used + (size_t)n : len;
}

static void put_futex_op(char *out, size_t len, size_t *used, uint64_t op)
{
	uint64_t cmd = op & FUTEX_CMD_MASK;
	if (op >> 9 || cmd >= sizeof(futex_cmds) / sizeof(futex_cmds[0])) {
		put(out, len, used, "0x%" PRIx64, op);
		return;
	}
	put(out, len, used, "%s%s%s", futex_cmds[cmd],
	    op & FUTEX_PRIVATE ? "_PRIVATE" : "",
	    op & FUTEX_CLOCK_REALTIME ? "|FUTEX_CLOCK_REALTIME" : "");
}

/* "read(fd 3, buf 0x7ffd5c2c, count 1)", or the number and six words of a
 * call the table does not know. */
static void describe_call(char *out, size_t len, int64_t nr,
			  const uint64_t args[6])
{
	size_t used = 0;
	out[0] = '\0';
	const char *name = nr >= 0 ? syscall_name((uint64_t)nr) : NULL;
	const struct call_fmt *f = nr >= 0 ? call_fmt((uint64_t)nr) : NULL;
	if (!name) {
		put(out, len, &used, "system call %" PRId64 "(", nr);
	} else {
		put(out, len, &used, "%s(", name);
	}
	if (!f) {
		for (int i = 0; i < 6; i++)
			put(out, len, &used, "%s0x%" PRIx64, i ? ", " : "",
			    args[i]);
		put(out, len, &used, ")");
		return;
	}
	for (int i = 0; f->kinds[i] && i < 6; i++) {
		put(out, len, &used, "%s%s%s", i ? ", " : "",
		    f->names[i] ? f->names[i] : "", f->names[i] ? " " : "");
		switch (f->kinds[i]) {
		case 'f':
		case 'd':
			put(out, len, &used, "%" PRId64, (int64_t)args[i]);
			break;
		case 'u':
			put(out, len, &used, "%" PRIu64, args[i]);
			break;
		case 'o':
			put_futex_op(out, len, &used, args[i]);
			break;
		default: /* p, x */
			put(out, len, &used, "0x%" PRIx64, args[i]);
			break;
		}
	}
	put(out, len, &used, ")");
}

static int64_t hc_deadlock(struct hc_call *c)
{
	const struct rrv_hc_deadlock *a = c->args;
	struct vmm *vm = c->vm;
	if (a->nthreads == 0 || a->nthreads > RRV_HC_DEADLOCK_MAX ||
	    a->blocked < a->nthreads ||
	    a->threads_len != (uint64_t)a->nthreads *
				      sizeof(struct rrv_deadlock_thread)) {
		fprintf(stderr, "rrv: guest kernel sent a malformed deadlock "
			"report (%" PRIu32 " of %" PRIu32 " threads, %" PRIu64
			" bytes)\n", a->nthreads, a->blocked, a->threads_len);
		return -EINVAL;
	}
	/* A copy, so that what is checked is what is used. */
	struct rrv_deadlock_thread th[RRV_HC_DEADLOCK_MAX];
	const void *src = GUEST_AT(c->mem, a->threads, a->threads_len);
	if (!src) {
		fprintf(stderr, "rrv: guest kernel's deadlock report at 0x%"
			PRIx64 " lies outside guest memory\n", a->threads);
		return -EFAULT;
	}
	memcpy(th, src, a->threads_len);

	if (a->blocked == 1)
		fprintf(stderr, "rrv: deadlock: the program's only thread waits "
			"and nothing can wake it (a native run would hang "
			"here); it is stopped as by SIGKILL\n");
	else
		fprintf(stderr, "rrv: deadlock: all %" PRIu32 " threads of the "
			"program wait and none can wake another (a native run "
			"would hang here); it is stopped as by SIGKILL\n",
			a->blocked);
	/* The objects of each process once, for all its threads (a
	 * library's debug file is megabytes to read). */
	struct {
		uint64_t root;
		bool other;
		struct symbolizer *sym;
	} procs[RRV_HC_DEADLOCK_MAX];
	uint32_t nprocs = 0;
	for (uint32_t i = 0; i < a->nthreads; i++) {
		const struct rrv_deadlock_thread *t = &th[i];
		char call[320];
		if (t->syscall_nr >= 0)
			describe_call(call, sizeof(call), t->syscall_nr, t->args);
		else
			snprintf(call, sizeof(call), "the kernel, not in a "
				 "system call");
		fprintf(stderr, "rrv: thread %" PRIu32 " (process %" PRIu32
			") waits in %s\n", t->tid, t->pid, call);
		if (!t->page_root) {
			fprintf(stderr, "rrv:   (no page tables named: no "
				"backtrace)\n");
			continue;
		}
		struct ps_thread pt = {
			.tid = t->tid,
			.in_syscall = t->syscall_nr >= 0,
			.syscall_nr = t->syscall_nr >= 0 ? (uint64_t)t->syscall_nr : 0,
			.user_regs = t->user_regs,
			.root = t->page_root,
			.other_program = t->other_program != 0,
		};
		uint32_t k = 0;
		while (k < nprocs && (procs[k].root != pt.root ||
				      procs[k].other != pt.other_program))
			k++;
		if (k == nprocs) {
			procs[nprocs].root = pt.root;
			procs[nprocs].other = pt.other_program;
			procs[nprocs++].sym = progstate_objects(vm, &pt);
		}
		pt.objects = procs[k].sym;
		progstate_thread(vm, &pt, PS_QUIET);
	}
	for (uint32_t k = 0; k < nprocs; k++)
		symbolizer_free(procs[k].sym);
	if (a->blocked > a->nthreads)
		fprintf(stderr, "rrv: (%" PRIu32 " more waiting threads are not "
			"shown)\n", a->blocked - a->nthreads);
	return 0;
}

static const struct hc_entry reports[] = {
	/* Touches nothing on the host: replay runs it as well, after
	 * checking the description against the recorded digest. */
	{ RRV_HC_DEADLOCK, { .name = "deadlock",
			     .args_size = sizeof(struct rrv_hc_deadlock),
			     .flags = HC_F_TERMINAL,
			     .fn = hc_deadlock, .replay_fn = hc_deadlock,
			     .in = { HC_IN_BUF(struct rrv_hc_deadlock, threads,
					       threads_len) } } },
};

int hc_report_register(struct hc_table *t)
{
	return HC_REGISTER_TABLE(t, reports);
}
