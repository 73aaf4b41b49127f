/* A NULL dereference: gdb stops at the faulting line, and bt names the
 * caller that passed the bad pointer. */
#include <stdio.h>
#include <stddef.h>

static int deref(int *p)
{
	return *p + 1; /* faults */
}

static int pass_null(void)
{
	int *bad = NULL;
	return deref(bad);
}

int main(void)
{
	printf("crash: about to fault\n");
	fflush(stdout);
	return pass_null();
}
