/*
 * pipes: what a single thread can observe of a pipe.  Capacity counted in
 * slots (a page each) with small writes merged into the last one, as
 * Linux does; FIONREAD; packet mode; F_SETPIPE_SZ; EOF and EPIPE; readv
 * and writev; the calls a pipe refuses; fstat and statx; poll and select
 * with and without timeouts; sendfile into a pipe.
 */
#include "t.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/select.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <termios.h>
#include <unistd.h>

#ifndef F_SETPIPE_SZ
#define F_SETPIPE_SZ 1031
#define F_GETPIPE_SZ 1032
#endif

static char buf[1 << 18];

static int avail(int fd)
{
	int n = -1;
	ioctl(fd, FIONREAD, &n);
	return n;
}

static void slots(void)
{
	int p[2];

	SHOW(pipe2(p, O_NONBLOCK));
	SHOW(write(p[1], "x", 1));
	long total = 1, n;
	while ((n = write(p[1], buf, 4096)) > 0)
		total += n;
	printf("1 + 4096-byte writes until full: %ld bytes, then %s\n", total,
	       ename(errno));
	SHOW(avail(p[0]));
	SHOW(write(p[1], "y", 1));
	SHOW(read(p[0], buf, 5000));
	SHOW(write(p[1], buf, 10000));
	SHOW(write(p[1], buf, 10000));
	SHOW(avail(p[0]));
	SHOW(close(p[0]));
	SHOW(close(p[1]));

	/* Merging: 100 + 4000 share a slot, the next 4000 does not fit. */
	SHOW(pipe2(p, O_NONBLOCK));
	SHOW(write(p[1], buf, 100));
	SHOW(write(p[1], buf, 4000));
	SHOW(write(p[1], buf, 4000));
	SHOW(avail(p[0]));
	SHOW(write(p[1], buf, 65536));
	SHOW(write(p[1], buf, 1));
	while (read(p[0], buf, sizeof buf) > 0)
		;
	SHOW(avail(p[0]));
	SHOW(write(p[1], buf, 200000));
	SHOW(close(p[0]));
	SHOW(close(p[1]));
}

static void contents(void)
{
	int p[2];
	char a[8] = { 0 }, b[8] = { 0 }, c[8] = { 0 };
	struct iovec w[3] = { { "abc", 3 }, { "", 0 }, { "defghij", 7 } };
	struct iovec r[3] = { { a, 2 }, { b, 5 }, { c, 7 } };

	SHOW(pipe(p));
	SHOW(writev(p[1], w, 3));
	SHOW(readv(p[0], r, 3));
	printf("[%s][%s][%s]\n", a, b, c);

	/* EOF only once every writer is gone; a dup is a writer too. */
	int d = SHOW(dup(p[1]));
	SHOW(write(p[1], "tail", 4));
	SHOW(close(p[1]));
	SHOW(fcntl(p[0], F_SETFL, O_NONBLOCK));
	SHOW(read(p[0], buf, 100));
	SHOW(read(p[0], buf, 100));
	SHOW(close(d));
	SHOW(read(p[0], buf, 100));
	SHOW(read(p[0], buf, 0));

	/* No reader: EPIPE, and SIGPIPE (ignored here). */
	SHOW(pipe(p));
	SHOW(close(p[0]));
	signal(SIGPIPE, SIG_IGN);
	SHOW(write(p[1], "x", 1));
	SHOW(write(p[1], "x", 0));
	signal(SIGPIPE, SIG_DFL);
	SHOW(close(p[1]));

	/* Packet mode. */
	SHOW(pipe2(p, O_DIRECT | O_NONBLOCK));
	SHOW(fcntl(p[1], F_GETFL) & O_DIRECT);
	SHOW(write(p[1], "abc", 3));
	SHOW(write(p[1], "defg", 4));
	SHOW(write(p[1], "hello", 5));
	SHOW(avail(p[0]));
	SHOW(read(p[0], buf, 100));
	SHOW(read(p[0], buf, 100));
	SHOW(read(p[0], buf, 2));
	SHOW(read(p[0], buf, 100));
	SHOW(close(p[0]));
	SHOW(close(p[1]));
}

static void sizes(void)
{
	int p[2];

	SHOW(pipe2(p, O_NONBLOCK));
	SHOW(fcntl(p[0], F_GETPIPE_SZ));
	SHOW(fcntl(p[0], F_SETPIPE_SZ, 4096));
	SHOW(fcntl(p[1], F_GETPIPE_SZ));
	SHOW(write(p[1], buf, 10000));
	SHOW(fcntl(p[1], F_SETPIPE_SZ, 10000));
	SHOW(write(p[1], buf, 100000));
	SHOW(fcntl(p[1], F_SETPIPE_SZ, 4096));
	SHOW(fcntl(p[1], F_SETPIPE_SZ, 0));
	SHOW(fcntl(p[1], F_SETPIPE_SZ, 1 << 20));
	SHOW(write(p[1], buf, sizeof buf));
	SHOW(avail(p[0]));
	SHOW(close(p[0]));
	SHOW(close(p[1]));
}

