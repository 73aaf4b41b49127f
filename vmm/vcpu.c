/*
 * Owns the vCPU descriptor, its kvm_run page and the one exit switch.  Each
 * exit reason has a small handler; anything unexpected stops the VM with a
 * report instead of being ignored, because a guest that reaches it is
 * already off the rails.
 */
#include "vcpu.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "debuginfo/disasm.h"
#include "debuginfo/elfimage.h"
#include "guestdbg.h"
#include "hostsig.h"
#include "timer.h"
#include "vmm.h"
#include "vmm/x86/boot.h"
#include "vmm/x86/cpuid.h"

int vcpu_create(struct vmm *vm)
{
	if (vm->cfg.cpuid)
		vm->cpuid = *vm->cfg.cpuid;
	else if (cpuid_profile_build(vm->kvm_fd, &vm->cpuid))
		return -1;
	/* A new profile offers Intel's counter leaf only where it will be
	 * used; a replay uses the counter only if the recorded profile had
	 * it (KVM enables the counter from that leaf). */
	pmu_detect(vm->kvm_fd, vm->cfg.no_pmu, &vm->pmu);
	if (vm->pmu.usable && vm->pmu.needs_leaf_a) {
		if (!vm->cfg.cpuid) {
			if (cpuid_profile_add_pmu(&vm->cpuid, vm->pmu.leaf_a_eax,
						  vm->pmu.leaf_a_ebx))
				pmu_refuse(&vm->pmu, "no room for the counter leaf "
					   "in the CPU profile");
		} else if (cpuid_profile_counters(&vm->cpuid) < 1) {
			pmu_refuse(&vm->pmu, "the recording's CPU profile offers "
				   "no performance counter");
		}
	}

	vm->vcpu_fd = ioctl(vm->vm_fd, KVM_CREATE_VCPU, 0);
	if (vm->vcpu_fd < 0) {
		fprintf(stderr, "rrv: cannot create the vCPU: %s\n", strerror(errno));
		return -1;
	}
	int size = ioctl(vm->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (size < (int)sizeof(struct kvm_run)) {
		fprintf(stderr, "rrv: KVM_GET_VCPU_MMAP_SIZE: %s\n", strerror(errno));
		return -1;
	}
	void *run = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE, MAP_SHARED,
			 vm->vcpu_fd, 0);
	if (run == MAP_FAILED) {
		fprintf(stderr, "rrv: cannot map the vCPU state: %s\n", strerror(errno));
		return -1;
	}
	vm->run = run;
	vm->run_size = (size_t)size;

	int err = cpuid_profile_apply(vm->vcpu_fd, &vm->cpuid);
	if (err) {
		fprintf(stderr, "rrv: KVM_SET_CPUID2: %s\n", strerror(-err));
		return -1;
	}
	err = x86_boot_vcpu(vm->vcpu_fd, vm->entry);
	if (err) {
		fprintf(stderr, "rrv: cannot set the vCPU's boot state: %s\n",
			strerror(-err));
		return -1;
	}
	return 0;
}

void vcpu_destroy(struct vmm *vm)
{
	if (vm->run)
		munmap(vm->run, vm->run_size);
	if (vm->vcpu_fd >= 0)
		close(vm->vcpu_fd);
	vm->run = NULL;
	vm->vcpu_fd = -1;
}

int vcpu_translate(struct vmm *vm, uint64_t gva, uint64_t *gpa)
{
	struct kvm_translation tr = { .linear_address = gva };
	if (ioctl(vm->vcpu_fd, KVM_TRANSLATE, &tr) < 0 || !tr.valid)
		return -1;
	*gpa = tr.physical_address;
	return 0;
}

/* How read_virt finds a page: the vCPU's own translation, or a walk of
 * the tables at root. */
struct translation {
	struct vmm *vm;
	bool own;      /* the vCPU's CR3, through KVM_TRANSLATE */
	uint64_t root; /* else these tables */
};

static int translate(const struct translation *t, uint64_t gva, uint64_t *gpa)
{
	return t->own ? vcpu_translate(t->vm, gva, gpa)
		      : vcpu_translate_root(t->vm, t->root, gva, gpa);
}

/* Page by page, each page through the translation and GUEST_AT(); stops
 * at the first that does not translate, and before wrapping around. */
static size_t read_virt(const struct translation *t, uint64_t gva, void *buf,
			size_t len)
{
	size_t done = 0;
	while (done < len) {
		uint64_t va = gva + done, pa;
		size_t chunk = 4096 - (va & 4095);
		if (chunk > len - done)
			chunk = len - done;
		if (va < gva || translate(t, va, &pa))
			break;
		const void *src = GUEST_AT(&t->vm->mem, pa, chunk);
		if (!src)
			break;
		memcpy((char *)buf + done, src, chunk);
		done += chunk;
	}
	return done;
}

