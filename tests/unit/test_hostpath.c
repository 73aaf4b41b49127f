/*
 * The host paths a guest may reach (vmm/hostpath.c), through the real
 * file hypercalls with a guest memory but no vCPU: the host's /proc, /sys
 * and devices are refused with ENOENT however the path is spelled (a
 * symbolic link, "..", "//", relative to a handle of "/", a magic link),
 * by every call that takes a path, while ordinary files, /dev/null and
 * /dev/tty still work.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <unistd.h>

#include "vmm/hostpath.h"
#include "vmm/vmm.h"

#include "unit_vm.h"

#define MEM (2u << 20)
#define ARGS 0x1000u /* the argument struct */
#define STRS 0x4000u /* paths, one after another */
#define OUT 0x10000u /* buffers the VMM fills */

struct fixture {
	struct vmm vm;
	char dir[64];    /* a fresh directory on the host */
	rrv_gpa_t next;  /* the next free byte for a path */
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	if (!f || unit_vm_init(&f->vm, MEM))
		return -1;
	snprintf(f->dir, sizeof(f->dir), "%s", "/tmp/rrv-hostpath.XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", f->dir);
	unit_vm_free(&f->vm);
	free(f);
	return 0;
}

/* A path in guest memory, without its NUL, as the guest passes one. */
static struct rrv_hc_path gpath(struct fixture *f, const char *s)
{
	size_t n = strlen(s);
	memcpy(unit_guest(&f->vm, f->next, n + 1), s, n + 1);
	struct rrv_hc_path p = { f->next, n };
	f->next += n + 1;
	return p;
}

/* The argument struct of the next call, zeroed. */
static void *args(struct fixture *f, size_t size)
{
	f->next = STRS;
	void *a = unit_guest(&f->vm, ARGS, size);
	memset(a, 0, size);
	return a;
}

static int64_t call(struct fixture *f, unsigned nr)
{
	struct hc_call c = { .vm = &f->vm, .mem = &f->vm.mem, .nr = nr, .args_gpa = ARGS };
	bool in;
	return hc_dispatch(&f->vm.hc, &c, &in);
}

/* A file of the test directory: "DIR/name", in one of 16 buffers used
 * in turn (a test that keeps one longer copies it). */
static const char *in_dir(struct fixture *f, const char *name)
{
	static char buf[16][256];
	static int i;
	char *b = buf[i++ % 16];
	snprintf(b, sizeof(buf[0]), "%s/%s", f->dir, name);
	return b;
}

/* ---- the calls, as the guest kernel makes them ---- */

static int64_t openat_(struct fixture *f, int32_t dir, const char *path, uint32_t flags)
{
	struct rrv_hc_openat *a = args(f, sizeof(*a));
	a->dir = dir;
	a->flags = flags;
	a->mode = 0644;
	a->path = gpath(f, path);
	return call(f, RRV_HC_OPENAT);
}

static int64_t open_(struct fixture *f, const char *path, uint32_t flags)
{
	return openat_(f, RRV_HC_AT_CWD, path, flags);
}

static int64_t stat_(struct fixture *f, const char *path, uint32_t flags)
{
	struct rrv_hc_fstatat *a = args(f, sizeof(*a));
	a->dir = RRV_HC_AT_CWD;
	a->flags = flags;
	a->path = gpath(f, path);
	a->stat = OUT;
	return call(f, RRV_HC_FSTATAT);
}

static int64_t statx_(struct fixture *f, const char *path)
{
	struct rrv_hc_statx *a = args(f, sizeof(*a));
	a->dir = RRV_HC_AT_CWD;
	a->mask = 0xfff;
	a->path = gpath(f, path);
	a->buf = OUT;
	return call(f, RRV_HC_STATX);
}

