/*
 * The trace format (trace-format/): random event streams round-trip, a
 * trace cut at every byte offset yields a valid prefix or a clear error,
 * flipped bits never pass unnoticed, and the checked-in golden traces keep
 * reading as they did.  Built with AddressSanitizer (see the Makefile).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "trace-format/rrv_trace.h"

/* A deterministic generator, so a failure reproduces. */
static uint64_t rng_state;
static uint64_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

struct sample {
	size_t n;
	struct rrv_trace_event *ev;
	struct rrv_trace_range *ranges;
	uint8_t *data;
};

static void make_sample(struct sample *s, size_t n, uint64_t seed, size_t maxlen)
{
	rng_state = seed;
	s->n = n;
	s->ev = calloc(n, sizeof(*s->ev));
	s->ranges = calloc(n * 4, sizeof(*s->ranges));
	s->data = malloc(n * 4 * maxlen + 1);
	assert_non_null(s->ev);
	size_t used = 0;
	for (size_t i = 0; i < n; i++) {
		struct rrv_trace_event *e = &s->ev[i];
		e->type = 1 + (uint32_t)(rnd() % (RRV_EV_MAX - 1));
		e->nr = (uint32_t)(rnd() % 300);
		e->tid = (uint32_t)(rnd() % 5);
		e->digest = rnd();
		e->ret = (int64_t)rnd() >> (rnd() % 64);
		e->rip = rnd() >> (rnd() % 64);
		e->count = rnd() % 1000000;
		e->nranges = (uint32_t)(rnd() % 4);
		e->ranges = &s->ranges[i * 4];
		for (uint32_t k = 0; k < e->nranges; k++) {
			size_t len = maxlen ? rnd() % maxlen : 0;
			for (size_t b = 0; b < len; b++) /* compressible, mostly */
				s->data[used + b] = (uint8_t)(rnd() % 4 == 0 ? rnd() : b);
			s->ranges[i * 4 + k] = (struct rrv_trace_range){
				rnd() % (1ull << 32), len, s->data + used };
			used += len;
		}
	}
}

static void free_sample(struct sample *s)
{
	free(s->ev);
	free(s->ranges);
	free(s->data);
}

static struct rrv_trace_fields *sample_header(void)
{
	struct rrv_trace_fields *h = rrv_trace_fields_create();
	assert_non_null(h);
	assert_int_equal(rrv_trace_fields_add_str(h, RRV_TAG_RRV_VERSION, "test"), 0);
	assert_int_equal(rrv_trace_fields_add(h, RRV_TAG_ARGV, "prog\0arg\0", 9), 0);
	assert_int_equal(rrv_trace_fields_add_u64(h, RRV_TAG_MEM_BYTES, 1ull << 30), 0);
	assert_int_equal(rrv_trace_fields_add(h, 999, "unknown tag", 11), 0);
	return h;
}

/* Writes the sample to a memory file; returns its bytes (malloc'd). */
static uint8_t *write_trace(const struct sample *s, size_t chunk, size_t *len)
{
	int fd = memfd_create("trace", 0);
	assert_true(fd >= 0);
	struct rrv_trace_fields *h = sample_header();
	struct rrv_trace_writer *w;
	assert_int_equal(rrv_trace_writer_create(&w, fd, h, chunk), 0);
	for (size_t i = 0; i < s->n; i++)
		assert_int_equal(rrv_trace_writer_add(w, &s->ev[i]), 0);
	struct rrv_trace_fields *f = rrv_trace_fields_create();
	assert_int_equal(rrv_trace_fields_add_u64(f, RRV_TAG_EXIT_STATUS, 42), 0);
	assert_int_equal(rrv_trace_writer_finish(w, f), 0);
	assert_int_equal(rrv_trace_writer_events(w), s->n);
	*len = (size_t)rrv_trace_writer_bytes(w);
	rrv_trace_writer_free(w);
	rrv_trace_fields_free(h);
	rrv_trace_fields_free(f);
	uint8_t *buf = malloc(*len);
	assert_int_equal(pread(fd, buf, *len, 0), (ssize_t)*len);
	close(fd);
	return buf;
}

static void assert_event_equal(const struct rrv_trace_event *a,
			       const struct rrv_trace_event *b)
{
	assert_int_equal(a->type, b->type);
	assert_int_equal(a->nr, b->nr);
	assert_int_equal(a->tid, b->tid);
	assert_int_equal(a->digest, b->digest);
	assert_int_equal(a->ret, b->ret);
	assert_int_equal(a->rip, b->rip);
	assert_int_equal(a->count, b->count);
	assert_int_equal(a->nranges, b->nranges);
	for (uint32_t k = 0; k < a->nranges; k++) {
		assert_int_equal(a->ranges[k].gpa, b->ranges[k].gpa);
		assert_int_equal(a->ranges[k].len, b->ranges[k].len);
		if (a->ranges[k].len)
			assert_memory_equal(a->ranges[k].data, b->ranges[k].data,
					    a->ranges[k].len);
	}
}

/* Reads buf as far as it goes, checking each event against the sample.
 * Returns the final status (0 clean end, or an error) and the count. */
