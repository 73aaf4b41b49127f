/*
 * The trace writer.  Events are encoded into a raw buffer; at about
 * chunk_bytes the buffer is compressed into one chunk and written with its
 * header in a single append, so a crash leaves at worst one torn chunk at
 * the end, which the reader recognises as truncation.
 *
 * Deduplication (format 2.0): a range of a block or more is cut into
 * BLOCK_SIZE pieces, and a piece whose bytes were written before is
 * written as the number of that earlier block.  Duplicates are found by
 * a digest and confirmed byte for byte, so a digest collision costs only
 * a missed saving, never a wrong trace.  The writer keeps one copy of
 * every distinct block: the memory a recording needs grows with the
 * distinct contents it saw, as the trace does.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zstd.h>

#include <rrv/digest.h>

#include "codec.h"
#include "rrv_trace.h"

#define DEFAULT_CHUNK (256u << 10)
#define ZSTD_LEVEL 3 /* fast; traces are written while the program runs */

/* One distinct block, in the table of blocks written so far. */
struct block {
	uint64_t digest;
	uint64_t number;   /* from 1; 0 marks a free slot */
	uint32_t len;
	uint8_t *data;
};

struct rrv_trace_writer {
	int fd;
	struct block *blocks; /* open addressing, by digest */
	size_t blocks_cap;    /* a power of two */
	uint64_t nblocks;     /* blocks defined */
	uint64_t dedup_bytes; /* bytes written as references */
	int no_dedup;         /* write every block anew (for measuring) */
	uint64_t offset;      /* bytes written so far */
	size_t chunk_bytes;
	struct buf raw;       /* events not yet written */
	uint32_t raw_events;
	uint64_t events;      /* events added in all */
	uint32_t seq;         /* chunks written */
	struct buf index;     /* (offset, first event) pairs, LE u64 */
	struct buf out;       /* chunk header + compressed bytes */
	ZSTD_CCtx *zc;
	int failed;           /* sticky error: a torn writer writes no more */
	int finished;
	uint64_t kept_events; /* events of the chunks written whole */
	uint64_t kept_bytes;  /* the file's length up to their end */
};

static void encode_blocks(struct rrv_trace_writer *w, struct buf *b, const uint8_t *p,
			  uint64_t len);

/* After a failed write: the error, made sticky, and the file cut back to
 * what was written whole, so that a full disk leaves no torn chunk (a
 * reader would drop it anyway) and what the writer counts as kept is what
 * a reader gets.  A descriptor that cannot be cut (a pipe) stays as is. */
static int torn(struct rrv_trace_writer *w, int err)
{
	if (ftruncate(w->fd, (off_t)w->kept_bytes) == 0)
		w->offset = w->kept_bytes;
	return w->failed = err;
}

static int write_all(struct rrv_trace_writer *w, const uint8_t *p, size_t len)
{
	while (len) {
		ssize_t n = write(w->fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return errno == ENOSPC || errno == EDQUOT ? RRV_TRACE_E_NOSPACE
								  : RRV_TRACE_E_IO;
		}
		p += n;
		len -= (size_t)n;
		w->offset += (uint64_t)n;
	}
	return 0;
}

