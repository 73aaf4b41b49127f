/*
 * Dies in a known place, for the crash report's tests (reports.test.sh):
 *   report_crash segv        a store through a NULL pointer, two calls
 *                            below main (crash_here called by crash_caller)
 *   report_crash doublefree  glibc's heap check aborts in free()
 * Built twice: static (report_crash) and dynamic (report_crash_dyn).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The pointer comes from the command line's length, so that the compiler
 * cannot see the NULL and turn the store into a trap of its own. */
__attribute__((noinline)) void crash_here(volatile int *p)
{
	*p = 42;
}

__attribute__((noinline)) void crash_caller(volatile int *p)
{
	crash_here(p);
	printf("not reached: the store must fault\n");
}

/* The second free goes through a volatile copy: the compiler would see
 * the double free and refuse it (-Wuse-after-free), as it should. */
__attribute__((noinline)) void free_twice(char *p)
{
	char *volatile again = p;
	free(p);
	free(again);
	printf("not reached: glibc must abort\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: report_crash segv|doublefree\n");
		return 2;
	}
	fflush(stdout);
	if (strcmp(argv[1], "segv") == 0) {
		volatile int *p = (volatile int *)(long)(strlen(argv[1]) - 4);
		crash_caller(p);
	} else if (strcmp(argv[1], "doublefree") == 0) {
		/* Small enough for the tcache, whose double-free check
		 * aborts with "free(): double free detected in tcache 2". */
		char *p = malloc(32);
		memset(p, 1, 32);
		free_twice(p);
	}
	return 1;
}
