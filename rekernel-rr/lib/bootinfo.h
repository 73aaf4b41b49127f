/*
 * What the VMM told the kernel at boot, and the kernel command line.
 */
#ifndef REKERNEL_LIB_BOOTINFO_H
#define REKERNEL_LIB_BOOTINFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <rrv/arglimit.h>
#include <rrv/hypercall.h>

struct bootinfo {
	uint64_t mem_bytes;    /* guest RAM, from guest-physical 0 */
	const char *cmdline;   /* NUL-terminated, possibly empty */
	const char *exec_path; /* the program to run; empty for none */
	uint32_t argc;         /* the program's arguments ... */
	uint32_t envc;         /* ... and environment */
	const char *strings;   /* argc then envc NUL-terminated strings */
	struct rrv_hc_boot reply; /* all of BOOT's answer (host identity...) */
};

extern struct bootinfo bootinfo;

/*
 * Looks up key in the command line, which is words separated by spaces or
 * tabs, each key=value.  On a match (the first one) stores the value,
 * which is not NUL-terminated, and its length, and returns true.
 */
bool cmdline_get(const char *key, const char **val, size_t *len);

/* True when the command line holds flag as a word of its own (a word
 * without '=', such as "stats"). */
bool cmdline_has(const char *flag);

/* The NUL-terminated string after s in bootinfo.strings. */
const char *next_string(const char *s);

/* The buffer BOOT writes its strings into, and its size: room for the
 * most argv and envp Linux accepts (<rrv/arglimit.h>), so that a command
 * line that runs natively reaches the program whole. */
#define BOOT_STRINGS_MAX RRV_BOOT_STRINGS_MAX
extern char boot_strings[BOOT_STRINGS_MAX];

/* Checks the used bytes of boot_strings that BOOT answered b with (each
 * string NUL-terminated, as many as it said) and fills bootinfo; panics on
 * a malformed answer. */
void bootinfo_parse(const struct rrv_hc_boot *b, int64_t used);

/* Warns once about each word of the command line that no part of the
 * kernel knows (a misspelt key must not be silently ignored). */
void cmdline_warn_unknown(void);

#endif
