/*
 * The preemption tick (timer.h).  A POSIX timer sends a real-time signal
 * to the vCPU thread.  The thread keeps that signal blocked, except inside
 * KVM_RUN (KVM_SET_SIGNAL_MASK): so a tick interrupts the guest, never a
 * host system call of a hypercall handler (a read from a pipe, a sleep),
 * which would otherwise fail with EINTR.  A tick that comes outside
 * KVM_RUN waits, pending, and makes the next KVM_RUN return at once.
 * Since the thread's own mask blocks the signal again when KVM_RUN
 * returns, no handler ever runs: the loop takes the signal with
 * sigtimedwait (as QEMU does), or KVM_RUN would keep failing with EINTR.
 * It then injects the interrupt with KVM_INTERRUPT when the guest's
 * interrupt flag allows it, or sets request_interrupt_window to be told
 * when it does.  No in-kernel irqchip is needed for that.
 */
#include "timer.h"

#include <errno.h>
#include <pthread.h>
#include <linux/kvm.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "vmm.h"

/* One VM per process: a tick taken and not yet acted on. */
static bool tick_due;

/* Never runs (the signal is only unblocked inside KVM_RUN), but a
 * blocked signal must not be ignored, or it would never be pending. */
static void on_tick(int sig)
{
	(void)sig;
}

#define TICK_SIGNAL (SIGRTMIN + 1)

/* KVM's signal mask during KVM_RUN: this thread's, less the tick. */
static int set_run_mask(struct vmm *vm, const sigset_t *mask)
{
	uint64_t set = 0; /* the kernel's sigset: bit s - 1 for signal s */
	for (int s = 1; s <= 64; s++)
		if (s != TICK_SIGNAL && sigismember(mask, s) == 1)
			set |= 1ull << (s - 1);
	/* The set follows len directly (offset 4), unaligned: build the
	 * bytes rather than a struct, which would pad before it. */
	union {
		struct kvm_signal_mask m;
		uint8_t bytes[sizeof(struct kvm_signal_mask) + sizeof(set)];
	} km = { .m.len = sizeof(set) };
	memcpy(km.bytes + offsetof(struct kvm_signal_mask, sigset), &set, sizeof(set));
	return ioctl(vm->vcpu_fd, KVM_SET_SIGNAL_MASK, &km);
}

int timer_start(struct vmm *vm, long period_ns, bool armed)
{
	struct sigaction sa = { .sa_handler = on_tick };
	sigemptyset(&sa.sa_mask);
	sigset_t block, old;
	sigemptyset(&block);
	sigaddset(&block, TICK_SIGNAL);
	if (sigaction(TICK_SIGNAL, &sa, NULL) < 0 ||
	    pthread_sigmask(SIG_BLOCK, &block, &old) != 0 ||
	    set_run_mask(vm, &old) < 0) {
		fprintf(stderr, "rrv: cannot set up the preemption tick's signal: "
			"%s\n", strerror(errno));
		return -1;
	}
	/* To this thread, which runs the vCPU: a signal that another
	 * thread took would not interrupt KVM_RUN. */
	struct sigevent ev = {
		.sigev_notify = SIGEV_THREAD_ID,
		.sigev_signo = TICK_SIGNAL,
	};
	ev._sigev_un._tid = gettid();
	if (timer_create(CLOCK_MONOTONIC, &ev, &vm->tick.id) < 0) {
		fprintf(stderr, "rrv: cannot create the preemption timer: %s\n",
			strerror(errno));
		return -1;
	}
	vm->tick.on = true;
	vm->tick.period_ns = period_ns;
	if (armed && timer_arm(vm, true) < 0) {
		timer_stop(vm);
		return -1;
	}
	return 0;
}

int timer_arm(struct vmm *vm, bool on)
{
	if (!vm->tick.on || vm->tick.armed == on)
		return 0;
	long p = on ? vm->tick.period_ns : 0;
	struct itimerspec its = {
		.it_interval = { p / 1000000000, p % 1000000000 },
		.it_value = { p / 1000000000, p % 1000000000 },
	};
	if (timer_settime(vm->tick.id, 0, &its, NULL) < 0) {
		fprintf(stderr, "rrv: cannot %s the preemption timer: %s\n",
			on ? "start" : "stop", strerror(errno));
		return -1;
	}
	vm->tick.armed = on;
	return 0;
}

int timer_soon(struct vmm *vm, long ns)
{
	if (!vm->tick.on || !vm->tick.armed)
		return 0;
	long p = vm->tick.period_ns;
	struct itimerspec its = {
		.it_interval = { p / 1000000000, p % 1000000000 },
		.it_value = { ns / 1000000000, ns % 1000000000 },
	};
	if (timer_settime(vm->tick.id, 0, &its, NULL) < 0) {
		fprintf(stderr, "rrv: cannot reset the preemption timer: %s\n",
			strerror(errno));
		return -1;
	}
	return 0;
}

void timer_stop(struct vmm *vm)
{
	if (!vm->tick.on)
		return;
	timer_delete(vm->tick.id);
	vm->tick.on = false;
	vm->tick.armed = false;
	tick_due = false;
	/* A tick still pending is dropped: ignored, then unblocked. */
	signal(TICK_SIGNAL, SIG_IGN);
	sigset_t unblock;
	sigemptyset(&unblock);
	sigaddset(&unblock, TICK_SIGNAL);
	pthread_sigmask(SIG_UNBLOCK, &unblock, NULL);
}

bool timer_take_signal(void)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, TICK_SIGNAL);
	struct timespec zero = { 0, 0 };
	bool took = false;
	while (sigtimedwait(&set, NULL, &zero) == TICK_SIGNAL) {
		tick_due = true;
		took = true;
	}
	return took;
}

int timer_inject(struct vmm *vm)
{
	struct kvm_run *run = vm->run;
	if (!tick_due || !vm->tick.inject || !vm->tick.armed) {
		tick_due = false;
		run->request_interrupt_window = 0;
		return 0;
	}
	if (!run->ready_for_interrupt_injection || !run->if_flag) {
		run->request_interrupt_window = 1;
		return 0;
	}
	struct kvm_interrupt irq = { .irq = RRV_PREEMPT_VECTOR };
	if (ioctl(vm->vcpu_fd, KVM_INTERRUPT, &irq) < 0 && errno != EEXIST)
		return -errno;
	tick_due = false;
	run->request_interrupt_window = 0;
	vm->stats.ticks_injected++;
	return 1;
}
