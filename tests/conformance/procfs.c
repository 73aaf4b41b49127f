/*
 * /proc and /sys as programs use them, one mode per argument:
 *
 *   exec MODE   re-exec this program through /proc/self/exe, MODE being
 *               path (execve of the path), fexecve (of an open
 *               descriptor) or execveat (AT_EMPTY_PATH); the new image
 *               checks it is this program and exits 42
 *   mem         a parent reads and writes its child's memory through
 *               /proc/CHILD/mem
 *   jit         code written through /proc/self/mem into read-only
 *               executable memory (a fresh mapping, and this program's
 *               own text), then run
 *   system      the system-wide files: each opens and reads, in the
 *               right format (their values differ between machines)
 *   nopid       /proc/PID of pids that are not the program's: ENOENT
 *
 * Under rrv all of it is the guest kernel's /proc, never the host's.
 */
#include "conf.h"

#include <ctype.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#define CHILD_MARK "--procfs-child"

/* The whole of a file, read in pieces of step bytes, NUL-terminated;
 * its length, or -1 with errno. */
static long slurp(const char *path, char *buf, size_t size, size_t step)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	size_t len = 0;
	for (;;) {
		size_t want = size - 1 - len < step ? size - 1 - len : step;
		if (want == 0)
			break;
		ssize_t n = read(fd, buf + len, want);
		if (n < 0) {
			int e = errno;
			close(fd);
			errno = e;
			return -1;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	close(fd);
	return (long)len;
}

/* ---- exec through /proc/self/exe ---- */

/* The new image: argv is { "./procfs", CHILD_MARK, MODE }. */
static int exec_child(int argc, char **argv)
{
	CHECK(argc == 3, "re-exec'd image has its argv", "argc %d", argc);
	const char *mode = argc > 2 ? argv[2] : "?";
	printf("child: re-exec'd by %s, argv[0] %s\n", mode, argv[0]);
	const char *want = getenv("PROCFS_EXE");
	char exe[4096];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n >= 0)
		exe[n] = '\0';
	CHECK(n > 0 && want && strcmp(exe, want) == 0,
	      "child: /proc/self/exe is the parent's program", "%s vs %s",
	      n > 0 ? exe : "(none)", want ? want : "(none)");
	/* Linux names the file as exec was given it. */
	const char *execfn = (const char *)getauxval(AT_EXECFN);
	printf("child: AT_EXECFN %s\n", execfn ? execfn : "(none)");
	fflush(stdout);
	return conf_failures ? 1 : 42;
}

static void exec_self(const char *mode)
{
	char exe[4096];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	CHECK(n > 0 && exe[0] == '/', "readlink /proc/self/exe is an absolute path", "n %zd",
	      n);
	if (n <= 0)
		return;
	exe[n] = '\0';
	static char env[4200];
	snprintf(env, sizeof(env), "PROCFS_EXE=%s", exe);
	char *args[] = { "./procfs", CHILD_MARK, (char *)mode, NULL };
	char *envp[] = { env, "PATH=/usr/bin:/bin", NULL };

	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		if (strcmp(mode, "path") == 0) {
			execve("/proc/self/exe", args, envp);
		} else {
			int fd = open("/proc/self/exe", O_RDONLY);
			if (fd < 0) {
				printf("FAIL: open /proc/self/exe (%s)\n", conf_errname(errno));
				fflush(stdout);
				_exit(2);
			}
			if (strcmp(mode, "fexecve") == 0)
				fexecve(fd, args, envp);
			else
				syscall(SYS_execveat, fd, "", args, envp, AT_EMPTY_PATH);
		}
		printf("FAIL: exec by %s (%s)\n", mode, conf_errname(errno));
		fflush(stdout);
		_exit(3);
	}
	int st = 0;
	CHECK(pid > 0 && waitpid(pid, &st, 0) == pid, "fork and wait", "pid %d", (int)pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 42, "re-exec'd child exited 42",
	      "status 0x%x", st);
}

/* ---- another process's memory ---- */

static volatile uint64_t shared_value = 111;
static char shared_text[32] = "the child's own text";

