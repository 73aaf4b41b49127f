/*
 * The life-cycle hypercalls: BOOT (version handshake and the job
 * description), EXIT (the run is over) and PANIC (the guest kernel broke).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <rrv/arglimit.h>

#include "hc_families.h"
#include "hypercall.h"
#include "progstate.h"
#include "vcpu.h"
#include "vmm.h"

/* Appends s and its NUL to buf; false when it does not fit. */
static bool put_string(char *buf, uint64_t cap, uint64_t *used, const char *s)
{
	size_t n = strlen(s) + 1;
	if (n > cap - *used)
		return false;
	memcpy(buf + *used, s, n);
	*used += n;
	return true;
}

static int64_t hc_boot(struct hc_call *c)
{
	struct rrv_hc_boot *a = c->args;
	struct vmm *vm = c->vm;
	if (a->abi_version != RRV_HC_ABI_VERSION) {
		fprintf(stderr, "rrv: guest kernel speaks hypercall ABI version "
			"%u, this rrv speaks %u (rebuild rrv: its kernel image "
			"and VMM must come from the same build)\n",
			a->abi_version, RRV_HC_ABI_VERSION);
		vm->stopped = true;
		vm->exit_code = RRV_PANIC_STATUS;
		return -EPROTO;
	}
	/* hc_out: the strings are host input the recorder must keep. */
	char *buf = hc_out(c, a->buf, a->buf_len);
	if (!buf)
		return -EFAULT;
	vm->guest_state = a->state;
	vm->guest_abi = a->abi_version;

	int envc = 0;
	while (vm->cfg.envp && vm->cfg.envp[envc])
		envc++;
	uint64_t used = 0;
	bool fits = put_string(buf, a->buf_len, &used,
			       vm->cfg.cmdline ? vm->cfg.cmdline : "") &&
		    put_string(buf, a->buf_len, &used,
			       vm->cfg.exec_path ? vm->cfg.exec_path : "");
	for (int i = 0; fits && i < vm->cfg.argc; i++)
		fits = put_string(buf, a->buf_len, &used, vm->cfg.argv[i]);
	for (int i = 0; fits && i < envc; i++)
		fits = put_string(buf, a->buf_len, &used, vm->cfg.envp[i]);
	if (!fits)
		return -E2BIG;

	a->mem_bytes = c->mem->size;
	a->argc = (uint32_t)vm->cfg.argc;
	a->envc = (uint32_t)envc;
	a->pid = getpid();
	a->ppid = getppid();
	a->uid = getuid();
	a->euid = geteuid();
	a->gid = getgid();
	a->egid = getegid();
	a->umask = vm->host_umask;
	/* The program's stack limit is rrv's, as a shell's child inherits
	 * its shell's: how much argv and environment Linux accepts derives
	 * from it (tools/ checks the same rule before the VM is built). */
	struct rlimit rl;
	if (getrlimit(RLIMIT_STACK, &rl) < 0)
		rl.rlim_cur = rl.rlim_max = RRV_STK_LIM;
	a->stack_kib = rrv_stack_to_kib(rl.rlim_cur);
	a->stack_max_kib = rrv_stack_to_kib(rl.rlim_max);
	return (int64_t)used;
}

static const char *const signal_names[] = {
	[1] = "SIGHUP", [2] = "SIGINT", [3] = "SIGQUIT", [4] = "SIGILL",
	[5] = "SIGTRAP", [6] = "SIGABRT", [7] = "SIGBUS", [8] = "SIGFPE",
	[9] = "SIGKILL", [10] = "SIGUSR1", [11] = "SIGSEGV", [12] = "SIGUSR2",
	[13] = "SIGPIPE", [14] = "SIGALRM", [15] = "SIGTERM", [16] = "SIGSTKFLT",
	[17] = "SIGCHLD", [18] = "SIGCONT", [19] = "SIGSTOP", [20] = "SIGTSTP",
	[21] = "SIGTTIN", [22] = "SIGTTOU", [23] = "SIGURG", [24] = "SIGXCPU",
	[25] = "SIGXFSZ", [26] = "SIGVTALRM", [27] = "SIGPROF", [28] = "SIGWINCH",
	[29] = "SIGIO", [30] = "SIGPWR", [31] = "SIGSYS",
};

