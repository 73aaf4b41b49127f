/*
 * Remote unwinding with libunwind (see backtrace.h).
 *
 * libunwind's remote interface asks us, through accessors, for everything
 * it needs: registers, memory words, and the unwind information covering
 * an ip.  The program's code and unwind tables are served from its ELF
 * image (what the loader copied into the guest, and never written: the
 * segments are read-only), everything else (the stack) from the target.
 *
 * libunwind finds an FDE through a binary-search table: the program's
 * .eh_frame_hdr when it has one, else one we build from its .eh_frame
 * (ehframe.c), which -static links leave without a header.
 */
#include "backtrace.h"

#include <assert.h>
#include <libunwind.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "ehframe.h"
#include "elfimage.h"

/* Our register numbering is libunwind's: the accessors pass it through.
 * (Cast: the two are different enum types.) */
#define SAME_REG(ours, unw) ((int)(ours) == (int)(unw))
static_assert(SAME_REG(BT_RAX, UNW_X86_64_RAX) &&
	      SAME_REG(BT_RDX, UNW_X86_64_RDX) &&
	      SAME_REG(BT_RCX, UNW_X86_64_RCX) &&
	      SAME_REG(BT_RBX, UNW_X86_64_RBX) &&
	      SAME_REG(BT_RSI, UNW_X86_64_RSI) &&
	      SAME_REG(BT_RDI, UNW_X86_64_RDI) &&
	      SAME_REG(BT_RBP, UNW_X86_64_RBP) &&
	      SAME_REG(BT_RSP, UNW_X86_64_RSP) &&
	      SAME_REG(BT_R8, UNW_X86_64_R8) &&
	      SAME_REG(BT_R15, UNW_X86_64_R15) &&
	      SAME_REG(BT_RIP, UNW_X86_64_RIP),
	      "enum bt_reg must match UNW_X86_64_*");
static_assert(sizeof(unw_word_t) == sizeof(uint64_t), "a 64-bit unw_word_t");
static_assert(sizeof(struct eh_entry) == 8, "eh_entry is .eh_frame_hdr's");

/*
 * Where libunwind reads a search table we built: an address that no
 * x86-64 program can map (non-canonical with 4- and 5-level paging), so
 * the table can never hide the target's own memory there.
 */
#define BUILT_TABLE_ADDR 0x7ff0000000000000ull

/*
 * The search of a binary-search table of FDEs in another address space.
 * libunwind 1.6 (Debian 12) has no public call for it: 1.7 added
 * unw_get_proc_info_in_range().  This one is exported by libunwind itself
 * because its own libunwind-ptrace and libunwind-coredump are built on it
 * (their find_proc_info accessors call it exactly as we do), and it is
 * declared in libunwind's internal dwarf.h only, hence the declaration
 * here.  UNW_OBJ gives it the remote x86-64 name, _Ux86_64_....
 */
extern int UNW_OBJ(dwarf_search_unwind_table)(unw_addr_space_t as,
					       unw_word_t ip,
					       unw_dyn_info_t *di,
					       unw_proc_info_t *pi,
					       int need_unwind_info, void *arg);

/* DWARF pointer encodings (the LSB's .eh_frame_hdr uses these). */
enum {
	PE_ABSPTR = 0x00, PE_UDATA2 = 0x02, PE_UDATA4 = 0x03,
	PE_UDATA8 = 0x04, PE_SDATA2 = 0x0a, PE_SDATA4 = 0x0b,
	PE_SDATA8 = 0x0c, PE_FORMAT_MASK = 0x0f,
	PE_APPL_MASK = 0x70, PE_DATAREL = 0x30,
	PE_OMIT = 0xff,
};

/* How far apart the built tables of two objects lie above
 * BUILT_TABLE_ADDR: more than any .eh_frame index needs. */
#define BUILT_TABLE_STRIDE (1ull << 36)

/* One object's search table, found when an ip first falls in it. */
struct unwind_mod {
	struct bt_module m;
	uint64_t lo, hi;        /* run-time range of its executable segments */
	bool tried, usable;
	unw_dyn_info_t di;
	struct eh_entry *built; /* a table built from .eh_frame, or NULL */
	size_t built_bytes;
	uint64_t built_addr;    /* where libunwind reads it */
};

/* The accessors' argument: the target, and its objects' tables. */
struct unwind_ctx {
	const struct bt_target *t;
	struct unwind_mod mods[BT_MAX_MODULES + 1];
	size_t nmods;
};

/*
 * Reads the target: from the ELF's read-only segments where the address
 * lies in one (the unwind tables, the code), else from t->read.  Stops
 * early where neither has the bytes.
 */
