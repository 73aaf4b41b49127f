/* The options rrv run and rrv record share, parsed in one place. */
#ifndef RRV_TOOLS_RUNOPTS_H
#define RRV_TOOLS_RUNOPTS_H

#include <limits.h>
#include <stdbool.h>

#include "vmm/vmm.h"

struct run_opts {
	struct vmm_config cfg;   /* ready for vmm_create() */
	char cmdline[96];        /* the guest kernel command line */
	char path[PATH_MAX];     /* the program, resolved */
	const char *output;      /* record -o FILE, or NULL */
	const char *name;        /* the program as given (a script's name,
				    where cfg.argv is its interpreter's) */
	bool help;               /* --help was given (already printed) */
};

/*
 * Parses "[OPTIONS] PROGRAM [ARGS...]" for cmd ("run" or "record"; only
 * record accepts -o) and finds the program.  Returns 0, or the exit status
 * to return after the error has been printed (64 usage, 126/127 program).
 */
int run_opts_parse(const char *cmd, int argc, char **argv, struct run_opts *o);

/* Prints the options part of `rrv help run/record`. */
void run_opts_help(const char *cmd);

#endif
