/*
 * The trace reader.  Nothing in a trace is trusted: every length is checked
 * against the bytes that are really there, every chunk's checksum before
 * any of its events is returned, and every chunk's events are parsed once
 * in full before the first is handed out, so a damaged chunk yields an
 * error and no events at all.
 *
 * Format 2.0 ranges may be made of blocks, each new or a reference to a
 * block of an earlier event (dedup): the first parse of a chunk copies its
 * new blocks into the block store, in order, and checks every reference
 * against what is stored; handing an event out assembles each such range
 * into a scratch buffer, so that callers see every range whole.  1.x
 * traces have literal ranges only.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#include "codec.h"
#include "rrv_trace.h"

struct rrv_trace_reader {
	const uint8_t *base;
	size_t len;
	void *map;          /* when opened from a path: the mapping */
	size_t map_len;
	unsigned major, minor;
	struct rrv_trace_fields *header, *footer;
	uint64_t footer_offset; /* valid when footer != NULL */

	size_t pos;         /* offset of the next chunk */
	uint32_t seq;       /* expected sequence number of the next chunk */
	uint64_t events;    /* events returned so far */
	/* For tell and seek: the chunk being read (offset, first event),
	 * and how many chunks have had their blocks stored (a chunk loaded
	 * again after a seek must not store its blocks twice). */
	size_t chunk_at;
	uint64_t chunk_first;
	uint32_t stored_seq;
	size_t reached;     /* the furthest pos reached */
	int error;          /* sticky */
	uint64_t error_offset;

	/* The chunk being read. */
	uint8_t *raw;
	size_t raw_cap;
	struct cursor cur;
	uint32_t left;      /* events left in it */
	struct rrv_trace_range ranges[RRV_TRACE_RANGES_MAX];
	ZSTD_DCtx *dz;

	/* Blocks (2.0): numbered from 1 in the order they appear. */
	struct rblock { const uint8_t *p; uint32_t len; } *blocks;
	uint64_t nblocks;
	size_t blocks_cap;
	uint8_t *slab;       /* the block store: slabs of SLAB_SIZE, chained */
	size_t slab_used;
	uint64_t store_bytes;
	struct buf scratch;  /* assembled ranges of the event handed out */
};

#define SLAB_SIZE (1u << 20)
/* The most a trace may store as blocks: more is taken as corruption
 * rather than let a hostile trace exhaust memory. */
#define STORE_MAX (4ull << 30)

/* Copies a new block into the store; false when memory is out or the
 * store is full. */
static bool store_block(struct rrv_trace_reader *r, const uint8_t *p, uint32_t len)
{
	if (r->store_bytes + len > STORE_MAX)
		return false;
	if (r->nblocks == r->blocks_cap) {
		struct rblock *b = array_grow(r->blocks, &r->blocks_cap, sizeof(*b), 1024);
		if (!b)
			return false;
		r->blocks = b;
	}
	/* A slab starts with the pointer to the previous one, for free. */
	if (!r->slab || SLAB_SIZE - r->slab_used < len) {
		uint8_t *s = malloc(SLAB_SIZE);
		if (!s)
			return false;
		memcpy(s, &r->slab, sizeof(r->slab));
		r->slab = s;
		r->slab_used = sizeof(r->slab);
	}
	uint8_t *dst = r->slab + r->slab_used;
	memcpy(dst, p, len);
	r->slab_used += len;
	r->store_bytes += len;
	r->blocks[r->nblocks++] = (struct rblock){ dst, len };
	return true;
}

static int program_blocks(struct rrv_trace_reader *r);

static int fail(struct rrv_trace_reader *r, int err, size_t offset)
{
	r->error = err;
	r->error_offset = offset;
	return err;
}

/* The footer is found through the trailer; any problem with either means
 * there is no usable footer, which readers treat as a cut-short trace. */
