/*
 * exitcode STATUS [HOW]: ends the process with STATUS, where HOW is
 *   return      return STATUS from main (the default)
 *   exit        exit(STATUS): atexit handlers run, stdio is flushed
 *   _exit       _exit(STATUS): no handlers, buffered stdio output is lost
 *   exit_group  the raw exit_group system call
 *   sys_exit    the raw exit system call (ends the only thread, hence
 *               the process)
 * Before that it writes one line with write(2) and one through stdio's
 * buffer (stdout is not a terminal, so it is fully buffered): the second
 * line shows up only when the exit path flushes stdio.
 */
#include "conf.h"

#include <sys/syscall.h>

static void on_exit_handler(void)
{
	printf("atexit handler ran\n");
}

int main(int argc, char **argv)
{
	static const char unbuffered[] = "written with write(2)\n";

	if (argc < 2) {
		fprintf(stderr, "usage: exitcode STATUS [HOW]\n");
		return 2;
	}
	int status = atoi(argv[1]);
	const char *how = argc > 2 ? argv[2] : "return";

	atexit(on_exit_handler);
	if (write(1, unbuffered, sizeof unbuffered - 1) != sizeof unbuffered - 1)
		return 3;
	printf("buffered in stdio: status %d, how %s\n", status, how);
	fprintf(stderr, "stderr is unbuffered: exiting %d via %s\n", status,
		how);

	if (strcmp(how, "return") == 0)
		return status;
	if (strcmp(how, "exit") == 0)
		exit(status);
	if (strcmp(how, "_exit") == 0)
		_exit(status);
	if (strcmp(how, "exit_group") == 0)
		syscall(SYS_exit_group, status);
	if (strcmp(how, "sys_exit") == 0)
		syscall(SYS_exit, status);
	fprintf(stderr, "unknown HOW %s\n", how);
	return 2;
}
