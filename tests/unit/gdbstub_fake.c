/*
 * A fake target for the gdb stub, served to Debian's gdb with no KVM
 * (tests/unit/gdbstub-gdb.sh): a process that never runs.  Its memory is
 * a real static ELF's loadable segments plus a zeroed stack; its two
 * threads stand at the ELF's entry point with registers made up here;
 * continuing "hits" the first breakpoint or watchpoint gdb inserted that
 * was not hit yet (as if the program ran there; a watchpoint fires where
 * the program stands), and with none left the process exits 0; going
 * backwards reaches the start of the history at once.  A step moves rip one byte (this fake decodes no code).
 *
 *   gdbstub_fake ELF PORTFILE SESSIONS
 *
 * listens on a loopback port, writes it to PORTFILE, and serves SESSIONS
 * clients one after another, each on a fresh process.  Exits 0 when
 * every session ended with a detach or kill.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gdbstub/gdbstub.h"

#define FAKE_PID 4242
#define STACK_TOP 0x7ffffffff000ull
#define STACK_SIZE 0x10000ull
#define MAX_SEGS 16
#define MAX_POINTS 32

struct seg {
	uint64_t start, size;
	uint8_t *bytes;
};

struct fake {
	char path[PATH_MAX];
	uint8_t *elf;
	size_t elf_size;
	int nsegs;
	struct seg segs[MAX_SEGS];
	struct gdb_regs regs;
	int npoints;
	struct { enum gdb_point_type type; uint64_t addr; bool hit; } points[MAX_POINTS];
	bool detached;
};

static void die(const char *what)
{
	fprintf(stderr, "gdbstub_fake: %s: %s\n", what, strerror(errno));
	exit(2);
}

static void load_elf(struct fake *f, const char *path)
{
	if (!realpath(path, f->path))
		die(path);
	int fd = open(f->path, O_RDONLY);
	struct stat st;
	if (fd < 0 || fstat(fd, &st))
		die(f->path);
	f->elf_size = (size_t)st.st_size;
	f->elf = malloc(f->elf_size);
	if (!f->elf || read(fd, f->elf, f->elf_size) != (ssize_t)f->elf_size)
		die("reading the ELF");
	close(fd);
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)f->elf;
	if (f->elf_size < sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG) ||
	    eh->e_phoff + (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr) > f->elf_size) {
		errno = ENOEXEC;
		die(f->path);
	}
	const Elf64_Phdr *ph = (const Elf64_Phdr *)(f->elf + eh->e_phoff);
	for (int i = 0; i < eh->e_phnum && f->nsegs < MAX_SEGS - 1; i++) {
		if (ph[i].p_type != PT_LOAD || ph[i].p_offset + ph[i].p_filesz > f->elf_size)
			continue;
		struct seg *s = &f->segs[f->nsegs++];
		s->start = ph[i].p_vaddr;
		s->size = ph[i].p_memsz;
		s->bytes = calloc(1, s->size);
		if (!s->bytes)
			die("segment");
		memcpy(s->bytes, f->elf + ph[i].p_offset, ph[i].p_filesz);
	}
	struct seg *stack = &f->segs[f->nsegs++];
	stack->start = STACK_TOP - STACK_SIZE;
	stack->size = STACK_SIZE;
	stack->bytes = calloc(1, STACK_SIZE);
	if (!stack->bytes)
		die("stack");
	memset(&f->regs, 0, sizeof(f->regs));
	f->regs.rip = eh->e_entry;
	f->regs.rsp = STACK_TOP - 0x1000;
	f->regs.eflags = 0x202;
	f->regs.cs = 0x33;
	f->regs.ss = 0x2b;
	f->regs.orig_rax = -1;
	f->regs.fs_base = 0x4c7380;
	f->regs.fxsave[0] = 0x7f; /* FCW 0x37f */
	f->regs.fxsave[1] = 0x03;
	f->regs.fxsave[24] = 0x80; /* MXCSR 0x1f80 */
	f->regs.fxsave[25] = 0x1f;
}

static pid_t fake_pid(void *t) { (void)t; return FAKE_PID; }

static int fake_threads(void *t, uint32_t *tids, int max)
{
	(void)t;
	int n = 0;
	if (n < max) tids[n++] = FAKE_PID;
	if (n < max) tids[n++] = FAKE_PID + 1;
	return n;
}

static const char *fake_thread_name(void *t, uint32_t tid)
{
	(void)t;
	return tid == FAKE_PID ? "gdbstub_prog" : "worker";
}

