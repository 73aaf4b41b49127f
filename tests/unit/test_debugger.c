/*
 * rrv debug's engine without KVM (debugger/): watchpoints become the
 * request's DR1-DR3 and DR7 bits in guest_state.debug, shapes x86 cannot
 * watch are refused and a fourth gets ENOSPC; breakpoints go into the
 * program's code through its page tables only while armed, wait when
 * their page is not mapped, and are never where gdb reads; a page not
 * mapped yet reads as the program's file holds it; the auxiliary vector
 * is read from a new program's stack; qXfer's objects.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "debugger/session.h"
#include "vmm/vmm.h"

#include "unit_vm.h"

#define MEM (2u << 20)
#define STATE 0x3000u     /* struct rrv_guest_state */
#define ROOT 0x10000u     /* the process's page tables */
#define CODE_VA 0x400000u /* mapped: one page of code */
#define STACK_VA 0x401000u /* mapped: one page of stack */
#define CODE_PA 0x20000u
#define STACK_PA 0x21000u
#define SEG_VA 0x800000u  /* a PT_LOAD segment of the image, not mapped */

struct fixture {
	struct vmm vm;
	struct dbg d;
	uint8_t image[4096];
};

/* Tables at ROOT mapping CODE_VA and STACK_VA (4-level, 4 KiB pages). */
static void map_pages(struct fixture *f)
{
	uint64_t *t = unit_guest(&f->vm, ROOT, 4 * 4096);
	memset(t, 0, 4 * 4096);
	t[0] = (ROOT + 0x1000) | 7;                     /* PML4[0] -> PDPT */
	t[512 + 0] = (ROOT + 0x2000) | 7;               /* PDPT[0] -> PD */
	t[1024 + 2] = (ROOT + 0x3000) | 7;              /* PD[2]: 4 MiB */
	t[1536 + 0] = CODE_PA | 7;                      /* PT[0]: CODE_VA */
	t[1536 + 1] = STACK_PA | 7;                     /* PT[1]: STACK_VA */
}

/* A program image: one PT_LOAD at SEG_VA, 16 bytes of file, 64 in memory. */
static void make_image(struct fixture *f)
{
	Elf64_Ehdr *eh = (Elf64_Ehdr *)f->image;
	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_type = ET_EXEC;
	eh->e_phoff = sizeof(*eh);
	eh->e_phentsize = sizeof(Elf64_Phdr);
	eh->e_phnum = 1;
	Elf64_Phdr *ph = (Elf64_Phdr *)(f->image + sizeof(*eh));
	ph->p_type = PT_LOAD;
	ph->p_vaddr = SEG_VA;
	ph->p_offset = 512;
	ph->p_filesz = 16;
	ph->p_memsz = 64;
	for (int i = 0; i < 16; i++)
		f->image[512 + i] = (uint8_t)(0xa0 + i);
	f->d.cfg.program_image = f->image;
	f->d.cfg.program_size = sizeof(f->image);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	if (!f || unit_vm_init(&f->vm, MEM))
		return -1;
	f->vm.guest_state = STATE;
	f->vm.guest_abi = 9;
	f->vm.debug.attach = true;
	f->d.vm = &f->vm;
	f->d.pid = 2;
	f->d.cr3 = ROOT;
	f->d.state = DBG_STOPPED;
	f->d.over_bp = -1;
	map_pages(f);
	make_image(f);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	unit_vm_free(&f->vm);
	free(f);
	return 0;
}

static const struct rrv_debug_request *request(struct fixture *f)
{
	return unit_guest(&f->vm, STATE + offsetof(struct rrv_guest_state, debug),
			  sizeof(struct rrv_debug_request));
}

