/*
 * pipes [die-sigpipe]: pipe and pipe2 flags, reads and writes, EOF,
 * SIGPIPE (ignored: EPIPE; caught: the handler runs), FIONREAD, poll,
 * ESPIPE, and a 200 KiB non-blocking write into a pipe that holds less.
 *
 * With die-sigpipe it writes to a pipe without readers while SIGPIPE has
 * its default action, so it dies of SIGPIPE (status 141).
 */
#include "conf.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>

#ifndef F_GETPIPE_SZ
#define F_GETPIPE_SZ 1032
#endif

static volatile int sigpipe_count;
static volatile int sigpipe_code;
static volatile int sigpipe_pid_ok;

static void on_sigpipe(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	if (sig == SIGPIPE && si->si_signo == SIGPIPE)
		sigpipe_count++;
	sigpipe_code = si->si_code;
	sigpipe_pid_ok = si->si_pid == getpid();
}

static short revents(int fd, short events)
{
	struct pollfd p = { .fd = fd, .events = events };

	if (poll(&p, 1, 0) < 0)
		return -1;
	return p.revents;
}

static void show_revents(const char *what, short r)
{
	printf("poll %s:%s%s%s%s%s\n", what, r & POLLIN ? " POLLIN" : "",
	       r & POLLOUT ? " POLLOUT" : "", r & POLLHUP ? " POLLHUP" : "",
	       r & POLLERR ? " POLLERR" : "", r == 0 ? " none" : "");
}

static void check_basic(void)
{
	int p[2];
	char buf[64];

	CHECK_SYS(pipe(p), "pipe");
	CHECK((fcntl(p[0], F_GETFL) & O_ACCMODE) == O_RDONLY &&
		      (fcntl(p[1], F_GETFL) & O_ACCMODE) == O_WRONLY,
	      "read end O_RDONLY, write end O_WRONLY", "flags %#x %#x",
	      fcntl(p[0], F_GETFL), fcntl(p[1], F_GETFL));
	CHECK(fcntl(p[0], F_GETFD) == 0 && fcntl(p[1], F_GETFD) == 0,
	      "pipe() fds have no FD_CLOEXEC", "set");
	int sz = fcntl(p[0], F_GETPIPE_SZ);
	CHECK(sz >= 4096, "F_GETPIPE_SZ at least 4096", "got %d %s", sz,
	      conf_errname(errno));

	CHECK(write(p[1], "hello pipe", 10) == 10, "write 10 bytes", "short");
	int avail = -1;
	CHECK(ioctl(p[0], FIONREAD, &avail) == 0 && avail == 10,
	      "FIONREAD says 10", "got %d", avail);
	CHECK(read(p[0], buf, 4) == 4 && memcmp(buf, "hell", 4) == 0,
	      "read 4 of them", "wrong");
	CHECK(ioctl(p[0], FIONREAD, &avail) == 0 && avail == 6,
	      "FIONREAD says 6", "got %d", avail);
	CHECK(read(p[0], buf, sizeof buf) == 6 && memcmp(buf, "o pipe", 6) == 0,
	      "read returns the 6 left, not more", "wrong");
	CHECK(read(p[0], buf, 0) == 0, "read of 0 bytes returns 0", "not 0");
	CHECK(write(p[1], buf, 0) == 0, "write of 0 bytes returns 0", "not 0");
	CHECK_ERR(lseek(p[0], 0, SEEK_SET), ESPIPE, "lseek on a pipe: ESPIPE");
	CHECK_ERR(pread(p[0], buf, 1, 0), ESPIPE, "pread on a pipe: ESPIPE");
	CHECK_ERR(write(p[0], "x", 1), EBADF, "write to the read end: EBADF");
	CHECK_ERR(read(p[1], buf, 1), EBADF, "read from the write end: EBADF");

	/* poll: empty, holding data, writer gone. */
	short r = revents(p[0], POLLIN);
	show_revents("empty pipe, read end", r);
	CHECK(r == 0, "empty pipe: read end not ready", "revents %#x", r);
	r = revents(p[1], POLLOUT);
	show_revents("empty pipe, write end", r);
	CHECK(r == POLLOUT, "empty pipe: write end POLLOUT", "revents %#x", r);
	write(p[1], "z", 1);
	r = revents(p[0], POLLIN);
	show_revents("pipe holding data, read end", r);
	CHECK(r == POLLIN, "data: read end POLLIN", "revents %#x", r);

	/* A dup of the write end keeps the pipe open. */
	int w2 = dup(p[1]);
	close(p[1]);
	CHECK(read(p[0], buf, sizeof buf) == 1 && buf[0] == 'z',
	      "data written before the close is still read", "wrong");
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	CHECK_ERR(read(p[0], buf, 1), EAGAIN,
		  "a dup of the write end keeps the pipe open: EAGAIN");
	write(w2, "y", 1);
	close(w2);
	r = revents(p[0], POLLIN);
	show_revents("writer closed with data left, read end", r);
	CHECK(r == (POLLIN | POLLHUP), "writer closed, data left: POLLIN|POLLHUP",
	      "revents %#x", r);
	CHECK(read(p[0], buf, sizeof buf) == 1 && buf[0] == 'y',
	      "last byte read", "wrong");
	CHECK(read(p[0], buf, sizeof buf) == 0,
	      "read after the last writer closed: EOF (0)", "not 0");
	r = revents(p[0], POLLIN);
	show_revents("writer closed, empty, read end", r);
	CHECK(r == POLLHUP, "writer closed, empty: POLLHUP", "revents %#x", r);
	close(p[0]);
}

