/*
 * Scheduling as the program asks about it: affinity, sched_yield, getcpu,
 * the policy and its priorities, and the nice value.  There is one CPU,
 * and every thread is SCHED_OTHER; only the nice value is kept (it
 * changes nothing here).
 */
#include "lib/syscall.h"
#include "mm/uaccess.h"
#include "proc/proc.h"
#include "proc/sched.h"
#include "uapi/errno.h"
#include "uapi/sched.h"

/* ------------------------------------------------------------------ */
/* Scheduling: one CPU, one thread                                      */

#define CPU_MASK_BYTES 8 /* the kernel's cpumask for one CPU: one long */

SYSCALL_DEFINE3(sched_getaffinity, "dup", uint64_t, pid, uint64_t, len, uint64_t, umask)
{
	int64_t r = proc_self_pid_or(pid, -ESRCH);
	if (r)
		return r;
	if (len == 0 || (len & (sizeof(uint64_t) - 1)))
		return -EINVAL;
	uint64_t mask = 1; /* CPU 0 */
	if (copy_to_user(umask, &mask, sizeof(mask)))
		return -EFAULT;
	return CPU_MASK_BYTES;
}

SYSCALL_DEFINE3(sched_setaffinity, "dup", uint64_t, pid, uint64_t, len, uint64_t, umask)
{
	int64_t r = proc_self_pid_or(pid, -ESRCH);
	uint8_t first = 0;
	if (r)
		return r;
	if (len > 0 && copy_from_user(&first, umask, 1))
		return -EFAULT;
	/* The new mask must include a CPU that exists. */
	return (first & 1) ? 0 : -EINVAL;
}

SYSCALL_DEFINE0(sched_yield, "")
{
	sched_yield();
	return 0;
}

SYSCALL_DEFINE3(getcpu, "ppp", uint64_t, ucpu, uint64_t, unode, uint64_t, ucache)
{
	uint32_t zero = 0;
	(void)ucache;
	if (ucpu && copy_to_user(ucpu, &zero, sizeof(zero)))
		return -EFAULT;
	if (unode && copy_to_user(unode, &zero, sizeof(zero)))
		return -EFAULT;
	return 0;
}

SYSCALL_DEFINE1(sched_getscheduler, "d", uint64_t, pid)
{
	int64_t r = proc_self_pid_or(pid, -ESRCH);
	return r ? r : SCHED_OTHER;
}

SYSCALL_DEFINE2(sched_getparam, "dp", uint64_t, pid, uint64_t, uparam)
{
	int64_t r = proc_self_pid_or(pid, -ESRCH);
	int32_t prio = 0;
	if (r)
		return r;
	return copy_to_user(uparam, &prio, sizeof(prio));
}

SYSCALL_DEFINE1(sched_get_priority_max, "d", uint64_t, policy)
{
	switch (policy) {
	case SCHED_FIFO:
	case SCHED_RR:
		return 99;
	case SCHED_OTHER:
	case SCHED_BATCH:
	case SCHED_IDLE:
	case SCHED_DEADLINE:
		return 0;
	default:
		return -EINVAL;
	}
}

SYSCALL_DEFINE1(sched_get_priority_min, "d", uint64_t, policy)
{
	int64_t r = sys_sched_get_priority_max(policy);
	return r == 99 ? 1 : r;
}

/* The nice value (proc.prctl.nice): 0 at start, inherited by fork;
 * lowering it takes privilege. */

SYSCALL_DEFINE2(getpriority, "dd", uint64_t, which, uint64_t, who)
{
	if (which > 2)
		return -EINVAL;
	if ((int32_t)who != 0 && (int32_t)who != curproc->pid)
		return -ESRCH;
	return 20 - curproc->prctl.nice; /* the raw syscall's encoding */
}

SYSCALL_DEFINE3(setpriority, "ddd", uint64_t, which, uint64_t, who, uint64_t, niceval)
{
	int n = (int32_t)niceval;
	if (which > 2)
		return -EINVAL;
	if ((int32_t)who != 0 && (int32_t)who != curproc->pid)
		return -ESRCH;
	if (n < -20)
		n = -20;
	if (n > 19)
		n = 19;
	if (n < curproc->prctl.nice && curproc->euid != 0)
		return -EACCES; /* RLIMIT_NICE is 0 */
	curproc->prctl.nice = n;
	return 0;
}
