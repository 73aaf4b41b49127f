/*
 * Processes: fork, vfork, wait4, waitid, execve and execveat, pipes across processes,
 * SIGCHLD and kill.  Prints one line per check, with nothing that differs
 * between runs (no pids, no times), so that a native run and `rrv run`
 * print the same.  `procs child N` is the program run by execve: it exits
 * with status N.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <spawn.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sched.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *self;

static void report(const char *what, int status)
{
	if (WIFEXITED(status))
		printf("%s: exited %d\n", what, WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		printf("%s: killed by signal %d\n", what, WTERMSIG(status));
	else
		printf("%s: status 0x%x\n", what, status);
}

static void exit_codes(void)
{
	static const int codes[] = { 0, 1, 42, 255, 256 + 7 };
	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		pid_t pid = fork();
		if (pid == 0)
			_exit(codes[i]);
		int st;
		pid_t w = waitpid(pid, &st, 0);
		char what[64];
		snprintf(what, sizeof(what), "exit(%d) same pid %d", codes[i], w == pid);
		report(what, st);
	}
}

static void signal_deaths(void)
{
	pid_t pid = fork();
	if (pid == 0) {
		volatile int *p = NULL;
		*p = 1;
		_exit(0);
	}
	int st;
	waitpid(pid, &st, 0);
	report("null write", st);

	pid = fork();
	if (pid == 0) {
		pause();
		_exit(0);
	}
	kill(pid, SIGTERM);
	waitpid(pid, &st, 0);
	report("kill SIGTERM", st);

	pid = fork();
	if (pid == 0)
		abort();
	waitpid(pid, &st, 0);
	printf("abort: signal %d\n", WIFSIGNALED(st) ? WTERMSIG(st) : -1);
}

static void nohang(void)
{
	int fds[2];
	if (pipe(fds))
		return;
	pid_t pid = fork();
	if (pid == 0) {
		char c;
		close(fds[1]);
		/* Waits for the parent's byte (or end of file). */
		ssize_t n = read(fds[0], &c, 1);
		_exit(n == 1 ? c : 99);
	}
	close(fds[0]);
	int st;
	pid_t w = waitpid(pid, &st, WNOHANG);
	printf("WNOHANG before the child ends: %d\n", (int)w);
	if (write(fds[1], "\x05", 1) != 1)
		printf("write failed\n");
	close(fds[1]);
	w = waitpid(-1, &st, 0);
	printf("wait -1 got the child: %d\n", w == pid);
	report("pipe byte", st);
	w = waitpid(-1, &st, WNOHANG);
	printf("no children: %d %s\n", (int)w, w < 0 && errno == ECHILD ? "ECHILD" : "?");
}

/* Two children write into one pipe; the reader sees end of file only when
 * both, and the parent, have closed their write ends. */
static void pipe_eof(void)
{
	int fds[2];
	if (pipe(fds))
		return;
	for (int i = 0; i < 2; i++) {
		if (fork() == 0) {
			close(fds[0]);
			char buf[32];
			int n = snprintf(buf, sizeof(buf), "child %d\n", i);
			for (int k = 0; k < 3; k++)
				if (write(fds[1], buf, (size_t)n) != n)
					_exit(1);
			_exit(0);
		}
	}
	close(fds[1]);
	char buf[256];
	size_t total = 0;
	ssize_t n;
	while ((n = read(fds[0], buf, sizeof(buf))) > 0)
		total += (size_t)n;
	printf("pipe read %zu bytes until EOF\n", total);
	close(fds[0]);
	int st, ok = 0;
	while (wait(&st) > 0)
		ok += WIFEXITED(st) && WEXITSTATUS(st) == 0;
	printf("writers exited 0: %d\n", ok);
}