static size_t target_read(const struct unwind_ctx *u, uint64_t addr,
			  void *buf, size_t len)
{
	const struct bt_target *t = u->t;
	size_t done = 0;
	while (done < len) {
		uint64_t at = addr + done;
		if (at < addr)
			break; /* wrapped past the top of the address space */
		size_t n = 0;
		for (size_t i = 0; n == 0 && i < u->nmods; i++) {
			const struct bt_module *m = &u->mods[i].m;
			if (m->elf && at >= m->load_base)
				n = elf_image_read(m->elf, at - m->load_base,
						   (char *)buf + done,
						   len - done);
		}
		if (n == 0 && t->read)
			n = t->read(t->ctx, at, (char *)buf + done, len - done);
		if (n == 0)
			break;
		done += n;
	}
	return done;
}

/* The size of a value in encoding enc, or 0 for one we do not read (the
 * LEB128 forms never appear in an .eh_frame_hdr's fixed part). */
static size_t encoded_size(uint8_t enc)
{
	switch (enc & PE_FORMAT_MASK) {
	case PE_ABSPTR:
	case PE_UDATA8:
	case PE_SDATA8:
		return 8;
	case PE_UDATA4:
	case PE_SDATA4:
		return 4;
	case PE_UDATA2:
	case PE_SDATA2:
		return 2;
	default:
		return 0;
	}
}

/*
 * Describes the program's .eh_frame_hdr search table to libunwind: the
 * table's address, its length and the base its entries are relative to.
 * False when there is no table it can search.
 */
static bool table_from_hdr(const struct bt_module *t, unw_dyn_info_t *di)
{
	uint64_t hdr, hdr_size, lo, hi;
	if (!t->elf || !elf_image_eh_frame_hdr(t->elf, &hdr, &hdr_size) ||
	    !elf_image_text(t->elf, &lo, &hi))
		return false;
	/* version, eh_frame_ptr_enc, fde_count_enc, table_enc, then two
	 * encoded values of at most 8 bytes each. */
	uint8_t h[4 + 8 + 8];
	size_t got = elf_image_read(t->elf, hdr, h, sizeof(h));
	if (got < 4 || h[0] != 1 || hdr_size < 4)
		return false;
	uint8_t ptr_enc = h[1], count_enc = h[2], table_enc = h[3];
	size_t ptr_size = ptr_enc == PE_OMIT ? 0 : encoded_size(ptr_enc);
	size_t count_size = encoded_size(count_enc);
	/* libunwind's remote search reads 8-byte entries of two signed
	 * 32-bit offsets from the header: the layout every linker writes. */
	if ((ptr_enc != PE_OMIT && ptr_size == 0) || count_enc == PE_OMIT ||
	    count_size == 0 || (count_enc & PE_APPL_MASK) != 0 ||
	    table_enc != (PE_DATAREL | PE_SDATA4) ||
	    got < 4 + ptr_size + count_size)
		return false;
	uint64_t fde_count = 0;
	memcpy(&fde_count, h + 4 + ptr_size, count_size); /* little-endian */
	if (count_size < 8 && (count_enc & 0x08) &&
	    (fde_count >> (count_size * 8 - 1)))
		return false; /* a negative count */
	uint64_t table_off = 4 + ptr_size + count_size;
	if (fde_count == 0 || table_off > hdr_size ||
	    fde_count > (hdr_size - table_off) / 8)
		return false; /* empty, or a count the header cannot hold */

	memset(di, 0, sizeof(*di));
	di->format = UNW_INFO_FORMAT_REMOTE_TABLE;
	di->start_ip = t->load_base + lo;
	di->end_ip = t->load_base + hi;
	di->u.rti.segbase = t->load_base + hdr;
	di->u.rti.table_data = t->load_base + hdr + table_off;
	/* In words, as libunwind wants it (8 bytes an entry: one word). */
	di->u.rti.table_len = fde_count * 8 / sizeof(unw_word_t);
	return true;
}

/*
 * Builds the search table from .eh_frame itself, relative to the section's
 * address, and describes it to libunwind at u->built_addr.
 */
static bool table_from_eh_frame(struct unwind_mod *u)
{
	const struct bt_module *t = &u->m;
	uint64_t addr, size, lo, hi;
	if (!t->elf || !elf_image_eh_frame(t->elf, &addr, &size) ||
	    !elf_image_text(t->elf, &lo, &hi) || size > INT32_MAX)
		return false;
	uint8_t *bytes = malloc((size_t)size);
	if (!bytes)
		return false;
	/* The whole section, from one read-only segment, or nothing. */
	size_t n = 0;
	if (elf_image_read(t->elf, addr, bytes, (size_t)size) == size)
		n = ehframe_index(bytes, (size_t)size, addr, &u->built);
	free(bytes);
	if (n == 0)
		return false;
	u->built_bytes = n * sizeof(struct eh_entry);

	unw_dyn_info_t *di = &u->di;
	memset(di, 0, sizeof(*di));
	di->format = UNW_INFO_FORMAT_REMOTE_TABLE;
	di->start_ip = t->load_base + lo;
	di->end_ip = t->load_base + hi;
	di->u.rti.segbase = t->load_base + addr; /* what entries count from */
	di->u.rti.table_data = u->built_addr;
	di->u.rti.table_len = u->built_bytes / sizeof(unw_word_t);
	return true;
}