static int64_t readlink_(struct fixture *f, const char *path)
{
	struct rrv_hc_readlinkat *a = args(f, sizeof(*a));
	a->dir = RRV_HC_AT_CWD;
	a->path = gpath(f, path);
	a->buf = OUT;
	a->len = 256;
	return call(f, RRV_HC_READLINKAT);
}

static int64_t pathop(struct fixture *f, unsigned nr, const char *path, uint32_t flags,
		      uint32_t mode)
{
	struct rrv_hc_pathop *a = args(f, sizeof(*a));
	a->dir = RRV_HC_AT_CWD;
	a->flags = flags;
	a->mode = mode;
	a->path = gpath(f, path);
	return call(f, nr);
}

static int64_t twopath(struct fixture *f, unsigned nr, const char *from, const char *to,
		       uint32_t flags)
{
	struct rrv_hc_renameat *a = args(f, sizeof(*a));
	a->olddir = a->newdir = RRV_HC_AT_CWD;
	a->flags = flags;
	a->oldpath = gpath(f, from);
	a->newpath = gpath(f, to);
	return call(f, nr);
}

static int64_t utimens_(struct fixture *f, const char *path)
{
	struct rrv_hc_utimensat *a = args(f, sizeof(*a));
	a->dir = RRV_HC_AT_CWD;
	a->path = gpath(f, path);
	return call(f, RRV_HC_UTIMENSAT);
}

static int64_t chown_(struct fixture *f, const char *path)
{
	struct rrv_hc_chownat *a = args(f, sizeof(*a));
	a->dir = RRV_HC_AT_CWD;
	a->uid = a->gid = (uint32_t)-1; /* changes nothing */
	a->path = gpath(f, path);
	return call(f, RRV_HC_CHOWNAT);
}

static int64_t chdir_(struct fixture *f, const char *path)
{
	struct rrv_hc_chdir *a = args(f, sizeof(*a));
	a->handle = -1;
	a->path = gpath(f, path);
	return call(f, RRV_HC_CHDIR);
}

static void close_(struct fixture *f, int64_t h)
{
	assert_true(h > 2);
	assert_int_equal(hostfd_close(&f->vm.files, (uint64_t)h), 0);
}

/* Every call that looks a path up refuses this one with ENOENT. */
static void refused_by_every_call(struct fixture *f, const char *path)
{
	const char *moved = in_dir(f, "moved");
	assert_int_equal(open_(f, path, O_RDONLY), -ENOENT);
	assert_int_equal(open_(f, path, O_PATH), -ENOENT);
	assert_int_equal(open_(f, path, O_WRONLY | O_CREAT), -ENOENT);
	assert_int_equal(stat_(f, path, 0), -ENOENT);
	assert_int_equal(stat_(f, path, AT_SYMLINK_NOFOLLOW), -ENOENT);
	assert_int_equal(statx_(f, path), -ENOENT);
	assert_int_equal(pathop(f, RRV_HC_ACCESSAT, path, 0, F_OK), -ENOENT);
	assert_int_equal(pathop(f, RRV_HC_CHMODAT, path, 0, 0644), -ENOENT);
	assert_int_equal(pathop(f, RRV_HC_UNLINKAT, path, 0, 0), -ENOENT);
	assert_int_equal(utimens_(f, path), -ENOENT);
	assert_int_equal(chown_(f, path), -ENOENT);
	assert_int_equal(twopath(f, RRV_HC_RENAMEAT, path, moved, 0), -ENOENT);
	assert_int_equal(twopath(f, RRV_HC_LINKAT, path, moved, AT_SYMLINK_FOLLOW), -ENOENT);
	assert_int_equal(access(moved, F_OK), -1);
}

/* ---- the tests ---- */

