/* What a report shows of the program (see progstate.h). */
#include "progstate.h"

#include <elf.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <linux/kvm.h>

#include "debuginfo/backtrace.h"
#include "debuginfo/disasm.h"
#include "debuginfo/elfimage.h"
#include "debuginfo/symbolizer.h"
#include "debuginfo/sysnames.h"
#include "guest_mem.h"
#include "vcpu.h"
#include "vmm.h"

/*
 * Where the guest kernel loads a position-independent (ET_DYN, static-PIE)
 * program: rekernel-rr/mm.h's USER_PIE_BASE (Linux's ELF_ET_DYN_BASE
 * without randomisation; the guest kernel does not randomise).  The report
 * has no other way to learn it: the auxiliary vector's AT_PHDR lies on the
 * program's initial stack, which the program may have overwritten since.
 * Change both together.
 */
#define RRV_PIE_LOAD_BASE 0x555555554000ull

/* The lower half of the x86-64 address space is the program's; the upper
 * half is the guest kernel's, which a program backtrace must not read. */
#define USER_ADDR_END 0x0000800000000000ull

/* x86 syscall: 0f 05.  The saved rip of a thread in a system call points
 * just after it. */
#define SYSCALL_INSN_LEN 2

/* The dynamic loader's list is the program's memory: a corrupt one must
 * not make a report run on.  (A dynamic section of more entries is not
 * one a linker wrote.) */
#define DYN_ENTRIES_MAX 512u
#define LINK_MAP_MAX BT_MAX_MODULES
#define LIB_PATH_MAX 4096u

/* How the program's memory is read: one address space. */
struct ps_mem {
	struct vmm *vm;
	uint64_t root; /* 0: the vCPU's current page tables */
};

/* Reads the program's memory for the unwinder: its half of the address
 * space only, through the page tables and the checked accessor. */
static size_t read_program(void *ctx, uint64_t addr, void *buf, size_t len)
{
	const struct ps_mem *m = ctx;
	if (addr >= USER_ADDR_END || len > USER_ADDR_END - addr)
		return 0;
	return m->root ? vcpu_read_virt_root(m->vm, m->root, addr, buf, len)
		       : vcpu_read_virt(m->vm, addr, buf, len);
}

static bool read_u64(const struct ps_mem *m, uint64_t addr, uint64_t *v)
{
	return read_program((void *)m, addr, v, sizeof(*v)) == sizeof(*v);
}

/* A NUL-terminated string of the program's, at most len - 1 bytes; false
 * when it is unreadable or longer. */
static bool read_string(const struct ps_mem *m, uint64_t addr, char *out,
			size_t len)
{
	/* A page at a time: one translation each, and never a read past
	 * the string's page that could fail for an unmapped next one. */
	for (size_t i = 0; i < len;) {
		size_t chunk = 4096 - (size_t)((addr + i) & 4095);
		if (chunk > len - i)
			chunk = len - i;
		if (read_program((void *)m, addr + i, out + i, chunk) != chunk)
			return false;
		if (memchr(out + i, '\0', chunk))
			return true;
		i += chunk;
	}
	return false;
}

/*
 * The shared libraries, as a debugger finds them: the program's dynamic
 * section (PT_DYNAMIC, in guest memory at its load address) has DT_DEBUG,
 * which the dynamic loader (glibc's and musl's alike) points at its
 * struct r_debug; r_map starts the list of struct link_map (l_addr,
 * l_name, l_ld, l_next), one per loaded object.  Each object's ELF is read
 * from the host path it names.  Returns how many it added.
 */