int rrv_trace_writer_create(struct rrv_trace_writer **out, int fd,
			    const struct rrv_trace_fields *header,
			    size_t chunk_bytes)
{
	struct rrv_trace_writer *w = calloc(1, sizeof(*w));
	if (!w)
		return RRV_TRACE_E_NOMEM;
	w->fd = fd;
	w->chunk_bytes = chunk_bytes ? chunk_bytes : DEFAULT_CHUNK;
	w->zc = ZSTD_createCCtx();
	if (!w->zc) {
		free(w);
		return RRV_TRACE_E_NOMEM;
	}

	/* The program's ELF goes in as blocks (PROGRAM_BLOCKS), so that the
	 * pages the program then reads of itself are references. */
	struct rrv_trace_fields *hf = rrv_trace_fields_create();
	struct buf blocks = { 0 };
	int ferr = hf ? 0 : RRV_TRACE_E_NOMEM;
	for (size_t i = 0; !ferr && i < rrv_trace_fields_count(header); i++) {
		const struct rrv_trace_field *f = rrv_trace_fields_at(header, i);
		if (f->tag != RRV_TAG_PROGRAM_IMAGE) {
			ferr = rrv_trace_fields_add(hf, f->tag, f->data, f->len);
			continue;
		}
		blocks.len = 0;
		encode_blocks(w, &blocks, f->data, f->len);
		ferr = blocks.failed ? RRV_TRACE_E_NOMEM
				     : rrv_trace_fields_add(hf, RRV_TAG_PROGRAM_BLOCKS,
							    blocks.p, blocks.len);
	}
	buf_free(&blocks);
	struct buf fields = { 0 };
	if (!ferr)
		fields_encode(hf, &fields);
	rrv_trace_fields_free(hf);
	if (ferr || fields.failed) {
		buf_free(&fields);
		rrv_trace_writer_free(w);
		return RRV_TRACE_E_NOMEM;
	}
	uint8_t h[FILE_HEADER_SIZE] = { 0 };
	memcpy(h, FILE_MAGIC, 8);
	put_le16(h + 8, RRV_TRACE_MAJOR);
	put_le16(h + 10, RRV_TRACE_MINOR);
	put_le16(h + 12, ARCH_X86_64);
	put_le64(h + 16, fields.len);
	put_le32(h + 24, crc32c(0, fields.p, fields.len));
	put_le32(h + 28, crc32c(0, h, 28));
	int err = write_all(w, h, sizeof(h));
	if (!err)
		err = write_all(w, fields.p, fields.len);
	buf_free(&fields);
	if (err) {
		rrv_trace_writer_free(w);
		return err;
	}
	w->kept_bytes = w->offset;
	*out = w;
	return 0;
}

/* The slot of the block with these bytes, or the free slot where it
 * belongs.  The table is never full (see remember). */
static struct block *lookup(struct rrv_trace_writer *w, uint64_t digest,
			    const uint8_t *p, uint32_t len)
{
	size_t mask = w->blocks_cap - 1;
	for (size_t i = digest & mask;; i = (i + 1) & mask) {
		struct block *b = &w->blocks[i];
		if (!b->number)
			return b;
		if (b->digest == digest && b->len == len && memcmp(b->data, p, len) == 0)
			return b;
	}
}

/* Makes room for one more block: false when memory is out. */
static bool table_room(struct rrv_trace_writer *w)
{
	if (w->nblocks + 1 <= w->blocks_cap / 2)
		return true;
	size_t cap = w->blocks_cap ? w->blocks_cap * 2 : 1024;
	struct block *old = w->blocks;
	size_t old_cap = w->blocks_cap;
	w->blocks = calloc(cap, sizeof(*w->blocks));
	if (!w->blocks) {
		w->blocks = old;
		return false;
	}
	w->blocks_cap = cap;
	for (size_t i = 0; i < old_cap; i++) {
		if (!old[i].number)
			continue;
		struct block *b = lookup(w, old[i].digest, old[i].data, old[i].len);
		*b = old[i];
	}
	free(old);
	return true;
}

/* A range's bytes as pieces: references to earlier blocks, or new blocks
 * (which are remembered).  Out of memory, a piece is written as a new
 * block without being remembered, which readers cannot tell apart. */
