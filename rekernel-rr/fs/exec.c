/*
 * The ELF loader and the program's first entry into ring 3 (contract in
 * exec.h).
 *
 * What Linux's binfmt_elf does, with address-space randomization off:
 *   - ET_EXEC segments go where they say; ET_DYN (PIE, static-PIE) is
 *     placed at USER_PIE_BASE (see docs/guest-kernel.md);
 *   - a program with PT_INTERP gets its interpreter (ld.so) loaded too, as
 *     an ET_DYN at the highest free range below mmap_base, where mmap
 *     would have put it; the program starts at the interpreter's entry,
 *     with AT_BASE its base and AT_ENTRY the program's own entry;
 *   - each PT_LOAD is mapped as mmap would: the file's pages from the page
 *     holding p_offset, with the tail of the last file page zeroed when the
 *     segment has bss, and anonymous zero pages beyond;
 *   - the break starts at the page after the highest segment end;
 *   - the stack holds, from the top: 8 zero bytes, the program path
 *     (AT_EXECFN), the environment and argument strings, "x86_64"
 *     (AT_PLATFORM), 16 random bytes (AT_RANDOM), then, 16-byte aligned,
 *     argc, argv[], NULL, envp[], NULL, and the auxiliary vector.
 * The segments are private file mappings (mm.h): each page is read
 * through the READ hypercall straight into the program's page when first
 * touched, so a big program costs what it uses.
 */
#include "fs/exec.h"

#include <rrv/arglimit.h>
#include <rrv/hypercall.h>

#include "arch/x86/fpu.h"
#include "arch/x86/gdt.h"
#include "arch/x86/x86.h"
#include "fs/file.h"
#include "fs/mapfile.h"
#include "fs/path.h"
#include "fs/pseudo.h"
#include "hv/hypercall.h"
#include "lib/bootinfo.h"
#include "lib/kprintf.h"
#include "lib/string.h"
#include "mm/kalloc.h"
#include "mm/mm.h"
#include "mm/uaccess.h"
#include "proc/debugger.h"
#include "proc/proc.h"
#include "proc/trap.h"
#include "uapi/auxvec.h"
#include "uapi/elf.h"
#include "uapi/errno.h"

#define NAUXV 20            /* entries written, AT_NULL included */
#define MINSIGSTKSZ_X86 2048
#define USER_HZ 100
#define STACK_EXPAND 0x20000 /* Linux maps 128 KiB more below the args */
#define ELF_ET_DYN_BASE 0x555555554aaaull /* 2/3 of TASK_SIZE */
#define PHDRS_MAX PGSIZE    /* Linux's limit on the program headers' size */
#define READ_PIECES 64

/* The program file being read (a reference), or NULL. */
static struct file *prog_file;

/* Opens path (relative to host directory dir) as prog_file: 0 or -errno. */
static int prog_open(int32_t dir, const char *path)
{
	struct rrv_hc_openat o;
	size_t len = strlen(path);

	if (len == 0)
		return -ENOENT;
	if (len > RRV_HC_PATH_MAX)
		return -ENAMETOOLONG;
	memset(&o, 0, sizeof(o));
	o.dir = path[0] == '/' ? RRV_HC_AT_CWD : dir;
	o.flags = 0; /* O_RDONLY */
	o.path.gpa = virt_to_phys(path);
	o.path.len = len;
	int64_t h = hc_call(RRV_HC_OPENAT, &o);
	if (h < 0)
		return (int)h;
	prog_file = hostfile_new((int32_t)h, 0);
	if (!prog_file) {
		host_close((int32_t)h);
		return -ENOMEM;
	}
	return 0;
}

/* prog_file is src's file, or src's path opened. */
static int prog_open_src(const struct exec_src *src)
{
	if (src->file) {
		file_get(src->file);
		prog_file = src->file;
		return 0;
	}
	return prog_open(src->dir, src->path);
}

static void prog_close(void)
{
	if (prog_file)
		file_put(prog_file);
	prog_file = NULL;
}

/* pread into a kernel buffer (image or direct map: contiguous); returns
 * the bytes read, short only at the end of the file. */
