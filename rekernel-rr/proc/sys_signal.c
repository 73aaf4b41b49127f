/*
 * The signal system calls.  Delivery, frames and the pending queues are
 * signal.c's; these check arguments the way Linux does (which error wins
 * when several apply is part of the ABI programs see) and call into it.
 *
 * kill reaches the program's processes (fork.c), by pid, process group,
 * or all of them; nothing outside the guest is visible (-ESRCH).
 */
#include "lib/string.h"
#include "lib/syscall.h"
#include "mm/uaccess.h"
#include "proc/ktime.h"
#include "proc/sched.h"
#include "proc/sigframe.h"
#include "proc/signal.h"
#include "uapi/errno.h"
#include "uapi/time.h"

/* Linux's valid_signal: 0 (the existence probe) to 64. */
static bool valid_signal(int64_t sig)
{
	return sig >= 0 && sig <= NSIG;
}

/* The live thread with id tid, in any process, or NULL. */
static struct thread *find_thread(int tid)
{
	for (struct proc *p = procs; p; p = p->next)
		for (struct thread *t = p->threads; t; t = t->next)
			if (t->tid == tid && t->state != T_ZOMBIE)
				return t;
	return NULL;
}

/* The thread a process-directed signal to p is queued on: the sender
 * itself for its own process (it sees the signal on its way out), else
 * the first live one; NULL for a zombie. */
static struct thread *proc_target(struct proc *p)
{
	if (p == curproc)
		return curthread;
	for (struct thread *t = p->threads; t; t = t->next)
		if (t->state != T_ZOMBIE)
			return t;
	return NULL;
}

static struct k_siginfo kill_info(int sig, int code)
{
	struct k_siginfo info = {
		.signo = sig,
		.code = code,
		.pid = curproc->pid,
		.uid = curproc->uid,
	};
	return info;
}

SYSCALL_DEFINE4(rt_sigaction, "dppu", int, sig, uint64_t, uact, uint64_t, uoact,
		uint64_t, sigsetsize)
{
	struct k_sigaction act, old;

	if (sigsetsize != sizeof(sigset_k))
		return -EINVAL;
	if (uact && copy_from_user(&act, uact, sizeof(act)) < 0)
		return -EFAULT;
	if (sig < 1 || sig > NSIG || (uact && (SIG_UNBLOCKABLE & SIGBIT(sig))))
		return -EINVAL;

	struct k_sigaction *ka = &curproc->sigaction[sig - 1];
	old = *ka;
	if (uact) {
		act.flags &= SA_KNOWN_FLAGS;
		act.mask &= ~SIG_UNBLOCKABLE;
		*ka = act;
		/* POSIX: setting an action to ignore discards what is pending,
		 * blocked or not. */
		if (signal_is_ignored(sig, act.handler))
			signal_flush(sig);
	}
	/* The new action stays even when the old cannot be written back. */
	if (uoact && copy_to_user(uoact, &old, sizeof(old)) < 0)
		return -EFAULT;
	return 0;
}

SYSCALL_DEFINE4(rt_sigprocmask, "dppu", int, how, uint64_t, uset, uint64_t, uoset,
		uint64_t, sigsetsize)
{
	sigset_k old = curthread->sigmask, set;

	if (sigsetsize != sizeof(sigset_k))
		return -EINVAL;
	if (uset) {
		if (copy_from_user(&set, uset, sizeof(set)) < 0)
			return -EFAULT;
		switch (how) {
		case SIG_BLOCK:
			signal_set_mask(old | set);
			break;
		case SIG_UNBLOCK:
			signal_set_mask(old & ~set);
			break;
		case SIG_SETMASK:
			signal_set_mask(set);
			break;
		default:
			return -EINVAL;
		}
	}
	if (uoset && copy_to_user(uoset, &old, sizeof(old)) < 0)
		return -EFAULT;
	return 0;
}

SYSCALL_DEFINE0(rt_sigreturn, "")
{
	return signal_sigreturn(curthread->tf);
}

SYSCALL_DEFINE2(rt_sigpending, "pu", uint64_t, uset, uint64_t, sigsetsize)
{
	struct thread *t = curthread;

	/* Smaller sizes are allowed here, unlike everywhere else. */
	if (sigsetsize > sizeof(sigset_k))
		return -EINVAL;
	sigset_k set = (t->sigpending | t->proc->sigpending) & t->sigmask;
	if (copy_to_user(uset, &set, sigsetsize) < 0)
		return -EFAULT;
	return 0;
}

