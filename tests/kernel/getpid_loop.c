/* getpid_loop: N getpid calls (argv[1], default 1), for --stats: a call
 * served in the guest must cost no VM exit, so N does not change the
 * number of exits. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 1;
	long pid = syscall(SYS_getpid), same = 0;

	for (long i = 0; i < n; i++)
		same += syscall(SYS_getpid) == pid;
	printf("%ld of %ld getpid calls agreed\n", same, n);
	return same == n ? 0 : 1;
}
