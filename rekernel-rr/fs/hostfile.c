/*
 * Host files: an open file behind a VMM handle.  The host keeps the file
 * position, the status flags (O_APPEND, O_NONBLOCK) and the access mode,
 * so most operations are one hypercall and the host's answer is the
 * program's.  Data moves without a copy: the VMM reads and writes the
 * program's own pages, described as guest-physical pieces.
 */
#include "fs/file.h"

#include "arch/x86/vm.h"
#include "hv/hypercall.h"
#include "lib/string.h"
#include "mm/kalloc.h"
#include "mm/mm.h"
#include "mm/uaccess.h"
#include "proc/proc.h"
#include "uapi/errno.h"
#include "uapi/ioctls.h"

/* One READ or WRITE hypercall (their structs are laid out alike). */
static int64_t xfer_call(struct file *f, bool is_read, const struct rrv_hc_iovec *iov,
			 uint32_t cnt, int64_t pos)
{
	struct rrv_hc_read a;

	memset(&a, 0, sizeof(a));
	a.handle = (uint32_t)f->handle;
	a.iovcnt = cnt;
	a.iov = cnt ? virt_to_phys(iov) : 0;
	if (pos >= 0) {
		a.offset = pos;
		a.at_offset = 1;
	}
	_Static_assert(sizeof(struct rrv_hc_read) == sizeof(struct rrv_hc_write),
		       "READ and WRITE structs differ");
	return hc_call(is_read ? RRV_HC_READ : RRV_HC_WRITE, &a);
}

/* The file's type (S_IF*), asked of the host once. */
static uint32_t host_type(struct file *f)
{
	if (!f->host_type) {
		struct rrv_stat st;
		if (f->ops->stat(f, &st) < 0)
			return 0;
		f->host_type = (uint8_t)((st.st_mode & S_IFMT) >> 12);
	}
	return (uint32_t)f->host_type << 12;
}

static int64_t host_lseek(struct file *f, int64_t off, uint32_t whence);
static int64_t host_getfl(struct file *f);

/*
 * The program's buffer is bad from its first byte.  Linux looks at the
 * file before the buffer: a file not open for the transfer is EBADF, a
 * directory EISDIR, and a regular file read at its end gives 0 without
 * touching the buffer.  The host tells which, through F_GETFL, the type,
 * and a one-byte read into the kernel at the same offset.
 */
static int64_t bad_buffer(struct file *f, int64_t pos, bool is_read)
{
	int64_t fl = host_getfl(f);
	if (fl < 0)
		return fl;
	uint32_t acc = (uint32_t)fl & O_ACCMODE;
	if ((fl & O_PATH) || acc == (is_read ? O_WRONLY : O_RDONLY))
		return -EBADF;
	if (!is_read)
		return -EFAULT;
	uint32_t type = host_type(f);
	if (type == S_IFDIR)
		return -EISDIR;
	if (type != S_IFREG)
		return -EFAULT;
	if (pos < 0 && (pos = host_lseek(f, 0, SEEK_CUR)) < 0)
		return -EFAULT;
	uint8_t byte;
	struct rrv_hc_iovec one = { virt_to_phys(&byte), 1 };
	int64_t r = xfer_call(f, true, &one, 1, pos);
	if (r < 0)
		return r;
	return r == 0 ? 0 : -EFAULT;
}

/*
 * A transfer in as many hypercalls as the pieces need.  A short result
 * ends it, as does, for reads from anything but a regular file, a full
 * one: another read from a pipe or terminal could block where Linux, with
 * the whole buffer at hand, would have returned.
 */
static int64_t host_xfer(struct file *f, struct uio *u, int64_t pos, bool is_read)
{
	struct rrv_hc_iovec iov[RRV_HC_IOV_MAX];
	int64_t done = 0;
	uint32_t cnt;

	if (u->resid == 0) /* still ask: the host knows EBADF and EISDIR */
		return xfer_call(f, is_read, iov, 0, pos);
	while (u->resid > 0) {
		int64_t want = uio_gather(u, is_read, iov, &cnt);
		if (want <= 0 && done)
			return done;
		if (want == -EFAULT)
			return bad_buffer(f, pos, is_read);
		if (want <= 0)
			return want;
		int64_t r = xfer_call(f, is_read, iov, cnt, pos < 0 ? -1 : pos + done);
		if (r < 0)
			return done ? done : r;
		uio_advance(u, (uint64_t)r);
		done += r;
		if (r < want)
			break;
		if (is_read && pos < 0 && u->resid > 0 && host_type(f) != S_IFREG)
			break;
	}
	return done;
}

/*
 * Whether a read of f could block in the host while another thread of
 * the program could have run: a blocking read of a pipe, terminal or
 * socket with more than one thread alive (in any process).  Regular
 * files never block.
 */
static bool read_may_stall(struct file *f, int64_t pos)
{
	if (threads_live <= 1 || pos >= 0 || (f->flags & O_NONBLOCK))
		return false;
	uint32_t type = host_type(f);
	return type == S_IFIFO || type == S_IFCHR || type == S_IFSOCK;
}

