/*
 * The program-state pieces of the divergence report, without a VM:
 * remote unwinding (debuginfo/backtrace.c) of this very process as if it
 * were another one, with and without an .eh_frame_hdr, the .eh_frame index
 * (debuginfo/ehframe.c), symbol lookup in an ELF (debuginfo/elfimage.c), the
 * frame-pointer fallback on a made-up stack, and the system call names.
 *
 * The self-unwind plays the guest's part faithfully: registers captured
 * at one instruction, memory reads confined to the stack (as the guest's
 * are to the program's half), and code and unwind tables from the ELF
 * file (/proc/self/exe) plus the load base, never from our own mapping.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/syscall.h>

#include <rrv/syscall_list.h>

#include "debuginfo/backtrace.h"
#include "debuginfo/ehframe.h"
#include "debuginfo/elfimage.h"
#include "debuginfo/sysnames.h"

/* Keeps each level a real frame with its own name: not inlined, cloned,
 * merged with a twin, or turned into a tail call (see the "+ 1"s). */
#define FRAME __attribute__((noipa))

static uint8_t *exe_image;     /* /proc/self/exe */
static size_t exe_size;
static struct elf_image *exe;
static uint64_t exe_base;      /* where the dynamic loader put us (PIE) */
static uint64_t stack_lo, stack_hi; /* the main thread's stack mapping */

static uint8_t *read_whole(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	uint8_t *buf = NULL;
	size_t used = 0, cap = 0;
	for (;;) {
		if (used == cap) {
			cap = cap ? cap * 2 : 1 << 20;
			uint8_t *grown = realloc(buf, cap);
			if (!grown)
				break;
			buf = grown;
		}
		size_t n = fread(buf + used, 1, cap - used, f);
		used += n;
		if (n == 0)
			break;
	}
	fclose(f);
	*size = used;
	return buf;
}

/* The load base: AT_PHDR is where our program headers are mapped, and the
 * PT_PHDR entry says where the ELF put them. */
static uint64_t load_base(void)
{
	const Elf64_Phdr *ph = (const Elf64_Phdr *)getauxval(AT_PHDR);
	unsigned long n = getauxval(AT_PHNUM);
	for (unsigned long i = 0; ph && i < n; i++)
		if (ph[i].p_type == PT_PHDR)
			return (uint64_t)(uintptr_t)ph - ph[i].p_vaddr;
	return 0; /* no PT_PHDR: not PIE */
}

static int find_stack(void)
{
	FILE *f = fopen("/proc/self/maps", "r");
	if (!f)
		return -1;
	char line[512];
	int found = -1;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long lo, hi;
		if (strstr(line, "[stack]") &&
		    sscanf(line, "%llx-%llx", &lo, &hi) == 2) {
			stack_lo = lo;
			stack_hi = hi;
			found = 0;
		}
	}
	fclose(f);
	return found;
}

static int setup(void **state)
{
	(void)state;
	char err[128];
	exe_image = read_whole("/proc/self/exe", &exe_size);
	if (!exe_image || find_stack() < 0)
		return -1;
	exe = elf_image_load(exe_image, exe_size, err, sizeof(err));
	if (!exe) {
		fprintf(stderr, "test_backtrace: /proc/self/exe: %s\n", err);
		return -1;
	}
	exe_base = elf_image_is_pie(exe) ? load_base() : 0;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	elf_image_free(exe);
	free(exe_image);
	return 0;
}

/* The target's memory is our stack, and nothing else. */
static size_t read_stack(void *ctx, uint64_t addr, void *buf, size_t len)
{
	(void)ctx;
	if (addr < stack_lo || addr >= stack_hi || len > stack_hi - addr)
		return 0;
	memcpy(buf, (const void *)(uintptr_t)addr, len);
	return len;
}

/* The name of the function holding a frame's address: for callers, the
 * call before the return address. */
static const char *frame_name(uint64_t ip, int frame)
{
	uint64_t off;
	uint64_t at = frame == 0 ? ip : ip - 1;
	if (at < exe_base)
		return NULL;
	return elf_image_symbol(exe, at - exe_base, &off);
}

/* ---- unwinding this process from three frames down ---- */

static uint64_t captured[BT_NREGS];
static uint64_t ips[BT_MAX_FRAMES];
static int nips;

/* Runs below the captured frame, so the frames it unwinds are intact. */
static FRAME void unwind_captured(const struct elf_image *elf)
{
	struct bt_target t = {
		.read = read_stack,
		.elf = elf,
		.load_base = exe_base,
	};
	memcpy(t.regs, captured, sizeof(t.regs));
	nips = backtrace_remote(&t, ips, BT_MAX_FRAMES);
}

