/*
 * User address spaces (contracts and layout in mm.h).
 *
 * An address space is a PML4 whose upper half is the kernel's (copied
 * entries, vm_share_kernel) and whose lower half belongs to the program,
 * plus a sorted list of VMAs saying what the program has mapped.  The page
 * tables only ever hold pages that a VMA covers, and each leaf entry's
 * permission bits always say what its VMA's protection says, so:
 *   - a fault where a VMA allows the access just needs a page (demand
 *     paging) or a stack that grows to cover the address;
 *   - any other fault is the program's error: SIGSEGV;
 *   - the kernel checks user access by walking the same tables (uaccess),
 *     and never takes a page fault on a user address itself.
 *
 * A PROT_NONE page keeps its contents (mprotect can open it again): its
 * entry holds the page with the present bit clear, and PTE_PAGE, a bit the
 * CPU ignores, marks every leaf entry that owns a page.
 *
 * Faults, brk and mmap of anonymous memory never leave the guest; the
 * first touch of a file-mapped page reads it from the host file
 * (mapfile_read, one READ hypercall), and msync/munmap of a shared
 * writable one writes it back (mapfile_write).  Dirty pages are told by
 * the CPU's own dirty bit, which every change of an entry keeps.
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


/* The leaf-entry bits for a page of a mapping with protection prot.  On
 * x86 writable and executable pages are readable too, as in Linux. */
static pte_t prot_bits(uint32_t prot)
{
	if (!(prot & PROT_RWX))
		return PTE_PAGE; /* PROT_NONE: kept, but not present */
	pte_t f = PTE_PAGE | PTE_P | PTE_U;
	if (prot & PROT_WRITE)
		f |= PTE_W;
	if (!(prot & PROT_EXEC))
		f |= PTE_NX;
	return f;
}

/* The entry pte with its bits remade for protection prot, keeping its
 * page, dirty, copy-on-write and shmem bits; a copy-on-write entry stays
 * read-only. */
static pte_t entry_bits(pte_t pte, uint32_t prot)
{
	pte_t e = (pte & (PTE_ADDR | PTE_D | PTE_WRITTEN | PTE_COW | PTE_SHM)) |
		  prot_bits(prot);
	return (e & PTE_COW) ? e & ~PTE_W : e;
}

static bool prot_allows(uint32_t prot, unsigned acc)
{
	if (acc & ACC_EXEC)
		return prot & PROT_EXEC;
	if (acc & ACC_WRITE)
		return prot & PROT_WRITE;
	return prot & PROT_RWX;
}

/* ------------------------------------------------------------------ */
/* Page tables                                                          */

/* The leaf entry for va, creating the intermediate tables when create
 * is set; NULL when a table is missing (or memory ran out creating it).
 * Intermediate entries allow everything: the leaf decides. */
pte_t *walk(struct mm *mm, uint64_t va, bool create)
{
	static const int shifts[3] = { 39, 30, 21 };
	pte_t *table = mm->pml4;

	for (int level = 0; level < 3; level++) {
		pte_t *e = &table[(va >> shifts[level]) & 511];
		if (!(*e & PTE_P)) {
			if (!create)
				return NULL;
			pte_t *t = page_alloc();
			if (!t)
				return NULL;
			*e = virt_to_phys(t) | PTE_P | PTE_W | PTE_U;
		}
		table = phys_to_virt(*e & PTE_ADDR);
	}
	return &table[PTX(va)];
}


static uint64_t next_boundary(uint64_t va, int shift)
{
	return ((va >> shift) + 1) << shift;
}

/*
 * Calls fn for each leaf entry in [start, end) that owns a page, skipping
 * absent tables whole, so that unmapping a huge sparse reservation costs
 * what its populated part costs.
 */
void walk_range(struct mm *mm, uint64_t start, uint64_t end, pte_fn fn, void *arg)
{
	uint64_t va = start;

	while (va < end) {
		pte_t e4 = mm->pml4[PML4X(va)];
		if (!(e4 & PTE_P)) {
			va = next_boundary(va, 39);
			continue;
		}
		pte_t e3 = ((pte_t *)phys_to_virt(e4 & PTE_ADDR))[PDPTX(va)];
		if (!(e3 & PTE_P)) {
			va = next_boundary(va, 30);
			continue;
		}
		pte_t e2 = ((pte_t *)phys_to_virt(e3 & PTE_ADDR))[PDX(va)];
		if (!(e2 & PTE_P)) {
			va = next_boundary(va, 21);
			continue;
		}
		pte_t *pt = phys_to_virt(e2 & PTE_ADDR);
		uint64_t stop = next_boundary(va, 21);
		if (stop > end)
			stop = end;
		for (; va < stop; va += PGSIZE)
			if (pt[PTX(va)] & PTE_PAGE)
				fn(mm, va, &pt[PTX(va)], arg);
	}
}

