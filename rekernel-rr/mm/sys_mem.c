/*
 * Memory system calls: argument checks and Linux's error values here, the
 * work in mm.c.  All of these are served in the guest without a
 * hypercall, except that a file mapping reads its pages from the host
 * file when they are first touched (mapfile.c).
 */
#include "fs/file.h"
#include "fs/mapfile.h"
#include "fs/pseudo.h"
#include "lib/syscall.h"
#include "mm/mm.h"
#include "mm/uaccess.h"
#include "uapi/errno.h"
#include "uapi/membarrier.h"
#include "uapi/mman.h"
#include "uapi/unistd.h"

/* Flags MAP_SHARED_VALIDATE accepts (MAP_SYNC needs a DAX file). */
#define MAP_KNOWN (MAP_TYPE | MAP_FIXED | MAP_ANONYMOUS | MAP_32BIT | MAP_GROWSDOWN | \
		   MAP_DENYWRITE | MAP_EXECUTABLE | MAP_LOCKED | MAP_NORESERVE |      \
		   MAP_POPULATE | MAP_NONBLOCK | MAP_STACK | MAP_HUGETLB |            \
		   MAP_FIXED_NOREPLACE | MAP_UNINITIALIZED)

#define PAGE_MASK (~(uint64_t)(PGSIZE - 1))

static bool misaligned(uint64_t a)
{
	return a & (PGSIZE - 1);
}

/* len rounded up to pages, or 0 when that passes the end of user space. */
static uint64_t page_len(uint64_t len)
{
	if (len > USER_TOP)
		return 0;
	return (len + PGSIZE - 1) & PAGE_MASK;
}

SYSCALL_DEFINE1(brk, "p", uint64_t, brk)
{
	return (int64_t)mm_brk(mm_current(), brk);
}

/*
 * Whether f can be mapped as asked, as Linux checks: 0 for a host file, 1
 * for a device whose mapping is anonymous memory (/dev/zero), or -errno:
 * ENODEV for what cannot be mapped (pipes, sockets, directories), EACCES
 * for a file not open for reading, or not for writing when a shared
 * mapping is writable.
 */
static int64_t map_file_check(struct file *f, uint32_t type, uint64_t prot)
{
	if (file_is_zero_device(f))
		return 1;
	if (f->ops->kind != FILE_HOST)
		return -ENODEV;
	int64_t fl = f->ops->getfl(f);
	if (fl < 0)
		return fl;
	if (fl & O_PATH)
		return -EBADF;
	uint32_t acc = (uint32_t)fl & O_ACCMODE;
	if (acc == O_WRONLY)
		return -EACCES;
	if (type != MAP_PRIVATE && (prot & PROT_WRITE) && acc != O_RDWR)
		return -EACCES;
	struct rrv_stat st;
	if (f->ops->stat(f, &st) == 0 && (st.st_mode & S_IFMT) != S_IFREG &&
	    (st.st_mode & S_IFMT) != S_IFCHR)
		return -ENODEV;
	return 0;
}

SYSCALL_DEFINE6(mmap, "puxxfx", uint64_t, addr, uint64_t, len, uint64_t, prot, uint64_t, flags, uint64_t, fd, uint64_t, off)
{
	struct mm *mm = mm_current();
	uint32_t type = flags & MAP_TYPE;

	if (misaligned(off))
		return -EINVAL;
	if (len == 0)
		return -EINVAL;
	len = page_len(len);
	if (!len)
		return -ENOMEM;
	if (type != MAP_SHARED && type != MAP_PRIVATE && type != MAP_SHARED_VALIDATE)
		return -EINVAL;
	if (type == MAP_SHARED_VALIDATE && (flags & ~(uint64_t)MAP_KNOWN))
		return -EOPNOTSUPP;
	struct file *f = NULL;
	if (!(flags & MAP_ANONYMOUS)) {
		f = fd_file((int)fd);
		if (!f)
			return -EBADF;
		int64_t r = map_file_check(f, type, prot);
		if (r < 0)
			return r;
		if (r == 1)
			f = NULL; /* /dev/zero: anonymous memory */
	}
	if (flags & MAP_HUGETLB)
		return -ENOMEM; /* as on a machine with no huge pages reserved */

	uint64_t start;
	if (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) {
		if (misaligned(addr))
			return -EINVAL;
		if (addr > USER_TOP - len)
			return -ENOMEM;
		if (addr < USER_MMAP_MIN)
			return -EPERM; /* vm.mmap_min_addr */
		if ((flags & MAP_FIXED_NOREPLACE) && !mm_range_free(mm, addr, len))
			return -EEXIST;
		start = addr;
	} else {
		uint64_t hint = addr & PAGE_MASK;
		if (hint && hint < USER_MMAP_MIN)
			hint = USER_MMAP_MIN;
		start = mm_find_free(mm, len, hint, flags & MAP_32BIT);
		if (!start)
			return -ENOMEM;
	}

	uint32_t vflags = 0;
	if (flags & MAP_GROWSDOWN)
		vflags |= VM_GROWSDOWN;
	if (type != MAP_PRIVATE)
		vflags |= VM_SHARED;
	/* MAP_POPULATE and MAP_LOCKED would fault the pages in now; faulting
	 * them in on first touch gives the program the same memory. */
	if (!f) {
		int r = mm_map(mm, start, len, (uint32_t)prot & PROT_RWX, vflags, VMA_ANON);
		return r ? r : (int64_t)start;
	}
	struct mapfile *mf = mapfile_new(f, NULL);
	if (!mf)
		return -ENOMEM;
	int r = mm_map_file(mm, start, len, (uint32_t)prot & PROT_RWX, vflags, VMA_ANON,
			    mf, off, UINT64_MAX);
	mapfile_put(mf);
	return r ? r : (int64_t)start;
}

