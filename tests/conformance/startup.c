/*
 * startup: what a program finds when it starts. argv and envp, the
 * auxiliary vector, the ELF headers the loader mapped, thread-local
 * storage and the thread pointer, errno, and the order of constructors,
 * atexit handlers and destructors.
 *
 * The runner passes the arguments `one 'two words' ''` and the
 * environment PATH=/usr/bin:/bin RRV_CONF=1.
 */
#include "conf.h"

#include <elf.h>
#include <stdint.h>
#include <sys/auxv.h>
#include <sys/syscall.h>

#ifndef ARCH_GET_FS
#define ARCH_GET_FS 0x1003
#endif

extern char **environ;
extern char _start[];

/* Constructors and destructors log their order into this string. */
static char order[128];

static void log_order(const char *s)
{
	strncat(order, s, sizeof order - strlen(order) - 1);
}

__attribute__((constructor(101))) static void ctor_101(void)
{
	log_order("c101 ");
}

__attribute__((constructor(102))) static void ctor_102(void)
{
	log_order("c102 ");
}

__attribute__((constructor)) static void ctor_plain(void)
{
	log_order("c ");
}

/* Runs after main returns: output here must still reach stdout. */
__attribute__((destructor(101))) static void dtor_101(void)
{
	printf("destructor 101 (runs last)\n");
}

__attribute__((destructor(102))) static void dtor_102(void)
{
	printf("destructor 102\n");
}

__attribute__((destructor)) static void dtor_plain(void)
{
	printf("destructor (no priority, runs first of the destructors)\n");
}

static void atexit_1(void)
{
	printf("atexit handler 1 (registered first, runs last of them)\n");
}

static void atexit_2(void)
{
	printf("atexit handler 2\n");
}

static void atexit_3(void)
{
	printf("atexit handler 3 (registered last, runs first)\n");
}

/* TLS: initialised, zero-initialised, an array and an over-aligned one. */
static __thread int tls_init = 42;
static __thread long tls_zero;
static __thread char tls_text[16] = "tls-text";
static __thread int tls_aligned __attribute__((aligned(64))) = 7;

static void print_args(int argc, char **argv, char **envp)
{
	printf("argc: %d\n", argc);
	for (int i = 0; i < argc; i++)
		printf("argv[%d]: [%s]\n", i, argv[i]);
	CHECK(argv[argc] == NULL, "argv[argc] is NULL", "not NULL");
	CHECK(envp == argv + argc + 1, "envp follows argv's NULL",
	      "envp at another place");
	CHECK(envp == environ, "environ equals main's envp", "differs");

	int found = 0;
	for (char **e = envp; *e; e++) {
		if (strncmp(*e, "RRV_CONF=", 9) == 0) {
			printf("env: [%s]\n", *e);
			found++;
		}
	}
	CHECK(found == 1, "RRV_CONF appears once in envp", "found %d", found);
	const char *v = getenv("RRV_CONF");
	CHECK(v && strcmp(v, "1") == 0, "getenv(RRV_CONF) is 1", "got %s",
	      v ? v : "(null)");
	CHECK(getenv("RRV_CONF_UNSET") == NULL, "getenv of an unset var",
	      "not NULL");
}

static const char *basename_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

static int ends_with(const char *s, const char *suffix)
{
	size_t ls = strlen(s), lx = strlen(suffix);

	return ls >= lx && strcmp(s + ls - lx, suffix) == 0;
}

