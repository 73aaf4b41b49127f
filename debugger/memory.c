/*
 * The debugged process's memory as gdb sees it: read through its own page
 * tables (the cr3 the guest's thread table gives its threads), whichever
 * process is on the CPU.  Breakpoints are out of memory at every stop, so
 * a read is the program's own bytes.  Writes are the engine's alone (the
 * int3s): a replay cannot take gdb's changes (docs/debugging.md).
 */
#include "session.h"

#include <elf.h>
#include <errno.h>
#include <string.h>

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

/*
 * Where the guest kernel loads a position-independent program:
 * rekernel-rr/mm/mm.h's USER_PIE_BASE (vmm/progstate.c keeps the same
 * constant for reports).  Change them together.
 */
#define DBG_PIE_BASE 0x555555554000ull

/*
 * A page of the program's that is not in memory yet (demand paging maps
 * a page of the file on its first touch) holds what the program's file
 * holds there: gdb reads code before it ran (prologues, breakpoints'
 * lines) and must not be told it is unreadable.  Only the first
 * program's segments, from the copy in the trace; bytes past a
 * segment's file size are zero, as the loader leaves them.  Returns the
 * bytes filled, 0 for an address no segment covers.
 */
static size_t from_image(struct dbg *d, uint64_t addr, void *buf, size_t len)
{
	const uint8_t *img = d->cfg.program_image;
	size_t size = d->cfg.program_size;
	Elf64_Ehdr eh;
	if (!img || d->other_program || size < sizeof(eh))
		return 0;
	memcpy(&eh, img, sizeof(eh));
	if (memcmp(eh.e_ident, ELFMAG, SELFMAG) || eh.e_phentsize != sizeof(Elf64_Phdr) ||
	    eh.e_phoff > size || eh.e_phnum > (size - eh.e_phoff) / sizeof(Elf64_Phdr))
		return 0;
	uint64_t base = eh.e_type == ET_DYN ? DBG_PIE_BASE : 0;
	for (unsigned i = 0; i < eh.e_phnum; i++) {
		Elf64_Phdr ph;
		memcpy(&ph, img + eh.e_phoff + i * sizeof(ph), sizeof(ph));
		uint64_t start = base + ph.p_vaddr;
		if (ph.p_type != PT_LOAD || addr < start || addr - start >= ph.p_memsz ||
		    ph.p_filesz > ph.p_memsz || ph.p_offset > size ||
		    ph.p_filesz > size - ph.p_offset)
			continue;
		uint64_t off = addr - start;
		size_t n = len;
		if (n > ph.p_memsz - off)
			n = (size_t)(ph.p_memsz - off);
		for (size_t k = 0; k < n; k++)
			((uint8_t *)buf)[k] = off + k < ph.p_filesz
				? img[ph.p_offset + off + k] : 0;
		return n;
	}
	return 0;
}

ssize_t mem_read(struct dbg *d, uint64_t addr, void *buf, size_t len)
{
	uint64_t root = mem_root(d);
	if (!root || d->state == DBG_ENDED)
		return -ESRCH;
	size_t done = 0;
	while (done < len) {
		uint64_t at = addr + done;
		done += mem_read_root(d, root, at, (char *)buf + done, len - done);
		if (done == len)
			break;
		/* The page at addr + done is not mapped: the file's bytes. */
		at = addr + done;
		size_t chunk = 4096 - (size_t)(at & 4095);
		if (chunk > len - done)
			chunk = len - done;
		uint64_t pa;
		if (!vcpu_translate_root(d->vm, root, at, &pa))
			break; /* mapped but outside guest memory: refused */
		size_t k = from_image(d, at, (char *)buf + done, chunk);
		done += k;
		if (k < chunk)
			break;
	}
	return done ? (ssize_t)done : -EFAULT;
}
