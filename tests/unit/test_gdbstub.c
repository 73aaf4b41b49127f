/*
 * The gdb remote protocol stub (gdbstub/) without a socket: packets go
 * in through gdbstub_handle_packet and replies come back through the
 * session's send hook, against a fake process defined here (memory at
 * 0x1000, two threads, a scripted next stop).  Framing is tested on the
 * receiver itself.  Each hostile shape (bad hex, huge lengths, bad
 * thread ids, unknown kinds, oversized packets) must get an error reply.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "gdbstub/encode.h"
#include "gdbstub/gdbstub.h"
#include "gdbstub/packet.h"
#include "gdbstub/regs.h"
#include "gdbstub/signals.h"

#define PID 0x2a
#define MEM_BASE 0x1000u
#define MEM_SIZE 0x100u

/* ---- the fake process ---------------------------------------------- */

struct fake {
	uint8_t mem[MEM_SIZE];
	struct gdb_regs regs[2]; /* tids 1 and 2 */
	int npoints;
	struct { enum gdb_point_type type; uint64_t addr; int kind; } points[8];
	int point_rc;            /* what insert_point returns */
	struct gdb_stop next;    /* what resume reports */
	struct gdb_resume last_resume;
	int resumes, detaches;
	bool file_open;
	int file_opens;      /* calls of file_open */
};

static int fake_index(uint32_t tid)
{
	return tid == 1 ? 0 : tid == 2 ? 1 : -1;
}

static pid_t fake_pid(void *t) { (void)t; return PID; }

static int fake_threads(void *t, uint32_t *tids, int max)
{
	(void)t;
	int n = 0;
	if (n < max) tids[n++] = 1;
	if (n < max) tids[n++] = 2;
	return n;
}

static const char *fake_thread_name(void *t, uint32_t tid)
{
	(void)t;
	return tid == 2 ? "work<er>" : "main";
}

static int fake_get_regs(void *t, uint32_t tid, struct gdb_regs *r)
{
	struct fake *f = t;
	int i = fake_index(tid);
	if (i < 0)
		return -ESRCH;
	*r = f->regs[i];
	return 0;
}

static int fake_set_regs(void *t, uint32_t tid, const struct gdb_regs *r)
{
	struct fake *f = t;
	int i = fake_index(tid);
	if (i < 0)
		return -ESRCH;
	f->regs[i] = *r;
	return 0;
}

/* Memory is [MEM_BASE, MEM_BASE+MEM_SIZE): reads past its end stop
 * short, reads outside it fail. */
static ssize_t fake_read_mem(void *t, uint64_t addr, void *buf, size_t len)
{
	struct fake *f = t;
	if (addr < MEM_BASE || addr >= MEM_BASE + MEM_SIZE)
		return -EFAULT;
	size_t n = MEM_BASE + MEM_SIZE - addr;
	n = n < len ? n : len;
	memcpy(buf, f->mem + (addr - MEM_BASE), n);
	return (ssize_t)n;
}

static ssize_t fake_write_mem(void *t, uint64_t addr, const void *buf, size_t len)
{
	struct fake *f = t;
	if (addr < MEM_BASE || addr + len > MEM_BASE + MEM_SIZE)
		return -EFAULT;
	memcpy(f->mem + (addr - MEM_BASE), buf, len);
	return (ssize_t)len;
}

static int fake_insert(void *t, enum gdb_point_type type, uint64_t addr, int kind)
{
	struct fake *f = t;
	if (f->point_rc)
		return f->point_rc;
	if (f->npoints == 8)
		return -ENOSPC;
	f->points[f->npoints].type = type;
	f->points[f->npoints].addr = addr;
	f->points[f->npoints++].kind = kind;
	return 0;
}

static int fake_remove(void *t, enum gdb_point_type type, uint64_t addr, int kind)
{
	struct fake *f = t;
	for (int i = 0; i < f->npoints; i++)
		if (f->points[i].type == type && f->points[i].addr == addr && f->points[i].kind == kind) {
			f->points[i] = f->points[--f->npoints];
			return 0;
		}
	return -ENOENT;
}

static int fake_resume(void *t, const struct gdb_resume *how, struct gdb_stop *stop,
		       bool (*interrupted)(void *), void *ctx)
{
	struct fake *f = t;
	f->last_resume = *how;
	f->resumes++;
	if (interrupted(ctx)) {
		memset(stop, 0, sizeof(*stop));
		stop->kind = GDB_STOP_INTERRUPTED;
		stop->tid = 1;
		return 0;
	}
	*stop = f->next;
	return 0;
}

static const char auxv_bytes[] = "AUXV#$}*DATA";

static ssize_t fake_xfer(void *t, const char *object, const char *annex, uint64_t off,
			 void *buf, size_t len)
{
	(void)t;
	(void)annex;
	if (strcmp(object, "auxv") != 0)
		return -ENOENT;
	size_t total = sizeof(auxv_bytes) - 1;
	if (off >= total)
		return 0;
	size_t n = total - off < len ? total - off : len;
	memcpy(buf, auxv_bytes + off, n);
	return (ssize_t)n;
}

static const char file_bytes[] = "\x7f" "ELF#}$*";

static int fake_file_open(void *t, const char *path, int flags, int mode)
{
	struct fake *f = t;
	(void)mode;
	f->file_opens++;
	if (flags != O_RDONLY)
		return -EACCES;
	if (strcmp(path, "/bin/prog") != 0)
		return -ENOENT;
	f->file_open = true;
	return 3;
}

