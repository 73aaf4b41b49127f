/* 200 threads created, all alive at once (each waits at a barrier), then
 * joined; each returns a value computed from its argument and its tid is
 * distinct from every other's. */
#include <pthread.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

#define N 200

static pthread_barrier_t barrier;
static long tids[N];

static void *work(void *arg)
{
	long i = (long)arg;
	tids[i] = syscall(SYS_gettid);
	pthread_barrier_wait(&barrier);
	return (void *)(i * i);
}

int main(void)
{
	static pthread_t t[N];
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 64 * 1024);
	pthread_barrier_init(&barrier, NULL, N + 1);
	for (long i = 0; i < N; i++)
		if (pthread_create(&t[i], &attr, work, (void *)i)) {
			printf("pthread_create %ld failed\n", i);
			return 1;
		}
	pthread_barrier_wait(&barrier);
	long sum = 0;
	for (long i = 0; i < N; i++) {
		void *r;
		pthread_join(t[i], &r);
		sum += (long)r;
	}
	int distinct = 1;
	for (int i = 0; i < N; i++)
		for (int j = i + 1; j < N; j++)
			if (tids[i] == tids[j] || tids[i] == getpid())
				distinct = 0;
	printf("%d threads joined, sum %ld, distinct tids %s\n", N, sum,
	       distinct ? "yes" : "no");
	return 0;
}