static void ordinary_files_work(void **state)
{
	struct fixture *f = *state;
	char file[256];
	snprintf(file, sizeof(file), "%s", in_dir(f, "file"));
	int64_t h = open_(f, file, O_RDWR | O_CREAT);
	assert_true(h > 2);
	close_(f, h);
	assert_int_equal(stat_(f, file, 0), 0);
	assert_int_equal(statx_(f, file), 0);
	assert_int_equal(pathop(f, RRV_HC_ACCESSAT, file, 0, R_OK), 0);
	assert_int_equal(pathop(f, RRV_HC_CHMODAT, file, 0, 0600), 0);
	assert_int_equal(utimens_(f, file), 0);
	assert_int_equal(chown_(f, file), 0);
	assert_int_equal(pathop(f, RRV_HC_MKDIRAT, in_dir(f, "sub"), 0, 0755), 0);
	assert_int_equal(twopath(f, RRV_HC_LINKAT, file, in_dir(f, "sub/hard"), 0), 0);
	assert_int_equal(twopath(f, RRV_HC_SYMLINKAT, "file", in_dir(f, "soft"), 0), 0);
	assert_int_equal(readlink_(f, in_dir(f, "soft")), 4);
	assert_memory_equal(unit_guest(&f->vm, OUT, 4), "file", 4);
	h = open_(f, in_dir(f, "soft"), O_RDONLY); /* through an ordinary link */
	assert_true(h > 2);
	close_(f, h);
	assert_int_equal(twopath(f, RRV_HC_RENAMEAT, file, in_dir(f, "renamed"), 0), 0);
	assert_int_equal(pathop(f, RRV_HC_UNLINKAT, in_dir(f, "renamed"), 0, 0), 0);
	/* A missing file is ENOENT, as ever, and a loop of links ELOOP. */
	assert_int_equal(open_(f, in_dir(f, "missing"), O_RDONLY), -ENOENT);
	assert_int_equal(symlink("loop", in_dir(f, "loop")), 0);
	assert_int_equal(open_(f, in_dir(f, "loop"), O_RDONLY), -ELOOP);
	/* O_NOFOLLOW on a link still fails the host's way. */
	assert_int_equal(open_(f, in_dir(f, "soft"), O_RDONLY | O_NOFOLLOW), -ELOOP);
}

static void the_allowed_devices_work(void **state)
{
	struct fixture *f = *state;
	int64_t h = open_(f, "/dev/null", O_RDWR);
	assert_true(h > 2);
	close_(f, h);
	h = open_(f, "/dev//zero", O_RDONLY);
	assert_true(h > 2);
	close_(f, h);
	assert_int_equal(stat_(f, "/dev/urandom", 0), 0);
	/* /dev/tty is allowed: without a controlling terminal the host
	 * answers ENXIO, never the rule's ENOENT. */
	assert_int_equal(stat_(f, "/dev/tty", 0), 0);
	h = open_(f, "/dev/tty", O_RDWR);
	assert_true(h > 2 || h == -ENXIO);
	if (h > 2)
		close_(f, h);
	/* /dev itself may be looked at, not listed. */
	assert_int_equal(stat_(f, "/dev", 0), 0);
	assert_int_equal(open_(f, "/dev", O_RDONLY | O_DIRECTORY), -ENOENT);
	/* POSIX shared memory lives in /dev/shm. */
	struct stat st;
	if (stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode)) {
		char name[64];
		snprintf(name, sizeof(name), "/dev/shm/rrv-hostpath-%d", (int)getpid());
		h = open_(f, name, O_RDWR | O_CREAT);
		assert_true(h > 2);
		close_(f, h);
		assert_int_equal(pathop(f, RRV_HC_UNLINKAT, name, 0, 0), 0);
	}
}

