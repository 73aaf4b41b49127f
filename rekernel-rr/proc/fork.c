/*
 * Making threads and processes: clone, clone3, fork and vfork.
 *
 * A thread (CLONE_THREAD with everything shared, what pthread_create
 * asks) joins the current process.  Anything else is a new process:
 *   - its memory is an eager copy of the parent's (mm_copy), or with
 *     CLONE_VM the parent's own, shared until the child calls execve or
 *     exits (vfork, posix_spawn);
 *   - a copy of the descriptor table on the same open files, the signal
 *     dispositions, identity, rlimits, process group and session;
 *   - one thread whose id is the new pid, returning 0 from the call;
 *   - CLONE_PARENT makes it the caller's sibling, CLONE_CLEAR_SIGHAND
 *     (clone3) resets its handlers.
 * With CLONE_VFORK the parent then waits, deaf to signals as in Linux,
 * until the child lets go of the memory.  Ids come from the one counter
 * (proc_new_id) in creation order, so every run gives the same ones.
 */
#include <rrv/hypercall.h>

#include "fs/file.h"
#include "hv/hypercall.h"
#include "lib/kprintf.h"
#include "lib/string.h"
#include "lib/syscall.h"
#include "mm/kalloc.h"
#include "mm/mm.h"
#include "mm/uaccess.h"
#include "proc/debugger.h"
#include "proc/proc.h"
#include "proc/sched.h"
#include "proc/signal.h"
#include "uapi/errno.h"
#include "uapi/sched.h"
#include "uapi/unistd.h"

/* What a thread shares with its creator: everything. */
#define CLONE_THREAD_FLAGS (CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD)
#define CLONE_THREAD_OPTIONAL (CLONE_SYSVSEM | CLONE_SETTLS | CLONE_PARENT_SETTID | \
			       CLONE_CHILD_CLEARTID | CLONE_DETACHED | CLONE_CHILD_SETTID)
/* What a new process may ask for.  CLONE_FS is accepted and has no
 * effect: the working directory and umask live in the host and in the
 * process (see docs/guest-kernel.md). */
#define CLONE_PROCESS_OK (CLONE_VM | CLONE_FS | CLONE_VFORK | CLONE_SYSVSEM | CLONE_SETTLS | \
			  CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID | CLONE_CHILD_SETTID | \
			  CLONE_PTRACE | CLONE_UNTRACED | CLONE_DETACHED | CLONE_PARENT | \
			  CLONE_CLEAR_SIGHAND | CSIGNAL)

static void say_unsupported(uint64_t flags)
{
	static bool said;
	if (!said)
		kprintf("clone: flags 0x%lx are not implemented (a process sharing "
			"descriptors or handlers, a new namespace, a pidfd): "
			"returned ENOSYS\n", flags);
	said = true;
}

/* A new thread of the current process: its tid, or an errno. */
static int64_t clone_thread(uint64_t flags, uint64_t sp, uint64_t ptid, uint64_t ctid,
			    uint64_t tls)
{
	struct proc *p = curproc;

	if ((flags & CLONE_THREAD_FLAGS) != CLONE_THREAD_FLAGS ||
	    (flags & ~(CLONE_THREAD_FLAGS | CLONE_THREAD_OPTIONAL | CSIGNAL))) {
		say_unsupported(flags);
		return -ENOSYS;
	}
	/* A thread sends no signal at its exit. */
	if (flags & CSIGNAL)
		return -EINVAL;
	if ((flags & CLONE_SETTLS) && tls >= USER_TOP)
		return -EPERM;
	if ((uint64_t)threads_live >= p->rlimit[RLIMIT_NPROC].cur)
		return -EAGAIN;

	sched_reap();
	struct thread *t = thread_create(p, curthread, sp, 0);
	if (!t)
		return -ENOMEM;
	if (flags & CLONE_SETTLS)
		t->fs_base = tls;
	if (flags & CLONE_CHILD_CLEARTID)
		t->clear_child_tid = ctid;
	t->tid = proc_new_id();

	uint32_t tid32 = (uint32_t)t->tid;
	if (((flags & CLONE_PARENT_SETTID) && copy_to_user(ptid, &tid32, sizeof(tid32))) ||
	    ((flags & CLONE_CHILD_SETTID) && copy_to_user(ctid, &tid32, sizeof(tid32)))) {
		/* The id is spent, as a failed clone spends one in Linux. */
		thread_free(t);
		return -EFAULT;
	}
	proc_add_thread(t);
	dbg_thread(t->tid);
	return t->tid;
}

