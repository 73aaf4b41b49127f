/*
 * The open files on the nodes of our trees (fs/pseudo.h, fs/pseudo.c):
 * text files read from the snapshot their text maker made at open, as
 * Linux's seq files show one consistent text; files with a transfer of
 * their own (devices, /proc/PID/mem) and writable ones (comm); links
 * opened O_PATH; and directories, listed afresh at position 0.
 */
#include "fs/pseudo.h"

#include "arch/x86/vm.h"
#include "fs/file.h"
#include "lib/string.h"
#include "mm/kalloc.h"
#include "proc/proc.h"
#include "uapi/errno.h"

#define TEXT_PAGES 16 /* the longest text of ours: 64 KiB */

/* Text is made here, then copied into the file's own pages. */
static char textbuf[TEXT_PAGES * PGSIZE];

struct pfile {
	struct pnode node; /* first: pn_fd_link reads the path through priv */
	uint64_t pos;      /* the file position */
	uint64_t len;      /* text files, directories: bytes of text or records */
	char *page[TEXT_PAGES];
};

static const struct file_ops pseudo_ops;

bool file_is_pseudo(struct file *f)
{
	return f->ops == &pseudo_ops;
}

static struct pfile *pf_of(struct file *f)
{
	return f->priv;
}

const char *pseudo_dir_path(struct file *f)
{
	if (!file_is_pseudo(f) || pn_info(pf_of(f)->node.id)->type != PT_DIR)
		return NULL;
	return pf_of(f)->node.path;
}

bool file_is_zero_device(struct file *f)
{
	return file_is_pseudo(f) && pf_of(f)->node.id == PN_DEV_ZERO;
}

/* Copies b.len bytes of textbuf into pf's pages. */
static int pf_fill(struct pfile *pf, size_t len)
{
	for (size_t at = 0; at < len; at += PGSIZE) {
		char **pg = &pf->page[at / PGSIZE];
		if (!*pg && !(*pg = page_alloc()))
			return -ENOMEM;
		size_t n = len - at < PGSIZE ? len - at : PGSIZE;
		memcpy(*pg, textbuf + at, n);
	}
	pf->len = len;
	return 0;
}

static int64_t pf_read(struct file *f, struct uio *u, int64_t pos)
{
	struct pfile *pf = pf_of(f);
	const struct pn_info *in = pn_info(pf->node.id);
	if ((f->flags & O_PATH) || (f->flags & O_ACCMODE) == O_WRONLY)
		return -EBADF;
	if (in->type == PT_DIR)
		return -EISDIR;
	uint64_t at = pos >= 0 ? (uint64_t)pos : pf->pos;
	int64_t done = 0;
	if (in->rw) {
		done = in->rw(&pf->node, u, at, false);
	} else {
		uint64_t base, len;
		while (at < pf->len && uio_cur(u, &base, &len) == 0) {
			uint64_t in_pg = at % PGSIZE, n = len;
			if (n > PGSIZE - in_pg)
				n = PGSIZE - in_pg;
			if (n > pf->len - at)
				n = pf->len - at;
			if (uio_copy_out(u, base, pf->page[at / PGSIZE] + in_pg, n))
				return done ? done : -EFAULT;
			uio_advance(u, n);
			done += (int64_t)n;
			at += n;
		}
		at -= (uint64_t)done;
	}
	if (done > 0 && pos < 0)
		pf->pos = at + (uint64_t)done;
	return done;
}

static int64_t pf_write(struct file *f, struct uio *u, int64_t pos)
{
	struct pfile *pf = pf_of(f);
	const struct pn_info *in = pn_info(pf->node.id);
	if ((f->flags & O_PATH) || (f->flags & O_ACCMODE) == O_RDONLY)
		return -EBADF;
	if (in->type == PT_DIR)
		return -EISDIR;
	uint64_t at = pos >= 0 ? (uint64_t)pos : pf->pos;
	int64_t done;
	if (in->rw) {
		done = in->rw(&pf->node, u, at, true);
	} else if (in->write) {
		static char wbuf[PGSIZE];
		uint64_t base, len;
		size_t n = 0;
		while (n < sizeof(wbuf) && uio_cur(u, &base, &len) == 0) {
			if (len > sizeof(wbuf) - n)
				len = sizeof(wbuf) - n;
			if (uio_copy_in(u, wbuf + n, base, len))
				return -EFAULT;
			uio_advance(u, len);
			n += len;
		}
		done = in->write(&pf->node, wbuf, n);
	} else {
		return -EINVAL;
	}
	if (done > 0 && pos < 0)
		pf->pos = at + (uint64_t)done;
	return done;
}

