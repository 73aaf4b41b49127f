/* The KVM system and VM descriptors, and guest memory registration. */
#ifndef RRV_VMM_KVM_H
#define RRV_VMM_KVM_H

struct vmm;

/* Opens /dev/kvm (or $RRV_KVM_DEVICE), checks the API version and the
 * capabilities rrv needs, creates the VM and registers guest memory.
 * Returns 0, or -1 after printing an actionable error. */
int kvm_setup(struct vmm *vm);

/* Closes what kvm_setup() opened; safe on a partly set-up vm. */
void kvm_teardown(struct vmm *vm);

#endif
