/*
 * gdbstub/vfile.c: vFile, the client's access to files on the target,
 * which gdb uses to read the program and its libraries ("target:"
 * sysroot).  Read-only: setfs, open, pread, fstat and close; other
 * operations get the empty reply, which tells gdb they are not offered.
 * Replies are "F<result>[,<errno>][;<data>]" with gdb's own errno
 * numbers and, for fstat, gdb's struct stat (big-endian fields).
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>

#include "session.h"

/* gdb's File-I/O errno values (the manual's "Errno Values"); any other
 * is EUNKNOWN. */
static const struct { int host, gdb; } fio_errnos[] = {
	{ EPERM, 1 }, { ENOENT, 2 }, { EINTR, 4 }, { EBADF, 9 }, { EACCES, 13 },
	{ EFAULT, 14 }, { EBUSY, 16 }, { EEXIST, 17 }, { ENODEV, 19 }, { ENOTDIR, 20 },
	{ EISDIR, 21 }, { EINVAL, 22 }, { ENFILE, 23 }, { EMFILE, 24 }, { EFBIG, 27 },
	{ ENOSPC, 28 }, { ESPIPE, 29 }, { EROFS, 30 }, { ENAMETOOLONG, 91 },
};
#define FIO_EUNKNOWN 9999

static void out_fio_error(struct gdbstub_session *s, int neg_errno)
{
	int e = FIO_EUNKNOWN;
	for (size_t i = 0; i < sizeof(fio_errnos) / sizeof(fio_errnos[0]); i++)
		if (fio_errnos[i].host == -neg_errno)
			e = fio_errnos[i].gdb;
	out_reset(&s->out);
	out_fmt(&s->out, "F-1,%x", e);
}

/* gdb's File-I/O open flags, to the host's. */
static const struct { unsigned gdb; int host; } fio_flags[] = {
	{ 0x1, O_WRONLY }, { 0x2, O_RDWR }, { 0x8, O_APPEND },
	{ 0x200, O_CREAT }, { 0x400, O_TRUNC }, { 0x800, O_EXCL },
};

static int host_open_flags(uint64_t gflags, int *host)
{
	*host = O_RDONLY;
	for (size_t i = 0; i < sizeof(fio_flags) / sizeof(fio_flags[0]); i++)
		if (gflags & fio_flags[i].gdb) {
			*host |= fio_flags[i].host;
			gflags &= ~(uint64_t)fio_flags[i].gdb;
		}
	return gflags ? -EINVAL : 0;
}

static bool parse_fd(const char **p, const char *end, int *fd)
{
	uint64_t v;
	if (!parse_hex(p, end, &v) || v > 0x7fffffff)
		return false;
	*fd = (int)v;
	return true;
}

static int vfile_setfs(struct gdbstub_session *s, const char *p, const char *end)
{
	uint64_t pid;
	if (!parse_hex(&p, end, &pid) || p != end)
		return -EINVAL;
	/* One file system: the debugged process's (0) is every process's. */
	out_str(&s->out, "F0");
	return 0;
}

static int vfile_open(struct gdbstub_session *s, const char *p, const char *end)
{
	const char *comma = memchr(p, ',', (size_t)(end - p));
	uint64_t gflags, mode;
	int flags;
	if (!comma || (size_t)(comma - p) / 2 >= sizeof(s->scratch) ||
	    !hex_decode(p, (size_t)(comma - p), s->scratch))
		return -EINVAL;
	size_t n = (size_t)(comma - p) / 2;
	s->scratch[n] = '\0';
	p = comma + 1;
	if (!parse_hex_sep(&p, end, &gflags, ',') || !parse_hex(&p, end, &mode) || p != end)
		return -EINVAL;
	char *path = (char *)s->scratch;
	if (n == 0 || strlen(path) != n) {
		out_fio_error(s, -EINVAL);
		return 0;
	}
	/* The target has no working directory for gdb: a relative path is
	 * none of its files.  gdb opens "just probing" to learn whether
	 * vFile works at all; ENOENT is the answer it expects, and the
	 * target never hears of it. */
	if (path[0] != '/') {
		out_fio_error(s, -ENOENT);
		return 0;
	}
	if (host_open_flags(gflags, &flags)) {
		out_fio_error(s, -EINVAL);
		return 0;
	}
	int fd = s->ops->file_open ? s->ops->file_open(s->t, path, flags, (int)(mode & 07777)) : -ENOENT;
	if (fd < 0)
		out_fio_error(s, fd);
	else
		out_fmt(&s->out, "F%x", fd);
	return 0;
}

