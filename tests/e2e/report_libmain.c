/*
 * Calls into libreport.so with a NULL pointer (reports.test.sh): the crash
 * happens two frames deep in the library, below main.
 */
#include <string.h>

void lib_entry(volatile int *p);

int main(int argc, char **argv)
{
	(void)argv;
	/* NULL, but not visibly so to the compiler. */
	lib_entry((volatile int *)(long)(argc - 1));
	return 1;
}
