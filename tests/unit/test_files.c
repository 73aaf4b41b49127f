/*
 * The debugger's file source (debugger/files.c): which copy gdb gets for a
 * path.  Each test writes a small trace with a program image and packed
 * files (through rrv_trace_rewrite, as rrv pack does) in a scratch
 * directory, with host files and symlinks beside it, and checks the bytes
 * served, where they came from and what was said on stderr.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "debugger/files.h"
#include "trace-format/rrv_trace.h"

struct fixture {
	char dir[64];
	char trace[128];
	char prog[128];     /* the program's path: PROGRAM_IMAGE */
	char lib[128];      /* a library, packed under this path */
	char link[128];     /* a symlink to lib */
	char other[128];    /* a host file the trace knows nothing of */
	struct rrv_trace_reader *r;
	struct dbg_files *f;
	char *msgs;
	size_t msgs_len;
	FILE *out;
};

static const char prog_bytes[] = "\177ELF the program as recorded";
static const char lib_bytes[] = "\177ELF libexample.so as recorded, packed";

static void put_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* Writes fx->trace: a header with CWD, EXEC_PATH and PROGRAM_IMAGE, one
 * event, a footer; then rewritten with the packed files of pack (pairs
 * of NUL-separated path lists and contents, NULL-ended). */
static void write_trace(struct fixture *fx, const char *const *pack)
{
	char tmp[160];
	snprintf(tmp, sizeof(tmp), "%s/plain.rrv", fx->dir);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	struct rrv_trace_fields *h = rrv_trace_fields_create();
	assert_int_equal(rrv_trace_fields_add_str(h, RRV_TAG_CWD, fx->dir), 0);
	assert_int_equal(rrv_trace_fields_add_str(h, RRV_TAG_EXEC_PATH, fx->prog), 0);
	assert_int_equal(rrv_trace_fields_add(h, RRV_TAG_PROGRAM_IMAGE, prog_bytes,
					      sizeof(prog_bytes)), 0);
	struct rrv_trace_writer *w;
	assert_int_equal(rrv_trace_writer_create(&w, fd, h, 0), 0);
	uint8_t args[16] = { 7 };
	struct rrv_trace_range rg = { 0x1000, sizeof(args), args };
	struct rrv_trace_event e = { .type = RRV_EV_HYPERCALL, .nr = 8, .nranges = 1,
				     .ranges = &rg };
	assert_int_equal(rrv_trace_writer_add(w, &e), 0);
	assert_int_equal(rrv_trace_writer_finish(w, NULL), 0);
	rrv_trace_writer_free(w);
	rrv_trace_fields_free(h);
	close(fd);

	struct rrv_trace_fields *add = rrv_trace_fields_create();
	for (size_t i = 0; pack && pack[i]; i += 2) {
		/* "a\nb" lists two paths: newlines become the NULs. */
		char paths[512];
		size_t n = strlen(pack[i]);
		memcpy(paths, pack[i], n + 1);
		for (size_t k = 0; k < n; k++)
			if (paths[k] == '\n')
				paths[k] = '\0';
		assert_int_equal(rrv_trace_packed_add(add, paths, n + 1, pack[i + 1],
						      strlen(pack[i + 1])), 0);
	}
	fd = open(fx->trace, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(rrv_trace_rewrite(tmp, fd, add), 0);
	close(fd);
	rrv_trace_fields_free(add);
	assert_int_equal(rrv_trace_reader_open(&fx->r, fx->trace), 0);
	fx->out = open_memstream(&fx->msgs, &fx->msgs_len);
	assert_non_null(fx->out);
	assert_int_equal(dbg_files_create(&fx->f, fx->r, fx->trace), 0);
	dbg_files_set_messages(fx->f, fx->out);
}

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	strcpy(fx->dir, "/tmp/rrv-test-files-XXXXXX");
	if (!mkdtemp(fx->dir))
		return -1;
	snprintf(fx->trace, sizeof(fx->trace), "%s/t.rrv", fx->dir);
	snprintf(fx->prog, sizeof(fx->prog), "%s/prog", fx->dir);
	snprintf(fx->lib, sizeof(fx->lib), "%s/libexample.so", fx->dir);
	snprintf(fx->link, sizeof(fx->link), "%s/libexample.so.1", fx->dir);
	snprintf(fx->other, sizeof(fx->other), "%s/other.so", fx->dir);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;
	dbg_files_free(fx->f);
	rrv_trace_reader_free(fx->r);
	if (fx->out)
		fclose(fx->out);
	free(fx->msgs);
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", fx->dir);
	if (system(cmd) != 0)
		return -1;
	free(fx);
	return 0;
}