static int vfile_pread(struct gdbstub_session *s, const char *p, const char *end)
{
	int fd;
	uint64_t count, off;
	if (!parse_fd(&p, end, &fd) || p == end || *p++ != ',' ||
	    !parse_hex_sep(&p, end, &count, ',') || !parse_hex(&p, end, &off) || p != end)
		return -EINVAL;
	/* What fits escaped (at worst doubled) after "F<n>;". */
	size_t max = (GDB_REPLY_MAX - 16) / 2;
	if (max > sizeof(s->scratch))
		max = sizeof(s->scratch);
	if (count > max)
		count = max;
	if (!s->ops->file_pread) {
		out_fio_error(s, -EBADF);
		return 0;
	}
	ssize_t n = s->ops->file_pread(s->t, fd, s->scratch, (size_t)count, off);
	if (n < 0 || (uint64_t)n > count) {
		out_fio_error(s, n < 0 ? (int)n : -EIO);
		return 0;
	}
	out_fmt(&s->out, "F%zx;", (size_t)n);
	out_binary(&s->out, s->scratch, (size_t)n);
	return 0;
}

static int vfile_close(struct gdbstub_session *s, const char *p, const char *end)
{
	int fd;
	if (!parse_fd(&p, end, &fd) || p != end)
		return -EINVAL;
	int rc = s->ops->file_close ? s->ops->file_close(s->t, fd) : -EBADF;
	if (rc < 0)
		out_fio_error(s, rc);
	else
		out_str(&s->out, "F0");
	return 0;
}

static void put_be(uint8_t *p, uint64_t v, int bytes)
{
	for (int i = bytes - 1; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

/* gdb's struct stat (the manual's "struct stat"): 32-bit dev, ino, mode,
 * nlink, uid, gid, rdev; 64-bit size, blksize, blocks; 32-bit atime,
 * mtime, ctime; all big-endian, 64 bytes. */
enum { FIO_STAT_MODE = 8, FIO_STAT_NLINK = 12, FIO_STAT_SIZE = 28,
       FIO_STAT_BLKSIZE = 36, FIO_STAT_BLOCKS = 44, FIO_STAT_LEN = 64 };

static int vfile_fstat(struct gdbstub_session *s, const char *p, const char *end)
{
	int fd;
	uint64_t size;
	uint32_t mode;
	if (!parse_fd(&p, end, &fd) || p != end)
		return -EINVAL;
	int rc = s->ops->file_stat ? s->ops->file_stat(s->t, fd, &size, &mode) : -EBADF;
	if (rc < 0) {
		out_fio_error(s, rc);
		return 0;
	}
	uint8_t st[FIO_STAT_LEN] = { 0 };
	put_be(st + FIO_STAT_MODE, mode, 4);
	put_be(st + FIO_STAT_NLINK, 1, 4);
	put_be(st + FIO_STAT_SIZE, size, 8);
	put_be(st + FIO_STAT_BLKSIZE, 4096, 8);
	put_be(st + FIO_STAT_BLOCKS, (size + 511) / 512, 8);
	out_fmt(&s->out, "F%x;", FIO_STAT_LEN);
	out_binary(&s->out, st, sizeof(st));
	return 0;
}

static const struct {
	const char *name;
	gdb_handler fn;
} vfile_ops[] = {
	{ "setfs", vfile_setfs }, { "open", vfile_open }, { "pread", vfile_pread },
	{ "close", vfile_close }, { "fstat", vfile_fstat },
};

int cmd_vfile(struct gdbstub_session *s, const char *p, const char *end)
{
	if (p == end || *p++ != ':')
		return -EINVAL;
	const char *colon = memchr(p, ':', (size_t)(end - p));
	if (!colon)
		return -EINVAL;
	for (size_t i = 0; i < sizeof(vfile_ops) / sizeof(vfile_ops[0]); i++) {
		size_t n = strlen(vfile_ops[i].name);
		if ((size_t)(colon - p) == n && memcmp(p, vfile_ops[i].name, n) == 0)
			return vfile_ops[i].fn(s, colon + 1, end);
	}
	return 0; /* pwrite, unlink, readlink...: not offered */
}
