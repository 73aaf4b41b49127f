/* rrv info: a trace's header and a summary of its events. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <rrv/hypercall.h>

#include "replay/replay.h"
#include "trace-format/rrv_trace.h"
#include "vmm/hostsig.h"
#include "rrv.h"
#include "trace_open.h"

static void print_list(const char *label, const struct rrv_trace_field *f, int max)
{
	printf("%-14s", label);
	if (!f) {
		printf("(none)\n");
		return;
	}
	int n = 0;
	for (uint32_t i = 0; i < f->len; n++) {
		const char *s = (const char *)f->data + i;
		size_t len = strnlen(s, f->len - i);
		if (n < max)
			printf("%s%.*s", n ? " " : "", (int)len, s);
		i += (uint32_t)len + 1;
	}
	if (n > max)
		printf(" ... (%d in all)", n);
	printf("\n");
}

static void print_str(const char *label, const struct rrv_trace_fields *h, uint32_t tag)
{
	const struct rrv_trace_field *f = rrv_trace_fields_get(h, tag);
	printf("%-14s%.*s\n", label, f ? (int)f->len : 6, f ? (const char *)f->data : "(none)");
}

/* The files rrv pack added: how many, their bytes, and each one's name. */
static void print_packed(const struct rrv_trace_fields *h)
{
	size_t n = 0, bad = 0;
	uint64_t bytes = 0, stored = 0;
	for (size_t i = 0; i < rrv_trace_fields_count(h); i++) {
		const struct rrv_trace_field *g = rrv_trace_fields_at(h, i);
		struct rrv_trace_packed p;
		if (g->tag != RRV_TAG_PACKED_FILE)
			continue;
		if (rrv_trace_packed_parse(g, &p)) {
			bad++;
			continue;
		}
		n++;
		bytes += p.size;
		stored += g->len;
	}
	if (!n && !bad) {
		printf("%-14snone (rrv pack adds the libraries, for debugging elsewhere)\n",
		       "packed files");
		return;
	}
	printf("%-14s%zu, %" PRIu64 " bytes (%" PRIu64 " stored)%s\n", "packed files", n,
	       bytes, stored, bad ? ", some malformed" : "");
	for (size_t i = 0; i < rrv_trace_fields_count(h); i++) {
		const struct rrv_trace_field *g = rrv_trace_fields_at(h, i);
		struct rrv_trace_packed p;
		if (g->tag != RRV_TAG_PACKED_FILE || rrv_trace_packed_parse(g, &p))
			continue;
		printf("  %s (%" PRIu64 " bytes", p.paths, p.size);
		const char *more = rrv_trace_packed_next_path(&p, p.paths);
		for (; more; more = rrv_trace_packed_next_path(&p, more))
			printf(", also %s", more);
		printf(")\n");
	}
}

