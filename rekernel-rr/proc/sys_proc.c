/*
 * Process system calls: exit, identity, thread exit,
 * thread bookkeeping for libc, arch_prctl, resource limits, scheduling
 * queries, uname, sysinfo, getrandom, prctl and resource usage.  There is
 * one process, with threads; its identity is the host process's (BOOT),
 * so these answer what a native run would, and most need no hypercall.
 */
#include <rrv/hypercall.h>

#include "uapi/errno.h"
#include "arch/x86/fpu.h"
#include "proc/futex.h"
#include "hv/hypercall.h"
#include "mm/kalloc.h"
#include "lib/kprintf.h"
#include "proc/ktime.h"
#include "mm/mm.h"
#include "proc/proc.h"
#include "proc/sched.h"
#include "proc/signal.h"
#include "lib/string.h"
#include "lib/syscall.h"
#include "uapi/unistd.h"
#include "mm/uaccess.h"
#include "arch/x86/x86.h"

/* ------------------------------------------------------------------ */
/* Exit and identity                                                    */

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
 * bounds it, against a list that loops.
 */
#define ROBUST_LIST_LIMIT 2048
#define FUTEX_WAITERS 0x80000000u
#define FUTEX_OWNER_DIED 0x40000000u
#define FUTEX_TID_MASK 0x3fffffffu

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

SYSCALL_DEFINE0(getuid, "")
{
	return curproc->uid;
}

SYSCALL_DEFINE0(geteuid, "")
{
	return curproc->euid;
}

SYSCALL_DEFINE0(getgid, "")
{
	return curproc->gid;
}

SYSCALL_DEFINE0(getegid, "")
{
	return curproc->egid;
}

static int put_u32(uint64_t uaddr, uint32_t v)
{
	return copy_to_user(uaddr, &v, sizeof(v));
}

SYSCALL_DEFINE3(getresuid, "ppp", uint64_t, ur, uint64_t, ue, uint64_t, us)
{
	if (put_u32(ur, curproc->uid) || put_u32(ue, curproc->euid) ||
	    put_u32(us, curproc->suid))
		return -EFAULT;
	return 0;
}

SYSCALL_DEFINE3(getresgid, "ppp", uint64_t, ur, uint64_t, ue, uint64_t, us)
{
	if (put_u32(ur, curproc->gid) || put_u32(ue, curproc->egid) ||
	    put_u32(us, curproc->sgid))
		return -EFAULT;
	return 0;
}

/*
 * The set*id family, with Linux's rules: root (euid 0) may set anything;
 * anyone else may only move among the real, effective and saved ids it
 * already has.  -1 means "leave unchanged".  These change what the program
 * sees; host files are still opened with rrv's own rights.
 */
#define ID_KEEP 0xffffffffu

static bool id_allowed(uint32_t id, uint32_t r, uint32_t e, uint32_t s)
{
	return id == ID_KEEP || id == r || id == e || id == s;
}

static int64_t set_res(uint32_t *r, uint32_t *e, uint32_t *s, uint32_t nr, uint32_t ne,
		       uint32_t ns)
{
	if (curproc->euid != 0 &&
	    (!id_allowed(nr, *r, *e, *s) || !id_allowed(ne, *r, *e, *s) ||
	     !id_allowed(ns, *r, *e, *s)))
		return -EPERM;
	if (nr != ID_KEEP)
		*r = nr;
	if (ne != ID_KEEP)
		*e = ne;
	if (ns != ID_KEEP)
		*s = ns;
	return 0;
}

SYSCALL_DEFINE3(setresuid, "ddd", uint64_t, r, uint64_t, e, uint64_t, s)
{
	return set_res(&curproc->uid, &curproc->euid, &curproc->suid, (uint32_t)r,
		       (uint32_t)e, (uint32_t)s);
}

