/*
 * qXfer's objects: the auxiliary vector (read from the new program's stack
 * at its EXEC, before the program can change it), the program's path
 * (exec-file), and the shared libraries as gdb's svr4 support lists them
 * (libraries-svr4): from AT_PHDR the program's PT_DYNAMIC, its DT_DEBUG,
 * the dynamic loader's struct r_debug and its list of struct link_map,
 * all read from guest memory through the process's page tables and
 * bounded, since they are the program's to corrupt.
 */
#include "session.h"

#include <elf.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define AUXV_PAIRS_MAX 64
#define ARGS_MAX 4096       /* argv and envp pointers walked past */
#define DYN_MAX 512
#define LINK_MAP_MAX 256
#define XML_MAX (64 * 1024)

static bool rd64(struct dbg *d, uint64_t cr3, uint64_t addr, uint64_t *v)
{
	return mem_read_root(d, cr3, addr, v, 8) == 8;
}

void xfer_save_auxv(struct dbg *d, uint64_t cr3, uint64_t rsp)
{
	d->auxv_len = 0;
	uint64_t argc, p = rsp + 8, v;
	if (!rd64(d, cr3, rsp, &argc) || argc > ARGS_MAX)
		return;
	p += (argc + 1) * 8;   /* argv and its NULL */
	for (int i = 0; i < ARGS_MAX; i++, p += 8) { /* envp */
		if (!rd64(d, cr3, p, &v))
			return;
		if (!v)
			break;
	}
	p += 8;
	size_t max = sizeof(d->auxv) / 16;
	for (size_t i = 0; i < max && i < AUXV_PAIRS_MAX; i++) {
		uint64_t pair[2];
		if (mem_read_root(d, cr3, p + i * 16, pair, 16) != 16)
			return;
		memcpy(d->auxv + d->auxv_len, pair, 16);
		d->auxv_len += 16;
		if (pair[0] == AT_NULL)
			return;
	}
}

bool xfer_auxv(const struct dbg *d, uint64_t type, uint64_t *val)
{
	for (size_t i = 0; i + 16 <= d->auxv_len; i += 16) {
		uint64_t pair[2];
		memcpy(pair, d->auxv + i, 16);
		if (pair[0] == type) {
			*val = pair[1];
			return true;
		}
	}
	return false;
}

/* A growing text buffer, bounded by XML_MAX. */
struct text {
	char *buf;
	size_t len;
	bool full;
};

