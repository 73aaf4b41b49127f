/*
 * execve and execveat: the calling process becomes another program.
 *
 * Linux's order, which decides the error a program sees:
 *   1. the path, the argument and environment strings are copied in
 *      (EFAULT, ENAMETOOLONG, E2BIG);
 *   2. the file must exist and be executable (ENOENT, EACCES... from
 *      the host's access check), and be a regular file (EACCES);
 *   3. a script ("#!interpreter [arg]") is run by its interpreter, with
 *      the script's path as an argument, up to 4 levels (ELOOP); a
 *      program is loaded into a new address space (ENOEXEC, ENOMEM...):
 *      up to here a failure leaves the caller as it was;
 *   4. past that point nothing can fail: the other threads end, the old
 *      memory goes (a vfork parent is let go), close-on-exec descriptors
 *      close, caught signals go back to their default action, and the
 *      thread starts the new program with fresh registers.
 * The file is read through OPENAT and READ hypercalls, so a recording
 * holds what was run.  Searching PATH is the libc's business.
 */
#include <rrv/arglimit.h>
#include <rrv/hypercall.h>

#include "arch/x86/x86.h"
#include "fs/exec.h"
#include "fs/file.h"
#include "fs/path.h"
#include "fs/pseudo.h"
#include "hv/hypercall.h"
#include "lib/kprintf.h"
#include "lib/string.h"
#include "lib/syscall.h"
#include "mm/kalloc.h"
#include "mm/mm.h"
#include "mm/uaccess.h"
#include "proc/debugger.h"
#include "proc/proc.h"
#include "proc/signal.h"
#include "uapi/errno.h"
#include "uapi/unistd.h"

#define MAX_ARG_STRLEN ((int)RRV_MAX_ARG_STRLEN) /* one string, NUL included */
#define MAX_ARG_STRINGS 0x7fffffff
#define X_OK 1
#define BINPRM_BUF_SIZE 256  /* what Linux reads of a file to tell its kind */
#define MAX_SCRIPT_DEPTH 4   /* scripts run by scripts (BINPRM_MAX_RECURSION) */

/* The copied-in strings: a run of pages holding argv then envp, in
 * struct exec_args's layout. */
struct argbuf {
	char *buf;
	int pages;
	uint64_t len;
	struct exec_args ea;
};

static void argbuf_free(struct argbuf *ab)
{
	for (int i = 0; i < ab->pages; i++)
		page_free(ab->buf + (uint64_t)i * PGSIZE);
	ab->buf = NULL;
	ab->pages = 0;
}

/* The arguments' total may be a quarter of RLIMIT_STACK, from 128 KiB to
 * 6 MiB (Linux's bprm limit, <rrv/arglimit.h>; exec.c checks the exact
 * figure with the pointers). */
static uint64_t arg_limit(void)
{
	return rrv_arg_limit(curproc->rlimit[RLIMIT_STACK].cur);
}

/*
 * Walks the NULL-terminated user array uvec (NULL: empty): counts its
 * strings into *n and their bytes (NULLs included) into *bytes, and when
 * dst is set copies them there.  scratch holds one string while
 * measuring.
 */
static int walk_strings(uint64_t uvec, uint32_t *n, uint64_t *bytes, char *dst, char *scratch)
{
	*n = 0;
	if (!uvec)
		return 0;
	for (uint64_t i = 0;; i++) {
		uint64_t up;
		if (copy_from_user(&up, uvec + i * 8, sizeof(up)))
			return -EFAULT;
		if (!up)
			return 0;
		if (i >= MAX_ARG_STRINGS)
			return -E2BIG;
		int64_t len = strncpy_from_user(dst ? dst + *bytes : scratch, up, MAX_ARG_STRLEN);
		if (len == -ENAMETOOLONG)
			return -E2BIG;
		if (len < 0)
			return (int)len;
		*bytes += (uint64_t)len + 1;
		if (*bytes > arg_limit())
			return -E2BIG;
		(*n)++;
	}
}

/* Copies argv and envp in: measured first, so that the buffer is as big
 * as the strings. */
