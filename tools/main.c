/*
 * rrv's entry point: global options and the subcommand table.  Every
 * subcommand is parsed here and nowhere else; each lives in cmd_<name>.c.
 */
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rrv/hypercall.h>

#include "rrv.h"

static const struct rrv_cmd commands[] = {
	{ "boot", cmd_boot,
	  "boot the guest kernel alone (a self-test for developers)",
	  "rrv boot [--kernel-cmdline=WORDS] [--memory=SIZE] [--stats]" },
	{ "run", cmd_run, "run a Linux program in the VM (no recording)",
	  "rrv run [--memory=SIZE] [--stats] [--log=syscalls] [--chaos[=SEED]] [--no-pmu] "
	  "PROGRAM [ARGS...]" },
	{ "record", cmd_record, "run a Linux program and record it into a trace",
	  "rrv record [-o FILE] [--memory=SIZE] [--stats] [--log=syscalls] [--chaos[=SEED]] "
	  "[--no-pmu] PROGRAM [ARGS...]" },
	{ "replay", cmd_replay, "re-execute a recorded run exactly, without the host",
	  "rrv replay [--stats] [--verbose] [--no-pmu] [--log=syscalls] [FILE]" },
	{ "debug", cmd_debug, "replay a trace under gdb: breakpoints, watchpoints, steps",
	  "rrv debug [--debugger=PATH] [--port=PORT | --listen=ADDR:PORT] [-g EVENT]\n"
	  "                [-p PID] [--no-pmu] [TRACE] [-- GDB_ARGS...]" },
	{ "dump", cmd_dump, "print a trace's events (strace-like, or --json)",
	  "rrv dump [--json] [--event=N | --from=N --to=M] [--tid=T]\n"
	  "                [--call=NAME[,NAME...]] [-s N] [FILE]" },
	{ "ps", cmd_ps, "list the processes of a recording (pid, parent, exit, command)",
	  "rrv ps [FILE]" },
	{ "ls", cmd_ls, "list the traces in the trace directory, newest first",
	  "rrv ls [DIR]" },
	{ "pack", cmd_pack, "add the program's ELF files to a trace, for debugging elsewhere",
	  "rrv pack [--cat=PATH] [TRACE]" },
	{ "info", cmd_info, "print a trace's header and a summary",
	  "rrv info [FILE]" },
	{ "help", cmd_help, "show help for rrv or for one command",
	  "rrv help [COMMAND]" },
	{ "version", cmd_version, "print rrv's version", "rrv version" },
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static const struct rrv_cmd *find_command(const char *name)
{
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

static void print_help(FILE *f)
{
	fprintf(f,
		"usage: rrv [--help] [--version] COMMAND [ARGS...]\n"
		"\n"
		"rrv records and replays Linux x86-64 programs in a small KVM\n"
		"virtual machine.  It needs /dev/kvm (or tools/with-kvm).\n"
		"\n"
		"Commands:\n");
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(f,
		"\n"
		"Environment:\n"
		"  RRV_KVM_DEVICE  the KVM device to open (default /dev/kvm)\n"
		"  RRV_DEBUG       print every guest address the VMM refuses\n"
		"  RRV_TRACE_DIR   where rrv record puts traces (default\n"
		"                  $XDG_DATA_HOME/rrv/traces)\n"
		"  RRV_NO_PROGRESS no progress line from rrv record on a terminal\n"
		"  RRV_PREEMPT_WATCHDOG  seconds rrv replay waits for a thread\n"
		"                  to reach its recorded preemption point (30)\n"
		"\n"
		"Exit status: the guest program's own status; 64 for a bad\n"
		"command line; 70 when rrv or its guest kernel fails.\n"
		"Run 'rrv help COMMAND' for a command's options.  Documentation:\n"
		"docs/ in the source tree.\n");
}

int rrv_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	fputs("rrv: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see 'rrv help%s%s')\n", cmd ? " " : "", cmd ? cmd : "");
	return RRV_EXIT_USAGE;
}

int cmd_help(int argc, char **argv)
{
	if (argc < 2) {
		print_help(stdout);
		return 0;
	}
	const struct rrv_cmd *c = find_command(argv[1]);
	if (!c)
		return rrv_usage_error(NULL, "help: unknown command '%s'", argv[1]);
	printf("usage: %s\n\n%s\n", c->usage, c->summary);
	/* Commands with options describe them on --help. */
	if (strcmp(c->name, "help") && strcmp(c->name, "version")) {
		char *args[] = { argv[1], "--help", NULL };
		return c->fn(2, args);
	}
	return 0;
}

int cmd_version(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printf("rrv %s (hypercall ABI %u)\n", RRV_VERSION, RRV_HC_ABI_VERSION);
	return 0;
}

int main(int argc, char **argv)
{
	/* A closed pipe is the guest's business: writes get EPIPE, which the
	 * guest kernel turns into the program's own SIGPIPE. */
	signal(SIGPIPE, SIG_IGN);

	if (argc < 2) {
		print_help(stderr);
		return RRV_EXIT_USAGE;
	}
	const char *name = argv[1];
	if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0)
		name = "help";
	else if (strcmp(name, "--version") == 0 || strcmp(name, "-V") == 0)
		name = "version";
	else if (name[0] == '-')
		return rrv_usage_error(NULL, "unknown option '%s'", name);

	const struct rrv_cmd *c = find_command(name);
	if (!c)
		return rrv_usage_error(NULL, "unknown command '%s'", name);
	argv[1] = (char *)c->name;
	return c->fn(argc - 1, argv + 1);
}
