/* A worker spins on a flag, counting its passes in a global, while main
 * sleeps 30 ms: every pass of the loop has the same registers and stack,
 * and the progress lives in memory only (issue 12's program). */
#include <pthread.h>
#include <stdio.h>
#include <time.h>

static volatile int flag;
static long spins;

static void *worker(void *a)
{
	while (!flag)
		__atomic_fetch_add(&spins, 1, __ATOMIC_RELAXED);
	return a;
}

int main(void)
{
	pthread_t t;
	if (pthread_create(&t, NULL, worker, NULL))
		return 1;
	struct timespec ts = { 0, 30000000 };
	nanosleep(&ts, NULL);
	flag = 1;
	pthread_join(t, NULL);
	printf("worker spun %ld times\n", spins);
	return 0;
}
