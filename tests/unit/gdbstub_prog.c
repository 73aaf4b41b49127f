/*
 * The program tests/unit/gdbstub-gdb.sh shows gdb through the fake
 * target (gdbstub_fake.c): only its ELF is used, never run, for its
 * symbols, lines and code bytes.
 */
#include <stdio.h>

static int counter;

static int bump(int by)
{
	counter += by;
	return counter;
}

int main(void)
{
	int total = bump(2);
	printf("total %d\n", total);
	return 0;
}
