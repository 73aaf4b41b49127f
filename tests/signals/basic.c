/*
 * basic: the signal system calls and the delivery rules.
 *   info     siginfo from raise, kill, tgkill, tkill, sigqueue; signal 0
 *   errors   argument checks of rt_sigaction, rt_sigprocmask,
 *            rt_sigpending, kill, tgkill
 *   order    pending order on unblock, nested frames, coalescing of
 *            standard signals, queueing of real-time ones
 *   flags    SA_NODEFER, SA_RESETHAND, sa_mask, uc_sigmask
 *   ignore   ignored signals are discarded when sent unless blocked;
 *            SIG_IGN discards pending ones
 *   wait     sigsuspend, sigtimedwait, sigwaitinfo
 */
#include "sigtest.h"

#include <time.h>
#include <ucontext.h>

static volatile int n_got, got_signo, got_code, got_errno, got_value;
static volatile int got_pid_ok, got_uid_ok;

static void record(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	n_got++;
	got_signo = si->si_signo;
	got_code = si->si_code;
	got_errno = si->si_errno;
	got_pid_ok = si->si_pid == getpid();
	got_uid_ok = si->si_uid == getuid();
	got_value = si->si_value.sival_int;
}

static void show(const char *how)
{
	printf("%s: n=%d signo=%d code=%d errno=%d pid_ok=%d uid_ok=%d\n", how,
	       n_got, got_signo, got_code, got_errno, got_pid_ok, got_uid_ok);
	n_got = 0;
}

static void info(void)
{
	st_handle(SIGUSR1, record, 0, NULL);
	raise(SIGUSR1);
	show("raise");
	kill(getpid(), SIGUSR1);
	show("kill");
	/* Only as a process group leader (run.sh runs us under setsid):
	 * otherwise this would signal whoever started us too. */
	if (getpgrp() == getpid()) {
		kill(0, SIGUSR1);
		show("kill 0");
		kill(-getpid(), SIGUSR1);
		show("kill -pgrp");
	}
	raw(SYS_tgkill, getpid(), gettid_(), SIGUSR1, 0);
	show("tgkill");
	raw(SYS_tkill, gettid_(), SIGUSR1, 0, 0);
	show("tkill");
	union sigval v = { .sival_int = 1234 };
	sigqueue(getpid(), SIGUSR1, v);
	printf("sigqueue value %d\n", got_value);
	show("sigqueue");
	T(kill(getpid(), 0) == 0 && n_got == 0, "kill 0 delivers nothing");
	T(raw(SYS_tgkill, getpid(), gettid_(), 0, 0) == 0 && n_got == 0,
	  "tgkill 0 delivers nothing");

	/* rt_sigqueueinfo with a made-up code to ourselves is allowed. */
	siginfo_t si;
	memset(&si, 0, sizeof si);
	si.si_code = -42;
	si.si_value.sival_int = 77;
	T(raw(SYS_rt_sigqueueinfo, getpid(), SIGUSR1, (long)&si, 0) == 0,
	  "rt_sigqueueinfo to self");
	printf("value %d\n", got_value);
	show("rt_sigqueueinfo");
	si.si_code = SI_USER;
	T(raw(SYS_rt_tgsigqueueinfo, getpid(), gettid_(), SIGUSR1, (long)&si) == 0,
	  "rt_tgsigqueueinfo to self with SI_USER");
	show("rt_tgsigqueueinfo");
	signal(SIGUSR1, SIG_DFL);
}

