/*
 * stdin CHUNK: what kind of file standard input is (rrv's own stdin, so
 * the same as natively), then copies it to stdout CHUNK bytes a read and
 * ends with the byte count.  FIONREAD and lseek are shown
 * only for a regular file: on a pipe they depend on the writer's timing.
 */
#include "t.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

static char buf[1 << 20];

int main(int argc, char **argv)
{
	size_t chunk = argc > 1 ? (size_t)atol(argv[1]) : 4096;
	struct stat st;
	struct termios t;

	if (chunk == 0 || chunk > sizeof buf)
		chunk = sizeof buf;
	SHOW(fstat(0, &st));
	printf("stdin: %s\n", S_ISREG(st.st_mode) ? "file" : S_ISFIFO(st.st_mode) ? "pipe"
			      : S_ISCHR(st.st_mode) ? "char device" : "other");
	SHOW(isatty(0));
	SHOW(isatty(1));
	SHOW(ioctl(1, TCGETS, &t));
	if (S_ISREG(st.st_mode)) {
		int n = -1;
		SHOW(ioctl(0, FIONREAD, &n));
		printf("FIONREAD %d\n", n);
		SHOW(lseek(0, 0, SEEK_CUR));
	}
	long total = 0, n;
	while ((n = read(0, buf, chunk)) > 0) {
		for (long done = 0; done < n;) {
			long w = write(1, buf + done, (size_t)(n - done));
			if (w <= 0)
				return 2;
			done += w;
		}
		total += n;
	}
	SHOW(n);
	printf("\ntotal %ld\n", total);
	SHOW(read(0, buf, chunk));
	SHOW(close(0));
	SHOW(read(0, buf, 1));
	SHOW(open("/dev/null", O_RDONLY));
	return 0;
}
