/*
 * memory: malloc of many sizes up to 64 MiB, brk and sbrk, anonymous
 * mmap/munmap/mprotect/mremap/madvise, MAP_FIXED, faults on protected
 * and unmapped pages (caught with SIGSEGV + siglongjmp, checking si_code
 * and si_addr), a large PROT_NONE reservation, stack growth through deep
 * recursion, and alloca.
 */
#include "conf.h"

#include <alloca.h>
#include <setjmp.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif
#ifndef MREMAP_FIXED
#define MREMAP_FIXED 2
#endif

#define PG 4096UL

static sigjmp_buf fault_jmp;
static volatile int fault_sig;
static volatile int fault_code;
static void *volatile fault_addr;

static void on_fault(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	fault_sig = sig;
	fault_code = si->si_code;
	fault_addr = si->si_addr;
	siglongjmp(fault_jmp, 1);
}

/* Returns 1 when the access faulted (details in fault_*). */
static int try_write(volatile char *p, char v)
{
	fault_sig = 0;
	if (sigsetjmp(fault_jmp, 1) == 0) {
		*p = v;
		return 0;
	}
	return 1;
}

static int try_read(volatile char *p)
{
	fault_sig = 0;
	if (sigsetjmp(fault_jmp, 1) == 0) {
		(void)*p;
		return 0;
	}
	return 1;
}

static const char *segv_code_name(int code)
{
	switch (code) {
	case SEGV_MAPERR: return "SEGV_MAPERR";
	case SEGV_ACCERR: return "SEGV_ACCERR";
	default: return "other";
	}
}

/* Prints what the fault was, and checks it against the expectation. */
static void expect_fault(const char *what, int faulted, int code, void *addr)
{
	char line[200];

	if (!faulted) {
		snprintf(line, sizeof line, "%s faults", what);
		CHECK(0, line, "no fault");
		return;
	}
	printf("%s: %s %s\n", what, conf_signame(fault_sig),
	       segv_code_name(fault_code));
	snprintf(line, sizeof line, "%s: SIGSEGV %s, si_addr is the address",
		 what, segv_code_name(code));
	CHECK(fault_sig == SIGSEGV && fault_code == code && fault_addr == addr,
	      line, "got %s code %d, si_addr %s", conf_signame(fault_sig),
	      fault_code, fault_addr == addr ? "matches" : "differs");
}

static int all_bytes(const char *p, size_t n, char v)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != v)
			return 0;
	return 1;
}

