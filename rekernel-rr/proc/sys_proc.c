/*
 * The life of a process and its threads as the program sees it: exit and
 * exit_group (with the robust futex list a dying thread leaves), its ids
 * (getpid, getppid, gettid), and what libc's start-up sets up
 * (set_tid_address, the robust list, rseq, arch_prctl).  Creation is
 * fork.c's, waiting wait.c's; user and group ids are in sys_ids.c,
 * scheduling in sys_sched.c, limits, prctl and the machine in
 * sys_limits.c, futex in sys_futex.c.
 */
#include <rrv/hypercall.h>

#include "arch/x86/x86.h"
#include "lib/syscall.h"
#include "mm/mm.h"
#include "mm/uaccess.h"
#include "proc/futex.h"
#include "proc/proc.h"
#include "proc/sched.h"
#include "uapi/errno.h"
#include "uapi/futex.h"
#include "uapi/prctl.h"

/* ------------------------------------------------------------------ */
/* Process exit                                                         */

SYSCALL_DEFINE1(exit_group, "d", uint64_t, status)
{
	proc_exit(RRV_EXIT_NORMAL, (int32_t)(status & 0xff), 0, 0, false);
}

/* ------------------------------------------------------------------ */
/* Thread exit (creation is fork.c's)                                   */

/*
 * The robust futex list of a dying thread (set_robust_list): every lock
 * it still holds gets FUTEX_OWNER_DIED and one waiter woken, so that
 * the next owner learns of the death (EOWNERDEAD).  Bounded, as Linux
 * bounds it (ROBUST_LIST_LIMIT), against a list that loops.
 */

static void robust_one(uint64_t entry, int64_t offset)
{
	uint64_t uaddr = (entry & ~1ull) + (uint64_t)offset;
	uint32_t v;

	if (uaddr & 3 || copy_from_user(&v, uaddr, sizeof(v)))
		return;
	if ((v & FUTEX_TID_MASK) != (uint32_t)curthread->tid)
		return;
	uint32_t nv = (v & FUTEX_WAITERS) | FUTEX_OWNER_DIED;
	if (copy_to_user(uaddr, &nv, sizeof(nv)))
		return;
	if (v & FUTEX_WAITERS)
		futex_wake(uaddr, 1);
}

static void exit_robust_list(void)
{
	uint64_t head = curthread->robust_list;
	struct { uint64_t next; int64_t offset; uint64_t pending; } h;

	if (!head || copy_from_user(&h, head, sizeof(h)))
		return;
	uint64_t entry = h.next;
	for (int n = 0; entry != head && entry && n < ROBUST_LIST_LIMIT; n++) {
		uint64_t next;
		if (copy_from_user(&next, entry & ~1ull, sizeof(next)))
			break;
		if (entry != h.pending)
			robust_one(entry, h.offset);
		entry = next;
	}
	if (h.pending)
		robust_one(h.pending, h.offset);
}

/* One thread ends; the last one's exit ends the process, as exit_group. */
SYSCALL_DEFINE1(exit, "d", uint64_t, status)
{
	struct thread *t = curthread;

	if (curproc->nlive <= 1)
		proc_exit(RRV_EXIT_NORMAL, (int32_t)(status & 0xff), 0, 0, false);
	exit_robust_list();
	/* What pthread_join waits for: the tid word cleared and a wake. */
	if (t->clear_child_tid) {
		uint32_t zero = 0;
		if (copy_to_user(t->clear_child_tid, &zero, sizeof(zero)) == 0)
			futex_wake(t->clear_child_tid, 1);
	}
	sched_exit();
}

/* ------------------------------------------------------------------ */
/* The process's and the thread's ids                                   */

SYSCALL_DEFINE0(getpid, "")
{
	return curproc->pid;
}

SYSCALL_DEFINE0(getppid, "")
{
	return curproc->ppid;
}

SYSCALL_DEFINE0(gettid, "")
{
	return curthread->tid;
}

/* ------------------------------------------------------------------ */
/* What libc's start-up sets up                                         */

SYSCALL_DEFINE1(set_tid_address, "p", uint64_t, uaddr)
{
	curthread->clear_child_tid = uaddr;
	return curthread->tid;
}

#define ROBUST_LIST_HEAD_SIZE 24

SYSCALL_DEFINE2(set_robust_list, "pu", uint64_t, head, uint64_t, len)
{
	if (len != ROBUST_LIST_HEAD_SIZE)
		return -EINVAL;
	curthread->robust_list = head;
	curthread->robust_len = len;
	return 0;
}

SYSCALL_DEFINE3(get_robust_list, "dpp", uint64_t, pid, uint64_t, uhead, uint64_t, ulen)
{
	int32_t p = (int32_t)pid;
	if (p != 0 && p != curthread->tid)
		return -ESRCH;
	if (copy_to_user(uhead, &curthread->robust_list, sizeof(uint64_t)) ||
	    copy_to_user(ulen, &curthread->robust_len, sizeof(uint64_t)))
		return -EFAULT;
	return 0;
}

/* Restartable sequences need the kernel to fix up user code on
 * preemption and signals; libc works without them. */
SYSCALL_DEFINE0(rseq, "puxx")
{
	return -ENOSYS;
}

/* The x87 and SSE state components: all there is without XSAVE. */
#define XFEATURES_LEGACY 0x3ull

/*
 * The kernel never uses FS or GS, and enters with no swapgs, so the
 * program's bases live in the MSRs themselves; thread.fs_base/gs_base keep
 * a copy for switching threads and for ARCH_GET_*.
 */
SYSCALL_DEFINE2(arch_prctl, "xp", uint64_t, code, uint64_t, addr)
{
	struct thread *t = curthread;
	uint64_t v;

	switch (code) {
	case ARCH_SET_FS:
		if (addr >= USER_TOP)
			return -EPERM;
		t->fs_base = addr;
		wrmsr(MSR_FS_BASE, addr);
		return 0;
	case ARCH_SET_GS:
		if (addr >= USER_TOP)
			return -EPERM;
		t->gs_base = addr;
		wrmsr(MSR_GS_BASE, addr);
		return 0;
	case ARCH_GET_FS:
		return copy_to_user(addr, &t->fs_base, sizeof(t->fs_base));
	case ARCH_GET_GS:
		return copy_to_user(addr, &t->gs_base, sizeof(t->gs_base));
	case ARCH_GET_CPUID:
		return 1; /* cpuid works (it is never made to fault) */
	case ARCH_SET_CPUID:
		return -ENODEV; /* the CPU profile has no CPUID faulting */
	case ARCH_GET_XCOMP_SUPP:
	case ARCH_GET_XCOMP_PERM:
		v = XFEATURES_LEGACY;
		return copy_to_user(addr, &v, sizeof(v));
	case ARCH_REQ_XCOMP_PERM:
		return addr < 2 ? 0 : -EOPNOTSUPP;
	default:
		/* Shadow stacks, CET, LAM, vDSO mapping: not on this CPU. */
		return -EINVAL;
	}
}

/* TRANSITIONAL: empty, every call above registers itself; kept until
 * kernel/syscall.c stops reading the old tables. */