static int fake_get_regs(void *t, uint32_t tid, struct gdb_regs *r)
{
	struct fake *f = t;
	if (tid != FAKE_PID && tid != FAKE_PID + 1)
		return -ESRCH;
	*r = f->regs;
	return 0;
}

static int fake_set_regs(void *t, uint32_t tid, const struct gdb_regs *r)
{
	(void)t;
	(void)tid;
	(void)r;
	return -EPERM; /* as a replay: registers are the recording's */
}

static struct seg *find_seg(struct fake *f, uint64_t addr)
{
	for (int i = 0; i < f->nsegs; i++)
		if (addr >= f->segs[i].start && addr - f->segs[i].start < f->segs[i].size)
			return &f->segs[i];
	return NULL;
}

static ssize_t fake_read_mem(void *t, uint64_t addr, void *buf, size_t len)
{
	struct fake *f = t;
	size_t done = 0;
	while (done < len) {
		struct seg *s = find_seg(f, addr + done);
		if (!s)
			break;
		uint64_t off = addr + done - s->start;
		size_t n = s->size - off < len - done ? (size_t)(s->size - off) : len - done;
		memcpy((uint8_t *)buf + done, s->bytes + off, n);
		done += n;
	}
	return done ? (ssize_t)done : -EFAULT;
}

static ssize_t fake_write_mem(void *t, uint64_t addr, const void *buf, size_t len)
{
	(void)t;
	(void)addr;
	(void)buf;
	(void)len;
	return -EPERM; /* breakpoints go through Z, never through memory */
}

static int fake_insert(void *t, enum gdb_point_type type, uint64_t addr, int kind)
{
	struct fake *f = t;
	(void)kind;
	for (int i = 0; i < f->npoints; i++)
		if (f->points[i].type == type && f->points[i].addr == addr)
			return 0;
	if (f->npoints == MAX_POINTS)
		return -ENOSPC;
	f->points[f->npoints].type = type;
	f->points[f->npoints].addr = addr;
	f->points[f->npoints++].hit = false;
	return 0;
}

/* A removed breakpoint keeps its "hit" mark (gdb removes and reinserts
 * them around every resume): it is dropped from the list only by type
 * and address, and remembered as hit. */
static uint64_t hit_addrs[MAX_POINTS];
static int nhit;

static int fake_remove(void *t, enum gdb_point_type type, uint64_t addr, int kind)
{
	struct fake *f = t;
	(void)kind;
	for (int i = 0; i < f->npoints; i++)
		if (f->points[i].type == type && f->points[i].addr == addr) {
			f->points[i] = f->points[--f->npoints];
			return 0;
		}
	return -ENOENT;
}

static bool was_hit(uint64_t addr)
{
	for (int i = 0; i < nhit; i++)
		if (hit_addrs[i] == addr)
			return true;
	return false;
}

static int fake_resume(void *t, const struct gdb_resume *how, struct gdb_stop *stop,
		       bool (*interrupted)(void *), void *ctx)
{
	struct fake *f = t;
	memset(stop, 0, sizeof(*stop));
	stop->tid = FAKE_PID;
	if (interrupted(ctx)) {
		stop->kind = GDB_STOP_INTERRUPTED;
		return 0;
	}
	if (how->reverse) {
		stop->kind = GDB_STOP_REPLAY_BEGIN;
		return 0;
	}
	if (how->action == GDB_STEP) {
		f->regs.rip++;
		stop->kind = GDB_STOP_BREAK;
		return 0;
	}
	for (int i = 0; i < f->npoints; i++) {
		if (was_hit(f->points[i].addr))
			continue;
		if (nhit < MAX_POINTS)
			hit_addrs[nhit++] = f->points[i].addr;
		if (f->points[i].type >= GDB_POINT_WRITE) {
			/* A watchpoint fires where the program stands. */
			stop->kind = GDB_STOP_WATCH;
			stop->type = f->points[i].type;
			stop->addr = f->points[i].addr;
			return 0;
		}
		f->regs.rip = f->points[i].addr;
		stop->kind = GDB_STOP_BREAK;
		stop->swbreak = f->points[i].type == GDB_POINT_SW;
		stop->hwbreak = !stop->swbreak;
		return 0;
	}
	stop->kind = GDB_STOP_EXITED;
	stop->status = 0;
	return 0;
}

static ssize_t copy_out(const void *src, size_t total, uint64_t off, void *buf, size_t len)
{
	if (off >= total)
		return 0;
	size_t n = total - off < len ? (size_t)(total - off) : len;
	memcpy(buf, (const uint8_t *)src + off, n);
	return (ssize_t)n;
}

