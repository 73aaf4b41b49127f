/* Host-side checks of the program a user asks rrv to run. */
#ifndef RRV_TOOLS_PROGRAM_H
#define RRV_TOOLS_PROGRAM_H

#include <stddef.h>

/*
 * Finds name as a shell would (a name without '/' is searched in $PATH) and
 * checks that it is a static x86-64 Linux ELF executable.  On success
 * returns 0 and the path to run in path (size bytes).  Otherwise prints
 * "rrv: cannot run NAME: WHY (WHAT TO DO)" and returns the exit status a
 * shell would use: 127 when it does not exist, 126 otherwise.
 */
int program_find(const char *name, char *path, size_t size);

#endif
