/* The trace directory (see tracedir.h). */
#include "tracedir.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* mkdir -p */
static int make_dirs(char *path)
{
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		int err = mkdir(path, 0755) < 0 && errno != EEXIST;
		*p = '/';
		if (err)
			return -1;
	}
	return mkdir(path, 0755) < 0 && errno != EEXIST ? -1 : 0;
}

int trace_dir(char *dir, size_t size, int create)
{
	const char *env = getenv("RRV_TRACE_DIR");
	const char *xdg = getenv("XDG_DATA_HOME");
	const char *home = getenv("HOME");
	int n;
	if (env && *env)
		n = snprintf(dir, size, "%s", env);
	else if (xdg && *xdg)
		n = snprintf(dir, size, "%s/rrv/traces", xdg);
	else if (home && *home)
		n = snprintf(dir, size, "%s/.local/share/rrv/traces", home);
	else {
		fprintf(stderr, "rrv: no trace directory: HOME is not set (set "
			"RRV_TRACE_DIR, or give a file with -o)\n");
		return -1;
	}
	if (n < 0 || (size_t)n >= size) {
		fprintf(stderr, "rrv: the trace directory path is too long (set "
			"RRV_TRACE_DIR to a shorter one)\n");
		return -1;
	}
	if (create && make_dirs(dir) < 0) {
		fprintf(stderr, "rrv: cannot create the trace directory %s: %s "
			"(set RRV_TRACE_DIR, or give a file with -o)\n", dir,
			strerror(errno));
		return -1;
	}
	return 0;
}

int trace_new_path(const char *prog, char *path, size_t size)
{
	char dir[4096];
	if (trace_dir(dir, sizeof(dir), 1))
		return -1;
	const char *base = strrchr(prog, '/');
	base = base ? base + 1 : prog;
	char stamp[32];
	time_t t = time(NULL);
	strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", localtime(&t));
	int n = snprintf(path, size, "%s/%.64s-%s-%d.rrv", dir, base, stamp,
			 (int)getpid());
	if (n < 0 || (size_t)n >= size) {
		fprintf(stderr, "rrv: trace path too long (set RRV_TRACE_DIR)\n");
		return -1;
	}
	return 0;
}

void trace_set_latest(const char *path)
{
	char dir[4096], tmp[4200], link[4200];
	if (trace_dir(dir, sizeof(dir), 1))
		return;
	/* A trace elsewhere (-o) is linked by its absolute path. */
	char abs[4096];
	if (path[0] != '/' && getcwd(abs, sizeof(abs)) &&
	    strlen(abs) + strlen(path) + 2 < sizeof(abs)) {
		strcat(abs, "/");
		strcat(abs, path);
		path = abs;
	}
	snprintf(tmp, sizeof(tmp), "%s/.latest.%d", dir, (int)getpid());
	snprintf(link, sizeof(link), "%s/latest", dir);
	unlink(tmp);
	if (symlink(path, tmp) < 0 || rename(tmp, link) < 0) {
		fprintf(stderr, "rrv: warning: cannot update %s: %s\n", link,
			strerror(errno));
		unlink(tmp);
	}
}

int trace_latest_target(char *buf, size_t size)
{
	char dir[4096], link[4200];
	buf[0] = 0;
	if (trace_dir(dir, sizeof(dir), 0))
		return -1;
	snprintf(link, sizeof(link), "%s/latest", dir);
	ssize_t n = readlink(link, buf, size - 1);
	if (n < 0) {
		buf[0] = 0;
		return -1;
	}
	buf[n] = 0;
	return 0;
}

void trace_restore_latest(const char *prev)
{
	char dir[4096], link[4200];
	if (prev && prev[0]) {
		trace_set_latest(prev);
		return;
	}
	if (trace_dir(dir, sizeof(dir), 0))
		return;
	snprintf(link, sizeof(link), "%s/latest", dir);
	if (unlink(link) < 0 && errno != ENOENT)
		fprintf(stderr, "rrv: warning: cannot remove %s: %s\n", link,
			strerror(errno));
}

/* Whether file lies directly in the trace directory (both resolved). */
static int in_trace_dir(const char *file)
{
	char dir[4096], real_dir[PATH_MAX], real_file[PATH_MAX];
	if (trace_dir(dir, sizeof(dir), 0) || !realpath(dir, real_dir) ||
	    !realpath(file, real_file))
		return 0;
	char *slash = strrchr(real_file, '/');
	if (!slash)
		return 0;
	*slash = 0;
	return strcmp(real_file, real_dir) == 0;
}

void trace_note_replay(const char *path, int diverged, unsigned long long event)
{
	char real[PATH_MAX], note[PATH_MAX + 16], tmp[PATH_MAX + 32];
	if (!in_trace_dir(path) || !realpath(path, real))
		return;
	snprintf(note, sizeof(note), "%s.replay", real);
	snprintf(tmp, sizeof(tmp), "%s.replay.%d", real, (int)getpid());
	FILE *f = fopen(tmp, "w");
	if (!f)
		return;
	if (diverged)
		fprintf(f, "diverged at event %llu\n", event);
	else
		fprintf(f, "replayed\n");
	/* Renamed into place, so that a reader never sees half a note. */
	if (fclose(f) != 0 || rename(tmp, note) != 0)
		unlink(tmp);
}

int trace_read_note(const char *path, char *buf, size_t size)
{
	char note[PATH_MAX + 16];
	snprintf(note, sizeof(note), "%s.replay", path);
	FILE *f = fopen(note, "r");
	if (!f)
		return -1;
	if (!fgets(buf, (int)size, f))
		buf[0] = 0;
	fclose(f);
	buf[strcspn(buf, "\n")] = 0;
	return strncmp(buf, "diverged", 8) == 0;
}

int trace_latest(char *path, size_t size)
{
	char dir[4096];
	if (trace_dir(dir, sizeof(dir), 0))
		return -1;
	int n = snprintf(path, size, "%s/latest", dir);
	if (n < 0 || (size_t)n >= size)
		return -1;
	struct stat st;
	if (stat(path, &st) < 0) {
		fprintf(stderr, "rrv: no trace to replay: %s %s (record one with "
			"rrv record, or name a trace file)\n", path,
			errno == ENOENT ? "does not exist" : strerror(errno));
		return -1;
	}
	return 0;
}
