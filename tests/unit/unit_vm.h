/*
 * The VMM that the hypercall unit tests drive: guest memory and every
 * hypercall handler, but no KVM and no vCPU.  Include after <cmocka.h>.
 */
#ifndef RRV_TESTS_UNIT_VM_H
#define RRV_TESTS_UNIT_VM_H

#include "vmm/vmm.h"

/* Gives vm (zeroed) mem bytes of guest memory, an empty host handle
 * table and every hypercall; its KVM fds are -1.  0, or -1 on failure. */
static inline int unit_vm_init(struct vmm *vm, uint64_t mem)
{
	if (guest_mem_alloc(&vm->mem, mem))
		return -1;
	vm->vcpu_fd = vm->vm_fd = vm->kvm_fd = -1;
	hostfd_init(&vm->files);
	return hc_register_all(&vm->hc) ? -1 : 0;
}

/* Undoes unit_vm_init: closes the host handles, frees guest memory. */
static inline void unit_vm_free(struct vmm *vm)
{
	hostfd_close_all(&vm->files);
	guest_mem_free(&vm->mem);
}

/* Guest memory [gpa, gpa + len) as the host sees it; the test fails when
 * the range is outside it. */
static inline void *unit_guest(struct vmm *vm, rrv_gpa_t gpa, size_t len)
{
	void *p = GUEST_AT(&vm->mem, gpa, len);
	assert_non_null(p);
	return p;
}

#endif