static void errors(void)
{
	struct sigaction sa, old;
	sigset_t set;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_IGN;
	printf("rt_sigaction size 4: %ld\n",
	       raw(SYS_rt_sigaction, SIGUSR1, (long)&sa, 0, 4));
	printf("sigaction SIGKILL: %d %d\n", sigaction(SIGKILL, &sa, NULL), errno);
	printf("sigaction SIGSTOP: %d %d\n", sigaction(SIGSTOP, &sa, NULL), errno);
	printf("sigaction 0: %d %d\n", sigaction(0, &sa, NULL), errno);
	printf("sigaction 65: %d %d\n", sigaction(65, &sa, NULL), errno);
	T(sigaction(SIGKILL, NULL, &old) == 0 && old.sa_handler == SIG_DFL,
	  "reading SIGKILL's action works");
	/* The raw kernel struct: handler, flags, restorer, mask. */
	struct { void *h; unsigned long flags; void *r; unsigned long mask; } k, ko;
	memset(&k, 0, sizeof k);
	k.h = SIG_IGN;
	k.flags = 0x400 | 0x200 | SA_RESTART; /* SA_UNSUPPORTED and junk */
	k.mask = ~0ul;
	printf("raw rt_sigaction: %ld\n",
	       raw(SYS_rt_sigaction, SIGUSR2, (long)&k, 0, 8));
	raw(SYS_rt_sigaction, SIGUSR2, 0, (long)&ko, 8);
	printf("flags read back %#lx, mask has KILL %d STOP %d USR1 %d\n",
	       ko.flags, !!(ko.mask & (1ul << 8)), !!(ko.mask & (1ul << 18)),
	       !!(ko.mask & (1ul << 9)));
	printf("rt_sigaction bad act: %ld\n",
	       raw(SYS_rt_sigaction, SIGUSR2, 16, 0, 8));
	printf("rt_sigaction bad oact: %ld\n",
	       raw(SYS_rt_sigaction, SIGUSR2, (long)&k, 16, 8));
	signal(SIGUSR2, SIG_DFL);

	sigemptyset(&set);
	printf("rt_sigprocmask how 7: %ld\n",
	       raw(SYS_rt_sigprocmask, 7, (long)&set, 0, 8));
	printf("rt_sigprocmask how 7 no set: %ld\n",
	       raw(SYS_rt_sigprocmask, 7, 0, 0, 8));
	printf("rt_sigprocmask size 16: %ld\n",
	       raw(SYS_rt_sigprocmask, SIG_BLOCK, (long)&set, 0, 16));
	printf("rt_sigprocmask bad set: %ld\n",
	       raw(SYS_rt_sigprocmask, SIG_BLOCK, 16, 0, 8));
	unsigned long pend = 0xdeadbeef;
	printf("rt_sigpending size 4: %ld %#lx\n",
	       raw(SYS_rt_sigpending, (long)&pend, 4, 0, 0), pend);
	printf("rt_sigpending size 9: %ld\n",
	       raw(SYS_rt_sigpending, (long)&pend, 9, 0, 0));
	printf("kill sig 65: %ld\n", raw(SYS_kill, getpid(), 65, 0, 0));
	printf("kill sig -1: %ld\n", raw(SYS_kill, getpid(), -1, 0, 0));
	printf("tgkill tid 0: %ld\n", raw(SYS_tgkill, getpid(), 0, SIGUSR1, 0));
	printf("tgkill tgid -1: %ld\n", raw(SYS_tgkill, -1, gettid_(), SIGUSR1, 0));
	printf("tgkill wrong tgid: %ld\n",
	       raw(SYS_tgkill, getpid() + 1000000, gettid_(), SIGUSR1, 0));
	printf("tgkill sig 65: %ld\n", raw(SYS_tgkill, getpid(), gettid_(), 65, 0));
	printf("tkill tid -5: %ld\n", raw(SYS_tkill, -5, SIGUSR1, 0, 0));
	siginfo_t si;
	memset(&si, 0, sizeof si);
	si.si_code = SI_USER;
	printf("rt_sigqueueinfo SI_USER to other: %ld\n",
	       raw(SYS_rt_sigqueueinfo, getpid() + 1000000, SIGUSR1, (long)&si, 0));
	si.si_code = SI_QUEUE;
	printf("rt_sigqueueinfo SI_QUEUE to missing: %ld\n",
	       raw(SYS_rt_sigqueueinfo, 999999999, SIGUSR1, (long)&si, 0));
	printf("rt_sigqueueinfo bad info: %ld\n",
	       raw(SYS_rt_sigqueueinfo, getpid(), SIGUSR1, 16, 0));
}

static char order[512];

