/*
 * The trees the guest kernel serves itself (/proc, /sys, and the few
 * /dev entries that are the guest's), as fs/pseudo.c walks them and the
 * files that describe them fill them in: procfs.c (/proc's directories
 * and links), proctext.c (the text of /proc's files), sysfs.c (/sys),
 * devfs.c (/dev).  Internal to those files; the rest of the kernel uses
 * fs/pseudo.h.
 *
 * Every node is an id (enum pn_id) with the process, thread and
 * descriptor it is about; what a node is (directory, file, link,
 * device), its mode and how it is listed, read or followed is one row of
 * a table indexed by id (struct pn_info), never an if-ladder on names.
 */
#ifndef REKERNEL_FS_PSEUDO_TREE_H
#define REKERNEL_FS_PSEUDO_TREE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rrv/hypercall.h>

#include "lib/kprintf.h"

struct file;
struct proc;
struct thread;
struct uio;

enum pn_id {
	PN_NONE,
	/* /proc, system-wide (procfs.c, proctext.c) */
	PN_PROC, PN_SELF, PN_THREAD_SELF, PN_MOUNTS, PN_CPUINFO, PN_MEMINFO,
	PN_STAT, PN_UPTIME, PN_LOADAVG, PN_FILESYSTEMS, PN_VERSION,
	PN_SYS, PN_SYS_KERNEL, PN_SYS_RANDOM, PN_SYS_VM, PN_OSRELEASE,
	PN_OSTYPE, PN_HOSTNAME, PN_PID_MAX, PN_BOOT_ID, PN_UUID,
	PN_OVERCOMMIT,
	/* /proc/PID and /proc/PID/task/TID */
	PN_PID, PN_TID, PN_TASK, PN_FD_DIR, PN_FDINFO_DIR, PN_NS_DIR, PN_EXE,
	PN_CWD, PN_ROOT, PN_FD, PN_FDINFO, PN_NS, PN_NSFILE, PN_MAPS,
	PN_SMAPS, PN_MEM, PN_STATUS, PN_PSTAT, PN_STATM, PN_CMDLINE,
	PN_ENVIRON, PN_AUXV, PN_COMM, PN_LIMITS, PN_MOUNTINFO, PN_PMOUNTS,
	/* /sys (sysfs.c) */
	PN_SYSFS, PN_SYSFS_DEVICES, PN_SYSFS_SYSTEM, PN_SYSFS_CPU,
	PN_CPU_ONLINE, PN_CPU_POSSIBLE, PN_CPU_PRESENT,
	/* /dev (devfs.c) */
	PN_DEV_NULL, PN_DEV_ZERO, PN_DEV_FULL, PN_DEV_RANDOM, PN_DEV_URANDOM,
	PN_DEV_FD, PN_DEV_STDIN, PN_DEV_STDOUT, PN_DEV_STDERR,
	PN_NIDS
};

/* Node types (the S_IF* of their stat). */
enum pn_type { PT_DIR, PT_REG, PT_LNK, PT_CHR };

/* The longest canonical path of a node ("/proc/PID/task/TID/fdinfo/N"). */
#define PN_PATH_MAX 96

/* A node: what it is, whom it is about, and its canonical path (through
 * PIDs, never "self"). */
struct pnode {
	uint16_t id;
	uint16_t arg;        /* PN_NS, PN_NSFILE: which namespace */
	int pid, tid;        /* 0 when not about a process or thread */
	int fd;              /* PN_FD, PN_FDINFO: the descriptor; else -1 */
	char path[PN_PATH_MAX];
};

/* A growing text (a file's contents, a link's target). */
struct tb {
	char *p;
	size_t len, cap;
};
void tb_printf(struct tb *b, const char *fmt, ...) KPRINTF_FMT(2, 3);
void tb_put(struct tb *b, const void *s, size_t n);

/* What following a link reaches (pn_info.link fills it). */
enum po_kind {
	PO_TEXT, /* the target is the text, a path to resolve */
	PO_FILE, /* an open file (borrowed), whose name the text is */
	PO_CWD,  /* a working directory: file (NULL for rrv's own) */
	PO_NS,   /* a namespace file (PN_NSFILE) */
};
struct pobj {
	enum po_kind kind;
	struct file *file;
};

/* A directory listing being made. */
struct dlist;
/* Adds an entry; false once the listing is full. */
bool dl_add(struct dlist *dl, const char *name, enum pn_type type, uint64_t ino);

/* A static child of a directory. */
struct pn_child {
	const char *name;
	uint16_t id;
	uint16_t arg;
};

