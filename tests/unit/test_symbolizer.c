/*
 * The symbolizer (debuginfo/symbolizer.c) and what it is built on, without
 * a VM: source lines from DWARF (elfimage.c with libdw), names across
 * several objects (this program and the C library it is linked with, each
 * at the base the dynamic loader chose), an object whose file is missing,
 * and a remote backtrace that crosses from the C library back into this
 * program (backtrace.c with several modules).  This process plays the
 * guest program: its ELF files are read from disk, and its memory is read
 * only on its stack.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "debuginfo/backtrace.h"
#include "debuginfo/elfimage.h"
#include "debuginfo/symbolizer.h"

#define FRAME __attribute__((noipa))

static uint64_t exe_base, libc_base;
static char libc_path[4096];
static uint64_t stack_lo, stack_hi;

/* The objects as the dynamic loader has them: the program (empty name)
 * and the C library, with their load biases. */
static int find_object(struct dl_phdr_info *info, size_t size, void *data)
{
	(void)size;
	(void)data;
	if (!info->dlpi_name || !info->dlpi_name[0]) {
		exe_base = info->dlpi_addr;
		return 0;
	}
	const char *slash = strrchr(info->dlpi_name, '/');
	if (slash && strncmp(slash + 1, "libc.so", 7) == 0)  {
		libc_base = info->dlpi_addr;
		snprintf(libc_path, sizeof(libc_path), "%s", info->dlpi_name);
	}
	return 0;
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
	dl_iterate_phdr(find_object, NULL);
	if (!libc_path[0] || find_stack() < 0) {
		fprintf(stderr, "test_symbolizer: no C library or stack found\n");
		return -1;
	}
	return 0;
}

/* Whether the C library's separate debug file is where the symbolizer
 * looks first: under SYM_DEBUG_DIR by its build id. */
static bool libc_debug_file(void)
{
	size_t size;
	char why[128];
	uint8_t *bytes = symbolizer_read_file(libc_path, &size, why, sizeof(why));
	assert_non_null(bytes);
	struct elf_image *e = elf_image_load(bytes, size, why, sizeof(why));
	free(bytes);
	assert_non_null(e);
	const uint8_t *id;
	size_t n = elf_image_build_id(e, &id);
	char path[512];
	int w = snprintf(path, sizeof(path), "%s/.build-id/", SYM_DEBUG_DIR);
	for (size_t i = 0; i < n; i++)
		w += snprintf(path + w, sizeof(path) - (size_t)w,
			      i == 1 ? "/%02x" : "%02x", id[i]);
	snprintf(path + w, sizeof(path) - (size_t)w, ".debug");
	elf_image_free(e);
	assert_true(n >= 2); /* Debian's libraries all have one */
	return access(path, R_OK) == 0;
}

static struct symbolizer *with_program(void)
{
	struct symbolizer *s = symbolizer_new();
	assert_non_null(s);
	assert_true(symbolizer_add_file(s, "/proc/self/exe", exe_base));
	uint64_t base;
	const char *why = "unset";
	assert_string_equal(symbolizer_module(s, 0, &base, &why), "/proc/self/exe");
	assert_null(why);
	assert_true(base == exe_base);
	return s;
}

/* An address in this function and the line it is on (one statement, one
 * line: the label is the lea itself). */
static FRAME uint64_t here(int *line)
{
	uint64_t pc;
	__asm__ volatile("1: leaq 1b(%%rip), %0" : "=r"(pc)); *line = __LINE__;
	return pc;
}

static void test_line_of_an_address(void **state)
{
	(void)state;
	int want = 0;
	uint64_t pc = here(&want);
	struct symbolizer *s = with_program();
	char name[256];
	symbolizer_name(s, pc, pc, name, sizeof(name));
	char expect[64];
	snprintf(expect, sizeof(expect), " (test_symbolizer.c:%d)", want);
	/* The lea may be the function's first instruction: "here" alone. */
	if (strncmp(name, "here", 4) != 0 || (name[4] != '+' && name[4] != ' ') ||
	    !strstr(name, expect))
		fail_msg("named %s, wanted here... %s", name, expect);
	/* The program's names carry no object name. */
	assert_null(strstr(name, " in "));
	symbolizer_free(s);
}

static void test_names_in_a_shared_library(void **state)
{
	(void)state;
	struct symbolizer *s = with_program();
	assert_true(symbolizer_add_file(s, libc_path, libc_base));
	assert_int_equal(symbolizer_count(s), 2);
	/* qsort's entry, and a return address inside it (lookup one before
	 * the address: the offset still counts from the address). */
	uint64_t q = (uint64_t)(uintptr_t)&qsort;
	char name[256];
	symbolizer_name(s, q, q, name, sizeof(name));
	const char *slash = strrchr(libc_path, '/');
	/* With the C library's separate debug file installed (libc6-dbg),
	 * its line too: "qsort (msort.c:307) in libc.so.6". */
	bool dbg = libc_debug_file();
	char expect[128];
	snprintf(expect, sizeof(expect), " in %s", slash + 1);
	assert_true(strncmp(name, "qsort ", 6) == 0);
	assert_true(strlen(name) > strlen(expect) &&
		    strcmp(name + strlen(name) - strlen(expect), expect) == 0);
	if (dbg != (strstr(name, ".c:") != NULL))
		fail_msg("named %s, with%s a debug file", name, dbg ? "" : "out");
	symbolizer_name(s, q + 5, q + 4, name, sizeof(name));
	assert_true(strncmp(name, "qsort+0x5 ", 10) == 0);
	/* Far outside every object: no name at all. */
	symbolizer_name(s, 0x1000, 0x1000, name, sizeof(name));
	assert_string_equal(name, "");
	symbolizer_free(s);
}

