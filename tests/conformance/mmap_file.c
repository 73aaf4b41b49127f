/*
 * mmap_file: file-backed mappings of a file conf-mmap.dat that it creates
 * in the current directory (and removes): MAP_PRIVATE reads and
 * copy-on-write, MAP_SHARED writes reaching the file and write(2) reaching
 * the mapping, msync, offsets, SIGBUS past the end of the file, and the
 * permission errors. Kept apart from files.c, so that a kernel without
 * shared file mappings fails here alone.
 */
#include "conf.h"

#include <fcntl.h>
#include <setjmp.h>
#include <sys/mman.h>
#include <sys/stat.h>

#define PG 4096
#define NAME "conf-mmap.dat"

static sigjmp_buf jb;
static volatile int f_sig, f_code;
static void *volatile f_addr;

static void on_fault(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	f_sig = sig;
	f_code = si->si_code;
	f_addr = si->si_addr;
	siglongjmp(jb, 1);
}

static int try_read(volatile char *p)
{
	f_sig = 0;
	if (sigsetjmp(jb, 1) == 0) {
		(void)*p;
		return 0;
	}
	return 1;
}

int main(void)
{
	static char data[3 * PG], buf[3 * PG];
	struct sigaction sa;

	conf_default_signals();
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_fault;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGSEGV, &sa, NULL);
	printf("mmap_file conformance\n");

	for (int i = 0; i < 3 * PG; i++)
		data[i] = (char)('a' + i % 26);
	int fd = open(NAME, O_RDWR | O_CREAT | O_TRUNC, 0644);
	CHECK(fd >= 0, "create " NAME, "failed: %s", conf_errname(errno));
	/* 2.5 pages: the last page is partly beyond EOF. */
	CHECK(write(fd, data, 2 * PG + PG / 2) == 2 * PG + PG / 2,
	      "write 2.5 pages", "short");

	/* MAP_PRIVATE: the file's bytes; writes stay private. */
	char *p = mmap(NULL, 3 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd,
		       0);
	CHECK(p != MAP_FAILED, "mmap MAP_PRIVATE", "failed: %s",
	      conf_errname(errno));
	if (p != MAP_FAILED) {
		CHECK(memcmp(p, data, 2 * PG + PG / 2) == 0,
		      "private mapping shows the file", "differs");
		int zero = 1;
		for (int i = 2 * PG + PG / 2; i < 3 * PG; i++)
			zero &= p[i] == 0;
		CHECK(zero, "rest of the last page past EOF reads zero",
		      "not zero");
		p[10] = '#';
		CHECK(pread(fd, buf, 20, 0) == 20 && buf[10] == data[10],
		      "write to a private mapping does not reach the file",
		      "it did");
		munmap(p, 3 * PG);
	}

	/* MAP_SHARED: both ways. */
	char *s = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(s != MAP_FAILED, "mmap MAP_SHARED", "failed: %s",
	      conf_errname(errno));
	if (s != MAP_FAILED) {
		memcpy(s + 100, "SHARED", 6);
		CHECK(pread(fd, buf, 6, 100) == 6 && memcmp(buf, "SHARED", 6) == 0,
		      "store to a shared mapping is seen by pread", "not seen");
		CHECK(pwrite(fd, "WRITTEN", 7, PG + 5) == 7, "pwrite", "short");
		CHECK(memcmp(s + PG + 5, "WRITTEN", 7) == 0,
		      "pwrite is seen through the shared mapping", "not seen");
		CHECK_SYS(msync(s, 2 * PG, MS_SYNC), "msync MS_SYNC");
		CHECK_SYS(munmap(s, 2 * PG), "munmap the shared mapping");
	}
	close(fd);

	fd = open(NAME, O_RDONLY);
	CHECK(read(fd, buf, 2 * PG + PG / 2) == 2 * PG + PG / 2 &&
		      memcmp(buf + 100, "SHARED", 6) == 0 &&
		      memcmp(buf + PG + 5, "WRITTEN", 7) == 0,
	      "file holds both changes after munmap", "lost");
	printf("file checksum %016llx\n",
	       conf_fnv(buf, 2 * PG + PG / 2, 0));

	/* An offset mapping. */
	char *o = mmap(NULL, PG, PROT_READ, MAP_PRIVATE, fd, PG);
	CHECK(o != MAP_FAILED && memcmp(o + 5, "WRITTEN", 7) == 0,
	      "mmap at file offset 4096", "wrong");
	if (o != MAP_FAILED)
		munmap(o, PG);
	CHECK_ERR(mmap(NULL, PG, PROT_READ, MAP_PRIVATE, fd, 100), EINVAL,
		  "mmap at an unaligned offset: EINVAL");
	CHECK_ERR(mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0),
		  EACCES, "shared writable mapping of an O_RDONLY fd: EACCES");

	/* Past the last page of the file: SIGBUS. */
	char *b = mmap(NULL, 4 * PG, PROT_READ, MAP_PRIVATE, fd, 0);
	CHECK(b != MAP_FAILED, "mmap 4 pages of a 2.5-page file", "failed");
	if (b != MAP_FAILED) {
		CHECK(!try_read(b + 2 * PG + 100),
		      "read in the last, partial page works", "faulted");
		int faulted = try_read(b + 3 * PG + 8);
		printf("read past the file's last page: %s\n",
		       faulted ? conf_signame(f_sig) : "no fault");
		CHECK(faulted && f_sig == SIGBUS && f_code == BUS_ADRERR &&
			      f_addr == b + 3 * PG + 8,
		      "read past the file's last page: SIGBUS BUS_ADRERR at "
		      "the address",
		      "sig %d code %d", f_sig, f_code);
		munmap(b, 4 * PG);
	}
	close(fd);

	fd = open(NAME, O_WRONLY);
	CHECK_ERR(mmap(NULL, PG, PROT_READ, MAP_PRIVATE, fd, 0), EACCES,
		  "mmap of an O_WRONLY fd: EACCES");
	close(fd);
	CHECK_ERR(mmap(NULL, PG, PROT_READ, MAP_PRIVATE, 555, 0), EBADF,
		  "mmap of a closed fd: EBADF");
	CHECK_SYS(unlink(NAME), "unlink " NAME);
	return conf_done();
}
