/*
 * The guest program of tests/guestdbg: one of each event the guest
 * kernel reports to rrv debug.  poke() writes the watched global four
 * times in this process (twice from main, once from a second thread,
 * once after the fork) and once in the child, which is another process:
 * its write must not fire the watchpoint.  A SIGUSR1 is raised and
 * handled, a SIGSEGV (a NULL write) is caught and jumped out of, the
 * child exits with 3 and the program with 7.
 */
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

volatile int watched;

__attribute__((noinline)) void poke(int v)
{
	watched = v;
}

static void *second(void *arg)
{
	poke(100);
	return arg;
}

static sigjmp_buf env;

static void on_segv(int sig)
{
	(void)sig;
	siglongjmp(env, 1);
}

static void on_usr1(int sig)
{
	(void)sig;
}

int main(void)
{
	poke(1);
	poke(2);
	pthread_t t;
	if (pthread_create(&t, NULL, second, NULL) || pthread_join(t, NULL))
		return 1;
	signal(SIGUSR1, on_usr1);
	raise(SIGUSR1);
	signal(SIGSEGV, on_segv);
	if (!sigsetjmp(env, 1))
		*(volatile int *)0 = 1;
	pid_t c = fork();
	if (c == 0) {
		poke(50);
		_exit(3);
	}
	int st = 0;
	if (c < 0 || waitpid(c, &st, 0) != c)
		return 1;
	poke(3);
	printf("watched=%d child=%d\n", watched, WEXITSTATUS(st));
	return 7;
}