static ssize_t fake_file_pread(void *t, int fd, void *buf, size_t len, uint64_t off)
{
	struct fake *f = t;
	size_t total = sizeof(file_bytes) - 1;
	if (fd != 3 || !f->file_open)
		return -EBADF;
	if (off >= total)
		return 0;
	size_t n = total - off < len ? total - off : len;
	memcpy(buf, file_bytes + off, n);
	return (ssize_t)n;
}

static int fake_file_close(void *t, int fd)
{
	struct fake *f = t;
	if (fd != 3 || !f->file_open)
		return -EBADF;
	f->file_open = false;
	return 0;
}

static int fake_file_stat(void *t, int fd, uint64_t *size, uint32_t *mode)
{
	struct fake *f = t;
	if (fd != 3 || !f->file_open)
		return -EBADF;
	*size = sizeof(file_bytes) - 1;
	*mode = 0100755;
	return 0;
}

static int fake_monitor(void *t, const char *cmd, char *out, size_t len)
{
	(void)t;
	if (strcmp(cmd, "help") != 0)
		return -ENOENT;
	snprintf(out, len, "checkpoints: none\n");
	return 0;
}

static void fake_detach(void *t)
{
	((struct fake *)t)->detaches++;
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

/* ---- the client side: replies collected ---------------------------- */

struct client {
	struct fake f;
	struct gdbstub_session *s;
	int nreplies;
	char replies[8][GDBSTUB_PACKET_MAX * 2 + 128]; /* the last 8 */
	size_t lens[8];
	bool interrupt;
};

static int client_send(void *ctx, const char *p, size_t len)
{
	struct client *c = ctx;
	int i = c->nreplies++ % 8;
	assert_true(len < sizeof(c->replies[i]));
	memcpy(c->replies[i], p, len);
	c->replies[i][len] = '\0';
	c->lens[i] = len;
	return 0;
}

static bool client_interrupted(void *ctx)
{
	return ((struct client *)ctx)->interrupt;
}

static const char *last(struct client *c)
{
	return c->replies[(c->nreplies - 1) % 8];
}

/* Sends a packet (binary: an explicit length) and returns its reply. */
static const char *reqn(struct client *c, const char *pkt, size_t len)
{
	int before = c->nreplies;
	int rc = gdbstub_handle_packet(c->s, pkt, len);
	assert_true(rc == GDBSTUB_MORE || rc == GDBSTUB_DONE);
	if (c->nreplies == before)
		return NULL; /* no reply (k) */
	return last(c);
}

static const char *req(struct client *c, const char *pkt)
{
	return reqn(c, pkt, strlen(pkt));
}

static int setup(void **state)
{
	struct client *c = calloc(1, sizeof(*c));
	if (!c)
		return -1;
	for (unsigned i = 0; i < MEM_SIZE; i++)
		c->f.mem[i] = (uint8_t)i;
	c->f.regs[0].rax = 0x1122334455667788ull;
	c->f.regs[0].rip = 0x401000;
	c->f.regs[0].eflags = 0x246;
	c->f.regs[0].cs = 0x33;
	c->f.regs[0].orig_rax = -1;
	c->f.regs[0].fs_base = 0x7fff0000;
	c->f.regs[1].rip = 0x402000;
	struct gdbstub_io io = { .send = client_send, .interrupted = client_interrupted, .ctx = c };
	c->s = gdbstub_session_new(&fake_ops, &c->f, &io);
	if (!c->s)
		return -1;
	*state = c;
	return 0;
}

/* A session that said multiprocess+, swbreak+ and hwbreak+, as gdb 13. */
static int setup_mp(void **state)
{
	if (setup(state))
		return -1;
	struct client *c = *state;
	req(c, "qSupported:multiprocess+;swbreak+;hwbreak+;qRelocInsn+;fork-events+;"
	       "vContSupported+;xmlRegisters=i386");
	return 0;
}

static int teardown(void **state)
{
	struct client *c = *state;
	gdbstub_session_free(c->s);
	free(c);
	return 0;
}

/* ---- framing ------------------------------------------------------- */

static enum gdb_rx_event feed(struct gdb_rx *rx, const char *bytes, size_t n)
{
	enum gdb_rx_event ev = GDB_RX_NONE;
	for (size_t i = 0; i < n; i++) {
		enum gdb_rx_event e = gdb_rx_byte(rx, (uint8_t)bytes[i]);
		if (e != GDB_RX_NONE)
			ev = e;
	}
	return ev;
}

static void test_framing(void **state)
{
	(void)state;
	struct gdb_rx *rx = malloc(sizeof(*rx));
	gdb_rx_init(rx);
	/* "OK" sums to 0x9a. */
	assert_int_equal(feed(rx, "$OK#9a", 6), GDB_RX_PACKET);
	assert_int_equal(rx->len, 2);
	assert_memory_equal(rx->buf, "OK", 2);
	assert_int_equal(feed(rx, "$OK#9A", 6), GDB_RX_PACKET); /* either case */
	assert_int_equal(feed(rx, "$OK#9b", 6), GDB_RX_BADSUM);
	assert_int_equal(feed(rx, "$OK#zz", 6), GDB_RX_BADSUM);
	assert_int_equal(feed(rx, "+", 1), GDB_RX_ACK);
	assert_int_equal(feed(rx, "-", 1), GDB_RX_NAK);
	assert_int_equal(feed(rx, "\x03", 1), GDB_RX_INTERRUPT);
	/* Noise between packets is skipped; 0x03 inside one is data. */
	assert_int_equal(feed(rx, "xyz", 3), GDB_RX_NONE);
	char pkt[16] = "$a\x03" "b#";
	size_t n = strlen(pkt);
	hex_encode_byte(gdb_checksum("a\x03" "b", 3), pkt + n);
	assert_int_equal(feed(rx, pkt, n + 2), GDB_RX_PACKET);
	assert_int_equal(rx->len, 3);
	/* A '$' inside a packet restarts it. */
	assert_int_equal(feed(rx, "$garbage$OK#9a", 14), GDB_RX_PACKET);
	assert_memory_equal(rx->buf, "OK", 2);
	/* An oversized packet is dropped whole, and the next one is fine. */
	assert_int_equal(feed(rx, "$", 1), GDB_RX_NONE);
	for (int i = 0; i < GDBSTUB_PACKET_MAX + 100; i++)
		assert_int_equal(gdb_rx_byte(rx, 'a'), GDB_RX_NONE);
	assert_int_equal(feed(rx, "#00", 3), GDB_RX_OVERFLOW);
	assert_int_equal(feed(rx, "$OK#9a", 6), GDB_RX_PACKET);
	/* And framing the other way. */
	char out[16];
	assert_int_equal(gdb_frame("OK", 2, out, sizeof(out)), 6);
	assert_memory_equal(out, "$OK#9a", 6);
	assert_int_equal(gdb_frame("OK", 2, out, 5), -EMSGSIZE);
	free(rx);
}

static void test_encodings(void **state)
{
	(void)state;
	const char *p = "ffffffffffffffff,", *end = p + strlen(p);
	uint64_t v;
	assert_true(parse_hex(&p, end, &v));
	assert_true(v == UINT64_MAX);
	p = "10000000000000000";
	assert_false(parse_hex(&p, p + strlen(p), &v)); /* 17 digits overflow */
	p = "xyz";
	assert_false(parse_hex(&p, p + 3, &v));
	uint8_t b[4];
	assert_true(hex_decode("0aFf", 4, b));
	assert_int_equal(b[1], 0xff);
	assert_false(hex_decode("0g", 2, b));
	assert_false(hex_decode("abc", 3, b));
	const char esc[] = "a}\x03}]}";
	assert_int_equal(unescape_binary(esc, esc + 5, b, sizeof(b)), 3);
	assert_int_equal(b[1], '#');
	assert_int_equal(b[2], '}');
	assert_int_equal(unescape_binary(esc, esc + 6, b, sizeof(b)), -1); /* dangling */
	assert_int_equal(unescape_binary("abcde", "abcde" + 5, b, 4), -1); /* too long */
}

static void test_signals(void **state)
{
	(void)state;
	static const int pairs[][2] = {
		{ SIGHUP, 1 }, { SIGTRAP, 5 }, { SIGABRT, 6 }, { SIGBUS, 10 }, { SIGUSR1, 30 },
		{ SIGSEGV, 11 }, { SIGUSR2, 31 }, { SIGCHLD, 20 }, { SIGCONT, 19 }, { SIGSTOP, 17 },
		{ SIGURG, 16 }, { SIGIO, 23 }, { SIGSYS, 12 }, { 32, 77 }, { 33, 45 }, { 63, 75 },
		{ 64, 78 },
	};
	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		assert_int_equal(gdb_signal_from_linux(pairs[i][0]), pairs[i][1]);
		assert_int_equal(gdb_signal_to_linux(pairs[i][1]), pairs[i][0]);
	}
	assert_int_equal(gdb_signal_from_linux(16), 143); /* SIGSTKFLT */
	assert_int_equal(gdb_signal_to_linux(7), 0);      /* SIGEMT */
}

