/*
 * The namespace the guest kernel answers itself (contracts in pseudo.h):
 * resolving a path into it, and the open files on its nodes.
 *
 * Why here and not on the host: the host's /proc describes rrv, not the
 * program (its maps, its status, its executable, its pids), and its
 * /dev/urandom would hand the program bytes no recording could see.  So
 * every path is normalised and, when it lies under /proc or /sys or names
 * one of our /dev entries, walked through the trees of pseudo_tree.h,
 * whose text is made from the guest's own state; anything they need from
 * outside (random bytes, the clock, the host's uname) comes through the
 * recorded hypercalls.
 *
 * The decision is lexical: "/usr/../proc/self" is ours, as the host
 * would resolve it there.  A link of ours that leads out of the trees
 * (/proc/PID/cwd, exe, fd/N, root) is followed by rewriting the path to
 * its target, which then goes to the host, or at the end of a path by
 * handing back the open file it stands for (PATH_OBJ).
 */
#include "fs/pseudo.h"

#include <rrv/hypercall.h>

#include "arch/x86/vm.h"
#include "fs/file.h"
#include "fs/mapfile.h"
#include "fs/path.h"
#include "hv/hypercall.h"
#include "lib/string.h"
#include "mm/kalloc.h"
#include "mm/mm.h"
#include "proc/proc.h"
#include "uapi/errno.h"

#define MAX_LINKS 40  /* Linux's MAXSYMLINKS */

/* The target of the link read last (read_link). */
static char linkbuf[PATH_MAX];

/* ---- small helpers of the trees ---- */

void tb_put(struct tb *b, const void *s, size_t n)
{
	if (b->len >= b->cap)
		return;
	if (n > b->cap - b->len)
		n = b->cap - b->len;
	memcpy(b->p + b->len, s, n);
	b->len += n;
}

void tb_printf(struct tb *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	size_t room = b->len < b->cap ? b->cap - b->len : 0;
	b->len += kvsnprintf(b->p + b->len, room, fmt, ap);
	if (b->len > b->cap)
		b->len = b->cap;
	va_end(ap);
}

const struct pn_info *pn_info(uint16_t id)
{
	if (id >= PN_SYSFS && id <= PN_CPU_PRESENT)
		return &sysfs_info[id];
	if (id >= PN_DEV_NULL && id < PN_NIDS)
		return &devfs_info[id];
	return &procfs_info[id < PN_NIDS ? id : PN_NONE];
}

struct proc *pn_proc(const struct pnode *n)
{
	struct proc *p = n->pid > 0 ? proc_find(n->pid) : NULL;
	return p && p->state != P_DEAD ? p : NULL;
}

struct thread *pn_thread(const struct pnode *n)
{
	struct proc *p = pn_proc(n);
	if (!p)
		return NULL;
	int tid = n->tid ? n->tid : n->pid;
	for (struct thread *t = p->threads; t; t = t->next)
		if (t->tid == tid && t->state != T_ZOMBIE && t->state != T_UNUSED)
			return t;
	return n->tid ? NULL : p->threads;
}

int pn_number(const char *s)
{
	int v = 0;
	if (!*s || (*s == '0' && s[1]))
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > 100000000)
			return -1;
		v = v * 10 + (*s - '0');
	}
	return v;
}

static bool prefix_dir(const char *p, const char *dir)
{
	size_t n = strlen(dir);
	return strncmp(p, dir, n) == 0 && (p[n] == '\0' || p[n] == '/');
}

/* A node's inode number: distinct for distinct nodes. */
uint64_t pn_ino(const struct pnode *n)
{
	if (n->id == PN_PROC)
		return 1; /* procfs's root, as Linux numbers it */
	uint64_t who = (uint64_t)(n->tid ? n->tid : n->pid);
	return who << 32 | (uint64_t)n->id << 20 | (uint64_t)n->arg << 16 |
	       (uint64_t)((n->fd + 1) & 0xffff);
}

const char *pseudo_obj_path(const struct pathres *r)
{
	if (r->kind != PATH_OBJ || linkbuf[0] != '/')
		return NULL;
	if (r->obj.kind == PO_FILE && r->obj.file->ops->kind != FILE_HOST)
		return NULL;
	return linkbuf;
}