static void log_sig(int sig, siginfo_t *si, void *uc)
{
	char s[48];

	(void)uc;
	if (sig >= 32)
		snprintf(s, sizeof s, "rt%d(%d) ", sig - SIGRTMIN, si->si_value.sival_int);
	else
		snprintf(s, sizeof s, "%d ", sig);
	strcat(order, s);
}

static void log_nest(int sig, siginfo_t *si, void *uc)
{
	char s[48];

	(void)si;
	(void)uc;
	snprintf(s, sizeof s, "<%d ", sig);
	strcat(order, s);
	snprintf(s, sizeof s, "%d> ", sig);
	strcat(order, s);
}

static void order_(void)
{
	sigset_t all, old;

	sigemptyset(&all);
	sigaddset(&all, SIGUSR1);
	sigaddset(&all, SIGUSR2);
	sigaddset(&all, SIGTERM);
	sigaddset(&all, SIGHUP);
	sigaddset(&all, SIGSEGV);

	/* Handlers blocking each other: one at a time, lowest first, but the
	 * synchronous SIGSEGV (sent by kill) ahead of the rest. */
	st_handle(SIGUSR1, log_sig, 0, &all);
	st_handle(SIGUSR2, log_sig, 0, &all);
	st_handle(SIGTERM, log_sig, 0, &all);
	st_handle(SIGHUP, log_sig, 0, &all);
	st_handle(SIGSEGV, log_sig, 0, &all);
	sigprocmask(SIG_BLOCK, &all, &old);
	raise(SIGTERM);
	kill(getpid(), SIGUSR2);
	raise(SIGHUP);
	kill(getpid(), SIGUSR1);
	raise(SIGSEGV);
	sigprocmask(SIG_SETMASK, &old, NULL);
	printf("masking each other: %s\n", order);

	/* Not blocking each other: all frames at once, the last runs first. */
	order[0] = 0;
	st_handle(SIGUSR1, log_nest, 0, NULL);
	st_handle(SIGUSR2, log_nest, 0, NULL);
	st_handle(SIGTERM, log_nest, 0, NULL);
	sigprocmask(SIG_BLOCK, &all, NULL);
	raise(SIGUSR2);
	kill(getpid(), SIGTERM);
	raise(SIGUSR1);
	sigprocmask(SIG_SETMASK, &old, NULL);
	printf("not masking: %s\n", order);

	/* Coalescing. */
	order[0] = 0;
	st_handle(SIGUSR1, log_sig, 0, NULL);
	sigprocmask(SIG_BLOCK, &all, NULL);
	raise(SIGUSR1);
	raise(SIGUSR1);
	kill(getpid(), SIGUSR1);
	sigprocmask(SIG_SETMASK, &old, NULL);
	printf("coalesced: %s\n", order);

	/* Real-time signals queue. */
	int rt = SIGRTMIN + 2, rt1 = SIGRTMIN + 3;
	sigset_t rts;
	sigemptyset(&rts);
	sigaddset(&rts, rt);
	sigaddset(&rts, rt1);
	st_handle(rt, log_sig, 0, &rts);
	st_handle(rt1, log_sig, 0, &rts);
	order[0] = 0;
	sigprocmask(SIG_BLOCK, &rts, NULL);
	for (int i = 1; i <= 3; i++) {
		union sigval v = { .sival_int = i };
		sigqueue(getpid(), rt1, v);
		v.sival_int = 10 + i;
		sigqueue(getpid(), rt, v);
	}
	sigset_t pend;
	sigpending(&pend);
	printf("rt pending: %d %d\n", sigismember(&pend, rt), sigismember(&pend, rt1));
	sigprocmask(SIG_SETMASK, &old, NULL);
	printf("rt: %s\n", order);
	sigpending(&pend);
	printf("rt pending after: %d %d\n", sigismember(&pend, rt), sigismember(&pend, rt1));

	/* Queued real-time signals discarded by SIG_IGN. */
	order[0] = 0;
	sigprocmask(SIG_BLOCK, &rts, NULL);
	for (int i = 1; i <= 3; i++) {
		union sigval v = { .sival_int = i };
		sigqueue(getpid(), rt, v);
	}
	signal(rt, SIG_IGN);
	st_handle(rt, log_sig, 0, NULL);
	sigprocmask(SIG_SETMASK, &old, NULL);
	printf("rt after SIG_IGN: '%s'\n", order);
	st_reset();
	signal(rt, SIG_DFL);
	signal(rt1, SIG_DFL);
}

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

