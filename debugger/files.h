/*
 * debugger/files.h: the files rrv debug serves to gdb (vFile), read-only.
 *
 * gdb reads the program and its libraries to find symbols.  A file comes
 * from, in order: the copy a packed trace holds for that path (rrv pack;
 * the same file under another path the program used counts, e.g. through
 * a symlink, and the packed copy wins over a host file that changed); the
 * program image every trace holds, for the program's own path (a host
 * file that differs from it is named once on stderr, and the recorded
 * copy is served); else the host file by path (regular files only, never
 * the host's /proc, /sys or /dev).  A file that is nowhere is named once
 * on stderr (separate debug files, which gdb looks for on speculation,
 * are not).  docs/debugging.md, "Debugging on another machine".
 *
 * Conventions: functions return >= 0 or a negative errno, except
 * dbg_files_open, which returns a small fd or -1 with *err set to the
 * (positive) errno gdb's vFile reply carries.
 */
#ifndef RRV_DEBUGGER_FILES_H
#define RRV_DEBUGGER_FILES_H

#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

struct rrv_trace_reader;
struct dbg_files;

/* How many files may be open at once; one more gives EMFILE. */
#define DBG_FILES_OPEN_MAX 64

/* The file source of the trace r, opened from trace_path (named in
 * messages).  r must outlive it: the packed copies and the program image
 * are read from r's header.  0, -ENOMEM, or -EINVAL for a malformed
 * packed file in the trace (named on stderr). */
int dbg_files_create(struct dbg_files **out, const struct rrv_trace_reader *r,
		     const char *trace_path);
void dbg_files_free(struct dbg_files *f); /* accepts NULL; closes every fd */

/* Where messages go (stderr by default), for tests. */
void dbg_files_set_messages(struct dbg_files *f, FILE *out);

/* Opens path (absolute, or relative to the recording's working
 * directory) read-only. */
int dbg_files_open(struct dbg_files *f, const char *path, int *err);
/* Up to len bytes at off: the count (0 at the end), or -EBADF. */
ssize_t dbg_files_pread(struct dbg_files *f, int fd, void *buf, size_t len, uint64_t off);
/* Size and mode (S_IFREG and permission bits). */
int dbg_files_fstat(struct dbg_files *f, int fd, uint64_t *size, uint32_t *mode);
int dbg_files_close(struct dbg_files *f, int fd);

/* path made absolute against cwd (NULL or empty: "/"), with "//" and
 * "/./" folded; ".." is kept (what it means depends on symlinks).  The
 * one spelling of a name that rrv pack stores and dbg_files_open looks
 * up.  malloc'd; NULL when longer than PATH_MAX or out of memory. */
char *dbg_files_normalise(const char *cwd, const char *path);

/* Where an open fd's bytes come from, for messages and tests. */
enum dbg_file_source { DBG_FILE_PACKED, DBG_FILE_PROGRAM_IMAGE, DBG_FILE_HOST };
int dbg_files_source(const struct dbg_files *f, int fd, enum dbg_file_source *src);

#endif
