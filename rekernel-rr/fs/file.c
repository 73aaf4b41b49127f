/*
 * Open files, the descriptor table, and the transfer cursor (contracts in
 * file.h).  The table is what Linux's fdtable is: a pointer per
 * descriptor plus a close-on-exec bit, with lowest-free allocation.
 */
#include "fs/file.h"

#include "arch/x86/vm.h"
#include "lib/kprintf.h"
#include "lib/string.h"
#include "mm/kalloc.h"
#include "mm/uaccess.h"
#include "proc/proc.h"
#include "uapi/errno.h"
#include "uapi/uio.h"

/* Descriptor slots come in pages, allocated when first used: most
 * programs never get past the first page. */
#define FD_PER_CHUNK (4096 / sizeof(struct file *))
#define FD_CHUNKS ((NOFILE + FD_PER_CHUNK - 1) / FD_PER_CHUNK)

struct files {
	struct file **chunk[FD_CHUNKS];
	uint64_t cloexec[NOFILE / 64];
	int max_fds; /* Linux's fdtable size, for select (fd_table_size) */
};

/* Linux's first fdtable holds 64 descriptors (NR_OPEN_DEFAULT). */
#define FDTABLE_FIRST 64

char file_poll_chan;

/* ---- the transfer cursor ---- */

void uio_init_buf(struct uio *u, uint64_t ubuf, uint64_t len)
{
	memset(u, 0, sizeof(*u));
	u->one.base = ubuf;
	u->one.len = len < MAX_RW_COUNT ? len : MAX_RW_COUNT;
	u->segs = &u->one;
	u->nseg = 1;
	u->resid = u->one.len;
}

int uio_init_iovec(struct uio *u, uint64_t uiov, int64_t cnt)
{
	struct k_iovec v;
	uint64_t total = 0;

	if (cnt < 0 || cnt > UIO_MAXIOV)
		return -EINVAL;
	/* Check every length first, as Linux does before moving a byte;
	 * the sum is capped like a single buffer. */
	for (int64_t i = 0; i < cnt; i++) {
		if (copy_from_user(&v, uiov + (uint64_t)i * sizeof(v), sizeof(v)))
			return -EFAULT;
		if ((int64_t)v.iov_len < 0)
			return -EINVAL;
		total += v.iov_len < MAX_RW_COUNT ? v.iov_len : MAX_RW_COUNT;
		if (total > MAX_RW_COUNT)
			total = MAX_RW_COUNT;
	}
	memset(u, 0, sizeof(*u));
	u->uiov = uiov;
	u->nseg = (uint32_t)cnt;
	u->resid = total;
	return 0;
}

void uio_init_kernel(struct uio *u, const struct uio_seg *segs, uint32_t nseg)
{
	memset(u, 0, sizeof(*u));
	u->kernel = true;
	u->segs = segs;
	u->nseg = nseg;
	for (uint32_t i = 0; i < nseg; i++)
		u->resid += segs[i].len;
}

int uio_cur(struct uio *u, uint64_t *base, uint64_t *len)
{
	while (u->resid > 0 && (!u->loaded || u->left == 0)) {
		if (u->loaded)
			u->idx++;
		if (u->idx >= u->nseg)
			return 1;
		if (u->uiov) {
			struct k_iovec v;
			if (copy_from_user(&v, u->uiov + (uint64_t)u->idx * sizeof(v),
					   sizeof(v)))
				return -EFAULT;
			u->base = v.iov_base;
			u->left = v.iov_len;
		} else {
			u->base = u->segs[u->idx].base;
			u->left = u->segs[u->idx].len;
		}
		u->loaded = true;
	}
	if (u->resid == 0)
		return 1;
	*base = u->base;
	*len = u->left < u->resid ? u->left : u->resid;
	return 0;
}

void uio_advance(struct uio *u, uint64_t n)
{
	uint64_t base, len;

	/* Piece by piece: a hypercall may have moved several.  uio_cur also
	 * loads the piece when u does not have it yet (hostfile.c finds
	 * pieces on a copy of u). */
	while (n > 0 && uio_cur(u, &base, &len) == 0) {
		uint64_t k = n < len ? n : len;
		u->base += k;
		u->left -= k;
		u->resid -= k;
		n -= k;
	}
}