int64_t pseudo_change_err(void)
{
	return curproc->euid == 0 ? -EPERM : -EACCES;
}

/* ---- normalising ---- */

/*
 * in, absolute, with "." and empty components dropped and ".." taken
 * lexically, into out (cap bytes): its length, or -ENAMETOOLONG.  *slash:
 * the path ends in '/', "." or "..", so it must name a directory.
 */
static int normalize(const char *in, char *out, size_t cap, bool *slash)
{
	size_t len = 1;
	const char *p = in;
	out[0] = '/';
	*slash = false;
	while (*p) {
		while (*p == '/')
			p++;
		if (!*p) {
			*slash = true;
			break;
		}
		const char *s = p;
		while (*p && *p != '/')
			p++;
		size_t n = (size_t)(p - s);
		*slash = false;
		if (n == 1 && s[0] == '.') {
			*slash = true;
			continue;
		}
		if (n == 2 && s[0] == '.' && s[1] == '.') {
			while (len > 1 && out[len - 1] != '/')
				len--;
			if (len > 1)
				len--;
			*slash = true;
			continue;
		}
		if (len > 1)
			out[len++] = '/';
		if (len + n + 1 > cap)
			return -ENAMETOOLONG;
		memcpy(out + len, s, n);
		len += n;
	}
	out[len] = '\0';
	return (int)len;
}

/* Whether the normalised path p is ours. */
static bool ours(const char *p)
{
	if (prefix_dir(p, "/proc") || prefix_dir(p, "/sys"))
		return true;
	if (strncmp(p, "/dev/", 5) != 0)
		return false;
	const char *name = p + 5;
	size_t n = 0;
	while (name[n] && name[n] != '/')
		n++;
	for (const struct pn_child *c = devfs_root; c->name; c++)
		if (strlen(c->name) == n && strncmp(c->name, name, n) == 0)
			return true;
	return false;
}

/* A relative path that could lead into ours from a host directory: one
 * that goes up, or starts with one of our top directories. */
static bool may_reach(const char *rel)
{
	static const char *const tops[] = { "proc", "sys", "dev" };
	for (size_t i = 0; i < sizeof(tops) / sizeof(tops[0]); i++)
		if (prefix_dir(rel, tops[i]))
			return true;
	for (const char *p = rel; *p; p++)
		if ((p == rel || p[-1] == '/') && p[0] == '.' && p[1] == '.' &&
		    (p[2] == '/' || p[2] == '\0'))
			return true;
	return false;
}

/* ---- host directories' paths ---- */

/* The host's path of handle h into a new kmalloc'd string, or NULL. */
static char *fdpath_dup(int32_t h)
{
	static char buf[PATH_MAX];
	struct rrv_hc_fdpath a;
	memset(&a, 0, sizeof(a));
	a.handle = (uint32_t)h;
	a.buf = virt_to_phys(buf);
	a.len = PATH_MAX - 1;
	int64_t n = hc_call(RRV_HC_FDPATH, &a);
	if (n <= 0 || buf[0] != '/')
		return NULL;
	char *s = kmalloc((size_t)n + 1);
	if (s) {
		memcpy(s, buf, (size_t)n);
		s[n] = '\0';
	}
	return s;
}

/* rrv's own working directory (the program's until it changes it),
 * asked of the host once. */
static const char *rrv_cwd(void)
{
	static char cwd[PATH_MAX];
	static bool have;
	if (!have) {
		struct rrv_hc_getcwd a;
		memset(&a, 0, sizeof(a));
		a.buf = virt_to_phys(cwd);
		a.len = PATH_MAX - 1;
		if (hc_call(RRV_HC_GETCWD, &a) <= 0)
			return NULL;
		have = true;
	}
	return cwd;
}

/* The absolute path of directory f (NULL: rrv's working directory), from
 * the path it was opened at or, once, from the host. */
static const char *dir_path(struct file *f)
{
	if (!f)
		return rrv_cwd();
	const char *pp = pseudo_dir_path(f);
	if (pp)
		return pp;
	if (f->ops->kind != FILE_HOST)
		return NULL;
	if (!f->path)
		f->path = fdpath_dup(f->handle);
	return f->path;
}