static int read_prefix(const uint8_t *buf, size_t len, const struct sample *s,
		       size_t *count)
{
	*count = 0;
	struct rrv_trace_reader *r;
	int err = rrv_trace_reader_open_mem(&r, buf, len);
	if (err)
		return err;
	struct rrv_trace_event e;
	int got;
	while ((got = rrv_trace_reader_next(r, &e)) == 1) {
		assert_true(*count < s->n);
		assert_event_equal(&e, &s->ev[*count]);
		(*count)++;
	}
	/* Errors are sticky: asking again gives the same answer. */
	assert_int_equal(rrv_trace_reader_next(r, &e), got);
	rrv_trace_reader_free(r);
	return got;
}

static void random_streams_round_trip(void **state)
{
	(void)state;
	static const struct { size_t n, chunk, maxlen; } cases[] = {
		{ 0, 0, 0 }, { 1, 0, 16 }, { 1000, 512, 64 }, { 5000, 0, 300 },
		{ 300, 64, 5000 }, /* events bigger than a chunk */
	};
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		struct sample s;
		make_sample(&s, cases[c].n, 0x1234 + c, cases[c].maxlen);
		size_t len;
		uint8_t *buf = write_trace(&s, cases[c].chunk, &len);

		struct rrv_trace_reader *r;
		assert_int_equal(rrv_trace_reader_open_mem(&r, buf, len), 0);
		const struct rrv_trace_fields *h = rrv_trace_reader_header(r);
		const struct rrv_trace_field *v = rrv_trace_fields_get(h, RRV_TAG_RRV_VERSION);
		assert_non_null(v);
		assert_memory_equal(v->data, "test", 4);
		uint64_t mem;
		assert_int_equal(rrv_trace_fields_u64(h, RRV_TAG_MEM_BYTES, &mem), 0);
		assert_int_equal(mem, 1ull << 30);
		assert_non_null(rrv_trace_fields_get(h, 999));
		const struct rrv_trace_fields *f = rrv_trace_reader_footer(r);
		assert_non_null(f);
		uint64_t st, cnt;
		assert_int_equal(rrv_trace_fields_u64(f, RRV_TAG_EXIT_STATUS, &st), 0);
		assert_int_equal(st, 42);
		assert_int_equal(rrv_trace_fields_u64(f, RRV_TAG_EVENT_COUNT, &cnt), 0);
		assert_int_equal(cnt, s.n);
		rrv_trace_reader_free(r);

		size_t count;
		assert_int_equal(read_prefix(buf, len, &s, &count), 0);
		assert_int_equal(count, s.n);
		free(buf);
		free_sample(&s);
	}
}

static void cut_at_every_offset(void **state)
{
	(void)state;
	struct sample s;
	make_sample(&s, 200, 77, 40);
	size_t len;
	uint8_t *buf = write_trace(&s, 256, &len); /* many small chunks */
	size_t best = 0;
	for (size_t cut = 0; cut < len; cut++) {
		/* A fresh allocation of exactly cut bytes, so that ASan sees
		 * any read past the end. */
		uint8_t *part = malloc(cut ? cut : 1);
		memcpy(part, buf, cut);
		size_t count;
		int got = read_prefix(part, cut, &s, &count);
		assert_true(got < 0); /* never a clean end without the trailer */
		assert_true(got == RRV_TRACE_E_TRUNCATED || got == RRV_TRACE_E_NOT_TRACE);
		if (got == RRV_TRACE_E_NOT_TRACE)
			assert_true(cut < 8);
		/* Longer prefixes never give fewer events. */
		assert_true(count >= best);
		best = count;
		free(part);
	}
	assert_true(best > 150); /* nearly all of it survives the last cut */
	free(buf);
	free_sample(&s);
}

static void flipped_bits_are_detected(void **state)
{
	(void)state;
	struct sample s;
	make_sample(&s, 100, 99, 30);
	size_t len;
	uint8_t *buf = write_trace(&s, 300, &len);
	uint8_t *copy = malloc(len);
	for (size_t i = 0; i < len; i++) {
		memcpy(copy, buf, len);
		copy[i] ^= (uint8_t)(1u << (i % 8));
		size_t count;
		int got = read_prefix(copy, len, &s, &count);
		/* Whatever the damage, it is reported, and every event handed
		 * out before the report was the real one (read_prefix checks). */
		assert_true(got < 0);
	}
	free(copy);
	free(buf);
	free_sample(&s);
}

static void header_errors(void **state)
{
	(void)state;
	struct sample s;
	make_sample(&s, 3, 5, 8);
	size_t len;
	uint8_t *buf = write_trace(&s, 0, &len);
	struct rrv_trace_reader *r;

	assert_int_equal(rrv_trace_reader_open_mem(&r, "#!/bin/sh\necho hi\n", 18),
			 RRV_TRACE_E_NOT_TRACE);
	assert_int_equal(rrv_trace_reader_open_mem(&r, buf, 20), RRV_TRACE_E_TRUNCATED);

	uint8_t *m = malloc(len);
	memcpy(m, buf, len);
	m[8] = 3; /* major 3: refused before anything else is looked at */
	assert_int_equal(rrv_trace_reader_open_mem(&r, m, len), RRV_TRACE_E_VERSION);

	memcpy(m, buf, len);
	m[12] = 183; /* EM_AARCH64, with a correct header checksum */
	extern uint32_t crc32c(uint32_t, const void *, size_t);
	uint32_t crc = crc32c(0, m, 28);
	for (int i = 0; i < 4; i++)
		m[28 + i] = (uint8_t)(crc >> (8 * i));
	assert_int_equal(rrv_trace_reader_open_mem(&r, m, len), RRV_TRACE_E_ARCH);

	memcpy(m, buf, len);
	m[13] ^= 1; /* reserved bits, without fixing the checksum */
	assert_int_equal(rrv_trace_reader_open_mem(&r, m, len), RRV_TRACE_E_CHECKSUM);

	for (int e = RRV_TRACE_E_FOOTER; e <= 0; e++)
		assert_string_not_equal(rrv_trace_strerror(e), "unknown trace error");
	assert_string_equal(rrv_trace_strerror(-1000), "unknown trace error");
	free(m);
	free(buf);
	free_sample(&s);
}

