/*
 * Open files and the program's descriptor table.  An open file (struct
 * file) is shared by dup'd descriptors and has operations by kind: a host
 * file behind a VMM handle, or a pipe end living in the guest.
 * Implemented in file.c (table and common code), hostfile.c, pipe.c; the
 * system calls are in sys_file.c.
 */
#ifndef REKERNEL_FILE_H
#define REKERNEL_FILE_H

struct files;

/* The descriptor table a program starts with: 0, 1 and 2 open on host
 * handles 0, 1 and 2 (rrv's own stdin, stdout and stderr). */
struct files *files_init_stdio(void);

#endif