static void proc_and_sys_are_refused(void **state)
{
	struct fixture *f = *state;
	refused_by_every_call(f, "/proc/self/status");
	refused_by_every_call(f, "/proc/1/status");
	refused_by_every_call(f, "/proc");
	refused_by_every_call(f, "/sys/kernel");
	refused_by_every_call(f, "/sys/devices/system/cpu/online");
	assert_int_equal(readlink_(f, "/proc/self/exe"), -ENOENT);
	assert_int_equal(readlink_(f, "/proc/self"), -ENOENT);
	assert_int_equal(pathop(f, RRV_HC_MKDIRAT, "/proc/rrv-x", 0, 0755), -ENOENT);
	assert_int_equal(pathop(f, RRV_HC_MKDIRAT, "/sys/rrv-x", 0, 0755), -ENOENT);
	assert_int_equal(chdir_(f, "/proc/self"), -ENOENT);
	assert_int_equal(chdir_(f, "/sys"), -ENOENT);
	/* Other spellings of the same place. */
	assert_int_equal(open_(f, "//proc//self/./status", O_RDONLY), -ENOENT);
	assert_int_equal(open_(f, "/tmp/../proc/self/status", O_RDONLY), -ENOENT);
	assert_int_equal(open_(f, "/proc/thread-self/status", O_RDONLY), -ENOENT);
}

static void dots_and_handles_do_not_get_round_it(void **state)
{
	struct fixture *f = *state;
	/* A relative path that climbs out of the test directory. */
	int64_t d = open_(f, f->dir, O_RDONLY | O_DIRECTORY);
	assert_true(d > 2);
	assert_int_equal(openat_(f, (int32_t)d, "../../../../../../../proc/self/status", O_RDONLY),
			 -ENOENT);
	assert_int_equal(openat_(f, (int32_t)d, "../../../../../../../sys/kernel",
				 O_RDONLY | O_DIRECTORY), -ENOENT);
	close_(f, d);
	/* A handle of "/" and "proc/1/status" under it. */
	int64_t root = open_(f, "/", O_RDONLY | O_DIRECTORY);
	assert_true(root > 2);
	assert_int_equal(openat_(f, (int32_t)root, "proc/1/status", O_RDONLY), -ENOENT);
	assert_int_equal(openat_(f, (int32_t)root, "proc/self/mem", O_RDWR), -ENOENT);
	assert_int_equal(openat_(f, (int32_t)root, "sys", O_RDONLY | O_DIRECTORY), -ENOENT);
	int64_t etc = openat_(f, (int32_t)root, "etc", O_RDONLY | O_DIRECTORY);
	assert_true(etc > 2); /* everything else under it still opens */
	close_(f, etc);
	close_(f, root);
	/* And an O_PATH handle of /proc cannot be had in the first place. */
	assert_int_equal(open_(f, "/proc", O_PATH | O_DIRECTORY), -ENOENT);
}

static void links_into_proc_are_refused(void **state)
{
	struct fixture *f = *state;
	const char *x = in_dir(f, "x");
	assert_int_equal(symlink("/proc/self", x), 0);
	/* The link itself is the program's: it can be read and removed. */
	assert_int_equal(readlink_(f, x), 10);
	assert_memory_equal(unit_guest(&f->vm, OUT, 10), "/proc/self", 10);
	assert_int_equal(stat_(f, x, AT_SYMLINK_NOFOLLOW), 0);
	/* What it leads to is not. */
	assert_int_equal(stat_(f, x, 0), -ENOENT);
	assert_int_equal(open_(f, in_dir(f, "x/status"), O_RDONLY), -ENOENT);
	assert_int_equal(open_(f, in_dir(f, "x/mem"), O_RDWR), -ENOENT);
	assert_int_equal(chdir_(f, x), -ENOENT);
	refused_by_every_call(f, in_dir(f, "x/status"));
	/* A link to a link, and one relative to the directory. */
	assert_int_equal(symlink("x", in_dir(f, "y")), 0);
	assert_int_equal(open_(f, in_dir(f, "y/status"), O_RDONLY), -ENOENT);
	assert_int_equal(symlink("../../proc/self/status", in_dir(f, "rel")), 0);
	assert_int_equal(open_(f, in_dir(f, "rel"), O_RDONLY), -ENOENT);
	assert_int_equal(pathop(f, RRV_HC_UNLINKAT, x, 0, 0), 0);
}

