/*
 * Loading a program: an x86-64 ELF (static, static-PIE, or with its
 * PT_INTERP interpreter) into a new address space, with the initial stack
 * Linux builds; the first program at start-up (exec_start), later ones
 * for execve (sys_exec.c).
 */
#ifndef REKERNEL_EXEC_H
#define REKERNEL_EXEC_H

#include <stddef.h>
#include <stdint.h>

/*
 * Loads the program at path (a host path, relative to rrv's working
 * directory), with bootinfo's argv and envp, into a new address space for
 * curproc, and enters it.  Does not return: on failure the machine exits
 * with RRV_EXIT_EXEC and the errno (ENOENT, EACCES, ENOEXEC for a file
 * that is not a static x86-64 ELF program, ENOMEM when it does not fit in
 * guest memory, E2BIG for arguments over a quarter of RLIMIT_STACK...).
 * Needs kalloc, proc, files and signals set up.
 */
__attribute__((noreturn)) void exec_start(const char *path);

struct mm;
struct mapfile;
struct trapframe;

/* A program's arguments and environment: argc strings then envc strings,
 * each NUL-terminated, one after the other in strings (bootinfo's
 * layout). */
struct exec_args {
	const char *strings;
	uint32_t argc, envc;
};

/* Where a loaded program starts, and its file (a reference the caller
 * owns, for /proc/self/exe). */
struct exec_entry {
	uint64_t rip, rsp;
	uint64_t at_entry; /* AT_ENTRY: the program's own entry (rrv debug) */
	struct mapfile *exe;
};

/*
 * Where a program comes from: an open file of the guest's (execveat of a
 * descriptor, /proc/self/exe), read at offsets, or a host path relative
 * to host directory dir; name is the path it runs as (AT_EXECFN, comm).
 */
struct exec_src {
	struct file *file; /* borrowed; NULL: open path */
	int32_t dir;       /* RRV_HC_AT_CWD, or a host directory handle */
	const char *path;
	const char *name;
};

/*
 * Loads the program src names (static, static-PIE or with PT_INTERP) into
 * mm, which must be curproc's loaded address space (the initial stack is
 * written through it), with arguments ea.  0 and *out, or -errno as
 * exec_start lists; mm may be half-filled then.
 */
int exec_load(struct mm *mm, const struct exec_src *src, const struct exec_args *ea,
	      struct exec_entry *out);

/* Reads the first len bytes of the file src names into buf (kernel
 * memory, physically contiguous): the count, or -errno (a directory:
 * EISDIR). */
int64_t exec_peek(const struct exec_src *src, char *buf, size_t len);

/* Sets tf and the current thread's registers, fs/gs bases and FPU as
 * Linux leaves them at a program's entry. */
void exec_enter_regs(struct trapframe *tf, const struct exec_entry *e);

#endif
