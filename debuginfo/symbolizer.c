/* The objects of a program and the names of its addresses (see
 * symbolizer.h). */
#include "symbolizer.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "elfimage.h"

struct sym_module {
	char *name;
	uint64_t base;
	struct elf_image *elf;  /* NULL: no symbols, see why */
	struct elf_image *dbg;  /* its separate debug file, or NULL */
	char *why;
	uint64_t lo, hi;        /* run-time range of its code, for lookup */
};

/* The program and BT_MAX_MODULES others, as the unwinder takes them. */
#define SYM_MAX (BT_MAX_MODULES + 1)

struct symbolizer {
	struct sym_module mods[SYM_MAX];
	size_t n;
};

struct symbolizer *symbolizer_new(void)
{
	return calloc(1, sizeof(struct symbolizer));
}

void symbolizer_free(struct symbolizer *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++) {
		free(s->mods[i].name);
		free(s->mods[i].why);
		elf_image_free(s->mods[i].elf);
		elf_image_free(s->mods[i].dbg);
	}
	free(s);
}

/* Loads path as the debug file of elf: a parseable ELF whose build id, if
 * both have one, is elf's. */
static struct elf_image *try_debug_file(const char *path,
					const struct elf_image *elf)
{
	char err[160];
	size_t size;
	void *bytes = symbolizer_read_file(path, &size, err, sizeof(err));
	if (!bytes)
		return NULL;
	struct elf_image *dbg = elf_image_load(bytes, size, err, sizeof(err));
	free(bytes);
	const uint8_t *a, *b;
	size_t la = elf_image_build_id(elf, &a);
	size_t lb = dbg ? elf_image_build_id(dbg, &b) : 0;
	if (dbg && (elf_image_symbol_count(dbg) == 0 ||
		    (la && lb && (la != lb || memcmp(a, b, la) != 0)))) {
		elf_image_free(dbg);
		dbg = NULL;
	}
	return dbg;
}

/*
 * The separate debug file of the object at path, where gdb looks for one:
 * by build id under SYM_DEBUG_DIR/.build-id/, then by .gnu_debuglink's
 * name beside the object, in .debug/ beside it, and under SYM_DEBUG_DIR
 * with the object's directory.  NULL when there is none.
 */
static struct elf_image *find_debug_file(const char *path,
					 const struct elf_image *elf)
{
	char cand[4096 + 256];
	const uint8_t *id;
	size_t n = elf_image_build_id(elf, &id);
	if (n >= 2) {
		int w = snprintf(cand, sizeof(cand), "%s/.build-id/%02x/",
				 SYM_DEBUG_DIR, id[0]);
		for (size_t i = 1; i < n && w > 0 && (size_t)w < sizeof(cand) - 8; i++)
			w += snprintf(cand + w, sizeof(cand) - (size_t)w, "%02x", id[i]);
		snprintf(cand + w, sizeof(cand) - (size_t)w, ".debug");
		struct elf_image *dbg = try_debug_file(cand, elf);
		if (dbg)
			return dbg;
	}
	const char *link = elf_image_debuglink(elf);
	const char *slash = strrchr(path, '/');
	if (!link || !slash)
		return NULL;
	int dirlen = (int)(slash - path);
	static const char *const forms[] = { "%.*s/%s", "%.*s/.debug/%s",
					     SYM_DEBUG_DIR "%.*s/%s" };
	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		snprintf(cand, sizeof(cand), forms[i], dirlen, path, link);
		/* The object itself may carry the name it links to. */
		if (strcmp(cand, path) == 0)
			continue;
		struct elf_image *dbg = try_debug_file(cand, elf);
		if (dbg)
			return dbg;
	}
	return NULL;
}

bool symbolizer_add(struct symbolizer *s, const char *name,
		    struct elf_image *elf, uint64_t base, const char *why)
{
	if (!s || s->n >= SYM_MAX) {
		elf_image_free(elf);
		return false;
	}
	struct sym_module *m = &s->mods[s->n];
	*m = (struct sym_module){ .base = base, .elf = elf };
	m->name = strdup(name ? name : "?");
	m->why = why ? strdup(why) : NULL;
	if (!m->name || (why && !m->why)) {
		free(m->name);
		free(m->why);
		elf_image_free(elf);
		return false;
	}
	uint64_t lo, hi;
	if (elf && elf_image_text(elf, &lo, &hi) && base + lo >= lo &&
	    base + hi >= hi) {
		m->lo = base + lo;
		m->hi = base + hi;
	}
	/* Debian strips its libraries into separate files (libc6-dbg):
	 * with one, internal functions and lines are named too. */
	if (elf && name && name[0] == '/')
		m->dbg = find_debug_file(name, elf);
	if (m->dbg && m->why && strcmp(m->why, "it is stripped") == 0) {
		free(m->why);
		m->why = NULL;
	}
	s->n++;
	return true;
}

void *symbolizer_read_file(const char *path, size_t *size, char *why,
			   size_t whylen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(why, whylen, "%s", strerror(errno));
		return NULL;
	}
	struct stat st;
	char *buf = NULL;
	if (fstat(fd, &st) < 0) {
		snprintf(why, whylen, "%s", strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode) || st.st_size <= 0 ||
	    (uint64_t)st.st_size > SYM_FILE_MAX) {
		snprintf(why, whylen, "not a regular file of a plausible size");
		goto out;
	}
	buf = malloc((size_t)st.st_size);
	if (!buf) {
		snprintf(why, whylen, "out of memory");
		goto out;
	}
	size_t done = 0;
	while (done < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + done, (size_t)st.st_size - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			snprintf(why, whylen, "%s", n < 0 ? strerror(errno)
				 : "it shrank while being read");
			free(buf);
			buf = NULL;
			goto out;
		}
		done += (size_t)n;
	}
	*size = done;
