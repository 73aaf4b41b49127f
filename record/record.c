/*
 * The recorder: the hypercall tap of `rrv record`.  After each traced call
 * it writes one event: the number, the digest of the inputs (computed by
 * the dispatcher before the call was answered, as in replay), the result,
 * the struct as the guest got it back and every buffer the handler
 * filled.  That is all a replay needs to answer the same calls without the
 * host.  For reports it also keeps, bounded, copies of the call's inputs
 * (a path, the head of written data) and the thread that made the call.
 */
#include "record.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "trace-format/rrv_trace.h"
#include "vmm/progress.h"
#include "vmm/version.h"
#include "vmm/vmm.h"

/* Events are written out at least this often, so that a recording killed
 * with SIGKILL loses at most this much of its end. */
#define FLUSH_NS 200000000ll

/* Input copies (rrv_trace.h, RRV_TRACE_INPUT_BIT), for rrv dump: a buffer
 * input (a path) is kept whole up to INPUT_BUF_MAX, iovec data (write,
 * sendmsg) up to its first INPUT_DATA_MAX bytes, so an event grows by at
 * most 2 x 4 KiB (renameat's two paths), a write by 256 bytes. */
#define INPUT_BUF_MAX 4096u
#define INPUT_DATA_MAX 256u

struct recorder {
	struct vmm *vm;
	char *path;
	int fd;
	struct rrv_trace_writer *w;
	int64_t last_flush_ns;
	bool exited;
	uint32_t exit_how;
	int32_t exit_status;
	bool failed;
	bool removed; /* nothing was kept: the file is gone */
	/* The input copies of the event being written. */
	uint8_t input[HC_INPUTS_MAX][INPUT_BUF_MAX];
};

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000ll + ts.tv_nsec;
}

static void write_failed(struct recorder *r, int err)
{
	if (r->failed)
		return;
	r->failed = true;
	progress_hide();
	fprintf(stderr, "rrv: cannot write the trace %s: %s (%s)\n", r->path,
		err == RRV_TRACE_E_IO ? strerror(errno) : rrv_trace_strerror(err),
		err == RRV_TRACE_E_NOSPACE ? "free some space" : "check the disk");
}

static void add_strings(struct rrv_trace_fields *f, uint32_t tag, int n,
			char *const *v, int *err)
{
	size_t len = 0;
	for (int i = 0; v && (n < 0 ? v[i] != NULL : i < n); i++)
		len += strlen(v[i]) + 1;
	char *buf = malloc(len ? len : 1), *p = buf;
	if (!buf) {
		*err = RRV_TRACE_E_NOMEM;
		return;
	}
	for (int i = 0; v && (n < 0 ? v[i] != NULL : i < n); i++) {
		size_t l = strlen(v[i]) + 1;
		memcpy(p, v[i], l);
		p += l;
	}
	if (!*err)
		*err = rrv_trace_fields_add(f, tag, buf, len);
	free(buf);
}

/* Facts for a bug report: which machine recorded.  Never used by replay. */
static char *host_facts(void)
{
	struct utsname u;
	char host[1024] = "", cpu[256] = "unknown";
	FILE *fp = fopen("/proc/cpuinfo", "r");
	if (fp) {
		char line[512];
		while (fgets(line, sizeof(line), fp)) {
			char *colon = strchr(line, ':');
			if (strncmp(line, "model name", 10) == 0 && colon) {
				snprintf(cpu, sizeof(cpu), "%s", colon + 2);
				cpu[strcspn(cpu, "\n")] = 0;
				break;
			}
		}
		fclose(fp);
	}
	time_t t = time(NULL);
	char date[64];
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
	if (uname(&u) == 0)
		snprintf(host, sizeof(host), "hostname=%s\nkernel=%s %s\nmachine=%s\n"
			 "cpu=%s\ndate=%s\n", u.nodename, u.sysname, u.release,
			 u.machine, cpu, date);
	return strdup(host);
}

/* The program's ELF, for reports on the replaying machine.  A program that
 * cannot be read here is the guest's problem to report, not ours. */
static int add_program(struct rrv_trace_fields *h, const char *path)
{
	if (!path || !*path)
		return 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	struct stat st;
	int err = 0;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
	    st.st_size < (256 << 20)) {
		void *p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (p != MAP_FAILED) {
			err = rrv_trace_fields_add(h, RRV_TAG_PROGRAM_IMAGE, p,
						   (size_t)st.st_size);
			munmap(p, (size_t)st.st_size);
		}
	}
	close(fd);
	return err;
}