static int add_libraries(struct symbolizer *sym, const struct ps_mem *mem,
			 struct elf_image *prog, uint64_t base)
{
	uint64_t dyn, dyn_size, rdebug = 0;
	if (!prog || !elf_image_dynamic(prog, &dyn, &dyn_size))
		return 0; /* a static program: nothing else is loaded */
	uint64_t n = dyn_size / sizeof(Elf64_Dyn);
	for (uint64_t i = 0; i < n && i < DYN_ENTRIES_MAX; i++) {
		uint64_t tag, val, at = base + dyn + i * sizeof(Elf64_Dyn);
		if (!read_u64(mem, at, &tag) || tag == DT_NULL ||
		    !read_u64(mem, at + 8, &val))
			break;
		if (tag == DT_DEBUG) {
			rdebug = val;
			break;
		}
	}
	/* struct r_debug { int r_version; struct link_map *r_map; ... } */
	uint64_t lm;
	if (!rdebug || !read_u64(mem, rdebug + 8, &lm))
		return 0; /* the loader has not run yet, or names nothing */
	int added = 0;
	char *path = malloc(LIB_PATH_MAX);
	for (int k = 0; path && lm && k < LINK_MAP_MAX; k++) {
		uint64_t l_addr, l_name, l_ld, l_next;
		if (!read_u64(mem, lm, &l_addr) || !read_u64(mem, lm + 8, &l_name) ||
		    !read_u64(mem, lm + 16, &l_ld) || !read_u64(mem, lm + 24, &l_next))
			break;
		/* The program itself is the entry whose dynamic section is
		 * its own (glibc names it "", musl by its path); a name that
		 * is not a path (linux-vdso.so.1) has no file. */
		if (l_ld != base + dyn && l_name &&
		    read_string(mem, l_name, path, LIB_PATH_MAX) && path[0] == '/') {
			if (!symbolizer_add_file(sym, path, l_addr))
				break;
			added++;
		}
		lm = l_next;
	}
	free(path);
	return added;
}

/*
 * The objects of the thread's process: the program's ELF (the copy in the
 * trace, else the file the run started, which may have changed since: said
 * so), then its shared libraries.  None for a process that exec'd another
 * program: its mappings are not the program's, and wrong names are worse
 * than none.  Prints a note for what has no symbols; never NULL unless
 * memory ran out.
 */
static struct symbolizer *load_objects(struct vmm *vm, const struct ps_mem *mem,
				       const struct ps_thread *t)
{
	struct symbolizer *sym = symbolizer_new();
	if (!sym)
		return NULL;
	if (t->other_program) {
		fprintf(stderr, "rrv:   (no symbols: thread %" PRIu32 "'s process "
			"runs a program it exec'd, and rrv knows only the ELF "
			"of the program it started)\n", t->tid);
		return sym;
	}
	const void *image = vm->cfg.program_image;
	size_t size = vm->cfg.program_size;
	const char *path = vm->cfg.exec_path && vm->cfg.exec_path[0]
				   ? vm->cfg.exec_path : NULL;
	void *from_disk = NULL;
	char why[160];
	bool from_trace = image != NULL;
	if (!image) {
		if (!path) {
			fprintf(stderr, "rrv:   (no symbols: no copy of the "
				"program and no file name)\n");
			return sym;
		}
		from_disk = symbolizer_read_file(path, &size, why, sizeof(why));
		if (!from_disk) {
			fprintf(stderr, "rrv:   (no symbols: %s cannot be read: "
				"%s)\n", path, why);
			return sym;
		}
		/* A replay of a trace without the program's copy. */
		if (vm->cfg.replay)
			fprintf(stderr, "rrv:   (symbols from %s as it is now: "
				"the trace holds no copy of the program)\n",
				path);
		image = from_disk;
	}
	struct elf_image *elf = elf_image_load(image, size, why, sizeof(why));
	free(from_disk);
	if (!elf) {
		fprintf(stderr, "rrv:   (no symbols: the program's image is "
			"%s)\n", why);
		return sym;
	}
	uint64_t base = elf_image_is_pie(elf) ? RRV_PIE_LOAD_BASE : 0;
	if (elf_image_symbol_count(elf) == 0)
		fprintf(stderr, "rrv:   (no symbols: the program is stripped)\n");
	if (!symbolizer_add(sym, path ? path : "the program", elf, base, NULL))
		return sym;
	add_libraries(sym, mem, elf, base);
	/* Files read from disk may have changed since the program mapped
	 * them (the trace's copy of the program is the one it ran). */
	for (size_t i = from_trace ? 1 : 0; i < symbolizer_count(sym); i++)
		symbolizer_check(sym, i, read_program, (void *)mem);
	const char *prog_why = NULL;
	uint64_t prog_base;
	if (symbolizer_module(sym, 0, &prog_base, &prog_why) && prog_why)
		fprintf(stderr, "rrv:   (no symbols for the program %s: %s)\n",
			path ? path : "", prog_why);
	for (size_t i = 1; i < symbolizer_count(sym); i++) {
		uint64_t b;
		const char *why_not;
		const char *name = symbolizer_module(sym, i, &b, &why_not);
		if (why_not)
			fprintf(stderr, "rrv:   (no symbols for %s at 0x%" PRIx64
				": %s)\n", name, b, why_not);
	}
	return sym;
}

