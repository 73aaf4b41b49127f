/* Prints how many arguments and environment strings it got and their bytes
 * (NULs included), and a checksum of them: the e2e tests compare it with
 * what they passed, and a replay must print the same. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

extern char **environ;

int main(int argc, char **argv)
{
	uint64_t bytes = 0, sum = 1469598103934665603ull;
	for (int i = 0; i < argc; i++) {
		size_t n = strlen(argv[i]) + 1;
		bytes += n;
		for (size_t j = 0; j < n; j++)
			sum = (sum ^ (unsigned char)argv[i][j]) * 1099511628211ull;
	}
	int envc = 0;
	while (environ[envc])
		envc++;
	printf("argc=%d argbytes=%llu argsum=%016llx envc=%d\n", argc,
	       (unsigned long long)bytes, (unsigned long long)sum, envc);
	return 0;
}
