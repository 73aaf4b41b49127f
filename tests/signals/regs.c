/*
 * regs: rt_sigreturn takes the registers from the frame, as the handler
 * left them.
 *   - a handler that sets REG_RAX changes what the interrupted system
 *     call returns (the return path must not overwrite rax);
 *   - eflags: CF and DF from the frame are taken, IF and IOPL are not;
 *   - after a fault (ud2), rcx and r11 set in the frame come back (the
 *     return path must restore them, not use them for sysret);
 *   - every general register is in the frame at a fault and comes back.
 */
#include "sigtest.h"

#include <stdint.h>
#include <ucontext.h>

static volatile int mode;

static void handler(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	greg_t *g = uc->uc_mcontext.gregs;

	(void)si;
	if (sig == SIGUSR1 && mode == 0) {
		g[REG_RAX] = 42;
	} else if (sig == SIGUSR1 && mode == 1) {
		g[REG_EFL] |= 0x1 | 0x400 | 0x3000; /* CF, DF, IOPL 3 */
		g[REG_EFL] &= ~0x200L;              /* IF */
	} else if (sig == SIGILL) {
		static const int order[] = { REG_R8, REG_R9, REG_R10, REG_R11,
					     REG_R12, REG_R13, REG_R14, REG_R15,
					     REG_RDI, REG_RSI, REG_RBP, REG_RBX,
					     REG_RDX, REG_RAX, REG_RCX };
		int ok = 1;
		for (int i = 0; i < 15; i++)
			if (g[order[i]] != 0x100 + i)
				ok = 0;
		printf("all 15 registers in the frame at ud2: %d\n", ok);
		for (int i = 0; i < 15; i++)
			g[order[i]] = 0x200 + i;
		g[REG_RIP] += 2;
	}
}

/* tgkill(pid, tid, sig) from assembly: returns rax. */
long sys_tgkill(long pid, long tid, long sig);
__asm__(".text\n.globl sys_tgkill\nsys_tgkill:\n"
	"	mov $234, %eax\n	syscall\n	ret\n");

/* The same, returning rflags after the call (DF cleared again). */
unsigned long flags_after_tgkill(long pid, long tid, long sig);
__asm__(".text\n.globl flags_after_tgkill\nflags_after_tgkill:\n"
	"	clc\n	mov $234, %eax\n	syscall\n"
	"	pushfq\n	pop %rax\n	cld\n	ret\n");

/* Loads 0x100 + i into the 15 registers (in sigcontext order), runs ud2
 * and stores what the registers hold afterwards in out[0..14]. */
unsigned long regs_out[15];
void ud2_regs(void);
__asm__(".text\n.globl ud2_regs\nud2_regs:\n"
	"	push %rbx\n	push %rbp\n	push %r12\n	push %r13\n"
	"	push %r14\n	push %r15\n"
	"	mov $0x100, %r8\n	mov $0x101, %r9\n	mov $0x102, %r10\n"
	"	mov $0x103, %r11\n	mov $0x104, %r12\n	mov $0x105, %r13\n"
	"	mov $0x106, %r14\n	mov $0x107, %r15\n	mov $0x108, %rdi\n"
	"	mov $0x109, %rsi\n	mov $0x10a, %rbp\n	mov $0x10b, %rbx\n"
	"	mov $0x10c, %rdx\n	mov $0x10d, %rax\n	mov $0x10e, %rcx\n"
	"	ud2\n"
	"	mov %rax, regs_out+104(%rip)\n"
	"	lea regs_out(%rip), %rax\n"
	"	mov %r8, 0(%rax)\n	mov %r9, 8(%rax)\n	mov %r10, 16(%rax)\n"
	"	mov %r11, 24(%rax)\n	mov %r12, 32(%rax)\n	mov %r13, 40(%rax)\n"
	"	mov %r14, 48(%rax)\n	mov %r15, 56(%rax)\n	mov %rdi, 64(%rax)\n"
	"	mov %rsi, 72(%rax)\n	mov %rbp, 80(%rax)\n	mov %rbx, 88(%rax)\n"
	"	mov %rdx, 96(%rax)\n	mov %rcx, 112(%rax)\n"
	"	pop %r15\n	pop %r14\n	pop %r13\n	pop %r12\n"
	"	pop %rbp\n	pop %rbx\n	ret\n");

int main(void)
{
	st_reset();
	setvbuf(stdout, NULL, _IOLBF, 0);
	st_handle(SIGUSR1, handler, 0, NULL);
	st_handle(SIGILL, handler, 0, NULL);

	mode = 0;
	printf("tgkill returns %ld (handler set REG_RAX)\n",
	       sys_tgkill(getpid(), gettid_(), SIGUSR1));

	mode = 1;
	unsigned long f = flags_after_tgkill(getpid(), gettid_(), SIGUSR1);
	printf("after frame edit: CF %lu DF %lu IF %lu IOPL %lu\n", f & 1,
	       (f >> 10) & 1, (f >> 9) & 1, (f >> 12) & 3);

	ud2_regs();
	int ok = 1;
	for (int i = 0; i < 15; i++)
		if (regs_out[i] != 0x200UL + i) {
			printf("register %d is %#lx\n", i, regs_out[i]);
			ok = 0;
		}
	printf("all 15 registers from the frame after ud2: %d\n", ok);
	return st_done();
}