SYSCALL_DEFINE2(munmap, "pu", uint64_t, addr, uint64_t, len)
{
	if (misaligned(addr) || len == 0)
		return -EINVAL;
	len = page_len(len);
	if (!len || addr > USER_TOP - len)
		return -EINVAL;
	return mm_unmap(mm_current(), addr, len);
}

SYSCALL_DEFINE3(mprotect, "pux", uint64_t, addr, uint64_t, len, uint64_t, prot)
{
	struct mm *mm = mm_current();

	if (misaligned(addr))
		return -EINVAL;
	if (prot & ~(uint64_t)(PROT_RWX | PROT_SEM | PROT_GROWSDOWN | PROT_GROWSUP))
		return -EINVAL;
	if ((prot & PROT_GROWSDOWN) && (prot & PROT_GROWSUP))
		return -EINVAL;
	if (len == 0)
		return 0;
	len = page_len(len);
	if (!len || addr > USER_TOP - len)
		return -ENOMEM;
	if (prot & PROT_GROWSUP)
		return -EINVAL; /* no mapping on x86 grows up */
	if (prot & PROT_GROWSDOWN) {
		/* The change reaches down to the start of the stack. */
		struct vma *v = mm_find_vma(mm, addr);
		if (!v || v->start > addr || !(v->flags & VM_GROWSDOWN))
			return -EINVAL;
		len += addr - v->start;
		addr = v->start;
	}
	return mm_protect(mm, addr, len, (uint32_t)prot & PROT_RWX);
}

SYSCALL_DEFINE5(mremap, "puuxp", uint64_t, old, uint64_t, old_len, uint64_t, new_len, uint64_t, flags, uint64_t, new_addr)
{
	return mm_remap(mm_current(), old, old_len, new_len, flags, new_addr);
}

static bool known_advice(uint64_t advice)
{
	switch (advice) {
	case MADV_NORMAL:
	case 1: /* MADV_RANDOM */
	case 2: /* MADV_SEQUENTIAL */
	case 3: /* MADV_WILLNEED */
	case MADV_DONTNEED:
	case MADV_FREE:
	case MADV_REMOVE:
	case MADV_DONTFORK:
	case MADV_DOFORK:
	case MADV_MERGEABLE:
	case MADV_UNMERGEABLE:
	case MADV_HUGEPAGE:
	case MADV_NOHUGEPAGE:
	case MADV_DONTDUMP:
	case MADV_DODUMP:
	case MADV_WIPEONFORK:
	case MADV_KEEPONFORK:
	case MADV_COLD:
	case MADV_PAGEOUT:
	case MADV_POPULATE_READ:
	case MADV_POPULATE_WRITE:
	case MADV_DONTNEED_LOCKED:
	case MADV_COLLAPSE:
	case MADV_HWPOISON:
	case MADV_SOFT_OFFLINE:
		return true;
	default:
		return false;
	}
}

