/* 8 threads increment a shared counter without a lock: the final value
 * depends on the interleaving (lost updates). */
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <unistd.h>

#define NTHREADS 8
#define NITER 2000

static volatile long counter;

static void *work(void *arg)
{
	(void)arg;
	for (int i = 0; i < NITER; i++) {
		long v = counter;
		/* A system call between the read and the write: a scheduling
		 * point, so that another thread can slip in. */
		if (i % 7 == 0)
			getppid();
		counter = v + 1;
	}
	return NULL;
}

int main(void)
{
	pthread_t t[NTHREADS];
	for (int i = 0; i < NTHREADS; i++)
		pthread_create(&t[i], NULL, work, NULL);
	for (int i = 0; i < NTHREADS; i++)
		pthread_join(t[i], NULL);
	printf("counter %ld of %d\n", counter, NTHREADS * NITER);
	return 0;
}
