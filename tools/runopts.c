/* Option parsing shared by rrv run and rrv record (see runopts.h). */
#include "runopts.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "program.h"
#include "rrv.h"

void run_opts_help(const char *cmd)
{
	if (strcmp(cmd, "record") == 0)
		printf("  -o, --output=FILE  write the trace to FILE (default: a new file\n"
		       "                     in the trace directory, see below)\n");
	printf("  --memory=SIZE      guest memory, e.g. 256M or 2G (default 1G)\n"
	       "  --stats            print system calls served in the guest and VM\n"
	       "                     exits by kind on exit\n"
	       "  --log=syscalls     list every system call with its arguments and\n"
	       "                     result on stderr, as strace would\n"
	       "  --chaos[=SEED]     schedule the program's threads at random, from\n"
	       "                     SEED (a number; default: a random one, printed),\n"
	       "                     so that races show up; the same seed gives the\n"
	       "                     same interleaving%s\n"
	       "  --no-pmu           count no branches with the CPU's performance\n"
	       "                     counter even where KVM offers one: threads\n"
	       "                     preempted while spinning are then found in\n"
	       "                     replay by rip and digests alone\n"
	       "\n"
	       "The program is an x86-64 Linux ELF (glibc or musl, static or\n"
	       "dynamically linked), or a #! script, run through its interpreter\n"
	       "as execve runs it.  It may fork, exec and wait for children,\n"
	       "which run in the same VM.  Its stdin, stdout and stderr are rrv's.\n"
	       "Its arguments and environment may be as large as Linux allows:\n"
	       "a quarter of the stack limit (ulimit -s; 2 MiB by default, at\n"
	       "most 6 MiB), 128 KiB per string; past that it fails with E2BIG.\n"
	       "The run ends when the program (the first process) exits; children\n"
	       "still running end with it, as if killed.\n"
	       "Exit status: the program's; 128+N when signal N killed it; 127\n"
	       "when it was not found; 126 when it cannot run; 70 when rrv\n"
	       "itself failed.\n"
	       "A program that crashes (a signal that dumps core) gets a crash\n"
	       "report on stderr: the fault, the instruction, the registers and\n"
	       "a backtrace by function, file:line (with -g) and shared library.\n"
	       "One whose threads all wait with nothing to wake them is stopped\n"
	       "as by SIGKILL with a deadlock report: each thread's call with its\n"
	       "arguments, and its backtrace (docs/reports.md).\n"
	       "Signals to rrv: the first SIGINT (Ctrl-C) goes to the program's\n"
	       "process group, as a terminal sends it; a second SIGINT, a SIGTERM\n"
	       "or a SIGHUP stops %s at once, with status 128+N.\n%s",
	       strcmp(cmd, "record") == 0 ? " (kept in the trace; rrv info shows it)" : "",
	       strcmp(cmd, "record") == 0 ? "the recording" : "the run",
	       strcmp(cmd, "record") == 0 ? "The trace then ends with a footer "
	       "marked interrupted, and replays.\n" : "");
	if (strcmp(cmd, "record") == 0)
		printf("\nTraces go to $RRV_TRACE_DIR, else $XDG_DATA_HOME/rrv/traces,\n"
		       "else ~/.local/share/rrv/traces, with a link 'latest' to the\n"
		       "most recent recording, set when it starts (one cut short or\n"
		       "interrupted included); rrv replay uses it by default.\n"
		       "On a terminal, a recording that lasts over a second shows its\n"
		       "progress (events, MiB written) on stderr; RRV_NO_PROGRESS=1\n"
		       "turns that off.  When the disk fills, the recording stops and\n"
		       "the trace keeps what was written whole: rrv says how many events\n"
		       "a replay will get, or that nothing was recorded (no file is left).\n"
		       "A script's trace holds its interpreter, which rrv info shows as\n"
		       "the program (and whose ELF names addresses in reports).\n");
}

static void add_word(char *cmdline, size_t size, const char *word)
{
	if (strstr(cmdline, word))
		return;
	if (*cmdline)
		strncat(cmdline, " ", size - strlen(cmdline) - 1);
	strncat(cmdline, word, size - strlen(cmdline) - 1);
}

