/* Parsing of sizes given on the command line. */
#include <errno.h>
#include <stdlib.h>

#include "vmm/vmm.h"
#include "rrv.h"

int rrv_parse_size(const char *s, uint64_t *bytes)
{
	static const struct {
		char suffix;
		unsigned shift;
	} units[] = { { 'K', 10 }, { 'M', 20 }, { 'G', 30 } };

	if (!s || *s < '0' || *s > '9')
		return -1;
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno)
		return -1;
	unsigned shift = 0;
	if (*end) {
		size_t i;
		for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
			if ((*end & ~0x20) == units[i].suffix)
				break;
		if (i == sizeof(units) / sizeof(units[0]))
			return -1;
		shift = units[i].shift;
		end++;
		if ((*end & ~0x20) == 'B' || (*end == 'i' && (end[1] & ~0x20) == 'B'))
			end += *end == 'i' ? 2 : 1;
		if (*end)
			return -1;
	}
	if (shift && v > (~0ull >> shift))
		return -1;
	*bytes = (uint64_t)v << shift;
	return 0;
}

int rrv_parse_memory(const char *s, uint64_t *bytes)
{
	uint64_t v;
	if (rrv_parse_size(s, &v) || v < VMM_MEM_MIN || v > VMM_MEM_MAX ||
	    v % (2u << 20))
		return -1;
	*bytes = v;
	return 0;
}
