/*
 * Writes the format 2.2 golden trace of tests/traces/ (see README.md):
 * valid-v2.2-packed.rrv, the 2.0 golden trace as rrv pack rewrites it,
 * with one packed file (a fixed 5000-byte "library" under two names).
 * Run once and check the output in; golden files do NOT change when the
 * code does.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#define GOLDEN_PROG "make-golden-v2.2"
#include "golden.h"

int main(void)
{
	static uint8_t lib[5000];
	for (size_t i = 0; i < sizeof(lib); i++)
		lib[i] = (uint8_t)(i * 13 + i / 97);
	lib[0] = 0x7f, lib[1] = 'E', lib[2] = 'L', lib[3] = 'F';
	static const char paths[] = "/lib/libgolden.so.1\0/usr/lib/libgolden.so.1";
	struct rrv_trace_fields *add = rrv_trace_fields_create();
	check(rrv_trace_packed_add(add, paths, sizeof(paths), lib, sizeof(lib)), "pack");
	int fd = open("valid-v2.2-packed.rrv", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		exit(1);
	check(rrv_trace_rewrite("valid-v2.0.rrv", fd, add), "rewrite");
	rrv_trace_fields_free(add);
	return close(fd) ? 1 : 0;
}
