/*
 * One thread blocks reading stdin, a pipe from the host, while another
 * computes.  The test feeds stdin only after it has seen the computer's
 * result on stdout, so a reader that held up the whole program (a guest
 * blocked in the host's read) would hang the run.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void *reader(void *arg)
{
	char buf[64];

	(void)arg;
	ssize_t n = read(0, buf, sizeof(buf) - 1);
	if (n < 0)
		n = 0;
	buf[n] = 0;
	buf[strcspn(buf, "\n")] = 0;
	printf("reader: got '%s'\n", buf);
	fflush(stdout);
	return NULL;
}

static void *computer(void *arg)
{
	unsigned long x = 1;

	(void)arg;
	for (unsigned long i = 0; i < 2000000; i++) {
		x = x * 6364136223846793005ul + 1442695040888963407ul;
		if (i % 100000 == 0)
			getppid(); /* a scheduling point now and then */
	}
	printf("computer: done %lx\n", x);
	fflush(stdout);
	return NULL;
}

int main(void)
{
	pthread_t r, c;

	pthread_create(&r, NULL, reader, NULL);
	pthread_create(&c, NULL, computer, NULL);
	pthread_join(c, NULL);
	pthread_join(r, NULL);
	return 0;
}
