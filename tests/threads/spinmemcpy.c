/* A worker whose only progress is memcpy into a large heap buffer: it
 * copies a page at a time round a 1 MiB buffer until main, after 30 ms of
 * sleep, sets the flag.  The round count and offset live in memory, so
 * passes differ only in what the buffer and those globals hold. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SIZE (1 << 20)
#define CHUNK 4096

static volatile int flag;
static volatile unsigned long rounds, off;
static unsigned char *buf;
static unsigned char src[CHUNK];

static void *worker(void *a)
{
	while (!flag) {
		/* the round number in the chunk's first bytes, so that the
		 * checksum depends on how far the worker got */
		src[0] = (unsigned char)rounds;
		src[1] = (unsigned char)(rounds >> 8);
		src[2] = (unsigned char)(rounds >> 16);
		memcpy(buf + off, src, CHUNK);
		off = (off + CHUNK) % SIZE;
		rounds++;
	}
	return a;
}

int main(void)
{
	buf = malloc(SIZE);
	if (!buf)
		return 1;
	memset(buf, 0, SIZE);
	for (int i = 0; i < CHUNK; i++)
		src[i] = (unsigned char)(i * 7);
	pthread_t t;
	if (pthread_create(&t, NULL, worker, NULL))
		return 1;
	struct timespec ts = { 0, 30000000 };
	nanosleep(&ts, NULL);
	flag = 1;
	pthread_join(t, NULL);
	unsigned long sum = 0;
	for (int i = 0; i < SIZE; i++)
		sum = sum * 31 + buf[i];
	printf("rounds %lu, checksum %lx\n", rounds, sum);
	return 0;
}
