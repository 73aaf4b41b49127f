/*
 * Catches the common mistakes before a VM is built, so that they get a
 * one-line error: a missing program, a script or a foreign binary.
 * Dynamically linked programs are fine: the guest kernel loads their
 * interpreter (PT_INTERP) as Linux does.  The guest kernel checks the ELF
 * again when it loads it; this is for the message.
 */
#include "program.h"

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

static int check_elf(const char *name, const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return refuse(name, errno == ENOENT ? 127 : 126, strerror(errno),
			      "check the path and its permissions");
	int status = 0;
	Elf *elf = NULL;
	if (elf_version(EV_CURRENT) == EV_NONE || !(elf = elf_begin(fd, ELF_C_READ, NULL)) ||
	    elf_kind(elf) != ELF_K_ELF) {
		status = refuse(name, 126, "not an ELF file",
				"rrv runs x86-64 Linux programs; run a script "
				"through its interpreter's static build");
		goto out;
	}
	GElf_Ehdr eh;
	if (!gelf_getehdr(elf, &eh) || eh.e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh.e_machine != EM_X86_64) {
		status = refuse(name, 126, "not an x86-64 program",
				"rrv runs 64-bit x86 Linux programs");
		goto out;
	}
	if (eh.e_type != ET_EXEC && eh.e_type != ET_DYN) {
		status = refuse(name, 126, "not an executable ELF",
				"an object file or core dump cannot run");
		goto out;
	}
out:
	if (elf)
		elf_end(elf);
	close(fd);
	return status;
}

int program_find(const char *name, char *path, size_t size)
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
	return check_elf(name, path);
}
