/*
 * The files gdb reads through vFile: packed copies, the program image, or
 * the host's files (files.h says in which order and why).  Packed copies
 * are decompressed on first open and kept: gdb opens a library several
 * times while it loads symbols.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "trace-format/rrv_trace.h"

#include "files.h"

/* One PACKED_FILE of the trace. */
struct packed {
	struct rrv_trace_packed p;
	uint8_t *data; /* decompressed, once it was opened */
	bool bad;      /* failed its digest: named once, never served */
};

struct open_file {
	bool used;
	enum dbg_file_source src;
	const uint8_t *data; /* PACKED, PROGRAM_IMAGE */
	uint64_t size;
	int host_fd;         /* HOST */
	uint32_t mode;
};

struct dbg_files {
	const char *trace_path;
	char *cwd;                 /* the recording's, for relative paths */
	char *exec_path;           /* the program, as recorded */
	const uint8_t *image;      /* its PROGRAM_IMAGE, or NULL */
	uint64_t image_len;
	struct packed *packed;
	size_t npacked;
	struct open_file fds[DBG_FILES_OPEN_MAX];
	char **named;              /* paths a message was printed for */
	size_t nnamed;
	FILE *msgs;
};

/* Packed copies are programs and libraries: read and execute for all. */
#define PACKED_MODE (S_IFREG | 0555)

/* A header string field as a C string, or NULL (absent, or no memory). */
static char *field_str(const struct rrv_trace_fields *h, uint32_t tag)
{
	const struct rrv_trace_field *f = rrv_trace_fields_get(h, tag);
	return f ? strndup((const char *)f->data, f->len) : NULL;
}

int dbg_files_create(struct dbg_files **out, const struct rrv_trace_reader *r,
		     const char *trace_path)
{
	const struct rrv_trace_fields *h = rrv_trace_reader_header(r);
	struct dbg_files *f = calloc(1, sizeof(*f));
	if (!f)
		return -ENOMEM;
	f->msgs = stderr;
	f->trace_path = trace_path;
	f->cwd = field_str(h, RRV_TAG_CWD);
	f->exec_path = field_str(h, RRV_TAG_EXEC_PATH);
	const struct rrv_trace_field *img = rrv_trace_fields_get(h, RRV_TAG_PROGRAM_IMAGE);
	if (img && img->len) {
		f->image = img->data;
		f->image_len = img->len;
	}
	size_t n = 0;
	for (size_t i = 0; i < rrv_trace_fields_count(h); i++)
		n += rrv_trace_fields_at(h, i)->tag == RRV_TAG_PACKED_FILE;
	f->packed = calloc(n ? n : 1, sizeof(*f->packed));
	if (!f->packed) {
		dbg_files_free(f);
		return -ENOMEM;
	}
	for (size_t i = 0; i < rrv_trace_fields_count(h); i++) {
		const struct rrv_trace_field *g = rrv_trace_fields_at(h, i);
		if (g->tag != RRV_TAG_PACKED_FILE)
			continue;
		if (rrv_trace_packed_parse(g, &f->packed[f->npacked].p)) {
			fprintf(f->msgs, "rrv: debug: %s: packed file %zu is malformed: %s "
				"(pack the trace again where it was recorded)\n",
				trace_path, f->npacked + 1,
				rrv_trace_strerror(RRV_TRACE_E_CORRUPT));
			dbg_files_free(f);
			return -EINVAL;
		}
		f->npacked++;
	}
	for (int i = 0; i < DBG_FILES_OPEN_MAX; i++)
		f->fds[i].host_fd = -1;
	*out = f;
	return 0;
}

void dbg_files_free(struct dbg_files *f)
{
	if (!f)
		return;
	for (int i = 0; i < DBG_FILES_OPEN_MAX; i++)
		if (f->fds[i].used)
			dbg_files_close(f, i);
	for (size_t i = 0; i < f->npacked; i++)
		free(f->packed[i].data);
	free(f->packed);
	for (size_t i = 0; i < f->nnamed; i++)
		free(f->named[i]);
	free(f->named);
	free(f->cwd);
	free(f->exec_path);
	free(f);
}

void dbg_files_set_messages(struct dbg_files *f, FILE *out)
{
	f->msgs = out;
}

