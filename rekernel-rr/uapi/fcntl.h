/*
 * Linux x86-64's file ABI: open flags, fcntl's commands, descriptor
 * flags, struct flock and its lock types, flock's operations, lseek's
 * whence and the *at() conventions (<asm-generic/fcntl.h>,
 * <linux/fcntl.h>, <linux/fs.h>).
 */
#ifndef REKERNEL_UAPI_FCNTL_H
#define REKERNEL_UAPI_FCNTL_H

#include <stdint.h>

/* Linux x86-64 open flags, passed through to the VMM unchanged. */
#define O_ACCMODE 00000003
#define O_RDONLY 00000000
#define O_WRONLY 00000001
#define O_RDWR 00000002
#define O_CREAT 00000100
#define O_EXCL 00000200
#define O_NOCTTY 00000400
#define O_TRUNC 00001000
#define O_APPEND 00002000
#define O_NONBLOCK 00004000
#define O_DSYNC 00010000
#define O_ASYNC 00020000
#define O_DIRECT 00040000
#define O_LARGEFILE 00100000
#define O_DIRECTORY 00200000
#define O_NOFOLLOW 00400000
#define O_NOATIME 01000000
#define O_CLOEXEC 02000000
#define O_SYNC 04010000
#define O_PATH 010000000
#define O_TMPFILE 020200000
#define __O_TMPFILE 020000000 /* O_TMPFILE without O_DIRECTORY */

/* fcntl commands. */
#define F_DUPFD 0
#define F_GETFD 1
#define F_SETFD 2
#define F_GETFL 3
#define F_SETFL 4
#define F_GETLK 5
#define F_SETLK 6
#define F_SETLKW 7
#define F_OFD_GETLK 36
#define F_OFD_SETLK 37
#define F_OFD_SETLKW 38
#define F_DUPFD_CLOEXEC 1030
#define F_SETPIPE_SZ 1031
#define F_GETPIPE_SZ 1032

/* struct flock's l_type. */
#define F_RDLCK 0
#define F_WRLCK 1
#define F_UNLCK 2

/* struct flock, x86-64 layout. */
struct k_flock {
	int16_t l_type, l_whence;
	int64_t l_start, l_len;
	int32_t l_pid;
	int32_t pad;
};

/* flock operations. */
#define LOCK_SH 1
#define LOCK_EX 2
#define LOCK_NB 4
#define LOCK_UN 8

#define FD_CLOEXEC 1

#define SEEK_SET 0
#define SEEK_CUR 1
#define SEEK_END 2

/* *at() conventions. */
#define AT_FDCWD (-100)
#define AT_SYMLINK_NOFOLLOW 0x100
#define AT_REMOVEDIR 0x200 /* unlinkat */
#define AT_EACCESS 0x200   /* faccessat2 */
#define AT_SYMLINK_FOLLOW 0x400
#define AT_NO_AUTOMOUNT 0x800
#define AT_EMPTY_PATH 0x1000
#define AT_STATX_SYNC_TYPE 0x6000

#endif
