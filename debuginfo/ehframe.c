/*
 * Indexing .eh_frame (see ehframe.h).  The format is the LSB's "Exception
 * Frames": a sequence of length-prefixed records, each a CIE (common
 * information, id 0) or an FDE (one function: a back-pointer to its CIE,
 * then its first address and size in the pointer encoding the CIE's
 * augmentation "R" names).  Only what the index needs is read; the unwind
 * instructions are libunwind's business.
 */
#include "ehframe.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* DWARF pointer encodings. */
enum {
	PE_ABSPTR = 0x00, PE_ULEB128 = 0x01, PE_UDATA2 = 0x02,
	PE_UDATA4 = 0x03, PE_UDATA8 = 0x04, PE_SLEB128 = 0x09,
	PE_SDATA2 = 0x0a, PE_SDATA4 = 0x0b, PE_SDATA8 = 0x0c,
	PE_FORMAT_MASK = 0x0f, PE_PCREL = 0x10, PE_APPL_MASK = 0x70, PE_ALIGNED = 0x50,
	PE_INDIRECT = 0x80, PE_OMIT = 0xff,
};

/* A bounds-checked reader: any read past end clears ok and yields 0, so
 * that a parse can check once at the end of a step. */
struct cursor {
	const uint8_t *p, *end;
	bool ok;
};

static uint64_t get_u(struct cursor *c, size_t n)
{
	if (!c->ok || (size_t)(c->end - c->p) < n) {
		c->ok = false;
		return 0;
	}
	uint64_t v = 0;
	for (size_t i = 0; i < n; i++) /* little-endian, as x86-64 is */
		v |= (uint64_t)c->p[i] << (8 * i);
	c->p += n;
	return v;
}

static uint64_t get_uleb(struct cursor *c)
{
	uint64_t v = 0;
	for (unsigned shift = 0; c->ok; shift += 7) {
		uint8_t b = (uint8_t)get_u(c, 1);
		if (shift < 64)
			v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80))
			return v;
		if (shift > 70) /* longer than any 64-bit value */
			c->ok = false;
	}
	return 0;
}

static int64_t get_sleb(struct cursor *c)
{
	uint64_t v = 0;
	unsigned shift = 0;
	uint8_t b = 0x80;
	while (c->ok && (b & 0x80)) {
		b = (uint8_t)get_u(c, 1);
		if (shift < 64)
			v |= (uint64_t)(b & 0x7f) << shift;
		shift += 7;
		if (shift > 70)
			c->ok = false;
	}
	if (shift < 64 && (b & 0x40))
		v |= ~(uint64_t)0 << shift; /* sign-extend */
	return (int64_t)v;
}

static uint64_t sign_extend(uint64_t v, unsigned bits)
{
	uint64_t sign = 1ull << (bits - 1);
	return (v ^ sign) - sign;
}

/* A value in encoding enc's format (its application ignored). */
static bool get_format(struct cursor *c, uint8_t enc, uint64_t *v)
{
	switch (enc & PE_FORMAT_MASK) {
	case PE_ABSPTR:
	case PE_UDATA8:
	case PE_SDATA8:
		*v = get_u(c, 8);
		break;
	case PE_UDATA4:
		*v = get_u(c, 4);
		break;
	case PE_SDATA4:
		*v = sign_extend(get_u(c, 4), 32);
		break;
	case PE_UDATA2:
		*v = get_u(c, 2);
		break;
	case PE_SDATA2:
		*v = sign_extend(get_u(c, 2), 16);
		break;
	case PE_ULEB128:
		*v = get_uleb(c);
		break;
	case PE_SLEB128:
		*v = (uint64_t)get_sleb(c);
		break;
	default:
		return false;
	}
	return c->ok;
}

/* An encoded pointer whose field lies at link-time address field_addr:
 * absolute or pc-relative, the two an .eh_frame uses for addresses. */
static bool get_pointer(struct cursor *c, uint8_t enc, uint64_t field_addr,
			uint64_t *v)
{
	if (enc == PE_OMIT || (enc & PE_INDIRECT) || !get_format(c, enc, v))
		return false;
	switch (enc & PE_APPL_MASK) {
	case 0:
		return true;
	case PE_PCREL:
		*v += field_addr;
		return true;
	default:
		return false; /* textrel, datarel, funcrel, aligned */
	}
}

/*
 * The FDE pointer encoding of the CIE at eh[off]: absptr unless its
 * augmentation string starts with 'z' and has an 'R'.  False for a CIE we
 * cannot read.
 */
