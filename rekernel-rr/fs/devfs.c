/*
 * The entries of /dev the guest answers itself, as rows of the node table
 * (fs/pseudo_tree.h): the character devices null, zero, full, random and
 * urandom, and the links fd, stdin, stdout and stderr into /proc/self/fd.
 * The rest of /dev (ttys, pts, shm) and its listing are the host's.
 *
 * Random bytes come from the RANDOM hypercall, which a recording keeps;
 * the host's /dev/urandom would hand the program bytes no recording
 * could see.
 */
#include "fs/pseudo_tree.h"

#include <rrv/hypercall.h>

#include "arch/x86/vm.h"
#include "fs/file.h"
#include "hv/hypercall.h"
#include "lib/string.h"
#include "uapi/errno.h"

const struct pn_child devfs_root[] = {
	{ "null", PN_DEV_NULL, 0 },
	{ "zero", PN_DEV_ZERO, 0 },
	{ "full", PN_DEV_FULL, 0 },
	{ "random", PN_DEV_RANDOM, 0 },
	{ "urandom", PN_DEV_URANDOM, 0 },
	{ "fd", PN_DEV_FD, 0 },
	{ "stdin", PN_DEV_STDIN, 0 },
	{ "stdout", PN_DEV_STDOUT, 0 },
	{ "stderr", PN_DEV_STDERR, 0 },
	{ NULL, 0, 0 },
};

/* What each device reads (nothing, zeros, random bytes) and writes
 * (swallowed, or ENOSPC for full; writing to urandom only stirs a pool,
 * and the host's needs no help). */
static int64_t rw_device(const struct pnode *n, struct uio *u, uint64_t pos, bool write)
{
	static uint8_t chunk[PGSIZE];
	(void)pos;
	if (write) {
		if (n->id == PN_DEV_FULL)
			return -ENOSPC;
		int64_t all = (int64_t)u->resid;
		uio_advance(u, u->resid);
		return all;
	}
	if (n->id == PN_DEV_NULL)
		return 0;
	int64_t done = 0;
	uint64_t base, len;
	while (uio_cur(u, &base, &len) == 0) {
		uint64_t cnt = len < sizeof(chunk) ? len : sizeof(chunk);
		if (n->id == PN_DEV_RANDOM || n->id == PN_DEV_URANDOM) {
			struct rrv_hc_random rq;
			memset(&rq, 0, sizeof(rq));
			rq.buf = virt_to_phys(chunk);
			rq.len = cnt;
			int64_t r = hc_call(RRV_HC_RANDOM, &rq);
			if (r <= 0)
				return done ? done : (r < 0 ? r : -EIO);
			cnt = (uint64_t)r;
		} else {
			memset(chunk, 0, cnt);
		}
		if (uio_copy_out(u, base, chunk, cnt))
			return done ? done : -EFAULT;
		uio_advance(u, cnt);
		done += (int64_t)cnt;
	}
	return done;
}

/* The links, as udev makes them. */
static int link_std(const struct pnode *n, struct tb *b, struct pobj *obj)
{
	obj->kind = PO_TEXT;
	if (n->id == PN_DEV_FD)
		tb_printf(b, "/proc/self/fd");
	else
		tb_printf(b, "/proc/self/fd/%d", n->id - PN_DEV_STDIN);
	return 0;
}

#define DEVICE(minor) .type = PT_CHR, .mode = 0666, .rw = rw_device, .rdev = 1 << 8 | (minor)

const struct pn_info devfs_info[PN_NIDS] = {
	[PN_DEV_NULL] = { DEVICE(3) },
	[PN_DEV_ZERO] = { DEVICE(5) },
	[PN_DEV_FULL] = { DEVICE(7) },
	[PN_DEV_RANDOM] = { DEVICE(8) },
	[PN_DEV_URANDOM] = { DEVICE(9) },
	[PN_DEV_FD] = { .type = PT_LNK, .mode = 0777, .link = link_std },
	[PN_DEV_STDIN] = { .type = PT_LNK, .mode = 0777, .link = link_std },
	[PN_DEV_STDOUT] = { .type = PT_LNK, .mode = 0777, .link = link_std },
	[PN_DEV_STDERR] = { .type = PT_LNK, .mode = 0777, .link = link_std },
};