/* ---- session basics ------------------------------------------------ */

static void test_qsupported_and_noack(void **state)
{
	struct client *c = *state;
	const char *r = req(c, "qSupported:multiprocess+;swbreak+;xmlRegisters=i386");
	assert_non_null(strstr(r, "PacketSize=4000"));
	assert_non_null(strstr(r, "QStartNoAckMode+"));
	assert_non_null(strstr(r, "qXfer:features:read+"));
	assert_non_null(strstr(r, "ReverseContinue+"));
	assert_non_null(strstr(r, "multiprocess+"));
	assert_non_null(strstr(r, "swbreak+"));
	assert_null(strstr(r, "hwbreak+")); /* the client did not offer it */
	assert_false(gdbstub_session_noack(c->s));
	assert_string_equal(req(c, "QStartNoAckMode"), "OK");
	assert_true(gdbstub_session_noack(c->s));
	assert_string_equal(req(c, "vMustReplyEmpty"), "");
	assert_string_equal(req(c, "qTStatus"), "");
	assert_string_equal(req(c, "qOffsets"), "");
	assert_string_equal(req(c, "qSymbol::"), "OK");
	assert_string_equal(req(c, "qAttached:2a"), "1");
	assert_string_equal(req(c, "qSomethingNew"), "");
	assert_string_equal(reqn(c, "", 0), "");
	assert_string_equal(reqn(c, "\0\0\xff", 3), "");
}

