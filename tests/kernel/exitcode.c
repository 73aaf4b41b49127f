/* exitcode: ends with the status argv[1] names, by the way argv[2] names
 * (return from main, exit, _exit, or the raw exit system call). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int status = argc > 1 ? atoi(argv[1]) : 0;
	const char *how = argc > 2 ? argv[2] : "return";

	printf("exiting with %d by %s\n", status, how);
	if (strcmp(how, "exit") == 0)
		exit(status);
	fflush(stdout);
	if (strcmp(how, "_exit") == 0)
		_exit(status);
	if (strcmp(how, "sys_exit") == 0)
		syscall(SYS_exit, status); /* the last thread: ends the process */
	return status;
}
