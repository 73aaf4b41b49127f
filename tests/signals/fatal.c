/*
 * fatal MODE: default actions and deliveries that cannot work.
 *   abort       abort()                                        134
 *   term        kill(getpid(), SIGTERM)                        143
 *   usr1        raise(SIGUSR1)                                 138
 *   quit        raise(SIGQUIT) (core)                          131
 *   rt          raise(40), a real-time signal                  168
 *   kill        raise(SIGKILL)                                 137
 *   killblocked SIGKILL while everything else is blocked       137
 *   pipe        write to a pipe without readers                141
 *   pipeign     the same with SIGPIPE ignored: EPIPE           0
 *   resethand   SA_RESETHAND handler, then the signal again    138
 *   norestorer  a handler installed without SA_RESTORER        139
 *   badstack    a signal with rsp pointing at nothing          139
 *   badstack2   the same with a SIGSEGV handler (its frame
 *               cannot be written either)                      139
 *   altoverflow frames nested until the alternate stack is full 139
 *   badsigreturn rt_sigreturn with rsp pointing at nothing     139
 *   unblock     a pending blocked SIGTERM, then unblocked      143
 *   ignored     default-ignored signals, then exit 7           7
 *   sigsegvdfl  SIGSEGV handler reset by SA_RESETHAND, fault   139
 */
#include "sigtest.h"

#include <stdint.h>
#include <sys/mman.h>

static volatile int n;

void recurse(int sig);

static void count(int sig)
{
	(void)sig;
	n++;
}

/* sigaction(sig) with a plain handler (no SA_SIGINFO) and these flags. */
static void handle(int sig, void (*fn)(int), int flags)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = fn;
	sa.sa_flags = flags;
	sigaction(sig, &sa, NULL);
}

/* The kernel's struct sigaction, for rt_sigaction without libc's help. */
struct ksa {
	void (*handler)(int);
	unsigned long flags;
	void (*restorer)(void);
	unsigned long mask;
};

/*
 * Sends sig to ourselves with tkill with rsp = bad: the signal is
 * delivered on the way out of the system call, onto an unusable stack.
 */
void send_on_bad_stack(long tid, long sig, long bad);
__asm__(".text\n"
	".globl send_on_bad_stack\n"
	"send_on_bad_stack:\n"
	"	mov %rdx, %rsp\n"
	"	mov $200, %eax\n"
	"	syscall\n"
	"	ud2\n");

void sigreturn_on_bad_stack(long bad);
__asm__(".text\n"
	".globl sigreturn_on_bad_stack\n"
	"sigreturn_on_bad_stack:\n"
	"	mov %rdi, %rsp\n"
	"	mov $15, %eax\n"
	"	syscall\n"
	"	ud2\n");

int main(int argc, char **argv)
{
	const char *m = argc > 1 ? argv[1] : "";
	sigset_t set;

	st_reset();
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("fatal %s\n", m);
	if (!strcmp(m, "abort")) {
		abort();
	} else if (!strcmp(m, "term")) {
		kill(getpid(), SIGTERM);
	} else if (!strcmp(m, "usr1")) {
		raise(SIGUSR1);
	} else if (!strcmp(m, "quit")) {
		raise(SIGQUIT);
	} else if (!strcmp(m, "rt")) {
		raise(40);
	} else if (!strcmp(m, "kill")) {
		raise(SIGKILL);
	} else if (!strcmp(m, "killblocked")) {
		sigfillset(&set);
		sigprocmask(SIG_BLOCK, &set, NULL);
		raise(SIGTERM);
		raise(SIGKILL);
	} else if (!strcmp(m, "pipe") || !strcmp(m, "pipeign")) {
		int fd[2];
		if (!strcmp(m, "pipeign"))
			signal(SIGPIPE, SIG_IGN);
		if (pipe(fd) != 0)
			return 3;
		close(fd[0]);
		errno = 0;
		long r = write(fd[1], "x", 1);
		printf("write: %ld errno %s\n", r, errno == EPIPE ? "EPIPE" : "other");
		return 0;
	} else if (!strcmp(m, "resethand")) {
		handle(SIGUSR1, count, SA_RESETHAND);
		raise(SIGUSR1);
		printf("handled %d\n", n);
		raise(SIGUSR1);
	} else if (!strcmp(m, "norestorer")) {
		struct ksa k = { count, 0, NULL, 0 };
		printf("rt_sigaction: %ld\n", raw(SYS_rt_sigaction, SIGUSR1, (long)&k, 0, 8));
		raise(SIGUSR1);
	} else if (!strcmp(m, "badstack") || !strcmp(m, "badstack2")) {
		signal(SIGUSR1, count);
		if (!strcmp(m, "badstack2"))
			signal(SIGSEGV, count);
		send_on_bad_stack(gettid_(), SIGUSR1, 0x1000);
	} else if (!strcmp(m, "altoverflow")) {
		/* A handler that raises itself (SA_NODEFER) on the alternate
		 * stack, one frame deeper each time, until the next frame no
		 * longer fits: SIGSEGV, as Linux does not run off the end.
		 * How deep it gets depends on the frame's size, which
		 * differs between machines, so only the end is printed.
		 * A guard page below the stack catches the handler's own
		 * use of the stack under the last frame that fit. */
		char *g = mmap(NULL, 68 * 1024, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		mprotect(g, 4096, PROT_NONE);
		stack_t ss = { .ss_sp = g + 4096, .ss_size = 64 * 1024 };
		sigaltstack(&ss, NULL);
		handle(SIGUSR2, recurse, SA_ONSTACK | SA_NODEFER);
		raise(SIGUSR2);
	} else if (!strcmp(m, "badsigreturn")) {
		sigreturn_on_bad_stack(0x1000);
	} else if (!strcmp(m, "unblock")) {
		sigemptyset(&set);
		sigaddset(&set, SIGTERM);
		sigprocmask(SIG_BLOCK, &set, NULL);
		raise(SIGTERM);
		printf("still alive with SIGTERM pending\n");
		sigprocmask(SIG_UNBLOCK, &set, NULL);
	} else if (!strcmp(m, "ignored")) {
		raise(SIGCHLD);
		raise(SIGURG);
		raise(SIGWINCH);
		raise(SIGCONT);
		printf("alive\n");
		return 7;
	} else if (!strcmp(m, "sigsegvdfl")) {
		handle(SIGSEGV, count, SA_RESETHAND | SA_NODEFER);
		raise(SIGSEGV);
		printf("handled %d\n", n);
		(void)*(volatile int *)16;
	} else {
		fprintf(stderr, "unknown mode\n");
		return 2;
	}
	printf("FAIL: survived\n");
	return 1;
}

/*
 * Recurses on the alternate stack, one signal frame per level.  Linux
 * takes an rsp less than 128 bytes (the red zone) above the bottom of the
 * alternate stack for "not on it" and starts again at its top, over the
 * outer frames; touching the stack 1 KiB down first (raise needs less)
 * makes the guard page catch that case, whatever the frame size.
 */
void recurse(int sig)
{
	n++;
	__asm__ volatile("movb $0, -1024(%%rsp)" : : : "memory");
	raise(sig);
}