SYSCALL_DEFINE3(setresgid, "ddd", uint64_t, r, uint64_t, e, uint64_t, s)
{
	struct proc *p = curproc;
	if (p->euid != 0 && (!id_allowed((uint32_t)r, p->gid, p->egid, p->sgid) ||
			     !id_allowed((uint32_t)e, p->gid, p->egid, p->sgid) ||
			     !id_allowed((uint32_t)s, p->gid, p->egid, p->sgid)))
		return -EPERM;
	if ((uint32_t)r != ID_KEEP)
		p->gid = (uint32_t)r;
	if ((uint32_t)e != ID_KEEP)
		p->egid = (uint32_t)e;
	if ((uint32_t)s != ID_KEEP)
		p->sgid = (uint32_t)s;
	return 0;
}

SYSCALL_DEFINE2(setreuid, "dd", uint64_t, r, uint64_t, e)
{
	struct proc *p = curproc;
	uint32_t nr = (uint32_t)r, ne = (uint32_t)e;
	/* Linux: the saved id follows the new effective one when the real
	 * id is set, or the effective one changes to other than the real. */
	uint32_t ns = ID_KEEP;
	if (p->euid != 0 && ((nr != ID_KEEP && nr != p->uid && nr != p->euid) ||
			     (ne != ID_KEEP && ne != p->uid && ne != p->euid && ne != p->suid)))
		return -EPERM;
	if (nr != ID_KEEP || (ne != ID_KEEP && ne != p->uid))
		ns = ne != ID_KEEP ? ne : p->euid;
	return set_res(&p->uid, &p->euid, &p->suid, nr, ne, ns);
}

SYSCALL_DEFINE2(setregid, "dd", uint64_t, r, uint64_t, e)
{
	struct proc *p = curproc;
	uint32_t nr = (uint32_t)r, ne = (uint32_t)e;
	uint32_t ns = ID_KEEP;
	if (p->euid != 0 && ((nr != ID_KEEP && nr != p->gid && nr != p->egid) ||
			     (ne != ID_KEEP && ne != p->gid && ne != p->egid && ne != p->sgid)))
		return -EPERM;
	if (nr != ID_KEEP || (ne != ID_KEEP && ne != p->gid))
		ns = ne != ID_KEEP ? ne : p->egid;
	return sys_setresgid(nr, ne, ns);
}

SYSCALL_DEFINE1(setuid, "d", uint64_t, id)
{
	struct proc *p = curproc;
	uint32_t u = (uint32_t)id;
	if (u == ID_KEEP)
		return -EINVAL;
	if (p->euid == 0) {
		p->uid = p->euid = p->suid = u;
		return 0;
	}
	if (u != p->uid && u != p->suid)
		return -EPERM;
	p->euid = u;
	return 0;
}

SYSCALL_DEFINE1(setgid, "d", uint64_t, id)
{
	struct proc *p = curproc;
	uint32_t g = (uint32_t)id;
	if (g == ID_KEEP)
		return -EINVAL;
	if (p->euid == 0) {
		p->gid = p->egid = p->sgid = g;
		return 0;
	}
	if (g != p->gid && g != p->sgid)
		return -EPERM;
	p->egid = g;
	return 0;
}

/* The file-system ids follow the effective ones here; changing them is
 * not supported, and the call returns the old id, as Linux's does. */
SYSCALL_DEFINE1(setfsuid, "d", uint64_t, id)
{
	(void)id;
	return curproc->euid;
}

SYSCALL_DEFINE1(setfsgid, "d", uint64_t, id)
{
	(void)id;
	return curproc->egid;
}

/* BOOT does not carry the host's supplementary groups: none are shown. */
SYSCALL_DEFINE2(getgroups, "dp", uint64_t, size, uint64_t, ulist)
{
	(void)ulist;
	return (int32_t)size < 0 ? -EINVAL : 0;
}

SYSCALL_DEFINE2(setgroups, "dp", uint64_t, size, uint64_t, ulist)
{
	(void)ulist;
	if (size > 65536)
		return -EINVAL;
	return curproc->euid == 0 ? 0 : -EPERM;
}

/* Calls that name the program itself by pid (0 or its own). */
static int64_t own_pid_or(uint64_t pid, int64_t err)
{
	int32_t p = (int32_t)pid;
	if (p < 0)
		return -EINVAL;
	return p == 0 || p == curproc->pid ? 0 : err;
}