static void put(struct text *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void put(struct text *t, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(t->buf + t->len, XML_MAX - t->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= XML_MAX - t->len)
		t->full = true;
	else
		t->len += (size_t)n;
}

/* A library's name in an XML attribute. */
static void put_escaped(struct text *t, const char *s)
{
	static const struct { char c; const char *as; } esc[] = {
		{ '&', "&amp;" }, { '<', "&lt;" }, { '>', "&gt;" },
		{ '"', "&quot;" }, { '\'', "&apos;" },
	};
	for (; *s; s++) {
		const char *as = NULL;
		for (size_t i = 0; i < sizeof(esc) / sizeof(esc[0]); i++)
			if (esc[i].c == *s)
				as = esc[i].as;
		if (as)
			put(t, "%s", as);
		else
			put(t, "%c", *s);
	}
}

/* The dynamic loader's r_debug, found from the program's headers; 0 for a
 * static program or one whose loader has not run yet. */
static uint64_t find_r_debug(struct dbg *d, uint64_t cr3)
{
	uint64_t phdr, phnum;
	if (!xfer_auxv(d, AT_PHDR, &phdr) || !xfer_auxv(d, AT_PHNUM, &phnum) ||
	    phnum > 64)
		return 0;
	uint64_t bias = 0, dyn = 0;
	bool have_bias = false;
	for (uint64_t i = 0; i < phnum; i++) {
		Elf64_Phdr ph;
		if (mem_read_root(d, cr3, phdr + i * sizeof(ph), &ph, sizeof(ph)) !=
		    sizeof(ph))
			return 0;
		if (ph.p_type == PT_PHDR) {
			bias = phdr - ph.p_vaddr;
			have_bias = true;
		} else if (ph.p_type == PT_DYNAMIC) {
			dyn = ph.p_vaddr;
		}
	}
	if (!dyn)
		return 0;
	if (!have_bias)
		bias = 0;
	for (int i = 0; i < DYN_MAX; i++) {
		uint64_t e[2];
		if (mem_read_root(d, cr3, bias + dyn + (uint64_t)i * 16, e, 16) != 16 ||
		    e[0] == DT_NULL)
			return 0;
		if (e[0] == DT_DEBUG)
			return e[1];
	}
	return 0;
}

static bool read_name(struct dbg *d, uint64_t cr3, uint64_t addr, char *out,
		      size_t len)
{
	size_t n = mem_read_root(d, cr3, addr, out, len - 1);
	out[n] = '\0';
	return n > 0 && memchr(out, '\0', n);
}

static void svr4_list(struct dbg *d, struct text *t)
{
	uint64_t cr3 = mem_root(d);
	uint64_t rdebug = cr3 ? find_r_debug(d, cr3) : 0, lm = 0;
	if (!rdebug || !rd64(d, cr3, rdebug + 8, &lm) || !lm) {
		put(t, "<library-list-svr4 version=\"1.0\"/>");
		return;
	}
	/* The first entry is the program itself. */
	put(t, "<library-list-svr4 version=\"1.0\" main-lm=\"0x%llx\">",
	    (unsigned long long)lm);
	uint64_t next;
	if (!rd64(d, cr3, lm + 24, &next))
		next = 0;
	char name[512];
	for (int k = 0; next && k < LINK_MAP_MAX && !t->full; k++) {
		uint64_t l_addr, l_name, l_ld, l_next;
		lm = next;
		if (!rd64(d, cr3, lm, &l_addr) || !rd64(d, cr3, lm + 8, &l_name) ||
		    !rd64(d, cr3, lm + 16, &l_ld) || !rd64(d, cr3, lm + 24, &l_next))
			break;
		next = l_next;
		if (!l_name || !read_name(d, cr3, l_name, name, sizeof(name)) ||
		    !name[0])
			continue;
		put(t, "<library name=\"");
		put_escaped(t, name);
		/* lmid: gdb 13 wants the namespace; the loader's default. */
		put(t, "\" lm=\"0x%llx\" l_addr=\"0x%llx\" l_ld=\"0x%llx\" lmid=\"0x0\"/>",
		    (unsigned long long)lm, (unsigned long long)l_addr,
		    (unsigned long long)l_ld);
	}
	put(t, "</library-list-svr4>");
}

/* Copies the window [off, off+len) of an object of size n. */
static ssize_t window(const void *obj, size_t n, uint64_t off, void *buf,
		      size_t len)
{
	if (off >= n)
		return 0;
	size_t k = n - (size_t)off < len ? n - (size_t)off : len;
	memcpy(buf, (const char *)obj + off, k);
	return (ssize_t)k;
}

ssize_t xfer_read(struct dbg *d, const char *object, const char *annex,
		  uint64_t off, void *buf, size_t len)
{
	(void)annex;
	if (d->state == DBG_ENDED || !d->pid)
		return -ESRCH;
	if (!strcmp(object, "auxv"))
		return d->auxv_len ? window(d->auxv, d->auxv_len, off, buf, len)
				   : -ENOENT;
	if (!strcmp(object, "exec-file"))
		return d->exec_path[0] ? window(d->exec_path, strlen(d->exec_path),
						off, buf, len) : -ENOENT;
	if (!strcmp(object, "libraries-svr4")) {
		struct text t = { .buf = malloc(XML_MAX) };
		if (!t.buf)
			return -ENOMEM;
		svr4_list(d, &t);
		ssize_t r = t.full ? -E2BIG : window(t.buf, t.len, off, buf, len);
		free(t.buf);
		return r;
	}
	return -ENOENT;
}