static int copy_args(uint64_t uargv, uint64_t uenvp, struct argbuf *ab)
{
	uint64_t bytes = 0;
	uint32_t argc, envc;
	char *scratch = page_alloc_run(MAX_ARG_STRLEN / PGSIZE);
	if (!scratch)
		return -ENOMEM;
	int r = walk_strings(uargv, &argc, &bytes, NULL, scratch);
	if (!r)
		r = walk_strings(uenvp, &envc, &bytes, NULL, scratch);
	for (int i = 0; i < MAX_ARG_STRLEN / PGSIZE; i++)
		page_free(scratch + i * PGSIZE);
	if (r)
		return r;

	ab->pages = (int)((bytes + PGSIZE) / PGSIZE);
	ab->buf = page_alloc_run(ab->pages);
	if (!ab->buf) {
		ab->pages = 0;
		return -ENOMEM;
	}
	/* The program may have changed its strings since they were
	 * measured only if another thread ran, which none can here (no
	 * scheduling point in between); the bounds still hold whatever. */
	uint64_t at = 0;
	uint32_t n;
	r = walk_strings(uargv, &n, &at, ab->buf, NULL);
	if (!r && n == argc) {
		r = walk_strings(uenvp, &n, &at, ab->buf, NULL);
		if (!r && n != envc)
			r = -EFAULT;
	} else if (!r) {
		r = -EFAULT;
	}
	if (r) {
		argbuf_free(ab);
		return r;
	}
	ab->len = at;
	ab->ea.strings = ab->buf;
	ab->ea.argc = argc;
	ab->ea.envc = envc;
	return 0;
}

/*
 * A "#!" line in buf (n bytes): the interpreter (NUL-terminated in
 * place) in *interp and its one optional argument in *arg (NULL for
 * none), as Linux's binfmt_script splits it.  0, or -ENOEXEC for a line
 * with no interpreter or one cut by the end of the buffer.
 */
static int parse_shebang(char *buf, int64_t n, char **interp, char **arg)
{
	char *end = buf + n, *p = buf + 2;
	char *nl = p;
	while (nl < end && *nl != '\n')
		nl++;
	bool cut = nl == end;
	end = nl;
	*end = '\0';
	while (end > p && (end[-1] == ' ' || end[-1] == '\t'))
		*--end = '\0';
	while (*p == ' ' || *p == '\t')
		p++;
	if (!*p)
		return -ENOEXEC;
	*interp = p;
	while (*p && *p != ' ' && *p != '\t')
		p++;
	if (cut && !*p)
		return -ENOEXEC; /* the name may go on past what was read */
	if (*p) {
		*p++ = '\0';
		while (*p == ' ' || *p == '\t')
			p++;
	}
	*arg = *p ? p : NULL;
	return 0;
}

/* The arguments for a script's interpreter: interp, arg (if any), the
 * script's path, then the script's own arguments but its argv[0], and
 * the same environment.  Replaces ab's strings. */
static int script_args(struct argbuf *ab, const char *interp, const char *arg,
		       const char *path)
{
	const char *rest = ab->ea.strings;
	uint64_t skip = 0;
	if (ab->ea.argc > 0)
		skip = strlen(rest) + 1;
	uint64_t head = strlen(interp) + 1 + (arg ? strlen(arg) + 1 : 0) + strlen(path) + 1;
	uint64_t len = head + ab->len - skip;
	if (len > arg_limit())
		return -E2BIG;
	struct argbuf nb = { 0 };
	nb.pages = (int)((len + PGSIZE) / PGSIZE);
	nb.buf = page_alloc_run(nb.pages);
	if (!nb.buf)
		return -ENOMEM;
	char *at = nb.buf;
	const char *parts[3] = { interp, arg, path };
	uint32_t added = 0;
	for (int i = 0; i < 3; i++) {
		if (!parts[i])
			continue;
		size_t l = strlen(parts[i]) + 1;
		memcpy(at, parts[i], l);
		at += l;
		added++;
	}
	memcpy(at, rest + skip, ab->len - skip);
	nb.len = len;
	nb.ea.strings = nb.buf;
	nb.ea.argc = added + (ab->ea.argc > 0 ? ab->ea.argc - 1 : 0);
	nb.ea.envc = ab->ea.envc;
	argbuf_free(ab);
	*ab = nb;
	return 0;
}

/* The host's access(path, X_OK) from dir: ENOENT, EACCES, ENOTDIR,
 * ELOOP... */