static void full_disk_is_reported(void **state)
{
	(void)state;
	int fd = open("/dev/full", O_WRONLY);
	if (fd < 0)
		skip();
	struct rrv_trace_fields *h = sample_header();
	struct rrv_trace_writer *w = NULL;
	assert_int_equal(rrv_trace_writer_create(&w, fd, h, 0), RRV_TRACE_E_NOSPACE);
	rrv_trace_fields_free(h);
	close(fd);
}

/*
 * A disk that fills partway: a memory file that cannot grow past room
 * bytes (F_SEAL_GROW; a write that crosses the line is cut short, as on
 * a full disk).  The writer stops, cuts the torn chunk off, and its kept
 * counts are exactly what a reader then gets.
 */
static void full_disk_midway_keeps_whole_chunks(void **state)
{
	(void)state;
	struct sample s;
	make_sample(&s, 400, 31, 300);
	size_t full;
	free(write_trace(&s, 2000, &full));
	static const size_t rooms[] = { 3, 2, 1 }; /* in quarters of the trace */
	for (size_t k = 0; k < sizeof(rooms) / sizeof(rooms[0]); k++) {
		size_t room = full * rooms[k] / 4;
		int fd = memfd_create("trace", MFD_ALLOW_SEALING);
		assert_true(fd >= 0);
		assert_int_equal(ftruncate(fd, (off_t)room), 0);
		assert_int_equal(fcntl(fd, F_ADD_SEALS, F_SEAL_GROW), 0);
		struct rrv_trace_fields *h = sample_header();
		struct rrv_trace_writer *w;
		assert_int_equal(rrv_trace_writer_create(&w, fd, h, 2000), 0);
		int err = 0;
		for (size_t i = 0; i < s.n && !err; i++)
			err = rrv_trace_writer_add(w, &s.ev[i]);
		if (!err)
			err = rrv_trace_writer_finish(w, NULL);
		assert_int_equal(err, RRV_TRACE_E_IO); /* EPERM, the seal's errno */
		/* Sticky: nothing more is written. */
		assert_int_equal(rrv_trace_writer_add(w, &s.ev[0]), RRV_TRACE_E_IO);
		uint64_t kept = rrv_trace_writer_kept_events(w);
		uint64_t bytes = rrv_trace_writer_kept_bytes(w);
		assert_true(kept > 0 && kept < s.n);
		assert_true(kept < rrv_trace_writer_events(w));
		assert_true(bytes <= room);
		struct stat st;
		assert_int_equal(fstat(fd, &st), 0);
		assert_int_equal((uint64_t)st.st_size, bytes); /* the torn chunk is gone */
		uint8_t *buf = malloc(bytes);
		assert_int_equal(pread(fd, buf, bytes, 0), (ssize_t)bytes);
		size_t count;
		assert_int_equal(read_prefix(buf, bytes, &s, &count), RRV_TRACE_E_TRUNCATED);
		assert_int_equal(count, kept);
		free(buf);
		rrv_trace_writer_free(w);
		rrv_trace_fields_free(h);
		close(fd);
	}
	free_sample(&s);
}

/* A footer that fails its checksum: every event is still read, then the
 * reader names the footer (not a torn chunk, not a clean end). */
static void damaged_footer_is_named(void **state)
{
	(void)state;
	struct sample s;
	make_sample(&s, 50, 8, 40);
	size_t len, count;
	uint8_t *buf = write_trace(&s, 500, &len);
	buf[len - 17] ^= 0x40; /* the footer's last byte, before the trailer */
	assert_int_equal(read_prefix(buf, len, &s, &count), RRV_TRACE_E_FOOTER);
	assert_int_equal(count, s.n);
	struct rrv_trace_reader *r;
	assert_int_equal(rrv_trace_reader_open_mem(&r, buf, len), 0);
	assert_null(rrv_trace_reader_footer(r));
	rrv_trace_reader_free(r);
	free(buf);
	free_sample(&s);
}

static void not_a_regular_file(void **state)
{
	(void)state;
	struct rrv_trace_reader *r;
	assert_int_equal(rrv_trace_reader_open(&r, "/dev/null"), RRV_TRACE_E_NOT_FILE);
	assert_int_equal(errno, ENODEV);
	assert_int_equal(rrv_trace_reader_open(&r, "/"), RRV_TRACE_E_NOT_FILE);
	assert_int_equal(errno, EISDIR);
	assert_int_equal(rrv_trace_reader_open(&r, "/nonexistent.rrv"), RRV_TRACE_E_IO);
	assert_int_equal(errno, ENOENT);
}

