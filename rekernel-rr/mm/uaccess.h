/*
 * Access to user memory.  The kernel never dereferences a user pointer:
 * it goes through these, which check the address against the program's
 * mappings and permissions and fault pages in on demand.  Every function
 * returns 0 (or a length) on success and -EFAULT for an address the
 * program could not itself access that way.
 */
#ifndef REKERNEL_UACCESS_H
#define REKERNEL_UACCESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <rrv/hypercall.h>

int copy_from_user(void *dst, uint64_t usrc, size_t n);
int copy_to_user(uint64_t udst, const void *src, size_t n);
int clear_user(uint64_t udst, size_t n);

/* Copies a NUL-terminated string of at most max - 1 bytes plus the NUL.
 * Returns its length, -EFAULT, or -ENAMETOOLONG when no NUL is found. */
int64_t strncpy_from_user(char *dst, uint64_t usrc, size_t max);

/*
 * Describes user buffer [uaddr, uaddr + len) as guest-physical pieces for a
 * hypercall, faulting its pages in (writable ones when write is true, for a
 * buffer the host will fill).  Adjacent pages that are physically adjacent
 * share a piece.  Stops early when max pieces are used, or at a page the
 * program could not access that way (as a short transfer, which Linux's
 * read and write also make); returns the number of bytes covered
 * (possibly < len, never 0 for len > 0) and the piece count in *cnt, or
 * -EFAULT when not even the first byte is accessible.
 */
int64_t user_iovecs(uint64_t uaddr, size_t len, bool write,
		    struct rrv_hc_iovec *iov, unsigned max, unsigned *cnt);

#endif