static void test_threads(void **state)
{
	struct client *c = *state;
	assert_string_equal(req(c, "?"), "T05thread:p2a.1;");
	assert_string_equal(req(c, "qfThreadInfo"), "mp2a.1,p2a.2");
	assert_string_equal(req(c, "qsThreadInfo"), "l");
	assert_string_equal(req(c, "qC"), "QCp2a.1");
	assert_string_equal(req(c, "Hgp2a.2"), "OK");
	assert_string_equal(req(c, "qC"), "QCp2a.2");
	assert_string_equal(req(c, "Hg0"), "OK");
	assert_string_equal(req(c, "Hgp0.0"), "OK");
	assert_string_equal(req(c, "Hc-1"), "OK");
	assert_string_equal(req(c, "Hcp2a.-1"), "OK");
	assert_string_equal(req(c, "Tp2a.2"), "OK");
	assert_string_equal(req(c, "T2"), "OK");
	/* Bad thread ids: a dead tid, another pid, garbage, huge. */
	assert_string_equal(req(c, "Hgp2a.7"), "E03");
	assert_string_equal(req(c, "Hgp99.1"), "E16");
	assert_string_equal(req(c, "Hg"), "E16");
	assert_string_equal(req(c, "Hgzz"), "E16");
	assert_string_equal(req(c, "Hx1"), "E16");
	assert_string_equal(req(c, "Hg1junk"), "E16");
	assert_string_equal(req(c, "Hg123456789abcdef01"), "E16");
	assert_string_equal(req(c, "Tp2a.9"), "E03");
	assert_string_equal(req(c, "T-1"), "E16");
	const char *x = req(c, "qXfer:threads:read::0,fff");
	assert_int_equal(x[0], 'l');
	assert_non_null(strstr(x, "<thread id=\"p2a.1\" name=\"main\"/>"));
	assert_non_null(strstr(x, "name=\"work&lt;er&gt;\""));
}

static void test_threads_plain_ids(void **state)
{
	struct client *c = *state;
	req(c, "qSupported:xmlRegisters=i386"); /* no multiprocess */
	assert_string_equal(req(c, "?"), "T05thread:1;");
	assert_string_equal(req(c, "qfThreadInfo"), "m1,2");
	assert_string_equal(req(c, "Hg2"), "OK");
	assert_string_equal(req(c, "qC"), "QC2");
}

/* ---- registers ----------------------------------------------------- */

static void test_registers(void **state)
{
	struct client *c = *state;
	assert_int_equal(regs_count(), 60);
	assert_int_equal(regs_size(), 560);
	char g[2 * 560 + 1];
	snprintf(g, sizeof(g), "%s", req(c, "g")); /* replies are a ring */
	assert_int_equal(strlen(req(c, "g")), 2 * 560);
	assert_memory_equal(g, "8877665544332211", 16); /* rax, little-endian */
	/* rip is register 16, eflags 17 (32 bits), cs 18. */
	assert_memory_equal(g + 16 * 16, "0010400000000000", 16);
	assert_memory_equal(g + 17 * 16, "46020000", 8);
	assert_memory_equal(g + 17 * 16 + 8, "33000000", 8);
	assert_string_equal(req(c, "p10"), "0010400000000000");
	assert_string_equal(req(c, "p39"), "ffffffffffffffff"); /* orig_rax */
	assert_string_equal(req(c, "p3a"), "0000ff7f00000000"); /* fs_base */
	assert_string_equal(req(c, "p22"), "ffff0000");         /* ftag: all empty */
	assert_string_equal(req(c, "p3c"), "E16");
	assert_string_equal(req(c, "pzz"), "E16");
	assert_string_equal(req(c, "p"), "E16");
	/* P and G change the selected thread's registers. */
	assert_string_equal(req(c, "Hgp2a.2"), "OK");
	assert_string_equal(req(c, "P0=efbeadde00000000"), "OK");
	assert_true(c->f.regs[1].rax == 0xdeadbeef);
	assert_string_equal(req(c, "P0=efbe"), "E16");   /* short */
	assert_string_equal(req(c, "P0=zzbeadde00000000"), "E16");
	assert_string_equal(req(c, "P99=00"), "E16");
	char G[2 * 560 + 2] = "G";
	memcpy(G + 1, g, 2 * 560);
	G[2 * 560 + 1] = '\0';
	assert_string_equal(req(c, G), "OK");
	assert_true(c->f.regs[1].rax == 0x1122334455667788ull);
	assert_true(c->f.regs[1].rip == 0x401000);
	G[2 * 560] = '\0'; /* one digit short */
	assert_string_equal(req(c, G), "E16");
}

static void test_ftag(void **state)
{
	(void)state;
	uint8_t fx[512] = { 0 };
	/* TOP = 7: ST(0) is physical 7, ST(1) physical 0. */
	fx[3] = 7 << 3;
	fx[4] = 0x81;                 /* physical 0 and 7 in use */
	fx[32 + 7] = 0x80;            /* ST(0) = 1.0: integer bit, */
	fx[32 + 8] = 0xff;            /* exponent 0x3fff: valid */
	fx[32 + 9] = 0x3f;
	/* ST(1) all zero: tag zero. */
	uint16_t tag = regs_full_ftag(fx);
	assert_int_equal(tag & 3, 1);          /* physical 0: zero */
	assert_int_equal(tag >> 14 & 3, 0);    /* physical 7: valid */
	assert_int_equal(tag >> 2 & 3, 3);     /* physical 1: empty */
	assert_int_equal(regs_abridged_ftag(tag), 0x81);
	fx[32 + 9] = 0x7f;                     /* exponent 0x7fff: special */
	assert_int_equal(regs_full_ftag(fx) >> 14 & 3, 2);
}

/* ---- memory -------------------------------------------------------- */