/* Opens path and checks its whole content and source. */
static void expect_file(struct fixture *fx, const char *path, const char *want,
			enum dbg_file_source src)
{
	int err = 0;
	int fd = dbg_files_open(fx->f, path, &err);
	assert_true(fd >= 0);
	enum dbg_file_source got;
	assert_int_equal(dbg_files_source(fx->f, fd, &got), 0);
	assert_int_equal(got, src);
	uint64_t size;
	uint32_t mode;
	assert_int_equal(dbg_files_fstat(fx->f, fd, &size, &mode), 0);
	assert_int_equal(size, strlen(want) + (src == DBG_FILE_PROGRAM_IMAGE));
	assert_true(S_ISREG(mode));
	char buf[256] = { 0 };
	/* In two pieces, the second past the end: pread is by offset. */
	assert_int_equal(dbg_files_pread(fx->f, fd, buf, 5, 0), 5);
	ssize_t rest = dbg_files_pread(fx->f, fd, buf + 5, sizeof(buf) - 6, 5);
	assert_int_equal(rest, (ssize_t)size - 5);
	assert_string_equal(buf, want);
	assert_int_equal(dbg_files_pread(fx->f, fd, buf, 10, size), 0);
	assert_int_equal(dbg_files_close(fx->f, fd), 0);
}

static const char *messages(struct fixture *fx)
{
	fflush(fx->out);
	return fx->msgs ? fx->msgs : "";
}

/* The packed copy is served by its path, by a symlink to it, and wins
 * over a host file that changed since. */
static void packed_copy_wins(void **state)
{
	struct fixture *fx = *state;
	put_file(fx->lib, "a different, newer library on this machine");
	assert_int_equal(symlink("libexample.so", fx->link), 0);
	const char *pack[] = { fx->lib, lib_bytes, NULL };
	write_trace(fx, pack);
	expect_file(fx, fx->lib, lib_bytes, DBG_FILE_PACKED);
	expect_file(fx, fx->link, lib_bytes, DBG_FILE_PACKED);
	/* Relative to the recording's cwd, with a stray "./" and "//". */
	expect_file(fx, "./libexample.so", lib_bytes, DBG_FILE_PACKED);
	char odd[160];
	snprintf(odd, sizeof(odd), "%s//./libexample.so", fx->dir);
	expect_file(fx, odd, lib_bytes, DBG_FILE_PACKED);
	assert_string_equal(messages(fx), "");
}

/* A packed file with two paths (the name the program opened and the
 * real one) is served by either, with no host file at all. */
static void packed_copy_under_each_path(void **state)
{
	struct fixture *fx = *state;
	char paths[300];
	snprintf(paths, sizeof(paths), "%s\n/nonexistent/lib/libexample.so", fx->lib);
	const char *pack[] = { paths, lib_bytes, NULL };
	write_trace(fx, pack);
	expect_file(fx, "/nonexistent/lib/libexample.so", lib_bytes, DBG_FILE_PACKED);
	expect_file(fx, fx->lib, lib_bytes, DBG_FILE_PACKED);
	assert_string_equal(messages(fx), "");
}

/* The program's own path: the image in the trace, and a host program
 * that differs is named once. */
static void program_image_and_changed_program(void **state)
{
	struct fixture *fx = *state;
	write_trace(fx, NULL);
	/* No host file: the image, silently. */
	expect_file(fx, fx->prog, prog_bytes, DBG_FILE_PROGRAM_IMAGE);
	assert_string_equal(messages(fx), "");
	put_file(fx->prog, "rebuilt since");
	expect_file(fx, fx->prog, prog_bytes, DBG_FILE_PROGRAM_IMAGE);
	expect_file(fx, fx->prog, prog_bytes, DBG_FILE_PROGRAM_IMAGE);
	char want[300];
	snprintf(want, sizeof(want), "rrv: debug: %s changed since the recording: gdb "
		 "reads the copy in the trace\n", fx->prog);
	assert_string_equal(messages(fx), want);
}

/* A file the trace does not hold comes from the host; one that is
 * nowhere is named once, and a speculative debug file not at all. */
