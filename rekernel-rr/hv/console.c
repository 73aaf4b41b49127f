/*
 * kprintf's console (lib/kprintf.h): program output through WRITE,
 * diagnostics through LOG, and the end of the kernel through PANIC, with
 * the registers the VMM's report shows.
 */
#include "hv/console.h"

#include "arch/x86/vm.h"
#include "arch/x86/x86.h"
#include "hv/hypercall.h"
#include "lib/kprintf.h"
#include "lib/string.h"

static void console_log(uint32_t level, const char *text, size_t len)
{
	hc_log(level, text, len);
}

/*
 * The call instruction that returns to ret, for the report's rip: the VMM
 * disassembles at rip, and the return address of a call to a noreturn
 * function is often past the end of the caller.  Kernel calls to panic are
 * direct (e8 rel32, 5 bytes) under -mcmodel=kernel; anything else keeps ret.
 */
static uint64_t call_site(uint64_t ret)
{
	uint64_t lo = (uint64_t)(uintptr_t)__kernel_start;
	uint64_t hi = (uint64_t)(uintptr_t)__text_end;
	if (ret >= lo + 5 && ret <= hi && *(const uint8_t *)(uintptr_t)(ret - 5) == 0xe8)
		return ret - 5;
	return ret;
}

__attribute__((noreturn)) static void console_panic(const char *msg, size_t len,
						     uint64_t caller_ret)
{
	/* Static, not on the stack: the stack may be what went wrong. */
	static struct rrv_hc_panic p;

	memset(&p, 0, sizeof(p));
	p.vector = RRV_PANIC_NO_VECTOR;
	p.rip = call_site(caller_ret);
	p.rsp = read_rsp();
	p.rflags = read_rflags();
	p.cs = read_cs();
	hc_panic(&p, msg, len);
}

static const struct kconsole hv_console = {
	.write = hc_write,
	.log = console_log,
	.panic = console_panic,
};

void hv_console_init(void)
{
	kconsole_set(&hv_console);
}
