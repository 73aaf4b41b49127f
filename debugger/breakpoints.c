/*
 * Software breakpoints: an int3 (0xcc) written into the debugged
 * process's code through its page tables while the replay runs, and taken
 * out again at every stop, so that gdb and the program never read it.
 * The guest kernel takes the int3 and asks the engine first (DEBUG event
 * BREAKPOINT, session.c): ours are not the program's.  Code pages a fork
 * shared with another process show the int3 there too: such a hit is not
 * a stop (session.c, on_guest_breakpoint).
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
	/* A page not in memory yet (demand paging) is fine: the int3 goes
	 * in when the page comes (session.c, sync_user_return). */
	if (addr >= 0x0000800000000000ull)
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
	int pending = 0;
	uint64_t root = mem_root(d);
	for (int i = 0; i < DBG_BPS_MAX; i++) {
		struct dbg_bp *b = &d->bps[i];
		/* The one being stepped over goes back at its trap. */
		if (!b->used || b->in_memory || i == d->over_bp)
			continue;
		if (bp_poke(d, root, b->addr, 0xcc, &b->orig) == 0)
			b->in_memory = true;
		else
			pending++;
	}
	return pending;
}

void bp_disarm_all(struct dbg *d)
{
	uint64_t root = mem_root(d);
	uint8_t old;
	for (int i = DBG_BPS_MAX - 1; i >= 0; i--) {
		struct dbg_bp *b = &d->bps[i];
		if (!b->in_memory)
			continue;
		bp_poke(d, root, b->addr, b->orig, &old);
		b->in_memory = false;
	}
}