/*
 * Adds a copy of each declared input of the call (as the guest passed
 * it: pre) to ranges, bounded, for reports.  Everything goes through the
 * checked translation; an input outside guest memory is not copied (the
 * handler refused it).  Returns the number of ranges added.
 */
static uint32_t add_inputs(struct recorder *r, struct hc_call *c,
			   const struct hc_desc *d, const uint8_t *pre,
			   struct rrv_trace_range *ranges)
{
	uint32_t n = 0;
	for (int i = 0; i < HC_INPUTS_MAX; i++) {
		const struct hc_input *in = &d->in[i];
		if (in->kind == HC_IN_NONE)
			continue;
		rrv_gpa_t gpa;
		memcpy(&gpa, pre + in->gpa_off, sizeof(gpa));
		uint64_t len = hc_input_len(pre, in), total = 0, kept = 0;
		if (in->kind == HC_IN_BYTES) {
			total = len;
			kept = len < INPUT_BUF_MAX ? len : INPUT_BUF_MAX;
			const void *p = GUEST_AT(c->mem, gpa, kept);
			if (!p)
				continue;
			memcpy(r->input[i], p, kept);
		} else {
			if (len > RRV_HC_IOV_MAX)
				continue;
			const struct rrv_hc_iovec *iov =
				GUEST_AT(c->mem, gpa, len * sizeof(*iov));
			if (!iov)
				continue;
			for (uint64_t k = 0; k < len; k++) {
				struct rrv_hc_iovec v;
				memcpy(&v, &iov[k], sizeof(v));
				uint64_t take = v.len < INPUT_DATA_MAX - kept
						? v.len : INPUT_DATA_MAX - kept;
				const void *p = take ? GUEST_AT(c->mem, v.base, take) : NULL;
				if (p) {
					memcpy(r->input[i] + kept, p, take);
					kept += take;
				}
				/* The lengths are the guest's: saturate (a call
				 * this long was refused, and is not copied). */
				total = total + v.len < total ? UINT64_MAX : total + v.len;
			}
		}
		if (total & RRV_TRACE_INPUT_BIT)
			continue;
		ranges[n++] = (struct rrv_trace_range){
			RRV_TRACE_INPUT_BIT | total, kept, r->input[i]
		};
	}
	return n;
}

/* The thread running when the call was made, from the kernel's
 * guest_state (0 before BOOT named it, or when it is unreadable). */
static uint32_t running_tid(const struct recorder *r, struct hc_call *c)
{
	if (!r->vm->guest_state)
		return 0;
	const void *p = GUEST_AT(c->mem, r->vm->guest_state +
				 offsetof(struct rrv_guest_state, tid), sizeof(uint32_t));
	uint32_t tid = 0;
	if (p)
		memcpy(&tid, p, sizeof(tid));
	return tid;
}

static int recorded(void *ctx, struct hc_call *c, const struct hc_desc *d,
		    const void *pre, uint64_t digest, int64_t ret)
{
	struct recorder *r = ctx;
	if (r->failed)
		return -1;
	struct rrv_trace_range ranges[1 + HC_RANGES_MAX + HC_INPUTS_MAX];
	uint32_t n = 0;
	ranges[n++] = (struct rrv_trace_range){
		c->args_gpa, d->args_size, GUEST_AT(c->mem, c->args_gpa, d->args_size)
	};
	/* Only the first ret bytes of a read-like call's buffers changed. */
	uint64_t budget = (d->flags & HC_F_OUT_RET) ? (ret > 0 ? (uint64_t)ret : 0)
						    : UINT64_MAX;
	for (unsigned i = 0; i < c->nout && budget; i++) {
		uint64_t len = c->out[i].len < budget ? c->out[i].len : budget;
		if (budget != UINT64_MAX)
			budget -= len;
		if (!len)
			continue;
		ranges[n++] = (struct rrv_trace_range){
			c->out[i].gpa, len, GUEST_AT(c->mem, c->out[i].gpa, len)
		};
	}
	n += add_inputs(r, c, d, pre, ranges + n);
	struct rrv_trace_event e = {
		.type = RRV_EV_HYPERCALL,
		.nr = c->nr,
		.tid = running_tid(r, c),
		.digest = digest, /* the dispatcher's, from before the call */
		.ret = ret,
		.nranges = n,
		.ranges = ranges,
	};
	if (c->nr == RRV_HC_EXIT) {
		const struct rrv_hc_exit *x = pre;
		r->exited = true;
		r->exit_how = x->how;
		r->exit_status = x->status;
	}
	int err = rrv_trace_writer_add(r->w, &e);
	progress_update(rrv_trace_writer_events(r->w), rrv_trace_writer_bytes(r->w));
	if (!err && now_ns() - r->last_flush_ns > FLUSH_NS) {
		err = rrv_trace_writer_flush(r->w);
		r->last_flush_ns = now_ns();
	}
	if (err) {
		write_failed(r, err);
		r->vm->exit_code = RRV_PANIC_STATUS;
		return -1;
	}
	return 0;
}

