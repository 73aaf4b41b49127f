/*
 * The files the guest kernel answers itself (special.h): the character
 * devices /dev/null, /dev/zero, /dev/full, /dev/random and /dev/urandom,
 * and the parts of /proc and /sys that programs read at start-up.
 *
 * Why here and not on the host: the host's /proc describes rrv, not the
 * program (its maps, its status, its executable), and its /dev/urandom
 * would hand the program bytes no recording could see.  So /proc and /sys
 * text is made from the guest's own state when the file is opened, as
 * Linux makes it, and random bytes come from the RANDOM hypercall, which
 * a recording keeps.  /dev/tty and everything else is the host's.
 */
#include "fs/special.h"

#include <rrv/hypercall.h>

#include "arch/x86/vm.h"
#include "arch/x86/x86.h"
#include "fs/file.h"
#include "hv/hypercall.h"
#include "lib/kprintf.h"
#include "lib/string.h"
#include "mm/kalloc.h"
#include "mm/mm.h"
#include "mm/uaccess.h"
#include "proc/proc.h"
#include "uapi/errno.h"

enum sp_kind { SP_NULL, SP_ZERO, SP_FULL, SP_RANDOM, SP_URANDOM, SP_TEXT,
	       SP_FDDIR /* /proc/self/fd: its entries in the text pages */ };

#define TEXT_PAGES 16 /* the longest /proc text: 64 KiB */

struct special {
	enum sp_kind kind;
	uint32_t rdev;   /* devices: Linux's (major << 8 | minor) */
	uint64_t pos;    /* SP_TEXT, SP_FDDIR: the file position */
	uint64_t len;    /* SP_TEXT, SP_FDDIR: bytes of text or entries */
	char *page[TEXT_PAGES];
	char path[64];   /* for readlink of /proc/self/fd/N */
};

static const struct {
	const char *path;
	enum sp_kind kind;
	uint32_t rdev;
} devices[] = {
	{ "/dev/null", SP_NULL, 1 << 8 | 3 },
	{ "/dev/zero", SP_ZERO, 1 << 8 | 5 },
	{ "/dev/full", SP_FULL, 1 << 8 | 7 },
	{ "/dev/random", SP_RANDOM, 1 << 8 | 8 },
	{ "/dev/urandom", SP_URANDOM, 1 << 8 | 9 },
};

/* Text is made here, then copied into the file's own pages. */
static char textbuf[TEXT_PAGES * PGSIZE];

/* ---- the program's file ---- */

/* The mapping file of the process's segments (proc.exe): its host path is
 * what /proc/self/exe shows, resolved by the host as Linux resolves it. */
void special_set_exe(struct mapfile *mf)
{
	mapfile_get(mf);
	if (curproc->exe)
		mapfile_put(curproc->exe);
	curproc->exe = mf;
}

static const char *exe_name(struct proc *p)
{
	return p->exe ? mapfile_name(p->exe) : "";
}

/* ---- paths ---- */

/*
 * path with "/proc/self/", "/proc/thread-self/" or "/proc/<pid>/" at its
 * start, pid a live process of the program (the host's /proc/<pid> would
 * be some other process): the rest after it, with the process in *who,
 * else NULL.  "/proc/self" alone gives "".
 */
static const char *proc_dir(const char *path, struct proc **who)
{
	static const char *const selves[] = { "/proc/self", "/proc/thread-self" };
	const char *rest = NULL;
	*who = curproc;
	for (size_t i = 0; i < sizeof(selves) / sizeof(selves[0]) && !rest; i++) {
		size_t n = strlen(selves[i]);
		if (strncmp(path, selves[i], n) == 0)
			rest = path + n;
	}
	if (!rest && strncmp(path, "/proc/", 6) == 0) {
		const char *d = path + 6;
		int pid = 0;
		while (*d >= '0' && *d <= '9' && pid < 100000000)
			pid = pid * 10 + (*d++ - '0');
		struct proc *p = d > path + 6 && path[6] != '0' ? proc_find(pid) : NULL;
		if (p && p->state == P_ALIVE) {
			*who = p;
			rest = d;
		}
	}
	if (!rest || (*rest && *rest != '/'))
		return NULL;
	return *rest ? rest + 1 : rest;
}


/* A decimal descriptor number, or -1. */
static int parse_fd(const char *s)
{
	int fd = 0;
	if (!*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || fd > NOFILE)
			return -1;
		fd = fd * 10 + (*s - '0');
	}
	return fd;
}