static void check_malloc(void)
{
	static const size_t sizes[] = {
		0, 1, 7, 8, 15, 16, 17, 24, 31, 32, 100, 255, 256, 1000,
		4095, 4096, 4097, 10000, 65535, 65536, 131072, 135168, 200000,
		1 << 20, 3 << 20, 16 << 20,
	};
	enum { N = sizeof sizes / sizeof sizes[0] };
	unsigned char *p[N];
	int bad = 0, misaligned = 0;

	for (int i = 0; i < N; i++) {
		p[i] = malloc(sizes[i]);
		if (!p[i] && sizes[i]) {
			bad++;
			continue;
		}
		if ((uintptr_t)p[i] % 16)
			misaligned++;
		for (size_t j = 0; j < sizes[i]; j++)
			p[i][j] = (unsigned char)(i * 31 + j);
	}
	for (int i = 0; i < N; i++)
		for (size_t j = 0; p[i] && j < sizes[i]; j++)
			if (p[i][j] != (unsigned char)(i * 31 + j)) {
				bad++;
				break;
			}
	printf("malloc: %d sizes from 0 to 16 MiB held at once\n", N);
	CHECK(bad == 0, "malloc'd blocks keep their contents", "%d bad", bad);
	CHECK(misaligned == 0, "malloc results are 16-byte aligned",
	      "%d misaligned", misaligned);
	for (int i = 0; i < N; i += 2)
		free(p[i]);
	for (int i = 1; i < N; i += 2)
		free(p[i]);

	/* Many small blocks, freed in a scrambled order. */
	enum { M = 20000 };
	static unsigned char *q[M];
	unsigned seed = 12345;
	size_t total = 0;
	bad = 0;
	for (int i = 0; i < M; i++) {
		seed = seed * 1103515245 + 12345;
		size_t n = 1 + (seed >> 16) % 600;
		q[i] = malloc(n);
		if (!q[i]) {
			bad++;
			continue;
		}
		memset(q[i], i & 0xff, n);
		q[i][n - 1] = (unsigned char)(i & 0xff);
		total += n;
	}
	for (int i = 0; i < M; i += 3) {
		if (q[i] && q[i][0] != (unsigned char)(i & 0xff))
			bad++;
		free(q[i]);
		q[i] = NULL;
	}
	for (int i = 0; i < M; i++) {
		if (q[i] && q[i][0] != (unsigned char)(i & 0xff))
			bad++;
		free(q[i]);
	}
	printf("malloc: %d small blocks, %zu bytes\n", M, total);
	CHECK(bad == 0, "small blocks intact until freed", "%d bad", bad);

	unsigned char *c = calloc(1000, 1000);
	CHECK(c && all_bytes((char *)c, 1000 * 1000, 0),
	      "calloc(1000, 1000) is zeroed", "not zero");
	free(c);

	char *r = malloc(10);
	memcpy(r, "0123456789", 10);
	for (size_t n = 20; n <= (8u << 20); n *= 4) {
		r = realloc(r, n);
		if (!r || memcmp(r, "0123456789", 10) != 0)
			break;
	}
	CHECK(r && memcmp(r, "0123456789", 10) == 0,
	      "realloc up to 8 MiB keeps the contents", "lost");
	free(r);

	/* 64 MiB, every page touched. */
	size_t big = 64UL << 20;
	unsigned char *b = malloc(big);
	CHECK(b != NULL, "malloc(64 MiB)", "NULL");
	if (b) {
		for (size_t off = 0; off < big; off += PG)
			b[off] = (unsigned char)(off / PG);
		b[big - 1] = 0x5a;
		unsigned long sum = 0;
		for (size_t off = 0; off < big; off += PG)
			sum += b[off];
		printf("64 MiB block: page-byte sum %lu, last byte %#x\n", sum,
		       b[big - 1]);
		/* 16384 pages: 64 runs of 0..255. */
		CHECK(sum == 64UL * (255 * 256 / 2) && b[big - 1] == 0x5a,
		      "64 MiB block read back", "sum %lu", sum);
		free(b);
	}
}

static void check_brk(void)
{
	long cur = syscall(SYS_brk, 0);
	long grown, shrunk, regrown, low, again;
	int zero_after_regrow, wrote, faulted_after_shrink;
	int sig_after_shrink, code_after_shrink;

	/* No printing (hence no malloc) while the break is moved. */
	grown = syscall(SYS_brk, cur + (1L << 20));
	wrote = 0;
	if (grown == cur + (1L << 20)) {
		memset((char *)cur, 0x77, 1 << 20);
		wrote = all_bytes((char *)cur, 1 << 20, 0x77);
	}
	shrunk = syscall(SYS_brk, cur);
	/* Well past the old end's page: no longer mapped. */
	volatile char *gone = (char *)((cur + PG - 1) / PG * PG + (512 << 10));
	faulted_after_shrink = try_read(gone);
	sig_after_shrink = fault_sig;
	code_after_shrink = fault_code;
	regrown = syscall(SYS_brk, cur + (1L << 20));
	zero_after_regrow = regrown == cur + (1L << 20) &&
			    all_bytes((char *)((cur + PG - 1) / PG * PG),
				      (size_t)(cur + (1L << 20) -
					       (cur + PG - 1) / PG * PG),
				      0);
	again = syscall(SYS_brk, cur);
	low = syscall(SYS_brk, 4096);

	CHECK(cur > 0, "brk(0) returns the break", "got %ld", cur);
	CHECK(grown == cur + (1L << 20), "brk grows by 1 MiB", "got %+ld",
	      grown - cur);
	CHECK(wrote, "grown break is writable", "not");
	CHECK(shrunk == cur, "brk shrinks back", "got %+ld", shrunk - cur);
	CHECK(faulted_after_shrink && sig_after_shrink == SIGSEGV &&
		      code_after_shrink == SEGV_MAPERR,
	      "memory past a shrunk break: SIGSEGV SEGV_MAPERR",
	      "faulted %d sig %d code %d", faulted_after_shrink,
	      sig_after_shrink, code_after_shrink);
	CHECK(zero_after_regrow, "regrown break reads as zero", "not zero");
	CHECK(again == cur, "brk shrinks back again", "got %+ld", again - cur);
	CHECK(low == cur, "brk below the data segment leaves it unchanged",
	      "got %+ld", low - cur);

	void *s0 = sbrk(0);
	CHECK(s0 == (void *)cur, "sbrk(0) equals brk(0)", "differs");
#ifdef __GLIBC__
	void *s1 = sbrk(65536);
	void *s2 = sbrk(0);
	int w = 0;
	if (s1 != (void *)-1) {
		memset(s1, 1, 65536);
		w = 1;
	}
	void *s3 = sbrk(-65536);
	void *s4 = sbrk(0);
	CHECK(s1 == s0 && s2 == (char *)s0 + 65536 && w,
	      "glibc sbrk(+64 KiB) returns the old break", "did not");
	CHECK(s3 == s2 && s4 == s0, "glibc sbrk(-64 KiB) shrinks it back",
	      "did not");
#else
	errno = 0;
	void *s5 = sbrk(65536);
	CHECK(s5 == (void *)-1 && errno == ENOMEM,
	      "musl sbrk(nonzero) fails with ENOMEM (musl's documented choice)",
	      "got %p errno %s", s5, conf_errname(errno));
#endif
}

