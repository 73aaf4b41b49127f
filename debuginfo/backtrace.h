/*
 * Backtraces of a program that is not this process: the recorded program
 * inside the guest, seen through the VMM, or (in the unit test) this
 * process pretending to be one.  No VM here: the target is its registers, a
 * function that reads its memory, and its ELF image with the load base.
 */
#ifndef RRV_DEBUGINFO_BACKTRACE_H
#define RRV_DEBUGINFO_BACKTRACE_H

#include <stddef.h>
#include <stdint.h>

struct elf_image;

/* The general registers in DWARF's x86-64 numbering (libunwind's
 * UNW_X86_64_*, which backtrace.c checks). */
enum bt_reg {
	BT_RAX, BT_RDX, BT_RCX, BT_RBX, BT_RSI, BT_RDI, BT_RBP, BT_RSP,
	BT_R8, BT_R9, BT_R10, BT_R11, BT_R12, BT_R13, BT_R14, BT_R15,
	BT_RIP,
	BT_NREGS
};

/* Deep enough for any program's interesting part; a corrupt stack cannot
 * make a report run on. */
#define BT_MAX_FRAMES 32

/*
 * Copies up to len bytes of the target's memory at addr into buf and
 * returns how many it copied: short or 0 where the memory is not mapped
 * or not to be read.  Must be safe for any address.
 */
typedef size_t (*bt_read_fn)(void *ctx, uint64_t addr, void *buf, size_t len);

/* One loaded ELF object: the program or a shared library. */
struct bt_module {
	const struct elf_image *elf; /* NULL: no unwind tables for it */
	uint64_t load_base;          /* added to the ELF's addresses (0 for
					ET_EXEC) */
};

/* More objects than any program a report meets maps; the rest are not
 * unwound through. */
#define BT_MAX_MODULES 64

struct bt_target {
	bt_read_fn read;
	void *ctx;                 /* passed to read */
	uint64_t regs[BT_NREGS];   /* the innermost frame */
	const struct elf_image *elf; /* the program, or NULL: no unwind tables */
	uint64_t load_base;        /* added to the ELF's addresses (0 for
				      ET_EXEC) */
	/* More objects (shared libraries, and the dynamic loader), or
	 * none: each ip is unwound with the tables of the object whose
	 * executable segments hold it.  At most BT_MAX_MODULES. */
	const struct bt_module *mods;
	size_t nmods;
};

/*
 * Unwinds with libunwind's remote interface, using each object's
 * .eh_frame_hdr search table and .eh_frame (read from its ELF image) and
 * the target's stack (read through t->read).  Fills ips[0] with the
 * innermost rip and ips[1..] with return addresses, at most max entries;
 * stops at the outermost frame, a zero rip, a frame that repeats (same rip
 * and stack pointer), or unwind information that runs out.
 *
 * Returns the number of entries, or -1 when this way cannot work at all:
 * no object with a table libunwind can search (no ELF, no .eh_frame_hdr
 * nor .eh_frame, a table format it cannot search), or a
 * failure before the first caller was found.  Then try backtrace_fp().
 */
int backtrace_remote(const struct bt_target *t, uint64_t *ips, int max);

/*
 * The fallback: follows the rbp chain (each frame record holds the
 * caller's rbp, then the return address), as far as it climbs the stack.
 * Only meaningful for code built with frame pointers; a leaf function that
 * set up no frame hides its caller.  Returns the number of entries.
 */
int backtrace_fp(const struct bt_target *t, uint64_t *ips, int max);

#endif