/* /proc/PID/fd/N, /dev/stdin and the like jump to an object (here the
 * VMM's own descriptors) instead of naming a path. */
static void magic_links_are_refused(void **state)
{
	struct fixture *f = *state;
	int keep = open(in_dir(f, "."), O_RDONLY | O_DIRECTORY);
	assert_true(keep >= 0);
	char via[64];
	snprintf(via, sizeof(via), "%s/%d", in_dir(f, "fds"), keep);
	assert_int_equal(symlink("/proc/self/fd", in_dir(f, "fds")), 0);
	/* Even though it lands in an ordinary directory. */
	assert_int_equal(open_(f, via, O_RDONLY | O_DIRECTORY), -ENOENT);
	assert_int_equal(stat_(f, via, 0), -ENOENT);
	assert_int_equal(open_(f, "/dev/stdin", O_RDONLY), -ENOENT);
	assert_int_equal(open_(f, "/dev/fd/0", O_RDONLY), -ENOENT);
	assert_int_equal(stat_(f, "/dev/stdout", AT_SYMLINK_NOFOLLOW), -ENOENT);
	assert_int_equal(open_(f, "/proc/self/cwd", O_RDONLY | O_DIRECTORY), -ENOENT);
	assert_int_equal(open_(f, "/proc/self/root/etc/hostname", O_RDONLY), -ENOENT);
	close(keep);
}

/* A device is known by its number, wherever its node is. */
static void other_devices_are_refused(void **state)
{
	struct fixture *f = *state;
	refused_by_every_call(f, "/dev/ptmx");
	refused_by_every_call(f, "/dev/pts");
	const char *sda = in_dir(f, "sda"), *null = in_dir(f, "my-null");
	if (mknod(sda, S_IFBLK | 0600, makedev(8, 0)) < 0 ||
	    mknod(null, S_IFCHR | 0666, makedev(1, 3)) < 0) {
		/* No CAP_MKNOD: use whatever non-allowed node /dev has. */
		static const char *const any[] = { "/dev/loop0", "/dev/sda", "/dev/vda",
						   "/dev/mem", "/dev/kmsg", "/dev/console" };
		bool seen = false;
		for (size_t i = 0; i < sizeof(any) / sizeof(any[0]); i++) {
			if (access(any[i], F_OK) == 0) {
				refused_by_every_call(f, any[i]);
				seen = true;
			}
		}
		assert_true(seen);
		return;
	}
	refused_by_every_call(f, sda); /* not in /dev, and refused */
	int64_t h = open_(f, null, O_RDWR);
	assert_true(h > 2); /* a null device is allowed anywhere */
	close_(f, h);
}

/* The terminal rrv's stdio is on may be looked up (ttyname() does);
 * another terminal may not. */
static void rrvs_own_terminal_is_allowed(void **state)
{
	struct fixture *f = *state;
	int m1 = posix_openpt(O_RDWR | O_NOCTTY), m2 = posix_openpt(O_RDWR | O_NOCTTY);
	assert_true(m1 >= 0 && m2 >= 0);
	assert_int_equal(grantpt(m1) | unlockpt(m1) | grantpt(m2) | unlockpt(m2), 0);
	char own[64], other[64];
	snprintf(own, sizeof(own), "%s", ptsname(m1));
	snprintf(other, sizeof(other), "%s", ptsname(m2));
	int s1 = open(own, O_RDWR | O_NOCTTY);
	assert_true(s1 >= 0);
	/* rrv's stderr on the first terminal, for the length of the test. */
	fflush(stderr);
	int saved = dup(2);
	assert_true(saved >= 0);
	assert_int_equal(dup2(s1, 2), 2);
	int64_t st_own = stat_(f, own, 0), h_own = open_(f, own, O_RDWR | O_NOCTTY);
	int64_t st_other = stat_(f, other, 0), h_other = open_(f, other, O_RDWR | O_NOCTTY);
	int64_t list = open_(f, "/dev/pts", O_RDONLY | O_DIRECTORY);
	assert_int_equal(dup2(saved, 2), 2);
	close(saved);
	assert_int_equal(st_own, 0);
	assert_true(h_own > 2);
	close_(f, h_own);
	assert_int_equal(st_other, -ENOENT);
	assert_int_equal(h_other, -ENOENT);
	assert_int_equal(list, -ENOENT);
	close(s1);
	close(m1);
	close(m2);
}

