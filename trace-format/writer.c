/*
 * The trace writer.  Events are encoded into a raw buffer; at about
 * chunk_bytes the buffer is compressed into one chunk and written with its
 * header in a single append, so a crash leaves at worst one torn chunk at
 * the end, which the reader recognises as truncation.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zstd.h>

#include "codec.h"
#include "rrv_trace.h"

#define DEFAULT_CHUNK (256u << 10)
#define ZSTD_LEVEL 3 /* fast; traces are written while the program runs */

struct rrv_trace_writer {
	int fd;
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
};

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

	struct buf fields = { 0 };
	fields_encode(header, &fields);
	if (fields.failed) {
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
	*out = w;
	return 0;
}

static void encode_event(struct buf *b, const struct rrv_trace_event *e)
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
		buf_put(b, e->ranges[i].data, e->ranges[i].len);
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

	encode_event(&w->raw, e);
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
		return w->failed = err;
	w->seq++;
	w->raw.len = 0;
	w->raw_events = 0;
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
		return w->failed = err;
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

void rrv_trace_writer_free(struct rrv_trace_writer *w)
{
	if (!w)
		return;
	buf_free(&w->raw);
	buf_free(&w->index);
	buf_free(&w->out);
	ZSTD_freeCCtx(w->zc);
	free(w);
}
