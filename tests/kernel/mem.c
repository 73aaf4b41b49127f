/*
 * mem: the address space as a program sees it.  brk, anonymous mmap with
 * its flags, munmap, mprotect, mremap, madvise, mincore, faults caught as
 * SIGSEGV with their si_code, stack growth, and a large allocation.
 * Prints only what is the same natively and under rrv (properties, not
 * addresses).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

#define PG 4096UL

static int failures;

static void check(int ok, const char *what)
{
	printf("%s: %s\n", ok ? "ok" : "FAIL", what);
	if (!ok)
		failures++;
}

static sigjmp_buf jb;
static volatile int got_sig, got_code;
static void *volatile got_addr;

static void on_segv(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	got_sig = sig;
	got_code = si->si_code;
	got_addr = si->si_addr;
	siglongjmp(jb, 1);
}

/* 0: no fault; else the si_code of the SIGSEGV. */
static int probe(volatile char *p, int write)
{
	got_sig = 0;
	if (sigsetjmp(jb, 1) == 0) {
		if (write)
			*p = 1;
		else
			(void)*p;
		return 0;
	}
	return got_sig == SIGSEGV && got_addr == (void *)p ? got_code : -1;
}

static int all(const char *p, size_t n, int v)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != (char)v)
			return 0;
	return 1;
}

static void test_brk(void)
{
	char *b0 = (char *)syscall(SYS_brk, 0);
	char *b1 = (char *)syscall(SYS_brk, b0 + 3 * PG + 5);
	check(b1 == b0 + 3 * PG + 5, "brk grows to an unaligned break");
	memset(b0, 7, 3 * PG + 5);
	check(all(b0, 3 * PG + 5, 7), "grown break is writable");
	check((char *)syscall(SYS_brk, 0) == b1, "brk(0) returns the break");
	check((char *)syscall(SYS_brk, 1) == b1, "brk below the start is refused");
	check((char *)syscall(SYS_brk, b0) == b0, "brk shrinks");
	char *b2 = (char *)syscall(SYS_brk, b0 + PG);
	check(b2 == b0 + PG && all(b0 + (PG - ((uintptr_t)b0 & (PG - 1))) % PG, 0, 0),
	      "brk regrows");
	syscall(SYS_brk, b0);
}

