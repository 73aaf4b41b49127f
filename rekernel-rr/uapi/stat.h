/*
 * Linux x86-64's file status ABI: the file types in st_mode, struct
 * statx and its mask bits (<linux/stat.h>), and utimensat's special
 * times (<linux/stat.h> in the kernel, UTIME_NOW and UTIME_OMIT).
 */
#ifndef REKERNEL_UAPI_STAT_H
#define REKERNEL_UAPI_STAT_H

#include <stdint.h>

/* File types in st_mode. */
#define S_IFMT 0170000
#define S_IFIFO 0010000
#define S_IFCHR 0020000
#define S_IFDIR 0040000
#define S_IFREG 0100000
#define S_IFLNK 0120000
#define S_IFSOCK 0140000

/* Linux's struct statx (RRV_HC_STATX_SIZE bytes), for the synthetic one
 * of a pipe. */
struct k_statx_ts {
	int64_t tv_sec;
	uint32_t tv_nsec;
	int32_t pad;
};
struct k_statx {
	uint32_t stx_mask, stx_blksize;
	uint64_t stx_attributes;
	uint32_t stx_nlink, stx_uid, stx_gid;
	uint16_t stx_mode, pad1;
	uint64_t stx_ino, stx_size, stx_blocks, stx_attributes_mask;
	struct k_statx_ts stx_atime, stx_btime, stx_ctime, stx_mtime;
	uint32_t stx_rdev_major, stx_rdev_minor;
	uint32_t stx_dev_major, stx_dev_minor;
	uint64_t spare[14];
};
#define STATX_BASIC_STATS 0x7ffu
#define STATX_RESERVED 0x80000000u

/* utimensat: a tv_nsec that means "now" or "leave as is". */
#define UTIME_NOW ((1l << 30) - 1l)
#define UTIME_OMIT ((1l << 30) - 2l)

#endif