size_t vcpu_read_virt(struct vmm *vm, uint64_t gva, void *buf, size_t len)
{
	struct translation t = { .vm = vm, .own = true };
	return read_virt(&t, gva, buf, len);
}

/* read_virt's twin: the same pages, the same stops, copying the other
 * way. */
static size_t write_virt(const struct translation *t, uint64_t gva,
			 const void *buf, size_t len)
{
	size_t done = 0;
	while (done < len) {
		uint64_t va = gva + done, pa;
		size_t chunk = 4096 - (va & 4095);
		if (chunk > len - done)
			chunk = len - done;
		if (va < gva || translate(t, va, &pa))
			break;
		void *dst = GUEST_AT(&t->vm->mem, pa, chunk);
		if (!dst)
			break;
		memcpy(dst, (const char *)buf + done, chunk);
		done += chunk;
	}
	return done;
}

/* x86-64 page-table entry bits (Intel SDM vol. 3, 4.5). */
#define PTE_PRESENT 1ull
#define PTE_LARGE (1ull << 7)            /* PS: a 1 GiB or 2 MiB page */
#define PTE_ADDR 0x000ffffffffff000ull   /* bits 12..51 */

int vcpu_translate_root(struct vmm *vm, uint64_t root, uint64_t gva,
			uint64_t *gpa)
{
	/* Only canonical addresses translate. */
	if ((uint64_t)((int64_t)(gva << 16) >> 16) != gva)
		return -1;
	uint64_t table = root & PTE_ADDR;
	for (int level = 3; level >= 0; level--) {
		unsigned shift = 12 + 9 * (unsigned)level;
		uint64_t idx = (gva >> shift) & 511;
		const uint64_t *e = GUEST_AT(&vm->mem, table + idx * 8,
					     sizeof(*e));
		if (!e)
			return -1;
		uint64_t pte;
		memcpy(&pte, e, sizeof(pte));
		if (!(pte & PTE_PRESENT))
			return -1;
		/* PS is defined at the PDPT (1 GiB) and PD (2 MiB) levels;
		 * at the PML4 it is reserved, at the PT it is PAT. */
		if (level == 0 || ((level == 1 || level == 2) && (pte & PTE_LARGE))) {
			uint64_t mask = (1ull << shift) - 1;
			*gpa = ((pte & PTE_ADDR) & ~mask) | (gva & mask);
			return 0;
		}
		table = pte & PTE_ADDR;
	}
	return -1;
}

size_t vcpu_read_virt_root(struct vmm *vm, uint64_t root, uint64_t gva,
			   void *buf, size_t len)
{
	struct translation t = { .vm = vm, .root = root };
	return read_virt(&t, gva, buf, len);
}

size_t vcpu_write_virt_root(struct vmm *vm, uint64_t root, uint64_t gva,
			    const void *buf, size_t len)
{
	struct translation t = { .vm = vm, .root = root };
	return write_virt(&t, gva, buf, len);
}

void vcpu_print_regs(struct vmm *vm)
{
	struct kvm_regs r;
	struct kvm_sregs s;
	if (ioctl(vm->vcpu_fd, KVM_GET_REGS, &r) < 0 ||
	    ioctl(vm->vcpu_fd, KVM_GET_SREGS, &s) < 0) {
		fprintf(stderr, "rrv:   (registers unavailable: %s)\n", strerror(errno));
		return;
	}
	fprintf(stderr,
		"rrv:   rax %016llx rbx %016llx rcx %016llx rdx %016llx\n"
		"rrv:   rsi %016llx rdi %016llx rbp %016llx rsp %016llx\n"
		"rrv:   r8  %016llx r9  %016llx r10 %016llx r11 %016llx\n"
		"rrv:   r12 %016llx r13 %016llx r14 %016llx r15 %016llx\n"
		"rrv:   rip %016llx rflags %08llx cs %04x ss %04x\n"
		"rrv:   cr0 %08llx cr2 %016llx cr3 %016llx cr4 %08llx efer %llx\n",
		r.rax, r.rbx, r.rcx, r.rdx, r.rsi, r.rdi, r.rbp, r.rsp,
		r.r8, r.r9, r.r10, r.r11, r.r12, r.r13, r.r14, r.r15,
		r.rip, r.rflags, s.cs.selector, s.ss.selector,
		s.cr0, s.cr2, s.cr3, s.cr4, s.efer);
}

