/* Snapshots of the machine (snapshot.h). */
#include "snapshot.h"

#include <errno.h>
#include <linux/kvm.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "vcpu.h"
#include "vmm.h"
#include "vmm/x86/cpustate.h"

/* What of struct vmm changes while a replay runs and decides what comes
 * next.  Not kept: the timer and signals to rrv, which in replay only
 * drive the watchdog and stop rrv (a Ctrl-C must not be undone by going
 * back); the file table, which replay never fills. */
struct vmm_saved {
	struct vmm_stats stats;
	bool stopped;
	int exit_code;
	uint64_t syscalls, syscalls_host;
	rrv_gpa_t guest_state;
	uint32_t guest_abi;
	uint64_t refused;
	uint64_t out_bytes, out_digest;
};

struct snap {
	int id;
	uint64_t key;
	uint32_t npages;
	uint32_t *pages;   /* page numbers, ascending */
	uint8_t *data;     /* their contents, GUEST_PAGE_SIZE each */
	struct cpustate cpu;
	struct vmm_saved vmm;
	void *extra;
	size_t extra_len;
};

struct snapshots {
	struct snap *v;    /* in key order */
	int n, cap;
	/* The snapshot the machine last came from (taken or restored), -1
	 * for none (memory is then all zero but for stale pages). */
	int cur;
	int next_id;
	size_t words;
	uint64_t *stale;   /* pages that may differ from v[cur]'s memory */
	uint64_t *log;     /* KVM_GET_DIRTY_LOG's answer */
	struct cpustate_msrs msrs;
	bool probed;       /* msrs found (at the first snapshot: the vCPU
			      exists only after snapshot_init) */
	uint64_t bytes, limit, dropped;
	uint64_t taken, take_ns, take_pages;
	uint64_t restored, restore_ns, restore_pages;
};

static int64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000ll + ts.tv_nsec;
}

/* Default bound: an eighth of the host's memory, at most 1 GiB. */
static uint64_t default_limit(void)
{
	long pages = sysconf(_SC_PHYS_PAGES), psize = sysconf(_SC_PAGESIZE);
	uint64_t ram = pages > 0 && psize > 0 ? (uint64_t)pages * (uint64_t)psize
					      : (8ull << 30);
	uint64_t l = ram / 8;
	return l > (1ull << 30) ? (1ull << 30) : l;
}

int snapshot_init(struct vmm *vm)
{
	struct snapshots *s = calloc(1, sizeof(*s));
	if (!s)
		goto nomem;
	s->cur = -1;
	s->next_id = 1;
	s->words = GUEST_BITMAP_WORDS(vm->mem.size);
	s->stale = calloc(s->words, sizeof(uint64_t));
	s->log = calloc(s->words, sizeof(uint64_t));
	s->limit = vm->cfg.snapshot_limit ? vm->cfg.snapshot_limit : default_limit();
	vm->snaps = s;
	if (!s->stale || !s->log || guest_mem_track(&vm->mem))
		goto nomem;
	return 0;
nomem:
	fprintf(stderr, "rrv: out of memory for snapshots (give the guest less "
		"memory with --memory)\n");
	return -1;
}

static void free_snap(struct snap *p)
{
	free(p->pages);
	free(p->data);
	free(p->extra);
	cpustate_free(&p->cpu);
}

static uint64_t snap_bytes(const struct snap *p)
{
	return (uint64_t)p->npages * (GUEST_PAGE_SIZE + sizeof(uint32_t)) +
	       sizeof(*p) + p->cpu.xsave_size + p->extra_len;
}

void snapshot_fini(struct vmm *vm)
{
	struct snapshots *s = vm->snaps;
	if (!s)
		return;
	for (int i = 0; i < s->n; i++)
		free_snap(&s->v[i]);
	free(s->v);
	free(s->stale);
	free(s->log);
	free(s);
	vm->snaps = NULL;
}

/* Adds to stale what the guest (KVM's log) and the VMM (guest_mem's
 * marks) wrote since the last call. */
static int collect_dirty(struct vmm *vm)
{
	struct snapshots *s = vm->snaps;
	struct kvm_dirty_log dl = { .slot = 0, .dirty_bitmap = s->log };
	if (ioctl(vm->vm_fd, KVM_GET_DIRTY_LOG, &dl) < 0) {
		fprintf(stderr, "rrv: snapshot: KVM_GET_DIRTY_LOG: %s (this KVM "
			"cannot log dirty pages; rrv debug needs it)\n",
			strerror(errno));
		return -1;
	}
	for (size_t w = 0; w < s->words; w++) {
		s->stale[w] |= s->log[w] | vm->mem.dirty[w];
		vm->mem.dirty[w] = 0;
	}
	return 0;
}

