/*
 * rrv hypercall ABI: the only door between the guest kernel and the VMM.
 *
 * Self-contained C99, included by the host (vmm/, replay/, tests/) and by the
 * freestanding guest kernel (rekernel-rr/).  docs/hypercalls.md explains it
 * in prose; this header is the reference.
 *
 * Calling convention
 *   The guest fills one argument struct in guest-physical memory below 4 GiB,
 *   then executes   outl %eax, %dx   with
 *       dx  = RRV_HC_PORT_BASE + hypercall number
 *       eax = guest-physical address of the argument struct.
 *   The instruction completes once the VMM has handled the call.  Every
 *   argument struct starts with struct rrv_hc_hdr: the VMM stores the result
 *   in hdr.ret, >= 0 on success or a negative Linux errno value on failure
 *   (-ENOSYS for an unknown number, -EFAULT for a pointer outside guest
 *   memory, -EINVAL for a malformed struct).
 *
 *   Fields marked "in" are read by the VMM, fields marked "out" are written
 *   by it.  Pointers inside structs are guest-physical addresses (rrv_gpa_t);
 *   the VMM checks each one, with its length, before touching it.
 *
 * Versioning
 *   RRV_HC_ABI_VERSION is bumped on every change to this file.  The guest
 *   sends the version it was built with in RRV_HC_BOOT and the VMM refuses
 *   any other.  Numbers are never reused.
 */
#ifndef RRV_HYPERCALL_H
#define RRV_HYPERCALL_H

#include <stdint.h>

#define RRV_HC_ABI_VERSION 1u

/* 0x500..0x5ff: free in the PC port map, and one outl reaches all of it. */
#define RRV_HC_PORT_BASE 0x500u
#define RRV_HC_PORT_COUNT 0x100u

/*
 * A guest-physical address.  Kept as a plain integer on both sides so that
 * host code cannot dereference one by accident: the VMM must translate it
 * through its checked accessor first.
 */
typedef uint64_t rrv_gpa_t;

enum rrv_hc_nr {
	RRV_HC_RESERVED = 0, /* never valid: catches zeroed structs */
	RRV_HC_BOOT = 1,
	RRV_HC_EXIT = 2,
	RRV_HC_PANIC = 3,
	RRV_HC_WRITE = 4,
	RRV_HC_LOG = 5,
	RRV_HC_MAX /* one past the last number in use */
};

struct rrv_hc_hdr {
	int64_t ret; /* out: result, or -errno */
};

/* A piece of a guest buffer; buffers that are contiguous in guest-virtual
 * memory are usually scattered in guest-physical memory. */
struct rrv_hc_iovec {
	rrv_gpa_t base;
	uint64_t len;
};
#define RRV_HC_IOV_MAX 64u

/*
 * RRV_HC_BOOT: the first call the guest makes.  The VMM checks the ABI
 * version, then describes the machine and the job.
 *
 * The VMM writes into buf (at most buf_len bytes) a sequence of
 * NUL-terminated strings: the kernel command line, then argc program
 * arguments, then envc environment strings.  ret is the number of bytes used.
 */
struct rrv_hc_boot {
	struct rrv_hc_hdr hdr;
	uint32_t abi_version; /* in: RRV_HC_ABI_VERSION of the guest */
	uint32_t reserved;    /* out: zero */
	rrv_gpa_t buf;        /* in: where to put the strings */
	uint64_t buf_len;     /* in */
	uint64_t mem_bytes;   /* out: guest RAM, from guest-physical 0 */
	uint32_t argc;        /* out */
	uint32_t envc;        /* out */
};

/* RRV_HC_EXIT: the guest is done; the VMM stops the vCPU and exits. */
enum rrv_exit_how {
	RRV_EXIT_NORMAL = 0, /* the program exited with status */
	RRV_EXIT_SIGNAL = 1, /* the program was killed by signo */
};
struct rrv_hc_exit {
	struct rrv_hc_hdr hdr;
	uint32_t how;    /* in: enum rrv_exit_how */
	int32_t status;  /* in: exit status (how == NORMAL) or signal number */
	uint64_t rip;    /* in: where the fatal signal happened, if any */
	uint64_t addr;   /* in: faulting address for SIGSEGV/SIGBUS */
	uint64_t core;   /* in: nonzero if the default action dumps core */
};

/*
 * RRV_HC_PANIC: the guest kernel hit something it cannot survive, usually a
 * CPU exception in ring 0.  The VMM prints a report (disassembling the
 * instruction at rip through the guest's own page tables) and exits with
 * status RRV_PANIC_STATUS.  Never returns to the guest.
 */
struct rrv_hc_panic {
	struct rrv_hc_hdr hdr;
	uint32_t vector;     /* in: exception vector, or RRV_PANIC_NO_VECTOR */
	uint32_t msg_len;    /* in */
	uint64_t error_code; /* in */
	uint64_t rip;        /* in: guest-virtual */
	uint64_t cr2;        /* in */
	uint64_t rsp;        /* in */
	uint64_t rflags;     /* in */
	uint64_t cs;         /* in */
	rrv_gpa_t msg;       /* in: what the kernel was doing, not NUL-terminated */
};
#define RRV_PANIC_NO_VECTOR 0xffffffffu
#define RRV_PANIC_STATUS 70 /* EX_SOFTWARE: an internal error of rrv */

/*
 * RRV_HC_WRITE: write the concatenated iovecs to a host handle.  Handles 1
 * and 2 are rrv's own stdout and stderr.  ret is the byte count written.
 */
struct rrv_hc_write {
	struct rrv_hc_hdr hdr;
	uint32_t handle; /* in */
	uint32_t iovcnt; /* in: at most RRV_HC_IOV_MAX */
	rrv_gpa_t iov;   /* in: struct rrv_hc_iovec[iovcnt] */
};

/*
 * RRV_HC_LOG: a diagnostic line from the guest kernel (ENOSYS notices,
 * syscall traces).  Printed on rrv's stderr, prefixed "rrv: guest: ".
 * Logging is an observer: it is never recorded in a trace, so a replay may
 * log more or less than the recording did.
 */
struct rrv_hc_log {
	struct rrv_hc_hdr hdr;
	uint32_t level; /* in: enum rrv_log_level */
	uint32_t len;   /* in */
	rrv_gpa_t text; /* in: len bytes, may hold several '\n'-ended lines */
};
enum rrv_log_level { RRV_LOG_INFO = 0, RRV_LOG_WARN = 1 };

#endif
