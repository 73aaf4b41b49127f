/* Tagged field lists: the header and the footer (see rrv_trace.h). */
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "rrv_trace.h"

struct rrv_trace_fields {
	size_t n, cap;
	struct rrv_trace_field *f;
	uint8_t *owned; /* decode: one copy that every field points into */
};

struct rrv_trace_fields *rrv_trace_fields_create(void)
{
	return calloc(1, sizeof(struct rrv_trace_fields));
}

void rrv_trace_fields_free(struct rrv_trace_fields *f)
{
	if (!f)
		return;
	if (!f->owned)
		for (size_t i = 0; i < f->n; i++)
			free((void *)f->f[i].data);
	free(f->owned);
	free(f->f);
	free(f);
}

static int append(struct rrv_trace_fields *f, uint32_t tag, const uint8_t *data,
		  uint32_t len)
{
	if (f->n == f->cap) {
		struct rrv_trace_field *p = array_grow(f->f, &f->cap, sizeof(*p), 16);
		if (!p)
			return RRV_TRACE_E_NOMEM;
		f->f = p;
	}
	f->f[f->n++] = (struct rrv_trace_field){ tag, len, data };
	return 0;
}

int rrv_trace_fields_add(struct rrv_trace_fields *f, uint32_t tag,
			 const void *data, size_t len)
{
	if (f->owned)
		return RRV_TRACE_E_STATE; /* decoded lists are read-only */
	if (len > FIELDS_MAX_BYTES)
		return RRV_TRACE_E_TOO_BIG;
	uint8_t *copy = malloc(len ? len : 1);
	if (!copy)
		return RRV_TRACE_E_NOMEM;
	if (len)
		memcpy(copy, data, len);
	int err = append(f, tag, copy, (uint32_t)len);
	if (err)
		free(copy);
	return err;
}

int rrv_trace_fields_add_u64(struct rrv_trace_fields *f, uint32_t tag, uint64_t v)
{
	uint8_t b[8];
	put_le64(b, v);
	return rrv_trace_fields_add(f, tag, b, sizeof(b));
}

int rrv_trace_fields_add_str(struct rrv_trace_fields *f, uint32_t tag, const char *s)
{
	return rrv_trace_fields_add(f, tag, s, strlen(s));
}

const struct rrv_trace_field *rrv_trace_fields_get(const struct rrv_trace_fields *f,
						   uint32_t tag)
{
	for (size_t i = 0; f && i < f->n; i++)
		if (f->f[i].tag == tag)
			return &f->f[i];
	return NULL;
}

int rrv_trace_fields_u64(const struct rrv_trace_fields *f, uint32_t tag, uint64_t *v)
{
	const struct rrv_trace_field *x = rrv_trace_fields_get(f, tag);
	if (!x || x->len != 8)
		return -1;
	*v = get_le64(x->data);
	return 0;
}

size_t rrv_trace_fields_count(const struct rrv_trace_fields *f)
{
	return f ? f->n : 0;
}

const struct rrv_trace_field *rrv_trace_fields_at(const struct rrv_trace_fields *f,
						  size_t i)
{
	return f && i < f->n ? &f->f[i] : NULL;
}

void fields_encode(const struct rrv_trace_fields *f, struct buf *b)
{
	buf_varint(b, f->n);
	for (size_t i = 0; i < f->n; i++) {
		buf_varint(b, f->f[i].tag);
		buf_varint(b, f->f[i].len);
		buf_put(b, f->f[i].data, f->f[i].len);
	}
}

int fields_decode(const uint8_t *p, size_t len, struct rrv_trace_fields **out)
{
	struct rrv_trace_fields *f = rrv_trace_fields_create();
	if (!f)
		return RRV_TRACE_E_NOMEM;
	f->owned = malloc(len ? len : 1);
	if (!f->owned) {
		rrv_trace_fields_free(f);
		return RRV_TRACE_E_NOMEM;
	}
	memcpy(f->owned, p, len);
	struct cursor c = { f->owned, f->owned + len, false };
	uint64_t n = cur_varint(&c);
	if (n > len) /* every field takes at least two bytes */
		c.bad = true;
	for (uint64_t i = 0; i < n && !c.bad; i++) {
		uint64_t tag = cur_varint(&c), flen = cur_varint(&c);
		const uint8_t *data = cur_bytes(&c, flen);
		if (c.bad || tag > UINT32_MAX)
			break;
		if (append(f, (uint32_t)tag, data, (uint32_t)flen)) {
			rrv_trace_fields_free(f);
			return RRV_TRACE_E_NOMEM;
		}
	}
	if (c.bad || c.p != c.end) {
		rrv_trace_fields_free(f);
		return RRV_TRACE_E_CORRUPT;
	}
	*out = f;
	return 0;
}
