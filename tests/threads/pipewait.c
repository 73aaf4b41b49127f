/* One thread blocks reading a pipe while another computes and then
 * writes the result into it: the reader must not stall the computation. */
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

static int fds[2];

static void *reader(void *arg)
{
	(void)arg;
	unsigned long v = 0;
	ssize_t n = read(fds[0], &v, sizeof(v));
	printf("reader: got %zd bytes: %lu\n", n, v);
	return NULL;
}

static void *computer(void *arg)
{
	(void)arg;
	unsigned long x = 1;
	for (unsigned long i = 0; i < 20000000; i++)
		x = x * 6364136223846793005ul + 1442695040888963407ul;
	write(fds[1], &x, sizeof(x));
	return NULL;
}

int main(void)
{
	pthread_t r, c;
	pipe(fds);
	pthread_create(&r, NULL, reader, NULL);
	pthread_create(&c, NULL, computer, NULL);
	pthread_join(c, NULL);
	pthread_join(r, NULL);
	return 0;
}
