/*
 * The part of the file namespace the guest kernel answers itself, from
 * its own state: everything under /proc and /sys, and /dev/null, zero,
 * full, random, urandom, fd, stdin, stdout and stderr.  No path there is
 * ever passed to the host (whose /proc would describe rrv itself): every
 * call that takes a path asks path_resolve first, and only a path it
 * calls the host's goes to the host.  fs/pseudo.c resolves and serves
 * the files; the trees are in procfs.c, proctext.c, sysfs.c and devfs.c
 * (fs/pseudo_tree.h).  docs/guest-kernel.md lists every path.
 */
#ifndef REKERNEL_FS_PSEUDO_H
#define REKERNEL_FS_PSEUDO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fs/pseudo_tree.h"
#include <rrv/hypercall.h>

#include "uapi/stat.h"

struct file;
struct mapfile;

enum path_kind {
	PATH_HOST, /* the host's: the call goes on with path and dirfd */
	PATH_NODE, /* one of ours: node */
	PATH_OBJ,  /* a magic link (/proc/PID/exe, cwd, fd/N) followed at the
		      end: obj, which is no node of ours */
};

struct pathres {
	enum path_kind kind;
	struct pnode node; /* PATH_NODE; PATH_OBJ: the link */
	struct pobj obj;   /* PATH_OBJ */
	bool parent_ok;    /* -ENOENT: only the last component is missing */
	bool slash;        /* the path ended in '/' */
};

/*
 * Where path (a PATH_MAX buffer holding a NUL-terminated path as the
 * program gave it, relative to dirfd or AT_FDCWD) leads: 0 with *r, or
 * -errno (-ENOENT with r->parent_ok when only the last component is
 * missing in one of our directories; -ENOTDIR, -ELOOP, -ENAMETOOLONG).
 * The path is normalised first ("//proc/./self/../self"), and a relative
 * one is joined to the directory it starts from when that is one of ours
 * or it may reach ours.  follow: a link as last component is followed.
 * For PATH_HOST, path may have been rewritten (to an absolute path: a
 * link of ours into the host's files, "/proc/PID/cwd/x"); the caller
 * goes on with it as before, through at_dir.  An empty path is the
 * caller's business (AT_EMPTY_PATH): PATH_HOST, unchanged.
 */
int path_resolve(int dirfd, char *path, bool follow, struct pathres *r);

/* The host path a PATH_OBJ stands for (a host file or directory that a
 * magic link leads to), valid until the next path_resolve, or NULL. */
const char *pseudo_obj_path(const struct pathres *r);

/* The error a change (mkdir, unlink, rename, link, symlink, chmod,
 * chown, utimes, truncate) to a path of ours gets: EACCES for users,
 * EPERM for root, as Linux's read-only trees answer. */
int64_t pseudo_change_err(void);

/* open of a resolved path (PATH_NODE or PATH_OBJ) with open(2)'s flags:
 * 0 with *out (one reference), or -errno. */
int pseudo_open(const struct pathres *r, uint32_t flags, struct file **out);

/* An open file of its own on what host file f is open on, with open(2)'s
 * flags: the file at f's host path when it is still f's (same device and
 * inode), else f itself (another reference), as for a pipe.  0 with
 * *out, or -errno (-ENXIO for a socket). */
int pseudo_reopen(struct file *f, uint32_t flags, struct file **out);

/* stat of a resolved path (PATH_NODE or PATH_OBJ): 0 or -errno. */
int pseudo_stat(const struct pathres *r, struct rrv_stat *st);

/* access(2) of a resolved path, mode X_OK | W_OK | R_OK (0: exists). */
int64_t pseudo_access(const struct pathres *r, uint32_t mode);

/* readlink of a resolved path (not followed) into buf (at most len
 * bytes, no NUL): the length, -EINVAL when it is not a link. */
int64_t pseudo_readlink(const struct pathres *r, char *buf, size_t len);

/* readlink of an open file of ours (a link opened O_PATH|O_NOFOLLOW, for
 * an empty path): as pseudo_readlink; -ENOENT when f is not ours. */
int64_t pseudo_readlink_file(struct file *f, char *buf, size_t len);

/* getdents64 of f when it is one of our directories: the bytes of
 * linux_dirent64 records put in buf (at most count) + 1, 0 when f is not
 * ours, or -errno (-ENOTDIR for our other files). */
int64_t pseudo_getdents(struct file *f, void *buf, size_t count);

/* f is a directory of ours (a working directory, a dirfd): its path;
 * NULL for anything else. */
const char *pseudo_dir_path(struct file *f);

/* f is one of our open files. */
bool file_is_pseudo(struct file *f);

/* f is /dev/zero, whose mappings are anonymous memory. */
bool file_is_zero_device(struct file *f);

/* The program's file, as mapped by exec, for /proc/PID/exe (takes a
 * reference for curproc, dropping the one it had). */
void pseudo_set_exe(struct mapfile *mf);

#endif
