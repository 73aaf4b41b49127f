/* Builds, runs and tears down one VM (see vmm.h). */
#include "vmm.h"

#include <linux/kvm.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "debuginfo/elfimage.h"
#include "hostsig.h"
#include "kvm.h"
#include "loader.h"
#include "snapshot.h"
#include "timer.h"
#include "vcpu.h"
#include "vmm/x86/boot.h"

struct vmm *vmm_create(const struct vmm_config *cfg)
{
	struct vmm *vm = calloc(1, sizeof(*vm));
	if (!vm) {
		fprintf(stderr, "rrv: out of memory creating the VM\n");
		return NULL;
	}
	vm->cfg = *cfg;
	vm->kvm_fd = vm->vm_fd = vm->vcpu_fd = -1;
	hostfd_init(&vm->files);
	/* Files the guest creates get exactly the mode it asks for: the
	 * guest kernel applies the program's umask itself. */
	vm->host_umask = umask(0);

	if (cfg->mem_bytes < VMM_MEM_MIN || cfg->mem_bytes > VMM_MEM_MAX ||
	    cfg->mem_bytes % (2u << 20)) {
		fprintf(stderr, "rrv: guest memory of %llu MiB: out of range "
			"(give --memory a multiple of 2 MiB from %llu to %llu MiB)\n",
			(unsigned long long)(cfg->mem_bytes >> 20),
			VMM_MEM_MIN >> 20, VMM_MEM_MAX >> 20);
		goto fail;
	}
	if (hc_register_all(&vm->hc)) {
		fprintf(stderr, "rrv: internal error: hypercall table conflict\n");
		goto fail;
	}
	if (kvm_setup(vm))
		goto fail;

	int err = loader_load_kernel(&vm->mem, cfg->kernel_image,
				     cfg->kernel_size, &vm->entry);
	if (err) {
		fprintf(stderr, "rrv: cannot load the guest kernel: %s "
			"(the rrv build is broken: rebuild it)\n",
			loader_strerror(err));
		goto fail;
	}
	/* For naming kernel addresses in reports only: without it (an image
	 * libelf cannot read) a report shows bare addresses. */
	char why[128];
	vm->kernel_elf = elf_image_load(cfg->kernel_image, cfg->kernel_size,
					why, sizeof(why));
	if (x86_boot_tables(&vm->mem)) {
		fprintf(stderr, "rrv: guest memory too small for the boot tables\n");
		goto fail;
	}
	if (vcpu_create(vm))
		goto fail;
	return vm;
fail:
	vmm_destroy(vm);
	return NULL;
}

/* The timers and signal handlers of a run, once (a paused VM keeps
 * them: resuming must find them as they were). */
static int run_begin(struct vmm *vm)
{
	/* Ticks preempt threads spinning in ring 3 (run and record); in
	 * replay they only wake the watchdog, if the replayer has one. */
	if (vm->cfg.exec_path && (!vm->cfg.replay || vm->tick_hook)) {
		/* Preempting ticks start with the program's second thread
		 * (the THREADS hypercall); the watchdog's at once. */
		vm->tick.inject = !vm->cfg.replay;
		if (timer_start(vm, vm->tick.inject ? TIMER_TICK_NS : TIMER_WATCH_NS,
				!vm->tick.inject))
			return -1;
	}
	/* Signals to rrv: the program's (run, record) or the end (replay). */
	if (vm->cfg.exec_path && hostsig_install(vm)) {
		timer_stop(vm);
		return -1;
	}
	vm->debug.running = true;
	return 0;
}

int vmm_run(struct vmm *vm)
{
	if (!vm->debug.running && run_begin(vm))
		return RRV_PANIC_STATUS;
	int status = vcpu_loop(vm);
	if (status == VMM_PAUSED)
		return VMM_PAUSED;
	vm->debug.running = false;
	hostsig_uninstall(vm);
	timer_stop(vm);
	if (vm->cfg.stats)
		vmm_print_stats(vm);
	return status;
}

static int64_t monotonic_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000ll + ts.tv_nsec;
}

int64_t vmm_clock_ns(const struct vmm *vm)
{
	int64_t now = monotonic_ns();
	int64_t paused = vm->debug.paused_ns;
	if (vm->debug.paused)
		paused += now - vm->debug.pause_began_ns;
	return now - paused;
}

