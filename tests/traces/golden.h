/*
 * What the golden-trace writers (make-golden.c, make-golden-v2.c) share:
 * the header and footer every golden trace carries, and reading the
 * valid trace back for the byte-edited variants made from it.  Each
 * program includes this once, after defining GOLDEN_PROG, the name its
 * error messages start with.  Any failure ends the program with status
 * 1: a golden file half written must not be checked in.
 */
#ifndef RRV_TESTS_TRACES_GOLDEN_H
#define RRV_TESTS_TRACES_GOLDEN_H

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "trace-format/rrv_trace.h"

static void check(int err, const char *what)
{
	if (err) {
		fprintf(stderr, "%s: %s: %s\n", GOLDEN_PROG, what, rrv_trace_strerror(err));
		exit(1);
	}
}

/* A writer on path, created or emptied, whose header names rrv version
 * "golden", argv ./hello and 64 MiB of memory.  *fd is the file's
 * descriptor and *h the header, both for golden_finish. */
static struct rrv_trace_writer *golden_create(const char *path, int *fd,
					      struct rrv_trace_fields **h)
{
	*fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (*fd < 0)
		exit(1);
	*h = rrv_trace_fields_create();
	check(rrv_trace_fields_add_str(*h, RRV_TAG_RRV_VERSION, "golden"), "header");
	check(rrv_trace_fields_add(*h, RRV_TAG_ARGV, "./hello\0", 8), "header");
	check(rrv_trace_fields_add_u64(*h, RRV_TAG_MEM_BYTES, 64u << 20), "header");
	struct rrv_trace_writer *w;
	check(rrv_trace_writer_create(&w, *fd, *h, 0), "create");
	return w;
}

/* Ends the trace with exit status 0 in its footer and frees w, h and the
 * footer and closes fd: the trace's length in bytes. */
static off_t golden_finish(struct rrv_trace_writer *w, int fd, struct rrv_trace_fields *h)
{
	struct rrv_trace_fields *f = rrv_trace_fields_create();
	check(rrv_trace_fields_add_u64(f, RRV_TAG_EXIT_STATUS, 0), "footer");
	check(rrv_trace_writer_finish(w, f), "finish");
	off_t end = lseek(fd, 0, SEEK_CUR);
	rrv_trace_writer_free(w);
	rrv_trace_fields_free(h);
	rrv_trace_fields_free(f);
	close(fd);
	return end;
}

/* The first len bytes of path, in memory to free. */
static unsigned char *golden_read(const char *path, off_t len)
{
	int fd = open(path, O_RDONLY);
	unsigned char *buf = malloc((size_t)len);
	if (fd < 0 || !buf || read(fd, buf, (size_t)len) != len)
		exit(1);
	close(fd);
	return buf;
}

#endif
