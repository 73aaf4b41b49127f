/* An ELF image for reports (see elfimage.h), read with libelf. */
#include "elfimage.h"

#include <elfutils/libdw.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* How far past a symbol without a size an address still counts as inside
 * it (assembly stubs often have size 0). */
#define UNSIZED_SYMBOL_SPAN 4096u

struct psym {
	uint64_t addr, size;
	char *name;
	unsigned rank;  /* among aliases at one address: lower is shown */
	size_t index;   /* the symbol table's order, the last tie-break */
};

struct seg {
	uint64_t vaddr, offset, filesz, memsz;
	bool writable, exec;
};

struct elf_image {
	uint8_t *image; /* our copy: libelf reads it, elf_image_read serves it */
	size_t size;
	bool pie;
	struct seg *segs;
	size_t nsegs;
	struct psym *syms;
	size_t nsyms;
	bool have_eh;
	uint64_t eh_addr, eh_size;     /* .eh_frame_hdr */
	bool have_frame;
	uint64_t frame_addr, frame_size; /* .eh_frame */
	bool have_dyn;
	uint64_t dyn_addr, dyn_size;   /* PT_DYNAMIC */
	uint8_t build_id[ELF_BUILD_ID_MAX]; /* NT_GNU_BUILD_ID */
	size_t build_id_len;
	char *debuglink;               /* .gnu_debuglink's file name, or NULL */
	/* libdw's view of the same copy, opened at the first line lookup
	 * (most reports never ask for one); dw_tried: do not retry. */
	Elf *dw_elf;
	Dwarf *dw;
	bool dw_tried;
};

/*
 * Aliases are common in static C libraries (__libc_write, __write and write
 * share one address).  Prefer what a programmer wrote: a symbol with a size
 * (the real function, not a label), the fewest leading underscores, then
 * global over weak over local.
 */
static unsigned alias_rank(const char *name, uint64_t size, unsigned bind)
{
	unsigned underscores = 0;
	while (name[underscores] == '_' && underscores < 7)
		underscores++;
	unsigned b = bind == STB_GLOBAL ? 0 : bind == STB_WEAK ? 1 : 2;
	return (size ? 0u : 100u) + underscores * 10u + b;
}

static int by_addr_then_rank(const void *a, const void *b)
{
	const struct psym *x = a, *y = b;
	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	if (x->rank != y->rank)
		return x->rank < y->rank ? -1 : 1;
	return (x->index > y->index) - (x->index < y->index);
}

static int add_symbols(struct elf_image *p, Elf *elf, Elf_Scn *scn,
		       const GElf_Shdr *sh)
{
	Elf_Data *data = elf_getdata(scn, NULL);
	size_t entsize = gelf_fsize(elf, ELF_T_SYM, 1, EV_CURRENT);
	if (!data || entsize == 0)
		return 0;
	/* d_size, not sh_size: libelf checked d_size against the file. */
	size_t count = data->d_size / entsize;
	for (size_t i = 0; i < count; i++) {
		GElf_Sym sym;
		if (!gelf_getsym(data, (int)i, &sym) ||
		    GELF_ST_TYPE(sym.st_info) != STT_FUNC ||
		    sym.st_shndx == SHN_UNDEF || sym.st_value == 0)
			continue;
		const char *name = elf_strptr(elf, sh->sh_link, sym.st_name);
		if (!name || !name[0])
			continue;
		struct psym *grown = realloc(p->syms, (p->nsyms + 1) * sizeof(*grown));
		if (!grown)
			return -1;
		p->syms = grown;
		struct psym *s = &p->syms[p->nsyms];
		s->addr = sym.st_value;
		s->size = sym.st_size;
		s->rank = alias_rank(name, sym.st_size, GELF_ST_BIND(sym.st_info));
		s->index = p->nsyms;
		/* A copy: libelf may own the string table's memory.  A
		 * versioned alias ("__libc_start_main@@GLIBC_2.34", in a
		 * library's .symtab) is shown without its version. */
		const char *at = strchr(name, '@');
		s->name = at && at > name ? strndup(name, (size_t)(at - name))
					  : strdup(name);
		if (!s->name)
			return -1;
		p->nsyms++;
	}
	return 0;
}

/* .symtab when the image has one (unstripped), else .dynsym (which a
 * static-PIE program may still carry). */