/* The object whose tables serve ip, its table built on first use; NULL
 * when no object with usable tables holds ip. */
static struct unwind_mod *module_of(struct unwind_ctx *u, uint64_t ip)
{
	for (size_t i = 0; i < u->nmods; i++) {
		struct unwind_mod *m = &u->mods[i];
		if (!m->m.elf || ip < m->lo || ip >= m->hi)
			continue;
		if (!m->tried) {
			m->tried = true;
			m->usable = table_from_hdr(&m->m, &m->di) ||
				    table_from_eh_frame(m);
		}
		return m->usable ? m : NULL;
	}
	return NULL;
}

static int find_proc_info(unw_addr_space_t as, unw_word_t ip,
			  unw_proc_info_t *pi, int need_unwind_info, void *arg)
{
	struct unwind_ctx *u = arg;
	/* Only the objects we were given have tables here; libunwind then
	 * tries its own heuristics, and the report shows where they stop. */
	struct unwind_mod *m = module_of(u, ip);
	if (!m || ip < m->di.start_ip || ip >= m->di.end_ip)
		return -UNW_ENOINFO;
	return UNW_OBJ(dwarf_search_unwind_table)(as, ip, &m->di, pi,
						  need_unwind_info, arg);
}

static void put_unwind_info(unw_addr_space_t as, unw_proc_info_t *pi,
			    void *arg)
{
	/* Nothing to release: libunwind frees the table-format information
	 * that dwarf_search_unwind_table allocated; this accessor is only
	 * called for dynamically registered procedures, which we have none
	 * of. */
	(void)as;
	(void)pi;
	(void)arg;
}

static int get_dyn_info_list_addr(unw_addr_space_t as, unw_word_t *addr,
				  void *arg)
{
	/* The program registers no JIT code with libunwind. */
	(void)as;
	(void)addr;
	(void)arg;
	return -UNW_ENOINFO;
}

static int access_mem(unw_addr_space_t as, unw_word_t addr, unw_word_t *val,
		      int write, void *arg)
{
	struct unwind_ctx *u = arg;
	(void)as;
	if (write)
		return -UNW_EINVAL; /* a report never changes the program */
	uint64_t word = 0;
	for (size_t i = 0; i < u->nmods; i++) {
		const struct unwind_mod *m = &u->mods[i];
		if (!m->built || addr < m->built_addr ||
		    addr - m->built_addr >= m->built_bytes)
			continue;
		size_t at = (size_t)(addr - m->built_addr);
		size_t n = m->built_bytes - at < sizeof(word)
			 ? m->built_bytes - at : sizeof(word);
		memcpy(&word, (const uint8_t *)m->built + at, n);
		*val = word;
		return 0;
	}
	/* A word may run past the end of the file-backed part of a segment
	 * when libunwind reads an aligned word around the last bytes of a
	 * table: the bytes it wants were read, the rest stay zero. */
	if (target_read(u, addr, &word, sizeof(word)) == 0)
		return -UNW_EINVAL;
	*val = word;
	return 0;
}

static int access_reg(unw_addr_space_t as, unw_regnum_t reg, unw_word_t *val,
		      int write, void *arg)
{
	struct unwind_ctx *u = arg;
	(void)as;
	if (reg < 0 || reg >= BT_NREGS)
		return -UNW_EBADREG;
	if (write)
		return -UNW_EREADONLYREG;
	*val = u->t->regs[reg];
	return 0;
}

static int access_fpreg(unw_addr_space_t as, unw_regnum_t reg,
			unw_fpreg_t *val, int write, void *arg)
{
	/* Unwinding the general registers never needs the FPU's. */
	(void)as;
	(void)reg;
	(void)val;
	(void)write;
	(void)arg;
	return -UNW_EBADREG;
}

static int resume(unw_addr_space_t as, unw_cursor_t *c, void *arg)
{
	/* We only look: the program is never resumed from here. */
	(void)as;
	(void)c;
	(void)arg;
	return -UNW_EINVAL;
}

/* Lists the target's objects (t->elf first), each with the run-time range
 * of its code; false when none has a table libunwind can search. */
