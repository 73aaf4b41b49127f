/*
 * fds: the descriptor table.  Lowest-free allocation, dup/dup2/dup3,
 * F_DUPFD, FD_CLOEXEC per descriptor, close_range, RLIMIT_NOFILE and
 * EMFILE, redirecting stdout with dup2, closing stdout, record locks and
 * flock, fcntl and ioctl errors.
 */
#include "t.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC 4
#endif

static void table(void)
{
	int a = SHOW(open("/dev/null", O_RDONLY));
	int b = SHOW(dup(0));
	SHOW(close(a));
	SHOW(open(".", O_RDONLY | O_DIRECTORY));
	SHOW(fcntl(0, F_DUPFD, 10));
	SHOW(fcntl(0, F_DUPFD, 10));
	SHOW(fcntl(0, F_DUPFD_CLOEXEC, 5));
	SHOW(fcntl(5, F_GETFD));
	SHOW(fcntl(10, F_GETFD));
	SHOW(dup2(b, 20));
	SHOW(dup2(20, 20));
	SHOW(dup2(77, 20));
	SHOW(dup2(20, -1));
	SHOW(dup3(20, 20, 0));
	SHOW(dup3(20, 21, O_CLOEXEC));
	SHOW(fcntl(21, F_GETFD));
	SHOW(dup3(20, 22, O_NONBLOCK));
	SHOW(ioctl(21, FIONCLEX));
	SHOW(fcntl(21, F_GETFD));
	SHOW(ioctl(21, FIOCLEX));
	SHOW(fcntl(21, F_GETFD));
	SHOW(fcntl(21, F_SETFD, 0));
	SHOW(fcntl(21, F_GETFD));
	SHOW(fcntl(99, F_GETFD));
	SHOW(fcntl(0, 12345));
	SHOW(close(99));
	SHOW(close(-1));
	SHOW(ioctl(99, FIOCLEX));
	SHOW(ioctl(a, 0x1234));

	/* close_range: CLOEXEC marks, then closes. */
	SHOW(syscall(SYS_close_range, 20, 21, CLOSE_RANGE_CLOEXEC));
	SHOW(fcntl(20, F_GETFD));
	SHOW(syscall(SYS_close_range, 5, 4, 0));
	SHOW(syscall(SYS_close_range, 5, ~0u, 0));
	SHOW(fcntl(10, F_GETFD));
	SHOW(open("/dev/null", O_RDONLY));
	SHOW(close(5));
}

static void limits(void)
{
	struct rlimit rl;

	SHOW(getrlimit(RLIMIT_NOFILE, &rl));
	rl.rlim_cur = 64;
	SHOW(setrlimit(RLIMIT_NOFILE, &rl));
	SHOW(fcntl(0, F_DUPFD, 63));
	SHOW(fcntl(0, F_DUPFD, 64));
	SHOW(dup2(0, 64));
	SHOW(dup3(0, 64, 0));
	int n = 0, last = -1, fd;
	while ((fd = open("/dev/null", O_RDONLY)) >= 0) {
		last = fd;
		n++;
	}
	printf("opened %d more, last %d, then %s\n", n, last, ename(errno));
	SHOW(dup(0));
	SHOW(pipe((int[2]){ 0, 0 }));
	SHOW(fcntl(0, F_DUPFD, 0));
	SHOW(syscall(SYS_close_range, 3, ~0u, 0));
	SHOW(open("/dev/null", O_RDONLY));
	rl.rlim_cur = rl.rlim_max;
	SHOW(setrlimit(RLIMIT_NOFILE, &rl));
	SHOW(close(3));
}

static void redirect(void)
{
	char buf[64];

	int save = SHOW(dup(1));
	int f = SHOW(open("out.txt", O_RDWR | O_CREAT | O_TRUNC, 0644));
	SHOW(dup2(f, 1));
	printf("this line goes to out.txt\n");
	fflush(stdout);
	SHOW(dup2(save, 1));
	SHOW(close(save));
	long n = SHOW(pread(f, buf, sizeof buf, 0));
	printf("out.txt holds [%.*s]\n", (int)(n > 0 ? n - 1 : 0), buf);
	SHOW(close(f));

	/* Closing stdout frees descriptor 1 for the next open. */
	save = SHOW(dup(1));
	SHOW(close(1));
	f = open("out2.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	long w = write(1, "via fd 1\n", 9);
	dup2(save, 1);
	close(save);
	SHOW(f);
	SHOW(w);
	f = SHOW(open("out2.txt", O_RDONLY));
	n = SHOW(read(f, buf, sizeof buf));
	printf("out2.txt holds [%.*s]\n", (int)(n > 0 ? n - 1 : 0), buf);
	SHOW(close(f));
	SHOW(unlink("out.txt"));
	SHOW(unlink("out2.txt"));
}

static void locks(void)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	int f = SHOW(open("lock.txt", O_RDWR | O_CREAT | O_TRUNC, 0644));
	int r = SHOW(open("lock.txt", O_RDONLY));

	SHOW(fcntl(f, F_SETLK, &fl));
	SHOW(fcntl(f, F_GETLK, &fl));
	printf("F_GETLK l_type %s\n", fl.l_type == F_UNLCK ? "F_UNLCK" : "other");
	fl.l_type = F_WRLCK;
	SHOW(fcntl(r, F_SETLK, &fl));
	fl.l_type = F_RDLCK;
	SHOW(fcntl(r, F_SETLKW, &fl));
	fl.l_type = 9;
	SHOW(fcntl(f, F_SETLK, &fl));
	fl.l_type = F_UNLCK;
	SHOW(fcntl(f, F_SETLK, &fl));
	SHOW(fcntl(f, F_SETLK, (void *)8));
	SHOW(flock(f, LOCK_EX));
	SHOW(flock(f, LOCK_UN | LOCK_NB));
	SHOW(flock(f, 0));
	SHOW(flock(99, LOCK_SH));
	SHOW(close(f));
	SHOW(close(r));
	SHOW(unlink("lock.txt"));
}

static void status_flags(void)
{
	int f = SHOW(open("/dev/null", O_RDWR));
	int d = SHOW(dup(f));

	SHOW(fcntl(f, F_GETFL));
	SHOW(fcntl(f, F_SETFL, O_NONBLOCK | O_APPEND | O_CREAT));
	SHOW(fcntl(d, F_GETFL));
	int on = 0;
	SHOW(ioctl(d, FIONBIO, &on));
	SHOW(fcntl(f, F_GETFL));
	SHOW(fcntl(f, F_SETFL, O_WRONLY));
	SHOW(fcntl(f, F_GETFL));
	SHOW(close(f));
	SHOW(close(d));
}

int main(void)
{
	only_stdio();
	table();
	limits();
	redirect();
	locks();
	status_flags();
	return 0;
}