/* Writes v at user address ua of mm (the child's, not the current one). */
static int put_u32_in(struct mm *mm, uint64_t ua, uint32_t v)
{
	int err;
	if (ua & 3)
		return -EFAULT;
	uint32_t *k = mm_user_ptr(mm, ua, ACC_WRITE, &err);
	if (!k)
		return err;
	*k = v;
	return 0;
}

/* The process half of clone: what the child gets besides memory. */
static void copy_process_state(struct proc *c, const struct proc *p)
{
	c->uid = p->uid;
	c->euid = p->euid;
	c->suid = p->suid;
	c->gid = p->gid;
	c->egid = p->egid;
	c->sgid = p->sgid;
	c->umask = p->umask;
	c->pgid = p->pgid;
	c->sid = p->sid;
	memcpy(c->sigaction, p->sigaction, sizeof(c->sigaction));
	memcpy(c->rlimit, p->rlimit, sizeof(c->rlimit));
	c->prctl = p->prctl;
	c->prctl.pdeathsig = 0;
	c->exe = p->exe;
	if (c->exe)
		mapfile_get(c->exe);
	c->other_program = p->other_program;
	c->cwd = p->cwd;
	if (c->cwd)
		file_get(c->cwd);
}

/* Frees a child that never ran. */
static void discard_child(struct proc *c, struct thread *t)
{
	if (t)
		thread_free(t);
	if (c->files)
		files_free(c->files);
	if (c->mm)
		mm_put(c->mm);
	if (c->exe)
		mapfile_put(c->exe);
	if (c->cwd)
		file_put(c->cwd);
	proc_free(c);
}

/*
 * A new process (see the top of the file): returns its pid to the
 * parent, or an errno.  exit_signal is what the child's exit sends.
 */
static int64_t clone_process(uint64_t flags, uint64_t sp, uint64_t ptid, uint64_t ctid,
			     uint64_t tls, int exit_signal)
{
	struct proc *p = curproc;
	struct thread *pt = curthread;

	if (flags & ~CLONE_PROCESS_OK) {
		/* Linux's own refusals first. */
		if ((flags & CLONE_SIGHAND) && !(flags & CLONE_VM))
			return -EINVAL;
		say_unsupported(flags);
		return -ENOSYS;
	}
	if (exit_signal < 0 || exit_signal > NSIG)
		return -EINVAL;
	if ((flags & CLONE_SETTLS) && tls >= USER_TOP)
		return -EPERM;
	/* CLONE_PARENT: a sibling, whose parent is the caller's; the first
	 * process has none to give (Linux refuses it for init). */
	struct proc *parent = (flags & CLONE_PARENT) ? p->parent : p;
	if (!parent)
		return -EINVAL;
	if ((uint64_t)threads_live >= p->rlimit[RLIMIT_NPROC].cur)
		return -EAGAIN;

	sched_reap();
	struct proc *c = proc_alloc();
	if (!c)
		return -ENOMEM;
	copy_process_state(c, p);
	/* CLONE_CLEAR_SIGHAND: handlers back to the default, as after an
	 * execve (ignored signals stay ignored). */
	if (flags & CLONE_CLEAR_SIGHAND)
		for (int sig = 1; sig <= NSIG; sig++)
			if (c->sigaction[sig - 1].handler != SIG_IGN)
				memset(&c->sigaction[sig - 1], 0, sizeof(c->sigaction[0]));
	c->parent = parent;
	c->ppid = parent->pid;
	c->exit_signal = exit_signal;
	c->state = P_ALIVE;

	struct thread *t = NULL;
	if (flags & CLONE_VM) {
		c->mm = p->mm;
		mm_get(c->mm);
	} else {
		c->mm = mm_copy(p->mm);
	}
	c->files = files_dup(p->files);
	if (c->mm && c->files)
		t = thread_create(c, pt, sp, 0);
	if (!t) {
		discard_child(c, NULL);
		return -ENOMEM;
	}
	/* Linux: the child keeps the parent's alternate signal stack,
	 * which is in its copy of the memory too. */
	t->altstack_sp = pt->altstack_sp;
	t->altstack_size = pt->altstack_size;
	t->altstack_flags = pt->altstack_flags;
	if (flags & CLONE_SETTLS)
		t->fs_base = tls;
	if (flags & CLONE_CHILD_CLEARTID)
		t->clear_child_tid = ctid;

	c->pid = proc_new_id();
	t->tid = c->pid;
	/* The child's tid goes into the child's memory (glibc's fork has it
	 * write its own struct pthread), the parent's copy into the
	 * parent's. */
	if ((flags & CLONE_CHILD_SETTID) && put_u32_in(c->mm, ctid, (uint32_t)c->pid)) {
		discard_child(c, t);
		return -EFAULT;
	}
	if ((flags & CLONE_PARENT_SETTID) &&
	    put_u32_in(p->mm, ptid, (uint32_t)c->pid)) {
		discard_child(c, t);
		return -EFAULT;
	}

	struct proc **lp = &procs;
	while (*lp)
		lp = &(*lp)->next;
	*lp = c;
	c->threads = NULL;
	proc_add_thread(t);
	/* For the trace's list of processes (rrv ps); threads are not
	 * processes and are not reported. */
	hc_process(RRV_PROC_FORK, c->pid, c->ppid, 0, NULL, 0);
	dbg_fork(c->pid);

	int pid = c->pid;
	if (flags & CLONE_VFORK) {
		/* Until the child execs or exits (fork.c's vfork_release,
		 * from execve or the exit path).  Signals wait too: the
		 * parent must not run on the memory the child is using. */
		sigset_k saved = pt->sigmask;
		c->vfork_parent = pt;
		pt->vfork_waiting = true;
		pt->sigmask = ~0ull;
		while (pt->vfork_waiting)
			sched_sleep(&pt->vfork_waiting);
		pt->sigmask = saved;
	}
	return pid;
}

