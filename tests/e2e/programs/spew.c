/* spew N: asks the host for N pages of random bytes, one getrandom call
 * each, so that a recording writes about N * 4 KiB that neither
 * compression nor deduplication shrinks: a trace that fills a small disk.
 * Prints a checksum of it all, which a replay must reproduce. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/random.h>

int main(int argc, char **argv)
{
	long n = argc > 1 ? strtol(argv[1], NULL, 10) : 0;
	static unsigned char page[4096];
	uint64_t sum = 0;
	for (long i = 0; i < n; i++) {
		if (getrandom(page, sizeof(page), 0) != (ssize_t)sizeof(page))
			return 1;
		for (size_t j = 0; j < sizeof(page); j++)
			sum = sum * 31 + page[j];
	}
	printf("spew %ld pages, sum %016llx\n", n, (unsigned long long)sum);
	return 0;
}