static void golden_traces_still_read(void **state)
{
	(void)state;
	/* Checked in by tests/traces/README.md's recipe; a change to the
	 * format that breaks these breaks old users' traces. */
	static const struct {
		const char *file;
		int open_result, final_result;
		uint64_t events;
	} golden[] = {
		{ "tests/traces/valid-v1.0.rrv", 0, 0, 3 },
		{ "tests/traces/truncated.rrv", 0, RRV_TRACE_E_TRUNCATED, 2 },
		{ "tests/traces/bad-checksum.rrv", 0, RRV_TRACE_E_CHECKSUM, 2 },
		/* Written as "newer" when the format was 1.0: since 2.0 is
		 * read, its major byte is looked at as 2, and the header
		 * checksum (made for the byte 1) catches the change. */
		{ "tests/traces/newer-major.rrv", RRV_TRACE_E_CHECKSUM, 0, 0 },
		{ "tests/traces/valid-v2.0.rrv", 0, 0, 4 },
		{ "tests/traces/valid-v2.2-packed.rrv", 0, 0, 4 },
		{ "tests/traces/newer-major-v3.rrv", RRV_TRACE_E_VERSION, 0, 0 },
		{ "tests/traces/not-a-trace.rrv", RRV_TRACE_E_NOT_TRACE, 0, 0 },
	};
	for (size_t i = 0; i < sizeof(golden) / sizeof(golden[0]); i++) {
		struct rrv_trace_reader *r;
		int got = rrv_trace_reader_open(&r, golden[i].file);
		if (got != golden[i].open_result)
			fail_msg("%s: open gave %d (%s), expected %d", golden[i].file,
				 got, rrv_trace_strerror(got), golden[i].open_result);
		if (got)
			continue;
		struct rrv_trace_event e;
		uint64_t n = 0;
		while ((got = rrv_trace_reader_next(r, &e)) == 1)
			n++;
		if (got != golden[i].final_result || n != golden[i].events)
			fail_msg("%s: %llu events then %d, expected %llu then %d",
				 golden[i].file, (unsigned long long)n, got,
				 (unsigned long long)golden[i].events,
				 golden[i].final_result);
		rrv_trace_reader_free(r);
	}
}

/* Events whose ranges repeat whole blocks, as a program that maps one
 * library twice makes: they round-trip through every chunking, and the
 * trace stores each block once. */
/* Marks: every place read once can be gone back to, in any order, and
 * the events from there are the same again (dedup blocks included, which
 * a reloaded chunk must not store twice); a mark never given is refused. */
static void seek_to_marks(const struct sample *s, size_t chunk)
{
	size_t len;
	uint8_t *buf = write_trace(s, chunk, &len);
	struct rrv_trace_reader *r;
	assert_int_equal(rrv_trace_reader_open_mem(&r, buf, len), 0);
	struct rrv_trace_mark *marks = calloc(s->n + 1, sizeof(*marks));
	assert_non_null(marks);
	struct rrv_trace_event e;
	for (size_t i = 0; i < s->n; i++) {
		rrv_trace_reader_tell(r, &marks[i]);
		assert_int_equal(marks[i].events, i);
		assert_int_equal(rrv_trace_reader_next(r, &e), 1);
		assert_event_equal(&e, &s->ev[i]);
	}
	rrv_trace_reader_tell(r, &marks[s->n]);
	assert_int_equal(rrv_trace_reader_next(r, &e), 0);
	rng_state = 99;
	for (int k = 0; k < 60; k++) {
		size_t at = (size_t)(rnd() % (s->n + 1));
		assert_int_equal(rrv_trace_reader_seek(r, &marks[at]), 0);
		assert_int_equal(rrv_trace_reader_position(r), at);
		/* A few events from there, or to the end. */
		size_t upto = k % 5 == 0 ? s->n : at + (size_t)(rnd() % 7);
		for (size_t i = at; i < upto && i < s->n; i++) {
			assert_int_equal(rrv_trace_reader_next(r, &e), 1);
			assert_event_equal(&e, &s->ev[i]);
		}
		if (upto >= s->n)
			assert_int_equal(rrv_trace_reader_next(r, &e), 0);
	}
	struct rrv_trace_mark bad = marks[s->n / 2];
	bad.chunk_off = len + 10;
	assert_int_equal(rrv_trace_reader_seek(r, &bad), RRV_TRACE_E_STATE);
	bad = marks[1];
	bad.first = bad.events + 1;
	assert_int_equal(rrv_trace_reader_seek(r, &bad), RRV_TRACE_E_STATE);
	/* After a refused mark, a good one still works. */
	assert_int_equal(rrv_trace_reader_seek(r, &marks[0]), 0);
	assert_int_equal(rrv_trace_reader_next(r, &e), 1);
	assert_event_equal(&e, &s->ev[0]);
	free(marks);
	rrv_trace_reader_free(r);
	free(buf);
}

static void reader_seeks_back(void **state)
{
	(void)state;
	struct sample s;
	make_sample(&s, 300, 5, 200);
	seek_to_marks(&s, 1);    /* one event a chunk */
	seek_to_marks(&s, 2000); /* several a chunk */
	seek_to_marks(&s, 0);    /* one chunk */
	free_sample(&s);
	/* Dedup: blocks that later chunks refer to. */
	enum { NB = 4, NEV = 30 };
	static uint8_t blocks[NB][RRV_TRACE_BLOCK_SIZE];
	static uint8_t data[NEV][2 * RRV_TRACE_BLOCK_SIZE];
	struct rrv_trace_range ranges[NEV];
	struct rrv_trace_event ev[NEV];
	for (int b = 0; b < NB; b++)
		for (size_t i = 0; i < RRV_TRACE_BLOCK_SIZE; i++)
			blocks[b][i] = (uint8_t)rnd();
	for (int i = 0; i < NEV; i++) {
		for (int k = 0; k < 2; k++)
			memcpy(data[i] + k * RRV_TRACE_BLOCK_SIZE, blocks[rnd() % NB],
			       RRV_TRACE_BLOCK_SIZE);
		ranges[i] = (struct rrv_trace_range){ 0x100000, sizeof(data[i]), data[i] };
		ev[i] = (struct rrv_trace_event){ .type = RRV_EV_HYPERCALL, .nr = 8,
						  .digest = rnd(), .nranges = 1,
						  .ranges = &ranges[i] };
	}
	struct sample d = { NEV, ev, NULL, NULL };
	seek_to_marks(&d, 1);
	seek_to_marks(&d, 9000);
}

