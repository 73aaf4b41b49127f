/*
 * Snapshots of the whole machine, for rrv debug's checkpoints and going
 * backwards (docs/debugging.md, "Checkpoints"): guest memory, the vCPU
 * and the VMM's own run state, plus an opaque blob of the layer above
 * (the replayer's place in the trace).
 *
 * Memory is kept by difference.  KVM logs the pages the guest writes
 * (KVM_MEM_LOG_DIRTY_PAGES on the one slot) and guest_mem marks every
 * page the VMM hands out; a snapshot stores only the pages written since
 * the snapshot the machine last came from (the first one: every page
 * written since the VM was built), so it costs in proportion to what was
 * dirtied, not to the guest's size.  Snapshots are kept in the order of
 * the caller's key (a position in the replay); one taken after a restore
 * goes in after the one restored, which is exact because replay is
 * deterministic: what runs between two snapshots writes the same pages
 * every time.
 *
 * Bounded memory: over the cap, the oldest snapshot but the first is
 * dropped, its pages merged into the next (the first stays, so that the
 * start of the recording can always be reached again).
 */
#ifndef RRV_VMM_SNAPSHOT_H
#define RRV_VMM_SNAPSHOT_H

#include <stddef.h>
#include <stdint.h>

struct vmm;

/* Turns snapshots on for a VM being built, before the kernel is loaded
 * (vmm_create calls it when cfg.snapshots is set).  0, or -1 after
 * printing why. */
int snapshot_init(struct vmm *vm);
void snapshot_fini(struct vmm *vm);

/* The machine's snapshot at key (which must not be before the key of
 * the snapshot it last came from), with extra_len bytes of the caller's
 * state.  Settles the vCPU first (vcpu_settle).  Returns the snapshot's
 * id (>= 1, never reused), or -1 after printing why. */
int snapshot_take(struct vmm *vm, uint64_t key, const void *extra, size_t extra_len);

/* Puts the machine back as snapshot id found it, and the caller's blob
 * into extra (extra_len bytes, as taken).  0, or -1 after printing why
 * (an unknown id prints nothing and returns -2). */
int snapshot_restore(struct vmm *vm, int id, void *extra, size_t extra_len);

/* The id of the latest snapshot whose key is <= key (of those with equal
 * keys, the last taken in order), or 0 for none. */
int snapshot_at_or_before(const struct vmm *vm, uint64_t key);
/* The key of snapshot id; 0 and -1 for an unknown id. */
int snapshot_key(const struct vmm *vm, int id, uint64_t *key);

/* Drops snapshot id (its pages merge into the next); 0 or -2. */
int snapshot_drop(struct vmm *vm, int id);

struct snapshot_info {
	int count;          /* snapshots held */
	uint64_t bytes;     /* memory they hold: pages and state */
	uint64_t pages;     /* guest pages they hold */
	uint64_t cap;       /* the bound on bytes */
	uint64_t dropped;   /* snapshots dropped for the bound */
	/* Costs so far (bench/, rrv replay --check-checkpoints --verbose). */
	uint64_t taken, take_ns, take_pages;       /* pages copied in */
	uint64_t restored, restore_ns, restore_pages; /* pages copied back */
};
void snapshot_info(const struct vmm *vm, struct snapshot_info *info);
/* The ids in key order; returns how many were written (at most max). */
int snapshot_list(const struct vmm *vm, int *ids, uint64_t *keys, int max);

#endif
