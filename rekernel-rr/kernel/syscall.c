/*
 * The system call table and dispatcher (contracts in syscall.h).
 *
 * syscall_entry.S saves the user registers as a struct trapframe and calls
 * syscall_dispatch, which looks the number up in a table built at start-up
 * from the domain files' definitions, runs the call with Linux's argument
 * registers (rdi, rsi, rdx, r10, r8, r9), stores the result in rax, and
 * lets the signal code look at the frame before it goes back to ring 3.
 *
 * Bookkeeping for --stats: every call counts in proc.nsyscalls; a call
 * that made a hypercall (thread.used_host, set by hc_call) also counts in
 * proc.nsyscalls_host.  Nothing in the common path makes a hypercall, so a
 * call served in the guest costs no VM exit.
 */
#include "fs/pseudo.h"
#include "kernel/syscall.h"
#include "lib/syscall.h"

#include <stdbool.h>

#include "arch/x86/gdt.h"
#include "arch/x86/x86.h"
#include "lib/bootinfo.h"
#include "lib/kprintf.h"
#include "lib/string.h"
#include "mm/mm.h"
#include "mm/uaccess.h"
#include "proc/debugger.h"
#include "proc/preempt.h"
#include "proc/proc.h"
#include "proc/sched.h"
#include "proc/signal.h"
#include "uapi/errno.h"
#include "uapi/unistd.h"

extern char syscall_entry[]; /* syscall_entry.S */

/* The table: each number's handler, or NULL. */
static const struct syscall_def *table[NSYSCALLS];
/* Numbers already reported as unimplemented, so each is reported once. */
static uint64_t enosys_seen[NSYSCALLS / 64 + 1];
static bool log_syscalls;

void syscall_init(void)
{
	for (const struct syscall_def *d = __syscall_defs_start;
	     d < __syscall_defs_end; d++) {
		if (d->nr >= NSYSCALLS)
			panic("syscall table: number %u is beyond %u", d->nr, NSYSCALLS);
		if (table[d->nr])
			panic("syscall table: %s (number %u) defined twice",
			      syscall_name(d->nr), d->nr);
		if (!d->fn || !d->args || strlen(d->args) > 6)
			panic("syscall table: %s is malformed", syscall_name(d->nr));
		table[d->nr] = d;
	}

	const char *v;
	size_t len;
	log_syscalls = cmdline_get("log", &v, &len) && len == 8 &&
		       memcmp(v, "syscalls", 8) == 0;

	/* The boot contract sets EFER.SCE; make sure, as for NXE. */
	uint64_t efer = rdmsr(MSR_EFER);
	if (!(efer & EFER_SCE))
		wrmsr(MSR_EFER, efer | EFER_SCE);
	wrmsr(MSR_STAR, STAR_SELECTORS);
	wrmsr(MSR_LSTAR, (uint64_t)(uintptr_t)syscall_entry);
	/* Entered with interrupts off, no single-stepping, DF clear (the C
	 * ABI), AC clear (no alignment checks in the kernel) and NT clear,
	 * as Linux does. */
	wrmsr(MSR_SFMASK, RFLAGS_IF | RFLAGS_TF | RFLAGS_DF | RFLAGS_AC |
				  RFLAGS_NT | RFLAGS_IOPL | RFLAGS_RF);
}

/* ------------------------------------------------------------------ */
/* --log=syscalls: one strace-style line per call                       */

