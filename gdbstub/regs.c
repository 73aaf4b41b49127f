/*
 * gdbstub/regs.c: the register table; see regs.h.  The layout is gdb's
 * own for amd64 GNU/Linux (features org.gnu.gdb.i386.core, .sse, .linux
 * and .segments, as gdb 8 and later describe it, fs_base and gs_base in
 * .segments): numbers 0-39 core, 40-56 SSE, 57 orig_rax, 58-59 the
 * segment bases.  No AVX: rrv's CPU profile has none (docs/cpuid.md), so
 * FXSAVE, which struct gdb_regs carries, is the whole vector state.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "regs.h"

enum feature { F_CORE, F_SSE, F_LINUX, F_SEGMENTS, F_COUNT };

static const struct {
	const char *name;
	const char *types; /* the types its registers use, XML */
} features[F_COUNT] = {
	[F_CORE] = { "org.gnu.gdb.i386.core",
		"<flags id=\"i386_eflags\" size=\"4\">"
		"<field name=\"CF\" start=\"0\" end=\"0\"/><field name=\"\" start=\"1\" end=\"1\"/>"
		"<field name=\"PF\" start=\"2\" end=\"2\"/><field name=\"AF\" start=\"4\" end=\"4\"/>"
		"<field name=\"ZF\" start=\"6\" end=\"6\"/><field name=\"SF\" start=\"7\" end=\"7\"/>"
		"<field name=\"TF\" start=\"8\" end=\"8\"/><field name=\"IF\" start=\"9\" end=\"9\"/>"
		"<field name=\"DF\" start=\"10\" end=\"10\"/><field name=\"OF\" start=\"11\" end=\"11\"/>"
		"<field name=\"NT\" start=\"14\" end=\"14\"/><field name=\"RF\" start=\"16\" end=\"16\"/>"
		"<field name=\"VM\" start=\"17\" end=\"17\"/><field name=\"AC\" start=\"18\" end=\"18\"/>"
		"<field name=\"VIF\" start=\"19\" end=\"19\"/><field name=\"VIP\" start=\"20\" end=\"20\"/>"
		"<field name=\"ID\" start=\"21\" end=\"21\"/></flags>" },
	[F_SSE] = { "org.gnu.gdb.i386.sse",
		"<vector id=\"v8bf16\" type=\"bfloat16\" count=\"8\"/>"
		"<vector id=\"v4f\" type=\"ieee_single\" count=\"4\"/>"
		"<vector id=\"v2d\" type=\"ieee_double\" count=\"2\"/>"
		"<vector id=\"v16i8\" type=\"int8\" count=\"16\"/>"
		"<vector id=\"v8i16\" type=\"int16\" count=\"8\"/>"
		"<vector id=\"v4i32\" type=\"int32\" count=\"4\"/>"
		"<vector id=\"v2i64\" type=\"int64\" count=\"2\"/>"
		"<union id=\"vec128\"><field name=\"v8_bfloat16\" type=\"v8bf16\"/>"
		"<field name=\"v4_float\" type=\"v4f\"/><field name=\"v2_double\" type=\"v2d\"/>"
		"<field name=\"v16_int8\" type=\"v16i8\"/><field name=\"v8_int16\" type=\"v8i16\"/>"
		"<field name=\"v4_int32\" type=\"v4i32\"/><field name=\"v2_int64\" type=\"v2i64\"/>"
		"<field name=\"uint128\" type=\"uint128\"/></union>"
		"<flags id=\"i386_mxcsr\" size=\"4\">"
		"<field name=\"IE\" start=\"0\" end=\"0\"/><field name=\"DE\" start=\"1\" end=\"1\"/>"
		"<field name=\"ZE\" start=\"2\" end=\"2\"/><field name=\"OE\" start=\"3\" end=\"3\"/>"
		"<field name=\"UE\" start=\"4\" end=\"4\"/><field name=\"PE\" start=\"5\" end=\"5\"/>"
		"<field name=\"DAZ\" start=\"6\" end=\"6\"/><field name=\"IM\" start=\"7\" end=\"7\"/>"
		"<field name=\"DM\" start=\"8\" end=\"8\"/><field name=\"ZM\" start=\"9\" end=\"9\"/>"
		"<field name=\"OM\" start=\"10\" end=\"10\"/><field name=\"UM\" start=\"11\" end=\"11\"/>"
		"<field name=\"PM\" start=\"12\" end=\"12\"/><field name=\"FZ\" start=\"15\" end=\"15\"/>"
		"</flags>" },
	[F_LINUX] = { "org.gnu.gdb.i386.linux", "" },
	[F_SEGMENTS] = { "org.gnu.gdb.i386.segments", "" },
};

