/*
 * Catches the common mistakes before a VM is built, so that they get a
 * one-line error: a missing program, a foreign binary, a script whose
 * interpreter is missing, an argument list Linux would refuse.
 * Dynamically linked programs are fine: the guest kernel loads their
 * interpreter (PT_INTERP) as Linux does.  A "#!" script is run through its
 * interpreter, as execve does (binfmt_script), and it is the interpreter's
 * ELF that the VM starts and a trace keeps.  The guest kernel checks the
 * ELF and the arguments again when it loads them; this is for the message.
 */
#include "program.h"

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <rrv/arglimit.h>

static int refuse(const char *name, int status, const char *why, const char *todo)
{
	fprintf(stderr, "rrv: cannot run %s: %s (%s)\n", name, why, todo);
	return status;
}

/* execvp's search: the first executable regular file along $PATH. */
static int search_path(const char *name, char *path, size_t size)
{
	const char *p = getenv("PATH");
	if (!p || !*p)
		p = "/usr/local/bin:/usr/bin:/bin";
	int found_noexec = 0;
	while (*p) {
		const char *colon = strchr(p, ':');
		size_t len = colon ? (size_t)(colon - p) : strlen(p);
		int n = len ? snprintf(path, size, "%.*s/%s", (int)len, p, name)
			    : snprintf(path, size, "%s", name);
		struct stat st;
		if (n > 0 && (size_t)n < size && stat(path, &st) == 0 &&
		    S_ISREG(st.st_mode)) {
			if (access(path, X_OK) == 0)
				return 0;
			found_noexec = 1;
		}
		p += len + (colon ? 1 : 0);
		if (!colon)
			break;
	}
	return found_noexec ? -EACCES : -ENOENT;
}

/* refuse(), naming a script's interpreter when it is what cannot run. */
static int refuse_elf(const char *name, const char *interp, const char *why,
		      const char *todo)
{
	char buf[PATH_MAX + 128];
	if (interp)
		snprintf(buf, sizeof(buf), "its interpreter %s is %s", interp, why);
	return refuse(name, 126, interp ? buf : why, todo);
}

/* path is what runs: name itself, or (interp set) the interpreter that
 * name's #! lines lead to. */
static int check_elf(const char *name, const char *path, const char *interp)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return refuse(name, errno == ENOENT ? 127 : 126, strerror(errno),
			      "check the path and its permissions");
	int status = 0;
	Elf *elf = NULL;
	if (elf_version(EV_CURRENT) == EV_NONE || !(elf = elf_begin(fd, ELF_C_READ, NULL)) ||
	    elf_kind(elf) != ELF_K_ELF) {
		status = refuse_elf(name, interp, "not an ELF file nor a #! script",
				    "rrv runs x86-64 Linux programs and scripts that "
				    "name their interpreter on a #! line");
		goto out;
	}
	GElf_Ehdr eh;
	if (!gelf_getehdr(elf, &eh) || eh.e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh.e_machine != EM_X86_64) {
		status = refuse_elf(name, interp, "not an x86-64 program",
				    "rrv runs 64-bit x86 Linux programs");
		goto out;
	}
	if (eh.e_type != ET_EXEC && eh.e_type != ET_DYN) {
		status = refuse_elf(name, interp, "not an executable ELF",
				    "an object file or core dump cannot run");
		goto out;
	}
out:
	if (elf)
		elf_end(elf);
	close(fd);
	return status;
}

/* What Linux reads of a file to tell its kind, and how deep scripts may
 * name scripts as interpreters (binfmt_script, BINPRM_MAX_RECURSION). */
#define BINPRM_BUF_SIZE 256
#define MAX_SCRIPT_DEPTH 4

/*
 * The "#!" line at the start of path, split as binfmt_script splits it:
 * the interpreter in interp, its one optional argument (the rest of the
 * line, trimmed) in arg (empty for none).  1 for a script, 0 for another
 * file, or an exit status after printing why (an unreadable file, a line
 * without an interpreter or with one cut by the 256 bytes Linux reads).
 */
static int read_shebang(const char *name, const char *path, char *interp, char *arg)
{
	char buf[BINPRM_BUF_SIZE + 1];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return refuse(name, 126, strerror(errno), "check its permissions");
	ssize_t n = read(fd, buf, BINPRM_BUF_SIZE);
	close(fd);
	if (n < 2 || buf[0] != '#' || buf[1] != '!')
		return 0;
	char *end = memchr(buf, '\n', (size_t)n);
	bool cut = !end;
	if (cut)
		end = buf + n;
	*end = '\0';
	while (end > buf + 2 && (end[-1] == ' ' || end[-1] == '\t'))
		*--end = '\0';
	char *p = buf + 2;
	while (*p == ' ' || *p == '\t')
		p++;
	char *word = p;
	while (*p && *p != ' ' && *p != '\t')
		p++;
	if (p == word || (cut && !*p))
		return refuse(name, 126, "exec format error (ENOEXEC)",
			      p == word ? "its #! line names no interpreter"
				        : "its #! line is longer than the 256 bytes "
					  "Linux reads");
	size_t wl = (size_t)(p - word);
	memcpy(interp, word, wl);
	interp[wl] = '\0';
	while (*p == ' ' || *p == '\t')
		p++;
	memmove(arg, p, strlen(p) + 1);
	return 1;
}

/* The interpreter's argv for a script run as argv: interp, its argument
 * if any, the script's path, then argv but its argv[0]. */