/* ---- the text of /proc and /sys files ---- */

struct tb {
	char *p;
	size_t len, cap;
};

static void tb_printf(struct tb *b, const char *fmt, ...) KPRINTF_FMT(2, 3);
static void tb_printf(struct tb *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	size_t room = b->len < b->cap ? b->cap - b->len : 0;
	b->len += kvsnprintf(b->p + b->len, room, fmt, ap);
	if (b->len > b->cap)
		b->len = b->cap;
	va_end(ap);
}

/* The CPUID feature bits /proc/cpuinfo names, in Linux's order. */
static const struct {
	uint32_t leaf, reg, bit; /* reg: 0 eax, 1 ebx, 2 ecx, 3 edx */
	const char *name;
} cpu_flags[] = {
	{ 1, 3, 0, "fpu" }, { 1, 3, 1, "vme" }, { 1, 3, 2, "de" }, { 1, 3, 3, "pse" },
	{ 1, 3, 4, "tsc" }, { 1, 3, 5, "msr" }, { 1, 3, 6, "pae" }, { 1, 3, 7, "mce" },
	{ 1, 3, 8, "cx8" }, { 1, 3, 9, "apic" }, { 1, 3, 11, "sep" }, { 1, 3, 12, "mtrr" },
	{ 1, 3, 13, "pge" }, { 1, 3, 14, "mca" }, { 1, 3, 15, "cmov" }, { 1, 3, 16, "pat" },
	{ 1, 3, 17, "pse36" }, { 1, 3, 19, "clflush" }, { 1, 3, 23, "mmx" },
	{ 1, 3, 24, "fxsr" }, { 1, 3, 25, "sse" }, { 1, 3, 26, "sse2" }, { 1, 3, 28, "ht" },
	{ 0x80000001, 3, 11, "syscall" }, { 0x80000001, 3, 20, "nx" },
	{ 0x80000001, 3, 26, "pdpe1gb" }, { 0x80000001, 3, 27, "rdtscp" },
	{ 0x80000001, 3, 29, "lm" },
	{ 1, 2, 0, "pni" }, { 1, 2, 1, "pclmulqdq" }, { 1, 2, 9, "ssse3" },
	{ 1, 2, 12, "fma" }, { 1, 2, 13, "cx16" }, { 1, 2, 19, "sse4_1" },
	{ 1, 2, 20, "sse4_2" }, { 1, 2, 21, "x2apic" }, { 1, 2, 22, "movbe" },
	{ 1, 2, 23, "popcnt" }, { 1, 2, 25, "aes" }, { 1, 2, 26, "xsave" },
	{ 1, 2, 28, "avx" }, { 1, 2, 29, "f16c" }, { 1, 2, 30, "rdrand" },
	{ 0x80000001, 2, 0, "lahf_lm" }, { 0x80000001, 2, 5, "abm" },
	{ 7, 1, 3, "bmi1" }, { 7, 1, 5, "avx2" }, { 7, 1, 8, "bmi2" },
	{ 7, 1, 18, "rdseed" }, { 7, 1, 19, "adx" }, { 7, 1, 29, "sha_ni" },
};

/* /proc/cpuinfo: one processor, described by the CPUID profile the
 * program itself sees (docs/cpuid.md). */
