/*
 * rrv ls: the traces in the trace directory, newest first: name, program,
 * date, size, events and status (complete, cut short, interrupted, and
 * "diverged on replay" when a replay noted so; docs/inspecting.md).
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "trace-format/rrv_trace.h"
#include "rrv.h"
#include "tracedir.h"

/* Footer tag 69, "interrupted": rrv record stopped by a signal (the
 * recsig work defines it in rrv_trace.h; read by number until then). */
#define LS_TAG_INTERRUPTED 69u

struct ls_entry {
	char name[256];
	char program[64];
	time_t when;
	uint64_t size;
	uint64_t events;
	bool latest;
	char status[160];
};

/* The program's name: the file part of EXEC_PATH, else of argv[0]. */
static void program_name(const struct rrv_trace_fields *h, char *out, size_t size)
{
	const struct rrv_trace_field *f = rrv_trace_fields_get(h, RRV_TAG_EXEC_PATH);
	if (!f || !f->len)
		f = rrv_trace_fields_get(h, RRV_TAG_ARGV);
	char buf[4096] = "?";
	if (f && f->len) {
		size_t n = f->len < sizeof(buf) - 1 ? f->len : sizeof(buf) - 1;
		memcpy(buf, f->data, n);
		buf[n] = 0; /* argv: stops at the first string's NUL */
	}
	const char *base = strrchr(buf, '/');
	base = base && base[1] ? base + 1 : buf;
	snprintf(out, size, "%s", base);
	for (char *p = out; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
}

/* Reads what ls shows of one trace into e (name, latest and size set). */
static void describe(const char *path, struct ls_entry *e, time_t mtime)
{
	struct rrv_trace_reader *r;
	e->when = mtime;
	int err = rrv_trace_reader_open(&r, path);
	if (err) {
		snprintf(e->program, sizeof(e->program), "-");
		snprintf(e->status, sizeof(e->status), "unreadable: %s",
			 rrv_trace_strerror(err));
		return;
	}
	const struct rrv_trace_fields *h = rrv_trace_reader_header(r);
	program_name(h, e->program, sizeof(e->program));
	uint64_t start;
	if (rrv_trace_fields_u64(h, RRV_TAG_START_TIME, &start) == 0)
		e->when = (time_t)start;
	const struct rrv_trace_fields *f = rrv_trace_reader_footer(r);
	uint64_t v;
	if (f && rrv_trace_fields_u64(f, RRV_TAG_EVENT_COUNT, &v) == 0) {
		e->events = v;
		snprintf(e->status, sizeof(e->status), "%s",
			 rrv_trace_fields_get(f, LS_TAG_INTERRUPTED) ? "interrupted"
								    : "complete");
	} else {
		/* No footer: count what its complete chunks hold. */
		struct rrv_trace_event ev;
		int got;
		while ((got = rrv_trace_reader_next(r, &ev)) == 1)
			e->events++;
		snprintf(e->status, sizeof(e->status), "%s",
			 got == RRV_TRACE_E_TRUNCATED ? "cut short" : "damaged");
	}
	rrv_trace_reader_free(r);
	char note[128];
	if (trace_read_note(path, note, sizeof(note)) == 1) {
		size_t n = strlen(e->status);
		snprintf(e->status + n, sizeof(e->status) - n, ", diverged on replay");
	}
}

static int newest_first(const void *a, const void *b)
{
	const struct ls_entry *x = a, *y = b;
	if (x->when != y->when)
		return x->when > y->when ? -1 : 1;
	return strcmp(y->name, x->name);
}

/* 1.2M and the like: sizes as people read them. */
static void human_size(uint64_t n, char *out, size_t size)
{
	static const char units[] = "BKMGT";
	double v = (double)n;
	int u = 0;
	while (v >= 1024 && u < 4) {
		v /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(out, size, "%" PRIu64 "B", n);
	else
		snprintf(out, size, v < 10 ? "%.1f%c" : "%.0f%c", v, units[u]);
}

static void ls_help(void)
{
	printf("Lists the traces (*.rrv) of the trace directory, newest first;\n"
	       "'*' marks the one 'latest' names.  Columns: the file, the\n"
	       "program, when the recording started, the file's size, its\n"
	       "events and its status: complete; cut short (no footer: rrv was\n"
	       "killed, or the disk filled; it replays up to its last complete\n"
	       "chunk); interrupted (rrv record stopped by a signal); damaged;\n"
	       "unreadable (not a trace, or a newer format); and ', diverged\n"
	       "on replay' when its last replay diverged (rrv replay notes that\n"
	       "in NAME.rrv.replay beside the trace).  With DIR, lists DIR\n"
	       "instead.\n"
	       "\n"
	       "The trace directory is $RRV_TRACE_DIR, else\n"
	       "$XDG_DATA_HOME/rrv/traces, else ~/.local/share/rrv/traces.\n");
}

int cmd_ls(int argc, char **argv)
{
	const char *arg = NULL;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0) {
			ls_help();
			return 0;
		} else if (argv[i][0] == '-') {
			return rrv_usage_error("ls", "ls: unknown option '%s'", argv[i]);
		} else if (arg) {
			return rrv_usage_error("ls", "ls: one directory at a time");
		} else {
			arg = argv[i];
		}
	}
	char dir[4096];
	if (arg)
		snprintf(dir, sizeof(dir), "%s", arg);
	else if (trace_dir(dir, sizeof(dir), 0))
		return 1;
	DIR *d = opendir(dir);
	if (!d) {
		fprintf(stderr, "rrv: cannot list %s: %s (%s)\n", dir, strerror(errno),
			errno == ENOENT ? "no trace recorded there yet: rrv record "
			"makes it" : "check the directory");
		return 1;
	}
	char latest_link[4200], latest[PATH_MAX] = "";
	snprintf(latest_link, sizeof(latest_link), "%s/latest", dir);
	if (!realpath(latest_link, latest))
		latest[0] = 0;

	struct ls_entry *v = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);
		if (len < 5 || strcmp(de->d_name + len - 4, ".rrv") || de->d_name[0] == '.' ||
		    len >= sizeof(v->name))
			continue;
		char path[4400], real[PATH_MAX];
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		struct stat st;
		if (stat(path, &st) < 0 || !S_ISREG(st.st_mode))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 32;
			struct ls_entry *nv = realloc(v, cap * sizeof(*v));
			if (!nv) {
				fprintf(stderr, "rrv: out of memory listing %s\n", dir);
				free(v);
				closedir(d);
				return 1;
			}
			v = nv;
		}
		struct ls_entry *e = &v[n++];
		memset(e, 0, sizeof(*e));
		snprintf(e->name, sizeof(e->name), "%s", de->d_name);
		e->size = (uint64_t)st.st_size;
		e->latest = latest[0] && realpath(path, real) && strcmp(real, latest) == 0;
		describe(path, e, st.st_mtime);
	}
	closedir(d);
	if (n == 0) {
		printf("no traces in %s (rrv record writes them there)\n", dir);
		free(v);
		return 0;
	}
	qsort(v, n, sizeof(*v), newest_first);
	int wn = 4, wp = 7;
	for (size_t i = 0; i < n; i++) {
		if ((int)strlen(v[i].name) > wn)
			wn = (int)strlen(v[i].name);
		if ((int)strlen(v[i].program) > wp)
			wp = (int)strlen(v[i].program);
	}
	printf("  %-*s  %-*s  %-19s  %6s  %8s  %s\n", wn, "NAME", wp, "PROGRAM",
	       "DATE", "SIZE", "EVENTS", "STATUS");
	for (size_t i = 0; i < n; i++) {
		char date[32], size[16];
		struct tm tm;
		strftime(date, sizeof(date), "%Y-%m-%d %H:%M:%S",
			 localtime_r(&v[i].when, &tm));
		human_size(v[i].size, size, sizeof(size));
		printf("%c %-*s  %-*s  %-19s  %6s  %8" PRIu64 "  %s\n",
		       v[i].latest ? '*' : ' ', wn, v[i].name, wp, v[i].program, date,
		       size, v[i].events, v[i].status);
	}
	free(v);
	return 0;
}
