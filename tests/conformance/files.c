/*
 * files: file-system calls in a fresh directory conf-files.d under the
 * current directory (removed again at the end): open flags, read/write and
 * their positioned and vectored forms, lseek and holes, the stat family
 * (stat, lstat, fstat, newfstatat, statx, also as raw system calls), fcntl,
 * dup/dup2/dup3, readdir and raw getdents64, link/unlink/unlinkat, mkdir,
 * rename/renameat2, access, chmod, truncate, fsync, getcwd/chdir, umask,
 * ioctl, and the usual errors.
 *
 * Prints sizes, modes (type and permission bits) and link counts of files,
 * never inode numbers, times, block counts or directory sizes (those
 * depend on the file system).
 */
#include "conf.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <termios.h>

#define DIR_NAME "conf-files.d"

#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE 1
#endif
#ifndef SYS_renameat2
#define SYS_renameat2 316
#endif
#ifndef SYS_statx
#define SYS_statx 332
#endif
#ifndef AT_EMPTY_PATH
#define AT_EMPTY_PATH 0x1000
#endif

/* struct statx from linux/stat.h (musl 1.2.3 has no statx of its own). */
struct conf_statx_ts {
	int64_t tv_sec;
	uint32_t tv_nsec;
	int32_t pad;
};
struct conf_statx {
	uint32_t stx_mask;
	uint32_t stx_blksize;
	uint64_t stx_attributes;
	uint32_t stx_nlink;
	uint32_t stx_uid;
	uint32_t stx_gid;
	uint16_t stx_mode;
	uint16_t pad1;
	uint64_t stx_ino;
	uint64_t stx_size;
	uint64_t stx_blocks;
	uint64_t stx_attributes_mask;
	struct conf_statx_ts stx_atime, stx_btime, stx_ctime, stx_mtime;
	uint32_t stx_rdev_major, stx_rdev_minor;
	uint32_t stx_dev_major, stx_dev_minor;
	uint64_t spare[14];
};
#define CONF_STATX_BASIC_STATS 0x7ffU

struct conf_dirent64 {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

static int put(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd < 0)
		return -1;
	ssize_t n = write(fd, text, strlen(text));
	close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -1;
}

/* Reads a whole (small) file into buf, NUL-terminated; returns length. */
static long get(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return -1;
	long n = 0, r;
	while ((r = read(fd, buf + n, size - 1 - n)) > 0)
		n += r;
	close(fd);
	buf[n] = 0;
	return n;
}

static long cur(int fd)
{
	return lseek(fd, 0, SEEK_CUR);
}

static void show_stat(const char *label, const struct stat *st)
{
	printf("%s: size %lld mode %06o nlink %lu\n", label,
	       (long long)st->st_size, (unsigned)st->st_mode,
	       (unsigned long)st->st_nlink);
}