static void host_files_and_missing_ones(void **state)
{
	struct fixture *fx = *state;
	put_file(fx->other, "\177ELF a host library");
	write_trace(fx, NULL);
	expect_file(fx, fx->other, "\177ELF a host library", DBG_FILE_HOST);
	int err = 0;
	char missing[160];
	snprintf(missing, sizeof(missing), "%s/libgone.so", fx->dir);
	assert_int_equal(dbg_files_open(fx->f, missing, &err), -1);
	assert_int_equal(err, ENOENT);
	assert_int_equal(dbg_files_open(fx->f, missing, &err), -1);
	assert_int_equal(dbg_files_open(fx->f, "/usr/lib/debug/.build-id/ab/cdef.debug", &err), -1);
	assert_int_equal(err, ENOENT);
	/* gdb's probe of vFile support: a relative name, not named. */
	assert_int_equal(dbg_files_open(fx->f, "just probing", &err), -1);
	assert_int_equal(err, ENOENT);
	char want[400];
	snprintf(want, sizeof(want), "rrv: debug: %s is not in the trace and not on this "
		 "machine: gdb will have no symbols for it (rrv pack the trace where it "
		 "was recorded)\n", missing);
	assert_string_equal(messages(fx), want);
	/* The host's /proc is never the program's, and a directory is no file. */
	assert_int_equal(dbg_files_open(fx->f, "/proc/self/maps", &err), -1);
	assert_int_equal(err, ENOENT);
	assert_int_equal(dbg_files_open(fx->f, fx->dir, &err), -1);
	assert_int_equal(err, EISDIR);
	assert_string_equal(messages(fx), want);
}

/* Bad descriptors, and a full table. */
static void descriptors(void **state)
{
	struct fixture *fx = *state;
	write_trace(fx, NULL);
	char buf[4];
	uint64_t size;
	uint32_t mode;
	assert_int_equal(dbg_files_pread(fx->f, 3, buf, 4, 0), -EBADF);
	assert_int_equal(dbg_files_pread(fx->f, -1, buf, 4, 0), -EBADF);
	assert_int_equal(dbg_files_fstat(fx->f, 99999, &size, &mode), -EBADF);
	assert_int_equal(dbg_files_close(fx->f, 0), -EBADF);
	int err = 0, last = -1;
	for (int i = 0; i < DBG_FILES_OPEN_MAX; i++) {
		last = dbg_files_open(fx->f, fx->prog, &err);
		assert_int_equal(last, i);
	}
	assert_int_equal(dbg_files_open(fx->f, fx->prog, &err), -1);
	assert_int_equal(err, EMFILE);
	assert_int_equal(dbg_files_close(fx->f, 7), 0);
	assert_int_equal(dbg_files_close(fx->f, 7), -EBADF);
	assert_int_equal(dbg_files_open(fx->f, fx->prog, &err), 7);
	(void)last;
}

/* A packed copy whose bytes do not match its digest is never served. */
static void damaged_packed_copy(void **state)
{
	struct fixture *fx = *state;
	const char *pack[] = { fx->lib, lib_bytes, NULL };
	write_trace(fx, pack);
	/* Flip the stored digest, in the reader's copy of the header. */
	const struct rrv_trace_field *g =
		rrv_trace_fields_get(rrv_trace_reader_header(fx->r), RRV_TAG_PACKED_FILE);
	assert_non_null(g);
	((uint8_t *)g->data)[0] ^= 1;
	dbg_files_free(fx->f);
	assert_int_equal(dbg_files_create(&fx->f, fx->r, fx->trace), 0);
	dbg_files_set_messages(fx->f, fx->out);
	int err = 0;
	assert_int_equal(dbg_files_open(fx->f, fx->lib, &err), -1);
	assert_int_equal(err, EIO);
	assert_non_null(strstr(messages(fx), "the packed copy of"));
	assert_non_null(strstr(messages(fx), "is damaged"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(packed_copy_wins, setup, teardown),
		cmocka_unit_test_setup_teardown(packed_copy_under_each_path, setup, teardown),
		cmocka_unit_test_setup_teardown(program_image_and_changed_program, setup, teardown),
		cmocka_unit_test_setup_teardown(host_files_and_missing_ones, setup, teardown),
		cmocka_unit_test_setup_teardown(descriptors, setup, teardown),
		cmocka_unit_test_setup_teardown(damaged_packed_copy, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
