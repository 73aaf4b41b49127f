/*
 * rrv dump: the events of a trace, one per line, in a strace-like form;
 * --json prints one JSON object per line instead, for tools.
 */
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <rrv/hypercall.h>

#include "replay/replay.h"
#include "trace-format/rrv_trace.h"
#include "rrv.h"
#include "trace_open.h"

/* How to show the fields of a hypercall's struct (the event's first
 * range): a small table per number instead of a formatter per call. */
struct field_fmt {
	const char *name;
	uint16_t off;
	uint8_t size; /* 4 or 8 */
	char kind;    /* 'd' signed, 'u' unsigned, 'x' hex */
};
#define F(type, field, kind) \
	{ #field, offsetof(type, field), sizeof(((type *)0)->field), kind }

static const struct field_fmt f_boot[] = { F(struct rrv_hc_boot, abi_version, 'u'),
	F(struct rrv_hc_boot, argc, 'u'), F(struct rrv_hc_boot, envc, 'u'),
	F(struct rrv_hc_boot, pid, 'd'), { 0 } };
static const struct field_fmt f_exit[] = { F(struct rrv_hc_exit, how, 'u'),
	F(struct rrv_hc_exit, status, 'd'), F(struct rrv_hc_exit, syscalls, 'u'), { 0 } };
static const struct field_fmt f_write[] = { F(struct rrv_hc_write, handle, 'u'),
	F(struct rrv_hc_write, iovcnt, 'u'), { 0 } };
static const struct field_fmt f_read[] = { F(struct rrv_hc_read, handle, 'u'),
	F(struct rrv_hc_read, iovcnt, 'u'), F(struct rrv_hc_read, offset, 'd'), { 0 } };
static const struct field_fmt f_openat[] = { F(struct rrv_hc_openat, dir, 'd'),
	F(struct rrv_hc_openat, flags, 'x'), F(struct rrv_hc_openat, mode, 'x'), { 0 } };
static const struct field_fmt f_close[] = { F(struct rrv_hc_close, handle, 'u'), { 0 } };
static const struct field_fmt f_lseek[] = { F(struct rrv_hc_lseek, handle, 'u'),
	F(struct rrv_hc_lseek, offset, 'd'), F(struct rrv_hc_lseek, whence, 'u'), { 0 } };
static const struct field_fmt f_clock[] = { F(struct rrv_hc_clock, clock, 'u'),
	F(struct rrv_hc_clock, sec, 'd'), F(struct rrv_hc_clock, nsec, 'd'), { 0 } };
static const struct field_fmt f_sleep[] = { F(struct rrv_hc_sleep, clock, 'u'),
	F(struct rrv_hc_sleep, sec, 'd'), F(struct rrv_hc_sleep, nsec, 'd'), { 0 } };
static const struct field_fmt f_random[] = { F(struct rrv_hc_random, len, 'u'), { 0 } };
static const struct field_fmt f_preempt[] = { F(struct rrv_hc_preempt, tid, 'u'),
	F(struct rrv_hc_preempt, rip, 'x'), F(struct rrv_hc_preempt, regs_digest, 'x'),
	F(struct rrv_hc_preempt, stack_digest, 'x'), { 0 } };

static const struct field_fmt *const formats[RRV_HC_MAX] = {
	[RRV_HC_BOOT] = f_boot, [RRV_HC_EXIT] = f_exit, [RRV_HC_WRITE] = f_write,
	[RRV_HC_READ] = f_read, [RRV_HC_OPENAT] = f_openat, [RRV_HC_CLOSE] = f_close,
	[RRV_HC_LSEEK] = f_lseek, [RRV_HC_CLOCK] = f_clock, [RRV_HC_SLEEP] = f_sleep,
	[RRV_HC_RANDOM] = f_random, [RRV_HC_PREEMPT] = f_preempt,
};

static const char *const type_names[RRV_EV_MAX] = {
	[RRV_EV_HYPERCALL] = "hypercall", [RRV_EV_SWITCH] = "switch",
	[RRV_EV_PREEMPT] = "preempt", [RRV_EV_TIMER] = "timer",
	[RRV_EV_SIGNAL] = "signal",
};

static int64_t field_value(const struct field_fmt *f, const uint8_t *s)
{
	if (f->size == 4) {
		uint32_t v;
		memcpy(&v, s + f->off, 4);
		return f->kind == 'd' ? (int64_t)(int32_t)v : (int64_t)v;
	}
	int64_t v;
	memcpy(&v, s + f->off, 8);
	return v;
}

/* Up to 32 bytes of data, escaped as C would. */
static void print_bytes(FILE *out, const uint8_t *p, uint64_t len, bool json)
{
	fputc('"', out);
	for (uint64_t i = 0; i < len && i < 32; i++) {
		uint8_t c = p[i];
		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", out);
		else if (c >= 0x20 && c < 0x7f)
			fputc(c, out);
		else
			fprintf(out, json ? "\\u%04x" : "\\x%02x", c);
	}
	fputc('"', out);
	if (len > 32)
		fputs(json ? "" : "...", out);
}

static void print_text(FILE *out, uint64_t idx, const struct rrv_trace_event *e)
{
	fprintf(out, "%6" PRIu64 " ", idx);
	if (e->type != RRV_EV_HYPERCALL) {
		fprintf(out, "%s tid=%u rip=0x%" PRIx64 " count=%" PRIu64 "\n",
			type_names[e->type], e->tid, e->rip, e->count);
		return;
	}
	fprintf(out, "%s(", trace_hc_name(e->nr));
	const struct field_fmt *f = e->nr < RRV_HC_MAX ? formats[e->nr] : NULL;
	if (f && e->nranges) {
		for (int i = 0; f[i].name; i++) {
			if (f[i].off + f[i].size > e->ranges[0].len)
				break;
			int64_t v = field_value(&f[i], e->ranges[0].data);
			fprintf(out, i ? ", %s=" : "%s=", f[i].name);
			fprintf(out, f[i].kind == 'x' ? "0x%" PRIx64 : f[i].kind == 'u'
				? "%" PRIu64 : "%" PRId64, v);
		}
	}
	fprintf(out, ") = %" PRId64, e->ret);
	for (uint32_t i = 1; i < e->nranges; i++) {
		fprintf(out, i == 1 ? "  <- " : ", ");
		fprintf(out, "%" PRIu64 "@0x%" PRIx64 " ", e->ranges[i].len, e->ranges[i].gpa);
		print_bytes(out, e->ranges[i].data, e->ranges[i].len, false);
	}
	fprintf(out, "  [digest %016" PRIx64 "]\n", e->digest);
}

static void print_json(FILE *out, uint64_t idx, const struct rrv_trace_event *e)
{
	fprintf(out, "{\"index\":%" PRIu64 ",\"type\":\"%s\",\"tid\":%u", idx,
		type_names[e->type], e->tid);
	if (e->type == RRV_EV_HYPERCALL)
		fprintf(out, ",\"nr\":%u,\"name\":\"%s\",\"ret\":%" PRId64
			",\"digest\":\"%016" PRIx64 "\"", e->nr, trace_hc_name(e->nr),
			e->ret, e->digest);
	else
		fprintf(out, ",\"rip\":%" PRIu64 ",\"count\":%" PRIu64, e->rip, e->count);
	fprintf(out, ",\"ranges\":[");
	for (uint32_t i = 0; i < e->nranges; i++) {
		fprintf(out, "%s{\"gpa\":%" PRIu64 ",\"len\":%" PRIu64 ",\"head\":",
			i ? "," : "", e->ranges[i].gpa, e->ranges[i].len);
		print_bytes(out, e->ranges[i].data, e->ranges[i].len, true);
		fputc('}', out);
	}
	fprintf(out, "]}\n");
}

int cmd_dump(int argc, char **argv)
{
	bool json = false;
	const char *file = NULL;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			json = true;
		else if (strcmp(argv[i], "--help") == 0) {
			printf("Options:\n  --json   one JSON object per event and line\n"
			       "\nWithout FILE: the latest trace.  Each hypercall "
			       "shows its\nmain arguments, its result, the data it "
			       "gave the guest and\nthe digest replay compares.\n");
			return 0;
		} else if (argv[i][0] == '-')
			return rrv_usage_error("dump", "dump: unknown option '%s'", argv[i]);
		else if (file)
			return rrv_usage_error("dump", "dump: one trace at a time");
		else
			file = argv[i];
	}
	char path[4200];
	struct rrv_trace_reader *r = trace_open(file, path, sizeof(path));
	if (!r)
		return REPLAY_EXIT_BAD_TRACE;
	struct rrv_trace_event e;
	uint64_t idx = 0;
	int got;
	while ((got = rrv_trace_reader_next(r, &e)) == 1)
		(json ? print_json : print_text)(stdout, idx++, &e);
	int status = 0;
	if (got < 0) {
		fflush(stdout);
		fprintf(stderr, "rrv: %s: %s after event %" PRIu64 "%s\n", path,
			rrv_trace_strerror(got), idx,
			got == RRV_TRACE_E_TRUNCATED ? " (the recording was cut off)" : "");
		status = got == RRV_TRACE_E_TRUNCATED ? REPLAY_EXIT_TRUNCATED
						      : REPLAY_EXIT_BAD_TRACE;
	}
	rrv_trace_reader_free(r);
	return status;
}