static void dedup_round_trip(void **state)
{
	(void)state;
	enum { NB = 6, NEV = 40 };
	static uint8_t blocks[NB][RRV_TRACE_BLOCK_SIZE];
	static uint8_t data[NEV][3 * RRV_TRACE_BLOCK_SIZE + 100];
	struct rrv_trace_range ranges[NEV][2];
	struct rrv_trace_event ev[NEV];
	rng_state = 77;
	for (int b = 0; b < NB; b++)
		for (size_t i = 0; i < RRV_TRACE_BLOCK_SIZE; i++)
			blocks[b][i] = (uint8_t)rnd(); /* incompressible */
	for (int i = 0; i < NEV; i++) {
		/* Three blocks picked from the few, then a short tail. */
		for (int k = 0; k < 3; k++)
			memcpy(data[i] + k * RRV_TRACE_BLOCK_SIZE, blocks[rnd() % NB],
			       RRV_TRACE_BLOCK_SIZE);
		for (int k = 0; k < 100; k++)
			data[i][3 * RRV_TRACE_BLOCK_SIZE + k] = (uint8_t)rnd();
		size_t len = i % 4 == 0 ? 3 * RRV_TRACE_BLOCK_SIZE + 100 : 3 * RRV_TRACE_BLOCK_SIZE;
		ranges[i][0] = (struct rrv_trace_range){ 0x1000u * (uint64_t)i, 24, data[i] };
		ranges[i][1] = (struct rrv_trace_range){ 0x100000, len, data[i] };
		ev[i] = (struct rrv_trace_event){ .type = RRV_EV_HYPERCALL, .nr = 8,
						  .digest = rnd(), .ret = (int64_t)len,
						  .nranges = 2, .ranges = ranges[i] };
	}
	struct sample s = { NEV, ev, NULL, NULL };
	static const size_t chunks[] = { 0, 1, 5000, 30000 };
	for (size_t c = 0; c < sizeof(chunks) / sizeof(chunks[0]); c++) {
		size_t len, count;
		uint8_t *buf = write_trace(&s, chunks[c], &len);
		assert_int_equal(read_prefix(buf, len, &s, &count), 0);
		assert_int_equal(count, NEV);
		/* Each distinct block once, plus the small parts. */
		assert_true(len < NB * RRV_TRACE_BLOCK_SIZE + NEV * 300 + 4096);
		/* Cut anywhere: a valid prefix or a clear error, never a
		 * wrong event (read_prefix checks each one). */
		for (size_t cut = 0; cut < len; cut += 97) {
			int r = read_prefix(buf, cut, &s, &count);
			assert_true(r == 0 || rrv_trace_is_error(r));
		}
		free(buf);
	}
}

/* Format 2.1: input copies (gpa bit 63) and tids travel as written, and
 * the file says 2.1. */
static void input_copies_and_tids_round_trip(void **state)
{
	(void)state;
	static const uint8_t args[40] = { 1, 2, 3 };
	static const char path[] = "/etc/hosts";
	struct rrv_trace_range ranges[2] = {
		{ 0x2000, sizeof(args), args },
		{ RRV_TRACE_INPUT_BIT | 5000, sizeof(path), (const uint8_t *)path },
	};
	struct rrv_trace_event ev = { .type = RRV_EV_HYPERCALL, .nr = 6, .tid = 4242,
				      .digest = 9, .ret = 3, .nranges = 2,
				      .ranges = ranges };
	struct sample s = { 1, &ev, NULL, NULL };
	size_t len, count;
	uint8_t *buf = write_trace(&s, 0, &len);
	assert_int_equal(read_prefix(buf, len, &s, &count), 0);
	assert_int_equal(count, 1);
	struct rrv_trace_reader *r;
	assert_int_equal(rrv_trace_reader_open_mem(&r, buf, len), 0);
	unsigned major, minor;
	rrv_trace_reader_version(r, &major, &minor);
	assert_int_equal(major, 2);
	assert_int_equal(minor, RRV_TRACE_MINOR);
	struct rrv_trace_event e;
	assert_int_equal(rrv_trace_reader_next(r, &e), 1);
	assert_int_equal(e.tid, 4242);
	assert_false(rrv_trace_range_is_input(&e.ranges[0]));
	assert_true(rrv_trace_range_is_input(&e.ranges[1]));
	assert_int_equal(rrv_trace_input_len(&e.ranges[1]), 5000);
	assert_int_equal(e.ranges[1].len, sizeof(path));
	assert_memory_equal(e.ranges[1].data, path, sizeof(path));
	rrv_trace_reader_free(r);
	free(buf);
}

/* The program's ELF in the header is stored as blocks: the header still
 * reads as PROGRAM_IMAGE, and a page of it read later costs a reference. */