static int64_t prog_read(void *buf, size_t len, uint64_t off)
{
	size_t done = 0;
	while (done < len) {
		int64_t r = file_kread(prog_file, (char *)buf + done, len - done,
				       (int64_t)(off + done));
		if (r < 0)
			return r;
		if (r == 0)
			break;
		done += (size_t)r;
	}
	return (int64_t)done;
}

static uint32_t elf_prot(uint32_t pflags)
{
	uint32_t prot = 0;
	if (pflags & PF_R)
		prot |= PROT_READ;
	if (pflags & PF_W)
		prot |= PROT_WRITE;
	if (pflags & PF_X)
		prot |= PROT_EXEC;
	return prot;
}

struct image {
	struct mapfile *exe;  /* the program's file (a reference), for /proc/self/exe */
	uint64_t entry;       /* AT_ENTRY: the program's own entry */
	uint64_t start;       /* where it starts: the interpreter's entry, if any */
	uint64_t base;        /* the load bias */
	uint64_t interp_base; /* AT_BASE: the interpreter's bias, or 0 */
	uint64_t phdr;        /* AT_PHDR */
	uint16_t phnum;
	bool exec_stack;
};

static int check_ehdr(const struct elf64_ehdr *eh, int64_t got)
{
	if (got < (int64_t)sizeof(*eh) || eh->e_ident[0] != 0x7f || eh->e_ident[1] != 'E' ||
	    eh->e_ident[2] != 'L' || eh->e_ident[3] != 'F')
		return -ENOEXEC;
	if (eh->e_ident[4] != ELFCLASS64 || eh->e_ident[5] != ELFDATA2LSB ||
	    eh->e_machine != EM_X86_64 || (eh->e_type != ET_EXEC && eh->e_type != ET_DYN))
		return -ENOEXEC;
	if (eh->e_phentsize != sizeof(struct elf64_phdr) || eh->e_phnum == 0 ||
	    (uint64_t)eh->e_phnum * sizeof(struct elf64_phdr) > PHDRS_MAX)
		return -ENOEXEC;
	return 0;
}

/* Maps one PT_LOAD at bias, as Linux's elf_map plus its bss handling:
 * the file's pages as a private file mapping whose bytes end at the
 * segment's file end, anonymous zero pages after them. */
static int load_segment(struct mm *mm, const struct elf64_phdr *ph, uint64_t bias,
			struct mapfile *mf)
{
	if (ph->p_filesz > ph->p_memsz)
		return -ENOEXEC;
	if ((ph->p_vaddr - ph->p_offset) % PGSIZE)
		return -EINVAL; /* mmap would refuse the offset */
	if (ph->p_vaddr >= USER_TOP || bias >= USER_TOP - ph->p_vaddr)
		return -EINVAL;
	uint64_t vaddr = ph->p_vaddr + bias;
	if (vaddr >= USER_TOP || ph->p_memsz > USER_TOP - vaddr)
		return -EINVAL;
	if (ph->p_memsz == 0)
		return 0;
	uint64_t start = vaddr & ~(uint64_t)(PGSIZE - 1);
	if (start < USER_MMAP_MIN)
		return -EPERM; /* vm.mmap_min_addr, as mmap says */
	uint64_t end = (vaddr + ph->p_memsz + PGSIZE - 1) & ~(uint64_t)(PGSIZE - 1);
	uint64_t file_end = vaddr + ph->p_filesz;
	uint64_t file_map_end = (file_end + PGSIZE - 1) & ~(uint64_t)(PGSIZE - 1);
	uint32_t prot = elf_prot(ph->p_flags);

	if (ph->p_filesz == 0)
		return mm_map(mm, start, end - start, prot, 0, VMA_ELF);
	int r = mm_map_file(mm, start, file_map_end - start, prot, 0, VMA_ELF, mf,
			    ph->p_offset & ~(uint64_t)(PGSIZE - 1), file_end);
	if (r || end <= file_map_end)
		return r;
	return mm_map(mm, file_map_end, end - file_map_end, prot, 0, VMA_ELF);
}

/* Reads and checks the ELF header and program headers of the open file;
 * *php is a kmalloc'd copy of the program headers. */