static void exec_checks(void)
{
	pid_t pid = fork();
	if (pid == 0) {
		char *argv[] = { (char *)"procs", (char *)"child", (char *)"23", NULL };
		execv(self, argv);
		_exit(100);
	}
	int st;
	waitpid(pid, &st, 0);
	report("execve of self", st);

	char *argv[] = { (char *)"x", NULL };
	errno = 0;
	execv("/nonexistent/program", argv);
	printf("execve missing: %s\n", strerror(errno));
	/* A file without execute permission, and one that is executable
	 * but not a program. */
	char name[] = "/tmp/rrv-procs-XXXXXX";
	int fd = mkstemp(name);
	if (fd >= 0) {
		if (write(fd, "data\n", 5) != 5)
			printf("write failed\n");
		close(fd);
		chmod(name, 0644);
		errno = 0;
		execv(name, argv);
		printf("execve not executable: %s\n", strerror(errno));
		chmod(name, 0755);
		errno = 0;
		execv(name, argv);
		printf("execve not a program: %s\n", strerror(errno));
		/* A script: its interpreter runs it, with one argument from
		 * the #! line. */
		fd = open(name, O_WRONLY | O_TRUNC);
		const char script[] = "#!/bin/sh -e\nfalse\nexit 4\n";
		if (fd < 0 || write(fd, script, sizeof(script) - 1) != (ssize_t)sizeof(script) - 1)
			printf("write failed\n");
		close(fd);
		pid = fork();
		if (pid == 0) {
			execv(name, argv);
			_exit(102);
		}
		waitpid(pid, &st, 0);
		report("script with #!/bin/sh -e", st);
		fd = open(name, O_WRONLY | O_TRUNC);
		const char bad[] = "#!/nonexistent/interpreter\n";
		if (fd < 0 || write(fd, bad, sizeof(bad) - 1) != (ssize_t)sizeof(bad) - 1)
			printf("write failed\n");
		close(fd);
		errno = 0;
		execv(name, argv);
		printf("script with a missing interpreter: %s\n", strerror(errno));
		unlink(name);
	}
	errno = 0;
	execv("/", argv);
	printf("execve directory: %s\n", strerror(errno));

	/* vfork then exec, as posix_spawn-style code does. */
	pid = vfork();
	if (pid == 0) {
		char *av[] = { (char *)"procs", (char *)"child", (char *)"5", NULL };
		execv(self, av);
		_exit(101);
	}
	waitpid(pid, &st, 0);
	report("vfork and execve", st);

	/* vfork then _exit without exec. */
	pid = vfork();
	if (pid == 0)
		_exit(9);
	waitpid(pid, &st, 0);
	report("vfork and _exit", st);
}

static volatile sig_atomic_t chld;
static void on_chld(int sig)
{
	(void)sig;
	chld++;
}

static void sigchld(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_chld;
	sigaction(SIGCHLD, &sa, NULL);
	pid_t pid = fork();
	if (pid == 0)
		_exit(3);
	siginfo_t si;
	memset(&si, 0, sizeof(si));
	/* waitid blocks until the child is done; the handler runs too. */
	while (waitid(P_PID, (id_t)pid, &si, WEXITED) < 0 && errno == EINTR)
		;
	printf("waitid: signo %d code %d status %d same pid %d\n", si.si_signo, si.si_code,
	       si.si_status, si.si_pid == pid);
	printf("SIGCHLD handler ran: %d\n", chld > 0);
	signal(SIGCHLD, SIG_DFL);

	/* SIGCHLD ignored: children are reaped by the kernel. */
	signal(SIGCHLD, SIG_IGN);
	pid = fork();
	if (pid == 0)
		_exit(0);
	int st;
	pid_t w = waitpid(pid, &st, 0);
	printf("ignored SIGCHLD leaves no zombie: %s\n",
	       w < 0 && errno == ECHILD ? "ECHILD" : "a zombie");
	signal(SIGCHLD, SIG_DFL);
}

/* Memory after fork is the child's own. */
static void memory(void)
{
	static int value = 1;
	char *heap = malloc(100000);
	memset(heap, 'p', 100000);
	pid_t pid = fork();
	if (pid == 0) {
		value = 2;
		memset(heap, 'c', 100000);
		_exit(value + (heap[99999] == 'c'));
	}
	int st;
	waitpid(pid, &st, 0);
	printf("memory: child saw %d, parent still has %d and '%c'\n", WEXITSTATUS(st), value,
	       heap[99999]);

	/* The other way round: the parent writes after the fork, and the
	 * child, waiting on a pipe meanwhile, still sees the old values. */
	int fds[2];
	if (pipe(fds))
		return;
	pid = fork();
	if (pid == 0) {
		char c;
		close(fds[1]);
		if (read(fds[0], &c, 1) != 1)
			_exit(99);
		_exit(value * 10 + (heap[5] == 'p'));
	}
	close(fds[0]);
	value = 7;
	memset(heap, 'q', 100000);
	if (write(fds[1], "x", 1) != 1)
		printf("write failed\n");
	close(fds[1]);
	waitpid(pid, &st, 0);
	printf("memory: after the parent wrote, child saw %d\n", WEXITSTATUS(st));
	free(heap);
}