/* True the first time path is asked about (each file is named once). */
static bool first_time(struct dbg_files *f, const char *path)
{
	for (size_t i = 0; i < f->nnamed; i++)
		if (strcmp(f->named[i], path) == 0)
			return false;
	char **n = realloc(f->named, (f->nnamed + 1) * sizeof(*n));
	if (!n)
		return true; /* better twice than never */
	f->named = n;
	n[f->nnamed] = strdup(path);
	if (n[f->nnamed])
		f->nnamed++;
	return true;
}

char *dbg_files_normalise(const char *cwd, const char *path)
{
	if (!cwd || !*cwd)
		cwd = "/";
	size_t len = strlen(path) + (path[0] == '/' ? 0 : strlen(cwd) + 1);
	if (len >= PATH_MAX)
		return NULL;
	char *raw = malloc(len + 1), *out = malloc(len + 2);
	if (!raw || !out) {
		free(raw);
		free(out);
		return NULL;
	}
	if (path[0] == '/')
		strcpy(raw, path);
	else
		snprintf(raw, len + 1, "%s/%s", cwd, path);
	size_t o = 0;
	for (const char *s = raw; *s;) {
		if (*s == '/') {
			while (*s == '/' || (s[0] == '.' && (s[1] == '/' || !s[1]) && s[-1] == '/'))
				s++;
			out[o++] = '/';
			continue;
		}
		out[o++] = *s++;
	}
	if (o > 1 && out[o - 1] == '/')
		o--;
	out[o] = '\0';
	free(raw);
	return out;
}

static struct packed *find_packed(struct dbg_files *f, const char *path)
{
	for (size_t i = 0; i < f->npacked; i++)
		if (rrv_trace_packed_has_path(&f->packed[i].p, path))
			return &f->packed[i];
	return NULL;
}

/* The packed copy for path: by its name, else by what the name leads to
 * on this machine (a symlink to a file the program opened by its real
 * name, or the other way round: the packer stores both). */
static struct packed *packed_for(struct dbg_files *f, const char *path)
{
	struct packed *p = find_packed(f, path);
	if (p)
		return p;
	char *real = realpath(path, NULL);
	if (real) {
		p = find_packed(f, real);
		free(real);
	}
	return p;
}

static bool is_program(const struct dbg_files *f, const char *path)
{
	if (!f->image || !f->exec_path || !*f->exec_path)
		return false;
	if (strcmp(path, f->exec_path) == 0)
		return true;
	char *real = realpath(path, NULL);
	bool same = real && strcmp(real, f->exec_path) == 0;
	free(real);
	return same;
}

/* Whether the host file at path has exactly these bytes. */
static bool host_matches(const char *path, const uint8_t *data, uint64_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return true; /* absent: nothing differs that anyone could use */
	struct stat st;
	bool same = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (uint64_t)st.st_size == len;
	uint8_t buf[65536];
	for (uint64_t off = 0; same && off < len;) {
		ssize_t n = pread(fd, buf, sizeof(buf), (off_t)off);
		if (n <= 0 || memcmp(buf, data + off, (size_t)n) != 0)
			same = false;
		else
			off += (uint64_t)n;
	}
	close(fd);
	return same;
}

/* Files gdb looks for on speculation, whose absence is normal: separate
 * debug files (and relative names: see open_host).  And the host's own /proc, /sys and /dev, which are never
 * the program's (its were the guest kernel's). */
static bool speculative(const char *path)
{
	size_t n = strlen(path);
	return strncmp(path, "/usr/lib/debug/", 15) == 0 ||
	       (n > 6 && strcmp(path + n - 6, ".debug") == 0);
}

static bool host_private(const char *path)
{
	static const char *const dirs[] = { "/proc", "/sys", "/dev" };
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		size_t n = strlen(dirs[i]);
		if (strncmp(path, dirs[i], n) == 0 && (path[n] == '/' || !path[n]))
			return true;
	}
	return false;
}

static int slot(struct dbg_files *f)
{
	for (int i = 0; i < DBG_FILES_OPEN_MAX; i++)
		if (!f->fds[i].used)
			return i;
	return -1;
}

/* The packed copy's bytes, decompressed on first use; NULL (and named
 * once) when they fail their digest. */
static const uint8_t *packed_data(struct dbg_files *f, struct packed *p, const char *path)
{
	if (p->data || p->bad)
		return p->data;
	uint8_t *d = malloc(p->p.size ? p->p.size : 1);
	if (!d)
		return NULL;
	int err = rrv_trace_packed_read(&p->p, d);
	if (err) {
		free(d);
		p->bad = true;
		fprintf(f->msgs, "rrv: debug: %s: the packed copy of %s is damaged: %s "
			"(pack the trace again where it was recorded)\n",
			f->trace_path, path, rrv_trace_strerror(err));
		return NULL;
	}
	p->data = d;
	return d;
}

