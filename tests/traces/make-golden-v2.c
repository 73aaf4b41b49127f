/*
 * Writes the format 2.0 golden traces of tests/traces/ (see README.md):
 * valid-v2.0.rrv, whose 4 events hold one library page read twice (the
 * second time stored as a reference, in another chunk) and one literal
 * range, and newer-major-v3.rrv, the same claiming major 3.  Run once and
 * check the output in; golden files do NOT change when the code does.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../trace-format/rrv_trace.h"

static void check(int err, const char *what)
{
	if (err) {
		fprintf(stderr, "make-golden-v2: %s: %s\n", what, rrv_trace_strerror(err));
		exit(1);
	}
}

int main(void)
{
	int fd = open("valid-v2.0.rrv", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return 1;
	struct rrv_trace_fields *h = rrv_trace_fields_create();
	check(rrv_trace_fields_add_str(h, RRV_TAG_RRV_VERSION, "golden"), "header");
	check(rrv_trace_fields_add(h, RRV_TAG_ARGV, "./hello\0", 8), "header");
	check(rrv_trace_fields_add_u64(h, RRV_TAG_MEM_BYTES, 64u << 20), "header");
	struct rrv_trace_writer *w;
	check(rrv_trace_writer_create(&w, fd, h, 0), "create");
	static uint8_t page[RRV_TRACE_BLOCK_SIZE + 10];
	for (size_t i = 0; i < sizeof(page); i++)
		page[i] = (uint8_t)(i * 7 + i / 251);
	static const uint8_t hello[] = "hello, world\n";
	struct rrv_trace_range lit = { 0x1000, sizeof(hello) - 1, hello };
	struct rrv_trace_range map1 = { 0x200000, sizeof(page), page };
	struct rrv_trace_range map2 = { 0x300000, sizeof(page), page };
	struct rrv_trace_event ev[4] = {
		{ .type = RRV_EV_HYPERCALL, .nr = 1, .digest = 0x1111, .ret = 40 },
		{ .type = RRV_EV_HYPERCALL, .nr = 8, .digest = 0x2222,
		  .ret = (int64_t)sizeof(page), .nranges = 1, .ranges = &map1 },
		{ .type = RRV_EV_HYPERCALL, .nr = 8, .digest = 0x3333,
		  .ret = (int64_t)sizeof(page), .nranges = 1, .ranges = &map2 },
		{ .type = RRV_EV_HYPERCALL, .nr = 8, .digest = 0x4444, .ret = 13,
		  .nranges = 1, .ranges = &lit },
	};
	check(rrv_trace_writer_add(w, &ev[0]), "add");
	check(rrv_trace_writer_add(w, &ev[1]), "add");
	check(rrv_trace_writer_flush(w), "flush");
	check(rrv_trace_writer_add(w, &ev[2]), "add");
	check(rrv_trace_writer_add(w, &ev[3]), "add");
	struct rrv_trace_fields *f = rrv_trace_fields_create();
	check(rrv_trace_fields_add_u64(f, RRV_TAG_EXIT_STATUS, 0), "footer");
	check(rrv_trace_writer_finish(w, f), "finish");
	off_t end = lseek(fd, 0, SEEK_CUR);
	rrv_trace_writer_free(w);
	rrv_trace_fields_free(h);
	rrv_trace_fields_free(f);
	close(fd);

	fd = open("valid-v2.0.rrv", O_RDONLY);
	unsigned char *buf = malloc((size_t)end);
	if (!buf || read(fd, buf, (size_t)end) != end)
		return 1;
	close(fd);
	buf[8] = 3;
	fd = open("newer-major-v3.rrv", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (write(fd, buf, (size_t)end) != end)
		return 1;
	close(fd);
	free(buf);
	return 0;
}
