/*
 * User address spaces: the program's page tables and its mappings (VMAs),
 * demand paging, and the primitives behind brk, mmap, munmap, mprotect,
 * mremap and madvise.  Layout (docs/guest-kernel.md has the table), as
 * Linux x86-64 lays out a process with address-space randomization off:
 *
 *   USER_PIE_BASE   0x555555554000  static-PIE programs (ET_DYN) load here
 *   brk             just after the program's bss, page-aligned, growing up
 *   mmap_base       0x7ffff7fff000  mmap picks addresses top-down below it
 *   stack           below USER_TOP  grows down on faults, RLIMIT_STACK max
 *   USER_TOP        0x7ffffffff000  Linux's TASK_SIZE
 *
 * Every page of user memory is a private page of guest RAM: anonymous
 * memory and bss are filled on first touch with zeros, file mappings
 * (mmap of a file, and the program's and interpreter's segments) on first
 * touch with the file's bytes, read through the READ hypercall so that
 * they are in a recording.  A MAP_PRIVATE page is the process's own copy
 * (shared copy-on-write with others after a fork until one writes it),
 * and a writable MAP_SHARED page of a file is written back to the host
 * file by msync, munmap and exit; it is not shared between processes
 * (fork copies it).  A MAP_SHARED anonymous page belongs to a shmem
 * object, which fork shares: parent and child see each other's writes.
 */
#ifndef REKERNEL_MM_H
#define REKERNEL_MM_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/x86/vm.h"
#include "uapi/mman.h"

#define USER_TOP 0x7ffffffff000ull      /* first address past user space */
#define USER_MMAP_MIN 0x10000ull        /* vm.mmap_min_addr */
#define USER_PIE_BASE 0x555555554000ull /* ELF_ET_DYN_BASE, page-aligned */
/* Linux's mmap_base: TASK_SIZE less the stack gap, which is RLIMIT_STACK
 * plus the guard gap, raised to at least 128 MiB. */
#define USER_MMAP_BASE (USER_TOP - 0x8000000ull)
/* Bottom-up mmap starts here when nothing fits below mmap_base. */
#define USER_UNMAPPED_BASE 0x2aaaaaaab000ull
/* Nothing may be mapped this close below a growing stack. */
#define STACK_GUARD_GAP (256ull * PGSIZE)

/* mmap/mprotect protections (uapi/mman.h): all three. */
#define PROT_RWX (PROT_READ | PROT_WRITE | PROT_EXEC)

/* vma.flags */
#define VM_GROWSDOWN 0x1 /* the stack, or MAP_GROWSDOWN: extends on faults */
#define VM_SHARED 0x2    /* MAP_SHARED: anonymous ones share their pages
			    across fork (shmem.c); file ones do not yet */

/* What a mapping was made for; informational (maps, logs), except that
 * mappings of different kinds are never merged. */
enum vma_kind { VMA_ANON, VMA_STACK, VMA_BRK, VMA_ELF };

struct file;

/*
 * The file behind file mappings, shared by the VMAs that map it (a split
 * or mremap keeps it).  The file layer makes one (fs/mapfile.h) and its
 * ops say how to read, write back and name it; mm only counts references
 * and calls the ops, so that it needs nothing of files.
 */
struct mapfile;
struct mapfile_ops {
	/* Reads up to n bytes at file offset off into page (zeroed
	 * already): returns the bytes read, short at end of file. */
	uint64_t (*read)(struct mapfile *mf, void *page, uint64_t n, uint64_t off);
	/* Writes n bytes of page to the file at off, not past the file's
	 * end as it is now (a mapping never extends its file). */
	void (*write)(struct mapfile *mf, const void *page, uint64_t n, uint64_t off);
	/* The file's path on the host, "" when it cannot be told. */
	const char *(*name)(struct mapfile *mf);
	/* The last reference is gone. */
	void (*release)(struct mapfile *mf);
};
struct mapfile {
	const struct mapfile_ops *ops;
	int refs;
};

static inline void mapfile_get(struct mapfile *mf)
{
	mf->refs++;
}

static inline void mapfile_put(struct mapfile *mf)
{
	if (--mf->refs == 0)
		mf->ops->release(mf);
}

static inline const char *mapfile_name(struct mapfile *mf)
{
	return mf->ops->name(mf);
}

static inline uint64_t mapfile_read(struct mapfile *mf, void *page, uint64_t n,
				    uint64_t off)
{
	return mf->ops->read(mf, page, n, off);
}

static inline void mapfile_write(struct mapfile *mf, const void *page, uint64_t n,
				 uint64_t off)
{
	mf->ops->write(mf, page, n, off);
}

