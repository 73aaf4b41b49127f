/*
 * bigexec TOTAL STRLEN: execs itself with arguments of TOTAL bytes (NULs
 * included, argv[0] and the rest in strings of STRLEN bytes) and no
 * environment, and prints what came of it: the child's count, or the
 * errno name of a refused execve.  Run natively and under rrv, the output
 * must be the same: the guest kernel's argument limit is Linux's.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "child") == 0) {
		size_t bytes = 0;
		for (int i = 0; i < argc; i++)
			bytes += strlen(argv[i]) + 1;
		printf("child: argc=%d bytes=%zu\n", argc, bytes);
		return 0;
	}
	if (argc != 3)
		return 2;
	size_t total = strtoul(argv[1], NULL, 10), len = strtoul(argv[2], NULL, 10);
	size_t used = strlen(argv[0]) + 1 + strlen("child") + 1;
	size_t n = 2 + (total - used + len - 1) / len;
	char **v = calloc(n + 1, sizeof(*v));
	char *pool = malloc(total);
	if (!v || !pool || len < 2 || total < used)
		return 2;
	v[0] = argv[0];
	v[1] = "child";
	int k = 2;
	for (size_t off = 0; used < total; k++) {
		size_t l = total - used < len ? total - used : len;
		memset(pool + off, 'a' + k % 26, l - 1);
		pool[off + l - 1] = '\0';
		v[k] = pool + off;
		off += l;
		used += l;
	}
	v[k] = NULL;
	char *envp[] = { NULL };
	fflush(stdout);
	execve(argv[0], v, envp);
	printf("execve: %s\n", errno == E2BIG ? "E2BIG" : strerror(errno));
	return 1;
}