static void encode_blocks(struct rrv_trace_writer *w, struct buf *b, const uint8_t *p,
			  uint64_t len)
{
	for (uint64_t off = 0; off < len; off += RRV_TRACE_BLOCK_SIZE) {
		uint32_t n = (uint32_t)(len - off < RRV_TRACE_BLOCK_SIZE ? len - off
								 : RRV_TRACE_BLOCK_SIZE);
		uint64_t d = rrv_digest(RRV_DIGEST_SEED, p + off, n);
		struct block *blk = !w->no_dedup && table_room(w) ? lookup(w, d, p + off, n)
								   : NULL;
		if (blk && blk->number) {
			buf_varint(b, blk->number);
			w->dedup_bytes += n;
			continue;
		}
		/* Every block written gets the next number, remembered or not,
		 * so that numbers agree with the reader's count. */
		uint64_t number = ++w->nblocks;
		uint8_t *copy = blk ? malloc(n) : NULL;
		if (copy) {
			memcpy(copy, p + off, n);
			*blk = (struct block){ d, number, n, copy };
		}
		buf_varint(b, 0);
		buf_put(b, p + off, n);
	}
}

static void encode_event(struct rrv_trace_writer *w, struct buf *b,
			 const struct rrv_trace_event *e)
{
	buf_varint(b, e->type);
	buf_varint(b, e->nr);
	buf_varint(b, e->tid);
	uint8_t d[8];
	put_le64(d, e->digest);
	buf_put(b, d, 8);
	buf_svarint(b, e->ret);
	buf_varint(b, e->rip);
	buf_varint(b, e->count);
	buf_varint(b, e->nranges);
	for (uint32_t i = 0; i < e->nranges; i++) {
		buf_varint(b, e->ranges[i].gpa);
		buf_varint(b, e->ranges[i].len);
		if (e->ranges[i].len < RRV_TRACE_BLOCK_SIZE) {
			buf_varint(b, RRV_RANGE_LITERAL);
			buf_put(b, e->ranges[i].data, e->ranges[i].len);
		} else {
			buf_varint(b, RRV_RANGE_BLOCKS);
			encode_blocks(w, b, e->ranges[i].data, e->ranges[i].len);
		}
	}
}

int rrv_trace_writer_add(struct rrv_trace_writer *w, const struct rrv_trace_event *e)
{
	if (w->failed)
		return w->failed;
	if (w->finished)
		return RRV_TRACE_E_STATE;
	if (e->type == 0 || e->type >= RRV_EV_MAX || e->nranges > RRV_TRACE_RANGES_MAX)
		return RRV_TRACE_E_STATE;
	uint64_t data = 0;
	for (uint32_t i = 0; i < e->nranges; i++)
		data += e->ranges[i].len;
	if (data > RRV_TRACE_EVENT_MAX)
		return RRV_TRACE_E_TOO_BIG;

	encode_event(w, &w->raw, e);
	if (w->raw.failed)
		return w->failed = RRV_TRACE_E_NOMEM;
	w->raw_events++;
	w->events++;
	if (w->raw.len >= w->chunk_bytes)
		return rrv_trace_writer_flush(w);
	return 0;
}

int rrv_trace_writer_flush(struct rrv_trace_writer *w)
{
	if (w->failed)
		return w->failed;
	if (w->raw_events == 0)
		return 0;
	size_t bound = ZSTD_compressBound(w->raw.len);
	w->out.len = 0;
	buf_put(&w->out, NULL, CHUNK_HEADER_SIZE);
	buf_put(&w->out, NULL, bound); /* reserve */
	if (w->out.failed)
		return w->failed = RRV_TRACE_E_NOMEM;
	size_t clen = ZSTD_compressCCtx(w->zc, w->out.p + CHUNK_HEADER_SIZE, bound,
					w->raw.p, w->raw.len, ZSTD_LEVEL);
	if (ZSTD_isError(clen))
		return w->failed = RRV_TRACE_E_COMPRESS;

	uint8_t *h = w->out.p;
	uint64_t first = w->events - w->raw_events;
	put_le32(h, CHUNK_MAGIC);
	put_le32(h + 4, w->seq);
	put_le64(h + 8, first);
	put_le32(h + 16, w->raw_events);
	put_le32(h + 20, (uint32_t)w->raw.len);
	put_le32(h + 24, (uint32_t)clen);
	uint32_t crc = crc32c(0, h, 28);
	put_le32(h + 28, crc32c(crc, h + CHUNK_HEADER_SIZE, clen));

	uint8_t idx[16];
	put_le64(idx, w->offset);
	put_le64(idx + 8, first);
	buf_put(&w->index, idx, sizeof(idx));
	if (w->index.failed)
		return w->failed = RRV_TRACE_E_NOMEM;

	int err = write_all(w, w->out.p, CHUNK_HEADER_SIZE + clen);
	if (err)
		return torn(w, err);
	w->seq++;
	w->raw.len = 0;
	w->raw_events = 0;
	w->kept_events = w->events;
	w->kept_bytes = w->offset;
	return 0;
}

