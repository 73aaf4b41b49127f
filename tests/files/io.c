/*
 * io: host files.  Large and vectored transfers (more pieces than one
 * hypercall carries), positioned forms, short transfers at an unmapped
 * page, sendfile between files, getdents and getdents64, the stat family
 * through directory descriptors, the *at calls, umask, truncate,
 * O_TMPFILE, getcwd/chdir/fchdir.  Works in ./io.d, removed at the end.
 */
#include "t.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#define BIG (3 << 20)

static unsigned char data[BIG], back[BIG];

static void big(void)
{
	for (size_t i = 0; i < BIG; i++)
		data[i] = (unsigned char)(i * 31 + (i >> 12));
	int f = SHOW(open("big", O_RDWR | O_CREAT | O_EXCL, 0600));
	SHOW(write(f, data, BIG));
	SHOW(lseek(f, 0, SEEK_SET));
	SHOW(read(f, back, BIG));
	printf("same: %d\n", memcmp(data, back, BIG) == 0);
	SHOW(read(f, back, 10));

	/* 300 pieces of odd sizes each way, cut differently. */
	static struct iovec v[300];
	size_t off = 0;
	for (int i = 0; i < 300; i++) {
		v[i].iov_base = data + off;
		v[i].iov_len = (size_t)(i * 37) % 5000;
		off += v[i].iov_len;
	}
	SHOW(pwritev(f, v, 300, 100));
	memset(back, 0, BIG);
	off = 0;
	for (int i = 0; i < 300; i++) {
		v[i].iov_base = back + off;
		v[i].iov_len = (size_t)(i * 53) % 4000 + 1;
		off += v[i].iov_len;
	}
	SHOW(preadv(f, v, 300, 100));
	printf("checksum %016llx\n", fnv(back, off));
	SHOW(lseek(f, 0, SEEK_CUR));
	SHOW(syscall(SYS_preadv2, f, v, 2, -1, 0, 0));
	SHOW(lseek(f, 0, SEEK_CUR));
	SHOW(syscall(SYS_pwritev2, f, v, 1, 5, 0, 0));
	SHOW(preadv(f, v, 1, -5));
	SHOW(readv(f, v, 0));
	SHOW(syscall(SYS_readv, f, v, 1025));
	v[0].iov_len = (size_t)-1;
	SHOW(readv(f, v, 1));

	/* A buffer whose second page is gone: a short transfer. */
	unsigned char *m = mmap(NULL, 8192, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	munmap(m + 4096, 4096);
	memset(m, 'm', 4096);
	SHOW(pwrite(f, m + 100, 8000, 0));
	SHOW(pread(f, m + 200, 8000, 0));
	SHOW(pread(f, m + 4096, 10, 0));
	SHOW(syscall(SYS_read, f, NULL, 10));
	SHOW(syscall(SYS_write, f, NULL, 10));
	SHOW(lseek(f, 0, SEEK_SET));
	SHOW(syscall(SYS_read, f, NULL, 10));
	int ro = SHOW(open("big", O_RDONLY));
	SHOW(syscall(SYS_write, ro, NULL, 10));
	SHOW(syscall(SYS_read, ro, (void *)16, 0));
	SHOW(close(ro));
	struct iovec bad[2] = { { m, 10 }, { m + 4096, 10 } };
	SHOW(preadv(f, bad, 2, 0));
	SHOW(close(f));
}

static void copy(void)
{
	int in = SHOW(open("big", O_RDONLY));
	int out = SHOW(open("copy", O_WRONLY | O_CREAT | O_TRUNC, 0644));
	off_t o = 1000;
	SHOW(sendfile(out, in, &o, 200000));
	SHOW(o);
	SHOW(lseek(in, 0, SEEK_CUR));
	SHOW(sendfile(out, in, NULL, BIG));
	SHOW(lseek(in, 0, SEEK_CUR));
	SHOW(sendfile(out, in, NULL, 10));
	SHOW(sendfile(out, 99, NULL, 10));
	SHOW(sendfile(in, out, NULL, 10));
	SHOW(lseek(in, 0, SEEK_END));
	SHOW(lseek(in, 0, SEEK_DATA));
	SHOW(lseek(in, 0, 7));
	SHOW(close(in));
	SHOW(close(out));
	struct stat st;
	SHOW(stat("copy", &st));
	printf("copy size %ld\n", (long)st.st_size);
}

struct d64 {
	uint64_t ino;
	int64_t off;
	unsigned short reclen;
	unsigned char type;
	char name[];
};

/* Old struct linux_dirent: d_type is the record's last byte. */
struct d32 {
	unsigned long ino, off;
	unsigned short reclen;
	char name[];
};

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void list(int dfd, int old, unsigned size)
{
	char buf[4096], *names[64];
	int n = 0, calls = 0;
	long got;

	lseek(dfd, 0, SEEK_SET);
	while ((got = syscall(old ? SYS_getdents : SYS_getdents64, dfd, buf, size)) > 0) {
		calls++;
		for (long at = 0; at < got;) {
			char *e = buf + at;
			unsigned short reclen;
			const char *name;
			unsigned char type;
			if (old) {
				struct d32 *d = (struct d32 *)e;
				reclen = d->reclen;
				name = d->name;
				type = (unsigned char)e[reclen - 1];
			} else {
				struct d64 *d = (struct d64 *)e;
				reclen = d->reclen;
				name = d->name;
				type = d->type;
			}
			names[n] = malloc(strlen(name) + 8);
			sprintf(names[n], "%s:%d", name, type);
			n++;
			at += reclen;
		}
	}
	qsort(names, (size_t)n, sizeof(names[0]), cmp);
	printf("%s with %u bytes: %s, %d names, more than one call %d:",
	       old ? "getdents" : "getdents64", size, got == 0 ? "end" : ename(errno), n,
	       calls > 1);
	for (int i = 0; i < n; i++) {
		printf(" %s", names[i]);
		free(names[i]);
	}
	printf("\n");
}

static void dirs(void)
{
	struct stat st;
	char cwd[4096];

	SHOW(umask(027));
	SHOW(mkdir("d", 0777));
	SHOW(stat("d", &st));
	printf("d mode %o\n", st.st_mode);
	int dfd = SHOW(open("d", O_RDONLY | O_DIRECTORY));
	int f = SHOW(openat(dfd, "f1", O_WRONLY | O_CREAT, 0666));
	SHOW(fstat(f, &st));
	printf("f1 mode %o\n", st.st_mode);
	SHOW(close(f));
	SHOW(close(creat("d/f2", 0777)));
	SHOW(mkdirat(dfd, "sub", 0700));
	SHOW(renameat(dfd, "f2", dfd, "sub/f3"));
	SHOW(syscall(SYS_renameat2, dfd, "f1", dfd, "sub/f3", 1 /* NOREPLACE */));
	SHOW(fstatat(dfd, "sub/f3", &st, 0));
	printf("f3 mode %o size %ld\n", st.st_mode, (long)st.st_size);
	SHOW(fstatat(dfd, "", &st, AT_EMPTY_PATH));
	printf("d is dir %d\n", S_ISDIR(st.st_mode));
	SHOW(fstatat(dfd, "", &st, 0));
	SHOW(fstatat(AT_FDCWD, "", &st, AT_EMPTY_PATH));
	SHOW(fstatat(99, "d", &st, 0));
	SHOW(fstatat(99, "/dev/null", &st, 0));
	SHOW(faccessat(dfd, "sub/f3", X_OK, 0));
	SHOW(faccessat(dfd, "sub/f3", R_OK | W_OK, AT_EACCESS));
	SHOW(fchmodat(dfd, "sub/f3", 0755, 0));
	SHOW(faccessat(dfd, "sub/f3", X_OK, 0));
	SHOW(access("d/sub/f3", 8));
	SHOW(unlinkat(dfd, "sub", 0));
	SHOW(unlinkat(dfd, "sub", AT_REMOVEDIR));
	SHOW(unlinkat(dfd, "sub", 0x4000));
	SHOW(readlinkat(dfd, "f1", cwd, sizeof cwd));
	SHOW(readlink("d/f1", cwd, 0));
	SHOW(syscall(SYS_read, dfd, NULL, 10));
	SHOW(read(dfd, cwd, 10));

	for (int i = 0; i < 12; i++) {
		char name[32];
		sprintf(name, "d/entry-with-a-long-name-%02d", i);
		close(open(name, O_CREAT | O_WRONLY, 0644));
	}
	list(dfd, 0, 4096);
	list(dfd, 1, 4096);
	list(dfd, 0, 100);
	list(dfd, 1, 100);
	list(dfd, 0, 10);
	DIR *dp = opendir("d");
	int n = 0;
	while (readdir(dp))
		n++;
	closedir(dp);
	printf("readdir: %d entries\n", n);

	/* truncate and ftruncate. */
	SHOW(truncate("d/f1", 5000));
	SHOW(stat("d/f1", &st));
	printf("f1 size %ld\n", (long)st.st_size);
	SHOW(truncate("d/f1", -1));
	SHOW(truncate("d", 0));
	SHOW(truncate("d/none", 0));
	SHOW(truncate("", 0));

	/* cwd */
	SHOW(fchdir(dfd));
	SHOW(getcwd(cwd, sizeof cwd) != NULL);
	printf("cwd ends in /io.d/d: %d\n",
	       strlen(cwd) > 7 && strcmp(cwd + strlen(cwd) - 7, "/io.d/d") == 0);
	SHOW(syscall(SYS_getcwd, cwd, 1));
	SHOW(syscall(SYS_getcwd, cwd, sizeof cwd) == (long)strlen(cwd) + 1);
	SHOW(chdir(".."));
	SHOW(chdir(""));
	SHOW(chdir("d/f1"));
	SHOW(open("d/f1", O_RDONLY | O_DIRECTORY));

	/* O_TMPFILE, where the file system has it. */
	f = open("d", O_TMPFILE | O_RDWR, 0600);
	printf("O_TMPFILE: %s\n", f >= 0 ? "ok" : ename(errno));
	if (f >= 0) {
		SHOW(write(f, "tmp", 3));
		SHOW(fstat(f, &st));
		printf("tmp nlink %ld mode %o\n", (long)st.st_nlink, st.st_mode);
		SHOW(close(f));
	}

	/* Cleanup. */
	for (int i = 0; i < 12; i++) {
		char name[32];
		sprintf(name, "entry-with-a-long-name-%02d", i);
		unlinkat(dfd, name, 0);
	}
	SHOW(unlinkat(dfd, "f1", 0));
	SHOW(unlinkat(dfd, "sub/f3", 0));
	SHOW(unlinkat(dfd, "sub", AT_REMOVEDIR));
	SHOW(close(dfd));
	SHOW(rmdir("d"));
	SHOW(umask(022));
}

int main(void)
{
	only_stdio();
	SHOW(mkdir("io.d", 0755));
	SHOW(chdir("io.d"));
	big();
	copy();
	dirs();
	SHOW(unlink("big"));
	SHOW(unlink("copy"));
	SHOW(chdir(".."));
	SHOW(rmdir("io.d"));
	return 0;
}