void vcpu_print_insn(struct vmm *vm, const char *label, uint64_t rip)
{
	uint8_t code[16];
	size_t n = vcpu_read_virt(vm, rip, code, sizeof(code));
	char sym[160] = "";
	uint64_t off;
	const char *name = elf_image_symbol(vm->kernel_elf, rip, &off);
	if (name)
		snprintf(sym, sizeof(sym), " <%s+0x%" PRIx64 ">", name, off);
	if (n == 0) {
		fprintf(stderr, "rrv:   %s 0x%016" PRIx64 "%s: (not mapped in "
			"the guest's page tables)\n", label, rip, sym);
		return;
	}
	char text[128];
	disasm_one(code, n, rip, text, sizeof(text));
	fprintf(stderr, "rrv:   %s 0x%016" PRIx64 "%s: %s\n", label, rip, sym, text);
}

/* Stops the VM with a report on an exit the guest kernel should never
 * cause, fmt and its arguments saying what it was (at most 127 bytes);
 * status RRV_PANIC_STATUS marks it as rrv's own failure. */
static __attribute__((format(printf, 2, 3))) int
stop_broken(struct vmm *vm, const char *fmt, ...)
{
	char what[128];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	struct kvm_regs r;
	uint64_t rip = ioctl(vm->vcpu_fd, KVM_GET_REGS, &r) == 0 ? r.rip : 0;
	fprintf(stderr, "rrv: guest kernel stopped unexpectedly: %s\n", what);
	vcpu_print_insn(vm, "at", rip);
	vcpu_print_regs(vm);
	vm->stopped = true;
	vm->exit_code = RRV_PANIC_STATUS;
	return 0;
}

static int on_io(struct vmm *vm)
{
	struct kvm_run *run = vm->run;
	unsigned port = run->io.port;
	if (port < RRV_HC_PORT_BASE || port >= RRV_HC_PORT_BASE + RRV_HC_PORT_COUNT ||
	    run->io.direction != KVM_EXIT_IO_OUT || run->io.size != 4 ||
	    run->io.count != 1) {
		return stop_broken(vm, "%s of %u byte(s) on I/O port 0x%x, "
				   "which is not a hypercall",
				   run->io.direction == KVM_EXIT_IO_OUT ? "write" : "read",
				   run->io.size, port);
	}

	uint32_t gpa;
	memcpy(&gpa, (char *)run + run->io.data_offset, sizeof(gpa));
	struct hc_call call = {
		.vm = vm,
		.mem = &vm->mem,
		.nr = port - RRV_HC_PORT_BASE,
		.args_gpa = gpa,
	};
	vm->stats.hypercalls[call.nr]++;
	bool in_struct;
	int64_t ret = hc_dispatch(&vm->hc, &call, &in_struct);
	if (call.vm_stop)
		vm->stopped = true; /* the tap set exit_code and said why */
	if (call.nr == RRV_HC_BOOT && !vm->stopped)
		guestdbg_after_boot(vm); /* rrv debug: guest_state.debug.on */
	const struct hc_desc *d = hc_lookup(&vm->hc, call.nr);
	if (d && !(d->flags & HC_F_UNTRACED) && !vm->stopped)
		hostsig_after_call(vm); /* a traced answer may carry the flag */
	if (!in_struct && !vm->stopped) {
		/* No struct to answer in: the guest finds -errno in rax. */
		struct kvm_regs r;
		if (ioctl(vm->vcpu_fd, KVM_GET_REGS, &r) < 0)
			return -1;
		r.rax = (uint64_t)ret;
		if (ioctl(vm->vcpu_fd, KVM_SET_REGS, &r) < 0)
			return -1;
	}
	return 0;
}

static int on_hlt(struct vmm *vm)
{
	return stop_broken(vm, "it halted (hlt) instead of calling exit");
}

static int on_shutdown(struct vmm *vm)
{
	return stop_broken(vm, "triple fault (an exception while reporting an "
			   "exception: is the IDT or the kernel stack broken?)");
}

static int on_mmio(struct vmm *vm)
{
	return stop_broken(vm, "%s of %u bytes at guest-physical 0x%llx, "
			   "outside guest memory",
			   vm->run->mmio.is_write ? "write" : "read", vm->run->mmio.len,
			   (unsigned long long)vm->run->mmio.phys_addr);
}

static int on_fail_entry(struct vmm *vm)
{
	return stop_broken(vm, "KVM refused to enter the guest "
			   "(hardware reason 0x%llx): invalid vCPU state",
			   (unsigned long long)vm->run->fail_entry.hardware_entry_failure_reason);
}

static int on_internal_error(struct vmm *vm)
{
	return stop_broken(vm, "KVM internal error, suberror %u "
			   "(often an instruction KVM cannot emulate)",
			   vm->run->internal.suberror);
}

/* A host signal interrupted KVM_RUN (a tick): the loop injects it; in
 * replay the tick drives the replayer's watchdog instead. */