static void check_auxv(const char *argv0)
{
	unsigned long v;

	v = getauxval(AT_PAGESZ);
	CHECK(v == 4096, "AT_PAGESZ is 4096", "got %lu", v);
	CHECK(sysconf(_SC_PAGESIZE) == 4096, "sysconf(_SC_PAGESIZE) is 4096",
	      "got %ld", sysconf(_SC_PAGESIZE));
	v = getauxval(AT_CLKTCK);
	CHECK(v == 100, "AT_CLKTCK is 100", "got %lu", v);
	CHECK(sysconf(_SC_CLK_TCK) == 100, "sysconf(_SC_CLK_TCK) is 100",
	      "got %ld", sysconf(_SC_CLK_TCK));
	v = getauxval(AT_SECURE);
	CHECK(v == 0, "AT_SECURE is 0", "got %lu", v);
	v = getauxval(AT_FLAGS);
	CHECK(v == 0, "AT_FLAGS is 0", "got %#lx", v);

	unsigned long phdr = getauxval(AT_PHDR);
	unsigned long phnum = getauxval(AT_PHNUM);
	unsigned long phent = getauxval(AT_PHENT);
	unsigned long entry = getauxval(AT_ENTRY);
	CHECK(phdr != 0, "AT_PHDR nonzero", "zero");
	CHECK(phnum > 0 && phnum < 64, "AT_PHNUM in 1..63", "got %lu", phnum);
	CHECK(phent == sizeof(Elf64_Phdr), "AT_PHENT is sizeof(Elf64_Phdr)",
	      "got %lu", phent);
	CHECK(entry == (unsigned long)_start, "AT_ENTRY is &_start",
	      "AT_ENTRY %#lx, _start %p", entry, (void *)_start);

	/*
	 * The ELF header is mapped with the first PT_LOAD (file offset 0),
	 * e_phoff bytes before the program headers.  A position-independent
	 * program (the dynamically linked builds) is loaded at a bias: the
	 * distance between AT_PHDR and PT_PHDR's address.  AT_BASE is the
	 * interpreter's address exactly when there is a PT_INTERP.
	 */
	if (phdr && phnum > 0 && phnum < 64 && phent == sizeof(Elf64_Phdr)) {
		const Elf64_Phdr *ph = (const Elf64_Phdr *)phdr;
		const Elf64_Phdr *first_load = NULL, *text = NULL;
		unsigned long bias = 0;
		int loads = 0, interp = 0;

		for (unsigned long i = 0; i < phnum; i++) {
			if (ph[i].p_type == PT_PHDR)
				bias = phdr - ph[i].p_vaddr;
			if (ph[i].p_type == PT_INTERP)
				interp = 1;
		}
		v = getauxval(AT_BASE);
		CHECK(interp ? v != 0 : v == 0,
		      "AT_BASE is set exactly when there is an interpreter",
		      "got %#lx, PT_INTERP %s", v, interp ? "yes" : "no");
		for (unsigned long i = 0; i < phnum; i++) {
			if (ph[i].p_type != PT_LOAD)
				continue;
			loads++;
			if (!first_load)
				first_load = &ph[i];
			if ((ph[i].p_flags & PF_X) &&
			    ph[i].p_vaddr + bias <= entry &&
			    entry < ph[i].p_vaddr + bias + ph[i].p_memsz)
				text = &ph[i];
		}
		printf("PT_LOAD segments: %d\n", loads);
		CHECK(text != NULL, "AT_ENTRY inside an executable PT_LOAD",
		      "no such segment");
		CHECK(first_load && first_load->p_offset == 0,
		      "first PT_LOAD maps file offset 0", "it does not");
		if (first_load && first_load->p_offset == 0) {
			const Elf64_Ehdr *eh =
				(const Elf64_Ehdr *)(first_load->p_vaddr + bias);
			CHECK(memcmp(eh->e_ident, ELFMAG, SELFMAG) == 0,
			      "ELF header mapped at the first PT_LOAD",
			      "no ELF magic");
			CHECK(eh->e_type == (bias ? ET_DYN : ET_EXEC),
			      "e_type is ET_EXEC, or ET_DYN when loaded at a bias",
			      "got %d", eh->e_type);
			CHECK(eh->e_entry + bias == entry,
			      "e_entry (plus the bias) equals AT_ENTRY",
			      "e_entry %#lx", (unsigned long)eh->e_entry);
			CHECK(eh->e_phnum == phnum, "e_phnum equals AT_PHNUM",
			      "e_phnum %d", eh->e_phnum);
			CHECK((unsigned long)eh + eh->e_phoff == phdr,
			      "ELF header + e_phoff equals AT_PHDR",
			      "e_phoff %#lx", (unsigned long)eh->e_phoff);
		}
	}

	const unsigned char *rnd = (const unsigned char *)getauxval(AT_RANDOM);
	CHECK(rnd != NULL, "AT_RANDOM nonzero", "zero");
	if (rnd) {
		int nonzero = 0;

		for (int i = 0; i < 16; i++)
			nonzero |= rnd[i];
		CHECK(nonzero, "AT_RANDOM's 16 bytes are not all zero",
		      "all zero");
	}

	const char *execfn = (const char *)getauxval(AT_EXECFN);
	CHECK(execfn && *execfn, "AT_EXECFN is a non-empty string", "%s",
	      execfn ? "empty" : "NULL");
	if (execfn && *execfn) {
		const char *base = basename_of(argv0);
		CHECK(ends_with(execfn, base) &&
			      (strlen(execfn) == strlen(base) ||
			       execfn[strlen(execfn) - strlen(base) - 1] == '/'),
		      "AT_EXECFN ends with the program's basename",
		      "AT_EXECFN does not end with /%s", base);
	}

	const char *platform = (const char *)getauxval(AT_PLATFORM);
	CHECK(platform && strcmp(platform, "x86_64") == 0,
	      "AT_PLATFORM is x86_64", "got %s", platform ? platform : "NULL");
	CHECK(getauxval(AT_HWCAP) != 0, "AT_HWCAP nonzero", "zero");

	CHECK(getauxval(AT_UID) == getuid(), "AT_UID equals getuid()",
	      "differ");
	CHECK(getauxval(AT_EUID) == geteuid(), "AT_EUID equals geteuid()",
	      "differ");
	CHECK(getauxval(AT_GID) == getgid(), "AT_GID equals getgid()",
	      "differ");
	CHECK(getauxval(AT_EGID) == getegid(), "AT_EGID equals getegid()",
	      "differ");
}

