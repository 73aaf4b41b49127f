/*
 * The end of a process and its parent's wait: proc_zombie (contract in
 * proc.h), wait4 and waitid.
 *
 * A process other than the first ends like this (Linux's do_exit and
 * exit_notify):
 *   - its other threads are ended where they stand (they are all inside
 *     the kernel, switched out, so they only need taking off the queues);
 *   - a vfork parent is let go, descriptors are closed (a pipe's readers
 *     see end of file once no process holds a write end), and the memory
 *     is freed once nobody shares it, on the kernel's own page tables;
 *   - its children go to the first process, which Linux's init would be;
 *   - it stays a zombie holding its wait status, and its parent gets its
 *     exit signal (SIGCHLD) with the status in siginfo; a parent that
 *     ignores SIGCHLD or set SA_NOCLDWAIT never sees the zombie.
 * The first process's end is the end of the run (machine_exit): whatever
 * still runs is gone with the machine, as if killed.
 */
#include <rrv/hypercall.h>

#include "arch/x86/vm.h"
#include "fs/file.h"
#include "hv/hypercall.h"
#include "lib/kprintf.h"
#include "lib/string.h"
#include "lib/syscall.h"
#include "mm/mm.h"
#include "mm/uaccess.h"
#include "proc/debugger.h"
#include "proc/futex.h"
#include "proc/proc.h"
#include "proc/sched.h"
#include "proc/signal.h"
#include "uapi/errno.h"
#include "uapi/unistd.h"
#include "uapi/wait.h"

void proc_kill_other_threads(struct proc *p)
{
	for (struct thread *t = p->threads; t; t = t->next) {
		if (t == curthread || t->state == T_ZOMBIE)
			continue;
		sched_unqueue(t);
		futex_forget(t);
		/* A thread waiting in vfork: its child must not wake it
		 * later, when it is gone. */
		for (struct proc *c = procs; c; c = c->next)
			if (c->vfork_parent == t)
				c->vfork_parent = NULL;
		t->state = T_ZOMBIE;
		proc_nlive_add(p, -1);
	}
}

static void child_info(const struct proc *c, struct k_siginfo *info)
{
	int code = c->exit_code;
	memset(info, 0, sizeof(*info));
	info->signo = SIGCHLD;
	info->pid = c->pid;
	info->uid = c->uid;
	if (code & 0x7f) {
		info->code = (code & 0x80) ? CLD_DUMPED : CLD_KILLED;
		info->value = (uint64_t)(code & 0x7f);
	} else {
		info->code = CLD_EXITED;
		info->value = (uint64_t)((code >> 8) & 0xff);
	}
}

/* The first live thread of p, to receive a process-directed signal. */
static struct thread *live_thread(struct proc *p)
{
	for (struct thread *t = p->threads; t; t = t->next)
		if (t->state != T_ZOMBIE)
			return t;
	return NULL;
}

/* Tells parent that zombie c is there: its exit signal, and a wake for a
 * wait.  Returns false when the parent does not want zombies (SIGCHLD
 * ignored or SA_NOCLDWAIT): c is then reaped at once. */
static bool notify_parent(struct proc *c, struct proc *parent)
{
	const struct k_sigaction *ka = &parent->sigaction[SIGCHLD - 1];
	bool autoreap = c->exit_signal == SIGCHLD &&
			(ka->handler == SIG_IGN || (ka->flags & SA_NOCLDWAIT));
	struct thread *t = live_thread(parent);

	if (c->exit_signal && t) {
		struct k_siginfo info;
		child_info(c, &info);
		info.signo = c->exit_signal;
		signal_send(t, &info, true);
	}
	sched_wakeup(&parent->child_chan);
	return !autoreap;
}

/* Marks c reaped: sched_reap frees it once its threads are gone. */
static void reap(struct proc *c)
{
	struct proc *p = initproc;
	/* --stats counts every process's calls. */
	p->nsyscalls += c->nsyscalls;
	p->nsyscalls_host += c->nsyscalls_host;
	c->state = P_DEAD;
}

void proc_zombie(int code)
{
	struct proc *p = curproc;

	dbg_exit(code); /* its memory is still there */
	proc_kill_other_threads(p);
	vfork_release(p);
	if (p->files) {
		files_free(p->files);
		p->files = NULL;
	}
	if (p->exe) {
		mapfile_put(p->exe);
		p->exe = NULL;
	}
	if (p->cwd) {
		file_put(p->cwd);
		p->cwd = NULL;
	}
	/* The memory goes on the kernel's page tables; nothing below
	 * touches user memory. */
	vm_activate_kernel();
	mm_put(p->mm);
	p->mm = NULL;

	/* Orphans go to the nearest live subreaper above, else to the first
	 * process; zombies among them are its to reap now. */
	struct proc *heir = p->parent;
	while (heir != initproc && !(heir->subreaper && heir->state == P_ALIVE))
		heir = heir->parent;
	for (struct proc *c = procs; c; c = c->next) {
		if (c->parent != p || c->state == P_DEAD)
			continue;
		c->parent = heir;
		c->ppid = heir->pid;
		/* prctl(PR_SET_PDEATHSIG): the orphan learns its parent is
		 * gone. */
		struct thread *ct = live_thread(c);
		if (c->prctl.pdeathsig && ct && c->state == P_ALIVE) {
			struct k_siginfo info;
			memset(&info, 0, sizeof(info));
			info.signo = c->prctl.pdeathsig;
			info.code = SI_USER;
			info.pid = p->pid;
			info.uid = p->uid;
			signal_send(ct, &info, true);
		}
		if (c->state == P_ZOMBIE && !notify_parent(c, heir))
			reap(c);
	}

	p->exit_code = code;
	p->state = P_ZOMBIE;
	hc_process(RRV_PROC_EXIT, p->pid, p->ppid, code, NULL, 0);
	if (!notify_parent(p, p->parent))
		reap(p);
	sched_exit();
}

