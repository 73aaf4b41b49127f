/* procinfo: identity, limits, scheduling and machine queries, as a
 * program sees them; values that differ between machines or runs are
 * compared with each other or with another call, never printed. */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/times.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#ifndef ARCH_GET_FS
#define ARCH_SET_GS 0x1001
#define ARCH_GET_FS 0x1003
#define ARCH_GET_GS 0x1004
#endif

static int failures;

static void check(int ok, const char *what)
{
	printf("%s: %s\n", ok ? "ok" : "FAIL", what);
	if (!ok)
		failures++;
}

int main(void)
{
	pid_t pid = getpid();
	check(pid > 0 && syscall(SYS_gettid) == pid, "gettid equals getpid");
	check(getppid() > 0 && getppid() != pid, "getppid");
	uid_t r, e, s;
	check(getresuid(&r, &e, &s) == 0 && r == getuid() && e == geteuid() && s == e,
	      "getresuid");
	gid_t gr, ge, gsv;
	check(getresgid(&gr, &ge, &gsv) == 0 && gr == getgid() && ge == getegid(), "getresgid");
	check(setuid(getuid()) == 0, "setuid to the same uid");
	check(getpgid(0) >= 0 && getsid(0) >= 0, "getpgid, getsid");
	mode_t old = umask(027);
	check(umask(old) == 027, "umask round trip");

	struct utsname u1, u2;
	check(uname(&u1) == 0 && uname(&u2) == 0 && memcmp(&u1, &u2, sizeof(u1)) == 0 &&
	      strcmp(u1.sysname, "Linux") == 0 && strcmp(u1.machine, "x86_64") == 0,
	      "uname: Linux x86_64, stable");

	struct sysinfo si;
	check(sysinfo(&si) == 0 && si.totalram > 0 && si.freeram <= si.totalram &&
	      si.mem_unit == 1 && si.procs >= 1, "sysinfo");

	unsigned char a[64], b[64];
	memset(a, 0, sizeof(a));
	memset(b, 0, sizeof(b));
	check(getrandom(a, sizeof(a), 0) == sizeof(a) && getrandom(b, sizeof(b), GRND_NONBLOCK) == sizeof(b) &&
	      memcmp(a, b, sizeof(a)) != 0, "getrandom twice, different bytes");
	static unsigned char big[200000];
	check(getrandom(big, sizeof(big), 0) == sizeof(big), "getrandom 200000 bytes");
	errno = 0;
	check(getrandom(a, 1, 0x100) == -1 && errno == EINVAL, "getrandom bad flags: EINVAL");
	errno = 0;
	check(syscall(SYS_getrandom, (void *)16, 8, 0) == -1 && errno == EFAULT,
	      "getrandom to a bad pointer: EFAULT");

	struct rlimit rl;
	check(getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur >= 256, "RLIMIT_NOFILE");
	struct rlimit lower = { 512, rl.rlim_max };
	check(setrlimit(RLIMIT_NOFILE, &lower) == 0 && getrlimit(RLIMIT_NOFILE, &rl) == 0 &&
	      rl.rlim_cur == 512, "setrlimit lowers the soft limit");
	struct rlimit bad = { 10, 5 };
	errno = 0;
	check(setrlimit(RLIMIT_NOFILE, &bad) == -1 && errno == EINVAL, "soft above hard: EINVAL");
	errno = 0;
	check(prlimit(pid, 99, NULL, &rl) == -1 && errno == EINVAL, "prlimit of resource 99: EINVAL");
	check(prlimit(0, RLIMIT_STACK, NULL, &rl) == 0 && rl.rlim_cur == 8UL << 20, "prlimit RLIMIT_STACK");

	cpu_set_t set;
	CPU_ZERO(&set);
	check(sched_getaffinity(0, sizeof(set), &set) == 0 && CPU_COUNT(&set) >= 1,
	      "sched_getaffinity");
	check(sched_yield() == 0, "sched_yield");
	unsigned cpu = 99999, node = 99999;
	check(syscall(SYS_getcpu, &cpu, &node, NULL) == 0 && cpu < 4096 && node < 1024, "getcpu");

	char name[16] = "";
	check(prctl(PR_SET_NAME, "kernel-test-name-longer") == 0 &&
	      prctl(PR_GET_NAME, name) == 0 && strcmp(name, "kernel-test-nam") == 0,
	      "PR_SET_NAME cuts at 15 bytes");
	check(prctl(PR_GET_DUMPABLE) == 1, "PR_GET_DUMPABLE");
	errno = 0;
	check(prctl(0x7fff1234) == -1 && errno == EINVAL, "unknown prctl: EINVAL");

	unsigned long fs = 0, gs = 1;
	check(syscall(SYS_arch_prctl, ARCH_GET_FS, &fs) == 0 && fs != 0, "ARCH_GET_FS");
	check(syscall(SYS_arch_prctl, ARCH_GET_GS, &gs) == 0 && gs == 0, "ARCH_GET_GS is 0");
	check(syscall(SYS_arch_prctl, ARCH_SET_GS, 0x12345000UL) == 0 &&
	      syscall(SYS_arch_prctl, ARCH_GET_GS, &gs) == 0 && gs == 0x12345000UL,
	      "ARCH_SET_GS round trip");
	errno = 0;
	check(syscall(SYS_arch_prctl, 0x9999, 0) == -1 && errno == EINVAL, "unknown arch_prctl: EINVAL");

	struct tms t;
	check(times(&t) != (clock_t)-1, "times");
	struct rusage ru;
	check(getrusage(RUSAGE_SELF, &ru) == 0 && ru.ru_maxrss > 0, "getrusage maxrss");

	/* futex with no other thread: nobody to wake, waits end by timeout. */
	static int word = 5, word2 = 3;
	struct timespec ms5 = { 0, 5 * 1000 * 1000 };
	check(syscall(SYS_futex, &word, 129 /* WAKE_PRIVATE */, 1, NULL, NULL, 0) == 0,
	      "FUTEX_WAKE wakes nobody");
	errno = 0;
	check(syscall(SYS_futex, &word, 128 /* WAIT_PRIVATE */, 6, NULL, NULL, 0) == -1 &&
	      errno == EAGAIN, "FUTEX_WAIT on another value: EAGAIN");
	errno = 0;
	check(syscall(SYS_futex, &word, 128, 5, &ms5, NULL, 0) == -1 && errno == ETIMEDOUT,
	      "FUTEX_WAIT times out");
	/* WAKE_OP: *word2 += 4 (op ADD, oparg 4, cmp EQ 0). */
	check(syscall(SYS_futex, &word, 5 | 128, 1, (void *)1, &word2,
		      (1 << 28) | (0 << 24) | (4 << 12) | 0) == 0 && word2 == 7,
	      "FUTEX_WAKE_OP does its operation");
	errno = 0;
	check(syscall(SYS_futex, (char *)&word + 1, 129, 1, NULL, NULL, 0) == -1 &&
	      errno == EINVAL, "futex at an unaligned address: EINVAL");

	errno = 0;
	check(syscall(999) == -1 && errno == ENOSYS, "system call 999: ENOSYS");
	printf("%d failures\n", failures);
	return failures != 0;
}