void vfork_release(struct proc *c)
{
	struct thread *pt = c->vfork_parent;
	if (!pt)
		return;
	c->vfork_parent = NULL;
	pt->vfork_waiting = false;
	sched_wakeup(&pt->vfork_waiting);
}

static int64_t do_clone(uint64_t flags, uint64_t sp, uint64_t ptid, uint64_t ctid, uint64_t tls)
{
	if (flags & CLONE_THREAD)
		return clone_thread(flags, sp, ptid, ctid, tls);
	return clone_process(flags & ~CSIGNAL, sp, ptid, ctid, tls, (int)(flags & CSIGNAL));
}

/* clone(flags, stack, parent_tid, child_tid, tls): x86-64's order. */
SYSCALL_DEFINE5(clone, "xpppp", uint64_t, flags, uint64_t, sp, uint64_t, ptid, uint64_t, ctid, uint64_t, tls)
{
	return do_clone(flags & 0xffffffffull, sp, ptid, ctid, tls);
}

SYSCALL_DEFINE2(clone3, "pu", uint64_t, uargs, uint64_t, size)
{
	struct k_clone_args a;

	memset(&a, 0, sizeof(a));
	if (size < CLONE_ARGS_SIZE_VER0 || size > PGSIZE)
		return -EINVAL;
	if (copy_from_user(&a, uargs, size < sizeof(a) ? size : sizeof(a)))
		return -EFAULT;
	if (a.exit_signal > CSIGNAL || (a.flags & CSIGNAL) || (!a.stack) != (!a.stack_size))
		return -EINVAL;
	if ((a.flags & CLONE_THREAD) && a.exit_signal)
		return -EINVAL;
	if ((a.flags & CLONE_CLEAR_SIGHAND) && (a.flags & CLONE_SIGHAND))
		return -EINVAL;
	if (a.set_tid || a.set_tid_size || a.cgroup || (a.flags & CLONE_PIDFD)) {
		say_unsupported(a.flags);
		return -ENOSYS;
	}
	uint64_t sp = a.stack ? a.stack + a.stack_size : 0;
	return do_clone(a.flags | a.exit_signal, sp, a.parent_tid, a.child_tid, a.tls);
}

SYSCALL_DEFINE0(fork, "")
{
	return clone_process(0, 0, 0, 0, 0, SIGCHLD);
}

SYSCALL_DEFINE0(vfork, "")
{
	return clone_process(CLONE_VM | CLONE_VFORK, 0, 0, 0, 0, SIGCHLD);
}