/*
 * Process groups and sessions.  The first process is shown as the leader
 * of its own (rrv does not know the host's); children inherit both, and
 * may make groups and sessions of their own as in Linux.
 */
static struct proc *pid_target(uint64_t pid, int64_t *err)
{
	int32_t p = (int32_t)pid;
	struct proc *t = p == 0 ? curproc : p > 0 ? proc_find(p) : NULL;
	*err = p < 0 ? -EINVAL : -ESRCH;
	return t;
}

SYSCALL_DEFINE0(getpgrp, "")
{
	return curproc->pgid;
}

SYSCALL_DEFINE1(getpgid, "d", uint64_t, pid)
{
	int64_t err;
	struct proc *p = pid_target(pid, &err);
	return p ? p->pgid : err;
}

SYSCALL_DEFINE1(getsid, "d", uint64_t, pid)
{
	int64_t err;
	struct proc *p = pid_target(pid, &err);
	return p ? p->sid : err;
}

SYSCALL_DEFINE2(setpgid, "dd", uint64_t, pid, uint64_t, pgid_)
{
	int64_t err;
	int32_t pgid = (int32_t)pgid_;
	struct proc *p = pid_target(pid, &err);

	if (pgid < 0)
		return -EINVAL;
	if (!p || (p != curproc && p->parent != curproc))
		return -ESRCH;
	if (p->sid != curproc->sid || p->sid == p->pid)
		return -EPERM; /* another session, or a session leader */
	if (pgid == 0)
		pgid = p->pid;
	if (pgid != p->pid) {
		/* Joining a group: it must exist in the same session. */
		bool ok = false;
		for (struct proc *q = procs; q; q = q->next)
			if (q->state == P_ALIVE && q->pgid == pgid && q->sid == p->sid)
				ok = true;
		if (!ok)
			return -EPERM;
	}
	p->pgid = pgid;
	return 0;
}

/* A process group leader may not start a session (the first process
 * is one). */
SYSCALL_DEFINE0(setsid, "")
{
	struct proc *p = curproc;
	for (struct proc *q = procs; q; q = q->next)
		if (q->state != P_DEAD && q->pgid == p->pid)
			return -EPERM;
	p->sid = p->pgid = p->pid;
	return p->sid;
}

