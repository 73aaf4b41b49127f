/*
 * Two processes deadlocked over pipes, for the deadlock report's test
 * (reports.test.sh): each keeps the write end the other waits on open and
 * reads its own pipe first, so neither read can ever return.  The parent
 * waits in read_reply, the child in read_request.
 *   report_deadlock alone   one process reads the pipe whose write end
 *                           only it holds
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

__attribute__((noinline)) int read_request(int fd)
{
	char c;
	return (int)read(fd, &c, 1);
}

__attribute__((noinline)) int read_reply(int fd)
{
	char c;
	return (int)read(fd, &c, 1);
}

int main(int argc, char **argv)
{
	int to_child[2], to_parent[2];
	if (argc > 1 && strcmp(argv[1], "alone") == 0) {
		int self[2];
		if (pipe(self) < 0)
			return 1;
		read_reply(self[0]);
		printf("not reached: nobody else can write the pipe\n");
		return 0;
	}
	if (pipe(to_child) < 0 || pipe(to_parent) < 0) {
		perror("pipe");
		return 1;
	}
	pid_t pid = fork();
	if (pid < 0) {
		perror("fork");
		return 1;
	}
	if (pid == 0) {
		/* Waits for a request before it answers... */
		if (read_request(to_child[0]) == 1)
			(void)!write(to_parent[1], "r", 1);
		return 0;
	}
	/* ...and the parent waits for the answer before it asks. */
	if (read_reply(to_parent[0]) == 1)
		(void)!write(to_child[1], "q", 1);
	printf("not reached: both reads must wait forever\n");
	return 0;
}