/* For a direct call or jump ("call 0x410a20"), the target's name. */
static void annotate_target(struct symbolizer *sym, char *text, size_t len)
{
	const char *sp = strchr(text, ' ');
	if (!sp || (strncmp(text, "call ", 5) != 0 && text[0] != 'j'))
		return;
	const char *op = sp + 1;
	if (strncmp(op, "0x", 2) != 0 || !op[2] ||
	    op[2 + strspn(op + 2, "0123456789abcdef")] != '\0')
		return; /* indirect, or not one plain address */
	char name[192];
	uint64_t target = strtoull(op, NULL, 16);
	symbolizer_name(sym, target, target, name, sizeof(name));
	size_t used = strlen(text);
	if (name[0] && used < len)
		snprintf(text + used, len - used, " <%s>", name);
}

/*
 * Prints the instruction the program was executing and returns its
 * address: for a thread in a system call, the syscall instruction just
 * before the saved rip when the bytes there are 0f 05.
 */
static uint64_t print_instruction(const struct ps_mem *mem,
				  struct symbolizer *sym, uint64_t rip,
				  bool in_syscall)
{
	uint64_t at = rip;
	const char *which = "";
	if (in_syscall) {
		uint8_t two[SYSCALL_INSN_LEN];
		if (rip >= SYSCALL_INSN_LEN &&
		    read_program((void *)mem, rip - SYSCALL_INSN_LEN, two,
				 sizeof(two)) == sizeof(two) &&
		    two[0] == 0x0f && two[1] == 0x05) {
			at = rip - SYSCALL_INSN_LEN;
			which = " (the system call instruction, just before "
				"the saved rip)";
		} else {
			which = " (the saved rip: no syscall instruction "
				"before it)";
		}
	}
	char name[192], where[200] = "";
	symbolizer_name(sym, at, at, name, sizeof(name));
	if (name[0])
		snprintf(where, sizeof(where), " <%s>", name);
	uint8_t code[16];
	size_t n = read_program((void *)mem, at, code, sizeof(code));
	if (n == 0) {
		fprintf(stderr, "rrv:   program at 0x%" PRIx64 "%s: (not mapped "
			"in the program's page tables)\n", at, where);
		return at;
	}
	char text[256];
	if (disasm_one(code, n, at, text, sizeof(text)))
		annotate_target(sym, text, sizeof(text));
	fprintf(stderr, "rrv:   program at 0x%" PRIx64 "%s: %s%s\n", at, where,
		text, which);
	return at;
}

static void print_regs(const struct rrv_user_regs *r)
{
	fprintf(stderr,
		"rrv:   rax %016" PRIx64 " rbx %016" PRIx64 " rcx %016" PRIx64
		" rdx %016" PRIx64 "\n"
		"rrv:   rsi %016" PRIx64 " rdi %016" PRIx64 " rbp %016" PRIx64
		" rsp %016" PRIx64 "\n"
		"rrv:   r8  %016" PRIx64 " r9  %016" PRIx64 " r10 %016" PRIx64
		" r11 %016" PRIx64 "\n"
		"rrv:   r12 %016" PRIx64 " r13 %016" PRIx64 " r14 %016" PRIx64
		" r15 %016" PRIx64 "\n"
		"rrv:   rip %016" PRIx64 " rflags %08" PRIx64 "\n",
		r->rax, r->rbx, r->rcx, r->rdx, r->rsi, r->rdi, r->rbp, r->rsp,
		r->r8, r->r9, r->r10, r->r11, r->r12, r->r13, r->r14, r->r15,
		r->rip, r->rflags);
}

