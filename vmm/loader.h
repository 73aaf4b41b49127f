/* Loading the guest kernel's ELF image into guest memory. */
#ifndef RRV_VMM_LOADER_H
#define RRV_VMM_LOADER_H

#include <stddef.h>
#include <stdint.h>

struct guest_mem;

/* Published once, never renumbered: tests and messages rely on them. */
enum loader_error {
	LOADER_OK = 0,
	LOADER_E_NOT_ELF = -1,      /* no ELF magic, or libelf refused it */
	LOADER_E_CLASS = -2,        /* not ELFCLASS64 little-endian */
	LOADER_E_MACHINE = -3,      /* not EM_X86_64 */
	LOADER_E_TYPE = -4,         /* not ET_EXEC */
	LOADER_E_NO_SEGMENTS = -5,  /* no PT_LOAD */
	LOADER_E_SEGMENT = -6,      /* a PT_LOAD outside the image or memory */
	LOADER_E_ENTRY = -7,        /* entry point outside executable code */
	LOADER_E_NOMEM = -8,        /* host out of memory */
};

/*
 * Copies the PT_LOAD segments of the kernel ELF image (size bytes at image)
 * to their physical addresses in gm, zeroing the rest of each segment.
 * Returns LOADER_OK and the guest-virtual entry point, or an error.
 */
int loader_load_kernel(struct guest_mem *gm, const void *image, size_t size,
		       uint64_t *entry);

/* A sentence describing a loader_error. */
const char *loader_strerror(int err);

#endif