/* One row per node id. */
struct pn_info {
	enum pn_type type;
	uint16_t mode; /* permission bits */
	/* Directories: the fixed children, and (may be NULL) the ones that
	 * come and go (PIDs, TIDs, descriptors): lookup gives 1 with *out
	 * filled (but its path) or 0, list adds them all. */
	const struct pn_child *children;
	uint8_t nchildren;
	int (*lookup)(const struct pnode *dir, const char *name, struct pnode *out);
	void (*list)(const struct pnode *dir, struct dlist *dl);
	/* Regular files: the text at open (0 or -errno), or a transfer of
	 * their own (devices, mem) at pos; a write to a text file goes to
	 * write (NULL: not writable). */
	int (*text)(const struct pnode *n, struct tb *b);
	int64_t (*rw)(const struct pnode *n, struct uio *u, uint64_t pos, bool write);
	int64_t (*write)(const struct pnode *n, const char *buf, size_t len);
	/* Links: the target's text into b, and what it leads to. */
	int (*link)(const struct pnode *n, struct tb *b, struct pobj *obj);
	uint32_t rdev; /* devices: Linux's major << 8 | minor */
};

/* The rows of each tree, indexed by id (procfs.c, sysfs.c, devfs.c). */
extern const struct pn_info procfs_info[PN_NIDS];
extern const struct pn_info sysfs_info[PN_NIDS];
extern const struct pn_info devfs_info[PN_NIDS];

/* The row of n's id. */
const struct pn_info *pn_info(uint16_t id);

/* The process (alive or zombie) and thread a node is about, or NULL. */
struct proc *pn_proc(const struct pnode *n);
struct thread *pn_thread(const struct pnode *n);

/* A decimal number that is all of s (no sign, no leading zero), or -1. */
int pn_number(const char *s);

/* proctext.c: the text makers of the table rows. */
int text_cpuinfo(const struct pnode *n, struct tb *b);
int text_meminfo(const struct pnode *n, struct tb *b);
int text_stat(const struct pnode *n, struct tb *b);
int text_uptime(const struct pnode *n, struct tb *b);
int text_loadavg(const struct pnode *n, struct tb *b);
int text_filesystems(const struct pnode *n, struct tb *b);
int text_version(const struct pnode *n, struct tb *b);
int text_uts(const struct pnode *n, struct tb *b);
int text_pid_max(const struct pnode *n, struct tb *b);
int text_boot_id(const struct pnode *n, struct tb *b);
int text_uuid(const struct pnode *n, struct tb *b);
int text_overcommit(const struct pnode *n, struct tb *b);
int text_maps(const struct pnode *n, struct tb *b);
int text_smaps(const struct pnode *n, struct tb *b);
int text_status(const struct pnode *n, struct tb *b);
int text_pstat(const struct pnode *n, struct tb *b);
int text_statm(const struct pnode *n, struct tb *b);
int text_cmdline(const struct pnode *n, struct tb *b);
int text_environ(const struct pnode *n, struct tb *b);
int text_auxv(const struct pnode *n, struct tb *b);
int text_comm(const struct pnode *n, struct tb *b);
int64_t write_comm(const struct pnode *n, const char *buf, size_t len);
int text_limits(const struct pnode *n, struct tb *b);
int text_mountinfo(const struct pnode *n, struct tb *b);
int text_mounts(const struct pnode *n, struct tb *b);
int text_fdinfo(const struct pnode *n, struct tb *b);

/* procfs.c: the inode number of namespace arg (PN_NS, PN_NSFILE). */
uint32_t pn_ns_ino(uint16_t arg);

/* procfs.c: /proc/PID/mem, through the process's page tables. */
int64_t rw_mem(const struct pnode *n, struct uio *u, uint64_t pos, bool write);

/* pseudo.c: the target text of /proc/PID/fd/N for open file f into b,
 * and what it leads to (PO_TEXT for a file of ours, else PO_FILE), or
 * -errno. */
int pn_fd_link(struct file *f, struct tb *b);
/* pseudo.c: /proc/PID/cwd of p (PO_CWD, or PO_TEXT for a directory of
 * ours): 0 or -errno. */
int pn_cwd_link(struct proc *p, struct tb *b, struct pobj *obj);
/* pseudo.c: a node's inode number, its stat, and whether the caller may
 * make accesses want (4 read, 2 write, 1 search or run) of a file with
 * mode, uid and gid. */
uint64_t pn_ino(const struct pnode *n);
void pn_stat(const struct pnode *n, struct rrv_stat *st);
bool pn_permits(uint32_t mode, uint32_t uid, uint32_t gid, uint32_t want);

/* pseudofile.c: an open file on node n with open(2)'s flags: 0 with
 * *out, or -errno. */
int pn_open(const struct pnode *n, uint32_t flags, struct file **out);

/* pseudofile.c: the inode number of a child of dir that is not one of its
 * fixed children (listings of PIDs, TIDs, descriptors). */
uint64_t pn_child_ino(const struct pnode *dir, uint16_t id, int pid, int tid, int fd);

/* devfs.c: our entries of /dev (the rest of /dev is the host's), ending
 * with a NULL name. */
extern const struct pn_child devfs_root[];

#endif
