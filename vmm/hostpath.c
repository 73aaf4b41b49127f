/*
 * Host paths a guest names (see hostpath.h for the rule).  Every check
 * looks at the object itself, as the kernel resolves it, and not only at
 * the text the guest sent: a prefix test of "/proc/" would miss
 * "//proc", "x/../../proc", "proc/1" relative to a handle of "/", and a
 * symbolic link /tmp/x -> /proc/self.
 */
#include "hostpath.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <unistd.h>

/* Not in every <linux/magic.h>. */
#define CONFIGFS_MAGIC 0x62656570
#define FUSECTL_MAGIC 0x65735543
#define RPC_PIPEFS_MAGIC 0x67596969

/* Kernel file systems: views of the host kernel and its processes,
 * never of files the program could own. */
static const unsigned long kernel_fs[] = {
	PROC_SUPER_MAGIC, SYSFS_MAGIC, DEVPTS_SUPER_MAGIC, CGROUP_SUPER_MAGIC,
	CGROUP2_SUPER_MAGIC, DEBUGFS_MAGIC, TRACEFS_MAGIC, SECURITYFS_MAGIC,
	BPF_FS_MAGIC, PSTOREFS_MAGIC, EFIVARFS_MAGIC, SELINUX_MAGIC,
	SMACK_MAGIC, BINFMTFS_MAGIC, NSFS_MAGIC, USBDEVICE_SUPER_MAGIC,
	CONFIGFS_MAGIC, FUSECTL_MAGIC, RPC_PIPEFS_MAGIC,
};

/* The devices a guest may open on the host (and rrv's own terminal,
 * below).  The guest kernel answers
 * /dev/null, zero, full, random and urandom itself when a program names
 * them so; the host's are reached only through other spellings of the
 * same path ("/dev//null", "null" from /dev), and give nothing away.
 * /dev/tty is the host's: rrv's controlling terminal, as the program's. */
static const struct {
	unsigned major, minor;
} allowed_devices[] = {
	{ 1, 3 }, { 1, 5 }, { 1, 7 }, { 1, 8 }, { 1, 9 }, /* null ... urandom */
	{ 5, 0 },                                        /* tty */
};

static bool is_kernel_fs(unsigned long type)
{
	for (size_t i = 0; i < sizeof(kernel_fs) / sizeof(kernel_fs[0]); i++)
		if ((unsigned long)(unsigned int)type == kernel_fs[i])
			return true;
	return false;
}

static bool is_allowed_device(const struct stat *st)
{
	if (!S_ISCHR(st->st_mode))
		return false;
	for (size_t i = 0; i < sizeof(allowed_devices) / sizeof(allowed_devices[0]); i++)
		if (major(st->st_rdev) == allowed_devices[i].major &&
		    minor(st->st_rdev) == allowed_devices[i].minor)
			return true;
	/* The terminal rrv's stdin, stdout or stderr is on (a /dev/pts/N
	 * say): the guest has it already as handles 0-2, and ttyname() finds
	 * its name by looking it up. */
	for (int fd = 0; fd <= 2; fd++) {
		struct stat own;
		if (fstat(fd, &own) == 0 && S_ISCHR(own.st_mode) && own.st_rdev == st->st_rdev)
			return true;
	}
	return false;
}

/* Whether name is top or lies below it, by whole components. */
static bool under(const char *name, const char *top)
{
	size_t n = strlen(top);
	return strncmp(name, top, n) == 0 && (name[n] == '\0' || name[n] == '/');
}

int hostpath_check_fd(int fd, unsigned how)
{
	struct stat st;
	struct statfs sfs;
	if (fstat(fd, &st) < 0 || fstatfs(fd, &sfs) < 0)
		return -errno;
	if (is_allowed_device(&st))
		return 0;
	if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) || is_kernel_fs((unsigned long)sfs.f_type))
		return -ENOENT;

	/* The canonical name, as the VMM's own /proc tells it: catches the
	 * /dev directory (a tmpfs, like any other), its links and its
	 * other file systems (mqueue, hugetlbfs). */
	char link[40], name[PATH_MAX];
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	ssize_t n = readlink(link, name, sizeof(name) - 1);
	if (n < 0)
		return -ENOENT; /* nothing to tell it by: refuse */
	name[n] = '\0';
	if (under(name, "/proc") || under(name, "/sys"))
		return -ENOENT;
	if (under(name, "/dev")) {
		if (under(name, "/dev/shm"))
			return 0;
		if (strcmp(name, "/dev") == 0 && !(how & HOSTPATH_OPEN))
			return 0;
		return -ENOENT;
	}
	return 0;
}

/* An O_PATH descriptor of the object, resolved by the kernel without
 * magic links, or -errno; -ENOENT when only a magic link leads there. */
