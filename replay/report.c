/* The divergence report (see report.h). */
#include "report.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <linux/kvm.h>

#include "debuginfo/backtrace.h"
#include "debuginfo/disasm.h"
#include "debuginfo/elfimage.h"
#include "debuginfo/sysnames.h"
#include "trace-format/rrv_trace.h"
#include "vmm/guest_mem.h"
#include "vmm/vcpu.h"
#include "vmm/vmm.h"

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

/* A larger "program" read from disk is not the static binary we ran. */
#define PROGRAM_FILE_MAX (1ull << 30)

/* x86 syscall: 0f 05.  The saved rip of a thread in a system call points
 * just after it. */
#define SYSCALL_INSN_LEN 2

static const char *hc_name(struct vmm *vm, unsigned nr)
{
	const struct hc_desc *d = hc_lookup(&vm->hc, nr);
	return d ? d->name : "unknown";
}

void report_divergence(struct vmm *vm, const struct divergence *d)
{
	fprintf(stderr, "rrv: replay diverged at event %" PRIu64, d->index);
	if (d->total)
		fprintf(stderr, " of %" PRIu64, d->total);
	fprintf(stderr, ": the program left the recorded path\n");
	if (d->trace_ended)
		fprintf(stderr, "rrv:   expected: the end of the recording\n");
	else if (d->expected_type != RRV_EV_HYPERCALL)
		fprintf(stderr, "rrv:   expected: a scheduling event (type %u)\n",
			d->expected_type);
	else
		fprintf(stderr, "rrv:   expected: %s (hypercall %u), inputs digest "
			"%016" PRIx64 "\n", hc_name(vm, d->expected_nr),
			d->expected_nr, d->expected_digest);
	fprintf(stderr, "rrv:   got:      %s (hypercall %u), inputs digest %016"
		PRIx64 "%s\n", hc_name(vm, d->got_nr), d->got_nr, d->got_digest,
		!d->trace_ended && d->got_nr == d->expected_nr
			? " (same call, other arguments or data)" : "");
	if (d->reason)
		fprintf(stderr, "rrv:   %s\n", d->reason);
	report_program_state(vm);
}

/* What report_program_state needs to name addresses. */
struct program {
	struct elf_image *elf; /* NULL: no symbols */
	uint64_t base;        /* the load base: 0, or RRV_PIE_LOAD_BASE */
};

/* Reads the program's memory for the unwinder: its half of the address
 * space only, through the guest's page tables and the checked accessor. */
static size_t read_program(void *ctx, uint64_t addr, void *buf, size_t len)
{
	struct vmm *vm = ctx;
	if (addr >= USER_ADDR_END || len > USER_ADDR_END - addr)
		return 0;
	return vcpu_read_virt(vm, addr, buf, len);
}

/*
 * "name+0x1a" ("name" at offset 0) for run-time address addr, named by the
 * function containing lookup, or "" when none does.  For a return address
 * lookup is addr - 1: a call may be the last instruction of a function
 * (before a function that does not return), so the return address is the
 * first byte of the next one; the offset still counts from addr, as
 * debuggers show it.
 */
static void symbolize_as(const struct program *p, uint64_t addr,
			 uint64_t lookup, char *out, size_t outlen)
{
	uint64_t off;
	const char *name = NULL;
	out[0] = '\0';
	if (p->elf && lookup >= p->base)
		name = elf_image_symbol(p->elf, lookup - p->base, &off);
	if (!name)
		return;
	off += addr - lookup;
	if (off)
		snprintf(out, outlen, "%s+0x%" PRIx64, name, off);
	else
		snprintf(out, outlen, "%s", name);
}

static void symbolize(const struct program *p, uint64_t addr, char *out,
		      size_t outlen)
{
	symbolize_as(p, addr, addr, out, outlen);
}

/* Reads a whole regular file of at most PROGRAM_FILE_MAX bytes; NULL with
 * the reason in why. */
