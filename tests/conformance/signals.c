/*
 * signals: handlers for raise/kill/tgkill/sigqueue with their siginfo,
 * blocking, pending and the delivery order on unblock, coalescing of
 * standard signals and queueing of real-time ones, SA_NODEFER,
 * SA_RESETHAND, the mask inside a handler, sigaltstack, sigsuspend,
 * sigtimedwait, SIGKILL/SIGSTOP rules, and a register probe: every
 * register a handler may clobber (general, SSE, MXCSR, the direction
 * flag) is the same after sigreturn as before the signal, and the signal
 * frame's ucontext holds them.
 */
#include "conf.h"

#include <stdint.h>
#include <sys/syscall.h>
#include <time.h>
#include <ucontext.h>

static pid_t tid(void)
{
	return (pid_t)syscall(SYS_gettid);
}

static void set_handler(int sig, void (*fn)(int, siginfo_t *, void *),
			int flags, const sigset_t *mask)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = fn;
	sa.sa_flags = SA_SIGINFO | flags;
	if (mask)
		sa.sa_mask = *mask;
	else
		sigemptyset(&sa.sa_mask);
	if (sigaction(sig, &sa, NULL))
		printf("FAIL: sigaction(%d) (%s)\n", sig, conf_errname(errno));
}

/* ---- siginfo of the different senders ---- */

static volatile int got_count;
static volatile int got_signo, got_code, got_errno, got_value;
static volatile pid_t got_pid;
static volatile uid_t got_uid;

static void record(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	got_count++;
	got_signo = si->si_signo;
	got_code = si->si_code;
	got_errno = si->si_errno;
	got_pid = si->si_pid;
	got_uid = si->si_uid;
	got_value = si->si_value.sival_int;
}

static const char *code_name(int code)
{
	switch (code) {
	case SI_USER: return "SI_USER";
	case SI_TKILL: return "SI_TKILL";
	case SI_QUEUE: return "SI_QUEUE";
	case SI_KERNEL: return "SI_KERNEL";
	default: return "other";
	}
}

static void expect_info(const char *how, int sig, int code)
{
	char what[160];

	printf("%s: %d delivery, %s, %s, si_pid %s, si_uid %s\n", how,
	       got_count, conf_signame(got_signo), code_name(got_code),
	       got_pid == getpid() ? "is getpid()" : "differs",
	       got_uid == getuid() ? "is getuid()" : "differs");
	snprintf(what, sizeof what, "%s: %s with %s from us", how,
		 conf_signame(sig), code_name(code));
	CHECK(got_count == 1 && got_signo == sig && got_code == code &&
		      got_errno == 0 && got_pid == getpid() &&
		      got_uid == getuid(),
	      what, "count %d signo %d code %d pid %s", got_count, got_signo,
	      got_code, got_pid == getpid() ? "ok" : "wrong");
	got_count = 0;
}

static void check_senders(void)
{
	set_handler(SIGUSR1, record, 0, NULL);
	CHECK(raise(SIGUSR1) == 0, "raise", "failed");
	expect_info("raise", SIGUSR1, SI_TKILL);
	CHECK_SYS(kill(getpid(), SIGUSR1), "kill self");
	expect_info("kill", SIGUSR1, SI_USER);
	CHECK_SYS(syscall(SYS_tgkill, getpid(), tid(), SIGUSR1), "tgkill self");
	expect_info("tgkill", SIGUSR1, SI_TKILL);
	CHECK_SYS(syscall(SYS_tkill, tid(), SIGUSR1), "tkill self");
	expect_info("tkill", SIGUSR1, SI_TKILL);
	union sigval v = { .sival_int = 4321 };
	CHECK_SYS(sigqueue(getpid(), SIGUSR1, v), "sigqueue self");
	CHECK(got_value == 4321, "sigqueue's value arrives", "got %d",
	      got_value);
	expect_info("sigqueue", SIGUSR1, SI_QUEUE);

	CHECK_SYS(kill(getpid(), 0), "kill(getpid(), 0) checks only");
	CHECK(got_count == 0, "signal 0 delivers nothing", "delivered");
	CHECK_ERR(kill(getpid(), 65), EINVAL, "kill with signal 65: EINVAL");
	CHECK_ERR(syscall(SYS_tgkill, getpid(), tid() + 100000, SIGUSR1), ESRCH,
		  "tgkill of a missing thread: ESRCH");

	/* The old action reads back. */
	struct sigaction old;
	sigaction(SIGUSR1, NULL, &old);
	CHECK(old.sa_sigaction == record && (old.sa_flags & SA_SIGINFO),
	      "sigaction returns the installed action", "differs");
}

