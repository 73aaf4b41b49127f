/*
 * Hypercall wrappers (contracts in hypercall.h).  Every call is one outl
 * whose eax carries the guest-physical address of the argument struct; the
 * "memory" clobber makes the compiler store the struct before the exit and
 * reload it after, since the VMM reads and writes it behind its back.
 */
#include "hv/hypercall.h"

#include "arch/x86/vm.h"
#include "arch/x86/x86.h"
#include "lib/kprintf.h"
#include "lib/string.h"

/* Iovec pieces per WRITE call; kernel buffers are physically contiguous,
 * so one is the usual case and this only bounds the stack used. */
#define WRITE_PIECES 16

uint64_t hc_raw(unsigned nr, uint32_t gpa)
{
	uint64_t rax = gpa;
	asm volatile("outl %%eax, %%dx"
		     : "+a"(rax)
		     : "d"((uint16_t)(RRV_HC_PORT_BASE + nr))
		     : "memory");
	return rax;
}

/* The call proper, for a struct already known to be at gpa.  When the VMM
 * cannot reach the struct it puts -errno in rax instead; errno values are
 * small, so the low 32 bits sign-extended read the same whether it set all
 * of rax or only eax. */
static int64_t call_at(unsigned nr, struct rrv_hc_hdr *hdr, uint32_t gpa)
{
	uint64_t rax = hc_raw(nr, gpa);
	if (rax != gpa)
		return (int64_t)(int32_t)(uint32_t)rax;
	return hdr->ret;
}

/* Translates a struct for the VMM: the whole header must be addressable
 * and below 4 GiB, since only eax carries the address. */
static bool struct_gpa(const void *args, uint32_t *gpa)
{
	uint64_t pa;
	if (!virt_to_phys_range(args, sizeof(struct rrv_hc_hdr), &pa) ||
	    pa > 0xffffffffull - sizeof(struct rrv_hc_hdr))
		return false;
	*gpa = (uint32_t)pa;
	return true;
}

static const struct hc_hooks *hooks;

void hc_set_hooks(const struct hc_hooks *h)
{
	hooks = h;
}

int64_t hc_call(unsigned nr, void *args)
{
	uint32_t gpa;
	if (!struct_gpa(args, &gpa))
		panic("hypercall %u: struct at %p has no address below 4 GiB", nr, args);
	if (hooks)
		hooks->enter();
	int64_t r = call_at(nr, args, gpa);
	if (hooks)
		hooks->leave();
	return r;
}

int64_t hc_boot(struct rrv_hc_boot *b, void *buf, uint64_t buf_len,
		const struct rrv_guest_state *state)
{
	uint64_t pa;
	if (!virt_to_phys_range(buf, buf_len, &pa))
		panic("hc_boot: buffer %p+0x%lx not contiguous", buf, buf_len);
	memset(b, 0, sizeof(*b));
	b->abi_version = RRV_HC_ABI_VERSION;
	b->buf = pa;
	b->buf_len = buf_len;
	b->state = virt_to_phys(state);
	return hc_call(RRV_HC_BOOT, b);
}

void hc_exit(int32_t status)
{
	struct rrv_hc_exit e;
	memset(&e, 0, sizeof(e));
	e.how = RRV_EXIT_NORMAL;
	e.status = status;
	hc_call(RRV_HC_EXIT, &e);
	/* The VMM stops the vCPU on EXIT; getting here means it did not. */
	halt_forever();
}

/*
 * Never panics itself: it is the end of every panic path, so on a bad
 * pointer it degrades (no message, or a static struct) rather than recurse.
 */
void hc_panic(struct rrv_hc_panic *p, const char *msg, size_t len)
{
	static struct rrv_hc_panic fallback;
	uint64_t msg_pa;
	uint32_t gpa;

	if (!struct_gpa(p, &gpa)) {
		fallback = *p;
		p = &fallback;
		struct_gpa(p, &gpa);
	}
	if (len > UINT32_MAX)
		len = UINT32_MAX;
	if (len && virt_to_phys_range(msg, len, &msg_pa)) {
		p->msg = msg_pa;
		p->msg_len = (uint32_t)len;
	} else {
		p->msg = 0;
		p->msg_len = 0;
	}
	call_at(RRV_HC_PANIC, &p->hdr, gpa);
	halt_forever();
}

