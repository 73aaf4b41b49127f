/* Checksums, varints and buffers for the trace format. */
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "rrv_trace.h"

/* Table-driven CRC-32C, reflected polynomial 0x82f63b78.  Castagnoli's
 * polynomial detects more error patterns than the zlib one at the same
 * cost, and the table is built once. */
static uint32_t crc_table[256];
static bool crc_ready;

static void crc_init(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;
		for (int k = 0; k < 8; k++)
			c = c & 1 ? (c >> 1) ^ 0x82f63b78u : c >> 1;
		crc_table[i] = c;
	}
	crc_ready = true;
}

uint32_t crc32c(uint32_t crc, const void *data, size_t len)
{
	if (!crc_ready)
		crc_init();
	const uint8_t *p = data;
	crc = ~crc;
	while (len--)
		crc = crc_table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return ~crc;
}

void *array_grow(void *arr, size_t *cap, size_t elem, size_t first)
{
	size_t n = *cap ? *cap * 2 : first;
	void *p = realloc(arr, n * elem);
	if (p)
		*cap = n;
	return p;
}

void buf_put(struct buf *b, const void *data, size_t len)
{
	if (b->failed)
		return;
	if (len > b->cap - b->len) {
		size_t cap = b->cap ? b->cap : 4096;
		while (cap - b->len < len) {
			if (cap > SIZE_MAX / 2) {
				b->failed = true;
				return;
			}
			cap *= 2;
		}
		uint8_t *p = realloc(b->p, cap);
		if (!p) {
			b->failed = true;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	if (len && data) /* data NULL: reserve len bytes for the caller */
		memcpy(b->p + b->len, data, len);
	b->len += len;
}

void buf_varint(struct buf *b, uint64_t v)
{
	uint8_t tmp[10];
	size_t n = 0;
	do {
		tmp[n] = (uint8_t)(v & 0x7f);
		v >>= 7;
		if (v)
			tmp[n] |= 0x80;
		n++;
	} while (v);
	buf_put(b, tmp, n);
}

void buf_svarint(struct buf *b, int64_t v)
{
	buf_varint(b, ((uint64_t)v << 1) ^ (uint64_t)(v >> 63));
}

void buf_free(struct buf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

uint64_t cur_varint(struct cursor *c)
{
	uint64_t v = 0;
	for (int shift = 0; shift < 64; shift += 7) {
		if (c->p >= c->end) {
			c->bad = true;
			return 0;
		}
		uint8_t byte = *c->p++;
		v |= (uint64_t)(byte & 0x7f) << shift;
		if (!(byte & 0x80))
			return v;
	}
	c->bad = true; /* more than 10 bytes */
	return 0;
}

int64_t cur_svarint(struct cursor *c)
{
	uint64_t v = cur_varint(c);
	return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}

const uint8_t *cur_bytes(struct cursor *c, uint64_t len)
{
	if (c->bad || len > (uint64_t)(c->end - c->p)) {
		c->bad = true;
		return NULL;
	}
	const uint8_t *p = c->p;
	c->p += len;
	return p;
}