static FRAME int bt_level3(int x, const struct elf_image *elf)
{
	/* One instruction's worth of state: the rip of the second
	 * instruction and the registers a caller's CFI may refer to. */
	__asm__ volatile("leaq 0(%%rip), %%rax\n\t"
			 "movq %%rax, %0\n\t"
			 "movq %%rsp, %1\n\t"
			 "movq %%rbp, %2\n\t"
			 "movq %%rbx, %3\n\t"
			 "movq %%r12, %4\n\t"
			 "movq %%r13, %5\n\t"
			 "movq %%r14, %6\n\t"
			 "movq %%r15, %7\n\t"
			 : "=m"(captured[BT_RIP]), "=m"(captured[BT_RSP]),
			   "=m"(captured[BT_RBP]), "=m"(captured[BT_RBX]),
			   "=m"(captured[BT_R12]), "=m"(captured[BT_R13]),
			   "=m"(captured[BT_R14]), "=m"(captured[BT_R15])
			 :
			 : "rax");
	unwind_captured(elf);
	return x * 2;
}

static FRAME int bt_level2(int x, const struct elf_image *elf)
{
	return bt_level3(x + 1, elf) + 1;
}

static FRAME int bt_level1(int x, const struct elf_image *elf)
{
	return bt_level2(x + 1, elf) + 1;
}

static void test_unwinds_own_stack(void **state)
{
	(void)state;
	memset(captured, 0, sizeof(captured));
	assert_int_equal(bt_level1(1, exe), 8);
	if (nips < 4)
		fail_msg("backtrace_remote gave %d frames", nips);
	assert_string_equal(frame_name(ips[0], 0), "bt_level3");
	assert_string_equal(frame_name(ips[1], 1), "bt_level2");
	assert_string_equal(frame_name(ips[2], 2), "bt_level1");
	assert_string_equal(frame_name(ips[3], 3), "test_unwinds_own_stack");
	/* Frame 0 is exactly the captured rip. */
	assert_true(ips[0] == captured[BT_RIP]);
	assert_true(nips <= BT_MAX_FRAMES);
}

static void test_unwind_honours_max(void **state)
{
	(void)state;
	bt_level1(1, exe); /* fills captured[], unwinds once */
	struct bt_target t = {
		.read = read_stack,
		.elf = exe,
		.load_base = exe_base,
	};
	memcpy(t.regs, captured, sizeof(t.regs));
	/* The frames are gone by now, but one entry needs no step: only the
	 * bound is checked (nothing is written past it). */
	uint64_t two[2] = { 0, 0 };
	int n = backtrace_remote(&t, two, 1);
	assert_int_equal(n, 1);
	assert_true(two[0] == captured[BT_RIP]);
	assert_true(two[1] == 0);
}

static void test_remote_needs_unwind_tables(void **state)
{
	(void)state;
	struct bt_target t = { .read = read_stack, .elf = NULL };
	t.regs[BT_RIP] = 0x401000;
	t.regs[BT_RSP] = stack_lo;
	uint64_t out[4];
	assert_int_equal(backtrace_remote(&t, out, 4), -1);
}

/* A copy of our image to damage, with the offset of its PT_GNU_EH_FRAME
 * program header. */
static uint8_t *damaged_copy(Elf64_Phdr **eh_frame_hdr)
{
	uint8_t *copy = malloc(exe_size);
	assert_non_null(copy);
	memcpy(copy, exe_image, exe_size);
	Elf64_Ehdr *eh = (Elf64_Ehdr *)copy;
	Elf64_Phdr *ph = (Elf64_Phdr *)(copy + eh->e_phoff);
	*eh_frame_hdr = NULL;
	for (int i = 0; i < eh->e_phnum; i++)
		if (ph[i].p_type == PT_GNU_EH_FRAME)
			*eh_frame_hdr = &ph[i];
	assert_non_null(*eh_frame_hdr);
	return copy;
}

static void expect_three_levels(void)
{
	if (nips < 4)
		fail_msg("backtrace_remote gave %d frames", nips);
	assert_string_equal(frame_name(ips[0], 0), "bt_level3");
	assert_string_equal(frame_name(ips[1], 1), "bt_level2");
	assert_string_equal(frame_name(ips[2], 2), "bt_level1");
}

/* As after gcc -static: .eh_frame, no .eh_frame_hdr.  The search table is
 * built from .eh_frame instead. */
