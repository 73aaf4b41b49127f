/*
 * misc_syscalls: the calls a libc makes at start-up or in passing, and
 * what the kernel answers for calls it does not have: set_tid_address,
 * set_robust_list/get_robust_list, rseq (success, EBUSY because glibc
 * registered one already, or ENOSYS are all fine), sched_yield, prctl
 * names, futex without other threads, getrusage and times, and ENOSYS for
 * unknown system call numbers.
 */
#include "conf.h"

#include <sched.h>
#include <stdint.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/times.h>
#include <time.h>

#ifndef SYS_rseq
#define SYS_rseq 334
#endif
#define RSEQ_SIG 0x53053053
#define RSEQ_FLAG_UNREGISTER 1
#define FUTEX_WAIT_PRIVATE 128
#define FUTEX_WAKE_PRIVATE 129

struct conf_rseq {
	uint32_t cpu_id_start;
	uint32_t cpu_id;
	uint64_t rseq_cs;
	uint32_t flags;
	uint32_t pad[3];
} __attribute__((aligned(32)));

/* glibc's, absent (NULL) in musl. */
extern const unsigned int __rseq_size __attribute__((weak));
extern const long __rseq_offset __attribute__((weak));

struct conf_robust_head {
	void *next;
	long futex_offset;
	void *pending;
};

static void check_thread_calls(void)
{
	static int clear_tid;
	long tid = syscall(SYS_gettid);

	long r = syscall(SYS_set_tid_address, &clear_tid);
	CHECK(r == tid, "set_tid_address returns the tid", "got %s",
	      r == -1 ? conf_errname(errno) : "another number");

	void *old_head = NULL;
	size_t old_len = 0;
	CHECK_SYS(syscall(SYS_get_robust_list, 0, &old_head, &old_len),
		  "get_robust_list of this thread");
	static struct conf_robust_head head;
	head.next = &head;
	head.futex_offset = 0;
	head.pending = NULL;
	CHECK_SYS(syscall(SYS_set_robust_list, &head, sizeof head),
		  "set_robust_list with a 24-byte head");
	CHECK_ERR(syscall(SYS_set_robust_list, &head, sizeof head - 1), EINVAL,
		  "set_robust_list with a wrong length: EINVAL");
	void *got = NULL;
	size_t len = 0;
	syscall(SYS_get_robust_list, 0, &got, &len);
	CHECK(got == &head && len == sizeof head,
	      "get_robust_list returns the head just set", "differs");
	if (old_head)
		syscall(SYS_set_robust_list, old_head, old_len);

	/*
	 * glibc (2.35+) registers its own rseq area at start-up and says so
	 * in __rseq_size (0 when the kernel refused); musl registers none.
	 * A second registration of another area is EINVAL, of the same
	 * area EBUSY.
	 */
	static struct conf_rseq rs;
	void *area = &rs;
	int libc_has_one = &__rseq_size != NULL && __rseq_size != 0;
	if (libc_has_one) {
		unsigned long tp;
		__asm__("mov %%fs:0, %0" : "=r"(tp));
		area = (char *)tp + __rseq_offset;
	}
	errno = 0;
	r = syscall(SYS_rseq, area, 32, 0, RSEQ_SIG);
	int e = errno;
	int ok;
	if (libc_has_one) {
		ok = r == -1 && e == EBUSY;
	} else if (r == 0) {
		/* Registered: the kernel fills in the CPU on the way out. */
		ok = rs.cpu_id != (uint32_t)-1 && rs.cpu_id < 65536;
		ok &= syscall(SYS_rseq, &rs, 32, RSEQ_FLAG_UNREGISTER,
			      RSEQ_SIG) == 0;
	} else {
		ok = e == ENOSYS;
	}
	CHECK(ok, "rseq: registers, or EBUSY (libc did), or ENOSYS",
	      "r %ld errno %s, libc registered %d", r, conf_errname(e),
	      libc_has_one);
	CHECK_ERR(syscall(SYS_rseq, &rs, 31, 0, RSEQ_SIG),
		  e == ENOSYS ? ENOSYS : EINVAL,
		  "rseq with a wrong length: EINVAL (or ENOSYS)");
}