int rrv_trace_writer_finish(struct rrv_trace_writer *w,
			    const struct rrv_trace_fields *footer)
{
	int err = rrv_trace_writer_flush(w);
	if (err)
		return err;
	if (w->finished)
		return RRV_TRACE_E_STATE;
	w->finished = 1;

	/* The caller's fields plus the ones only the writer knows. */
	struct buf body = { 0 };
	size_t n = rrv_trace_fields_count(footer);
	buf_varint(&body, n + 2);
	for (size_t i = 0; i < n; i++) {
		const struct rrv_trace_field *f = rrv_trace_fields_at(footer, i);
		buf_varint(&body, f->tag);
		buf_varint(&body, f->len);
		buf_put(&body, f->data, f->len);
	}
	uint8_t cnt[8];
	put_le64(cnt, w->events);
	buf_varint(&body, RRV_TAG_EVENT_COUNT);
	buf_varint(&body, 8);
	buf_put(&body, cnt, 8);
	buf_varint(&body, RRV_TAG_INDEX);
	buf_varint(&body, w->index.len);
	buf_put(&body, w->index.p, w->index.len);
	if (body.failed) {
		buf_free(&body);
		return w->failed = RRV_TRACE_E_NOMEM;
	}

	uint64_t footer_offset = w->offset;
	uint8_t h[CHUNK_HEADER_SIZE] = { 0 };
	put_le32(h, FOOTER_MAGIC);
	put_le32(h + 4, w->seq);
	put_le64(h + 8, w->events);
	put_le32(h + 20, (uint32_t)body.len);
	put_le32(h + 24, (uint32_t)body.len);
	uint32_t crc = crc32c(0, h, 28);
	put_le32(h + 28, crc32c(crc, body.p, body.len));
	uint8_t t[TRAILER_SIZE];
	put_le64(t, footer_offset);
	memcpy(t + 8, TRAILER_MAGIC, 8);

	err = write_all(w, h, sizeof(h));
	if (!err)
		err = write_all(w, body.p, body.len);
	if (!err)
		err = write_all(w, t, sizeof(t));
	buf_free(&body);
	if (err)
		return torn(w, err);
	w->kept_bytes = w->offset;
	return 0;
}

uint64_t rrv_trace_writer_events(const struct rrv_trace_writer *w)
{
	return w->events;
}

uint64_t rrv_trace_writer_bytes(const struct rrv_trace_writer *w)
{
	return w->offset;
}

uint64_t rrv_trace_writer_kept_events(const struct rrv_trace_writer *w)
{
	return w->kept_events;
}

uint64_t rrv_trace_writer_kept_bytes(const struct rrv_trace_writer *w)
{
	return w->kept_bytes;
}

uint64_t rrv_trace_writer_dedup_bytes(const struct rrv_trace_writer *w)
{
	return w->dedup_bytes;
}

void rrv_trace_writer_set_dedup(struct rrv_trace_writer *w, int on)
{
	w->no_dedup = !on;
}

void rrv_trace_writer_free(struct rrv_trace_writer *w)
{
	if (!w)
		return;
	buf_free(&w->raw);
	buf_free(&w->index);
	buf_free(&w->out);
	ZSTD_freeCCtx(w->zc);
	for (size_t i = 0; i < w->blocks_cap; i++)
		free(w->blocks[i].data);
	free(w->blocks);
	free(w);
}
