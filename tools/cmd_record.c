/*
 * rrv record: runs a program like rrv run, writing every input it gets
 * from the host into a trace, then says where the trace is.
 */
#include <stdio.h>

#include "record/record.h"
#include "vmm/hostsig.h"
#include "vmm/vmm.h"
#include "rrv.h"
#include "runopts.h"
#include "tracedir.h"

int cmd_record(int argc, char **argv)
{
	struct run_opts o;
	int status = run_opts_parse("record", argc, argv, &o);
	if (status || o.help)
		return status;

	char path[4200];
	if (o.output)
		snprintf(path, sizeof(path), "%s", o.output);
	else if (trace_new_path(o.name, path, sizeof(path)))
		return RRV_PANIC_STATUS;

	struct vmm *vm = vmm_create(&o.cfg);
	if (!vm)
		return RRV_PANIC_STATUS;
	struct recorder *rec = recorder_start(vm, path);
	if (!rec) {
		vmm_destroy(vm);
		return RRV_PANIC_STATUS;
	}
	/* 'latest' is about the trace directory, and names the newest
	 * recording from its start: one cut short (kill -9) or interrupted
	 * is still the one `rrv replay` means. */
	char prev_latest[4200] = "";
	if (!o.output) {
		trace_latest_target(prev_latest, sizeof(prev_latest));
		trace_set_latest(path);
	}
	status = vmm_run(vm);
	int err = recorder_finish(rec, status);
	int stop = vm->hostsig.interrupted;
	if (stop && !err && !recorder_removed(rec))
		fprintf(stderr, "rrv: recording interrupted by %s: the trace ends "
			"with the last whole event\n", hostsig_name(stop));
	/* The counts are what a reader will get from the file. */
	if (recorder_removed(rec))
		fprintf(stderr, "rrv: nothing was recorded: no event reached the "
			"disk, so %s is removed (free some space and record "
			"again)\n", path);
	else
		fprintf(stderr, "rrv: trace %s %s (%llu events, %llu bytes); replay "
			"it with: rrv replay %s\n", err ? "kept, incomplete, in"
			: "written to", path, recorder_events(rec),
			recorder_bytes(rec), path);
	/* A trace that is gone is not the latest: the previous one is. */
	if (!o.output && recorder_removed(rec))
		trace_restore_latest(prev_latest);
	recorder_free(rec);
	vmm_destroy(vm);
	return err && status == 0 ? RRV_PANIC_STATUS : status;
}
