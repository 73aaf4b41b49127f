/*
 * Traps: the IDT and the one C entry point every vector funnels into.
 */
#ifndef REKERNEL_TRAP_H
#define REKERNEL_TRAP_H

#include "arch/x86/trapframe.h"

/* Fills and loads the IDT: all 256 vectors, interrupt gates (IF cleared
 * on entry), #DF, NMI and #MC on their IST stacks (gdt.h). */
void trap_init(void);

/*
 * Called by vectors.S for every vector.  A trap in ring 0 is a kernel bug:
 * it is reported through RRV_HC_PANIC and trap does not return.  A trap
 * from ring 3 is the program's: a page fault is served (mm.c), rdtsc and
 * rdtscp are emulated, the preemption tick and replay's breakpoint go to
 * preempt.c, anything else becomes a signal; then trap returns and
 * vectors.S resumes the program from *tf.
 */
void trap(struct trapframe *tf);

#endif