static int64_t pf_lseek(struct file *f, int64_t off, uint32_t whence)
{
	struct pfile *pf = pf_of(f);
	const struct pn_info *in = pn_info(pf->node.id);
	if (in->type == PT_CHR)
		return 0; /* character devices ignore seeks */
	int64_t to;
	switch (whence) {
	case SEEK_SET:
		to = off;
		break;
	case SEEK_CUR:
		to = (int64_t)pf->pos + off;
		break;
	case SEEK_END:
		if (in->type != PT_REG || in->rw)
			return -EINVAL;
		to = (int64_t)pf->len + off;
		break;
	default:
		return -EINVAL;
	}
	/* A directory's offsets are its own; rewinddir lists afresh. */
	if (to < 0 || (in->type == PT_DIR && whence != SEEK_SET))
		return -EINVAL;
	pf->pos = (uint64_t)to;
	return to;
}

static int pf_stat(struct file *f, struct rrv_stat *st)
{
	pn_stat(&pf_of(f)->node, st);
	return 0;
}

static int64_t pf_ioctl(struct file *f, uint32_t cmd, uint64_t arg)
{
	(void)f;
	(void)cmd;
	(void)arg;
	return -ENOTTY;
}

/* x86-64 Linux opens every file with O_LARGEFILE, and F_GETFL says so. */
static int64_t pf_getfl(struct file *f)
{
	return f->flags | O_LARGEFILE;
}

static int64_t pf_setfl(struct file *f, uint32_t flags)
{
	f->flags = (f->flags & (O_ACCMODE | O_PATH)) | (flags & ~(uint32_t)(O_ACCMODE | O_PATH));
	return 0;
}

static int pf_poll(struct file *f)
{
	(void)f;
	return POLLIN | POLLRDNORM | POLLOUT | POLLWRNORM;
}

static void pf_release(struct file *f)
{
	struct pfile *pf = pf_of(f);
	for (int i = 0; i < TEXT_PAGES; i++)
		if (pf->page[i])
			page_free(pf->page[i]);
	kfree(pf);
}

static const struct file_ops pseudo_ops = {
	.kind = FILE_SPECIAL,
	.read = pf_read,
	.write = pf_write,
	.lseek = pf_lseek,
	.stat = pf_stat,
	.ioctl = pf_ioctl,
	.getfl = pf_getfl,
	.setfl = pf_setfl,
	.poll = pf_poll,
	.release = pf_release,
};

int pn_open(const struct pnode *n, uint32_t flags, struct file **out)
{
	const struct pn_info *in = pn_info(n->id);
	uint32_t acc = flags & O_ACCMODE;
	if (!(flags & O_PATH)) {
		if (in->type == PT_LNK)
			return -ELOOP; /* O_NOFOLLOW */
		if ((flags & O_DIRECTORY) && in->type != PT_DIR)
			return -ENOTDIR;
		if ((flags & O_CREAT) && (flags & O_EXCL))
			return -EEXIST;
		if (in->type == PT_DIR && (acc != O_RDONLY || (flags & O_CREAT)))
			return -EISDIR;
		uint32_t want = acc == O_RDONLY ? 4 : acc == O_WRONLY ? 2 : 6;
		struct rrv_stat st;
		pn_stat(n, &st);
		if (!pn_permits(st.st_mode, st.st_uid, st.st_gid, want))
			return -EACCES;
	} else if ((flags & O_DIRECTORY) && in->type != PT_DIR) {
		return -ENOTDIR;
	}
	if (n->pid && !pn_proc(n))
		return -ENOENT;
	struct pfile *pf = kmalloc(sizeof(*pf));
	if (!pf)
		return -ENOMEM;
	memset(pf, 0, sizeof(*pf));
	pf->node = *n;
	uint32_t keep = O_ACCMODE | O_APPEND | O_NONBLOCK | O_PATH | O_DIRECTORY;
	struct file *f = file_alloc(&pseudo_ops, flags & keep);
	if (!f) {
		kfree(pf);
		return -ENOMEM;
	}
	f->priv = pf;
	if (!(flags & O_PATH) && in->type == PT_REG && in->text && acc != O_WRONLY) {
		struct tb b = { textbuf, 0, sizeof(textbuf) };
		int e = in->text(n, &b);
		if (!e)
			e = pf_fill(pf, b.len);
		if (e < 0) {
			file_put(f);
			return e;
		}
	}
	*out = f;
	return 0;
}


