/*
 * The symbolizer: the objects a program has loaded (its own ELF and its
 * shared libraries, each at its load base) and the names of addresses in
 * them: function, offset, source file and line, and the object when it is
 * not the program.  One module for every report that names a program
 * address (crash, deadlock, divergence; later the debugger's stub).  No
 * VM here: whoever knows the program's mappings adds the objects.
 */
#ifndef RRV_DEBUGINFO_SYMBOLIZER_H
#define RRV_DEBUGINFO_SYMBOLIZER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "backtrace.h"

struct elf_image;
struct symbolizer;

/* Where separate debug files live (Debian's -dbg and -dbgsym packages). */
#define SYM_DEBUG_DIR "/usr/lib/debug"

/* A file larger than this is not a program or library worth reading. */
#define SYM_FILE_MAX (1ull << 30)

struct symbolizer *symbolizer_new(void);
void symbolizer_free(struct symbolizer *s);

/*
 * Adds an object loaded at base (0 for an ET_EXEC program), taking
 * ownership of elf (which may be NULL: then why says why it has no
 * symbols).  name is how reports call it: a path, shown by its last
 * component.  For a path, the object's separate debug file is looked for
 * as gdb does (SYM_DEBUG_DIR/.build-id/xx/yyyy.debug, else by its
 * .gnu_debuglink beside it, in .debug/ beside it or under SYM_DEBUG_DIR)
 * and, when its build id agrees, names functions and lines first.  The first object added is the program: its names carry no
 * object name.  Returns false when the list is full (BT_MAX_MODULES + 1)
 * or memory ran out; elf is freed then.
 */
bool symbolizer_add(struct symbolizer *s, const char *name,
		    struct elf_image *elf, uint64_t base, const char *why);

/* Reads the ELF at host path (at most SYM_FILE_MAX bytes) and adds it as
 * above; a file that cannot be read or parsed is added without symbols,
 * with the reason, so that a report names what is missing. */
bool symbolizer_add_file(struct symbolizer *s, const char *path,
			 uint64_t base);

/*
 * Checks object i against the target's memory: the first page of each of
 * its read-only segments, where the target has it mapped, must hold the
 * ELF's bytes.  A file that differs (a library rebuilt since the
 * recording) loses its symbols, with the reason, so that it names
 * nothing rather than wrongly.  Returns false when it differed.
 */
bool symbolizer_check(struct symbolizer *s, size_t i, bt_read_fn read,
		      void *ctx);

/* The number of objects, and the i-th one's name, base and why it has no
 * symbols (NULL when it has them). */
size_t symbolizer_count(const struct symbolizer *s);
const char *symbolizer_module(const struct symbolizer *s, size_t i,
			      uint64_t *base, const char **why);

/*
 * Names run-time address addr: "func+0x1a (file.c:42)", with " in
 * libc.so.6" for an object other than the program, or "libc.so.6+0x1234"
 * where the object has no symbol for it; "" when no object holds it.
 * The function and line are those of lookup (addr - 1 for a return
 * address: the call before it), the offset counts from addr.  file is the
 * line table's name without its directories.
 */
void symbolizer_name(struct symbolizer *s, uint64_t addr, uint64_t lookup,
		     char *out, size_t outlen);

/* The objects as backtrace_remote wants them: the program in *prog, the
 * others in mods (at most max).  Returns how many went into mods. */
size_t symbolizer_bt(const struct symbolizer *s, struct bt_module *prog,
		     struct bt_module *mods, size_t max);

/* Reads a whole regular file of at most SYM_FILE_MAX bytes; NULL with the
 * reason in why ("No such file or directory", ...).  Free the result. */
void *symbolizer_read_file(const char *path, size_t *size, char *why,
			   size_t whylen);

#endif