/* Whether child c is one that a wait for pid (wait4's encoding) with
 * options takes. */
static bool wanted(const struct proc *c, int pid, uint32_t options)
{
	if (pid > 0 && c->pid != pid)
		return false;
	if (pid == 0 && c->pgid != curproc->pgid)
		return false;
	if (pid < -1 && c->pgid != -pid)
		return false;
	/* A "clone" child is one whose exit signal is not SIGCHLD: only
	 * __WCLONE waits for those, only its absence for the others. */
	if (options & __WALL)
		return true;
	return (c->exit_signal != SIGCHLD) == ((options & __WCLONE) != 0);
}

/*
 * The wait common to wait4 and waitid: the pid of a zombie child taken
 * (its status in *code, its info in *info), 0 with WNOHANG when children
 * are there but none has ended, -ECHILD when there is nothing to wait
 * for, -ERESTARTSYS for a signal.
 */
static int64_t do_wait(int pid, uint32_t options, int *code, struct k_siginfo *info)
{
	for (;;) {
		bool any = false;
		for (struct proc *c = procs; c; c = c->next) {
			if (c->parent != curproc || c->state == P_DEAD || !wanted(c, pid, options))
				continue;
			any = true;
			if (c->state != P_ZOMBIE || !(options & WEXITED))
				continue;
			*code = c->exit_code;
			child_info(c, info);
			int cpid = c->pid;
			if (!(options & WNOWAIT)) {
				reap(c);
				sched_reap();
			}
			return cpid;
		}
		if (!any)
			return -ECHILD;
		if (options & WNOHANG)
			return 0;
		int r = sched_sleep(&curproc->child_chan);
		if (r)
			return r;
	}
}

/* Linux's struct rusage: 144 bytes; a child's usage is not kept, so it
 * reads as zero. */
#define RUSAGE_SIZE 144

SYSCALL_DEFINE4(wait4, "dpxp", uint64_t, upid, uint64_t, ustatus, uint64_t, options, uint64_t, urusage)
{
	uint32_t opt = (uint32_t)options;
	int code;
	struct k_siginfo info;

	if (opt & ~(uint32_t)(WNOHANG | WUNTRACED | WCONTINUED | __WNOTHREAD | __WALL | __WCLONE))
		return -EINVAL;
	/* INT_MIN has no process group to name. */
	if ((int32_t)upid == (int32_t)0x80000000)
		return -ESRCH;
	int64_t r = do_wait((int32_t)upid, opt | WEXITED, &code, &info);
	if (r <= 0)
		return r;
	if (ustatus && copy_to_user(ustatus, &code, sizeof(code)))
		return -EFAULT;
	if (urusage && clear_user(urusage, RUSAGE_SIZE))
		return -EFAULT;
	return r;
}

SYSCALL_DEFINE5(waitid, "ddpxp", uint64_t, idtype, uint64_t, id, uint64_t, uinfo, uint64_t, options, uint64_t, urusage)
{
	uint32_t opt = (uint32_t)options;
	int pid, code;
	struct k_siginfo info;

	if (opt & ~(uint32_t)(WNOHANG | WNOWAIT | WEXITED | WSTOPPED | WCONTINUED |
			      __WNOTHREAD | __WALL | __WCLONE))
		return -EINVAL;
	if (!(opt & (WEXITED | WSTOPPED | WCONTINUED)))
		return -EINVAL;
	switch (idtype) {
	case P_ALL:
		pid = -1;
		break;
	case P_PID:
		if ((int32_t)id <= 0)
			return -EINVAL;
		pid = (int32_t)id;
		break;
	case P_PGID:
		if ((int32_t)id < 0)
			return -EINVAL;
		pid = (int32_t)id ? -(int32_t)id : 0;
		break;
	case P_PIDFD:
		return -EBADF; /* no pidfds: no descriptor can name one */
	default:
		return -EINVAL;
	}
	int64_t r = do_wait(pid, opt, &code, &info);
	if (r < 0)
		return r;
	/* Nothing ended (WNOHANG): Linux clears the siginfo. */
	if (r == 0)
		memset(&info, 0, sizeof(info));
	if (uinfo && signal_copy_siginfo_to_user(uinfo, &info))
		return -EFAULT;
	if (urusage && clear_user(urusage, RUSAGE_SIZE))
		return -EFAULT;
	return 0;
}
