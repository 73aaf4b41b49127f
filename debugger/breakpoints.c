/*
 * Software breakpoints: an int3 (0xcc) written into the debugged
 * process's code through its page tables while the replay runs, and taken
 * out again at every stop, so that gdb and the program never read it
 * (KVM_GUESTDBG_USE_SW_BP sends every int3 to the engine; those that are
 * not ours go back to the program, session.c).  Code pages a fork shared
 * with another process show the int3 there too: session.c steps such a hit
 * over without stopping.  One temporary breakpoint of the engine's own
 * marks where a stop found inside the kernel is presented.
 */
#include "session.h"

#include <errno.h>
#include <string.h>

int bp_poke(struct dbg *d, uint64_t cr3, uint64_t addr, uint8_t byte,
	    uint8_t *old)
{
	uint8_t cur;
	if (!cr3 || mem_read_root(d, cr3, addr, &cur, 1) != 1)
		return -EFAULT;
	if (mem_write_root(d, cr3, addr, &byte, 1) != 1)
		return -EFAULT;
	*old = cur;
	return 0;
}

int bp_find(const struct dbg *d, uint64_t addr)
{
	for (int i = 0; i < DBG_BPS_MAX; i++)
		if (d->bps[i].used && d->bps[i].addr == addr)
			return i;
	return -1;
}

int bp_insert(struct dbg *d, uint64_t addr)
{
	if (bp_find(d, addr) >= 0)
		return 0;
	/* The address must be readable now, so that gdb hears of a bad one
	 * at once rather than at the next resume. */
	uint8_t b;
	uint64_t root = mem_root(d);
	if (!root || mem_read_root(d, root, addr, &b, 1) != 1)
		return -EFAULT;
	for (int i = 0; i < DBG_BPS_MAX; i++) {
		if (!d->bps[i].used) {
			d->bps[i] = (struct dbg_bp){ .used = true, .addr = addr };
			return 0;
		}
	}
	return -ENOSPC;
}

int bp_remove(struct dbg *d, uint64_t addr)
{
	int i = bp_find(d, addr);
	if (i < 0)
		return 0; /* gdb removes what it may not have inserted */
	d->bps[i].used = false;
	return 0;
}

int bp_arm_all(struct dbg *d)
{
	int err = 0;
	uint64_t root = mem_root(d);
	for (int i = 0; i < DBG_BPS_MAX; i++) {
		struct dbg_bp *b = &d->bps[i];
		if (!b->used || b->in_memory)
			continue;
		if (bp_poke(d, root, b->addr, 0xcc, &b->orig) == 0)
			b->in_memory = true;
		else
			err = -EFAULT;
	}
	if (d->temp.on && !d->temp.in_memory) {
		if (bp_poke(d, d->temp.cr3, d->temp.addr, 0xcc, &d->temp.orig) == 0)
			d->temp.in_memory = true;
		else
			err = -EFAULT;
	}
	return err;
}

void bp_disarm_all(struct dbg *d)
{
	uint64_t root = mem_root(d);
	uint8_t old;
	/* The temporary one first: it may share an address with gdb's,
	 * whose byte it then saved as 0xcc. */
	if (d->temp.on && d->temp.in_memory) {
		bp_poke(d, d->temp.cr3, d->temp.addr, d->temp.orig, &old);
		d->temp.in_memory = false;
	}
	for (int i = DBG_BPS_MAX - 1; i >= 0; i--) {
		struct dbg_bp *b = &d->bps[i];
		if (!b->in_memory)
			continue;
		bp_poke(d, root, b->addr, b->orig, &old);
		b->in_memory = false;
	}
}

int bp_temp_set(struct dbg *d, uint64_t addr, uint64_t cr3, uint32_t tid,
		const struct gdb_stop *stop)
{
	bp_temp_clear(d);
	/* gdb's own int3 at that address already stops there. */
	int i = bp_find(d, addr);
	uint8_t orig;
	if (i >= 0 && d->bps[i].in_memory && cr3 == mem_root(d)) {
		orig = d->bps[i].orig;
	} else {
		if (bp_poke(d, cr3, addr, 0xcc, &orig))
			return -EFAULT;
	}
	d->temp = (struct dbg_temp){ .on = true, .addr = addr, .cr3 = cr3,
				     .tid = tid, .orig = orig, .in_memory = true,
				     .stop = *stop };
	return 0;
}

void bp_temp_clear(struct dbg *d)
{
	if (d->temp.on && d->temp.in_memory) {
		uint8_t old;
		int i = bp_find(d, d->temp.addr);
		/* Where gdb's int3 is in memory too, it stays. */
		if (!(i >= 0 && d->bps[i].in_memory && d->temp.cr3 == d->cr3))
			bp_poke(d, d->temp.cr3, d->temp.addr, d->temp.orig, &old);
	}
	memset(&d->temp, 0, sizeof(d->temp));
}