static void mark_pages(struct snapshots *s, const struct snap *p)
{
	for (uint32_t i = 0; i < p->npages; i++)
		s->stale[p->pages[i] / 64] |= 1ull << (p->pages[i] % 64);
}

/* The index of page pg in p, or -1. */
static long find_page(const struct snap *p, uint32_t pg)
{
	long lo = 0, hi = (long)p->npages - 1;
	while (lo <= hi) {
		long mid = lo + (hi - lo) / 2;
		if (p->pages[mid] == pg)
			return mid;
		if (p->pages[mid] < pg)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return -1;
}

static bool page_is_zero(const uint8_t *p)
{
	static const uint8_t zero[GUEST_PAGE_SIZE];
	return memcmp(p, zero, GUEST_PAGE_SIZE) == 0;
}

static void save_vmm(const struct vmm *vm, struct vmm_saved *v)
{
	*v = (struct vmm_saved){
		.stats = vm->stats, .stopped = vm->stopped,
		.exit_code = vm->exit_code, .syscalls = vm->syscalls,
		.syscalls_host = vm->syscalls_host, .guest_state = vm->guest_state,
		.guest_abi = vm->guest_abi, .refused = vm->mem.refused,
		.out_bytes = vm->output.bytes, .out_digest = vm->output.digest,
	};
}

static void restore_vmm(struct vmm *vm, const struct vmm_saved *v)
{
	vm->stats = v->stats;
	vm->stopped = v->stopped;
	vm->exit_code = v->exit_code;
	vm->syscalls = v->syscalls;
	vm->syscalls_host = v->syscalls_host;
	vm->guest_state = v->guest_state;
	vm->guest_abi = v->guest_abi;
	vm->mem.refused = v->refused;
	vm->output.bytes = v->out_bytes;
	vm->output.digest = v->out_digest;
}

static int by_id(const struct snapshots *s, int id)
{
	for (int i = 0; s && i < s->n; i++)
		if (s->v[i].id == id)
			return i;
	return -1;
}

/* Drops v[i]: its pages that the next snapshot lacks move there (they
 * did not change between the two, so the next one's memory holds them
 * as they are here). */
static int drop_index(struct snapshots *s, int i)
{
	struct snap *p = &s->v[i];
	if (i + 1 < s->n) {
		struct snap *q = &s->v[i + 1];
		uint32_t extra = 0;
		for (uint32_t k = 0; k < p->npages; k++)
			extra += find_page(q, p->pages[k]) < 0;
		uint32_t total = q->npages + extra;
		uint32_t *pages = malloc((size_t)total * sizeof(*pages) + 1);
		uint8_t *data = malloc((size_t)total * GUEST_PAGE_SIZE + 1);
		if (!pages || !data) {
			free(pages);
			free(data);
			return -ENOMEM;
		}
		/* Merge the two ascending lists; q's copy wins where both
		 * have a page. */
		uint32_t a = 0, b = 0, o = 0;
		while (a < p->npages || b < q->npages) {
			bool take_q = b < q->npages &&
				(a >= p->npages || q->pages[b] <= p->pages[a]);
			if (take_q) {
				if (a < p->npages && p->pages[a] == q->pages[b])
					a++;
				pages[o] = q->pages[b];
				memcpy(data + (size_t)o * GUEST_PAGE_SIZE,
				       q->data + (size_t)b * GUEST_PAGE_SIZE, GUEST_PAGE_SIZE);
				b++;
			} else {
				pages[o] = p->pages[a];
				memcpy(data + (size_t)o * GUEST_PAGE_SIZE,
				       p->data + (size_t)a * GUEST_PAGE_SIZE, GUEST_PAGE_SIZE);
				a++;
			}
			o++;
		}
		s->bytes -= snap_bytes(q);
		free(q->pages);
		free(q->data);
		q->pages = pages;
		q->data = data;
		q->npages = o;
		s->bytes += snap_bytes(q);
	}
	if (s->cur == i) {
		/* The machine is as v[i] was: relative to the one before, it
		 * differs at most in v[i]'s pages. */
		mark_pages(s, p);
		s->cur = i - 1;
	} else if (s->cur > i) {
		s->cur--;
	}
	s->bytes -= snap_bytes(p);
	free_snap(p);
	memmove(&s->v[i], &s->v[i + 1], (size_t)(s->n - i - 1) * sizeof(s->v[0]));
	s->n--;
	return 0;
}

int snapshot_drop(struct vmm *vm, int id)
{
	int i = by_id(vm->snaps, id);
	if (i < 0)
		return -2;
	int err = drop_index(vm->snaps, i);
	if (err) {
		fprintf(stderr, "rrv: snapshot: cannot drop snapshot %d: %s\n", id,
			strerror(-err));
		return -1;
	}
	return 0;
}

int snapshot_take(struct vmm *vm, uint64_t key, const void *extra, size_t extra_len)
{
	struct snapshots *s = vm->snaps;
	if (!s) {
		fprintf(stderr, "rrv: internal error: snapshot without tracking\n");
		return -1;
	}
	int64_t t0 = mono_ns();
	if (vcpu_settle(vm) || collect_dirty(vm))
		return -1;
	if (!s->probed) {
		cpustate_probe(vm->kvm_fd, vm->vcpu_fd, &vm->pmu, &s->msrs);
		s->probed = true;
	}
	if (s->cur >= 0 && key < s->v[s->cur].key) {
		fprintf(stderr, "rrv: internal error: snapshot at %llu after the one "
			"at %llu it came from\n", (unsigned long long)key,
			(unsigned long long)s->v[s->cur].key);
		return -1;
	}
	/* Run forward past later snapshots: the machine went through each
	 * of them (replay is deterministic), so it now comes from the last. */
	while (s->cur + 1 < s->n && s->v[s->cur + 1].key <= key) {
		s->cur++;
		mark_pages(s, &s->v[s->cur]);
	}
	if (s->cur >= 0 && s->v[s->cur].key == key)
		return s->v[s->cur].id; /* one key, one state */

	struct snap p = { .id = s->next_id, .key = key };
	uint32_t n = 0;
	for (size_t w = 0; w < s->words; w++)
		n += (uint32_t)__builtin_popcountll(s->stale[w]);
	p.pages = malloc((size_t)n * sizeof(uint32_t) + 1);
	p.data = malloc((size_t)n * GUEST_PAGE_SIZE + 1);
	p.extra = malloc(extra_len + 1);
	if (!p.pages || !p.data || !p.extra)
		goto nomem;
	uint64_t npages = vm->mem.size >> GUEST_PAGE_SHIFT;
	for (uint64_t pg = 0; pg < npages; pg++) {
		if (!s->stale[pg / 64]) {
			pg |= 63; /* a word with no page: the next word */
			continue;
		}
		if (!(s->stale[pg / 64] & (1ull << (pg % 64))))
			continue;
		const uint8_t *src = vm->mem.host + pg * GUEST_PAGE_SIZE;
		/* With nothing before it, memory is zero but for what it
		 * holds: a zero page needs no copy. */
		if (s->cur < 0 && page_is_zero(src))
			continue;
		p.pages[p.npages] = (uint32_t)pg;
		memcpy(p.data + (size_t)p.npages * GUEST_PAGE_SIZE, src, GUEST_PAGE_SIZE);
		p.npages++;
	}
	const char *what;
	int err = cpustate_save(vm->kvm_fd, vm->vcpu_fd, &s->msrs, &p.cpu, &what);
	if (err) {
		fprintf(stderr, "rrv: snapshot: %s: %s\n", what, strerror(-err));
		free_snap(&p);
		return -1;
	}
	save_vmm(vm, &p.vmm);
	if (extra_len)
		memcpy(p.extra, extra, extra_len);
	p.extra_len = extra_len;
	if (s->n == s->cap) {
		int cap = s->cap ? s->cap * 2 : 16;
		struct snap *v = realloc(s->v, (size_t)cap * sizeof(*v));
		if (!v)
			goto nomem;
		s->v = v;
		s->cap = cap;
	}
	int at = s->cur + 1;
	memmove(&s->v[at + 1], &s->v[at], (size_t)(s->n - at) * sizeof(s->v[0]));
	s->v[at] = p;
	s->n++;
	s->cur = at;
	s->next_id++;
	s->bytes += snap_bytes(&p);
	memset(s->stale, 0, s->words * sizeof(uint64_t));
	s->taken++;
	s->take_pages += p.npages;
	s->take_ns += (uint64_t)(mono_ns() - t0);
	/* The bound: drop the oldest but the first. */
	while (s->bytes > s->limit && s->n > 2) {
		if (drop_index(s, 1))
			break;
		s->dropped++;
	}
	return p.id;
nomem:
	free_snap(&p);
	fprintf(stderr, "rrv: out of memory for a snapshot (%u pages)\n", n);
	return -1;
}

int snapshot_restore(struct vmm *vm, int id, void *extra, size_t extra_len)
{
	struct snapshots *s = vm->snaps;
	int t = by_id(s, id);
	if (t < 0)
		return -2;
	int64_t t0 = mono_ns();
	if (vcpu_settle(vm) || collect_dirty(vm))
		return -1;
	/* What may differ from v[t]: what was written since the machine
	 * came from v[cur], and every page of the snapshots between. */
	int lo = s->cur < t ? s->cur : t, hi = s->cur < t ? t : s->cur;
	for (int i = lo + 1; i <= hi; i++)
		mark_pages(s, &s->v[i]);
	uint64_t npages = vm->mem.size >> GUEST_PAGE_SHIFT;
	for (uint64_t pg = 0; pg < npages; pg++) {
		if (!s->stale[pg / 64]) {
			pg |= 63;
			continue;
		}
		if (!(s->stale[pg / 64] & (1ull << (pg % 64))))
			continue;
		uint8_t *dst = vm->mem.host + pg * GUEST_PAGE_SIZE;
		/* The page as the latest snapshot up to v[t] holding it had it;
		 * zero if none did. */
		const uint8_t *src = NULL;
		for (int j = t; j >= 0 && !src; j--) {
			long k = find_page(&s->v[j], (uint32_t)pg);
			if (k >= 0)
				src = s->v[j].data + (size_t)k * GUEST_PAGE_SIZE;
		}
		if (src)
			memcpy(dst, src, GUEST_PAGE_SIZE);
		else
			memset(dst, 0, GUEST_PAGE_SIZE);
		s->restore_pages++;
	}
	memset(s->stale, 0, s->words * sizeof(uint64_t));
	s->cur = t;
	const char *what;
	int err = cpustate_restore(vm->vcpu_fd, &s->v[t].cpu, &what);
	if (err) {
		fprintf(stderr, "rrv: snapshot: cannot restore the vCPU: %s: %s\n",
			what, strerror(-err));
		return -1;
	}
	restore_vmm(vm, &s->v[t].vmm);
	s->restored++;
	s->restore_ns += (uint64_t)(mono_ns() - t0);
	if (extra_len)
		memcpy(extra, s->v[t].extra,
		       extra_len < s->v[t].extra_len ? extra_len : s->v[t].extra_len);
	return 0;
}

int snapshot_at_or_before(const struct vmm *vm, uint64_t key)
{
	const struct snapshots *s = vm->snaps;
	int best = 0;
	for (int i = 0; s && i < s->n && s->v[i].key <= key; i++)
		best = s->v[i].id;
	return best;
}

int snapshot_key(const struct vmm *vm, int id, uint64_t *key)
{
	int i = by_id(vm->snaps, id);
	if (i < 0)
		return -1;
	*key = vm->snaps->v[i].key;
	return 0;
}

void snapshot_info(const struct vmm *vm, struct snapshot_info *info)
{
	const struct snapshots *s = vm->snaps;
	*info = (struct snapshot_info){ 0 };
	if (!s)
		return;
	info->count = s->n;
	info->bytes = s->bytes;
	info->cap = s->limit;
	info->dropped = s->dropped;
	info->taken = s->taken;
	info->take_ns = s->take_ns;
	info->take_pages = s->take_pages;
	info->restored = s->restored;
	info->restore_ns = s->restore_ns;
	info->restore_pages = s->restore_pages;
	for (int i = 0; i < s->n; i++)
		info->pages += s->v[i].npages;
}

int snapshot_list(const struct vmm *vm, int *ids, uint64_t *keys, int max)
{
	const struct snapshots *s = vm->snaps;
	int n = 0;
	for (int i = 0; s && i < s->n && n < max; i++, n++) {
		if (ids)
			ids[n] = s->v[i].id;
		if (keys)
			keys[n] = s->v[i].key;
	}
	return n;
}
