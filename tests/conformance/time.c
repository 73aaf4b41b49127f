/*
 * time: every clock_gettime clock is readable and sane, monotonic clocks
 * never go back, the raw system calls agree with the libc (vDSO) paths,
 * clock_getres, gettimeofday and time(), nanosleep and clock_nanosleep
 * (relative and TIMER_ABSTIME) sleep at least as long as asked, CPU-time
 * clocks advance while spinning, and rdtsc/rdtscp never go back and
 * advance across a sleep. Prints no times, only properties.
 */
#include "conf.h"

#include <stdint.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>

static const struct {
	clockid_t id;
	const char *name;
	int monotonic;
} clocks[] = {
	{ CLOCK_REALTIME, "CLOCK_REALTIME", 0 },
	{ CLOCK_MONOTONIC, "CLOCK_MONOTONIC", 1 },
	{ CLOCK_MONOTONIC_RAW, "CLOCK_MONOTONIC_RAW", 1 },
	{ CLOCK_BOOTTIME, "CLOCK_BOOTTIME", 1 },
	{ CLOCK_REALTIME_COARSE, "CLOCK_REALTIME_COARSE", 0 },
	{ CLOCK_MONOTONIC_COARSE, "CLOCK_MONOTONIC_COARSE", 1 },
	{ CLOCK_PROCESS_CPUTIME_ID, "CLOCK_PROCESS_CPUTIME_ID", 1 },
	{ CLOCK_THREAD_CPUTIME_ID, "CLOCK_THREAD_CPUTIME_ID", 1 },
};

static int64_t ns(const struct timespec *t)
{
	return (int64_t)t->tv_sec * 1000000000 + t->tv_nsec;
}

static int64_t now(clockid_t id)
{
	struct timespec t;

	clock_gettime(id, &t);
	return ns(&t);
}

static uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

static uint64_t rdtscp(void)
{
	uint32_t lo, hi, aux;

	__asm__ volatile("rdtscp" : "=a"(lo), "=d"(hi), "=c"(aux));
	(void)aux;
	return (uint64_t)hi << 32 | lo;
}