static bool setup_modules(struct unwind_ctx *u)
{
	const struct bt_target *t = u->t;
	size_t extra = t->mods ? t->nmods : 0;
	if (extra > BT_MAX_MODULES)
		extra = BT_MAX_MODULES;
	for (size_t i = 0; i <= extra; i++) {
		struct bt_module m = i == 0
			? (struct bt_module){ t->elf, t->load_base }
			: t->mods[i - 1];
		uint64_t lo, hi;
		if (!m.elf || !elf_image_text(m.elf, &lo, &hi) ||
		    m.load_base + lo < lo || m.load_base + hi < hi)
			continue;
		struct unwind_mod *um = &u->mods[u->nmods];
		*um = (struct unwind_mod){
			.m = m,
			.lo = m.load_base + lo,
			.hi = m.load_base + hi,
			.built_addr = BUILT_TABLE_ADDR +
				      u->nmods * BUILT_TABLE_STRIDE,
		};
		u->nmods++;
	}
	/* The first frame needs its own object's table; the others are
	 * found (or not) as the walk reaches them. */
	bool any = false;
	for (size_t i = 0; i < u->nmods; i++) {
		struct unwind_mod *m = &u->mods[i];
		m->tried = true;
		m->usable = table_from_hdr(&m->m, &m->di) ||
			    table_from_eh_frame(m);
		any = any || m->usable;
	}
	return any;
}

static void free_modules(struct unwind_ctx *u)
{
	for (size_t i = 0; i < u->nmods; i++)
		free(u->mods[i].built);
}

int backtrace_remote(const struct bt_target *t, uint64_t *ips, int max)
{
	/* On the heap: 65 objects' state is too much for a report's stack. */
	struct unwind_ctx *uctx = calloc(1, sizeof(*uctx));
	if (!uctx)
		return -1;
	uctx->t = t;
	if (max <= 0 || !setup_modules(uctx)) {
		free_modules(uctx);
		free(uctx);
		return -1;
	}
	unw_accessors_t acc = {
		.find_proc_info = find_proc_info,
		.put_unwind_info = put_unwind_info,
		.get_dyn_info_list_addr = get_dyn_info_list_addr,
		.access_mem = access_mem,
		.access_reg = access_reg,
		.access_fpreg = access_fpreg,
		.resume = resume,
		.get_proc_name = NULL, /* names come from elfimage.c */
	};
	unw_addr_space_t as = unw_create_addr_space(&acc, 0 /* host order */);
	if (!as) {
		free_modules(uctx);
		free(uctx);
		return -1;
	}
	/* One address space per backtrace: nothing worth caching. */
	unw_set_caching_policy(as, UNW_CACHE_NONE);

	int n = 0;
	bool failed = false;
	unw_cursor_t c;
	if (unw_init_remote(&c, as, uctx) < 0) {
		failed = true;
		goto out;
	}
	uint64_t prev_ip = 0, prev_sp = 0;
	for (;;) {
		unw_word_t ip, sp;
		if (unw_get_reg(&c, UNW_REG_IP, &ip) < 0 ||
		    unw_get_reg(&c, UNW_REG_SP, &sp) < 0 || ip == 0)
			break;
		/* The same rip alone is recursion; with the same stack
		 * pointer too, the unwinder stopped making progress. */
		if (n > 0 && ip == prev_ip && sp == prev_sp)
			break;
		ips[n++] = ip;
		prev_ip = ip;
		prev_sp = sp;
		if (n >= max)
			break;
		int r = unw_step(&c);
		if (r < 0 && n == 1)
			failed = true; /* not even the caller: try rbp */
		if (r <= 0)
			break;
	}
out:
	unw_destroy_addr_space(as);
	free_modules(uctx);
	free(uctx);
	return failed ? -1 : n;
}

int backtrace_fp(const struct bt_target *t, uint64_t *ips, int max)
{
	uint64_t rip = t->regs[BT_RIP], fp = t->regs[BT_RBP];
	if (max <= 0 || rip == 0)
		return 0;
	int n = 0;
	ips[n++] = rip;
	/* A frame record lies at or above the stack pointer, 8-aligned; each
	 * one must be above the last, so a corrupt chain cannot loop. */
	uint64_t floor = t->regs[BT_RSP];
	while (n < max && fp != 0 && (fp & 7) == 0 && fp >= floor &&
	       fp <= UINT64_MAX - 16) {
		uint64_t rec[2]; /* the caller's rbp, the return address */
		if (!t->read || t->read(t->ctx, fp, rec, sizeof(rec)) != sizeof(rec) ||
		    rec[1] == 0)
			break;
		ips[n++] = rec[1];
		floor = fp + sizeof(rec);
		fp = rec[0];
	}
	return n;
}
