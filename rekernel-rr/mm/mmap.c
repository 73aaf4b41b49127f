/*
 * Changing an address space (contracts in mm.h): choosing addresses,
 * mapping, unmapping, mprotect and mremap, the write-back of shared file
 * mappings, and the lines of /proc/self/maps.  The page tables and the
 * VMA list primitives are mm.c's (mm/internal.h).
 */
#include "mm/mm.h"

#include <rrv/hypercall.h>

#include "arch/x86/x86.h"
#include "lib/kprintf.h"
#include "lib/string.h"
#include "mm/internal.h"
#include "mm/kalloc.h"
#include "mm/shmem.h"
#include "uapi/errno.h"
#include "uapi/mman.h"

/* ------------------------------------------------------------------ */
/* Choosing addresses                                                   */

/*
 * A free range of len bytes within [low, high): the lowest one (!down) or
 * the highest (down), looking at the gaps between mappings in ascending
 * order, with the guard gap below growing mappings counted as taken.
 * 0 when none fits.
 */
static uint64_t search(struct mm *mm, uint64_t len, uint64_t low, uint64_t high, bool down)
{
	uint64_t best = 0, gap_lo = 0;

	for (struct vma *v = mm->vmas;; v = v->next) {
		uint64_t gap_hi = v ? start_gap(v) : USER_TOP;
		uint64_t lo = gap_lo > low ? gap_lo : low;
		uint64_t hi = gap_hi < high ? gap_hi : high;
		if (hi > lo && hi - lo >= len) {
			if (!down)
				return lo;
			best = hi - len; /* gaps ascend: the last one is highest */
		}
		if (!v)
			break;
		gap_lo = v->end;
	}
	return best;
}

uint64_t mm_find_free(struct mm *mm, uint64_t len, uint64_t hint, bool below_2g)
{
	if (len == 0 || len > USER_TOP - USER_MMAP_MIN)
		return 0;
	if (below_2g)
		return search(mm, len, 0x40000000ull, 0x80000000ull, false);
	if (hint >= USER_MMAP_MIN && hint < USER_TOP && len <= USER_TOP - hint) {
		/* Linux takes the hint when it is free, keeping clear of the
		 * guard gap below a stack. */
		struct vma *v = mm_find_vma(mm, hint);
		if (!v || hint + len <= start_gap(v))
			return hint;
	}
	uint64_t a = search(mm, len, USER_MMAP_MIN, mm->mmap_base, true);
	if (!a)
		a = search(mm, len, USER_UNMAPPED_BASE, USER_TOP, false);
	return a;
}

/* ------------------------------------------------------------------ */
/* Changing mappings                                                    */

int mm_unmap(struct mm *mm, uint64_t start, uint64_t len)
{
	uint64_t end = start + len;
	int r = split_at(mm, start);
	if (!r)
		r = split_at(mm, end);
	if (r)
		return r;
	mm_sync(mm, start, len);
	walk_range(mm, start, end, pte_free, NULL);

	struct vma **link = &mm->vmas;
	while (*link) {
		struct vma *v = *link;
		if (v->start >= start && v->end <= end) {
			*link = v->next;
			vma_free(v);
		} else {
			link = &v->next;
		}
	}
	mm->cache = NULL;
	return 0;
}

int mm_map(struct mm *mm, uint64_t start, uint64_t len, uint32_t prot,
	   uint32_t flags, enum vma_kind kind)
{
	return mm_map_file(mm, start, len, prot, flags, kind, NULL, 0, 0);
}

int mm_map_file(struct mm *mm, uint64_t start, uint64_t len, uint32_t prot,
		uint32_t flags, enum vma_kind kind, struct mapfile *mf,
		uint64_t pgoff, uint64_t fend)
{
	struct vma *nv = kmalloc(sizeof(*nv));
	if (!nv)
		return -ENOMEM;
	/* MAP_SHARED | MAP_ANONYMOUS: its pages belong to an object that a
	 * fork shares (the guest has no /dev/zero file to stand for it). */
	if ((flags & VM_SHARED) && !mf && !(nv->shm = shmem_new(len / PGSIZE))) {
		kfree(nv);
		return -ENOMEM;
	}
	int r = mm_unmap(mm, start, len);
	if (r) {
		if (nv->shm)
			shmem_put(nv->shm);
		kfree(nv);
		return r;
	}
	nv->start = start;
	nv->end = start + len;
	nv->prot = prot;
	nv->flags = flags;
	nv->kind = kind;
	nv->mf = mf;
	nv->pgoff = pgoff;
	nv->fend = fend;
	if (mf)
		mapfile_get(mf);
	vma_insert(mm, nv);
	merge_all(mm);
	return 0;
}

