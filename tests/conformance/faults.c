/*
 * faults MODE catch|die: the signals that the CPU's exceptions become.
 *
 *   MODE   fault                                   signal   die status
 *   segv   read of address 0x10                    SIGSEGV  139
 *   bus    misaligned load with EFLAGS.AC set      SIGBUS   135
 *   fpe    integer division by zero (idiv)         SIGFPE   136
 *   ill    ud2                                     SIGILL   132
 *   trap   int3                                    SIGTRAP  133
 *   abort  abort()                                 SIGABRT  134
 *   stack  unbounded recursion (stack overflow)    SIGSEGV  139
 *
 * catch: an SA_SIGINFO handler checks si_signo, si_code, si_addr and the
 * interrupted RIP, then leaves: with siglongjmp (segv, bus, fpe, abort,
 * stack), by moving RIP past the instruction in the ucontext (ill), or by
 * returning, since int3 is a trap (trap). Each fault happens twice, to
 * show that the handler's signal mask is undone. Exit status 0.
 * die: no handler; the process dies of the signal (status 128 + signal).
 */
#include "conf.h"

#include <setjmp.h>
#include <stdint.h>
#include <sys/resource.h>
#include <ucontext.h>

#define EFLAGS_AC 0x40000UL

static const char *mode;
static sigjmp_buf jb;
static volatile int h_count, h_sig, h_code, h_on_alt;
static void *volatile h_addr;
static volatile unsigned long h_rip, h_efl;
static char *alt_lo, *alt_hi;

extern const char conf_fpe_insn[], conf_ud2_insn[], conf_int3_insn[],
	conf_ac_insn[];

static void handler(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	char local;

	/* Clear EFLAGS.AC first: libc code is not alignment-clean. */
	__asm__ volatile("pushfq\n\tandq %0, (%%rsp)\n\tpopfq"
			 :
			 : "i"(~EFLAGS_AC)
			 : "memory", "cc");
	h_count++;
	h_sig = sig;
	h_code = si->si_code;
	h_addr = si->si_addr;
	h_rip = (unsigned long)uc->uc_mcontext.gregs[REG_RIP];
	h_efl = (unsigned long)uc->uc_mcontext.gregs[REG_EFL];
	h_on_alt = &local >= alt_lo && &local < alt_hi;

	if (strcmp(mode, "ill") == 0) {
		uc->uc_mcontext.gregs[REG_RIP] += 2; /* skip ud2 */
		return;
	}
	if (strcmp(mode, "trap") == 0)
		return; /* RIP is already past int3 */
	siglongjmp(jb, 1);
}

__attribute__((noinline, noclone)) static int do_segv(void)
{
	int *volatile p = (int *)16;

	return *p;
}

__attribute__((noinline, noclone)) static int do_fpe(int zero)
{
	int a = 1, d = 0;

	__asm__ volatile(".globl conf_fpe_insn\n"
			 "conf_fpe_insn:\n\t"
			 "idivl %2"
			 : "+a"(a), "+d"(d)
			 : "r"(zero));
	return a;
}

__attribute__((noinline, noclone)) static void do_ill(void)
{
	__asm__ volatile(".globl conf_ud2_insn\n"
			 "conf_ud2_insn:\n\t"
			 "ud2");
}

__attribute__((noinline, noclone)) static void do_trap(void)
{
	__asm__ volatile(".globl conf_int3_insn\n"
			 "conf_int3_insn:\n\t"
			 "int3");
}

/* With EFLAGS.AC set (CR0.AM is set by Linux), a misaligned load at
 * CPL 3 raises #AC, which Linux turns into SIGBUS/BUS_ADRALN. */
__attribute__((noinline, noclone)) static unsigned long do_bus(void)
{
	static unsigned char buf[32] __attribute__((aligned(16)));
	unsigned long v;

	__asm__ volatile("pushfq\n\t"
			 "orq %2, (%%rsp)\n\t"
			 "popfq\n\t"
			 ".globl conf_ac_insn\n"
			 "conf_ac_insn:\n\t"
			 "movq 1(%1), %0\n\t"
			 "pushfq\n\t"
			 "andq %3, (%%rsp)\n\t"
			 "popfq"
			 : "=r"(v)
			 : "r"(buf), "i"(EFLAGS_AC), "i"(~EFLAGS_AC)
			 : "memory", "cc");
	return v;
}

__attribute__((noinline, noclone)) static unsigned long
recurse_forever(unsigned long depth)
{
	volatile unsigned char frame[4096];

	frame[0] = (unsigned char)depth;
	frame[4095] = (unsigned char)depth;
	if (depth > (1UL << 40))
		return frame[0];
	return recurse_forever(depth + 1) + frame[4095];
}

static void fault_once(void)
{
	if (strcmp(mode, "segv") == 0)
		do_segv();
	else if (strcmp(mode, "bus") == 0)
		do_bus();
	else if (strcmp(mode, "fpe") == 0)
		do_fpe(0);
	else if (strcmp(mode, "ill") == 0)
		do_ill();
	else if (strcmp(mode, "trap") == 0)
		do_trap();
	else if (strcmp(mode, "abort") == 0)
		abort();
	else if (strcmp(mode, "stack") == 0)
		recurse_forever(0);
}