/* MAP_SHARED | MAP_ANONYMOUS memory is the same memory in parent and
 * child, pages touched before the fork or not, through mprotect splits,
 * MADV_DONTNEED and mremap; munmap in one process leaves the other's. */
static void shared_memory(void)
{
	const size_t pg = 4096, len = 64 * pg;
	char *m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED) {
		printf("shared memory: mmap failed: %s\n", strerror(errno));
		return;
	}
	m[0] = 'a'; /* touched before the fork; page 10 is not */
	int st, fds[2];
	if (pipe(fds))
		return;
	pid_t pid = fork();
	if (pid == 0) {
		char c;
		m[0] = 'b';
		m[10 * pg] = 'c';
		close(fds[1]);
		/* The parent writes page 20, untouched until then, and says so. */
		if (read(fds[0], &c, 1) != 1)
			_exit(99);
		_exit(m[20 * pg] == 'p' ? 3 : 4);
	}
	close(fds[0]);
	m[20 * pg] = 'p';
	if (write(fds[1], "x", 1) != 1)
		printf("write failed\n");
	close(fds[1]);
	waitpid(pid, &st, 0);
	report("shared memory: the child saw the parent's write", st);
	printf("shared memory: the parent sees '%c' '%c'\n", m[0], m[10 * pg]);

	/* MADV_DONTNEED drops the mapping's pages, not the shared data. */
	madvise(m, len, MADV_DONTNEED);
	printf("shared memory after MADV_DONTNEED: '%c' '%c'\n", m[0], m[20 * pg]);

	/* Split by mprotect: both halves are still the same object. */
	mprotect(m + 8 * pg, 8 * pg, PROT_READ);
	pid = fork();
	if (pid == 0) {
		m[4 * pg] = 'd';
		m[30 * pg] = 'e';
		_exit(m[9 * pg] == 0 ? 0 : 1);
	}
	waitpid(pid, &st, 0);
	report("shared memory split by mprotect", st);
	printf("shared memory: '%c' '%c' around the split\n", m[4 * pg], m[30 * pg]);

	/* The child's munmap is its own. */
	pid = fork();
	if (pid == 0)
		_exit(munmap(m, len) == 0 ? 0 : 1);
	waitpid(pid, &st, 0);
	report("shared memory unmapped by the child", st);
	printf("shared memory: the parent still has '%c'\n", m[0]);

	/* Merged again, moved and grown by mremap, then forked: still one
	 * object. */
	mprotect(m + 8 * pg, 8 * pg, PROT_READ | PROT_WRITE);
	char *n = mremap(m, len, 2 * len, MREMAP_MAYMOVE);
	if (n == MAP_FAILED) {
		printf("shared memory: mremap failed: %s\n", strerror(errno));
		munmap(m, len);
		return;
	}
	pid = fork();
	if (pid == 0) {
		n[1] = 'g';
		_exit(n[0] == 'b' ? 0 : 1);
	}
	waitpid(pid, &st, 0);
	report("shared memory after mremap", st);
	printf("shared memory: '%c' '%c' after mremap\n", n[0], n[1]);
	/* The object keeps the size it was made with: past it, SIGBUS. */
	pid = fork();
	if (pid == 0) {
		n[len + 5] = 'f';
		_exit(0);
	}
	waitpid(pid, &st, 0);
	report("shared memory touched past its object's end", st);

	/* Counting from two processes at once, with atomic adds. */
	long *count = (long *)(n + 40 * pg);
	*count = 0;
	pid = fork();
	for (int i = 0; i < 10000; i++) {
		__atomic_fetch_add(count, 1, __ATOMIC_SEQ_CST);
		if (i % 1000 == 0)
			sched_yield();
	}
	if (pid == 0)
		_exit(0);
	waitpid(pid, &st, 0);
	printf("shared memory: two processes counted to %ld\n", *count);
	munmap(n, 2 * len);

	/* A private mapping stays private. */
	char *p = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	p[0] = 'x';
	pid = fork();
	if (pid == 0) {
		p[0] = 'y';
		_exit(0);
	}
	waitpid(pid, &st, 0);
	printf("private memory: the parent still has '%c'\n", p[0]);
	munmap(p, pg);
}

/* getppid in a child is the parent's pid; a grandchild orphaned by its
 * parent gets a new parent. */
