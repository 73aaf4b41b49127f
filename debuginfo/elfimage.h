/*
 * An x86-64 ELF image as reports need it: function symbols, the bytes of
 * its read-only segments, and where its unwind tables are.  One loader for
 * both images a report names addresses in: the guest kernel's (the VMM's
 * own reports) and the recorded program's (replay's).  Addresses here are
 * the ELF's own (link-time) addresses: the caller adds the load base of a
 * position-independent program.
 *
 * The image may come from a trace or from disk and is not trusted: every
 * offset and size in it is checked against the image before use.
 */
#ifndef RRV_DEBUGINFO_ELFIMAGE_H
#define RRV_DEBUGINFO_ELFIMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct elf_image;

/*
 * Parses an x86-64 ELF image.  The image is copied: the caller's buffer
 * may go away.  Returns NULL with the reason in err (a phrase such as "not
 * an ELF file") when the image cannot be used at all; an image without
 * symbols or unwind tables is usable, and says so through the functions
 * below.
 */
struct elf_image *elf_image_load(const void *image, size_t size, char *err,
				 size_t errlen);
void elf_image_free(struct elf_image *p);

/* True for ET_DYN (position-independent: loaded at a base of the loader's
 * choosing), false for ET_EXEC (loaded at its link-time addresses). */
bool elf_image_is_pie(const struct elf_image *p);

/* The number of function symbols found (.symtab, else .dynsym). */
size_t elf_image_symbol_count(const struct elf_image *p);

/*
 * The function containing link-time address addr and addr's offset in it,
 * or NULL.  A symbol with a size contains [value, value + size); one
 * without (assembly often omits .size) is trusted for a short distance.
 */
const char *elf_image_symbol(const struct elf_image *p, uint64_t addr,
			     uint64_t *off);

/* The address of the function named name, for tests; false if absent. */
bool elf_image_symbol_addr(const struct elf_image *p, const char *name,
			   uint64_t *addr);

/*
 * Copies up to len bytes that the image's read-only loadable segments
 * hold at link-time address addr (their file-backed part).  Returns the
 * bytes copied: 0 when addr lies in no such segment, short at a segment's
 * end.  Writable segments are refused because a running program may have
 * changed them: read those from the program's memory.
 */
size_t elf_image_read(const struct elf_image *p, uint64_t addr, void *buf,
		      size_t len);

/* The link-time address of the .eh_frame_hdr (PT_GNU_EH_FRAME) and its
 * size.  False when the image has none. */
bool elf_image_eh_frame_hdr(const struct elf_image *p, uint64_t *addr,
			    uint64_t *size);

/* The link-time address and size of the .eh_frame section (found by its
 * section header: a static program often has no PT_GNU_EH_FRAME).  False
 * when there is none. */
bool elf_image_eh_frame(const struct elf_image *p, uint64_t *addr,
			uint64_t *size);

/* The link-time range [lo, hi) spanned by the executable segments.  False
 * when there is none. */
bool elf_image_text(const struct elf_image *p, uint64_t *lo, uint64_t *hi);

/* The GNU build id (NT_GNU_BUILD_ID, from a PT_NOTE segment): its length
 * and *id, or 0 without one. */
#define ELF_BUILD_ID_MAX 64u
size_t elf_image_build_id(const struct elf_image *p, const uint8_t **id);

/* The file name in .gnu_debuglink (the separate debug file's), or NULL. */
const char *elf_image_debuglink(const struct elf_image *p);

/* The i-th loadable segment's link-time address, file-backed size and
 * whether it is writable; false past the last. */
bool elf_image_segment(const struct elf_image *p, size_t i, uint64_t *vaddr,
		       uint64_t *filesz, bool *writable);

/* The link-time address and size of the dynamic section (PT_DYNAMIC),
 * where a dynamically linked program's DT_DEBUG leads to the loader's list
 * of shared libraries.  False when the image has none (a static link). */
bool elf_image_dynamic(const struct elf_image *p, uint64_t *addr,
		       uint64_t *size);

/*
 * The source file and line of link-time address addr from the image's
 * DWARF line table (libdw), where it has one (built with -g).  *file is
 * the name the line table holds (often a full path), valid until the
 * image is freed.  False without debug information for addr.  Not const:
 * the DWARF is opened at the first call and kept.
 */
bool elf_image_line(struct elf_image *p, uint64_t addr, const char **file,
		    int *line);

#endif
