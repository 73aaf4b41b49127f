/*
 * A small process family for rrv ps, dump and replay --log
 * (tests/e2e/tracetools.test.sh).
 *
 *   family FILE   prints its pid, reads FILE and prints it, starts a
 *                 thread that prints its tid, writes a line longer than
 *                 32 bytes, forks a child that execs "family child x",
 *                 waits for it and exits 3
 *   family child  (the exec'd child) prints its pid and exits 7
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static void say(const char *s)
{
	/* One write each, so each line is one event of its thread. */
	if (write(1, s, strlen(s)) < 0)
		exit(100);
}

static void *thread_main(void *arg)
{
	char buf[64];
	(void)arg;
	snprintf(buf, sizeof(buf), "thread tid=%ld\n", (long)syscall(SYS_gettid));
	say(buf);
	return NULL;
}

int main(int argc, char **argv)
{
	char buf[256];
	if (argc > 1 && strcmp(argv[1], "child") == 0) {
		snprintf(buf, sizeof(buf), "child pid=%d\n", (int)getpid());
		say(buf);
		return 7;
	}
	if (argc < 2)
		return 99;
	snprintf(buf, sizeof(buf), "parent pid=%d\n", (int)getpid());
	say(buf);

	int fd = open(argv[1], O_RDONLY);
	if (fd < 0)
		return 98;
	char data[64] = "";
	ssize_t n = read(fd, data, sizeof(data) - 1);
	close(fd);
	if (n < 0)
		return 97;
	data[n] = 0;
	snprintf(buf, sizeof(buf), "file: %s", data);
	say(buf);

	pthread_t t;
	if (pthread_create(&t, NULL, thread_main, NULL) || pthread_join(t, NULL))
		return 96;

	say("a line that is longer than thirty-two bytes, to be cut\n");

	fflush(stdout);
	pid_t pid = fork();
	if (pid < 0)
		return 95;
	if (pid == 0) {
		execl(argv[0], argv[0], "child", "x", (char *)NULL);
		_exit(94);
	}
	int status;
	if (waitpid(pid, &status, 0) != pid)
		return 93;
	snprintf(buf, sizeof(buf), "child exited %d\n",
		 WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	say(buf);
	return 3;
}