static void child_mem(void)
{
	int go[2], done[2];
	CHECK_SYS(pipe(go), "pipe");
	CHECK_SYS(pipe(done), "pipe");
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		char c;
		close(go[1]);
		/* The parent changes its own copy: the child's stays 111. */
		if (read(go[0], &c, 1) != 1)
			_exit(2);
		printf("child: value %llu, text \"%s\"\n", (unsigned long long)shared_value,
		       shared_text);
		fflush(stdout);
		_exit(shared_value == 333 ? 0 : 1);
	}
	close(go[0]);
	shared_value = 222; /* the parent's copy, not the child's */
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/mem", (int)pid);
	int fd = open(path, O_RDWR | O_CLOEXEC);
	CHECK(fd >= 0, "open /proc/CHILD/mem read-write", "%s", conf_errname(errno));
	if (fd >= 0) {
		uint64_t v = 0;
		CHECK(pread(fd, &v, sizeof(v), (off_t)(uintptr_t)&shared_value) == sizeof(v) &&
		      v == 111, "pread of the child's value gives its own copy", "%llu",
		      (unsigned long long)v);
		v = 333;
		CHECK(pwrite(fd, &v, sizeof(v), (off_t)(uintptr_t)&shared_value) == sizeof(v),
		      "pwrite of the child's value", "%s", conf_errname(errno));
		const char text[] = "written by the parent";
		CHECK(pwrite(fd, text, sizeof(text), (off_t)(uintptr_t)shared_text) ==
		      (ssize_t)sizeof(text), "pwrite of the child's text", "%s",
		      conf_errname(errno));
		/* An address nothing is mapped at. */
		CHECK_ERR(pread(fd, &v, sizeof(v), 0x1000), EIO, "pread of an unmapped address");
		close(fd);
	}
	CHECK(shared_value == 222, "the parent's own value is untouched", "%llu",
	      (unsigned long long)shared_value);
	/* Reported after the wait: the child prints as soon as it wakes. */
	ssize_t woke = write(go[1], "g", 1);
	int st = 0;
	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0,
	      "child saw the parent's value", "status 0x%x", st);
	CHECK(woke == 1, "woke the child", "%s", conf_errname(errno));
	close(go[1]);
	close(done[0]);
	close(done[1]);
	/* A reaped child's memory is gone with it. */
	CHECK_ERR(open(path, O_RDONLY), ENOENT, "open /proc/REAPED/mem");
}

/* ---- writing code through /proc/self/mem ---- */

__attribute__((noinline, aligned(64))) static int seven(void)
{
	volatile int v = 7;
	return v;
}

static void jit(void)
{
	/* mov eax, 42; ret */
	static const unsigned char ret42[] = { 0xb8, 0x2a, 0x00, 0x00, 0x00, 0xc3 };
	/* mov eax, 8; ret */
	static const unsigned char ret8[] = { 0xb8, 0x08, 0x00, 0x00, 0x00, 0xc3 };
	int fd = open("/proc/self/mem", O_RDWR | O_CLOEXEC);
	CHECK(fd >= 0, "open /proc/self/mem read-write", "%s", conf_errname(errno));
	if (fd < 0)
		return;

	unsigned char *code = mmap(NULL, 4096, PROT_READ | PROT_EXEC,
				   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(code != MAP_FAILED, "mmap PROT_READ|PROT_EXEC", "%s", conf_errname(errno));
	if (code == MAP_FAILED)
		return;
	CHECK(pwrite(fd, ret42, sizeof(ret42), (off_t)(uintptr_t)code) == sizeof(ret42),
	      "pwrite code into a read-only mapping", "%s", conf_errname(errno));
	CHECK(memcmp(code, ret42, sizeof(ret42)) == 0, "the mapping holds the code", "%s", "");
	int (*fn)(void) = (int (*)(void))(uintptr_t)code;
	int r = fn();
	CHECK(r == 42, "the written code runs and returns 42", "%d", r);
	/* Rewritten in place: the CPU runs the new bytes. */
	CHECK(pwrite(fd, ret8, sizeof(ret8), (off_t)(uintptr_t)code) == sizeof(ret8),
	      "pwrite over the code", "%s", conf_errname(errno));
	r = fn();
	CHECK(r == 8, "the rewritten code returns 8", "%d", r);

	/* The program's own text, a private mapping of its file. */
	int (*volatile sev)(void) = seven;
	CHECK(sev() == 7, "seven() returns 7", "%s", "");
	CHECK(pwrite(fd, ret8, sizeof(ret8), (off_t)(uintptr_t)seven) == sizeof(ret8),
	      "pwrite into the program's text", "%s", conf_errname(errno));
	r = sev();
	CHECK(r == 8, "seven() now returns 8", "%d", r);
	unsigned char back[sizeof(ret8)];
	CHECK(pread(fd, back, sizeof(back), (off_t)(uintptr_t)seven) == sizeof(back) &&
	      memcmp(back, ret8, sizeof(back)) == 0, "pread of the text gives the new bytes",
	      "%s", "");
	/* Nothing there. */
	CHECK_ERR(pwrite(fd, ret8, sizeof(ret8), 0x1000), EIO, "pwrite to an unmapped address");
	munmap(code, 4096);
	close(fd);
}

/* ---- the system-wide files ---- */

/* "N kB" after "Name:" in /proc/meminfo text. */
static int meminfo_field(const char *text, const char *name)
{
	size_t n = strlen(name);
	for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		unsigned long long v;
		char unit[8];
		if (strncmp(l, name, n) == 0 && l[n] == ':' &&
		    sscanf(l + n + 1, " %llu %7s", &v, unit) == 2 && strcmp(unit, "kB") == 0)
			return 1;
	}
	return 0;
}