static void find_footer(struct rrv_trace_reader *r, size_t data_start)
{
	if (r->len < data_start + CHUNK_HEADER_SIZE + TRAILER_SIZE)
		return;
	const uint8_t *t = r->base + r->len - TRAILER_SIZE;
	if (memcmp(t + 8, TRAILER_MAGIC, 8) != 0)
		return;
	uint64_t off = get_le64(t);
	if (off < data_start || off > r->len - TRAILER_SIZE - CHUNK_HEADER_SIZE)
		return;
	const uint8_t *h = r->base + off;
	uint32_t blen = get_le32(h + 24);
	if (get_le32(h) != FOOTER_MAGIC || get_le32(h + 20) != blen ||
	    blen != r->len - TRAILER_SIZE - CHUNK_HEADER_SIZE - off)
		return;
	uint32_t crc = crc32c(0, h, 28);
	if (crc32c(crc, h + CHUNK_HEADER_SIZE, blen) != get_le32(h + 28))
		return;
	if (fields_decode(h + CHUNK_HEADER_SIZE, blen, &r->footer) == 0)
		r->footer_offset = off;
}

int rrv_trace_reader_open_mem(struct rrv_trace_reader **out, const void *buf,
			      size_t len)
{
	const uint8_t *p = buf;
	if (len < 8 || memcmp(p, FILE_MAGIC, 8) != 0)
		return RRV_TRACE_E_NOT_TRACE;
	if (len < FILE_HEADER_SIZE)
		return RRV_TRACE_E_TRUNCATED;
	/* Bytes 0-15 keep their meaning in every version, so a newer major
	 * is recognised even when the rest of its header is unknown here. */
	unsigned major = get_le16(p + 8), minor = get_le16(p + 10);
	if (major > RRV_TRACE_MAJOR)
		return RRV_TRACE_E_VERSION;
	if (crc32c(0, p, 28) != get_le32(p + 28))
		return RRV_TRACE_E_CHECKSUM;
	if (major < 1) /* 1.x and 2.x are read; 0 never existed */
		return RRV_TRACE_E_CORRUPT;
	if (get_le16(p + 12) != ARCH_X86_64)
		return RRV_TRACE_E_ARCH;
	uint64_t flen = get_le64(p + 16);
	if (flen > FIELDS_MAX_BYTES)
		return RRV_TRACE_E_CORRUPT;
	if (flen > len - FILE_HEADER_SIZE)
		return RRV_TRACE_E_TRUNCATED;
	if (crc32c(0, p + FILE_HEADER_SIZE, flen) != get_le32(p + 24))
		return RRV_TRACE_E_CHECKSUM;

	struct rrv_trace_reader *r = calloc(1, sizeof(*r));
	if (!r)
		return RRV_TRACE_E_NOMEM;
	r->base = p;
	r->len = len;
	r->major = major;
	r->minor = minor;
	int err = fields_decode(p + FILE_HEADER_SIZE, flen, &r->header);
	if (err) {
		free(r);
		return err;
	}
	err = program_blocks(r);
	if (err) {
		rrv_trace_reader_free(r);
		return err;
	}
	r->dz = ZSTD_createDCtx();
	if (!r->dz) {
		rrv_trace_reader_free(r);
		return RRV_TRACE_E_NOMEM;
	}
	r->pos = FILE_HEADER_SIZE + flen;
	r->chunk_at = r->reached = r->pos;
	find_footer(r, r->pos);
	*out = r;
	return 0;
}

int rrv_trace_reader_open(struct rrv_trace_reader **out, const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return RRV_TRACE_E_IO;
	struct stat st;
	if (fstat(fd, &st) < 0) {
		int e = errno;
		close(fd);
		errno = e;
		return RRV_TRACE_E_IO;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		errno = S_ISDIR(st.st_mode) ? EISDIR : ENODEV;
		return RRV_TRACE_E_NOT_FILE;
	}
	size_t len = (size_t)st.st_size;
	void *map = NULL;
	if (len) {
		map = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
		if (map == MAP_FAILED) {
			close(fd);
			return RRV_TRACE_E_IO;
		}
	}
	close(fd);
	int err = rrv_trace_reader_open_mem(out, map ? map : "", len);
	if (err) {
		if (map)
			munmap(map, len);
		return err;
	}
	(*out)->map = map;
	(*out)->map_len = len;
	return 0;
}

void rrv_trace_reader_free(struct rrv_trace_reader *r)
{
	if (!r)
		return;
	rrv_trace_fields_free(r->header);
	rrv_trace_fields_free(r->footer);
	free(r->raw);
	free(r->blocks);
	buf_free(&r->scratch);
	while (r->slab) {
		uint8_t *prev;
		memcpy(&prev, r->slab, sizeof(prev));
		free(r->slab);
		r->slab = prev;
	}
	ZSTD_freeDCtx(r->dz);
	if (r->map)
		munmap(r->map, r->map_len);
	free(r);
}