static void make_cpuinfo(struct tb *b)
{
	uint32_t r[4], max, maxext;
	char vendor[13], brand[49];

	cpuid(0, 0, &max, &r[1], &r[2], &r[3]);
	memcpy(vendor, &r[1], 4);
	memcpy(vendor + 4, &r[3], 4);
	memcpy(vendor + 8, &r[2], 4);
	vendor[12] = '\0';
	cpuid(0x80000000, 0, &maxext, &r[1], &r[2], &r[3]);
	brand[0] = '\0';
	if (maxext >= 0x80000004) {
		for (uint32_t i = 0; i < 3; i++) {
			cpuid(0x80000002 + i, 0, &r[0], &r[1], &r[2], &r[3]);
			memcpy(brand + 16 * i, r, 16);
		}
		brand[48] = '\0';
	}
	uint32_t sig, b1, c1, d1;
	cpuid(1, 0, &sig, &b1, &c1, &d1);
	uint32_t family = (sig >> 8) & 0xf, model = (sig >> 4) & 0xf;
	if (family == 0xf)
		family += (sig >> 20) & 0xff;
	if (family == 6 || family >= 0xf)
		model |= ((sig >> 16) & 0xf) << 4;

	tb_printf(b, "processor\t: 0\nvendor_id\t: %s\ncpu family\t: %u\nmodel\t\t: %u\n"
		  "model name\t: %s\nstepping\t: %u\nmicrocode\t: 0x1\n"
		  "cache size\t: 8192 KB\nphysical id\t: 0\nsiblings\t: 1\ncore id\t\t: 0\n"
		  "cpu cores\t: 1\napicid\t\t: 0\ninitial apicid\t: 0\nfpu\t\t: yes\n"
		  "fpu_exception\t: yes\ncpuid level\t: %u\nwp\t\t: yes\nflags\t\t:",
		  vendor, family, model, brand, sig & 0xf, max);
	for (size_t i = 0; i < sizeof(cpu_flags) / sizeof(cpu_flags[0]); i++) {
		uint32_t leaf = cpu_flags[i].leaf;
		if ((leaf < 0x80000000 && leaf > max) || (leaf >= 0x80000000 && leaf > maxext))
			continue;
		cpuid(leaf, 0, &r[0], &r[1], &r[2], &r[3]);
		if (r[cpu_flags[i].reg] & (1u << cpu_flags[i].bit))
			tb_printf(b, " %s", cpu_flags[i].name);
	}
	tb_printf(b, "\nbogomips\t: 4000.00\nclflush size\t: 64\ncache_alignment\t: 64\n"
		  "address sizes\t: 48 bits physical, 48 bits virtual\npower management:\n\n");
}

/* /proc/<pid>/status: the lines programs look at. */
static void make_status(struct tb *b, struct proc *p)
{
	const char *name = exe_name(p);
	for (const char *s = name; *s; s++)
		if (*s == '/')
			name = s + 1;
	uint64_t vm = 0;
	for (struct vma *v = p->mm->vmas; v; v = v->next)
		vm += v->end - v->start;
	tb_printf(b, "Name:\t%.15s\nUmask:\t%04o\nState:\tR (running)\nTgid:\t%d\n"
		  "Ngid:\t0\nPid:\t%d\nPPid:\t%d\nTracerPid:\t0\n"
		  "Uid:\t%u\t%u\t%u\t%u\nGid:\t%u\t%u\t%u\t%u\nFDSize:\t%d\nGroups:\t\n",
		  name, p->umask, p->pid, p->pid, p->ppid, p->uid, p->euid, p->suid,
		  p->euid, p->gid, p->egid, p->sgid, p->egid,
		  /* Another process's table size is not kept: Linux's first. */
		  p == curproc ? fd_table_size() : 64);
	tb_printf(b, "VmPeak:\t%8lu kB\nVmSize:\t%8lu kB\nVmHWM:\t%8lu kB\nVmRSS:\t%8lu kB\n"
		  "Threads:\t%d\nSigQ:\t0/63304\nCpus_allowed:\t1\nCpus_allowed_list:\t0\n"
		  "Mems_allowed:\t1\nMems_allowed_list:\t0\n",
		  vm >> 10, vm >> 10, (p->mm->peak_rss * PGSIZE) >> 10,
		  (p->mm->rss * PGSIZE) >> 10, p->nlive > 0 ? p->nlive : 1);
}

/* /proc/<pid>/cmdline: the arguments, each with its NUL, read from the
 * process's own stack as Linux does (exec recorded where they are), page
 * by page through its page tables (it need not be the loaded one). */
static void make_cmdline(struct tb *b, struct proc *p)
{
	struct mm *mm = p->mm;
	uint64_t va = mm->arg_start, end = mm->arg_end;
	int err;
	if (end - va > b->cap)
		end = va + b->cap;
	while (va < end) {
		uint64_t n = PGSIZE - (va & (PGSIZE - 1));
		if (n > end - va)
			n = end - va;
		const char *k = mm_user_ptr(mm, va, ACC_READ, &err);
		if (!k)
			return;
		memcpy(b->p + b->len, k, n);
		b->len += n;
		va += n;
	}
}

/* The text of a /proc or /sys file at path: true when there is one. */
static bool make_text(const char *path, struct tb *b)
{
	struct proc *who;
	const char *self = proc_dir(path, &who);
	if (self && strcmp(self, "maps") == 0) {
		b->len = mm_format_maps(who->mm, b->p, b->cap);
		if (b->len >= b->cap)
			b->len = b->cap - 1;
		return true;
	}
	if (self && strcmp(self, "status") == 0) {
		make_status(b, who);
		return true;
	}
	if (self && strcmp(self, "cmdline") == 0) {
		make_cmdline(b, who);
		return true;
	}
	if (strcmp(path, "/proc/cpuinfo") == 0) {
		make_cpuinfo(b);
		return true;
	}
	/* One CPU, number 0, whatever the host has. */
	if (strcmp(path, "/sys/devices/system/cpu/online") == 0 ||
	    strcmp(path, "/sys/devices/system/cpu/possible") == 0 ||
	    strcmp(path, "/sys/devices/system/cpu/present") == 0) {
		tb_printf(b, "0\n");
		return true;
	}
	return false;
}