#define GPR(f) offsetof(struct gdb_regs, f), sizeof(((struct gdb_regs *)0)->f)
#define FX(off, w) offsetof(struct gdb_regs, fxsave) + (off), (w)
#define FTAG_SPECIAL 0xffff /* off of ftag: computed, not copied */

/* One register: its description, and where its bytes are in struct
 * gdb_regs (width bytes at off; the protocol's bits/8 bytes are those,
 * little-endian, cut or zero-extended). */
static const struct reg {
	const char *name;
	unsigned bits;
	const char *type;
	const char *group; /* NULL: gdb's default */
	enum feature feature;
	size_t off, width;
} regs[] = {
	{ "rax", 64, "int64", NULL, F_CORE, GPR(rax) },
	{ "rbx", 64, "int64", NULL, F_CORE, GPR(rbx) },
	{ "rcx", 64, "int64", NULL, F_CORE, GPR(rcx) },
	{ "rdx", 64, "int64", NULL, F_CORE, GPR(rdx) },
	{ "rsi", 64, "int64", NULL, F_CORE, GPR(rsi) },
	{ "rdi", 64, "int64", NULL, F_CORE, GPR(rdi) },
	{ "rbp", 64, "data_ptr", NULL, F_CORE, GPR(rbp) },
	{ "rsp", 64, "data_ptr", NULL, F_CORE, GPR(rsp) },
	{ "r8", 64, "int64", NULL, F_CORE, GPR(r8) },
	{ "r9", 64, "int64", NULL, F_CORE, GPR(r9) },
	{ "r10", 64, "int64", NULL, F_CORE, GPR(r10) },
	{ "r11", 64, "int64", NULL, F_CORE, GPR(r11) },
	{ "r12", 64, "int64", NULL, F_CORE, GPR(r12) },
	{ "r13", 64, "int64", NULL, F_CORE, GPR(r13) },
	{ "r14", 64, "int64", NULL, F_CORE, GPR(r14) },
	{ "r15", 64, "int64", NULL, F_CORE, GPR(r15) },
	{ "rip", 64, "code_ptr", NULL, F_CORE, GPR(rip) },
	{ "eflags", 32, "i386_eflags", NULL, F_CORE, GPR(eflags) },
	{ "cs", 32, "int32", NULL, F_CORE, GPR(cs) },
	{ "ss", 32, "int32", NULL, F_CORE, GPR(ss) },
	{ "ds", 32, "int32", NULL, F_CORE, GPR(ds) },
	{ "es", 32, "int32", NULL, F_CORE, GPR(es) },
	{ "fs", 32, "int32", NULL, F_CORE, GPR(fs) },
	{ "gs", 32, "int32", NULL, F_CORE, GPR(gs) },
	/* FXSAVE keeps ST(i) in 16-byte slots from byte 32, 10 bytes used. */
	{ "st0", 80, "i387_ext", NULL, F_CORE, FX(32, 10) },
	{ "st1", 80, "i387_ext", NULL, F_CORE, FX(48, 10) },
	{ "st2", 80, "i387_ext", NULL, F_CORE, FX(64, 10) },
	{ "st3", 80, "i387_ext", NULL, F_CORE, FX(80, 10) },
	{ "st4", 80, "i387_ext", NULL, F_CORE, FX(96, 10) },
	{ "st5", 80, "i387_ext", NULL, F_CORE, FX(112, 10) },
	{ "st6", 80, "i387_ext", NULL, F_CORE, FX(128, 10) },
	{ "st7", 80, "i387_ext", NULL, F_CORE, FX(144, 10) },
	{ "fctrl", 32, "int", "float", F_CORE, FX(0, 2) },
	{ "fstat", 32, "int", "float", F_CORE, FX(2, 2) },
	{ "ftag", 32, "int", "float", F_CORE, FTAG_SPECIAL, 0 },
	/* 64-bit FXSAVE has a 64-bit FIP and FDP; gdb shows their upper
	 * halves as fiseg and foseg, as its amd64_supply_fxsave does. */
	{ "fiseg", 32, "int", "float", F_CORE, FX(12, 4) },
	{ "fioff", 32, "int", "float", F_CORE, FX(8, 4) },
	{ "foseg", 32, "int", "float", F_CORE, FX(20, 4) },
	{ "fooff", 32, "int", "float", F_CORE, FX(16, 4) },
	{ "fop", 32, "int", "float", F_CORE, FX(6, 2) },
	{ "xmm0", 128, "vec128", NULL, F_SSE, FX(160, 16) },
	{ "xmm1", 128, "vec128", NULL, F_SSE, FX(176, 16) },
	{ "xmm2", 128, "vec128", NULL, F_SSE, FX(192, 16) },
	{ "xmm3", 128, "vec128", NULL, F_SSE, FX(208, 16) },
	{ "xmm4", 128, "vec128", NULL, F_SSE, FX(224, 16) },
	{ "xmm5", 128, "vec128", NULL, F_SSE, FX(240, 16) },
	{ "xmm6", 128, "vec128", NULL, F_SSE, FX(256, 16) },
	{ "xmm7", 128, "vec128", NULL, F_SSE, FX(272, 16) },
	{ "xmm8", 128, "vec128", NULL, F_SSE, FX(288, 16) },
	{ "xmm9", 128, "vec128", NULL, F_SSE, FX(304, 16) },
	{ "xmm10", 128, "vec128", NULL, F_SSE, FX(320, 16) },
	{ "xmm11", 128, "vec128", NULL, F_SSE, FX(336, 16) },
	{ "xmm12", 128, "vec128", NULL, F_SSE, FX(352, 16) },
	{ "xmm13", 128, "vec128", NULL, F_SSE, FX(368, 16) },
	{ "xmm14", 128, "vec128", NULL, F_SSE, FX(384, 16) },
	{ "xmm15", 128, "vec128", NULL, F_SSE, FX(400, 16) },
	{ "mxcsr", 32, "i386_mxcsr", "vector", F_SSE, FX(24, 4) },
	{ "orig_rax", 64, "int", NULL, F_LINUX, GPR(orig_rax) },
	{ "fs_base", 64, "int", NULL, F_SEGMENTS, GPR(fs_base) },
	{ "gs_base", 64, "int", NULL, F_SEGMENTS, GPR(gs_base) },
};
#define NREGS (sizeof(regs) / sizeof(regs[0]))

