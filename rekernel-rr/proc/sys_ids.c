/*
 * Who the program is: its user and group ids (get*id, set*id, setfs*id,
 * the supplementary groups), its process group and session, and its
 * umask.  The first process's identity is the host process's (BOOT), so
 * these answer what a native run would, with no hypercall.
 */
#include <stdbool.h>

#include "lib/syscall.h"
#include "mm/uaccess.h"
#include "proc/proc.h"
#include "uapi/errno.h"

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
