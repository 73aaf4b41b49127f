/*
 * fpu MODE: the FPU/SSE state across a signal.
 *   state       values live in xmm0-15 and on the x87 stack, with a
 *               non-default MXCSR and x87 control word, survive a handler
 *               that computes with both and changes the rounding modes;
 *               the handler starts with the initial state (FCW 0x37f,
 *               MXCSR 0x1f80, xmm0 zero); a double computed in a loop
 *               around raise() comes out the same; a handler's change to
 *               fpregs->mxcsr in the frame takes effect; fpregs = NULL in
 *               the frame gives the initial state back
 *   badmxcsr    a reserved MXCSR bit in the frame: SIGSEGV (139)
 *   misaligned  fpregs pointing at a misaligned copy: SIGSEGV (139)
 */
#include "sigtest.h"

#include <math.h>
#include <stdint.h>
#include <ucontext.h>

unsigned char xmm_in[256] __attribute__((aligned(16)));
unsigned char xmm_out[256] __attribute__((aligned(16)));
long double x87_out[3];
unsigned x87_cw_out, mxcsr_out;

/* At the handler's first instruction. */
unsigned entry_fcw, entry_mxcsr;
unsigned char entry_xmm0[16], entry_xmm15[16];

void fp_handler(int sig, siginfo_t *si, void *uc);
void fp_entry(int sig, siginfo_t *si, void *uc);
__asm__(".text\n"
	".globl fp_entry\n"
	"fp_entry:\n"
	"	fnstcw entry_fcw(%rip)\n"
	"	stmxcsr entry_mxcsr(%rip)\n"
	"	movdqu %xmm0, entry_xmm0(%rip)\n"
	"	movdqu %xmm15, entry_xmm15(%rip)\n"
	"	jmp fp_handler\n");

/*
 * fp_probe(pid, tid, sig): loads xmm_in into xmm0-15, pushes 1.5, 2.25
 * and pi onto the x87 stack, sets FCW 0x0f7f (round toward zero) and
 * MXCSR 0x7f80 (round toward zero), sends sig with the tgkill system
 * call, then stores the registers to xmm_out, x87_out[0..2] (st0 first),
 * x87_cw_out and mxcsr_out, and puts FCW and MXCSR back to default.
 */
void fp_probe(int pid, int tid, int sig);
__asm__(".text\n"
	".globl fp_probe\n"
	"fp_probe:\n"
	"	sub $24, %rsp\n"
	"	mov %edx, %r8d\n"
	"	mov %esi, %r9d\n"
	"	mov %edi, %r10d\n"
	"	lea xmm_in(%rip), %rax\n"
	"	movdqa 0(%rax), %xmm0\n"
	"	movdqa 16(%rax), %xmm1\n"
	"	movdqa 32(%rax), %xmm2\n"
	"	movdqa 48(%rax), %xmm3\n"
	"	movdqa 64(%rax), %xmm4\n"
	"	movdqa 80(%rax), %xmm5\n"
	"	movdqa 96(%rax), %xmm6\n"
	"	movdqa 112(%rax), %xmm7\n"
	"	movdqa 128(%rax), %xmm8\n"
	"	movdqa 144(%rax), %xmm9\n"
	"	movdqa 160(%rax), %xmm10\n"
	"	movdqa 176(%rax), %xmm11\n"
	"	movdqa 192(%rax), %xmm12\n"
	"	movdqa 208(%rax), %xmm13\n"
	"	movdqa 224(%rax), %xmm14\n"
	"	movdqa 240(%rax), %xmm15\n"
	"	movl $0x0f7f, (%rsp)\n"
	"	fldcw (%rsp)\n"
	"	movl $0x7f80, (%rsp)\n"
	"	ldmxcsr (%rsp)\n"
	"	fldpi\n"
	"	movl $0x40110000, 4(%rsp)\n" /* 2.25 as a float */
	"	flds 4(%rsp)\n"
	"	movl $0x3fc00000, 4(%rsp)\n" /* 1.5 */
	"	flds 4(%rsp)\n"
	"	mov %r10d, %edi\n"
	"	mov %r9d, %esi\n"
	"	mov %r8d, %edx\n"
	"	mov $234, %eax\n"
	"	syscall\n"
	"	lea xmm_out(%rip), %rax\n"
	"	movdqa %xmm0, 0(%rax)\n"
	"	movdqa %xmm1, 16(%rax)\n"
	"	movdqa %xmm2, 32(%rax)\n"
	"	movdqa %xmm3, 48(%rax)\n"
	"	movdqa %xmm4, 64(%rax)\n"
	"	movdqa %xmm5, 80(%rax)\n"
	"	movdqa %xmm6, 96(%rax)\n"
	"	movdqa %xmm7, 112(%rax)\n"
	"	movdqa %xmm8, 128(%rax)\n"
	"	movdqa %xmm9, 144(%rax)\n"
	"	movdqa %xmm10, 160(%rax)\n"
	"	movdqa %xmm11, 176(%rax)\n"
	"	movdqa %xmm12, 192(%rax)\n"
	"	movdqa %xmm13, 208(%rax)\n"
	"	movdqa %xmm14, 224(%rax)\n"
	"	movdqa %xmm15, 240(%rax)\n"
	"	lea x87_out(%rip), %rax\n"
	"	fstpt 0(%rax)\n"
	"	fstpt 16(%rax)\n"
	"	fstpt 32(%rax)\n"
	"	fnstcw x87_cw_out(%rip)\n"
	"	stmxcsr mxcsr_out(%rip)\n"
	"	movl $0x037f, (%rsp)\n"
	"	fldcw (%rsp)\n"
	"	movl $0x1f80, (%rsp)\n"
	"	ldmxcsr (%rsp)\n"
	"	add $24, %rsp\n"
	"	ret\n");

