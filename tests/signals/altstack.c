/*
 * altstack: sigaltstack and SA_ONSTACK.  The handler runs on the
 * alternate stack (and a nested SA_ONSTACK signal stays on it, below the
 * first frame), sees SS_ONSTACK, cannot change the stack (EPERM); a
 * handler without SA_ONSTACK stays on the normal stack; SS_AUTODISARM
 * disables the stack while a handler runs and sigreturn re-arms it;
 * sizes below MINSIGSTKSZ give ENOMEM; bad flags EINVAL.  Every handler
 * starts with rsp % 16 == 8 (as if called).
 */
#include "sigtest.h"

#include <stdint.h>

#ifndef SS_AUTODISARM
#define SS_AUTODISARM (1U << 31) /* Linux 4.7; glibc headers lack it */
#endif

static char *lo, *hi;
static volatile int on_alt, flag_onstack, flag_disable, flag_autodisarm, eperm;
static volatile int nested_on_alt, nested_below;
static volatile uintptr_t first_local;

unsigned long entry_rsp;
void c_handler(int sig, siginfo_t *si, void *uc);
void asm_handler(int sig, siginfo_t *si, void *uc);

/* Records rsp at the handler's first instruction. */
__asm__(".text\n"
	".globl asm_handler\n"
	"asm_handler:\n"
	"	mov %rsp, entry_rsp(%rip)\n"
	"	jmp c_handler\n");

void c_handler(int sig, siginfo_t *si, void *uc)
{
	char local;
	stack_t ss, other;

	(void)si;
	(void)uc;
	if (sig == SIGUSR2) {
		nested_on_alt = &local >= lo && &local < hi;
		nested_below = (uintptr_t)&local < first_local;
		return;
	}
	on_alt = &local >= lo && &local < hi;
	first_local = (uintptr_t)&local;
	sigaltstack(NULL, &ss);
	flag_onstack = (ss.ss_flags & SS_ONSTACK) != 0;
	flag_disable = (ss.ss_flags & SS_DISABLE) != 0;
	flag_autodisarm = (ss.ss_flags & SS_AUTODISARM) != 0;
	memset(&other, 0, sizeof other);
	other.ss_sp = lo;
	other.ss_size = 65536;
	errno = 0;
	eperm = sigaltstack(&other, NULL) == -1 && errno == EPERM;
	raise(SIGUSR2);
}

static void handle(int sig, int flags)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = asm_handler;
	sa.sa_flags = SA_SIGINFO | flags;
	sigaction(sig, &sa, NULL);
}

static void report(const char *what)
{
	printf("%s: on_alt %d onstack %d disable %d autodisarm %d eperm %d "
	       "nested_on_alt %d nested_below %d rsp%%16 %lu\n",
	       what, on_alt, flag_onstack, flag_disable, flag_autodisarm, eperm,
	       nested_on_alt, nested_below, entry_rsp % 16);
	on_alt = flag_onstack = flag_disable = flag_autodisarm = eperm = 0;
	nested_on_alt = nested_below = 0;
}

int main(void)
{
	size_t size = 128 * 1024;
	stack_t ss, cur;
	char *mem = malloc(size);

	st_reset();
	setvbuf(stdout, NULL, _IOLBF, 0);
	lo = mem;
	hi = mem + size;

	sigaltstack(NULL, &cur);
	printf("initial: flags %d size %zu sp %s\n", cur.ss_flags, cur.ss_size,
	       cur.ss_sp ? "set" : "null");

	memset(&ss, 0, sizeof ss);
	ss.ss_sp = mem;
	ss.ss_size = 2047;
	errno = 0;
	int r = sigaltstack(&ss, NULL);
	printf("2047 bytes: %d errno %d\n", r, errno);
	ss.ss_size = 2048;
	printf("2048 bytes: %d\n", sigaltstack(&ss, NULL));
	ss.ss_flags = 5;
	errno = 0;
	r = sigaltstack(&ss, NULL);
	printf("flags 5: %d errno %d\n", r, errno);
	ss.ss_flags = SS_ONSTACK;
	ss.ss_size = size;
	printf("SS_ONSTACK as flags: %d\n", sigaltstack(&ss, NULL));
	sigaltstack(NULL, &cur);
	printf("read back: flags %d size ok %d sp ok %d\n", cur.ss_flags,
	       cur.ss_size == size, cur.ss_sp == mem);
	ss.ss_flags = 0;
	sigaltstack(&ss, NULL);
	printf("bad pointer: %ld\n", raw(SYS_sigaltstack, 16, 0, 0, 0));

	handle(SIGUSR1, SA_ONSTACK);
	handle(SIGUSR2, SA_ONSTACK);
	raise(SIGUSR1);
	report("SA_ONSTACK");

	handle(SIGUSR1, 0);
	handle(SIGUSR2, 0);
	raise(SIGUSR1);
	report("no SA_ONSTACK");

	/* Frames on the alternate stack but the handlers' own raise()s too:
	 * SIGUSR2 without SA_ONSTACK nested in an SA_ONSTACK handler runs
	 * where the first handler was, the alternate stack. */
	handle(SIGUSR1, SA_ONSTACK);
	raise(SIGUSR1);
	report("nested without SA_ONSTACK");

	ss.ss_flags = SS_AUTODISARM;
	printf("SS_AUTODISARM: %d\n", sigaltstack(&ss, NULL));
	handle(SIGUSR2, SA_ONSTACK);
	raise(SIGUSR1);
	report("autodisarm");
	sigaltstack(NULL, &cur);
	printf("after autodisarm: flags %#x size ok %d\n", (unsigned)cur.ss_flags,
	       cur.ss_size == size);

	ss.ss_flags = SS_DISABLE;
	ss.ss_size = 0;
	printf("SS_DISABLE: %d\n", sigaltstack(&ss, NULL));
	sigaltstack(NULL, &cur);
	printf("disabled: flags %d size %zu\n", cur.ss_flags, cur.ss_size);
	raise(SIGUSR1);
	report("SA_ONSTACK, disabled");
	return st_done();
}
