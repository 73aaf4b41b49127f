/*
 * Owns the /dev/kvm and VM file descriptors and the guest memory slot.
 */
#include "kvm.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "snapshot.h"
#include "vmm.h"

/* Where Intel's VMX keeps its real-mode TSS; never used by a long-mode
 * guest, but KVM wants it set before the first KVM_RUN on Intel. */
#define KVM_TSS_ADDR 0xfffbd000ul

static const struct {
	int cap;
	const char *name;
} required_caps[] = {
	{ KVM_CAP_USER_MEMORY, "KVM_CAP_USER_MEMORY" },
	{ KVM_CAP_EXT_CPUID, "KVM_CAP_EXT_CPUID" },
	{ KVM_CAP_SET_TSS_ADDR, "KVM_CAP_SET_TSS_ADDR" },
	{ KVM_CAP_IMMEDIATE_EXIT, "KVM_CAP_IMMEDIATE_EXIT" },
};

static int open_kvm(void)
{
	const char *path = getenv("RRV_KVM_DEVICE");
	if (!path || !*path)
		path = "/dev/kvm";

	int fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd >= 0)
		return fd;

	int err = errno;
	if (err == ENOENT)
		fprintf(stderr,
			"rrv: %s not found: this machine offers no KVM "
			"(enable virtualization in the firmware or hypervisor, "
			"or run under tools/with-kvm)\n",
			path);
	else if (err == EACCES || err == EPERM)
		fprintf(stderr,
			"rrv: cannot open %s: permission denied "
			"(add yourself to the kvm group: "
			"sudo usermod -aG kvm $USER, then log in again)\n",
			path);
	else
		fprintf(stderr, "rrv: cannot open %s: %s (check that the kvm "
			"module is loaded)\n", path, strerror(err));
	return -1;
}

/* kvm_pvm offers /dev/kvm without hardware virtualization and runs only
 * guests built for it; rrv's kernel is not, so say so instead of failing
 * later in a confusing way.  An explicit RRV_KVM_DEVICE is trusted. */
static bool pvm_only(void)
{
	if (getenv("RRV_KVM_DEVICE"))
		return false;
	return access("/sys/module/kvm_pvm", F_OK) == 0 &&
	       access("/sys/module/kvm_intel", F_OK) != 0 &&
	       access("/sys/module/kvm_amd", F_OK) != 0;
}

int kvm_setup(struct vmm *vm)
{
	vm->kvm_fd = open_kvm();
	if (vm->kvm_fd < 0)
		return -1;
	if (pvm_only()) {
		fprintf(stderr, "rrv: /dev/kvm is kvm_pvm, a paravirtual KVM that "
			"cannot run rrv's guest kernel (run under tools/with-kvm, "
			"which then uses a nested VM)\n");
		return -1;
	}

	int version = ioctl(vm->kvm_fd, KVM_GET_API_VERSION, 0);
	if (version != KVM_API_VERSION) {
		fprintf(stderr,
			"rrv: KVM API version %d, rrv needs %d: this is not a "
			"KVM rrv understands (update the host kernel)\n",
			version, KVM_API_VERSION);
		return -1;
	}

	for (size_t i = 0; i < sizeof(required_caps) / sizeof(required_caps[0]); i++) {
		if (ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, required_caps[i].cap) <= 0) {
			fprintf(stderr,
				"rrv: KVM lacks %s: the host kernel is too old "
				"for rrv (use Linux 4.19 or newer)\n",
				required_caps[i].name);
			return -1;
		}
	}

	vm->vm_fd = ioctl(vm->kvm_fd, KVM_CREATE_VM, 0);
	if (vm->vm_fd < 0) {
		fprintf(stderr, "rrv: cannot create a VM: %s (is another "
			"hypervisor holding the CPU's virtualization?)\n",
			strerror(errno));
		return -1;
	}
	if (ioctl(vm->vm_fd, KVM_SET_TSS_ADDR, KVM_TSS_ADDR) < 0) {
		fprintf(stderr, "rrv: KVM_SET_TSS_ADDR: %s\n", strerror(errno));
		return -1;
	}

	int err = guest_mem_alloc(&vm->mem, vm->cfg.mem_bytes);
	if (err) {
		fprintf(stderr,
			"rrv: cannot reserve %llu MiB of guest memory: %s "
			"(ask for less with --memory)\n",
			(unsigned long long)(vm->cfg.mem_bytes >> 20), strerror(-err));
		return -1;
	}

	/* Snapshots need the pages the guest writes, from the very first
	 * (the loader's and the VMM's writes are marked by guest_mem). */
	if (vm->cfg.snapshots && snapshot_init(vm))
		return -1;
	struct kvm_userspace_memory_region region = {
		.slot = 0,
		.flags = vm->cfg.snapshots ? KVM_MEM_LOG_DIRTY_PAGES : 0,
		.guest_phys_addr = 0,
		.memory_size = vm->mem.size,
		.userspace_addr = (uintptr_t)vm->mem.host,
	};
	if (ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &region) < 0) {
		fprintf(stderr, "rrv: KVM_SET_USER_MEMORY_REGION: %s\n",
			strerror(errno));
		return -1;
	}
	return 0;
}

void kvm_teardown(struct vmm *vm)
{
	if (vm->vm_fd >= 0)
		close(vm->vm_fd);
	if (vm->kvm_fd >= 0)
		close(vm->kvm_fd);
	vm->vm_fd = vm->kvm_fd = -1;
	guest_mem_free(&vm->mem);
}
