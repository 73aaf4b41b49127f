/* Semantics of the guest's own objects: socketpair, eventfd, timerfd,
 * epoll, and poll/select over them.  Prints results only (no times, no
 * addresses), so the output is the same natively and under rrv. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <unistd.h>

#define SHOW(expr)                                                              \
	do {                                                                    \
		long r_ = (long)(expr);                                         \
		printf("%-50s = %ld%s%s\n", #expr, r_, r_ < 0 ? " " : "",      \
		       r_ < 0 ? strerror(errno) : "");                          \
	} while (0)

static void pairs(void)
{
	int sv[2];
	char buf[64];
	puts("-- socketpair");
	SHOW(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	struct stat st;
	SHOW(fstat(sv[0], &st) == 0 && S_ISSOCK(st.st_mode));
	SHOW(write(sv[0], "ping", 4));
	SHOW(read(sv[1], buf, sizeof(buf)));
	SHOW(send(sv[1], "pong!", 5, 0));
	SHOW(recv(sv[0], buf, sizeof(buf), 0));
	int type = 0;
	socklen_t tl = sizeof(type);
	SHOW(getsockopt(sv[0], SOL_SOCKET, SO_TYPE, &type, &tl));
	SHOW(type);
	SHOW(recv(sv[0], buf, sizeof(buf), MSG_DONTWAIT));
	struct pollfd p[2] = { { sv[0], POLLIN | POLLOUT, 0 }, { sv[1], POLLIN, 0 } };
	SHOW(poll(p, 2, 0));
	SHOW(p[0].revents);
	SHOW(p[1].revents);
	SHOW(shutdown(sv[1], SHUT_WR));
	SHOW(read(sv[0], buf, sizeof(buf)));
	SHOW(poll(p, 1, 0));
	SHOW(p[0].revents & (POLLIN | POLLOUT));
	signal(SIGPIPE, SIG_IGN);
	SHOW(close(sv[0]));
	SHOW(write(sv[1], "x", 1));
	SHOW(close(sv[1]));

	SHOW(socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv));
	SHOW(fcntl(sv[0], F_GETFL) & O_NONBLOCK);
	SHOW(fcntl(sv[0], F_GETFD));
	SHOW(send(sv[0], "one", 3, 0));
	SHOW(send(sv[0], "two!", 4, 0));
	SHOW(recv(sv[1], buf, sizeof(buf), 0));
	SHOW(recv(sv[1], buf, 2, 0));
	SHOW(recv(sv[1], buf, sizeof(buf), 0));
	SHOW(socketpair(AF_INET, SOCK_STREAM, 0, sv));
	close(sv[0]);
	close(sv[1]);
}

static void eventfds(void)
{
	uint64_t v;
	puts("-- eventfd");
	int e = eventfd(3, EFD_NONBLOCK);
	SHOW(e >= 0);
	SHOW(read(e, &v, sizeof(v)));
	SHOW(v);
	SHOW(read(e, &v, sizeof(v)));
	v = 5;
	SHOW(write(e, &v, sizeof(v)));
	SHOW(write(e, &v, 4));
	struct pollfd p = { e, POLLIN | POLLOUT, 0 };
	SHOW(poll(&p, 1, 0));
	SHOW(p.revents);
	v = UINT64_MAX;
	SHOW(write(e, &v, sizeof(v)));
	v = UINT64_MAX - 6;
	SHOW(write(e, &v, sizeof(v)));
	close(e);
	e = eventfd(2, EFD_SEMAPHORE);
	SHOW(read(e, &v, sizeof(v)));
	SHOW(v);
	SHOW(read(e, &v, sizeof(v)));
	SHOW(v);
	close(e);
}

static void timerfds(void)
{
	uint64_t v;
	puts("-- timerfd");
	int t = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
	SHOW(t >= 0);
	SHOW(read(t, &v, sizeof(v)));
	struct itimerspec its = { { 0, 0 }, { 0, 20000000 } };
	SHOW(timerfd_settime(t, 0, &its, NULL));
	struct itimerspec cur;
	SHOW(timerfd_gettime(t, &cur));
	SHOW(cur.it_value.tv_sec == 0 && cur.it_value.tv_nsec > 0);
	struct pollfd p = { t, POLLIN, 0 };
	SHOW(poll(&p, 1, 0));
	SHOW(poll(&p, 1, 1000)); /* wakes at the expiry, not after 1 s */
	SHOW(read(t, &v, sizeof(v)));
	SHOW(v);
	SHOW(read(t, &v, sizeof(v)));
	/* Periodic, blocking read. */
	int fl = fcntl(t, F_GETFL);
	SHOW(fcntl(t, F_SETFL, fl & ~O_NONBLOCK));
	its.it_interval.tv_nsec = 10000000;
	its.it_value.tv_nsec = 10000000;
	SHOW(timerfd_settime(t, 0, &its, NULL));
	SHOW(read(t, &v, sizeof(v)));
	SHOW(v >= 1);
	memset(&its, 0, sizeof(its));
	SHOW(timerfd_settime(t, 0, &its, NULL));
	SHOW(timerfd_gettime(t, &cur));
	SHOW(cur.it_value.tv_sec + cur.it_value.tv_nsec);
	SHOW(timerfd_create(12345, 0));
	close(t);
}