static void print_backtrace(const struct ps_mem *mem, struct symbolizer *sym,
			    const struct rrv_user_regs *r, uint64_t pc)
{
	struct bt_module prog, libs[BT_MAX_MODULES];
	size_t nlibs = symbolizer_bt(sym, &prog, libs, BT_MAX_MODULES);
	struct bt_target t = {
		.read = read_program,
		.ctx = (void *)mem,
		.elf = prog.elf,
		.load_base = prog.load_base,
		.mods = libs,
		.nmods = nlibs,
	};
	t.regs[BT_RAX] = r->rax;
	t.regs[BT_RDX] = r->rdx;
	t.regs[BT_RCX] = r->rcx;
	t.regs[BT_RBX] = r->rbx;
	t.regs[BT_RSI] = r->rsi;
	t.regs[BT_RDI] = r->rdi;
	t.regs[BT_RBP] = r->rbp;
	t.regs[BT_RSP] = r->rsp;
	t.regs[BT_R8] = r->r8;
	t.regs[BT_R9] = r->r9;
	t.regs[BT_R10] = r->r10;
	t.regs[BT_R11] = r->r11;
	t.regs[BT_R12] = r->r12;
	t.regs[BT_R13] = r->r13;
	t.regs[BT_R14] = r->r14;
	t.regs[BT_R15] = r->r15;
	t.regs[BT_RIP] = r->rip;

	uint64_t ips[BT_MAX_FRAMES];
	const char *how = "";
	int n = backtrace_remote(&t, ips, BT_MAX_FRAMES);
	if (n < 0) {
		n = backtrace_fp(&t, ips, BT_MAX_FRAMES);
		how = !prog.elf ? " (frame-pointer walk: no program image)"
		    : " (frame-pointer walk: the program has no usable "
		      "unwind tables, or libunwind could not step)";
	}
	if (n <= 0) {
		fprintf(stderr, "rrv:   backtrace: (none: rip is 0)\n");
		return;
	}
	fprintf(stderr, "rrv:   backtrace%s:\n", how);
	for (int i = 0; i < n; i++) {
		/* Frame 0 is the instruction shown above; the others are
		 * return addresses, named by the call before them. */
		uint64_t ip = i == 0 ? pc : ips[i];
		char name[256];
		symbolizer_name(sym, ip, i == 0 ? ip : ip - 1, name, sizeof(name));
		fprintf(stderr, "rrv:     #%d 0x%016" PRIx64 " %s\n", i, ip,
			name[0] ? name : "??");
	}
	if (n == BT_MAX_FRAMES)
		fprintf(stderr, "rrv:     (stopped after %d frames)\n",
			BT_MAX_FRAMES);
}

/* The CPU's name for an exception vector, for a thread that entered the
 * kernel other than by a system call. */
static const char *vector_name(uint64_t v)
{
	static const char *const names[] = {
		"divide error", "debug", "NMI", "breakpoint", "overflow",
		"bound range", "invalid opcode", "device not available",
		"double fault", "coprocessor segment overrun", "invalid TSS",
		"segment not present", "stack fault", "general protection",
		"page fault", NULL, "x87 floating point", "alignment check",
		"machine check", "SIMD floating point",
	};
	if (v < sizeof(names) / sizeof(names[0]) && names[v])
		return names[v];
	return v < 32 ? "exception" : "interrupt";
}

/* Instruction, registers and backtrace for regs, in mem's address space. */
static void show(struct vmm *vm, const struct ps_mem *mem,
		 const struct ps_thread *t, const struct rrv_user_regs *regs,
		 bool in_syscall, unsigned flags)
{
	struct symbolizer *sym = t->objects ? t->objects
				  : load_objects(vm, mem, t);
	uint64_t pc = print_instruction(mem, sym, regs->rip, in_syscall);
	if (flags & PS_REGS)
		print_regs(regs);
	print_backtrace(mem, sym, regs, pc);
	if (sym != t->objects)
		symbolizer_free(sym);
}

struct symbolizer *progstate_objects(struct vmm *vm, const struct ps_thread *t)
{
	const struct ps_mem mem = { vm, t->root };
	return load_objects(vm, &mem, t);
}