/* Sleeps until a signal the mask lets through is pending (nothing else
 * wakes these calls).  With no other thread that can never happen by
 * itself; sched_sleep reports that, as a native run would hang. */
static void wait_for_signal(void)
{
	curthread->sigwait = true;
	while (!signal_pending())
		sched_sleep(&curthread->sigpending);
	curthread->sigwait = false;
}

SYSCALL_DEFINE0(pause, "")
{
	wait_for_signal();
	/* No handler ran (an ignored signal never wakes it): pause again. */
	return -ERESTARTNOHAND;
}

SYSCALL_DEFINE2(rt_sigsuspend, "pu", uint64_t, uset, uint64_t, sigsetsize)
{
	struct thread *t = curthread;
	sigset_k set;

	if (sigsetsize != sizeof(sigset_k))
		return -EINVAL;
	if (copy_from_user(&set, uset, sizeof(set)) < 0)
		return -EFAULT;
	t->saved_sigmask = t->sigmask;
	signal_set_mask(set);
	wait_for_signal();
	/* The handler runs with this mask and its frame saves the old one;
	 * if none runs, signal_return_to_user puts the old one back. */
	t->restore_sigmask = true;
	return -ERESTARTNOHAND;
}

SYSCALL_DEFINE4(rt_sigtimedwait, "pppu", uint64_t, uthese, uint64_t, uinfo, uint64_t, uts,
		uint64_t, sigsetsize)
{
	struct thread *t = curthread;
	struct k_timespec ts = { 0, 0 };
	struct k_siginfo info;
	sigset_k these;

	if (sigsetsize != sizeof(sigset_k))
		return -EINVAL;
	if (copy_from_user(&these, uthese, sizeof(these)) < 0)
		return -EFAULT;
	if (uts) {
		if (copy_from_user(&ts, uts, sizeof(ts)) < 0)
			return -EFAULT;
		if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= NSEC_PER_SEC)
			return -EINVAL;
	}
	these &= ~SIG_UNBLOCKABLE;

	int sig = signal_dequeue(these, &info);
	bool interrupted = false;
	if (sig == 0 && (!uts || ts.tv_sec != 0 || ts.tv_nsec != 0)) {
		/* Waiting: the signals asked for become deliverable so that
		 * they end the wait, then are taken before any handler. */
		sigset_k saved = t->sigmask;
		t->sigmask &= ~these;
		if (uts) {
			/* Alone, nothing can send a signal while this thread
			 * sleeps and the timeout simply runs out; otherwise
			 * another thread's signal ends the wait early. */
			sched_timed_sleep(&t->sigpending, CLOCK_MONOTONIC, 0, ts.tv_sec,
					  ts.tv_nsec);
		} else {
			wait_for_signal();
		}
		interrupted = signal_pending();
		t->sigmask = saved;
		sig = signal_dequeue(these, &info);
	}
	if (sig == 0)
		return interrupted ? -EINTR : -EAGAIN;
	/* The signal is consumed even when its siginfo cannot be written. */
	if (uinfo && signal_copy_siginfo_to_user(uinfo, &info) < 0)
		return -EFAULT;
	return sig;
}

SYSCALL_DEFINE2(sigaltstack, "pp", uint64_t, uss, uint64_t, uoss)
{
	struct k_stack ss, oss;

	if (uss && copy_from_user(&ss, uss, sizeof(ss)) < 0)
		return -EFAULT;
	int err = signal_altstack(uss ? &ss : NULL, uoss ? &oss : NULL,
				  curthread->tf->rsp);
	if (err == 0 && uoss && copy_to_user(uoss, &oss, sizeof(oss)) < 0)
		return -EFAULT;
	return err;
}

/* Sends to the current process (the sigqueue calls): checks, then
 * queues as process-directed.  sig 0 only checks. */
static int send_to_process(int64_t sig, const struct k_siginfo *info)
{
	if (!valid_signal(sig))
		return -EINVAL;
	if (sig == 0)
		return 0;
	return signal_send(curthread, info, true);
}