void pte_free(struct mm *mm, uint64_t va, pte_t *pte, void *arg)
{
	(void)arg;
	void *pg = phys_to_virt(*pte & PTE_ADDR);
	/* A page still shared copy-on-write stays with its other owners,
	 * and a shmem page with its object. */
	if (!(*pte & PTE_SHM) && (!(*pte & PTE_COW) || !page_unshare(pg)))
		page_free(pg);
	*pte = 0;
	invlpg(va);
	mm->rss--;
}

void pte_reprotect(struct mm *mm, uint64_t va, pte_t *pte, void *arg)
{
	(void)mm;
	*pte = entry_bits(*pte, *(const uint32_t *)arg);
	invlpg(va);
}

/* A fresh zeroed page at va's entry, with the mapping's permissions. */
static bool fill_page(struct mm *mm, pte_t *pte, uint32_t prot)
{
	void *pg = page_alloc();
	if (!pg)
		return false;
	*pte = virt_to_phys(pg) | prot_bits(prot);
	if (++mm->rss > mm->peak_rss)
		mm->peak_rss = mm->rss;
	return true;
}

/* The page at va of file mapping v: the file's bytes, zero past fend
 * and past the end of the file.  false for a page of an mmap'd file
 * (not an ELF segment, whose fend is set) wholly past the file's end. */
static bool read_file_page(const struct vma *v, uint64_t va, void *pg)
{
	if (va >= v->fend)
		return true;
	uint64_t n = v->fend - va < PGSIZE ? v->fend - va : PGSIZE;
	uint64_t got = mapfile_read(v->mf, pg, n, v->pgoff + (va - v->start));
	return got > 0 || v->fend != UINT64_MAX;
}

/* ------------------------------------------------------------------ */
/* VMAs                                                                 */

void vma_free(struct vma *v)
{
	if (v->mf)
		mapfile_put(v->mf);
	if (v->shm)
		shmem_put(v->shm);
	kfree(v);
}

struct vma *mm_find_vma(struct mm *mm, uint64_t va)
{
	struct vma *c = mm->cache;
	if (c && c->start <= va && va < c->end)
		return c;
	for (struct vma *v = mm->vmas; v; v = v->next) {
		if (v->end > va) {
			if (v->start <= va)
				mm->cache = v;
			return v;
		}
	}
	return NULL;
}

static struct vma *vma_prev(struct mm *mm, const struct vma *v)
{
	struct vma *prev = NULL;
	for (struct vma *p = mm->vmas; p && p != v; p = p->next)
		prev = p;
	return prev;
}

/* Where a mapping's neighbours must stop: below a stack, the guard gap. */
uint64_t start_gap(const struct vma *v)
{
	if (!(v->flags & VM_GROWSDOWN))
		return v->start;
	return v->start > STACK_GUARD_GAP ? v->start - STACK_GUARD_GAP : 0;
}

void vma_insert(struct mm *mm, struct vma *nv)
{
	struct vma **link = &mm->vmas;
	while (*link && (*link)->start < nv->start)
		link = &(*link)->next;
	nv->next = *link;
	*link = nv;
}

/* Splits the VMA containing addr strictly inside into two at addr. */
int split_at(struct mm *mm, uint64_t addr)
{
	struct vma *v = mm_find_vma(mm, addr);
	if (!v || v->start >= addr)
		return 0;
	struct vma *nv = kmalloc(sizeof(*nv));
	if (!nv)
		return -ENOMEM;
	*nv = *v;
	nv->start = addr;
	if (nv->mf)
		mapfile_get(nv->mf);
	if (nv->shm)
		shmem_get(nv->shm);
	nv->pgoff += addr - v->start;
	v->end = addr;
	v->next = nv;
	return 0;
}

static bool mergeable(const struct vma *a, const struct vma *b)
{
	return a->end == b->start && a->prot == b->prot && a->flags == b->flags &&
	       a->kind == b->kind && a->kind != VMA_STACK && a->mf == b->mf &&
	       a->shm == b->shm && (!a->mf || a->fend == b->fend) &&
	       (!(a->mf || a->shm) || b->pgoff == a->pgoff + (a->end - a->start));
}

/* Joins neighbours that differ only in their bounds, so that mprotect or
 * brk in small steps does not pile up VMAs. */