void progstate_thread(struct vmm *vm, const struct ps_thread *t,
		      unsigned flags)
{
	const struct ps_mem mem = { vm, t->root };
	if (t->in_syscall && !(flags & PS_QUIET)) {
		const char *name = syscall_name(t->syscall_nr);
		fprintf(stderr, "rrv:   thread %" PRIu32 ", in system call %"
			PRIu64 " (%s)\n", t->tid, t->syscall_nr,
			name ? name : "unknown to rrv");
	}
	if (!t->user_regs) {
		if (!t->in_syscall && !(flags & PS_QUIET))
			fprintf(stderr, "rrv:   thread %" PRIu32 "\n", t->tid);
		fprintf(stderr, "rrv:   (the guest kernel published no "
			"registers for thread %" PRIu32 ")\n", t->tid);
		return;
	}
	/* A copy, so that what is checked is what is used. */
	struct rrv_user_regs regs;
	const struct rrv_user_regs *rp =
		GUEST_AT(&vm->mem, t->user_regs, sizeof(*rp));
	if (!rp) {
		fprintf(stderr, "rrv:   (thread %" PRIu32 "'s registers at 0x%"
			PRIx64 " lie outside guest memory)\n", t->tid,
			t->user_regs);
		return;
	}
	memcpy(&regs, rp, sizeof(regs));
	if (!t->in_syscall && !(flags & PS_QUIET))
		fprintf(stderr, "rrv:   thread %" PRIu32 ", not in a system "
			"call: in the kernel for vector %" PRIu64 " (%s)\n",
			t->tid, regs.vector, vector_name(regs.vector));
	if ((regs.cs & 3) != 3) {
		fprintf(stderr, "rrv:   (thread %" PRIu32 "'s saved registers "
			"are not the program's: cs 0x%" PRIx64 " is not ring "
			"3)\n", t->tid, regs.cs);
		return;
	}
	show(vm, &mem, t, &regs, t->in_syscall, flags);
}

/* The program's registers as the vCPU holds them now, when it stopped in
 * ring 3 (the replay watchdog interrupts a thread spinning there, whose
 * saved registers are those of its last kernel entry). */
static bool live_user_regs(struct vmm *vm, struct rrv_user_regs *u)
{
	struct kvm_regs r;
	struct kvm_sregs sr;
	if (vm->vcpu_fd < 0 || ioctl(vm->vcpu_fd, KVM_GET_SREGS, &sr) < 0 ||
	    (sr.cs.selector & 3) != 3 || ioctl(vm->vcpu_fd, KVM_GET_REGS, &r) < 0)
		return false;
	*u = (struct rrv_user_regs){
		.r15 = r.r15, .r14 = r.r14, .r13 = r.r13, .r12 = r.r12,
		.r11 = r.r11, .r10 = r.r10, .r9 = r.r9, .r8 = r.r8,
		.rbp = r.rbp, .rdi = r.rdi, .rsi = r.rsi, .rdx = r.rdx,
		.rcx = r.rcx, .rbx = r.rbx, .rax = r.rax,
		.rip = r.rip, .cs = sr.cs.selector, .rflags = r.rflags,
		.rsp = r.rsp, .ss = sr.ss.selector,
	};
	return true;
}

void progstate_report(struct vmm *vm, unsigned flags)
{
	if (!vm->guest_state) {
		fprintf(stderr, "rrv:   (where the program was is unknown: the "
			"guest kernel published no state)\n");
		return;
	}
	/* A copy, so that what is checked is what is used. */
	const struct rrv_guest_state *gsp =
		GUEST_AT(&vm->mem, vm->guest_state, sizeof(*gsp));
	if (!gsp) {
		fprintf(stderr, "rrv:   (where the program was is unknown: the "
			"guest kernel's state at 0x%" PRIx64 " lies outside "
			"guest memory)\n", vm->guest_state);
		return;
	}
	struct rrv_guest_state gs;
	memcpy(&gs, gsp, sizeof(gs));
	if (gs.tid == 0) {
		fprintf(stderr, "rrv:   no program thread was running (the "
			"guest kernel was on its own)\n");
		return;
	}
	struct ps_thread t = {
		.tid = gs.tid,
		.in_syscall = gs.in_syscall != 0,
		.syscall_nr = gs.syscall_nr,
		.user_regs = gs.user_regs,
		/* Older kernels' guest_state ends before other_program. */
		.other_program = vm->guest_abi >= 7 && gs.other_program,
	};
	struct rrv_user_regs regs;
	if (live_user_regs(vm, &regs)) {
		fprintf(stderr, "rrv:   thread %" PRIu32 ", running in user "
			"space\n", gs.tid);
		const struct ps_mem mem = { vm, 0 };
		show(vm, &mem, &t, &regs, false, flags);
		return;
	}
	progstate_thread(vm, &t, flags);
}