int mm_protect(struct mm *mm, uint64_t start, uint64_t len, uint32_t prot)
{
	uint64_t end = start + len;
	if (!mm_range_mapped(mm, start, len))
		return -ENOMEM;
	int r = split_at(mm, start);
	if (!r)
		r = split_at(mm, end);
	if (r)
		return r;
	for (struct vma *v = mm->vmas; v; v = v->next)
		if (v->start >= start && v->end <= end)
			v->prot = prot;
	walk_range(mm, start, end, pte_reprotect, &prot);
	merge_all(mm);
	return 0;
}

int mm_discard(struct mm *mm, uint64_t start, uint64_t len)
{
	uint64_t end = start + len;
	mm_sync(mm, start, len); /* a shared page then reads back the same */
	for (struct vma *v = mm->vmas; v; v = v->next) {
		uint64_t lo = v->start > start ? v->start : start;
		uint64_t hi = v->end < end ? v->end : end;
		if (lo < hi)
			walk_range(mm, lo, hi, pte_free, NULL);
	}
	return mm_range_mapped(mm, start, len) ? 0 : -ENOMEM;
}

struct move {
	uint64_t delta; /* new address - old address, modulo 2^64 */
	bool failed;
};

static void pte_prepare_move(struct mm *mm, uint64_t va, pte_t *pte, void *arg)
{
	struct move *m = arg;
	(void)pte;
	if (!m->failed && !walk(mm, va + m->delta, true))
		m->failed = true;
}

static void pte_move(struct mm *mm, uint64_t va, pte_t *pte, void *arg)
{
	struct move *m = arg;
	pte_t *dst = walk(mm, va + m->delta, false);
	*dst = *pte;
	*pte = 0;
	invlpg(va);
}

/*
 * Moves [old, old + old_len), which lies in VMA v, to a new mapping
 * [new_addr, new_addr + new_len) with v's protection: the pages move (no
 * copy), the rest of the new mapping is fresh.  The old range is then
 * unmapped, or left mapped and empty with MREMAP_DONTUNMAP.
 */
static int64_t move_mapping(struct mm *mm, struct vma *v, uint64_t old, uint64_t old_len,
			    uint64_t new_len, uint64_t new_addr, bool dontunmap)
{
	struct move m = { .delta = new_addr - old, .failed = false };
	struct vma *nv = kmalloc(sizeof(*nv));
	if (!nv)
		return -ENOMEM;
	/* Make every table the move needs first, so that it cannot fail
	 * half-way. */
	walk_range(mm, old, old + old_len, pte_prepare_move, &m);
	if (m.failed) {
		kfree(nv);
		return -ENOMEM;
	}
	nv->start = new_addr;
	nv->end = new_addr + new_len;
	nv->prot = v->prot;
	nv->flags = v->flags;
	nv->kind = v->kind == VMA_STACK ? VMA_ANON : v->kind;
	nv->flags &= v->kind == VMA_STACK ? ~(uint32_t)VM_GROWSDOWN : ~0u;
	nv->mf = v->mf;
	nv->pgoff = v->pgoff + (old - v->start);
	nv->fend = v->fend == UINT64_MAX ? UINT64_MAX : v->fend + m.delta;
	nv->shm = v->shm;
	if (nv->mf)
		mapfile_get(nv->mf);
	if (nv->shm)
		shmem_get(nv->shm);
	walk_range(mm, old, old + old_len, pte_move, &m);
	vma_insert(mm, nv);
	if (!dontunmap)
		mm_unmap(mm, old, old_len);
	merge_all(mm);
	return (int64_t)new_addr;
}