static int on_intr(struct vmm *vm)
{
	if (vm->tick_hook && !vm->tick.inject && vm->tick_hook(vm->tick_ctx) < 0)
		vm->stopped = true;
	return 0;
}

/* The guest can take the tick now: the loop injects it before going on. */
static int on_irq_window(struct vmm *vm)
{
	(void)vm;
	return 0;
}

/* A single step or breakpoint of KVM_SET_GUEST_DEBUG: the debugger's
 * (vm->debug.on_exit), or, with no debugger or one that does not know
 * it, a stop as for any exit the VMM never asked for. */
static int on_debug(struct vmm *vm)
{
	const struct kvm_debug_exit_arch *a = &vm->run->debug.arch;
	int r = vm->debug.on_exit ? vm->debug.on_exit(vm->debug.ctx, a) : -1;
	if (r == VMM_DEBUG_PAUSE)
		vm->debug.pause = true;
	if (r >= 0)
		return 0;
	return stop_broken(vm, "debug exit (exception %u, dr6 0x%llx) that no "
			   "debugger asked for", a->exception,
			   (unsigned long long)a->dr6);
}

typedef int (*exit_fn)(struct vmm *vm);

static const exit_fn exit_handlers[] = {
	[KVM_EXIT_IO] = on_io,
	[KVM_EXIT_HLT] = on_hlt,
	[KVM_EXIT_SHUTDOWN] = on_shutdown,
	[KVM_EXIT_MMIO] = on_mmio,
	[KVM_EXIT_FAIL_ENTRY] = on_fail_entry,
	[KVM_EXIT_INTERNAL_ERROR] = on_internal_error,
	[KVM_EXIT_INTR] = on_intr,
	[KVM_EXIT_IRQ_WINDOW_OPEN] = on_irq_window,
	[KVM_EXIT_DEBUG] = on_debug,
};

/*
 * Stops the loop for the debugger.  KVM completes an exit's I/O (the
 * OUT of the hypercall that paused) only on the next KVM_RUN; one with
 * immediate_exit set does that and enters no guest instruction, so that
 * the registers and memory the debugger reads now, or a snapshot takes,
 * are the guest's whole state (KVM API: "KVM_RUN", immediate_exit).
 */
static int pause_loop(struct vmm *vm)
{
	vm->debug.pause = false;
	vm->run->immediate_exit = 1;
	int r = ioctl(vm->vcpu_fd, KVM_RUN, 0);
	vm->run->immediate_exit = 0;
	if (r == 0 || (errno != EINTR && errno != EAGAIN)) {
		fprintf(stderr, "rrv: cannot pause the vCPU: KVM_RUN with "
			"immediate_exit: %s\n", r == 0 ? "ran the guest" : strerror(errno));
		return RRV_PANIC_STATUS;
	}
	vmm_pause_clock(vm, true);
	return VMM_PAUSED;
}

int vcpu_loop(struct vmm *vm)
{
	vmm_pause_clock(vm, false);
	while (!vm->stopped) {
		/* The debugger wants the VM still: nothing is injected and no
		 * signal acted on, so resuming goes on exactly from here. */
		if (vm->debug.pause)
			return pause_loop(vm);
		/* A signal to rrv: stop at once, or pass it on (hostsig.c). */
		if (hostsig_check(vm))
			break;
		int err = vm->tick.on ? timer_inject(vm) : 0;
		if (err >= 0)
			err = hostsig_inject(vm, err > 0);
		if (err < 0) {
			fprintf(stderr, "rrv: KVM_INTERRUPT failed: %s\n",
				strerror(-err));
			return RRV_PANIC_STATUS;
		}
		if (ioctl(vm->vcpu_fd, KVM_RUN, 0) < 0) {
			if (errno == EINTR || errno == EAGAIN) {
				vm->stats.exits[KVM_EXIT_INTR]++;
				if (vm->tick.on)
					timer_take_signal();
				on_intr(vm);
				continue;
			}
			fprintf(stderr, "rrv: KVM_RUN failed: %s\n", strerror(errno));
			return RRV_PANIC_STATUS;
		}
		unsigned reason = vm->run->exit_reason;
		if (reason < VMM_EXIT_REASONS)
			vm->stats.exits[reason]++;
		exit_fn fn = reason < sizeof(exit_handlers) / sizeof(exit_handlers[0])
				     ? exit_handlers[reason] : NULL;
		if (!fn) {
			fn = NULL;
			stop_broken(vm, "unhandled KVM exit reason %u", reason);
			break;
		}
		if (fn(vm) < 0) {
			fprintf(stderr, "rrv: vCPU register access failed: %s\n",
				strerror(errno));
			return RRV_PANIC_STATUS;
		}
	}
	return vm->exit_code;
}
