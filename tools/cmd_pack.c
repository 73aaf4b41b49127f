/*
 * rrv pack TRACE: adds to the trace the whole file of every ELF its
 * program read (pack_scan.c finds them), once per distinct content, so
 * that rrv debug on another machine has the symbols of the program's
 * libraries.  Every host file is checked against what the recording read
 * of it first: one that changed since is refused, not packed wrong.  The
 * packed trace is written beside the old one and renamed over it, so a
 * full disk or a crash leaves the old trace as it was.
 * docs/debugging.md, "Debugging on another machine".
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <rrv/digest.h>

#include "debugger/files.h"
#include "replay/replay.h"
#include "trace-format/rrv_trace.h"
#include "vmm/progress.h"
#include "pack_scan.h"
#include "rrv.h"
#include "trace_open.h"

/* One distinct content to pack. */
struct content {
	char *real;          /* the host file it was read from */
	uint8_t *data;       /* mapped */
	size_t size;
	uint64_t digest;
	char *paths;         /* every name, NUL-separated */
	size_t paths_len;
	bool skip;           /* already in the trace */
};

static void pack_help(void)
{
	printf("Adds to a trace the whole file of every ELF program and library its\n"
	       "program mapped (the program, its interpreter, each shared library,\n"
	       "and the programs it exec'd), once per distinct content, so that\n"
	       "rrv debug on another machine has their symbols.  Without TRACE: the\n"
	       "latest trace.\n"
	       "\n"
	       "Each file is read from this machine by the path the program used and\n"
	       "checked against the bytes the recording read of it: a file that\n"
	       "changed since (or is gone) is named and nothing is packed, so pack\n"
	       "where the trace was recorded, before the system is updated.  Packing\n"
	       "again adds nothing new.  The packed trace (format 2.2) replaces the old\n"
	       "one only once it is written whole; older rrv versions read it and\n"
	       "skip the packed files.  'rrv info' lists them.\n"
	       "\n"
	       "  --cat=PATH   write PATH to stdout as rrv debug serves it to gdb: the\n"
	       "               packed copy, the program in the trace, or the file on\n"
	       "               this machine (a file that is nowhere is named)\n");
}

/* Writes PATH as rrv debug would serve it. */
static int cat_file(struct rrv_trace_reader *r, const char *trace, const char *path)
{
	struct dbg_files *f;
	if (dbg_files_create(&f, r, trace))
		return REPLAY_EXIT_BAD_TRACE;
	int err = 0;
	int fd = dbg_files_open(f, path, &err);
	if (fd < 0) {
		fprintf(stderr, "rrv: pack: cannot serve %s: %s (rrv debug could not "
			"give it to gdb either)\n", path, strerror(err));
		dbg_files_free(f);
		return 1;
	}
	char buf[65536];
	uint64_t off = 0;
	ssize_t n;
	while ((n = dbg_files_pread(f, fd, buf, sizeof(buf), off)) > 0) {
		if (fwrite(buf, 1, (size_t)n, stdout) != (size_t)n)
			break;
		off += (uint64_t)n;
	}
	dbg_files_free(f);
	if (n < 0 || fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "rrv: pack: cannot write %s to stdout: %s\n", path,
			strerror(n < 0 ? (int)-n : errno));
		return 1;
	}
	return 0;
}

static void scan_progress(uint64_t events)
{
	progress_update(events, 0);
}

/* Maps the host file real; checks every piece the recording read of f.
 * 0, or 1 after naming the problem. */