int cmd_info(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "--help") == 0) {
		printf("Prints a trace's header (program, arguments, machine) and a\n"
		       "summary of its events.  Without FILE: the latest trace.\n");
		return 0;
	}
	if (argc > 2)
		return rrv_usage_error("info", "info: one trace at a time");
	char path[4200];
	struct rrv_trace_reader *r = trace_open(argc == 2 ? argv[1] : NULL, path,
						sizeof(path));
	if (!r)
		return REPLAY_EXIT_BAD_TRACE;
	const struct rrv_trace_fields *h = rrv_trace_reader_header(r);
	const struct rrv_trace_fields *f = rrv_trace_reader_footer(r);
	unsigned major, minor;
	rrv_trace_reader_version(r, &major, &minor);
	struct stat st;
	uint64_t v;

	printf("%-14s%s\n", "trace", path);
	printf("%-14s%u.%u\n", "format", major, minor);
	if (stat(path, &st) == 0)
		printf("%-14s%lld bytes\n", "size", (long long)st.st_size);
	print_str("recorded by", h, RRV_TAG_RRV_VERSION);
	if (!rrv_trace_fields_u64(h, RRV_TAG_START_TIME, &v)) {
		time_t t = (time_t)v;
		char buf[64];
		strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S %Z", localtime(&t));
		printf("%-14s%s\n", "started", buf);
	}
	print_str("program", h, RRV_TAG_EXEC_PATH);
	print_list("argv", rrv_trace_fields_get(h, RRV_TAG_ARGV), 16);
	print_list("environment", rrv_trace_fields_get(h, RRV_TAG_ENVP), 0);
	print_str("cwd", h, RRV_TAG_CWD);
	if (!rrv_trace_fields_u64(h, RRV_TAG_MEM_BYTES, &v))
		printf("%-14s%" PRIu64 " MiB\n", "memory", v >> 20);
	print_str("guest cmdline", h, RRV_TAG_CMDLINE);
	const struct rrv_trace_field *k = rrv_trace_fields_get(h, RRV_TAG_KERNEL_IMAGE);
	printf("%-14s%u bytes\n", "guest kernel", k ? k->len : 0);
	const struct rrv_trace_field *p = rrv_trace_fields_get(h, RRV_TAG_PROGRAM_IMAGE);
	printf("%-14s%s\n", "program ELF", p ? "stored (for symbols)" : "not stored");
	print_packed(h);
	print_str("preemption", h, RRV_TAG_PREEMPT_METHOD);
	if (!rrv_trace_fields_u64(h, RRV_TAG_CHAOS_SEED, &v))
		printf("%-14s%" PRIu64 "\n", "chaos seed", v);
	const struct rrv_trace_field *host = rrv_trace_fields_get(h, RRV_TAG_HOST);
	if (host) {
		printf("recorded on:\n");
		const char *s = (const char *)host->data, *end = s + host->len;
		while (s < end) {
			const char *nl = memchr(s, '\n', (size_t)(end - s));
			size_t len = nl ? (size_t)(nl - s) : (size_t)(end - s);
			printf("  %.*s\n", (int)len, s);
			s += len + 1;
		}
	}

	/* Count events by kind; this also checks every chunk. */
	uint64_t count[RRV_EV_MAX] = { 0 }, hc[RRV_HC_PORT_COUNT] = { 0 }, bytes = 0, n = 0;
	struct rrv_trace_event e;
	int got;
	while ((got = rrv_trace_reader_next(r, &e)) == 1) {
		count[e.type]++;
		if (e.type == RRV_EV_HYPERCALL && e.nr < RRV_HC_PORT_COUNT)
			hc[e.nr]++;
		for (uint32_t i = 0; i < e.nranges; i++)
			bytes += e.ranges[i].len;
		n++;
	}
	printf("%-14s%" PRIu64 " (%" PRIu64 " hypercalls, %" PRIu64 " scheduling), "
	       "%" PRIu64 " bytes of guest data\n", "events", n,
	       count[RRV_EV_HYPERCALL], n - count[RRV_EV_HYPERCALL], bytes);
	for (unsigned i = 0; i < RRV_HC_PORT_COUNT; i++)
		if (hc[i])
			printf("  %-12s%" PRIu64 "\n", trace_hc_name(i), hc[i]);
	uint64_t how, st2, intr;
	if (got < 0)
		printf("%-14s%s, after event %" PRIu64 "\n", "status",
		       rrv_trace_strerror(got), n);
	else if (f && !rrv_trace_fields_u64(f, RRV_TAG_INTERRUPTED, &intr))
		printf("%-14sinterrupted by %s (signal %" PRIu64 ") during recording, "
		       "after event %" PRIu64 "\n", "status", hostsig_name((int)intr),
		       intr, n);
	else
		printf("%-14scomplete\n", "status");
	if (f && !rrv_trace_fields_u64(f, RRV_TAG_EXIT_HOW, &how) &&
	    !rrv_trace_fields_u64(f, RRV_TAG_EXIT_STATUS, &st2) &&
	    how != RRV_EXIT_INTERRUPTED)
		printf("%-14s%s %" PRId64 "\n", "exit", how == 1 ? "killed by signal"
		       : "status", (int64_t)st2);
	rrv_trace_reader_free(r);
	return got < 0 && got != RRV_TRACE_E_TRUNCATED ? REPLAY_EXIT_BAD_TRACE : 0;
}
