/*
 * Limits and settings of the process, and the machine it runs on:
 * resource limits (prlimit64, getrlimit, setrlimit), prctl, personality,
 * resource usage (getrusage, times), uname, sysinfo and getrandom.  The
 * machine's answers come from the host (UNAME, CLOCK, RANDOM hypercalls),
 * so that a recording captures them.
 */
#include <rrv/hypercall.h>

#include "hv/hypercall.h"
#include "lib/string.h"
#include "lib/syscall.h"
#include "mm/kalloc.h"
#include "mm/mm.h"
#include "mm/uaccess.h"
#include "proc/ktime.h"
#include "proc/proc.h"
#include "uapi/errno.h"
#include "uapi/prctl.h"
#include "uapi/random.h"
#include "uapi/sysinfo.h"

/* ------------------------------------------------------------------ */
/* Resource limits                                                      */

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
	int64_t r = proc_self_pid_or(pid, -ESRCH);
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
/* The machine                                                          */

const char *proc_utsname(void)
{
	/* Asked of the host once; the answer does not change. */
	static char uts[RRV_HC_UTSNAME_SIZE];
	static bool have;

	if (!have) {
		struct rrv_hc_uname u;
		memset(&u, 0, sizeof(u));
		u.buf = virt_to_phys(uts);
		if (hc_call(RRV_HC_UNAME, &u) < 0)
			return NULL;
		have = true;
	}
	return uts;
}

SYSCALL_DEFINE1(uname, "p", uint64_t, ubuf)
{
	const char *uts = proc_utsname();
	if (!uts)
		return -EFAULT;
	return copy_to_user(ubuf, uts, RRV_HC_UTSNAME_SIZE);
}

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

SYSCALL_DEFINE5(prctl, "dxxxx", uint64_t, option, uint64_t, arg2, uint64_t, arg3, uint64_t, arg4,
		uint64_t, arg5)
{
	struct proc_prctl *pc = &curproc->prctl;
	(void)arg3;
	(void)arg4;
	(void)arg5;

	switch (option) {
	case PR_SET_NAME: {
		char name[16];
		int64_t n = strncpy_from_user(name, arg2, sizeof(name));
		if (n == -EFAULT)
			return -EFAULT;
		/* Longer names are cut to 15 bytes, as in Linux. */
		memset(curthread->comm, 0, sizeof(curthread->comm));
		memcpy(curthread->comm, name, strnlen(name, sizeof(name) - 1));
		return 0;
	}
	case PR_GET_NAME:
		return copy_to_user(arg2, curthread->comm, sizeof(curthread->comm));
	case PR_SET_PDEATHSIG:
		if (arg2 > 64)
			return -EINVAL;
		pc->pdeathsig = (int)arg2;
		return 0;
	case PR_GET_PDEATHSIG:
		return copy_to_user(arg2, &pc->pdeathsig, sizeof(pc->pdeathsig));
	case PR_GET_DUMPABLE:
		return pc->dumpable;
	case PR_SET_DUMPABLE:
		if (arg2 > 1)
			return -EINVAL;
		pc->dumpable = (int)arg2;
		return 0;
	case PR_GET_KEEPCAPS:
		return pc->keepcaps;
	case PR_SET_KEEPCAPS:
		if (arg2 > 1)
			return -EINVAL;
		pc->keepcaps = (int)arg2;
		return 0;
	case PR_GET_TIMERSLACK:
		return (int64_t)pc->timerslack;
	case PR_SET_TIMERSLACK:
		pc->timerslack = arg2 ? arg2 : 50000;
		return 0;
	case PR_SET_NO_NEW_PRIVS:
		if (arg2 != 1)
			return -EINVAL;
		pc->no_new_privs = 1;
		return 0;
	case PR_GET_NO_NEW_PRIVS:
		return pc->no_new_privs;
	case PR_SET_THP_DISABLE:
		pc->thp_disable = arg2 != 0;
		return 0;
	case PR_GET_THP_DISABLE:
		return pc->thp_disable;
	case PR_SET_CHILD_SUBREAPER:
		curproc->subreaper = arg2 != 0;
		return 0;
	case PR_GET_CHILD_SUBREAPER: {
		int32_t v = curproc->subreaper;
		return copy_to_user(arg2, &v, sizeof(v));
	}
	default:
		return -EINVAL;
	}
}

SYSCALL_DEFINE1(personality, "x", uint64_t, persona)
{
	uint32_t old = curproc->prctl.personality;
	if ((uint32_t)persona != PER_QUERY)
		curproc->prctl.personality = (uint32_t)persona;
	return old;
}

/* ------------------------------------------------------------------ */
/* Resource usage                                                       */

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
