/*
 * /proc: its directories and links, as rows of the node table
 * (fs/pseudo_tree.h), and /proc/PID/mem.  The text of its files is
 * proctext.c's.
 *
 * Every guest process has /proc/PID and each of its threads
 * /proc/PID/task/TID (and, unlisted as in Linux, /proc/TID); a pid that
 * is no guest process is not there (ENOENT), whatever the host runs.
 * "self" and "thread-self" are links to "PID" and "PID/task/TID".
 * exe, cwd and fd/N lead to the guest's own open files (pseudo.c follows
 * them); another process's are shown too, as Linux shows a process of
 * the same user.
 */
#include "fs/pseudo_tree.h"

#include "fs/file.h"
#include "fs/mapfile.h"
#include "lib/string.h"
#include "mm/mm.h"
#include "proc/proc.h"
#include "uapi/errno.h"

/* ---- the system-wide part ---- */

static const struct pn_child root_children[] = {
	{ "self", PN_SELF, 0 },
	{ "thread-self", PN_THREAD_SELF, 0 },
	{ "mounts", PN_MOUNTS, 0 },
	{ "cpuinfo", PN_CPUINFO, 0 },
	{ "meminfo", PN_MEMINFO, 0 },
	{ "stat", PN_STAT, 0 },
	{ "uptime", PN_UPTIME, 0 },
	{ "loadavg", PN_LOADAVG, 0 },
	{ "filesystems", PN_FILESYSTEMS, 0 },
	{ "version", PN_VERSION, 0 },
	{ "sys", PN_SYS, 0 },
};

static const struct pn_child sys_children[] = {
	{ "kernel", PN_SYS_KERNEL, 0 },
	{ "vm", PN_SYS_VM, 0 },
};

/* arg: the utsname field, as text_uts reads it. */
static const struct pn_child kernel_children[] = {
	{ "hostname", PN_HOSTNAME, 1 },
	{ "osrelease", PN_OSRELEASE, 2 },
	{ "ostype", PN_OSTYPE, 0 },
	{ "pid_max", PN_PID_MAX, 0 },
	{ "random", PN_SYS_RANDOM, 0 },
};

static const struct pn_child random_children[] = {
	{ "boot_id", PN_BOOT_ID, 0 },
	{ "uuid", PN_UUID, 0 },
};

static const struct pn_child vm_children[] = {
	{ "overcommit_memory", PN_OVERCOMMIT, 0 },
};

/* The processes, zombies included; a thread's id names its process's
 * directory as seen from that thread. */
static int lookup_pid(const struct pnode *dir, const char *name, struct pnode *out)
{
	(void)dir;
	int id = pn_number(name);
	if (id <= 0)
		return 0;
	for (struct proc *p = procs; p; p = p->next) {
		if (p->state == P_DEAD)
			continue;
		for (struct thread *t = p->threads; t; t = t->next) {
			if (t->tid != id || t->state == T_UNUSED || t->state == T_ZOMBIE)
				continue;
			out->id = PN_PID;
			out->pid = p->pid;
			out->tid = id == p->pid ? 0 : id;
			return 1;
		}
		if (p->pid == id) {
			out->id = PN_PID;
			out->pid = id;
			out->tid = 0;
			return 1;
		}
	}
	return 0;
}

static void list_pids(const struct pnode *dir, struct dlist *dl)
{
	char name[16];
	for (struct proc *p = procs; p; p = p->next) {
		if (p->state == P_DEAD)
			continue;
		ksnprintf(name, sizeof(name), "%d", p->pid);
		if (!dl_add(dl, name, PT_DIR, pn_child_ino(dir, PN_PID, p->pid, 0, -1)))
			return;
	}
}

static int link_self(const struct pnode *n, struct tb *b, struct pobj *obj)
{
	(void)n;
	obj->kind = PO_TEXT;
	tb_printf(b, "%d", curproc->pid);
	return 0;
}

static int link_thread_self(const struct pnode *n, struct tb *b, struct pobj *obj)
{
	(void)n;
	obj->kind = PO_TEXT;
	tb_printf(b, "%d/task/%d", curproc->pid, curthread->tid);
	return 0;
}

static int link_mounts(const struct pnode *n, struct tb *b, struct pobj *obj)
{
	(void)n;
	obj->kind = PO_TEXT;
	tb_printf(b, "self/mounts");
	return 0;
}

