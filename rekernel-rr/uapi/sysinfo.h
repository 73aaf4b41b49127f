/*
 * Linux's struct sysinfo (<linux/sysinfo.h>) and struct tms
 * (<linux/times.h>).
 */
#ifndef REKERNEL_UAPI_SYSINFO_H
#define REKERNEL_UAPI_SYSINFO_H

#include <stdint.h>

/* Linux's struct sysinfo on x86-64: 112 bytes. */
struct k_sysinfo {
	int64_t uptime;
	uint64_t loads[3];
	uint64_t totalram, freeram, sharedram, bufferram;
	uint64_t totalswap, freeswap;
	uint16_t procs, pad;
	uint64_t totalhigh, freehigh;
	uint32_t mem_unit;
	char reserved[4];
};
_Static_assert(sizeof(struct k_sysinfo) == 112, "struct sysinfo layout");

/* struct tms of times(2): clock ticks. */
struct k_tms {
	int64_t utime, stime, cutime, cstime;
};

#endif