static void refusals(void)
{
	int p[2];
	struct termios t;
	struct winsize ws;
	struct stat st;

	SHOW(pipe(p));
	SHOW(lseek(p[0], 0, SEEK_CUR));
	SHOW(pread(p[0], buf, 1, 0));
	SHOW(pwrite(p[1], buf, 1, 0));
	SHOW(read(p[1], buf, 1));
	SHOW(write(p[0], buf, 1));
	SHOW(ioctl(p[0], TCGETS, &t));
	SHOW(ioctl(p[1], TIOCGWINSZ, &ws));
	SHOW(isatty(p[0]));
	SHOW(openat(p[0], "x", O_RDONLY));
	SHOW(openat(p[0], "/dev/null", O_RDONLY));
	SHOW(fstatat(p[0], "x", &st, 0));
	SHOW(mkdirat(p[0], "x", 0755));
	SHOW(fchdir(p[0]));
	SHOW(syscall(SYS_getdents64, p[0], buf, 4096));
	SHOW(fsync(p[1]));
	SHOW(fdatasync(p[1]));
	SHOW(ftruncate(p[1], 0));
	SHOW(posix_fadvise(p[0], 0, 0, POSIX_FADV_SEQUENTIAL));
	SHOW(fcntl(p[0], F_GETFL));
	SHOW(fcntl(p[1], F_GETFL));
	SHOW(fcntl(p[1], F_SETFL, O_NONBLOCK | O_RDWR));
	SHOW(fcntl(p[1], F_GETFL));
	int on = 1;
	SHOW(ioctl(p[0], FIONBIO, &on));
	SHOW(read(p[0], buf, 1));

	SHOW(fstat(p[0], &st));
	printf("fifo %d perms %o nlink %ld size %ld blksize %ld uid ok %d\n",
	       S_ISFIFO(st.st_mode), st.st_mode & 07777, (long)st.st_nlink,
	       (long)st.st_size, (long)st.st_blksize, st.st_uid == geteuid());
	SHOW(fstatat(p[1], "", &st, AT_EMPTY_PATH));
	printf("fifo %d\n", S_ISFIFO(st.st_mode));
	struct {
		uint32_t mask, blksize;
		uint64_t attributes;
		uint32_t nlink, uid, gid;
		uint16_t mode;
		char rest[256 - 30];
	} sx;
	SHOW(syscall(SYS_statx, p[0], "", AT_EMPTY_PATH, 0x7ff, &sx));
	printf("statx fifo %d nlink %u\n", (sx.mode & S_IFMT) == S_IFIFO, sx.nlink);
	SHOW(fchmod(p[0], 0644));
	SHOW(close(p[0]));
	SHOW(close(p[1]));
}

static void poll_select(void)
{
	int p[2];
	struct pollfd pf[4];

	SHOW(pipe(p));
	pf[0] = (struct pollfd){ .fd = p[0], .events = POLLIN };
	pf[1] = (struct pollfd){ .fd = p[1], .events = POLLOUT };
	pf[2] = (struct pollfd){ .fd = -1, .events = POLLIN };
	pf[3] = (struct pollfd){ .fd = 77, .events = POLLIN };
	SHOW(poll(pf, 4, 0));
	printf("revents %#x %#x %#x %#x\n", pf[0].revents, pf[1].revents,
	       pf[2].revents, pf[3].revents);
	SHOW(poll(pf, 1, 30));
	SHOW(write(p[1], "z", 1));
	SHOW(poll(pf, 2, -1));
	printf("revents %#x %#x\n", pf[0].revents, pf[1].revents);

	fd_set r, w;
	FD_ZERO(&r);
	FD_ZERO(&w);
	FD_SET(p[0], &r);
	FD_SET(p[1], &w);
	struct timeval tv = { 0, 0 };
	SHOW(select(p[1] + 1, &r, &w, NULL, &tv));
	printf("read set %d, write set %d\n", FD_ISSET(p[0], &r), FD_ISSET(p[1], &w));
	SHOW(read(p[0], buf, 1));
	FD_ZERO(&r);
	FD_SET(p[0], &r);
	tv = (struct timeval){ 0, 20000 };
	SHOW(select(p[0] + 1, &r, NULL, NULL, &tv));
	printf("read set %d, left %ld.%06ld\n", FD_ISSET(p[0], &r), (long)tv.tv_sec,
	       (long)tv.tv_usec);
	FD_SET(77, &r);
	SHOW(select(78, &r, NULL, NULL, &tv));
	SHOW(close(p[1]));
	pf[0].events = POLLIN;
	SHOW(poll(pf, 1, 0));
	printf("revents %#x\n", pf[0].revents);
	struct timespec ts = { 0, 1000000 };
	sigset_t none;
	sigemptyset(&none);
	SHOW(ppoll(pf, 1, &ts, &none));
	SHOW(close(p[0]));
}

static void to_pipe(void)
{
	int p[2];
	int f = SHOW(open("sf.txt", O_RDWR | O_CREAT | O_TRUNC, 0644));
	SHOW(write(f, "0123456789", 10));
	SHOW(pipe(p));
	off_t off = 2;
	SHOW(sendfile(p[1], f, &off, 5));
	SHOW(off);
	SHOW(lseek(f, 0, SEEK_CUR));
	SHOW(lseek(f, 7, SEEK_SET));
	SHOW(sendfile(p[1], f, NULL, 100));
	SHOW(lseek(f, 0, SEEK_CUR));
	long n = SHOW(read(p[0], buf, 100));
	printf("[%.*s]\n", (int)n, buf);
	SHOW(sendfile(f, p[0], NULL, 1));
	SHOW(close(p[0]));
	SHOW(close(p[1]));
	SHOW(close(f));
	SHOW(unlink("sf.txt"));
}

int main(void)
{
	only_stdio();
	slots();
	contents();
	sizes();
	refusals();
	poll_select();
	to_pipe();
	return 0;
}
