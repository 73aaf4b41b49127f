/* rrv debug's call test: functions gdb calls at a stop.  square returns a
 * value; bump changes a global the program prints after the stop (the
 * replay must print the recorded value: the call's change undone); puts
 * writes to stdout, which needs the host (stdout unbuffered, so that the
 * call does write). */
#include <stdio.h>
#include <string.h>

int total = 10;
const char *s = "hello, world";
char msg[] = "from gdb";

int square(int x)
{
	return x * x;
}

int bump(int by)
{
	total += by;
	return total;
}

static void here(int n)
{
	total += n; /* the stop: gdb calls functions from here */
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	printf("start %d\n", total);
	here(1);
	printf("total %d len %zu\n", total, strlen(s));
	puts("done");
	return 5;
}
