/*
 * Self-tests (contract in ktest.h).  Each test is a function that never
 * returns: it ends the machine itself, because what is being tested is
 * often the way the machine ends.
 *
 * Command line words, besides ktest=NAME:
 *   ktest=hello  [exit=N] [msg=TEXT]   TEXT is one word (no spaces)
 *   ktest=fault  kind=ud|gp|pf|de|bp|df|null|stack
 *   ktest=debugreg                     DR7 shared by its two owners
 */
#include "kernel/ktest.h"

#include <stdbool.h>
#include <stdint.h>

#include "arch/x86/debugreg.h"
#include "arch/x86/vm.h"
#include "hv/hypercall.h"
#include "lib/bootinfo.h"
#include "lib/kprintf.h"
#include "lib/string.h"

#define EXIT_USAGE 2 /* a malformed ktest command line */

static bool word_is(const char *w, size_t len, const char *s)
{
	return len == strlen(s) && memcmp(w, s, len) == 0;
}

/* Stops on a usage error: a warning that says what, then status 2. */
__attribute__((noreturn)) static void usage(const char *what)
{
	kwarn("ktest: %s\n", what);
	hc_exit(EXIT_USAGE);
}

/* Parses a decimal exit status, 0..255. */
static int parse_status(const char *v, size_t len)
{
	int n = 0;
	if (len == 0 || len > 3)
		usage("exit= wants a number from 0 to 255");
	for (size_t i = 0; i < len; i++) {
		if (v[i] < '0' || v[i] > '9')
			usage("exit= wants a number from 0 to 255");
		n = n * 10 + (v[i] - '0');
	}
	if (n > 255)
		usage("exit= wants a number from 0 to 255");
	return n;
}

__attribute__((noreturn)) static void test_hello(void)
{
	const char *v;
	size_t len;
	int status = 0;

	if (cmdline_get("exit", &v, &len))
		status = parse_status(v, len);
	if (cmdline_get("msg", &v, &len)) {
		hc_write(1, v, len);
		hc_write(1, "\n", 1);
	} else {
		static const char hello[] = "hello from rekernel-rr\n";
		hc_write(1, hello, sizeof(hello) - 1);
	}
	hc_exit(status);
}

__attribute__((noreturn)) static void test_stderr(void)
{
	hc_write(2, "to stderr\n", 10);
	hc_write(1, "to stdout\n", 10);
	hc_exit(0);
}

__attribute__((noreturn)) static void test_panic(void)
{
	panic("self-test panic %d", 42);
}

__attribute__((noreturn)) static void test_args(void)
{
	const char *s = bootinfo.strings;

	kwritef(1, "argc=%u envc=%u\n", bootinfo.argc, bootinfo.envc);
	kwritef(1, "path=%s\n", bootinfo.exec_path);
	for (uint32_t i = 0; i < bootinfo.argc; i++, s = next_string(s))
		kwritef(1, "argv[%u]=%s\n", i, s);
	for (uint32_t i = 0; i < bootinfo.envc; i++, s = next_string(s))
		kwritef(1, "envp[%u]=%s\n", i, s);
	hc_exit(0);
}

/* The VMM must refuse, with -EFAULT, every guest-physical range that is not
 * wholly inside guest memory, including the struct address itself. */
__attribute__((noreturn)) static void test_badptr(void)
{
	struct rrv_hc_iovec iov;
	int64_t r[3];
	const uint32_t outside = 0xfffff000; /* RAM is at most 3 GiB */

	iov.base = bootinfo.mem_bytes; /* the first byte past the end */
	iov.len = 16;
	r[0] = hc_write_iov(1, &iov, 1);

	iov.base = 0xffffffffffff0000ull; /* base + len wraps past 2^64 */
	iov.len = 0x20000;
	r[1] = hc_write_iov(1, &iov, 1);

	if (bootinfo.mem_bytes > outside)
		usage("badptr: guest memory reaches 0xfffff000");
	r[2] = (int64_t)(int32_t)(uint32_t)hc_raw(RRV_HC_WRITE, outside);

	kwritef(1, "badptr: iov-beyond-memory -> %ld\n", r[0]);
	kwritef(1, "badptr: iov-wrapping -> %ld\n", r[1]);
	kwritef(1, "badptr: struct-outside-memory -> %ld\n", r[2]);
	hc_exit(r[0] == -14 && r[1] == -14 && r[2] == -14 ? 0 : 1);
}

/* Unknown and reserved numbers must both come back -ENOSYS in the struct. */
__attribute__((noreturn)) static void test_badnr(void)
{
	struct rrv_hc_hdr h = { .ret = 0 };
	int64_t unknown = hc_call(0xfe, &h);
	h.ret = 0;
	int64_t reserved = hc_call(RRV_HC_RESERVED, &h);

	kwritef(1, "badnr: -> %ld\n", unknown);
	kwritef(1, "badnr: reserved -> %ld\n", reserved);
	hc_exit(unknown == -38 && reserved == -38 ? 0 : 1);
}

/* The direct map must alias the image's memory and reach the last byte of
 * RAM it claims to cover. */
__attribute__((noreturn)) static void test_vm(void)
{
	static volatile uint64_t probe = 1;
	volatile uint64_t *alias = phys_to_virt(virt_to_phys((const void *)&probe));
	uint64_t bytes = vm_dmap_bytes();
	volatile uint8_t *last = phys_to_virt(bytes - 1);
	bool ok;

	*alias = 0x5eed;
	*last = 0xa5;
	ok = probe == 0x5eed && *last == 0xa5 &&
	     virt_to_phys((const void *)(uintptr_t)last) == bytes - 1;
	kwritef(1, "vm: direct map of %lu MiB at %p: %s\n", bytes >> 20,
		(void *)DMAP_BASE, ok ? "ok" : "FAILED");
	hc_exit(ok ? 0 : 1);
}