static void identity(void)
{
	pid_t me = getpid();
	int fds[2];
	if (pipe(fds))
		return;
	pid_t pid = fork();
	if (pid == 0) {
		char ok = getppid() == me && getpid() != me;
		if (write(fds[1], &ok, 1) != 1)
			_exit(1);
		_exit(0);
	}
	char ok = 0;
	if (read(fds[0], &ok, 1) != 1)
		ok = -1;
	waitpid(pid, NULL, 0);
	printf("child getppid is parent, getpid differs: %d\n", ok);
	close(fds[0]);
	close(fds[1]);
}

static void *waiter(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return NULL;
}

/* execve from a process with two threads: the other one ends, and the
 * new program runs alone. */
static void exec_with_threads(void)
{
	pid_t pid = fork();
	if (pid == 0) {
		pthread_t t;
		if (pthread_create(&t, NULL, waiter, NULL))
			_exit(98);
		char *av[] = { (char *)"procs", (char *)"child", (char *)"6", NULL };
		execv(self, av);
		_exit(97);
	}
	int st;
	waitpid(pid, &st, 0);
	report("execve with another thread", st);
}

/* A process group of its own, killed as a group; getpgid sees it. */
static void groups(void)
{
	int fds[2];
	if (pipe(fds))
		return;
	pid_t pid = fork();
	if (pid == 0) {
		setpgid(0, 0);
		if (fork() == 0) {
			/* The grandchild is in the new group too. */
			close(fds[0]);
			close(fds[1]);
			pause();
			_exit(0);
		}
		close(fds[0]);
		if (write(fds[1], "r", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	close(fds[1]);
	char c;
	if (read(fds[0], &c, 1) != 1)
		printf("no ready byte\n");
	close(fds[0]);
	printf("child leads its group: %d, not ours: %d\n", getpgid(pid) == pid,
	       getpgid(pid) != getpgrp());
	printf("kill the group: %d\n", kill(-pid, SIGKILL));
	int st;
	waitpid(pid, &st, 0);
	report("group leader", st);
	/* The grandchild went to the first process, which reaps it. */
	while (waitpid(-1, &st, 0) > 0)
		report("orphaned grandchild", st);
	printf("kill of a reaped pid: %s\n", kill(pid, 0) < 0 && errno == ESRCH ? "ESRCH" : "?");
}

/* PR_SET_PDEATHSIG: a grandchild asks for SIGUSR1 when its parent dies;
 * then it is this process's (the subreaper's) to reap. */
static void pdeathsig(void)
{
	int fds[2];
	if (pipe(fds))
		return;
	pid_t pid = fork();
	if (pid == 0) {
		if (fork() == 0) {
			prctl(PR_SET_PDEATHSIG, SIGUSR1);
			close(fds[0]);
			if (write(fds[1], "s", 1) != 1)
				_exit(1);
			for (;;)
				pause();
		}
		char c;
		close(fds[1]);
		_exit(read(fds[0], &c, 1) == 1 ? 0 : 1);
	}
	close(fds[0]);
	close(fds[1]);
	int st;
	waitpid(pid, &st, 0);
	report("parent of the pdeathsig child", st);
	while (waitpid(-1, &st, 0) > 0)
		report("pdeathsig child", st);
}

/* /proc/<pid> of the parent, read by a child: its command line and
 * program file. */
static void proc_of_parent(int argc, char **argv)
{
	char want[512];
	size_t wlen = 0;
	for (int i = 0; i < argc; i++) {
		size_t n = strlen(argv[i]) + 1;
		if (wlen + n > sizeof(want))
			return;
		memcpy(want + wlen, argv[i], n);
		wlen += n;
	}
	pid_t pid = fork();
	if (pid == 0) {
		char path[64], got[512], exe1[256], exe2[256];
		snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)getppid());
		int fd = open(path, O_RDONLY);
		ssize_t n = fd >= 0 ? read(fd, got, sizeof(got)) : -1;
		int same_cmdline = n == (ssize_t)wlen && memcmp(got, want, wlen) == 0;
		snprintf(path, sizeof(path), "/proc/%d/exe", (int)getppid());
		ssize_t a = readlink(path, exe1, sizeof(exe1));
		ssize_t b = readlink("/proc/self/exe", exe2, sizeof(exe2));
		int same_exe = a > 0 && a == b && memcmp(exe1, exe2, (size_t)a) == 0;
		_exit(same_cmdline * 10 + same_exe);
	}
	int st;
	waitpid(pid, &st, 0);
	report("parent's /proc cmdline and exe match (11)", st);
}

/* clone with CLONE_PARENT: the new process is a sibling, so the caller's
 * wait finds nothing and the caller's parent (this process) gets it. */
static void clone_parent(void)
{
	pid_t pid = fork();
	if (pid == 0) {
		long c = syscall(SYS_clone, CLONE_PARENT | SIGCHLD, 0, 0, 0, 0);
		if (c == 0)
			_exit(33);
		int st;
		pid_t w = waitpid(-1, &st, 0);
		_exit(c > 0 && w < 0 && errno == ECHILD ? 0 : 1);
	}
	int st, n = 0;
	while (waitpid(-1, &st, 0) > 0)
		if (WIFEXITED(st))
			n += WEXITSTATUS(st) == 33 ? 10 : WEXITSTATUS(st) == 0 ? 1 : 100;
	printf("CLONE_PARENT: the sibling and its maker both ours: %d\n", n);
}

extern char **environ;

/* The libc's own ways to run a program: posix_spawn (a clone with
 * CLONE_VM and CLONE_VFORK in both libcs), system and popen (through
 * /bin/sh). */
static void libc_spawn(void)
{
	pid_t pid;
	char *av[] = { (char *)"procs", (char *)"child", (char *)"8", NULL };
	int r = posix_spawn(&pid, self, NULL, NULL, av, environ);
	int st = 0;
	if (r == 0)
		waitpid(pid, &st, 0);
	printf("posix_spawn: %d, ", r);
	report("spawned", st);
	char *missing[] = { (char *)"nope", NULL };
	r = posix_spawn(&pid, "/nonexistent/program", NULL, NULL, missing, environ);
	if (r == 0)
		waitpid(pid, &st, 0);
	printf("posix_spawn of a missing file: %s\n", r ? strerror(r) : "started");

	st = system("exit 5");
	report("system(\"exit 5\")", st);
	FILE *f = popen("echo from popen; echo second line", "r");
	char line[64];
	while (f && fgets(line, sizeof(line), f))
		printf("popen read: %s", line);
	if (f)
		report("pclose", pclose(f));
}

/* execveat: the program by descriptor (fexecve), relative to a
 * directory descriptor, and the errors of both. */
static void exec_at(void)
{
	char dir[4096];
	snprintf(dir, sizeof(dir), "%s", self);
	char *slash = strrchr(dir, '/');
	if (!slash) {
		printf("execveat: the program's path has no directory\n");
		return;
	}
	*slash = '\0';
	const char *base = slash + 1;
	char *av[] = { (char *)"procs", (char *)"child", (char *)"31", NULL };
	char *env[] = { NULL };
	int st;
	pid_t pid = fork();
	if (pid == 0) {
		int fd = open(self, O_RDONLY | O_CLOEXEC);
		fexecve(fd, av, env);
		_exit(110);
	}
	waitpid(pid, &st, 0);
	report("fexecve", st);
	pid = fork();
	if (pid == 0) {
		int dfd = open(dir[0] ? dir : "/", O_RDONLY | O_DIRECTORY);
		av[2] = (char *)"32";
		syscall(SYS_execveat, dfd, base, av, env, 0);
		_exit(111);
	}
	waitpid(pid, &st, 0);
	report("execveat relative to a directory", st);
	errno = 0;
	syscall(SYS_execveat, 999, base, av, env, 0);
	printf("execveat bad descriptor: %s\n", strerror(errno));
	int fd = open(self, O_RDONLY);
	errno = 0;
	syscall(SYS_execveat, fd, base, av, env, 0);
	printf("execveat relative to a file: %s\n", strerror(errno));
	errno = 0;
	syscall(SYS_execveat, fd, "", av, env, 0);
	printf("execveat empty path without AT_EMPTY_PATH: %s\n", strerror(errno));
	close(fd);
	errno = 0;
	syscall(SYS_execveat, AT_FDCWD, self, av, env, 0x12345);
	printf("execveat unknown flag: %s\n", strerror(errno));
}

int main(int argc, char **argv)
{
	self = argv[0];
	if (argc == 3 && strcmp(argv[1], "child") == 0)
		return atoi(argv[2]);
	/* Orphans come to this process natively too, as they do to the
	 * first process under rrv. */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	/* Buffered output must not be written twice by children. */
	setvbuf(stdout, NULL, _IONBF, 0);
	if (argc > 1)
		self = argv[1];
	exit_codes();
	signal_deaths();
	nohang();
	pipe_eof();
	exec_checks();
	exec_at();
	sigchld();
	memory();
	shared_memory();
	identity();
	exec_with_threads();
	groups();
	pdeathsig();
	proc_of_parent(argc, argv);
	clone_parent();
	libc_spawn();
	printf("done\n");
	return 0;
}