const struct rrv_trace_fields *rrv_trace_reader_header(const struct rrv_trace_reader *r)
{
	return r->header;
}

const struct rrv_trace_fields *rrv_trace_reader_footer(const struct rrv_trace_reader *r)
{
	return r->footer;
}

void rrv_trace_reader_version(const struct rrv_trace_reader *r, unsigned *major,
			      unsigned *minor)
{
	*major = r->major;
	*minor = r->minor;
}

void reader_layout(const struct rrv_trace_reader *r, const uint8_t **base, size_t *len,
		   size_t *data_start, uint64_t *footer_offset)
{
	*base = r->base;
	*len = r->len;
	*data_start = FILE_HEADER_SIZE + (size_t)get_le64(r->base + 16);
	*footer_offset = r->footer ? r->footer_offset : 0;
}

uint64_t rrv_trace_reader_position(const struct rrv_trace_reader *r)
{
	return r->events;
}

uint64_t rrv_trace_reader_error_offset(const struct rrv_trace_reader *r)
{
	return r->error_offset;
}

/*
 * The pieces of a 2.0 blocked range of len bytes at c.  first: the
 * chunk's first parse, which stores new blocks and checks references;
 * otherwise the pieces are appended to r->scratch.  false when malformed.
 */
static bool decode_blocks(struct rrv_trace_reader *r, struct cursor *c, uint64_t len,
			  bool first)
{
	for (uint64_t off = 0; off < len; off += RRV_TRACE_BLOCK_SIZE) {
		uint32_t n = (uint32_t)(len - off < RRV_TRACE_BLOCK_SIZE ? len - off
								 : RRV_TRACE_BLOCK_SIZE);
		uint64_t ref = cur_varint(c);
		const uint8_t *p;
		if (c->bad)
			return false;
		if (ref == 0) {
			p = cur_bytes(c, n);
			if (c->bad || (first && r->seq >= r->stored_seq &&
				       !store_block(r, p, n)))
				return false;
		} else {
			/* References reach back only to blocks stored before
			 * (on the second parse, all of the chunk's are). */
			if (ref > r->nblocks || r->blocks[ref - 1].len != n)
				return false;
			p = r->blocks[ref - 1].p;
		}
		if (!first)
			buf_put(&r->scratch, p, n);
	}
	return first || !r->scratch.failed;
}

/* Decodes one event at c into e (ranges into r->ranges, blocked ones
 * assembled in r->scratch unless first, the chunk's checking parse).
 * false when the bytes are malformed. */
static bool decode_event(struct rrv_trace_reader *r, struct cursor *c,
			 struct rrv_trace_event *e, bool first)
{
	uint64_t type = cur_varint(c), nr = cur_varint(c), tid = cur_varint(c);
	const uint8_t *d = cur_bytes(c, 8);
	int64_t ret = cur_svarint(c);
	uint64_t rip = cur_varint(c), count = cur_varint(c), n = cur_varint(c);
	if (c->bad || type == 0 || type >= RRV_EV_MAX || nr > UINT32_MAX ||
	    tid > UINT32_MAX || n > RRV_TRACE_RANGES_MAX)
		return false;
	uint64_t total = 0;
	size_t at[RRV_TRACE_RANGES_MAX]; /* blocked ranges: offset in scratch */
	bool blocked[RRV_TRACE_RANGES_MAX];
	r->scratch.len = 0;
	for (uint64_t i = 0; i < n; i++) {
		uint64_t gpa = cur_varint(c), len = cur_varint(c);
		uint64_t mode = r->major >= 2 ? cur_varint(c) : RRV_RANGE_LITERAL;
		const uint8_t *data = NULL;
		if (c->bad || len > RRV_TRACE_EVENT_MAX - total)
			return false;
		total += len;
		blocked[i] = mode == RRV_RANGE_BLOCKS;
		if (mode == RRV_RANGE_LITERAL) {
			data = cur_bytes(c, len);
		} else if (mode == RRV_RANGE_BLOCKS) {
			at[i] = r->scratch.len;
			if (!decode_blocks(r, c, len, first))
				return false;
		} else {
			return false;
		}
		if (c->bad)
			return false;
		r->ranges[i] = (struct rrv_trace_range){ gpa, len, data };
	}
	/* The scratch buffer may have moved while it grew. */
	for (uint64_t i = 0; i < n && !first; i++)
		if (blocked[i])
			r->ranges[i].data = r->scratch.p ? r->scratch.p + at[i]
							 : (const uint8_t *)"";
	*e = (struct rrv_trace_event){
		.type = (uint32_t)type, .nr = (uint32_t)nr, .tid = (uint32_t)tid,
		.digest = get_le64(d), .ret = ret, .rip = rip, .count = count,
		.nranges = (uint32_t)n, .ranges = r->ranges,
	};
	return true;
}

