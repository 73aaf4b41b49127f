/*
 * libFuzzer target for the gdb stub: any byte string, taken as what a
 * client sends on the socket, goes through the receiver (framing,
 * checksums, acks, ^C) and every complete packet, checksum right or not,
 * through gdbstub_handle_packet against a small fake process.  It must
 * give replies or errors, never a crash, a hang or an out-of-bounds
 * access (built with AddressSanitizer and UBSan).  `make fuzz-test` runs
 * it for a bounded time from tests/fuzz/gdb-corpus; run it longer with
 *   build/tests/fuzz/fuzz_gdb_packet -max_total_time=600 tests/fuzz/gdb-corpus
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gdbstub/gdbstub.h"
#include "gdbstub/packet.h"

#define MEM_BASE 0x400000u
#define MEM_SIZE 0x2000u

static uint8_t mem[MEM_SIZE];
static struct gdb_regs regs;
static unsigned resumes;

static pid_t f_pid(void *t) { (void)t; return 7; }
static int f_threads(void *t, uint32_t *tids, int max)
{
	(void)t;
	int n = 0;
	for (uint32_t tid = 7; tid < 10 && n < max; tid++)
		tids[n++] = tid;
	return n;
}
static const char *f_name(void *t, uint32_t tid) { (void)t; return tid == 8 ? "a<&>\"b" : NULL; }
static int f_get_regs(void *t, uint32_t tid, struct gdb_regs *r)
{
	(void)t;
	if (tid < 7 || tid > 9)
		return -ESRCH;
	*r = regs;
	return 0;
}
static int f_set_regs(void *t, uint32_t tid, const struct gdb_regs *r)
{
	(void)t;
	if (tid < 7 || tid > 9)
		return -ESRCH;
	regs = *r;
	return 0;
}
static ssize_t f_read(void *t, uint64_t addr, void *buf, size_t len)
{
	(void)t;
	if (addr < MEM_BASE || addr >= MEM_BASE + MEM_SIZE)
		return -EFAULT;
	size_t n = MEM_BASE + MEM_SIZE - addr;
	n = n < len ? n : len;
	memcpy(buf, mem + (addr - MEM_BASE), n);
	return (ssize_t)n;
}
static ssize_t f_write(void *t, uint64_t addr, const void *buf, size_t len)
{
	(void)t;
	if (addr < MEM_BASE || addr >= MEM_BASE + MEM_SIZE || len > MEM_BASE + MEM_SIZE - addr)
		return -EFAULT;
	memcpy(mem + (addr - MEM_BASE), buf, len);
	return (ssize_t)len;
}
static int f_point(void *t, enum gdb_point_type type, uint64_t addr, int kind)
{
	(void)t;
	return type > GDB_POINT_ACCESS || kind <= 0 ? -EINVAL : (addr & 1 ? -ENOSPC : 0);
}
/* Every stop kind in turn, some with odd fields. */
static int f_resume(void *t, const struct gdb_resume *how, struct gdb_stop *stop,
		    bool (*interrupted)(void *), void *ctx)
{
	(void)t;
	(void)how;
	memset(stop, 0, sizeof(*stop));
	unsigned k = resumes++;
	stop->kind = (enum gdb_stop_kind)(k % (GDB_STOP_EXECD + 2)); /* one past the last */
	stop->tid = 7 + k % 3;
	stop->signo = (int)(k * 7 % 70);
	stop->status = (int)k;
	stop->type = (enum gdb_point_type)(k % 6);
	stop->addr = k * 0x1001;
	stop->swbreak = k & 1;
	stop->hwbreak = k & 2;
	if (interrupted(ctx))
		stop->kind = GDB_STOP_INTERRUPTED;
	return k % 11 == 10 ? -EIO : 0;
}
static ssize_t f_xfer(void *t, const char *object, const char *annex, uint64_t off,
		      void *buf, size_t len)
{
	(void)t;
	(void)annex;
	static const char data[] = "#$}*\0data";
	if (strcmp(object, "auxv") != 0)
		return -ENOENT;
	if (off >= sizeof(data))
		return 0;
	size_t n = sizeof(data) - off < len ? sizeof(data) - off : len;
	memcpy(buf, data + off, n);
	return (ssize_t)n;
}
static int f_open(void *t, const char *path, int flags, int mode)
{
	(void)t;
	(void)mode;
	return flags ? -EACCES : (int)(strlen(path) % 4);
}
static ssize_t f_pread(void *t, int fd, void *buf, size_t len, uint64_t off)
{
	(void)t;
	if (fd < 0 || fd > 3)
		return -EBADF;
	size_t n = off > 100000 ? 0 : len;
	memset(buf, '}', n);
	return (ssize_t)n;
}
static int f_close(void *t, int fd) { (void)t; return fd > 3 ? -EBADF : 0; }
static int f_stat(void *t, int fd, uint64_t *size, uint32_t *mode)
{
	(void)t;
	*size = 0x2323232323ull; /* '#' bytes in the reply: escaped */
	*mode = 0100644;
	return fd > 3 ? -EBADF : 0;
}
static int f_monitor(void *t, const char *cmd, char *out, size_t len)
{
	(void)t;
	if (cmd[0] == 'x')
		return -ENOENT;
	for (size_t i = 0; i + 1 < len && i < 20000; i++)
		out[i] = "long output "[i % 12];
	out[len - 1] = '\0';
	return 0;
}
static void f_detach(void *t) { (void)t; }

static const struct gdb_target_ops ops = {
	.pid = f_pid, .threads = f_threads, .thread_name = f_name,
	.get_regs = f_get_regs, .set_regs = f_set_regs, .read_mem = f_read, .write_mem = f_write,
	.insert_point = f_point, .remove_point = f_point, .resume = f_resume, .xfer = f_xfer,
	.file_open = f_open, .file_pread = f_pread, .file_close = f_close, .file_stat = f_stat,
	.monitor = f_monitor, .detach = f_detach,
};

static size_t sent;
static int f_send(void *ctx, const char *p, size_t len)
{
	(void)ctx;
	char frame[GDBSTUB_PACKET_MAX * 2 + 128];
	if (gdb_frame(p, len, frame, sizeof(frame)) < 0)
		abort(); /* a reply the transport could not frame */
	sent += len;
	return 0;
}
static bool f_interrupted(void *ctx) { (void)ctx; return sent & 1; }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct gdb_rx rx;
	struct gdbstub_io io = { .send = f_send, .interrupted = f_interrupted };
	struct gdbstub_session *s = gdbstub_session_new(&ops, NULL, &io);
	if (!s)
		return 0;
	gdb_rx_init(&rx);
	resumes = 0;
	for (size_t i = 0; i < size; i++) {
		enum gdb_rx_event ev = gdb_rx_byte(&rx, data[i]);
		/* A bad checksum is handled too: the parser must not trust it. */
		if (ev == GDB_RX_PACKET || ev == GDB_RX_BADSUM)
			if (gdbstub_handle_packet(s, rx.buf, rx.len) == GDBSTUB_DONE)
				break;
	}
	gdbstub_session_free(s);
	return 0;
}