static const char *code_name(int sig, int code)
{
	if (code == SI_KERNEL)
		return "SI_KERNEL";
	if (code == SI_TKILL)
		return "SI_TKILL";
	if (code == SI_USER)
		return "SI_USER";
	switch (sig) {
	case SIGSEGV:
		return code == SEGV_MAPERR ? "SEGV_MAPERR"
		       : code == SEGV_ACCERR ? "SEGV_ACCERR"
					     : "other";
	case SIGBUS:
		return code == BUS_ADRALN ? "BUS_ADRALN" : "other";
	case SIGFPE:
		return code == FPE_INTDIV ? "FPE_INTDIV" : "other";
	case SIGILL:
		return code == ILL_ILLOPN ? "ILL_ILLOPN" : "other";
	case SIGTRAP:
		return code == TRAP_BRKPT ? "TRAP_BRKPT" : "other";
	}
	return "other";
}

static void check_catch(int round)
{
	char what[160];
	int want_sig = 0, want_code = 0;
	void *want_addr = NULL;
	unsigned long want_rip = 0;

	if (strcmp(mode, "segv") == 0) {
		want_sig = SIGSEGV;
		want_code = SEGV_MAPERR;
		want_addr = (void *)16;
	} else if (strcmp(mode, "bus") == 0) {
		/* x86 #AC gives no address: Linux reports si_addr 0. */
		want_sig = SIGBUS;
		want_code = BUS_ADRALN;
		want_rip = (unsigned long)conf_ac_insn;
	} else if (strcmp(mode, "fpe") == 0) {
		want_sig = SIGFPE;
		want_code = FPE_INTDIV;
		want_addr = (void *)conf_fpe_insn;
		want_rip = (unsigned long)conf_fpe_insn;
	} else if (strcmp(mode, "ill") == 0) {
		want_sig = SIGILL;
		want_code = ILL_ILLOPN;
		want_addr = (void *)conf_ud2_insn;
		want_rip = (unsigned long)conf_ud2_insn;
	} else if (strcmp(mode, "trap") == 0) {
		/* int3 is sent with force_sig: SI_KERNEL, no address. */
		want_sig = SIGTRAP;
		want_code = SI_KERNEL;
		want_rip = (unsigned long)conf_int3_insn + 1;
	} else if (strcmp(mode, "abort") == 0) {
		want_sig = SIGABRT;
		want_code = SI_TKILL;
	} else if (strcmp(mode, "stack") == 0) {
		want_sig = SIGSEGV;
	}

	/* The stack case checks si_code loosely: print no name for it. */
	printf("round %d: caught %s, si_code %s\n", round, conf_signame(h_sig),
	       strcmp(mode, "stack") == 0 ? "(not printed)"
					  : code_name(h_sig, h_code));
	snprintf(what, sizeof what, "round %d: handler ran once for %s",
		 round, conf_signame(want_sig));
	CHECK(h_count == 1 && h_sig == want_sig, what, "count %d, sig %d",
	      h_count, h_sig);
	if (strcmp(mode, "stack") == 0) {
		/* Linux says SEGV_MAPERR (below the stack's guard gap); a
		 * kernel with a guard page would say SEGV_ACCERR. */
		CHECK(h_code == SEGV_MAPERR || h_code == SEGV_ACCERR,
		      "stack overflow: SEGV_MAPERR or SEGV_ACCERR", "code %d",
		      h_code);
		CHECK(h_on_alt, "stack overflow handler ran on the alt stack",
		      "it did not");
	} else {
		snprintf(what, sizeof what, "si_code is %s",
			 code_name(want_sig, want_code));
		CHECK(h_code == want_code, what, "got %d", h_code);
		if (want_sig != SIGABRT) {
			snprintf(what, sizeof what, "si_addr is %s",
				 want_addr == NULL ? "0" : "the fault address");
			CHECK(h_addr == want_addr, what, "differs");
		}
	}
	if (want_rip) {
		snprintf(what, sizeof what, "interrupted RIP is %s",
			 strcmp(mode, "trap") == 0 ? "just past the int3"
						   : "the faulting instruction");
		CHECK(h_rip == want_rip, what, "off by %ld",
		      (long)(h_rip - want_rip));
	}
	if (strcmp(mode, "bus") == 0)
		CHECK(h_efl & EFLAGS_AC, "ucontext eflags has AC set", "clear");
}

int main(int argc, char **argv)
{
	if (argc != 3 || (strcmp(argv[2], "catch") && strcmp(argv[2], "die"))) {
		fprintf(stderr,
			"usage: faults segv|bus|fpe|ill|trap|abort|stack "
			"catch|die\n");
		return 2;
	}
	mode = argv[1];
	conf_default_signals();

	/* A stack overflow must come at a bounded depth. */
	struct rlimit rl;
	getrlimit(RLIMIT_STACK, &rl);
	if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > (8UL << 20)) {
		rl.rlim_cur = 8UL << 20;
		setrlimit(RLIMIT_STACK, &rl);
	}

	if (strcmp(argv[2], "die") == 0) {
		printf("faults %s: no handler, expecting death\n", mode);
		fflush(stdout);
		fault_once();
		printf("FAIL: still alive after the fault\n");
		return 1;
	}

	size_t alt_size = 256 * 1024;
	stack_t ss = { .ss_sp = malloc(alt_size), .ss_size = alt_size };
	alt_lo = ss.ss_sp;
	alt_hi = alt_lo + alt_size;
	sigaltstack(&ss, NULL);

	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = handler;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
	int sigs[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGABRT };
	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		sigaction(sigs[i], &sa, NULL);

	printf("faults %s: catching\n", mode);
	for (int round = 1; round <= 2; round++) {
		h_count = 0;
		if (sigsetjmp(jb, 1) == 0) {
			fault_once();
			CHECK(strcmp(mode, "ill") == 0 ||
				      strcmp(mode, "trap") == 0,
			      "handler returned and execution went on",
			      "no fault happened");
		}
		check_catch(round);
	}
	return conf_done();
}