int uio_copy_out(const struct uio *u, uint64_t base, const void *src, size_t n)
{
	if (u->kernel) {
		memcpy((void *)(uintptr_t)base, src, n);
		return 0;
	}
	return copy_to_user(base, src, n) ? -EFAULT : 0;
}

int uio_copy_in(const struct uio *u, void *dst, uint64_t base, size_t n)
{
	if (u->kernel) {
		memcpy(dst, (const void *)(uintptr_t)base, n);
		return 0;
	}
	return copy_from_user(dst, base, n) ? -EFAULT : 0;
}

int64_t uio_gather(const struct uio *u0, bool to_user, struct rrv_hc_iovec *iov,
		   uint32_t *cnt)
{
	struct uio u = *u0; /* a copy: the bytes are consumed by the caller */
	int64_t total = 0;
	uint64_t base, len;

	*cnt = 0;
	while (*cnt < RRV_HC_IOV_MAX) {
		int r = uio_cur(&u, &base, &len);
		if (r != 0)
			return total ? total : (r < 0 ? r : 0);
		int64_t got;
		if (u.kernel) {
			/* Kernel segments are physically contiguous by
			 * contract, so one piece each. */
			iov[*cnt].base = virt_to_phys((void *)(uintptr_t)base);
			iov[*cnt].len = len;
			(*cnt)++;
			got = (int64_t)len;
		} else {
			unsigned n = 0;
			got = user_iovecs(base, len, to_user, iov + *cnt,
					  RRV_HC_IOV_MAX - *cnt, &n);
			if (got < 0)
				return total ? total : got;
			*cnt += n;
		}
		total += got;
		uio_advance(&u, (uint64_t)got);
		if ((uint64_t)got < len) /* out of pieces */
			break;
	}
	return total;
}

/* ---- open files ---- */

struct file *file_alloc(const struct file_ops *ops, uint32_t flags)
{
	struct file *f = kmalloc(sizeof(*f));
	if (!f)
		return NULL;
	memset(f, 0, sizeof(*f));
	f->ops = ops;
	f->refs = 1;
	f->flags = flags;
	f->handle = -1;
	return f;
}

void file_get(struct file *f)
{
	f->refs++;
}

void file_put(struct file *f)
{
	if (--f->refs > 0)
		return;
	f->ops->release(f);
	if (f->path)
		kfree(f->path);
	kfree(f);
}

int file_poll(struct file *f)
{
	return f->ops->poll(f);
}

int64_t file_kread(struct file *f, void *buf, size_t len, int64_t pos)
{
	struct uio_seg seg = { (uint64_t)(uintptr_t)buf, len };
	struct uio u;

	uio_init_kernel(&u, &seg, 1);
	return f->ops->read(f, &u, pos);
}

/* ---- the descriptor table ---- */

static struct file **slot(struct files *fs, int fd, bool create)
{
	struct file ***c = &fs->chunk[(size_t)fd / FD_PER_CHUNK];
	if (!*c) {
		if (!create)
			return NULL;
		*c = page_alloc();
		if (!*c)
			return NULL;
	}
	return &(*c)[(size_t)fd % FD_PER_CHUNK];
}

/* RLIMIT_NOFILE as the core set it; a limit never set (both zero) is
 * taken as NOFILE rather than as "no descriptors at all". */
int fd_limit(void)
{
	uint64_t cur = curproc->rlimit[RLIMIT_NOFILE].cur;
	if (cur == 0 && curproc->rlimit[RLIMIT_NOFILE].max == 0)
		return NOFILE;
	return cur < NOFILE ? (int)cur : NOFILE;
}

int32_t cwd_dir(void)
{
	/* A directory of ours (/proc...) is never the host's: paths relative
	 * to it are made absolute before they get here (fs/pseudo.c). */
	struct file *c = curproc->cwd;
	return c && c->ops->kind == FILE_HOST ? c->handle : RRV_HC_AT_CWD;
}

struct file *fd_file(int fd)
{
	if (fd < 0 || fd >= NOFILE || !curproc->files)
		return NULL;
	struct file **s = slot(curproc->files, fd, false);
	return s ? *s : NULL;
}

struct file *files_lookup(struct files *fs, int fd)
{
	if (fd < 0 || fd >= NOFILE || !fs)
		return NULL;
	struct file **s = slot(fs, fd, false);
	return s ? *s : NULL;
}

