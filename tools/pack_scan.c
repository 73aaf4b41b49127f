/*
 * Finding the ELF files of a recording in its events (pack_scan.h).  The
 * host handles of the trace are followed as the VMM handed them out:
 * OPENAT names one (its path, relative to the cwd or to a directory
 * handle), READ reads it at an offset or at its position, LSEEK moves the
 * position, FDPATH gives another name of it, CLOSE ends it, CHDIR moves
 * the cwd.  Every other call leaves files alone.
 */
#include <stdlib.h>
#include <string.h>

#include <rrv/digest.h>
#include <rrv/hypercall.h>

#include "debugger/files.h"
#include "trace-format/rrv_trace.h"

#include "pack_scan.h"

/* Handles are small (lowest free first); a larger one is no file of a
 * sane trace and is ignored rather than grown to. */
#define HANDLES_MAX (1u << 20)

struct handle {
	bool open;
	long file;    /* index into s->files, or -1 (a file never read as ELF
			 stays here too: its pieces are just not kept) */
	char *path;   /* its normalised name, for openat relative to it */
	uint64_t pos; /* its position, for READ without an offset */
};

struct scan {
	struct pack_scan *s;
	struct handle *h;
	size_t nh;
	char *cwd;
	bool nomem;
};

bool pack_paths_add(char **paths, size_t *len, const char *path)
{
	for (size_t i = 0; i < *len; i += strlen(*paths + i) + 1)
		if (strcmp(*paths + i, path) == 0)
			return true;
	size_t n = strlen(path) + 1;
	char *p = realloc(*paths, *len + n);
	if (!p)
		return false;
	memcpy(p + *len, path, n);
	*paths = p;
	*len += n;
	return true;
}

/* The first input copy of e (the call's path), as a string, or NULL. */
static char *input_path(const struct rrv_trace_event *e)
{
	for (uint32_t i = 1; i < e->nranges; i++) {
		const struct rrv_trace_range *g = &e->ranges[i];
		if (!rrv_trace_range_is_input(g))
			continue;
		size_t len = (size_t)g->len;
		if (len && g->data[len - 1] == '\0')
			len--;
		if (memchr(g->data, '\0', len))
			return NULL; /* not a path the host would have taken */
		return strndup((const char *)g->data, len);
	}
	return NULL;
}

static struct handle *handle(struct scan *sc, uint64_t nr, bool grow)
{
	if (nr >= HANDLES_MAX)
		return NULL;
	if (nr >= sc->nh) {
		if (!grow)
			return NULL;
		size_t n = sc->nh ? sc->nh : 64;
		while (n <= nr)
			n *= 2;
		struct handle *h = realloc(sc->h, n * sizeof(*h));
		if (!h) {
			sc->nomem = true;
			return NULL;
		}
		memset(h + sc->nh, 0, (n - sc->nh) * sizeof(*h));
		sc->h = h;
		sc->nh = n;
	}
	return &sc->h[nr];
}

static void drop(struct handle *h)
{
	free(h->path);
	*h = (struct handle){ 0 };
}

static long file_for(struct scan *sc, const char *name)
{
	struct pack_scan *s = sc->s;
	for (size_t i = 0; i < s->nfiles; i++)
		if (strcmp(s->files[i].name, name) == 0)
			return (long)i;
	if (s->nfiles == s->cap) {
		size_t n = s->cap ? s->cap * 2 : 16;
		struct pack_file *f = realloc(s->files, n * sizeof(*f));
		if (!f) {
			sc->nomem = true;
			return -1;
		}
		s->files = f;
		s->cap = n;
	}
	struct pack_file *f = &s->files[s->nfiles];
	*f = (struct pack_file){ .name = strdup(name) };
	if (!f->name || !pack_paths_add(&f->paths, &f->paths_len, name)) {
		free(f->name);
		free(f->paths);
		sc->nomem = true;
		return -1;
	}
	return (long)s->nfiles++;
}

