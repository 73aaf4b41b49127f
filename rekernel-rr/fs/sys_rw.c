/*
 * The system calls that move a file's data or change its size: read,
 * write, pread64, pwrite64, readv, writev, preadv, pwritev, preadv2,
 * pwritev2, lseek and sendfile; truncate and ftruncate; fsync, fdatasync,
 * sync and syncfs.  Reads and writes go through the file's kind (host
 * file, pipe, socket, guest objects: fs/file.h).
 */
#include "arch/x86/vm.h"
#include "fs/file.h"
#include "fs/path.h"
#include "hv/hypercall.h"
#include "lib/string.h"
#include "lib/syscall.h"
#include "mm/kalloc.h"
#include "mm/uaccess.h"
#include "proc/proc.h"
#include "uapi/errno.h"
#include "uapi/fs.h"

/* ---- data ---- */

/* A read or write through the file's kind, holding a reference so that a
 * pipe that sleeps cannot lose its file to a close meanwhile. */
static int64_t rw(struct file *f, struct uio *u, int64_t pos, bool is_read)
{
	file_get(f);
	int64_t r = is_read ? f->ops->read(f, u, pos) : f->ops->write(f, u, pos);
	file_put(f);
	return r;
}

static int64_t rw_buf(int fd, uint64_t buf, uint64_t len, int64_t pos, bool is_read)
{
	struct file *f = fd_file(fd);
	if (!f)
		return -EBADF;
	struct uio u;
	uio_init_buf(&u, buf, len);
	return rw(f, &u, pos, is_read);
}

static int64_t rw_vec(int fd, uint64_t uiov, uint64_t cnt, int64_t pos, bool is_read)
{
	struct file *f = fd_file(fd);
	if (!f)
		return -EBADF;
	struct uio u;
	if (cnt > 1024)
		return -EINVAL;
	int r = uio_init_iovec(&u, uiov, (int64_t)cnt);
	if (r < 0)
		return r;
	return rw(f, &u, pos, is_read);
}

/* What a read or write call names: its direction, a user buffer or an
 * iovec array, and whether it takes an offset. */
enum { RW_WRITE = 0, RW_READ = 1, RW_VEC = 2, RW_AT = 4 };

/* The calls below take (fd, buf or iov, count, offset): the offset only
 * with RW_AT, where a negative one is -EINVAL (-1 is not the file
 * position there, as it is for preadv2). */
static int64_t rw_call(int fd, uint64_t buf, uint64_t count, int64_t offset, unsigned how)
{
	int64_t pos = -1;
	if (how & RW_AT) {
		if (offset < 0)
			return -EINVAL;
		pos = offset;
	}
	bool is_read = how & RW_READ;
	if (how & RW_VEC)
		return rw_vec(fd, buf, count, pos, is_read);
	return rw_buf(fd, buf, count, pos, is_read);
}

SYSCALL_DEFINE3(read, "fpu", int, fd, uint64_t, buf, uint64_t, count)
{
	return rw_call(fd, buf, count, -1, RW_READ);
}

SYSCALL_DEFINE3(write, "fpu", int, fd, uint64_t, buf, uint64_t, count)
{
	return rw_call(fd, buf, count, -1, RW_WRITE);
}

SYSCALL_DEFINE4(pread64, "fpud", int, fd, uint64_t, buf, uint64_t, count,
		int64_t, pos)
{
	return rw_call(fd, buf, count, pos, RW_READ | RW_AT);
}

SYSCALL_DEFINE4(pwrite64, "fpud", int, fd, uint64_t, buf, uint64_t, count,
		int64_t, pos)
{
	return rw_call(fd, buf, count, pos, RW_WRITE | RW_AT);
}

SYSCALL_DEFINE3(readv, "fpd", int, fd, uint64_t, vec, uint64_t, vlen)
{
	return rw_call(fd, vec, vlen, -1, RW_READ | RW_VEC);
}