static void check_clocks(void)
{
	char what[128];

	for (size_t i = 0; i < sizeof clocks / sizeof clocks[0]; i++) {
		struct timespec t, res, raw;
		int ok;

		snprintf(what, sizeof what, "clock_gettime(%s)", clocks[i].name);
		ok = clock_gettime(clocks[i].id, &t) == 0;
		CHECK(ok && t.tv_nsec >= 0 && t.tv_nsec < 1000000000 &&
			      t.tv_sec >= 0,
		      what, "failed or tv_nsec out of range: %s",
		      conf_errname(errno));

		snprintf(what, sizeof what,
			 "clock_getres(%s) in (0, 100 ms]", clocks[i].name);
		ok = clock_getres(clocks[i].id, &res) == 0;
		CHECK(ok && ns(&res) > 0 && ns(&res) <= 100000000, what,
		      "failed or res %lld ns", (long long)ns(&res));

		snprintf(what, sizeof what,
			 "raw clock_gettime(%s) agrees within 1 s",
			 clocks[i].name);
		clock_gettime(clocks[i].id, &t);
		ok = syscall(SYS_clock_gettime, clocks[i].id, &raw) == 0;
		CHECK(ok && llabs(ns(&raw) - ns(&t)) < 1000000000, what,
		      "failed or differs by %lld ns",
		      (long long)(ns(&raw) - ns(&t)));

		if (clocks[i].monotonic) {
			int64_t prev = now(clocks[i].id), back = 0;

			for (int k = 0; k < 1000; k++) {
				int64_t v = now(clocks[i].id);
				if (v < prev)
					back++;
				prev = v;
			}
			snprintf(what, sizeof what,
				 "%s never goes back over 1000 reads",
				 clocks[i].name);
			CHECK(back == 0, what, "went back %lld times",
			      (long long)back);
		}
	}

	struct timespec rt;
	clock_gettime(CLOCK_REALTIME, &rt);
	CHECK(rt.tv_sec > 1577836800, "CLOCK_REALTIME is after 2020-01-01",
	      "it is not");
	CHECK(rt.tv_sec < 4102444800LL, "CLOCK_REALTIME is before 2100-01-01",
	      "it is not");
	struct timeval tv;
	CHECK_SYS(gettimeofday(&tv, NULL), "gettimeofday");
	CHECK(tv.tv_usec >= 0 && tv.tv_usec < 1000000,
	      "gettimeofday tv_usec in range", "out of range");
	CHECK(llabs((long long)tv.tv_sec - rt.tv_sec) <= 2,
	      "gettimeofday within 2 s of CLOCK_REALTIME", "differs");
	time_t t0 = time(NULL), t1 = 0;
	CHECK(llabs((long long)t0 - rt.tv_sec) <= 2,
	      "time() within 2 s of CLOCK_REALTIME", "differs");
	CHECK(time(&t1) >= t0 && t1 >= t0, "time(&t) stores the time too",
	      "did not");
	CHECK(llabs((long long)syscall(SYS_time, NULL) - rt.tv_sec) <= 2,
	      "raw time system call within 2 s", "differs");
	struct timeval rtv;
	CHECK(syscall(SYS_gettimeofday, &rtv, NULL) == 0 &&
		      llabs((long long)rtv.tv_sec - rt.tv_sec) <= 2,
	      "raw gettimeofday within 2 s", "differs");
	struct timespec bt, mt;
	clock_gettime(CLOCK_MONOTONIC, &mt);
	clock_gettime(CLOCK_BOOTTIME, &bt);
	CHECK(ns(&bt) >= ns(&mt), "CLOCK_BOOTTIME >= CLOCK_MONOTONIC",
	      "boottime behind");

	struct timespec bad;
	CHECK_ERR(clock_gettime((clockid_t)12345, &bad), EINVAL,
		  "clock_gettime of clock 12345: EINVAL");
	CHECK_ERR(clock_getres((clockid_t)12345, &bad), EINVAL,
		  "clock_getres of clock 12345: EINVAL");
}

static void check_sleeps(void)
{
	struct timespec req = { 0, 20000000 }, rem = { 7, 7 };
	int64_t a, b;

	a = now(CLOCK_MONOTONIC);
	CHECK(nanosleep(&req, &rem) == 0, "nanosleep 20 ms", "failed: %s",
	      conf_errname(errno));
	b = now(CLOCK_MONOTONIC);
	CHECK(b - a >= 20000000, "nanosleep 20 ms took at least 20 ms",
	      "took %lld ns", (long long)(b - a));
	CHECK(b - a < 10000000000LL, "nanosleep 20 ms took under 10 s",
	      "took %lld ns", (long long)(b - a));

	req.tv_nsec = 0;
	CHECK(nanosleep(&req, NULL) == 0, "nanosleep 0", "failed");
	req.tv_nsec = 1000000000;
	CHECK_ERR(nanosleep(&req, NULL), EINVAL,
		  "nanosleep with tv_nsec 1e9: EINVAL");
	req.tv_sec = -1;
	req.tv_nsec = 0;
	CHECK_ERR(nanosleep(&req, NULL), EINVAL,
		  "nanosleep with a negative time: EINVAL");

	/* clock_nanosleep returns the error number, not -1 and errno. */
	req.tv_sec = 0;
	req.tv_nsec = 15000000;
	a = now(CLOCK_MONOTONIC);
	int r = clock_nanosleep(CLOCK_MONOTONIC, 0, &req, NULL);
	b = now(CLOCK_MONOTONIC);
	CHECK(r == 0 && b - a >= 15000000,
	      "clock_nanosleep relative 15 ms took at least 15 ms",
	      "r %d, took %lld ns", r, (long long)(b - a));

	struct timespec target;
	clock_gettime(CLOCK_MONOTONIC, &target);
	target.tv_nsec += 25000000;
	if (target.tv_nsec >= 1000000000) {
		target.tv_nsec -= 1000000000;
		target.tv_sec++;
	}
	r = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &target, NULL);
	b = now(CLOCK_MONOTONIC);
	CHECK(r == 0 && b >= ns(&target),
	      "clock_nanosleep TIMER_ABSTIME (monotonic) wakes after the target",
	      "r %d, early by %lld ns", r, (long long)(ns(&target) - b));

	clock_gettime(CLOCK_REALTIME, &target);
	target.tv_nsec += 10000000;
	if (target.tv_nsec >= 1000000000) {
		target.tv_nsec -= 1000000000;
		target.tv_sec++;
	}
	r = clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &target, NULL);
	b = now(CLOCK_REALTIME);
	CHECK(r == 0 && b >= ns(&target),
	      "clock_nanosleep TIMER_ABSTIME (realtime) wakes after the target",
	      "r %d", r);

	clock_gettime(CLOCK_MONOTONIC, &target);
	target.tv_sec -= 1;
	a = now(CLOCK_MONOTONIC);
	r = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &target, NULL);
	b = now(CLOCK_MONOTONIC);
	CHECK(r == 0 && b - a < 500000000,
	      "clock_nanosleep to a past absolute time returns at once",
	      "r %d, took %lld ns", r, (long long)(b - a));

	req.tv_sec = 0;
	req.tv_nsec = 1000;
	r = clock_nanosleep(CLOCK_THREAD_CPUTIME_ID, 0, &req, NULL);
	CHECK(r == EINVAL, "clock_nanosleep on the thread CPU clock: EINVAL",
	      "got %s", conf_errname(r));
}

