/*
 * Typed wrappers around the hypercall ABI of include/rrv/hypercall.h.  They
 * take kernel-virtual pointers (into the image or the direct map) and do the
 * translation to guest-physical addresses the VMM wants.
 */
#ifndef REKERNEL_HYPERCALL_H
#define REKERNEL_HYPERCALL_H

#include <stddef.h>
#include <stdint.h>
#include <rrv/hypercall.h>

/*
 * Issues hypercall nr with its argument struct at kernel-virtual args (which
 * starts with struct rrv_hc_hdr and must lie below 4 GiB physical; the
 * caller sizes it for nr).  Returns the result: hdr.ret, or, when the VMM
 * could not reach the struct and answered in rax instead, that value.
 * Either way >= 0 on success or -errno.
 */
int64_t hc_call(unsigned nr, void *args);

/*
 * What the layers above need done around every exit, set once at boot:
 * proc/preempt.c counts a system call that needed the host (--stats) and
 * parks the replay's breakpoint while the VMM runs.  Until then, none.
 */
struct hc_hooks {
	void (*enter)(void);
	void (*leave)(void);
};
void hc_set_hooks(const struct hc_hooks *h);

/*
 * The bare instruction, for tests of the VMM's checks: outl with
 * dx = RRV_HC_PORT_BASE + nr and eax = gpa, which need not be valid.
 * Returns rax as the VMM left it (gpa itself if the VMM answered in the
 * struct).
 */
uint64_t hc_raw(unsigned nr, uint32_t gpa);

/*
 * RRV_HC_BOOT with this kernel's ABI version.  The VMM fills b (mem_bytes,
 * argc, envc) and puts the command line, argv and envp strings in
 * buf[0, buf_len).  Returns hdr.ret: the bytes of buf used, or -errno.
 */
int64_t hc_boot(struct rrv_hc_boot *b, void *buf, uint64_t buf_len,
		const struct rrv_guest_state *state);

/* RRV_HC_EXIT with how = RRV_EXIT_NORMAL.  Does not return. */
__attribute__((noreturn)) void hc_exit(int32_t status);

/*
 * RRV_HC_PANIC.  The caller fills p's vector, error_code and registers;
 * hc_panic adds the message (kernel-virtual, len bytes, truncated to what
 * translates) and does not return.  p must be in the image or direct map.
 */
__attribute__((noreturn)) void hc_panic(struct rrv_hc_panic *p, const char *msg,
					size_t len);

/*
 * RRV_HC_WRITE of kernel-virtual buf[0, len) to host handle (1 stdout,
 * 2 stderr).  Splits the buffer into its guest-physical pieces and issues as
 * many calls as needed.  Returns the bytes written (less than len after a
 * short write) or, if nothing was written, -errno.
 */
int64_t hc_write(uint32_t handle, const void *buf, size_t len);

/* RRV_HC_WRITE of iovcnt guest-physical pieces given as they are (iov
 * itself is kernel-virtual).  Returns hdr.ret. */
int64_t hc_write_iov(uint32_t handle, const struct rrv_hc_iovec *iov,
		     uint32_t iovcnt);

/* RRV_HC_LOG of kernel-virtual text[0, len) at level (enum rrv_log_level).
 * Returns hdr.ret. */
int64_t hc_log(uint32_t level, const char *text, size_t len);

/* RRV_HC_THREADS: tells the VMM the live thread count crossed 1 (it runs
 * the preemption tick only with several).  Returns hdr.ret. */
int64_t hc_threads(uint32_t nthreads);

/* RRV_HC_TICKSOON: the next preemption tick in us microseconds. */
int64_t hc_ticksoon(uint32_t us);

/* RRV_HC_PMU: fills *p with the counter this host offers; returns 0, or
 * -ENODEV without one. */
int64_t hc_pmu(struct rrv_hc_pmu *p);

/* RRV_HC_PROCESS: a process event for the trace (rrv ps).  For EXEC,
 * strings holds argc NUL-terminated arguments back to back (kernel
 * memory); they are copied whole while they fit.  Returns hdr.ret. */
int64_t hc_process(uint32_t event, int32_t pid, int32_t ppid, int32_t status,
		   const char *strings, uint32_t argc);

#endif