static void check_open_rw(void)
{
	char buf[256];

	CHECK_ERR(open("a", O_RDONLY), ENOENT, "open missing file: ENOENT");
	int fd = creat("a", 0644);
	CHECK(fd >= 0, "creat a", "failed: %s", conf_errname(errno));
	CHECK(write(fd, "hello\n", 6) == 6, "write 6 bytes", "short");
	CHECK((fcntl(fd, F_GETFL) & O_ACCMODE) == O_WRONLY,
	      "creat opens O_WRONLY", "flags %#x", fcntl(fd, F_GETFL));
	CHECK_ERR(read(fd, buf, 1), EBADF, "read on a write-only fd: EBADF");
	close(fd);
	CHECK(get("a", buf, sizeof buf) == 6 && strcmp(buf, "hello\n") == 0,
	      "read back a", "got %s", buf);

	CHECK_ERR(open("a", O_CREAT | O_EXCL | O_WRONLY, 0644), EEXIST,
		  "O_CREAT|O_EXCL on an existing file: EEXIST");
	fd = open("a", O_RDWR | O_TRUNC);
	struct stat st;
	CHECK(fd >= 0 && fstat(fd, &st) == 0 && st.st_size == 0,
	      "O_TRUNC empties the file", "size %lld", (long long)st.st_size);
	CHECK(write(fd, "0123456789", 10) == 10, "write 10 bytes", "short");
	close(fd);

	/* O_APPEND: every write goes to the end, whatever the offset. */
	fd = open("a", O_WRONLY | O_APPEND);
	lseek(fd, 0, SEEK_SET);
	CHECK(write(fd, "AB", 2) == 2, "write with O_APPEND", "short");
	lseek(fd, 3, SEEK_SET);
	CHECK(write(fd, "CD", 2) == 2, "second write with O_APPEND", "short");
	CHECK(cur(fd) == 14, "offset after O_APPEND writes is the end",
	      "offset %ld", cur(fd));
	close(fd);
	get("a", buf, sizeof buf);
	printf("a after O_APPEND writes: [%s]\n", buf);
	CHECK(strcmp(buf, "0123456789ABCD") == 0, "O_APPEND content",
	      "got %s", buf);

	/* read/write in pieces, EOF. */
	fd = open("big", O_RDWR | O_CREAT | O_EXCL, 0600);
	CHECK(fd >= 0, "create big with O_EXCL", "failed: %s",
	      conf_errname(errno));
	static char data[100000], back[100000];
	for (size_t i = 0; i < sizeof data; i++)
		data[i] = (char)(i * 7 + (i >> 8));
	size_t done = 0;
	while (done < sizeof data) {
		size_t n = sizeof data - done < 7777 ? sizeof data - done
						     : 7777;
		ssize_t w = write(fd, data + done, n);
		if (w <= 0)
			break;
		done += (size_t)w;
	}
	CHECK(done == sizeof data, "write 100000 bytes in pieces", "wrote %zu",
	      done);
	CHECK(lseek(fd, 0, SEEK_SET) == 0, "lseek to 0", "failed");
	done = 0;
	ssize_t r;
	while ((r = read(fd, back + done, 4096)) > 0)
		done += (size_t)r;
	CHECK(done == sizeof data && memcmp(data, back, sizeof data) == 0,
	      "read back 100000 bytes", "read %zu", done);
	CHECK(read(fd, back, 10) == 0, "read at EOF returns 0", "not 0");
	CHECK(read(fd, back, 0) == 0, "read of 0 bytes returns 0", "not 0");
	printf("big checksum %016llx\n", conf_fnv(back, done, 0));

	/* pread/pwrite leave the offset alone. */
	lseek(fd, 1234, SEEK_SET);
	CHECK(pread(fd, buf, 10, 50000) == 10 &&
		      memcmp(buf, data + 50000, 10) == 0,
	      "pread at 50000", "wrong data");
	CHECK(pwrite(fd, "PWRITE", 6, 99990) == 6, "pwrite at 99990", "short");
	CHECK(cur(fd) == 1234, "pread/pwrite keep the offset", "offset %ld",
	      cur(fd));
	CHECK(pread(fd, buf, 100, 99990) == 10 &&
		      memcmp(buf, "PWRITE", 6) == 0,
	      "pread near EOF is short and sees pwrite's data", "wrong");

	/* writev/readv. */
	struct iovec wv[3] = {
		{ "one ", 4 }, { "", 0 }, { "two three\n", 10 },
	};
	lseek(fd, 0, SEEK_SET);
	CHECK(writev(fd, wv, 3) == 14, "writev of 3 pieces", "short");
	char r1[5] = { 0 }, r2[20] = { 0 };
	struct iovec rv[2] = { { r1, 4 }, { r2, 10 } };
	lseek(fd, 0, SEEK_SET);
	CHECK(readv(fd, rv, 2) == 14 && strcmp(r1, "one ") == 0 &&
		      strcmp(r2, "two three\n") == 0,
	      "readv into 2 pieces", "got [%s][%s]", r1, r2);

	/* lseek whences, holes. */
	CHECK(lseek(fd, 10, SEEK_SET) == 10, "SEEK_SET 10", "wrong");
	CHECK(lseek(fd, 5, SEEK_CUR) == 15, "SEEK_CUR +5", "wrong");
	CHECK(lseek(fd, -10, SEEK_CUR) == 5, "SEEK_CUR -10", "wrong");
	CHECK(lseek(fd, 0, SEEK_END) == 100000, "SEEK_END 0", "wrong");
	CHECK(lseek(fd, -100, SEEK_END) == 99900, "SEEK_END -100", "wrong");
	CHECK_ERR(lseek(fd, -1, SEEK_SET), EINVAL,
		  "lseek to a negative offset: EINVAL");
	CHECK_ERR(lseek(fd, 0, 99), EINVAL, "lseek with whence 99: EINVAL");
	CHECK(lseek(fd, 1 << 20, SEEK_END) == 100000 + (1 << 20),
	      "lseek past EOF", "wrong");
	CHECK(fstat(fd, &st) == 0 && st.st_size == 100000,
	      "lseek past EOF does not change the size", "size %lld",
	      (long long)st.st_size);
	CHECK(write(fd, "X", 1) == 1, "write past EOF", "short");
	fstat(fd, &st);
	show_stat("big after writing past EOF", &st);
	CHECK(st.st_size == 100000 + (1 << 20) + 1, "file grew to the write",
	      "size %lld", (long long)st.st_size);
	static char hole[1 << 20];
	memset(hole, 1, sizeof hole);
	CHECK(pread(fd, hole, sizeof hole, 100000) == sizeof hole,
	      "read the hole", "short");
	int zero = 1;
	for (size_t i = 0; i < sizeof hole; i++)
		zero &= hole[i] == 0;
	CHECK(zero, "the hole reads as zeros", "not zero");

	/* FIONREAD on a regular file: bytes from the offset to the end. */
	int avail = -1;
	lseek(fd, -11, SEEK_END);
	CHECK(ioctl(fd, FIONREAD, &avail) == 0 && avail == 11,
	      "FIONREAD on a file: bytes left", "got %d", avail);
	/* Terminal ioctls on a file. */
	struct termios tio;
	CHECK_ERR(ioctl(fd, TCGETS, &tio), ENOTTY, "TCGETS on a file: ENOTTY");
	struct winsize ws;
	CHECK_ERR(ioctl(fd, TIOCGWINSZ, &ws), ENOTTY,
		  "TIOCGWINSZ on a file: ENOTTY");
	errno = 0;
	CHECK(tcgetattr(fd, &tio) == -1 && errno == ENOTTY,
	      "tcgetattr on a file: ENOTTY", "errno %s", conf_errname(errno));
	CHECK(!isatty(fd), "isatty on a file is 0", "not 0");

	CHECK_SYS(fsync(fd), "fsync");
	CHECK_SYS(fdatasync(fd), "fdatasync");

	/* ftruncate. */
	CHECK_SYS(ftruncate(fd, 200000), "ftruncate shrink to 200000");
	fstat(fd, &st);
	CHECK(st.st_size == 200000, "size after shrink", "%lld",
	      (long long)st.st_size);
	CHECK_SYS(ftruncate(fd, 10), "ftruncate shrink to 10");
	CHECK_SYS(ftruncate(fd, 5000), "ftruncate grow to 5000");
	memset(back, 1, 5000);
	CHECK(pread(fd, back, 5000, 0) == 5000 &&
		      memcmp(back, "one two th", 10) == 0,
	      "truncated file keeps its first 10 bytes", "wrong");
	zero = 1;
	for (int i = 10; i < 5000; i++)
		zero &= back[i] == 0;
	CHECK(zero, "bytes added by ftruncate are zero", "not zero");
	CHECK_ERR(ftruncate(fd, -1), EINVAL, "ftruncate negative: EINVAL");
	close(fd);
	CHECK_SYS(truncate("big", 3), "truncate by path");
	CHECK(get("big", buf, sizeof buf) == 3 && strcmp(buf, "one") == 0,
	      "content after truncate", "got %s", buf);
	fd = open("big", O_RDONLY);
	CHECK_ERR(ftruncate(fd, 0), EINVAL,
		  "ftruncate on a read-only fd: EINVAL");
	close(fd);

	/* Bad user pointers: the kernel must check them, not crash. */
	fd = open("a", O_RDWR);
	CHECK_ERR(syscall(SYS_write, fd, (const void *)16, 5), EFAULT,
		  "write from an unmapped buffer: EFAULT");
	CHECK_ERR(syscall(SYS_read, fd, (void *)16, 5), EFAULT,
		  "read into an unmapped buffer: EFAULT");
	CHECK_ERR(syscall(SYS_openat, AT_FDCWD, (const char *)16, O_RDONLY),
		  EFAULT, "open of an unmapped path: EFAULT");
	close(fd);
}