int64_t mm_remap(struct mm *mm, uint64_t old, uint64_t old_len, uint64_t new_len,
		 uint64_t flags, uint64_t new_addr)
{
	if (flags & ~(uint64_t)(MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP))
		return -EINVAL;
	if ((flags & MREMAP_FIXED) && !(flags & MREMAP_MAYMOVE))
		return -EINVAL;
	if ((flags & MREMAP_DONTUNMAP) &&
	    (!(flags & MREMAP_MAYMOVE) || old_len != new_len))
		return -EINVAL;
	if (old & (PGSIZE - 1))
		return -EINVAL;
	if (old_len > USER_TOP || new_len > USER_TOP)
		return -EINVAL;
	old_len = pgup(old_len);
	new_len = pgup(new_len);
	if (!new_len || !old_len)
		return -EINVAL;

	if (flags & MREMAP_FIXED) {
		if ((new_addr & (PGSIZE - 1)) || new_addr > USER_TOP - new_len)
			return -EINVAL;
		/* The two ranges may not overlap. */
		if (new_addr < old + old_len && old < new_addr + new_len)
			return -EINVAL;
	}
	struct vma *v = mm_find_vma(mm, old);
	if (!v || v->start > old || old_len > v->end - old)
		return -EFAULT;

	if (flags & MREMAP_FIXED) {
		int r = mm_unmap(mm, new_addr, new_len);
		if (r)
			return r;
		if (old_len > new_len) {
			r = mm_unmap(mm, old + new_len, old_len - new_len);
			if (r)
				return r;
			old_len = new_len;
		}
		v = mm_find_vma(mm, old);
		return move_mapping(mm, v, old, old_len, new_len, new_addr,
				    flags & MREMAP_DONTUNMAP);
	}

	if (old_len >= new_len && !(flags & MREMAP_DONTUNMAP)) {
		int r = old_len > new_len ? mm_unmap(mm, old + new_len, old_len - new_len) : 0;
		return r ? r : (int64_t)old;
	}

	/* Grow in place when the mapping ends at old + old_len and the
	 * space after it is free. */
	uint64_t delta = new_len - old_len;
	if (!(flags & MREMAP_DONTUNMAP) && v->end == old + old_len &&
	    delta <= USER_TOP - v->end && mm_range_free(mm, v->end, delta)) {
		v->end += delta;
		merge_all(mm);
		return (int64_t)old;
	}
	if (!(flags & MREMAP_MAYMOVE))
		return -ENOMEM;
	uint64_t to = mm_find_free(mm, new_len, 0, false);
	if (!to)
		return -ENOMEM;
	return move_mapping(mm, v, old, old_len, new_len, to, flags & MREMAP_DONTUNMAP);
}

uint64_t mm_brk(struct mm *mm, uint64_t brk)
{
	if (brk < mm->start_brk || brk > USER_TOP)
		return mm->brk;
	uint64_t old_end = pgup(mm->brk), new_end = pgup(brk);

	if (new_end < old_end) {
		if (mm_unmap(mm, new_end, old_end - new_end))
			return mm->brk;
	} else if (new_end > old_end) {
		/* The new heap may not touch the next mapping, nor come
		 * within the guard gap of a stack. */
		struct vma *n = mm_find_vma(mm, old_end);
		if (n && new_end > start_gap(n))
			return mm->brk;
		if (mm_map(mm, old_end, new_end - old_end, PROT_READ | PROT_WRITE, 0,
			   VMA_BRK))
			return mm->brk;
	}
	mm->brk = brk;
	return brk;
}

/* ------------------------------------------------------------------ */
/* Shared file mappings and /proc/self/maps                            */

static void pte_writeback(struct mm *mm, uint64_t va, pte_t *pte, void *arg)
{
	const struct vma *v = arg;
	(void)mm;
	if (!(*pte & (PTE_D | PTE_WRITTEN)) || va >= v->fend)
		return;
	uint64_t n = v->fend - va < PGSIZE ? v->fend - va : PGSIZE;
	mapfile_write(v->mf, phys_to_virt(*pte & PTE_ADDR), n, v->pgoff + (va - v->start));
	*pte &= ~(PTE_D | PTE_WRITTEN);
	invlpg(va);
}