/* ---- walking the trees ---- */

/* The child called name of directory node dir, into *out: 0 or -ENOENT. */
static int child(const struct pnode *dir, const char *name, size_t namelen,
		 struct pnode *out)
{
	const struct pn_info *in = pn_info(dir->id);
	char nm[32];
	if (namelen >= sizeof(nm))
		return -ENOENT;
	memcpy(nm, name, namelen);
	nm[namelen] = '\0';
	memset(out, 0, sizeof(*out));
	out->pid = dir->pid;
	out->tid = dir->tid;
	out->fd = -1;
	bool found = false;
	for (int i = 0; i < in->nchildren && !found; i++) {
		if (strcmp(in->children[i].name, nm) == 0) {
			out->id = in->children[i].id;
			out->arg = in->children[i].arg;
			found = true;
		}
	}
	if (!found && in->lookup)
		found = in->lookup(dir, nm, out) > 0;
	if (!found)
		return -ENOENT;
	if (ksnprintf(out->path, sizeof(out->path), "%s/%s", dir->path, nm) >= sizeof(out->path))
		return -ENAMETOOLONG;
	return 0;
}

/* The link target of n: its text in linkbuf (NUL-terminated) and what it
 * leads to; -errno when it leads nowhere (a process gone, no cwd).  The
 * text stays there until the next path is resolved (open_obj reads it). */
static int read_link(const struct pnode *n, struct pobj *obj)
{
	struct tb b = { linkbuf, 0, PATH_MAX - 1 };
	memset(obj, 0, sizeof(*obj));
	int r = pn_info(n->id)->link(n, &b, obj);
	if (r < 0)
		return r;
	linkbuf[b.len] = '\0';
	return b.len ? 0 : -ENOENT;
}

/*
 * Walks norm (normalised, ours) into r; path is the caller's buffer, for
 * a result that leaves our trees.
 */
static int walk(char *norm, bool follow, struct pathres *r, char *path)
{
	static char next[PATH_MAX];
	int links = 0;
	follow = follow || r->slash;
restart:;
	struct pnode cur;
	const char *p;
	memset(&cur, 0, sizeof(cur));
	cur.fd = -1;
	if (prefix_dir(norm, "/proc")) {
		cur.id = PN_PROC;
		p = norm + 5;
	} else if (prefix_dir(norm, "/sys")) {
		cur.id = PN_SYSFS;
		p = norm + 4;
	} else {
		p = norm + 5;
		const char *e = p;
		while (*e && *e != '/')
			e++;
		const struct pn_child *c = devfs_root;
		while (c->name && (strlen(c->name) != (size_t)(e - p) ||
				   strncmp(c->name, p, (size_t)(e - p)) != 0))
			c++;
		if (!c->name)
			return -ENOENT;
		cur.id = c->id;
		p = e;
	}
	memcpy(cur.path, norm, (size_t)(p - norm));
	cur.path[p - norm] = '\0';

	for (;;) {
		while (*p == '/')
			p++;
		const struct pn_info *in = pn_info(cur.id);
		if (in->type == PT_LNK && (*p || follow)) {
			struct pobj obj;
			int e = read_link(&cur, &obj);
			if (e < 0)
				return e;
			if (obj.kind != PO_TEXT && !*p) {
				r->node = cur;
				r->obj = obj;
				if (obj.kind == PO_NS) {
					r->node.id = PN_NSFILE;
					r->kind = PATH_NODE;
				} else {
					r->kind = PATH_OBJ;
				}
				return 0;
			}
			if (linkbuf[0] != '/' && obj.kind != PO_TEXT)
				return -ENOTDIR; /* "pipe:[3]/x" */
			if (++links > MAX_LINKS)
				return -ELOOP;
			/* The target, relative to the link's directory, then
			 * the rest of the path. */
			size_t dl = 0;
			if (linkbuf[0] != '/') {
				dl = strlen(cur.path);
				while (dl > 0 && cur.path[dl - 1] != '/')
					dl--;
				if (dl > 0)
					dl--;
			}
			if (dl + 1 + strlen(linkbuf) + 1 + strlen(p) + 1 > PATH_MAX)
				return -ENAMETOOLONG;
			memcpy(next, cur.path, dl);
			ksnprintf(next + dl, PATH_MAX - dl, *p ? "/%s/%s" : "/%s", linkbuf, p);
			bool was = r->slash;
			int n = normalize(next, norm, PATH_MAX, &r->slash);
			if (n < 0)
				return n;
			if (!*p)
				r->slash = r->slash || was;
			if (!ours(norm)) {
				memcpy(path, norm, (size_t)n + 1);
				r->kind = PATH_HOST;
				return 0;
			}
			goto restart;
		}
		if (!*p)
			break;
		if (in->type != PT_DIR)
			return -ENOTDIR;
		const char *s = p;
		while (*p && *p != '/')
			p++;
		struct pnode c;
		int e = child(&cur, s, (size_t)(p - s), &c);
		if (e < 0) {
			const char *q = p;
			while (*q == '/')
				q++;
			r->parent_ok = e == -ENOENT && !*q;
			return e;
		}
		cur = c;
	}
	if (r->slash && pn_info(cur.id)->type != PT_DIR)
		return -ENOTDIR;
	r->kind = PATH_NODE;
	r->node = cur;
	return 0;
}