static volatile int in_mask_self, in_mask_extra, uc_has_self, uc_has_hup;

static void look(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	sigset_t cur;

	(void)si;
	sigprocmask(SIG_BLOCK, NULL, &cur);
	in_mask_self = sigismember(&cur, sig);
	in_mask_extra = sigismember(&cur, SIGTERM);
	uc_has_self = sigismember(&uc->uc_sigmask, sig);
	uc_has_hup = sigismember(&uc->uc_sigmask, SIGHUP);
}

static void flags(void)
{
	st_handle(SIGUSR1, reenter, 0, NULL);
	raise(SIGUSR1);
	printf("default: runs %d depth %d\n", runs, max_depth);
	runs = depth = max_depth = 0;
	st_handle(SIGUSR1, reenter, SA_NODEFER, NULL);
	raise(SIGUSR1);
	printf("SA_NODEFER: runs %d depth %d\n", runs, max_depth);

	n_got = 0;
	st_handle(SIGUSR1, record, SA_RESETHAND, NULL);
	raise(SIGUSR1);
	struct sigaction now;
	sigaction(SIGUSR1, NULL, &now);
	printf("SA_RESETHAND: n %d, now %s, flags keep SA_SIGINFO %d\n", n_got,
	       now.sa_handler == SIG_DFL ? "SIG_DFL" : "other",
	       !!(now.sa_flags & SA_SIGINFO));

	sigset_t extra, hup, old;
	sigemptyset(&extra);
	sigaddset(&extra, SIGTERM);
	sigemptyset(&hup);
	sigaddset(&hup, SIGHUP);
	sigprocmask(SIG_BLOCK, &hup, &old);
	st_handle(SIGUSR2, look, 0, &extra);
	raise(SIGUSR2);
	printf("in handler: self %d sa_mask %d; uc_sigmask: self %d hup %d\n",
	       in_mask_self, in_mask_extra, uc_has_self, uc_has_hup);
	sigset_t after;
	sigprocmask(SIG_SETMASK, &old, &after);
	printf("after: usr2 %d term %d hup %d\n", sigismember(&after, SIGUSR2),
	       sigismember(&after, SIGTERM), sigismember(&after, SIGHUP));
	st_handle(SIGUSR2, look, SA_NODEFER, &extra);
	raise(SIGUSR2);
	printf("SA_NODEFER in handler: self %d sa_mask %d\n", in_mask_self,
	       in_mask_extra);
	signal(SIGUSR2, SIG_DFL);
}

static void ignore(void)
{
	sigset_t usr1, old, pend;

	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	n_got = 0;

	/* Unblocked and ignored: gone when sent. */
	signal(SIGUSR1, SIG_IGN);
	raise(SIGUSR1);
	sigpending(&pend);
	printf("ignored, unblocked: pending %d\n", sigismember(&pend, SIGUSR1));

	/* Blocked and ignored: pending; a handler installed before the
	 * unblock gets it. */
	sigprocmask(SIG_BLOCK, &usr1, &old);
	raise(SIGUSR1);
	sigpending(&pend);
	printf("ignored, blocked: pending %d\n", sigismember(&pend, SIGUSR1));
	st_handle(SIGUSR1, record, 0, NULL);
	sigprocmask(SIG_SETMASK, &old, NULL);
	printf("handler installed before unblock: n %d\n", n_got);
	n_got = 0;

	/* Pending, then SIG_IGN: discarded even though blocked. */
	sigprocmask(SIG_BLOCK, &usr1, &old);
	raise(SIGUSR1);
	signal(SIGUSR1, SIG_IGN);
	sigpending(&pend);
	printf("SIG_IGN discards pending: pending %d\n", sigismember(&pend, SIGUSR1));
	st_handle(SIGUSR1, record, 0, NULL);
	sigprocmask(SIG_SETMASK, &old, NULL);
	printf("n %d\n", n_got);

	/* Default-ignored signals pend when blocked, then vanish. */
	sigset_t chld;
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigaddset(&chld, SIGWINCH);
	signal(SIGCHLD, SIG_DFL);
	sigprocmask(SIG_BLOCK, &chld, &old);
	raise(SIGCHLD);
	raise(SIGWINCH);
	sigpending(&pend);
	printf("SIGCHLD/SIGWINCH blocked: %d %d\n", sigismember(&pend, SIGCHLD),
	       sigismember(&pend, SIGWINCH));
	sigprocmask(SIG_SETMASK, &old, NULL);
	raise(SIGURG);
	raise(SIGCONT);
	printf("survived default-ignored signals\n");
}