int64_t hc_write_iov(uint32_t handle, const struct rrv_hc_iovec *iov,
		     uint32_t iovcnt)
{
	struct rrv_hc_write w;
	memset(&w, 0, sizeof(w));
	w.handle = handle;
	w.iovcnt = iovcnt;
	if (!virt_to_phys_range(iov, (uint64_t)iovcnt * sizeof(*iov), &w.iov))
		panic("hc_write_iov: iovec %p not contiguous", iov);
	return hc_call(RRV_HC_WRITE, &w);
}

int64_t hc_write(uint32_t handle, const void *buf, size_t len)
{
	struct rrv_hc_iovec iov[WRITE_PIECES];
	const char *p = buf;
	int64_t total = 0;

	while (len > 0) {
		uint32_t n = 0;
		uint64_t want = 0;

		/* Page by page, merging pieces that are physically adjacent. */
		while (len > 0 && n < WRITE_PIECES) {
			uint64_t pa = virt_to_phys(p);
			uint64_t chunk = PGSIZE - ((uintptr_t)p & (PGSIZE - 1));
			if (chunk > len)
				chunk = len;
			if (n > 0 && iov[n - 1].base + iov[n - 1].len == pa) {
				iov[n - 1].len += chunk;
			} else {
				iov[n].base = pa;
				iov[n].len = chunk;
				n++;
			}
			p += chunk;
			len -= chunk;
			want += chunk;
		}

		int64_t r = hc_write_iov(handle, iov, n);
		if (r < 0)
			return total ? total : r;
		total += r;
		if ((uint64_t)r < want)
			break;
	}
	return total;
}

int64_t hc_log(uint32_t level, const char *text, size_t len)
{
	struct rrv_hc_log l;
	uint64_t pa;

	if (len > UINT32_MAX)
		len = UINT32_MAX;
	if (!virt_to_phys_range(text, len, &pa))
		panic("hc_log: text %p+0x%lx not contiguous", text, len);
	memset(&l, 0, sizeof(l));
	l.level = level;
	l.len = (uint32_t)len;
	l.text = pa;
	return hc_call(RRV_HC_LOG, &l);
}

int64_t hc_threads(uint32_t nthreads)
{
	struct rrv_hc_threads a;
	memset(&a, 0, sizeof(a));
	a.nthreads = nthreads;
	return hc_call(RRV_HC_THREADS, &a);
}

int64_t hc_ticksoon(uint32_t us)
{
	struct rrv_hc_ticksoon a;
	memset(&a, 0, sizeof(a));
	a.us = us;
	return hc_call(RRV_HC_TICKSOON, &a);
}

int64_t hc_pmu(struct rrv_hc_pmu *p)
{
	memset(p, 0, sizeof(*p));
	return hc_call(RRV_HC_PMU, p);
}

int64_t hc_process(uint32_t event, int32_t pid, int32_t ppid, int32_t status,
		   const char *strings, uint32_t argc)
{
	/* Static, not on the stack: the struct is larger than a small call's
	 * and must not straddle pages that are not contiguous physically.
	 * One CPU and kernel code is not preempted, so no two calls share
	 * it at once. */
	static struct rrv_hc_process a;
	memset(&a, 0, sizeof(a));
	a.event = event;
	a.pid = pid;
	a.ppid = ppid;
	a.status = status;
	a.argc = argc;
	/* Whole strings only, as many as fit: a cut argument would read as
	 * another one. */
	uint32_t used = 0;
	for (uint32_t i = 0; strings && i < argc; i++) {
		size_t l = strlen(strings) + 1;
		if (l > sizeof(a.cmdline) - used)
			break;
		memcpy(a.cmdline + used, strings, l);
		used += (uint32_t)l;
		strings += l;
	}
	a.cmdline_len = used;
	return hc_call(RRV_HC_PROCESS, &a);
}