static int load_symbols(struct elf_image *p, Elf *elf)
{
	Elf_Scn *symtab = NULL, *dynsym = NULL;
	GElf_Shdr symtab_sh, dynsym_sh, sh;
	for (Elf_Scn *scn = NULL; (scn = elf_nextscn(elf, scn));) {
		if (!gelf_getshdr(scn, &sh))
			continue;
		if (sh.sh_type == SHT_SYMTAB && !symtab) {
			symtab = scn;
			symtab_sh = sh;
		} else if (sh.sh_type == SHT_DYNSYM && !dynsym) {
			dynsym = scn;
			dynsym_sh = sh;
		}
	}
	int rc = 0;
	if (symtab)
		rc = add_symbols(p, elf, symtab, &symtab_sh);
	else if (dynsym)
		rc = add_symbols(p, elf, dynsym, &dynsym_sh);
	if (rc || p->nsyms == 0)
		return rc;
	qsort(p->syms, p->nsyms, sizeof(*p->syms), by_addr_then_rank);
	/* Keep one name per address: the first, the best ranked. */
	size_t kept = 1;
	for (size_t i = 1; i < p->nsyms; i++) {
		if (p->syms[i].addr == p->syms[kept - 1].addr) {
			free(p->syms[i].name);
			continue;
		}
		p->syms[kept++] = p->syms[i];
	}
	p->nsyms = kept;
	return 0;
}

/* The PROGBITS section called name (named through the section-name
 * string table), with its header in sh; NULL when there is none. */
static Elf_Scn *find_progbits(Elf *elf, const char *name, GElf_Shdr *sh)
{
	size_t names;
	if (elf_getshdrstrndx(elf, &names) != 0)
		return NULL;
	for (Elf_Scn *scn = NULL; (scn = elf_nextscn(elf, scn));) {
		const char *n;
		if (gelf_getshdr(scn, sh) && sh->sh_type == SHT_PROGBITS &&
		    (n = elf_strptr(elf, names, sh->sh_name)) && strcmp(n, name) == 0)
			return scn;
	}
	return NULL;
}

static void find_eh_frame(struct elf_image *p, Elf *elf)
{
	GElf_Shdr sh;
	if (!find_progbits(elf, ".eh_frame", &sh) || sh.sh_size == 0)
		return;
	p->have_frame = true;
	p->frame_addr = sh.sh_addr;
	p->frame_size = sh.sh_size;
}

/* .gnu_debuglink: the separate debug file's name, NUL-terminated (then
 * padding and a CRC, which the build id check replaces). */
static void find_debuglink(struct elf_image *p, Elf *elf)
{
	GElf_Shdr sh;
	Elf_Scn *scn = find_progbits(elf, ".gnu_debuglink", &sh);
	Elf_Data *d = scn ? elf_getdata(scn, NULL) : NULL;
	if (!d || !d->d_buf || d->d_size < 2)
		return;
	size_t n = strnlen(d->d_buf, d->d_size);
	/* A file name, not a path: it is looked up in known places. */
	if (n == 0 || n == d->d_size || memchr(d->d_buf, '/', n))
		return;
	p->debuglink = strndup(d->d_buf, n);
}

/* The GNU build id from a note segment lying wholly in the image. */
static void find_build_id(struct elf_image *p, uint64_t off, uint64_t size)
{
	if (off > p->size || size > p->size - off)
		return;
	const uint8_t *n = p->image + off, *end = n + size;
	while (end - n >= 12) {
		uint32_t namesz, descsz, type;
		memcpy(&namesz, n, 4);
		memcpy(&descsz, n + 4, 4);
		memcpy(&type, n + 8, 4);
		uint64_t name_pad = ((uint64_t)namesz + 3) & ~3ull;
		uint64_t desc_pad = ((uint64_t)descsz + 3) & ~3ull;
		if (name_pad + desc_pad > (uint64_t)(end - n) - 12)
			return;
		const uint8_t *name = n + 12, *desc = name + name_pad;
		if (type == NT_GNU_BUILD_ID && namesz == 4 &&
		    memcmp(name, "GNU", 4) == 0 && descsz > 0 &&
		    descsz <= ELF_BUILD_ID_MAX) {
			memcpy(p->build_id, desc, descsz);
			p->build_id_len = descsz;
			return;
		}
		n = desc + desc_pad;
	}
}