static int check_file(const struct pack_file *f, const char *real, struct content *c)
{
	int fd = open(real, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		fprintf(stderr, "rrv: pack: cannot read %s, which the program mapped: %s "
			"(pack the trace where it was recorded)\n", f->name,
			fd < 0 ? strerror(errno) : "not a regular file");
		if (fd >= 0)
			close(fd);
		return 1;
	}
	size_t size = (size_t)st.st_size;
	uint8_t *data = size ? mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0) : NULL;
	close(fd);
	if (data == MAP_FAILED) {
		fprintf(stderr, "rrv: pack: cannot read %s: %s\n", f->name, strerror(errno));
		return 1;
	}
	for (size_t i = 0; i < f->npieces; i++) {
		const struct pack_piece *p = &f->pieces[i];
		if (p->off > size || p->len > size - p->off ||
		    rrv_digest(RRV_DIGEST_SEED, data + p->off, (size_t)p->len) != p->digest) {
			fprintf(stderr, "rrv: pack: %s changed since the recording: its %" PRIu64
				" bytes at offset %" PRIu64 " differ from what the program read "
				"(pack the trace where it was recorded, before the file changes)\n",
				f->name, p->len, p->off);
			if (size)
				munmap(data, size);
			return 1;
		}
	}
	*c = (struct content){ .real = strdup(real), .data = data, .size = size,
			       .digest = rrv_digest(RRV_DIGEST_SEED, data, size) };
	return 0;
}

static void free_contents(struct content *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (c[i].size)
			munmap(c[i].data, c[i].size);
		free(c[i].real);
		free(c[i].paths);
	}
	free(c);
}

/* Whether the trace holds this content already: packed, or as the
 * program's own image under the program's path (the debugger serves the
 * image for that path only: a copy of the program elsewhere is packed). */
static bool in_trace(const struct rrv_trace_fields *h, const struct content *c)
{
	const struct rrv_trace_field *img = rrv_trace_fields_get(h, RRV_TAG_PROGRAM_IMAGE);
	const struct rrv_trace_field *exe = rrv_trace_fields_get(h, RRV_TAG_EXEC_PATH);
	bool at_exe = false;
	for (size_t p = 0; exe && p < c->paths_len; p += strlen(c->paths + p) + 1)
		at_exe |= strlen(c->paths + p) == exe->len &&
			  memcmp(c->paths + p, exe->data, exe->len) == 0;
	if (at_exe && img && img->len == c->size && c->size &&
	    memcmp(img->data, c->data, c->size) == 0)
		return true;
	for (size_t i = 0; i < rrv_trace_fields_count(h); i++) {
		const struct rrv_trace_field *g = rrv_trace_fields_at(h, i);
		struct rrv_trace_packed p;
		if (g->tag == RRV_TAG_PACKED_FILE && rrv_trace_packed_parse(g, &p) == 0 &&
		    p.digest == c->digest && p.size == c->size)
			return true;
	}
	return false;
}

/* Whether a name of f is one a packed file of the trace already has:
 * nothing to check on this machine then (it may have changed since). */
static bool name_packed(const struct rrv_trace_fields *h, const struct pack_file *f)
{
	for (size_t i = 0; i < rrv_trace_fields_count(h); i++) {
		const struct rrv_trace_field *g = rrv_trace_fields_at(h, i);
		struct rrv_trace_packed p;
		if (g->tag == RRV_TAG_PACKED_FILE && rrv_trace_packed_parse(g, &p) == 0 &&
		    rrv_trace_packed_has_path(&p, f->name))
			return true;
	}
	return false;
}

/* The distinct contents of the scan's ELF files, checked.  NULL with
 * *problems > 0 after naming each file that cannot be packed. */
