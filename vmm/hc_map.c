/*
 * File mappings, /proc and /dev: the host side (hypercalls 50-59).  The
 * mapped bytes themselves travel through READ and WRITE with at_offset;
 * what is here answers the questions only the host can: the path behind a
 * handle, for /proc/self/fd/N and the names in /proc/self/maps.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "hc_families.h"
#include "hypercall.h"
#include "vmm.h"

/* The path behind a handle.  It reads the VMM's own /proc, but only for
 * a handle, so it names only files the guest opened through the checks
 * of hostpath.c (or rrv's stdio, handles 0-2): never a path the guest
 * chose. */
static int64_t hc_fdpath(struct hc_call *c)
{
	const struct rrv_hc_fdpath *a = c->args;
	int fd = hostfd_get(&c->vm->files, a->handle);
	if (fd < 0)
		return -EBADF;
	if (a->len > RRV_HC_PATH_MAX)
		return -EINVAL;
	char *out = hc_out(c, a->buf, a->len);
	if (!out && a->len)
		return -EFAULT;
	char link[64], target[RRV_HC_PATH_MAX];
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	ssize_t n = readlink(link, target, sizeof(target));
	if (n < 0)
		return -errno;
	size_t len = (size_t)n < a->len ? (size_t)n : a->len;
	if (len)
		memcpy(out, target, len);
	return (int64_t)len;
}

int hc_map_register(struct hc_table *t)
{
	static const struct hc_desc fdpath = {
		.name = "fdpath", .args_size = sizeof(struct rrv_hc_fdpath),
		.flags = HC_F_OUT_RET, .fn = hc_fdpath,
	};
	return hc_register(t, RRV_HC_FDPATH, &fdpath);
}
