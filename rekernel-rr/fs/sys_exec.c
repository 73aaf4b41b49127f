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
#include <rrv/hypercall.h>

#include "arch/x86/x86.h"
#include "fs/exec.h"
#include "fs/file.h"
#include "fs/special.h"
#include "hv/hypercall.h"
#include "lib/kprintf.h"
#include "lib/string.h"
#include "lib/syscall.h"
#include "mm/kalloc.h"
#include "mm/mm.h"
#include "mm/uaccess.h"
#include "proc/proc.h"
#include "proc/signal.h"
#include "uapi/errno.h"
#include "uapi/unistd.h"

#define MAX_ARG_STRLEN (32 * PGSIZE) /* one string, NUL included */
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

/* The arguments' total may be a quarter of RLIMIT_STACK, at most 6 MiB
 * (Linux's bprm limit; exec.c checks the exact figure with the
 * pointers). */
static uint64_t arg_limit(void)
{
	uint64_t l = curproc->rlimit[RLIMIT_STACK].cur / 4;
	return l < (6ull << 20) ? l : 6ull << 20;
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

/* The host's access(path, X_OK): ENOENT, EACCES, ENOTDIR, ELOOP... */
static int check_exec_access(const char *path, size_t len)
{
	struct rrv_hc_pathop a;
	memset(&a, 0, sizeof(a));
	a.dir = path[0] == '/' ? RRV_HC_AT_CWD : cwd_dir();
	a.mode = X_OK;
	a.path.gpa = virt_to_phys(path);
	a.path.len = len;
	return (int)hc_call(RRV_HC_ACCESSAT, &a);
}

/*
 * /proc/self/exe and /proc/self/fd/N are the guest's, not the host's (the
 * host's would be rrv itself): busybox runs its applets through the
 * first.  Replaces path with the host file they stand for; returns the
 * path's length or -errno.
 */
static int64_t resolve_own_links(char *path)
{
	static char target[PATH_MAX];
	int64_t n = special_readlink(path, target, sizeof(target) - 1);
	if (n < 0)
		return n;
	if (n == 0)
		return (int64_t)strlen(path);
	if (target[0] != '/')
		return -EACCES; /* a pipe or socket: not a file to run */
	n--; /* the length, without special_readlink's + 1 */
	memcpy(path, target, (size_t)n);
	path[n] = '\0';
	return n;
}

/* Steps 3 and 4 (see the top of the file) for the program at path. */
static int64_t do_exec(const char *path, const struct exec_args *ea)
{
	struct proc *p = curproc;
	struct thread *t = curthread;
	struct exec_entry e;

	struct mm *old = p->mm, *mm = mm_create();
	if (!mm)
		return -ENOMEM;
	p->mm = mm;
	mm_activate(mm);
	int r = exec_load(mm, path, ea, &e);
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
	special_set_exe(e.exe);
	mapfile_put(e.exe);
	p->other_program = true;
	guest_state.other_program = 1;
	t->clear_child_tid = 0;
	t->robust_list = 0;
	t->robust_len = 0;

	/* comm is the file name, cut to 15 bytes. */
	const char *name = path;
	for (const char *q = path; *q; q++)
		if (*q == '/')
			name = q + 1;
	memset(t->comm, 0, sizeof(t->comm));
	memcpy(t->comm, name, strnlen(name, sizeof(t->comm) - 1));

	exec_enter_regs(t->tf, &e);
	guest_state.tid = (uint32_t)t->tid;
	return 0;
}

/*
 * Step 2 and the script part of step 3: checks path, and while it names
 * a script replaces it (a PATH_MAX buffer) by the interpreter and ab by
 * the interpreter's arguments.  0 or -errno.
 */
static int64_t find_program(char *path, struct argbuf *ab)
{
	static char head[BINPRM_BUF_SIZE + 1];
	char *interp, *arg;

	for (int depth = 0;; depth++) {
		int r = check_exec_access(path, strlen(path));
		if (r < 0)
			return r;
		int64_t n = exec_peek(path, head, BINPRM_BUF_SIZE);
		if (n < 0)
			return n == -EISDIR ? -EACCES : n;
		if (n < 2 || head[0] != '#' || head[1] != '!')
			return 0;
		if (depth >= MAX_SCRIPT_DEPTH)
			return -ELOOP;
		r = parse_shebang(head, n, &interp, &arg);
		if (!r)
			r = script_args(ab, interp, arg, path);
		if (r)
			return r;
		size_t l = strlen(interp);
		if (l >= PATH_MAX)
			return -ENAMETOOLONG;
		memmove(path, interp, l + 1);
	}
}

/*
 * execveat's program as a path the loader can open: path itself, the
 * file dirfd names (AT_EMPTY_PATH: fexecve), or path relative to the
 * directory dirfd names, through the host path behind the descriptor
 * (its /proc/self/fd link).  Linux runs the open file itself; rrv runs
 * the file at that path now, the same one unless it was renamed or
 * replaced since it was opened.  path is a PATH_MAX buffer holding what
 * the program passed; returns the new length or -errno.
 */
static int64_t at_path(int dirfd, char *path, uint64_t flags)
{
	static char dir[PATH_MAX];
	size_t rel = strlen(path);
	if (dirfd == AT_FDCWD || path[0] == '/')
		return rel ? (int64_t)rel : -ENOENT; /* an empty path names nothing */
	if (!rel && !(flags & AT_EMPTY_PATH))
		return -ENOENT;
	char link[32];
	ksnprintf(link, sizeof(link), "/proc/self/fd/%d", dirfd);
	int64_t n = dirfd < 0 ? -EBADF : special_readlink(link, dir, sizeof(dir) - 1);
	if (n == -ENOENT || n == 0)
		return -EBADF;
	if (n < 0)
		return n;
	size_t dl = (size_t)n - 1; /* special_readlink says length + 1 */
	dir[dl] = '\0';
	if (dir[0] != '/')
		return rel ? -ENOTDIR : -EACCES; /* a pipe or socket */
	if (!rel) {
		memcpy(path, dir, dl + 1);
		return (int64_t)dl;
	}
	/* A descriptor of a file, not a directory: the host's lookup of
	 * "file/name" then fails with ENOTDIR, as Linux does. */
	if (dl + 1 + rel >= PATH_MAX)
		return -ENAMETOOLONG;
	memmove(path + dl + 1, path, rel + 1);
	memcpy(path, dir, dl);
	path[dl] = '/';
	return (int64_t)(dl + 1 + rel);
}

static int64_t do_execve(int dirfd, uint64_t upath, uint64_t uargv, uint64_t uenvp,
			 uint64_t flags)
{
	struct argbuf ab = { 0 };
	char *path = kmalloc(PATH_MAX);
	if (!path)
		return -ENOMEM;
	int64_t r = strncpy_from_user(path, upath, PATH_MAX);
	if (r >= 0)
		r = at_path(dirfd, path, flags);
	if (r > 0)
		r = resolve_own_links(path);
	if (r > 0)
		r = copy_args(uargv, uenvp, &ab);
	if (r >= 0)
		r = find_program(path, &ab);
	if (r >= 0)
		r = do_exec(path, &ab.ea);
	argbuf_free(&ab);
	kfree(path);
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