static struct content *gather(const struct pack_scan *s, const struct rrv_trace_fields *h,
			      size_t *n, int *problems)
{
	struct content *c = calloc(s->nfiles ? s->nfiles : 1, sizeof(*c));
	*n = 0;
	*problems = 0;
	if (!c)
		return NULL;
	for (size_t i = 0; i < s->nfiles; i++) {
		const struct pack_file *f = &s->files[i];
		if (!f->elf || name_packed(h, f))
			continue;
		char *real = realpath(f->name, NULL);
		if (!real) {
			fprintf(stderr, "rrv: pack: %s, which the program mapped, is not on this "
				"machine: %s (pack the trace where it was recorded)\n",
				f->name, strerror(errno));
			(*problems)++;
			continue;
		}
		/* The same host file under another name, or the same bytes in
		 * another file: one content, every name. */
		size_t k;
		for (k = 0; k < *n && strcmp(c[k].real, real) != 0; k++)
			;
		struct content tmp;
		bool fresh = k == *n;
		if (fresh) {
			if (check_file(f, real, &tmp)) {
				(*problems)++;
				free(real);
				continue;
			}
			for (k = 0; k < *n; k++)
				if (c[k].digest == tmp.digest && c[k].size == tmp.size &&
				    memcmp(c[k].data, tmp.data, tmp.size) == 0)
					break;
			if (k < *n) {
				if (tmp.size)
					munmap(tmp.data, tmp.size);
				free(tmp.real);
			} else {
				c[(*n)++] = tmp;
			}
		}
		bool ok = pack_paths_add(&c[k].paths, &c[k].paths_len, real);
		for (size_t p = 0; ok && p < f->paths_len; p += strlen(f->paths + p) + 1)
			ok = pack_paths_add(&c[k].paths, &c[k].paths_len, f->paths + p);
		free(real);
		if (!ok) {
			fprintf(stderr, "rrv: pack: out of memory\n");
			(*problems)++;
		}
	}
	for (size_t k = 0; k < *n; k++)
		c[k].skip = in_trace(h, &c[k]);
	if (*problems) {
		free_contents(c, *n);
		return NULL;
	}
	return c;
}

/* Writes the trace with add into a new file beside it and renames it
 * over the old one.  0, or 1 after saying why (the old one untouched). */
static int replace_trace(const char *path, const struct rrv_trace_fields *add)
{
	char real[PATH_MAX];
	if (!realpath(path, real)) { /* 'latest' is a link: replace its target */
		fprintf(stderr, "rrv: pack: cannot resolve %s: %s\n", path, strerror(errno));
		return 1;
	}
	char tmp[PATH_MAX + 16];
	snprintf(tmp, sizeof(tmp), "%s.packXXXXXX", real);
	int fd = mkstemp(tmp);
	if (fd < 0) {
		fprintf(stderr, "rrv: pack: cannot create a file beside %s: %s (the trace is "
			"left as it was; check the directory's permissions and space)\n",
			real, strerror(errno));
		return 1;
	}
	struct stat st;
	int err = rrv_trace_rewrite(real, fd, add);
	const char *why = err ? (err == RRV_TRACE_E_IO ? strerror(errno) : rrv_trace_strerror(err))
			      : NULL;
	if (!err && stat(real, &st) == 0)
		(void)fchmod(fd, st.st_mode & 07777);
	if (!err && fsync(fd) < 0) {
		err = -1;
		why = strerror(errno);
	}
	if (close(fd) < 0 && !err) {
		err = -1;
		why = strerror(errno);
	}
	if (!err && rename(tmp, real) < 0) {
		err = -1;
		why = strerror(errno);
	}
	if (err) {
		unlink(tmp);
		fprintf(stderr, "rrv: pack: cannot write the packed trace beside %s: %s (%s; the "
			"trace is left as it was)\n", real, why,
			err == RRV_TRACE_E_NOSPACE ? "free some space"
			: err == RRV_TRACE_E_TOO_BIG ? "the files are more than a trace's "
			  "header holds, 256 MiB compressed"
			: "check the directory");
		return 1;
	}
	return 0;
}