static int resolve(int dir, const char *path, bool follow)
{
	struct open_how h = {
		.flags = O_PATH | O_CLOEXEC | (follow ? 0 : O_NOFOLLOW),
		.resolve = RESOLVE_NO_MAGICLINKS,
	};
	long fd = syscall(SYS_openat2, dir, path, &h, sizeof(h));
	if (fd >= 0)
		return (int)fd;
	int e = errno;
	if (e == ELOOP) {
		/* A loop of ordinary links stays ELOOP; a path that gets
		 * further once magic links may be followed went through one
		 * (whether or not what it names exists). */
		h.resolve = 0;
		fd = syscall(SYS_openat2, dir, path, &h, sizeof(h));
		if (fd >= 0)
			close((int)fd);
		if (fd >= 0 || errno != ELOOP)
			return -ENOENT;
	}
	return -e;
}

/* The directory a new object at path would go in, checked as a file
 * that is written (the /dev directory may be looked at, not added to). */
static int check_parent(int dir, const char *path)
{
	char buf[PATH_MAX];
	size_t n = strlen(path);
	if (n >= sizeof(buf))
		return -ENAMETOOLONG;
	memcpy(buf, path, n + 1);
	while (n > 1 && buf[n - 1] == '/')
		buf[--n] = '\0';
	char *slash = strrchr(buf, '/');
	const unsigned how = HOSTPATH_FOLLOW | HOSTPATH_OPEN;
	if (!slash)
		return hostpath_check(dir, ".", how);
	if (slash == buf)
		return hostpath_check(dir, "/", how);
	*slash = '\0';
	return hostpath_check(dir, buf, how);
}

/* A missing object that a call is to make: its directory is checked,
 * or, where path is a dangling link the call would follow, the place
 * the link points to (as many links deep as Linux goes). */
static int check_missing(int dir, const char *path, unsigned how, int depth)
{
	if (depth > 40)
		return -ELOOP;
	int fd = resolve(dir, path, false);
	if (fd == -ENOENT)
		return check_parent(dir, path);
	if (fd < 0)
		return fd;
	if (!(how & HOSTPATH_FOLLOW)) {
		int r = hostpath_check_fd(fd, how);
		close(fd);
		return r;
	}
	/* A dangling link: where would it put the new file? */
	char target[PATH_MAX], next[PATH_MAX];
	ssize_t n = readlinkat(fd, "", target, sizeof(target) - 1);
	close(fd);
	if (n < 0)
		return -errno;
	target[n] = '\0';
	if (target[0] == '/') {
		memcpy(next, target, (size_t)n + 1);
	} else {
		const char *slash = strrchr(path, '/');
		size_t d = slash ? (size_t)(slash - path) + 1 : 0;
		if (d + (size_t)n >= sizeof(next))
			return -ENAMETOOLONG;
		memcpy(next, path, d);
		memcpy(next + d, target, (size_t)n + 1);
	}
	return check_missing(dir, next, how, depth + 1);
}

int hostpath_check(int dir, const char *path, unsigned how)
{
	if (!path[0])
		return 0;
	int fd = resolve(dir, path, how & HOSTPATH_FOLLOW);
	if (fd == -ENOENT && (how & HOSTPATH_CREATE))
		return check_missing(dir, path, how, 0);
	if (fd < 0)
		return fd;
	int r = hostpath_check_fd(fd, how);
	close(fd);
	return r;
}

unsigned hostpath_open_how(int flags)
{
	unsigned how = 0;
	if (!(flags & O_NOFOLLOW))
		how |= HOSTPATH_FOLLOW;
	if (flags & O_CREAT)
		how |= HOSTPATH_CREATE;
	if (!(flags & O_PATH))
		how |= HOSTPATH_OPEN;
	return how;
}

int hostpath_opened(int fd, unsigned how)
{
	int r = hostpath_check_fd(fd, how);
	if (r < 0) {
		close(fd);
		return r;
	}
	return fd;
}

int hostpath_check_sockaddr(const void *addr, size_t len, int create)
{
	const struct sockaddr_un *un = addr;
	size_t off = offsetof(struct sockaddr_un, sun_path);
	if (len <= off || un->sun_family != AF_UNIX || un->sun_path[0] == '\0')
		return 0; /* not a path: another family, unnamed, abstract */
	char path[sizeof(un->sun_path) + 1];
	size_t n = len - off < sizeof(un->sun_path) ? len - off : sizeof(un->sun_path);
	memcpy(path, un->sun_path, n);
	path[n] = '\0';
	return hostpath_check(AT_FDCWD, path,
			      create ? HOSTPATH_CREATE : HOSTPATH_FOLLOW | HOSTPATH_OPEN);
}