void mm_sync(struct mm *mm, uint64_t start, uint64_t len)
{
	uint64_t end = start + len;
	for (struct vma *v = mm->vmas; v; v = v->next) {
		if (!v->mf || !(v->flags & VM_SHARED))
			continue;
		uint64_t lo = v->start > start ? v->start : start;
		uint64_t hi = v->end < end ? v->end : end;
		if (lo < hi)
			walk_range(mm, lo, hi, pte_writeback, v);
	}
}

void mm_sync_all(struct mm *mm)
{
	if (mm)
		mm_sync(mm, 0, USER_TOP);
}

void mm_drop_shared(struct mm *mm)
{
	if (!mm)
		return;
	for (struct vma *v = mm->vmas; v; v = v->next) {
		if (!v->mf || !(v->flags & VM_SHARED))
			continue;
		walk_range(mm, v->start, v->end, pte_writeback, v);
		walk_range(mm, v->start, v->end, pte_free, NULL);
	}
}

/* A bounded string builder for the maps lines. */
struct sbuf {
	char *p;
	uint64_t len, cap;
};

static void sb_putc(struct sbuf *b, char c)
{
	if (b->len + 1 < b->cap)
		b->p[b->len] = c;
	b->len++;
}

static void sb_puts(struct sbuf *b, const char *s)
{
	while (*s)
		sb_putc(b, *s++);
}

/* v in hex, at least width digits, as %0*lx. */
static void sb_hex(struct sbuf *b, uint64_t v, int width)
{
	char t[16];
	int n = 0;
	do {
		t[n++] = "0123456789abcdef"[v & 15];
		v >>= 4;
	} while (v);
	while (n < width--)
		sb_putc(b, '0');
	while (n)
		sb_putc(b, t[--n]);
}

/* One maps line of v, with its newline. */
static void format_line(struct sbuf *b, const struct vma *v)
{
	uint64_t line_start = b->len;
	sb_hex(b, v->start, 8);
	sb_putc(b, '-');
	sb_hex(b, v->end, 8);
	sb_putc(b, ' ');
	sb_putc(b, v->prot & PROT_READ ? 'r' : '-');
	sb_putc(b, v->prot & PROT_WRITE ? 'w' : '-');
	sb_putc(b, v->prot & PROT_EXEC ? 'x' : '-');
	sb_putc(b, v->flags & VM_SHARED ? 's' : 'p');
	sb_putc(b, ' ');
	sb_hex(b, v->mf || v->shm ? v->pgoff : 0, 8);
	/* Device and inode: rrv does not show the host's. */
	sb_puts(b, " 00:00 0");
	const char *name = NULL;
	if (v->mf)
		name = mapfile_name(v->mf);
	else if (v->shm)
		name = "/dev/zero (deleted)"; /* what Linux shows */
	else if (v->kind == VMA_STACK)
		name = "[stack]";
	else if (v->kind == VMA_BRK)
		name = "[heap]";
	if (name && *name) {
		/* Linux pads the name to column 73. */
		while (b->len - line_start < 73)
			sb_putc(b, ' ');
		sb_puts(b, name);
	}
	sb_putc(b, '\n');
}

static uint64_t sb_end(struct sbuf *b)
{
	if (b->len < b->cap)
		b->p[b->len] = '\0';
	else if (b->cap)
		b->p[b->cap - 1] = '\0';
	return b->len;
}

uint64_t mm_format_map_line(const struct vma *v, char *buf, uint64_t len)
{
	struct sbuf b = { buf, 0, len };
	format_line(&b, v);
	return sb_end(&b);
}

uint64_t mm_format_maps(struct mm *mm, char *buf, uint64_t len)
{
	struct sbuf b = { buf, 0, len };
	for (struct vma *v = mm->vmas; v; v = v->next)
		format_line(&b, v);
	return sb_end(&b);
}

static void count_present(struct mm *mm, uint64_t va, pte_t *pte, void *arg)
{
	(void)mm;
	(void)va;
	(void)pte; /* walk_range calls only for entries that own a page */
	++*(uint64_t *)arg;
}

uint64_t mm_vma_resident(struct mm *mm, const struct vma *v)
{
	uint64_t n = 0;
	walk_range(mm, v->start, v->end, count_present, &n);
	return n;
}
