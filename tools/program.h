/* Host-side checks of the program a user asks rrv to run. */
#ifndef RRV_TOOLS_PROGRAM_H
#define RRV_TOOLS_PROGRAM_H

#include <stddef.h>

/*
 * Finds name as a shell would (a name without '/' is searched in $PATH) and
 * checks that it is an x86-64 Linux ELF executable or a #! script.  A
 * script runs through its interpreter, as execve runs it (scripts naming
 * scripts too, 4 deep): path gets the ELF that runs, and *argc and *argv the
 * arguments it gets, the interpreter's (interpreter, its optional
 * argument, the script's path, then the script's argv but argv[0]; a new
 * vector, left allocated).  On success returns 0 and the path to run in
 * path (size bytes).  Otherwise prints "rrv: cannot run NAME: WHY (WHAT TO
 * DO)" and returns the exit status a shell would use: 127 when it (or a
 * script's interpreter) does not exist, 126 otherwise.
 */
int program_find(const char *name, char *path, size_t size, int *argc, char ***argv);

/*
 * Linux's limit on what an exec of path with argv and envp may carry
 * (<rrv/arglimit.h>, from rrv's own stack limit, which the guest program
 * inherits).  0 when it fits; otherwise prints "rrv: cannot run NAME:
 * argument list too long (E2BIG...)" and returns 126, a shell's status.
 */
int program_check_args(const char *name, const char *path, int argc, char **argv,
		       char *const *envp);

#endif