static int read_headers(struct elf64_ehdr *eh, struct elf64_phdr **php)
{
	int64_t got = prog_read(eh, sizeof(*eh), 0);
	if (got < 0)
		return (int)got;
	int r = check_ehdr(eh, got);
	if (r)
		return r;
	size_t phsize = (size_t)eh->e_phnum * sizeof(struct elf64_phdr);
	struct elf64_phdr *ph = kmalloc(PHDRS_MAX);
	if (!ph)
		return -ENOMEM;
	got = prog_read(ph, phsize, eh->e_phoff);
	if (got != (int64_t)phsize) {
		kfree(ph);
		return got < 0 ? (int)got : -ENOEXEC;
	}
	*php = ph;
	return 0;
}

/*
 * Maps the PT_LOAD segments of the open file (prog_file) at a bias;
 * their name in /proc/self/maps is the host's path of the file, asked
 * when first needed.  interp: the file is the interpreter, placed where mmap would put
 * its whole span.  Fills img; *brk is the end of the highest segment.
 */
static int map_image(struct mm *mm, const struct elf64_ehdr *eh, const struct elf64_phdr *ph,
		     bool interp, struct image *img, uint64_t *brk)
{
	uint64_t lo = UINT64_MAX, hi = 0, phdr_vaddr = 0, bias = 0;
	for (int i = 0; i < eh->e_phnum; i++) {
		if (ph[i].p_type == PT_PHDR)
			phdr_vaddr = ph[i].p_vaddr;
		if (ph[i].p_type != PT_LOAD)
			continue;
		if (ph[i].p_vaddr < lo)
			lo = ph[i].p_vaddr;
		if (ph[i].p_vaddr + ph[i].p_memsz > hi)
			hi = ph[i].p_vaddr + ph[i].p_memsz;
	}
	if (hi == 0 || hi <= lo || hi - lo > USER_TOP)
		return -ENOEXEC;
	if (eh->e_type == ET_DYN && !interp) {
		bias = (ELF_ET_DYN_BASE - lo) & ~(uint64_t)(PGSIZE - 1);
	} else if (eh->e_type == ET_DYN) {
		uint64_t span = ((hi + PGSIZE - 1) & ~(uint64_t)(PGSIZE - 1)) -
				(lo & ~(uint64_t)(PGSIZE - 1));
		uint64_t at = mm_find_free(mm, span, 0, false);
		if (!at)
			return -ENOMEM;
		bias = at - (lo & ~(uint64_t)(PGSIZE - 1));
	}

	/* Pages come when touched, but a program whose segments could not
	 * all be in guest memory at once is refused now, with the hint about
	 * --memory, rather than killed by a fault later. */
	uint64_t need = 0;
	for (int i = 0; i < eh->e_phnum; i++)
		if (ph[i].p_type == PT_LOAD)
			need += (ph[i].p_memsz + PGSIZE - 1) / PGSIZE;
	if (need > kalloc_free_pages())
		return -ENOMEM;

	struct mapfile *mf = mapfile_new(prog_file, NULL);
	if (!mf)
		return -ENOMEM;

	int r = 0;
	img->phdr = 0;
	*brk = 0;
	for (int i = 0; i < eh->e_phnum && !r; i++) {
		if (ph[i].p_type != PT_LOAD)
			continue;
		r = load_segment(mm, &ph[i], bias, mf);
		uint64_t end = ph[i].p_vaddr + bias + ph[i].p_memsz;
		if (end > *brk)
			*brk = end;
		/* The program headers' address: where the segment holding
		 * them in the file put them (Linux's rule), else PT_PHDR. */
		if (!img->phdr && ph[i].p_offset <= eh->e_phoff &&
		    eh->e_phoff < ph[i].p_offset + ph[i].p_filesz)
			img->phdr = eh->e_phoff - ph[i].p_offset + ph[i].p_vaddr + bias;
	}
	if (!interp) {
		mapfile_get(mf);
		img->exe = mf;
	}
	mapfile_put(mf);
	if (!img->phdr && phdr_vaddr)
		img->phdr = phdr_vaddr + bias;
	img->entry = eh->e_entry + bias;
	img->phnum = eh->e_phnum;
	img->base = bias;
	return r;
}