static int load_segments(struct elf_image *p, Elf *elf)
{
	size_t n;
	if (elf_getphdrnum(elf, &n) != 0 || n == 0)
		return 0;
	p->segs = calloc(n, sizeof(*p->segs));
	if (!p->segs)
		return -1;
	for (size_t i = 0; i < n; i++) {
		GElf_Phdr ph;
		if (!gelf_getphdr(elf, (int)i, &ph))
			continue;
		if (ph.p_type == PT_GNU_EH_FRAME && ph.p_memsz) {
			p->have_eh = true;
			p->eh_addr = ph.p_vaddr;
			p->eh_size = ph.p_memsz;
		}
		if (ph.p_type == PT_NOTE && !p->build_id_len)
			find_build_id(p, ph.p_offset, ph.p_filesz);
		if (ph.p_type == PT_DYNAMIC && ph.p_memsz) {
			p->have_dyn = true;
			p->dyn_addr = ph.p_vaddr;
			p->dyn_size = ph.p_memsz;
		}
		/* A segment whose bytes lie outside the image is ignored
		 * rather than trusted (written to avoid overflow). */
		if (ph.p_type != PT_LOAD || ph.p_filesz > ph.p_memsz ||
		    ph.p_offset > p->size || ph.p_filesz > p->size - ph.p_offset)
			continue;
		p->segs[p->nsegs++] = (struct seg){
			.vaddr = ph.p_vaddr,
			.offset = ph.p_offset,
			.filesz = ph.p_filesz,
			.memsz = ph.p_memsz,
			.writable = ph.p_flags & PF_W,
			.exec = ph.p_flags & PF_X,
		};
	}
	return 0;
}

struct elf_image *elf_image_load(const void *image, size_t size, char *err,
				 size_t errlen)
{
	snprintf(err, errlen, "out of memory");
	if (elf_version(EV_CURRENT) == EV_NONE) {
		snprintf(err, errlen, "libelf is unusable (%s)", elf_errmsg(-1));
		return NULL;
	}
	Elf *elf = NULL;
	struct elf_image *p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	/* libelf wants a writable buffer even for reading. */
	p->image = malloc(size ? size : 1);
	if (!p->image)
		goto fail;
	memcpy(p->image, image, size);
	p->size = size;

	elf = elf_memory((char *)p->image, size);
	GElf_Ehdr eh;
	if (!elf || elf_kind(elf) != ELF_K_ELF || !gelf_getehdr(elf, &eh)) {
		snprintf(err, errlen, "not an ELF file");
		goto fail;
	}
	if (gelf_getclass(elf) != ELFCLASS64 || eh.e_machine != EM_X86_64) {
		snprintf(err, errlen, "not a 64-bit x86-64 ELF file");
		goto fail;
	}
	if (eh.e_type != ET_EXEC && eh.e_type != ET_DYN) {
		snprintf(err, errlen, "not an executable (ELF type %u)",
			 (unsigned)eh.e_type);
		goto fail;
	}
	p->pie = eh.e_type == ET_DYN;
	snprintf(err, errlen, "out of memory");
	if (load_segments(p, elf) || load_symbols(p, elf))
		goto fail;
	find_eh_frame(p, elf);
	find_debuglink(p, elf);
	elf_end(elf);
	err[0] = '\0';
	return p;
fail:
	if (elf)
		elf_end(elf);
	elf_image_free(p);
	return NULL;
}

void elf_image_free(struct elf_image *p)
{
	if (!p)
		return;
	if (p->dw)
		dwarf_end(p->dw);
	if (p->dw_elf)
		elf_end(p->dw_elf);
	for (size_t i = 0; i < p->nsyms; i++)
		free(p->syms[i].name);
	free(p->syms);
	free(p->debuglink);
	free(p->segs);
	free(p->image);
	free(p);
}

bool elf_image_is_pie(const struct elf_image *p)
{
	return p->pie;
}

size_t elf_image_symbol_count(const struct elf_image *p)
{
	return p->nsyms;
}

