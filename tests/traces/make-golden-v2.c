/*
 * Writes the format 2.0 golden traces of tests/traces/ (see README.md):
 * valid-v2.0.rrv, whose 4 events hold one library page read twice (the
 * second time stored as a reference, in another chunk) and one literal
 * range, and newer-major-v3.rrv, the same claiming major 3.  Run once and
 * check the output in; golden files do NOT change when the code does.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#define GOLDEN_PROG "make-golden-v2"
#include "golden.h"

int main(void)
{
	int fd;
	struct rrv_trace_fields *h;
	struct rrv_trace_writer *w = golden_create("valid-v2.0.rrv", &fd, &h);
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
	off_t end = golden_finish(w, fd, h);

	unsigned char *buf = golden_read("valid-v2.0.rrv", end);
	buf[8] = 3;
	fd = open("newer-major-v3.rrv", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (write(fd, buf, (size_t)end) != end)
		return 1;
	close(fd);
	free(buf);
	return 0;
}
