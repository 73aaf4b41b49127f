/*
 * The futex system calls, futex and futex_waitv.  The wait queues and
 * every operation are futex.c's; these only register the calls.
 */
#include "lib/syscall.h"
#include "proc/futex.h"

SYSCALL_DEFINE6(futex, "pxdppx", uint64_t, uaddr, uint64_t, futex_op, uint64_t, val,
		uint64_t, utimeout, uint64_t, uaddr2, uint64_t, val3)
{
	return do_futex(uaddr, futex_op, val, utimeout, uaddr2, val3);
}

SYSCALL_DEFINE5(futex_waitv, "puxpd", uint64_t, uwaiters, uint64_t, nr, uint64_t, flags,
		uint64_t, utimeout, uint64_t, clockid)
{
	return do_futex_waitv(uwaiters, nr, flags, utimeout, clockid);
}