static void before_call(void *ctx, const struct hc_desc *d)
{
	struct recorder *r = ctx;
	if (d->flags & HC_F_TERMINAL)
		progress_hide();
	if (!(d->flags & HC_F_MAY_BLOCK) || r->failed)
		return;
	int err = rrv_trace_writer_flush(r->w);
	r->last_flush_ns = now_ns();
	if (err)
		write_failed(r, err);
}

struct recorder *recorder_start(struct vmm *vm, const char *path)
{
	struct recorder *r = calloc(1, sizeof(*r));
	struct rrv_trace_fields *h = rrv_trace_fields_create();
	if (!r || !h || !(r->path = strdup(path))) {
		fprintf(stderr, "rrv: out of memory starting the recording\n");
		goto fail;
	}
	r->vm = vm;
	r->fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (r->fd < 0) {
		/* Never advise removing what is not a file (-o /dev/null). */
		int e = errno;
		struct stat st;
		bool special = e == EEXIST && stat(path, &st) == 0 && !S_ISREG(st.st_mode);
		fprintf(stderr, "rrv: cannot create the trace %s: %s (%s)\n", path,
			special ? (S_ISDIR(st.st_mode) ? "it is a directory"
						       : "it is not a regular file")
				: strerror(e),
			special ? "give the name of a new file" :
			e == EEXIST ? "choose another name or remove it" : "check the directory");
		goto fail;
	}

	const struct vmm_config *cfg = &vm->cfg;
	char cwd[4096];
	char *host = host_facts();
	int err = 0;
	if (!getcwd(cwd, sizeof(cwd)))
		strcpy(cwd, "?");
	err = rrv_trace_fields_add_str(h, RRV_TAG_RRV_VERSION, RRV_VERSION);
	if (!err)
		err = rrv_trace_fields_add(h, RRV_TAG_KERNEL_IMAGE, cfg->kernel_image,
					   cfg->kernel_size);
	if (!err)
		err = rrv_trace_fields_add(h, RRV_TAG_CPUID, vm->cpuid.e,
					   vm->cpuid.n * sizeof(vm->cpuid.e[0]));
	add_strings(h, RRV_TAG_ARGV, cfg->argc, cfg->argv, &err);
	add_strings(h, RRV_TAG_ENVP, -1, cfg->envp, &err);
	if (!err)
		err = rrv_trace_fields_add_str(h, RRV_TAG_CWD, cwd);
	if (!err)
		err = rrv_trace_fields_add_str(h, RRV_TAG_EXEC_PATH,
					       cfg->exec_path ? cfg->exec_path : "");
	if (!err)
		err = rrv_trace_fields_add_str(h, RRV_TAG_HOST, host ? host : "");
	if (!err)
		err = rrv_trace_fields_add_u64(h, RRV_TAG_MEM_BYTES, cfg->mem_bytes);
	if (!err)
		err = rrv_trace_fields_add_str(h, RRV_TAG_CMDLINE,
					       cfg->cmdline ? cfg->cmdline : "");
	if (!err)
		err = rrv_trace_fields_add_u64(h, RRV_TAG_START_TIME,
					       (uint64_t)time(NULL));
	/* How replay finds asynchronous preemption points: the guest kernel
	 * counts branches where this host offered it a counter (RRV_HC_PMU). */
	char method[400];
	if (vm->pmu.usable)
		snprintf(method, sizeof(method), "branches (retired conditional "
			 "branches per thread, counted with %s; rip, register "
			 "and stack digests)", vm->pmu.what);
	else
		snprintf(method, sizeof(method), "breakpoint (rip, register and "
			 "stack digests; no performance counter: %s)", vm->pmu.what);
	if (!err)
		err = rrv_trace_fields_add_str(h, RRV_TAG_PREEMPT_METHOD, method);
	/* The guest reads the seed from its command line (recorded above),
	 * so a replay schedules the same way; this copy is for rrv info. */
	if (!err && cfg->chaos)
		err = rrv_trace_fields_add_u64(h, RRV_TAG_CHAOS_SEED, cfg->chaos_seed);
	free(host);
	if (!err)
		err = add_program(h, cfg->exec_path);
	if (!err)
		err = rrv_trace_writer_create(&r->w, r->fd, h, 0);
	if (err) {
		write_failed(r, err);
		/* Not even the header fits: a file no reader could use. */
		unlink(path);
		fprintf(stderr, "rrv: nothing was recorded: the trace's header "
			"did not fit, so %s is removed (free some space and "
			"record again)\n", path);
		goto fail;
	}
	rrv_trace_fields_free(h);
	/* For measuring what deduplication saves (docs/performance.md). */
	if (getenv("RRV_TRACE_NO_DEDUP"))
		rrv_trace_writer_set_dedup(r->w, 0);
	r->last_flush_ns = now_ns();
	vm->hc.tap = (struct hc_tap){
		.recorded = recorded, .before_call = before_call, .ctx = r,
	};
	progress_begin("recording");
	return r;
fail:
	rrv_trace_fields_free(h);
	recorder_free(r);
	return NULL;
}