int path_resolve(int dirfd, char *path, bool follow, struct pathres *r)
{
	static char full[PATH_MAX], norm[PATH_MAX];
	memset(r, 0, sizeof(*r));
	r->kind = PATH_HOST;
	if (!path[0])
		return 0;
	const char *src = path;
	bool from_ours = false;
	if (path[0] != '/') {
		struct file *base = dirfd == AT_FDCWD ? curproc->cwd : fd_file(dirfd);
		if (dirfd != AT_FDCWD && !base)
			return 0; /* at_dir says EBADF */
		const char *bp = base ? pseudo_dir_path(base) : NULL;
		if (base && file_is_pseudo(base) && !bp)
			return -ENOTDIR;
		from_ours = bp != NULL;
		if (!bp && !may_reach(path))
			return 0;
		if (!bp && base && base->ops->kind != FILE_HOST)
			return 0;
		if (!bp && !(bp = dir_path(base)))
			return 0;
		if (ksnprintf(full, sizeof(full), "%s/%s", bp, path) >= sizeof(full))
			return -ENAMETOOLONG;
		src = full;
	}
	int n = normalize(src, norm, sizeof(norm), &r->slash);
	if (n < 0)
		return n;
	if (!ours(norm)) {
		/* Left as it was, so the host resolves it with its links;
		 * but from a directory of ours the host needs all of it. */
		if (from_ours)
			memcpy(path, norm, (size_t)n + 1);
		return 0;
	}
	return walk(norm, follow, r, path);
}

/* ---- stat and access ---- */

/* The owner of node n: the process's, root for the rest. */
static void pn_owner(const struct pnode *n, uint32_t *uid, uint32_t *gid)
{
	struct proc *p = pn_proc(n);
	*uid = p ? p->euid : 0;
	*gid = p ? p->egid : 0;
}

void pn_stat(const struct pnode *n, struct rrv_stat *st)
{
	const struct pn_info *in = pn_info(n->id);
	static const uint32_t ifmt[] = { [PT_DIR] = S_IFDIR, [PT_REG] = S_IFREG,
					 [PT_LNK] = S_IFLNK, [PT_CHR] = S_IFCHR };
	memset(st, 0, sizeof(*st));
	st->st_mode = ifmt[in->type] | in->mode;
	st->st_nlink = in->type == PT_DIR ? 2 : 1;
	st->st_blksize = PGSIZE;
	st->st_ino = pn_ino(n);
	pn_owner(n, &st->st_uid, &st->st_gid);
	if (n->id == PN_FD) {
		/* As Linux: the link's permissions say how the file is open
		 * (lr-x for reading, l-wx for writing), its size is 64. */
		struct proc *p = pn_proc(n);
		struct file *f = p ? files_lookup(p->files, n->fd) : NULL;
		uint32_t acc = f ? f->flags & O_ACCMODE : O_RDWR;
		st->st_mode = S_IFLNK | 0100 | (acc != O_WRONLY ? 0400 : 0) |
			      (acc != O_RDONLY ? 0200 : 0);
		st->st_size = 64;
	}
	if (n->id >= PN_DEV_NULL) {
		st->st_dev = 0x5; /* devtmpfs */
		st->st_rdev = in->rdev;
	} else if (n->id >= PN_SYSFS) {
		st->st_dev = 0x15;
		st->st_size = in->type == PT_REG ? PGSIZE : 0;
	} else {
		st->st_dev = n->id == PN_NSFILE ? 0x4 : 0x16;
		if (n->id == PN_NSFILE)
			st->st_ino = pn_ns_ino(n->arg);
	}
}