/* ---- the file kind ---- */

static struct special *sp_of(struct file *f)
{
	return f->priv;
}

/* Text and zeros out to u; random bytes through the RANDOM hypercall. */
static int64_t sp_read(struct file *f, struct uio *u, int64_t pos)
{
	struct special *sp = sp_of(f);
	uint64_t base, len;
	int64_t done = 0;
	static uint8_t chunk[PGSIZE];

	if (sp->kind == SP_NULL)
		return 0;
	if (sp->kind == SP_FDDIR)
		return -EISDIR;
	uint64_t at = pos >= 0 ? (uint64_t)pos : sp->pos;
	while (uio_cur(u, &base, &len) == 0) {
		uint64_t n = len < sizeof(chunk) ? len : sizeof(chunk);
		if (sp->kind == SP_TEXT) {
			if (at >= sp->len)
				break;
			uint64_t in = at % PGSIZE;
			if (n > PGSIZE - in)
				n = PGSIZE - in;
			if (n > sp->len - at)
				n = sp->len - at;
			memcpy(chunk, sp->page[at / PGSIZE] + in, n);
		} else if (sp->kind == SP_RANDOM || sp->kind == SP_URANDOM) {
			struct rrv_hc_random rq;
			memset(&rq, 0, sizeof(rq));
			rq.buf = virt_to_phys(chunk);
			rq.len = n;
			int64_t r = hc_call(RRV_HC_RANDOM, &rq);
			if (r <= 0)
				return done ? done : (r < 0 ? r : -EIO);
			n = (uint64_t)r;
		} else {
			memset(chunk, 0, n);
		}
		if (uio_copy_out(u, base, chunk, n))
			return done ? done : -EFAULT;
		uio_advance(u, n);
		done += (int64_t)n;
		at += n;
	}
	if (pos < 0)
		sp->pos = at;
	return done;
}

static int64_t sp_write(struct file *f, struct uio *u, int64_t pos)
{
	struct special *sp = sp_of(f);
	(void)pos;
	if (sp->kind == SP_TEXT)
		return -EACCES;
	if (sp->kind == SP_FDDIR)
		return -EISDIR;
	if (sp->kind == SP_FULL)
		return -ENOSPC;
	/* The rest swallow everything (writing to /dev/urandom only stirs
	 * the pool, and the host's pool needs no help). */
	int64_t n = (int64_t)u->resid;
	uio_advance(u, u->resid);
	return n;
}

static int64_t sp_lseek(struct file *f, int64_t off, uint32_t whence)
{
	struct special *sp = sp_of(f);
	if (sp->kind == SP_FDDIR) {
		/* A directory's offsets are its own; rewinddir is what
		 * programs do, and it lists afresh. */
		if (whence != SEEK_SET || off < 0)
			return -EINVAL;
		sp->pos = (uint64_t)off;
		return off;
	}
	if (sp->kind != SP_TEXT)
		return 0; /* character devices ignore seeks */
	int64_t to;
	switch (whence) {
	case SEEK_SET:
		to = off;
		break;
	case SEEK_CUR:
		to = (int64_t)sp->pos + off;
		break;
	case SEEK_END:
		to = (int64_t)sp->len + off;
		break;
	default:
		return -EINVAL;
	}
	if (to < 0)
		return -EINVAL;
	sp->pos = (uint64_t)to;
	return to;
}

static int sp_stat(struct file *f, struct rrv_stat *st)
{
	struct special *sp = sp_of(f);
	memset(st, 0, sizeof(*st));
	st->st_nlink = 1;
	st->st_blksize = PGSIZE;
	if (sp->kind == SP_TEXT) {
		/* /proc files say size 0, as in Linux: read until EOF. */
		st->st_mode = S_IFREG | 0444;
		st->st_dev = 0x16;
	} else if (sp->kind == SP_FDDIR) {
		st->st_mode = S_IFDIR | 0500;
		st->st_nlink = 2;
		st->st_dev = 0x16;
	} else {
		st->st_mode = S_IFCHR | 0666;
		st->st_rdev = sp->rdev;
		st->st_dev = 0x5;
	}
	st->st_uid = curproc->uid;
	st->st_gid = curproc->gid;
	return 0;
}

