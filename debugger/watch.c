/*
 * Hardware watchpoints: gdb's Z2-Z4 in the program's DR1-DR3, which the
 * guest kernel loads for the threads of the debugged process on their
 * return to ring 3 (guest_state.debug, include/rrv/hypercall.h).  DR0 is
 * the kernel's, for replay's preemption points.  A fourth watchpoint, or
 * one that is not 1, 2, 4 or 8 aligned bytes, is refused: gdb falls back
 * to single-stepping (rrv debug starts gdb with
 * hardware-watchpoint-limit 3).
 *
 * A write watchpoint is a stop only when the write changed the watched
 * bytes, as gdb's own check and rr have it: a store of the same value is
 * no stop, and neither is a stray hit the CPU reports for a store that
 * did not touch the bytes (QEMU's software CPU, tools/with-kvm, gives
 * B1 for some stores a few dozen bytes past the watched byte).  Going
 * back counts only such stops, so the last one is what gdb would have
 * stopped at going forward (docs/debugging.md, "Watchpoints").
 */
#include "session.h"

#include <errno.h>
#include <string.h>

/* DR7's fields for slot n (Intel SDM vol. 3, 17.2.4). */
#define DR7_L(n) (1ull << (2 * (n)))
#define DR7_RW_SHIFT(n) (16 + 4 * (n))
#define DR7_LEN_SHIFT(n) (18 + 4 * (n))

/* The RW field for each watch type: x86 has no read-only watchpoint, so
 * a read watchpoint also fires on writes (gdb checks the value). */
static const struct {
	enum gdb_point_type type;
	unsigned rw;
} rw_of[] = {
	{ GDB_POINT_WRITE, 1 },
	{ GDB_POINT_READ, 3 },
	{ GDB_POINT_ACCESS, 3 },
};

/* The LEN field for each length (8 bytes is encoding 2). */
static const struct {
	int len;
	unsigned enc;
} len_of[] = { { 1, 0 }, { 2, 1 }, { 4, 3 }, { 8, 2 } };

static int rw_field(enum gdb_point_type type)
{
	for (size_t i = 0; i < sizeof(rw_of) / sizeof(rw_of[0]); i++)
		if (rw_of[i].type == type)
			return (int)rw_of[i].rw;
	return -1;
}

static int len_field(int len)
{
	for (size_t i = 0; i < sizeof(len_of) / sizeof(len_of[0]); i++)
		if (len_of[i].len == len)
			return (int)len_of[i].enc;
	return -1;
}

/* Rewrites the request's DR1-DR3 and DR7 slots from the table. */
static int publish(struct dbg *d)
{
	d->rq.dr7 = 0;
	for (int i = 0; i < DBG_WATCH_SLOTS; i++) {
		const struct dbg_watch *w = &d->watch[i];
		int n = i + 1;
		d->rq.dr[n] = w->used ? w->addr : 0;
		if (!w->used)
			continue;
		d->rq.dr7 |= DR7_L(n) |
			     (uint64_t)rw_field(w->type) << DR7_RW_SHIFT(n) |
			     (uint64_t)len_field(w->len) << DR7_LEN_SHIFT(n);
	}
	return dbg_publish(d);
}

int watch_insert(struct dbg *d, enum gdb_point_type type, uint64_t addr, int len)
{
	if (rw_field(type) < 0 || len_field(len) < 0 || (addr & (uint64_t)(len - 1)))
		return -EINVAL;
	if (addr >= 0x0000800000000000ull)
		return -EINVAL; /* user addresses only */
	for (int i = 0; i < DBG_WATCH_SLOTS; i++) {
		if (!d->watch[i].used) {
			d->watch[i] = (struct dbg_watch){ .used = true, .type = type,
							  .addr = addr, .len = len };
			int err = publish(d);
			if (err)
				d->watch[i].used = false;
			return err;
		}
	}
	return -ENOSPC;
}

int watch_remove(struct dbg *d, enum gdb_point_type type, uint64_t addr, int len)
{
	for (int i = 0; i < DBG_WATCH_SLOTS; i++) {
		struct dbg_watch *w = &d->watch[i];
		if (w->used && w->type == type && w->addr == addr && w->len == len) {
			w->used = false;
			return publish(d);
		}
	}
	return 0;
}

int watch_hit(const struct dbg *d, uint64_t dr6)
{
	for (int i = 0; i < DBG_WATCH_SLOTS; i++)
		if (d->watch[i].used && (dr6 & (1ull << (i + 1))))
			return i;
	return -1;
}

/* Reads w's bytes in address space cr3 into buf: true when all could
 * be read. */
static bool read_value(struct dbg *d, const struct dbg_watch *w, uint64_t cr3,
		       uint8_t *buf)
{
	return cr3 && mem_read_root(d, cr3, w->addr, buf, (size_t)w->len) ==
			      (size_t)w->len;
}

void watch_note_values(struct dbg *d)
{
	uint64_t cr3 = mem_root(d);
	for (int i = 0; i < DBG_WATCH_SLOTS; i++) {
		struct dbg_watch *w = &d->watch[i];
		if (w->used && w->type == GDB_POINT_WRITE)
			w->have_value = read_value(d, w, cr3, w->value);
	}
}

bool watch_changed(struct dbg *d, int i, uint64_t cr3)
{
	struct dbg_watch *w = &d->watch[i];
	if (w->type != GDB_POINT_WRITE)
		return true;
	uint8_t now[8];
	if (!read_value(d, w, cr3, now)) {
		w->have_value = false;
		return true;
	}
	bool changed = !w->have_value || memcmp(now, w->value, (size_t)w->len);
	memcpy(w->value, now, (size_t)w->len);
	w->have_value = true;
	return changed;
}

void watch_clear_all(struct dbg *d)
{
	for (int i = 0; i < DBG_WATCH_SLOTS; i++)
		d->watch[i].used = false;
	if (d->vm->guest_abi >= 9)
		publish(d);
}