static void check_pipe2(void)
{
	int p[2];
	char c;

	CHECK_SYS(pipe2(p, O_CLOEXEC), "pipe2 O_CLOEXEC");
	CHECK(fcntl(p[0], F_GETFD) == FD_CLOEXEC &&
		      fcntl(p[1], F_GETFD) == FD_CLOEXEC,
	      "both ends FD_CLOEXEC", "not set");
	CHECK(!(fcntl(p[0], F_GETFL) & O_NONBLOCK), "but not O_NONBLOCK",
	      "set");
	close(p[0]);
	close(p[1]);

	CHECK_SYS(pipe2(p, O_NONBLOCK), "pipe2 O_NONBLOCK");
	CHECK((fcntl(p[0], F_GETFL) & O_NONBLOCK) &&
		      (fcntl(p[1], F_GETFL) & O_NONBLOCK),
	      "both ends O_NONBLOCK", "not set");
	CHECK(fcntl(p[0], F_GETFD) == 0, "but not FD_CLOEXEC", "set");
	CHECK_ERR(read(p[0], &c, 1), EAGAIN, "read of an empty pipe: EAGAIN");

	/* 200 KiB into a pipe that holds less. */
	enum { BIG = 200 * 1024 };
	static unsigned char big[BIG], back[BIG];
	for (int i = 0; i < BIG; i++)
		big[i] = (unsigned char)(i * 13 + (i >> 10));
	errno = 0;
	ssize_t w = write(p[1], big, BIG);
	CHECK((w > 0 && w < BIG) || (w == -1 && errno == EAGAIN),
	      "200 KiB non-blocking write: partial or EAGAIN", "got %zd %s", w,
	      conf_errname(errno));
	CHECK_ERR(write(p[1], big, BIG), EAGAIN,
		  "write to the full non-blocking pipe: EAGAIN");
	short r = revents(p[1], POLLOUT);
	CHECK(r == 0, "full pipe: write end not ready", "revents %#x", r);
	ssize_t got = 0, n;
	while ((n = read(p[0], back + got, 5000)) > 0)
		got += n;
	CHECK(n == -1 && errno == EAGAIN, "drained pipe: EAGAIN", "got %zd",
	      n);
	CHECK(got == (w > 0 ? w : 0) && memcmp(big, back, (size_t)got) == 0,
	      "read back exactly what was written", "read %zd of %zd", got, w);
	CHECK(revents(p[1], POLLOUT) == POLLOUT, "drained: write end ready",
	      "not ready");
	close(p[0]);
	close(p[1]);

	CHECK_ERR(pipe2(p, O_APPEND), EINVAL, "pipe2 with O_APPEND: EINVAL");
}

static void check_sigpipe(void)
{
	int p[2];
	struct sigaction sa;

	pipe(p);
	close(p[0]);
	short r = revents(p[1], POLLOUT);
	show_revents("reader closed, write end", r);
	CHECK(r & POLLERR, "reader closed: write end POLLERR", "revents %#x",
	      r);

	signal(SIGPIPE, SIG_IGN);
	CHECK_ERR(write(p[1], "x", 1), EPIPE,
		  "write without readers, SIGPIPE ignored: EPIPE");

	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_sigpipe;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGPIPE, &sa, NULL);
	CHECK_ERR(write(p[1], "x", 1), EPIPE,
		  "write without readers, SIGPIPE caught: EPIPE");
	CHECK(sigpipe_count == 1, "SIGPIPE handler ran once", "ran %d times",
	      sigpipe_count);
	CHECK(sigpipe_code == SI_USER, "SIGPIPE si_code is SI_USER",
	      "si_code %d", sigpipe_code);
	CHECK(sigpipe_pid_ok, "SIGPIPE si_pid is our pid", "other pid");

	sigset_t block, pending;
	sigemptyset(&block);
	sigaddset(&block, SIGPIPE);
	sigprocmask(SIG_BLOCK, &block, NULL);
	CHECK_ERR(write(p[1], "x", 1), EPIPE,
		  "write without readers, SIGPIPE blocked: EPIPE");
	sigpending(&pending);
	CHECK(sigismember(&pending, SIGPIPE), "blocked SIGPIPE is pending",
	      "not pending");
	sigprocmask(SIG_UNBLOCK, &block, NULL);
	CHECK(sigpipe_count == 2, "delivered on unblock", "count %d",
	      sigpipe_count);
	signal(SIGPIPE, SIG_DFL);
	close(p[1]);
}

int main(int argc, char **argv)
{
	conf_default_signals();
	if (argc > 1 && strcmp(argv[1], "die-sigpipe") == 0) {
		int p[2];

		pipe(p);
		close(p[0]);
		printf("writing to a pipe without readers, SIGPIPE default\n");
		fflush(stdout);
		write(p[1], "x", 1);
		printf("FAIL: still alive after the write\n");
		return 1;
	}
	printf("pipes conformance\n");
	check_basic();
	check_pipe2();
	check_sigpipe();
	return conf_done();
}