/* ---- /proc/PID and /proc/PID/task/TID ---- */

/* /proc/PID's entries; a thread's directory has all but the first. */
static const struct pn_child pid_children[] = {
	{ "task", PN_TASK, 0 },
	{ "exe", PN_EXE, 0 },
	{ "cwd", PN_CWD, 0 },
	{ "root", PN_ROOT, 0 },
	{ "fd", PN_FD_DIR, 0 },
	{ "fdinfo", PN_FDINFO_DIR, 0 },
	{ "ns", PN_NS_DIR, 0 },
	{ "maps", PN_MAPS, 0 },
	{ "smaps", PN_SMAPS, 0 },
	{ "mem", PN_MEM, 0 },
	{ "status", PN_STATUS, 0 },
	{ "stat", PN_PSTAT, 0 },
	{ "statm", PN_STATM, 0 },
	{ "cmdline", PN_CMDLINE, 0 },
	{ "environ", PN_ENVIRON, 0 },
	{ "auxv", PN_AUXV, 0 },
	{ "comm", PN_COMM, 0 },
	{ "limits", PN_LIMITS, 0 },
	{ "mountinfo", PN_MOUNTINFO, 0 },
	{ "mounts", PN_PMOUNTS, 0 },
};
#define NPID_CHILDREN (sizeof(pid_children) / sizeof(pid_children[0]))

/* The namespaces: Linux's numbers for the first of each kind. */
static const struct {
	const char *name;
	uint32_t ino;
} namespaces[] = {
	{ "cgroup", 4026531835u }, { "ipc", 4026531839u },  { "mnt", 4026531841u },
	{ "net", 4026531840u },    { "pid", 4026531836u },  { "pid_for_children", 4026531836u },
	{ "time", 4026531834u },   { "time_for_children", 4026531834u },
	{ "user", 4026531837u },   { "uts", 4026531838u },
};

static const struct pn_child ns_children[] = {
	{ "cgroup", PN_NS, 0 }, { "ipc", PN_NS, 1 },  { "mnt", PN_NS, 2 },
	{ "net", PN_NS, 3 },    { "pid", PN_NS, 4 },  { "pid_for_children", PN_NS, 5 },
	{ "time", PN_NS, 6 },   { "time_for_children", PN_NS, 7 },
	{ "user", PN_NS, 8 },   { "uts", PN_NS, 9 },
};

uint32_t pn_ns_ino(uint16_t arg)
{
	return arg < sizeof(namespaces) / sizeof(namespaces[0]) ? namespaces[arg].ino : 0;
}

static int link_ns(const struct pnode *n, struct tb *b, struct pobj *obj)
{
	if (!pn_proc(n))
		return -ENOENT;
	obj->kind = PO_NS;
	tb_printf(b, "%s:[%u]", namespaces[n->arg].name, namespaces[n->arg].ino);
	return 0;
}

static int lookup_tid(const struct pnode *dir, const char *name, struct pnode *out)
{
	struct proc *p = pn_proc(dir);
	int tid = pn_number(name);
	if (!p || tid <= 0)
		return 0;
	for (struct thread *t = p->threads; t; t = t->next) {
		if (t->tid == tid && t->state != T_UNUSED && t->state != T_ZOMBIE) {
			out->id = PN_TID;
			out->tid = tid;
			return 1;
		}
	}
	return 0;
}

static void list_tids(const struct pnode *dir, struct dlist *dl)
{
	struct proc *p = pn_proc(dir);
	char name[16];
	for (struct thread *t = p ? p->threads : NULL; t; t = t->next) {
		if (t->state == T_UNUSED || t->state == T_ZOMBIE)
			continue;
		ksnprintf(name, sizeof(name), "%d", t->tid);
		if (!dl_add(dl, name, PT_DIR, pn_child_ino(dir, PN_TID, dir->pid, t->tid, -1)))
			return;
	}
}

/* The descriptors of the process, as links (fd/) or files (fdinfo/). */
static int lookup_fd_as(const struct pnode *dir, const char *name, struct pnode *out,
			uint16_t id)
{
	struct proc *p = pn_proc(dir);
	int fd = pn_number(name);
	if (!p || fd < 0 || !files_lookup(p->files, fd))
		return 0;
	out->id = id;
	out->fd = fd;
	return 1;
}