/* Recurses until it runs into the guard page below the stack.  The depth
 * test and the volatile frame keep gcc from turning it into a loop. */
static uint64_t recurse(uint64_t depth)
{
	volatile char frame[256];
	frame[0] = (char)depth;
	if (depth == UINT64_MAX)
		return 0;
	return recurse(depth + 1) + frame[0];
}

/* Each kind provokes its exception in ring 0; trap() reports it through
 * RRV_HC_PANIC, so none of these return. */
__attribute__((noreturn)) static void test_fault(void)
{
	const char *k;
	size_t len;

	if (!cmdline_get("kind", &k, &len))
		usage("fault wants kind=ud|gp|pf|de|bp|df|null|stack");

	if (word_is(k, len, "ud")) {
		asm volatile("ud2");
	} else if (word_is(k, len, "gp")) {
		/* Bits 63..47 disagree: not canonical, so #GP, not #PF. */
		uint64_t v, addr = 0x8000000000000000ull;
		asm volatile("movq (%1), %0" : "=r"(v) : "r"(addr) : "memory");
	} else if (word_is(k, len, "pf")) {
		/* Low memory is unmapped since vm_init. */
		asm volatile("movq (%0), %%rax" : : "r"(0xdead000ull) : "rax", "memory");
	} else if (word_is(k, len, "de")) {
		volatile uint64_t zero = 0;
		kprintf("unreachable: %lu\n", 42 / zero);
	} else if (word_is(k, len, "bp")) {
		asm volatile("int3");
	} else if (word_is(k, len, "df")) {
		/* #UD cannot push its frame on an unmapped stack, so the CPU
		 * raises #PF, which cannot push either: #DF, on its IST
		 * stack. */
		asm volatile("movq $0x1000, %%rsp; ud2" : : : "memory");
	} else if (word_is(k, len, "null")) {
		volatile uint64_t *p = 0;
		/* Hide the constant so gcc emits the load, not a trap. */
		asm volatile("" : "+r"(p));
		kprintf("unreachable: %lu\n", *p);
	} else if (word_is(k, len, "stack")) {
		kprintf("unreachable: %lu\n", recurse(0));
	} else {
		usage("fault wants kind=ud|gp|pf|de|bp|df|null|stack");
	}
	panic("ktest fault: the exception did not happen");
}

static uint64_t dr7_now(void)
{
	uint64_t v;
	asm volatile("mov %%dr7, %0" : "=r"(v));
	return v;
}

/* DR7 has two owners (arch/x86/debugreg.h): replay's slot 0 and the
 * debugger's slots 1-3.  Setting one half keeps the other, the park
 * turns both off and the unpark brings both back.  Nothing is armed
 * while a hypercall is made (the results are printed at the end). */
__attribute__((noreturn)) static void test_debugreg(void)
{
	static volatile uint64_t never_touched;
	const uint64_t watch = DR7_ENABLE(1) | (1ull << 20) | (3ull << 22);
	uint64_t got[5];

	dr_set_addr(0, 0);
	dr_set_addr(1, (uint64_t)(uintptr_t)&never_touched);
	dr7_set(DR7_SLOT0, DR7_L0);
	dr7_set(DR7_SLOTS123, watch | DR7_L0); /* slot 0's bit is not its own */
	got[0] = dr7_now();
	dr7_set(DR7_SLOT0, 0);
	got[1] = dr7_now();
	dr7_set(DR7_SLOT0, DR7_L0);
	dr7_park();
	got[2] = dr7_now();
	dr7_unpark();
	got[3] = dr7_now();
	dr7_set(DR7_SLOT0 | DR7_SLOTS123, 0);
	got[4] = dr7_now();
	const uint64_t want[5] = {
		DR7_FIXED | DR7_L0 | watch, DR7_FIXED | watch, DR7_FIXED,
		DR7_FIXED | DR7_L0 | watch, DR7_FIXED,
	};
	bool ok = true;
	for (int i = 0; i < 5; i++) {
		/* bits 11-15 are reserved or read as zero on every CPU */
		bool same = (got[i] & ~0xf800ull) == want[i];
		ok &= same;
		kwritef(1, "debugreg: step %d: dr7 0x%lx, want 0x%lx: %s\n", i,
			got[i], want[i], same ? "ok" : "FAILED");
	}
	hc_exit(ok ? 0 : 1);
}

static const struct {
	const char *name;
	void (*fn)(void);
} tests[] = {
	{ "hello", test_hello },   { "stderr", test_stderr }, { "fault", test_fault },
	{ "panic", test_panic },   { "badptr", test_badptr }, { "badnr", test_badnr },
	{ "args", test_args },     { "vm", test_vm },       { "debugreg", test_debugreg },
};

void ktest_run(const char *name, size_t len)
{
	char shown[32];

	for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++)
		if (word_is(name, len, tests[i].name))
			tests[i].fn();

	size_t n = len < sizeof(shown) - 1 ? len : sizeof(shown) - 1;
	memcpy(shown, name, n);
	shown[n] = '\0';
	kwarn("ktest: unknown test '%s'\n", shown);
	hc_exit(EXIT_USAGE);
}
