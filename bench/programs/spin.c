/*
 * Threads that never make a system call while they work: 2 threads take
 * a test-and-set spin lock N times each (default 2000) around a critical
 * section of 2000 loop iterations.  On one vCPU they progress only by
 * asynchronous preemption, so this measures its cost: how many points a
 * recording holds, and what finding them again costs a replay.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

static volatile int lock;
static volatile unsigned long shared;
static long rounds = 2000;

static void *work(void *arg)
{
	unsigned long seed = (unsigned long)arg;

	for (long r = 0; r < rounds; r++) {
		while (__atomic_exchange_n(&lock, 1, __ATOMIC_ACQUIRE))
			;
		for (int i = 0; i < 2000; i++)
			seed = seed * 6364136223846793005ul + 1442695040888963407ul;
		shared += seed >> 60;
		__atomic_store_n(&lock, 0, __ATOMIC_RELEASE);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t a, b;

	if (argc > 1)
		rounds = atol(argv[1]);
	pthread_create(&a, NULL, work, (void *)1);
	pthread_create(&b, NULL, work, (void *)2);
	pthread_join(a, NULL);
	pthread_join(b, NULL);
	printf("shared %lu\n", shared);
	return 0;
}
