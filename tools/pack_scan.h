/*
 * Which files a recording's program read as ELF (its program, its
 * interpreter, its libraries, the programs it exec'd), found in the trace
 * alone: the guest loads and maps a file by reading it through OPENAT and
 * READ hypercalls, and format 2.1 keeps each OPENAT's path.  For each file,
 * the names the program used and the digest of every piece it read at its
 * offset, so that rrv pack can tell a host file that changed since.
 */
#ifndef RRV_TOOLS_PACK_SCAN_H
#define RRV_TOOLS_PACK_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct rrv_trace_reader;

struct pack_piece {
	uint64_t off, len, digest; /* rrv_digest of the bytes read there */
};

struct pack_file {
	char *name;        /* the first name the program used, normalised */
	char *paths;       /* every name (opened by, FDPATH answers): */
	size_t paths_len;  /*   NUL-terminated, back to back */
	bool elf;          /* its bytes at offset 0 began with the ELF magic */
	bool not_elf;      /* they did not: no pieces kept */
	struct pack_piece *pieces;
	size_t npieces, cap;
};

struct pack_scan {
	struct pack_file *files;
	size_t nfiles, cap;
	uint64_t events;      /* read so far, for progress */
	bool has_inputs;      /* some OPENAT carried its path (format 2.1) */
};

/* Reads every event of r (already open, at its first event), calling
 * progress(events) now and then.  0, or a trace error (events before it
 * are scanned; a trace cut short gives RRV_TRACE_E_TRUNCATED and its
 * files so far), or RRV_TRACE_E_NOMEM. */
int pack_scan(struct rrv_trace_reader *r, const char *cwd, struct pack_scan *s,
	      void (*progress)(uint64_t events));
void pack_scan_free(struct pack_scan *s);

/* Adds path to a NUL-separated list unless it is there; false without
 * memory. */
bool pack_paths_add(char **paths, size_t *len, const char *path);

#endif
