/*
 * Signals to rrv (hostsig.h; design in docs/signals.md, "Signals to
 * rrv").
 *
 * The handler only notes the signal and sets kvm_run.immediate_exit, so
 * there is no race with KVM_RUN: a signal that comes just before the
 * ioctl makes it return at once (EINTR), one that comes inside it
 * interrupts it (SIGINT, SIGTERM and SIGHUP are not in KVM's signal mask,
 * timer.c), one that comes during a host call of a hypercall handler
 * (a read from a terminal, a sleep) makes that call fail with EINTR (no
 * SA_RESTART), and the handler answers -RRV_HC_ERESTART.  Everything
 * else happens in the loop, on the vCPU thread.
 *
 * How the signal reaches the guest without making replay differ:
 *  - the guest is in ring 3 (the interrupt flag is only set there): the
 *    VMM injects RRV_HOSTSIG_VECTOR and the guest answers with a HOSTSIG
 *    call of mode POINT, which says where the thread was, like PREEMPT;
 *  - otherwise, once the guest makes a traced call, the VMM sets
 *    guest_state.host_signal while answering it, and the guest takes the
 *    signal with a HOSTSIG call of mode POLL at its next safe point.
 * Replay sets host_signal after the event before a recorded POLL, and
 * publishes a POINT like a preemption point: the guest reads the flag
 * only at safe points, so it finds it set at the same one.
 * A guest that declines the interrupt (a point replay could not find:
 * a rep-prefixed string instruction, the instruction a page fault
 * returns to) gets it again on the next tick, which runs while a host
 * signal waits.
 */
#include "hostsig.h"

#include <errno.h>
#include <linux/kvm.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include "hc_families.h"
#include "progress.h"
#include "timer.h"
#include "vmm.h"

/* What the handler saw, for the loop: one VM per process. */
static volatile sig_atomic_t seen_int;   /* SIGINTs received */
static volatile sig_atomic_t stop_sig;   /* the signal that stops the VM */
static volatile sig_atomic_t for_guest;  /* 0 in replay: none goes on */
static struct kvm_run *volatile run_page;

static const int host_signals[] = { SIGINT, SIGTERM, SIGHUP };
#define NHOST (sizeof(host_signals) / sizeof(host_signals[0]))

/* SIGHUP inherited ignored (nohup) stays ignored: the user asked for the
 * run to outlive the terminal. */
static bool left_ignored(int sig)
{
	struct sigaction old;
	return sig == SIGHUP && sigaction(sig, NULL, &old) == 0 &&
	       old.sa_handler == SIG_IGN;
}

static void on_host_signal(int sig)
{
	if (sig == SIGINT && for_guest && seen_int == 0)
		seen_int = 1;
	else if (!stop_sig)
		stop_sig = sig;
	struct kvm_run *run = run_page;
	if (run)
		run->immediate_exit = 1;
}

const char *hostsig_name(int sig)
{
	static const char *const names[] = {
		[SIGHUP] = "SIGHUP", [SIGINT] = "SIGINT", [SIGQUIT] = "SIGQUIT",
		[SIGTERM] = "SIGTERM", [SIGKILL] = "SIGKILL",
	};
	if (sig > 0 && (size_t)sig < sizeof(names) / sizeof(names[0]) && names[sig])
		return names[sig];
	return "a signal";
}

int hostsig_install(struct vmm *vm)
{
	seen_int = 0;
	stop_sig = 0;
	for_guest = !vm->cfg.replay;
	run_page = vm->run;
	struct sigaction sa = { .sa_handler = on_host_signal };
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < NHOST; i++)
		sigaddset(&sa.sa_mask, host_signals[i]);
	for (size_t i = 0; i < NHOST; i++) {
		if (left_ignored(host_signals[i]))
			continue;
		if (sigaction(host_signals[i], &sa, NULL) < 0) {
			fprintf(stderr, "rrv: cannot handle %s: %s\n",
				hostsig_name(host_signals[i]), strerror(errno));
			return -1;
		}
	}
	return 0;
}

void hostsig_uninstall(struct vmm *vm)
{
	(void)vm;
	run_page = NULL;
	/* The recorder still writes the trace's end: a signal now is only
	 * noted, and the writes it interrupts start again. */
	struct sigaction sa = { .sa_handler = on_host_signal, .sa_flags = SA_RESTART };
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < NHOST; i++)
		if (!left_ignored(host_signals[i]))
			sigaction(host_signals[i], &sa, NULL);
}