static void epolls(void)
{
	struct epoll_event ev, out[8];
	int sv[2];
	puts("-- epoll");
	int ep = epoll_create1(EPOLL_CLOEXEC);
	SHOW(ep >= 0);
	SHOW(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	int e = eventfd(0, EFD_NONBLOCK);
	ev.events = EPOLLIN;
	ev.data.u64 = 100;
	SHOW(epoll_ctl(ep, EPOLL_CTL_ADD, sv[0], &ev));
	SHOW(epoll_ctl(ep, EPOLL_CTL_ADD, sv[0], &ev));
	ev.data.u64 = 200;
	SHOW(epoll_ctl(ep, EPOLL_CTL_ADD, e, &ev));
	SHOW(epoll_wait(ep, out, 8, 0));
	SHOW(write(sv[1], "abc", 3));
	SHOW(epoll_wait(ep, out, 8, 0));
	SHOW(out[0].data.u64);
	SHOW(out[0].events);
	uint64_t one = 1;
	SHOW(write(e, &one, 8));
	int n = epoll_wait(ep, out, 8, -1);
	SHOW(n);
	unsigned long sum = 0;
	for (int i = 0; i < n; i++)
		sum += out[i].data.u64;
	SHOW(sum);
	ev.events = EPOLLIN | EPOLLONESHOT;
	ev.data.u64 = 300;
	SHOW(epoll_ctl(ep, EPOLL_CTL_MOD, e, &ev));
	SHOW(epoll_wait(ep, out, 8, 0));
	SHOW(epoll_wait(ep, out, 8, 0));
	SHOW(epoll_ctl(ep, EPOLL_CTL_DEL, sv[0], NULL));
	SHOW(epoll_ctl(ep, EPOLL_CTL_DEL, sv[0], NULL));
	SHOW(epoll_wait(ep, out, 8, 0));
	SHOW(epoll_wait(ep, out, 0, 0));
	SHOW(epoll_ctl(ep, EPOLL_CTL_ADD, ep, &ev));
	/* A timerfd wakes epoll_wait. */
	int t = timerfd_create(CLOCK_MONOTONIC, 0);
	struct itimerspec its = { { 0, 0 }, { 0, 15000000 } };
	timerfd_settime(t, 0, &its, NULL);
	ev.events = EPOLLIN;
	ev.data.u64 = 400;
	SHOW(epoll_ctl(ep, EPOLL_CTL_ADD, t, &ev));
	SHOW(epoll_wait(ep, out, 8, 2000));
	SHOW(out[0].data.u64);
	/* select over a socketpair and an eventfd. */
	fd_set rd;
	FD_ZERO(&rd);
	FD_SET(sv[0], &rd);
	FD_SET(e, &rd);
	struct timeval tv = { 0, 0 };
	SHOW(select(e > sv[0] ? e + 1 : sv[0] + 1, &rd, NULL, NULL, &tv));
	SHOW(FD_ISSET(sv[0], &rd));
	close(t);
	close(e);
	close(sv[0]);
	close(sv[1]);
	close(ep);
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	pairs();
	eventfds();
	timerfds();
	epolls();
	return 0;
}
