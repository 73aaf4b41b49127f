/* See trace_open.h. */
#include "trace_open.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "trace-format/rrv_trace.h"
#include "vmm/hypercall.h"
#include "tracedir.h"

struct rrv_trace_reader *trace_open(const char *arg, char *path, size_t size)
{
	if (arg)
		snprintf(path, size, "%s", arg);
	else if (trace_latest(path, size))
		return NULL;
	struct rrv_trace_reader *r;
	int err = rrv_trace_reader_open(&r, path);
	if (!err)
		return r;
	fprintf(stderr, "rrv: cannot read %s: %s (%s)\n", path,
		err == RRV_TRACE_E_IO ? strerror(errno) : rrv_trace_strerror(err),
		err == RRV_TRACE_E_VERSION ? "use a newer rrv" :
		err == RRV_TRACE_E_NOT_TRACE ? "give a file written by rrv record" :
		err == RRV_TRACE_E_NOT_FILE ? (errno == EISDIR ? "it is a directory; "
			"give a trace file written by rrv record" : "it is a device; "
			"give a trace file written by rrv record") :
		err == RRV_TRACE_E_IO ? "check the path" : "the file is damaged");
	return NULL;
}

const char *trace_hc_name(unsigned nr)
{
	static struct hc_table table;
	static bool ready;
	static char buf[16];
	if (!ready) {
		hc_register_all(&table);
		ready = true;
	}
	const struct hc_desc *d = hc_lookup(&table, nr);
	if (d)
		return d->name;
	snprintf(buf, sizeof(buf), "hc_%u", nr);
	return buf;
}