static const char *const errno_names[] = {
	[1] = "EPERM", [2] = "ENOENT", [3] = "ESRCH", [4] = "EINTR", [5] = "EIO",
	[6] = "ENXIO", [7] = "E2BIG", [8] = "ENOEXEC", [9] = "EBADF",
	[10] = "ECHILD", [11] = "EAGAIN", [12] = "ENOMEM", [13] = "EACCES",
	[14] = "EFAULT", [15] = "ENOTBLK", [16] = "EBUSY", [17] = "EEXIST",
	[18] = "EXDEV", [19] = "ENODEV", [20] = "ENOTDIR", [21] = "EISDIR",
	[22] = "EINVAL", [23] = "ENFILE", [24] = "EMFILE", [25] = "ENOTTY",
	[26] = "ETXTBSY", [27] = "EFBIG", [28] = "ENOSPC", [29] = "ESPIPE",
	[30] = "EROFS", [31] = "EMLINK", [32] = "EPIPE", [33] = "EDOM",
	[34] = "ERANGE", [35] = "EDEADLK", [36] = "ENAMETOOLONG", [37] = "ENOLCK",
	[38] = "ENOSYS", [39] = "ENOTEMPTY", [40] = "ELOOP", [42] = "ENOMSG",
	[43] = "EIDRM", [61] = "ENODATA", [62] = "ETIME", [71] = "EPROTO",
	[74] = "EBADMSG", [75] = "EOVERFLOW", [84] = "EILSEQ", [88] = "ENOTSOCK",
	[95] = "EOPNOTSUPP", [97] = "EAFNOSUPPORT", [98] = "EADDRINUSE",
	[103] = "ECONNABORTED", [104] = "ECONNRESET", [110] = "ETIMEDOUT",
	[111] = "ECONNREFUSED", [114] = "EALREADY", [115] = "EINPROGRESS",
	[122] = "EDQUOT", [125] = "ECANCELED",
	[512] = "ERESTARTSYS", [513] = "ERESTARTNOINTR", [514] = "ERESTARTNOHAND",
	[516] = "ERESTART_RESTARTBLOCK",
};

/* A bounded line under construction. */
struct line {
	char buf[480];
	size_t len;
};

static void put(struct line *l, const char *s)
{
	size_t n = strlen(s);
	if (n > sizeof(l->buf) - 1 - l->len)
		n = sizeof(l->buf) - 1 - l->len;
	memcpy(l->buf + l->len, s, n);
	l->len += n;
	l->buf[l->len] = '\0';
}

static void putf(struct line *l, const char *fmt, ...) KPRINTF_FMT(2, 3);
static void putf(struct line *l, const char *fmt, ...)
{
	char tmp[64];
	va_list ap;
	va_start(ap, fmt);
	kvsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	put(l, tmp);
}

static void put_octal(struct line *l, uint64_t v)
{
	char tmp[24];
	int n = sizeof(tmp) - 1;
	if (v == 0) {
		put(l, "0");
		return;
	}
	tmp[n] = '\0';
	do {
		tmp[--n] = (char)('0' + (v & 7));
		v >>= 3;
	} while (v);
	tmp[--n] = '0';
	put(l, tmp + n);
}

/* An int argument: registers carry 64 bits, and an int's upper half may
 * be zero rather than its sign; read such a value as the int it is. */
static int64_t as_signed(uint64_t a)
{
	if ((a >> 32) == 0 && (a & 0x80000000u))
		return (int32_t)(uint32_t)a;
	return (int64_t)a;
}

/*
 * strncpy_from_user that never faults a page in: the log must leave the
 * address space as it found it, or a replay with --log=syscalls would
 * allocate pages its recording did not and go another way.  A string on
 * a page not in memory reads as -EFAULT, and prints as its address.
 */
static int64_t peek_string(char *dst, uint64_t ua, size_t max)
{
	struct mm *mm = mm_current();
	size_t done = 0;
	if (!mm)
		return -EFAULT;
	while (done < max) {
		const char *s = mm_peek(mm, ua + done);
		if (!s)
			return -EFAULT;
		size_t chunk = PGSIZE - ((ua + done) & (PGSIZE - 1));
		if (chunk > max - done)
			chunk = max - done;
		size_t n = strnlen(s, chunk);
		memcpy(dst + done, s, n);
		done += n;
		if (n < chunk) {
			dst[done] = '\0';
			return (int64_t)done;
		}
	}
	dst[max - 1] = '\0';
	return -ENAMETOOLONG;
}

static void put_string(struct line *l, uint64_t uaddr)
{
	char s[34];
	int64_t n = peek_string(s, uaddr, sizeof(s));
	if (n == -EFAULT) {
		putf(l, "0x%lx", uaddr);
		return;
	}
	bool cut = n < 0 || n > 32;
	size_t len = cut ? 32 : (size_t)n;
	put(l, "\"");
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		char e[8];
		switch (c) {
		case '\n': put(l, "\\n"); continue;
		case '\t': put(l, "\\t"); continue;
		case '\r': put(l, "\\r"); continue;
		case '"': put(l, "\\\""); continue;
		case '\\': put(l, "\\\\"); continue;
		}
		if (c < 0x20 || c >= 0x7f) {
			ksnprintf(e, sizeof(e), "\\x%02x", c);
		} else {
			e[0] = (char)c;
			e[1] = '\0';
		}
		put(l, e);
	}
	put(l, cut ? "\"..." : "\"");
}

