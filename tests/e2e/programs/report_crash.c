/*
 * Dies in a known place, for the crash report's tests (reports.test.sh):
 *   report_crash segv        a store through a NULL pointer, two calls
 *                            below main (crash_here called by crash_caller)
 *   report_crash doublefree  glibc's heap check aborts in free()
 *   report_crash thread      the store faults in a second thread, while
 *                            main waits for it in pthread_join
 *   report_crash fpe         an integer division by zero (SIGFPE)
 *   report_crash overflow    endless recursion runs off the stack
 *   report_crash smash       a fault with the stack pointer at 0: the
 *                            report must survive a stack it cannot read
 * Built twice: static (report_crash) and dynamic (report_crash_dyn).
 */
#include <pthread.h>
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

static void *thread_main(void *arg)
{
	crash_caller(arg);
	return NULL;
}

__attribute__((noinline)) int divide(volatile int a, volatile int b)
{
	return a / b;
}

/* The volatile local and the use of the result keep each call a real
 * frame, not a loop or a tail call; the limit is never reached (a
 * billion frames), but the compiler cannot know that. */
__attribute__((noinline)) int recurse(int depth, int limit)
{
	volatile char pad[256];
	if (depth == limit)
		return 0;
	pad[0] = (char)depth;
	return recurse(depth + 1, limit) + pad[0];
}

__attribute__((noinline)) void smash(void)
{
	__asm__ volatile("xor %%esp, %%esp\n\tmovl $1, (%%rsp)" ::: "memory");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: report_crash segv|doublefree|thread|fpe|"
			"overflow|smash\n");
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
	} else if (strcmp(argv[1], "thread") == 0) {
		pthread_t t;
		if (pthread_create(&t, NULL, thread_main,
				   (void *)(long)(strlen(argv[1]) - 6)) != 0)
			return 3;
		pthread_join(t, NULL);
	} else if (strcmp(argv[1], "fpe") == 0) {
		printf("%d\n", divide(1, (int)strlen(argv[1]) - 3));
	} else if (strcmp(argv[1], "overflow") == 0) {
		printf("%d\n", recurse(0, (int)strlen(argv[1]) << 27));
	} else if (strcmp(argv[1], "smash") == 0) {
		smash();
	}
	return 1;
}