const char *elf_image_symbol(const struct elf_image *p, uint64_t addr,
			     uint64_t *off)
{
	if (!p || p->nsyms == 0 || addr < p->syms[0].addr)
		return NULL;
	size_t lo = 0, hi = p->nsyms; /* the last symbol with addr <= addr */
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (p->syms[mid].addr <= addr)
			lo = mid;
		else
			hi = mid;
	}
	const struct psym *s = &p->syms[lo];
	uint64_t limit = s->size ? s->size : UNSIZED_SYMBOL_SPAN;
	if (addr - s->addr >= limit)
		return NULL; /* past its end: padding, or code without a symbol */
	*off = addr - s->addr;
	return s->name;
}

bool elf_image_symbol_addr(const struct elf_image *p, const char *name,
			   uint64_t *addr)
{
	for (size_t i = 0; p && i < p->nsyms; i++) {
		if (strcmp(p->syms[i].name, name) == 0) {
			*addr = p->syms[i].addr;
			return true;
		}
	}
	return false;
}

size_t elf_image_read(const struct elf_image *p, uint64_t addr, void *buf,
		      size_t len)
{
	for (size_t i = 0; p && i < p->nsegs; i++) {
		const struct seg *s = &p->segs[i];
		if (s->writable || addr < s->vaddr || addr - s->vaddr >= s->filesz)
			continue;
		uint64_t at = addr - s->vaddr;
		size_t n = s->filesz - at < len ? (size_t)(s->filesz - at) : len;
		memcpy(buf, p->image + s->offset + at, n);
		return n;
	}
	return 0;
}

bool elf_image_eh_frame_hdr(const struct elf_image *p, uint64_t *addr,
			    uint64_t *size)
{
	if (!p || !p->have_eh)
		return false;
	*addr = p->eh_addr;
	*size = p->eh_size;
	return true;
}

bool elf_image_eh_frame(const struct elf_image *p, uint64_t *addr,
			uint64_t *size)
{
	if (!p || !p->have_frame)
		return false;
	*addr = p->frame_addr;
	*size = p->frame_size;
	return true;
}

bool elf_image_text(const struct elf_image *p, uint64_t *lo, uint64_t *hi)
{
	bool any = false;
	for (size_t i = 0; p && i < p->nsegs; i++) {
		const struct seg *s = &p->segs[i];
		if (!s->exec || s->memsz == 0 || s->vaddr + s->memsz < s->vaddr)
			continue;
		if (!any || s->vaddr < *lo)
			*lo = s->vaddr;
		if (!any || s->vaddr + s->memsz > *hi)
			*hi = s->vaddr + s->memsz;
		any = true;
	}
	return any;
}

bool elf_image_dynamic(const struct elf_image *p, uint64_t *addr,
		       uint64_t *size)
{
	if (!p || !p->have_dyn)
		return false;
	*addr = p->dyn_addr;
	*size = p->dyn_size;
	return true;
}

bool elf_image_line(struct elf_image *p, uint64_t addr, const char **file,
		    int *line)
{
	if (!p)
		return false;
	if (!p->dw_tried) {
		p->dw_tried = true;
		/* libdw checks the DWARF it reads against the image; an image
		 * without .debug_info simply has no Dwarf. */
		p->dw_elf = elf_memory((char *)p->image, p->size);
		if (p->dw_elf)
			p->dw = dwarf_begin_elf(p->dw_elf, DWARF_C_READ, NULL);
	}
	if (!p->dw)
		return false;
	Dwarf_Die cu;
	if (!dwarf_addrdie(p->dw, addr, &cu))
		return false;
	Dwarf_Line *l = dwarf_getsrc_die(&cu, addr);
	int n = 0;
	const char *src = l ? dwarf_linesrc(l, NULL, NULL) : NULL;
	if (!src || dwarf_lineno(l, &n) != 0 || n <= 0)
		return false;
	*file = src;
	*line = n;
	return true;
}

bool elf_image_segment(const struct elf_image *p, size_t i, uint64_t *vaddr,
		       uint64_t *filesz, bool *writable)
{
	if (!p || i >= p->nsegs)
		return false;
	*vaddr = p->segs[i].vaddr;
	*filesz = p->segs[i].filesz;
	*writable = p->segs[i].writable;
	return true;
}

size_t elf_image_build_id(const struct elf_image *p, const uint8_t **id)
{
	if (!p || !p->build_id_len)
		return 0;
	*id = p->build_id;
	return p->build_id_len;
}

const char *elf_image_debuglink(const struct elf_image *p)
{
	return p ? p->debuglink : NULL;
}