static void test_missing_library_is_named(void **state)
{
	(void)state;
	struct symbolizer *s = with_program();
	assert_true(symbolizer_add_file(s, "/nonexistent/libgone.so.1",
					0x7f0000000000ull));
	uint64_t base;
	const char *why = NULL;
	assert_string_equal(symbolizer_module(s, 1, &base, &why),
			    "/nonexistent/libgone.so.1");
	assert_non_null(why);
	assert_non_null(strstr(why, "No such file or directory"));
	assert_true(base == 0x7f0000000000ull);
	/* Its addresses are unknown, never another object's. */
	char name[128];
	symbolizer_name(s, 0x7f0000001000ull, 0x7f0000001000ull, name,
			sizeof(name));
	assert_string_equal(name, "");
	/* A file that is no ELF is named with the reason too. */
	assert_true(symbolizer_add_file(s, "/proc/self/maps", 0));
	assert_non_null(symbolizer_module(s, 2, &base, &why));
	assert_non_null(why);
	symbolizer_free(s);
}

/* The target's memory as this process has it mapped, or with one byte
 * changed, or not at all. */
static size_t read_ours(void *ctx, uint64_t addr, void *buf, size_t len)
{
	memcpy(buf, (const void *)(uintptr_t)addr, len);
	if (ctx && len)
		((uint8_t *)buf)[0] ^= 0xff;
	return len;
}

static size_t read_nothing(void *ctx, uint64_t addr, void *buf, size_t len)
{
	(void)ctx;
	(void)addr;
	(void)buf;
	(void)len;
	return 0;
}

static void test_check_against_memory(void **state)
{
	(void)state;
	struct symbolizer *s = with_program();
	assert_true(symbolizer_add_file(s, libc_path, libc_base));
	uint64_t base;
	const char *why;
	/* The mapped C library is the file. */
	assert_true(symbolizer_check(s, 1, read_ours, NULL));
	symbolizer_module(s, 1, &base, &why);
	assert_null(why);
	/* Memory that cannot be read proves nothing. */
	assert_true(symbolizer_check(s, 1, read_nothing, NULL));
	/* One changed byte: the file is not what was mapped. */
	int changed = 1;
	assert_false(symbolizer_check(s, 1, read_ours, &changed));
	symbolizer_module(s, 1, &base, &why);
	assert_non_null(why);
	assert_non_null(strstr(why, "differs"));
	char name[128];
	uint64_t q = (uint64_t)(uintptr_t)&qsort;
	symbolizer_name(s, q, q, name, sizeof(name));
	assert_string_equal(name, "");
	symbolizer_free(s);
}

/* ---- a backtrace from inside qsort's comparator ---- */

static uint64_t captured[BT_NREGS];
static uint64_t ips[BT_MAX_FRAMES];
static int nips;
static struct symbolizer *unwind_with;

static size_t read_stack(void *ctx, uint64_t addr, void *buf, size_t len)
{
	(void)ctx;
	if (addr < stack_lo || addr >= stack_hi || len > stack_hi - addr)
		return 0;
	memcpy(buf, (const void *)(uintptr_t)addr, len);
	return len;
}

static FRAME void unwind_captured(void)
{
	struct bt_module prog, libs[BT_MAX_MODULES];
	size_t n = symbolizer_bt(unwind_with, &prog, libs, BT_MAX_MODULES);
	struct bt_target t = {
		.read = read_stack,
		.elf = prog.elf,
		.load_base = prog.load_base,
		.mods = libs,
		.nmods = n,
	};
	memcpy(t.regs, captured, sizeof(t.regs));
	nips = backtrace_remote(&t, ips, BT_MAX_FRAMES);
}

static FRAME int compare(const void *a, const void *b)
{
	if (nips == 0) {
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
		unwind_captured();
		if (nips == 0)
			nips = -2; /* unwound to nothing: still only once */
	}
	return *(const int *)a - *(const int *)b;
}

static FRAME int sort_some(void)
{
	int v[4] = { 3, 1, 2, 0 };
	qsort(v, 4, sizeof(v[0]), compare);
	return v[0] + 1;
}

static void test_unwinds_through_the_c_library(void **state)
{
	(void)state;
	unwind_with = with_program();
	assert_true(symbolizer_add_file(unwind_with, libc_path, libc_base));
	nips = 0;
	assert_int_equal(sort_some(), 1);
	if (nips < 3)
		fail_msg("backtrace_remote gave %d frames", nips);
	/* compare, then the C library's frames, then sort_some: found only
	 * by unwinding libc's frames with libc's own tables. */
	char name[256];
	int libc_frames = 0, sort_at = -1;
	for (int i = 1; i < nips && sort_at < 0; i++) {
		symbolizer_name(unwind_with, ips[i], ips[i] - 1, name,
				sizeof(name));
		if (strstr(name, " in libc.so"))
			libc_frames++;
		if (strncmp(name, "sort_some+0x", 12) == 0)
			sort_at = i;
	}
	symbolizer_name(unwind_with, ips[0], ips[0], name, sizeof(name));
	assert_true(strncmp(name, "compare+0x", 10) == 0);
	if (sort_at < 0 || libc_frames == 0)
		fail_msg("sort_some at frame %d after %d libc frames", sort_at,
			 libc_frames);
	symbolizer_free(unwind_with);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_line_of_an_address),
		cmocka_unit_test(test_names_in_a_shared_library),
		cmocka_unit_test(test_missing_library_is_named),
		cmocka_unit_test(test_check_against_memory),
		cmocka_unit_test(test_unwinds_through_the_c_library),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
