/*
 * A lock-heavy multi-threaded program: 4 threads take one mutex N times
 * each (default 20000).  Every 8th critical section makes a system call
 * while holding the lock, so threads are switched out holding it and the
 * others contend: futex waits and wakes, as in a real program.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define NTHREADS 4

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static long counter;
static long iters = 20000;

static void *work(void *arg)
{
	(void)arg;
	for (long i = 0; i < iters; i++) {
		pthread_mutex_lock(&lock);
		counter++;
		if (i % 8 == 0)
			getppid();
		pthread_mutex_unlock(&lock);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t t[NTHREADS];

	if (argc > 1)
		iters = atol(argv[1]);
	for (int i = 0; i < NTHREADS; i++)
		pthread_create(&t[i], NULL, work, NULL);
	for (int i = 0; i < NTHREADS; i++)
		pthread_join(t[i], NULL);
	printf("counter %ld\n", counter);
	return counter == NTHREADS * iters ? 0 : 1;
}
