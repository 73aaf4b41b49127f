/*
 * Rewriting a trace with more header fields (rrv pack): a new file header
 * and header fields, then the original chunks byte for byte, then the
 * footer again with its index moved by however much the header grew.
 * Nothing in a chunk depends on where it lies in the file (its sequence
 * number and first event are counts, its blocks are numbered in order),
 * so only the index and the trailer change.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "codec.h"
#include "rrv_trace.h"

static int put_all(int fd, const uint8_t *p, size_t len)
{
	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return errno == ENOSPC || errno == EDQUOT ? RRV_TRACE_E_NOSPACE
								  : RRV_TRACE_E_IO;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* The footer's fields with every chunk offset of INDEX moved by delta. */
static int moved_footer(const struct rrv_trace_fields *old, int64_t delta, struct buf *out)
{
	struct rrv_trace_fields *f = rrv_trace_fields_create();
	int err = f ? 0 : RRV_TRACE_E_NOMEM;
	for (size_t i = 0; !err && i < rrv_trace_fields_count(old); i++) {
		const struct rrv_trace_field *g = rrv_trace_fields_at(old, i);
		if (g->tag != RRV_TAG_INDEX) {
			err = rrv_trace_fields_add(f, g->tag, g->data, g->len);
			continue;
		}
		if (g->len % 16)
			err = RRV_TRACE_E_CORRUPT;
		uint8_t *idx = err ? NULL : malloc(g->len ? g->len : 1);
		if (!err && !idx)
			err = RRV_TRACE_E_NOMEM;
		for (uint32_t k = 0; !err && k < g->len; k += 16) {
			put_le64(idx + k, get_le64(g->data + k) + (uint64_t)delta);
			memcpy(idx + k + 8, g->data + k + 8, 8);
		}
		if (!err)
			err = rrv_trace_fields_add(f, g->tag, idx, g->len);
		free(idx);
	}
	if (!err) {
		fields_encode(f, out);
		if (out->failed)
			err = RRV_TRACE_E_NOMEM;
	}
	rrv_trace_fields_free(f);
	return err;
}

/* The raw header fields (PROGRAM_BLOCKS as stored, not the reader's
 * PROGRAM_IMAGE) followed by add, encoded. */
static int new_header(const uint8_t *base, size_t data_start,
		      const struct rrv_trace_fields *add, struct buf *out)
{
	struct rrv_trace_fields *old;
	int err = fields_decode(base + FILE_HEADER_SIZE, data_start - FILE_HEADER_SIZE, &old);
	if (err)
		return err;
	struct rrv_trace_fields *f = rrv_trace_fields_create();
	err = f ? 0 : RRV_TRACE_E_NOMEM;
	for (size_t i = 0; !err && i < rrv_trace_fields_count(old); i++) {
		const struct rrv_trace_field *g = rrv_trace_fields_at(old, i);
		err = rrv_trace_fields_add(f, g->tag, g->data, g->len);
	}
	for (size_t i = 0; !err && i < rrv_trace_fields_count(add); i++) {
		const struct rrv_trace_field *g = rrv_trace_fields_at(add, i);
		err = rrv_trace_fields_add(f, g->tag, g->data, g->len);
	}
	if (!err) {
		fields_encode(f, out);
		err = out->failed ? RRV_TRACE_E_NOMEM
		      : out->len > FIELDS_MAX_BYTES ? RRV_TRACE_E_TOO_BIG : 0;
	}
	rrv_trace_fields_free(f);
	rrv_trace_fields_free(old);
	return err;
}

int rrv_trace_rewrite(const char *path, int out_fd, const struct rrv_trace_fields *add)
{
	struct rrv_trace_reader *r;
	int err = rrv_trace_reader_open(&r, path);
	if (err)
		return err;
	unsigned major, minor;
	rrv_trace_reader_version(r, &major, &minor);
	const uint8_t *base;
	size_t len, data_start;
	uint64_t footer_off;
	reader_layout(r, &base, &len, &data_start, &footer_off);
	if (major < 2) {
		rrv_trace_reader_free(r);
		return RRV_TRACE_E_VERSION;
	}

	struct buf fields = { 0 }, foot = { 0 };
	err = new_header(base, data_start, add, &fields);
	int64_t delta = (int64_t)fields.len - (int64_t)(data_start - FILE_HEADER_SIZE);
	if (!err && footer_off)
		err = moved_footer(rrv_trace_reader_footer(r), delta, &foot);
	if (!err) {
		uint8_t h[FILE_HEADER_SIZE];
		memcpy(h, base, FILE_HEADER_SIZE);
		put_le16(h + 10, (uint16_t)(minor > RRV_TRACE_MINOR ? minor : RRV_TRACE_MINOR));
		put_le64(h + 16, fields.len);
		put_le32(h + 24, crc32c(0, fields.p, fields.len));
		put_le32(h + 28, crc32c(0, h, 28));
		err = put_all(out_fd, h, sizeof(h));
	}
	if (!err)
		err = put_all(out_fd, fields.p, fields.len);
	/* The chunks as they are; without a footer, everything after the
	 * header (a torn last chunk stays torn, for the reader to drop). */
	size_t end = footer_off ? (size_t)footer_off : len;
	if (!err)
		err = put_all(out_fd, base + data_start, end - data_start);
	if (!err && footer_off) {
		uint8_t h[CHUNK_HEADER_SIZE] = { 0 };
		const uint8_t *oh = base + footer_off;
		put_le32(h, FOOTER_MAGIC);
		memcpy(h + 4, oh + 4, 12); /* sequence number, event count */
		put_le32(h + 20, (uint32_t)foot.len);
		put_le32(h + 24, (uint32_t)foot.len);
		put_le32(h + 28, crc32c(crc32c(0, h, 28), foot.p, foot.len));
		uint8_t t[TRAILER_SIZE];
		put_le64(t, footer_off + (uint64_t)delta);
		memcpy(t + 8, TRAILER_MAGIC, 8);
		err = put_all(out_fd, h, sizeof(h));
		if (!err)
			err = put_all(out_fd, foot.p, foot.len);
		if (!err)
			err = put_all(out_fd, t, sizeof(t));
	}
	buf_free(&fields);
	buf_free(&foot);
	rrv_trace_reader_free(r);
	return err;
}
