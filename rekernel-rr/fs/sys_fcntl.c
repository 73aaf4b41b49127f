/*
 * The system calls that control an open file or its descriptor rather
 * than move its data: fcntl (descriptor flags, status flags, F_DUPFD,
 * record locks, pipe sizes), ioctl, flock and fadvise64.
 */
#include "fs/file.h"
#include "lib/string.h"
#include "lib/syscall.h"
#include "mm/uaccess.h"
#include "proc/proc.h"
#include "uapi/errno.h"
#include "uapi/fcntl.h"
#include "uapi/ioctls.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* ---- fcntl ---- */

/* The status flags F_SETFL may change; the rest of arg is ignored. */
#define SETFL_FLAGS (O_APPEND | O_NONBLOCK | O_DIRECT | O_NOATIME)

/* F_DUPFD: the lowest free descriptor >= arg. */
static int64_t dupfd(struct file *f, uint64_t arg, bool cloexec)
{
	if (arg >= (uint64_t)fd_limit())
		return -EINVAL;
	int nfd = fd_find_free((int)arg);
	if (nfd < 0)
		return nfd;
	int r = fd_install(nfd, f, cloexec);
	return r < 0 ? r : nfd;
}

/*
 * Record locks.  The program is the only process rrv runs, and its own
 * locks never conflict with each other, so every lock is granted and
 * F_GETLK finds none.  Arguments are checked as Linux checks them.
 */
static int64_t lock(struct file *f, uint64_t arg, bool get, bool ofd)
{
	struct k_flock fl;

	if (copy_from_user(&fl, arg, sizeof(fl)))
		return -EFAULT;
	if (fl.l_type != F_RDLCK && fl.l_type != F_WRLCK && fl.l_type != F_UNLCK)
		return -EINVAL;
	if (fl.l_whence < 0 || fl.l_whence > 2)
		return -EINVAL;
	if (ofd && fl.l_pid != 0)
		return -EINVAL;
	if (get) {
		fl.l_type = F_UNLCK;
		return copy_to_user(arg, &fl, sizeof(fl)) ? -EFAULT : 0;
	}
	/* A read lock needs a readable file, a write lock a writable one. */
	if (fl.l_type != F_UNLCK) {
		int64_t fl_flags = f->ops->getfl(f);
		if (fl_flags < 0)
			return fl_flags;
		uint32_t acc = (uint32_t)fl_flags & O_ACCMODE;
		if ((fl.l_type == F_RDLCK && acc == O_WRONLY) ||
		    (fl.l_type == F_WRLCK && acc == O_RDONLY))
			return -EBADF;
	}
	return 0;
}

/* arg is a number for some commands (the low 32 bits count, as Linux
 * takes them) and a user pointer for the locks. */
SYSCALL_DEFINE3(fcntl, "fdx", int, fd, uint32_t, cmd, uint64_t, arg)
{
	struct file *f = fd_file(fd);
	if (!f)
		return -EBADF;
	switch (cmd) {
	case F_DUPFD:
		return dupfd(f, (uint32_t)arg, false);
	case F_DUPFD_CLOEXEC:
		return dupfd(f, (uint32_t)arg, true);
	case F_GETFD:
		return fd_get_cloexec(fd) ? FD_CLOEXEC : 0;
	case F_SETFD:
		fd_set_cloexec(fd, arg & FD_CLOEXEC);
		return 0;
	case F_GETFL:
		return f->ops->getfl(f);
	case F_SETFL:
		return f->ops->setfl(f, (uint32_t)arg & SETFL_FLAGS);
	case F_GETLK:
		return lock(f, arg, true, false);
	case F_SETLK:
	case F_SETLKW:
		return lock(f, arg, false, false);
	case F_OFD_GETLK:
		return lock(f, arg, true, true);
	case F_OFD_SETLK:
	case F_OFD_SETLKW:
		return lock(f, arg, false, true);
	case F_GETPIPE_SZ:
		return pipe_get_size(f);
	case F_SETPIPE_SZ:
		return pipe_set_size(f, (uint32_t)arg);
	}
	return -EINVAL;
}

/* ---- ioctl ---- */

static int64_t io_fioclex(int fd, struct file *f, uint64_t arg)
{
	(void)f;
	(void)arg;
	fd_set_cloexec(fd, true);
	return 0;
}

static int64_t io_fionclex(int fd, struct file *f, uint64_t arg)
{
	(void)f;
	(void)arg;
	fd_set_cloexec(fd, false);
	return 0;
}

/* FIONBIO: O_NONBLOCK on or off, like F_SETFL. */
static int64_t io_fionbio(int fd, struct file *f, uint64_t arg)
{
	int on;

	(void)fd;
	if (copy_from_user(&on, arg, sizeof(on)))
		return -EFAULT;
	int64_t fl = f->ops->getfl(f);
	if (fl < 0)
		return fl;
	fl = on ? (fl | O_NONBLOCK) : (fl & ~(int64_t)O_NONBLOCK);
	return f->ops->setfl(f, (uint32_t)fl & SETFL_FLAGS);
}

/* Requests every kind of file answers the same way. */
static const struct {
	uint32_t cmd;
	int64_t (*fn)(int fd, struct file *f, uint64_t arg);
} generic_ioctls[] = {
	{ FIOCLEX, io_fioclex },
	{ FIONCLEX, io_fionclex },
	{ FIONBIO, io_fionbio },
};

/* The rest go to the kind (terminal requests and FIONREAD for host
 * files, FIONREAD for pipes; -ENOTTY otherwise). */
SYSCALL_DEFINE3(ioctl, "fxp", int, fd, uint32_t, cmd, uint64_t, arg)
{
	struct file *f = fd_file(fd);
	if (!f)
		return -EBADF;
	for (size_t i = 0; i < ARRAY_SIZE(generic_ioctls); i++)
		if (generic_ioctls[i].cmd == cmd)
			return generic_ioctls[i].fn(fd, f, arg);
	return f->ops->ioctl(f, cmd, arg);
}

/* ---- advice and whole-file locks ---- */

/* Granted, as record locks are (see lock()). */
SYSCALL_DEFINE2(flock, "fd", int, fd, uint32_t, cmd)
{
	uint32_t op = cmd & ~(uint32_t)LOCK_NB;
	if (!fd_file(fd))
		return -EBADF;
	if (op != LOCK_SH && op != LOCK_EX && op != LOCK_UN)
		return -EINVAL;
	return 0;
}

/* Advice only, so checked and done. */
SYSCALL_DEFINE4(fadvise64, "fddd", int, fd, int64_t, offset, int64_t, len,
		uint32_t, advice)
{
	(void)offset;
	struct file *f = fd_file(fd);
	if (!f)
		return -EBADF;
	if (f->ops->kind == FILE_PIPE)
		return -ESPIPE;
	if (len < 0 || advice > 5)
		return -EINVAL;
	return 0;
}
