/* time: every clock reads and moves forward, resolutions are Linux's,
 * sleeps last at least as long as asked, and the clocks agree with each
 * other.  rdtsc and rdtscp (emulated by rrv at 1 GHz from
 * CLOCK_MONOTONIC) count up as time passes. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include <x86intrin.h>

static int failures;

static void check(int ok, const char *what)
{
	printf("%s: %s\n", ok ? "ok" : "FAIL", what);
	if (!ok)
		failures++;
}

static int64_t ns(clockid_t c)
{
	struct timespec ts;
	if (clock_gettime(c, &ts) != 0)
		return -1;
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(void)
{
	static const struct { clockid_t id; const char *name; long res; } clocks[] = {
		{ CLOCK_REALTIME, "CLOCK_REALTIME", 1 },
		{ CLOCK_MONOTONIC, "CLOCK_MONOTONIC", 1 },
		{ CLOCK_PROCESS_CPUTIME_ID, "CLOCK_PROCESS_CPUTIME_ID", 1 },
		{ CLOCK_THREAD_CPUTIME_ID, "CLOCK_THREAD_CPUTIME_ID", 1 },
		{ CLOCK_MONOTONIC_RAW, "CLOCK_MONOTONIC_RAW", 1 },
		{ CLOCK_REALTIME_COARSE, "CLOCK_REALTIME_COARSE", -1 },
		{ CLOCK_MONOTONIC_COARSE, "CLOCK_MONOTONIC_COARSE", -1 },
		{ CLOCK_BOOTTIME, "CLOCK_BOOTTIME", 1 },
		{ CLOCK_TAI, "CLOCK_TAI", 1 },
	};
	char line[128];
	for (size_t i = 0; i < sizeof(clocks) / sizeof(clocks[0]); i++) {
		struct timespec res;
		int64_t a = ns(clocks[i].id), b = ns(clocks[i].id);
		snprintf(line, sizeof(line), "%s reads and does not go back", clocks[i].name);
		check(a > 0 && b >= a, line);
		snprintf(line, sizeof(line), "%s resolution", clocks[i].name);
		/* Coarse clocks tick at the host's HZ: 1 to 10 ms (rrv says 4,
		 * Debian's HZ=250). */
		check(clock_getres(clocks[i].id, &res) == 0 && res.tv_sec == 0 &&
		      (clocks[i].res > 0 ? res.tv_nsec == clocks[i].res
					 : res.tv_nsec >= 1000000 && res.tv_nsec <= 10000000),
		      line);
	}
	struct timespec ts;
	errno = 0;
	check(clock_gettime(12345, &ts) == -1 && errno == EINVAL, "unknown clock: EINVAL");
	clockid_t cpu;
	check(clock_getcpuclockid(0, &cpu) == 0 && clock_gettime(cpu, &ts) == 0,
	      "the process CPU clock by id");

	struct timeval tv;
	check(gettimeofday(&tv, NULL) == 0 && tv.tv_usec >= 0 && tv.tv_usec < 1000000,
	      "gettimeofday");
	time_t t1, t2 = time(&t1);
	check(t1 == t2 && (t1 - tv.tv_sec) <= 1 && (t1 - tv.tv_sec) >= 0, "time agrees with gettimeofday");
	int64_t rt = ns(CLOCK_REALTIME) / 1000000000LL;
	check(rt - t1 >= 0 && rt - t1 <= 1, "CLOCK_REALTIME agrees with time()");

	int64_t m0 = ns(CLOCK_MONOTONIC);
	struct timespec req = { 0, 20 * 1000 * 1000 };
	check(nanosleep(&req, NULL) == 0, "nanosleep 20 ms");
	int64_t m1 = ns(CLOCK_MONOTONIC);
	check(m1 - m0 >= 20 * 1000 * 1000, "nanosleep lasted 20 ms or more");
	struct timespec until = { 0, 0 };
	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_nsec += 10 * 1000 * 1000;
	if (until.tv_nsec >= 1000000000) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000;
	}
	check(clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until, NULL) == 0,
	      "clock_nanosleep TIMER_ABSTIME");
	check(ns(CLOCK_MONOTONIC) >= until.tv_sec * 1000000000LL + until.tv_nsec,
	      "absolute sleep reached its deadline");
	req.tv_nsec = 1000000000;
	check(nanosleep(&req, NULL) == -1 && errno == EINVAL, "nanosleep of 1e9 ns: EINVAL");
	check(clock_nanosleep(CLOCK_THREAD_CPUTIME_ID, 0, &req, NULL) == EINVAL,
	      "clock_nanosleep on a thread CPU clock: EINVAL");

	uint64_t c0 = __rdtsc();
	unsigned aux = 12345;
	uint64_t c1 = __rdtscp(&aux);
	req.tv_nsec = 5 * 1000 * 1000;
	nanosleep(&req, NULL);
	uint64_t c2 = __rdtsc();
	check(c1 >= c0 && c2 > c1, "rdtsc and rdtscp count up");
	check(c2 - c1 >= 1000000, "rdtsc moved across a 5 ms sleep");
	check(aux < 4096, "rdtscp's TSC_AUX is a CPU number");
	printf("%d failures\n", failures);
	return failures != 0;
}
