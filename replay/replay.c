/*
 * The replayer: the hypercall tap of `rrv replay`.  For each traced call
 * the guest makes it takes the next recorded event, checks that it is the
 * same call (number and input digest), and gives the guest exactly what the
 * recording's host gave it: the struct with its result and every filled
 * buffer.  The host is never consulted.
 */
#include "replay.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../trace-format/rrv_trace.h"
#include "../vmm/vmm.h"
#include "report.h"

struct replayer {
	char *path;
	struct rrv_trace_reader *rd;
	struct vmm *vm;
	struct cpuid_profile cpuid;
	char **argv, **envp; /* pointers into the header's string lists */
	char *strings;       /* NUL-terminated copies those point into */
	uint64_t total;      /* events in the trace (footer), or 0 */
	int stop_status;     /* set when replay stops the VM itself */
};

static const char *field_str(const struct rrv_trace_fields *h, uint32_t tag,
			     char **store)
{
	const struct rrv_trace_field *f = rrv_trace_fields_get(h, tag);
	if (!f)
		return NULL;
	char *s = malloc(f->len + 1);
	if (!s)
		return NULL;
	memcpy(s, f->data, f->len);
	s[f->len] = 0;
	*store = s;
	return s;
}

/* Splits a NUL-separated list into a NULL-terminated vector. */
static char **split_list(const struct rrv_trace_field *f, char **copy, int *count)
{
	size_t len = f ? f->len : 0;
	char *s = malloc(len + 1);
	if (!s)
		return NULL;
	if (len)
		memcpy(s, f->data, len);
	s[len] = 0;
	int n = 0;
	for (size_t i = 0; i < len; i++)
		n += s[i] == 0;
	char **v = calloc((size_t)n + 1, sizeof(*v));
	if (!v) {
		free(s);
		return NULL;
	}
	for (size_t i = 0, k = 0; i < len && (int)k < n; k++) {
		v[k] = s + i;
		i += strlen(s + i) + 1;
	}
	*copy = s;
	*count = n;
	return v;
}

static struct replayer *bad_trace(struct replayer *r, const char *path, int err,
				  int *status)
{
	const char *what = err == RRV_TRACE_E_IO ? strerror(errno) : rrv_trace_strerror(err);
	const char *todo =
		err == RRV_TRACE_E_VERSION ? "replay it with a newer rrv" :
		err == RRV_TRACE_E_ARCH ? "replay it on the architecture that recorded it" :
		err == RRV_TRACE_E_NOT_TRACE ? "give a file written by rrv record" :
		err == RRV_TRACE_E_IO ? "check the path" :
		"the file is damaged; record again";
	fprintf(stderr, "rrv: cannot replay %s: %s (%s)\n", path, what, todo);
	*status = REPLAY_EXIT_BAD_TRACE;
	replayer_free(r);
	return NULL;
}

struct replayer *replayer_open(const char *path, struct vmm_config *cfg, int *status)
{
	struct replayer *r = calloc(1, sizeof(*r));
	if (!r || !(r->path = strdup(path))) {
		free(r);
		fprintf(stderr, "rrv: out of memory\n");
		*status = RRV_PANIC_STATUS;
		return NULL;
	}
	int err = rrv_trace_reader_open(&r->rd, path);
	if (err)
		return bad_trace(r, path, err, status);

	const struct rrv_trace_fields *h = rrv_trace_reader_header(r->rd);
	const struct rrv_trace_field *kernel = rrv_trace_fields_get(h, RRV_TAG_KERNEL_IMAGE);
	const struct rrv_trace_field *cpuid = rrv_trace_fields_get(h, RRV_TAG_CPUID);
	uint64_t mem;
	if (!kernel || !cpuid || rrv_trace_fields_u64(h, RRV_TAG_MEM_BYTES, &mem) ||
	    cpuid->len % sizeof(r->cpuid.e[0]) ||
	    cpuid->len / sizeof(r->cpuid.e[0]) > CPUID_PROFILE_MAX)
		return bad_trace(r, path, RRV_TRACE_E_CORRUPT, status);
	r->cpuid.n = cpuid->len / sizeof(r->cpuid.e[0]);
	memcpy(r->cpuid.e, cpuid->data, cpuid->len);

	char *argv_copy = NULL, *env_copy = NULL, *cmdline = NULL, *exec = NULL;
	int argc = 0, envc = 0;
	r->argv = split_list(rrv_trace_fields_get(h, RRV_TAG_ARGV), &argv_copy, &argc);
	r->envp = split_list(rrv_trace_fields_get(h, RRV_TAG_ENVP), &env_copy, &envc);
	field_str(h, RRV_TAG_CMDLINE, &cmdline);
	field_str(h, RRV_TAG_EXEC_PATH, &exec);
	/* One allocation list to free: keep the copies in strings[0..3]. */
	char **keep = calloc(4, sizeof(char *));
	if (!r->argv || !r->envp || !keep)
		return bad_trace(r, path, RRV_TRACE_E_NOMEM, status);
	keep[0] = argv_copy;
	keep[1] = env_copy;
	keep[2] = cmdline;
	keep[3] = exec;
	r->strings = (char *)keep;

	uint64_t total;
	if (!rrv_trace_fields_u64(rrv_trace_reader_footer(r->rd), RRV_TAG_EVENT_COUNT, &total))
		r->total = total;

