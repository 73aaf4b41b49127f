/* Three threads take a test-and-set spin lock around a long critical
 * section, with no system call anywhere in the loop.  On rrv's one vCPU
 * a waiter can only find the lock taken when its holder was preempted
 * asynchronously while holding it; the waiter then spins until it is
 * preempted in turn and the holder runs again.  stdout is the same in
 * every run; stderr says how many acquisitions found the lock taken. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>

#define NTHREADS 3
#define NITER 4000

static atomic_int lock;
static volatile unsigned long cells[16];
static long contended;

/* Returns 1 when the lock was taken and had to be waited for.  The wait
 * loop keeps nothing that changes from one pass to the next. */
static int spin_lock(void)
{
	if (!atomic_exchange_explicit(&lock, 1, memory_order_acquire))
		return 0;
	for (;;) {
		while (atomic_load_explicit(&lock, memory_order_relaxed))
			__builtin_ia32_pause();
		if (!atomic_exchange_explicit(&lock, 1, memory_order_acquire))
			return 1;
	}
}

static void spin_unlock(void)
{
	atomic_store_explicit(&lock, 0, memory_order_release);
}

/* Straight-line work, 4096 distinct instructions: a point in it is
 * passed once per acquisition, not once per loop iteration, which keeps
 * finding it again in a replay cheap (docs/threads.md). */
#define ADD1(k) cells[(k) & 15] += (k);
#define ADD4(k) ADD1(k) ADD1(k + 1) ADD1(k + 2) ADD1(k + 3)
#define ADD16(k) ADD4(k) ADD4(k + 4) ADD4(k + 8) ADD4(k + 12)
#define ADD64(k) ADD16(k) ADD16(k + 16) ADD16(k + 32) ADD16(k + 48)
#define ADD256(k) ADD64(k) ADD64(k + 64) ADD64(k + 128) ADD64(k + 192)
#define ADD1024(k) ADD256(k) ADD256(k + 256) ADD256(k + 512) ADD256(k + 768)
#define ADD4096(k) ADD1024(k) ADD1024(k + 1024) ADD1024(k + 2048) ADD1024(k + 3072)

static void *work(void *arg)
{
	long id = (long)arg;
	for (int i = 0; i < NITER; i++) {
		int c = spin_lock();
		contended += c;
		ADD4096(0)
		cells[id] += (unsigned long)i;
		spin_unlock();
	}
	return NULL;
}

int main(void)
{
	pthread_t t[NTHREADS];
	for (long i = 0; i < NTHREADS; i++)
		pthread_create(&t[i], NULL, work, (void *)i);
	for (int i = 0; i < NTHREADS; i++)
		pthread_join(t[i], NULL);
	unsigned long sum = 0;
	for (int i = 0; i < 16; i++)
		sum = sum * 31 + cells[i];
	printf("cells %lu\n", sum);
	fprintf(stderr, "contended %ld\n", contended);
	return 0;
}
