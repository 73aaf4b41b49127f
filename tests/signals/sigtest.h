/*
 * Helpers for the signal tests (the .c files beside it).  Each program is built
 * static with glibc and with musl and run natively and under `rrv run`;
 * run.sh compares stdout, stderr and the exit status.  So the programs
 * print only what is the same on every Linux x86-64 machine: results and
 * properties, never addresses or pids.
 */
#ifndef SIGTEST_H
#define SIGTEST_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static int st_failures;

/* T(cond, "what"): prints "ok: what" or "FAIL: what". */
#define T(cond, what)                                                   \
	do {                                                            \
		int st_ok_ = !!(cond);                                  \
		printf("%s: %s\n", st_ok_ ? "ok" : "FAIL", what);       \
		fflush(stdout);                                         \
		if (!st_ok_)                                            \
			st_failures++;                                  \
	} while (0)

/* The raw system call's result, as -errno on failure: no libc between. */
static long __attribute__((unused)) raw(long nr, long a, long b, long c, long d)
{
	long r = syscall(nr, a, b, c, d);
	return r == -1 ? -errno : r;
}

static int __attribute__((unused)) gettid_(void)
{
	return (int)syscall(SYS_gettid);
}

/* Default dispositions and an empty mask, whatever the runner left. */
static void __attribute__((unused)) st_reset(void)
{
	sigset_t none;

	for (int s = 1; s < 32; s++)
		if (s != SIGKILL && s != SIGSTOP)
			signal(s, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

/* sigaction with SA_SIGINFO | flags and an optional mask. */
static void __attribute__((unused))
st_handle(int sig, void (*fn)(int, siginfo_t *, void *), int flags,
	  const sigset_t *mask)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = fn;
	sa.sa_flags = SA_SIGINFO | flags;
	if (mask)
		sa.sa_mask = *mask;
	if (sigaction(sig, &sa, NULL) != 0) {
		printf("FAIL: sigaction(%d)\n", sig);
		st_failures++;
	}
}

static int __attribute__((unused)) st_done(void)
{
	printf(st_failures ? "%d FAILED\n" : "all passed\n", st_failures);
	return st_failures ? 1 : 0;
}

#endif