/* A working directory's stat, through its handle. */
static int cwd_stat(struct file *cwd, struct rrv_stat *st)
{
	static const char dot[] = ".";
	struct rrv_hc_fstatat a;
	memset(&a, 0, sizeof(a));
	a.dir = cwd && cwd->ops->kind == FILE_HOST ? cwd->handle : RRV_HC_AT_CWD;
	a.path.gpa = virt_to_phys(dot);
	a.path.len = 1;
	a.stat = virt_to_phys(st);
	return (int)hc_call(RRV_HC_FSTATAT, &a);
}

int pseudo_stat(const struct pathres *r, struct rrv_stat *st)
{
	if (r->kind == PATH_NODE) {
		pn_stat(&r->node, st);
		return 0;
	}
	if (r->obj.kind == PO_CWD)
		return cwd_stat(r->obj.file, st);
	return r->obj.file->ops->stat(r->obj.file, st);
}

/* Whether the caller may make accesses want (4 read, 2 write, 1 search)
 * of a file with mode, uid and gid: the owner's, group's or others'
 * bits; root may do anything but run a file no one may run. */
bool pn_permits(uint32_t mode, uint32_t uid, uint32_t gid, uint32_t want)
{
	if (curproc->euid == 0)
		return !(want & 1) || (mode & 0111) || (mode & S_IFMT) == S_IFDIR;
	uint32_t bits = curproc->euid == uid ? mode >> 6 : curproc->egid == gid ? mode >> 3 : mode;
	return (bits & want & 7) == (want & 7);
}

int64_t pseudo_access(const struct pathres *r, uint32_t mode)
{
	struct rrv_stat st;
	if (mode & ~7u)
		return -EINVAL;
	int e = pseudo_stat(r, &st);
	if (e < 0)
		return e;
	return pn_permits(st.st_mode, st.st_uid, st.st_gid, mode) ? 0 : -EACCES;
}

/* ---- links ---- */

int64_t pseudo_readlink(const struct pathres *r, char *buf, size_t len)
{
	if (r->kind != PATH_NODE || pn_info(r->node.id)->type != PT_LNK)
		return -EINVAL;
	struct pobj obj;
	int e = read_link(&r->node, &obj);
	if (e < 0)
		return e;
	size_t n = strlen(linkbuf);
	if (n > len)
		n = len;
	memcpy(buf, linkbuf, n);
	return (int64_t)n;
}

int pn_fd_link(struct file *f, struct tb *b)
{
	if (file_is_pseudo(f)) {
		tb_printf(b, "%s", ((struct pnode *)f->priv)->path);
		return PO_TEXT;
	}
	if (f->ops->kind == FILE_HOST) {
		struct rrv_hc_fdpath a;
		memset(&a, 0, sizeof(a));
		a.handle = (uint32_t)f->handle;
		a.buf = virt_to_phys(b->p + b->len);
		a.len = b->cap - b->len;
		int64_t n = hc_call(RRV_HC_FDPATH, &a);
		if (n < 0)
			return (int)n;
		b->len += (size_t)n;
		return PO_FILE;
	}
	struct rrv_stat st;
	if (f->ops->stat(f, &st) < 0)
		st.st_ino = 0;
	switch (f->ops->kind) {
	case FILE_PIPE:
		tb_printf(b, "pipe:[%lu]", st.st_ino);
		break;
	case FILE_UNIX:
	case FILE_SOCKET:
		tb_printf(b, "socket:[%lu]", st.st_ino);
		break;
	case FILE_EPOLL:
		tb_printf(b, "anon_inode:[eventpoll]");
		break;
	case FILE_EVENTFD:
		tb_printf(b, "anon_inode:[eventfd]");
		break;
	case FILE_TIMERFD:
		tb_printf(b, "anon_inode:[timerfd]");
		break;
	default:
		tb_printf(b, "anon_inode:[%lu]", st.st_ino);
	}
	return PO_FILE;
}