/* A 2.0 header's PROGRAM_BLOCKS: its blocks are the trace's first, and
 * the header gains the PROGRAM_IMAGE they make up. */
static int program_blocks(struct rrv_trace_reader *r)
{
	const struct rrv_trace_field *f = rrv_trace_fields_get(r->header,
							       RRV_TAG_PROGRAM_BLOCKS);
	if (!f || r->major < 2)
		return 0;
	/* Its length is not stored: pieces are read to the field's end,
	 * each a new block (nothing comes before to refer to) or a
	 * reference to one of its own earlier blocks. */
	struct cursor c = { f->data, f->data + f->len, false };
	r->scratch.len = 0;
	while (c.p < c.end) {
		uint64_t ref = cur_varint(&c);
		if (c.bad)
			return RRV_TRACE_E_CORRUPT;
		const uint8_t *p;
		uint32_t n;
		if (ref == 0) {
			/* Only the last piece may be short. */
			uint64_t left = (uint64_t)(c.end - c.p);
			n = (uint32_t)(left < RRV_TRACE_BLOCK_SIZE ? left : RRV_TRACE_BLOCK_SIZE);
			p = cur_bytes(&c, n);
			if (!p || !store_block(r, p, n))
				return RRV_TRACE_E_CORRUPT;
		} else {
			if (ref > r->nblocks)
				return RRV_TRACE_E_CORRUPT;
			p = r->blocks[ref - 1].p;
			n = r->blocks[ref - 1].len;
		}
		if (r->scratch.len % RRV_TRACE_BLOCK_SIZE)
			return RRV_TRACE_E_CORRUPT; /* a short piece before the end */
		buf_put(&r->scratch, p, n);
	}
	if (r->scratch.failed)
		return RRV_TRACE_E_NOMEM;
	/* A decoded list is read-only: the header becomes a copy with the
	 * image added. */
	struct rrv_trace_fields *h = rrv_trace_fields_create();
	int err = h ? 0 : RRV_TRACE_E_NOMEM;
	for (size_t i = 0; !err && i < rrv_trace_fields_count(r->header); i++) {
		const struct rrv_trace_field *g = rrv_trace_fields_at(r->header, i);
		err = rrv_trace_fields_add(h, g->tag, g->data, g->len);
	}
	if (!err)
		err = rrv_trace_fields_add(h, RRV_TAG_PROGRAM_IMAGE,
					   r->scratch.p ? (const void *)r->scratch.p : "",
					   r->scratch.len);
	if (err) {
		rrv_trace_fields_free(h);
		return err;
	}
	rrv_trace_fields_free(r->header);
	r->header = h;
	return 0;
}

/* Loads, checks and pre-parses the chunk at r->pos.  1 when loaded, 0 at
 * the clean end, or an error. */