SYSCALL_DEFINE3(madvise, "pud", uint64_t, addr, uint64_t, len, uint64_t, advice)
{
	struct mm *mm = mm_current();

	if (!known_advice(advice) || misaligned(addr))
		return -EINVAL;
	uint64_t plen = page_len(len);
	if ((len && !plen) || addr > USER_TOP - plen)
		return -EINVAL;
	if (plen == 0)
		return 0;
	switch (advice) {
	case MADV_HWPOISON:
	case MADV_SOFT_OFFLINE:
		return -EPERM; /* CAP_SYS_ADMIN */
	case MADV_REMOVE:
	case MADV_COLLAPSE:
		/* Not for private anonymous memory without huge pages. */
		return mm_range_mapped(mm, addr, plen) ? -EINVAL : -ENOMEM;
	case MADV_DONTNEED:
	case MADV_DONTNEED_LOCKED:
		return mm_discard(mm, addr, plen);
	default:
		/* MADV_FREE may drop the pages or keep them; keeping them is
		 * what Linux does until memory runs short.  The rest is
		 * advice about paging, forking and dumps: nothing to do. */
		return mm_range_mapped(mm, addr, plen) ? 0 : -ENOMEM;
	}
}

SYSCALL_DEFINE3(msync, "pux", uint64_t, addr, uint64_t, len, uint64_t, flags)
{
	if (misaligned(addr) || (flags & ~(uint64_t)(MS_ASYNC | MS_INVALIDATE | MS_SYNC)) ||
	    ((flags & MS_ASYNC) && (flags & MS_SYNC)))
		return -EINVAL;
	uint64_t plen = page_len(len);
	if ((len && !plen) || addr > USER_TOP - plen)
		return -ENOMEM;
	if (plen && !mm_range_mapped(mm_current(), addr, plen))
		return -ENOMEM;
	/* MS_ASYNC too: writing now is one of the times Linux may choose. */
	mm_sync(mm_current(), addr, plen);
	return 0;
}

/* mlock and munlock: every page is always in memory already (there is no
 * swap), so locking only needs the range to be mapped. */
static int64_t lock_range(uint64_t addr, uint64_t len)
{
	uint64_t start = addr & PAGE_MASK;
	if (len > USER_TOP)
		return -ENOMEM;
	uint64_t plen = page_len(len + (addr - start));
	if (!plen || start > USER_TOP - plen)
		return -ENOMEM;
	return mm_range_mapped(mm_current(), start, plen) ? 0 : -ENOMEM;
}

SYSCALL_DEFINE2(mlock, "pu", uint64_t, addr, uint64_t, len)
{
	return len ? lock_range(addr, len) : 0;
}

SYSCALL_DEFINE3(mlock2, "pux", uint64_t, addr, uint64_t, len, uint64_t, flags)
{
	if (flags & ~(uint64_t)MLOCK_ONFAULT)
		return -EINVAL;
	return len ? lock_range(addr, len) : 0;
}

SYSCALL_DEFINE2(munlock, "pu", uint64_t, addr, uint64_t, len)
{
	return len ? lock_range(addr, len) : 0;
}

SYSCALL_DEFINE1(mlockall, "x", uint64_t, flags)
{
	if (!flags || (flags & ~(uint64_t)(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT)) ||
	    flags == MCL_ONFAULT)
		return -EINVAL;
	return 0;
}

SYSCALL_DEFINE0(munlockall, "")
{
	return 0;
}

SYSCALL_DEFINE3(mincore, "pup", uint64_t, addr, uint64_t, len, uint64_t, uvec)
{
	struct mm *mm = mm_current();

	if (misaligned(addr))
		return -EINVAL;
	uint64_t plen = page_len(len);
	if ((len && !plen) || addr > USER_TOP - plen)
		return -ENOMEM;
	if (!mm_range_mapped(mm, addr, plen))
		return -ENOMEM;
	for (uint64_t off = 0; off < plen; off += PGSIZE) {
		uint8_t in = mm_resident(mm, addr + off);
		if (copy_to_user(uvec + off / PGSIZE, &in, 1))
			return -EFAULT;
	}
	return 0;
}

/*
 * membarrier: with one thread on one CPU every barrier is already there.
 * The commands are Linux's (uapi/membarrier.h); a private expedited
 * barrier still needs its registration first, as in Linux.  QUERY
 * answers the set of commands served here.
 */
#define MEMBARRIER_SUPPORTED 0x1f

SYSCALL_DEFINE3(membarrier, "dxd", uint64_t, cmd, uint64_t, flags, uint64_t, cpu)
{
	static bool private_registered;
	(void)cpu;

	if (flags)
		return -EINVAL;
	switch (cmd) {
	case MEMBARRIER_CMD_QUERY:
		return MEMBARRIER_SUPPORTED;
	case MEMBARRIER_CMD_GLOBAL:
	case MEMBARRIER_CMD_GLOBAL_EXPEDITED:
	case MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED:
		return 0;
	case MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED:
		private_registered = true;
		return 0;
	case MEMBARRIER_CMD_PRIVATE_EXPEDITED:
		return private_registered ? 0 : -EPERM;
	default:
		return -EINVAL;
	}
}
