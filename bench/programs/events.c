/* bench/run.sh reverse: N recorded events (getrandom, answered by the
 * host) between mark() and done(), or a hot loop of N iterations with no
 * event at all (loop N); rrv debug goes from done() back to mark(). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

volatile unsigned long sink;

__attribute__((noinline)) void mark(void) { sink++; }
__attribute__((noinline)) void done(void) { sink++; }

int main(int argc, char **argv)
{
	int loop = argc > 2 && !strcmp(argv[1], "loop");
	long n = strtol(argv[argc > 2 ? 2 : 1], NULL, 10);
	mark();
	unsigned char b;
	for (long i = 0; i < n; i++) {
		if (loop)
			sink += (unsigned long)i;
		else if (getrandom(&b, 1, 0) == 1)
			sink += b;
	}
	done();
	printf("%d\n", sink > 0);
	return 0;
}
