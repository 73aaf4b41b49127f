/*
 * rrv record: runs a program like rrv run, writing every input it gets
 * from the host into a trace, then says where the trace is.
 */
#include <stdio.h>

#include "record/record.h"
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
	status = vmm_run(vm);
	int err = recorder_finish(rec, status);
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
	if (!o.output && !recorder_removed(rec)) /* 'latest': the trace directory's */
		trace_set_latest(path);
	recorder_free(rec);
	vmm_destroy(vm);
	return err && status == 0 ? RRV_PANIC_STATUS : status;
}
