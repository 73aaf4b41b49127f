/*
 * identity: who and where the process is. Pids and tids, user and group
 * ids (compared with each other, never printed), uname, sysinfo, resource
 * limits, CPU affinity and getrandom. Prints only properties: the real
 * values differ between machines and between a native run and rrv's VM.
 */
#include "conf.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>

#ifndef GRND_NONBLOCK
#define GRND_NONBLOCK 1
#endif

static int not_all_zero(const unsigned char *p, size_t n)
{
	unsigned char acc = 0;

	for (size_t i = 0; i < n; i++)
		acc |= p[i];
	return acc != 0;
}

static void check_ids(void)
{
	pid_t pid = getpid();
	long tid = syscall(SYS_gettid);

	CHECK(pid > 0, "getpid positive", "got %d", (int)pid);
	CHECK(tid == pid, "gettid equals getpid (single thread)", "differ");
	CHECK(syscall(SYS_getpid) == pid, "raw getpid equals getpid",
	      "differ");
	/*
	 * In a PID namespace (containers, CI runners) the parent, process
	 * group leader or session leader may live outside it, and then the
	 * kernel reports 0 for it: only "not negative" holds everywhere.
	 */
	CHECK(getppid() >= 0, "getppid not negative", "got %d", (int)getppid());
	CHECK(getppid() != pid, "getppid differs from getpid", "same");
	CHECK(getpgrp() >= 0, "getpgrp not negative", "not");
	CHECK(getsid(0) >= 0, "getsid(0) not negative", "not");
	CHECK_ERR(kill(pid, 999), EINVAL, "kill with signal 999: EINVAL");
	CHECK_SYS(kill(pid, 0), "kill(getpid(), 0)");

	uid_t r, e, s;
	gid_t gr, ge, gs;
	CHECK_SYS(getresuid(&r, &e, &s), "getresuid");
	CHECK(r == getuid() && e == geteuid(),
	      "getresuid agrees with getuid and geteuid", "differ");
	CHECK(s == e, "saved uid equals effective uid", "differ");
	CHECK_SYS(getresgid(&gr, &ge, &gs), "getresgid");
	CHECK(gr == getgid() && ge == getegid(),
	      "getresgid agrees with getgid and getegid", "differ");
	CHECK(gs == ge, "saved gid equals effective gid", "differ");
	CHECK(getuid() == geteuid() && getgid() == getegid(),
	      "real ids equal effective ids (no set-id bits)", "differ");
	int ng = getgroups(0, NULL);
	CHECK(ng >= 0, "getgroups(0, NULL) counts the groups", "failed");
	/* Setting the ids we already have is always allowed. */
	CHECK_SYS(setuid(getuid()), "setuid to the current uid");
	CHECK_SYS(setgid(getgid()), "setgid to the current gid");
}

static void check_uname(void)
{
	struct utsname u;

	CHECK_SYS(uname(&u), "uname");
	printf("uname: sysname %s, machine %s\n", u.sysname, u.machine);
	CHECK(strcmp(u.sysname, "Linux") == 0, "sysname is Linux", "got %s",
	      u.sysname);
	CHECK(strcmp(u.machine, "x86_64") == 0, "machine is x86_64", "got %s",
	      u.machine);
	CHECK(u.release[0] >= '2' && u.release[0] <= '9' &&
		      strchr(u.release, '.') != NULL,
	      "release looks like N.N...", "release differs");
	CHECK(u.nodename[0] != 0, "nodename non-empty", "empty");
	CHECK(u.version[0] != 0, "version non-empty", "empty");
}

static void check_sysinfo(void)
{
	struct sysinfo si;

	CHECK_SYS(sysinfo(&si), "sysinfo");
	CHECK(si.totalram > 0 && si.mem_unit > 0,
	      "sysinfo totalram and mem_unit positive", "zero");
	CHECK(si.freeram <= si.totalram, "sysinfo freeram <= totalram",
	      "more free than total");
	CHECK(si.procs >= 1, "sysinfo procs >= 1", "got %d", si.procs);
	CHECK((long)si.uptime >= 0, "sysinfo uptime not negative", "negative");
	CHECK(sysconf(_SC_PHYS_PAGES) > 0, "sysconf(_SC_PHYS_PAGES) positive",
	      "not");
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	CHECK(ncpu >= 1, "sysconf(_SC_NPROCESSORS_ONLN) >= 1", "got %ld", ncpu);
}