static void test_mmap(void)
{
	char *p = mmap(NULL, 8 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	check(p != MAP_FAILED && ((uintptr_t)p & (PG - 1)) == 0, "mmap anonymous");
	check(all(p, 8 * PG, 0), "new pages are zero");
	memset(p, 0x5a, 8 * PG);
	char *q = mmap(NULL, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	check(q + PG == p, "next mmap lands just below the previous (top-down)");
	munmap(q, PG);

	check(munmap(p + 2 * PG, PG) == 0, "munmap a middle page");
	check(probe(p + 2 * PG + 9, 0) == SEGV_MAPERR, "unmapped page: SEGV_MAPERR");
	check(p[PG] == 0x5a && p[3 * PG] == 0x5a, "neighbours intact");

	check(mprotect(p, PG, PROT_READ) == 0, "mprotect read-only");
	check(probe(p + 5, 1) == SEGV_ACCERR, "write to read-only: SEGV_ACCERR");
	check(probe(p + 5, 0) == 0 && p[5] == 0x5a, "read-only page readable, intact");
	check(mprotect(p, PG, PROT_NONE) == 0 && probe(p, 0) == SEGV_ACCERR,
	      "PROT_NONE: SEGV_ACCERR on read");
	check(mprotect(p, PG, PROT_READ | PROT_WRITE) == 0 && p[7] == 0x5a,
	      "contents survive PROT_NONE");

	check(madvise(p + 3 * PG, 2 * PG, MADV_DONTNEED) == 0 && all(p + 3 * PG, 2 * PG, 0),
	      "MADV_DONTNEED pages read zero");
	check(p[5 * PG] == 0x5a, "page after MADV_DONTNEED intact");

	unsigned char vec[8];
	check(mincore(p, 2 * PG, vec) == 0 && (vec[0] & 1), "mincore");
	errno = 0;
	check(mincore(p, 8 * PG, vec) == -1 && errno == ENOMEM, "mincore over a hole: ENOMEM");

	char *f = mmap(p + 6 * PG, PG, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	check(f == p + 6 * PG && all(f, PG, 0), "MAP_FIXED replaces with zero");
	errno = 0;
	check(mmap(p + 6 * PG, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
		   -1, 0) == MAP_FAILED && errno == EEXIST, "MAP_FIXED_NOREPLACE: EEXIST");

	errno = 0;
	check(mmap(NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) == MAP_FAILED &&
	      errno == EINVAL, "length 0: EINVAL");
	errno = 0;
	check(mmap(NULL, PG, PROT_READ, MAP_ANONYMOUS, -1, 0) == MAP_FAILED && errno == EINVAL,
	      "no MAP_PRIVATE/MAP_SHARED: EINVAL");
	errno = 0;
	check(munmap(p + 1, PG) == -1 && errno == EINVAL, "munmap unaligned: EINVAL");
	errno = 0;
	check(mprotect(p + 2 * PG, PG, PROT_READ) == -1 && errno == ENOMEM,
	      "mprotect of a hole: ENOMEM");
	check(munmap(p, 8 * PG) == 0 && probe(p, 0) == SEGV_MAPERR, "munmap all");

	char *lo = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT,
			-1, 0);
	check(lo != MAP_FAILED && (uintptr_t)lo < (1UL << 31), "MAP_32BIT below 2 GiB");
	munmap(lo, PG);

	char *s = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	check(s != MAP_FAILED && all(s, 4 * PG, 0), "MAP_SHARED|MAP_ANONYMOUS");
	munmap(s, 4 * PG);

	errno = 0;
	check(mmap(NULL, PG, PROT_READ, MAP_PRIVATE, -1, 0) == MAP_FAILED && errno == EBADF,
	      "file mapping of fd -1: EBADF");
}

static void test_mremap(void)
{
	char *a = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	memset(a, 'a', 4 * PG);
	munmap(a + 2 * PG, 2 * PG);
	check(mremap(a, 2 * PG, 4 * PG, 0) == a && all(a, 2 * PG, 'a') && all(a + 2 * PG, 2 * PG, 0),
	      "mremap grows in place");
	check(mremap(a, 4 * PG, PG, 0) == a && probe(a + PG, 0) == SEGV_MAPERR,
	      "mremap shrinks");
	char *b = mmap(NULL, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	(void)b;
	char *c = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	memset(c, 'c', PG);
	errno = 0;
	check(mremap(c, PG, 3 * PG, 0) == MAP_FAILED && errno == ENOMEM,
	      "mremap cannot grow over a mapping: ENOMEM");
	char *d = mremap(c, PG, 3 * PG, MREMAP_MAYMOVE);
	check(d != MAP_FAILED && d != c && all(d, PG, 'c') && all(d + PG, 2 * PG, 0),
	      "MREMAP_MAYMOVE moves, keeping contents");
	check(probe(c, 0) == SEGV_MAPERR, "old place unmapped after the move");
	char *e = mmap(NULL, 8 * PG, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *g = mremap(d, 3 * PG, 2 * PG, MREMAP_MAYMOVE | MREMAP_FIXED, e + 4 * PG);
	check(g == e + 4 * PG && all(g, PG, 'c'), "MREMAP_FIXED");
	errno = 0;
	check(mremap(g + 1, PG, PG, 0) == MAP_FAILED && errno == EINVAL, "unaligned: EINVAL");
	munmap(e, 8 * PG);
}

static int depth(int n)
{
	volatile char frame[1024];
	frame[0] = (char)n;
	return n == 0 ? frame[0] : depth(n - 1) + frame[0] - (char)n + 1;
}

static void test_stack(void)
{
	/* 4 MiB of stack, by recursion: the stack grows on faults. */
	check(depth(4000) == 4000, "stack grows to 4 MiB");
	struct rlimit rl;
	check(getrlimit(RLIMIT_STACK, &rl) == 0 && rl.rlim_cur == 8UL << 20,
	      "RLIMIT_STACK is 8 MiB");
	volatile char big[200000];
	big[0] = 1;
	big[sizeof(big) - 1] = 2;
	check(big[0] + big[sizeof(big) - 1] == 3, "a 200 KB stack array");
}

static void test_big(void)
{
	size_t n = 64UL << 20;
	char *p = malloc(n);
	check(p != NULL, "malloc 64 MiB");
	unsigned long sum = 0;
	for (size_t i = 0; i < n; i += PG)
		p[i] = (char)(i / PG);
	for (size_t i = 0; i < n; i += PG)
		sum += (unsigned char)p[i];
	check(sum == 64UL * 255 * 256 / 2, "64 MiB touched and read back");
	free(p);

	/* A large reservation costs nothing until touched. */
	char *r = mmap(NULL, 16UL << 30, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
		       -1, 0);
	check(r != MAP_FAILED, "reserve 16 GiB PROT_NONE");
	check(mprotect(r + (8UL << 30), PG, PROT_READ | PROT_WRITE) == 0, "open one page in it");
	r[8UL << 30] = 1;
	check(munmap(r, 16UL << 30) == 0, "unmap the reservation");
}

int main(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_segv;
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	sigaction(SIGSEGV, &sa, NULL);

	test_brk();
	test_mmap();
	test_mremap();
	test_stack();
	test_big();
	printf("%d failures\n", failures);
	return failures != 0;
}
