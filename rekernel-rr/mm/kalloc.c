/*
 * Physical memory (contracts in kalloc.h): a bitmap of the 4 KiB pages of
 * guest RAM between the end of the kernel image and the end of the direct
 * map, and power-of-two object caches carved from those pages.
 *
 * Two properties matter more than speed here:
 *   - Determinism.  The lowest free page is always the one handed out, so
 *     two runs of the same program get the same physical pages in the same
 *     order; nothing depends on timing or on the host.
 *   - Laziness.  Guest RAM is backed by the host only when touched, so a
 *     3 GiB guest that uses 10 MiB must cost about 10 MiB.  Nothing here
 *     walks or writes free pages: the bitmap is in .bss (zero = free) and a
 *     page is zeroed only when it is handed out.
 */
#include "mm/kalloc.h"

#include <rrv/boot.h>

#include "arch/x86/vm.h"
#include "lib/kprintf.h"
#include "lib/string.h"

#define MAX_PAGES (DMAP_MAX_BYTES / PGSIZE)
#define WORD_BITS 64

/* Bit set = page in use.  Indexed by physical page number; the pages below
 * first_page (the image, the boot tables, low memory) are never looked at. */
static uint64_t used[MAX_PAGES / WORD_BITS];
static uint64_t first_page, end_page;
static uint64_t nfree, ntotal;
/* No free page below this word of used[]: where a search starts. */
static uint64_t hint_word;

void kalloc_init(uint64_t mem_bytes)
{
	uint64_t image_end = (uint64_t)(uintptr_t)__kernel_end - RRV_KERNEL_VBASE;
	uint64_t end = vm_dmap_bytes();

	/* Only direct-mapped RAM can be handed out: the kernel reaches
	 * every page through phys_to_virt. */
	if (end > mem_bytes)
		end = mem_bytes;
	first_page = (image_end + PGSIZE - 1) / PGSIZE;
	end_page = end / PGSIZE;
	if (end_page <= first_page)
		panic("kalloc: no guest RAM above the kernel image (%lu MiB)",
		      mem_bytes >> 20);
	/* Mark the partial words' pages outside [first_page, end_page) used,
	 * so that the word scan below never returns them. */
	for (uint64_t pn = first_page & ~(uint64_t)(WORD_BITS - 1); pn < first_page; pn++)
		used[pn / WORD_BITS] |= 1ull << (pn % WORD_BITS);
	for (uint64_t pn = end_page; pn % WORD_BITS; pn++)
		used[pn / WORD_BITS] |= 1ull << (pn % WORD_BITS);
	ntotal = nfree = end_page - first_page;
	hint_word = first_page / WORD_BITS;
}

void *page_alloc(void)
{
	uint64_t nwords = (end_page + WORD_BITS - 1) / WORD_BITS;

	for (uint64_t w = hint_word; w < nwords; w++) {
		if (used[w] == ~0ull)
			continue;
		uint64_t bit = (uint64_t)__builtin_ctzll(~used[w]);
		used[w] |= 1ull << bit;
		hint_word = w;
		nfree--;
		void *p = phys_to_virt((w * WORD_BITS + bit) * PGSIZE);
		memset(p, 0, PGSIZE);
		return p;
	}
	hint_word = nwords;
	return NULL;
}

/*
 * n physically contiguous pages (a thread's kernel stack).  A first-fit
 * scan from the lowest page, like page_alloc, so the result depends only
 * on what was allocated before, never on timing.
 */
void *page_alloc_run(int n)
{
	uint64_t run = 0;

	for (uint64_t pn = first_page; pn < end_page; pn++) {
		if (used[pn / WORD_BITS] & (1ull << (pn % WORD_BITS))) {
			run = 0;
			continue;
		}
		if (++run < (uint64_t)n)
			continue;
		uint64_t first = pn + 1 - (uint64_t)n;
		for (uint64_t q = first; q <= pn; q++)
			used[q / WORD_BITS] |= 1ull << (q % WORD_BITS);
		nfree -= (uint64_t)n;
		void *p = phys_to_virt(first * PGSIZE);
		memset(p, 0, (size_t)n * PGSIZE);
		return p;
	}
	return NULL;
}