/* The interpreter named by PT_INTERP ph: loaded and described in *interp. */
static int load_interp(struct mm *mm, const struct elf64_phdr *ph, struct image *interp)
{
	static char ipath[PATH_MAX];
	if (ph->p_filesz < 2 || ph->p_filesz > PATH_MAX)
		return -ENOEXEC;
	int64_t got = prog_read(ipath, ph->p_filesz, ph->p_offset);
	if (got != (int64_t)ph->p_filesz || ipath[ph->p_filesz - 1] != '\0')
		return got < 0 ? (int)got : -ENOEXEC;

	/* The interpreter is the file read from now on, then the program
	 * again. */
	struct file *prog = prog_file;
	prog_file = NULL;
	int r = prog_open(cwd_dir(), ipath);
	if (r) {
		prog_file = prog;
		return r;
	}
	struct elf64_ehdr eh;
	struct elf64_phdr *iph;
	r = read_headers(&eh, &iph);
	if (r) {
		prog_close();
		prog_file = prog;
		return r == -ENOEXEC ? -ELIBBAD : r;
	}
	for (int i = 0; i < eh.e_phnum; i++)
		if (iph[i].p_type == PT_INTERP)
			r = -ELIBBAD; /* an interpreter has none */
	uint64_t end;
	if (!r)
		r = map_image(mm, &eh, iph, true, interp, &end);
	kfree(iph);
	prog_close();
	prog_file = prog;
	return r;
}

