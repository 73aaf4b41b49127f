/* Takes a path chosen by a file's contents: with "GOOD" it prints and
 * exits 0; anything else makes it open another file first.  Replaying a
 * trace whose read was edited must diverge, not silently go on.
 * `branchy -x PROGRAM ARGS...` execs PROGRAM first (a divergence in a
 * program the recording did not start). */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc > 2 && strcmp(argv[1], "-x") == 0) {
		execv(argv[2], argv + 2);
		return 4;
	}
	char buf[16] = { 0 };
	int fd = open(argc > 1 ? argv[1] : "input", O_RDONLY);
	if (fd < 0 || read(fd, buf, 4) != 4)
		return 2;
	close(fd);
	if (strcmp(buf, "GOOD") != 0) {
		int other = open("/etc/hostname", O_RDONLY);
		if (other >= 0)
			close(other);
		printf("bad input\n");
		return 1;
	}
	printf("good input\n");
	return 0;
}
