/*
 * Physical memory: 4 KiB pages of guest RAM and small kernel objects.
 * Everything handed out is zeroed, so no stale bytes (which would differ
 * between runs) can ever reach the program.
 */
#ifndef REKERNEL_KALLOC_H
#define REKERNEL_KALLOC_H

#include <stddef.h>
#include <stdint.h>

/* Takes the guest RAM not used by the kernel image and its tables. */
void kalloc_init(uint64_t mem_bytes);

/* One zeroed page (a direct-map address), or NULL when memory is out. */
void *page_alloc(void);
void page_free(void *page);

/* n zeroed, physically contiguous pages, or NULL; each is given back with
 * page_free. */
void *page_alloc_run(int n);

/* A zeroed object of n <= 4096 bytes, or NULL.  kfree(NULL) is fine. */
void *kmalloc(size_t n);
void kfree(void *p);

/* Pages free and in total, for sysinfo and --stats. */
uint64_t kalloc_free_pages(void);
uint64_t kalloc_total_pages(void);

#endif
