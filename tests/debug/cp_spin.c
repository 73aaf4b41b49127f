/* Checkpoints on a threaded replay with preemption points: two threads
 * hand a turn back and forth by spinning on flags with no system call, so
 * every hand-over is an asynchronous preemption point of the trace
 * (docs/threads.md).  Small: a few rounds, a few lines of output. */
#include <pthread.h>
#include <stdio.h>

#define ROUNDS 4

static volatile int turn_worker, turn_main;
static volatile long total;

static void *worker(void *arg)
{
	(void)arg;
	for (int r = 0; r < ROUNDS; r++) {
		while (!turn_worker)
			;
		turn_worker = 0;
		total += 10 * (r + 1);
		turn_main = 1;
	}
	return NULL;
}

int main(void)
{
	pthread_t t;
	if (pthread_create(&t, NULL, worker, NULL))
		return 1;
	for (int r = 0; r < ROUNDS; r++) {
		turn_worker = 1;
		while (!turn_main)
			;
		turn_main = 0;
		printf("round %d total %ld\n", r, total);
	}
	pthread_join(t, NULL);
	printf("done %ld\n", total);
	return 0;
}