static int check_exec_access(int32_t dir, const char *path, size_t len)
{
	struct rrv_hc_pathop a;
	memset(&a, 0, sizeof(a));
	a.dir = path[0] == '/' ? RRV_HC_AT_CWD : dir;
	a.mode = X_OK;
	a.path.gpa = virt_to_phys(path);
	a.path.len = len;
	return (int)hc_call(RRV_HC_ACCESSAT, &a);
}

/* The same for an open file: a regular file someone may run (root
 * too needs an x bit), as Linux checks the file behind a descriptor. */
static int check_file_exec(struct file *f)
{
	struct rrv_stat st;
	int r = f->ops->stat(f, &st);
	if (r < 0)
		return r;
	if ((st.st_mode & S_IFMT) != S_IFREG)
		return -EACCES;
	uint32_t x = curproc->euid == 0 ? st.st_mode & 0111
		     : curproc->euid == st.st_uid ? st.st_mode & 0100
		     : curproc->egid == st.st_gid ? st.st_mode & 0010 : st.st_mode & 0001;
	return x ? 0 : -EACCES;
}

/* Steps 3 and 4 (see the top of the file) for the program src names. */
static int64_t do_exec(const struct exec_src *src, const struct exec_args *ea)
{
	struct proc *p = curproc;
	struct thread *t = curthread;
	struct exec_entry e;

	struct mm *old = p->mm, *mm = mm_create();
	if (!mm)
		return -ENOMEM;
	p->mm = mm;
	mm_activate(mm);
	int r = exec_load(mm, src, ea, &e);
	if (r) {
		p->mm = old;
		mm_activate(old);
		mm_put(mm);
		/* A directory opens, and fails only when read. */
		return r == -EISDIR ? -EACCES : r;
	}

	/* The point of no return. */
	proc_kill_other_threads(p);
	t->tid = p->pid; /* the survivor becomes the leader, as in Linux */
	mm_put(old);
	vfork_release(p);
	files_close_on_exec(p->files);
	signal_exec(p, t);
	p->prctl.dumpable = 1;
	pseudo_set_exe(e.exe);
	mapfile_put(e.exe);
	p->other_program = true;
	guest_state.other_program = 1;
	hc_process(RRV_PROC_EXEC, p->pid, p->ppid, 0, ea->strings, ea->argc);
	t->clear_child_tid = 0;
	t->robust_list = 0;
	t->robust_len = 0;

	/* comm is the file name, cut to 15 bytes. */
	const char *name = src->name;
	for (const char *q = src->name; *q; q++)
		if (*q == '/')
			name = q + 1;
	memset(t->comm, 0, sizeof(t->comm));
	memcpy(t->comm, name, strnlen(name, sizeof(t->comm) - 1));

	exec_enter_regs(t->tf, &e);
	guest_state.tid = (uint32_t)t->tid;
	dbg_exec(t->tf, e.at_entry);
	return 0;
}

/*
 * Step 2 and the script part of step 3: checks the program src names,
 * and while it is a script makes src the interpreter (its path in path,
 * a PATH_MAX buffer, and name too) and ab the interpreter's arguments.
 * src->file is a reference, dropped when the interpreter replaces it.
 * 0 or -errno.
 */
static int64_t find_program(struct exec_src *src, char *path, char *name, struct argbuf *ab)
{
	static char head[BINPRM_BUF_SIZE + 1];
	char *interp, *arg;

	for (int depth = 0;; depth++) {
		int r = src->file ? check_file_exec(src->file)
				  : check_exec_access(src->dir, src->path, strlen(src->path));
		if (r < 0)
			return r;
		int64_t n = exec_peek(src, head, BINPRM_BUF_SIZE);
		if (n < 0)
			return n == -EISDIR ? -EACCES : n;
		if (n < 2 || head[0] != '#' || head[1] != '!')
			return 0;
		if (depth >= MAX_SCRIPT_DEPTH)
			return -ELOOP;
		r = parse_shebang(head, n, &interp, &arg);
		if (!r)
			r = script_args(ab, interp, arg, src->name);
		if (r)
			return r;
		size_t l = strlen(interp);
		if (l >= PATH_MAX)
			return -ENAMETOOLONG;
		memmove(path, interp, l + 1);
		memcpy(name, path, l + 1);
		if (src->file)
			file_put(src->file);
		src->file = NULL;
		src->dir = cwd_dir();
		src->path = path;
		src->name = name;
	}
}

