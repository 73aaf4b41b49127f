/*
 * Which user pages a thread wrote since the kernel last looked, for
 * preemption points (proc/preempt.c; docs/threads.md, "What identifies a
 * point").  The CPU sets an entry's dirty bit on every write through it;
 * the kernel clears them all at deterministic moments (every point, every
 * new thread), so at any later moment the set of dirty pages and their
 * contents are what the running code changed since, the same in the
 * recording and in every replay.
 */
#include "mm/mm.h"

#include <stddef.h>

#include "arch/x86/vm.h"
#include "arch/x86/x86.h"
#include "mm/internal.h"

struct dirty_sum {
	uint64_t h;
	uint32_t n;
	bool hash;
};

/* A word-at-a-time mix: pages are hashed whole, often. */
static uint64_t mix(uint64_t h, uint64_t w)
{
	h = (h ^ w) * 0x9e3779b97f4a7c15ull;
	return h ^ (h >> 29);
}

static void pte_sum(struct mm *mm, uint64_t va, pte_t *pte, void *arg)
{
	struct dirty_sum *s = arg;
	(void)mm;
	if (!(*pte & PTE_D))
		return;
	s->n++;
	if (!s->hash)
		return;
	const uint64_t *w = phys_to_virt(*pte & PTE_ADDR);
	s->h = mix(s->h, va);
	for (unsigned i = 0; i < PGSIZE / 8; i++)
		s->h = mix(s->h, w[i]);
}

uint32_t mm_dirty_count(struct mm *mm)
{
	struct dirty_sum s = { 0 };
	walk_range(mm, 0, USER_TOP, pte_sum, &s);
	return s.n;
}

uint64_t mm_dirty_digest(struct mm *mm, uint32_t *npages)
{
	struct dirty_sum s = { .h = 0xcbf29ce484222325ull, .hash = true };
	walk_range(mm, 0, USER_TOP, pte_sum, &s);
	*npages = s.n;
	return s.h;
}

static void pte_clean(struct mm *mm, uint64_t va, pte_t *pte, void *arg)
{
	(void)mm;
	(void)va;
	(void)arg;
	if (*pte & PTE_D)
		*pte = (*pte & ~PTE_D) | PTE_WRITTEN;
}

void mm_dirty_clear(struct mm *mm)
{
	walk_range(mm, 0, USER_TOP, pte_clean, NULL);
	/* The TLB may hold entries with the dirty bit set, through which
	 * writes would not set it again: user entries are not global, so
	 * reloading CR3 drops them (another address space's are not
	 * cached: a switch to it reloads CR3 anyway). */
	if (mm == mm_current())
		lcr3(rcr3());
}
