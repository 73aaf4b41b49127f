/*
 * CPU-bound threads that never make a system call while they work: 4
 * threads each run a xorshift generator over their own counters (default
 * 20 million steps each).  On one vCPU they share it only through
 * asynchronous preemption, so this measures what points cost in a
 * program that is computing, not waiting.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define THREADS 4

static long steps = 20000000;
static uint64_t result[THREADS];

static void *work(void *arg)
{
	uintptr_t id = (uintptr_t)arg;
	uint64_t x = 88172645463325252ull + id, sum = 0;
	for (long i = 0; i < steps; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		sum += x & 1023;
	}
	result[id] = sum;
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t t[THREADS];
	if (argc > 1)
		steps = atol(argv[1]);
	for (uintptr_t i = 0; i < THREADS; i++)
		pthread_create(&t[i], NULL, work, (void *)i);
	uint64_t all = 0;
	for (int i = 0; i < THREADS; i++) {
		pthread_join(t[i], NULL);
		all ^= result[i];
	}
	printf("%llu\n", (unsigned long long)all);
	return 0;
}
