/*
 * Shared anonymous memory objects (contracts in shmem.h).
 *
 * The object owns its pages; mappings only point at them (mm.c marks
 * such entries PTE_SHM and never frees their pages).  They sit in a
 * three-level table of pages, 512 entries each, indexed by page number
 * within the object, so a large reservation costs only what is touched.
 * Entries hold physical addresses, 0 for none.
 */
#include "mm/shmem.h"

#include "arch/x86/vm.h"
#include "mm/kalloc.h"

#define LEVELS 3
#define FANOUT 512

struct shmem {
	int refs;
	uint64_t npages;
	uint64_t *root; /* NULL until the first page */
};

struct shmem *shmem_new(uint64_t npages)
{
	if (npages > SHMEM_MAX_PAGES)
		return NULL;
	struct shmem *s = kmalloc(sizeof(*s));
	if (s) {
		s->refs = 1;
		s->npages = npages;
	}
	return s;
}

uint64_t shmem_pages(const struct shmem *s)
{
	return s->npages;
}

void shmem_get(struct shmem *s)
{
	s->refs++;
}

/* Frees a table of the given level (LEVELS - 1: its entries are the
 * object's pages) and everything below it. */
static void free_table(uint64_t *t, int level)
{
	for (int i = 0; i < FANOUT; i++) {
		if (!t[i])
			continue;
		void *p = phys_to_virt(t[i]);
		if (level == LEVELS - 1)
			page_free(p);
		else
			free_table(p, level + 1);
	}
	page_free(t);
}

void shmem_put(struct shmem *s)
{
	if (--s->refs > 0)
		return;
	if (s->root)
		free_table(s->root, 0);
	kfree(s);
}

void *shmem_page(struct shmem *s, uint64_t idx)
{
	if (idx >= s->npages)
		return NULL;
	if (!s->root && !(s->root = page_alloc()))
		return NULL;
	uint64_t *t = s->root;
	for (int level = 0; level < LEVELS; level++) {
		uint64_t *e = &t[(idx >> (9 * (LEVELS - 1 - level))) % FANOUT];
		if (!*e) {
			void *p = page_alloc(); /* a table, or the page itself */
			if (!p)
				return NULL;
			*e = virt_to_phys(p);
		}
		t = phys_to_virt(*e);
	}
	return t;
}
