/*
 * The text of /proc's files (the text makers of fs/pseudo_tree.h), made
 * from the guest's own state when a file is opened, in Linux's formats:
 * one CPU (the CPUID profile the program sees), the guest's memory, its
 * processes and threads, the host's uname.  What changes from run to run
 * comes through recorded hypercalls: the clock (CLOCK) for uptime and
 * stat, random bytes (RANDOM) for boot_id, once, and for uuid, each time.
 */
#include "fs/pseudo_tree.h"

#include <rrv/hypercall.h>

#include "arch/x86/vm.h"
#include "arch/x86/x86.h"
#include "fs/file.h"
#include "hv/hypercall.h"
#include "lib/string.h"
#include "mm/kalloc.h"
#include "mm/mm.h"
#include "proc/ktime.h"
#include "proc/proc.h"
#include "uapi/errno.h"

#define KB(pages) ((uint64_t)(pages) * (PGSIZE / 1024))

/* ---- the machine ---- */

/* The CPUID feature bits /proc/cpuinfo names, in Linux's order. */
static const struct {
	uint32_t leaf, reg, bit; /* reg: 0 eax, 1 ebx, 2 ecx, 3 edx */
	const char *name;
} cpu_flags[] = {
	{ 1, 3, 0, "fpu" }, { 1, 3, 1, "vme" }, { 1, 3, 2, "de" }, { 1, 3, 3, "pse" },
	{ 1, 3, 4, "tsc" }, { 1, 3, 5, "msr" }, { 1, 3, 6, "pae" }, { 1, 3, 7, "mce" },
	{ 1, 3, 8, "cx8" }, { 1, 3, 9, "apic" }, { 1, 3, 11, "sep" }, { 1, 3, 12, "mtrr" },
	{ 1, 3, 13, "pge" }, { 1, 3, 14, "mca" }, { 1, 3, 15, "cmov" }, { 1, 3, 16, "pat" },
	{ 1, 3, 17, "pse36" }, { 1, 3, 19, "clflush" }, { 1, 3, 23, "mmx" },
	{ 1, 3, 24, "fxsr" }, { 1, 3, 25, "sse" }, { 1, 3, 26, "sse2" }, { 1, 3, 28, "ht" },
	{ 0x80000001, 3, 11, "syscall" }, { 0x80000001, 3, 20, "nx" },
	{ 0x80000001, 3, 26, "pdpe1gb" }, { 0x80000001, 3, 27, "rdtscp" },
	{ 0x80000001, 3, 29, "lm" },
	{ 1, 2, 0, "pni" }, { 1, 2, 1, "pclmulqdq" }, { 1, 2, 9, "ssse3" },
	{ 1, 2, 12, "fma" }, { 1, 2, 13, "cx16" }, { 1, 2, 19, "sse4_1" },
	{ 1, 2, 20, "sse4_2" }, { 1, 2, 21, "x2apic" }, { 1, 2, 22, "movbe" },
	{ 1, 2, 23, "popcnt" }, { 1, 2, 25, "aes" }, { 1, 2, 26, "xsave" },
	{ 1, 2, 28, "avx" }, { 1, 2, 29, "f16c" }, { 1, 2, 30, "rdrand" },
	{ 0x80000001, 2, 0, "lahf_lm" }, { 0x80000001, 2, 5, "abm" },
	{ 7, 1, 3, "bmi1" }, { 7, 1, 5, "avx2" }, { 7, 1, 8, "bmi2" },
	{ 7, 1, 18, "rdseed" }, { 7, 1, 19, "adx" }, { 7, 1, 29, "sha_ni" },
};

/* /proc/cpuinfo: one processor, described by the CPUID profile the
 * program itself sees (docs/cpuid.md). */