static void put_open_flags(struct line *l, uint64_t f)
{
	static const struct { uint32_t bit; const char *name; } bits[] = {
		{ 0100, "O_CREAT" }, { 0200, "O_EXCL" }, { 0400, "O_NOCTTY" },
		{ 01000, "O_TRUNC" }, { 02000, "O_APPEND" }, { 04000, "O_NONBLOCK" },
		{ 04010000, "O_SYNC" }, { 010000, "O_DSYNC" }, { 020000, "O_ASYNC" },
		{ 040000, "O_DIRECT" }, { 0100000, "O_LARGEFILE" },
		{ 020200000, "O_TMPFILE" }, { 0200000, "O_DIRECTORY" },
		{ 0400000, "O_NOFOLLOW" }, { 01000000, "O_NOATIME" },
		{ 02000000, "O_CLOEXEC" }, { 010000000, "O_PATH" },
	};
	static const char *const modes[] = { "O_RDONLY", "O_WRONLY", "O_RDWR", "O_ACCMODE" };
	uint32_t v = (uint32_t)f;

	put(l, modes[v & 3]);
	v &= ~3u;
	for (size_t i = 0; i < sizeof(bits) / sizeof(bits[0]); i++) {
		if ((v & bits[i].bit) == bits[i].bit) {
			put(l, "|");
			put(l, bits[i].name);
			v &= ~bits[i].bit;
		}
	}
	if (v) {
		put(l, "|");
		put_octal(l, v);
	}
}

static void put_arg(struct line *l, char kind, uint64_t a)
{
	switch (kind) {
	case 'd':
		putf(l, "%ld", as_signed(a));
		break;
	case 'f':
		if ((int32_t)a == -100)
			put(l, "AT_FDCWD");
		else
			putf(l, "%d", (int32_t)a);
		break;
	case 'u':
		putf(l, "%lu", a);
		break;
	case 'p':
		if (a)
			putf(l, "0x%lx", a);
		else
			put(l, "NULL");
		break;
	case 's':
		put_string(l, a);
		break;
	case 'o':
		put_open_flags(l, a);
		break;
	case 'm':
		put_octal(l, a & 07777);
		break;
	case 'x':
	default:
		putf(l, "0x%lx", a);
		break;
	}
}

/* Calls whose result is an address, shown in hex as strace does. */
static bool returns_address(uint64_t nr)
{
	return nr == SYS_brk || nr == SYS_mmap || nr == SYS_mremap || nr == SYS_shmat;
}

static void put_result(struct line *l, uint64_t nr, int64_t ret)
{
	if (ret < 0 && ret >= -4095) {
		uint64_t e = (uint64_t)-ret;
		const char *name = e < sizeof(errno_names) / sizeof(errno_names[0])
					   ? errno_names[e] : NULL;
		/* The ERESTART codes never reach the program: strace shows
		 * them as "?". */
		put(l, e >= 512 ? " = ? " : " = -1 ");
		if (name)
			put(l, name);
		else
			putf(l, "E%lu", e);
	} else if (returns_address(nr)) {
		putf(l, " = 0x%lx", (uint64_t)ret);
	} else {
		putf(l, " = %ld", ret);
	}
}

/* The calling thread's id, then the call's name and arguments.  Every
 * line names its thread (strace -f does once there are several), so that
 * lines of record and replay, of one thread or many, read alike and match
 * rrv dump's [tid N]. */
static void format_call(struct line *l, uint64_t nr, const char *fmt,
			const struct trapframe *tf)
{
	const uint64_t args[6] = { tf->rdi, tf->rsi, tf->rdx, tf->r10, tf->r8, tf->r9 };

	char tid[24];
	ksnprintf(tid, sizeof(tid), "[tid %d] ", curthread ? curthread->tid : 0);
	put(l, tid);
	put(l, syscall_name(nr));
	put(l, "(");
	if (fmt) {
		for (int i = 0; fmt[i]; i++) {
			if (i)
				put(l, ", ");
			put_arg(l, fmt[i], args[i]);
		}
	} else {
		put(l, "...");
	}
	put(l, ")");
}

