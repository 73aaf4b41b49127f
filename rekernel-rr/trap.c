/*
 * The IDT and the common trap handler (contracts in trap.h).
 *
 * There is no ring 3 and no interrupt source yet, so every trap is a bug in
 * the kernel: trap() reports it through RRV_HC_PANIC, which stops the
 * machine.  It must never return to the faulting instruction, which would
 * only fault again.  Later, traps from ring 3 (tf->cs & 3) will become
 * signals and the timer will return through trapret.
 */
#include "trap.h"

#include "gdt.h"
#include "hypercall.h"
#include "kprintf.h"
#include "string.h"
#include "x86.h"

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
	/* int3 from ring 3 must reach the kernel (as SIGTRAP) rather than
	 * turn into #GP, once there is a ring 3. */
	set_gate(T_BP, vectors[T_BP], 0, GATE_INTR | GATE_DPL3);

	struct descptr p = { .limit = sizeof(idt) - 1, .base = (uint64_t)(uintptr_t)idt };
	lidt(&p);
}

void trap(struct trapframe *tf)
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