/* A line of "cpu" or "cpuN" with at least 4 numbers. */
static int stat_cpu_line(const char *text, const char *name)
{
	size_t n = strlen(name);
	for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		unsigned long long a, b, c, d;
		if (strncmp(l, name, n) == 0 && l[n] == ' ' &&
		    sscanf(l + n, " %llu %llu %llu %llu", &a, &b, &c, &d) == 4)
			return 1;
	}
	return 0;
}

static int has_line_start(const char *text, const char *start)
{
	size_t n = strlen(start);
	for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
		if (strncmp(l, start, n) == 0)
			return 1;
	return 0;
}

/* xxxxxxxx-xxxx-4xxx-[89ab]xxx-xxxxxxxxxxxx and a newline: a random
 * (version 4) UUID, as Linux makes boot_id and uuid. */
static int is_uuid4(const char *s)
{
	for (int i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return 0;
		} else if (!isxdigit((unsigned char)s[i]) || isupper((unsigned char)s[i])) {
			return 0;
		}
	}
	return s[14] == '4' && strchr("89ab", s[19]) && s[36] == '\n' && s[37] == '\0';
}

/* "0", "0-3", "0,2-5\n": a CPU list that holds CPU 0. */
static int is_cpu_list(const char *s)
{
	int has0 = 0;
	for (;;) {
		char *end;
		long a = strtol(s, &end, 10), b;
		if (end == s || a < 0)
			return 0;
		b = a;
		s = end;
		if (*s == '-') {
			b = strtol(s + 1, &end, 10);
			if (end == s + 1 || b < a)
				return 0;
			s = end;
		}
		has0 |= a == 0;
		if (*s == ',') {
			s++;
			continue;
		}
		return has0 && s[0] == '\n' && s[1] == '\0';
	}
}

static char text[1 << 20], again[1 << 20];

/* Opens and reads path; says so. */
static int read_ok(const char *path)
{
	char what[128];
	snprintf(what, sizeof(what), "%s opens and reads", path);
	long n = slurp(path, text, sizeof(text), sizeof(text));
	CHECK(n > 0, what, "%ld, %s", n, conf_errname(errno));
	return n > 0;
}

/* The same text read a byte at a time as in one go (the file does not
 * change from one read to the next). */
static void bytewise_same(const char *path)
{
	char what[128];
	snprintf(what, sizeof(what), "%s read a byte at a time is the same", path);
	long a = slurp(path, text, sizeof(text), sizeof(text));
	long b = slurp(path, again, sizeof(again), 1);
	CHECK(a > 0 && a == b && memcmp(text, again, (size_t)a) == 0, what, "%ld vs %ld", a, b);
}