int text_cpuinfo(const struct pnode *n, struct tb *b)
{
	uint32_t r[4], max, maxext;
	char vendor[13], brand[49];
	(void)n;

	cpuid(0, 0, &max, &r[1], &r[2], &r[3]);
	memcpy(vendor, &r[1], 4);
	memcpy(vendor + 4, &r[3], 4);
	memcpy(vendor + 8, &r[2], 4);
	vendor[12] = '\0';
	cpuid(0x80000000, 0, &maxext, &r[1], &r[2], &r[3]);
	brand[0] = '\0';
	if (maxext >= 0x80000004) {
		for (uint32_t i = 0; i < 3; i++) {
			cpuid(0x80000002 + i, 0, &r[0], &r[1], &r[2], &r[3]);
			memcpy(brand + 16 * i, r, 16);
		}
		brand[48] = '\0';
	}
	uint32_t sig, b1, c1, d1;
	cpuid(1, 0, &sig, &b1, &c1, &d1);
	uint32_t family = (sig >> 8) & 0xf, model = (sig >> 4) & 0xf;
	if (family == 0xf)
		family += (sig >> 20) & 0xff;
	if (family == 6 || family >= 0xf)
		model |= ((sig >> 16) & 0xf) << 4;

	tb_printf(b, "processor\t: 0\nvendor_id\t: %s\ncpu family\t: %u\nmodel\t\t: %u\n"
		  "model name\t: %s\nstepping\t: %u\nmicrocode\t: 0x1\n"
		  "cache size\t: 8192 KB\nphysical id\t: 0\nsiblings\t: 1\ncore id\t\t: 0\n"
		  "cpu cores\t: 1\napicid\t\t: 0\ninitial apicid\t: 0\nfpu\t\t: yes\n"
		  "fpu_exception\t: yes\ncpuid level\t: %u\nwp\t\t: yes\nflags\t\t:",
		  vendor, family, model, brand, sig & 0xf, max);
	for (size_t i = 0; i < sizeof(cpu_flags) / sizeof(cpu_flags[0]); i++) {
		uint32_t leaf = cpu_flags[i].leaf;
		if ((leaf < 0x80000000 && leaf > max) || (leaf >= 0x80000000 && leaf > maxext))
			continue;
		cpuid(leaf, 0, &r[0], &r[1], &r[2], &r[3]);
		if (r[cpu_flags[i].reg] & (1u << cpu_flags[i].bit))
			tb_printf(b, " %s", cpu_flags[i].name);
	}
	tb_printf(b, "\nbogomips\t: 4000.00\nclflush size\t: 64\ncache_alignment\t: 64\n"
		  "address sizes\t: 48 bits physical, 48 bits virtual\npower management:\n\n");
	return 0;
}

/* /proc/meminfo: the guest's memory, all of it RAM, no swap. */
int text_meminfo(const struct pnode *n, struct tb *b)
{
	(void)n;
	uint64_t total = kalloc_total_pages(), free = kalloc_free_pages();
	uint64_t rss = 0;
	for (struct proc *p = procs; p; p = p->next)
		if (p->mm && p->state == P_ALIVE)
			rss += p->mm->rss;
	static const char *const zeros[] = {
		"Buffers", "Cached", "SwapCached", "Inactive", "Active(file)", "Inactive(file)",
		"Unevictable", "Mlocked", "SwapTotal", "SwapFree", "Dirty", "Writeback",
		"Shmem", "Slab", "SReclaimable", "SUnreclaim",
	};
	tb_printf(b, "MemTotal:       %8lu kB\nMemFree:        %8lu kB\nMemAvailable:   %8lu kB\n",
		  KB(total), KB(free), KB(free));
	tb_printf(b, "Active:         %8lu kB\nActive(anon):   %8lu kB\nInactive(anon): %8lu kB\n",
		  KB(rss), KB(rss), 0ul);
	for (size_t i = 0; i < sizeof(zeros) / sizeof(zeros[0]); i++) {
		tb_printf(b, "%s:", zeros[i]);
		for (size_t w = strlen(zeros[i]) + 1; w < 16; w++)
			tb_put(b, " ", 1);
		tb_printf(b, "%8lu kB\n", 0ul);
	}
	tb_printf(b, "AnonPages:      %8lu kB\nMapped:         %8lu kB\nPageTables:     %8lu kB\n"
		  "CommitLimit:    %8lu kB\nCommitted_AS:   %8lu kB\n"
		  "VmallocTotal:   34359738367 kB\nVmallocUsed:           0 kB\n"
		  "HugePages_Total:       0\nHugePages_Free:        0\nHugePages_Rsvd:        0\n"
		  "HugePages_Surp:        0\nHugepagesize:       2048 kB\n",
		  KB(rss), 0ul, 0ul, KB(total) / 2, KB(rss));
	return 0;
}

