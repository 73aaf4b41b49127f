/* Messages for enum rrv_trace_error. */
#include "rrv_trace.h"

const char *rrv_trace_strerror(int err)
{
	static const char *const msgs[] = {
		[0] = "no error",
		[-RRV_TRACE_E_IO] = "input/output error",
		[-RRV_TRACE_E_NOT_TRACE] = "not an rrv trace",
		[-RRV_TRACE_E_VERSION] = "recorded in a newer trace format",
		[-RRV_TRACE_E_ARCH] = "recorded for another architecture",
		[-RRV_TRACE_E_TRUNCATED] = "the trace ends early",
		[-RRV_TRACE_E_CHECKSUM] = "checksum mismatch: the trace is corrupt",
		[-RRV_TRACE_E_CORRUPT] = "malformed contents: the trace is corrupt",
		[-RRV_TRACE_E_NOMEM] = "out of memory",
		[-RRV_TRACE_E_NOSPACE] = "no space left on the device",
		[-RRV_TRACE_E_TOO_BIG] = "an event or field exceeds the format's limits",
		[-RRV_TRACE_E_STATE] = "trace library called out of order",
		[-RRV_TRACE_E_COMPRESS] = "zstd compression failed",
		[-RRV_TRACE_E_NOT_FILE] = "not a regular file",
		[-RRV_TRACE_E_FOOTER] = "the footer is damaged (the events before it are intact)",
	};
	if (err > 0 || -err >= (int)(sizeof(msgs) / sizeof(msgs[0])))
		return "unknown trace error";
	return msgs[-err];
}
