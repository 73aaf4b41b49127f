/*
 * rrv replay: re-executes a recorded run from its trace alone.  No host
 * file is opened, no stdin read, no sleep waited out: every answer the
 * guest gets comes from the trace, and rrv exits with the recorded status.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replay/checkpoints.h"
#include "replay/replay.h"
#include "vmm/vmm.h"
#include "rrv.h"
#include "tracedir.h"

static void replay_help(void)
{
	printf("Options:\n"
	       "  --stats     print VM exits and hypercalls on exit\n"
	       "  --verbose   say how many events were replayed\n"
	       "  --log=syscalls  list every system call with its thread, arguments\n"
	       "              and result on stderr, as rrv run --log=syscalls\n"
	       "              does; the replay is otherwise the same (traces\n"
	       "              whose guest kernel speaks hypercall ABI 8 or later)\n"
	       "  --no-pmu    find preemption points by rip and digests alone,\n"
	       "              without counting branches (the trace's counts are\n"
	       "              then taken as they are)\n"
	       "  --check-checkpoints=N  a check of rrv debug's checkpoints: take\n"
	       "              a snapshot of the machine after the first event and\n"
	       "              every N-th, replay to the end, then go back to each\n"
	       "              and replay to the end again without output; every\n"
	       "              rerun must make the same hypercalls, output, event\n"
	       "              count and status (65 otherwise; docs/debugging.md)\n"
	       "  --checkpoint-memory=SIZE  the most memory snapshots may hold\n"
	       "              (default: an eighth of RAM, at most 1G); over it the\n"
	       "              oldest but the first are dropped\n"
	       "\n"
	       "Without FILE, replays the trace directory's 'latest'.  Exit\n"
	       "status: the recorded program's; 65 when the replay diverged\n"
	       "from the recording (a report says where); 66 when the trace\n"
	       "cannot be used or is damaged (a damaged footer too: the events\n"
	       "before it are replayed first, as rrv info and dump show them);\n"
	       "69 when the trace ends early (a recording that was cut off:\n"
	       "everything it holds is replayed first); 128+N for a recording\n"
	       "that signal N to rrv interrupted (SIGTERM, a second Ctrl-C:\n"
	       "everything it holds is replayed, then rrv says so).\n"
	       "Ctrl-C, SIGTERM or SIGHUP during a replay stop it at once, with\n"
	       "status 128+N.\n"
	       "A trace in the trace directory gets a note NAME.rrv.replay\n"
	       "beside it saying how its last replay went ('rrv ls' shows a\n"
	       "divergence); the trace itself is never written.\n"
	       "A crash or deadlock is reported as in the recording; the\n"
	       "names of shared libraries' addresses come from their files on\n"
	       "this machine (docs/reports.md).\n");
}

int cmd_replay(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "stats", no_argument, NULL, 's' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "no-pmu", no_argument, NULL, 'P' },
		{ "log", required_argument, NULL, 'l' },
		{ "check-checkpoints", required_argument, NULL, 'C' },
		{ "checkpoint-memory", required_argument, NULL, 'M' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool stats = false, verbose = false, no_pmu = false, log = false;
	uint64_t check_every = 0, snap_limit = 0;
	char *end;
	opterr = 0;
	optind = 1;
	int c;
	while ((c = getopt_long(argc, argv, "+v", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			stats = true;
			break;
		case 'v':
			verbose = true;
			break;
		case 'P':
			no_pmu = true;
			break;
		case 'l':
			if (strcmp(optarg, "syscalls"))
				return rrv_usage_error("replay", "replay: --log takes "
						       "'syscalls', not '%s'", optarg);
			log = true;
			break;
		case 'C':
			check_every = strtoull(optarg, &end, 10);
			if (*optarg < '1' || *optarg > '9' || *end)
				return rrv_usage_error("replay", "replay: --check-checkpoints "
						       "takes a number of events >= 1, not '%s'",
						       optarg);
			break;
		case 'M':
			if (rrv_parse_size(optarg, &snap_limit) || snap_limit < (1u << 20))
				return rrv_usage_error("replay", "replay: --checkpoint-memory"
						       "=%s: not a size of 1M or more (e.g. 512M)",
						       optarg);
			break;
		case 'h':
			replay_help();
			return 0;
		default:
			return rrv_usage_error("replay", "replay: unknown option '%s'",
					       argv[optind - 1]);
		}
	}
	if (argc - optind > 1)
		return rrv_usage_error("replay", "replay: one trace at a time");
	char path[4200];
	if (optind < argc)
		snprintf(path, sizeof(path), "%s", argv[optind]);
	else if (trace_latest(path, sizeof(path)))
		return REPLAY_EXIT_BAD_TRACE;

	struct vmm_config cfg;
	int status;
	struct replayer *rep = replayer_open(path, &cfg, &status);
	if (!rep)
		return status;
	cfg.stats = stats;
	cfg.no_pmu = no_pmu;
	cfg.snapshots = check_every > 0;
	cfg.snapshot_limit = snap_limit;
	struct vmm *vm = vmm_create(&cfg);
	if (!vm) {
		replayer_free(rep);
		return RRV_PANIC_STATUS;
	}
	if (log)
		replayer_log_syscalls(rep);
	replayer_attach(rep, vm);
	if (check_every)
		status = replay_check_checkpoints(rep, vm, check_every, verbose);
	else
		status = replayer_finish(rep, vmm_run(vm), verbose);
	/* For rrv ls; a replay that could not use the trace, or failed in
	 * rrv itself, says nothing about the recording. */
	if (status != REPLAY_EXIT_BAD_TRACE && status != RRV_PANIC_STATUS)
		trace_note_replay(path, status == REPLAY_EXIT_DIVERGED,
				  replayer_events(rep));
	vmm_destroy(vm);
	replayer_free(rep);
	return status;
}