static void check_stat(void)
{
	struct stat st, st2;
	struct conf_statx sx;
	int fd;

	put("s", "twelve bytes");
	chmod("s", 0640);
	CHECK_SYS(stat("s", &st), "stat");
	show_stat("stat s", &st);
	CHECK(S_ISREG(st.st_mode) && (st.st_mode & 07777) == 0640 &&
		      st.st_size == 12 && st.st_nlink == 1,
	      "stat: regular, 0640, 12 bytes, 1 link", "mode %o",
	      (unsigned)st.st_mode);
	CHECK(st.st_uid == geteuid() && st.st_gid == getegid(),
	      "new file owned by euid and egid", "uid/gid differ");
	CHECK_SYS(lstat("s", &st2), "lstat");
	CHECK(st2.st_mode == st.st_mode && st2.st_size == st.st_size &&
		      st2.st_ino == st.st_ino && st2.st_dev == st.st_dev,
	      "lstat of a regular file equals stat", "differs");
	fd = open("s", O_RDONLY);
	CHECK_SYS(fstat(fd, &st2), "fstat");
	CHECK(st2.st_ino == st.st_ino && st2.st_size == 12,
	      "fstat equals stat", "differs");
	CHECK_SYS(fstatat(AT_FDCWD, "s", &st2, 0), "fstatat(AT_FDCWD)");
	CHECK(st2.st_ino == st.st_ino, "fstatat equals stat", "differs");
	CHECK_SYS(fstatat(fd, "", &st2, AT_EMPTY_PATH),
		  "fstatat(fd, \"\", AT_EMPTY_PATH)");
	CHECK(st2.st_ino == st.st_ino, "fstatat AT_EMPTY_PATH equals stat",
	      "differs");

	/* The raw system calls, whichever the libc uses. */
	memset(&st2, 0, sizeof st2);
	CHECK_SYS(syscall(SYS_stat, "s", &st2), "raw stat");
	CHECK(st2.st_ino == st.st_ino && st2.st_size == 12,
	      "raw stat agrees", "differs");
	memset(&st2, 0, sizeof st2);
	CHECK_SYS(syscall(SYS_lstat, "s", &st2), "raw lstat");
	CHECK(st2.st_ino == st.st_ino, "raw lstat agrees", "differs");
	memset(&st2, 0, sizeof st2);
	CHECK_SYS(syscall(SYS_fstat, fd, &st2), "raw fstat");
	CHECK(st2.st_ino == st.st_ino, "raw fstat agrees", "differs");
	memset(&st2, 0, sizeof st2);
	CHECK_SYS(syscall(SYS_newfstatat, AT_FDCWD, "s", &st2, 0),
		  "raw newfstatat");
	CHECK(st2.st_ino == st.st_ino && st2.st_mode == st.st_mode,
	      "raw newfstatat agrees", "differs");

	memset(&sx, 0, sizeof sx);
	CHECK_SYS(syscall(SYS_statx, AT_FDCWD, "s", 0, CONF_STATX_BASIC_STATS,
			  &sx),
		  "statx");
	printf("statx s: size %llu mode %06o nlink %u\n",
	       (unsigned long long)sx.stx_size, (unsigned)sx.stx_mode,
	       (unsigned)sx.stx_nlink);
	CHECK((sx.stx_mask & CONF_STATX_BASIC_STATS) ==
			      CONF_STATX_BASIC_STATS &&
		      sx.stx_size == 12 && sx.stx_mode == st.st_mode &&
		      sx.stx_nlink == 1 && sx.stx_ino == st.st_ino &&
		      sx.stx_uid == st.st_uid,
	      "statx agrees with stat", "mask %#x", sx.stx_mask);
	memset(&sx, 0, sizeof sx);
	CHECK_SYS(syscall(SYS_statx, fd, "", AT_EMPTY_PATH,
			  CONF_STATX_BASIC_STATS, &sx),
		  "statx(fd, \"\", AT_EMPTY_PATH)");
	CHECK(sx.stx_size == 12, "statx on an fd agrees", "size %llu",
	      (unsigned long long)sx.stx_size);
	close(fd);

	CHECK_SYS(stat(".", &st), "stat .");
	printf("stat .: type dir %s, perms %04o\n",
	       S_ISDIR(st.st_mode) ? "yes" : "no", (unsigned)st.st_mode & 07777);

	/* Hard links. */
	CHECK_SYS(link("s", "s-link"), "link");
	stat("s", &st);
	CHECK(st.st_nlink == 2, "nlink 2 after link", "nlink %lu",
	      (unsigned long)st.st_nlink);
	stat("s-link", &st2);
	CHECK(st2.st_ino == st.st_ino, "link names the same file", "differs");
	CHECK_ERR(link("s", "s-link"), EEXIST, "link onto an existing name");
	CHECK_SYS(unlink("s-link"), "unlink the link");
	stat("s", &st);
	CHECK(st.st_nlink == 1, "nlink 1 after unlink", "nlink %lu",
	      (unsigned long)st.st_nlink);
	CHECK_ERR(stat("s-link", &st2), ENOENT, "stat of an unlinked name");
}