/* asked: the path as gdb gave it; gdb probes vFile with a relative name
 * ("just probing") that is no file anyone needs. */
static int open_host(struct dbg_files *f, const char *asked, const char *path,
		     struct open_file *o)
{
	if (host_private(path))
		return ENOENT;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		int e = errno;
		if (e == ENOENT && asked[0] == '/' && !speculative(path) && first_time(f, path))
			fprintf(f->msgs, "rrv: debug: %s is not in the trace and not on this "
				"machine: gdb will have no symbols for it (rrv pack the trace "
				"where it was recorded)\n", path);
		return e;
	}
	struct stat st;
	int e = fstat(fd, &st) < 0 ? errno : S_ISDIR(st.st_mode) ? EISDIR
		: !S_ISREG(st.st_mode) ? EACCES : 0;
	if (e) {
		close(fd);
		return e;
	}
	*o = (struct open_file){ .used = true, .src = DBG_FILE_HOST, .host_fd = fd,
				 .size = (uint64_t)st.st_size,
				 .mode = (uint32_t)st.st_mode };
	return 0;
}

int dbg_files_open(struct dbg_files *f, const char *path, int *err)
{
	int fd = slot(f);
	if (fd < 0) {
		*err = EMFILE;
		return -1;
	}
	char *p = dbg_files_normalise(f->cwd, path);
	if (!p) {
		*err = ENAMETOOLONG;
		return -1;
	}
	struct open_file *o = &f->fds[fd];
	int e = 0;
	struct packed *pk = packed_for(f, p);
	const uint8_t *data = pk ? packed_data(f, pk, p) : NULL;
	if (data) {
		*o = (struct open_file){ .used = true, .src = DBG_FILE_PACKED, .data = data,
					 .size = pk->p.size, .host_fd = -1,
					 .mode = PACKED_MODE };
	} else if (pk) {
		e = pk->bad ? EIO : ENOMEM;
	} else if (is_program(f, p)) {
		if (!host_matches(p, f->image, f->image_len) && first_time(f, p))
			fprintf(f->msgs, "rrv: debug: %s changed since the recording: gdb "
				"reads the copy in the trace\n", p);
		*o = (struct open_file){ .used = true, .src = DBG_FILE_PROGRAM_IMAGE,
					 .data = f->image, .size = f->image_len,
					 .host_fd = -1, .mode = PACKED_MODE };
	} else {
		e = open_host(f, path, p, o);
	}
	free(p);
	if (e) {
		*err = e;
		return -1;
	}
	return fd;
}

static struct open_file *get(struct dbg_files *f, int fd)
{
	return fd >= 0 && fd < DBG_FILES_OPEN_MAX && f->fds[fd].used ? &f->fds[fd] : NULL;
}

ssize_t dbg_files_pread(struct dbg_files *f, int fd, void *buf, size_t len, uint64_t off)
{
	struct open_file *o = get(f, fd);
	if (!o)
		return -EBADF;
	if (o->src == DBG_FILE_HOST) {
		if (off > (uint64_t)INT64_MAX)
			return 0;
		ssize_t n;
		do
			n = pread(o->host_fd, buf, len, (off_t)off);
		while (n < 0 && errno == EINTR);
		return n < 0 ? -errno : n;
	}
	if (off >= o->size)
		return 0;
	size_t n = o->size - off < len ? (size_t)(o->size - off) : len;
	memcpy(buf, o->data + off, n);
	return (ssize_t)n;
}

int dbg_files_fstat(struct dbg_files *f, int fd, uint64_t *size, uint32_t *mode)
{
	struct open_file *o = get(f, fd);
	if (!o)
		return -EBADF;
	*size = o->size;
	*mode = o->mode;
	return 0;
}

int dbg_files_close(struct dbg_files *f, int fd)
{
	struct open_file *o = get(f, fd);
	if (!o)
		return -EBADF;
	if (o->host_fd >= 0)
		close(o->host_fd);
	*o = (struct open_file){ .host_fd = -1 };
	return 0;
}

int dbg_files_source(const struct dbg_files *f, int fd, enum dbg_file_source *src)
{
	if (fd < 0 || fd >= DBG_FILES_OPEN_MAX || !f->fds[fd].used)
		return -EBADF;
	*src = f->fds[fd].src;
	return 0;
}
