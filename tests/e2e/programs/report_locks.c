/*
 * Two threads deadlocked over two mutexes taken in opposite orders, for
 * the deadlock report's test (reports.test.sh): main holds first and
 * waits for second in lock_second, the thread holds second and waits for
 * first in lock_first.  A pipe orders the steps, so the deadlock is the
 * same every run.  Prints the mutexes' addresses: the report must name
 * them as the futex words the threads wait on.
 */
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

static pthread_mutex_t first = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t second = PTHREAD_MUTEX_INITIALIZER;
static int ready[2];

__attribute__((noinline)) void lock_first(void)
{
	pthread_mutex_lock(&first);
}

__attribute__((noinline)) void lock_second(void)
{
	pthread_mutex_lock(&second);
}

static void *other(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&second);
	(void)!write(ready[1], "x", 1);
	lock_first();
	return NULL;
}

int main(void)
{
	printf("first %p\nsecond %p\n", (void *)&first, (void *)&second);
	fflush(stdout);
	if (pipe(ready) < 0) {
		perror("pipe");
		return 1;
	}
	pthread_mutex_lock(&first);
	pthread_t t;
	if (pthread_create(&t, NULL, other, NULL) != 0) {
		fprintf(stderr, "pthread_create failed\n");
		return 1;
	}
	char c;
	if (read(ready[0], &c, 1) != 1)
		return 1;
	lock_second();
	printf("not reached: both threads must wait forever\n");
	return 0;
}
