/*
 * rrv replay: re-executes a recorded run from its trace alone.  No host
 * file is opened, no stdin read, no sleep waited out: every answer the
 * guest gets comes from the trace, and rrv exits with the recorded status.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "replay/replay.h"
#include "vmm/vmm.h"
#include "rrv.h"
#include "tracedir.h"

static void replay_help(void)
{
	printf("Options:\n"
	       "  --stats     print VM exits and hypercalls on exit\n"
	       "  --verbose   say how many events were replayed\n"
	       "  --no-pmu    find preemption points by rip and digests alone,\n"
	       "              without counting branches (the trace's counts are\n"
	       "              then taken as they are)\n"
	       "\n"
	       "Without FILE, replays the trace directory's 'latest'.  Exit\n"
	       "status: the recorded program's; 65 when the replay diverged\n"
	       "from the recording (a report says where); 66 when the trace\n"
	       "cannot be used; 69 when the trace ends early (a recording that\n"
	       "was cut off: everything it holds is replayed first); 128+N for\n"
	       "a recording that signal N to rrv interrupted (SIGTERM, a second\n"
	       "Ctrl-C: everything it holds is replayed, then rrv says so).\n"
	       "Ctrl-C, SIGTERM or SIGHUP during a replay stop it at once, with\n"
	       "status 128+N.\n");
}

int cmd_replay(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "stats", no_argument, NULL, 's' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "no-pmu", no_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool stats = false, verbose = false, no_pmu = false;
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
	struct vmm *vm = vmm_create(&cfg);
	if (!vm) {
		replayer_free(rep);
		return RRV_PANIC_STATUS;
	}
	replayer_attach(rep, vm);
	status = vmm_run(vm);
	status = replayer_finish(rep, status, verbose);
	vmm_destroy(vm);
	replayer_free(rep);
	return status;
}
