/* Prints a numbered line every 100 ms for ~10 s: a recording to kill. */
#include <stdio.h>
#include <time.h>

int main(void)
{
	for (int i = 0; i < 100; i++) {
		printf("tick %d\n", i);
		fflush(stdout);
		struct timespec ts = { 0, 100000000 };
		nanosleep(&ts, NULL);
	}
	return 0;
}