/* One mapping: [start, end), page-aligned, in a list sorted by address. */
struct vma {
	uint64_t start, end;
	uint32_t prot;  /* PROT_* */
	uint32_t flags; /* VM_* */
	enum vma_kind kind;
	/* File mappings: the file, the file offset of start, and the address
	 * where the file's bytes end (an ELF segment's bss reads as zero
	 * from there on; end for plain mmap). */
	struct mapfile *mf;
	uint64_t pgoff;
	uint64_t fend;
	/* MAP_SHARED | MAP_ANONYMOUS: the object that owns the pages, and
	 * pgoff is start's byte offset in it. */
	struct shmem *shm;
	struct vma *next;
};

struct mm {
	int users;         /* processes using it: a vfork child shares it */
	uint64_t *pml4;    /* top-level page table (direct-map address) */
	uint64_t pml4_pa;  /* ... and its physical address, for CR3 */
	struct vma *vmas;  /* sorted, non-overlapping */
	struct vma *cache; /* the VMA the last lookup found */
	uint64_t start_brk, brk;
	uint64_t mmap_base;
	uint64_t start_stack;       /* the initial rsp */
	uint64_t arg_start, arg_end; /* the argument strings (/proc/self/cmdline) */
	uint64_t env_start, env_end; /* the environment's (/proc/self/environ) */
	/* The auxiliary vector exec gave the program (/proc/self/auxv), as
	 * Linux's saved_auxv: pairs, AT_NULL last; nauxv words. */
	uint64_t auxv[48];
	uint32_t nauxv;
	uint64_t rss, peak_rss;     /* user pages in use, and the most ever */
	uint64_t nfaults;           /* pages filled on demand */
};

/* Access kinds, for faults and user access checks. */
#define ACC_READ 1
#define ACC_WRITE 2
#define ACC_EXEC 4

/* An empty address space sharing the kernel half; NULL when memory is
 * out. */
struct mm *mm_create(void);

/* Loads mm's page tables (CR3). */
void mm_activate(struct mm *mm);

/*
 * fork: a new address space with the same mappings as mm, which must be
 * the loaded one.  Pages of private mappings are shared copy-on-write
 * (both entries read-only until a write takes a copy); pages of shared
 * anonymous mappings stay shared (both map the object's pages); pages of
 * MAP_SHARED file mappings and PROT_NONE pages are copied now.  File
 * mappings keep their files.  NULL when memory is out.
 */
struct mm *mm_copy(struct mm *mm);

/* Another user of mm (vfork, clone with CLONE_VM), and the end of one:
 * the last frees every page, table and mapping, after writing shared
 * file pages back.  mm must not be the loaded address space then. */
void mm_get(struct mm *mm);
void mm_put(struct mm *mm);

/*
 * A page fault at va in mm by an access of kind acc (ACC_*): fills a page
 * on demand, grows a stack, or repairs a stale entry.  Returns 0 when the
 * access may be retried, -EFAULT for an address no mapping covers
 * (SEGV_MAPERR), -EACCES for one whose mapping forbids the access
 * (SEGV_ACCERR), and -EIO for a page of a file mapping wholly past the
 * end of its file (SIGBUS, BUS_ADRERR).  Out of guest memory ends the program (mm_hooks.oom).
 */
int mm_fault(struct mm *mm, uint64_t va, unsigned acc);

/*
 * The kernel's (direct-map) address of user byte va when the program
 * could make an access of kind acc there, faulting the page in first, as
 * mm_fault; NULL (with *err set to -EFAULT or -EACCES) when it could not.
 * The result is valid up to the end of va's page.  Never makes a
 * hypercall, so user access costs no VM exit.
 */
void *mm_user_ptr(struct mm *mm, uint64_t va, unsigned acc, int *err);

/*
 * What /proc/PID/mem reaches: the kernel address of user byte va of mm
 * (which need not be the loaded address space) for an access of kind acc
 * (ACC_READ or ACC_WRITE) whatever the mapping's protection, as Linux's
 * FOLL_FORCE: a PROT_NONE or read-only page is read, and a write to a
 * read-only private mapping goes to the process's own copy of the page
 * (copy-on-write), which stays read-only.  NULL with *err -EFAULT where
 * nothing is mapped or for a write to a read-only shared mapping, -EIO
 * past the end of a mapped file.  Never grows a stack.  Valid up to the
 * end of va's page.
 */
void *mm_force_ptr(struct mm *mm, uint64_t va, unsigned acc, int *err);

/* The pages of [v->start, v->end) that are in memory (smaps' Rss). */
uint64_t mm_vma_resident(struct mm *mm, const struct vma *v);

/* One line of /proc/PID/maps for v into buf (at most len bytes, NUL
 * included): the length without the NUL. */
uint64_t mm_format_map_line(const struct vma *v, char *buf, uint64_t len);

/* The kernel address of the page at page-aligned va for the exec loader,
 * allocated if needed whatever the mapping's protection (va must be in a
 * VMA).  NULL when memory is out. */
void *mm_load_page(struct mm *mm, uint64_t va);

/*
 * What mm needs from the process layer, which it may not include; set
 * once at boot (proc_init).  stack_limit is the running process's
 * RLIMIT_STACK (how far a stack may grow down); oom ends the program for
 * want of guest memory: va needed a page, and the address space had
 * rss_bytes.  Without hooks, stacks get MM_DEFAULT_STACK_LIMIT and running
 * out of memory panics.
 */
