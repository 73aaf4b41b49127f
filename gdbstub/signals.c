/*
 * gdbstub/signals.c: the table between Linux's signal numbers and gdb's
 * (include/gdb/signals.def in gdb's sources gives gdb's; signal(7)
 * Linux's).  Real-time signals are ranges, not rows.
 */
#include "signals.h"

enum {
	GDB_SIGNAL_RT33 = 45,   /* SIG33 .. SIG63 are 45 .. 75 */
	GDB_SIGNAL_RT32 = 77,
	GDB_SIGNAL_RT64 = 78,   /* SIG64 .. SIG127 are 78 .. 141 */
	GDB_SIGNAL_UNKNOWN = 143,
};

/* Linux's standard signals, 1 to 31; Linux's SIGSTKFLT (16) has no gdb
 * counterpart. */
static const unsigned char gdb_of_linux[32] = {
	[1] = 1,   /* SIGHUP */     [2] = 2,   /* SIGINT */
	[3] = 3,   /* SIGQUIT */    [4] = 4,   /* SIGILL */
	[5] = 5,   /* SIGTRAP */    [6] = 6,   /* SIGABRT */
	[7] = 10,  /* SIGBUS */     [8] = 8,   /* SIGFPE */
	[9] = 9,   /* SIGKILL */    [10] = 30, /* SIGUSR1 */
	[11] = 11, /* SIGSEGV */    [12] = 31, /* SIGUSR2 */
	[13] = 13, /* SIGPIPE */    [14] = 14, /* SIGALRM */
	[15] = 15, /* SIGTERM */    [17] = 20, /* SIGCHLD */
	[18] = 19, /* SIGCONT */    [19] = 17, /* SIGSTOP */
	[20] = 18, /* SIGTSTP */    [21] = 21, /* SIGTTIN */
	[22] = 22, /* SIGTTOU */    [23] = 16, /* SIGURG */
	[24] = 24, /* SIGXCPU */    [25] = 25, /* SIGXFSZ */
	[26] = 26, /* SIGVTALRM */  [27] = 27, /* SIGPROF */
	[28] = 28, /* SIGWINCH */   [29] = 23, /* SIGIO */
	[30] = 32, /* SIGPWR */     [31] = 12, /* SIGSYS */
};

int gdb_signal_from_linux(int sig)
{
	if (sig == 0)
		return 0;
	if (sig > 0 && sig < 32)
		return gdb_of_linux[sig] ? gdb_of_linux[sig] : GDB_SIGNAL_UNKNOWN;
	if (sig == 32)
		return GDB_SIGNAL_RT32;
	if (sig >= 33 && sig <= 63)
		return GDB_SIGNAL_RT33 + (sig - 33);
	if (sig == 64)
		return GDB_SIGNAL_RT64;
	return GDB_SIGNAL_UNKNOWN;
}

int gdb_signal_to_linux(int gsig)
{
	for (int sig = 1; sig < 32; sig++)
		if (gsig != 0 && gdb_of_linux[sig] == gsig)
			return sig;
	if (gsig == GDB_SIGNAL_RT32)
		return 32;
	if (gsig >= GDB_SIGNAL_RT33 && gsig < GDB_SIGNAL_RT33 + 31)
		return 33 + (gsig - GDB_SIGNAL_RT33);
	if (gsig == GDB_SIGNAL_RT64)
		return 64;
	return 0;
}