static void program_image_blocks(void **state)
{
	(void)state;
	enum { IMG = 5 * RRV_TRACE_BLOCK_SIZE + 123 };
	static uint8_t img[IMG];
	rng_state = 99;
	for (size_t i = 0; i < IMG; i++)
		img[i] = (uint8_t)rnd();
	int fd = memfd_create("trace", 0);
	struct rrv_trace_fields *h = sample_header();
	assert_int_equal(rrv_trace_fields_add(h, RRV_TAG_PROGRAM_IMAGE, img, IMG), 0);
	struct rrv_trace_writer *w;
	assert_int_equal(rrv_trace_writer_create(&w, fd, h, 0), 0);
	struct rrv_trace_range rg = { 0x5000, 2 * RRV_TRACE_BLOCK_SIZE, img + RRV_TRACE_BLOCK_SIZE };
	struct rrv_trace_event e = { .type = RRV_EV_HYPERCALL, .nr = 8, .ret = 8192,
				     .nranges = 1, .ranges = &rg };
	assert_int_equal(rrv_trace_writer_add(w, &e), 0);
	assert_int_equal(rrv_trace_writer_finish(w, NULL), 0);
	size_t len = (size_t)rrv_trace_writer_bytes(w);
	assert_int_equal(rrv_trace_writer_dedup_bytes(w), 2 * RRV_TRACE_BLOCK_SIZE);
	rrv_trace_writer_free(w);
	rrv_trace_fields_free(h);
	assert_true(len < IMG + 1024);
	uint8_t *buf = malloc(len);
	assert_int_equal(pread(fd, buf, len, 0), (ssize_t)len);
	close(fd);
	struct rrv_trace_reader *r;
	assert_int_equal(rrv_trace_reader_open_mem(&r, buf, len), 0);
	const struct rrv_trace_field *f =
		rrv_trace_fields_get(rrv_trace_reader_header(r), RRV_TAG_PROGRAM_IMAGE);
	assert_non_null(f);
	assert_int_equal(f->len, IMG);
	assert_memory_equal(f->data, img, IMG);
	struct rrv_trace_event got;
	assert_int_equal(rrv_trace_reader_next(r, &got), 1);
	assert_event_equal(&got, &e);
	assert_int_equal(rrv_trace_reader_next(r, &got), 0);
	rrv_trace_reader_free(r);
	free(buf);
}

/* Format 2.1: the footer of a recording a signal to rrv interrupted
 * holds INTERRUPTED and EXIT_HOW 3; the file says 2.1; its events before
 * the stop read whole, then the clean end. */
static void interrupted_footer(void **state)
{
	(void)state;
	struct sample s;
	make_sample(&s, 40, 7, 300);
	int fd = memfd_create("trace", 0);
	assert_true(fd >= 0);
	struct rrv_trace_fields *h = sample_header();
	struct rrv_trace_writer *w;
	assert_int_equal(rrv_trace_writer_create(&w, fd, h, 512), 0);
	for (size_t i = 0; i < s.n; i++)
		assert_int_equal(rrv_trace_writer_add(w, &s.ev[i]), 0);
	struct rrv_trace_fields *f = rrv_trace_fields_create();
	assert_int_equal(rrv_trace_fields_add_u64(f, RRV_TAG_INTERRUPTED, 15), 0);
	assert_int_equal(rrv_trace_fields_add_u64(f, RRV_TAG_EXIT_HOW, 3), 0);
	assert_int_equal(rrv_trace_fields_add_u64(f, RRV_TAG_EXIT_CODE, 143), 0);
	assert_int_equal(rrv_trace_writer_finish(w, f), 0);
	size_t len = (size_t)rrv_trace_writer_bytes(w);
	rrv_trace_writer_free(w);
	rrv_trace_fields_free(h);
	rrv_trace_fields_free(f);
	uint8_t *buf = malloc(len);
	assert_int_equal(pread(fd, buf, len, 0), (ssize_t)len);
	close(fd);

	struct rrv_trace_reader *r;
	assert_int_equal(rrv_trace_reader_open_mem(&r, buf, len), 0);
	unsigned major, minor;
	rrv_trace_reader_version(r, &major, &minor);
	assert_int_equal(major, 2);
	assert_int_equal(minor, RRV_TRACE_MINOR);
	uint64_t v;
	const struct rrv_trace_fields *foot = rrv_trace_reader_footer(r);
	assert_non_null(foot);
	assert_int_equal(rrv_trace_fields_u64(foot, RRV_TAG_INTERRUPTED, &v), 0);
	assert_int_equal(v, 15);
	assert_int_equal(rrv_trace_fields_u64(foot, RRV_TAG_EXIT_HOW, &v), 0);
	assert_int_equal(v, 3);
	struct rrv_trace_event got;
	for (size_t i = 0; i < s.n; i++) {
		assert_int_equal(rrv_trace_reader_next(r, &got), 1);
		assert_event_equal(&got, &s.ev[i]);
	}
	assert_int_equal(rrv_trace_reader_next(r, &got), 0);
	rrv_trace_reader_free(r);
	free(buf);
	free_sample(&s);
}

/* Format 2.2: a PACKED_FILE field round-trips its paths and content, and
 * malformed ones are refused, never read past. */
