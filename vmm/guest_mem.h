/*
 * Guest-physical memory as the VMM sees it, and the one checked translation
 * from guest-physical addresses to host pointers.  No other code in the VMM
 * adds a guest address to a host pointer.
 */
#ifndef RRV_VMM_GUEST_MEM_H
#define RRV_VMM_GUEST_MEM_H

#include <stddef.h>
#include <stdint.h>

#include <rrv/hypercall.h>

struct guest_mem {
	uint8_t *host;     /* mapping of guest-physical [0, size) */
	uint64_t size;     /* bytes */
	uint64_t refused;  /* translations refused so far (for --stats) */
	/* While snapshots are on (vmm/snapshot.c): one bit per 4 KiB page
	 * that the VMM may have written since the last snapshot.  KVM's
	 * dirty log sees only the guest's own stores, so every range this
	 * translation hands out is marked here (reads too: a few pages too
	 * many cost a copy, one too few would break a restore).  NULL when
	 * off. */
	uint64_t *dirty;
};

#define GUEST_PAGE_SHIFT 12
#define GUEST_PAGE_SIZE (1ull << GUEST_PAGE_SHIFT)
/* 64-bit words of a page bitmap for size bytes. */
#define GUEST_BITMAP_WORDS(size) \
	((((size) >> GUEST_PAGE_SHIFT) + 63) / 64)

/*
 * Returns the host address of guest-physical [gpa, gpa + len), or NULL when
 * any byte of it lies outside guest memory (overflow-safe).  file and line
 * name the caller, for the diagnostic printed when RRV_DEBUG is set.
 */
void *guest_mem_at(struct guest_mem *gm, rrv_gpa_t gpa, uint64_t len,
		   const char *file, int line);

#define GUEST_AT(gm, gpa, len) guest_mem_at((gm), (gpa), (len), __FILE__, __LINE__)

/* Maps fresh zeroed guest memory of size bytes; returns 0 or -errno. */
int guest_mem_alloc(struct guest_mem *gm, uint64_t size);
void guest_mem_free(struct guest_mem *gm);

/* Starts marking what GUEST_AT() hands out, on fresh memory (nothing
 * marked: every page is still zero); returns 0 or -ENOMEM. */
int guest_mem_track(struct guest_mem *gm);

#endif
