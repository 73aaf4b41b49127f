/*
 * rrv dump: the events of a trace, one per line, in a strace-like form;
 * --json prints one JSON object per line instead, for tools.  Options pick
 * events by index, thread and call name; -s says how much of each buffer
 * to show (docs/inspecting.md).
 */
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
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
	F(struct rrv_hc_preempt, stack_digest, 'x'), F(struct rrv_hc_preempt, ident.entries, 'u'),
	F(struct rrv_hc_preempt, ident.dirty_pages, 'u'),
	F(struct rrv_hc_preempt, ident.dirty_digest, 'x'), { 0 } };
static const struct field_fmt f_process[] = { F(struct rrv_hc_process, event, 'u'),
	F(struct rrv_hc_process, pid, 'd'), F(struct rrv_hc_process, ppid, 'd'),
	F(struct rrv_hc_process, status, 'x'), F(struct rrv_hc_process, argc, 'u'), { 0 } };
static const struct field_fmt f_pathop[] = { F(struct rrv_hc_pathop, dir, 'd'), { 0 } };
static const struct field_fmt f_fstatat[] = { F(struct rrv_hc_fstatat, dir, 'd'),
	F(struct rrv_hc_fstatat, flags, 'x'), { 0 } };

static const struct field_fmt *const formats[RRV_HC_MAX] = {
	[RRV_HC_BOOT] = f_boot, [RRV_HC_EXIT] = f_exit, [RRV_HC_WRITE] = f_write,
	[RRV_HC_READ] = f_read, [RRV_HC_OPENAT] = f_openat, [RRV_HC_CLOSE] = f_close,
	[RRV_HC_LSEEK] = f_lseek, [RRV_HC_CLOCK] = f_clock, [RRV_HC_SLEEP] = f_sleep,
	[RRV_HC_RANDOM] = f_random, [RRV_HC_PREEMPT] = f_preempt,
	[RRV_HC_PROCESS] = f_process, [RRV_HC_UNLINKAT] = f_pathop,
	[RRV_HC_MKDIRAT] = f_pathop, [RRV_HC_ACCESSAT] = f_pathop,
	[RRV_HC_CHMODAT] = f_pathop, [RRV_HC_FSTATAT] = f_fstatat,
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

/* What to print: the options of rrv dump. */
struct dump_opts {
	bool json;
	uint64_t from, to;      /* event indexes, inclusive */
	bool by_tid;
	uint32_t tid;
	bool calls[RRV_HC_PORT_COUNT]; /* --call: the hypercalls to show */
	bool by_call;
	uint64_t strsize;       /* bytes shown of each buffer (-s) */
};

/*
 * Up to max bytes of data, escaped as C would (text) or as JSON wants;
 * "..." after the quotes in text when the data went on (whole is its
 * real length, which an input copy may exceed).
 */
static void print_bytes(FILE *out, const uint8_t *p, uint64_t len, uint64_t whole,
			uint64_t max, bool json)
{
	fputc('"', out);
	for (uint64_t i = 0; i < len && i < max; i++) {
		uint8_t c = p[i];
		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", out);
		else if (c == '\t')
			fputs("\\t", out);
		else if (c >= 0x20 && c < 0x7f)
			fputc(c, out);
		else
			fprintf(out, json ? "\\u%04x" : "\\x%02x", c);
	}
	fputc('"', out);
	if (!json && (whole > max || whole > len))
		fputs("...", out);
}

/* A path input ends with its NUL: not shown, as strace does not. */
static uint64_t shown_len(const struct rrv_trace_range *g)
{
	uint64_t len = g->len;
	if (len && g->data[len - 1] == 0 && rrv_trace_input_len(g) == g->len)
		len--;
	return len;
}

static void print_text(FILE *out, uint64_t idx, const struct rrv_trace_event *e,
		       const struct dump_opts *o)
{
	fprintf(out, "%6" PRIu64 " [tid %u] ", idx, e->tid);
	if (e->type != RRV_EV_HYPERCALL) {
		fprintf(out, "%s rip=0x%" PRIx64 " count=%" PRIu64 "\n",
			type_names[e->type], e->rip, e->count);
		return;
	}
	fprintf(out, "%s(", trace_hc_name(e->nr));
	const struct field_fmt *f = e->nr < RRV_HC_MAX ? formats[e->nr] : NULL;
	int shown = 0;
	if (f && e->nranges) {
		for (int i = 0; f[i].name; i++) {
			if (f[i].off + f[i].size > e->ranges[0].len)
				break;
			int64_t v = field_value(&f[i], e->ranges[0].data);
			fprintf(out, shown++ ? ", %s=" : "%s=", f[i].name);
			fprintf(out, f[i].kind == 'x' ? "0x%" PRIx64 : f[i].kind == 'u'
				? "%" PRIu64 : "%" PRId64, v);
		}
	}
	/* The inputs (format 2.1): the path, or the data written. */
	for (uint32_t i = 1; i < e->nranges; i++) {
		const struct rrv_trace_range *g = &e->ranges[i];
		if (!rrv_trace_range_is_input(g))
			continue;
		uint64_t len = shown_len(g);
		fputs(shown++ ? ", " : "", out);
		print_bytes(out, g->data, len, rrv_trace_input_len(g) - (g->len - len),
			    o->strsize, false);
	}
	fprintf(out, ") = %" PRId64, e->ret);
	int filled = 0;
	for (uint32_t i = 1; i < e->nranges; i++) {
		const struct rrv_trace_range *g = &e->ranges[i];
		if (rrv_trace_range_is_input(g))
			continue;
		fprintf(out, filled++ ? ", " : "  <- ");
		fprintf(out, "%" PRIu64 "@0x%" PRIx64 " ", g->len, g->gpa);
		print_bytes(out, g->data, g->len, g->len, o->strsize, false);
	}
	fprintf(out, "  [digest %016" PRIx64 "]\n", e->digest);
}

static void print_json(FILE *out, uint64_t idx, const struct rrv_trace_event *e,
		       const struct dump_opts *o)
{
	fprintf(out, "{\"index\":%" PRIu64 ",\"type\":\"%s\",\"tid\":%u", idx,
		type_names[e->type], e->tid);
	if (e->type == RRV_EV_HYPERCALL)
		fprintf(out, ",\"nr\":%u,\"name\":\"%s\",\"ret\":%" PRId64
			",\"digest\":\"%016" PRIx64 "\"", e->nr, trace_hc_name(e->nr),
			e->ret, e->digest);
	else
		fprintf(out, ",\"rip\":%" PRIu64 ",\"count\":%" PRIu64, e->rip, e->count);
	for (int inputs = 0; inputs < 2; inputs++) {
		fprintf(out, inputs ? ",\"inputs\":[" : ",\"ranges\":[");
		int n = 0;
		for (uint32_t i = 0; i < e->nranges; i++) {
			const struct rrv_trace_range *g = &e->ranges[i];
			if (rrv_trace_range_is_input(g) != inputs)
				continue;
			if (inputs) {
				uint64_t len = shown_len(g);
				fprintf(out, "%s{\"len\":%" PRIu64 ",\"kept\":%" PRIu64
					",\"data\":", n++ ? "," : "",
					rrv_trace_input_len(g) - (g->len - len), len);
				print_bytes(out, g->data, len, len, o->strsize, true);
			} else {
				fprintf(out, "%s{\"gpa\":%" PRIu64 ",\"len\":%" PRIu64
					",\"head\":", n++ ? "," : "", g->gpa, g->len);
				print_bytes(out, g->data, g->len, g->len, o->strsize, true);
			}
			fputc('}', out);
		}
		fputc(']', out);
	}
	fprintf(out, "}\n");
}

static bool wanted(const struct rrv_trace_event *e, const struct dump_opts *o)
{
	if (o->by_tid && e->tid != o->tid)
		return false;
	if (o->by_call && (e->type != RRV_EV_HYPERCALL || e->nr >= RRV_HC_PORT_COUNT ||
			   !o->calls[e->nr]))
		return false;
	return true;
}

static void dump_help(void)
{
	printf("Options:\n"
	       "  --json            one JSON object per event and line\n"
	       "  --event=N         only event N (numbered from 0, as printed)\n"
	       "  --from=N          events from N on\n"
	       "  --to=M            events up to M (inclusive)\n"
	       "  --tid=T           only events of thread T\n"
	       "  --call=NAME[,NAME...]  only these hypercalls, by the names\n"
	       "                    dump prints (openat, read, write, fstatat,\n"
	       "                    process, ...)\n"
	       "  -s N              show N bytes of each buffer (default 32)\n"
	       "\n"
	       "Without FILE: the latest trace.  Each line is one event: its\n"
	       "index, the thread that made it, the hypercall with its main\n"
	       "arguments and inputs (the path of a path call, the bytes a write\n"
	       "wrote: kept in traces of format 2.1, whole for paths and 256\n"
	       "bytes for data), its result, the data it gave the guest and the\n"
	       "digest replay compares.  In --json, \"inputs\" holds the kept\n"
	       "inputs (len is the input's whole length) and \"ranges\" what the\n"
	       "call filled.\n");
}

/* An unsigned decimal option value, whole; -1 after printing why. */
static int parse_u64(const char *opt, const char *v, uint64_t *out)
{
	char *end;
	errno = 0;
	unsigned long long n = v && *v >= '0' && *v <= '9' ? strtoull(v, &end, 10) : 0;
	if (!v || *v < '0' || *v > '9' || *end || errno) {
		rrv_usage_error("dump", "dump: %s wants a number, not '%s'", opt,
				v ? v : "");
		return -1;
	}
	*out = n;
	return 0;
}

/* --call=NAME[,NAME]: every name must be a hypercall's.  0 or -1. */
static int parse_calls(const char *v, struct dump_opts *o)
{
	char buf[1024];
	if (!*v || strlen(v) >= sizeof(buf)) {
		rrv_usage_error("dump", "dump: --call wants hypercall names, as "
				"in --call=openat,write");
		return -1;
	}
	strcpy(buf, v);
	for (char *save = NULL, *name = strtok_r(buf, ",", &save); name;
	     name = strtok_r(NULL, ",", &save)) {
		bool found = false;
		for (unsigned nr = 1; nr < RRV_HC_PORT_COUNT; nr++) {
			if (strcmp(trace_hc_name(nr), name) == 0) {
				o->calls[nr] = found = true;
				break;
			}
		}
		if (!found) {
			rrv_usage_error("dump", "dump: --call: no hypercall is named "
					"'%s' (use the names rrv dump prints)", name);
			return -1;
		}
	}
	o->by_call = true;
	return 0;
}

/* "--name=VALUE" or "--name VALUE": the value, advancing *i for the
 * second form; NULL when arg is not this option. */
static const char *opt_value(int argc, char **argv, int *i, const char *name)
{
	size_t n = strlen(name);
	if (strncmp(argv[*i], name, n) != 0)
		return NULL;
	if (argv[*i][n] == '=')
		return argv[*i] + n + 1;
	if (argv[*i][n] == 0)
		return *i + 1 < argc ? argv[++*i] : "";
	return NULL;
}

int cmd_dump(int argc, char **argv)
{
	static struct dump_opts o;
	memset(&o, 0, sizeof(o));
	o.to = UINT64_MAX;
	o.strsize = 32;
	bool range = false, single = false;
	const char *file = NULL, *v;
	for (int i = 1; i < argc; i++) {
		uint64_t n;
		if (strcmp(argv[i], "--json") == 0) {
			o.json = true;
		} else if (strcmp(argv[i], "--help") == 0) {
			dump_help();
			return 0;
		} else if ((v = opt_value(argc, argv, &i, "--event"))) {
			if (parse_u64("--event", v, &n))
				return RRV_EXIT_USAGE;
			o.from = o.to = n;
			single = true;
		} else if ((v = opt_value(argc, argv, &i, "--from"))) {
			if (parse_u64("--from", v, &o.from))
				return RRV_EXIT_USAGE;
			range = true;
		} else if ((v = opt_value(argc, argv, &i, "--to"))) {
			if (parse_u64("--to", v, &o.to))
				return RRV_EXIT_USAGE;
			range = true;
		} else if ((v = opt_value(argc, argv, &i, "--tid"))) {
			if (parse_u64("--tid", v, &n))
				return RRV_EXIT_USAGE;
			if (n > UINT32_MAX)
				return rrv_usage_error("dump", "dump: --tid=%s is not "
						       "a thread id", v);
			o.tid = (uint32_t)n;
			o.by_tid = true;
		} else if ((v = opt_value(argc, argv, &i, "--call"))) {
			if (parse_calls(v, &o))
				return RRV_EXIT_USAGE;
		} else if (strncmp(argv[i], "-s", 2) == 0) {
			v = argv[i][2] ? argv[i] + 2 : i + 1 < argc ? argv[++i] : "";
			if (parse_u64("-s", v, &o.strsize))
				return RRV_EXIT_USAGE;
		} else if (argv[i][0] == '-') {
			return rrv_usage_error("dump", "dump: unknown option '%s'", argv[i]);
		} else if (file) {
			return rrv_usage_error("dump", "dump: one trace at a time");
		} else {
			file = argv[i];
		}
	}
	if (single && range)
		return rrv_usage_error("dump", "dump: give --event, or --from and "
				       "--to, not both");
	if (o.from > o.to)
		return rrv_usage_error("dump", "dump: --from=%" PRIu64 " is after "
				       "--to=%" PRIu64, o.from, o.to);
	char path[4200];
	struct rrv_trace_reader *r = trace_open(file, path, sizeof(path));
	if (!r)
		return REPLAY_EXIT_BAD_TRACE;
	struct rrv_trace_event e;
	uint64_t idx = 0;
	int got;
	/* Events are read from the first on (2.0 blocks refer back). */
	while (idx <= o.to && (got = rrv_trace_reader_next(r, &e)) == 1) {
		if (idx >= o.from && wanted(&e, &o))
			(o.json ? print_json : print_text)(stdout, idx, &e, &o);
		idx++;
	}
	int status = 0;
	if (idx > o.to) {
		got = 1; /* stopped at --to: the rest is not read */
	} else if (got == 0 && o.from >= idx && (o.from || o.to != UINT64_MAX)) {
		fflush(stdout);
		fprintf(stderr, "rrv: dump: %s holds %" PRIu64 " events (0 to %" PRIu64
			"): there is no event %" PRIu64 " (see rrv info)\n", path, idx,
			idx ? idx - 1 : 0, o.from);
		status = RRV_EXIT_USAGE;
	}
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