static void check_cputime(void)
{
	int64_t p0 = now(CLOCK_PROCESS_CPUTIME_ID);
	int64_t t0 = now(CLOCK_THREAD_CPUTIME_ID);
	int64_t w0 = now(CLOCK_MONOTONIC), w1;
	volatile unsigned long spin = 0;

	do {
		for (int i = 0; i < 10000; i++)
			spin += (unsigned long)i;
		w1 = now(CLOCK_MONOTONIC);
	} while (w1 - w0 < 30000000);
	int64_t p1 = now(CLOCK_PROCESS_CPUTIME_ID);
	int64_t t1 = now(CLOCK_THREAD_CPUTIME_ID);
	CHECK(p1 > p0, "process CPU time advances while spinning 30 ms",
	      "advanced %lld ns", (long long)(p1 - p0));
	CHECK(t1 > t0, "thread CPU time advances while spinning 30 ms",
	      "advanced %lld ns", (long long)(t1 - t0));
	CHECK(p1 - p0 <= (w1 - w0) + 50000000,
	      "process CPU time advanced no more than wall time (+50 ms)",
	      "cpu %lld ns, wall %lld ns", (long long)(p1 - p0),
	      (long long)(w1 - w0));
}

static void check_tsc(void)
{
	uint64_t prev = rdtsc(), v;
	int back = 0;

	for (int i = 0; i < 100000; i++) {
		v = rdtsc();
		back += v < prev;
		prev = v;
	}
	CHECK(back == 0, "rdtsc never goes back over 100000 reads",
	      "went back %d times", back);
	prev = rdtscp();
	back = 0;
	for (int i = 0; i < 100000; i++) {
		v = rdtscp();
		back += v < prev;
		prev = v;
	}
	CHECK(back == 0, "rdtscp never goes back over 100000 reads",
	      "went back %d times", back);
	uint64_t a = rdtsc(), a2 = rdtscp();
	struct timespec req = { 0, 10000000 };
	nanosleep(&req, NULL);
	uint64_t b = rdtsc(), b2 = rdtscp();
	CHECK(b > a, "rdtsc advances across a 10 ms sleep", "did not");
	CHECK(b2 > a2, "rdtscp advances across a 10 ms sleep", "did not");
	CHECK(b2 >= b, "rdtscp after rdtsc is not smaller", "smaller");
}

int main(void)
{
	printf("time conformance\n");
	check_clocks();
	check_sleeps();
	check_cputime();
	check_tsc();
	return conf_done();
}
