/* The rrv command line: one table of subcommands, one file per command. */
#ifndef RRV_TOOLS_RRV_H
#define RRV_TOOLS_RRV_H

#include <stddef.h>
#include <stdint.h>

#include "vmm/version.h"

/* A subcommand gets its own name in argv[0] and returns rrv's exit status. */
struct rrv_cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary; /* one line for `rrv --help` */
	const char *usage;   /* the synopsis, for `rrv help CMD` and errors */
};

/* Exit status for a command line rrv cannot make sense of (as in sysexits). */
#define RRV_EXIT_USAGE 64

/* Prints "rrv: <msg> (see 'rrv help cmd')"; returns RRV_EXIT_USAGE. */
int rrv_usage_error(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Parses a memory size such as 512M, 2G or 1073741824.  Returns 0 or -1. */
int rrv_parse_size(const char *s, uint64_t *bytes);

/* rrv_parse_size() for guest memory: also checks the VMM's range and
 * granularity.  Returns 0 or -1. */
int rrv_parse_memory(const char *s, uint64_t *bytes);

/* The guest kernel ELF, linked into the rrv binary by kernel_image.S. */
extern const unsigned char rrv_kernel_image[];
extern const unsigned char rrv_kernel_image_end[];

int cmd_boot(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_record(int argc, char **argv);
int cmd_replay(int argc, char **argv);
int cmd_debug(int argc, char **argv);
int cmd_dump(int argc, char **argv);
int cmd_pack(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_ls(int argc, char **argv);
int cmd_ps(int argc, char **argv);
int cmd_help(int argc, char **argv);
int cmd_version(int argc, char **argv);

#endif