/* The LOG hypercall is no host work of the call: it must not count in
 * --stats, nor in the counts EXIT reports, which its digest covers (a
 * replay with --log=syscalls would diverge at the exit). */
static void log_line(const struct line *l)
{
	bool used = curthread && curthread->used_host;
	kprintf("%s\n", l->buf);
	if (curthread)
		curthread->used_host = used;
}

/* --log=syscalls on the command line, or asked by the VMM through
 * guest_state (rrv replay --log=syscalls: the recorded command line is
 * the recording's). */
static bool logging(void)
{
	return log_syscalls || *(volatile uint32_t *)&guest_state.log_syscalls;
}

static void log_call(uint64_t nr, const char *fmt,
		     const struct trapframe *tf, const char *result_text, int64_t ret)
{
	struct line l = { .len = 0 };

	format_call(&l, nr, fmt, tf);
	if (result_text)
		put(&l, result_text);
	else
		put_result(&l, nr, ret);
	log_line(&l);
}

/* ------------------------------------------------------------------ */
/* Dispatch                                                             */

static int64_t enosys(uint64_t nr)
{
	uint64_t slot = nr < NSYSCALLS ? nr : NSYSCALLS;
	if (!(enosys_seen[slot / 64] & (1ull << (slot % 64)))) {
		enosys_seen[slot / 64] |= 1ull << (slot % 64);
		kprintf("unimplemented system call %s (nr %lu): returned ENOSYS\n",
			syscall_name(nr), nr);
	}
	return -ENOSYS;
}

void syscall_dispatch(struct trapframe *tf)
{
	struct thread *t = curthread;
	uint64_t nr = tf->rax;
	const struct syscall_def *d = nr < NSYSCALLS ? table[nr] : NULL;
	const char *fmt = d ? d->args : NULL;
	int64_t ret;

	dbg_kernel_enter(); /* the debugger's watchpoints off in the kernel */
	t->tf = tf;
	t->syscall_nr = (int64_t)nr;
	t->orig_rax = nr;
	t->used_host = false;
	curproc->nsyscalls++;
	preempt_count_entry(t);
	guest_state.syscall_nr = nr;
	guest_state.in_syscall = 1;

	/* exit and exit_group do not come back: log them first.  A
	 * successful execve replaces the memory its arguments were in:
	 * they are formatted first, the result added after.  Into a static
	 * line, not kmalloc: the log must allocate nothing, or the kernel's
	 * later buffers would move, and with them the addresses that the
	 * hypercalls' digests cover (a replay with --log=syscalls would
	 * diverge).  An execve while another one's line is in use (it
	 * slept) is logged after it returns, like any call. */
	static struct line exec_line;
	static bool exec_line_busy;
	struct line *pre = NULL;
	bool log = logging();
	if (log && (nr == SYS_exit || nr == SYS_exit_group))
		log_call(nr, fmt, tf, " = ?", 0);
	if (log && (nr == SYS_execve || nr == SYS_execveat) && !exec_line_busy) {
		pre = &exec_line;
		pre->len = 0;
		pre->buf[0] = '\0';
		exec_line_busy = true;
		format_call(pre, nr, fmt, tf);
	}

	const uint64_t args[6] = { tf->rdi, tf->rsi, tf->rdx, tf->r10, tf->r8, tf->r9 };
	if (d)
		ret = d->fn(args);
	else
		ret = enosys(nr);

	if (t->used_host)
		curproc->nsyscalls_host++;
	if (pre) {
		put_result(pre, nr, ret);
		log_line(pre);
		exec_line_busy = false;
	} else if (log) {
		log_call(nr, fmt, tf, NULL, ret);
	}

	/* rt_sigreturn returns the rax it restored, so storing it changes
	 * nothing, and signal.c never takes it for a restart code. */
	tf->rax = (uint64_t)ret;
	/* A scheduling point: other threads may run before this one goes
	 * back to ring 3 (and the signals they send are then seen below). */
	sched_syscall_point();
	signal_return_to_user(tf, true);
	t->syscall_nr = -1;
	guest_state.in_syscall = 0;
}