static void wait_(void)
{
	sigset_t usr1, empty, cur, old;
	siginfo_t si;
	struct timespec zero = { 0, 0 }, ms = { 0, 5000000 };

	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	sigemptyset(&empty);
	st_handle(SIGUSR1, record, 0, NULL);
	n_got = 0;
	sigprocmask(SIG_BLOCK, &usr1, &old);
	raise(SIGUSR1);
	errno = 0;
	int r = sigsuspend(&empty);
	printf("sigsuspend: %d errno %d n %d\n", r, errno, n_got);
	sigprocmask(SIG_BLOCK, NULL, &cur);
	printf("mask after sigsuspend has USR1: %d\n", sigismember(&cur, SIGUSR1));
	n_got = 0;

	kill(getpid(), SIGUSR1);
	memset(&si, 0, sizeof si);
	r = (int)raw(SYS_rt_sigtimedwait, (long)&usr1, (long)&si, (long)&zero, 8);
	printf("rt_sigtimedwait: %d signo %d code %d pid_ok %d n %d\n", r,
	       si.si_signo, si.si_code, si.si_pid == getpid(), n_got);
	printf("nothing pending, 0: %ld\n",
	       raw(SYS_rt_sigtimedwait, (long)&usr1, (long)&si, (long)&zero, 8));
	printf("nothing pending, 5 ms: %ld\n",
	       raw(SYS_rt_sigtimedwait, (long)&usr1, (long)&si, (long)&ms, 8));
	struct timespec bad = { 0, 1000000000 };
	printf("bad timeout: %ld\n",
	       raw(SYS_rt_sigtimedwait, (long)&usr1, (long)&si, (long)&bad, 8));
	printf("size 4: %ld\n",
	       raw(SYS_rt_sigtimedwait, (long)&usr1, (long)&si, (long)&zero, 4));
	raise(SIGUSR1);
	printf("NULL info: %ld\n",
	       raw(SYS_rt_sigtimedwait, (long)&usr1, 0, (long)&zero, 8));
	raise(SIGUSR1);
	r = sigwaitinfo(&usr1, &si);
	printf("sigwaitinfo: %d code %d\n", r, si.si_code);
	int s = 0;
	raise(SIGUSR1);
	r = sigwait(&usr1, &s);
	printf("sigwait: %d %d\n", r, s);

	/* sigtimedwait takes signals whatever the mask: unblocked works too
	 * if it is pending (it cannot be: it would have been delivered), so
	 * check an unblocked set with nothing pending times out. */
	sigprocmask(SIG_SETMASK, &old, NULL);
	printf("unblocked, nothing pending: %ld\n",
	       raw(SYS_rt_sigtimedwait, (long)&usr1, (long)&si, (long)&zero, 8));
	printf("n %d\n", n_got);
	signal(SIGUSR1, SIG_DFL);
}

int main(int argc, char **argv)
{
	const char *m = argc > 1 ? argv[1] : "";

	st_reset();
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(m, "info"))
		info();
	else if (!strcmp(m, "errors"))
		errors();
	else if (!strcmp(m, "order"))
		order_();
	else if (!strcmp(m, "flags"))
		flags();
	else if (!strcmp(m, "ignore"))
		ignore();
	else if (!strcmp(m, "wait"))
		wait_();
	else {
		fprintf(stderr, "usage: basic info|errors|order|flags|ignore|wait\n");
		return 2;
	}
	return st_done();
}
