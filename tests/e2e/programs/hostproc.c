/*
 * What a program under rrv sees of /proc paths that natively name the
 * host's processes or rrv itself (tests/e2e/procfs.test.sh).  For each
 * argument, a path, it prints one line: the path's name as given with
 * the pids of the host replaced by the test, then the errno name of
 * opening it, or the "Name:" line of a status file, or "opened".
 *
 *   hostproc PATH...    ("ppid" stands for /proc/<getppid()>/status,
 *                        "self" for /proc/<getpid()>/status)
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char *errname(int e)
{
	switch (e) {
	case ENOENT: return "ENOENT";
	case EACCES: return "EACCES";
	case EPERM: return "EPERM";
	case ELOOP: return "ELOOP";
	default: return "other";
	}
}

int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		char path[256];
		if (strcmp(argv[i], "ppid") == 0)
			snprintf(path, sizeof(path), "/proc/%d/status", (int)getppid());
		else if (strcmp(argv[i], "self") == 0)
			snprintf(path, sizeof(path), "/proc/%d/status", (int)getpid());
		else
			snprintf(path, sizeof(path), "%s", argv[i]);
		int fd = open(path, O_RDONLY);
		if (fd < 0) {
			printf("%s: %s\n", argv[i], errname(errno));
			continue;
		}
		char buf[4096];
		ssize_t n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		buf[n > 0 ? n : 0] = '\0';
		char *name = strstr(buf, "Name:");
		if (name) {
			char *nl = strchr(name, '\n');
			if (nl)
				*nl = '\0';
			printf("%s: %s\n", argv[i], name);
		} else {
			printf("%s: opened\n", argv[i]);
		}
	}
	return 0;
}
