/*
 * Helpers shared by the conformance programs (the .c files beside it).
 *
 * Every program is built twice (glibc and musl, both static) and run both
 * natively and under `rrv run`; the two runs must print the same bytes.
 * So a program prints only what is the same on any Linux x86-64 machine
 * with one CPU: properties ("pid positive: yes"), never values that vary
 * between runs or machines (pids, times, addresses, random bytes, inode
 * numbers, CPU counts, host names).
 *
 * CHECK(cond, what, fmt...) prints "ok: what" or "FAIL: what (details)"
 * and remembers failures; conf_done() returns the exit status for main.
 */
#ifndef CONF_H
#define CONF_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int conf_failures;

static void conf_result(int ok, const char *what, const char *fmt, ...)
	__attribute__((format(printf, 3, 4), unused));

static void conf_result(int ok, const char *what, const char *fmt, ...)
{
	if (ok) {
		printf("ok: %s\n", what);
	} else {
		va_list ap;

		conf_failures++;
		printf("FAIL: %s (", what);
		va_start(ap, fmt);
		vprintf(fmt, ap);
		va_end(ap);
		printf(")\n");
	}
	fflush(stdout);
}

/* CHECK(cond, "what", "details fmt", args...): details shown on failure. */
#define CHECK(cond, what, ...) conf_result(!!(cond), what, __VA_ARGS__)

/* CHECK_SYS(expr, "what"): expr must not be -1; shows errno otherwise. */
#define CHECK_SYS(expr, what)                                              \
	do {                                                               \
		errno = 0;                                                 \
		long conf_r_ = (long)(expr);                               \
		int conf_e_ = errno;                                       \
		conf_result(conf_r_ != -1, what, "returned %ld, errno %s", \
			    conf_r_, conf_errname(conf_e_));               \
	} while (0)

/* CHECK_ERR(expr, ERRNO, "what"): expr must fail (-1) with errno ERRNO. */
#define CHECK_ERR(expr, want, what)                                        \
	do {                                                               \
		errno = 0;                                                 \
		long conf_r_ = (long)(expr);                               \
		int conf_e_ = errno;                                       \
		conf_result(conf_r_ == -1 && conf_e_ == (want), what,      \
			    "returned %ld, errno %s, wanted -1 and %s",    \
			    conf_r_, conf_errname(conf_e_),                \
			    conf_errname(want));                           \
	} while (0)

/* Symbolic errno names: strerror() texts differ between glibc and musl. */
static const char *conf_errname(int e) __attribute__((unused));
static const char *conf_errname(int e)
{
	static char buf[32];

	switch (e) {
	case 0: return "0";
	case EPERM: return "EPERM";
	case ENOENT: return "ENOENT";
	case ESRCH: return "ESRCH";
	case EINTR: return "EINTR";
	case EIO: return "EIO";
	case EBADF: return "EBADF";
	case EAGAIN: return "EAGAIN";
	case ENOMEM: return "ENOMEM";
	case EACCES: return "EACCES";
	case EFAULT: return "EFAULT";
	case EBUSY: return "EBUSY";
	case EEXIST: return "EEXIST";
	case EXDEV: return "EXDEV";
	case ENOTDIR: return "ENOTDIR";
	case EISDIR: return "EISDIR";
	case EINVAL: return "EINVAL";
	case EMFILE: return "EMFILE";
	case ENOTTY: return "ENOTTY";
	case EFBIG: return "EFBIG";
	case ENOSPC: return "ENOSPC";
	case ESPIPE: return "ESPIPE";
	case EROFS: return "EROFS";
	case EPIPE: return "EPIPE";
	case ERANGE: return "ERANGE";
	case ENAMETOOLONG: return "ENAMETOOLONG";
	case ENOSYS: return "ENOSYS";
	case ENOTEMPTY: return "ENOTEMPTY";
	case ELOOP: return "ELOOP";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	case ETIMEDOUT: return "ETIMEDOUT";
	default:
		snprintf(buf, sizeof buf, "errno-%d", e);
		return buf;
	}
}

/* Symbolic signal names: strsignal() texts differ between the libcs. */
static const char *conf_signame(int sig) __attribute__((unused));
static const char *conf_signame(int sig)
{
	static char buf[32];

	switch (sig) {
	case SIGHUP: return "SIGHUP";
	case SIGINT: return "SIGINT";
	case SIGQUIT: return "SIGQUIT";
	case SIGILL: return "SIGILL";
	case SIGTRAP: return "SIGTRAP";
	case SIGABRT: return "SIGABRT";
	case SIGBUS: return "SIGBUS";
	case SIGFPE: return "SIGFPE";
	case SIGKILL: return "SIGKILL";
	case SIGUSR1: return "SIGUSR1";
	case SIGSEGV: return "SIGSEGV";
	case SIGUSR2: return "SIGUSR2";
	case SIGPIPE: return "SIGPIPE";
	case SIGALRM: return "SIGALRM";
	case SIGTERM: return "SIGTERM";
	case SIGCHLD: return "SIGCHLD";
	case SIGCONT: return "SIGCONT";
	case SIGSTOP: return "SIGSTOP";
	default:
		snprintf(buf, sizeof buf, "signal-%d", sig);
		return buf;
	}
}

/*
 * The runner's environment may leave signals ignored or blocked (a shell
 * ignoring SIGPIPE, say); a native run would inherit that and a run under
 * rrv might not. Programs that depend on dispositions start from the
 * default state explicitly.
 */
static void conf_default_signals(void) __attribute__((unused));
static void conf_default_signals(void)
{
	sigset_t none;

	for (int s = 1; s < 32; s++)
		if (s != SIGKILL && s != SIGSTOP)
			signal(s, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

static int conf_done(void) __attribute__((unused));
static int conf_done(void)
{
	if (conf_failures)
		printf("%d check(s) failed\n", conf_failures);
	else
		printf("all checks passed\n");
	fflush(stdout);
	return conf_failures ? 1 : 0;
}

/* 64-bit FNV-1a, for printing checksums of data that must match. */
static unsigned long long conf_fnv(const void *p, size_t n,
				   unsigned long long h) __attribute__((unused));
static unsigned long long conf_fnv(const void *p, size_t n,
				   unsigned long long h)
{
	const unsigned char *c = p;

	if (!h)
		h = 0xcbf29ce484222325ULL;
	for (size_t i = 0; i < n; i++) {
		h ^= c[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

#endif