bool files_cloexec(struct files *fs, int fd)
{
	if (!files_lookup(fs, fd))
		return false;
	return (fs->cloexec[fd / 64] >> (fd % 64)) & 1;
}

int fd_find_free(int minfd)
{
	int lim = fd_limit();
	for (int fd = minfd < 0 ? 0 : minfd; fd < lim; fd++) {
		struct file **s = slot(curproc->files, fd, false);
		if (!s) /* a whole chunk never used */
			return fd;
		if (!*s)
			return fd;
	}
	return -EMFILE;
}

bool fd_get_cloexec(int fd)
{
	return (curproc->files->cloexec[fd / 64] >> (fd % 64)) & 1;
}

void fd_set_cloexec(int fd, bool on)
{
	uint64_t bit = 1ull << (fd % 64);
	if (on)
		curproc->files->cloexec[fd / 64] |= bit;
	else
		curproc->files->cloexec[fd / 64] &= ~bit;
}

/* Linux's alloc_fdtable: the table that holds fd, grown in steps of
 * 1 KiB of pointers, doubling. */
static int fdtable_size_for(int fd)
{
	int n = 1;
	while (n < fd / 128 + 1)
		n <<= 1;
	return n * 128;
}

int fd_table_size(void)
{
	return curproc->files->max_fds;
}

static int install(struct files *fs, int fd, struct file *f, bool cloexec)
{
	struct file **s = slot(fs, fd, true);
	if (!s)
		return -ENOMEM;
	if (fd >= fs->max_fds)
		fs->max_fds = fdtable_size_for(fd);
	struct file *old = *s;
	file_get(f);
	*s = f;
	uint64_t bit = 1ull << (fd % 64);
	fs->cloexec[fd / 64] = cloexec ? fs->cloexec[fd / 64] | bit
				       : fs->cloexec[fd / 64] & ~bit;
	/* Last, so that a release that sleeps never sees a half-made slot. */
	if (old)
		file_put(old);
	return 0;
}

int fd_install(int fd, struct file *f, bool cloexec)
{
	return install(curproc->files, fd, f, cloexec);
}

static int close_in(struct files *fs, int fd)
{
	struct file **s = fd < 0 || fd >= NOFILE ? NULL : slot(fs, fd, false);
	if (!s || !*s)
		return -EBADF;
	struct file *f = *s;
	*s = NULL;
	fs->cloexec[fd / 64] &= ~(1ull << (fd % 64));
	file_put(f);
	return 0;
}

int fd_close(int fd)
{
	return close_in(curproc->files, fd);
}

struct files *files_init_stdio(void)
{
	struct files *fs = kmalloc(sizeof(*fs));
	if (!fs)
		panic("files_init_stdio: out of memory");
	fs->max_fds = FDTABLE_FIRST;
	/* Status flags are the host's (F_GETFL asks it), so none here. */
	for (int fd = 0; fd <= 2; fd++) {
		struct file *f = hostfile_new(fd, 0);
		if (!f || install(fs, fd, f, false) < 0)
			panic("files_init_stdio: out of memory");
		file_put(f);
	}
	return fs;
}

void files_close_on_exec(struct files *fs)
{
	for (int fd = 0; fd < NOFILE; fd++)
		if ((fs->cloexec[fd / 64] >> (fd % 64)) & 1)
			close_in(fs, fd);
}

void files_close_all(struct files *fs)
{
	for (int fd = 0; fd < NOFILE; fd++) {
		struct file **s = slot(fs, fd, false);
		if (s && *s)
			close_in(fs, fd);
	}
}

struct files *files_dup(struct files *fs)
{
	struct files *n = kmalloc(sizeof(*n));
	if (!n)
		return NULL;
	n->max_fds = fs->max_fds;
	for (int fd = 0; fd < NOFILE; fd++) {
		struct file **s = slot(fs, fd, false);
		if (!s || !*s)
			continue;
		bool cloexec = (fs->cloexec[fd / 64] >> (fd % 64)) & 1;
		if (install(n, fd, *s, cloexec) < 0) {
			files_free(n);
			return NULL;
		}
	}
	return n;
}

void files_free(struct files *fs)
{
	files_close_all(fs);
	for (size_t i = 0; i < FD_CHUNKS; i++)
		if (fs->chunk[i])
			page_free(fs->chunk[i]);
	kfree(fs);
}
