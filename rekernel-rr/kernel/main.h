/*
 * What the VMM told the kernel at boot, and the kernel command line.
 */
#ifndef REKERNEL_MAIN_H
#define REKERNEL_MAIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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

#endif
