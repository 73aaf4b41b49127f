/* A parent that forks: rrv debug -p CHILD debugs the child, which
 * prints its pid first so that the test knows it. */
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

static int child_work(int k)
{
	int doubled = k * 2; /* the breakpoint */
	return doubled;
}

int main(void)
{
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		printf("child %d: %d\n", (int)getpid(), child_work(21));
		return 5;
	}
	int st;
	waitpid(pid, &st, 0);
	printf("parent: child exited %d\n", WEXITSTATUS(st));
	return 0;
}
