/* The x86-64 boot state described in include/rrv/boot.h. */
#ifndef RRV_VMM_X86_BOOT_H
#define RRV_VMM_X86_BOOT_H

#include <stdint.h>

struct guest_mem;

/* Writes the boot GDT and page tables into guest memory.  Returns 0, or
 * -EINVAL when guest memory is too small to hold them. */
int x86_boot_tables(struct guest_mem *gm);

/* Puts the vCPU in 64-bit long mode at entry.  Returns 0 or -errno. */
int x86_boot_vcpu(int vcpu_fd, uint64_t entry);

#endif
