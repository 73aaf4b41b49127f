/* auxv: the initial stack and auxiliary vector Linux gives a static
 * program: where things are and how they relate, not their values. */
#define _GNU_SOURCE
#include <elf.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>
#include <unistd.h>

extern char **environ;
static int failures;

static void check(int ok, const char *what)
{
	printf("%s: %s\n", ok ? "ok" : "FAIL", what);
	if (!ok)
		failures++;
}

int main(int argc, char **argv, char **envp)
{
	/* The strings lie above the pointer arrays, in order, argv first,
	 * then envp, each right after the one before. */
	int in_order = 1;
	for (int i = 0; i + 1 < argc; i++)
		in_order &= argv[i] + strlen(argv[i]) + 1 == argv[i + 1];
	check(in_order, "argv strings are contiguous and in order");
	if (argc > 0 && envp[0])
		check(argv[argc - 1] + strlen(argv[argc - 1]) + 1 == envp[0],
		      "envp strings follow argv's");
	check((char *)argv > (char *)&argc, "argv is above main's frame");
	check(envp == argv + argc + 1, "envp follows argv's NULL");

	/* The auxiliary vector follows envp's NULL. */
	char **e = envp;
	while (*e)
		e++;
	Elf64_auxv_t *av = (Elf64_auxv_t *)(e + 1);
	int n = 0, seen_null = 0, has_sysinfo = 0, has_random = 0, has_execfn = 0;
	for (; n < 64; n++) {
		if (av[n].a_type == AT_NULL) {
			seen_null = 1;
			break;
		}
		has_sysinfo |= av[n].a_type == AT_SYSINFO_EHDR;
		has_random |= av[n].a_type == AT_RANDOM;
		has_execfn |= av[n].a_type == AT_EXECFN;
	}
	check(seen_null && has_random && has_execfn, "auxv ends with AT_NULL after AT_RANDOM and AT_EXECFN");
	/* AT_SYSINFO_EHDR: Linux has a vDSO, rrv does not (time calls must
	 * reach the kernel); either is fine. */
	(void)has_sysinfo;

	check(getauxval(AT_PAGESZ) == 4096, "AT_PAGESZ 4096");
	check(getauxval(AT_CLKTCK) == 100, "AT_CLKTCK 100");
	check(getauxval(AT_PHENT) == sizeof(Elf64_Phdr), "AT_PHENT");
	check(getauxval(AT_BASE) == 0, "AT_BASE 0");
	check(getauxval(AT_FLAGS) == 0, "AT_FLAGS 0");
	check(getauxval(AT_SECURE) == 0, "AT_SECURE 0");
	check(getauxval(AT_UID) == getuid() && getauxval(AT_EUID) == geteuid() &&
	      getauxval(AT_GID) == getgid() && getauxval(AT_EGID) == getegid(),
	      "AT_UID/EUID/GID/EGID");
	/* glibc rewrites getauxval(AT_HWCAP) on x86; read the vector. */
	unsigned long hwcap = 0;
	for (int i = 0; i < n; i++)
		if (av[i].a_type == AT_HWCAP)
			hwcap = av[i].a_un.a_val;
	check((hwcap & 0x06000001) == 0x06000001, "AT_HWCAP has fpu, sse, sse2");
	const char *plat = (const char *)getauxval(AT_PLATFORM);
	check(plat && strcmp(plat, "x86_64") == 0, "AT_PLATFORM x86_64");
	const char *fn = (const char *)getauxval(AT_EXECFN);
	check(fn && argv[0] && strcmp(fn, argv[0]) == 0, "AT_EXECFN is the path run (argv[0] here)");
	check(fn > envp[0], "AT_EXECFN above the strings");
	const unsigned char *rnd = (const unsigned char *)getauxval(AT_RANDOM);
	check(rnd && (uintptr_t)rnd < (uintptr_t)argv[0] && (uintptr_t)rnd > (uintptr_t)av,
	      "AT_RANDOM between the vector and the strings");
	unsigned long ms = getauxval(AT_MINSIGSTKSZ);
	check(ms >= 1024 && ms <= 65536, "AT_MINSIGSTKSZ is plausible");

	const Elf64_Phdr *ph = (const Elf64_Phdr *)getauxval(AT_PHDR);
	unsigned long phnum = getauxval(AT_PHNUM);
	int load = 0, entry_ok = 0;
	unsigned long entry = getauxval(AT_ENTRY);
	uintptr_t bias = 0;
	for (unsigned long i = 0; ph && i < phnum; i++)
		if (ph[i].p_type == PT_PHDR)
			bias = (uintptr_t)ph - ph[i].p_vaddr;
	for (unsigned long i = 0; ph && i < phnum; i++) {
		if (ph[i].p_type != PT_LOAD)
			continue;
		if (!load && !bias)
			bias = (uintptr_t)ph - ph[i].p_vaddr - 64; /* headers at offset 64 */
		load++;
		if ((ph[i].p_flags & PF_X) && entry >= bias + ph[i].p_vaddr &&
		    entry < bias + ph[i].p_vaddr + ph[i].p_memsz)
			entry_ok = 1;
	}
	check(load > 0, "AT_PHDR shows PT_LOAD segments");
	check(entry_ok, "AT_ENTRY lies in an executable segment");

	unsigned long fs;
	__asm__("mov %%fs:0, %0" : "=r"(fs));
	check(fs != 0, "the thread pointer is set up");
	check(((uintptr_t)__builtin_frame_address(0) & 7) == 0, "stack aligned");
	printf("%d failures\n", failures);
	return failures != 0;
}