unsigned regs_count(void)
{
	return NREGS;
}

size_t regs_size(void)
{
	size_t n = 0;
	for (size_t i = 0; i < NREGS; i++)
		n += regs[i].bits / 8;
	return n;
}

/* x87 tags from the register's bits (Intel SDM vol. 1, 8.1.7): exponent
 * all ones, or a denormal or unnormal, is special; all zero is zero. */
static unsigned fp_tag(const uint8_t *st)
{
	uint64_t mant;
	memcpy(&mant, st, 8);
	unsigned exp = (unsigned)(st[8] | st[9] << 8) & 0x7fff;
	if (exp == 0x7fff)
		return 2;
	if (exp == 0)
		return mant == 0 ? 1 : 2;
	return (mant >> 63) ? 0 : 2;
}

uint16_t regs_full_ftag(const uint8_t fx[512])
{
	unsigned top = (unsigned)(fx[2] | fx[3] << 8) >> 11 & 7;
	uint16_t tag = 0;
	for (unsigned phys = 0; phys < 8; phys++) {
		unsigned t = 3;
		if (fx[4] & (1u << phys))
			t = fp_tag(fx + 32 + 16 * ((phys - top) & 7)); /* ST(i) = phys - top */
		tag |= (uint16_t)(t << (2 * phys));
	}
	return tag;
}

