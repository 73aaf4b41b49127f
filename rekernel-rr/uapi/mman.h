/*
 * Linux's memory-mapping ABI (<asm-generic/mman-common.h>): the
 * protections of mmap and mprotect.
 */
#ifndef REKERNEL_UAPI_MMAN_H
#define REKERNEL_UAPI_MMAN_H

/* mmap/mprotect protections. */
#define PROT_NONE 0
#define PROT_READ 1
#define PROT_WRITE 2
#define PROT_EXEC 4

#endif