/* The guest's uptime (CLOCK_BOOTTIME, a recorded CLOCK). */
static void uptime(int64_t *sec, int64_t *nsec)
{
	if (ktime_get(CLOCK_BOOTTIME, sec, nsec) < 0)
		*sec = *nsec = 0;
}

/* Live threads of every process, and the last id given out. */
static void count_threads(int *threads, int *last)
{
	*threads = 0;
	*last = 0;
	for (struct proc *p = procs; p; p = p->next) {
		if (p->state != P_ALIVE)
			continue;
		*threads += p->nlive > 0 ? p->nlive : 1;
		for (struct thread *t = p->threads; t; t = t->next)
			if (t->tid > *last)
				*last = t->tid;
	}
}

/* /proc/stat: one CPU, busy in user mode since boot (100 ticks a second). */
int text_stat(const struct pnode *n, struct tb *b)
{
	(void)n;
	int64_t sec, nsec, rsec, rnsec;
	uptime(&sec, &nsec);
	if (ktime_get(CLOCK_REALTIME, &rsec, &rnsec) < 0)
		rsec = 0;
	uint64_t ticks = (uint64_t)sec * 100 + (uint64_t)nsec / 10000000;
	int threads, last;
	count_threads(&threads, &last);
	for (int cpu = -1; cpu < 1; cpu++) {
		if (cpu < 0)
			tb_printf(b, "cpu  %lu 0 0 0 0 0 0 0 0 0\n", ticks);
		else
			tb_printf(b, "cpu%d %lu 0 0 0 0 0 0 0 0 0\n", cpu, ticks);
	}
	tb_printf(b, "intr 0\nctxt 0\nbtime %ld\nprocesses %d\nprocs_running 1\n"
		  "procs_blocked 0\nsoftirq 0 0 0 0 0 0 0 0 0 0 0\n",
		  rsec - sec, last);
	return 0;
}

int text_uptime(const struct pnode *n, struct tb *b)
{
	(void)n;
	int64_t sec, nsec;
	uptime(&sec, &nsec);
	tb_printf(b, "%ld.%02ld 0.00\n", sec, nsec / 10000000);
	return 0;
}

int text_loadavg(const struct pnode *n, struct tb *b)
{
	(void)n;
	int threads, last;
	count_threads(&threads, &last);
	tb_printf(b, "0.00 0.00 0.00 1/%d %d\n", threads, last);
	return 0;
}

int text_filesystems(const struct pnode *n, struct tb *b)
{
	(void)n;
	tb_printf(b, "nodev\tsysfs\nnodev\ttmpfs\nnodev\tproc\nnodev\tdevtmpfs\n"
		  "nodev\tdevpts\nnodev\tpipefs\nnodev\tsockfs\n\text4\n");
	return 0;
}

/* The host's utsname field (65 bytes each), or "". */
static const char *uts_field(int i)
{
	const char *u = proc_utsname();
	return u ? u + 65 * i : "";
}

int text_version(const struct pnode *n, struct tb *b)
{
	(void)n;
	tb_printf(b, "%.65s version %.65s (rrv) %.65s\n", uts_field(0), uts_field(2), uts_field(3));
	return 0;
}

/* arg: which field (0 ostype, 1 hostname, 2 osrelease). */
int text_uts(const struct pnode *n, struct tb *b)
{
	tb_printf(b, "%.65s\n", uts_field(n->arg));
	return 0;
}

int text_pid_max(const struct pnode *n, struct tb *b)
{
	(void)n;
	tb_printf(b, "4194304\n");
	return 0;
}

int text_overcommit(const struct pnode *n, struct tb *b)
{
	(void)n;
	tb_printf(b, "0\n");
	return 0;
}

