/*
 * Files the guest kernel answers itself rather than the host: character
 * devices (/dev/null, /dev/zero, /dev/full, /dev/random, /dev/urandom),
 * the /proc and /sys files programs read at start-up (/proc/self/maps,
 * status, cmdline, exe and fd/N; /proc/cpuinfo; the CPU lists under
 * /sys/devices/system/cpu), made from the guest's own state.
 */
#ifndef REKERNEL_SPECIAL_H
#define REKERNEL_SPECIAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/syscall.h"

struct file;

struct mapfile;

/* The program's file, as mapped by exec, for /proc/self/exe and the
 * Name in /proc/self/status (takes a reference). */
void special_set_exe(struct mapfile *mf);

/* Opens path (absolute, as the program gave it) when it is one of ours:
 * 1 with *out (one reference), 0 when it is not ours, or -errno. */
int special_open(const char *path, uint32_t flags, struct file **out);

/* readlink of path when it is one of ours (/proc/self/exe,
 * /proc/self/fd/N): the target's length + 1 with the target in buf (at
 * most len bytes, no NUL), 0 when it is not ours, or -errno. */
int64_t special_readlink(const char *path, char *buf, size_t len);

/* getdents64 of f when it is one of our directories (/proc/self/fd):
 * the bytes of linux_dirent64 records put in buf (at most count) + 1, 0
 * when f is not ours, or -errno (-ENOTDIR for our other files). */
int64_t special_getdents(struct file *f, void *buf, size_t count);


/* f is /dev/zero, whose mappings are anonymous memory. */
bool file_is_zero_device(struct file *f);

#endif