static void test_memory(void **state)
{
	struct client *c = *state;
	assert_string_equal(req(c, "m1000,4"), "00010203");
	assert_string_equal(req(c, "m10fe,10"), "feff");       /* short: end of memory */
	assert_string_equal(req(c, "m2000,4"), "E0e");         /* unmapped */
	assert_string_equal(req(c, "m1000"), "E16");
	assert_string_equal(req(c, "m1000,"), "E16");
	assert_string_equal(req(c, "mzz,4"), "E16");
	assert_string_equal(req(c, "m1000,0"), "E16");
	assert_string_equal(req(c, "m1000,4junk"), "E16");
	/* A huge length is answered as far as memory (or a reply) goes. */
	assert_int_equal(strlen(req(c, "m1000,ffffffffffffffff")), 2 * MEM_SIZE);
	assert_string_equal(req(c, "m1000,1ffffffffffffffff"), "E16");
	assert_string_equal(req(c, "M1000,2:abcd"), "OK");
	assert_int_equal(c->f.mem[0], 0xab);
	assert_string_equal(req(c, "M1000,2:abc"), "E16");
	assert_string_equal(req(c, "M1000,2:abcx"), "E16");
	assert_string_equal(req(c, "M1000,ffffffff:ab"), "E5a");
	assert_string_equal(req(c, "M3000,1:ab"), "E0e");
	/* X: binary, with '#', '$', '}' and '*' escaped, and a NUL. */
	const char x[] = "X1010,5:\0}\x03}\x04}]}\x0a";
	assert_string_equal(reqn(c, x, sizeof(x) - 1), "OK");
	assert_memory_equal(c->f.mem + 0x10, "\0#$}*", 5);
	assert_string_equal(req(c, "X1010,0:"), "OK");       /* gdb's probe */
	assert_string_equal(req(c, "X1010,3:ab"), "E16");    /* length disagrees */
	assert_string_equal(req(c, "X1010,1:}"), "E16");     /* dangling escape */
	assert_string_equal(req(c, "X1010,ffffffffff:a"), "E5a");
}

static void test_points(void **state)
{
	struct client *c = *state;
	assert_string_equal(req(c, "Z0,401000,1"), "OK");
	assert_int_equal(c->f.npoints, 1);
	assert_string_equal(req(c, "Z2,1008,8"), "OK");
	assert_int_equal(c->f.points[1].type, GDB_POINT_WRITE);
	assert_int_equal(c->f.points[1].kind, 8);
	assert_string_equal(req(c, "z2,1008,8"), "OK");
	assert_string_equal(req(c, "z0,401000,1"), "OK");
	assert_int_equal(c->f.npoints, 0);
	assert_string_equal(req(c, "z0,401000,1"), "E02");
	assert_string_equal(req(c, "Z5,401000,1"), "");   /* a kind not offered */
	assert_string_equal(req(c, "Zf,401000,1"), "");
	assert_string_equal(req(c, "Z0,401000"), "E16");
	assert_string_equal(req(c, "Z0,401000,0"), "E16");
	assert_string_equal(req(c, "Z0,401000,1;X2,abcd"), "E16"); /* no conditions */
	assert_string_equal(req(c, "Z"), "E16");
	c->f.point_rc = -ENOSPC;
	assert_string_equal(req(c, "Z1,401000,1"), "E1c");
	c->f.point_rc = -EOPNOTSUPP;
	assert_string_equal(req(c, "Z4,1000,4"), "");
}

/* ---- run control --------------------------------------------------- */