static int64_t sp_ioctl(struct file *f, uint32_t cmd, uint64_t arg)
{
	(void)f;
	(void)cmd;
	(void)arg;
	return -ENOTTY;
}

/* x86-64 Linux opens every file with O_LARGEFILE, and F_GETFL says so. */
static int64_t sp_getfl(struct file *f)
{
	return f->flags | O_LARGEFILE;
}

static int64_t sp_setfl(struct file *f, uint32_t flags)
{
	f->flags = (f->flags & O_ACCMODE) | (flags & ~(uint32_t)O_ACCMODE);
	return 0;
}

static int sp_poll(struct file *f)
{
	(void)f;
	return POLLIN | POLLRDNORM | POLLOUT | POLLWRNORM;
}

static void sp_release(struct file *f)
{
	struct special *sp = sp_of(f);
	for (int i = 0; i < TEXT_PAGES; i++)
		if (sp->page[i])
			page_free(sp->page[i]);
	page_free(sp);
}

static const struct file_ops special_ops = {
	.kind = FILE_SPECIAL,
	.read = sp_read,
	.write = sp_write,
	.lseek = sp_lseek,
	.stat = sp_stat,
	.ioctl = sp_ioctl,
	.getfl = sp_getfl,
	.setfl = sp_setfl,
	.poll = sp_poll,
	.release = sp_release,
};

bool file_is_zero_device(struct file *f)
{
	return f->ops == &special_ops && sp_of(f)->kind == SP_ZERO;
}

static struct file *sp_new(enum sp_kind kind, uint32_t rdev, const char *path,
			   uint32_t flags)
{
	_Static_assert(sizeof(struct special) <= PGSIZE, "struct special too big");
	struct special *sp = page_alloc();
	if (!sp)
		return NULL;
	struct file *f = file_alloc(&special_ops, flags & (O_ACCMODE | O_APPEND | O_NONBLOCK));
	if (!f) {
		page_free(sp);
		return NULL;
	}
	sp->kind = kind;
	sp->rdev = rdev;
	size_t n = strlen(path);
	if (n >= sizeof(sp->path))
		n = sizeof(sp->path) - 1;
	memcpy(sp->path, path, n);
	f->priv = sp;
	return f;
}

int special_open(const char *path, uint32_t flags, struct file **out)
{
	for (size_t i = 0; i < sizeof(devices) / sizeof(devices[0]); i++) {
		if (strcmp(path, devices[i].path) != 0)
			continue;
		*out = sp_new(devices[i].kind, devices[i].rdev, path, flags);
		return *out ? 1 : -ENOMEM;
	}
	struct proc *who;
	const char *self = proc_dir(path, &who);
	if (self && (strcmp(self, "fd") == 0 || strcmp(self, "fd/") == 0)) {
		/* Another process's descriptors are not shown (readlink). */
		if (who != curproc)
			return -EACCES;
		if ((flags & O_ACCMODE) != O_RDONLY)
			return -EISDIR;
		char name[32];
		ksnprintf(name, sizeof(name), "/proc/%d/fd", curproc->pid);
		*out = sp_new(SP_FDDIR, 0, name, flags);
		return *out ? 1 : -ENOMEM;
	}
	struct tb b = { textbuf, 0, sizeof(textbuf) };
	if (!make_text(path, &b))
		return 0;
	if (flags & O_DIRECTORY)
		return -ENOTDIR;
	if ((flags & O_ACCMODE) != O_RDONLY)
		return -EACCES;
	struct file *f = sp_new(SP_TEXT, 0, path, flags);
	if (!f)
		return -ENOMEM;
	struct special *sp = sp_of(f);
	for (size_t at = 0; at < b.len; at += PGSIZE) {
		sp->page[at / PGSIZE] = page_alloc();
		if (!sp->page[at / PGSIZE]) {
			file_put(f);
			return -ENOMEM;
		}
		size_t n = b.len - at < PGSIZE ? b.len - at : PGSIZE;
		memcpy(sp->page[at / PGSIZE], textbuf + at, n);
	}
	sp->len = b.len;
	*out = f;
	return 1;
}

/* ---- /proc/self/fd ---- */

#define DT_DIR 4
#define DT_LNK 10

