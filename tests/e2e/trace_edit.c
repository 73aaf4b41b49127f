/*
 * trace_edit IN OUT OLD NEW: copies trace IN to OUT, replacing the last
 * occurrence of the bytes OLD with NEW (same length) in the data of a
 * recorded hypercall's filled buffers (the last, because the program's own
 * ELF, read at exec, may contain OLD too).  Everything else, checksums
 * included, is written fresh, so the result is a well-formed trace that
 * simply tells the guest something else: what a test needs to show that
 * replay catches a run that leaves the recorded path.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../trace-format/rrv_trace.h"

static void die(const char *what, int err)
{
	fprintf(stderr, "trace_edit: %s: %s\n", what, rrv_trace_strerror(err));
	exit(1);
}

int main(int argc, char **argv)
{
	if (argc != 5 || strlen(argv[3]) != strlen(argv[4]) || !*argv[3]) {
		fprintf(stderr, "usage: trace_edit IN OUT OLD NEW (same length)\n");
		return 2;
	}
	const char *old = argv[3], *new = argv[4];
	size_t n = strlen(old);
	struct rrv_trace_reader *r;
	int err = rrv_trace_reader_open(&r, argv[1]);
	if (err)
		die(argv[1], err);

	/* First pass: where is the last occurrence? */
	long long at_event = -1, idx = 0;
	uint32_t at_range = 0;
	uint64_t at_off = 0;
	struct rrv_trace_event e;
	while ((err = rrv_trace_reader_next(r, &e)) == 1) {
		for (uint32_t i = 1; i < e.nranges; i++)
			for (uint64_t k = 0; k + n <= e.ranges[i].len; k++)
				if (!memcmp(e.ranges[i].data + k, old, n)) {
					at_event = idx;
					at_range = i;
					at_off = k;
				}
		idx++;
	}
	if (err < 0)
		die(argv[1], err);
	if (at_event < 0) {
		fprintf(stderr, "trace_edit: '%s' not found in any recorded data\n", old);
		return 1;
	}
	rrv_trace_reader_free(r);
	if ((err = rrv_trace_reader_open(&r, argv[1])))
		die(argv[1], err);
	int fd = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0) {
		perror(argv[2]);
		return 1;
	}
	struct rrv_trace_writer *w;
	err = rrv_trace_writer_create(&w, fd, rrv_trace_reader_header(r), 0);
	if (err)
		die(argv[2], err);
	idx = 0;
	while ((err = rrv_trace_reader_next(r, &e)) == 1) {
		struct rrv_trace_range ranges[RRV_TRACE_RANGES_MAX];
		uint8_t *copy = NULL;
		memcpy(ranges, e.ranges, e.nranges * sizeof(ranges[0]));
		if (idx++ == at_event) {
			copy = malloc(ranges[at_range].len);
			memcpy(copy, ranges[at_range].data, ranges[at_range].len);
			memcpy(copy + at_off, new, n);
			ranges[at_range].data = copy;
		}
		e.ranges = ranges;
		if ((err = rrv_trace_writer_add(w, &e)))
			die("write", err);
		free(copy);
	}
	if (err < 0)
		die(argv[1], err);
	/* Keep the caller's footer fields; the writer adds count and index. */
	struct rrv_trace_fields *f = rrv_trace_fields_create();
	const struct rrv_trace_fields *of = rrv_trace_reader_footer(r);
	for (size_t i = 0; i < rrv_trace_fields_count(of); i++) {
		const struct rrv_trace_field *x = rrv_trace_fields_at(of, i);
		if (x->tag != RRV_TAG_EVENT_COUNT && x->tag != RRV_TAG_INDEX)
			rrv_trace_fields_add(f, x->tag, x->data, x->len);
	}
	if ((err = rrv_trace_writer_finish(w, f)))
		die("finish", err);
	rrv_trace_writer_free(w);
	rrv_trace_fields_free(f);
	rrv_trace_reader_free(r);
	close(fd);
	return 0;
}