/* Ticks run while a host signal waits, so that an interrupt the guest
 * declined comes again; otherwise only while there are several threads. */
static void retick(struct vmm *vm)
{
	timer_arm(vm, vm->tick.many || vm->hostsig.pending);
}

bool hostsig_check(struct vmm *vm)
{
	if (vm->run)
		vm->run->immediate_exit = 0; /* before reading: see the handler */
	int stop = stop_sig;
	if (stop) {
		vm->hostsig.interrupted = stop;
		vm->stopped = true;
		vm->exit_code = 128 + stop;
		return true;
	}
	if (seen_int == 1 && !vm->hostsig.taken) {
		vm->hostsig.taken = true;
		vm->hostsig.pending = SIGINT;
		progress_hide();
		fprintf(stderr, "rrv: SIGINT: passed on to the program (a second "
			"Ctrl-C stops %s at once)\n",
			vm->hc.tap.recorded ? "the recording" : "rrv");
		retick(vm);
	}
	return false;
}

bool hostsig_interrupting(void)
{
	return stop_sig || (seen_int && for_guest);
}

/* Writes guest_state.host_signal; false when the guest has none (before
 * BOOT, or a guest that gave no state), which then gets the interrupt. */
static bool set_flag(struct vmm *vm, uint32_t v)
{
	if (!vm->guest_state || vm->guest_abi < 8)
		return false;
	uint32_t *f = GUEST_AT(&vm->mem, vm->guest_state +
			       offsetof(struct rrv_guest_state, host_signal),
			       sizeof(*f));
	if (f)
		*f = v;
	return f != NULL;
}

void hostsig_after_call(struct vmm *vm)
{
	if (vm->cfg.replay)
		return;
	hostsig_check(vm);
	if (vm->hostsig.pending && !vm->hostsig.flagged)
		vm->hostsig.flagged = set_flag(vm, 1);
}

int hostsig_inject(struct vmm *vm, bool injected)
{
	struct kvm_run *run = vm->run;
	if (vm->cfg.replay || !vm->hostsig.pending || vm->hostsig.flagged)
		return 0;
	if (injected || !run->ready_for_interrupt_injection || !run->if_flag) {
		run->request_interrupt_window = 1;
		return 0;
	}
	struct kvm_interrupt irq = { .irq = RRV_HOSTSIG_VECTOR };
	if (ioctl(vm->vcpu_fd, KVM_INTERRUPT, &irq) < 0 && errno != EEXIST)
		return -errno;
	run->request_interrupt_window = 0;
	return 0;
}

/* Blocks until the handler notes a signal that the guest has not had
 * (the first SIGINT), or one that stops the VM: the guest has nothing to
 * run but threads that wait for a signal. */
static void wait_host_signal(struct vmm *vm)
{
	sigset_t block, old;
	sigemptyset(&block);
	for (size_t i = 0; i < NHOST; i++)
		sigaddset(&block, host_signals[i]);
	sigprocmask(SIG_BLOCK, &block, &old);
	sigset_t during = old;
	for (size_t i = 0; i < NHOST; i++)
		sigdelset(&during, host_signals[i]);
	while (!stop_sig && !(seen_int && for_guest && !vm->hostsig.taken))
		sigsuspend(&during);
	sigprocmask(SIG_SETMASK, &old, NULL);
}

static int64_t hc_hostsig(struct hc_call *c)
{
	const struct rrv_hc_hostsig *a = c->args;
	struct vmm *vm = c->vm;
	if (a->mode > RRV_HOSTSIG_WAIT)
		return -EINVAL;
	if (!vm)
		return 0;
	hostsig_check(vm);
	if (a->mode == RRV_HOSTSIG_WAIT && !vm->hostsig.pending) {
		wait_host_signal(vm);
		if (hostsig_check(vm))
			return -RRV_HC_ERESTART; /* the loop stops the VM */
	}
	int sig = vm->hostsig.pending;
	if (!sig)
		return 0;
	vm->hostsig.pending = 0;
	vm->hostsig.flagged = false;
	set_flag(vm, 0);
	retick(vm);
	return sig;
}

static const struct hc_entry hostsigfam[] = {
	{ RRV_HC_HOSTSIG, HC_DESC("hostsig", struct rrv_hc_hostsig, HC_F_MAY_BLOCK,
				  hc_hostsig) },
};

int hc_hostsig_register(struct hc_table *t)
{
	return HC_REGISTER_TABLE(t, hostsigfam);
}