static void packed_file_round_trip(void **state)
{
	(void)state;
	enum { N = 3 * RRV_TRACE_BLOCK_SIZE + 17 };
	static uint8_t content[N];
	rng_state = 5;
	for (size_t i = 0; i < N; i++)
		content[i] = (uint8_t)(i % 7 == 0 ? rnd() : i);
	static const char paths[] = "/lib/x86_64-linux-gnu/libc.so.6\0/usr/lib/x86_64-linux-gnu/libc.so.6";
	struct rrv_trace_fields *f = rrv_trace_fields_create();
	assert_int_equal(rrv_trace_packed_add(f, paths, sizeof(paths), content, N), 0);
	assert_int_equal(rrv_trace_packed_add(f, "", 1, content, N), RRV_TRACE_E_STATE);
	assert_int_equal(rrv_trace_packed_add(f, "/x", 2, content, N), RRV_TRACE_E_STATE);
	const struct rrv_trace_field *g = rrv_trace_fields_get(f, RRV_TAG_PACKED_FILE);
	assert_non_null(g);
	assert_true(g->len < N); /* compressed */
	struct rrv_trace_packed p;
	assert_int_equal(rrv_trace_packed_parse(g, &p), 0);
	assert_int_equal(p.size, N);
	const char *a = rrv_trace_packed_next_path(&p, NULL);
	assert_string_equal(a, "/lib/x86_64-linux-gnu/libc.so.6");
	const char *b = rrv_trace_packed_next_path(&p, a);
	assert_string_equal(b, "/usr/lib/x86_64-linux-gnu/libc.so.6");
	assert_null(rrv_trace_packed_next_path(&p, b));
	assert_true(rrv_trace_packed_has_path(&p, b));
	assert_false(rrv_trace_packed_has_path(&p, "/lib/x86_64-linux-gnu/libc.so"));
	uint8_t *out = malloc(N);
	assert_int_equal(rrv_trace_packed_read(&p, out), 0);
	assert_memory_equal(out, content, N);

	/* Every cut of the field is refused or reads wrong size: no overrun
	 * (ASan watches), and a flipped content byte fails the digest. */
	for (uint32_t cut = 0; cut < g->len; cut++) {
		struct rrv_trace_field t = { RRV_TAG_PACKED_FILE, cut, g->data };
		if (rrv_trace_packed_parse(&t, &p) == 0)
			assert_int_not_equal(rrv_trace_packed_read(&p, out), 0);
	}
	uint8_t *copy = malloc(g->len);
	memcpy(copy, g->data, g->len);
	copy[0] ^= 0x40; /* the digest */
	struct rrv_trace_field t = { RRV_TAG_PACKED_FILE, g->len, copy };
	assert_int_equal(rrv_trace_packed_parse(&t, &p), 0);
	assert_int_equal(rrv_trace_packed_read(&p, out), RRV_TRACE_E_CHECKSUM);
	/* Two NULs in a row: an empty path. */
	static const uint8_t empty_path[] = { 0, 0, 0, 0, 0, 0, 0, 0, 1, 3, '/', 0, 0, 0 };
	t = (struct rrv_trace_field){ RRV_TAG_PACKED_FILE, sizeof(empty_path), empty_path };
	assert_int_equal(rrv_trace_packed_parse(&t, &p), RRV_TRACE_E_CORRUPT);
	free(copy);
	free(out);
	rrv_trace_fields_free(f);
}

/* The 2.2 golden trace's packed file reads back as make-golden-v2.2.c
 * wrote it, under both its names. */
static void golden_packed_file(void **state)
{
	(void)state;
	struct rrv_trace_reader *r;
	assert_int_equal(rrv_trace_reader_open(&r, "tests/traces/valid-v2.2-packed.rrv"), 0);
	unsigned major, minor;
	rrv_trace_reader_version(r, &major, &minor);
	assert_int_equal(major, 2);
	assert_int_equal(minor, 2);
	const struct rrv_trace_field *g =
		rrv_trace_fields_get(rrv_trace_reader_header(r), RRV_TAG_PACKED_FILE);
	assert_non_null(g);
	struct rrv_trace_packed p;
	assert_int_equal(rrv_trace_packed_parse(g, &p), 0);
	assert_int_equal(p.size, 5000);
	assert_true(rrv_trace_packed_has_path(&p, "/lib/libgolden.so.1"));
	assert_true(rrv_trace_packed_has_path(&p, "/usr/lib/libgolden.so.1"));
	static uint8_t got[5000];
	assert_int_equal(rrv_trace_packed_read(&p, got), 0);
	for (size_t i = 4; i < sizeof(got); i++)
		assert_int_equal(got[i], (uint8_t)(i * 13 + i / 97));
	assert_memory_equal(got, "\177ELF", 4);
	rrv_trace_reader_free(r);
}

/* Writes buf to a new file under /tmp; returns its path (static). */
static const char *to_file(const uint8_t *buf, size_t len, const char *name)
{
	static char path[2][64];
	static int which;
	char *p = path[which++ % 2];
	snprintf(p, 64, "/tmp/rrv-test-trace-%d-%s", (int)getpid(), name);
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, buf, len), (ssize_t)len);
	close(fd);
	return p;
}

/* Rewrites the trace file in to a memory file with add appended. */
static uint8_t *rewrite(const char *in, const struct rrv_trace_fields *add, size_t *len)
{
	int fd = memfd_create("packed", 0);
	assert_true(fd >= 0);
	assert_int_equal(rrv_trace_rewrite(in, fd, add), 0);
	struct stat st;
	assert_int_equal(fstat(fd, &st), 0);
	*len = (size_t)st.st_size;
	uint8_t *buf = malloc(*len);
	assert_int_equal(pread(fd, buf, *len, 0), (ssize_t)*len);
	close(fd);
	return buf;
}