uint8_t regs_abridged_ftag(uint16_t full)
{
	uint8_t a = 0;
	for (unsigned phys = 0; phys < 8; phys++)
		if ((full >> (2 * phys) & 3) != 3)
			a |= (uint8_t)(1u << phys);
	return a;
}

static void reg_get(const struct gdb_regs *r, const struct reg *d, uint8_t *val)
{
	size_t n = d->bits / 8;
	memset(val, 0, n);
	if (d->off == FTAG_SPECIAL) {
		uint16_t t = regs_full_ftag(r->fxsave);
		memcpy(val, &t, 2);
		return;
	}
	memcpy(val, (const uint8_t *)r + d->off, d->width < n ? d->width : n);
}

static void reg_set(struct gdb_regs *r, const struct reg *d, const uint8_t *val)
{
	size_t n = d->bits / 8;
	if (d->off == FTAG_SPECIAL) {
		r->fxsave[4] = regs_abridged_ftag((uint16_t)(val[0] | val[1] << 8));
		return;
	}
	uint8_t *dst = (uint8_t *)r + d->off;
	memset(dst, 0, d->width);
	memcpy(dst, val, d->width < n ? d->width : n);
}

void regs_encode_all(const struct gdb_regs *r, struct gdb_out *o)
{
	for (unsigned i = 0; i < NREGS; i++)
		regs_encode_one(r, i, o);
}

int regs_encode_one(const struct gdb_regs *r, unsigned n, struct gdb_out *o)
{
	uint8_t val[16];
	if (n >= NREGS)
		return -EINVAL;
	reg_get(r, &regs[n], val);
	out_hex(o, val, regs[n].bits / 8);
	return 0;
}

int regs_decode_one(struct gdb_regs *r, unsigned n, const char *p, const char *end)
{
	uint8_t val[16];
	if (n >= NREGS)
		return -EINVAL;
	size_t bytes = regs[n].bits / 8;
	if ((size_t)(end - p) != 2 * bytes || !hex_decode(p, 2 * bytes, val))
		return -EINVAL;
	reg_set(r, &regs[n], val);
	return 0;
}

int regs_decode_all(struct gdb_regs *r, const char *p, const char *end)
{
	if ((size_t)(end - p) != 2 * regs_size())
		return -EINVAL;
	struct gdb_regs tmp = *r; /* all or nothing */
	for (unsigned i = 0; i < NREGS; i++) {
		size_t digits = regs[i].bits / 4;
		if (regs_decode_one(&tmp, i, p, p + digits))
			return -EINVAL;
		p += digits;
	}
	*r = tmp;
	return 0;
}

void regs_target_xml(struct gdb_out *o)
{
	out_str(o, "<?xml version=\"1.0\"?><!DOCTYPE target SYSTEM \"gdb-target.dtd\">"
		   "<target version=\"1.0\"><architecture>i386:x86-64</architecture>"
		   "<osabi>GNU/Linux</osabi>");
	for (unsigned f = 0; f < F_COUNT; f++) {
		out_fmt(o, "<feature name=\"%s\">", features[f].name);
		out_str(o, features[f].types);
		for (unsigned i = 0; i < NREGS; i++) {
			if (regs[i].feature != f)
				continue;
			out_fmt(o, "<reg name=\"%s\" bitsize=\"%u\" type=\"%s\" regnum=\"%u\"",
				regs[i].name, regs[i].bits, regs[i].type, i);
			if (regs[i].group)
				out_fmt(o, " group=\"%s\"", regs[i].group);
			out_str(o, "/>");
		}
		out_str(o, "</feature>");
	}
	out_str(o, "</target>");
}