SYSCALL_DEFINE3(writev, "fpd", int, fd, uint64_t, vec, uint64_t, vlen)
{
	return rw_call(fd, vec, vlen, -1, RW_WRITE | RW_VEC);
}

/* On x86-64 pos_l is all of the offset; pos_h is not looked at. */
SYSCALL_DEFINE5(preadv, "fpdd", int, fd, uint64_t, vec, uint64_t, vlen,
		int64_t, pos_l, uint64_t, pos_h)
{
	(void)pos_h;
	return rw_call(fd, vec, vlen, pos_l, RW_READ | RW_VEC | RW_AT);
}

SYSCALL_DEFINE5(pwritev, "fpdd", int, fd, uint64_t, vec, uint64_t, vlen,
		int64_t, pos_l, uint64_t, pos_h)
{
	(void)pos_h;
	return rw_call(fd, vec, vlen, pos_l, RW_WRITE | RW_VEC | RW_AT);
}

/* preadv2 and pwritev2: offset -1 is the file position.  Flags other
 * than RWF_HIPRI, a polling hint with nothing to poll here, are not
 * supported (all 64 bits of the register are looked at). */
static int64_t rw_vec2(int fd, uint64_t vec, uint64_t vlen, int64_t pos, uint64_t flags,
		       bool is_read)
{
	if (pos < -1)
		return -EINVAL;
	if (flags & ~(uint64_t)RWF_HIPRI)
		return -EOPNOTSUPP;
	return rw_vec(fd, vec, vlen, pos, is_read);
}

SYSCALL_DEFINE6(preadv2, "fpddx", int, fd, uint64_t, vec, uint64_t, vlen,
		int64_t, pos_l, uint64_t, pos_h, uint64_t, flags)
{
	(void)pos_h;
	return rw_vec2(fd, vec, vlen, pos_l, flags, true);
}

SYSCALL_DEFINE6(pwritev2, "fpddx", int, fd, uint64_t, vec, uint64_t, vlen,
		int64_t, pos_l, uint64_t, pos_h, uint64_t, flags)
{
	(void)pos_h;
	return rw_vec2(fd, vec, vlen, pos_l, flags, false);
}

SYSCALL_DEFINE3(lseek, "fdd", int, fd, int64_t, offset, uint32_t, whence)
{
	struct file *f = fd_file(fd);
	if (!f)
		return -EBADF;
	return f->ops->lseek(f, offset, whence);
}

#define SENDFILE_PAGES 16

/*
 * Through kernel pages, 64 KiB a round.  As in Linux, in_fd must be a
 * file (not a pipe), the input advances only by what was written, and
 * *offset (when given) is read and updated instead of in_fd's position.
 */
