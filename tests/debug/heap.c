/* rrv debug's reverse test of a heap overflow that aborts later: name()
 * copies a string one byte too long into a 24-byte buffer with memcpy,
 * over the first byte of the next heap chunk's header; much later, free
 * finds the header broken and aborts (glibc: "free(): invalid next
 * size"), far from the memcpy.  canary points at the byte overwritten, so
 * that gdb can watch it and reverse-continue to the write. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *canary; /* the byte the overflow overwrites */

static void name(char *dst, const char *src)
{
	memcpy(dst, src, strlen(src) + 1); /* the overflow */
}

static int work(int n)
{
	int s = 0;
	for (int i = 0; i < n; i++)
		s += i * i;
	return s;
}

int main(void)
{
	char *a = malloc(24);
	char *b = malloc(24);
	/* glibc: a's 24 bytes end where b's chunk size begins. */
	canary = a + 24;
	printf("sum %d\n", work(100));
	name(a, "abcdefghijklmnopqrstuvwx"); /* 24 letters and the NUL */
	printf("sum %d\n", work(200));
	free(b);
	free(a);
	printf("not reached with glibc\n");
	return 0;
}