/* rrv pack's rewrite: the events read as before (blocks included), the
 * footer keeps its fields with an index that points at the moved chunks,
 * the header keeps its fields and gains the new ones, the file says 2.2;
 * a second rewrite keeps the first one's fields. */
static void rewrite_adds_header_fields(void **state)
{
	(void)state;
	struct sample s;
	make_sample(&s, 300, 77, 5000);
	size_t len, plen, p2len, count;
	uint8_t *buf = write_trace(&s, 4096, &len);
	const char *in = to_file(buf, len, "plain");
	struct rrv_trace_fields *add = rrv_trace_fields_create();
	static const char lib[] = "\177ELF a library";
	assert_int_equal(rrv_trace_packed_add(add, "/lib/libx.so", 13, lib, sizeof(lib)), 0);
	uint8_t *packed = rewrite(in, add, &plen);
	assert_true(plen > len);
	assert_int_equal(read_prefix(packed, plen, &s, &count), 0);
	assert_int_equal(count, s.n);

	struct rrv_trace_reader *r;
	assert_int_equal(rrv_trace_reader_open_mem(&r, packed, plen), 0);
	unsigned major, minor;
	rrv_trace_reader_version(r, &major, &minor);
	assert_int_equal(major, 2);
	assert_int_equal(minor, RRV_TRACE_MINOR);
	const struct rrv_trace_fields *h = rrv_trace_reader_header(r);
	assert_non_null(rrv_trace_fields_get(h, 999));
	assert_non_null(rrv_trace_fields_get(h, RRV_TAG_PACKED_FILE));
	uint64_t v;
	assert_int_equal(rrv_trace_fields_u64(rrv_trace_reader_footer(r), RRV_TAG_EXIT_STATUS, &v), 0);
	assert_int_equal(v, 42);
	const struct rrv_trace_field *idx =
		rrv_trace_fields_get(rrv_trace_reader_footer(r), RRV_TAG_INDEX);
	assert_non_null(idx);
	assert_true(idx->len >= 32); /* several chunks */
	for (uint32_t k = 0; k < idx->len; k += 16) {
		uint64_t off = 0;
		for (int b = 7; b >= 0; b--)
			off = off << 8 | idx->data[k + b];
		assert_true(off + 4 <= plen);
		assert_memory_equal(packed + off, "CHNK", 4);
	}
	rrv_trace_reader_free(r);

	/* Again, with nothing new: the first packed field stays. */
	const char *in2 = to_file(packed, plen, "packed");
	struct rrv_trace_fields *none = rrv_trace_fields_create();
	uint8_t *again = rewrite(in2, none, &p2len);
	assert_int_equal(p2len, plen);
	assert_memory_equal(again, packed, plen);
	unlink(in);
	unlink(in2);
	rrv_trace_fields_free(none);
	rrv_trace_fields_free(add);
	free(again);
	free(packed);
	free(buf);
	free_sample(&s);
}

/* A trace cut short stays cut short, with the same events; a full disk
 * is named; a 1.0 trace is refused. */
static void rewrite_cut_short_full_disk_old_format(void **state)
{
	(void)state;
	struct sample s;
	make_sample(&s, 200, 78, 300);
	size_t len, plen, count, want;
	uint8_t *buf = write_trace(&s, 1024, &len);
	size_t cut = len * 2 / 3;
	assert_int_equal(read_prefix(buf, cut, &s, &want), RRV_TRACE_E_TRUNCATED);
	const char *in = to_file(buf, cut, "cut");
	struct rrv_trace_fields *add = rrv_trace_fields_create();
	assert_int_equal(rrv_trace_fields_add_str(add, 998, "added"), 0);
	uint8_t *packed = rewrite(in, add, &plen);
	assert_int_equal(read_prefix(packed, plen, &s, &count), RRV_TRACE_E_TRUNCATED);
	assert_int_equal(count, want);

	int full = open("/dev/full", O_WRONLY);
	assert_true(full >= 0);
	assert_int_equal(rrv_trace_rewrite(in, full, add), RRV_TRACE_E_NOSPACE);
	close(full);
	int out = memfd_create("v1", 0);
	assert_int_equal(rrv_trace_rewrite("tests/traces/valid-v1.0.rrv", out, add),
			 RRV_TRACE_E_VERSION);
	close(out);
	unlink(in);
	rrv_trace_fields_free(add);
	free(packed);
	free(buf);
	free_sample(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(random_streams_round_trip),
		cmocka_unit_test(cut_at_every_offset),
		cmocka_unit_test(flipped_bits_are_detected),
		cmocka_unit_test(header_errors),
		cmocka_unit_test(full_disk_is_reported),
		cmocka_unit_test(full_disk_midway_keeps_whole_chunks),
		cmocka_unit_test(damaged_footer_is_named),
		cmocka_unit_test(not_a_regular_file),
		cmocka_unit_test(golden_traces_still_read),
		cmocka_unit_test(dedup_round_trip),
		cmocka_unit_test(reader_seeks_back),
		cmocka_unit_test(program_image_blocks),
		cmocka_unit_test(input_copies_and_tids_round_trip),
		cmocka_unit_test(interrupted_footer),
		cmocka_unit_test(packed_file_round_trip),
		cmocka_unit_test(golden_packed_file),
		cmocka_unit_test(rewrite_adds_header_fields),
		cmocka_unit_test(rewrite_cut_short_full_disk_old_format),
	};
	return cmocka_run_group_tests_name("trace", tests, NULL, NULL);
}