static void *read_file(const char *path, size_t *size, char *why, size_t whylen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(why, whylen, "%s", strerror(errno));
		return NULL;
	}
	struct stat st;
	char *buf = NULL;
	if (fstat(fd, &st) < 0) {
		snprintf(why, whylen, "%s", strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode) || st.st_size <= 0 ||
	    (uint64_t)st.st_size > PROGRAM_FILE_MAX) {
		snprintf(why, whylen, "not a regular file of a plausible size");
		goto out;
	}
	buf = malloc((size_t)st.st_size);
	if (!buf) {
		snprintf(why, whylen, "out of memory");
		goto out;
	}
	size_t done = 0;
	while (done < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + done, (size_t)st.st_size - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			snprintf(why, whylen, "%s", n < 0 ? strerror(errno)
				 : "it shrank while being read");
			free(buf);
			buf = NULL;
			goto out;
		}
		done += (size_t)n;
	}
	*size = done;
out:
	close(fd);
	return buf;
}

/*
 * Finds the program's ELF: the copy in the trace, else the file the
 * recording ran (which may have changed since: said so); none for a
 * process that exec'd another program.  Prints a note when there are no
 * symbols; the report goes on without them.
 */
static void load_program(struct vmm *vm, const struct rrv_guest_state *gs,
			 struct program *p)
{
	/* Older kernels' guest_state ends before other_program. */
	if (vm->guest_abi >= 7 && gs->other_program) {
		fprintf(stderr, "rrv:   (no symbols: thread %" PRIu32 "'s process "
			"runs a program it exec'd, and the trace holds only the "
			"ELF of the program the recording started)\n", gs->tid);
		return;
	}
	const void *image = vm->cfg.program_image;
	size_t size = vm->cfg.program_size;
	void *from_disk = NULL;
	char why[160];
	if (!image) {
		if (!vm->cfg.exec_path || !vm->cfg.exec_path[0]) {
			fprintf(stderr, "rrv:   (no symbols: the trace holds no "
				"copy of the program and names no file)\n");
			return;
		}
		from_disk = read_file(vm->cfg.exec_path, &size, why, sizeof(why));
		if (!from_disk) {
			fprintf(stderr, "rrv:   (no symbols: the trace holds no "
				"copy of the program, and %s cannot be read: "
				"%s)\n", vm->cfg.exec_path, why);
			return;
		}
		fprintf(stderr, "rrv:   (symbols from %s as it is now: the "
			"trace holds no copy of the program)\n",
			vm->cfg.exec_path);
		image = from_disk;
	}
	p->elf = elf_image_load(image, size, why, sizeof(why));
	free(from_disk);
	if (!p->elf) {
		fprintf(stderr, "rrv:   (no symbols: the program's image is "
			"%s)\n", why);
		return;
	}
	p->base = elf_image_is_pie(p->elf) ? RRV_PIE_LOAD_BASE : 0;
	if (elf_image_symbol_count(p->elf) == 0)
		fprintf(stderr, "rrv:   (no symbols: the program is stripped)\n");
}

/* For a direct call or jump ("call 0x410a20"), the target's name. */
static void annotate_target(const struct program *p, char *text, size_t len)
{
	const char *sp = strchr(text, ' ');
	if (!sp || (strncmp(text, "call ", 5) != 0 && text[0] != 'j'))
		return;
	const char *op = sp + 1;
	if (strncmp(op, "0x", 2) != 0 || !op[2] ||
	    op[2 + strspn(op + 2, "0123456789abcdef")] != '\0')
		return; /* indirect, or not one plain address */
	char sym[128];
	symbolize(p, strtoull(op, NULL, 16), sym, sizeof(sym));
	size_t used = strlen(text);
	if (sym[0] && used < len)
		snprintf(text + used, len - used, " <%s>", sym);
}

/*
 * Prints the instruction the program was executing and returns its
 * address: for a thread in a system call, the syscall instruction just
 * before the saved rip when the bytes there are 0f 05.
 */
