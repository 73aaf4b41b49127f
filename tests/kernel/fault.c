/* fault: dies of the fault argv[1] names, so that the exit status (128 +
 * signal) and rrv's report can be compared with a native run. */
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
	const char *k = argc > 1 ? argv[1] : "null";
	volatile int zero = 0;

	fflush(stdout);
	if (strcmp(k, "null") == 0)
		return *(volatile int *)(long)zero;        /* SIGSEGV */
	if (strcmp(k, "write-text") == 0)
		*(volatile char *)(void *)main = 0;         /* SIGSEGV, ACCERR */
	if (strcmp(k, "int3") == 0)
		__asm__ volatile("int3");                   /* SIGTRAP */
	if (strcmp(k, "ud2") == 0)
		__asm__ volatile("ud2");                    /* SIGILL */
	if (strcmp(k, "div0") == 0)
		return 10 / zero;                           /* SIGFPE */
	if (strcmp(k, "hlt") == 0)
		__asm__ volatile("hlt");                    /* #GP: SIGSEGV */
	if (strcmp(k, "int1") == 0)
		__asm__ volatile("int $1");                 /* #GP: SIGSEGV */
	if (strcmp(k, "stack") == 0) {
		/* Unbounded recursion: the stack hits RLIMIT_STACK. */
		volatile char buf[4096];
		buf[0] = (char)argc;
		char *again[] = { argv[0], "stack", NULL };
		return main(2, again) + buf[0];
	}
	if (strcmp(k, "align") == 0) {
		/* EFLAGS.AC with CR0.AM: a misaligned load is #AC, SIGBUS. */
		static char bytes[16];
		__asm__ volatile("pushf; orl $0x40000, (%%rsp); popf; movl 1(%0), %%eax"
				 : : "r"(bytes) : "eax", "memory");
	}
	printf("no fault for '%s'\n", k);
	return 1;
}