void page_free(void *page)
{
	uint64_t pa = virt_to_phys(page);
	uint64_t pn = pa / PGSIZE;

	if (pa % PGSIZE || pn < first_page || pn >= end_page)
		panic("page_free: %p is not an allocatable page", page);
	if (!(used[pn / WORD_BITS] & (1ull << (pn % WORD_BITS))))
		panic("page_free: page %p freed twice", page);
	used[pn / WORD_BITS] &= ~(1ull << (pn % WORD_BITS));
	nfree++;
	if (pn / WORD_BITS < hint_word)
		hint_word = pn / WORD_BITS;
}

/* Sharer counts, one byte per physical page, in pages of counts made
 * when a page in their range is first shared. */
#define COUNTS_PER_PAGE PGSIZE
static uint8_t *share_counts[MAX_PAGES / COUNTS_PER_PAGE];

static uint8_t *share_slot(void *page, bool create)
{
	uint64_t pn = virt_to_phys(page) / PGSIZE;
	uint8_t **c = &share_counts[pn / COUNTS_PER_PAGE];
	if (!*c && create)
		*c = page_alloc();
	return *c ? &(*c)[pn % COUNTS_PER_PAGE] : NULL;
}

bool page_share(void *page)
{
	uint8_t *s = share_slot(page, true);
	if (!s || *s == UINT8_MAX)
		return false;
	(*s)++;
	return true;
}

bool page_unshare(void *page)
{
	uint8_t *s = share_slot(page, false);
	if (!s || !*s)
		return false;
	(*s)--;
	return true;
}

unsigned page_sharers(void *page)
{
	uint8_t *s = share_slot(page, false);
	return s ? *s : 0;
}

uint64_t kalloc_free_pages(void)
{
	return nfree;
}

uint64_t kalloc_total_pages(void)
{
	return ntotal;
}

/*
 * Objects: blocks of 32 to 2048 bytes, each with a 16-byte header saying
 * which size class it belongs to, so that kfree needs no size.  A block
 * never starts on a page boundary (the header is there), which is how
 * kfree tells it from a whole page: requests too big for a 2048-byte block
 * get a page of their own, page-aligned.  Freed blocks go back on their
 * class's list; pages carved into blocks are never returned (objects are
 * few and long-lived: VMAs, files, pipe buffers).
 */
#define HDR_SIZE 16
#define MIN_SHIFT 5  /* 32 bytes */
#define MAX_SHIFT 11 /* 2048 bytes */
#define NCLASSES (MAX_SHIFT - MIN_SHIFT + 1)
#define HDR_MAGIC 0x6b6d616cu /* "kmal": handed out */
#define HDR_FREE 0x66726565u  /* "free": on a free list */

struct block_hdr {
	uint32_t magic;
	uint32_t cls;
	struct block_hdr *next; /* on the free list */
};

static struct block_hdr *free_blocks[NCLASSES];

static bool refill(unsigned cls)
{
	char *page = page_alloc();
	size_t size = (size_t)1 << (cls + MIN_SHIFT);

	if (!page)
		return false;
	/* Push in reverse so the list hands out the page's blocks in
	 * address order. */
	for (size_t off = PGSIZE; off >= size; off -= size) {
		struct block_hdr *b = (struct block_hdr *)(page + off - size);
		b->magic = HDR_FREE;
		b->cls = cls;
		b->next = free_blocks[cls];
		free_blocks[cls] = b;
	}
	return true;
}

void *kmalloc(size_t n)
{
	if (n > PGSIZE)
		panic("kmalloc: %zu bytes is more than a page", n);
	if (n + HDR_SIZE > ((size_t)1 << MAX_SHIFT))
		return page_alloc();

	unsigned cls = 0;
	while (((size_t)1 << (cls + MIN_SHIFT)) < n + HDR_SIZE)
		cls++;
	if (!free_blocks[cls] && !refill(cls))
		return NULL;
	struct block_hdr *b = free_blocks[cls];
	free_blocks[cls] = b->next;
	b->magic = HDR_MAGIC;
	b->next = NULL;
	void *p = (char *)b + HDR_SIZE;
	memset(p, 0, ((size_t)1 << (cls + MIN_SHIFT)) - HDR_SIZE);
	return p;
}

void kfree(void *p)
{
	if (!p)
		return;
	if (((uintptr_t)p & (PGSIZE - 1)) == 0) {
		page_free(p);
		return;
	}
	struct block_hdr *b = (struct block_hdr *)((char *)p - HDR_SIZE);
	if (b->magic != HDR_MAGIC || b->cls >= NCLASSES)
		panic("kfree: %p was not returned by kmalloc, or is freed twice", p);
	b->magic = HDR_FREE;
	b->next = free_blocks[b->cls];
	free_blocks[b->cls] = b;
}