/* ---- blocking, pending, delivery order ---- */

static char order[256];

static void log_sig(int sig, siginfo_t *si, void *uc)
{
	char s[48];

	(void)uc;
	if (sig >= SIGRTMIN)
		snprintf(s, sizeof s, "RTMIN+%d(%d) ", sig - SIGRTMIN,
			 si->si_value.sival_int);
	else
		snprintf(s, sizeof s, "%s ", conf_signame(sig));
	strncat(order, s, sizeof order - strlen(order) - 1);
}

/* A SIGUSR2 handler that waits for nothing; logs begin and end. */
static void log_nest(int sig, siginfo_t *si, void *uc)
{
	(void)si;
	(void)uc;
	strncat(order, sig == SIGUSR1 ? "begin-USR1 " : "begin-USR2 ",
		sizeof order - strlen(order) - 1);
	strncat(order, sig == SIGUSR1 ? "end-USR1 " : "end-USR2 ",
		sizeof order - strlen(order) - 1);
}

static void check_blocking(void)
{
	sigset_t both, old, pending, cur;

	sigemptyset(&both);
	sigaddset(&both, SIGUSR1);
	sigaddset(&both, SIGUSR2);

	/* Handlers that block each other: they run one after the other. */
	set_handler(SIGUSR1, log_sig, 0, &both);
	set_handler(SIGUSR2, log_sig, 0, &both);
	CHECK_SYS(sigprocmask(SIG_BLOCK, &both, &old), "block USR1 and USR2");
	raise(SIGUSR2);
	raise(SIGUSR1);
	CHECK(order[0] == 0, "blocked signals are not delivered", "got %s",
	      order);
	sigpending(&pending);
	CHECK(sigismember(&pending, SIGUSR1) && sigismember(&pending, SIGUSR2),
	      "both are pending", "not");
	sigprocmask(SIG_SETMASK, &old, NULL);
	printf("order on unblock, handlers masking each other: %s\n", order);
	CHECK(strcmp(order, "SIGUSR1 SIGUSR2 ") == 0,
	      "lower-numbered pending signal is delivered first",
	      "order %s", order);
	sigpending(&pending);
	CHECK(!sigismember(&pending, SIGUSR1) &&
		      !sigismember(&pending, SIGUSR2),
	      "nothing pending afterwards", "still pending");

	/*
	 * Handlers that do not mask each other: Linux sets up the SIGUSR1
	 * frame first, then the SIGUSR2 frame on top of it, so SIGUSR2's
	 * handler runs first and returns into SIGUSR1's.
	 */
	order[0] = 0;
	set_handler(SIGUSR1, log_nest, 0, NULL);
	set_handler(SIGUSR2, log_nest, 0, NULL);
	sigprocmask(SIG_BLOCK, &both, NULL);
	raise(SIGUSR1);
	raise(SIGUSR2);
	sigprocmask(SIG_SETMASK, &old, NULL);
	printf("order on unblock, handlers not masking: %s\n", order);
	CHECK(strcmp(order, "begin-USR2 end-USR2 begin-USR1 end-USR1 ") == 0,
	      "both frames are set up at once, the last one runs first",
	      "order %s", order);

	/* Standard signals coalesce. */
	order[0] = 0;
	set_handler(SIGUSR1, log_sig, 0, NULL);
	sigprocmask(SIG_BLOCK, &both, NULL);
	raise(SIGUSR1);
	raise(SIGUSR1);
	raise(SIGUSR1);
	sigprocmask(SIG_SETMASK, &old, NULL);
	CHECK(strcmp(order, "SIGUSR1 ") == 0,
	      "a standard signal raised 3 times while blocked is delivered once",
	      "order %s", order);

	/* Real-time signals queue, in order, lower number first. */
	int rt = SIGRTMIN, rt1 = SIGRTMIN + 1;
	sigset_t rts;
	sigemptyset(&rts);
	sigaddset(&rts, rt);
	sigaddset(&rts, rt1);
	set_handler(rt, log_sig, 0, &rts);
	set_handler(rt1, log_sig, 0, &rts);
	order[0] = 0;
	sigprocmask(SIG_BLOCK, &rts, NULL);
	for (int i = 1; i <= 3; i++) {
		union sigval v = { .sival_int = i };
		sigqueue(getpid(), rt1, v);
		v.sival_int = 10 + i;
		sigqueue(getpid(), rt, v);
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	printf("real-time order: %s\n", order);
	CHECK(strcmp(order, "RTMIN+0(11) RTMIN+0(12) RTMIN+0(13) "
			    "RTMIN+1(1) RTMIN+1(2) RTMIN+1(3) ") == 0,
	      "real-time signals queue in order, lower number first",
	      "order %s", order);

	/* A blocked, ignored signal stays pending until unblocked. */
	signal(SIGUSR2, SIG_IGN);
	sigprocmask(SIG_BLOCK, &both, NULL);
	raise(SIGUSR2);
	sigpending(&pending);
	CHECK(sigismember(&pending, SIGUSR2),
	      "blocked and ignored signal is pending", "not pending");
	sigprocmask(SIG_SETMASK, &old, NULL);
	sigpending(&pending);
	CHECK(!sigismember(&pending, SIGUSR2),
	      "it is discarded when unblocked", "still pending");
	signal(SIGUSR2, SIG_DFL);

	/* Signals whose default action is to ignore them. */
	signal(SIGWINCH, SIG_DFL);
	signal(SIGCHLD, SIG_DFL);
	CHECK(raise(SIGWINCH) == 0 && raise(SIGCHLD) == 0 && raise(SIGURG) == 0,
	      "SIGWINCH, SIGCHLD, SIGURG with SIG_DFL are ignored",
	      "not survived");

	/* SIGKILL and SIGSTOP cannot be caught or blocked. */
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_IGN;
	CHECK_ERR(sigaction(SIGKILL, &sa, NULL), EINVAL,
		  "sigaction(SIGKILL): EINVAL");
	CHECK_ERR(sigaction(SIGSTOP, &sa, NULL), EINVAL,
		  "sigaction(SIGSTOP): EINVAL");
	CHECK_ERR(sigaction(65, &sa, NULL), EINVAL, "sigaction(65): EINVAL");
	sigset_t ks;
	sigemptyset(&ks);
	sigaddset(&ks, SIGKILL);
	sigaddset(&ks, SIGSTOP);
	sigaddset(&ks, SIGUSR1);
	CHECK(syscall(SYS_rt_sigprocmask, SIG_BLOCK, &ks, NULL, 8) == 0,
	      "blocking SIGKILL and SIGSTOP is not an error", "failed");
	syscall(SYS_rt_sigprocmask, SIG_BLOCK, NULL, &cur, 8);
	CHECK(!sigismember(&cur, SIGKILL) && !sigismember(&cur, SIGSTOP) &&
		      sigismember(&cur, SIGUSR1),
	      "but they are left out of the mask", "in the mask");
	sigprocmask(SIG_SETMASK, &old, NULL);
	CHECK_ERR(syscall(SYS_rt_sigprocmask, SIG_BLOCK, &ks, NULL, 4), EINVAL,
		  "rt_sigprocmask with sigsetsize 4: EINVAL");
}

/* ---- SA_NODEFER, SA_RESETHAND, the mask in a handler ---- */

static volatile int depth, max_depth, runs;

static void reenter(int sig, siginfo_t *si, void *uc)
{
	(void)si;
	(void)uc;
	runs++;
	depth++;
	if (depth > max_depth)
		max_depth = depth;
	if (runs == 1)
		raise(sig);
	depth--;
}

static volatile int mask_has_self, mask_has_extra, uc_mask_has_self;

static void look_at_mask(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	sigset_t cur;

	(void)si;
	sigprocmask(SIG_BLOCK, NULL, &cur);
	mask_has_self = sigismember(&cur, sig);
	mask_has_extra = sigismember(&cur, SIGTERM);
	uc_mask_has_self = sigismember(&uc->uc_sigmask, sig);
}

static void check_flags(void)
{
	set_handler(SIGUSR1, reenter, 0, NULL);
	depth = max_depth = runs = 0;
	raise(SIGUSR1);
	printf("default flags: %d runs, max depth %d\n", runs, max_depth);
	CHECK(runs == 2 && max_depth == 1,
	      "without SA_NODEFER a handler is not re-entered",
	      "runs %d depth %d", runs, max_depth);

	set_handler(SIGUSR1, reenter, SA_NODEFER, NULL);
	depth = max_depth = runs = 0;
	raise(SIGUSR1);
	printf("SA_NODEFER: %d runs, max depth %d\n", runs, max_depth);
	CHECK(runs == 2 && max_depth == 2,
	      "with SA_NODEFER the handler is re-entered", "runs %d depth %d",
	      runs, max_depth);

	set_handler(SIGUSR1, record, SA_RESETHAND, NULL);
	got_count = 0;
	raise(SIGUSR1);
	struct sigaction now;
	sigaction(SIGUSR1, NULL, &now);
	CHECK(got_count == 1 && now.sa_handler == SIG_DFL,
	      "SA_RESETHAND: handler ran once, then SIG_DFL", "count %d",
	      got_count);

	sigset_t extra;
	sigemptyset(&extra);
	sigaddset(&extra, SIGTERM);
	set_handler(SIGUSR2, look_at_mask, 0, &extra);
	raise(SIGUSR2);
	CHECK(mask_has_self, "mask in a handler holds its signal", "not");
	CHECK(mask_has_extra, "mask in a handler holds sa_mask", "not");
	CHECK(!uc_mask_has_self, "uc_sigmask is the mask from before", "not");
	sigset_t after;
	sigprocmask(SIG_BLOCK, NULL, &after);
	CHECK(!sigismember(&after, SIGUSR2) && !sigismember(&after, SIGTERM),
	      "mask restored after the handler", "still blocked");
	signal(SIGUSR2, SIG_DFL);
}

/* ---- sigaltstack ---- */

static char *alt_lo, *alt_hi;
static volatile int on_alt, alt_flag_onstack, alt_eperm;

static void alt_handler(int sig, siginfo_t *si, void *uc)
{
	char local;
	stack_t ss, other;

	(void)sig;
	(void)si;
	(void)uc;
	on_alt = &local >= alt_lo && &local < alt_hi;
	sigaltstack(NULL, &ss);
	alt_flag_onstack = (ss.ss_flags & SS_ONSTACK) != 0;
	memset(&other, 0, sizeof other);
	other.ss_sp = alt_lo;
	other.ss_size = 65536;
	alt_eperm = sigaltstack(&other, NULL) == -1 && errno == EPERM;
}

static void check_altstack(void)
{
	size_t size = 256 * 1024;
	char *mem = malloc(size);
	stack_t ss, cur;
	char local;

	alt_lo = mem;
	alt_hi = mem + size;
	CHECK_SYS(sigaltstack(NULL, &cur), "sigaltstack query");
	CHECK(cur.ss_flags == SS_DISABLE, "no alternate stack at start",
	      "flags %d", cur.ss_flags);
	memset(&ss, 0, sizeof ss);
	ss.ss_sp = mem;
	ss.ss_size = 1024;
	CHECK_ERR(sigaltstack(&ss, NULL), ENOMEM,
		  "sigaltstack of 1 KiB: ENOMEM");
	ss.ss_size = size;
	CHECK_SYS(sigaltstack(&ss, NULL), "sigaltstack 256 KiB");
	sigaltstack(NULL, &cur);
	CHECK(cur.ss_sp == mem && cur.ss_size == size && cur.ss_flags == 0,
	      "sigaltstack reads back, not on it", "differs");

	set_handler(SIGUSR1, alt_handler, SA_ONSTACK, NULL);
	raise(SIGUSR1);
	CHECK(on_alt, "SA_ONSTACK handler runs on the alternate stack",
	      "it does not");
	CHECK(alt_flag_onstack, "sigaltstack in the handler says SS_ONSTACK",
	      "it does not");
	CHECK(alt_eperm, "changing the alternate stack while on it: EPERM",
	      "no EPERM");
	set_handler(SIGUSR1, alt_handler, 0, NULL);
	raise(SIGUSR1);
	CHECK(!on_alt, "without SA_ONSTACK the handler runs on the normal stack",
	      "it ran on the alternate stack");
	CHECK(!(&local >= alt_lo && &local < alt_hi),
	      "main code is not on the alternate stack", "it is");
	ss.ss_flags = SS_DISABLE;
	CHECK_SYS(sigaltstack(&ss, NULL), "sigaltstack SS_DISABLE");
	sigaltstack(NULL, &cur);
	CHECK(cur.ss_flags == SS_DISABLE, "alternate stack disabled", "flags %d",
	      cur.ss_flags);
	signal(SIGUSR1, SIG_DFL);
	free(mem);
}

/* ---- sigsuspend, sigtimedwait ---- */

static void check_waits(void)
{
	sigset_t usr1, empty, cur, old;
	siginfo_t si;
	struct timespec zero = { 0, 0 };

	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	sigemptyset(&empty);
	set_handler(SIGUSR1, record, 0, NULL);
	got_count = 0;
	sigprocmask(SIG_BLOCK, &usr1, &old);
	raise(SIGUSR1);
	CHECK(got_count == 0, "blocked SIGUSR1 waits", "delivered");
	errno = 0;
	int r = sigsuspend(&empty);
	CHECK(r == -1 && errno == EINTR && got_count == 1,
	      "sigsuspend runs the pending handler and returns EINTR",
	      "r %d errno %s count %d", r, conf_errname(errno), got_count);
	sigprocmask(SIG_BLOCK, NULL, &cur);
	CHECK(sigismember(&cur, SIGUSR1), "sigsuspend restores the mask",
	      "SIGUSR1 unblocked");

	/* glibc's sigtimedwait reports SI_TKILL as SI_USER; musl's does not. */
	raise(SIGUSR1);
	memset(&si, 0, sizeof si);
	got_count = 0;
	r = sigtimedwait(&usr1, &si, &zero);
	printf("libc sigtimedwait after raise: si_code %s\n",
	       code_name(si.si_code));
	CHECK(r == SIGUSR1 && si.si_signo == SIGUSR1 &&
		      (si.si_code == SI_TKILL || si.si_code == SI_USER) &&
		      got_count == 0,
	      "sigtimedwait takes the pending signal, no handler",
	      "r %d signo %d code %d count %d", r, si.si_signo, si.si_code,
	      got_count);
	raise(SIGUSR1);
	memset(&si, 0, sizeof si);
	r = (int)syscall(SYS_rt_sigtimedwait, &usr1, &si, &zero, 8);
	CHECK(r == SIGUSR1 && si.si_code == SI_TKILL && si.si_pid == getpid(),
	      "raw rt_sigtimedwait gives SI_TKILL for raise", "r %d code %d",
	      r, si.si_code);
	CHECK_ERR(sigtimedwait(&usr1, &si, &zero), EAGAIN,
		  "sigtimedwait with nothing pending, zero timeout: EAGAIN");
	struct timespec shortwait = { 0, 10000000 };
	CHECK_ERR(sigtimedwait(&usr1, &si, &shortwait), EAGAIN,
		  "sigtimedwait 10 ms with nothing pending: EAGAIN");
	kill(getpid(), SIGUSR1);
	r = sigwaitinfo(&usr1, &si);
	CHECK(r == SIGUSR1 && si.si_code == SI_USER && si.si_pid == getpid(),
	      "sigwaitinfo takes a pending kill()", "r %d", r);
	int s = 0;
	raise(SIGUSR1);
	CHECK(sigwait(&usr1, &s) == 0 && s == SIGUSR1, "sigwait", "got %d", s);
	sigprocmask(SIG_SETMASK, &old, NULL);
	signal(SIGUSR1, SIG_DFL);
}

/* ---- registers across a signal ---- */

#define K(n) (0x0101010101010101UL * (n))

unsigned char conf_xmm_in[256] __attribute__((aligned(16), used));
unsigned long conf_regs_probe(unsigned long *out, int pid, int tid, int sig);

/*
 * conf_regs_probe(out, pid, tid, sig): loads known values into rbx, rbp,
 * r8-r10, r12-r15, xmm0-15, MXCSR (round toward zero) and sets DF, then
 * sends itself sig with the tgkill system call; when that returns (after
 * the handler), stores every one of them into out[]:
 *   out[0] rflags, [1] rbx, [2] rbp, [3] r8, [4] r9, [5] r10, [6] r12,
 *   [7] r13, [8] r14, [9] r15, [10] rdi, [11] rsi, [12] rdx, [13] rax,
 *   [14] mxcsr, [16..47] xmm0-15.
 */
__asm__(".text\n"
	".globl conf_regs_probe\n"
	".type conf_regs_probe, @function\n"
	"conf_regs_probe:\n"
	"	push %rbx\n"
	"	push %rbp\n"
	"	push %r12\n"
	"	push %r13\n"
	"	push %r14\n"
	"	push %r15\n"
	"	push %rdi\n"
	"	sub $8, %rsp\n"
	"	stmxcsr (%rsp)\n"
	"	movl %esi, %edi\n"
	"	movl %edx, %esi\n"
	"	movl %ecx, %edx\n"
	"	movabs $0x1111111111111111, %rbx\n"
	"	movabs $0x2222222222222222, %rbp\n"
	"	movabs $0x8888888888888888, %r8\n"
	"	movabs $0x9999999999999999, %r9\n"
	"	movabs $0xaaaaaaaaaaaaaaaa, %r10\n"
	"	movabs $0xcccccccccccccccc, %r12\n"
	"	movabs $0xdddddddddddddddd, %r13\n"
	"	movabs $0xeeeeeeeeeeeeeeee, %r14\n"
	"	movabs $0xf0f0f0f0f0f0f0f0, %r15\n"
	"	lea conf_xmm_in(%rip), %rax\n"
	"	movdqa 0(%rax), %xmm0\n"
	"	movdqa 16(%rax), %xmm1\n"
	"	movdqa 32(%rax), %xmm2\n"
	"	movdqa 48(%rax), %xmm3\n"
	"	movdqa 64(%rax), %xmm4\n"
	"	movdqa 80(%rax), %xmm5\n"
	"	movdqa 96(%rax), %xmm6\n"
	"	movdqa 112(%rax), %xmm7\n"
	"	movdqa 128(%rax), %xmm8\n"
	"	movdqa 144(%rax), %xmm9\n"
	"	movdqa 160(%rax), %xmm10\n"
	"	movdqa 176(%rax), %xmm11\n"
	"	movdqa 192(%rax), %xmm12\n"
	"	movdqa 208(%rax), %xmm13\n"
	"	movdqa 224(%rax), %xmm14\n"
	"	movdqa 240(%rax), %xmm15\n"
	"	movl $0x7f80, 4(%rsp)\n"
	"	ldmxcsr 4(%rsp)\n"
	"	std\n"
	"	mov $234, %eax\n" /* SYS_tgkill */
	"	syscall\n"
	"	pushfq\n"
	"	cld\n"
	"	push %rax\n"
	"	mov 24(%rsp), %rax\n"
	"	popq 104(%rax)\n"
	"	popq 0(%rax)\n"
	"	mov %rbx, 8(%rax)\n"
	"	mov %rbp, 16(%rax)\n"
	"	mov %r8, 24(%rax)\n"
	"	mov %r9, 32(%rax)\n"
	"	mov %r10, 40(%rax)\n"
	"	mov %r12, 48(%rax)\n"
	"	mov %r13, 56(%rax)\n"
	"	mov %r14, 64(%rax)\n"
	"	mov %r15, 72(%rax)\n"
	"	mov %rdi, 80(%rax)\n"
	"	mov %rsi, 88(%rax)\n"
	"	mov %rdx, 96(%rax)\n"
	"	stmxcsr 112(%rax)\n"
	"	movdqu %xmm0, 128(%rax)\n"
	"	movdqu %xmm1, 144(%rax)\n"
	"	movdqu %xmm2, 160(%rax)\n"
	"	movdqu %xmm3, 176(%rax)\n"
	"	movdqu %xmm4, 192(%rax)\n"
	"	movdqu %xmm5, 208(%rax)\n"
	"	movdqu %xmm6, 224(%rax)\n"
	"	movdqu %xmm7, 240(%rax)\n"
	"	movdqu %xmm8, 256(%rax)\n"
	"	movdqu %xmm9, 272(%rax)\n"
	"	movdqu %xmm10, 288(%rax)\n"
	"	movdqu %xmm11, 304(%rax)\n"
	"	movdqu %xmm12, 320(%rax)\n"
	"	movdqu %xmm13, 336(%rax)\n"
	"	movdqu %xmm14, 352(%rax)\n"
	"	movdqu %xmm15, 368(%rax)\n"
	"	ldmxcsr (%rsp)\n"
	"	add $8, %rsp\n"
	"	pop %rdi\n"
	"	pop %r15\n"
	"	pop %r14\n"
	"	pop %r13\n"
	"	pop %r12\n"
	"	pop %rbp\n"
	"	pop %rbx\n"
	"	ret\n"
	".size conf_regs_probe, .-conf_regs_probe\n");

static volatile int h_df_clear, h_mxcsr_default, h_frame_gprs, h_frame_fp,
	h_frame_df, h_ran;

static void probe_handler(int sig, siginfo_t *si, void *ucv)
{
	unsigned long flags;
	unsigned mxcsr;
	ucontext_t *uc = ucv;

	/* First, before the compiler's code can use SSE. */
	__asm__ volatile("pushfq; pop %0; stmxcsr %1"
			 : "=r"(flags), "=m"(mxcsr));
	(void)sig;
	(void)si;
	h_ran++;
	h_df_clear = !(flags & 0x400);
	h_mxcsr_default = (mxcsr & 0xffc0) == 0x1f80;

	greg_t *g = uc->uc_mcontext.gregs;
	h_frame_gprs = (unsigned long)g[REG_RBX] == K(0x11) &&
		       (unsigned long)g[REG_RBP] == K(0x22) &&
		       (unsigned long)g[REG_R8] == K(0x88) &&
		       (unsigned long)g[REG_R9] == K(0x99) &&
		       (unsigned long)g[REG_R10] == K(0xaa) &&
		       (unsigned long)g[REG_R12] == K(0xcc) &&
		       (unsigned long)g[REG_R13] == K(0xdd) &&
		       (unsigned long)g[REG_R14] == K(0xee) &&
		       (unsigned long)g[REG_R15] == K(0xf0) &&
		       g[REG_RAX] == 0 && g[REG_RDI] == getpid() &&
		       g[REG_RDX] == SIGUSR2;
	h_frame_df = (g[REG_EFL] & 0x400) != 0;
	h_frame_fp = uc->uc_mcontext.fpregs &&
		     uc->uc_mcontext.fpregs->mxcsr == 0x7f80 &&
		     memcmp(uc->uc_mcontext.fpregs->_xmm, conf_xmm_in, 256) == 0;

	/* sigreturn takes the registers from the frame: change one. */
	g[REG_R15] = (greg_t)K(0x5a);

	/* Clobber what a handler may clobber. */
	__asm__ volatile("pcmpeqd %%xmm0, %%xmm0\n"
			 "pxor %%xmm1, %%xmm1\n"
			 "movdqa %%xmm0, %%xmm2\n"
			 "movdqa %%xmm0, %%xmm7\n"
			 "movdqa %%xmm1, %%xmm8\n"
			 "movdqa %%xmm0, %%xmm15\n"
			 "xor %%r8d, %%r8d\n"
			 "xor %%r9d, %%r9d\n"
			 "xor %%r10d, %%r10d\n"
			 "xor %%edi, %%edi\n"
			 "xor %%esi, %%esi\n"
			 "xor %%edx, %%edx\n"
			 :
			 :
			 : "xmm0", "xmm1", "xmm2", "xmm7", "xmm8", "xmm15",
			   "r8", "r9", "r10", "rdi", "rsi", "rdx");
	unsigned newcsr = 0x3f80; /* round down */
	__asm__ volatile("ldmxcsr %0" : : "m"(newcsr));
	volatile double d = 1.0;
	d = d / 3.0;
}

static void check_registers(void)
{
	static unsigned long out[48];

	for (int i = 0; i < 256; i++)
		conf_xmm_in[i] = (unsigned char)(i * 7 + 1);
	set_handler(SIGUSR2, probe_handler, 0, NULL);
	memset(out, 0, sizeof out);
	conf_regs_probe(out, getpid(), tid(), SIGUSR2);

	CHECK(h_ran == 1, "probe handler ran once", "ran %d times", h_ran);
	CHECK(h_df_clear, "handler starts with DF clear", "DF set");
	CHECK(h_mxcsr_default, "handler starts with the default MXCSR",
	      "not default");
	CHECK(h_frame_gprs, "ucontext gregs hold the interrupted registers",
	      "differ");
	CHECK(h_frame_df, "ucontext eflags has DF set", "clear");
	CHECK(h_frame_fp, "ucontext fpregs hold MXCSR and xmm0-15", "differ");

	int bad = 0;
	static const struct {
		int idx;
		unsigned long want;
		const char *name;
	} gp[] = {
		{ 1, K(0x11), "rbx" }, { 2, K(0x22), "rbp" },
		{ 3, K(0x88), "r8" },  { 4, K(0x99), "r9" },
		{ 5, K(0xaa), "r10" }, { 6, K(0xcc), "r12" },
		{ 7, K(0xdd), "r13" }, { 8, K(0xee), "r14" },
		{ 9, K(0x5a), "r15 (set in the frame by the handler)" },
		{ 13, 0, "rax (tgkill's result)" },
	};
	for (size_t i = 0; i < sizeof gp / sizeof gp[0]; i++) {
		if (out[gp[i].idx] != gp[i].want) {
			printf("register %s differs after the handler\n",
			       gp[i].name);
			bad++;
		}
	}
	CHECK(bad == 0, "general registers restored by sigreturn",
	      "%d differ", bad);
	CHECK(out[10] == (unsigned long)getpid() &&
		      out[11] == (unsigned long)tid() && out[12] == SIGUSR2,
	      "rdi, rsi, rdx (the syscall's arguments) restored", "differ");
	CHECK(memcmp(out + 16, conf_xmm_in, 256) == 0,
	      "xmm0-15 restored by sigreturn", "differ");
	CHECK((out[14] & 0xffffffff) == 0x7f80, "MXCSR restored by sigreturn",
	      "got %#lx", out[14] & 0xffffffff);
	CHECK(out[0] & 0x400, "DF restored by sigreturn", "clear");
	signal(SIGUSR2, SIG_DFL);
}

int main(void)
{
	conf_default_signals();
	printf("signals conformance\n");
	check_senders();
	check_blocking();
	check_flags();
	check_altstack();
	check_waits();
	check_registers();
	return conf_done();
}
