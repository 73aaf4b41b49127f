/* Prints everything a replay must reproduce although it comes from outside:
 * the time, random bytes, the TSC, the pid, and a file's contents. */
#include <stdint.h>
#include <stdio.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

int main(int argc, char **argv)
{
	struct timespec rt, mono;
	clock_gettime(CLOCK_REALTIME, &rt);
	clock_gettime(CLOCK_MONOTONIC, &mono);
	printf("realtime %lld.%09ld\n", (long long)rt.tv_sec, rt.tv_nsec);
	printf("monotonic %lld.%09ld\n", (long long)mono.tv_sec, mono.tv_nsec);
	printf("time %lld\n", (long long)time(NULL));
	unsigned char r[16];
	if (getrandom(r, sizeof(r), 0) != sizeof(r))
		return 1;
	printf("random ");
	for (size_t i = 0; i < sizeof(r); i++)
		printf("%02x", r[i]);
	printf("\nrdtsc %llu\n", (unsigned long long)rdtsc());
	printf("pid %d ppid %d\n", (int)getpid(), (int)getppid());
	char cwd[256];
	printf("cwd %s\n", getcwd(cwd, sizeof(cwd)) ? cwd : "?");
	if (argc > 1) {
		FILE *f = fopen(argv[1], "r");
		if (!f) {
			perror(argv[1]);
			return 2;
		}
		char line[256];
		while (fgets(line, sizeof(line), f))
			printf("file: %s", line);
		fclose(f);
	}
	return 3;
}
