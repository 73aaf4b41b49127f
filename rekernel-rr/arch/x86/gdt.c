/*
 * GDT and TSS (layout and contracts in gdt.h).  In long mode segmentation
 * is mostly vestigial: base and limit are ignored for code and data, and
 * what matters is the L bit, the DPL and the present bit.  The TSS no longer
 * holds task state either; it is only where the CPU finds stacks.
 */
#include "arch/x86/gdt.h"

#include "arch/x86/vm.h"
#include "arch/x86/x86.h"
#include "lib/string.h"

/* The 64-bit TSS.  iomap_base beyond the limit means no I/O permission
 * bitmap: with IOPL 0, user code can reach no port, and so cannot make
 * hypercalls. */
struct tss {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
} __attribute__((packed));

/* Descriptor bits, in the high dword of an 8-byte descriptor. */
#define D_ACCESSED (1ull << 40)
#define D_RW (1ull << 41)  /* data: writable; code: readable */
#define D_CODE (1ull << 43)
#define D_S (1ull << 44)   /* code or data, not a system descriptor */
#define D_DPL3 (3ull << 45)
#define D_P (1ull << 47)
#define D_L (1ull << 53)   /* 64-bit code */
#define D_DB (1ull << 54)
#define D_G (1ull << 55)
#define D_LIMIT_MAX 0x000f00000000ffffull

#define SEG_CODE64 (D_P | D_S | D_CODE | D_RW | D_ACCESSED | D_L | D_G | D_LIMIT_MAX)
#define SEG_DATA (D_P | D_S | D_RW | D_ACCESSED | D_DB | D_G | D_LIMIT_MAX)
#define TSS_TYPE_AVAIL 0x9ull

/* Not const: the CPU writes the busy bit of the TSS descriptor on ltr. */
static uint64_t gdt[7] __attribute__((aligned(16))) = {
	[0] = 0,
	[SEG_KCODE >> 3] = SEG_CODE64,
	[SEG_KDATA >> 3] = SEG_DATA,
	[SEG_UDATA >> 3] = SEG_DATA | D_DPL3,
	[SEG_UCODE >> 3] = SEG_CODE64 | D_DPL3,
	/* [SEG_TSS >> 3] and the slot after it: filled in by gdt_init */
};

static struct tss tss __attribute__((aligned(16)));

KSTACK_DEFINE(df_stack);
KSTACK_DEFINE(nmi_stack);
KSTACK_DEFINE(mc_stack);

/* The kernel stack boot.S runs kmain on. */
extern char boot_stack_top[];

static void set_tss_descriptor(void)
{
	uint64_t base = (uint64_t)(uintptr_t)&tss;
	uint64_t limit = sizeof(tss) - 1;

	gdt[SEG_TSS >> 3] = (limit & 0xffff) | (base & 0xffffff) << 16 |
			    TSS_TYPE_AVAIL << 40 | D_P | ((limit >> 16) & 0xf) << 48 |
			    ((base >> 24) & 0xff) << 56;
	gdt[(SEG_TSS >> 3) + 1] = base >> 32;
}

void tss_set_rsp0(uint64_t rsp0)
{
	tss.rsp[0] = rsp0;
}

void gdt_init(void)
{
	memset(&tss, 0, sizeof(tss));
	tss.iomap_base = sizeof(tss);
	tss.ist[IST_DF - 1] = KSTACK_TOP(&df_stack);
	tss.ist[IST_NMI - 1] = KSTACK_TOP(&nmi_stack);
	tss.ist[IST_MC - 1] = KSTACK_TOP(&mc_stack);
	/* Nothing runs in ring 3 yet; the scheduler will point this at each
	 * thread's own kernel stack. */
	tss_set_rsp0((uint64_t)(uintptr_t)boot_stack_top);
	set_tss_descriptor();

	struct descptr p = { .limit = sizeof(gdt) - 1, .base = (uint64_t)(uintptr_t)gdt };
	lgdt(&p);

	/* CS can only be reloaded by a far transfer; lretq pops rip then cs.
	 * FS and GS get the null selector: their bases come from MSRs. */
	asm volatile("pushq %[cs]\n\t"
		     "leaq 1f(%%rip), %%rax\n\t"
		     "pushq %%rax\n\t"
		     "lretq\n"
		     "1:\n\t"
		     "movw %w[ds], %%ds\n\t"
		     "movw %w[ds], %%es\n\t"
		     "movw %w[ds], %%ss\n\t"
		     "movw %w[null], %%fs\n\t"
		     "movw %w[null], %%gs"
		     :
		     : [cs] "i"(SEG_KCODE), [ds] "r"(SEG_KDATA), [null] "r"(0)
		     : "rax", "memory");
	ltr(SEG_TSS);
}
