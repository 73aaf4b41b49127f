/*
 * Kernel self-tests, chosen by ktest=NAME on the command line.  They check
 * the boot path and the VMM's side of the hypercall ABI from inside the
 * guest; tests/ on the host runs each and compares output and exit status.
 */
#ifndef REKERNEL_KTEST_H
#define REKERNEL_KTEST_H

#include <stddef.h>

/* Runs the test named name[0, len) (not NUL-terminated) and ends the
 * machine: by EXIT with the test's status, or by a panic report for the
 * tests that provoke one.  An unknown name warns and exits with status 2. */
__attribute__((noreturn)) void ktest_run(const char *name, size_t len);

#endif
