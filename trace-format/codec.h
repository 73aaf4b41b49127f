/* Byte-level encoding shared by the writer and the reader (internal). */
#ifndef RRV_TRACE_CODEC_H
#define RRV_TRACE_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* File structure constants: see docs/trace-format.md. */
#define FILE_MAGIC "RRVTRACE"
#define FILE_HEADER_SIZE 32
#define CHUNK_MAGIC 0x4b4e4843u  /* "CHNK" little-endian */
#define FOOTER_MAGIC 0x544f4f46u /* "FOOT" */
#define CHUNK_HEADER_SIZE 32
#define TRAILER_MAGIC "RRVEND\0\0"
#define TRAILER_SIZE 16
#define ARCH_X86_64 62 /* ELF's EM_X86_64 */
#define CHUNK_RAW_MAX (RRV_TRACE_EVENT_MAX + (1u << 20))
#define FIELDS_MAX_BYTES (256u << 20)

static inline void put_le16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static inline void put_le32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}
static inline void put_le64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}
static inline uint16_t get_le16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static inline uint32_t get_le32(const uint8_t *p)
{
	uint32_t v = 0;
	for (int i = 3; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}
static inline uint64_t get_le64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

/* CRC-32C (Castagnoli), the checksum of every header, chunk and footer. */
uint32_t crc32c(uint32_t crc, const void *data, size_t len);

/* Makes room in an array of *cap elements of elem bytes each: realloc to
 * twice as many, or first when *cap is 0.  The new array with *cap
 * updated, or NULL with the array and *cap unchanged. */
void *array_grow(void *arr, size_t *cap, size_t elem, size_t first);

/* A growable byte buffer. */
struct buf {
	uint8_t *p;
	size_t len, cap;
	bool failed; /* an allocation failed; the contents are incomplete */
};
/* Appends len bytes of data, or reserves them when data is NULL. */
void buf_put(struct buf *b, const void *data, size_t len);
void buf_varint(struct buf *b, uint64_t v);
void buf_svarint(struct buf *b, int64_t v); /* zigzag */
void buf_free(struct buf *b);

/* A bounded cursor for decoding; any overrun sets bad. */
struct cursor {
	const uint8_t *p, *end;
	bool bad;
};
uint64_t cur_varint(struct cursor *c);
int64_t cur_svarint(struct cursor *c);
const uint8_t *cur_bytes(struct cursor *c, uint64_t len);

struct rrv_trace_fields;
/* Serialises fields as (varint tag, varint len, bytes)... */
void fields_encode(const struct rrv_trace_fields *f, struct buf *b);
/* Parses the encoding; the fields point into the copy they keep. */
int fields_decode(const uint8_t *p, size_t len, struct rrv_trace_fields **out);

/* Where a reader's file is laid out, for rrv_trace_rewrite: its bytes,
 * the end of its header fields, and its footer's offset (0: none). */
struct rrv_trace_reader;
void reader_layout(const struct rrv_trace_reader *r, const uint8_t **base, size_t *len,
		   size_t *data_start, uint64_t *footer_offset);

#endif