int64_t pseudo_readlink_file(struct file *f, char *buf, size_t len)
{
	if (!file_is_pseudo(f))
		return -ENOENT;
	struct pathres r;
	memset(&r, 0, sizeof(r));
	r.kind = PATH_NODE;
	r.node = pf_of(f)->node;
	return pseudo_readlink(&r, buf, len);
}

/* ---- listings ---- */

#define DT_CHR 2
#define DT_DIR 4
#define DT_REG 8
#define DT_LNK 10

struct dlist {
	struct tb b;
};

bool dl_add(struct dlist *dl, const char *name, enum pn_type type, uint64_t ino)
{
	static const uint8_t dtype[] = { [PT_DIR] = DT_DIR, [PT_REG] = DT_REG,
					 [PT_LNK] = DT_LNK, [PT_CHR] = DT_CHR };
	struct tb *b = &dl->b;
	size_t namelen = strlen(name);
	size_t reclen = (19 + namelen + 1 + 7) & ~(size_t)7;
	if (b->len + reclen > b->cap)
		return false;
	char *d = b->p + b->len;
	uint64_t next = b->len + reclen; /* d_off: where the next one starts */
	uint16_t rl = (uint16_t)reclen;
	memset(d, 0, reclen);
	memcpy(d, &ino, 8);
	memcpy(d + 8, &next, 8);
	memcpy(d + 16, &rl, 2);
	d[18] = (char)dtype[type];
	memcpy(d + 19, name, namelen);
	b->len += reclen;
	return true;
}

/* The entries of directory n, as Linux lists them at the start of a
 * listing: ".", "..", the fixed ones, then the ones that come and go. */
static int list_dir(struct pfile *pf)
{
	const struct pnode *n = &pf->node;
	const struct pn_info *in = pn_info(n->id);
	struct dlist dl = { { textbuf, 0, sizeof(textbuf) } };
	if (n->pid && !pn_proc(n))
		return -ENOENT;
	dl_add(&dl, ".", PT_DIR, pn_ino(n));
	dl_add(&dl, "..", PT_DIR, 2);
	for (int i = 0; i < in->nchildren; i++) {
		struct pnode c = *n;
		c.id = in->children[i].id;
		c.arg = in->children[i].arg;
		c.fd = -1;
		if (!dl_add(&dl, in->children[i].name, pn_info(c.id)->type, pn_ino(&c)))
			break;
	}
	if (in->list)
		in->list(n, &dl);
	return pf_fill(pf, dl.b.len);
}

uint64_t pn_child_ino(const struct pnode *dir, uint16_t id, int pid, int tid, int fd)
{
	struct pnode c = *dir;
	c.id = id;
	c.pid = pid;
	c.tid = tid;
	c.fd = fd;
	c.arg = 0;
	return pn_ino(&c);
}

int64_t pseudo_getdents(struct file *f, void *buf, size_t count)
{
	if (!file_is_pseudo(f))
		return 0;
	struct pfile *pf = pf_of(f);
	if (pn_info(pf->node.id)->type != PT_DIR || (f->flags & O_PATH))
		return (f->flags & O_PATH) ? -EBADF : -ENOTDIR;
	if (pf->pos == 0) {
		int r = list_dir(pf);
		if (r < 0)
			return r;
	}
	/* Whole records that fit, from the position on. */
	size_t done = 0;
	while (pf->pos < pf->len) {
		char *d = pf->page[pf->pos / PGSIZE] + pf->pos % PGSIZE;
		uint16_t reclen;
		memcpy(&reclen, d + 16, 2);
		if (pf->pos % PGSIZE + reclen > PGSIZE) {
			/* A record across two pages: gather it. */
			static char rec[PGSIZE];
			size_t first = PGSIZE - pf->pos % PGSIZE;
			memcpy(rec, d, first);
			memcpy(rec + first, pf->page[pf->pos / PGSIZE + 1], reclen - first);
			d = rec;
		}
		if (done + reclen > count)
			break;
		memcpy((char *)buf + done, d, reclen);
		done += reclen;
		pf->pos += reclen;
	}
	if (done == 0 && pf->pos < pf->len)
		return -EINVAL; /* the buffer cannot hold one record */
	return (int64_t)done + 1;
}

