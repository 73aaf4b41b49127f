/*
 * Loads the guest kernel ELF with libelf.  The image is untrusted input in
 * one case that matters: replaying a trace, whose header carries the kernel
 * that recorded it.  So every field is checked against the image and guest
 * memory before anything is copied.
 */
#include "loader.h"

#include <gelf.h>
#include <libelf.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <rrv/boot.h>

#include "guest_mem.h"

const char *loader_strerror(int err)
{
	static const char *const msgs[] = {
		[0] = "no error",
		[-LOADER_E_NOT_ELF] = "not an ELF file",
		[-LOADER_E_CLASS] = "not a 64-bit little-endian ELF",
		[-LOADER_E_MACHINE] = "not an x86-64 ELF",
		[-LOADER_E_TYPE] = "not an executable ELF (ET_EXEC)",
		[-LOADER_E_NO_SEGMENTS] = "no loadable segment",
		[-LOADER_E_SEGMENT] = "a loadable segment lies outside the "
				      "image or guest memory",
		[-LOADER_E_ENTRY] = "the entry point is outside executable code",
		[-LOADER_E_NOMEM] = "out of host memory",
	};
	if (err > 0 || -err >= (int)(sizeof(msgs) / sizeof(msgs[0])))
		return "unknown loader error";
	return msgs[-err];
}

/* True when [off, off + len) fits in [0, limit). */
static bool fits(uint64_t off, uint64_t len, uint64_t limit)
{
	return off <= limit && len <= limit - off;
}

static int check_header(Elf *elf, GElf_Ehdr *eh)
{
	if (elf_kind(elf) != ELF_K_ELF || !gelf_getehdr(elf, eh))
		return LOADER_E_NOT_ELF;
	if (eh->e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh->e_ident[EI_DATA] != ELFDATA2LSB)
		return LOADER_E_CLASS;
	if (eh->e_machine != EM_X86_64)
		return LOADER_E_MACHINE;
	if (eh->e_type != ET_EXEC)
		return LOADER_E_TYPE;
	return LOADER_OK;
}

static int load_segment(struct guest_mem *gm, const uint8_t *image,
			size_t size, const GElf_Phdr *ph)
{
	uint64_t limit = gm->size < RRV_BOOT_MAP_BYTES ? gm->size : RRV_BOOT_MAP_BYTES;

	if (ph->p_filesz > ph->p_memsz || !fits(ph->p_offset, ph->p_filesz, size) ||
	    ph->p_paddr < RRV_KERNEL_PMIN || !fits(ph->p_paddr, ph->p_memsz, limit) ||
	    ph->p_vaddr != RRV_KERNEL_VBASE + ph->p_paddr)
		return LOADER_E_SEGMENT;

	uint8_t *dst = GUEST_AT(gm, ph->p_paddr, ph->p_memsz);
	if (!dst)
		return LOADER_E_SEGMENT;
	memcpy(dst, image + ph->p_offset, ph->p_filesz);
	memset(dst + ph->p_filesz, 0, ph->p_memsz - ph->p_filesz);
	return LOADER_OK;
}

int loader_load_kernel(struct guest_mem *gm, const void *image, size_t size,
		       uint64_t *entry)
{
	if (elf_version(EV_CURRENT) == EV_NONE)
		return LOADER_E_NOT_ELF;

	/* libelf wants a writable buffer; the image may be read-only. */
	char *copy = malloc(size ? size : 1);
	if (!copy)
		return LOADER_E_NOMEM;
	memcpy(copy, image, size);

	int err = LOADER_E_NOT_ELF;
	Elf *elf = elf_memory(copy, size);
	if (!elf)
		goto out_free;

	GElf_Ehdr eh;
	err = check_header(elf, &eh);
	if (err)
		goto out_end;

	size_t phnum;
	if (elf_getphdrnum(elf, &phnum) != 0) {
		err = LOADER_E_NOT_ELF;
		goto out_end;
	}

	bool loaded = false, entry_ok = false;
	for (size_t i = 0; i < phnum; i++) {
		GElf_Phdr ph;
		if (!gelf_getphdr(elf, (int)i, &ph)) {
			err = LOADER_E_NOT_ELF;
			goto out_end;
		}
		if (ph.p_type != PT_LOAD)
			continue;
		err = load_segment(gm, (const uint8_t *)image, size, &ph);
		if (err)
			goto out_end;
		loaded = true;
		if ((ph.p_flags & PF_X) && eh.e_entry >= ph.p_vaddr &&
		    eh.e_entry - ph.p_vaddr < ph.p_filesz)
			entry_ok = true;
	}
	err = !loaded ? LOADER_E_NO_SEGMENTS : !entry_ok ? LOADER_E_ENTRY : LOADER_OK;
	if (!err)
		*entry = eh.e_entry;
out_end:
	elf_end(elf);
out_free:
	free(copy);
	return err;
}