static bool cie_fde_encoding(const uint8_t *eh, size_t size, size_t off,
			     uint8_t *enc)
{
	struct cursor c = { eh + off, eh + size, true };
	uint64_t len = get_u(&c, 4);
	if (!c.ok || len == 0 || len == 0xffffffffu ||
	    len > (uint64_t)(c.end - c.p))
		return false;
	c.end = c.p + len; /* the record, and no further */
	if (get_u(&c, 4) != 0 || !c.ok)
		return false; /* not a CIE */
	uint8_t version = (uint8_t)get_u(&c, 1);
	if (version != 1 && version != 3)
		return false;
	const char *aug = (const char *)c.p;
	const uint8_t *nul = memchr(c.p, 0, (size_t)(c.end - c.p));
	if (!nul)
		return false;
	c.p = nul + 1;
	if (aug[0] == 'e' && aug[1] == 'h') {
		get_u(&c, 8); /* an old GCC's eh_ptr */
		aug += 2;
	}
	get_uleb(&c); /* code alignment */
	get_sleb(&c); /* data alignment */
	if (version == 1)
		get_u(&c, 1); /* return address register */
	else
		get_uleb(&c);
	*enc = PE_ABSPTR;
	if (aug[0] == '\0')
		return c.ok;
	if (aug[0] != 'z')
		return false; /* an augmentation we cannot skip */
	uint64_t aug_len = get_uleb(&c);
	if (!c.ok || aug_len > (uint64_t)(c.end - c.p))
		return false;
	c.end = c.p + aug_len;
	for (const char *a = aug + 1; *a; a++) {
		uint8_t penc;
		uint64_t ignored;
		switch (*a) {
		case 'R':
			*enc = (uint8_t)get_u(&c, 1);
			return c.ok;
		case 'L': /* the LSDA's encoding */
			get_u(&c, 1);
			break;
		case 'P': /* the personality routine: an encoded pointer */
			penc = (uint8_t)get_u(&c, 1);
			if ((penc & PE_APPL_MASK) == PE_ALIGNED ||
			    !get_format(&c, penc, &ignored))
				return false; /* aligned: padding we do not track */
			break;
		case 'S': /* a signal frame */
		case 'B': /* AArch64 pointer authentication */
		case 'G': /* MTE-tagged frames */
			break;
		default:
			return false; /* its data, and so R's place, unknown */
		}
		if (!c.ok)
			return false;
	}
	return c.ok;
}

static int by_start(const void *a, const void *b)
{
	const struct eh_entry *x = a, *y = b;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return (x->fde > y->fde) - (x->fde < y->fde);
}

size_t ehframe_index(const uint8_t *eh, size_t size, uint64_t addr,
		     struct eh_entry **out)
{
	*out = NULL;
	/* Offsets must fit the table's signed 32-bit entries. */
	if (!eh || size < 8 || size > INT32_MAX)
		return 0;
	struct eh_entry *e = NULL;
	size_t n = 0, cap = 0;
	size_t off = 0;
	while (size - off >= 8) {
		struct cursor c = { eh + off, eh + size, true };
		uint64_t len = get_u(&c, 4);
		if (len == 0)
			break; /* the terminator */
		if (len == 0xffffffffu)
			break; /* 64-bit records: never emitted for x86-64 code */
		if (len > size - off - 4)
			break; /* runs past the section: stop, keep what we have */
		size_t next = off + 4 + (size_t)len;
		c.end = eh + next;
		uint32_t id = (uint32_t)get_u(&c, 4);
		if (c.ok && id != 0 && id <= off + 4) {
			/* An FDE: id is the distance back to its CIE. */
			size_t cie = off + 4 - id;
			uint8_t enc;
			uint64_t field = addr + off + 8, begin, range;
			if (cie_fde_encoding(eh, size, cie, &enc) &&
			    get_pointer(&c, enc, field, &begin) &&
			    get_format(&c, enc, &range) && range != 0 &&
			    begin != 0) {
				/* Start relative to the section: a signed
				 * 32-bit value, or the entry cannot exist. */
				int64_t rel = (int64_t)(begin - addr);
				if (rel >= INT32_MIN && rel <= INT32_MAX) {
					if (n == cap) {
						cap = cap ? cap * 2 : 256;
						struct eh_entry *g = realloc(e, cap * sizeof(*g));
						if (!g) {
							free(e);
							return 0;
						}
						e = g;
					}
					e[n].start = (int32_t)rel;
					e[n].fde = (int32_t)off;
					n++;
				}
			}
		}
		off = next;
	}
	if (n == 0) {
		free(e);
		return 0;
	}
	qsort(e, n, sizeof(*e), by_start);
	*out = e;
	return n;
}