static void system_files(void)
{
	if (read_ok("/proc/meminfo")) {
		CHECK(strncmp(text, "MemTotal:", 9) == 0 && meminfo_field(text, "MemTotal"),
		      "meminfo starts with MemTotal: N kB", "%.40s", text);
		CHECK(meminfo_field(text, "MemFree") && meminfo_field(text, "MemAvailable"),
		      "meminfo has MemFree and MemAvailable in kB", "%s", "");
		struct stat st;
		CHECK(stat("/proc/meminfo", &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 0,
		      "/proc/meminfo stats as an empty regular file", "%s", conf_errname(errno));
	}
	if (read_ok("/proc/stat")) {
		CHECK(strncmp(text, "cpu ", 4) == 0 && stat_cpu_line(text, "cpu"),
		      "stat starts with the cpu line", "%.40s", text);
		CHECK(stat_cpu_line(text, "cpu0"), "stat has a cpu0 line", "%s", "");
		CHECK(has_line_start(text, "btime ") && has_line_start(text, "ctxt ") &&
		      has_line_start(text, "processes "), "stat has btime, ctxt, processes",
		      "%s", "");
	}
	if (read_ok("/proc/uptime")) {
		double up, idle;
		char end;
		CHECK(sscanf(text, "%lf %lf%c", &up, &idle, &end) == 3 && end == '\n' && up > 0 &&
		      idle >= 0, "uptime is two numbers", "%s", text);
	}
	if (read_ok("/proc/loadavg")) {
		double a, b, c;
		int run, all, last;
		char end;
		CHECK(sscanf(text, "%lf %lf %lf %d/%d %d%c", &a, &b, &c, &run, &all, &last,
			     &end) == 7 && end == '\n' && run >= 1 && all >= run,
		      "loadavg is three loads, running/total and a pid", "%s", text);
	}
	if (read_ok("/proc/sys/kernel/osrelease")) {
		int maj, min;
		CHECK(sscanf(text, "%d.%d", &maj, &min) == 2 && maj >= 3 &&
		      strchr(text, '\n') == text + strlen(text) - 1,
		      "osrelease is one line N.N...", "%s", text);
		bytewise_same("/proc/sys/kernel/osrelease");
	}
	if (read_ok("/proc/sys/kernel/ostype"))
		printf("ostype: %s", text);
	if (read_ok("/proc/sys/kernel/pid_max")) {
		long v;
		char end;
		CHECK(sscanf(text, "%ld%c", &v, &end) == 2 && end == '\n' && v >= 301,
		      "pid_max is a number above 300", "%s", text);
	}
	if (read_ok("/proc/sys/kernel/random/boot_id")) {
		char first[64];
		snprintf(first, sizeof(first), "%.63s", text);
		CHECK(is_uuid4(first), "boot_id is a random UUID", "%s", first);
		long n = slurp("/proc/sys/kernel/random/boot_id", text, sizeof(text), 4096);
		CHECK(n > 0 && strcmp(first, text) == 0, "boot_id is the same when read again",
		      "%s then %s", first, text);
	}
	if (read_ok("/proc/sys/kernel/random/uuid")) {
		char first[64];
		snprintf(first, sizeof(first), "%.63s", text);
		CHECK(is_uuid4(first), "uuid is a random UUID", "%s", first);
		long n = slurp("/proc/sys/kernel/random/uuid", text, sizeof(text), 4096);
		CHECK(n > 0 && is_uuid4(text) && strcmp(first, text) != 0,
		      "uuid is another one when read again", "%s then %s", first, text);
	}
	if (read_ok("/proc/sys/vm/overcommit_memory"))
		CHECK(strcmp(text, "0\n") == 0 || strcmp(text, "1\n") == 0 ||
		      strcmp(text, "2\n") == 0, "overcommit_memory is 0, 1 or 2", "%s", text);
	if (read_ok("/proc/filesystems")) {
		int good = 1, lines = 0;
		for (char *l = text; *l; lines++) {
			char *nl = strchr(l, '\n');
			if (!nl) {
				good = 0;
				break;
			}
			if (strncmp(l, "nodev", 5) == 0)
				l += 5;
			if (*l != '\t' || l + 1 == nl)
				good = 0;
			l = nl + 1;
		}
		CHECK(good && lines > 0, "filesystems lines are [nodev]\\tNAME", "%s", text);
		CHECK(strstr(text, "nodev\tproc\n") != NULL, "filesystems lists proc as nodev",
		      "%s", "");
		bytewise_same("/proc/filesystems");
	}
	if (read_ok("/proc/mounts")) {
		int good = 1, root = 0, proc = 0;
		for (char *l = text; *l;) {
			char *nl = strchr(l, '\n');
			if (!nl) {
				good = 0;
				break;
			}
			*nl = '\0';
			char dev[256], dir[256], type[64], opts[512];
			int freq, pass;
			if (sscanf(l, "%255s %255s %63s %511s %d %d", dev, dir, type, opts, &freq,
				   &pass) != 6)
				good = 0;
			else {
				root |= strcmp(dir, "/") == 0;
				proc |= strcmp(dir, "/proc") == 0 && strcmp(type, "proc") == 0;
			}
			l = nl + 1;
		}
		CHECK(good, "mounts lines have six fields", "%s", "");
		CHECK(root, "mounts has /", "%s", "");
		CHECK(proc, "mounts has proc on /proc", "%s", "");
	}
	if (read_ok("/sys/devices/system/cpu/online"))
		CHECK(is_cpu_list(text), "cpu/online is a CPU list with CPU 0", "%s", text);
	if (read_ok("/sys/devices/system/cpu/possible")) {
		CHECK(is_cpu_list(text), "cpu/possible is a CPU list with CPU 0", "%s", text);
		bytewise_same("/sys/devices/system/cpu/possible");
	}
	if (read_ok("/proc/cpuinfo")) {
		CHECK(strncmp(text, "processor\t: 0\n", 14) == 0, "cpuinfo starts with processor 0",
		      "%.40s", text);
		CHECK(has_line_start(text, "vendor_id\t: ") && has_line_start(text, "model name\t: ") &&
		      has_line_start(text, "flags\t\t: "), "cpuinfo has vendor_id, model name, flags",
		      "%s", "");
	}
}

/* ---- pids that are not the program's ---- */

static void no_such_pids(void)
{
	char path[64];
	long pid_max = 0;
	if (slurp("/proc/sys/kernel/pid_max", text, sizeof(text), 4096) > 0)
		pid_max = strtol(text, NULL, 10);
	CHECK(pid_max > 0, "pid_max read", "%s", conf_errname(errno));
	/* Pids are below pid_max: none is pid_max or above. */
	snprintf(path, sizeof(path), "/proc/%ld/status", pid_max);
	CHECK_ERR(open(path, O_RDONLY), ENOENT, "open /proc/PID_MAX/status");
	snprintf(path, sizeof(path), "/proc/%ld", pid_max + 12345);
	struct stat st;
	CHECK_ERR(stat(path, &st), ENOENT, "stat /proc/PID_MAX+12345");
	CHECK_ERR(open("/proc/0/status", O_RDONLY), ENOENT, "open /proc/0/status");
	CHECK_ERR(open("/proc/007/status", O_RDONLY), ENOENT, "open /proc/007/status");
	CHECK_ERR(open("/proc/-1/status", O_RDONLY), ENOENT, "open /proc/-1/status");
	CHECK_ERR(open("/proc/notapid/status", O_RDONLY), ENOENT, "open /proc/notapid/status");

	/* A child, reaped: its pid names nothing any more. */
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0)
		_exit(0);
	int status;
	CHECK(pid > 0 && waitpid(pid, &status, 0) == pid, "fork, wait", "%d", (int)pid);
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	CHECK_ERR(open(path, O_RDONLY), ENOENT, "open /proc/REAPED/status");
	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
	CHECK_ERR(open(path, O_RDONLY), ENOENT, "open /proc/REAPED/cmdline");
	/* And our own pid is there. */
	snprintf(path, sizeof(path), "/proc/%d/status", (int)getpid());
	int fd = open(path, O_RDONLY);
	CHECK(fd >= 0, "open /proc/OURS/status", "%s", conf_errname(errno));
	if (fd >= 0)
		close(fd);
}

int main(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], CHILD_MARK) == 0)
		return exec_child(argc, argv);
	conf_default_signals();
	const char *mode = argc > 1 ? argv[1] : "";
	if (strcmp(mode, "exec") == 0 && argc > 2)
		exec_self(argv[2]);
	else if (strcmp(mode, "mem") == 0)
		child_mem();
	else if (strcmp(mode, "jit") == 0)
		jit();
	else if (strcmp(mode, "system") == 0)
		system_files();
	else if (strcmp(mode, "nopid") == 0)
		no_such_pids();
	else
		CHECK(0, "a known mode", "\"%s\"", mode);
	return conf_done();
}