static int64_t hc_exit(struct hc_call *c)
{
	const struct rrv_hc_exit *a = c->args;
	struct vmm *vm = c->vm;
	vm->stopped = true;
	vm->syscalls = a->syscalls;
	vm->syscalls_host = a->syscalls_host;
	if (a->how == RRV_EXIT_NORMAL) {
		vm->exit_code = a->status & 0xff;
		return 0;
	}
	if (a->how == RRV_EXIT_EXEC && a->status > 0) {
		const char *path = vm->cfg.exec_path ? vm->cfg.exec_path : "?";
		int err = a->status;
		fprintf(stderr, "rrv: cannot run %s: %s (%s)\n", path, strerror(err),
			err == ENOMEM ? "give the guest more memory with --memory"
			: err == ENOENT ? "check the path"
			: err == ENOEXEC ? "rrv runs x86-64 Linux ELF programs"
			: "the guest kernel could not load it");
		vm->exit_code = err == ENOENT ? 127 : 126;
		return 0;
	}
	if (a->how != RRV_EXIT_SIGNAL || a->status <= 0 || a->status > 64) {
		fprintf(stderr, "rrv: guest kernel sent a malformed exit "
			"(how %u, status %d)\n", a->how, a->status);
		vm->exit_code = RRV_PANIC_STATUS;
		return -EINVAL;
	}
	int sig = a->status;
	const char *name = (size_t)sig < sizeof(signal_names) / sizeof(signal_names[0])
				   ? signal_names[sig] : NULL;
	char buf[16];
	if (!name) {
		snprintf(buf, sizeof(buf), "SIGRT%d", sig);
		name = buf;
	}
	fprintf(stderr, "rrv: program killed by %s (signal %d) at rip 0x%" PRIx64,
		name, sig, a->rip);
	if (sig == 11 || sig == 7 || sig == 4 || sig == 8)
		fprintf(stderr, ", address 0x%" PRIx64, a->addr);
	fprintf(stderr, "%s\n", a->core ? " (core dumped in a native run)" : "");
	/* Where it died: the guest kernel published the dying thread and
	 * its registers (struct rrv_guest_state) before this call.  Only for
	 * the signals that dump core natively (a fault, abort, SIGQUIT): a
	 * program ended by SIGINT, SIGTERM or SIGPIPE did not crash, and a
	 * shell says no more than this line about it.  SIGKILL never dumps
	 * core: the deadlock and out-of-memory kills have said why already. */
	if (a->core)
		progstate_report(vm, PS_REGS);
	vm->exit_code = 128 + sig;
	return 0;
}

static const char *const exception_names[32] = {
	[0] = "divide error (#DE)", [1] = "debug (#DB)", [2] = "NMI",
	[3] = "breakpoint (#BP)", [4] = "overflow (#OF)",
	[5] = "bound range (#BR)", [6] = "invalid opcode (#UD)",
	[7] = "device not available (#NM)", [8] = "double fault (#DF)",
	[10] = "invalid TSS (#TS)", [11] = "segment not present (#NP)",
	[12] = "stack fault (#SS)", [13] = "general protection (#GP)",
	[14] = "page fault (#PF)", [16] = "x87 floating point (#MF)",
	[17] = "alignment check (#AC)", [18] = "machine check (#MC)",
	[19] = "SIMD floating point (#XM)", [20] = "virtualization (#VE)",
	[21] = "control protection (#CP)",
};

static int64_t hc_panic(struct hc_call *c)
{
	const struct rrv_hc_panic *a = c->args;
	struct vmm *vm = c->vm;
	vm->stopped = true;
	vm->exit_code = RRV_PANIC_STATUS;

	char msg[256] = "";
	uint32_t len = a->msg_len < sizeof(msg) - 1 ? a->msg_len : sizeof(msg) - 1;
	const char *m = GUEST_AT(c->mem, a->msg, len);
	if (m) {
		/* Keep the report one line per field whatever the guest sent. */
		for (uint32_t i = 0; i < len; i++)
			msg[i] = (m[i] >= 0x20 && m[i] < 0x7f) ? m[i] : '?';
		msg[len] = 0;
	}

	if (a->vector == RRV_PANIC_NO_VECTOR) {
		fprintf(stderr, "rrv: guest kernel panic: %s\n",
			msg[0] ? msg : "(no message)");
	} else {
		const char *ename = a->vector < 32 ? exception_names[a->vector] : NULL;
		fprintf(stderr, "rrv: guest kernel panic: %s%sexception, vector %u, "
			"error code 0x%" PRIx64 "\n",
			ename ? ename : "", ename ? " " : "", a->vector, a->error_code);
		if (msg[0])
			fprintf(stderr, "rrv:   kernel says: %s\n", msg);
		fprintf(stderr, "rrv:   cr2 0x%016" PRIx64 " rsp 0x%016" PRIx64
			" rflags 0x%" PRIx64 " cs 0x%" PRIx64 "\n",
			a->cr2, a->rsp, a->rflags, a->cs);
	}
	vcpu_print_insn(vm, "faulting instruction at", a->rip);
	fprintf(stderr, "rrv: this is a bug in rrv's guest kernel: please report "
		"it with the lines above\n");
	return 0;
}

/* A process event (rrv ps reads them from the trace).  Nothing happens
 * on the host: the call exists to be recorded, and so checked on replay.
 * The struct is checked here so that a trace never holds one that rrv ps
 * would have to distrust more than any other. */
static int64_t hc_process(struct hc_call *c)
{
	const struct rrv_hc_process *a = c->args;
	if (a->event < RRV_PROC_FORK || a->event > RRV_PROC_EXIT ||
	    a->cmdline_len > RRV_HC_PROCESS_CMDLINE)
		return -EINVAL;
	return 0;
}

static const struct hc_entry lifecycle[] = {
	{ RRV_HC_BOOT, HC_DESC("boot", struct rrv_hc_boot, HC_F_OUT_RET, hc_boot) },
	/* The exit touches nothing on the host: replay runs it as well. */
	{ RRV_HC_EXIT, { .name = "exit", .args_size = sizeof(struct rrv_hc_exit),
			 .flags = HC_F_TERMINAL, /* a crash report */
			 .fn = hc_exit, .replay_fn = hc_exit } },
	{ RRV_HC_PANIC, HC_DESC("panic", struct rrv_hc_panic, HC_F_UNTRACED | HC_F_TERMINAL,
				hc_panic) },
	{ RRV_HC_PROCESS, HC_DESC("process", struct rrv_hc_process, 0, hc_process) },
};

int hc_lifecycle_register(struct hc_table *t)
{
	return HC_REGISTER_TABLE(t, lifecycle);
}