void merge_all(struct mm *mm)
{
	struct vma *v = mm->vmas;
	while (v && v->next) {
		struct vma *n = v->next;
		if (mergeable(v, n)) {
			v->end = n->end;
			v->next = n->next;
			vma_free(n);
		} else {
			v = n;
		}
	}
	mm->cache = NULL;
}

bool mm_range_free(struct mm *mm, uint64_t start, uint64_t len)
{
	uint64_t end = start + len;
	for (struct vma *v = mm->vmas; v; v = v->next)
		if (v->start < end && v->end > start)
			return false;
	return true;
}

bool mm_range_mapped(struct mm *mm, uint64_t start, uint64_t len)
{
	uint64_t at = start, end = start + len;
	for (struct vma *v = mm->vmas; v && at < end; v = v->next) {
		if (v->end <= at)
			continue;
		if (v->start > at)
			return false;
		at = v->end;
	}
	return at >= end;
}

/* ------------------------------------------------------------------ */
/* Creating and switching                                               */

struct mm *mm_create(void)
{
	struct mm *mm = kmalloc(sizeof(*mm));
	if (!mm)
		return NULL;
	mm->pml4 = page_alloc();
	if (!mm->pml4) {
		kfree(mm);
		return NULL;
	}
	mm->pml4_pa = virt_to_phys(mm->pml4);
	vm_share_kernel(mm->pml4);
	mm->mmap_base = USER_MMAP_BASE;
	mm->users = 1;
	return mm;
}

/* The address space in CR3: the one user accesses and the memory system
 * calls act on (the running thread's; proc switches it with mm_activate). */
static struct mm *active;

void mm_activate(struct mm *mm)
{
	active = mm;
	lcr3(mm->pml4_pa);
}

struct mm *mm_current(void)
{
	return active;
}

static const struct mm_hooks *hooks;

void mm_set_hooks(const struct mm_hooks *h)
{
	hooks = h;
}

/* Out of guest memory in mm at va: the process layer ends the program
 * (there is no way to go on without the page). */
__attribute__((noreturn)) static void oom(struct mm *mm, uint64_t va)
{
	if (hooks)
		hooks->oom(va, mm->rss * PGSIZE);
	panic("out of guest memory at 0x%lx before any process ran", va);
}

void mm_get(struct mm *mm)
{
	mm->users++;
}

/* Frees the lower half's page tables below table (level 0: the PML4). */
static void free_tables(pte_t *table, int level)
{
	int n = level == 0 ? 256 : 512; /* the PML4's upper half is the kernel's */
	for (int i = 0; i < n; i++) {
		if (!(table[i] & PTE_P))
			continue;
		pte_t *sub = phys_to_virt(table[i] & PTE_ADDR);
		if (level < 2)
			free_tables(sub, level + 1);
		page_free(sub);
		table[i] = 0;
	}
}

void mm_put(struct mm *mm)
{
	if (--mm->users > 0)
		return;
	mm_sync_all(mm);
	walk_range(mm, 0, USER_TOP, pte_free, NULL);
	free_tables(mm->pml4, 0);
	page_free(mm->pml4);
	while (mm->vmas) {
		struct vma *v = mm->vmas;
		mm->vmas = v->next;
		vma_free(v);
	}
	if (active == mm)
		active = NULL;
	kfree(mm);
}

/*
 * fork's copy of one page.  A page of a private mapping is shared
 * copy-on-write: both entries become read-only with PTE_COW, and the
 * page counts one more owner.  A shmem page is mapped by both as it is
 * (the object owns it).  A page of a MAP_SHARED file mapping, or one
 * kept with PROT_NONE, is copied now: a fresh page with the same contents
 * and entry bits (dirty included: a shared file page written before the
 * fork is still to be written back).
 */
struct copy {
	struct mm *dst;
	const struct vma *vma;
	bool failed;
};

static void pte_copy(struct mm *mm, uint64_t va, pte_t *pte, void *arg)
{
	struct copy *c = arg;
	(void)mm;
	if (c->failed)
		return;
	pte_t *d = walk(c->dst, va, true);
	if (!d) {
		c->failed = true;
		return;
	}
	void *old = phys_to_virt(*pte & PTE_ADDR);
	if (*pte & PTE_SHM) {
		*d = *pte;
		c->dst->rss++;
		return;
	}
	if (!(c->vma->flags & VM_SHARED) && (*pte & PTE_P) && page_share(old)) {
		*pte = (*pte & ~PTE_W) | PTE_COW;
		*d = *pte;
		c->dst->rss++;
		return;
	}
	void *pg = page_alloc();
	if (!pg) {
		c->failed = true;
		return;
	}
	memcpy(pg, old, PGSIZE);
	*d = virt_to_phys(pg) | (*pte & ~(PTE_ADDR | PTE_COW));
	c->dst->rss++;
}

