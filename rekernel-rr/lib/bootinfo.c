/*
 * What the VMM told the kernel at boot (contracts in lib/bootinfo.h): the
 * strings BOOT wrote, checked and split, and the command line's words.
 */
#include "lib/bootinfo.h"

#include "lib/kprintf.h"
#include "lib/string.h"

char boot_strings[BOOT_STRINGS_MAX];
struct bootinfo bootinfo;

/* Every key the command line may carry; anything else draws a warning, so
 * that a misspelt key is not silently ignored. */
static const char *const cmdline_keys[] = {
	"ktest", /* ktest.c: which self-test to run */
	"exit",  /* ktest=hello: exit status */
	"msg",   /* ktest=hello: the line to print */
	"chaos", /* rrv --chaos: the seed of random scheduling (sched.c) */
	"kind",  /* ktest=fault: which exception */
	"log",   /* log=syscalls: trace every system call (syscall.c) */
};

/* Words that stand alone, without a value. */
static const char *const cmdline_flags[] = {
	"stats", /* rrv run --stats: counters at exit (proc.c) */
};

static bool is_space(char c)
{
	return c == ' ' || c == '\t';
}

/* Calls fn for each key=value word; stops early when fn returns true. */
static bool for_each_word(bool (*fn)(const char *w, size_t klen, size_t wlen, void *arg),
			  void *arg)
{
	const char *p = bootinfo.cmdline;
	while (*p) {
		while (is_space(*p))
			p++;
		const char *w = p;
		while (*p && !is_space(*p))
			p++;
		size_t wlen = (size_t)(p - w);
		if (wlen == 0)
			break;
		const char *eq = w;
		while (eq < p && *eq != '=')
			eq++;
		if (fn(w, (size_t)(eq - w), wlen, arg))
			return true;
	}
	return false;
}

struct lookup {
	const char *key;
	const char **val;
	size_t *len;
};

static bool match_key(const char *w, size_t klen, size_t wlen, void *arg)
{
	struct lookup *l = arg;
	if (klen == wlen || klen != strlen(l->key) || memcmp(w, l->key, klen) != 0)
		return false;
	*l->val = w + klen + 1;
	*l->len = wlen - klen - 1;
	return true;
}

bool cmdline_get(const char *key, const char **val, size_t *len)
{
	struct lookup l = { key, val, len };
	return for_each_word(match_key, &l);
}

static bool match_flag(const char *w, size_t klen, size_t wlen, void *arg)
{
	const char *flag = arg;
	return klen == wlen && wlen == strlen(flag) && memcmp(w, flag, wlen) == 0;
}

bool cmdline_has(const char *flag)
{
	return for_each_word(match_flag, (void *)(uintptr_t)flag);
}

static bool warn_unknown(const char *w, size_t klen, size_t wlen, void *arg)
{
	char word[64];
	(void)arg;

	if (klen < wlen)
		for (size_t i = 0; i < sizeof(cmdline_keys) / sizeof(cmdline_keys[0]); i++)
			if (klen == strlen(cmdline_keys[i]) &&
			    memcmp(w, cmdline_keys[i], klen) == 0)
				return false;
	if (klen == wlen)
		for (size_t i = 0; i < sizeof(cmdline_flags) / sizeof(cmdline_flags[0]); i++)
			if (wlen == strlen(cmdline_flags[i]) &&
			    memcmp(w, cmdline_flags[i], wlen) == 0)
				return false;
	size_t n = wlen < sizeof(word) - 1 ? wlen : sizeof(word) - 1;
	memcpy(word, w, n);
	word[n] = '\0';
	kwarn("command line: ignoring '%s' (%s)\n", word,
	      klen == wlen ? "not key=value" : "unknown key");
	return false;
}

const char *next_string(const char *s)
{
	return s + strlen(s) + 1;
}

/* Strings BOOT puts before argv: the command line, and since ABI v2 the
 * path of the program to execute. */
#if RRV_HC_ABI_VERSION >= 2
#define BOOT_LEADING_STRINGS 2
#else
#define BOOT_LEADING_STRINGS 1
#endif

/* Checks that the VMM's strings are what BOOT promised, each
 * NUL-terminated within the used bytes, and records where they are. */
void bootinfo_parse(const struct rrv_hc_boot *b, int64_t used)
{
	uint64_t want = BOOT_LEADING_STRINGS + (uint64_t)b->argc + b->envc;
	uint64_t found = 0;

	if ((uint64_t)used > sizeof(boot_strings))
		panic("BOOT used %ld bytes of a %zu-byte buffer", used, sizeof(boot_strings));
	for (int64_t i = 0; i < used && found < want; i++)
		if (boot_strings[i] == '\0')
			found++;
	if (found < want)
		panic("BOOT strings malformed: %lu of %lu NUL-terminated strings in %ld bytes",
		      found, want, used);

	bootinfo.reply = *b;
	bootinfo.mem_bytes = b->mem_bytes;
	bootinfo.cmdline = boot_strings;
	bootinfo.exec_path = BOOT_LEADING_STRINGS > 1 ? next_string(boot_strings) : "";
	bootinfo.strings = BOOT_LEADING_STRINGS > 1 ? next_string(bootinfo.exec_path)
						    : next_string(boot_strings);
	bootinfo.argc = b->argc;
	bootinfo.envc = b->envc;
}

void cmdline_warn_unknown(void)
{
	for_each_word(warn_unknown, NULL);
}