static void test_resume(void **state)
{
	struct client *c = *state;
	c->f.next = (struct gdb_stop){ .kind = GDB_STOP_BREAK, .tid = 2, .swbreak = true };
	assert_string_equal(req(c, "vCont?"), "vCont;c;C;s;S");
	assert_string_equal(req(c, "c"), "T05thread:p2a.2;swbreak:;");
	assert_int_equal(c->f.last_resume.action, GDB_CONTINUE);
	assert_false(c->f.last_resume.reverse);
	assert_string_equal(req(c, "qC"), "QCp2a.2"); /* the stopped thread */
	assert_string_equal(req(c, "?"), "T05thread:p2a.2;swbreak:;");
	c->f.next = (struct gdb_stop){ .kind = GDB_STOP_BREAK, .tid = 1, .hwbreak = true };
	assert_string_equal(req(c, "vCont;s:p2a.2;c:p2a.-1"), "T05thread:p2a.1;hwbreak:;");
	assert_int_equal(c->f.last_resume.action, GDB_STEP);
	assert_int_equal(c->f.last_resume.step_tid, 2);
	c->f.next = (struct gdb_stop){ .kind = GDB_STOP_WATCH, .tid = 1, .type = GDB_POINT_READ,
				       .addr = 0x1008 };
	assert_string_equal(req(c, "vCont;c"), "T05thread:p2a.1;rwatch:1008;");
	assert_int_equal(c->f.last_resume.action, GDB_CONTINUE);
	c->f.next.type = GDB_POINT_WRITE;
	assert_string_equal(req(c, "vCont;c:p2a.-1"), "T05thread:p2a.1;watch:1008;");
	c->f.next.type = GDB_POINT_ACCESS;
	assert_string_equal(req(c, "bc"), "T05thread:p2a.1;awatch:1008;");
	assert_true(c->f.last_resume.reverse);
	c->f.next = (struct gdb_stop){ .kind = GDB_STOP_REPLAY_BEGIN, .tid = 1 };
	assert_string_equal(req(c, "bs"), "T05thread:p2a.1;replaylog:begin;");
	assert_true(c->f.last_resume.reverse);
	assert_int_equal(c->f.last_resume.action, GDB_STEP);
	c->f.next = (struct gdb_stop){ .kind = GDB_STOP_REPLAY_END, .tid = 1 };
	assert_string_equal(req(c, "s"), "T05thread:p2a.1;replaylog:end;");
	/* Signals cross in gdb's numbering: Linux's SIGUSR1 (10) is 0x1e. */
	c->f.next = (struct gdb_stop){ .kind = GDB_STOP_SIGNAL, .tid = 1, .signo = SIGUSR1 };
	assert_string_equal(req(c, "C1e"), "T1ethread:p2a.1;");
	assert_int_equal(c->f.last_resume.signo, SIGUSR1);
	c->f.next.signo = SIGSEGV;
	assert_string_equal(req(c, "vCont;S0b:p2a.1"), "T0bthread:p2a.1;");
	assert_int_equal(c->f.last_resume.signo, SIGSEGV);
	assert_string_equal(req(c, "C07"), "E16");        /* SIGEMT: not Linux's */
	assert_string_equal(req(c, "Czz"), "E16");
	assert_string_equal(req(c, "c401000"), "E16");    /* no jumping */
	assert_string_equal(req(c, "vCont;t"), "E16");
	assert_string_equal(req(c, "vCont;r1000,2000"), "E16");
	assert_string_equal(req(c, "vCont"), "E16");
	assert_string_equal(req(c, "vCont;"), "E16");
	assert_string_equal(req(c, "vCont;s:p2a.9"), "E03");
	assert_string_equal(req(c, "vCont;c:zz"), "E16");
	c->interrupt = true;
	assert_string_equal(req(c, "c"), "T02thread:p2a.1;");
	c->interrupt = false;
	c->f.next = (struct gdb_stop){ .kind = GDB_STOP_EXITED, .status = 3 };
	assert_string_equal(req(c, "c"), "W03;process:2a");
	assert_string_equal(req(c, "?"), "W03;process:2a");
	c->f.next = (struct gdb_stop){ .kind = GDB_STOP_KILLED, .signo = SIGSEGV };
	assert_string_equal(req(c, "c"), "X0b;process:2a");
	c->f.next = (struct gdb_stop){ .kind = 99, .tid = 1 };
	assert_string_equal(req(c, "c"), "E16");
}

/* ---- qXfer, vFile, monitor ----------------------------------------- */

static void test_xfer(void **state)
{
	struct client *c = *state;
	const char *x = req(c, "qXfer:features:read:target.xml:0,ffff");
	assert_int_equal(x[0], 'l');
	assert_non_null(strstr(x, "<architecture>i386:x86-64</architecture>"));
	assert_non_null(strstr(x, "org.gnu.gdb.i386.core"));
	assert_non_null(strstr(x, "org.gnu.gdb.i386.sse"));
	assert_non_null(strstr(x, "org.gnu.gdb.i386.linux"));
	assert_non_null(strstr(x, "<reg name=\"orig_rax\" bitsize=\"64\" type=\"int\" regnum=\"57\""));
	assert_non_null(strstr(x, "<reg name=\"gs_base\" bitsize=\"64\" type=\"int\" regnum=\"59\""));
	size_t total = strlen(x) - 1;
	/* Slices: 'm' while more follows, 'l' with the last. */
	x = req(c, "qXfer:features:read:target.xml:0,10");
	assert_string_equal(x, "m<?xml version=\"1");
	char pkt[64];
	snprintf(pkt, sizeof(pkt), "qXfer:features:read:target.xml:%zx,10", total - 4);
	assert_string_equal(req(c, pkt), "lget>");
	snprintf(pkt, sizeof(pkt), "qXfer:features:read:target.xml:%zx,10", total + 100);
	assert_string_equal(req(c, pkt), "l");
	assert_string_equal(req(c, "qXfer:features:read:other.xml:0,10"), "E02");
	/* The target's objects, escaped on the way out. */
	x = req(c, "qXfer:auxv:read::0,100");
	assert_string_equal(x, "mAUXV}\x03}\x04}]}\x0a" "DATA");
	assert_string_equal(req(c, "qXfer:auxv:read::c,100"), "l");
	assert_string_equal(req(c, "qXfer:exec-file:read:2a:0,100"), "E02");
	assert_string_equal(req(c, "qXfer:memory-map:read::0,100"), "");
	assert_string_equal(req(c, "qXfer:auxv:write::0:abc"), "");
	assert_string_equal(req(c, "qXfer:auxv:read::0"), "E16");
	assert_string_equal(req(c, "qXfer:auxv:read::zz,10"), "E16");
	assert_string_equal(req(c, "qXfer:auxv:read"), "E16");
	assert_string_equal(req(c, "qXfer"), "E16");
	assert_string_equal(reqn(c, "qXfer:au\0v:read::0,10", 21), "E16");
}

