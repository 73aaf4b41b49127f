/*
 * Linux x86-64's signal ABI: the numbers, the kernel's sigset (8 bytes),
 * struct sigaction as rt_sigaction passes it, sa_handler values and
 * sa_flags, rt_sigprocmask's how, sigaltstack's flags and stack_t,
 * siginfo_t and the si_code values (<asm/signal.h>,
 * <asm-generic/signal-defs.h>, <asm-generic/siginfo.h>).  Programs (and
 * glibc's and musl's types) depend on every offset of stack_t and
 * siginfo_t, so each is pinned by a static assertion.
 */
#ifndef REKERNEL_UAPI_SIGNAL_H
#define REKERNEL_UAPI_SIGNAL_H

#include <stddef.h>
#include <stdint.h>

#define NSIG 64 /* signals 1..64; bit (n - 1) in a sigset */
typedef uint64_t sigset_k;
#define SIGBIT(n) (1ull << ((n) - 1))

/* Linux's struct sigaction as rt_sigaction passes it (x86-64 layout). */
struct k_sigaction {
	uint64_t handler;  /* SIG_DFL 0, SIG_IGN 1, or a user address */
	uint64_t flags;    /* SA_* */
	uint64_t restorer; /* SA_RESTORER: user code that calls rt_sigreturn */
	sigset_k mask;
};

#define SIGHUP 1
#define SIGINT 2
#define SIGQUIT 3
#define SIGILL 4
#define SIGTRAP 5
#define SIGABRT 6
#define SIGBUS 7
#define SIGFPE 8
#define SIGKILL 9
#define SIGUSR1 10
#define SIGSEGV 11
#define SIGUSR2 12
#define SIGPIPE 13
#define SIGALRM 14
#define SIGTERM 15
#define SIGCHLD 17
#define SIGCONT 18
#define SIGSTOP 19
#define SIGTSTP 20
#define SIGSTKFLT 16
#define SIGTTIN 21
#define SIGTTOU 22
#define SIGURG 23
#define SIGXCPU 24
#define SIGXFSZ 25
#define SIGVTALRM 26
#define SIGPROF 27
#define SIGWINCH 28
#define SIGIO 29
#define SIGPWR 30
#define SIGSYS 31
#define SIGRTMIN 32 /* real-time signals: 32..NSIG (libcs reserve 32-34) */

/* sa_handler values. */
#define SIG_DFL 0
#define SIG_IGN 1

/* sa_flags. */
#define SA_NOCLDSTOP 0x00000001u
#define SA_NOCLDWAIT 0x00000002u
#define SA_SIGINFO 0x00000004u
#define SA_EXPOSE_TAGBITS 0x00000800u
#define SA_RESTORER 0x04000000u
#define SA_ONSTACK 0x08000000u
#define SA_RESTART 0x10000000u
#define SA_NODEFER 0x40000000u
#define SA_RESETHAND 0x80000000u

/* rt_sigprocmask's how. */
#define SIG_BLOCK 0
#define SIG_UNBLOCK 1
#define SIG_SETMASK 2

/* sigaltstack. */
#define SS_ONSTACK 1
#define SS_DISABLE 2
#define SS_AUTODISARM (1u << 31)
#define MINSIGSTKSZ 2048

/* stack_t: void *ss_sp; int ss_flags; size_t ss_size. */
struct k_stack {
	uint64_t ss_sp;
	int32_t ss_flags;
	int32_t pad;
	uint64_t ss_size;
};
_Static_assert(sizeof(struct k_stack) == 24, "stack_t");

/* si_code values the kernel produces. */
#define SI_USER 0
#define SI_KERNEL 0x80
#define SI_TKILL (-6)
#define SEGV_MAPERR 1
#define SEGV_ACCERR 2
#define BUS_ADRALN 1
#define BUS_ADRERR 2
#define FPE_INTDIV 1
#define FPE_FLTDIV 3
#define ILL_ILLOPN 2
#define TRAP_BRKPT 1
#define SI_QUEUE (-1)
#define FPE_INTOVF 2
#define FPE_FLTOVF 4
#define FPE_FLTUND 5
#define FPE_FLTRES 6
#define FPE_FLTINV 7
#define FPE_FLTSUB 8
#define ILL_ILLOPC 1
#define ILL_PRVOPC 5
#define TRAP_TRACE 2

/* si_code values of SIGCHLD. */
#define CLD_EXITED 1
#define CLD_KILLED 2
#define CLD_DUMPED 3

/* siginfo_t, 128 bytes: three ints, then a union aligned to 8. */
struct k_user_siginfo {
	int32_t si_signo;
	int32_t si_errno;
	int32_t si_code;
	int32_t pad;
	union {
		struct { /* SI_USER, SI_TKILL, SI_KERNEL; SI_QUEUE adds value */
			int32_t pid;
			uint32_t uid;
			uint64_t value; /* union sigval */
		} kill;
		struct { /* SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP */
			uint64_t addr;
		} fault;
		uint8_t bytes[112];
	} u;
};
_Static_assert(sizeof(struct k_user_siginfo) == 128, "siginfo_t");
_Static_assert(offsetof(struct k_user_siginfo, u) == 16, "siginfo union");

#endif