static void test_unwinds_without_eh_frame_hdr(void **state)
{
	(void)state;
	Elf64_Phdr *hdr;
	uint8_t *copy = damaged_copy(&hdr);
	hdr->p_type = PT_NULL;
	char err[128];
	struct elf_image *e = elf_image_load(copy, exe_size, err, sizeof(err));
	assert_non_null(e);
	uint64_t a, sz;
	assert_false(elf_image_eh_frame_hdr(e, &a, &sz));
	assert_true(elf_image_eh_frame(e, &a, &sz));
	bt_level1(1, e);
	expect_three_levels();
	elf_image_free(e);
	free(copy);
}

/* A header table in a layout libunwind would misread is not used: the
 * table built from .eh_frame is. */
static void test_odd_eh_frame_hdr_falls_back(void **state)
{
	(void)state;
	Elf64_Phdr *hdr;
	uint8_t *copy = damaged_copy(&hdr);
	copy[hdr->p_offset + 3] = 0x1b; /* table_enc: pcrel, not datarel */
	char err[128];
	struct elf_image *e = elf_image_load(copy, exe_size, err, sizeof(err));
	assert_non_null(e);
	bt_level1(1, e);
	expect_three_levels();
	elf_image_free(e);
	free(copy);
}

/* Neither table: libunwind is not tried, the caller falls back. */
static void test_no_unwind_tables_at_all(void **state)
{
	(void)state;
	Elf64_Phdr *hdr;
	uint8_t *copy = damaged_copy(&hdr);
	hdr->p_type = PT_NULL;
	Elf64_Ehdr *eh = (Elf64_Ehdr *)copy;
	Elf64_Shdr *sh = (Elf64_Shdr *)(copy + eh->e_shoff);
	const char *names = (const char *)copy + sh[eh->e_shstrndx].sh_offset;
	for (int i = 0; i < eh->e_shnum; i++)
		if (strcmp(names + sh[i].sh_name, ".eh_frame") == 0)
			sh[i].sh_type = SHT_NOBITS; /* as if it were not there */
	char err[128];
	struct elf_image *e = elf_image_load(copy, exe_size, err, sizeof(err));
	assert_non_null(e);
	uint64_t a, sz;
	assert_false(elf_image_eh_frame(e, &a, &sz));
	bt_level1(1, e);
	assert_int_equal(nips, -1);
	elf_image_free(e);
	free(copy);
}

/* ---- indexing .eh_frame ---- */

#define EH_ADDR 0x480000ull /* where the made-up section "is" */

static void put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4); /* little-endian host */
}

/*
 * One CIE ("zR", pc-relative sdata4 pointers) and three FDEs: one for
 * EH_ADDR-0xe00, one for EH_ADDR-0x1000 (out of order on purpose), one
 * with an empty range (discarded code, left out), then the terminator.
 */
static size_t made_up_eh_frame(uint8_t *b)
{
	memset(b, 0, 88);
	static const uint8_t cie[24] = {
		20, 0, 0, 0,  0, 0, 0, 0,  1, 'z', 'R', 0,
		1, 0x78, 16, 1, 0x1b,            /* code 1, data -8, ra 16 */
		0x0c, 7, 8, 0x90, 1, 0, 0,       /* def_cfa rsp+8, ra at -8 */
	};
	memcpy(b, cie, sizeof(cie));
	const struct { size_t at; uint64_t begin; uint32_t range; } fde[] = {
		{ 24, EH_ADDR - 0xe00, 0x40 },
		{ 44, EH_ADDR - 0x1000, 0x80 },
		{ 64, EH_ADDR - 0x900, 0 },
	};
	for (size_t i = 0; i < 3; i++) {
		uint8_t *f = b + fde[i].at;
		put32(f, 16);                            /* length */
		put32(f + 4, (uint32_t)(fde[i].at + 4)); /* back to the CIE */
		uint64_t field = EH_ADDR + fde[i].at + 8;
		put32(f + 8, (uint32_t)(fde[i].begin - field)); /* pcrel */
		put32(f + 12, fde[i].range);
		/* f[16]: augmentation length 0; then padding */
	}
	return 88; /* the last 4 bytes: the zero terminator */
}

