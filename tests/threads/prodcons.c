/* A bounded buffer with a mutex and two condition variables: 3 producers,
 * 3 consumers.  Every item is consumed exactly once whatever the
 * interleaving, so the output is the same natively and under rrv.  Ends
 * with a timed wait that must time out (nobody signals it). */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <time.h>

#define NPROD 3
#define NCONS 3
#define PER_PRODUCER 3000
#define SLOTS 8

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t not_full = PTHREAD_COND_INITIALIZER;
static pthread_cond_t not_empty = PTHREAD_COND_INITIALIZER;
static long buf[SLOTS];
static int head, count, producers_left = NPROD;

static void *producer(void *arg)
{
	long base = (long)arg * PER_PRODUCER;
	for (long i = 1; i <= PER_PRODUCER; i++) {
		pthread_mutex_lock(&lock);
		while (count == SLOTS)
			pthread_cond_wait(&not_full, &lock);
		buf[(head + count++) % SLOTS] = base + i;
		pthread_cond_signal(&not_empty);
		pthread_mutex_unlock(&lock);
	}
	pthread_mutex_lock(&lock);
	producers_left--;
	pthread_cond_broadcast(&not_empty);
	pthread_mutex_unlock(&lock);
	return NULL;
}

static void *consumer(void *arg)
{
	long *sum = arg;
	for (;;) {
		pthread_mutex_lock(&lock);
		while (count == 0 && producers_left > 0)
			pthread_cond_wait(&not_empty, &lock);
		if (count == 0) {
			pthread_mutex_unlock(&lock);
			return NULL;
		}
		long v = buf[head];
		head = (head + 1) % SLOTS;
		count--;
		pthread_cond_signal(&not_full);
		pthread_mutex_unlock(&lock);
		*sum += v;
	}
}

int main(void)
{
	pthread_t p[NPROD], c[NCONS];
	long sums[NCONS] = { 0 };
	for (long i = 0; i < NCONS; i++)
		pthread_create(&c[i], NULL, consumer, &sums[i]);
	for (long i = 0; i < NPROD; i++)
		pthread_create(&p[i], NULL, producer, (void *)i);
	for (int i = 0; i < NPROD; i++)
		pthread_join(p[i], NULL);
	long total = 0;
	for (int i = 0; i < NCONS; i++) {
		pthread_join(c[i], NULL);
		total += sums[i];
	}
	long n = (long)NPROD * PER_PRODUCER;
	printf("consumed total %ld (expected %ld)\n", total, n * (n + 1) / 2);

	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_nsec += 20 * 1000 * 1000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	pthread_mutex_lock(&lock);
	int r = pthread_cond_timedwait(&not_empty, &lock, &ts);
	pthread_mutex_unlock(&lock);
	printf("timed wait: %s\n", r == ETIMEDOUT ? "timed out" : "woke");
	return total == n * (n + 1) / 2 ? 0 : 1;
}