static void test_vfile(void **state)
{
	struct client *c = *state;
	char pkt[128], hex[64];
	assert_string_equal(req(c, "vFile:setfs:0"), "F0");
	for (size_t i = 0; i < strlen("/bin/prog"); i++)
		hex_encode_byte((uint8_t)"/bin/prog"[i], hex + 2 * i);
	hex[2 * strlen("/bin/prog")] = '\0';
	snprintf(pkt, sizeof(pkt), "vFile:open:%s,0,1c0", hex);
	assert_string_equal(req(c, pkt), "F3");
	assert_string_equal(req(c, "vFile:pread:3,100,0"), "F8;\x7f" "ELF}\x03}]}\x04}\x0a");
	assert_string_equal(req(c, "vFile:pread:3,2,1"), "F2;EL");
	assert_string_equal(req(c, "vFile:pread:3,100,100"), "F0;");
	assert_string_equal(req(c, "vFile:pread:9,100,0"), "F-1,9");     /* EBADF */
	const char *st = req(c, "vFile:fstat:3");
	assert_memory_equal(st, "F40;", 4);
	assert_int_equal(c->lens[(c->nreplies - 1) % 8], 4 + 64);        /* nothing to escape */
	assert_memory_equal(st + 4 + 8, "\0\0\x81\xed", 4);               /* mode, big-endian */
	assert_memory_equal(st + 4 + 28, "\0\0\0\0\0\0\0\x08", 8);        /* size */
	assert_string_equal(req(c, "vFile:close:3"), "F0");
	assert_string_equal(req(c, "vFile:close:3"), "F-1,9");
	snprintf(pkt, sizeof(pkt), "vFile:open:%s,1,1c0", hex);           /* O_WRONLY */
	assert_string_equal(req(c, pkt), "F-1,d");
	snprintf(pkt, sizeof(pkt), "vFile:open:%s,100000,0", hex);        /* unknown flag */
	assert_string_equal(req(c, pkt), "F-1,16");
	assert_string_equal(req(c, "vFile:open:2f6e6f,0,0"), "F-1,2");   /* "/no" */
	/* gdb's probe, "just probing": relative, answered without the target. */
	int opens = c->f.file_opens;
	assert_string_equal(req(c, "vFile:open:6a7573742070726f62696e67,0,1c0"), "F-1,2");
	assert_int_equal(c->f.file_opens, opens);
	assert_string_equal(req(c, "vFile:open:2f00,0,0"), "F-1,16");    /* a NUL inside */
	assert_string_equal(req(c, "vFile:open:2f6,0,0"), "E16");        /* odd hex */
	assert_string_equal(req(c, "vFile:open:zz,0,0"), "E16");
	assert_string_equal(req(c, "vFile:pread:3,100"), "E16");
	assert_string_equal(req(c, "vFile:unlink:2f"), "");
	assert_string_equal(req(c, "vFile:nope"), "E16");
}

static void test_monitor(void **state)
{
	struct client *c = *state;
	int before = c->nreplies;
	char hexcmd[16];
	for (int i = 0; i < 4; i++)
		hex_encode_byte((uint8_t)"help"[i], hexcmd + 2 * i);
	hexcmd[8] = '\0';
	char pkt[32];
	snprintf(pkt, sizeof(pkt), "qRcmd,%s", hexcmd);
	assert_string_equal(req(c, pkt), "OK");
	assert_int_equal(c->nreplies - before, 2);
	const char *o = c->replies[before % 8];
	assert_int_equal(o[0], 'O');
	uint8_t text[64] = { 0 };
	assert_true(hex_decode(o + 1, strlen(o + 1), text));
	assert_string_equal((char *)text, "checkpoints: none\n");
	before = c->nreplies;
	assert_string_equal(req(c, "qRcmd,6e6f"), "OK");           /* "no": unknown */
	o = c->replies[before % 8];
	memset(text, 0, sizeof(text));
	assert_true(hex_decode(o + 1, 2 * 30, text));
	assert_memory_equal(text, "rrv: unknown monitor command", 28);
	assert_string_equal(req(c, "qRcmd,6"), "E16");
	assert_string_equal(req(c, "qRcmd,zz"), "E16");
	assert_string_equal(req(c, "qRcmd"), "E16");
}

static void test_detach_kill(void **state)
{
	struct client *c = *state;
	assert_string_equal(req(c, "D;zz"), "E16");
	assert_int_equal(c->f.detaches, 0);
	assert_int_equal(gdbstub_handle_packet(c->s, "D;2a", 4), GDBSTUB_DONE);
	assert_string_equal(last(c), "OK");
	assert_int_equal(c->f.detaches, 1);
	/* Detached once, however many times asked. */
	assert_int_equal(gdbstub_handle_packet(c->s, "vKill;2a", 8), GDBSTUB_DONE);
	assert_int_equal(c->f.detaches, 1);
}

static void test_kill_no_reply(void **state)
{
	struct client *c = *state;
	assert_null(req(c, "k"));
	assert_int_equal(c->f.detaches, 1);
}

/* Every packet shape above, cut at every length: an error or an empty
 * reply, never a crash (ASan watches). */
static void test_truncations(void **state)
{
	struct client *c = *state;
	static const char *const pkts[] = {
		"qXfer:features:read:target.xml:0,ffb", "vFile:open:2f62696e2f70726f67,0,1c0",
		"vFile:pread:3,100,0", "M1000,2:abcd", "X1010,2:}]}]", "Z2,1008,8",
		"vCont;s:p2a.2;c:p2a.-1", "Hgp2a.2", "qRcmd,68656c70", "P0=efbeadde00000000",
		"qSupported:multiprocess+;swbreak+", "m1000,4", "D;2a",
	};
	c->f.next = (struct gdb_stop){ .kind = GDB_STOP_BREAK, .tid = 1 };
	for (size_t i = 0; i < sizeof(pkts) / sizeof(pkts[0]); i++)
		for (size_t n = 0; n < strlen(pkts[i]); n++) {
			char *copy = malloc(n ? n : 1); /* exact size: ASan sees overreads */
			memcpy(copy, pkts[i], n);
			int rc = gdbstub_handle_packet(c->s, copy, n);
			assert_true(rc == GDBSTUB_MORE || rc == GDBSTUB_DONE);
			free(copy);
		}
}