/* Calls that make a file check where it would go. */
static void new_files_are_refused_there_too(void **state)
{
	struct fixture *f = *state;
	char file[256];
	snprintf(file, sizeof(file), "%s", in_dir(f, "file"));
	int fd = open(file, O_CREAT | O_WRONLY, 0644);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(twopath(f, RRV_HC_RENAMEAT, file, "/proc/rrv-new", 0), -ENOENT);
	assert_int_equal(twopath(f, RRV_HC_RENAMEAT, file, "/dev/rrv-new", 0), -ENOENT);
	assert_int_equal(twopath(f, RRV_HC_LINKAT, file, "/dev/rrv-new", 0), -ENOENT);
	assert_int_equal(twopath(f, RRV_HC_SYMLINKAT, "/etc", "/dev/rrv-new", 0), -ENOENT);
	assert_int_equal(pathop(f, RRV_HC_MKDIRAT, "/dev/rrv-new", 0, 0755), -ENOENT);
	assert_int_equal(open_(f, "/dev/rrv-new", O_WRONLY | O_CREAT), -ENOENT);
	/* A dangling link into /dev would make the file there. */
	assert_int_equal(symlink("/dev/rrv-new", in_dir(f, "dangling")), 0);
	assert_int_equal(open_(f, in_dir(f, "dangling"), O_WRONLY | O_CREAT), -ENOENT);
	assert_int_equal(access("/dev/rrv-new", F_OK), -1);
	assert_int_equal(access(file, F_OK), 0);
	/* A dangling link to an ordinary place still makes its file. */
	assert_int_equal(symlink("made", in_dir(f, "dangling2")), 0);
	int64_t h = open_(f, in_dir(f, "dangling2"), O_WRONLY | O_CREAT);
	assert_true(h > 2);
	close_(f, h);
	assert_int_equal(access(in_dir(f, "made"), F_OK), 0);
}

static void unix_socket_paths_are_checked(void **state)
{
	(void)state;
	struct sockaddr_un un = { .sun_family = AF_UNIX };
	snprintf(un.sun_path, sizeof(un.sun_path), "/proc/self/root/tmp/rrv.sock");
	socklen_t len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(un.sun_path));
	assert_int_equal(hostpath_check_sockaddr(&un, len, 0), -ENOENT);
	assert_int_equal(hostpath_check_sockaddr(&un, len, 1), -ENOENT);
	snprintf(un.sun_path, sizeof(un.sun_path), "/tmp/rrv-hostpath-missing.sock");
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(un.sun_path));
	assert_int_equal(hostpath_check_sockaddr(&un, len, 1), 0); /* bind makes it */
	assert_int_equal(hostpath_check_sockaddr(&un, len, 0), -ENOENT); /* no such socket */
	un.sun_path[0] = '\0'; /* abstract: no path at all */
	assert_int_equal(hostpath_check_sockaddr(&un, len, 0), 0);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(ordinary_files_work),
		T(the_allowed_devices_work),
		T(proc_and_sys_are_refused),
		T(dots_and_handles_do_not_get_round_it),
		T(links_into_proc_are_refused),
		T(magic_links_are_refused),
		T(other_devices_are_refused),
		T(rrvs_own_terminal_is_allowed),
		T(new_files_are_refused_there_too),
		cmocka_unit_test(unix_socket_paths_are_checked),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