static void test_ehframe_index(void **state)
{
	(void)state;
	uint8_t b[88];
	size_t size = made_up_eh_frame(b);
	struct eh_entry *e;
	assert_int_equal(ehframe_index(b, size, EH_ADDR, &e), 2);
	assert_int_equal(e[0].start, -0x1000);
	assert_int_equal(e[0].fde, 44);
	assert_int_equal(e[1].start, -0xe00);
	assert_int_equal(e[1].fde, 24);
	free(e);

	/* A record running past the section ends the walk. */
	assert_int_equal(ehframe_index(b, 40, EH_ADDR, &e), 0);
	assert_null(e);
	assert_int_equal(ehframe_index(b, 64, EH_ADDR, &e), 2);
	free(e);
	/* An augmentation we cannot skip: its FDEs are left out. */
	b[10] = 'X';
	assert_int_equal(ehframe_index(b, size, EH_ADDR, &e), 0);
	b[10] = 'R';
	/* An FDE pointing before the section's start is skipped. */
	put32(b + 28, 1000);
	assert_int_equal(ehframe_index(b, size, EH_ADDR, &e), 1);
	free(e);
	assert_int_equal(ehframe_index(NULL, 0, EH_ADDR, &e), 0);
}

/* Untrusted bytes: every truncation and every single-bit flip must be
 * survived (the unit tests run under no sanitizer, but a crash or a wild
 * entry count would still show). */