#define MM_DEFAULT_STACK_LIMIT (8ull << 20) /* Linux's default RLIMIT_STACK */

struct mm_hooks {
	uint64_t (*stack_limit)(void);
	__attribute__((noreturn)) void (*oom)(uint64_t va, uint64_t rss_bytes);
};
void mm_set_hooks(const struct mm_hooks *h);

/* The address space mm_activate last loaded (NULL before the first, or
 * once it is freed): the running thread's, which user accesses and the
 * memory system calls act on. */
struct mm *mm_current(void);

/* The first VMA that ends above va (it may start above va too), or NULL. */
struct vma *mm_find_vma(struct mm *mm, uint64_t va);

/*
 * A free range of len bytes (page-aligned, nonzero) chosen as Linux's
 * get_unmapped_area does: hint when the range there is free, otherwise
 * the highest gap below mmap_base, otherwise bottom-up from
 * USER_UNMAPPED_BASE.  below_2g restricts the search to
 * [1 GiB, 2 GiB) (MAP_32BIT).  Returns the address, or 0 when none fits.
 */
uint64_t mm_find_free(struct mm *mm, uint64_t len, uint64_t hint, bool below_2g);

/* True when [start, start + len) overlaps no mapping. */
bool mm_range_free(struct mm *mm, uint64_t start, uint64_t len);

/* True when every page of [start, start + len) is mapped. */
bool mm_range_mapped(struct mm *mm, uint64_t start, uint64_t len);

/*
 * Maps [start, start + len) (page-aligned) as a new, empty mapping,
 * replacing whatever was there (MAP_FIXED).  Returns 0 or -ENOMEM.
 */
int mm_map(struct mm *mm, uint64_t start, uint64_t len, uint32_t prot,
	   uint32_t flags, enum vma_kind kind);

/* mm_map for a file mapping: pages are read from mf at pgoff + (va -
 * start) when first touched, up to address fend.  Takes its own reference
 * to mf. */
int mm_map_file(struct mm *mm, uint64_t start, uint64_t len, uint32_t prot,
		uint32_t flags, enum vma_kind kind, struct mapfile *mf,
		uint64_t pgoff, uint64_t fend);

/* Writes back the written pages of shared file mappings in [start,
 * start + len) (msync; munmap and mm_sync_all do it too). */
void mm_sync(struct mm *mm, uint64_t start, uint64_t len);
void mm_sync_all(struct mm *mm);

/* Keeps shared file mappings coherent with read(2) and write(2), as one
 * page cache would: before the program reads or writes a host file, the
 * written pages go to the files (mm_sync_all); after it writes one, the
 * mapped pages are dropped, to be read again when next touched. */
void mm_drop_shared(struct mm *mm);

/* Writes /proc/self/maps of mm into buf (at most len bytes, NUL
 * included); returns the length without the NUL, or the length needed
 * when that is more than fits. */
uint64_t mm_format_maps(struct mm *mm, char *buf, uint64_t len);

/* Unmaps [start, start + len) and frees its pages; unmapped parts are
 * fine.  Returns 0 or -ENOMEM (a split needed memory). */
int mm_unmap(struct mm *mm, uint64_t start, uint64_t len);

/* Changes the protection of [start, start + len), which must be wholly
 * mapped (-ENOMEM otherwise), keeping the pages' contents. */
int mm_protect(struct mm *mm, uint64_t start, uint64_t len, uint32_t prot);

/* Frees the pages of [start, start + len) but keeps the mappings, so the
 * range reads as zero again (MADV_DONTNEED).  -ENOMEM when part of the
 * range is unmapped (the mapped parts are still discarded). */
int mm_discard(struct mm *mm, uint64_t start, uint64_t len);

/* The kernel's address of user byte va when its page is present now,
 * else NULL; never faults anything in and never changes the address
 * space (preempt.c's digests must leave no trace).  Valid up to the end
 * of va's page. */
/* dirty.c: the user pages written since the last mm_dirty_clear, for
 * preemption points (docs/threads.md): how many, and a digest of their
 * addresses and contents. */
uint32_t mm_dirty_count(struct mm *mm);
uint64_t mm_dirty_digest(struct mm *mm, uint32_t *npages);
void mm_dirty_clear(struct mm *mm);
void *mm_peek(struct mm *mm, uint64_t va);

/* True when va's page is in memory (mincore). */
bool mm_resident(struct mm *mm, uint64_t va);

/* mremap with Linux's semantics and errors; returns the new address or
 * -errno. */
int64_t mm_remap(struct mm *mm, uint64_t old, uint64_t old_len, uint64_t new_len,
		 uint64_t flags, uint64_t new_addr);

/* brk with Linux's semantics: returns the new break, or the old one when
 * the request is refused. */
uint64_t mm_brk(struct mm *mm, uint64_t brk);

#endif