/* ---- the transport -------------------------------------------------- */

/* Writes a client's whole conversation into one end of a socket pair,
 * closes it, serves the other end, and returns what the stub wrote. */
static int serve_script(struct fake *f, const char *script, size_t len, char *got, size_t cap)
{
	int sv[2];
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(write(sv[0], script, len), (ssize_t)len);
	shutdown(sv[0], SHUT_WR);
	int rc = gdbstub_serve(sv[1], &fake_ops, f);
	close(sv[1]);
	ssize_t n = read(sv[0], got, cap - 1);
	got[n < 0 ? 0 : n] = '\0';
	close(sv[0]);
	return rc;
}

static void test_serve(void **state)
{
	struct client *c = *state;
	char got[4096];
	/* Acked packets, a bad checksum (NAKed), a '-' (our last reply
	 * again), then no-ack mode: no more '+' from us. */
	static const char script[] = "+$?#3f+$?#00-$QStartNoAckMode#b0+$qC#b4$D#44";
	int rc = serve_script(&c->f, script, sizeof(script) - 1, got, sizeof(got));
	assert_int_equal(rc, 0);
	assert_int_equal(c->f.detaches, 1);
	assert_string_equal(got, "+$T05thread:1;#d7-$T05thread:1;#d7+$OK#9a$QC1#c5$OK#9a");
}

/* A ^C in the same read as the 'c' that started the run still stops it. */
static void test_serve_interrupt(void **state)
{
	struct client *c = *state;
	char got[4096];
	c->f.next = (struct gdb_stop){ .kind = GDB_STOP_BREAK, .tid = 2 };
	static const char script[] = "$c#63\x03$D#44";
	int rc = serve_script(&c->f, script, sizeof(script) - 1, got, sizeof(got));
	assert_int_equal(rc, 0);
	assert_int_equal(c->f.resumes, 1);
	assert_string_equal(got, "+$T02thread:1;#d4+$OK#9a");
}

static void test_serve_client_gone(void **state)
{
	struct client *c = *state;
	char got[4096];
	int rc = serve_script(&c->f, "+$?#3f", 6, got, sizeof(got));
	assert_int_equal(rc, -ECONNRESET);
	assert_non_null(strstr(gdbstub_error(), "went away"));
	assert_int_equal(c->f.detaches, 1); /* the replay ends anyway */
}

static void test_serve_oversized(void **state)
{
	struct client *c = *state;
	size_t n = GDBSTUB_PACKET_MAX + 64;
	char *script = malloc(n + 32), got[256];
	script[0] = '$';
	memset(script + 1, 'm', n);
	memcpy(script + 1 + n, "#00$D#44", 8);
	int rc = serve_script(&c->f, script, n + 9, got, sizeof(got));
	free(script);
	assert_int_equal(rc, 0);
	assert_string_equal(got, "+$E5a#db+$OK#9a");
}

static void test_listen(void **state)
{
	(void)state;
	int port = 0;
	int lfd = gdbstub_listen(NULL, 0, &port);
	assert_true(lfd >= 0);
	assert_true(port > 0);
	int again = gdbstub_listen("127.0.0.1", port, NULL);
	assert_int_equal(again, -EADDRINUSE);
	assert_non_null(strstr(gdbstub_error(), "port"));
	assert_int_equal(gdbstub_listen("no such host!", 0, NULL), -EINVAL);
	assert_int_equal(gdbstub_listen(NULL, 70000, NULL), -EINVAL);
	close(lfd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_framing),
		cmocka_unit_test(test_encodings),
		cmocka_unit_test(test_signals),
		cmocka_unit_test(test_ftag),
		cmocka_unit_test_setup_teardown(test_qsupported_and_noack, setup, teardown),
		cmocka_unit_test_setup_teardown(test_threads, setup_mp, teardown),
		cmocka_unit_test_setup_teardown(test_threads_plain_ids, setup, teardown),
		cmocka_unit_test_setup_teardown(test_registers, setup_mp, teardown),
		cmocka_unit_test_setup_teardown(test_memory, setup_mp, teardown),
		cmocka_unit_test_setup_teardown(test_points, setup_mp, teardown),
		cmocka_unit_test_setup_teardown(test_resume, setup_mp, teardown),
		cmocka_unit_test_setup_teardown(test_xfer, setup_mp, teardown),
		cmocka_unit_test_setup_teardown(test_vfile, setup_mp, teardown),
		cmocka_unit_test_setup_teardown(test_monitor, setup_mp, teardown),
		cmocka_unit_test_setup_teardown(test_detach_kill, setup_mp, teardown),
		cmocka_unit_test_setup_teardown(test_kill_no_reply, setup_mp, teardown),
		cmocka_unit_test_setup_teardown(test_truncations, setup_mp, teardown),
		cmocka_unit_test_setup_teardown(test_serve, setup, teardown),
		cmocka_unit_test_setup_teardown(test_serve_interrupt, setup, teardown),
		cmocka_unit_test_setup_teardown(test_serve_client_gone, setup, teardown),
		cmocka_unit_test_setup_teardown(test_serve_oversized, setup, teardown),
		cmocka_unit_test(test_listen),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