static int load_elf(struct mm *mm, struct image *img)
{
	struct elf64_ehdr eh;
	struct elf64_phdr *ph;
	int r = read_headers(&eh, &ph);
	if (r)
		return r;

	const struct elf64_phdr *interp_ph = NULL;
	bool have_load = false;
	img->exec_stack = true; /* no PT_GNU_STACK: executable, as Linux */
	for (int i = 0; i < eh.e_phnum; i++) {
		switch (ph[i].p_type) {
		case PT_INTERP:
			if (!interp_ph)
				interp_ph = &ph[i];
			break;
		case PT_GNU_STACK:
			img->exec_stack = ph[i].p_flags & PF_X;
			break;
		case PT_LOAD:
			have_load = true;
			break;
		}
	}
	if (!have_load) {
		kfree(ph);
		return -ENOEXEC;
	}
	/* A copy of PT_INTERP: the headers are freed once the program is
	 * mapped. */
	static struct elf64_phdr iph;
	bool has_interp = interp_ph != NULL;
	if (has_interp)
		iph = *interp_ph;

	uint64_t brk;
	r = map_image(mm, &eh, ph, false, img, &brk);
	kfree(ph);
	if (r)
		return r;
	mm->start_brk = mm->brk = (brk + PGSIZE - 1) & ~(uint64_t)(PGSIZE - 1);

	img->interp_base = 0;
	img->start = img->entry;
	if (has_interp) {
		struct image interp;
		r = load_interp(mm, &iph, &interp);
		if (r)
			return r;
		img->interp_base = interp.base;
		img->start = interp.entry;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* The initial stack                                                    */

static int push_bytes(uint64_t *sp, const void *p, size_t n)
{
	*sp -= n;
	return copy_to_user(*sp, p, n);
}

static int put_word(uint64_t *at, uint64_t v)
{
	int r = copy_to_user(*at, &v, sizeof(v));
	*at += sizeof(v);
	return r;
}

static int build_stack(struct mm *mm, const struct image *img, const char *path,
		       const struct exec_args *ea, uint64_t *rsp)
{
	const uint32_t argc = ea->argc, envc = ea->envc;
	const char *s;
	uint64_t strings = strlen(path) + 1;

	/* Linux's limit (<rrv/arglimit.h>, which rrv checks on the host
	 * too): the strings and pointers may take a quarter of
	 * RLIMIT_STACK, each string 32 pages. */
	s = ea->strings;
	for (uint32_t i = 0; i < argc + envc; i++, s = next_string(s)) {
		uint64_t n = strlen(s) + 1;
		if (n > RRV_MAX_ARG_STRLEN)
			return -E2BIG;
		strings += n;
	}
	if (!rrv_args_fit(curproc->rlimit[RLIMIT_STACK].cur, argc, envc, strings))
		return -E2BIG;

	/* The VMA first, covering the strings and table and 128 KiB more;
	 * everything below grows on demand. */
	uint64_t low = (USER_TOP - strings - 8 - 16 - 16 - 8 * (3 + argc + envc + 2 * NAUXV) - 16) &
		       ~(uint64_t)(PGSIZE - 1);
	uint64_t vstart = low - STACK_EXPAND;
	uint32_t prot = PROT_READ | PROT_WRITE | (img->exec_stack ? PROT_EXEC : 0);
	int r = mm_map(mm, vstart, USER_TOP - vstart, prot, VM_GROWSDOWN, VMA_STACK);
	if (r)
		return r;

	uint64_t sp = USER_TOP - 8; /* the top word stays zero */
	if (push_bytes(&sp, path, strlen(path) + 1))
		return -EFAULT;
	uint64_t execfn = sp;

	/* envp's strings, then argv's below them, each list in order. */
	uint64_t envs = 0, args = 0;
	const char *env0 = ea->strings;
	for (uint32_t i = 0; i < argc; i++)
		env0 = next_string(env0);
	uint64_t env_bytes = 0, arg_bytes = 0;
	s = env0;
	for (uint32_t i = 0; i < envc; i++, s = next_string(s))
		env_bytes += strlen(s) + 1;
	s = ea->strings;
	for (uint32_t i = 0; i < argc; i++, s = next_string(s))
		arg_bytes += strlen(s) + 1;
	sp -= env_bytes;
	envs = sp;
	if (copy_to_user(envs, env0, env_bytes))
		return -EFAULT;
	sp -= arg_bytes;
	args = sp;
	mm->arg_start = args;
	mm->arg_end = args + arg_bytes;
	mm->env_start = envs;
	mm->env_end = envs + env_bytes;
	if (copy_to_user(args, ea->strings, arg_bytes))
		return -EFAULT;

	sp &= ~(uint64_t)15;
	static const char platform[] = "x86_64";
	if (push_bytes(&sp, platform, sizeof(platform)))
		return -EFAULT;
	uint64_t platform_at = sp;

	uint8_t rnd[16];
	struct rrv_hc_random rq;
	memset(&rq, 0, sizeof(rq));
	rq.buf = virt_to_phys(rnd);
	rq.len = sizeof(rnd);
	if (hc_call(RRV_HC_RANDOM, &rq) != (int64_t)sizeof(rnd))
		panic("exec: the host gave no random bytes for AT_RANDOM");
	if (push_bytes(&sp, rnd, sizeof(rnd)))
		return -EFAULT;
	uint64_t random_at = sp;

	uint32_t a, b, c, d;
	cpuid(1, 0, &a, &b, &c, &d);
	const uint64_t auxv[NAUXV][2] = {
		{ AT_MINSIGSTKSZ, MINSIGSTKSZ_X86 },
		{ AT_HWCAP, d },
		{ AT_PAGESZ, PGSIZE },
		{ AT_CLKTCK, USER_HZ },
		{ AT_PHDR, img->phdr },
		{ AT_PHENT, sizeof(struct elf64_phdr) },
		{ AT_PHNUM, img->phnum },
		{ AT_BASE, img->interp_base },
		{ AT_FLAGS, 0 },
		{ AT_ENTRY, img->entry },
		{ AT_UID, curproc->uid },
		{ AT_EUID, curproc->euid },
		{ AT_GID, curproc->gid },
		{ AT_EGID, curproc->egid },
		{ AT_SECURE, 0 },
		{ AT_RANDOM, random_at },
		{ AT_HWCAP2, 0 },
		{ AT_EXECFN, execfn },
		{ AT_PLATFORM, platform_at },
		{ AT_NULL, 0 },
	};

	_Static_assert(2 * NAUXV <= sizeof(mm->auxv) / sizeof(mm->auxv[0]), "auxv copy");
	for (int i = 0; i < NAUXV; i++) {
		mm->auxv[2 * i] = auxv[i][0];
		mm->auxv[2 * i + 1] = auxv[i][1];
	}
	mm->nauxv = 2 * NAUXV;

	uint64_t words = 1 + (argc + 1) + (envc + 1) + 2 * NAUXV;
	sp = (sp - words * 8) & ~(uint64_t)15;
	if (sp < low)
		panic("exec: stack estimate too small (0x%lx < 0x%lx)", sp, low);

	uint64_t at = sp;
	r = put_word(&at, argc);
	s = ea->strings;
	for (uint32_t i = 0; i < argc; i++, s = next_string(s)) {
		r |= put_word(&at, args);
		args += strlen(s) + 1;
	}
	r |= put_word(&at, 0);
	s = env0;
	for (uint32_t i = 0; i < envc; i++, s = next_string(s)) {
		r |= put_word(&at, envs);
		envs += strlen(s) + 1;
	}
	r |= put_word(&at, 0);
	for (int i = 0; i < NAUXV; i++) {
		r |= put_word(&at, auxv[i][0]);
		r |= put_word(&at, auxv[i][1]);
	}
	if (r)
		return -EFAULT;
	*rsp = sp;
	return 0;
}

/* ------------------------------------------------------------------ */

int exec_load(struct mm *mm, const struct exec_src *src, const struct exec_args *ea,
	      struct exec_entry *out)
{
	struct image img;
	uint64_t sp;

	memset(&img, 0, sizeof(img));
	int r = prog_open_src(src);
	if (r)
		return r;
	r = load_elf(mm, &img);
	prog_close();
	if (!r)
		r = build_stack(mm, &img, src->name, ea, &sp);
	if (r) {
		if (img.exe)
			mapfile_put(img.exe);
		return r;
	}
	mm->start_stack = sp;
	out->rip = img.start;
	out->at_entry = img.entry;
	out->rsp = sp;
	out->exe = img.exe;
	return 0;
}

void exec_enter_regs(struct trapframe *tf, const struct exec_entry *e)
{
	struct thread *t = curthread;

	/* Linux's register state at entry: everything zero but rip and
	 * rsp (rdx = 0: no function for atexit from a dynamic loader),
	 * interrupts enabled, a clean FPU, no fs/gs bases. */
	memset(tf, 0, sizeof(*tf));
	tf->rip = e->rip;
	tf->cs = SEG_UCODE;
	tf->rflags = RFLAGS_IF | 0x2;
	tf->rsp = e->rsp;
	tf->ss = SEG_UDATA;
	tf->vector = T_SYSCALL;
	t->fs_base = t->gs_base = 0;
	wrmsr(MSR_FS_BASE, 0);
	wrmsr(MSR_GS_BASE, 0);
	fpu_reset(t->fxstate);
	fpu_restore(t->fxstate);
}

int64_t exec_peek(const struct exec_src *src, char *buf, size_t len)
{
	int r = prog_open_src(src);
	if (r)
		return r;
	int64_t n = prog_read(buf, len, 0);
	prog_close();
	return n;
}

__attribute__((noreturn)) static void exec_fail(int err)
{
	prog_close();
	machine_exit(RRV_EXIT_EXEC, -err, 0, 0, false);
}

void exec_start(const char *path)
{
	struct exec_entry e;
	struct exec_args ea = { bootinfo.strings, bootinfo.argc, bootinfo.envc };

	struct mm *mm = mm_create();
	if (!mm)
		exec_fail(-ENOMEM);
	curproc->mm = mm;
	mm_activate(mm);

	struct exec_src src = { NULL, RRV_HC_AT_CWD, path, path };
	int r = exec_load(mm, &src, &ea, &e);
	if (r)
		exec_fail(r);
	hc_process(RRV_PROC_EXEC, curproc->pid, curproc->ppid, 0, ea.strings, ea.argc);
	pseudo_set_exe(e.exe);
	mapfile_put(e.exe);

	struct thread *t = curthread;
	struct trapframe *tf = (struct trapframe *)(t->kstack_top - sizeof(*tf));
	t->tf = tf;
	exec_enter_regs(tf, &e);
	trap_set_kstack(t->kstack_top);
	/* Every entry from ring 3 saves the registers at this same place,
	 * the top of the thread's kernel stack. */
	guest_state.user_regs = virt_to_phys(tf);
	guest_state.tid = (uint32_t)t->tid;
	dbg_exec(tf, e.at_entry);
	usermode_enter(tf);
}
