/*
 * faults KIND catch|die|blocked|ignored: the signals CPU exceptions
 * become, with what the handler sees: si_signo, si_code, si_addr and the
 * sigcontext's trapno, err, cr2 and rip.
 *
 *   KIND    fault                            signal    die status
 *   segv    read of address 0x10             SIGSEGV   139
 *   segvw   write to address 0x10            SIGSEGV   139
 *   segvro  write to a read-only page        SIGSEGV   139
 *   gp      hlt in ring 3 (#GP)              SIGSEGV   139
 *   fpe     idiv by zero                     SIGFPE    136
 *   ill     ud2                              SIGILL    132
 *   trap    int3                             SIGTRAP   133
 *   bus     misaligned load with EFLAGS.AC   SIGBUS    135
 *
 * catch: an SA_SIGINFO handler records and leaves with siglongjmp (int3
 * and ud2: by returning, past the instruction); twice, to show the mask is
 * undone.  die: no handler.  blocked: a handler, but the signal blocked;
 * ignored: SIG_IGN.  Both of these die too (a fault cannot be ignored).
 */
#include "sigtest.h"

#include <setjmp.h>
#include <stdint.h>
#include <sys/mman.h>
#include <ucontext.h>

#define EFLAGS_AC 0x40000UL

static const char *kind;
static sigjmp_buf jb;
static volatile int h_n, h_sig, h_code;
static volatile uintptr_t h_addr, h_rip;
static volatile long h_trapno, h_err;
static volatile uintptr_t h_cr2;
static char *ro_page;

extern const char fpe_insn[], ud2_insn[], int3_insn[], ac_insn[], hlt_insn[];

static void handler(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;

	__asm__ volatile("pushfq; andq %0, (%%rsp); popfq" : : "i"(~EFLAGS_AC)
			 : "memory", "cc");
	h_n++;
	h_sig = sig;
	h_code = si->si_code;
	h_addr = (uintptr_t)si->si_addr;
	h_rip = (uintptr_t)uc->uc_mcontext.gregs[REG_RIP];
	h_trapno = uc->uc_mcontext.gregs[REG_TRAPNO];
	h_err = uc->uc_mcontext.gregs[REG_ERR];
	h_cr2 = (uintptr_t)uc->uc_mcontext.gregs[REG_CR2];
	if (!strcmp(kind, "ill")) {
		uc->uc_mcontext.gregs[REG_RIP] += 2;
		return;
	}
	if (!strcmp(kind, "trap"))
		return;
	siglongjmp(jb, 1);
}

static void fault(void)
{
	if (!strcmp(kind, "segv")) {
		(void)*(volatile int *)16;
	} else if (!strcmp(kind, "segvw")) {
		*(volatile int *)16 = 1;
	} else if (!strcmp(kind, "segvro")) {
		*(volatile char *)(ro_page + 40) = 1;
	} else if (!strcmp(kind, "gp")) {
		__asm__ volatile(".globl hlt_insn\nhlt_insn: hlt");
	} else if (!strcmp(kind, "fpe")) {
		int a = 1, d = 0, z = 0;
		__asm__ volatile(".globl fpe_insn\nfpe_insn: idivl %2"
				 : "+a"(a), "+d"(d) : "r"(z));
	} else if (!strcmp(kind, "ill")) {
		__asm__ volatile(".globl ud2_insn\nud2_insn: ud2");
	} else if (!strcmp(kind, "trap")) {
		__asm__ volatile(".globl int3_insn\nint3_insn: int3");
	} else if (!strcmp(kind, "bus")) {
		static unsigned char buf[32] __attribute__((aligned(16)));
		unsigned long v;
		__asm__ volatile("pushfq; orq %2, (%%rsp); popfq\n"
				 ".globl ac_insn\nac_insn: movq 1(%1), %0\n"
				 "pushfq; andq %3, (%%rsp); popfq"
				 : "=r"(v) : "r"(buf), "i"(EFLAGS_AC), "i"(~EFLAGS_AC)
				 : "memory", "cc");
		(void)v;
	} else {
		fprintf(stderr, "unknown kind %s\n", kind);
		exit(2);
	}
}

/* Addresses vary between builds and runs: print them as what they are. */
static const char *where(uintptr_t a)
{
	if (a == 0)
		return "0";
	if (a == 16)
		return "0x10";
	if (a == (uintptr_t)ro_page + 40)
		return "ro_page+40";
	if (a == (uintptr_t)fpe_insn)
		return "fpe_insn";
	if (a == (uintptr_t)ud2_insn)
		return "ud2_insn";
	if (a == (uintptr_t)int3_insn)
		return "int3_insn";
	if (a == (uintptr_t)int3_insn + 1)
		return "int3_insn+1";
	if (a == (uintptr_t)ac_insn)
		return "ac_insn";
	if (a == (uintptr_t)hlt_insn)
		return "hlt_insn";
	return "elsewhere";
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: faults KIND catch|die|blocked|ignored\n");
		return 2;
	}
	kind = argv[1];
	const char *how = argv[2];
	st_reset();
	setvbuf(stdout, NULL, _IOLBF, 0);
	ro_page = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	int sigs[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP };
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = handler;
	sa.sa_flags = SA_SIGINFO;
	if (strcmp(how, "die") != 0)
		for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
			sigaction(sigs[i], &sa, NULL);
	if (!strcmp(how, "blocked")) {
		sigset_t all;
		sigfillset(&all);
		sigprocmask(SIG_BLOCK, &all, NULL);
	} else if (!strcmp(how, "ignored")) {
		for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
			signal(sigs[i], SIG_IGN);
	}
	if (strcmp(how, "catch") != 0) {
		printf("%s %s: expecting death\n", kind, how);
		fault();
		printf("FAIL: survived\n");
		return 1;
	}
	for (int round = 1; round <= 2; round++) {
		h_n = 0;
		if (sigsetjmp(jb, 1) == 0)
			fault();
		printf("round %d: n %d sig %d code %d addr %s rip %s trapno %ld "
		       "err %ld cr2 %s\n", round, h_n, h_sig, h_code,
		       where(h_addr), where(h_rip), h_trapno, h_err,
		       where(h_cr2));
	}
	return st_done();
}
