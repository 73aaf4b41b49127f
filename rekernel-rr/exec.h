/*
 * Starting the program: loading a static x86-64 ELF into a new address
 * space and entering it in ring 3 with the initial stack Linux builds.
 */
#ifndef REKERNEL_EXEC_H
#define REKERNEL_EXEC_H

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

#endif