static uint64_t print_instruction(struct vmm *vm, const struct program *p,
				  uint64_t rip, bool in_syscall)
{
	uint64_t at = rip;
	const char *which = "";
	if (in_syscall) {
		uint8_t two[SYSCALL_INSN_LEN];
		if (rip >= SYSCALL_INSN_LEN &&
		    read_program(vm, rip - SYSCALL_INSN_LEN, two, sizeof(two)) ==
		    sizeof(two) && two[0] == 0x0f && two[1] == 0x05) {
			at = rip - SYSCALL_INSN_LEN;
			which = " (the system call instruction, just before "
				"the saved rip)";
		} else {
			which = " (the saved rip: no syscall instruction "
				"before it)";
		}
	}
	char sym[160] = "", name[128];
	symbolize(p, at, name, sizeof(name));
	if (name[0])
		snprintf(sym, sizeof(sym), " <%s>", name);
	uint8_t code[16];
	size_t n = read_program(vm, at, code, sizeof(code));
	if (n == 0) {
		fprintf(stderr, "rrv:   program at 0x%" PRIx64 "%s: (not mapped "
			"in the program's page tables)\n", at, sym);
		return at;
	}
	char text[256];
	if (disasm_one(code, n, at, text, sizeof(text)))
		annotate_target(p, text, sizeof(text));
	fprintf(stderr, "rrv:   program at 0x%" PRIx64 "%s: %s%s\n", at, sym,
		text, which);
	return at;
}

static void print_backtrace(struct vmm *vm, const struct program *p,
			    const struct rrv_user_regs *r, uint64_t pc)
{
	struct bt_target t = {
		.read = read_program,
		.ctx = vm,
		.elf = p->elf,
		.load_base = p->base,
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
		how = !p->elf ? " (frame-pointer walk: no program image)"
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
		 * return addresses. */
		uint64_t ip = i == 0 ? pc : ips[i];
		char sym[160];
		symbolize_as(p, ip, i == 0 ? ip : ip - 1, sym, sizeof(sym));
		fprintf(stderr, "rrv:     #%d 0x%016" PRIx64 " %s\n", i, ip,
			sym[0] ? sym : "??");
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

void report_program_state(struct vmm *vm)
{
	if (!vm->guest_state) {
		fprintf(stderr, "rrv:   (where the program was is unknown: the "
			"guest kernel published no state)\n");
		return;
	}
	/* Copies, so that what is checked is what is used. */
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
	struct rrv_user_regs regs;
	if (live_user_regs(vm, &regs)) {
		fprintf(stderr, "rrv:   thread %" PRIu32 ", running in user "
			"space\n", gs.tid);
		struct program prog = { 0 };
		load_program(vm, &gs, &prog);
		uint64_t pc = print_instruction(vm, &prog, regs.rip, false);
		print_backtrace(vm, &prog, &regs, pc);
		elf_image_free(prog.elf);
		return;
	}
	if (gs.in_syscall) {
		const char *name = syscall_name(gs.syscall_nr);
		fprintf(stderr, "rrv:   thread %" PRIu32 ", in system call %"
			PRIu64 " (%s)\n", gs.tid, gs.syscall_nr,
			name ? name : "unknown to rrv");
	}
	if (!gs.user_regs) {
		if (!gs.in_syscall)
			fprintf(stderr, "rrv:   thread %" PRIu32 "\n", gs.tid);
		fprintf(stderr, "rrv:   (the guest kernel published no "
			"registers for thread %" PRIu32 ")\n", gs.tid);
		return;
	}
	const struct rrv_user_regs *rp =
		GUEST_AT(&vm->mem, gs.user_regs, sizeof(*rp));
	if (!rp) {
		fprintf(stderr, "rrv:   (thread %" PRIu32 "'s registers at 0x%"
			PRIx64 " lie outside guest memory)\n", gs.tid,
			gs.user_regs);
		return;
	}
	memcpy(&regs, rp, sizeof(regs));
	if (!gs.in_syscall)
		fprintf(stderr, "rrv:   thread %" PRIu32 ", not in a system "
			"call: in the kernel for vector %" PRIu64 " (%s)\n",
			gs.tid, regs.vector, vector_name(regs.vector));
	if ((regs.cs & 3) != 3) {
		fprintf(stderr, "rrv:   (thread %" PRIu32 "'s saved registers "
			"are not the program's: cs 0x%" PRIx64 " is not ring "
			"3)\n", gs.tid, regs.cs);
		return;
	}

	struct program prog = { 0 };
	load_program(vm, &gs, &prog);
	uint64_t pc = print_instruction(vm, &prog, regs.rip, gs.in_syscall);
	print_backtrace(vm, &prog, &regs, pc);
	elf_image_free(prog.elf);
}
