/* Compute-bound: no system calls in its loop, so it should run under rrv
 * at nearly native speed. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 200000000;
	uint64_t x = 88172645463325252ull, sum = 0;
	for (long i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		sum += x % 1000;
	}
	printf("%llu\n", (unsigned long long)sum);
	return 0;
}