SYSCALL_DEFINE4(sendfile, "ffpu", int, out_fd, int, in_fd, uint64_t, offset,
		uint64_t, count)
{
	struct file *out = fd_file(out_fd), *in = fd_file(in_fd);
	uint64_t uoff = offset, max = count < MAX_RW_COUNT ? count : MAX_RW_COUNT;
	int64_t pos = -1, done = 0;

	if (!out || !in)
		return -EBADF;
	if (in->ops->kind != FILE_HOST)
		return -EINVAL;
	if (uoff) {
		if (copy_from_user(&pos, uoff, sizeof(pos)))
			return -EFAULT;
		if (pos < 0)
			return -EINVAL;
	}

	struct uio_seg segs[SENDFILE_PAGES];
	uint32_t npages = 0;
	while (npages < SENDFILE_PAGES && (uint64_t)npages * PGSIZE < max) {
		void *pg = page_alloc();
		if (!pg)
			break;
		segs[npages].base = (uint64_t)(uintptr_t)pg;
		segs[npages].len = PGSIZE;
		npages++;
	}
	if (npages == 0 && max > 0)
		return -ENOMEM;

	file_get(in);
	file_get(out);
	while ((uint64_t)done < max) {
		uint64_t want = max - (uint64_t)done;
		struct uio_seg rsegs[SENDFILE_PAGES];
		uint32_t n = 0;
		for (; n < npages && want > 0; n++) {
			rsegs[n] = segs[n];
			if (rsegs[n].len > want)
				rsegs[n].len = want;
			want -= rsegs[n].len;
		}
		struct uio u;
		uio_init_kernel(&u, rsegs, n);
		uint64_t asked = u.resid;
		int64_t r = in->ops->read(in, &u, pos);
		if (r <= 0) {
			if (r < 0 && !done)
				done = r;
			break;
		}
		/* Write what was read: the same segments, cut to r bytes. */
		uint64_t left = (uint64_t)r;
		for (uint32_t i = 0; i < n; i++) {
			rsegs[i].len = rsegs[i].len < left ? rsegs[i].len : left;
			left -= rsegs[i].len;
		}
		uio_init_kernel(&u, rsegs, n);
		int64_t w = out->ops->write(out, &u, -1);
		int64_t wrote = w < 0 ? 0 : w;
		if (pos >= 0)
			pos += wrote;
		else if (wrote < r) /* give back what was read, not sent */
			in->ops->lseek(in, wrote - r, SEEK_CUR);
		if (w < 0) {
			if (!done)
				done = w;
			break;
		}
		done += w;
		if (w < r || (uint64_t)r < asked)
			break;
	}
	file_put(in);
	file_put(out);
	for (uint32_t i = 0; i < npages; i++)
		page_free((void *)(uintptr_t)segs[i].base);
	if (uoff && copy_to_user(uoff, &pos, sizeof(pos)))
		return -EFAULT;
	return done;
}

/* ---- sizes and syncing ---- */

/* The host says EINVAL for a read-only file. */
SYSCALL_DEFINE2(ftruncate, "fd", int, fd, int64_t, length)
{
	int64_t err;
	if (length < 0)
		return -EINVAL;
	struct file *f = host_file(fd, -EINVAL, &err);
	if (!f)
		return err;
	return fileop(RRV_HC_TRUNCATE, f->handle, (uint64_t)length);
}

/* Opens the file for writing, as the check for write permission requires
 * anyway.  O_NONBLOCK keeps a FIFO from blocking the open. */
SYSCALL_DEFINE2(truncate, "sd", uint64_t, path, int64_t, length)
{
	if (length < 0)
		return -EINVAL;
	int64_t len = get_path(0, path, false);
	if (len < 0)
		return len;
	int64_t e = pseudo_refuse(AT_FDCWD, true, &len);
	if (e)
		return e;
	struct rrv_hc_openat a;
	memset(&a, 0, sizeof(a));
	a.dir = pathbuf[0][0] == '/' ? RRV_HC_AT_CWD : cwd_dir();
	a.flags = O_WRONLY | O_NONBLOCK;
	a.path = hc_path(0, len);
	int64_t h = hc_call(RRV_HC_OPENAT, &a);
	if (h < 0)
		return h;
	int64_t r = fileop(RRV_HC_TRUNCATE, (int32_t)h, (uint64_t)length);
	host_close((int32_t)h);
	return r;
}

/* fsync and fdatasync: a pipe cannot be synced (EINVAL). */
static int64_t do_fsync(int fd, bool data_only)
{
	int64_t err;
	struct file *f = host_file(fd, -EINVAL, &err);
	if (!f)
		return err;
	return fileop(RRV_HC_FSYNC, f->handle, data_only);
}

SYSCALL_DEFINE1(fsync, "f", int, fd)
{
	return do_fsync(fd, false);
}

SYSCALL_DEFINE1(fdatasync, "f", int, fd)
{
	return do_fsync(fd, true);
}

/* The host's page cache is the host's business. */
SYSCALL_DEFINE0(sync, "")
{
	return 0;
}

SYSCALL_DEFINE1(syncfs, "f", int, fd)
{
	return fd_file(fd) ? 0 : -EBADF;
}