int cmd_pack(int argc, char **argv)
{
	const char *trace = NULL, *cat = NULL;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0) {
			pack_help();
			return 0;
		} else if (strncmp(argv[i], "--cat=", 6) == 0 && argv[i][6]) {
			cat = argv[i] + 6;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			return rrv_usage_error("pack", "pack: unknown option '%s'", argv[i]);
		} else if (trace) {
			return rrv_usage_error("pack", "pack: one trace at a time");
		} else {
			trace = argv[i];
		}
	}
	char path[4200];
	struct rrv_trace_reader *r = trace_open(trace, path, sizeof(path));
	if (!r)
		return REPLAY_EXIT_BAD_TRACE;
	if (cat) {
		int st = cat_file(r, path, cat);
		rrv_trace_reader_free(r);
		return st;
	}
	unsigned major, minor;
	rrv_trace_reader_version(r, &major, &minor);
	if (major < 2) {
		fprintf(stderr, "rrv: pack: %s is a format %u.%u trace, which does not say "
			"which files the program opened (record it again with this rrv)\n",
			path, major, minor);
		rrv_trace_reader_free(r);
		return 1;
	}
	const struct rrv_trace_fields *h = rrv_trace_reader_header(r);
	size_t npacked = 0;
	for (size_t i = 0; i < rrv_trace_fields_count(h); i++)
		npacked += rrv_trace_fields_at(h, i)->tag == RRV_TAG_PACKED_FILE;
	const struct rrv_trace_field *cwdf = rrv_trace_fields_get(h, RRV_TAG_CWD);
	char *cwd = cwdf ? strndup((const char *)cwdf->data, cwdf->len) : NULL;

	progress_begin("packing: reading the trace");
	struct pack_scan s = { 0 };
	int got = pack_scan(r, cwd, &s, scan_progress);
	progress_end();
	free(cwd);
	int status = 0;
	if (got < 0 && got != RRV_TRACE_E_TRUNCATED) {
		fprintf(stderr, "rrv: pack: cannot read %s: %s, after event %" PRIu64 " (%s)\n",
			path, rrv_trace_strerror(got), s.events,
			got == RRV_TRACE_E_NOMEM ? "free some memory" : "the trace is damaged; "
			"nothing was packed");
		status = got == RRV_TRACE_E_NOMEM ? 1 : REPLAY_EXIT_BAD_TRACE;
	} else if (!s.has_inputs) {
		fprintf(stderr, "rrv: pack: %s does not name the files its program opened "
			"(format %u.%u keeps no paths; record it again with this rrv)\n",
			path, major, minor);
		status = 1;
	}
	size_t n = 0;
	int problems = 0;
	struct content *c = status ? NULL : gather(&s, h, &n, &problems);
	if (!status && !c) {
		fprintf(stderr, "rrv: pack: %s is left as it was (%d file%s cannot be packed)\n",
			path, problems, problems == 1 ? "" : "s");
		status = 1;
	}
	struct rrv_trace_fields *add = c ? rrv_trace_fields_create() : NULL;
	size_t added = 0, kept = 0;
	uint64_t bytes = 0;
	if (c && !add)
		status = 1;
	/* The line names the file being compressed: the figures stay the
	 * trace's events and the bytes packed so far. */
	static char what[128];
	snprintf(what, sizeof(what), "packing");
	progress_begin(what);
	for (size_t k = 0; add && !status && k < n; k++) {
		if (c[k].skip) {
			kept++;
			continue;
		}
		const char *base = strrchr(c[k].real, '/');
		snprintf(what, sizeof(what), "packing %s (%zu of %zu)", base ? base + 1 : c[k].real,
			 k + 1, n);
		progress_update(s.events, bytes);
		int err = rrv_trace_packed_add(add, c[k].paths, c[k].paths_len, c[k].data,
					       c[k].size);
		if (err) {
			progress_end();
			fprintf(stderr, "rrv: pack: cannot pack %s: %s (%s; the trace is left "
				"as it was)\n", c[k].real, rrv_trace_strerror(err),
				err == RRV_TRACE_E_TOO_BIG ? "rrv packs files of up to 1 GiB"
							   : "free some memory");
			status = 1;
			break;
		}
		added++;
		bytes += c[k].size;
		progress_update(s.events, bytes);
	}
	progress_end();
	rrv_trace_reader_free(r);
	if (!status && added)
		status = replace_trace(path, add);
	if (!status) {
		for (size_t k = 0; k < n; k++)
			if (!c[k].skip)
				printf("packed  %s (%zu bytes)\n", c[k].real, c[k].size);
		if (added)
			printf("rrv pack: %s: %zu file%s added, %" PRIu64 " bytes%s\n", path,
			       added, added == 1 ? "" : "s", bytes,
			       kept ? " (the rest was in the trace already)" : "");
		else
			printf("rrv pack: %s: nothing new to pack (the trace holds %zu "
			       "packed file%s)\n", path, npacked, npacked == 1 ? "" : "s");
	}
	rrv_trace_fields_free(add);
	if (c)
		free_contents(c, n);
	pack_scan_free(&s);
	return status;
}
