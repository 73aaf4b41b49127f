/*
 * Linux's close_range flags (<linux/close_range.h>).
 */
#ifndef REKERNEL_UAPI_CLOSE_RANGE_H
#define REKERNEL_UAPI_CLOSE_RANGE_H

#define CLOSE_RANGE_UNSHARE 2
#define CLOSE_RANGE_CLOEXEC 4

#endif