/* A recording that failed: the trace as it is on disk, unless the disk
 * filled before any chunk was written whole, since a header alone replays
 * nothing; then no file is left behind.  -1. */
static int failed_trace(struct recorder *r)
{
	if (rrv_trace_writer_kept_events(r->w) == 0 && unlink(r->path) == 0)
		r->removed = true;
	return -1;
}

int recorder_finish(struct recorder *r, int exit_code)
{
	progress_end();
	r->vm->hc.tap = (struct hc_tap){ 0 };
	if (r->failed)
		return failed_trace(r);
	struct rrv_trace_fields *f = rrv_trace_fields_create();
	int err = f ? 0 : RRV_TRACE_E_NOMEM;
	/* A signal to rrv that stopped the VM at once: the program did not
	 * exit, and the events written are all there is (docs/signals.md). */
	int stop = r->vm->hostsig.interrupted;
	if (stop && !r->exited) {
		r->exited = true;
		r->exit_how = RRV_EXIT_INTERRUPTED;
		r->exit_status = stop;
		if (!err)
			err = rrv_trace_fields_add_u64(f, RRV_TAG_INTERRUPTED,
						       (uint64_t)stop);
	}
	if (!err && r->exited)
		err = rrv_trace_fields_add_u64(f, RRV_TAG_EXIT_HOW, r->exit_how);
	if (!err && r->exited)
		err = rrv_trace_fields_add_u64(f, RRV_TAG_EXIT_STATUS,
					       (uint64_t)(int64_t)r->exit_status);
	if (!err)
		err = rrv_trace_fields_add_u64(f, RRV_TAG_EXIT_CODE, (uint64_t)exit_code);
	if (!err)
		err = rrv_trace_writer_finish(r->w, f);
	rrv_trace_fields_free(f);
	if (!err && fsync(r->fd) < 0 && errno != EINVAL)
		err = RRV_TRACE_E_IO;
	if (err) {
		write_failed(r, err);
		return failed_trace(r);
	}
	return 0;
}

bool recorder_removed(const struct recorder *r)
{
	return r->removed;
}

unsigned long long recorder_events(const struct recorder *r)
{
	return r->w ? rrv_trace_writer_kept_events(r->w) : 0;
}

unsigned long long recorder_bytes(const struct recorder *r)
{
	return r->w ? rrv_trace_writer_kept_bytes(r->w) : 0;
}

void recorder_free(struct recorder *r)
{
	if (!r)
		return;
	rrv_trace_writer_free(r->w);
	if (r->fd > 0)
		close(r->fd);
	free(r->path);
	free(r);
}
