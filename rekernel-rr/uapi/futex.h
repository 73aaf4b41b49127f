/*
 * Linux's futex ABI (<linux/futex.h>): the operations and their flags,
 * the bits of a PI or robust lock word, FUTEX_WAKE_OP's encoding, and
 * futex_waitv's struct futex_waitv and flags.
 */
#ifndef REKERNEL_UAPI_FUTEX_H
#define REKERNEL_UAPI_FUTEX_H

#include <stdint.h>

/* futex operations and their flags. */
#define FUTEX_WAIT 0
#define FUTEX_WAKE 1
#define FUTEX_FD 2
#define FUTEX_REQUEUE 3
#define FUTEX_CMP_REQUEUE 4
#define FUTEX_WAKE_OP 5
#define FUTEX_LOCK_PI 6
#define FUTEX_UNLOCK_PI 7
#define FUTEX_TRYLOCK_PI 8
#define FUTEX_WAIT_BITSET 9
#define FUTEX_WAKE_BITSET 10
#define FUTEX_WAIT_REQUEUE_PI 11
#define FUTEX_CMP_REQUEUE_PI 12
#define FUTEX_LOCK_PI2 13
#define FUTEX_PRIVATE_FLAG 128
#define FUTEX_CLOCK_REALTIME 256
#define FUTEX_CMD_MASK (~(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME))

/* The lock word of the PI operations and of the robust list. */
#define FUTEX_TID_MASK 0x3fffffffu
#define FUTEX_OWNER_DIED 0x40000000u
#define FUTEX_WAITERS 0x80000000u

/* The most entries of a robust list the kernel walks at a thread's exit. */
#define ROBUST_LIST_LIMIT 2048

/* FUTEX_WAKE_OP's encoded operation. */
#define FUTEX_OP_SET 0
#define FUTEX_OP_ADD 1
#define FUTEX_OP_OR 2
#define FUTEX_OP_ANDN 3
#define FUTEX_OP_XOR 4
#define FUTEX_OP_OPARG_SHIFT 8

/* futex_waitv: the most waiters, a waiter's flags and struct futex_waitv. */
#define FUTEX_WAITV_MAX 128
#define FUTEX2_SIZE_U32 0x02
#define FUTEX2_PRIVATE FUTEX_PRIVATE_FLAG

struct k_futex_waitv {
	uint64_t val, uaddr;
	uint32_t flags, reserved;
};

#endif
