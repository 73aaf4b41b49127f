/*
 * The IDT and the common trap handler (contracts in trap.h).
 *
 * A trap from ring 3 belongs to the program: page faults are served by
 * mm.c, rdtsc/rdtscp (which CR4.TSD makes fault) are emulated, and every
 * other exception becomes the signal Linux would send, with Linux's
 * si_code and address.  A trap in ring 0 is a bug in the kernel: it is
 * reported through RRV_HC_PANIC, which stops the machine, and never
 * returns to the faulting instruction, which would only fault again.
 * The one interrupt is the preemption tick (preempt.c), which only
 * ever arrives in ring 3: the kernel runs with interrupts off.
 */
#include "proc/trap.h"

#include "arch/x86/debugreg.h"
#include "arch/x86/gdt.h"
#include "arch/x86/x86.h"
#include "hv/hypercall.h"
#include "lib/kprintf.h"
#include "lib/string.h"
#include "mm/mm.h"
#include "mm/uaccess.h"
#include "proc/debugger.h"
#include "proc/ktime.h"
#include "proc/preempt.h"
#include "proc/proc.h"
#include "proc/signal.h"
#include "uapi/errno.h"
#include "uapi/signal.h"

struct gatedesc {
	uint16_t off_lo;
	uint16_t sel;
	uint8_t ist;   /* bits 0-2 */
	uint8_t attr;  /* P, DPL, type */
	uint16_t off_mid;
	uint32_t off_hi;
	uint32_t reserved;
} __attribute__((packed));

#define GATE_INTR 0x8e /* present, DPL 0, 64-bit interrupt gate */
#define GATE_DPL3 0x60

static struct gatedesc idt[256] __attribute__((aligned(16)));

extern const uint64_t vectors[256]; /* vectors.S */

static const char *const exception_names[T_NEXCEPTIONS] = {
	[0] = "divide error (#DE)",
	[1] = "debug (#DB)",
	[2] = "non-maskable interrupt (NMI)",
	[3] = "breakpoint (#BP)",
	[4] = "overflow (#OF)",
	[5] = "bound range exceeded (#BR)",
	[6] = "invalid opcode (#UD)",
	[7] = "device not available (#NM)",
	[8] = "double fault (#DF)",
	[9] = "coprocessor segment overrun",
	[10] = "invalid TSS (#TS)",
	[11] = "segment not present (#NP)",
	[12] = "stack-segment fault (#SS)",
	[13] = "general protection (#GP)",
	[14] = "page fault (#PF)",
	[16] = "x87 floating-point error (#MF)",
	[17] = "alignment check (#AC)",
	[18] = "machine check (#MC)",
	[19] = "SIMD floating-point (#XM)",
	[20] = "virtualization (#VE)",
	[21] = "control protection (#CP)",
	[28] = "hypervisor injection (#HV)",
	[29] = "VMM communication (#VC)",
	[30] = "security (#SX)",
};

static void set_gate(int v, uint64_t handler, int ist, uint8_t attr)
{
	struct gatedesc *g = &idt[v];
	g->off_lo = handler & 0xffff;
	g->sel = SEG_KCODE;
	g->ist = ist & 7;
	g->attr = attr;
	g->off_mid = (handler >> 16) & 0xffff;
	g->off_hi = handler >> 32;
	g->reserved = 0;
}

void trap_init(void)
{
	for (int v = 0; v < 256; v++)
		set_gate(v, vectors[v], 0, GATE_INTR);
	set_gate(T_DF, vectors[T_DF], IST_DF, GATE_INTR);
	set_gate(T_NMI, vectors[T_NMI], IST_NMI, GATE_INTR);
	set_gate(T_MC, vectors[T_MC], IST_MC, GATE_INTR);
	/* int3 (and into) from ring 3 must reach the kernel as themselves
	 * (SIGTRAP, SIGSEGV) rather than turn into #GP.  Every other gate is
	 * DPL 0, so `int N` from ring 3 is a #GP, as in Linux. */
	set_gate(T_BP, vectors[T_BP], 0, GATE_INTR | GATE_DPL3);
	set_gate(T_OF, vectors[T_OF], 0, GATE_INTR | GATE_DPL3);

	struct descptr p = { .limit = sizeof(idt) - 1, .base = (uint64_t)(uintptr_t)idt };
	lidt(&p);

	/* CR4.TSD: rdtsc and rdtscp fault in ring 3, so that the program's
	 * clock comes from the host through a hypercall (recordable) rather
	 * than from the CPU.  CR0.AM: EFLAGS.AC alignment checking works in
	 * ring 3, as Linux allows it. */
	lcr4(rcr4() | CR4_TSD);
	lcr0(rcr0() | CR0_AM);
}