static ssize_t fake_xfer(void *t, const char *object, const char *annex, uint64_t off,
			 void *buf, size_t len)
{
	struct fake *f = t;
	(void)annex;
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)f->elf;
	if (strcmp(object, "auxv") == 0) {
		/* The program headers are in the first segment, at e_phoff. */
		uint64_t av[][2] = {
			{ AT_PHDR, f->segs[0].start + eh->e_phoff }, { AT_PHENT, sizeof(Elf64_Phdr) },
			{ AT_PHNUM, eh->e_phnum }, { AT_PAGESZ, 4096 }, { AT_ENTRY, eh->e_entry },
			{ AT_NULL, 0 },
		};
		return copy_out(av, sizeof(av), off, buf, len);
	}
	if (strcmp(object, "exec-file") == 0)
		return copy_out(f->path, strlen(f->path), off, buf, len);
	if (strcmp(object, "libraries-svr4") == 0) {
		static const char none[] = "<library-list-svr4 version=\"1.0\"/>";
		return copy_out(none, sizeof(none) - 1, off, buf, len);
	}
	return -ENOENT;
}

static int fake_file_open(void *t, const char *path, int flags, int mode)
{
	(void)t;
	(void)mode;
	if (flags != O_RDONLY)
		return -EACCES;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

static ssize_t fake_file_pread(void *t, int fd, void *buf, size_t len, uint64_t off)
{
	(void)t;
	ssize_t n = pread(fd, buf, len, (off_t)off);
	return n < 0 ? -errno : n;
}

static int fake_file_close(void *t, int fd)
{
	(void)t;
	return close(fd) ? -errno : 0;
}

static int fake_file_stat(void *t, int fd, uint64_t *size, uint32_t *mode)
{
	(void)t;
	struct stat st;
	if (fstat(fd, &st))
		return -errno;
	*size = (uint64_t)st.st_size;
	*mode = st.st_mode;
	return 0;
}

static int fake_monitor(void *t, const char *cmd, char *out, size_t len)
{
	(void)t;
	if (strcmp(cmd, "help") != 0)
		return -ENOENT;
	snprintf(out, len, "fake target: no monitor commands but this one\n");
	return 0;
}

static void fake_detach(void *t)
{
	((struct fake *)t)->detached = true;
}

static const struct gdb_target_ops fake_ops = {
	.pid = fake_pid, .threads = fake_threads, .thread_name = fake_thread_name,
	.get_regs = fake_get_regs, .set_regs = fake_set_regs,
	.read_mem = fake_read_mem, .write_mem = fake_write_mem,
	.insert_point = fake_insert, .remove_point = fake_remove,
	.resume = fake_resume, .xfer = fake_xfer,
	.file_open = fake_file_open, .file_pread = fake_file_pread,
	.file_close = fake_file_close, .file_stat = fake_file_stat,
	.monitor = fake_monitor, .detach = fake_detach,
};

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: gdbstub_fake ELF PORTFILE SESSIONS\n");
		return 64;
	}
	int port, sessions = atoi(argv[3]);
	int lfd = gdbstub_listen(NULL, 0, &port);
	if (lfd < 0) {
		fprintf(stderr, "gdbstub_fake: %s\n", gdbstub_error());
		return 1;
	}
	char tmp[PATH_MAX];
	snprintf(tmp, sizeof(tmp), "%s.tmp", argv[2]);
	FILE *pf = fopen(tmp, "w");
	if (!pf || fprintf(pf, "%d\n", port) < 0 || fclose(pf) || rename(tmp, argv[2]))
		die(argv[2]);
	int failed = 0;
	for (int i = 0; i < sessions; i++) {
		static struct fake f;
		for (int k = 0; k < f.nsegs; k++)
			free(f.segs[k].bytes);
		free(f.elf);
		memset(&f, 0, sizeof(f));
		nhit = 0;
		load_elf(&f, argv[1]);
		int fd = gdbstub_accept(lfd);
		if (fd < 0) {
			fprintf(stderr, "gdbstub_fake: %s\n", gdbstub_error());
			return 1;
		}
		int rc = gdbstub_serve(fd, &fake_ops, &f);
		close(fd);
		fprintf(stderr, "gdbstub_fake: session %d: %s%s\n", i + 1,
			rc == 0 ? "ended by the client" : gdbstub_error(),
			f.detached ? ", target detached" : "");
		failed += rc != 0 || !f.detached;
	}
	close(lfd);
	return failed ? 1 : 0;
}
