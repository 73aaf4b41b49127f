/*
 * The progress line (progress.h).  One per process: rrv does one long
 * piece of work at a time.  The line starts with \r and ends by clearing
 * to the end of the line, so each redraw replaces the last; hiding it
 * writes just that, leaving the cursor at the start of an empty line, where
 * the program's own output then goes as if the line had never been there.
 */
#include "progress.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#define FIRST_DRAW_NS 1000000000ll /* quiet for work shorter than this */
#define REDRAW_NS 250000000ll

static struct {
	bool on;
	bool shown;
	const char *what;
	long long start_ns, drawn_ns;
} p;

static long long now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000ll + ts.tv_nsec;
}

void progress_begin(const char *what)
{
	const char *off = getenv("RRV_NO_PROGRESS");
	p.on = isatty(STDERR_FILENO) && !(off && *off);
	p.shown = false;
	p.what = what;
	p.start_ns = p.drawn_ns = now_ns();
}

void progress_update(unsigned long long events, unsigned long long bytes)
{
	if (!p.on)
		return;
	long long t = now_ns();
	if (t - p.start_ns < FIRST_DRAW_NS || t - p.drawn_ns < REDRAW_NS)
		return;
	p.drawn_ns = t;
	p.shown = true;
	fprintf(stderr, "\rrrv: %s: %llu events, %.1f MiB, %lld s\033[K", p.what,
		events, (double)bytes / (1024.0 * 1024.0),
		(t - p.start_ns) / 1000000000ll);
	fflush(stderr);
}

void progress_hide(void)
{
	if (!p.shown)
		return;
	fputs("\r\033[K", stderr);
	fflush(stderr);
	p.shown = false;
}

void progress_end(void)
{
	progress_hide();
	p.on = false;
}
