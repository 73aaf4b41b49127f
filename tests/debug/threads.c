/* Two threads: a breakpoint in the second one's function stops in that
 * thread, and info threads lists both. */
#include <pthread.h>
#include <stdio.h>

static volatile int shared;

static int in_worker(int n)
{
	shared += n; /* the breakpoint */
	return shared;
}

static void *worker(void *arg)
{
	(void)arg;
	in_worker(40);
	return NULL;
}

int main(void)
{
	pthread_t t;
	if (pthread_create(&t, NULL, worker, NULL))
		return 1;
	pthread_join(t, NULL);
	printf("threads: %d\n", shared + 2);
	return 0;
}