	*cfg = (struct vmm_config){
		.mem_bytes = mem,
		.kernel_image = kernel->data,
		.kernel_size = kernel->len,
		.cmdline = cmdline ? cmdline : "",
		.exec_path = exec,
		.argc = argc,
		.argv = r->argv,
		.envp = r->envp,
		.cpuid = &r->cpuid,
	};
	const struct rrv_trace_field *prog = rrv_trace_fields_get(h, RRV_TAG_PROGRAM_IMAGE);
	if (prog) {
		cfg->program_image = prog->data;
		cfg->program_size = prog->len;
	}
	return r;
}

/* Stops the VM: the guest cannot go on without the host. */
static int stop(struct replayer *r, int status)
{
	r->stop_status = status;
	r->vm->exit_code = status;
	return -1;
}

static int replayed(void *ctx, struct hc_call *c, const struct hc_desc *d,
		    const void *pre, int64_t *ret)
{
	struct replayer *r = ctx;
	uint64_t index = rrv_trace_reader_position(r->rd);
	uint64_t digest = hc_digest(c, d, pre);
	if (c->nr == RRV_HC_BOOT) /* for reports: see hc_boot */
		r->vm->guest_state = ((const struct rrv_hc_boot *)pre)->state;
	struct rrv_trace_event e;
	int got = rrv_trace_reader_next(r->rd, &e);
	if (got == RRV_TRACE_E_TRUNCATED) {
		fprintf(stderr, "rrv: replay: the trace ends early, after %llu "
			"events (the recording was cut off): everything up to "
			"there replayed; stopping where the guest made its next "
			"%s hypercall\n", (unsigned long long)index, d->name);
		return stop(r, REPLAY_EXIT_TRUNCATED);
	}
	if (got < 0) {
		fprintf(stderr, "rrv: replay: event %llu of %s is unreadable: %s "
			"(at byte %llu; the trace is damaged after this point)\n",
			(unsigned long long)index, r->path, rrv_trace_strerror(got),
			(unsigned long long)rrv_trace_reader_error_offset(r->rd));
		return stop(r, REPLAY_EXIT_BAD_TRACE);
	}

	struct divergence dv = {
		.index = index, .total = r->total,
		.got_nr = c->nr, .got_digest = digest,
		.expected_nr = got == 1 ? e.nr : 0,
		.expected_digest = got == 1 ? e.digest : 0,
		.expected_type = got == 1 ? e.type : 0,
		.trace_ended = got == 0,
	};
	if (got == 0 || e.type != RRV_EV_HYPERCALL || e.nr != c->nr ||
	    e.digest != digest) {
		report_divergence(r->vm, &dv);
		return stop(r, REPLAY_EXIT_DIVERGED);
	}

	/* The struct first, then the filled buffers, where the host put them. */
	if (e.nranges == 0 || e.ranges[0].gpa != c->args_gpa ||
	    e.ranges[0].len != d->args_size) {
		dv.reason = "the recorded call's struct lies elsewhere";
		report_divergence(r->vm, &dv);
		return stop(r, REPLAY_EXIT_DIVERGED);
	}
	memcpy(c->args, e.ranges[0].data, d->args_size);
	for (uint32_t i = 1; i < e.nranges; i++) {
		void *dst = GUEST_AT(c->mem, e.ranges[i].gpa, e.ranges[i].len);
		if (!dst) {
			fprintf(stderr, "rrv: replay: event %llu fills guest memory "
				"outside this VM (0x%llx+%llu): the trace does not "
				"match its own header\n", (unsigned long long)index,
				(unsigned long long)e.ranges[i].gpa,
				(unsigned long long)e.ranges[i].len);
			return stop(r, REPLAY_EXIT_BAD_TRACE);
		}
		memcpy(dst, e.ranges[i].data, e.ranges[i].len);
	}
	*ret = e.ret;
	return 0;
}

void replayer_attach(struct replayer *r, struct vmm *vm)
{
	r->vm = vm;
	vm->hc.tap = (struct hc_tap){ .replayed = replayed, .ctx = r };
}

int replayer_finish(struct replayer *r, int vm_status, bool verbose)
{
	if (r->stop_status)
		return r->stop_status;
	uint64_t used = rrv_trace_reader_position(r->rd);
	struct rrv_trace_event e;
	int more = rrv_trace_reader_next(r->rd, &e);
	if (more == 1) {
		fprintf(stderr, "rrv: replay: the guest finished after %llu events "
			"but the trace holds more: the replay diverged at its "
			"end\n", (unsigned long long)used);
		return REPLAY_EXIT_DIVERGED;
	}
	if (more == RRV_TRACE_E_TRUNCATED)
		fprintf(stderr, "rrv: replay: the trace ends early (the recording "
			"was cut off); replayed all %llu events it holds\n",
			(unsigned long long)used);
	else if (verbose)
		fprintf(stderr, "rrv: replayed %llu events from %s\n",
			(unsigned long long)used, r->path);
	return vm_status;
}

void replayer_free(struct replayer *r)
{
	if (!r)
		return;
	rrv_trace_reader_free(r->rd);
	if (r->strings) {
		char **keep = (char **)r->strings;
		for (int i = 0; i < 4; i++)
			free(keep[i]);
		free(keep);
	}
	if (r->argv)
		free(r->argv);
	if (r->envp)
		free(r->envp);
	free(r->path);
	free(r);
}
