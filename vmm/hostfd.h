/*
 * Host file handles: the numbers the guest kernel uses to name host files.
 * The guest never sees a host descriptor number; it sees a handle, an index
 * into this table, allocated lowest-free-first so that the numbers are the
 * same in every run with the same history.
 */
#ifndef RRV_VMM_HOSTFD_H
#define RRV_VMM_HOSTFD_H

#include <stdint.h>

#define HOSTFD_MAX 1024

struct hostfd_table {
	int fd[HOSTFD_MAX]; /* host descriptor, or -1 for a free slot */
};

/* Handles 0, 1 and 2 name rrv's own stdin, stdout and stderr. */
void hostfd_init(struct hostfd_table *t);

/* Returns the host descriptor behind handle, or -1 for a bad handle. */
int hostfd_get(const struct hostfd_table *t, uint64_t handle);

/* Takes ownership of fd; returns its handle, or -EMFILE. */
int hostfd_add(struct hostfd_table *t, int fd);

/* The host descriptor behind handle, or -EBADF: what a hypercall answers
 * for a bad handle. */
int hostfd_lookup(const struct hostfd_table *t, uint64_t handle);

/* Takes fd, the result of the host call that made it (-1 with errno set
 * when that failed): its new handle, -errno of that call, or -EMFILE
 * (fd closed). */
int hostfd_adopt(struct hostfd_table *t, int fd);

/* Closes handle; returns 0 or -EBADF. */
int hostfd_close(struct hostfd_table *t, uint64_t handle);

/* Closes every handle above 2. */
void hostfd_close_all(struct hostfd_table *t);

#endif
