/* The one vCPU: its descriptor, its kvm_run page and the exit loop. */
#ifndef RRV_VMM_VCPU_H
#define RRV_VMM_VCPU_H

#include <stddef.h>
#include <stdint.h>

struct vmm;

/* Creates the vCPU, maps its kvm_run page, installs the CPUID profile and
 * the boot state.  Returns 0, or -1 after printing why. */
int vcpu_create(struct vmm *vm);

/* Runs the vCPU until a hypercall or a fatal exit stops the VM.  Returns
 * rrv's exit status, or VMM_PAUSED (vmm.h) when vm->debug.pause was set:
 * the next call resumes the guest exactly there. */
int vcpu_loop(struct vmm *vm);

void vcpu_destroy(struct vmm *vm);

/* Translates a guest-virtual address through the guest's current page
 * tables.  Returns 0 and the guest-physical address, or -1. */
int vcpu_translate(struct vmm *vm, uint64_t gva, uint64_t *gpa);

/* Copies up to len bytes of guest-virtual memory at gva into buf, page by
 * page through the checked translation.  Returns the bytes copied, which is
 * short where a page is unmapped or lies outside guest memory. */
size_t vcpu_read_virt(struct vmm *vm, uint64_t gva, void *buf, size_t len);

/*
 * The same through the page tables at guest-physical root (a CR3 value:
 * its low 12 bits are ignored), which need not be the vCPU's: another
 * process's address space, for the deadlock report.  4-level paging, as
 * vmm/x86/boot.c sets up (no LA57); 2 MiB and 1 GiB pages are followed.
 * Every table is read through GUEST_AT(); a non-present entry, or a
 * table or page outside guest memory, ends the read.
 */
int vcpu_translate_root(struct vmm *vm, uint64_t root, uint64_t gva,
			uint64_t *gpa);
size_t vcpu_read_virt_root(struct vmm *vm, uint64_t root, uint64_t gva,
			   void *buf, size_t len);

/* vcpu_read_virt_root's twin for writing (the debugger's breakpoints and
 * memory writes): the same checked translation page by page, the same
 * stops.  Returns the bytes written. */
size_t vcpu_write_virt_root(struct vmm *vm, uint64_t root, uint64_t gva,
			    const void *buf, size_t len);

/* Prints the general registers on stderr, each line prefixed "rrv:   ". */
void vcpu_print_regs(struct vmm *vm);

/* Prints "rrv:   <label> <addr> <sym+off>: <instruction>" for the
 * instruction at guest-virtual rip, or why it cannot be read. */
void vcpu_print_insn(struct vmm *vm, const char *label, uint64_t rip);

#endif
