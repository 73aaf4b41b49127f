/*
 * What a report shows of the program: where a thread is (its system call,
 * its instruction disassembled), its registers, and a backtrace named by
 * function, source line and object (the program and its shared libraries,
 * found through the dynamic loader's list in guest memory).  One module
 * for the crash report (EXIT), the deadlock report (DEADLOCK) and replay's
 * divergence report; the names come from debuginfo/symbolizer.h.
 *
 * Everything is read from the guest through the checked translations; the
 * guest's own description (struct rrv_guest_state, a deadlock's thread
 * list) is never trusted.  Only stderr and host files opened for reading
 * (the ELF of a library, to name its addresses) are touched, so a report
 * in replay cannot change the replay.
 */
#ifndef RRV_VMM_PROGSTATE_H
#define RRV_VMM_PROGSTATE_H

#include <stdbool.h>
#include <stdint.h>

#include <rrv/hypercall.h>

struct symbolizer;
struct vmm;

/* One thread, as a report describes it. */
struct ps_thread {
	uint32_t tid;
	bool in_syscall;     /* saved rip follows a syscall instruction */
	uint64_t syscall_nr;
	rrv_gpa_t user_regs; /* its struct rrv_user_regs, or 0: unknown */
	uint64_t root;       /* its page tables (CR3); 0: the vCPU's */
	bool other_program;  /* runs a program it exec'd: no symbols */
	/* The objects of its process from progstate_objects(), shared by
	 * the threads of one process; NULL: found for this report alone. */
	struct symbolizer *objects;
};

enum ps_flags {
	PS_REGS = 1u << 0,   /* print the general registers too */
	PS_QUIET = 1u << 1,  /* no "thread N, in system call" line: the
				caller has said what the thread does */
};

/*
 * Prints the thread's instruction, registers (PS_REGS) and backtrace, as
 * "rrv:   " lines on stderr, with a plain note for whatever cannot be
 * shown.
 */
void progstate_thread(struct vmm *vm, const struct ps_thread *t,
		      unsigned flags);

/*
 * The objects (the program and its shared libraries) of t's process, read
 * through t's page tables, with a note on stderr for each that has no
 * symbols; for several threads of one process.  Free them with
 * symbolizer_free(); NULL when memory ran out.
 */
struct symbolizer *progstate_objects(struct vmm *vm, const struct ps_thread *t);

/*
 * The same for the thread the guest kernel published in its struct
 * rrv_guest_state (the one running, or dying); when the vCPU stopped in
 * ring 3, its live registers are used instead of the last saved ones.
 */
void progstate_report(struct vmm *vm, unsigned flags);

#endif