/* 16 random bytes as a version 4 UUID, as Linux's random/uuid. */
static int random_uuid(struct tb *b, uint8_t u[16])
{
	struct rrv_hc_random rq;
	memset(&rq, 0, sizeof(rq));
	rq.buf = virt_to_phys(u);
	rq.len = 16;
	if (hc_call(RRV_HC_RANDOM, &rq) != 16)
		return -EIO;
	u[6] = (uint8_t)((u[6] & 0x0f) | 0x40);
	u[8] = (uint8_t)((u[8] & 0x3f) | 0x80);
	for (int i = 0; i < 16; i++)
		tb_printf(b, "%s%02x", i == 4 || i == 6 || i == 8 || i == 10 ? "-" : "", u[i]);
	tb_printf(b, "\n");
	return 0;
}

/* The same for the whole run: drawn once, when first read. */
int text_boot_id(const struct pnode *n, struct tb *b)
{
	static uint8_t id[16];
	static bool have;
	(void)n;
	if (!have) {
		struct tb scratch = { NULL, 0, 0 };
		int r = random_uuid(&scratch, id);
		if (r < 0)
			return r;
		have = true;
	}
	for (int i = 0; i < 16; i++)
		tb_printf(b, "%s%02x", i == 4 || i == 6 || i == 8 || i == 10 ? "-" : "", id[i]);
	tb_printf(b, "\n");
	return 0;
}

int text_uuid(const struct pnode *n, struct tb *b)
{
	static uint8_t u[16];
	(void)n;
	return random_uuid(b, u);
}

/* ---- a process ---- */

static struct mm *pn_mm(const struct pnode *n)
{
	struct proc *p = pn_proc(n);
	return p && p->state == P_ALIVE ? p->mm : NULL;
}

int text_maps(const struct pnode *n, struct tb *b)
{
	struct mm *mm = pn_mm(n);
	if (!mm)
		return 0;
	b->len = mm_format_maps(mm, b->p, b->cap);
	if (b->len >= b->cap)
		b->len = b->cap - 1;
	return 0;
}

int text_smaps(const struct pnode *n, struct tb *b)
{
	struct mm *mm = pn_mm(n);
	for (struct vma *v = mm ? mm->vmas : NULL; v; v = v->next) {
		if (b->cap - b->len < 1024)
			break;
		b->len += mm_format_map_line(v, b->p + b->len, b->cap - b->len);
		uint64_t size = (v->end - v->start) / 1024, rss = KB(mm_vma_resident(mm, v));
		bool anon = !v->mf && !v->shm;
		tb_printf(b, "Size:           %8lu kB\nKernelPageSize:        4 kB\n"
			  "MMUPageSize:           4 kB\nRss:            %8lu kB\n"
			  "Pss:            %8lu kB\nShared_Clean:          0 kB\n"
			  "Shared_Dirty:          0 kB\nPrivate_Clean:         0 kB\n"
			  "Private_Dirty:  %8lu kB\nReferenced:     %8lu kB\n"
			  "Anonymous:      %8lu kB\nSwap:                  0 kB\n"
			  "Locked:                0 kB\nVmFlags:%s%s%s%s%s\n",
			  size, rss, rss, rss, rss, anon ? rss : 0ul,
			  v->prot & PROT_READ ? " rd" : "", v->prot & PROT_WRITE ? " wr" : "",
			  v->prot & PROT_EXEC ? " ex" : "", v->flags & VM_SHARED ? " sh" : "",
			  v->flags & VM_GROWSDOWN ? " gd" : "");
	}
	return 0;
}

/* A thread's state letter and word, as Linux's task_state_array. */
static const char *state_of(const struct proc *p, const struct thread *t)
{
	if (p->state != P_ALIVE)
		return "Z (zombie)";
	if (t == curthread || (t && t->state == T_RUNNABLE))
		return "R (running)";
	return "S (sleeping)";
}

/* The bits of the signals p ignores or catches. */
static void sig_dispositions(const struct proc *p, uint64_t *ign, uint64_t *cgt)
{
	*ign = *cgt = 0;
	for (int s = 1; s < NSIG; s++) {
		uint64_t h = p->sigaction[s].handler;
		if (h == 1)
			*ign |= 1ull << (s - 1);
		else if (h > 1)
			*cgt |= 1ull << (s - 1);
	}
}

