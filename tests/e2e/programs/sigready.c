/*
 * A program for signals to rrv (tests/e2e/recsig.test.sh):
 *   sigready HANDLER WAIT
 * HANDLER: exit (a SIGINT handler, then the program ends), keep (a
 * handler, and the program waits on), none (no handler: SIGINT kills it).
 * WAIT: how it waits for the signal: sleep (nanosleep, on the host),
 * pause (pause, in the guest), read (a read of stdin, on the host), spin
 * (a loop in user code that makes no system call: 16384 instructions in a
 * row, so that replay's breakpoint on the recorded one is hit once a
 * turn, not at every instruction), tight (a tight loop of the same kind,
 * whose replay hits the breakpoint at every turn: slow to replay),
 * thread (a second thread spins as in spin while the first waits in
 * pause: the signal lands in the spinner, the handler runs in the other).
 * It prints "ready" once the handler is in place: the test sends the
 * signal only then.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t got;

/* 16384 instructions a turn: replay's breakpoint on one of them is hit
 * once a turn.  The count lives in memory, so each turn's state differs. */
static unsigned long spin_until_got(void)
{
	volatile unsigned long spins = 0;
	while (!got) {
		spins++;
		__asm__ volatile(".rept 16384\n\taddl $1, %%eax\n\t.endr" ::: "eax", "cc");
	}
	return spins;
}

static pthread_t main_thread;

static void on_usr1(int sig)
{
	(void)sig;
}

/* Either thread may take the process-directed SIGINT (rrv's guest gives
 * it to the thread it interrupted); the spinner then wakes the waiter. */
static void *spinner(void *arg)
{
	*(unsigned long *)arg = spin_until_got();
	pthread_kill(main_thread, SIGUSR1);
	return NULL;
}

static void on_int(int sig)
{
	static const char msg[] = "handler: got SIGINT\n";
	(void)sig;
	got = 1;
	if (write(1, msg, sizeof(msg) - 1) < 0)
		_exit(3);
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: sigready exit|keep|none sleep|pause|read|spin\n");
		return 2;
	}
	const char *how = argv[1], *wait = argv[2];
	if (strcmp(how, "none") != 0) {
		struct sigaction sa = { .sa_handler = on_int };
		sigemptyset(&sa.sa_mask);
		if (sigaction(SIGINT, &sa, NULL) < 0) {
			perror("sigaction");
			return 2;
		}
	}
	pthread_t th;
	unsigned long thread_spins = 0;
	main_thread = pthread_self();
	struct sigaction su = { .sa_handler = on_usr1 };
	sigemptyset(&su.sa_mask);
	sigaction(SIGUSR1, &su, NULL);
	if (strcmp(wait, "thread") == 0 &&
	    pthread_create(&th, NULL, spinner, &thread_spins) != 0) {
		fprintf(stderr, "pthread_create failed\n");
		return 2;
	}
	printf("ready\n");
	fflush(stdout);
	if (strcmp(wait, "thread") == 0) {
		while (!got)
			pause();
		pthread_join(th, NULL);
		printf("spinner spun %lu times\ndone\n", thread_spins);
		return 0;
	}
	int keep = strcmp(how, "keep") == 0;
	volatile unsigned long spins = 0; /* on the stack: part of the point */
	int returned = 0;
	for (;;) {
		if (got && !keep)
			break;
		if (got && keep && !returned) {
			printf("still running after the handler\n");
			fflush(stdout);
			returned = 1;
		}
		if (strcmp(wait, "sleep") == 0) {
			struct timespec ts = { 0, 50000000 };
			if (nanosleep(&ts, NULL) < 0)
				printf("nanosleep interrupted\n");
		} else if (strcmp(wait, "pause") == 0) {
			pause();
		} else if (strcmp(wait, "read") == 0) {
			char c;
			ssize_t n = read(0, &c, 1);
			if (n < 0)
				printf("read interrupted\n");
			else if (n == 0)
				return 4;
		} else if (strcmp(wait, "spin") == 0) {
			while (!got || (keep && returned)) {
				spins++;
				__asm__ volatile(".rept 16384\n\taddl $1, %%eax\n\t.endr" ::: "eax", "cc");
			}
		} else {
			while (!got || (keep && returned))
				spins++;
		}
	}
	if (strcmp(wait, "spin") == 0 || strcmp(wait, "tight") == 0)
		printf("spun %lu times\n", spins);
	printf("done\n");
	return 0;
}