static void on_openat(struct scan *sc, const struct rrv_trace_event *e)
{
	const struct rrv_hc_openat *a = (const void *)e->ranges[0].data;
	char *path = input_path(e);
	if (!path)
		return;
	sc->s->has_inputs = true;
	const char *base = sc->cwd;
	if (a->dir != RRV_HC_AT_CWD && path[0] != '/') {
		struct handle *d = handle(sc, (uint32_t)a->dir, false);
		base = d && d->open && d->path ? d->path : NULL;
	}
	char *name = base ? dbg_files_normalise(base, path) : NULL;
	free(path);
	struct handle *h = handle(sc, (uint64_t)e->ret, true);
	if (!h || !name) {
		free(name);
		return;
	}
	drop(h);
	*h = (struct handle){ .open = true, .file = file_for(sc, name), .path = name };
}

/* The bytes a READ filled, in order: its ranges after the struct, less
 * the input copies. */
static void on_read(struct scan *sc, const struct rrv_trace_event *e)
{
	const struct rrv_hc_read *a = (const void *)e->ranges[0].data;
	struct handle *h = handle(sc, a->handle, false);
	if (!h || !h->open || e->ret <= 0)
		return;
	uint64_t off = a->at_offset ? (uint64_t)a->offset : h->pos;
	if (!a->at_offset)
		h->pos += (uint64_t)e->ret;
	if (h->file < 0)
		return;
	struct pack_file *f = &sc->s->files[h->file];
	uint64_t d = RRV_DIGEST_SEED, len = 0;
	const uint8_t *first = NULL;
	uint64_t first_len = 0;
	for (uint32_t i = 1; i < e->nranges; i++) {
		const struct rrv_trace_range *g = &e->ranges[i];
		if (rrv_trace_range_is_input(g))
			continue;
		if (!first) {
			first = g->data;
			first_len = g->len;
		}
		d = rrv_digest(d, g->data, (size_t)g->len);
		len += g->len;
	}
	if (off == 0 && !f->elf && !f->not_elf) {
		static const uint8_t magic[4] = { 0x7f, 'E', 'L', 'F' };
		f->elf = first && first_len >= 4 && memcmp(first, magic, 4) == 0;
		f->not_elf = !f->elf;
		if (f->not_elf) {
			free(f->pieces);
			f->pieces = NULL;
			f->npieces = f->cap = 0;
		}
	}
	if (f->not_elf || !len)
		return;
	if (f->npieces == f->cap) {
		size_t n = f->cap ? f->cap * 2 : 8;
		struct pack_piece *p = realloc(f->pieces, n * sizeof(*p));
		if (!p) {
			sc->nomem = true;
			return;
		}
		f->pieces = p;
		f->cap = n;
	}
	f->pieces[f->npieces++] = (struct pack_piece){ off, len, d };
}

static void on_lseek(struct scan *sc, const struct rrv_trace_event *e)
{
	const struct rrv_hc_lseek *a = (const void *)e->ranges[0].data;
	struct handle *h = handle(sc, a->handle, false);
	if (h && h->open && e->ret >= 0)
		h->pos = (uint64_t)e->ret;
}

static void on_close(struct scan *sc, const struct rrv_trace_event *e)
{
	const struct rrv_hc_close *a = (const void *)e->ranges[0].data;
	struct handle *h = handle(sc, a->handle, false);
	if (h && e->ret == 0)
		drop(h);
}

/* The host's own name of a handle (readlink of /proc/self/fd/N). */
static void on_fdpath(struct scan *sc, const struct rrv_trace_event *e)
{
	const struct rrv_hc_fdpath *a = (const void *)e->ranges[0].data;
	struct handle *h = handle(sc, a->handle, false);
	if (!h || !h->open || h->file < 0 || e->ret <= 0 || e->nranges < 2 ||
	    rrv_trace_range_is_input(&e->ranges[1]))
		return;
	const struct rrv_trace_range *g = &e->ranges[1];
	if (g->len == 0 || g->data[0] != '/' || memchr(g->data, '\0', (size_t)g->len))
		return;
	char *p = strndup((const char *)g->data, (size_t)g->len);
	char *name = p ? dbg_files_normalise("/", p) : NULL;
	struct pack_file *f = &sc->s->files[h->file];
	if (!name || !pack_paths_add(&f->paths, &f->paths_len, name))
		sc->nomem = true;
	free(p);
	free(name);
}

