/* Opening a trace for the inspection commands (info, dump). */
#ifndef RRV_TOOLS_TRACE_OPEN_H
#define RRV_TOOLS_TRACE_OPEN_H

#include <stddef.h>

struct rrv_trace_reader;

/* Opens arg, or the latest trace when arg is NULL, storing the path used.
 * NULL after printing "rrv: cannot read PATH: WHY (WHAT TO DO)". */
struct rrv_trace_reader *trace_open(const char *arg, char *path, size_t size);

/* A hypercall's name, from the VMM's own table ("hc_N" if unknown). */
const char *trace_hc_name(unsigned nr);

#endif