static void check_fcntl_dup(void)
{
	char c;

	put("f", "abcdefghij");
	int fd = open("f", O_RDWR);

	int d = fcntl(fd, F_DUPFD, 100);
	CHECK(d >= 100, "F_DUPFD 100 gives an fd >= 100", "got %d", d);
	CHECK(fcntl(d, F_GETFD) == 0, "F_DUPFD copy has no FD_CLOEXEC",
	      "flags %d", fcntl(d, F_GETFD));
	int dc = fcntl(fd, F_DUPFD_CLOEXEC, 100);
	CHECK(dc > d, "F_DUPFD_CLOEXEC takes the next free fd >= 100",
	      "got %d after %d", dc, d);
	CHECK(fcntl(dc, F_GETFD) == FD_CLOEXEC, "F_DUPFD_CLOEXEC sets it",
	      "flags %d", fcntl(dc, F_GETFD));
	CHECK(fcntl(fd, F_SETFD, FD_CLOEXEC) == 0 &&
		      fcntl(fd, F_GETFD) == FD_CLOEXEC,
	      "F_SETFD FD_CLOEXEC", "not set");
	CHECK(fcntl(d, F_GETFD) == 0, "FD_CLOEXEC is per descriptor",
	      "copy changed too");
	fcntl(fd, F_SETFD, 0);
	CHECK(fcntl(fd, F_GETFD) == 0, "F_SETFD 0 clears it", "still set");

	int fl = fcntl(fd, F_GETFL);
	CHECK((fl & O_ACCMODE) == O_RDWR && !(fl & O_APPEND) &&
		      !(fl & O_NONBLOCK),
	      "F_GETFL: O_RDWR only", "flags %#x", fl);
	CHECK_SYS(fcntl(fd, F_SETFL, fl | O_APPEND), "F_SETFL O_APPEND");
	fl = fcntl(d, F_GETFL);
	CHECK(fl & O_APPEND, "status flags are shared with the dup",
	      "flags %#x", fl);
	lseek(fd, 0, SEEK_SET);
	write(fd, "K", 1);
	char buf[64];
	get("f", buf, sizeof buf);
	CHECK(strcmp(buf, "abcdefghijK") == 0,
	      "write after F_SETFL O_APPEND appends", "got %s", buf);
	fcntl(fd, F_SETFL, O_RDONLY);
	fl = fcntl(fd, F_GETFL);
	CHECK((fl & O_ACCMODE) == O_RDWR && !(fl & O_APPEND),
	      "F_SETFL clears O_APPEND, cannot change the access mode",
	      "flags %#x", fl);
	CHECK_ERR(fcntl(555, F_GETFD), EBADF, "F_GETFD on a closed fd: EBADF");

	/* Duplicates share the offset. */
	int e = dup(fd);
	CHECK(e >= 0, "dup", "failed");
	lseek(fd, 3, SEEK_SET);
	CHECK(cur(e) == 3, "dup shares the offset", "offset %ld", cur(e));
	read(e, &c, 1);
	CHECK(c == 'd' && cur(fd) == 4, "reading through the dup moves both",
	      "c %c offset %ld", c, cur(fd));
	CHECK(dup2(fd, fd) == fd, "dup2(fd, fd) returns fd", "did not");
	CHECK_ERR(dup3(fd, fd, 0), EINVAL, "dup3(fd, fd): EINVAL");
	int g = open("a", O_RDONLY);
	CHECK(dup2(fd, g) == g, "dup2 onto an open fd", "failed");
	read(g, &c, 1);
	CHECK(c == 'e', "dup2 target now reads f, sharing the offset",
	      "c %c", c);
	CHECK(dup3(fd, g, O_CLOEXEC) == g && fcntl(g, F_GETFD) == FD_CLOEXEC,
	      "dup3 O_CLOEXEC", "failed");
	CHECK_ERR(dup2(555, g), EBADF, "dup2 from a closed fd: EBADF");
	CHECK(fcntl(g, F_GETFD) == FD_CLOEXEC,
	      "failed dup2 leaves the target open", "target changed");

	int h = open("f", O_RDONLY | O_CLOEXEC);
	CHECK(fcntl(h, F_GETFD) == FD_CLOEXEC, "open O_CLOEXEC", "not set");
	CHECK((fcntl(h, F_GETFL) & O_ACCMODE) == O_RDONLY,
	      "O_RDONLY fd's access mode", "flags %#x", fcntl(h, F_GETFL));

	/* The lowest free descriptor is reused. */
	close(e);
	int n = open("f", O_RDONLY);
	CHECK(n == e, "open reuses the lowest free fd", "got %d, freed %d", n,
	      e);
	close(n);
	close(h);
	close(g);
	close(dc);
	close(d);
	CHECK_SYS(close(fd), "close");
	CHECK_ERR(close(fd), EBADF, "close twice: EBADF");
	CHECK_ERR(read(fd, &c, 1), EBADF, "read on a closed fd: EBADF");
	CHECK_ERR(write(fd, &c, 1), EBADF, "write on a closed fd: EBADF");
	struct stat st;
	CHECK_ERR(fstat(fd, &st), EBADF, "fstat on a closed fd: EBADF");
	CHECK_ERR(lseek(fd, 0, SEEK_SET), EBADF, "lseek on a closed fd: EBADF");
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static char type_char(unsigned char t)
{
	switch (t) {
	case DT_REG: return 'f';
	case DT_DIR: return 'd';
	case DT_LNK: return 'l';
	case DT_UNKNOWN: return '?';
	default: return 'o';
	}
}

static void check_dirs(void)
{
	CHECK_SYS(mkdir("sub", 0777), "mkdir sub (umask 022)");
	struct stat st;
	stat("sub", &st);
	CHECK(S_ISDIR(st.st_mode) && (st.st_mode & 07777) == 0755,
	      "mkdir mode is 0777 & ~umask", "mode %o", (unsigned)st.st_mode);
	CHECK_ERR(mkdir("sub", 0755), EEXIST, "mkdir existing: EEXIST");
	int dfd = open("sub", O_RDONLY | O_DIRECTORY);
	CHECK(dfd >= 0, "open a directory O_DIRECTORY", "failed: %s",
	      conf_errname(errno));
	CHECK_SYS(mkdirat(dfd, "inner", 0700), "mkdirat");
	CHECK(fstatat(dfd, "inner", &st, 0) == 0 && S_ISDIR(st.st_mode) &&
		      (st.st_mode & 0777) == 0700,
	      "mkdirat made sub/inner 0700", "mode %o", (unsigned)st.st_mode);
	int ffd = openat(dfd, "file", O_WRONLY | O_CREAT, 0666);
	CHECK(ffd >= 0, "openat creates sub/file", "failed: %s",
	      conf_errname(errno));
	write(ffd, "x", 1);
	close(ffd);
	CHECK(stat("sub/file", &st) == 0 && (st.st_mode & 0777) == 0644,
	      "openat file mode 0666 & ~022", "mode %o",
	      (unsigned)st.st_mode);

	/* readdir, sorted. */
	put("sub/b.txt", "b");
	put("sub/a.txt", "a");
	DIR *d = opendir("sub");
	CHECK(d != NULL, "opendir", "failed");
	char *names[16];
	int n = 0;
	struct dirent *de;
	while (d && (de = readdir(d)) && n < 16) {
		char *s = malloc(strlen(de->d_name) + 3);
		sprintf(s, "%s %c", de->d_name, type_char(de->d_type));
		names[n++] = s;
	}
	if (d)
		closedir(d);
	qsort(names, (size_t)n, sizeof names[0], cmp_names);
	printf("readdir sub (sorted):");
	for (int i = 0; i < n; i++)
		printf(" [%s]", names[i]);
	printf("\n");
	CHECK(n == 6, "readdir finds 6 entries with . and ..", "found %d", n);

	/* Raw getdents64 with a small buffer: several calls. */
	int raw = 0, calls = 0, dots = 0;
	char dbuf[80];
	lseek(dfd, 0, SEEK_SET);
	for (;;) {
		long got = syscall(SYS_getdents64, dfd, dbuf, sizeof dbuf);
		if (got <= 0) {
			CHECK(got == 0, "getdents64 ends with 0", "got %ld %s",
			      got, conf_errname(errno));
			break;
		}
		calls++;
		for (long off = 0; off < got;) {
			struct conf_dirent64 *e =
				(struct conf_dirent64 *)(dbuf + off);
			raw++;
			if (strcmp(e->d_name, ".") == 0 ||
			    strcmp(e->d_name, "..") == 0)
				dots++;
			off += e->d_reclen;
		}
	}
	CHECK(raw == 6 && dots == 2 && calls >= 2,
	      "raw getdents64 with an 80-byte buffer: 6 entries, 2+ calls",
	      "%d entries, %d calls", raw, calls);
	lseek(dfd, 0, SEEK_SET);
	CHECK_ERR(syscall(SYS_getdents64, dfd, dbuf, 8), EINVAL,
		  "getdents64 with a too small buffer: EINVAL");
	for (int i = 0; i < n; i++)
		free(names[i]);

	/* Removal. */
	CHECK_ERR(rmdir("sub"), ENOTEMPTY, "rmdir of a non-empty dir");
	CHECK_ERR(unlinkat(dfd, "inner", 0), EISDIR,
		  "unlinkat without AT_REMOVEDIR on a dir: EISDIR");
	CHECK_SYS(unlinkat(dfd, "inner", AT_REMOVEDIR),
		  "unlinkat AT_REMOVEDIR");
	CHECK_ERR(unlinkat(dfd, "file", AT_REMOVEDIR), ENOTDIR,
		  "unlinkat AT_REMOVEDIR on a file: ENOTDIR");
	CHECK_SYS(unlinkat(dfd, "file", 0), "unlinkat a file");
	CHECK_ERR(rmdir("sub/a.txt"), ENOTDIR, "rmdir of a file: ENOTDIR");
	CHECK_SYS(unlink("sub/a.txt"), "unlink");
	CHECK_SYS(unlink("sub/b.txt"), "unlink");
	CHECK_ERR(unlink("sub/b.txt"), ENOENT, "unlink missing: ENOENT");
	close(dfd);

	/* Errors around directories. */
	char c;
	int fd = open("sub", O_RDONLY);
	CHECK_ERR(read(fd, &c, 1), EISDIR, "read on a directory fd: EISDIR");
	close(fd);
	CHECK_ERR(open("sub", O_WRONLY), EISDIR, "open a dir O_WRONLY: EISDIR");
	CHECK_ERR(open("a/x", O_RDONLY), ENOTDIR, "open file/x: ENOTDIR");
	CHECK_ERR(mkdir("a/x", 0755), ENOTDIR, "mkdir file/x: ENOTDIR");
	CHECK_ERR(open("a", O_RDONLY | O_DIRECTORY), ENOTDIR,
		  "open a file O_DIRECTORY: ENOTDIR");
	CHECK_ERR(opendir("a") ? 0 : -1, ENOTDIR, "opendir of a file: ENOTDIR");
	CHECK_ERR(unlink("sub"), EISDIR, "unlink of a directory: EISDIR");
	CHECK_ERR(stat("missing/x", &st), ENOENT, "stat missing/x: ENOENT");
	char longname[300];
	memset(longname, 'n', sizeof longname - 1);
	longname[sizeof longname - 1] = 0;
	CHECK_ERR(open(longname, O_RDONLY), ENAMETOOLONG,
		  "open of a 299-byte name: ENAMETOOLONG");
	CHECK_SYS(rmdir("sub"), "rmdir sub");
}

static void check_rename(void)
{
	char buf[64];

	put("r1", "first");
	put("r2", "second");
	CHECK_SYS(rename("r1", "r3"), "rename r1 to r3");
	CHECK_ERR(access("r1", F_OK), ENOENT, "old name gone after rename");
	CHECK(get("r3", buf, sizeof buf) == 5 && strcmp(buf, "first") == 0,
	      "new name has the content", "got %s", buf);
	CHECK_ERR(syscall(SYS_renameat2, AT_FDCWD, "r3", AT_FDCWD, "r2",
			  RENAME_NOREPLACE),
		  EEXIST, "renameat2 RENAME_NOREPLACE onto a file: EEXIST");
	CHECK_SYS(syscall(SYS_renameat2, AT_FDCWD, "r3", AT_FDCWD, "r4",
			  RENAME_NOREPLACE),
		  "renameat2 RENAME_NOREPLACE to a free name");
	CHECK_SYS(renameat(AT_FDCWD, "r4", AT_FDCWD, "r2"),
		  "renameat over an existing file");
	CHECK(get("r2", buf, sizeof buf) == 5 && strcmp(buf, "first") == 0,
	      "renamed file replaced the target", "got %s", buf);
	CHECK_ERR(rename("nothing", "r5"), ENOENT, "rename missing: ENOENT");
	mkdir("rd", 0755);
	CHECK_ERR(rename("r2", "rd"), EISDIR,
		  "rename a file over a directory: EISDIR");
	CHECK_SYS(rename("rd", "rd2"), "rename a directory");
	CHECK_SYS(rmdir("rd2"), "rmdir the renamed directory");
	unlink("r2");
}

static void check_access_chmod(void)
{
	put("ro", "read only");
	CHECK_SYS(chmod("ro", 0444), "chmod 0444");
	struct stat st;
	stat("ro", &st);
	CHECK((st.st_mode & 07777) == 0444, "mode 0444 after chmod", "mode %o",
	      (unsigned)st.st_mode);
	CHECK_SYS(access("ro", F_OK), "access F_OK");
	CHECK_SYS(access("ro", R_OK), "access R_OK");
	CHECK_ERR(access("nothing", F_OK), ENOENT, "access missing: ENOENT");
	/* Root may write anything, others may not write a 0444 file. */
	int w = access("ro", W_OK);
	CHECK((w == 0) == (geteuid() == 0),
	      "access W_OK on 0444 is allowed exactly for root",
	      "access %d, euid %s", w, geteuid() == 0 ? "root" : "not root");
	/* Not even root may execute a file without any x bit. */
	CHECK_ERR(access("ro", X_OK), EACCES, "access X_OK on 0444: EACCES");
	CHECK_ERR(faccessat(AT_FDCWD, "ro", X_OK, 0), EACCES,
		  "faccessat X_OK on 0444: EACCES");
	CHECK_SYS(faccessat(AT_FDCWD, "ro", R_OK, 0), "faccessat R_OK");

	int fd = open("ro", O_RDONLY);
	CHECK_SYS(fchmod(fd, 0600), "fchmod 0600");
	fstat(fd, &st);
	CHECK((st.st_mode & 07777) == 0600, "mode 0600 after fchmod",
	      "mode %o", (unsigned)st.st_mode);
	close(fd);
	CHECK_SYS(fchmodat(AT_FDCWD, "ro", 0751, 0), "fchmodat 0751");
	stat("ro", &st);
	printf("ro mode after fchmodat: %06o\n", (unsigned)st.st_mode);
	CHECK((st.st_mode & 07777) == 0751, "mode 0751 after fchmodat",
	      "mode %o", (unsigned)st.st_mode);
	CHECK_SYS(access("ro", X_OK), "access X_OK on 0751");
	CHECK_ERR(chmod("nothing", 0644), ENOENT, "chmod missing: ENOENT");
	unlink("ro");
}

/* Creates name with mode 0666 under umask mask (set by the caller) and
 * checks that its mode comes out as want. */
static void check_created_under(const char *name, mode_t mask, mode_t want)
{
	struct stat st;
	char what[64];

	int fd = open(name, O_CREAT | O_WRONLY, 0666);
	fstat(fd, &st);
	close(fd);
	printf("file created 0666 under umask %03o: %04o\n", (unsigned)mask,
	       (unsigned)st.st_mode & 07777);
	snprintf(what, sizeof(what), "umask %03o gives %04o", (unsigned)mask,
		 (unsigned)want);
	CHECK((st.st_mode & 07777) == want, what, "mode %o",
	      (unsigned)st.st_mode);
}

static void check_umask(void)
{
	umask(022);
	mode_t old = umask(077);
	CHECK(old == 022, "umask returns the previous mask", "got %o",
	      (unsigned)old);
	check_created_under("u1", 077, 0600);
	old = umask(022);
	CHECK(old == 077, "umask returns 077", "got %o", (unsigned)old);
	check_created_under("u2", 022, 0644);
	unlink("u1");
	unlink("u2");
}

static void check_pipe_ioctl(void)
{
	int p[2], avail = -1;

	CHECK_SYS(pipe(p), "pipe");
	CHECK(ioctl(p[0], FIONREAD, &avail) == 0 && avail == 0,
	      "FIONREAD on an empty pipe: 0", "got %d", avail);
	write(p[1], "12345", 5);
	CHECK(ioctl(p[0], FIONREAD, &avail) == 0 && avail == 5,
	      "FIONREAD on a pipe holding 5 bytes: 5", "got %d", avail);
	struct termios tio;
	CHECK_ERR(ioctl(p[0], TCGETS, &tio), ENOTTY, "TCGETS on a pipe: ENOTTY");
	close(p[0]);
	close(p[1]);
}

static const char *suffix(const char *s, size_t n)
{
	size_t l = strlen(s);

	return l >= n ? s + l - n : s;
}

int main(void)
{
	char cwd0[4096], cwd1[4096];

	conf_default_signals();
	umask(022);
	printf("files conformance\n");
	CHECK(getcwd(cwd0, sizeof cwd0) != NULL, "getcwd", "failed");
	CHECK(cwd0[0] == '/', "getcwd is absolute", "not absolute");
	CHECK_SYS(mkdir(DIR_NAME, 0755), "mkdir " DIR_NAME);
	CHECK_SYS(chdir(DIR_NAME), "chdir " DIR_NAME);
	CHECK(getcwd(cwd1, sizeof cwd1) != NULL &&
		      strcmp(suffix(cwd1, strlen("/" DIR_NAME)),
			     "/" DIR_NAME) == 0 &&
		      strncmp(cwd1, cwd0, strlen(cwd0)) == 0,
	      "getcwd after chdir ends with /" DIR_NAME, "got another");
	errno = 0;
	CHECK(getcwd(cwd1, 2) == NULL && errno == ERANGE,
	      "getcwd with a 2-byte buffer: ERANGE", "errno %s",
	      conf_errname(errno));
	CHECK_ERR(chdir("nothing"), ENOENT, "chdir missing: ENOENT");

	check_open_rw();
	check_stat();
	check_fcntl_dup();
	check_dirs();
	check_rename();
	check_access_chmod();
	check_umask();
	check_pipe_ioctl();

	/* Clean up and leave. */
	CHECK_SYS(unlink("a"), "unlink a");
	CHECK_SYS(unlink("big"), "unlink big");
	CHECK_SYS(unlink("s"), "unlink s");
	CHECK_SYS(unlink("f"), "unlink f");
	int up = open("..", O_RDONLY | O_DIRECTORY);
	CHECK_SYS(chdir(".."), "chdir ..");
	CHECK(getcwd(cwd1, sizeof cwd1) && strcmp(cwd1, cwd0) == 0,
	      "getcwd back at the start", "got another");
	CHECK_SYS(fchdir(up), "fchdir to the same directory");
	close(up);
	CHECK_SYS(rmdir(DIR_NAME), "rmdir " DIR_NAME);
	struct stat st;
	CHECK_ERR(stat(DIR_NAME, &st), ENOENT, DIR_NAME " is gone");
	return conf_done();
}
