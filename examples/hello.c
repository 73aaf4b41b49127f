/*
 * The bundled example of `make run`: a program whose output depends on
 * the outside world (the time, random bytes, a file), recorded once and
 * replayed exactly.
 */
#include <stdio.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	unsigned char r[8];
	if (getrandom(r, sizeof(r), 0) != sizeof(r))
		return 1;
	time_t now = time(NULL);
	printf("hello from rrv's example, pid %d\n", (int)getpid());
	printf("the time is %s", ctime(&now));
	printf("a random number: %02x%02x%02x%02x%02x%02x%02x%02x\n",
	       r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7]);
	if (argc > 1) {
		FILE *f = fopen(argv[1], "r");
		char line[200];
		if (f && fgets(line, sizeof(line), f))
			printf("first line of %s: %s", argv[1], line);
		if (f)
			fclose(f);
	}
	return 0;
}
