/* Two threads that hand a turn back and forth by spinning on flags, with
 * no system call while they wait: each hand-over is an asynchronous
 * preemption point, which replay finds with DR0.  Debugging it must not
 * disturb those points: breakpoints in the worker, then the recorded
 * output to the end. */
#include <pthread.h>
#include <stdio.h>

#define ROUNDS 3

static volatile int flag_worker, flag_main;
static volatile long total;

static void add_turn(int r)
{
	total += 10 * (r + 1); /* the breakpoint */
}

static void *worker(void *arg)
{
	(void)arg;
	for (int r = 0; r < ROUNDS; r++) {
		while (!flag_worker)
			;
		flag_worker = 0;
		add_turn(r);
		flag_main = 1;
	}
	return NULL;
}

int main(void)
{
	pthread_t t;
	if (pthread_create(&t, NULL, worker, NULL))
		return 1;
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
