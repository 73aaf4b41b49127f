/*
 * kmain: from the first C instruction to the job the command line asks for.
 * The order matters: the console first (it makes no hypercall), so that
 * anything after can be reported; BOOT is the first hypercall, so that a
 * kernel built for another ABI is refused before it does anything; the GDT and IDT are replaced
 * before the page tables, since the VMM's versions live in low memory that
 * the kernel's own tables no longer map.
 */
#include "arch/x86/fpu.h"
#include "arch/x86/gdt.h"
#include "arch/x86/pmu.h"
#include "arch/x86/vm.h"
#include "fs/exec.h"
#include "fs/file.h"
#include "hv/console.h"
#include "hv/hypercall.h"
#include "kernel/ktest.h"
#include "kernel/syscall.h"
#include "lib/bootinfo.h"
#include "lib/kprintf.h"
#include "lib/string.h"
#include "mm/kalloc.h"
#include "proc/preempt.h"
#include "proc/proc.h"
#include "proc/sched.h"
#include "proc/signal.h"
#include "proc/trap.h"
#include "uapi/errno.h"

/*
 * The job of `rrv run`: set up the one process and start the program.
 * The order matters: memory first (everything allocates), then the
 * process (its rlimits derive from memory), its files and signals, the
 * system call table, and finally exec, which enters ring 3 for good.
 */
__attribute__((noreturn)) static void run_program(void)
{
	kalloc_init(bootinfo.mem_bytes);
	fpu_init();
	proc_init();
	curproc->files = files_init_stdio();
	signal_init(curproc, curthread);
	syscall_init();
	sched_init();
	struct rrv_hc_pmu pmu;
	if (hc_pmu(&pmu) >= 0)
		pmu_init(&pmu);
	exec_start(bootinfo.exec_path);
}

__attribute__((noreturn)) void kmain(void);

void kmain(void)
{
	struct rrv_hc_boot b;
	hv_console_init();
	int64_t used = hc_boot(&b, boot_strings, sizeof(boot_strings), &guest_state);
	preempt_hook_hypercalls();
	if (used == -E2BIG)
		panic("BOOT hypercall failed (%ld): the arguments and environment do "
		      "not fit in the kernel's %lu-byte buffer", used, (uint64_t)BOOT_STRINGS_MAX);
	if (used < 0)
		panic("BOOT hypercall failed (%ld): the VMM refused ABI version %u",
		      used, RRV_HC_ABI_VERSION);
	bootinfo_parse(&b, used);

	gdt_init();
	trap_init();
	vm_init(bootinfo.mem_bytes);

	cmdline_warn_unknown();

	const char *test;
	size_t len;
	if (cmdline_get("ktest", &test, &len))
		ktest_run(test, len);

	if (bootinfo.exec_path[0])
		run_program();

	kwritef(1, "rekernel-rr: booted, %lu MiB of guest memory\n",
		bootinfo.mem_bytes >> 20);
	hc_exit(0);
}