/* Appends one linux_dirent64 record to b; false when it does not fit. */
static bool dirent_add(struct tb *b, uint64_t ino, uint8_t type, const char *name)
{
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
	d[18] = (char)type;
	memcpy(d + 19, name, namelen);
	b->len += reclen;
	return true;
}

/* Lists the descriptors open now into sp's pages, as Linux lists them at
 * the start of a listing (the directory's own descriptor included). */
static int fddir_fill(struct special *sp)
{
	struct tb b = { textbuf, 0, sizeof(textbuf) };
	char name[16];

	dirent_add(&b, 1, DT_DIR, ".");
	dirent_add(&b, 2, DT_DIR, "..");
	for (int fd = 0; fd < NOFILE; fd++) {
		if (!fd_file(fd))
			continue;
		ksnprintf(name, sizeof(name), "%d", fd);
		if (!dirent_add(&b, 0x100 + (uint64_t)fd, DT_LNK, name))
			break;
	}
	for (size_t at = 0; at < b.len; at += PGSIZE) {
		if (!sp->page[at / PGSIZE] && !(sp->page[at / PGSIZE] = page_alloc()))
			return -ENOMEM;
		size_t n = b.len - at < PGSIZE ? b.len - at : PGSIZE;
		memcpy(sp->page[at / PGSIZE], textbuf + at, n);
	}
	sp->len = b.len;
	return 0;
}

int64_t special_getdents(struct file *f, void *buf, size_t count)
{
	if (f->ops != &special_ops)
		return 0;
	struct special *sp = sp_of(f);
	if (sp->kind != SP_FDDIR)
		return -ENOTDIR;
	if (sp->pos == 0) {
		int r = fddir_fill(sp);
		if (r < 0)
			return r;
	}
	/* Whole records that fit, from the position on. */
	size_t done = 0;
	while (sp->pos < sp->len) {
		char *d = sp->page[sp->pos / PGSIZE] + sp->pos % PGSIZE;
		uint16_t reclen;
		memcpy(&reclen, d + 16, 2);
		if (sp->pos % PGSIZE + reclen > PGSIZE) {
			/* A record across two pages: gather it. */
			static char rec[PGSIZE];
			size_t first = PGSIZE - sp->pos % PGSIZE;
			memcpy(rec, d, first);
			memcpy(rec + first, sp->page[sp->pos / PGSIZE + 1], reclen - first);
			d = rec;
		}
		if (done + reclen > count)
			break;
		memcpy((char *)buf + done, d, reclen);
		done += reclen;
		sp->pos += reclen;
	}
	if (done == 0 && sp->pos < sp->len)
		return -EINVAL; /* the buffer cannot hold one record */
	return (int64_t)done + 1;
}

/* The target of /proc/self/fd/N for the open file f. */
static int64_t fd_link(struct file *f, char *buf, size_t len)
{
	if (f->ops == &special_ops)
		return (int64_t)ksnprintf(buf, len, "%s", sp_of(f)->path);
	if (f->ops->kind == FILE_HOST) {
		struct rrv_hc_fdpath a;
		memset(&a, 0, sizeof(a));
		a.handle = (uint32_t)f->handle;
		a.buf = virt_to_phys(buf);
		a.len = len;
		return hc_call(RRV_HC_FDPATH, &a);
	}
	struct rrv_stat st;
	if (f->ops->stat(f, &st) < 0)
		st.st_ino = 0;
	if (f->ops->kind == FILE_PIPE)
		return (int64_t)ksnprintf(buf, len, "pipe:[%lu]", st.st_ino);
	return (int64_t)ksnprintf(buf, len, "anon_inode:[%lu]", st.st_ino);
}

int64_t special_readlink(const char *path, char *buf, size_t len)
{
	struct proc *who;
	const char *self = proc_dir(path, &who);
	if (!self)
		return 0;
	int64_t n;
	if (strcmp(self, "exe") == 0) {
		n = (int64_t)ksnprintf(buf, len, "%s", exe_name(who));
	} else if (strncmp(self, "fd/", 3) == 0) {
		/* Another process's descriptors are not shown. */
		if (who != curproc)
			return -EACCES;
		int fd = parse_fd(self + 3);
		struct file *f = fd >= 0 ? fd_file(fd) : NULL;
		if (!f)
			return -ENOENT;
		n = fd_link(f, buf, len);
	} else {
		return 0;
	}
	if (n < 0)
		return n;
	if ((size_t)n > len)
		n = (int64_t)len;
	return n == 0 ? -ENOENT : n + 1; /* + 1: 0 means "not special" */
}
