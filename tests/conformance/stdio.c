/*
 * stdio: reads all of standard input (the runner feeds a file, a pipe or
 * /dev/null) and prints its length, line count and checksum; then writes
 * to stdout and stderr alternately with fflush, a block of formatted
 * output, and a long stdout stream written in odd-sized pieces.
 */
#include "conf.h"

#include <stdint.h>

int main(void)
{
	static char buf[1 << 20];
	unsigned long long sum = 0;
	size_t total = 0, lines = 0, longest = 0, cur = 0;
	size_t n;

	conf_default_signals();
	while ((n = fread(buf, 1, sizeof buf, stdin)) > 0) {
		sum = conf_fnv(buf, n, sum);
		total += n;
		for (size_t i = 0; i < n; i++) {
			if (buf[i] == '\n') {
				lines++;
				if (cur > longest)
					longest = cur;
				cur = 0;
			} else {
				cur++;
			}
		}
	}
	CHECK(!ferror(stdin), "no error reading stdin", "ferror set");
	CHECK(feof(stdin), "stdin reached EOF", "feof not set");
	printf("stdin: %zu bytes, %zu lines, longest line %zu, fnv %016llx\n",
	       total, lines, longest, total ? sum : 0ULL);
	if (total > 0 && cur > 0)
		printf("stdin: last line has no newline\n");
	CHECK(getchar() == EOF, "getchar after EOF is EOF", "not EOF");

	/* Interleaved stdout and stderr: each flushed before the other. */
	for (int i = 0; i < 5; i++) {
		printf("stdout line %d\n", i);
		fflush(stdout);
		fprintf(stderr, "stderr line %d\n", i);
	}
	fputs("stderr without a newline at first; ", stderr);
	fputs("then the rest\n", stderr);

	/* Formatting, the same for a given libc everywhere. */
	printf("format: [%5d] [%-5d] [%05d] [%x] [%#o] [%+d] [%c] [%10.3s]\n",
	       42, 42, 42, 255, 8, 7, 'z', "abcdef");
	printf("format: [%.3f] [%e] [%g] [%g]\n", 3.14159265, 12345.678, 0.0001,
	       1e20);
	printf("format: [%lld] [%llu] [%zu]\n", (long long)INT64_MIN,
	       (unsigned long long)UINT64_MAX, (size_t)12345);
	char small[8];
	const char *volatile text = "truncated text";
	int want = snprintf(small, sizeof small, "%s", text);
	printf("snprintf into 8 bytes: [%s], wanted %d\n", small, want);
	long v = strtol("  -12345xyz", NULL, 10);
	double d = strtod("2.5e3", NULL);
	printf("strtol %ld strtod %.1f atoi %d\n", v, d, atoi("77"));

	/* A long stream: 20000 lines in odd-sized fwrite pieces. */
	char line[64];
	unsigned long long osum = 0;
	for (int i = 0; i < 20000; i++) {
		int len = snprintf(line, sizeof line, "%05d %s\n", i,
				   i % 3 ? "lorem ipsum dolor" : "sit amet");
		osum = conf_fnv(line, (size_t)len, osum);
		for (int off = 0; off < len; off += 7) {
			int piece = len - off < 7 ? len - off : 7;
			fwrite(line + off, 1, (size_t)piece, stdout);
		}
	}
	printf("long stream fnv %016llx\n", osum);
	fprintf(stderr, "stderr done\n");
	return conf_done();
}