static int lookup_fd(const struct pnode *dir, const char *name, struct pnode *out)
{
	return lookup_fd_as(dir, name, out, PN_FD);
}

static int lookup_fdinfo(const struct pnode *dir, const char *name, struct pnode *out)
{
	return lookup_fd_as(dir, name, out, PN_FDINFO);
}

static void list_fds_as(const struct pnode *dir, struct dlist *dl, uint16_t id)
{
	struct proc *p = pn_proc(dir);
	char name[16];
	for (int fd = 0; p && fd < NOFILE; fd++) {
		if (!files_lookup(p->files, fd))
			continue;
		ksnprintf(name, sizeof(name), "%d", fd);
		if (!dl_add(dl, name, id == PN_FD ? PT_LNK : PT_REG,
			    pn_child_ino(dir, id, dir->pid, dir->tid, fd)))
			return;
	}
}

static void list_fds(const struct pnode *dir, struct dlist *dl)
{
	list_fds_as(dir, dl, PN_FD);
}

static void list_fdinfo(const struct pnode *dir, struct dlist *dl)
{
	list_fds_as(dir, dl, PN_FDINFO);
}

static int link_fd(const struct pnode *n, struct tb *b, struct pobj *obj)
{
	struct proc *p = pn_proc(n);
	struct file *f = p ? files_lookup(p->files, n->fd) : NULL;
	if (!f)
		return -ENOENT;
	int kind = pn_fd_link(f, b);
	if (kind < 0)
		return kind;
	obj->kind = (enum po_kind)kind;
	obj->file = f;
	return 0;
}

/* The program file: its host path, leading to the file exec mapped. */
static int link_exe(const struct pnode *n, struct tb *b, struct pobj *obj)
{
	struct proc *p = pn_proc(n);
	if (!p || !p->exe)
		return -ENOENT;
	tb_printf(b, "%s", mapfile_name(p->exe));
	obj->kind = PO_FILE;
	obj->file = mapfile_file(p->exe);
	return 0;
}

static int link_cwd(const struct pnode *n, struct tb *b, struct pobj *obj)
{
	struct proc *p = pn_proc(n);
	if (!p || p->state != P_ALIVE)
		return -ENOENT;
	return pn_cwd_link(p, b, obj);
}

/* One root for every process: the host's. */
static int link_root(const struct pnode *n, struct tb *b, struct pobj *obj)
{
	if (!pn_proc(n))
		return -ENOENT;
	obj->kind = PO_TEXT;
	tb_printf(b, "/");
	return 0;
}

/*
 * /proc/PID/mem: the bytes at address pos of the process, through its
 * page tables whatever their protection, as ptrace's FOLL_FORCE reaches
 * them (mm_force_ptr): a read-only page is written on the process's own
 * copy; an address nothing maps is EIO.  A process without memory any
 * more reads as empty.
 */
int64_t rw_mem(const struct pnode *n, struct uio *u, uint64_t pos, bool write)
{
	static char chunk[PGSIZE];
	struct proc *p = pn_proc(n);
	if (!p || !p->mm || p->state != P_ALIVE)
		return 0;
	int64_t done = 0;
	uint64_t base, len;
	while (uio_cur(u, &base, &len) == 0) {
		uint64_t va = pos + (uint64_t)done;
		uint64_t cnt = PGSIZE - (va & (PGSIZE - 1));
		if (cnt > len)
			cnt = len;
		if (va >= USER_TOP || va < pos)
			return done ? done : -EIO;
		if (write && uio_copy_in(u, chunk, base, cnt))
			return done ? done : -EFAULT;
		int err;
		char *k = mm_force_ptr(p->mm, va, write ? ACC_WRITE : ACC_READ, &err);
		if (!k)
			return done ? done : -EIO;
		if (write) {
			memcpy(k, chunk, cnt);
		} else {
			memcpy(chunk, k, cnt);
			if (uio_copy_out(u, base, chunk, cnt))
				return done ? done : -EFAULT;
		}
		uio_advance(u, cnt);
		done += (int64_t)cnt;
	}
	return done;
}

/* ---- the table ---- */

#define DIR_OF(kids) .type = PT_DIR, .mode = 0555, .children = kids, \
		     .nchildren = sizeof(kids) / sizeof(kids[0])