static void watchpoints_fill_dr1_to_dr3(void **state)
{
	struct fixture *f = *state;
	struct dbg *d = &f->d;
	assert_int_equal(watch_insert(d, GDB_POINT_WRITE, 0x600000, 4), 0);
	assert_int_equal(watch_insert(d, GDB_POINT_ACCESS, 0x600008, 8), 0);
	assert_int_equal(watch_insert(d, GDB_POINT_READ, 0x600003, 1), 0);
	const struct rrv_debug_request *rq = request(f);
	assert_int_equal(rq->pid, 0); /* rq.pid is set at the EXEC, not here */
	assert_int_equal(rq->dr[1], 0x600000);
	assert_int_equal(rq->dr[2], 0x600008);
	assert_int_equal(rq->dr[3], 0x600003);
	/* L1, write (01), 4 bytes (11); L2, access (11), 8 bytes (10);
	 * L3, read as access (11), 1 byte (00). */
	uint64_t want = (1ull << 2) | (1ull << 20) | (3ull << 22) |
			(1ull << 4) | (3ull << 24) | (2ull << 26) |
			(1ull << 6) | (3ull << 28) | (0ull << 30);
	assert_int_equal(rq->dr7, want);
	assert_int_equal(watch_insert(d, GDB_POINT_WRITE, 0x600010, 4), -ENOSPC);
	/* DR6's B2 names the second. */
	assert_int_equal(watch_hit(d, 1ull << 2), 1);
	assert_int_equal(watch_hit(d, 1ull << 0), -1); /* B0 is replay's */
	assert_int_equal(watch_remove(d, GDB_POINT_ACCESS, 0x600008, 8), 0);
	assert_int_equal(rq->dr7 & ((1ull << 4) | (0xfull << 24)), 0);
	assert_int_equal(watch_insert(d, GDB_POINT_WRITE, 0x600010, 2), 0);
	assert_int_equal(rq->dr[2], 0x600010);
	unsigned gen = rq->generation;
	watch_clear_all(d);
	assert_int_equal(rq->dr7, 0);
	assert_true(rq->generation != gen);
}

static void watchpoint_shapes_refused(void **state)
{
	struct dbg *d = &((struct fixture *)*state)->d;
	assert_int_equal(watch_insert(d, GDB_POINT_WRITE, 0x600001, 4), -EINVAL);
	assert_int_equal(watch_insert(d, GDB_POINT_WRITE, 0x600000, 3), -EINVAL);
	assert_int_equal(watch_insert(d, GDB_POINT_WRITE, 0x600000, 16), -EINVAL);
	assert_int_equal(watch_insert(d, GDB_POINT_WRITE, 0x600000, 0), -EINVAL);
	assert_int_equal(watch_insert(d, GDB_POINT_WRITE, 0xffff800000000000ull, 8),
			 -EINVAL);
	assert_int_equal(watch_insert(d, GDB_POINT_SW, 0x600000, 1), -EINVAL);
	for (int i = 0; i < DBG_WATCH_SLOTS; i++)
		assert_false(d->watch[i].used);
}

static void breakpoints_only_while_armed(void **state)
{
	struct fixture *f = *state;
	struct dbg *d = &f->d;
	uint8_t *code = unit_guest(&f->vm, CODE_PA, 4096);
	code[0x10] = 0x55;
	code[0x11] = 0x48;
	assert_int_equal(bp_insert(d, CODE_VA + 0x10), 0);
	assert_int_equal(bp_insert(d, CODE_VA + 0x10), 0); /* once */
	assert_int_equal(code[0x10], 0x55); /* not yet: only while running */
	assert_int_equal(bp_arm_all(d), 0);
	assert_int_equal(code[0x10], 0xcc);
	assert_int_equal(code[0x11], 0x48);
	bp_disarm_all(d);
	assert_int_equal(code[0x10], 0x55);
	/* gdb reads the program's own bytes at a stop. */
	uint8_t b[2];
	assert_int_equal(mem_read(d, CODE_VA + 0x10, b, 2), 2);
	assert_int_equal(b[0], 0x55);
	assert_int_equal(bp_remove(d, CODE_VA + 0x10), 0);
	assert_int_equal(bp_find(d, CODE_VA + 0x10), -1);
	assert_int_equal(bp_arm_all(d), 0);
	assert_int_equal(code[0x10], 0x55);
}

static void breakpoint_on_unmapped_page_waits(void **state)
{
	struct fixture *f = *state;
	struct dbg *d = &f->d;
	assert_int_equal(bp_insert(d, SEG_VA + 4), 0);
	assert_int_equal(bp_arm_all(d), 1); /* pending: its page is not in */
	assert_false(d->bps[bp_find(d, SEG_VA + 4)].in_memory);
	bp_disarm_all(d);
	assert_int_equal(bp_insert(d, 0xffff800000001000ull), -EFAULT);
	/* gdb's whole table, then ENOSPC. */
	int n = 1;
	while (bp_insert(d, CODE_VA + (uint64_t)n) == 0)
		n++;
	assert_int_equal(n, DBG_BPS_MAX);
	assert_int_equal(bp_insert(d, CODE_VA + 0x800), -ENOSPC);
}

