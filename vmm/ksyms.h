/* Symbols of the guest kernel image, for naming addresses in reports. */
#ifndef RRV_VMM_KSYMS_H
#define RRV_VMM_KSYMS_H

#include <stddef.h>
#include <stdint.h>

struct ksyms;

/* Reads the function symbols of an ELF image.  NULL when it has none. */
struct ksyms *ksyms_load(const void *image, size_t size);
void ksyms_free(struct ksyms *k);

/* The function containing addr and addr's offset in it, or NULL. */
const char *ksyms_lookup(const struct ksyms *k, uint64_t addr, uint64_t *off);

#endif
