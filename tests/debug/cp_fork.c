/* Checkpoints on a replay that forks: the child writes to a pipe and
 * exits with a status of its own, the parent reads, waits and prints. */
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void)
{
	int p[2];
	if (pipe(p))
		return 1;
	pid_t child = fork();
	if (child < 0)
		return 1;
	if (child == 0) {
		close(p[0]);
		for (int i = 0; i < 3; i++) {
			char line[32];
			int n = snprintf(line, sizeof(line), "child line %d\n", i);
			if (write(p[1], line, (size_t)n) != n)
				_exit(1);
		}
		_exit(5);
	}
	close(p[1]);
	char buf[256];
	ssize_t n, got = 0;
	while ((n = read(p[0], buf + got, sizeof(buf) - 1 - (size_t)got)) > 0)
		got += n;
	buf[got] = 0;
	int status;
	waitpid(child, &status, 0);
	printf("%sparent: child exited %d\n", buf, WEXITSTATUS(status));
	return 2;
}