static char *map(size_t n, int prot)
{
	char *p = mmap(NULL, n, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

static void check_mmap(void)
{
	char *p = map(16 * PG, PROT_READ | PROT_WRITE);
	CHECK(p != NULL, "mmap 16 anonymous pages", "failed: %s",
	      conf_errname(errno));
	if (!p)
		return;
	CHECK(((uintptr_t)p & (PG - 1)) == 0, "mmap result page-aligned",
	      "not aligned");
	CHECK(all_bytes(p, 16 * PG, 0), "fresh anonymous pages are zero",
	      "not zero");
	for (size_t i = 0; i < 16 * PG; i++)
		p[i] = (char)(i % 251);
	printf("16 pages checksum %016llx\n", conf_fnv(p, 16 * PG, 0));

	/* munmap one page in the middle. */
	CHECK_SYS(munmap(p + 5 * PG, PG), "munmap one middle page");
	expect_fault("read of an unmapped page", try_read(p + 5 * PG + 17),
		     SEGV_MAPERR, p + 5 * PG + 17);
	CHECK(p[5 * PG - 1] == (char)((5 * PG - 1) % 251) &&
		      p[6 * PG] == (char)((6 * PG) % 251),
	      "neighbours of the unmapped page intact", "changed");

	/* mprotect read-only, then back. */
	CHECK_SYS(mprotect(p, 2 * PG, PROT_READ), "mprotect PROT_READ");
	CHECK(!try_read(p + PG + 3), "read of a PROT_READ page", "faulted");
	expect_fault("write to a PROT_READ page", try_write(p + PG + 3, 1),
		     SEGV_ACCERR, p + PG + 3);
	CHECK(p[PG + 3] == (char)((PG + 3) % 251),
	      "faulting write changed nothing", "changed");
	CHECK_SYS(mprotect(p, 2 * PG, PROT_NONE), "mprotect PROT_NONE");
	expect_fault("read of a PROT_NONE page", try_read(p + 100),
		     SEGV_ACCERR, p + 100);
	CHECK_SYS(mprotect(p, 2 * PG, PROT_READ | PROT_WRITE),
		  "mprotect back to read-write");
	CHECK(!try_write(p + PG + 3, 9) && p[PG + 3] == 9,
	      "write after mprotect read-write", "failed");
	CHECK(p[0] == 0 && p[100] == (char)(100 % 251),
	      "contents kept across mprotect", "changed");

	/* madvise(MADV_DONTNEED) on private anonymous memory drops it. */
	CHECK_SYS(madvise(p + 8 * PG, 2 * PG, MADV_DONTNEED),
		  "madvise MADV_DONTNEED");
	CHECK(all_bytes(p + 8 * PG, 2 * PG, 0), "MADV_DONTNEED pages read zero",
	      "not zero");
	CHECK(p[10 * PG] == (char)((10 * PG) % 251),
	      "page after the MADV_DONTNEED range intact", "changed");

	/* MAP_FIXED over part of an existing mapping replaces it. */
	char *f = mmap(p + 12 * PG, PG, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	CHECK(f == p + 12 * PG, "MAP_FIXED returns the address", "got another");
	CHECK(all_bytes(p + 12 * PG, PG, 0), "MAP_FIXED page is fresh (zero)",
	      "old contents");
	CHECK(p[11 * PG + 5] == (char)((11 * PG + 5) % 251) &&
		      p[13 * PG] == (char)((13 * PG) % 251),
	      "pages around the MAP_FIXED page intact", "changed");
	errno = 0;
	char *nr = mmap(p + 12 * PG, PG, PROT_READ,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1,
			0);
	CHECK(nr == MAP_FAILED && errno == EEXIST,
	      "MAP_FIXED_NOREPLACE over a mapping: EEXIST", "got %s",
	      nr == MAP_FAILED ? conf_errname(errno) : "a mapping");
	if (nr != MAP_FAILED && nr != p + 12 * PG)
		munmap(nr, PG);

	CHECK_SYS(munmap(p, 16 * PG), "munmap a range with a hole in it");
	expect_fault("read after munmap", try_read(p + 3), SEGV_MAPERR, p + 3);

	/* Errors. */
	CHECK_ERR(mmap(NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
		  EINVAL, "mmap of length 0: EINVAL");
	CHECK_ERR(mmap((void *)0x10001000UL + 1, PG, PROT_READ,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0),
		  EINVAL, "MAP_FIXED at an unaligned address: EINVAL");
	CHECK_ERR(mmap(NULL, PG, PROT_READ, MAP_ANONYMOUS, -1, 0), EINVAL,
		  "mmap without MAP_PRIVATE or MAP_SHARED: EINVAL");
	CHECK_ERR(munmap(p + 1, PG), EINVAL, "munmap unaligned: EINVAL");
	CHECK_ERR(mprotect(p, PG, PROT_READ), ENOMEM,
		  "mprotect of unmapped memory: ENOMEM");

	/* A shared anonymous mapping behaves like memory too. */
	char *s = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	CHECK(s != MAP_FAILED, "mmap MAP_SHARED|MAP_ANONYMOUS", "failed: %s",
	      conf_errname(errno));
	if (s != MAP_FAILED) {
		CHECK(all_bytes(s, 4 * PG, 0), "shared anonymous pages zero",
		      "not zero");
		memset(s, 3, 4 * PG);
		CHECK(all_bytes(s, 4 * PG, 3), "shared anonymous pages hold data",
		      "lost");
		munmap(s, 4 * PG);
	}

	/* A 1 GiB PROT_NONE reservation, opened up piece by piece. */
	size_t gib = 1UL << 30;
	char *res = mmap(NULL, gib, PROT_NONE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	CHECK(res != MAP_FAILED, "reserve 1 GiB PROT_NONE", "failed: %s",
	      conf_errname(errno));
	if (res != MAP_FAILED) {
		int ok = 1;

		for (size_t off = 0; off < gib; off += 128UL << 20) {
			if (mprotect(res + off, PG, PROT_READ | PROT_WRITE))
				ok = 0;
			else
				res[off] = 1;
		}
		CHECK(ok, "mprotect and touch one page per 128 MiB", "failed");
		expect_fault("read of the reservation's PROT_NONE part",
			     try_read(res + PG), SEGV_ACCERR, res + PG);
		CHECK_SYS(munmap(res, gib), "munmap the reservation");
	}
}

static void check_mremap(void)
{
	/* Grow in place: the page after the mapping is free. */
	char *a = map(2 * PG, PROT_READ | PROT_WRITE);
	memset(a, 'a', PG);
	munmap(a + PG, PG);
	char *a2 = mremap(a, PG, 2 * PG, 0);
	CHECK(a2 == a, "mremap grows in place into free space", "%s",
	      a2 == MAP_FAILED ? conf_errname(errno) : "moved");
	if (a2 != MAP_FAILED) {
		CHECK(all_bytes(a2, PG, 'a') && all_bytes(a2 + PG, PG, 0),
		      "in-place growth keeps data, new page zero", "wrong");
		munmap(a2, 2 * PG);
	}

	/* Grow with MREMAP_MAYMOVE when the next page is taken: it moves. */
	char *b = map(3 * PG, PROT_READ | PROT_WRITE);
	memset(b, 'b', 3 * PG);
	CHECK_ERR(mremap(b, PG, 4 * PG, 0), ENOMEM,
		  "mremap cannot grow in place over a mapping: ENOMEM");
	char *b2 = mremap(b, PG, 4 * PG, MREMAP_MAYMOVE);
	CHECK(b2 != MAP_FAILED && b2 != b, "mremap MREMAP_MAYMOVE moves it",
	      "%s", b2 == MAP_FAILED ? conf_errname(errno) : "stayed");
	if (b2 != MAP_FAILED) {
		CHECK(all_bytes(b2, PG, 'b') && all_bytes(b2 + PG, 3 * PG, 0),
		      "moved mapping keeps its data, grown part zero",
		      "wrong contents");
		expect_fault("read of the old place after a move",
			     try_read(b + 10), SEGV_MAPERR, b + 10);
		CHECK(all_bytes(b + PG, 2 * PG, 'b'),
		      "rest of the original mapping intact", "changed");

		/* Shrink. */
		char *b3 = mremap(b2, 4 * PG, PG, 0);
		CHECK(b3 == b2, "mremap shrinks in place", "failed");
		expect_fault("read past a shrunk mapping", try_read(b2 + PG),
			     SEGV_MAPERR, b2 + PG);

		/* MREMAP_FIXED onto the rest of b, replacing it. */
		memset(b2, 'c', PG);
		char *b4 = mremap(b2, PG, PG, MREMAP_MAYMOVE | MREMAP_FIXED,
				  b + PG);
		CHECK(b4 == b + PG, "mremap MREMAP_FIXED to a chosen address",
		      "%s", b4 == MAP_FAILED ? conf_errname(errno) : "other");
		CHECK(all_bytes(b + PG, PG, 'c') && all_bytes(b + 2 * PG, PG, 'b'),
		      "MREMAP_FIXED moves the data, next page intact", "wrong");
		expect_fault("read of MREMAP_FIXED's source", try_read(b2),
			     SEGV_MAPERR, b2);
		munmap(b + PG, 2 * PG);
	}
}

/* ~1 KiB of stack per level; 4096 levels is about 4.5 MiB. */
__attribute__((noinline)) static unsigned recurse(unsigned depth)
{
	volatile unsigned char frame[1024];

	frame[0] = (unsigned char)depth;
	frame[1023] = (unsigned char)(depth >> 3);
	if (depth == 0)
		return frame[0];
	return recurse(depth - 1) + frame[1023] + frame[0];
}

__attribute__((noinline)) static unsigned use_alloca(size_t n)
{
	unsigned char *a = alloca(n);
	unsigned sum = 0;

	for (size_t i = 0; i < n; i++)
		a[i] = (unsigned char)i;
	for (size_t i = 0; i < n; i += 97)
		sum += a[i];
	return sum;
}

int main(void)
{
	struct sigaction sa;

	conf_default_signals();
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_fault;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	printf("memory conformance\n");

	check_malloc();
	check_brk();
	check_mmap();
	check_mremap();

	unsigned want = 0;
	for (unsigned d = 1; d <= 4096; d++)
		want += ((d >> 3) & 0xff) + (d & 0xff);
	unsigned r = recurse(4096);
	printf("recursion 4096 deep (about 4.5 MiB of stack): %u\n", r);
	CHECK(r == want, "deep recursion grows the stack", "got %u, want %u",
	      r, want);
	unsigned s = use_alloca(256 << 10);
	printf("alloca 256 KiB: sum %u\n", s);
	return conf_done();
}