int pseudo_reopen(struct file *f, uint32_t flags, struct file **out)
{
	if (f->ops->kind == FILE_SOCKET || f->ops->kind == FILE_UNIX)
		return -ENXIO;
	char *path = f->ops->kind == FILE_HOST ? fdpath_dup(f->handle) : NULL;
	if (path) {
		struct rrv_hc_openat a;
		memset(&a, 0, sizeof(a));
		a.dir = RRV_HC_AT_CWD;
		a.flags = flags & OPEN_HOST_FLAGS & ~(uint32_t)(O_CREAT | O_EXCL | O_TMPFILE);
		a.path.gpa = virt_to_phys(path);
		a.path.len = strlen(path);
		int64_t h = hc_call(RRV_HC_OPENAT, &a);
		kfree(path);
		struct file *nf = h >= 0 ? hostfile_new((int32_t)h, flags & (O_NONBLOCK | O_PATH)) : NULL;
		if (h >= 0 && !nf)
			host_close((int32_t)h);
		struct rrv_stat now, was;
		if (nf && hostfile_stat(nf, &now) == 0 && f->ops->stat(f, &was) == 0 &&
		    now.st_ino == was.st_ino && now.st_dev == was.st_dev) {
			*out = nf;
			return 0;
		}
		if (nf)
			file_put(nf);
	}
	file_get(f);
	*out = f;
	return 0;
}

/* open of what a magic link stands for: a working directory opened
 * again through its handle, or the open file (pseudo_reopen). */
static int open_obj(const struct pathres *r, uint32_t flags, struct file **out)
{
	const struct pobj *o = &r->obj;
	if (o->kind == PO_FILE)
		return pseudo_reopen(o->file, flags, out);
	static const char dot[] = ".";
	struct rrv_hc_openat a;
	memset(&a, 0, sizeof(a));
	a.flags = flags & OPEN_HOST_FLAGS & ~(uint32_t)(O_CREAT | O_EXCL | O_TMPFILE);
	a.dir = o->file && o->file->ops->kind == FILE_HOST ? o->file->handle : RRV_HC_AT_CWD;
	a.path.gpa = virt_to_phys(dot);
	a.path.len = 1;
	int64_t h = hc_call(RRV_HC_OPENAT, &a);
	if (h < 0)
		return (int)h;
	struct file *f = hostfile_new((int32_t)h, flags & (O_NONBLOCK | O_PATH));
	if (!f) {
		host_close((int32_t)h);
		return -ENOMEM;
	}
	*out = f;
	return 0;
}

int pseudo_open(const struct pathres *r, uint32_t flags, struct file **out)
{
	return r->kind == PATH_OBJ ? open_obj(r, flags, out) : pn_open(&r->node, flags, out);
}

/* ---- the program file ---- */

void pseudo_set_exe(struct mapfile *mf)
{
	mapfile_get(mf);
	if (curproc->exe)
		mapfile_put(curproc->exe);
	curproc->exe = mf;
}

/* The text of /proc/PID/cwd for p: its directory's path, and the
 * directory (PO_CWD) unless it is one of ours (PO_TEXT). */
int pn_cwd_link(struct proc *p, struct tb *b, struct pobj *obj)
{
	const char *path = dir_path(p->cwd);
	if (!path)
		return -ENOENT;
	tb_printf(b, "%s", path);
	obj->kind = p->cwd && file_is_pseudo(p->cwd) ? PO_TEXT : PO_CWD;
	obj->file = p->cwd;
	return 0;
}