void vmm_pause_clock(struct vmm *vm, bool pausing)
{
	int64_t now = monotonic_ns();
	if (pausing && !vm->debug.paused) {
		vm->debug.paused = true;
		vm->debug.pause_began_ns = now;
	} else if (!pausing && vm->debug.paused) {
		vm->debug.paused = false;
		vm->debug.paused_ns += now - vm->debug.pause_began_ns;
	}
}

void vmm_destroy(struct vmm *vm)
{
	if (!vm)
		return;
	vcpu_destroy(vm);
	snapshot_fini(vm);
	hostfd_close_all(&vm->files);
	kvm_teardown(vm);
	elf_image_free(vm->kernel_elf);
	free(vm);
}

static const char *const exit_names[VMM_EXIT_REASONS] = {
	[KVM_EXIT_IO] = "io (hypercalls)",
	[KVM_EXIT_HLT] = "hlt",
	[KVM_EXIT_MMIO] = "mmio",
	[KVM_EXIT_SHUTDOWN] = "shutdown",
	[KVM_EXIT_FAIL_ENTRY] = "fail_entry",
	[KVM_EXIT_INTR] = "intr (host signal)",
	[KVM_EXIT_INTERNAL_ERROR] = "internal_error",
	[KVM_EXIT_IRQ_WINDOW_OPEN] = "irq_window_open",
};

void vmm_print_stats(struct vmm *vm)
{
	uint64_t total = 0, hcs = 0;
	for (unsigned i = 0; i < VMM_EXIT_REASONS; i++)
		total += vm->stats.exits[i];
	if (vm->syscalls)
		fprintf(stderr, "rrv: stats: %llu system calls, %llu served in "
			"the guest, %llu needed the host\n",
			(unsigned long long)vm->syscalls,
			(unsigned long long)(vm->syscalls - vm->syscalls_host),
			(unsigned long long)vm->syscalls_host);
	fprintf(stderr, "rrv: stats: %llu VM exits\n", (unsigned long long)total);
	for (unsigned i = 0; i < VMM_EXIT_REASONS; i++) {
		if (!vm->stats.exits[i])
			continue;
		if (exit_names[i])
			fprintf(stderr, "rrv: stats:   %-22s %llu\n", exit_names[i],
				(unsigned long long)vm->stats.exits[i]);
		else
			fprintf(stderr, "rrv: stats:   reason %-15u %llu\n", i,
				(unsigned long long)vm->stats.exits[i]);
	}
	if (vm->stats.ticks_injected)
		fprintf(stderr, "rrv: stats: %llu preemption ticks injected\n",
			(unsigned long long)vm->stats.ticks_injected);
	/* The guest's own counts of #DBs on preemption points' rips (v10):
	 * a replay's passes in search of points, a recording's passes over
	 * its threads' anchors (docs/threads.md). */
	if (vm->guest_state && vm->guest_abi >= 10) {
		const uint64_t *passes = GUEST_AT(&vm->mem, vm->guest_state +
			offsetof(struct rrv_guest_state, breakpoint_passes), sizeof(*passes));
		const uint64_t *near = GUEST_AT(&vm->mem, vm->guest_state +
			offsetof(struct rrv_guest_state, breakpoint_near), sizeof(*near));
		if (passes && near && *passes)
			fprintf(stderr, "rrv: stats: %llu breakpoint passes over "
				"preemption points' rips (%llu matched all but memory)\n",
				(unsigned long long)*passes, (unsigned long long)*near);
	}
	for (unsigned i = 0; i < RRV_HC_PORT_COUNT; i++)
		hcs += vm->stats.hypercalls[i];
	fprintf(stderr, "rrv: stats: %llu hypercalls\n", (unsigned long long)hcs);
	for (unsigned i = 0; i < RRV_HC_PORT_COUNT; i++) {
		if (!vm->stats.hypercalls[i])
			continue;
		const struct hc_desc *d = hc_lookup(&vm->hc, i);
		fprintf(stderr, "rrv: stats:   %-22s %llu\n", d ? d->name : "(unknown)",
			(unsigned long long)vm->stats.hypercalls[i]);
	}
	if (vm->mem.refused)
		fprintf(stderr, "rrv: stats: %llu guest addresses refused\n",
			(unsigned long long)vm->mem.refused);
}