static void check_misc(char *argv0)
{
	CHECK_SYS(sched_yield(), "sched_yield");
	CHECK_SYS(syscall(SYS_sched_yield), "raw sched_yield");

	/* The initial name is the file name of the program, 15 chars max. */
	char name[32] = { 0 }, want[16] = { 0 };
	const char *base = strrchr(argv0, '/') ? strrchr(argv0, '/') + 1 : argv0;
	strncpy(want, base, 15);
	CHECK_SYS(prctl(PR_GET_NAME, name), "prctl PR_GET_NAME");
	printf("initial thread name: [%s]\n", name);
	CHECK(strcmp(name, want) == 0,
	      "initial name is the program's basename", "got %s want %s",
	      name, want);
	CHECK_SYS(prctl(PR_SET_NAME, "conf-renamed-thread-x"),
		  "prctl PR_SET_NAME");
	prctl(PR_GET_NAME, name);
	printf("name after PR_SET_NAME: [%s]\n", name);
	CHECK(strcmp(name, "conf-renamed-th") == 0,
	      "PR_SET_NAME truncates to 15 bytes", "got %s", name);
	CHECK_ERR(prctl(0x7fff, 0, 0, 0, 0), EINVAL,
		  "prctl with an unknown option: EINVAL");

	/* futex with nobody else around. */
	static int word = 5;
	CHECK(syscall(SYS_futex, &word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0) ==
		      0,
	      "FUTEX_WAKE with no waiters wakes 0", "did not");
	CHECK_ERR(syscall(SYS_futex, &word, FUTEX_WAIT_PRIVATE, 6, NULL, NULL,
			  0),
		  EAGAIN, "FUTEX_WAIT on a changed value: EAGAIN");
	struct timespec ten_ms = { 0, 10000000 }, a, b;
	clock_gettime(CLOCK_MONOTONIC, &a);
	CHECK_ERR(syscall(SYS_futex, &word, FUTEX_WAIT_PRIVATE, 5, &ten_ms,
			  NULL, 0),
		  ETIMEDOUT, "FUTEX_WAIT for 10 ms: ETIMEDOUT");
	clock_gettime(CLOCK_MONOTONIC, &b);
	long long waited = (b.tv_sec - a.tv_sec) * 1000000000LL +
			   (b.tv_nsec - a.tv_nsec);
	CHECK(waited >= 10000000, "FUTEX_WAIT timeout lasted 10 ms or more",
	      "waited %lld ns", waited);

	struct rusage ru;
	CHECK_SYS(getrusage(RUSAGE_SELF, &ru), "getrusage(RUSAGE_SELF)");
	CHECK(ru.ru_utime.tv_sec >= 0 && ru.ru_stime.tv_sec >= 0 &&
		      ru.ru_utime.tv_usec < 1000000 &&
		      ru.ru_stime.tv_usec < 1000000,
	      "getrusage times are sane", "not");
	struct tms t;
	CHECK(times(&t) != (clock_t)-1, "times", "failed");

	/* Unknown numbers: ENOSYS, and nothing else happens. */
	/* Not 335 or 336: uretprobe and uprobe (Linux 6.11+) raise SIGILL
	 * when called from anywhere but their trampolines. */
	static const long unknown[] = { 423, 1000, 4096, 0x7fffffff, -1 };
	for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++) {
		char what[64];

		snprintf(what, sizeof what, "system call %ld: ENOSYS",
			 unknown[i]);
		CHECK_ERR(syscall(unknown[i], 1, 2, 3, 4, 5, 6), ENOSYS, what);
	}
}

int main(int argc, char **argv)
{
	(void)argc;
	printf("misc_syscalls conformance\n");
	check_thread_calls();
	check_misc(argv[0]);
	return conf_done();
}