static const char *mode;
static volatile double h_result;
static volatile long double h_lresult;
static volatile int h_action; /* 0 nothing, 1 set mxcsr, 2 NULL fpregs */

void fp_handler(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	volatile double a = 1.0, b = 3.0;
	volatile long double la = 2.0L;

	(void)sig;
	(void)si;
	/* Floating point of both kinds, with other rounding modes. */
	unsigned cw = 0x0b7f, csr = 0x5f80; /* both round up */
	__asm__ volatile("fldcw %0; ldmxcsr %1" : : "m"(cw), "m"(csr));
	h_result = a / b;
	h_lresult = sqrtl(la);
	__asm__ volatile("pcmpeqd %%xmm0, %%xmm0; pxor %%xmm15, %%xmm15; "
			 "movdqa %%xmm0, %%xmm7; fldz; fldz; fldz; fldz"
			 : : : "xmm0", "xmm7", "xmm15", "st", "st(1)", "st(2)",
			   "st(3)");

	fpregset_t fp = uc->uc_mcontext.fpregs;
	if (!strcmp(mode, "badmxcsr")) {
		fp->mxcsr |= 1u << 20;
	} else if (!strcmp(mode, "misaligned")) {
		static unsigned char copy[4096] __attribute__((aligned(64)));
		memcpy(copy + 8, fp, 512);
		uc->uc_mcontext.fpregs = (fpregset_t)(copy + 8);
	} else if (h_action == 1) {
		fp->mxcsr = 0x3f80; /* round down, from the frame */
	} else if (h_action == 2) {
		uc->uc_mcontext.fpregs = NULL;
	}
}

static void probe(const char *what)
{
	memset(xmm_out, 0, sizeof xmm_out);
	memset(x87_out, 0, sizeof x87_out);
	fp_probe(getpid(), gettid_(), SIGUSR1);
	static const unsigned char zero[16];
	printf("%s: entry fcw %#x mxcsr %#x xmm0 zero %d xmm15 zero %d\n", what,
	       entry_fcw, entry_mxcsr & 0xffbf,
	       !memcmp(entry_xmm0, zero, 16), !memcmp(entry_xmm15, zero, 16));
	printf("%s: xmm restored %d, xmm zero %d, x87 %.4Lf %.4Lf %.4Lf, "
	       "fcw %#x mxcsr %#x\n", what, !memcmp(xmm_in, xmm_out, 256),
	       !memcmp(xmm_out, (unsigned char[256]){ 0 }, 256), x87_out[0],
	       x87_out[1], x87_out[2], x87_cw_out, mxcsr_out & 0xffbf);
	printf("%s: handler computed %.17g %.20Lf\n", what, h_result, h_lresult);
}

int main(int argc, char **argv)
{
	struct sigaction sa;

	mode = argc > 1 ? argv[1] : "state";
	st_reset();
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (int i = 0; i < 256; i++)
		xmm_in[i] = (unsigned char)(i * 13 + 5);
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = fp_entry;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGUSR1, &sa, NULL);

	if (strcmp(mode, "state") != 0) {
		probe(mode);
		printf("FAIL: survived %s\n", mode);
		return 1;
	}
	probe("plain");
	h_action = 1;
	probe("mxcsr from frame");
	h_action = 2;
	probe("NULL fpregs");
	h_action = 0;

	/* A computation whose intermediate values cross the signal. */
	volatile double x = 0.1;
	double acc = 1.0;
	long double lacc = 1.0L;
	for (int i = 0; i < 1000; i++) {
		acc = acc * 1.0001 + x / (i + 1);
		lacc = lacc * 1.0001L + (long double)x / (i + 1);
		if (i % 100 == 50)
			raise(SIGUSR1);
	}
	printf("loop: %.17g %.20Lf\n", acc, lacc);
	return st_done();
}
