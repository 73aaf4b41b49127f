/*
 * libFuzzer target for the trace reader: any byte string must give either
 * events or a clean error, never a crash, a hang or an out-of-bounds read
 * (built with AddressSanitizer and UBSan).  `make fuzz-test` runs it for a
 * bounded time from the golden traces; run it longer by hand with
 *   build/tests/fuzz/fuzz_trace_reader -max_total_time=600 tests/traces
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "trace-format/rrv_trace.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rrv_trace_reader *r;
	if (rrv_trace_reader_open_mem(&r, data, size))
		return 0;
	const struct rrv_trace_fields *h = rrv_trace_reader_header(r);
	for (size_t i = 0; i < rrv_trace_fields_count(h); i++) {
		const struct rrv_trace_field *f = rrv_trace_fields_at(h, i);
		struct rrv_trace_packed p;
		/* A packed file (2.2): its paths walked, its content read when
		 * small enough for the fuzzer's memory. */
		if (f->tag != RRV_TAG_PACKED_FILE || rrv_trace_packed_parse(f, &p))
			continue;
		for (const char *s = rrv_trace_packed_next_path(&p, NULL); s;
		     s = rrv_trace_packed_next_path(&p, s))
			(void)rrv_trace_packed_has_path(&p, s);
		void *buf = p.size <= (1u << 20) ? malloc(p.size ? p.size : 1) : NULL;
		if (buf)
			(void)rrv_trace_packed_read(&p, buf);
		free(buf);
	}
	uint64_t v;
	(void)rrv_trace_fields_u64(rrv_trace_reader_footer(r), RRV_TAG_EVENT_COUNT, &v);
	struct rrv_trace_event e;
	uint64_t sum = 0;
	while (rrv_trace_reader_next(r, &e) == 1)
		for (uint32_t k = 0; k < e.nranges; k++)
			for (uint64_t b = 0; b < e.ranges[k].len; b++)
				sum += e.ranges[k].data[b]; /* touch every byte */
	rrv_trace_reader_free(r);
	return sum == 1 ? 1 : 0;
}