int run_opts_parse(const char *cmd, int argc, char **argv, struct run_opts *o)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "memory", required_argument, NULL, 'm' },
		{ "stats", no_argument, NULL, 's' },
		{ "log", required_argument, NULL, 'l' },
		{ "chaos", optional_argument, NULL, 'c' },
		{ "no-pmu", no_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	extern char **environ;
	bool record = strcmp(cmd, "record") == 0;
	memset(o, 0, sizeof(*o));
	o->cfg.mem_bytes = VMM_MEM_DEFAULT;
	o->cfg.kernel_image = rrv_kernel_image;
	o->cfg.kernel_size = (size_t)(rrv_kernel_image_end - rrv_kernel_image);
	o->cfg.envp = environ;

	opterr = 0;
	optind = 1;
	int c;
	/* "+": options end at the program name, whose own options follow. */
	while ((c = getopt_long(argc, argv, record ? "+:o:" : "+:", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			if (!record)
				return rrv_usage_error(cmd, "%s: unknown option '%s'",
						       cmd, argv[optind - 1]);
			o->output = optarg;
			break;
		case 'm':
			if (rrv_parse_memory(optarg, &o->cfg.mem_bytes))
				return rrv_usage_error(cmd, "%s: --memory=%s: not a size "
						       "from %lluM to %lluM in steps "
						       "of 2M", cmd, optarg,
						       VMM_MEM_MIN >> 20, VMM_MEM_MAX >> 20);
			break;
		case 's':
			o->cfg.stats = true;
			add_word(o->cmdline, sizeof(o->cmdline), "stats");
			break;
		case 'l':
			if (strcmp(optarg, "syscalls"))
				return rrv_usage_error(cmd, "%s: --log=%s: only "
						       "--log=syscalls exists", cmd, optarg);
			add_word(o->cmdline, sizeof(o->cmdline), "log=syscalls");
			break;
		case 'c': {
			char word[40];
			if (optarg) {
				char *end;
				errno = 0;
				unsigned long long v = strtoull(optarg, &end, 10);
				if (errno || end == optarg || *end || optarg[0] == '-')
					return rrv_usage_error(cmd, "%s: --chaos=%s: the seed "
							       "must be a number", cmd, optarg);
				o->cfg.chaos_seed = v;
			} else if (getrandom(&o->cfg.chaos_seed, sizeof(o->cfg.chaos_seed), 0) !=
				   (ssize_t)sizeof(o->cfg.chaos_seed)) {
				o->cfg.chaos_seed = (uint64_t)time(NULL);
			}
			o->cfg.chaos = true;
			snprintf(word, sizeof(word), "chaos=%" PRIu64, o->cfg.chaos_seed);
			add_word(o->cmdline, sizeof(o->cmdline), word);
			break;
		}
		case 'P':
			o->cfg.no_pmu = true;
			break;
		case 'h':
			run_opts_help(cmd);
			o->help = true;
			return 0;
		case ':': /* getopt's answer for an option missing its value */
			return rrv_usage_error(cmd, "%s: option '%s' needs %s", cmd,
					       argv[optind - 1], optopt == 'o' ?
					       "the trace's file name" : "a value");
		default:
			return rrv_usage_error(cmd, "%s: unknown option '%s'", cmd,
					       argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return rrv_usage_error(cmd, "%s: no program given", cmd);
	o->name = argv[optind];
	int pargc = argc - optind;
	char **pargv = argv + optind;
	int status = program_find(o->name, o->path, sizeof(o->path), &pargc, &pargv);
	if (!status)
		status = program_check_args(o->name, o->path, pargc, pargv, o->cfg.envp);
	if (status)
		return status;
	if (o->cfg.chaos)
		fprintf(stderr, "rrv: chaos seed %" PRIu64 "\n", o->cfg.chaos_seed);
	o->cfg.cmdline = o->cmdline;
	o->cfg.exec_path = o->path;
	o->cfg.argc = pargc;
	o->cfg.argv = pargv;
	return 0;
}