/* The program's reads and writes see what its shared file mappings
 * hold, and the other way round (mm_drop_shared).  The kernel's own reads
 * (a mapping's pages) need none of it. */
static int64_t host_read(struct file *f, struct uio *u, int64_t pos)
{
	if (!u->kernel) {
		mm_sync_all(curproc->mm);
		/* Wait in the guest, where the others go on, and read only
		 * once the host has something. */
		if (u->resid > 0 && read_may_stall(f, pos)) {
			int w = pollset_wait_handle(f->handle, POLLIN);
			if (w < 0)
				return w;
		}
	}
	return host_xfer(f, u, pos, true);
}

static int64_t host_write(struct file *f, struct uio *u, int64_t pos)
{
	if (u->kernel)
		return host_xfer(f, u, pos, false);
	mm_sync_all(curproc->mm);
	int64_t r = host_xfer(f, u, pos, false);
	if (r > 0)
		mm_drop_shared(curproc->mm);
	return r;
}

static int64_t host_lseek(struct file *f, int64_t off, uint32_t whence)
{
	struct rrv_hc_lseek a;

	memset(&a, 0, sizeof(a));
	a.handle = (uint32_t)f->handle;
	a.whence = whence;
	a.offset = off;
	return hc_call(RRV_HC_LSEEK, &a);
}

int hostfile_stat(struct file *f, struct rrv_stat *st)
{
	struct rrv_hc_fstatat a;
	static const char empty[1];

	memset(&a, 0, sizeof(a));
	a.dir = f->handle;
	a.flags = AT_EMPTY_PATH;
	a.path.gpa = virt_to_phys(empty);
	a.path.len = 0;
	a.stat = virt_to_phys(st);
	return (int)hc_call(RRV_HC_FSTATAT, &a);
}

/* The ioctls the VMM forwards, with the size of what each returns. */
static const struct {
	uint32_t cmd, size;
} host_ioctls[] = {
	{ TCGETS, 36 },    /* the kernel's struct termios */
	{ TIOCGWINSZ, 8 }, /* struct winsize */
	{ FIONREAD, 4 },   /* int */
};

static int64_t host_ioctl(struct file *f, uint32_t cmd, uint64_t arg)
{
	for (size_t i = 0; i < sizeof(host_ioctls) / sizeof(host_ioctls[0]); i++) {
		if (host_ioctls[i].cmd != cmd)
			continue;
		uint8_t buf[64] __attribute__((aligned(8)));
		struct rrv_hc_ioctl a;
		memset(&a, 0, sizeof(a));
		a.handle = (uint32_t)f->handle;
		a.cmd = cmd;
		a.buf = virt_to_phys(buf);
		a.len = host_ioctls[i].size;
		int64_t r = hc_call(RRV_HC_IOCTL, &a);
		if (r < 0)
			return r;
		if (copy_to_user(arg, buf, host_ioctls[i].size))
			return -EFAULT;
		return r;
	}
	return -ENOTTY;
}

static int64_t host_fcntl(struct file *f, uint32_t cmd, uint64_t arg)
{
	struct rrv_hc_fcntl a;

	memset(&a, 0, sizeof(a));
	a.handle = (uint32_t)f->handle;
	a.cmd = cmd;
	a.arg = arg;
	return hc_call(RRV_HC_FCNTL, &a);
}

static int64_t host_getfl(struct file *f)
{
	return host_fcntl(f, 3 /* F_GETFL */, 0);
}

static int64_t host_setfl(struct file *f, uint32_t flags)
{
	int64_t r = host_fcntl(f, 4 /* F_SETFL */, flags);

	/* The host holds the flags; the guest's copy of O_NONBLOCK says
	 * whether a read may wait in the guest (read_may_stall). */
	if (r >= 0)
		f->flags = (f->flags & ~(uint32_t)O_NONBLOCK) | (flags & O_NONBLOCK);
	return r;
}

/* The host cannot say whether a read would block without trying, so a
 * host file is always ready (true of files and directories; a terminal
 * or pipe that rrv was given may then block in read). */
static int host_poll(struct file *f)
{
	(void)f;
	return POLLIN | POLLRDNORM | POLLOUT | POLLWRNORM;
}

static void host_release(struct file *f)
{
	struct rrv_hc_close a;

	/* The VMM keeps rrv's stdio open anyway; asking would only be a
	 * hypercall more in every trace. */
	if (f->handle <= 2)
		return;
	memset(&a, 0, sizeof(a));
	a.handle = (uint32_t)f->handle;
	hc_call(RRV_HC_CLOSE, &a);
}

static const struct file_ops host_ops = {
	.kind = FILE_HOST,
	.read = host_read,
	.write = host_write,
	.lseek = host_lseek,
	.stat = hostfile_stat,
	.ioctl = host_ioctl,
	.getfl = host_getfl,
	.setfl = host_setfl,
	.poll = host_poll,
	.release = host_release,
};

struct file *hostfile_new(int32_t handle, uint32_t flags)
{
	struct file *f = file_alloc(&host_ops, flags);
	if (f)
		f->handle = handle;
	return f;
}
