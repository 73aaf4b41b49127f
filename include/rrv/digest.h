/*
 * The one 64-bit digest of rrv (FNV-1a, 64-bit): what a recording stores
 * for each hypercall's inputs and replay compares, and what the trace
 * writer finds repeated blocks by.  It is part of the trace format: a
 * digest stored in a trace must come out the same from every later rrv on
 * every machine, so the seed and the prime never change.
 *
 * Here rather than in the VMM or the trace library because both use it and
 * neither may include the other; a header of its own, freestanding C99, so
 * that the guest kernel could use it too.
 */
#ifndef RRV_DIGEST_H
#define RRV_DIGEST_H

#include <stddef.h>
#include <stdint.h>

/* The FNV-1a offset basis: where every digest starts. */
#define RRV_DIGEST_SEED 0xcbf29ce484222325ull

/* Continues digest h over len bytes of data; start from RRV_DIGEST_SEED. */
static inline uint64_t rrv_digest(uint64_t h, const void *data, size_t len)
{
	const uint8_t *p = (const uint8_t *)data;
	for (size_t i = 0; i < len; i++) {
		h ^= p[i];
		h *= 0x100000001b3ull; /* the 64-bit FNV prime */
	}
	return h;
}

#endif
