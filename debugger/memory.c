/*
 * The debugged process's memory as gdb sees it: read through its own page
 * tables (the cr3 the guest's thread table gives its threads), whichever
 * process is on the CPU.  Breakpoints are out of memory at every stop, so
 * a read is the program's own bytes.  Writes are the engine's alone (the
 * int3s): a replay cannot take gdb's changes (docs/debugging.md).
 */
#include "session.h"

#include <errno.h>

#include "vmm/guestdbg.h"
#include "vmm/vcpu.h"

uint64_t mem_root(struct dbg *d)
{
	if (!d->pid)
		return 0;
	/* The table's cr3 is current after an exec; the one saved at the
	 * process's EXEC is the fallback while the table is not filled. */
	static struct rrv_debug_thread all[RRV_DEBUG_THREADS_MAX];
	int n = dbg_threads(d, all, RRV_DEBUG_THREADS_MAX);
	for (int i = 0; i < n; i++)
		if (all[i].pid == d->pid && all[i].state != RRV_DT_EXITED &&
		    all[i].cr3) {
			d->cr3 = all[i].cr3;
			break;
		}
	return d->cr3;
}

size_t mem_read_root(struct dbg *d, uint64_t cr3, uint64_t addr, void *buf,
		     size_t len)
{
	return vcpu_read_virt_root(d->vm, cr3, addr, buf, len);
}

size_t mem_write_root(struct dbg *d, uint64_t cr3, uint64_t addr,
		      const void *buf, size_t len)
{
	return vcpu_write_virt_root(d->vm, cr3, addr, buf, len);
}

ssize_t mem_read(struct dbg *d, uint64_t addr, void *buf, size_t len)
{
	uint64_t root = mem_root(d);
	if (!root || d->state == DBG_ENDED)
		return -ESRCH;
	size_t n = mem_read_root(d, root, addr, buf, len);
	return n ? (ssize_t)n : -EFAULT;
}
