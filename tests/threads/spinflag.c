/* Two threads hand a turn back and forth by spinning on flags in user
 * space, `while (!flag);`, with no system call while they wait: on
 * rrv's one vCPU every hand-over needs the waiting thread to be
 * preempted asynchronously, or the program hangs.  In the first round
 * the worker sleeps before answering: the main thread spins while no
 * thread is runnable and only a timed wait can end. */
#include <pthread.h>
#include <stdio.h>
#include <time.h>

#define ROUNDS 5

static volatile int flag_worker, flag_main;
static volatile long total;

static void *worker(void *arg)
{
	(void)arg;
	for (int r = 0; r < ROUNDS; r++) {
		while (!flag_worker)
			;
		flag_worker = 0;
		if (r == 0)
			nanosleep(&(struct timespec){ 0, 2000000 }, NULL);
		total += 10 * (r + 1);
		flag_main = 1;
	}
	return NULL;
}

int main(void)
{
	pthread_t t;
	pthread_create(&t, NULL, worker, NULL);
	for (int r = 0; r < ROUNDS; r++) {
		total += r + 1;
		flag_worker = 1;
		while (!flag_main)
			;
		flag_main = 0;
		printf("round %d: total %ld\n", r, total);
	}
	pthread_join(t, NULL);
	return 0;
}
