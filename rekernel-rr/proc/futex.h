/*
 * Fast user-space locking (futex.c): the system calls' work, for their
 * handlers in sys_futex.c.  Linux's operations, flags and errors.
 */
#ifndef REKERNEL_FUTEX_H
#define REKERNEL_FUTEX_H

#include <stdint.h>

int64_t do_futex(uint64_t uaddr, uint64_t futex_op, uint64_t val, uint64_t utimeout,
		 uint64_t uaddr2, uint64_t val3);
int64_t do_futex_waitv(uint64_t uwaiters, uint64_t nr, uint64_t flags, uint64_t utimeout,
		       uint64_t clockid);

/* Wakes up to n threads waiting on the futex at uaddr; how many woke.
 * For thread exit's clear_child_tid and robust list. */
int futex_wake(uint64_t uaddr, int n);

struct thread;
/* Takes t off the futex wait queue (a thread killed while waiting). */
void futex_forget(struct thread *t);

#endif