static char **script_argv(const char *interp, const char *arg, const char *script,
			  int *argc, char **argv)
{
	int n = 2 + (*arg ? 1 : 0) + (*argc > 1 ? *argc - 1 : 0);
	char **v = calloc((size_t)n + 1, sizeof(*v));
	char *i = strdup(interp), *a = strdup(arg), *s = strdup(script);
	if (!v || !i || !a || !s) {
		free(v);
		free(i);
		free(a);
		free(s);
		return NULL;
	}
	int k = 0;
	v[k++] = i;
	if (*arg)
		v[k++] = a;
	else
		free(a);
	v[k++] = s;
	for (int j = 1; j < *argc; j++)
		v[k++] = argv[j];
	*argc = k;
	return v;
}

/* Follows path's "#!" lines (a script's interpreter may be a script too)
 * down to the ELF that runs, as execve would: path becomes it, and
 * argc/argv the arguments it gets.  0 or an exit status, printed. */
static int follow_scripts(const char *name, char *path, size_t size, int *argc,
			  char ***argv)
{
	char interp[BINPRM_BUF_SIZE + 1], arg[BINPRM_BUF_SIZE + 1];
	for (int depth = 0;; depth++) {
		int r = read_shebang(name, path, interp, arg);
		if (r != 1)
			return r;
		if (depth == MAX_SCRIPT_DEPTH)
			return refuse(name, 126, "too many levels of #! interpreters "
				      "(ELOOP)", "Linux follows at most 4");
		/* As execve's open of the interpreter fails: a shell's 127
		 * for a missing one, 126 for one that cannot run. */
		struct stat st;
		const char *bad = NULL;
		bool missing = false;
		if (stat(interp, &st) < 0) {
			missing = errno == ENOENT || errno == ENOTDIR;
			bad = missing ? "does not exist (ENOENT)" : strerror(errno);
		} else if (!S_ISREG(st.st_mode)) {
			bad = "is not a regular file (EACCES)";
		} else if (access(interp, X_OK) < 0) {
			bad = "is not executable (EACCES)";
		}
		if (bad) {
			char why[BINPRM_BUF_SIZE + 64];
			snprintf(why, sizeof(why), "its interpreter %s %s", interp, bad);
			return refuse(name, missing ? 127 : 126, why,
				      "fix the script's #! line or install the "
				      "interpreter");
		}
		char **v = script_argv(interp, arg, path, argc, *argv);
		if (!v)
			return refuse(name, 126, "out of memory", "free some memory");
		*argv = v;
		if (strlen(interp) >= size)
			return refuse(name, 126, "interpreter path too long",
				      "use a shorter #! line");
		strcpy(path, interp);
	}
}

int program_check_args(const char *name, const char *path, int argc, char **argv,
		       char *const *envp)
{
	/* The limit as BOOT gives it to the guest (vmm/hc_lifecycle.c). */
	struct rlimit rl;
	if (getrlimit(RLIMIT_STACK, &rl) < 0)
		rl.rlim_cur = RRV_STK_LIM;
	rl.rlim_cur = rrv_stack_from_kib(rrv_stack_to_kib(rl.rlim_cur));
	uint64_t bytes = strlen(path) + 1;
	int envc = 0;
	char why[200];
	for (int i = 0; i < argc || (envp && envp[i - argc]); i++) {
		const char *s = i < argc ? argv[i] : envp[i - argc];
		size_t n = strlen(s) + 1;
		if (n > RRV_MAX_ARG_STRLEN) {
			snprintf(why, sizeof(why), "E2BIG: %s string %d is %zu bytes, "
				 "Linux allows %u", i < argc ? "argument" : "environment",
				 i < argc ? i : i - argc, n, RRV_MAX_ARG_STRLEN);
			return refuse(name, 126, "argument list too long", why);
		}
		bytes += n;
		envc += i >= argc;
	}
	if (rrv_args_fit(rl.rlim_cur, (uint64_t)argc, (uint64_t)envc, bytes))
		return 0;
	uint64_t total = bytes + ((uint64_t)(argc ? argc : 1) + (uint64_t)envc) * 8;
	snprintf(why, sizeof(why), "E2BIG: arguments and environment take %llu "
		 "bytes with their pointers; Linux allows %llu with this stack "
		 "limit; ulimit -s raises it", (unsigned long long)total,
		 (unsigned long long)rrv_arg_limit(rl.rlim_cur));
	return refuse(name, 126, "argument list too long", why);
}

int program_find(const char *name, char *path, size_t size, int *argc, char ***argv)
{
	if (!*name)
		return refuse("''", 127, "empty program name", "name a program");
	if (strchr(name, '/')) {
		if (strlen(name) >= size)
			return refuse(name, 127, "path too long", "use a shorter path");
		strcpy(path, name);
		struct stat st;
		if (stat(path, &st) < 0)
			return refuse(name, errno == ENOENT || errno == ENOTDIR ? 127 : 126,
				      strerror(errno), "check the path");
		if (!S_ISREG(st.st_mode))
			return refuse(name, 126, "not a regular file", "name a program");
		if (access(path, X_OK) < 0)
			return refuse(name, 126, "permission denied",
				      "make it executable with chmod +x");
	} else {
		int err = search_path(name, path, size);
		if (err == -ENOENT)
			return refuse(name, 127, "command not found in $PATH",
				      "give its path, such as ./prog");
		if (err)
			return refuse(name, 126, "permission denied",
				      "make it executable with chmod +x");
	}
	char **given = *argv;
	int status = follow_scripts(name, path, size, argc, argv);
	return status ? status : check_elf(name, path, *argv != given ? path : NULL);
}
