/*
 * Linux's <linux/uio.h>: struct iovec as the program lays it out, and
 * the most of them one call takes.
 */
#ifndef REKERNEL_UAPI_UIO_H
#define REKERNEL_UAPI_UIO_H

#include <stdint.h>

struct k_iovec {
	uint64_t iov_base, iov_len;
};

#define UIO_MAXIOV 1024 /* IOV_MAX */

#endif
