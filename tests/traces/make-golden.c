/*
 * Writes the golden traces of tests/traces/ (see README.md).  Run once per
 * format version and check the output in: the point of golden files is
 * that they do NOT change when the code does.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define GOLDEN_PROG "make-golden"
#include "golden.h"

int main(void)
{
	int fd;
	struct rrv_trace_fields *h;
	struct rrv_trace_writer *w = golden_create("valid-v1.0.rrv", &fd, &h);
	static const uint8_t hello[] = "hello, world\n";
	struct rrv_trace_range out = { 0x1000, sizeof(hello) - 1, hello };
	struct rrv_trace_event ev[3] = {
		{ .type = RRV_EV_HYPERCALL, .nr = 1, .digest = 0x1111, .ret = 40 },
		{ .type = RRV_EV_HYPERCALL, .nr = 8, .digest = 0x2222, .ret = 13,
		  .nranges = 1, .ranges = &out },
		{ .type = RRV_EV_HYPERCALL, .nr = 4, .digest = 0x3333, .ret = 13 },
	};
	check(rrv_trace_writer_add(w, &ev[0]), "add");
	check(rrv_trace_writer_add(w, &ev[1]), "add");
	check(rrv_trace_writer_flush(w), "flush");
	off_t second = lseek(fd, 0, SEEK_CUR);
	check(rrv_trace_writer_add(w, &ev[2]), "add");
	off_t end = golden_finish(w, fd, h);

	/* The variants are byte edits of the valid trace. */
	unsigned char *buf = golden_read("valid-v1.0.rrv", end);
	struct { const char *name; size_t len; long flip; int major; } v[] = {
		{ "truncated.rrv", (size_t)second + 40, -1, 0 },
		{ "bad-checksum.rrv", (size_t)end, second + 34, 0 },
		{ "newer-major.rrv", (size_t)end, -1, 2 },
	};
	for (size_t i = 0; i < 3; i++) {
		unsigned char *copy = malloc((size_t)end);
		memcpy(copy, buf, (size_t)end);
		if (v[i].flip >= 0)
			copy[v[i].flip] ^= 0x40;
		if (v[i].major)
			copy[8] = (unsigned char)v[i].major;
		fd = open(v[i].name, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (write(fd, copy, v[i].len) != (ssize_t)v[i].len)
			return 1;
		close(fd);
		free(copy);
	}
	fd = open("not-a-trace.rrv", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	static const char text[] = "this is a text file, not a trace\n";
	if (write(fd, text, sizeof(text) - 1) < 0)
		return 1;
	close(fd);
	free(buf);
	return 0;
}