#define TEXT(fn, m) .type = PT_REG, .mode = m, .text = fn
#define LINK(fn) .type = PT_LNK, .mode = 0777, .link = fn

const struct pn_info procfs_info[PN_NIDS] = {
	[PN_NONE] = { .type = PT_REG, .mode = 0 },
	[PN_PROC] = { DIR_OF(root_children), .lookup = lookup_pid, .list = list_pids },
	[PN_SELF] = { LINK(link_self) },
	[PN_THREAD_SELF] = { LINK(link_thread_self) },
	[PN_MOUNTS] = { LINK(link_mounts) },
	[PN_CPUINFO] = { TEXT(text_cpuinfo, 0444) },
	[PN_MEMINFO] = { TEXT(text_meminfo, 0444) },
	[PN_STAT] = { TEXT(text_stat, 0444) },
	[PN_UPTIME] = { TEXT(text_uptime, 0444) },
	[PN_LOADAVG] = { TEXT(text_loadavg, 0444) },
	[PN_FILESYSTEMS] = { TEXT(text_filesystems, 0444) },
	[PN_VERSION] = { TEXT(text_version, 0444) },
	[PN_SYS] = { DIR_OF(sys_children) },
	[PN_SYS_KERNEL] = { DIR_OF(kernel_children) },
	[PN_SYS_RANDOM] = { DIR_OF(random_children) },
	[PN_SYS_VM] = { DIR_OF(vm_children) },
	[PN_OSRELEASE] = { TEXT(text_uts, 0444) },
	[PN_OSTYPE] = { TEXT(text_uts, 0444) },
	[PN_HOSTNAME] = { TEXT(text_uts, 0644) },
	[PN_PID_MAX] = { TEXT(text_pid_max, 0644) },
	[PN_BOOT_ID] = { TEXT(text_boot_id, 0444) },
	[PN_UUID] = { TEXT(text_uuid, 0444) },
	[PN_OVERCOMMIT] = { TEXT(text_overcommit, 0644) },
	[PN_PID] = { .type = PT_DIR, .mode = 0555, .children = pid_children,
		     .nchildren = NPID_CHILDREN },
	[PN_TID] = { .type = PT_DIR, .mode = 0555, .children = pid_children + 1,
		     .nchildren = NPID_CHILDREN - 1 },
	[PN_TASK] = { .type = PT_DIR, .mode = 0555, .lookup = lookup_tid, .list = list_tids },
	[PN_FD_DIR] = { .type = PT_DIR, .mode = 0500, .lookup = lookup_fd, .list = list_fds },
	[PN_FDINFO_DIR] = { .type = PT_DIR, .mode = 0500, .lookup = lookup_fdinfo,
			    .list = list_fdinfo },
	[PN_NS_DIR] = { .type = PT_DIR, .mode = 0511, .children = ns_children,
			.nchildren = sizeof(ns_children) / sizeof(ns_children[0]) },
	[PN_EXE] = { LINK(link_exe) },
	[PN_CWD] = { LINK(link_cwd) },
	[PN_ROOT] = { LINK(link_root) },
	[PN_FD] = { .type = PT_LNK, .mode = 0700, .link = link_fd },
	[PN_FDINFO] = { TEXT(text_fdinfo, 0444) },
	[PN_NS] = { LINK(link_ns) },
	[PN_NSFILE] = { .type = PT_REG, .mode = 0444, .rw = NULL },
	[PN_MAPS] = { TEXT(text_maps, 0444) },
	[PN_SMAPS] = { TEXT(text_smaps, 0444) },
	[PN_MEM] = { .type = PT_REG, .mode = 0600, .rw = rw_mem },
	[PN_STATUS] = { TEXT(text_status, 0444) },
	[PN_PSTAT] = { TEXT(text_pstat, 0444) },
	[PN_STATM] = { TEXT(text_statm, 0444) },
	[PN_CMDLINE] = { TEXT(text_cmdline, 0444) },
	[PN_ENVIRON] = { TEXT(text_environ, 0400) },
	[PN_AUXV] = { TEXT(text_auxv, 0400) },
	[PN_COMM] = { TEXT(text_comm, 0644), .write = write_comm },
	[PN_LIMITS] = { TEXT(text_limits, 0444) },
	[PN_MOUNTINFO] = { TEXT(text_mountinfo, 0444) },
	[PN_PMOUNTS] = { TEXT(text_mounts, 0444) },
};