static void check_rlimits(void)
{
	static const struct {
		int res;
		const char *name;
	} lims[] = {
		{ RLIMIT_STACK, "RLIMIT_STACK" },
		{ RLIMIT_NOFILE, "RLIMIT_NOFILE" },
		{ RLIMIT_AS, "RLIMIT_AS" },
		{ RLIMIT_CORE, "RLIMIT_CORE" },
	};
	char what[128];

	for (size_t i = 0; i < sizeof lims / sizeof lims[0]; i++) {
		struct rlimit rl, raw;

		snprintf(what, sizeof what, "getrlimit(%s): soft <= hard",
			 lims[i].name);
		CHECK(getrlimit(lims[i].res, &rl) == 0 &&
			      rl.rlim_cur <= rl.rlim_max,
		      what, "failed or soft > hard");
		snprintf(what, sizeof what, "raw prlimit64(0, %s) agrees",
			 lims[i].name);
		CHECK(syscall(SYS_prlimit64, 0, lims[i].res, NULL, &raw) == 0 &&
			      raw.rlim_cur == rl.rlim_cur &&
			      raw.rlim_max == rl.rlim_max,
		      what, "failed or differs");
	}

	struct rlimit rl, old, now;
	getrlimit(RLIMIT_NOFILE, &old);
	CHECK(old.rlim_cur >= 64, "RLIMIT_NOFILE soft limit at least 64",
	      "got %llu", (unsigned long long)old.rlim_cur);
	rl = old;
	rl.rlim_cur = 50;
	CHECK_SYS(setrlimit(RLIMIT_NOFILE, &rl), "lower RLIMIT_NOFILE to 50");
	getrlimit(RLIMIT_NOFILE, &now);
	CHECK(now.rlim_cur == 50 && now.rlim_max == old.rlim_max,
	      "RLIMIT_NOFILE reads back 50", "got %llu",
	      (unsigned long long)now.rlim_cur);
	CHECK_ERR(fcntl(0, F_DUPFD, 60), EINVAL,
		  "F_DUPFD at 60 with RLIMIT_NOFILE 50: EINVAL");
	rl.rlim_cur = old.rlim_max;
	rl.rlim_max = old.rlim_max;
	if (old.rlim_max != RLIM_INFINITY) {
		rl.rlim_cur = old.rlim_max + 1;
		CHECK_ERR(setrlimit(RLIMIT_NOFILE, &rl), EINVAL,
			  "soft limit above the hard limit: EINVAL");
	}
	CHECK_SYS(prlimit(0, RLIMIT_NOFILE, &old, &rl),
		  "prlimit restores RLIMIT_NOFILE, returning the old one");
	CHECK(rl.rlim_cur == 50, "prlimit returned the old soft limit 50",
	      "got %llu", (unsigned long long)rl.rlim_cur);
}

static void check_affinity(void)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CHECK_SYS(sched_getaffinity(0, sizeof set, &set), "sched_getaffinity");
	CHECK(CPU_COUNT(&set) >= 1, "affinity mask has at least one CPU",
	      "empty");
	long raw = syscall(SYS_sched_getaffinity, 0, sizeof set, &set);
	CHECK(raw > 0 && raw % 8 == 0 && raw <= (long)sizeof set,
	      "raw sched_getaffinity returns the mask size in bytes",
	      "got %ld", raw);
	CHECK_SYS(sched_setaffinity(0, sizeof set, &set),
		  "sched_setaffinity to the same mask");
	/* musl's sched_getscheduler() is ENOSYS by design: use the call. */
	long pol = syscall(SYS_sched_getscheduler, 0);
	CHECK(pol == SCHED_OTHER, "scheduler is SCHED_OTHER", "got %ld", pol);
}

static void check_random(void)
{
	unsigned char buf[256];

	CHECK(getrandom(buf, 0, 0) == 0, "getrandom 0 bytes returns 0",
	      "did not");
	memset(buf, 0, sizeof buf);
	ssize_t n = getrandom(buf, 16, 0);
	CHECK(n == 16 && not_all_zero(buf, 16),
	      "getrandom 16 bytes, not all zero", "got %zd", n);
	memset(buf, 0, sizeof buf);
	n = getrandom(buf, 256, 0);
	CHECK(n == 256 && not_all_zero(buf, 256) && not_all_zero(buf + 128, 128),
	      "getrandom 256 bytes, not all zero", "got %zd", n);
	unsigned char a[32], b[32];
	getrandom(a, sizeof a, 0);
	getrandom(b, sizeof b, 0);
	CHECK(memcmp(a, b, sizeof a) != 0, "two getrandom calls differ",
	      "same bytes twice");
	memset(buf, 0, sizeof buf);
	n = getrandom(buf, 32, GRND_NONBLOCK);
	CHECK(n == 32 && not_all_zero(buf, 32), "getrandom GRND_NONBLOCK",
	      "got %zd %s", n, conf_errname(errno));
	n = syscall(SYS_getrandom, buf, 16, 0);
	CHECK(n == 16, "raw getrandom system call", "got %zd", n);
	CHECK_ERR(syscall(SYS_getrandom, buf, 16, 0x100), EINVAL,
		  "getrandom with an unknown flag: EINVAL");
}

int main(void)
{
	printf("identity conformance\n");
	check_ids();
	check_uname();
	check_sysinfo();
	check_rlimits();
	check_affinity();
	check_random();
	return conf_done();
}