struct mm *mm_copy(struct mm *mm)
{
	struct mm *n = mm_create();
	if (!n)
		return NULL;
	struct vma **link = &n->vmas;
	for (struct vma *v = mm->vmas; v; v = v->next) {
		struct vma *nv = kmalloc(sizeof(*nv));
		if (!nv)
			goto fail;
		*nv = *v;
		nv->next = NULL;
		if (nv->mf)
			mapfile_get(nv->mf);
		if (nv->shm)
			shmem_get(nv->shm);
		*link = nv;
		link = &nv->next;
	}
	n->start_brk = mm->start_brk;
	n->brk = mm->brk;
	n->mmap_base = mm->mmap_base;
	n->start_stack = mm->start_stack;
	n->arg_start = mm->arg_start;
	n->arg_end = mm->arg_end;
	n->env_start = mm->env_start;
	n->env_end = mm->env_end;
	memcpy(n->auxv, mm->auxv, sizeof(n->auxv));
	n->nauxv = mm->nauxv;
	struct copy c = { n, NULL, false };
	for (struct vma *v = mm->vmas; v && !c.failed; v = v->next) {
		c.vma = v;
		walk_range(mm, v->start, v->end, pte_copy, &c);
	}
	/* The parent's entries lost their write bit: no stale writable
	 * translation may stay in the TLB (mm is the loaded one). */
	lcr3(rcr3());
	if (c.failed)
		goto fail;
	n->peak_rss = n->rss;
	return n;
fail:
	mm_put(n);
	return NULL;
}

/* ------------------------------------------------------------------ */
/* Faults                                                               */

static uint64_t stack_limit(void)
{
	return hooks ? hooks->stack_limit() : MM_DEFAULT_STACK_LIMIT;
}

/* Extends growing mapping v down to cover va, as Linux's expand_stack:
 * within RLIMIT_STACK, and not closer than the guard gap to an accessible
 * mapping below. */
static bool grow_down(struct mm *mm, struct vma *v, uint64_t va)
{
	uint64_t new_start = pgdown(va);
	if (new_start < USER_MMAP_MIN || v->end - new_start > stack_limit())
		return false;
	struct vma *prev = vma_prev(mm, v);
	if (prev && prev->prot != PROT_NONE && !(prev->flags & VM_GROWSDOWN) &&
	    new_start - prev->end < STACK_GUARD_GAP)
		return false;
	if (prev && new_start < prev->end)
		return false;
	v->start = new_start;
	return true;
}

/* The first write to a copy-on-write page: the last owner takes the page
 * itself; any other gets a copy.  false when memory is out. */
static bool cow_break(struct mm *mm, pte_t *pte, uint32_t prot)
{
	void *pg = phys_to_virt(*pte & PTE_ADDR);
	(void)mm;
	if (page_sharers(pg) == 0) {
		*pte = (*pte & (PTE_ADDR | PTE_D | PTE_WRITTEN)) | prot_bits(prot);
		return true;
	}
	void *copy = page_alloc();
	if (!copy)
		return false;
	memcpy(copy, pg, PGSIZE);
	page_unshare(pg);
	*pte = virt_to_phys(copy) | prot_bits(prot);
	return true;
}

/* The page of an entry that has none (*pte lacks PTE_PAGE): the shmem
 * object's, or a zeroed one filled from the mapping's file.  0, or -EIO
 * for a page past the object or the file's end. */
static int fill_entry(struct mm *mm, const struct vma *v, uint64_t va, pte_t *pte)
{
	if (v->shm) {
		uint64_t idx = (v->pgoff + (pgdown(va) - v->start)) / PGSIZE;
		if (idx >= shmem_pages(v->shm))
			return -EIO; /* grown by mremap past the object */
		void *pg = shmem_page(v->shm, idx);
		if (!pg)
			oom(mm, va);
		*pte = virt_to_phys(pg) | prot_bits(v->prot) | PTE_SHM;
		if (++mm->rss > mm->peak_rss)
			mm->peak_rss = mm->rss;
		mm->nfaults++;
		return 0;
	}
	if (!fill_page(mm, pte, v->prot))
		oom(mm, va);
	if (v->mf && !read_file_page(v, pgdown(va), phys_to_virt(*pte & PTE_ADDR))) {
		pte_free(mm, pgdown(va), pte, NULL);
		return -EIO;
	}
	mm->nfaults++;
	return 0;
}