static unsigned long thread_pointer(void)
{
	unsigned long tp;

	__asm__ volatile("mov %%fs:0, %0" : "=r"(tp));
	return tp;
}

static void check_tls(void)
{
	unsigned long tp = thread_pointer();
	unsigned long fs = 0;

	CHECK(tp != 0, "%fs:0 (TCB self-pointer) nonzero", "zero");
	CHECK_SYS(syscall(SYS_arch_prctl, ARCH_GET_FS, &fs),
		  "arch_prctl(ARCH_GET_FS)");
	CHECK(fs == tp, "FS base equals %fs:0", "FS base %#lx, %%fs:0 %#lx",
	      fs, tp);

	printf("tls_init %d, tls_zero %ld, tls_text [%s], tls_aligned %d\n",
	       tls_init, tls_zero, tls_text, tls_aligned);
	CHECK(tls_init == 42, "initialised __thread int", "got %d", tls_init);
	CHECK(tls_zero == 0, "zero-initialised __thread long", "got %ld",
	      tls_zero);
	CHECK(strcmp(tls_text, "tls-text") == 0 && tls_text[15] == 0,
	      "initialised __thread array", "got %s", tls_text);
	CHECK(((unsigned long)&tls_aligned & 63) == 0,
	      "64-byte aligned __thread variable", "misaligned");
	tls_init += 1;
	tls_zero = -5;
	strcpy(tls_text, "changed");
	CHECK(tls_init == 43 && tls_zero == -5 &&
		      strcmp(tls_text, "changed") == 0,
	      "__thread variables are writable", "values did not stick");

	/* x86-64 variant II: the static TLS block sits below the TCB. */
	unsigned long a = (unsigned long)&tls_init;
	CHECK(a < tp && tp - a < 65536, "__thread data just below the TCB",
	      "distance %ld", (long)(tp - a));

	/* errno is per thread: it lives in the thread's TLS/TCB area. */
	unsigned long e = (unsigned long)&errno;
	CHECK((e > tp ? e - tp : tp - e) < 65536, "&errno near the TCB",
	      "distance %ld", (long)(e - tp));
	errno = 0;
	CHECK(close(-1) == -1 && errno == EBADF, "errno set by close(-1)",
	      "errno %s", conf_errname(errno));
	errno = 1234;
	CHECK(errno == 1234, "errno holds a stored value", "got %d", errno);
	errno = 0;
}

int main(int argc, char **argv, char **envp)
{
	printf("constructors ran: %s\n", order);
	CHECK(strcmp(order, "c101 c102 c ") == 0,
	      "constructor order 101, 102, plain", "got %s", order);

	print_args(argc, argv, envp);
	check_auxv(argv[0]);
	check_tls();

	CHECK(atexit(atexit_1) == 0, "atexit 1", "failed");
	CHECK(atexit(atexit_2) == 0, "atexit 2", "failed");
	CHECK(atexit(atexit_3) == 0, "atexit 3", "failed");

	int status = conf_done();

	/* Buffered: only exit's stdio flush writes this out. */
	printf("returning %d from main\n", status);
	return status;
}
