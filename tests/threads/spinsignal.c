/* A thread spins on a flag that only its own signal handler sets; the
 * other thread sends it the signal (tgkill) while it is switched out.
 * The signal is delivered when the spinner runs again after its
 * asynchronous preemption, and the handler ends the wait.  Three
 * rounds. */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

#define ROUNDS 3

static volatile sig_atomic_t flag, handled;
static volatile int spinner_tid, sent;

static void on_usr1(int sig)
{
	(void)sig;
	handled++;
	flag = 1;
}

static void *spinner(void *arg)
{
	(void)arg;
	spinner_tid = (int)syscall(SYS_gettid);
	for (int r = 0; r < ROUNDS; r++) {
		while (!flag)
			;
		flag = 0;
		while (sent == r + 1)
			; /* until the sender moves on */
	}
	return NULL;
}

int main(void)
{
	signal(SIGUSR1, on_usr1);
	pthread_t t;
	pthread_create(&t, NULL, spinner, NULL);
	while (!spinner_tid)
		;
	for (int r = 0; r < ROUNDS; r++) {
		while (handled != r)
			;
		syscall(SYS_tgkill, getpid(), spinner_tid, SIGUSR1);
		sent = r + 1;
		while (handled != r + 1)
			;
		printf("round %d: handled %d\n", r, (int)handled);
		sent = 0;
	}
	pthread_join(t, NULL);
	return 0;
}
