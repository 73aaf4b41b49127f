/* Syscall-heavy: many small reads and writes of a file, each one a
 * hypercall (and, when recording, a trace event). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 20000;
	const char *path = argc > 2 ? argv[2] : "bench-syscall.tmp";
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		return 1;
	char buf[64] = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde";
	long total = 0;
	for (long i = 0; i < n; i++) {
		if (pwrite(fd, buf, sizeof(buf), (i % 128) * 64) != sizeof(buf))
			return 2;
		total += pread(fd, buf, sizeof(buf), ((i * 7) % 128) * 64);
	}
	close(fd);
	unlink(path);
	printf("%ld\n", total);
	return 0;
}