static void test_ehframe_index_damaged(void **state)
{
	(void)state;
	uint8_t good[88], b[88];
	size_t size = made_up_eh_frame(good);
	struct eh_entry *e;
	for (size_t cut = 0; cut <= size; cut++) {
		memcpy(b, good, size);
		size_t n = ehframe_index(b, cut, EH_ADDR, &e);
		assert_true(n <= 3);
		free(e);
	}
	for (size_t bit = 0; bit < size * 8; bit++) {
		memcpy(b, good, size);
		b[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		size_t n = ehframe_index(b, size, EH_ADDR, &e);
		assert_true(n <= 3);
		for (size_t i = 1; i < n; i++)
			assert_true(e[i - 1].start <= e[i].start);
		free(e);
	}
}

/* ---- symbols ---- */

static void test_symbol_lookup(void **state)
{
	(void)state;
	uint64_t addr, off;
	uint64_t fn = (uint64_t)(uintptr_t)&bt_level2 - exe_base;
	assert_true(elf_image_symbol_addr(exe, "bt_level2", &addr));
	assert_true(addr == fn);
	assert_string_equal(elf_image_symbol(exe, fn, &off), "bt_level2");
	assert_true(off == 0);
	assert_string_equal(elf_image_symbol(exe, fn + 3, &off), "bt_level2");
	assert_true(off == 3);
	assert_null(elf_image_symbol(exe, 0, &off));
	assert_true(elf_image_symbol_count(exe) > 10);
	assert_false(elf_image_symbol_addr(exe, "no_such_function_here", &addr));
}

static void test_elf_reads_read_only_segments(void **state)
{
	(void)state;
	/* The code bytes in the file are the code bytes we run. */
	uint64_t fn = (uint64_t)(uintptr_t)&bt_level1 - exe_base;
	uint8_t from_file[16];
	assert_int_equal(elf_image_read(exe, fn, from_file, sizeof(from_file)),
			 sizeof(from_file));
	assert_memory_equal(from_file, (const void *)&bt_level1,
			    sizeof(from_file));
	uint64_t hdr, size;
	assert_true(elf_image_eh_frame_hdr(exe, &hdr, &size));
	uint8_t version;
	assert_int_equal(elf_image_read(exe, hdr, &version, 1), 1);
	assert_int_equal(version, 1);
	/* Writable data is refused: a program may have changed it. */
	static int writable = 42;
	uint8_t b[4];
	assert_int_equal(elf_image_read(exe, (uint64_t)(uintptr_t)&writable -
					exe_base, b, sizeof(b)), 0);
}

static void test_elf_rejects_non_elf(void **state)
{
	(void)state;
	char err[128];
	static const char junk[] = "#!/bin/sh\necho not an ELF\n";
	assert_null(elf_image_load(junk, sizeof(junk), err, sizeof(err)));
	assert_string_equal(err, "not an ELF file");
	/* Cut inside the ELF header. */
	assert_null(elf_image_load(exe_image, 20, err, sizeof(err)));
	assert_null(elf_image_load(exe_image, 0, err, sizeof(err)));
	/* Another machine. */
	uint8_t *copy = malloc(exe_size);
	assert_non_null(copy);
	memcpy(copy, exe_image, exe_size);
	((Elf64_Ehdr *)copy)->e_machine = EM_AARCH64;
	assert_null(elf_image_load(copy, exe_size, err, sizeof(err)));
	assert_string_equal(err, "not a 64-bit x86-64 ELF file");
	free(copy);
}

/* ---- the frame-pointer fallback, on a made-up stack ---- */

static uint64_t fake_stack[32];

static size_t read_fake(void *ctx, uint64_t addr, void *buf, size_t len)
{
	(void)ctx;
	uint64_t lo = (uint64_t)(uintptr_t)fake_stack;
	uint64_t hi = lo + sizeof(fake_stack);
	if (addr < lo || addr >= hi || len > hi - addr)
		return 0;
	memcpy(buf, (const void *)(uintptr_t)addr, len);
	return len;
}

#define FAKE(i) ((uint64_t)(uintptr_t)&fake_stack[i])

static void test_frame_pointer_walk(void **state)
{
	(void)state;
	memset(fake_stack, 0, sizeof(fake_stack));
	/* Three frame records, each the caller's rbp then a return address;
	 * the outermost ends the chain with rbp 0. */
	fake_stack[4] = FAKE(10);
	fake_stack[5] = 0x1111;
	fake_stack[10] = FAKE(20);
	fake_stack[11] = 0x2222;
	fake_stack[20] = 0;
	fake_stack[21] = 0x3333;
	struct bt_target t = { .read = read_fake };
	t.regs[BT_RIP] = 0x1000;
	t.regs[BT_RSP] = FAKE(2);
	t.regs[BT_RBP] = FAKE(4);
	uint64_t out[8];
	assert_int_equal(backtrace_fp(&t, out, 8), 4);
	assert_true(out[0] == 0x1000 && out[1] == 0x1111 &&
		    out[2] == 0x2222 && out[3] == 0x3333);
	assert_int_equal(backtrace_fp(&t, out, 2), 2);

	/* A chain that points back down would loop: it stops instead. */
	fake_stack[20] = FAKE(4);
	assert_int_equal(backtrace_fp(&t, out, 8), 4);
	/* A chain that leaves the readable stack stops there. */
	fake_stack[20] = 0x10;
	assert_int_equal(backtrace_fp(&t, out, 8), 4);
	/* An rbp below the stack pointer is not a frame record. */
	t.regs[BT_RSP] = FAKE(6);
	assert_int_equal(backtrace_fp(&t, out, 8), 1);
	/* No rip: nothing to show. */
	t.regs[BT_RIP] = 0;
	assert_int_equal(backtrace_fp(&t, out, 8), 0);
}

/* ---- system call names ---- */

static void test_syscall_names(void **state)
{
	(void)state;
	assert_string_equal(syscall_name(SYS_read), "read");
	assert_string_equal(syscall_name(SYS_write), "write");
	assert_string_equal(syscall_name(SYS_openat), "openat");
	assert_string_equal(syscall_name(SYS_exit_group), "exit_group");
	assert_string_equal(syscall_name(SYS_rt_sigreturn), "rt_sigreturn");
	assert_string_equal(syscall_name(SYS_rseq), "rseq");
	assert_string_equal(syscall_name(SYS_clone3), "clone3");
	assert_string_equal(syscall_name(SYS_futex_waitv), "futex_waitv");
	/* Every call of the generated list by its name; one newer than the
	 * build machine's headers has none. */
#define HAS_NAME(nr, name) assert_string_equal(syscall_name(nr), #name);
	RRV_SYSCALL_LIST(HAS_NAME)
#undef HAS_NAME
	assert_null(syscall_name(RRV_SYSCALL_NR_MAX));
	assert_null(syscall_name(335)); /* the unused gap before 424 */
	assert_null(syscall_name(423));
	assert_null(syscall_name(100000));
	assert_null(syscall_name(UINT64_MAX));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unwinds_own_stack),
		cmocka_unit_test(test_unwind_honours_max),
		cmocka_unit_test(test_remote_needs_unwind_tables),
		cmocka_unit_test(test_unwinds_without_eh_frame_hdr),
		cmocka_unit_test(test_odd_eh_frame_hdr_falls_back),
		cmocka_unit_test(test_no_unwind_tables_at_all),
		cmocka_unit_test(test_ehframe_index),
		cmocka_unit_test(test_ehframe_index_damaged),
		cmocka_unit_test(test_symbol_lookup),
		cmocka_unit_test(test_elf_reads_read_only_segments),
		cmocka_unit_test(test_elf_rejects_non_elf),
		cmocka_unit_test(test_frame_pointer_walk),
		cmocka_unit_test(test_syscall_names),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