int text_status(const struct pnode *n, struct tb *b)
{
	struct proc *p = pn_proc(n);
	struct thread *t = pn_thread(n);
	if (!p)
		return -ESRCH;
	struct mm *mm = pn_mm(n);
	uint64_t vm = 0, stk = 0, exe = 0;
	for (struct vma *v = mm ? mm->vmas : NULL; v; v = v->next) {
		vm += v->end - v->start;
		if (v->kind == VMA_STACK)
			stk += v->end - v->start;
		if (v->kind == VMA_ELF && (v->prot & PROT_EXEC))
			exe += v->end - v->start;
	}
	uint64_t ign, cgt;
	sig_dispositions(p, &ign, &cgt);
	int tid = t ? t->tid : p->pid;
	tb_printf(b, "Name:\t%.15s\nUmask:\t%04o\nState:\t%s\nTgid:\t%d\n"
		  "Ngid:\t0\nPid:\t%d\nPPid:\t%d\nTracerPid:\t0\n"
		  "Uid:\t%u\t%u\t%u\t%u\nGid:\t%u\t%u\t%u\t%u\nFDSize:\t%d\nGroups:\t\n"
		  "NStgid:\t%d\nNSpid:\t%d\nNSpgid:\t%d\nNSsid:\t%d\n",
		  t ? t->comm : "", p->umask, state_of(p, t), p->pid, tid, p->ppid, p->uid,
		  p->euid, p->suid, p->euid, p->gid, p->egid, p->sgid, p->egid,
		  /* Another process's table size is not kept: Linux's first. */
		  p == curproc ? fd_table_size() : 64, p->pid, tid, p->pgid, p->sid);
	if (mm)
		tb_printf(b, "VmPeak:\t%8lu kB\nVmSize:\t%8lu kB\nVmLck:\t       0 kB\n"
			  "VmPin:\t       0 kB\nVmHWM:\t%8lu kB\nVmRSS:\t%8lu kB\n"
			  "VmData:\t%8lu kB\nVmStk:\t%8lu kB\nVmExe:\t%8lu kB\n"
			  "VmLib:\t       0 kB\nVmPTE:\t       0 kB\nVmSwap:\t       0 kB\n",
			  vm >> 10, vm >> 10, KB(mm->peak_rss), KB(mm->rss),
			  (vm - stk - exe) >> 10, stk >> 10, exe >> 10);
	tb_printf(b, "Threads:\t%d\nSigQ:\t0/63304\nSigPnd:\t%016lx\nShdPnd:\t%016lx\n"
		  "SigBlk:\t%016lx\nSigIgn:\t%016lx\nSigCgt:\t%016lx\n"
		  "CapInh:\t0000000000000000\nCapPrm:\t%016lx\nCapEff:\t%016lx\n"
		  "CapBnd:\t000001ffffffffff\nCapAmb:\t0000000000000000\nNoNewPrivs:\t%d\n"
		  "Seccomp:\t0\nSeccomp_filters:\t0\nSpeculation_Store_Bypass:\tvulnerable\n"
		  "Cpus_allowed:\t1\nCpus_allowed_list:\t0\nMems_allowed:\t1\n"
		  "Mems_allowed_list:\t0\nvoluntary_ctxt_switches:\t0\n"
		  "nonvoluntary_ctxt_switches:\t0\n",
		  p->nlive > 0 ? p->nlive : 1, t ? (uint64_t)t->sigpending : 0ul,
		  (uint64_t)p->sigpending, t ? (uint64_t)t->sigmask : 0ul, ign, cgt,
		  p->euid == 0 ? 0x1ffffffffful : 0ul, p->euid == 0 ? 0x1ffffffffful : 0ul,
		  p->prctl.no_new_privs);
	return 0;
}