void trap_set_kstack(uint64_t kstack_top)
{
	tss_set_rsp0(kstack_top);
	syscall_kstack_top = kstack_top;
}

/*
 * rdtsc (0f 31) and rdtscp (0f 01 f9) in ring 3 raise #GP under CR4.TSD.
 * They read CLOCK_MONOTONIC instead: a TSC of exactly 1 GHz, one tick per
 * nanosecond, counting from the host's monotonic epoch.  rdtscp's
 * TSC_AUX (ecx) is 0: CPU 0, node 0.  Returns false for any other
 * instruction.
 */
static bool emulate_tsc(struct trapframe *tf)
{
	uint8_t insn[3];
	size_t len;

	if (copy_from_user(insn, tf->rip, 2) != 0)
		return false;
	if (insn[0] == 0x0f && insn[1] == 0x31) {
		len = 2;
	} else if (insn[0] == 0x0f && insn[1] == 0x01 &&
		   copy_from_user(insn, tf->rip, 3) == 0 && insn[2] == 0xf9) {
		len = 3;
		tf->rcx = 0;
	} else {
		return false;
	}
	uint64_t tsc = ktime_tsc();
	tf->rax = (uint32_t)tsc;
	tf->rdx = tsc >> 32;
	tf->rip += len;
	return true;
}

/* The si_code of an unmasked x87 or SSE exception, from the flags that
 * are set and not masked, as Linux's fpu__exception_code picks it. */
static int fpe_code(uint32_t err)
{
	if (err & 0x001)
		return FPE_FLTINV;
	if (err & 0x004)
		return FPE_FLTDIV;
	if (err & 0x008)
		return FPE_FLTOVF;
	if (err & 0x012)
		return FPE_FLTUND;
	if (err & 0x020)
		return FPE_FLTRES;
	return 0;
}

static int x87_code(void)
{
	uint16_t sw, cw;
	asm volatile("fnstsw %0; fnstcw %1" : "=m"(sw), "=m"(cw));
	return fpe_code((uint32_t)(sw & ~cw & 0x3f));
}

static int simd_code(void)
{
	uint32_t mxcsr;
	asm volatile("stmxcsr %0" : "=m"(mxcsr));
	return fpe_code(~(mxcsr >> 7) & mxcsr & 0x3f);
}

