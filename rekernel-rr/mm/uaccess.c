/*
 * Access to user memory (contracts in uaccess.h).  Every access goes page
 * by page through mm_user_ptr, which checks the program's mapping and
 * protection, faults the page in if need be, and hands back the page's
 * direct-map address.  So the kernel never dereferences a user address,
 * never takes a page fault on one, and a bad pointer from the program is
 * an -EFAULT, as in Linux, never a kernel crash.
 */
#include "mm/uaccess.h"

#include "arch/x86/vm.h"
#include "lib/string.h"
#include "mm/mm.h"
#include "uapi/errno.h"

/* Bytes from va to the end of its page. */
static size_t page_left(uint64_t va)
{
	return PGSIZE - (va & (PGSIZE - 1));
}

/* A range the program could address at all: below USER_TOP, no wrap. */
static bool range_ok(uint64_t va, size_t n)
{
	return va < USER_TOP && n <= USER_TOP - va;
}

static void *user_ptr(uint64_t va, unsigned acc)
{
	int err;
	struct mm *mm = mm_current();
	if (!mm)
		return NULL;
	return mm_user_ptr(mm, va, acc, &err);
}

/* What user_walk does with each page of the user range. */
enum walk_op {
	WALK_FROM_USER,	/* copy it into kbuf */
	WALK_TO_USER,	/* copy kbuf into it */
	WALK_CLEAR,	/* zero it; kbuf unused */
};

/* The walk copy_from_user, copy_to_user and clear_user share: page by page
 * over [uaddr, uaddr + n), each page checked for reading (WALK_FROM_USER)
 * or writing.  0, or -EFAULT at the first page the program may not touch
 * so, the pages before it done. */
static int user_walk(uint64_t uaddr, size_t n, char *kbuf, enum walk_op op)
{
	if (!range_ok(uaddr, n))
		return -EFAULT;
	while (n > 0) {
		size_t chunk = page_left(uaddr);
		if (chunk > n)
			chunk = n;
		void *u = user_ptr(uaddr, op == WALK_FROM_USER ? ACC_READ : ACC_WRITE);
		if (!u)
			return -EFAULT;
		if (op == WALK_FROM_USER)
			memcpy(kbuf, u, chunk);
		else if (op == WALK_TO_USER)
			memcpy(u, kbuf, chunk);
		else
			memset(u, 0, chunk);
		if (op != WALK_CLEAR)
			kbuf += chunk;
		uaddr += chunk;
		n -= chunk;
	}
	return 0;
}

int copy_from_user(void *dst, uint64_t usrc, size_t n)
{
	return user_walk(usrc, n, dst, WALK_FROM_USER);
}

/* user_walk only reads kbuf for WALK_TO_USER, so src stays unchanged. */
int copy_to_user(uint64_t udst, const void *src, size_t n)
{
	return user_walk(udst, n, (char *)src, WALK_TO_USER);
}

int clear_user(uint64_t udst, size_t n)
{
	return user_walk(udst, n, NULL, WALK_CLEAR);
}

int64_t strncpy_from_user(char *dst, uint64_t usrc, size_t max)
{
	size_t done = 0;
	if (max == 0)
		return -ENAMETOOLONG;
	while (done < max) {
		if (usrc >= USER_TOP)
			return -EFAULT;
		const char *s = user_ptr(usrc, ACC_READ);
		if (!s)
			return -EFAULT;
		size_t chunk = page_left(usrc);
		if (chunk > max - done)
			chunk = max - done;
		size_t n = strnlen(s, chunk);
		memcpy(dst + done, s, n);
		done += n;
		if (n < chunk) {
			dst[done] = '\0';
			return (int64_t)done;
		}
		usrc += chunk;
	}
	/* max bytes and no NUL: leave dst a valid string anyway. */
	dst[max - 1] = '\0';
	return -ENAMETOOLONG;
}

int64_t user_iovecs(uint64_t uaddr, size_t len, bool write,
		    struct rrv_hc_iovec *iov, unsigned max, unsigned *cnt)
{
	size_t done = 0;
	unsigned n = 0;

	*cnt = 0;
	if (!range_ok(uaddr, len))
		return -EFAULT;
	while (done < len) {
		size_t chunk = page_left(uaddr);
		if (chunk > len - done)
			chunk = len - done;
		void *k = user_ptr(uaddr, write ? ACC_WRITE : ACC_READ);
		if (!k) {
			/* What came before is still usable, as a short
			 * transfer; an error only when nothing is. */
			if (done)
				break;
			return -EFAULT;
		}
		uint64_t pa = virt_to_phys(k);
		if (n > 0 && iov[n - 1].base + iov[n - 1].len == pa) {
			iov[n - 1].len += chunk;
		} else {
			if (n == max)
				break;
			iov[n].base = pa;
			iov[n].len = chunk;
			n++;
		}
		done += chunk;
		uaddr += chunk;
	}
	*cnt = n;
	return (int64_t)done;
}
