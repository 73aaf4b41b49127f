/* Where traces go when no file is named, and the 'latest' link. */
#ifndef RRV_TOOLS_TRACEDIR_H
#define RRV_TOOLS_TRACEDIR_H

#include <stddef.h>

/* The trace directory: $RRV_TRACE_DIR, else $XDG_DATA_HOME/rrv/traces,
 * else ~/.local/share/rrv/traces.  Creates it with create.  Returns 0, or
 * -1 after printing why. */
int trace_dir(char *dir, size_t size, int create);

/* A fresh file name in the trace directory for a recording of prog:
 * PROG-YYYYMMDD-HHMMSS-PID.rrv.  Returns 0 or -1 (printed). */
int trace_new_path(const char *prog, char *path, size_t size);

/* Points 'latest' in the trace directory at path, atomically (a rename),
 * so that concurrent recordings never leave it broken. */
void trace_set_latest(const char *path);

/* What 'latest' points to now, into buf ("" and -1 when there is none),
 * and putting that back (prev "" removes 'latest'): for a recording that
 * set 'latest' at its start and then kept nothing. */
int trace_latest_target(char *buf, size_t size);
void trace_restore_latest(const char *prev);

/* The trace 'latest' names.  Returns 0, or -1 after printing why. */
int trace_latest(char *path, size_t size);

/*
 * Notes how the replay of path went, for rrv ls: a file PATH.replay
 * holding "diverged at event N" or "replayed", written only when path
 * lies in the trace directory (rrv's own; a replay writes nowhere else)
 * and silently skipped when it cannot be written.
 */
void trace_note_replay(const char *path, int diverged, unsigned long long event);

/* Reads path's note into buf: 1 when it says the replay diverged, 0 when
 * not, -1 when there is none. */
int trace_read_note(const char *path, char *buf, size_t size);

#endif
