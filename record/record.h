/* Recording: every traced hypercall of a run, written to a trace file. */
#ifndef RRV_RECORD_RECORD_H
#define RRV_RECORD_RECORD_H

#include <stdbool.h>

struct vmm;
struct recorder;

/*
 * Creates the trace at path (which must not exist) for vm, which has been
 * created but not run, writes its header (the kernel image, CPUID profile,
 * argv, envp, cwd, host facts) and installs the recorder as vm's tap.
 * Returns NULL after printing why.
 */
struct recorder *recorder_start(struct vmm *vm, const char *path);

/* Writes the footer (the exit status) after vmm_run(); when a signal to
 * rrv stopped the VM at once, INTERRUPTED and EXIT_HOW 3 say so.  Returns
 * 0, or -1 after printing why; the events written before stay readable.  A
 * trace that kept no event at all (the disk was full from the start) is
 * removed: recorder_events() is then 0. */
int recorder_finish(struct recorder *r, int exit_code);

/* Events and bytes in the file, for the summary: what a reader will get
 * (after a failed write, the chunks written whole; not the events the
 * run produced). */
unsigned long long recorder_events(const struct recorder *r);
/* True when recorder_finish() removed the trace, which held nothing. */
bool recorder_removed(const struct recorder *r);
unsigned long long recorder_bytes(const struct recorder *r);

void recorder_free(struct recorder *r);

#endif