static int load_chunk(struct rrv_trace_reader *r)
{
	size_t at = r->pos;
	if (r->footer && at == r->footer_offset) {
		uint64_t total;
		if (rrv_trace_fields_u64(r->footer, RRV_TAG_EVENT_COUNT, &total) ||
		    total != r->events)
			return fail(r, RRV_TRACE_E_FOOTER, at);
		return 0;
	}
	if (r->len - at < CHUNK_HEADER_SIZE)
		return fail(r, RRV_TRACE_E_TRUNCATED, at);
	const uint8_t *h = r->base + at;
	if (get_le32(h) == FOOTER_MAGIC) {
		/* A footer the trailer does not lead to: cut inside the
		 * footer or trailer, or damaged. */
		uint64_t need = (uint64_t)get_le32(h + 24) + TRAILER_SIZE;
		return fail(r, r->len - at - CHUNK_HEADER_SIZE < need
				       ? RRV_TRACE_E_TRUNCATED : RRV_TRACE_E_FOOTER, at);
	}
	if (get_le32(h) != CHUNK_MAGIC)
		return fail(r, RRV_TRACE_E_CORRUPT, at);
	uint32_t nevents = get_le32(h + 16), raw_len = get_le32(h + 20),
		 comp_len = get_le32(h + 24);
	if (comp_len > r->len - at - CHUNK_HEADER_SIZE)
		return fail(r, RRV_TRACE_E_TRUNCATED, at);
	uint32_t crc = crc32c(0, h, 28);
	if (crc32c(crc, h + CHUNK_HEADER_SIZE, comp_len) != get_le32(h + 28))
		return fail(r, RRV_TRACE_E_CHECKSUM, at);
	if (get_le32(h + 4) != r->seq || get_le64(h + 8) != r->events ||
	    nevents == 0 || raw_len > CHUNK_RAW_MAX)
		return fail(r, RRV_TRACE_E_CORRUPT, at);

	if (raw_len > r->raw_cap) {
		uint8_t *p = realloc(r->raw, raw_len);
		if (!p)
			return fail(r, RRV_TRACE_E_NOMEM, at);
		r->raw = p;
		r->raw_cap = raw_len;
	}
	size_t got = ZSTD_decompressDCtx(r->dz, r->raw, raw_len,
					 h + CHUNK_HEADER_SIZE, comp_len);
	if (ZSTD_isError(got) || got != raw_len)
		return fail(r, RRV_TRACE_E_CORRUPT, at);

	/* Parse everything once, so that a bad chunk yields no events. */
	struct cursor c = { r->raw, r->raw + raw_len, false };
	for (uint32_t i = 0; i < nevents; i++) {
		struct rrv_trace_event e;
		if (!decode_event(r, &c, &e, true))
			return fail(r, RRV_TRACE_E_CORRUPT, at);
	}
	if (c.p != c.end)
		return fail(r, RRV_TRACE_E_CORRUPT, at);

	r->cur = (struct cursor){ r->raw, r->raw + raw_len, false };
	r->left = nevents;
	r->chunk_at = at;
	r->chunk_first = r->events;
	r->seq++;
	if (r->seq > r->stored_seq)
		r->stored_seq = r->seq;
	r->pos = at + CHUNK_HEADER_SIZE + comp_len;
	if (r->pos > r->reached)
		r->reached = r->pos;
	return 1;
}

int rrv_trace_reader_next(struct rrv_trace_reader *r, struct rrv_trace_event *e)
{
	if (r->error)
		return r->error;
	if (r->left == 0) {
		int got = load_chunk(r);
		if (got <= 0)
			return got;
	}
	if (!decode_event(r, &r->cur, e, false)) /* only out of memory now */
		return fail(r, RRV_TRACE_E_CORRUPT, r->pos);
	r->left--;
	r->events++;
	return 1;
}

void rrv_trace_reader_tell(const struct rrv_trace_reader *r, struct rrv_trace_mark *m)
{
	/* Before the first chunk, or between chunks with none loaded, the
	 * mark is the start of the next one, with nothing of it read. */
	bool loaded = r->seq > 0 && r->chunk_at != r->pos;
	*m = (struct rrv_trace_mark){
		.chunk_off = loaded ? r->chunk_at : r->pos,
		.first = loaded ? r->chunk_first : r->events,
		.events = r->events,
		.seq = loaded ? r->seq - 1 : r->seq,
	};
}

int rrv_trace_reader_seek(struct rrv_trace_reader *r, const struct rrv_trace_mark *m)
{
	/* A mark lies at or before what this reader reached, at a chunk it
	 * loaded (so its blocks are stored), with its events in order. */
	if (m->chunk_off > r->reached || m->chunk_off > r->len ||
	    m->seq > r->stored_seq || m->events < m->first)
		return RRV_TRACE_E_STATE;
	r->pos = (size_t)m->chunk_off;
	r->seq = m->seq;
	r->events = m->first;
	r->left = 0;
	r->chunk_at = r->pos;
	r->error = 0;
	r->error_offset = 0;
	struct rrv_trace_event e;
	while (r->events < m->events) {
		int got = rrv_trace_reader_next(r, &e);
		if (got != 1)
			return got < 0 ? got : RRV_TRACE_E_STATE;
		if (r->chunk_at != m->chunk_off)
			return RRV_TRACE_E_STATE; /* the mark's chunk ended early */
	}
	return 0;
}
