/*
 * trace_edit IN OUT OLD NEW: copies trace IN to OUT, replacing the last
 * occurrence of the bytes OLD with NEW (same length) in the data of a
 * recorded hypercall's filled buffers (the last, because the program's own
 * ELF, read at exec, may contain OLD too).  Everything else, checksums
 * included, is written fresh, so the result is a well-formed trace that
 * simply tells the guest something else: what a test needs to show that
 * replay catches a run that leaves the recorded path.
 *
 * trace_edit --preempt K rip|digest IN OUT: edits the K-th recorded
 * PREEMPT call (from 1) instead.  rip moves the recorded point one byte
 * on, so that replay's breakpoint is never hit and the thread runs past
 * it; digest changes the event's input digest only, so that replay stops
 * at the right point and then finds the call differs.  counted makes
 * the point one that a recording with a performance counter would have
 * made (method BRANCHES, a branch count of 1000003) and recomputes the
 * event's digest the way the VMM does, so that the trace stays
 * consistent: what a replay on a host without a counter must accept.
 *
 * trace_edit --footer TAG IN OUT: copies IN with one more footer field,
 * TAG, holding the u64 1 (a footer tag a newer rrv writes, such as 69,
 * "interrupted", for rrv ls).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rrv/digest.h>
#include <rrv/hypercall.h>

#include "trace-format/rrv_trace.h"

static void die(const char *what, int err)
{
	fprintf(stderr, "trace_edit: %s: %s\n", what, rrv_trace_strerror(err));
	exit(1);
}

/* Copies the rest of the trace from r to w, then the footer. */
static void copy_rest(struct rrv_trace_reader *r, struct rrv_trace_writer *w,
		      const char *in);

/* --footer: the tag copy_rest adds, or 0. */
static uint32_t extra_footer_tag;

static int add_footer(const char *tag, const char *in, const char *out)
{
	extra_footer_tag = (uint32_t)strtoul(tag, NULL, 10);
	struct rrv_trace_reader *r;
	int err = rrv_trace_reader_open(&r, in);
	if (err)
		die(in, err);
	int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0) {
		perror(out);
		return 1;
	}
	struct rrv_trace_writer *w;
	if ((err = rrv_trace_writer_create(&w, fd, rrv_trace_reader_header(r), 0)))
		die(out, err);
	copy_rest(r, w, in);
	close(fd);
	return 0;
}

static int edit_preempt(long k, const char *what, const char *in, const char *out)
{
	struct rrv_trace_reader *r;
	int err = rrv_trace_reader_open(&r, in);
	if (err)
		die(in, err);
	int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0) {
		perror(out);
		return 1;
	}
	struct rrv_trace_writer *w;
	if ((err = rrv_trace_writer_create(&w, fd, rrv_trace_reader_header(r), 0)))
		die(out, err);
	struct rrv_trace_event e;
	long seen = 0;
	while ((err = rrv_trace_reader_next(r, &e)) == 1) {
		struct rrv_trace_range ranges[RRV_TRACE_RANGES_MAX];
		struct rrv_hc_preempt p;
		memcpy(ranges, e.ranges, e.nranges * sizeof(ranges[0]));
		if (e.type == RRV_EV_HYPERCALL && e.nr == RRV_HC_PREEMPT &&
		    e.nranges >= 1 && ranges[0].len == sizeof(p) && ++seen == k) {
			memcpy(&p, ranges[0].data, sizeof(p));
			if (!strcmp(what, "rip")) {
				p.rip++;
			} else if (!strcmp(what, "counted")) {
				p.method = RRV_PREEMPT_BRANCHES;
				p.branches = 1000003;
				/* vmm/hypercall.c hc_digest: the number, then
				 * the struct with its header zeroed. */
				struct rrv_hc_preempt z = p;
				uint32_t nr = RRV_HC_PREEMPT;
				memset(&z.hdr, 0, sizeof(z.hdr));
				e.digest = rrv_digest(rrv_digest(RRV_DIGEST_SEED,
					&nr, sizeof(nr)), &z, sizeof(z));
			} else {
				e.digest ^= 1;
			}
			fprintf(stderr, "trace_edit: preemption %ld: thread %u at rip "
				"0x%llx%s\n", k, p.tid, (unsigned long long)p.rip,
				!strcmp(what, "rip") ? " (moved)" :
				!strcmp(what, "counted") ? " (counted)" : ", digest changed");
			ranges[0].data = (const uint8_t *)&p;
		}
		e.ranges = ranges;
		if ((err = rrv_trace_writer_add(w, &e)))
			die("write", err);
		if (seen == k)
			break;
	}
	if (err < 0)
		die(in, err);
	if (seen < k) {
		fprintf(stderr, "trace_edit: the trace has %ld preemptions, not %ld\n",
			seen, k);
		return 1;
	}
	copy_rest(r, w, in);
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 5 && !strcmp(argv[1], "--footer"))
		return add_footer(argv[2], argv[3], argv[4]);
	if (argc == 6 && !strcmp(argv[1], "--preempt") &&
	    (!strcmp(argv[3], "rip") || !strcmp(argv[3], "digest") ||
	     !strcmp(argv[3], "counted")))
		return edit_preempt(strtol(argv[2], NULL, 10), argv[3], argv[4], argv[5]);
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
		/* Not in input copies (format 2.1): replay never reads them. */
		for (uint32_t i = 1; i < e.nranges; i++)
			for (uint64_t k = 0; !rrv_trace_range_is_input(&e.ranges[i]) &&
					     k + n <= e.ranges[i].len; k++)
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
	copy_rest(r, w, argv[1]);
	close(fd);
	return 0;
}

static void copy_rest(struct rrv_trace_reader *r, struct rrv_trace_writer *w,
		      const char *in)
{
	struct rrv_trace_event e;
	int err;
	while ((err = rrv_trace_reader_next(r, &e)) == 1)
		if ((err = rrv_trace_writer_add(w, &e)))
			die("write", err);
	if (err < 0)
		die(in, err);
	/* Keep the caller's footer fields; the writer adds count and index. */
	struct rrv_trace_fields *f = rrv_trace_fields_create();
	const struct rrv_trace_fields *of = rrv_trace_reader_footer(r);
	for (size_t i = 0; i < rrv_trace_fields_count(of); i++) {
		const struct rrv_trace_field *x = rrv_trace_fields_at(of, i);
		if (x->tag != RRV_TAG_EVENT_COUNT && x->tag != RRV_TAG_INDEX)
			rrv_trace_fields_add(f, x->tag, x->data, x->len);
	}
	if (extra_footer_tag)
		rrv_trace_fields_add_u64(f, extra_footer_tag, 1);
	if ((err = rrv_trace_writer_finish(w, f)))
		die("finish", err);
	rrv_trace_writer_free(w);
	rrv_trace_fields_free(f);
	rrv_trace_reader_free(r);
}
