/* rrv debug's reverse test of a heap overflow that aborts later: name()
 * copies a string one byte too long with memcpy into a record's 16-byte
 * name, over the first byte of the record's magic number; much later,
 * check() finds the magic broken and aborts, far from the memcpy.  canary
 * points at the byte overwritten, so that gdb can watch it and
 * reverse-continue to the write. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAGIC 0x5eed5eed

struct record {
	char name[16];
	unsigned magic;
};

char *canary; /* the byte the overflow overwrites */

static void name(struct record *r, const char *src)
{
	memcpy(r->name, src, strlen(src) + 1); /* the overflow */
}

static int work(int n)
{
	int s = 0;
	for (int i = 0; i < n; i++)
		s += i * i;
	return s;
}

static void check(const struct record *r)
{
	if (r->magic != MAGIC)
		abort();
}

int main(void)
{
	struct record *r = malloc(sizeof(*r));
	if (!r)
		return 1;
	r->magic = MAGIC;
	canary = (char *)&r->magic;
	printf("sum %d\n", work(100));
	name(r, "abcdefghijklmnop"); /* 16 letters and the NUL */
	printf("sum %d\n", work(200));
	check(r);
	printf("not reached\n");
	return 0;
}