/*
 * execveat's program into *src: path (a PATH_MAX buffer with what the
 * program passed) relative to dirfd, resolved as every path is
 * (fs/pseudo.h), so that /proc/self/exe and /proc/PID/fd/N run the
 * guest's own files; the file dirfd is open on (AT_EMPTY_PATH: fexecve);
 * or a host path from the directory dirfd names.  An open file is
 * opened again for reading where it still is at its path (Linux reads the
 * file behind the descriptor, whatever its access mode), else read
 * through the descriptor's own file.  name (a PATH_MAX buffer) gets the
 * name the program runs as: the path, or "/dev/fd/N[/path]" as Linux
 * names a program run from a descriptor.  0 or -errno.
 */
static int64_t exec_target(int dirfd, char *path, char *name, uint64_t flags,
			   struct exec_src *src)
{
	memset(src, 0, sizeof(*src));
	src->dir = RRV_HC_AT_CWD;
	src->path = path;
	src->name = name;
	struct file *obj = NULL;
	if (!path[0]) {
		if (!(flags & AT_EMPTY_PATH) || dirfd == AT_FDCWD)
			return -ENOENT; /* an empty path names nothing */
		obj = fd_file(dirfd);
		if (!obj)
			return -EBADF;
		ksnprintf(name, PATH_MAX, "/dev/fd/%d", dirfd);
	} else {
		if (path[0] == '/' || dirfd == AT_FDCWD)
			memcpy(name, path, strlen(path) + 1);
		else if (ksnprintf(name, PATH_MAX, "/dev/fd/%d/%s", dirfd, path) >= PATH_MAX)
			return -ENAMETOOLONG;
		struct pathres pr;
		int e = path_resolve(dirfd, path, !(flags & AT_SYMLINK_NOFOLLOW), &pr);
		if (e < 0)
			return e;
		if (pr.kind == PATH_NODE)
			return pn_info(pr.node.id)->type == PT_LNK ? -ELOOP : -EACCES;
		if (pr.kind == PATH_OBJ && pr.obj.kind != PO_FILE)
			return -EACCES; /* a directory */
		if (pr.kind == PATH_OBJ)
			obj = pr.obj.file;
		else if ((e = at_dir(dirfd, path, &src->dir)) < 0)
			return e;
	}
	if (obj) {
		if (file_is_pseudo(obj) || obj->ops->kind != FILE_HOST)
			return -EACCES; /* a pipe, a socket, a file of ours */
		return pseudo_reopen(obj, O_RDONLY, &src->file);
	}
	return 0;
}

static int64_t do_execve(int dirfd, uint64_t upath, uint64_t uargv, uint64_t uenvp,
			 uint64_t flags)
{
	struct argbuf ab = { 0 };
	struct exec_src src = { 0 };
	char *path = kmalloc(PATH_MAX), *name = kmalloc(PATH_MAX);
	int64_t r = path && name ? strncpy_from_user(path, upath, PATH_MAX) : -ENOMEM;
	if (r >= 0)
		r = exec_target(dirfd, path, name, flags, &src);
	if (r >= 0)
		r = copy_args(uargv, uenvp, &ab);
	if (r >= 0)
		r = find_program(&src, path, name, &ab);
	if (r >= 0)
		r = do_exec(&src, &ab.ea);
	if (src.file)
		file_put(src.file);
	argbuf_free(&ab);
	if (path)
		kfree(path);
	if (name)
		kfree(name);
	return r;
}

SYSCALL_DEFINE3(execve, "spp", uint64_t, upath, uint64_t, uargv, uint64_t, uenvp)
{
	return do_execve(AT_FDCWD, upath, uargv, uenvp, 0);
}

SYSCALL_DEFINE5(execveat, "fsppx", uint64_t, dirfd, uint64_t, upath, uint64_t, uargv, uint64_t, uenvp, uint64_t, flags)
{
	if (flags & ~(uint64_t)(AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW))
		return -EINVAL;
	return do_execve((int32_t)dirfd, upath, uargv, uenvp, flags);
}