SYSCALL_DEFINE1(umask, "m", uint64_t, mask)
{
	uint32_t old = curproc->umask;
	curproc->umask = (uint32_t)mask & 0777;
	return old;
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

#define ARCH_SET_GS 0x1001
#define ARCH_SET_FS 0x1002
#define ARCH_GET_FS 0x1003
#define ARCH_GET_GS 0x1004
#define ARCH_GET_CPUID 0x1011
#define ARCH_SET_CPUID 0x1012
#define ARCH_GET_XCOMP_SUPP 0x1021
#define ARCH_GET_XCOMP_PERM 0x1022
#define ARCH_REQ_XCOMP_PERM 0x1023
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

/* ------------------------------------------------------------------ */
/* Resource limits                                                      */

struct k_rlimit {
	uint64_t cur, max;
};

#define NR_OPEN_MAX 1048576 /* fs.nr_open */

static int64_t do_prlimit(int resource, const struct k_rlimit *nl, struct k_rlimit *ol)
{
	if (resource < 0 || resource >= RLIM_NLIMITS)
		return -EINVAL;
	struct k_rlimit *l = (struct k_rlimit *)&curproc->rlimit[resource];
	if (ol)
		*ol = *l;
	if (nl) {
		if (nl->cur > nl->max)
			return -EINVAL;
		if (resource == RLIMIT_NOFILE && nl->max > NR_OPEN_MAX)
			return -EPERM;
		/* Raising a hard limit takes CAP_SYS_RESOURCE. */
		if (nl->max > l->max && curproc->euid != 0)
			return -EPERM;
		*l = *nl;
	}
	return 0;
}

SYSCALL_DEFINE4(prlimit64, "ddpp", uint64_t, pid, uint64_t, resource, uint64_t, unew, uint64_t, uold)
{
	struct k_rlimit nl, ol;
	int64_t r = own_pid_or(pid, -ESRCH);
	if (r)
		return r;
	if (unew && copy_from_user(&nl, unew, sizeof(nl)))
		return -EFAULT;
	r = do_prlimit((int)resource, unew ? &nl : NULL, uold ? &ol : NULL);
	if (r)
		return r;
	if (uold && copy_to_user(uold, &ol, sizeof(ol)))
		return -EFAULT;
	return 0;
}

SYSCALL_DEFINE2(getrlimit, "dp", uint64_t, resource, uint64_t, uold)
{
	struct k_rlimit ol;
	int64_t r = do_prlimit((int)resource, NULL, &ol);
	if (r)
		return r;
	return copy_to_user(uold, &ol, sizeof(ol));
}

SYSCALL_DEFINE2(setrlimit, "dp", uint64_t, resource, uint64_t, unew)
{
	struct k_rlimit nl;
	if (copy_from_user(&nl, unew, sizeof(nl)))
		return -EFAULT;
	return do_prlimit((int)resource, &nl, NULL);
}

/* ------------------------------------------------------------------ */
/* Scheduling: one CPU, one thread                                      */

#define CPU_MASK_BYTES 8 /* the kernel's cpumask for one CPU: one long */

SYSCALL_DEFINE3(sched_getaffinity, "dup", uint64_t, pid, uint64_t, len, uint64_t, umask)
{
	int64_t r = own_pid_or(pid, -ESRCH);
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
	int64_t r = own_pid_or(pid, -ESRCH);
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

#define SCHED_OTHER 0
#define SCHED_FIFO 1
#define SCHED_RR 2
#define SCHED_BATCH 3
#define SCHED_IDLE 5
#define SCHED_DEADLINE 6

SYSCALL_DEFINE1(sched_getscheduler, "d", uint64_t, pid)
{
	int64_t r = own_pid_or(pid, -ESRCH);
	return r ? r : SCHED_OTHER;
}

SYSCALL_DEFINE2(sched_getparam, "dp", uint64_t, pid, uint64_t, uparam)
{
	int64_t r = own_pid_or(pid, -ESRCH);
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

/* ------------------------------------------------------------------ */
/* The machine                                                          */

SYSCALL_DEFINE1(uname, "p", uint64_t, ubuf)
{
	/* Asked of the host once; the answer does not change. */
	static char uts[RRV_HC_UTSNAME_SIZE];
	static bool have;

	if (!have) {
		struct rrv_hc_uname u;
		memset(&u, 0, sizeof(u));
		u.buf = virt_to_phys(uts);
		int64_t r = hc_call(RRV_HC_UNAME, &u);
		if (r < 0)
			return r;
		have = true;
	}
	return copy_to_user(ubuf, uts, sizeof(uts));
}

/* Linux's struct sysinfo on x86-64: 112 bytes. */
struct k_sysinfo {
	int64_t uptime;
	uint64_t loads[3];
	uint64_t totalram, freeram, sharedram, bufferram;
	uint64_t totalswap, freeswap;
	uint16_t procs, pad;
	uint64_t totalhigh, freehigh;
	uint32_t mem_unit;
	char reserved[4];
};
_Static_assert(sizeof(struct k_sysinfo) == 112, "struct sysinfo layout");

SYSCALL_DEFINE1(sysinfo, "p", uint64_t, uinfo)
{
	struct k_sysinfo si;
	int64_t sec, nsec;

	memset(&si, 0, sizeof(si));
	int r = ktime_get(CLOCK_BOOTTIME, &sec, &nsec);
	if (r < 0)
		return r;
	si.uptime = sec + (nsec ? 1 : 0);
	si.totalram = kalloc_total_pages() * PGSIZE;
	si.freeram = kalloc_free_pages() * PGSIZE;
	for (struct proc *p = procs; p; p = p->next)
		si.procs += p->state == P_ALIVE ? (uint16_t)p->nlive : 0;
	si.mem_unit = 1;
	return copy_to_user(uinfo, &si, sizeof(si));
}

#define GRND_NONBLOCK 1
#define GRND_RANDOM 2
#define GRND_INSECURE 4
#define RANDOM_CHUNK 65536u /* the most one RANDOM hypercall gives */
#define RANDOM_PIECES 16

/* Random bytes come from the host's getrandom, straight into the
 * program's pages. */
SYSCALL_DEFINE3(getrandom, "pux", uint64_t, ubuf, uint64_t, len, uint64_t, flags)
{
	if (flags & ~(uint64_t)(GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE))
		return -EINVAL;
	if ((flags & GRND_INSECURE) && (flags & GRND_RANDOM))
		return -EINVAL;
	if (len > 0x7ffff000)
		len = 0x7ffff000; /* MAX_RW_COUNT */

	uint64_t done = 0;
	while (done < len) {
		struct rrv_hc_iovec iov[RANDOM_PIECES];
		unsigned cnt;
		uint64_t want = len - done;
		int64_t got = user_iovecs(ubuf + done, want, true, iov,
					  RANDOM_PIECES, &cnt);
		if (got < 0)
			return done ? (int64_t)done : got;
		for (unsigned i = 0; i < cnt; i++) {
			for (uint64_t off = 0; off < iov[i].len; off += RANDOM_CHUNK) {
				struct rrv_hc_random rq;
				memset(&rq, 0, sizeof(rq));
				rq.buf = iov[i].base + off;
				rq.len = iov[i].len - off < RANDOM_CHUNK ? iov[i].len - off
									 : RANDOM_CHUNK;
				int64_t r = hc_call(RRV_HC_RANDOM, &rq);
				if (r < 0)
					return done ? (int64_t)done : r;
				done += (uint64_t)r;
			}
		}
		if ((uint64_t)got < want && cnt < RANDOM_PIECES)
			break; /* user_iovecs stopped at a bad page */
	}
	return (int64_t)done;
}

#define PR_SET_PDEATHSIG 1
#define PR_GET_PDEATHSIG 2
#define PR_GET_DUMPABLE 3
#define PR_SET_DUMPABLE 4
#define PR_GET_KEEPCAPS 7
#define PR_SET_KEEPCAPS 8
#define PR_SET_NAME 15
#define PR_GET_NAME 16
#define PR_GET_TIMERSLACK 30
#define PR_SET_TIMERSLACK 29
#define PR_SET_NO_NEW_PRIVS 38
#define PR_GET_NO_NEW_PRIVS 39
#define PR_SET_THP_DISABLE 41
#define PR_GET_THP_DISABLE 42
#define PR_SET_CHILD_SUBREAPER 36
#define PR_GET_CHILD_SUBREAPER 37

SYSCALL_DEFINE5(prctl, "dxxxx", uint64_t, option, uint64_t, a2, uint64_t, a3, uint64_t, a4, uint64_t, a5)
{
	struct proc_prctl *pc = &curproc->prctl;
	(void)a3;
	(void)a4;
	(void)a5;

	switch (option) {
	case PR_SET_NAME: {
		char name[16];
		int64_t n = strncpy_from_user(name, a2, sizeof(name));
		if (n == -EFAULT)
			return -EFAULT;
		/* Longer names are cut to 15 bytes, as in Linux. */
		memset(curthread->comm, 0, sizeof(curthread->comm));
		memcpy(curthread->comm, name, strnlen(name, sizeof(name) - 1));
		return 0;
	}
	case PR_GET_NAME:
		return copy_to_user(a2, curthread->comm, sizeof(curthread->comm));
	case PR_SET_PDEATHSIG:
		if (a2 > 64)
			return -EINVAL;
		pc->pdeathsig = (int)a2;
		return 0;
	case PR_GET_PDEATHSIG:
		return copy_to_user(a2, &pc->pdeathsig, sizeof(pc->pdeathsig));
	case PR_GET_DUMPABLE:
		return pc->dumpable;
	case PR_SET_DUMPABLE:
		if (a2 > 1)
			return -EINVAL;
		pc->dumpable = (int)a2;
		return 0;
	case PR_GET_KEEPCAPS:
		return pc->keepcaps;
	case PR_SET_KEEPCAPS:
		if (a2 > 1)
			return -EINVAL;
		pc->keepcaps = (int)a2;
		return 0;
	case PR_GET_TIMERSLACK:
		return (int64_t)pc->timerslack;
	case PR_SET_TIMERSLACK:
		pc->timerslack = a2 ? a2 : 50000;
		return 0;
	case PR_SET_NO_NEW_PRIVS:
		if (a2 != 1)
			return -EINVAL;
		pc->no_new_privs = 1;
		return 0;
	case PR_GET_NO_NEW_PRIVS:
		return pc->no_new_privs;
	case PR_SET_THP_DISABLE:
		pc->thp_disable = a2 != 0;
		return 0;
	case PR_GET_THP_DISABLE:
		return pc->thp_disable;
	case PR_SET_CHILD_SUBREAPER:
		curproc->subreaper = a2 != 0;
		return 0;
	case PR_GET_CHILD_SUBREAPER: {
		int32_t v = curproc->subreaper;
		return copy_to_user(a2, &v, sizeof(v));
	}
	default:
		return -EINVAL;
	}
}

#define PER_LINUX 0
#define PER_QUERY 0xffffffffu

SYSCALL_DEFINE1(personality, "x", uint64_t, persona)
{
	uint32_t old = curproc->prctl.personality;
	if ((uint32_t)persona != PER_QUERY)
		curproc->prctl.personality = (uint32_t)persona;
	return old;
}

/* ------------------------------------------------------------------ */
/* Resource usage                                                       */

struct k_timeval {
	int64_t tv_sec, tv_usec;
};

struct k_rusage {
	struct k_timeval utime, stime;
	int64_t maxrss, ixrss, idrss, isrss, minflt, majflt, nswap, inblock,
		oublock, msgsnd, msgrcv, nsignals, nvcsw, nivcsw;
};

#define RUSAGE_SELF 0
#define RUSAGE_CHILDREN (-1)
#define RUSAGE_THREAD 1
#define USER_HZ 100

/* The program's CPU time is the host's CPU time for rrv (the VMM's share
 * is small, and the guest kernel's time counts as the program's system
 * time in Linux too); it is all reported as user time. */
SYSCALL_DEFINE2(getrusage, "dp", uint64_t, who, uint64_t, uusage)
{
	struct k_rusage ru;
	int32_t w = (int32_t)who;

	if (w != RUSAGE_SELF && w != RUSAGE_CHILDREN && w != RUSAGE_THREAD)
		return -EINVAL;
	memset(&ru, 0, sizeof(ru));
	if (w != RUSAGE_CHILDREN) {
		uint64_t ns = ktime_ns(CLOCK_PROCESS_CPUTIME_ID);
		ru.utime.tv_sec = (int64_t)(ns / NSEC_PER_SEC);
		ru.utime.tv_usec = (int64_t)(ns % NSEC_PER_SEC / 1000);
		ru.maxrss = (int64_t)(curproc->mm->peak_rss * (PGSIZE / 1024));
		ru.minflt = (int64_t)curproc->mm->nfaults;
	}
	return copy_to_user(uusage, &ru, sizeof(ru));
}

struct k_tms {
	int64_t utime, stime, cutime, cstime;
};

SYSCALL_DEFINE1(times, "p", uint64_t, ubuf)
{
	if (ubuf) {
		struct k_tms t = { 0, 0, 0, 0 };
		t.utime = (int64_t)(ktime_ns(CLOCK_PROCESS_CPUTIME_ID) / (NSEC_PER_SEC / USER_HZ));
		if (copy_to_user(ubuf, &t, sizeof(t)))
			return -EFAULT;
	}
	/* Clock ticks since boot (Linux's starts at an offset; any fixed
	 * origin will do, only differences mean anything). */
	return (int64_t)(ktime_ns(CLOCK_BOOTTIME) / (NSEC_PER_SEC / USER_HZ));
}

const struct syscall_def sys_proc_defs[] = {
	SYSCALL_DEF(SYS_futex, "futex", sys_futex, "pxdppx"),
	SYSCALL_DEF(SYS_futex_waitv, "futex_waitv", sys_futex_waitv, "puxpd"),
};
const size_t sys_proc_ndefs = sizeof(sys_proc_defs) / sizeof(sys_proc_defs[0]);
