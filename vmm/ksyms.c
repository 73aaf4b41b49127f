/* Function symbols from the kernel's .symtab, sorted for lookup. */
#include "ksyms.h"

#include <gelf.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>

struct ksym {
	uint64_t addr, size;
	char *name;
};

struct ksyms {
	size_t n;
	struct ksym *s;
};

static int by_addr(const void *a, const void *b)
{
	const struct ksym *x = a, *y = b;
	return (x->addr > y->addr) - (x->addr < y->addr);
}

static int add_symbols(struct ksyms *k, Elf *elf, Elf_Scn *scn, GElf_Shdr *sh)
{
	Elf_Data *data = elf_getdata(scn, NULL);
	if (!data || sh->sh_entsize == 0)
		return 0;
	size_t count = sh->sh_size / sh->sh_entsize;
	for (size_t i = 0; i < count; i++) {
		GElf_Sym sym;
		if (!gelf_getsym(data, (int)i, &sym) ||
		    GELF_ST_TYPE(sym.st_info) != STT_FUNC || sym.st_value == 0)
			continue;
		const char *name = elf_strptr(elf, sh->sh_link, sym.st_name);
		if (!name)
			continue;
		struct ksym *grown = realloc(k->s, (k->n + 1) * sizeof(*grown));
		if (!grown)
			return -1;
		k->s = grown;
		k->s[k->n].addr = sym.st_value;
		k->s[k->n].size = sym.st_size;
		k->s[k->n].name = strdup(name);
		if (!k->s[k->n].name)
			return -1;
		k->n++;
	}
	return 0;
}

struct ksyms *ksyms_load(const void *image, size_t size)
{
	if (elf_version(EV_CURRENT) == EV_NONE)
		return NULL;
	/* libelf wants a writable buffer even for reading. */
	char *copy = malloc(size);
	if (!copy)
		return NULL;
	memcpy(copy, image, size);
	Elf *elf = elf_memory(copy, size);
	struct ksyms *k = calloc(1, sizeof(*k));
	if (!elf || !k)
		goto fail;
	for (Elf_Scn *scn = NULL; (scn = elf_nextscn(elf, scn));) {
		GElf_Shdr sh;
		if (gelf_getshdr(scn, &sh) && sh.sh_type == SHT_SYMTAB &&
		    add_symbols(k, elf, scn, &sh))
			goto fail;
	}
	elf_end(elf);
	free(copy);
	if (k->n == 0) {
		ksyms_free(k);
		return NULL;
	}
	qsort(k->s, k->n, sizeof(*k->s), by_addr);
	return k;
fail:
	if (elf)
		elf_end(elf);
	free(copy);
	ksyms_free(k);
	return NULL;
}

void ksyms_free(struct ksyms *k)
{
	if (!k)
		return;
	for (size_t i = 0; i < k->n; i++)
		free(k->s[i].name);
	free(k->s);
	free(k);
}

const char *ksyms_lookup(const struct ksyms *k, uint64_t addr, uint64_t *off)
{
	if (!k || k->n == 0 || addr < k->s[0].addr)
		return NULL;
	size_t lo = 0, hi = k->n; /* last symbol with s.addr <= addr */
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (k->s[mid].addr <= addr)
			lo = mid;
		else
			hi = mid;
	}
	const struct ksym *s = &k->s[lo];
	/* Assembly stubs often have size 0: accept a small distance then. */
	uint64_t limit = s->size ? s->size : 4096;
	if (addr - s->addr >= limit)
		return NULL;
	*off = addr - s->addr;
	return s->name;
}
