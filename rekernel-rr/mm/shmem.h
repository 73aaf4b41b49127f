/*
 * Shared anonymous memory (mmap with MAP_SHARED | MAP_ANONYMOUS): its
 * pages belong to one object that every mapping of it refers to, in
 * every process, so that after a fork a page either process touches, even
 * one neither had touched before, is the same page for both.
 */
#ifndef REKERNEL_SHMEM_H
#define REKERNEL_SHMEM_H

#include <stdbool.h>
#include <stdint.h>

struct shmem;

/* A new object of npages zero pages (made on first touch) with one
 * reference; NULL when memory is out or npages is over SHMEM_MAX_PAGES.
 * Its size stays: a mapping grown by mremap reaches past it, where
 * Linux raises SIGBUS, and so does mm.c. */
struct shmem *shmem_new(uint64_t npages);
void shmem_get(struct shmem *s);
/* Drops a reference; the last frees every page of the object. */
void shmem_put(struct shmem *s);

/* How many pages the object has. */
uint64_t shmem_pages(const struct shmem *s);

/* The object's page number idx < shmem_pages (a direct-map address):
 * made, zeroed, on first use.  NULL when memory is out. */
void *shmem_page(struct shmem *s, uint64_t idx);

#define SHMEM_MAX_PAGES (1ull << 27) /* 512 GiB */

#endif