out:
	close(fd);
	return buf;
}

bool symbolizer_add_file(struct symbolizer *s, const char *path,
			 uint64_t base)
{
	char why[200], err[160];
	size_t size = 0;
	void *bytes = symbolizer_read_file(path, &size, err, sizeof(err));
	if (!bytes) {
		snprintf(why, sizeof(why), "cannot read it: %s", err);
		return symbolizer_add(s, path, NULL, base, why);
	}
	struct elf_image *elf = elf_image_load(bytes, size, err, sizeof(err));
	free(bytes);
	if (!elf) {
		snprintf(why, sizeof(why), "%s", err);
		return symbolizer_add(s, path, NULL, base, why);
	}
	return symbolizer_add(s, path, elf, base,
			      elf_image_symbol_count(elf) ? NULL
			      : "it is stripped");
}

/* How much of each segment is compared: the page that holds the ELF
 * header and note (build id) in the first, the code's start in others. */
#define CHECK_BYTES 4096u

bool symbolizer_check(struct symbolizer *s, size_t i, bt_read_fn read,
		      void *ctx)
{
	if (!s || i >= s->n || !s->mods[i].elf)
		return true;
	struct sym_module *m = &s->mods[i];
	static uint8_t want[CHECK_BYTES], got[CHECK_BYTES];
	uint64_t vaddr, filesz;
	bool writable;
	for (size_t k = 0; elf_image_segment(m->elf, k, &vaddr, &filesz,
					     &writable); k++) {
		if (writable || filesz == 0)
			continue;
		size_t len = filesz < CHECK_BYTES ? (size_t)filesz : CHECK_BYTES;
		size_t have = elf_image_read(m->elf, vaddr, want, len);
		/* Page by page: demand paging leaves pages the program never
		 * touched unmapped, which proves nothing either way. */
		for (size_t off = 0; off < have;) {
			uint64_t at = m->base + vaddr + off;
			size_t chunk = 4096 - (size_t)(at & 4095);
			if (chunk > have - off)
				chunk = have - off;
			if (read(ctx, at, got, chunk) == chunk &&
			    memcmp(got, want + off, chunk) != 0) {
				elf_image_free(m->elf);
				elf_image_free(m->dbg);
				m->elf = NULL;
				m->dbg = NULL;
				m->lo = m->hi = 0;
				free(m->why);
				m->why = strdup("the file differs from the one "
						"the program mapped");
				return false;
			}
			off += chunk;
		}
	}
	return true;
}

size_t symbolizer_count(const struct symbolizer *s)
{
	return s ? s->n : 0;
}

const char *symbolizer_module(const struct symbolizer *s, size_t i,
			      uint64_t *base, const char **why)
{
	if (!s || i >= s->n)
		return NULL;
	*base = s->mods[i].base;
	*why = s->mods[i].why;
	return s->mods[i].name;
}

static const char *last_part(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash && slash[1] ? slash + 1 : path;
}

/* The object holding run-time address a: by its code's range, and for the
 * program also by its symbols (its range is known only with an image). */
static struct sym_module *holder(struct symbolizer *s, uint64_t a)
{
	for (size_t i = 0; i < s->n; i++) {
		struct sym_module *m = &s->mods[i];
		if (m->hi && a >= m->lo && a < m->hi)
			return m;
	}
	return NULL;
}

void symbolizer_name(struct symbolizer *s, uint64_t addr, uint64_t lookup,
		     char *out, size_t outlen)
{
	out[0] = '\0';
	struct sym_module *m = s ? holder(s, lookup) : NULL;
	if (!m)
		return;
	bool prog = m == &s->mods[0];
	uint64_t off = 0;
	const char *fn = elf_image_symbol(m->dbg, lookup - m->base, &off);
	if (!fn)
		fn = elf_image_symbol(m->elf, lookup - m->base, &off);
	if (!fn) {
		/* Code of a known object without a symbol: the object and
		 * the offset from its base, which objdump and addr2line take. */
		snprintf(out, outlen, "%s+0x%" PRIx64, last_part(m->name),
			 addr - m->base);
		return;
	}
	off += addr - lookup;
	size_t used = 0;
	int w = off ? snprintf(out, outlen, "%s+0x%" PRIx64, fn, off)
		    : snprintf(out, outlen, "%s", fn);
	if (w < 0 || (size_t)w >= outlen)
		return;
	used = (size_t)w;
	const char *file;
	int line;
	if (elf_image_line(m->dbg, lookup - m->base, &file, &line) ||
	    elf_image_line(m->elf, lookup - m->base, &file, &line)) {
		w = snprintf(out + used, outlen - used, " (%s:%d)",
			     last_part(file), line);
		if (w < 0 || (size_t)w >= outlen - used)
			return;
		used += (size_t)w;
	}
	if (!prog)
		snprintf(out + used, outlen - used, " in %s",
			 last_part(m->name));
}

size_t symbolizer_bt(const struct symbolizer *s, struct bt_module *prog,
		     struct bt_module *mods, size_t max)
{
	*prog = (struct bt_module){ 0 };
	if (!s || s->n == 0)
		return 0;
	*prog = (struct bt_module){ s->mods[0].elf, s->mods[0].base };
	size_t k = 0;
	for (size_t i = 1; i < s->n && k < max; i++)
		mods[k++] = (struct bt_module){ s->mods[i].elf,
						s->mods[i].base };
	return k;
}