static void on_chdir(struct scan *sc, const struct rrv_trace_event *e)
{
	const struct rrv_hc_chdir *a = (const void *)e->ranges[0].data;
	if (e->ret != 0)
		return;
	char *path = input_path(e), *cwd = NULL;
	if (path && *path) {
		cwd = dbg_files_normalise(sc->cwd, path);
	} else {
		struct handle *h = handle(sc, (uint32_t)a->handle, false);
		if (h && h->open && h->path)
			cwd = strdup(h->path);
	}
	free(path);
	if (cwd) {
		free(sc->cwd);
		sc->cwd = cwd;
	}
}

/* What each call does to files, and the struct it needs whole. */
static const struct {
	void (*fn)(struct scan *sc, const struct rrv_trace_event *e);
	size_t size;
} calls[RRV_HC_MAX] = {
	[RRV_HC_OPENAT] = { on_openat, sizeof(struct rrv_hc_openat) },
	[RRV_HC_READ] = { on_read, sizeof(struct rrv_hc_read) },
	[RRV_HC_LSEEK] = { on_lseek, sizeof(struct rrv_hc_lseek) },
	[RRV_HC_CLOSE] = { on_close, sizeof(struct rrv_hc_close) },
	[RRV_HC_FDPATH] = { on_fdpath, sizeof(struct rrv_hc_fdpath) },
	[RRV_HC_CHDIR] = { on_chdir, sizeof(struct rrv_hc_chdir) },
};

int pack_scan(struct rrv_trace_reader *r, const char *cwd, struct pack_scan *s,
	      void (*progress)(uint64_t events))
{
	struct scan sc = { .s = s, .cwd = strdup(cwd && *cwd ? cwd : "/") };
	if (!sc.cwd)
		return RRV_TRACE_E_NOMEM;
	struct rrv_trace_event e;
	int got;
	while ((got = rrv_trace_reader_next(r, &e)) == 1) {
		s->events++;
		if (progress && s->events % 4096 == 0)
			progress(s->events);
		if (e.type != RRV_EV_HYPERCALL || e.nr >= RRV_HC_MAX || !calls[e.nr].fn ||
		    e.nranges == 0 || e.ranges[0].len < calls[e.nr].size)
			continue;
		/* The struct as returned may sit anywhere in the reader's
		 * buffer: the handlers read it through an aligned copy. */
		union {
			struct rrv_hc_openat o;
			struct rrv_hc_read r;
			struct rrv_hc_lseek l;
			struct rrv_hc_close c;
			struct rrv_hc_fdpath f;
			struct rrv_hc_chdir d;
		} copy;
		memcpy(&copy, e.ranges[0].data, calls[e.nr].size);
		struct rrv_trace_range ranges[RRV_TRACE_RANGES_MAX];
		memcpy(ranges, e.ranges, e.nranges * sizeof(ranges[0]));
		ranges[0].data = (const uint8_t *)&copy;
		e.ranges = ranges;
		calls[e.nr].fn(&sc, &e);
		if (sc.nomem)
			break;
	}
	for (size_t i = 0; i < sc.nh; i++)
		drop(&sc.h[i]);
	free(sc.h);
	free(sc.cwd);
	return sc.nomem ? RRV_TRACE_E_NOMEM : got;
}

void pack_scan_free(struct pack_scan *s)
{
	for (size_t i = 0; i < s->nfiles; i++) {
		free(s->files[i].name);
		free(s->files[i].paths);
		free(s->files[i].pieces);
	}
	free(s->files);
	*s = (struct pack_scan){ 0 };
}
