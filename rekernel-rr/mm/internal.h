/*
 * What mm.c and mmap.c share and nobody else may use: the page-table
 * entry bits of user mappings, the walkers and the VMA list operations.
 */
#ifndef REKERNEL_MM_INTERNAL_H
#define REKERNEL_MM_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "mm/mm.h"

typedef uint64_t pte_t;

#define PTE_PAGE (1ull << 9) /* software bit: the entry owns a page */
/* Software bit: the page is shared copy-on-write with another address
 * space since a fork (or was, and the other copy went): the entry is
 * never writable, and the first write takes a copy (cow_break). */
#define PTE_COW (1ull << 10)
/* Software bit: the page belongs to a shmem object (a MAP_SHARED
 * anonymous mapping), which frees it; the entry only points at it. */
#define PTE_SHM (1ull << 11)
#define PTE_D (1ull << 6)    /* set by the CPU on a write */
/* Software bit (52, which the CPU ignores): the page was written since
 * its file last got it back (a shared file mapping), though dirty.c has
 * cleared PTE_D since, to see which pages a preemption point's stretch
 * writes.  Writeback takes PTE_D | PTE_WRITTEN. */
#define PTE_WRITTEN (1ull << 52)


static inline uint64_t pgdown(uint64_t a)
{
	return a & ~(uint64_t)(PGSIZE - 1);
}

/* Callers make sure a is below USER_TOP, so this cannot wrap. */
static inline uint64_t pgup(uint64_t a)
{
	return (a + PGSIZE - 1) & ~(uint64_t)(PGSIZE - 1);
}

typedef void (*pte_fn)(struct mm *mm, uint64_t va, pte_t *pte, void *arg);

/* The leaf entry for va, creating the intermediate tables when create
 * is set; NULL when it does not exist (or memory is out). */
pte_t *walk(struct mm *mm, uint64_t va, bool create);
/* Calls fn for every present leaf entry in [start, end). */
void walk_range(struct mm *mm, uint64_t start, uint64_t end, pte_fn fn, void *arg);
/* pte_fn callbacks of walk_range. */
void pte_free(struct mm *mm, uint64_t va, pte_t *pte, void *arg);
void pte_reprotect(struct mm *mm, uint64_t va, pte_t *pte, void *arg);
void vma_free(struct vma *v);
/* Where a mapping's neighbours must stop: below a stack, the guard gap. */
uint64_t start_gap(const struct vma *v);
void vma_insert(struct mm *mm, struct vma *nv);
/* Splits the VMA containing addr strictly inside into two at addr. */
int split_at(struct mm *mm, uint64_t addr);
/* Joins neighbours that differ only in their bounds. */
void merge_all(struct mm *mm);

#endif