/* Whether kill(pid) names process p: itself, its group (0, -pgid), or
 * every process but the first and the sender (-1, as Linux spares init
 * and the caller). */
static bool kill_names(const struct proc *p, int pid)
{
	if (p->state != P_ALIVE)
		return pid > 0 && p->pid == pid; /* a zombie exists, quietly */
	if (pid > 0)
		return p->pid == pid;
	if (pid == 0)
		return p->pgid == curproc->pgid;
	if (pid == -1)
		return p != curproc && p != initproc;
	return p->pgid == -pid;
}

SYSCALL_DEFINE2(kill, "dd", int, pid, int, sig)
{
	struct k_siginfo info = kill_info(sig, SI_USER);
	bool found = false;

	if (!valid_signal(sig))
		return -EINVAL;
	if (pid == (int)0x80000000)
		return -ESRCH;
	for (struct proc *p = procs; p; p = p->next) {
		if (!kill_names(p, pid))
			continue;
		found = true;
		struct thread *t = proc_target(p);
		if (sig && t)
			signal_send(t, &info, true);
	}
	return found ? 0 : -ESRCH;
}

/* tgkill and tkill: to one thread, of process tgid (tkill: 0, any). */
static int64_t do_tkill(int tgid, int tid, int sig)
{
	struct thread *t = find_thread(tid);

	if (!t || (tgid > 0 && tgid != t->proc->pid))
		return -ESRCH;
	if (!valid_signal(sig))
		return -EINVAL;
	if (sig == 0)
		return 0;
	struct k_siginfo info = kill_info(sig, SI_TKILL);
	return signal_send(t, &info, false);
}

SYSCALL_DEFINE2(tkill, "dd", int, tid, int, sig)
{
	if (tid <= 0)
		return -EINVAL;
	return do_tkill(0, tid, sig);
}

SYSCALL_DEFINE3(tgkill, "ddd", int, tgid, int, tid, int, sig)
{
	if (tid <= 0 || tgid <= 0)
		return -EINVAL;
	return do_tkill(tgid, tid, sig);
}

/* Reads a program-made siginfo_t for the sigqueue calls; its union is
 * kept both ways (pid/uid/value and addr), as the layout it is written
 * back with depends on si_code. */
static int read_user_siginfo(uint64_t uinfo, int sig, struct k_siginfo *info)
{
	struct k_user_siginfo si;

	if (copy_from_user(&si, uinfo, sizeof(si)) < 0)
		return -EFAULT;
	memset(info, 0, sizeof(*info));
	info->signo = sig;
	info->errno_ = si.si_errno;
	info->code = si.si_code;
	info->pid = si.u.kill.pid;
	info->uid = si.u.kill.uid;
	info->value = si.u.kill.value;
	info->addr = si.u.fault.addr;
	return 0;
}

SYSCALL_DEFINE3(rt_sigqueueinfo, "ddp", int, pid, int, sig, uint64_t, uinfo)
{
	struct k_siginfo info;

	if (read_user_siginfo(uinfo, sig, &info) < 0)
		return -EFAULT;
	/* Only the kernel may claim a signal came from the kernel or from
	 * kill/tkill, except to the sender itself. */
	if ((info.code >= 0 || info.code == SI_TKILL) && pid != curproc->pid)
		return -EPERM;
	if (pid != curproc->pid)
		return -ESRCH;
	return send_to_process(sig, &info);
}

SYSCALL_DEFINE4(rt_tgsigqueueinfo, "dddp", int, tgid, int, tid, int, sig, uint64_t, uinfo)
{
	struct k_siginfo info;

	if (tid <= 0 || tgid <= 0)
		return -EINVAL;
	if (read_user_siginfo(uinfo, sig, &info) < 0)
		return -EFAULT;
	if ((info.code >= 0 || info.code == SI_TKILL) && tid != curthread->tid)
		return -EPERM;

	struct thread *t = find_thread(tid);
	if (!t || tgid != t->proc->pid)
		return -ESRCH;
	if (!valid_signal(sig))
		return -EINVAL;
	if (sig == 0)
		return 0;
	return signal_send(t, &info, false);
}

/* TRANSITIONAL: empty, every call above registers itself; kept until
 * kernel/syscall.c stops reading the old tables. */