/* /proc/PID/stat: Linux's 52 fields. */
int text_pstat(const struct pnode *n, struct tb *b)
{
	struct proc *p = pn_proc(n);
	struct thread *t = pn_thread(n);
	if (!p)
		return -ESRCH;
	struct mm *mm = pn_mm(n);
	uint64_t vm = 0;
	for (struct vma *v = mm ? mm->vmas : NULL; v; v = v->next)
		vm += v->end - v->start;
	uint64_t ign, cgt;
	sig_dispositions(p, &ign, &cgt);
	tb_printf(b, "%d (%.15s) %c %d %d %d 0 -1 4194304 %lu 0 0 0 0 0 0 0 20 %d %d 0 0 %lu %lu "
		  "%lu ", t ? t->tid : p->pid, t ? t->comm : "", state_of(p, t)[0], p->ppid,
		  p->pgid, p->sid, mm ? mm->nfaults : 0ul, p->prctl.nice,
		  p->nlive > 0 ? p->nlive : 1, vm, mm ? mm->rss : 0ul,
		  p->rlimit[RLIMIT_RSS].cur);
	uint64_t code = 0, ecode = 0;
	for (struct vma *v = mm ? mm->vmas : NULL; v; v = v->next)
		if (v->kind == VMA_ELF && (v->prot & PROT_EXEC) && !code) {
			code = v->start;
			ecode = v->end;
		}
	tb_printf(b, "%lu %lu %lu 0 0 0 %lu %lu %lu 0 0 0 %d 0 0 0 0 0 0 %lu %lu %lu %lu %lu %lu "
		  "%lu %d\n",
		  code, ecode, mm ? mm->start_stack : 0ul, t ? (uint64_t)t->sigmask : 0ul, ign,
		  cgt, p->exit_signal, mm ? mm->start_brk : 0ul, mm ? mm->brk : 0ul,
		  mm ? mm->start_brk : 0ul, mm ? mm->arg_start : 0ul, mm ? mm->arg_end : 0ul,
		  mm ? mm->env_start : 0ul, mm ? mm->env_end : 0ul,
		  p->state == P_ALIVE ? 0 : p->exit_code);
	return 0;
}

int text_statm(const struct pnode *n, struct tb *b)
{
	struct mm *mm = pn_mm(n);
	uint64_t vm = 0, exe = 0;
	for (struct vma *v = mm ? mm->vmas : NULL; v; v = v->next) {
		vm += (v->end - v->start) / PGSIZE;
		if (v->kind == VMA_ELF && (v->prot & PROT_EXEC))
			exe += (v->end - v->start) / PGSIZE;
	}
	tb_printf(b, "%lu %lu 0 %lu 0 %lu 0\n", vm, mm ? mm->rss : 0ul, exe, vm - exe);
	return 0;
}

/* [va, end) of the process's memory, page by page through its page
 * tables (it need not be the loaded address space). */
static void copy_range(struct mm *mm, uint64_t va, uint64_t end, struct tb *b)
{
	int err;
	if (end - va > b->cap - b->len)
		end = va + (b->cap - b->len);
	while (va < end) {
		uint64_t cnt = PGSIZE - (va & (PGSIZE - 1));
		if (cnt > end - va)
			cnt = end - va;
		const char *k = mm_user_ptr(mm, va, ACC_READ, &err);
		if (!k)
			return;
		tb_put(b, k, cnt);
		va += cnt;
	}
}

/* The arguments, each with its NUL, read from the process's own stack
 * as Linux does (exec recorded where they are). */
int text_cmdline(const struct pnode *n, struct tb *b)
{
	struct mm *mm = pn_mm(n);
	if (mm)
		copy_range(mm, mm->arg_start, mm->arg_end, b);
	return 0;
}

int text_environ(const struct pnode *n, struct tb *b)
{
	struct mm *mm = pn_mm(n);
	if (mm)
		copy_range(mm, mm->env_start, mm->env_end, b);
	return 0;
}

int text_auxv(const struct pnode *n, struct tb *b)
{
	struct mm *mm = pn_mm(n);
	if (mm)
		tb_put(b, mm->auxv, mm->nauxv * sizeof(mm->auxv[0]));
	return 0;
}

int text_comm(const struct pnode *n, struct tb *b)
{
	struct thread *t = pn_thread(n);
	if (!t)
		return -ESRCH;
	tb_printf(b, "%.15s\n", t->comm);
	return 0;
}

/* A thread of the caller's own process gets the new name, as
 * prctl(PR_SET_NAME) gives it: cut to 15 bytes, without a newline. */
