/*
 * A binary-search table for an .eh_frame section, built by reading it:
 * what the linker writes into .eh_frame_hdr when asked (--eh-frame-hdr).
 * GCC does not ask for it when linking with -static (only for dynamic and
 * -static-pie links), so the static programs rrv runs usually have
 * .eh_frame without the table that unwinders search.
 */
#ifndef RRV_DEBUGINFO_EHFRAME_H
#define RRV_DEBUGINFO_EHFRAME_H

#include <stddef.h>
#include <stdint.h>

/* One entry, in .eh_frame_hdr's own layout (what libunwind reads): the
 * function's first address and its FDE, both relative to the address of
 * the .eh_frame section. */
struct eh_entry {
	int32_t start;
	int32_t fde;
};

/*
 * Reads the .eh_frame bytes eh[0..size), which the program has at
 * link-time address addr, and returns the number of FDEs it indexed, with
 * the entries sorted by start in *out (malloc'd; free it).  Returns 0 with
 * *out NULL when there is nothing usable.  The bytes are untrusted: a
 * malformed record ends the walk, keeping what came before it; FDEs whose
 * CIE or encoding is not understood are left out.
 */
size_t ehframe_index(const uint8_t *eh, size_t size, uint64_t addr,
		     struct eh_entry **out);

#endif
