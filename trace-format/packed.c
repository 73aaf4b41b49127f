/*
 * PACKED_FILE header fields (format 2.2): the whole files rrv pack adds
 * to a trace, so that a debugger elsewhere has the program's symbols.
 * A field is read like everything in a trace: as untrusted bytes, every
 * length checked, the content checked against its digest once
 * decompressed.
 */
#include <stdlib.h>
#include <string.h>
#include <zstd.h>

#include <rrv/digest.h>

#include "codec.h"
#include "rrv_trace.h"

/* zstd's level for packed files: packing runs once, reading often, and
 * libraries compress well; higher levels cost seconds for little. */
#define PACK_LEVEL 6

int rrv_trace_packed_parse(const struct rrv_trace_field *f, struct rrv_trace_packed *p)
{
	struct cursor c = { f->data, f->data + f->len, false };
	const uint8_t *d = cur_bytes(&c, 8);
	uint64_t size = cur_varint(&c), plen = cur_varint(&c);
	const uint8_t *paths = cur_bytes(&c, plen);
	if (c.bad || size > RRV_TRACE_PACKED_MAX || plen == 0 || paths[plen - 1] != '\0' ||
	    paths[0] == '\0')
		return RRV_TRACE_E_CORRUPT;
	/* Every path is non-empty: no two NULs in a row. */
	for (uint64_t i = 1; i < plen; i++)
		if (paths[i] == '\0' && paths[i - 1] == '\0')
			return RRV_TRACE_E_CORRUPT;
	*p = (struct rrv_trace_packed){
		.digest = get_le64(d), .size = size,
		.paths = (const char *)paths, .paths_len = (size_t)plen,
		.zdata = c.p, .zlen = (size_t)(c.end - c.p),
	};
	return 0;
}

const char *rrv_trace_packed_next_path(const struct rrv_trace_packed *p, const char *prev)
{
	if (!prev)
		return p->paths;
	const char *next = prev + strlen(prev) + 1;
	return next < p->paths + p->paths_len ? next : NULL;
}

int rrv_trace_packed_has_path(const struct rrv_trace_packed *p, const char *path)
{
	for (const char *s = rrv_trace_packed_next_path(p, NULL); s;
	     s = rrv_trace_packed_next_path(p, s))
		if (strcmp(s, path) == 0)
			return 1;
	return 0;
}

int rrv_trace_packed_read(const struct rrv_trace_packed *p, void *out)
{
	/* The frame must say its size, and say this one: a frame that would
	 * decompress to more is corrupt, not a reason to allocate more. */
	unsigned long long want = ZSTD_getFrameContentSize(p->zdata, p->zlen);
	if (want != p->size)
		return RRV_TRACE_E_CORRUPT;
	size_t got = ZSTD_decompress(out, (size_t)p->size, p->zdata, p->zlen);
	if (ZSTD_isError(got) || got != p->size)
		return RRV_TRACE_E_CORRUPT;
	if (rrv_digest(RRV_DIGEST_SEED, out, (size_t)p->size) != p->digest)
		return RRV_TRACE_E_CHECKSUM;
	return 0;
}

int rrv_trace_packed_add(struct rrv_trace_fields *f, const char *paths, size_t paths_len,
			 const void *data, size_t len)
{
	if (len > RRV_TRACE_PACKED_MAX)
		return RRV_TRACE_E_TOO_BIG;
	if (paths_len == 0 || paths[paths_len - 1] != '\0' || paths[0] == '\0')
		return RRV_TRACE_E_STATE;
	struct buf b = { 0 };
	uint8_t d[8];
	put_le64(d, rrv_digest(RRV_DIGEST_SEED, data, len));
	buf_put(&b, d, 8);
	buf_varint(&b, len);
	buf_varint(&b, paths_len);
	buf_put(&b, paths, paths_len);
	size_t bound = ZSTD_compressBound(len);
	size_t at = b.len;
	buf_put(&b, NULL, bound);
	if (b.failed) {
		buf_free(&b);
		return RRV_TRACE_E_NOMEM;
	}
	size_t z = ZSTD_compress(b.p + at, bound, data, len, PACK_LEVEL);
	if (ZSTD_isError(z)) {
		buf_free(&b);
		return RRV_TRACE_E_COMPRESS;
	}
	int err = rrv_trace_fields_add(f, RRV_TAG_PACKED_FILE, b.p, at + z);
	buf_free(&b);
	return err;
}
