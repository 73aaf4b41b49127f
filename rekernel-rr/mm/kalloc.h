/*
 * Physical memory: 4 KiB pages of guest RAM and small kernel objects.
 * Everything handed out is zeroed, so no stale bytes (which would differ
 * between runs) can ever reach the program.
 */
#ifndef REKERNEL_KALLOC_H
#define REKERNEL_KALLOC_H

#include <stdbool.h>
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

/*
 * Pages shared copy-on-write between address spaces (mm.c): how many
 * more owners a page has besides one.  page_share adds one (false when it
 * cannot be counted: the caller copies instead); page_unshare drops one
 * and says whether there was one to drop (the page then stays in use);
 * page_sharers tells the count.  The counts live in pages allocated on
 * first use, so a program that never forks pays nothing.
 */
bool page_share(void *page);
bool page_unshare(void *page);
unsigned page_sharers(void *page);
uint64_t kalloc_total_pages(void);

#endif
