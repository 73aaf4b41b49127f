/* A producer and a consumer on a lock-free single-producer,
 * single-consumer ring buffer: each busy-waits (no system call) while the
 * ring is full or empty, with the indices in shared memory. */
#include <pthread.h>
#include <stdio.h>

/* On rrv's one vCPU the producer fills the ring and spins until it is
 * preempted, then the consumer empties it and spins: two points per
 * SLOTS items (a 64-slot ring made 6249 points, 63 s of recording in the
 * nested VM; 2048 slots make about 200). */
#define SLOTS 2048
#define ITEMS 200000

static unsigned long ring[SLOTS];
static unsigned long head, tail; /* head: next to write; tail: next to read */
static unsigned long fullwaits, emptywaits;

static void *producer(void *a)
{
	for (unsigned long i = 1; i <= ITEMS; i++) {
		while (__atomic_load_n(&head, __ATOMIC_RELAXED) -
			       __atomic_load_n(&tail, __ATOMIC_ACQUIRE) == SLOTS)
			__atomic_fetch_add(&fullwaits, 1, __ATOMIC_RELAXED);
		ring[head % SLOTS] = i * i;
		__atomic_store_n(&head, head + 1, __ATOMIC_RELEASE);
	}
	return a;
}

static void *consumer(void *a)
{
	unsigned long sum = 0;
	for (unsigned long n = 0; n < ITEMS; n++) {
		while (__atomic_load_n(&tail, __ATOMIC_RELAXED) ==
		       __atomic_load_n(&head, __ATOMIC_ACQUIRE))
			__atomic_fetch_add(&emptywaits, 1, __ATOMIC_RELAXED);
		sum += ring[tail % SLOTS];
		__atomic_store_n(&tail, tail + 1, __ATOMIC_RELEASE);
	}
	*(unsigned long *)a = sum;
	return a;
}

int main(void)
{
	pthread_t p, c;
	unsigned long sum = 0;
	if (pthread_create(&c, NULL, consumer, &sum) ||
	    pthread_create(&p, NULL, producer, NULL))
		return 1;
	pthread_join(p, NULL);
	pthread_join(c, NULL);
	printf("items %d, sum %lu, waits %lu full %lu empty\n", ITEMS, sum,
	       fullwaits, emptywaits);
	return 0;
}