int64_t write_comm(const struct pnode *n, const char *buf, size_t len)
{
	struct thread *t = pn_thread(n);
	if (!t)
		return -ESRCH;
	if (t->proc != curproc)
		return -EINVAL;
	size_t keep = len;
	if (keep > 0 && buf[keep - 1] == '\n')
		keep--;
	if (keep > sizeof(t->comm) - 1)
		keep = sizeof(t->comm) - 1;
	memset(t->comm, 0, sizeof(t->comm));
	memcpy(t->comm, buf, keep);
	return (int64_t)len;
}

int text_limits(const struct pnode *n, struct tb *b)
{
	static const struct {
		const char *name, *unit;
	} lim[16] = {
		{ "Max cpu time", "seconds" }, { "Max file size", "bytes" },
		{ "Max data size", "bytes" }, { "Max stack size", "bytes" },
		{ "Max core file size", "bytes" }, { "Max resident set", "bytes" },
		{ "Max processes", "processes" }, { "Max open files", "files" },
		{ "Max locked memory", "bytes" }, { "Max address space", "bytes" },
		{ "Max file locks", "locks" }, { "Max pending signals", "signals" },
		{ "Max msgqueue size", "bytes" }, { "Max nice priority", "" },
		{ "Max realtime priority", "" }, { "Max realtime timeout", "us" },
	};
	struct proc *p = pn_proc(n);
	if (!p)
		return -ESRCH;
	tb_printf(b, "%-25s %-20s %-20s %-10s\n", "Limit", "Soft Limit", "Hard Limit", "Units");
	for (int i = 0; i < 16; i++) {
		char v[2][24];
		uint64_t val[2] = { p->rlimit[i].cur, p->rlimit[i].max };
		for (int j = 0; j < 2; j++) {
			if (val[j] == ~0ull)
				ksnprintf(v[j], sizeof(v[j]), "unlimited");
			else
				ksnprintf(v[j], sizeof(v[j]), "%lu", val[j]);
		}
		tb_printf(b, "%-25s %-20s %-20s %-10s\n", lim[i].name, v[0], v[1], lim[i].unit);
	}
	return 0;
}

/* One file system tree: the host's root, with proc, sysfs and the
 * device nodes of ours where Linux mounts them. */
int text_mountinfo(const struct pnode *n, struct tb *b)
{
	(void)n;
	tb_printf(b, "21 1 0:1 / / rw,relatime shared:1 - rootfs rootfs rw\n"
		  "22 21 0:21 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw\n"
		  "23 21 0:22 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw\n"
		  "24 21 0:5 / /dev rw,nosuid,relatime shared:2 - devtmpfs udev rw,mode=755\n");
	return 0;
}

int text_mounts(const struct pnode *n, struct tb *b)
{
	(void)n;
	tb_printf(b, "rootfs / rootfs rw 0 0\nsysfs /sys sysfs rw,nosuid,nodev,noexec,relatime 0 0\n"
		  "proc /proc proc rw,nosuid,nodev,noexec,relatime 0 0\n"
		  "udev /dev devtmpfs rw,nosuid,relatime,mode=755 0 0\n");
	return 0;
}

/* /proc/PID/fdinfo/N: the position, the status flags (O_CLOEXEC for the
 * descriptor's bit), the mount and the inode. */
int text_fdinfo(const struct pnode *n, struct tb *b)
{
	struct proc *p = pn_proc(n);
	struct file *f = p ? files_lookup(p->files, n->fd) : NULL;
	if (!f)
		return -ENOENT;
	int64_t pos = f->ops->lseek(f, 0, SEEK_CUR);
	int64_t fl = f->ops->getfl(f);
	struct rrv_stat st;
	if (f->ops->stat(f, &st) < 0)
		st.st_ino = 0;
	uint64_t flags = (uint64_t)(fl < 0 ? 0 : fl);
	if (files_cloexec(p->files, n->fd))
		flags |= O_CLOEXEC;
	tb_printf(b, "pos:\t%ld\nflags:\t0%lo\nmnt_id:\t%d\nino:\t%lu\n", pos < 0 ? 0 : pos,
		  flags, f->ops->kind == FILE_SPECIAL ? 23 : 21, st.st_ino);
	return 0;
}