/* The heart of demand paging, shared by the #PF handler and uaccess: on
 * success *out is the leaf entry of a page that allows acc. */
static int resolve(struct mm *mm, uint64_t va, unsigned acc, pte_t **out)
{
	if (va >= USER_TOP)
		return -EFAULT;
	struct vma *v = mm_find_vma(mm, va);
	if (!v)
		return -EFAULT;
	if (va < v->start && (!(v->flags & VM_GROWSDOWN) || !grow_down(mm, v, va)))
		return -EFAULT;
	if (!prot_allows(v->prot, acc))
		return -EACCES;
	pte_t *pte = walk(mm, va, true);
	if (!pte)
		oom(mm, va);
	if (!(*pte & PTE_PAGE)) {
		int r = fill_entry(mm, v, va, pte);
		if (r)
			return r;
	} else if ((*pte & PTE_COW) && (acc & ACC_WRITE)) {
		if (!cow_break(mm, pte, v->prot))
			oom(mm, va);
		invlpg(va);
	} else {
		/* A stale TLB entry after a permission change: the entry
		 * itself is right; make sure, and drop the old translation. */
		*pte = entry_bits(*pte, v->prot);
		invlpg(va);
	}
	if (out)
		*out = pte;
	return 0;
}

int mm_fault(struct mm *mm, uint64_t va, unsigned acc)
{
	return resolve(mm, va, acc, NULL);
}

void *mm_user_ptr(struct mm *mm, uint64_t va, unsigned acc, int *err)
{
	if (va >= USER_TOP) {
		*err = -EFAULT;
		return NULL;
	}
	/* Fast path: the entry already allows the access (entries always
	 * agree with their VMA, so this needs no VMA lookup). */
	pte_t *pte = walk(mm, va, false);
	if (!pte || !(*pte & PTE_P) || ((acc & ACC_WRITE) && !(*pte & PTE_W)) ||
	    ((acc & ACC_EXEC) && (*pte & PTE_NX))) {
		int r = resolve(mm, va, acc, &pte);
		if (r) {
			*err = r;
			return NULL;
		}
	}
	return (char *)phys_to_virt(*pte & PTE_ADDR) + (va & (PGSIZE - 1));
}

void *mm_peek(struct mm *mm, uint64_t va)
{
	if (va >= USER_TOP)
		return NULL;
	pte_t *pte = walk(mm, va, false);
	if (!pte || !(*pte & PTE_P))
		return NULL;
	return (char *)phys_to_virt(*pte & PTE_ADDR) + (va & (PGSIZE - 1));
}

bool mm_resident(struct mm *mm, uint64_t va)
{
	pte_t *pte = walk(mm, va, false);
	return pte && (*pte & PTE_PAGE);
}

void *mm_load_page(struct mm *mm, uint64_t va)
{
	struct vma *v = mm_find_vma(mm, va);
	if (!v || v->start > va)
		panic("mm_load_page: 0x%lx is not mapped", va);
	pte_t *pte = walk(mm, va, true);
	if (!pte)
		return NULL;
	if (!(*pte & PTE_PAGE)) {
		if (!fill_page(mm, pte, v->prot))
			return NULL;
		if (v->mf)
			read_file_page(v, va, phys_to_virt(*pte & PTE_ADDR));
	}
	return phys_to_virt(*pte & PTE_ADDR);
}

void *mm_force_ptr(struct mm *mm, uint64_t va, unsigned acc, int *err)
{
	struct vma *v = va < USER_TOP ? mm_find_vma(mm, va) : NULL;
	*err = -EFAULT;
	if (!v || va < v->start)
		return NULL;
	/* A write the mapping forbids is done on a private copy of the page
	 * (Linux's is_cow_mapping), never through to a shared object. */
	bool write = acc & ACC_WRITE;
	if (write && !(v->prot & PROT_WRITE) && (v->flags & VM_SHARED))
		return NULL;
	pte_t *pte = walk(mm, va, true);
	if (!pte)
		oom(mm, va);
	if (!(*pte & PTE_PAGE)) {
		int r = fill_entry(mm, v, va, pte);
		if (r) {
			*err = r;
			return NULL;
		}
	}
	if (write && (*pte & PTE_COW)) {
		/* The copy keeps the mapping's protection: read-only stays
		 * read-only, as after Linux's FOLL_FORCE break. */
		if (!cow_break(mm, pte, v->prot))
			oom(mm, va);
		invlpg(va);
	}
	if (write)
		*pte |= PTE_D; /* a shared file page goes back to its file */
	return (char *)phys_to_virt(*pte & PTE_ADDR) + (va & (PGSIZE - 1));
}