/* A trap from ring 3: serve it or turn it into a signal, then go back. */
static void user_trap(struct trapframe *tf)
{
	curthread->tf = tf;

	/* A debugger watchpoint (DR1-DR3, rrv debug) is reported and the
	 * program goes on, as from any trap that changes nothing; B0 (the
	 * replay breakpoint) or a single step in the same #DB still go to
	 * preempt_debug below.  Data breakpoints are traps: rip is already
	 * past the access, so no RF is needed. */
	uint64_t dr6 = tf->vector == T_DB ? dr6_take() : 0;
	/* The trace flag as the instruction ran, read before the WATCH call:
	 * a step the debugger starts from the watchpoint stop sets it in tf
	 * for the next instruction, and that is no step of this one. */
	bool stepped = (tf->rflags & RFLAGS_TF) != 0;
	if (tf->vector == T_DB && dbg_watch_hit(tf, dr6) &&
	    !(dr6 & (DR6_B0 | DR6_BS)) && !stepped)
		return;

	/* The tick, and replay's breakpoint, must leave no trace of their
	 * own: they skip the signal check below (preempt_switch does its
	 * own).  One call of preempt_switch for both: see preempt.h. */
	if (tf->vector == RRV_PREEMPT_VECTOR || tf->vector == RRV_HOSTSIG_VECTOR ||
	    tf->vector == T_DB) {
		enum preempt_verdict v = tf->vector == T_DB ? preempt_debug(tf, dr6)
			: tf->vector == RRV_HOSTSIG_VECTOR ? preempt_hostsig(tf)
			: preempt_tick(tf);
		if (v == PREEMPT_SWITCH)
			preempt_switch(tf);
		if (v != PREEMPT_NOT_MINE)
			return;
	}

	switch (tf->vector) {
	case T_PF: {
		uint64_t va = rcr2();
		unsigned acc = (tf->error_code & PF_INSN) ? ACC_EXEC
			       : (tf->error_code & PF_WRITE) ? ACC_WRITE : ACC_READ;
		if (tf->error_code & PF_RSVD)
			panic("page fault with reserved bits set at 0x%lx (error 0x%lx)",
			      va, tf->error_code);
		int r = mm_fault(curproc->mm, va, acc);
		if (r == -EIO) /* past the end of a mapped file */
			signal_fault(tf, SIGBUS, BUS_ADRERR, va);
		else if (r)
			signal_fault(tf, SIGSEGV, r == -EACCES ? SEGV_ACCERR : SEGV_MAPERR, va);
		break;
	}
	case T_GP:
		if (!emulate_tsc(tf))
			signal_fault(tf, SIGSEGV, SI_KERNEL, 0);
		break;
	case T_DE:
		signal_fault(tf, SIGFPE, FPE_INTDIV, tf->rip);
		break;
	case T_DB:
		/* A single step rrv debug asked for is its own. */
		if (!dbg_breakpoint(tf, dr6))
			signal_fault(tf, SIGTRAP, TRAP_TRACE, tf->rip);
		break;
	case T_BP:
		/* rip is already past the int3, as in Linux; rrv debug's own
		 * int3s are its (proc/debugger.c), not the program's. */
		if (!dbg_breakpoint(tf, 0))
			signal_fault(tf, SIGTRAP, SI_KERNEL, 0);
		break;
	case T_OF:
	case T_BR:
	case T_TS:
		signal_fault(tf, SIGSEGV, SI_KERNEL, 0);
		break;
	case T_UD:
		signal_fault(tf, SIGILL, ILL_ILLOPN, tf->rip);
		break;
	case T_NP:
	case T_SS:
		signal_fault(tf, SIGBUS, SI_KERNEL, 0);
		break;
	case T_AC:
		signal_fault(tf, SIGBUS, BUS_ADRALN, 0);
		break;
	case T_MF:
		signal_fault(tf, SIGFPE, x87_code(), tf->rip);
		break;
	case T_XM:
		signal_fault(tf, SIGFPE, simd_code(), tf->rip);
		break;
	default:
		panic("unexpected trap from ring 3: vector %lu at rip 0x%lx",
		      tf->vector, tf->rip);
	}
	preempt_note_trap(tf);
	signal_return_to_user(tf, false);
}

/* A trap in ring 0: always a kernel bug, reported and never returned
 * from. */
__attribute__((noreturn)) static void kernel_trap(struct trapframe *tf)
{
	/* Static: the stack may be what failed.  depth catches a fault in
	 * this very path, which would otherwise recurse until the stacks
	 * are gone. */
	static struct rrv_hc_panic p;
	static char msg[128];
	static int depth;
	size_t n;

	memset(&p, 0, sizeof(p));
	p.vector = (uint32_t)tf->vector;
	p.error_code = tf->error_code;
	p.rip = tf->rip;
	p.rsp = tf->rsp;
	p.rflags = tf->rflags;
	p.cs = tf->cs;
	/* Only #PF defines cr2; elsewhere it is stale, so report 0. */
	if (tf->vector == T_PF)
		p.cr2 = rcr2();

	if (depth++ > 0) {
		static const char nested[] = "kernel exception while reporting a kernel exception";
		hc_panic(&p, nested, sizeof(nested) - 1);
	}

	if (tf->vector < T_NEXCEPTIONS) {
		const char *name = exception_names[tf->vector];
		if (name)
			n = ksnprintf(msg, sizeof(msg), "kernel exception: %s", name);
		else
			n = ksnprintf(msg, sizeof(msg), "kernel exception: vector %lu",
				      tf->vector);
	} else {
		n = ksnprintf(msg, sizeof(msg), "unexpected interrupt: vector %lu",
			      tf->vector);
	}
	if (n >= sizeof(msg))
		n = sizeof(msg) - 1;
	hc_panic(&p, msg, n);
}

void trap(struct trapframe *tf)
{
	if ((tf->cs & 3) == 3) {
		dbg_kernel_enter();
		user_trap(tf);
		return;
	}
	/* A data breakpoint of rrv debug's that fired in the kernel is no
	 * kernel bug: it goes, and the kernel carries on. */
	if (tf->vector == T_DB && dbg_kernel_db())
		return;
	kernel_trap(tf);
}
