/* bench/run.sh snapshots: dirty MIB MiB of memory, ROUNDS times, with one
 * recorded event (a write to stdout) after each round, so that a replay
 * taking a snapshot at every event copies MIB MiB each time. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	size_t mib = argc > 1 ? strtoul(argv[1], NULL, 10) : 16;
	int rounds = argc > 2 ? atoi(argv[2]) : 8;
	size_t len = mib << 20;
	unsigned char *p = malloc(len);
	if (!p)
		return 1;
	for (int r = 0; r < rounds; r++) {
		for (size_t i = 0; i < len; i += 4096)
			p[i] = (unsigned char)(r + i);
		char line[32];
		int n = snprintf(line, sizeof(line), "round %d\n", r);
		if (write(1, line, (size_t)n) != n)
			return 1;
	}
	return 0;
}
