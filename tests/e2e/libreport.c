/*
 * A shared library that crashes, for the crash report's test of frames in
 * a library with DWARF (reports.test.sh, with report_libmain.c).  Built
 * twice: libreport.so, and with -DREPORT_CHANGED the same library with
 * other code before it (another build of "the same file"), which a replay
 * must notice rather than name addresses by.
 */
#include <stdio.h>

#ifdef REPORT_CHANGED
__attribute__((noinline)) int lib_padding(int x)
{
	volatile int v[64];
	for (int i = 0; i < 64; i++)
		v[i] = x * i;
	return v[x & 63];
}
#endif

__attribute__((noinline)) void lib_store(volatile int *p)
{
	*p = 7;
}

__attribute__((noinline)) void lib_entry(volatile int *p)
{
	lib_store(p);
	printf("not reached: the store must fault\n");
}
