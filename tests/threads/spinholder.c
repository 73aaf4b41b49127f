/* A spin lock whose holder does a long computation with its state in
 * globals, while the other threads spin on the lock (an atomic
 * exchange, no system call): each waiter's passes over its loop have the
 * same registers and stack, and the progress is in the holder's memory. */
#include <pthread.h>
#include <stdio.h>

/* Each hold is about 1 ms natively.  Under rrv every ~10 ms of guest
 * time in ring 3 is a preemption point (two 5 ms ticks), and in
 * tools/with-kvm's nested VM this program runs far slower than natively:
 * 4 rounds of 3 ms holds made 1160 points there, which replay finds one
 * #DB per pass of the holder's loop; these sizes made 3 to 177. */
#define THREADS 3
#define ROUNDS 2
#define WORK 300000

static int lock;
static volatile unsigned long state[8];
static volatile unsigned long steps;

static void *worker(void *a)
{
	unsigned long id = (unsigned long)a;
	for (int r = 0; r < ROUNDS; r++) {
		while (__atomic_exchange_n(&lock, 1, __ATOMIC_ACQUIRE))
			;
		for (int i = 0; i < WORK; i++) {
			state[i & 7] = state[(i + 1) & 7] * 6364136223846793005ul + id;
			steps++;
		}
		__atomic_store_n(&lock, 0, __ATOMIC_RELEASE);
	}
	return NULL;
}

int main(void)
{
	pthread_t t[THREADS];
	for (unsigned long i = 0; i < THREADS; i++)
		if (pthread_create(&t[i], NULL, worker, (void *)(i + 1)))
			return 1;
	for (int i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	unsigned long h = 0;
	for (int i = 0; i < 8; i++)
		h = h * 0x100000001b3ul ^ state[i];
	/* The order the holders took the lock in decides h; the steps are
	 * always THREADS * ROUNDS * WORK. */
	printf("steps %lu, state %016lx\n", steps, h);
	return 0;
}