static void unmapped_pages_read_as_the_file(void **state)
{
	struct fixture *f = *state;
	struct dbg *d = &f->d;
	uint8_t buf[40];
	memset(buf, 0x11, sizeof(buf));
	/* 16 bytes from the file, then the segment's zeroes. */
	assert_int_equal(mem_read(d, SEG_VA + 8, buf, sizeof(buf)), (ssize_t)sizeof(buf));
	for (int i = 0; i < 8; i++)
		assert_int_equal(buf[i], 0xa8 + i);
	for (size_t i = 8; i < sizeof(buf); i++)
		assert_int_equal(buf[i], 0);
	/* Past the segment and outside every one: unreadable. */
	assert_int_equal(mem_read(d, SEG_VA + 60, buf, 8), 4);
	assert_int_equal(mem_read(d, 0x900000, buf, 8), -EFAULT);
	/* An exec'd program's pages are not the first program's file. */
	d->other_program = true;
	assert_int_equal(mem_read(d, SEG_VA, buf, 8), -EFAULT);
	/* No process: nothing to read. */
	d->pid = 0;
	assert_int_equal(mem_read(d, CODE_VA, buf, 8), -ESRCH);
}

/* A new program's stack at STACK_VA: argc 1, argv, envp, auxv. */
static uint64_t make_stack(struct fixture *f)
{
	uint64_t *s = unit_guest(&f->vm, STACK_PA, 4096);
	memset(s, 0, 4096);
	int i = 0;
	s[i++] = 1;                     /* argc */
	s[i++] = STACK_VA + 0x800;      /* argv[0] */
	s[i++] = 0;
	s[i++] = STACK_VA + 0x810;      /* envp[0] */
	s[i++] = 0;
	s[i++] = AT_PHDR;  s[i++] = STACK_VA + 0x400;
	s[i++] = AT_PHNUM; s[i++] = 1;
	s[i++] = AT_ENTRY; s[i++] = CODE_VA;
	s[i++] = AT_NULL;  s[i++] = 0;
	/* The program headers AT_PHDR names: one PT_LOAD, no PT_DYNAMIC. */
	Elf64_Phdr *ph = (Elf64_Phdr *)((uint8_t *)s + 0x400);
	ph->p_type = PT_LOAD;
	ph->p_vaddr = CODE_VA;
	return STACK_VA;
}

static void xfer_objects(void **state)
{
	struct fixture *f = *state;
	struct dbg *d = &f->d;
	xfer_save_auxv(d, ROOT, make_stack(f));
	assert_int_equal(d->auxv_len, 4 * 16);
	uint8_t buf[256];
	assert_int_equal(xfer_read(d, "auxv", "", 0, buf, sizeof(buf)), 64);
	uint64_t pair[2];
	memcpy(pair, buf + 32, 16);
	assert_int_equal(pair[0], AT_ENTRY);
	assert_int_equal(pair[1], CODE_VA);
	/* A window, and the end. */
	assert_int_equal(xfer_read(d, "auxv", "", 60, buf, 16), 4);
	assert_int_equal(xfer_read(d, "auxv", "", 64, buf, 16), 0);
	snprintf(d->exec_path, sizeof(d->exec_path), "/bin/prog");
	assert_int_equal(xfer_read(d, "exec-file", "2", 0, buf, sizeof(buf)), 9);
	assert_memory_equal(buf, "/bin/prog", 9);
	/* A static program: no loader, an empty list. */
	ssize_t n = xfer_read(d, "libraries-svr4", "", 0, buf, sizeof(buf) - 1);
	assert_true(n > 0);
	buf[n] = '\0';
	assert_string_equal((char *)buf, "<library-list-svr4 version=\"1.0\"/>");
	assert_int_equal(xfer_read(d, "nonsense", "", 0, buf, sizeof(buf)), -ENOENT);
	/* A stack that is not mapped: no auxv, and no crash. */
	xfer_save_auxv(d, ROOT, 0x7fff0000);
	assert_int_equal(d->auxv_len, 0);
	assert_int_equal(xfer_read(d, "auxv", "", 0, buf, sizeof(buf)), -ENOENT);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(watchpoints_fill_dr1_to_dr3),
		T(watchpoint_shapes_refused),
		T(breakpoints_only_while_armed),
		T(breakpoint_on_unmapped_page_waits),
		T(unmapped_pages_read_as_the_file),
		T(xfer_objects),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

