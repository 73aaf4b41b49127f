/*
 * Linux's resource ABI (<asm-generic/resource.h>, <linux/resource.h>):
 * the resource numbers of getrlimit, setrlimit and prlimit64, struct
 * rlimit, getrusage's who and struct rusage.
 */
#ifndef REKERNEL_UAPI_RESOURCE_H
#define REKERNEL_UAPI_RESOURCE_H

#include <stdint.h>

/* Resource numbers (Linux's); the kernel's proc.rlimit is indexed by them. */
#define RLIMIT_CPU 0
#define RLIMIT_FSIZE 1
#define RLIMIT_DATA 2
#define RLIMIT_STACK 3
#define RLIMIT_CORE 4
#define RLIMIT_RSS 5
#define RLIMIT_NPROC 6
#define RLIMIT_NOFILE 7
#define RLIMIT_MEMLOCK 8
#define RLIMIT_AS 9
#define RLIMIT_LOCKS 10
#define RLIMIT_SIGPENDING 11
#define RLIMIT_MSGQUEUE 12
#define RLIMIT_NICE 13
#define RLIMIT_RTPRIO 14
#define RLIMIT_RTTIME 15
#define RLIM_NLIMITS 16
#define RLIM_INFINITY (~0ull)

/* struct rlimit64 of prlimit64 (getrlimit's and setrlimit's on x86-64). */
struct k_rlimit {
	uint64_t cur, max;
};

/* struct rusage; its times are struct timevals, spelled out here so that
 * this header defines no struct timeval of its own. */
struct k_rusage {
	struct {
		int64_t tv_sec, tv_usec;
	} utime, stime;
	int64_t maxrss, ixrss, idrss, isrss, minflt, majflt, nswap, inblock,
		oublock, msgsnd, msgrcv, nsignals, nvcsw, nivcsw;
};

#define RUSAGE_SELF 0
#define RUSAGE_CHILDREN (-1)
#define RUSAGE_THREAD 1

#endif
