/*
 * Open files and the program's descriptor table.  An open file (struct
 * file) is shared by dup'd descriptors and has operations by kind: a host
 * file behind a VMM handle, or a pipe end living in the guest.
 * Implemented in file.c (table and common code), hostfile.c, pipe.c,
 * anonfile.c (what epoll, eventfd and timerfd share); the
 * system calls are in sys_*.c (helpers in path.h), epoll.c, eventfd.c
 * and timerfd.c.  docs/files.md tells the whole story.
 *
 * Three levels, as in Linux:
 *   descriptor  a small int in curproc->files, with its own FD_CLOEXEC
 *   open file   struct file: status flags, offset (kept by the host for
 *               host files), shared by dup/dup2/dup3/F_DUPFD
 *   object      a host file (one VMM handle per open file) or a pipe
 *
 * Everything runs on the one vCPU with interrupts off, so nothing here
 * takes a lock; only a pipe operation may sleep (sched_sleep), and it
 * rechecks the pipe after every wakeup.
 */
#ifndef REKERNEL_FILE_H
#define REKERNEL_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <rrv/hypercall.h>

#include "uapi/fcntl.h"
#include "uapi/limits.h"
#include "uapi/poll.h"
#include "uapi/stat.h"

/* Descriptors per process: the table's size and RLIMIT_NOFILE's cap. */
#define NOFILE 1024

/* Linux caps one read or write at INT_MAX rounded down to a page. */
#define MAX_RW_COUNT 0x7ffff000ull

/*
 * A transfer's buffers: one user buffer (read, write), a user iovec array
 * (readv, writev) or kernel segments (sendfile's bounce pages, each one
 * physically contiguous).  A cursor: the kinds consume it as they move
 * bytes, so a short transfer leaves it at the first byte not moved.
 */
struct uio_seg {
	uint64_t base, len;
};
struct uio {
	uint64_t uiov;              /* user struct iovec array, or 0 */
	const struct uio_seg *segs; /* otherwise: these segments */
	uint32_t nseg, idx;         /* segment count; the current one */
	bool kernel;                /* bases are kernel addresses */
	bool loaded;                /* base/left hold segment idx */
	uint64_t base, left;        /* what is left of segment idx */
	uint64_t resid;             /* bytes left in all */
	struct uio_seg one;         /* the single buffer of read/write */
};

/* One user buffer, its length capped at MAX_RW_COUNT as Linux does. */
void uio_init_buf(struct uio *u, uint64_t ubuf, uint64_t len);

/* A user iovec array of cnt entries: -EINVAL for cnt outside 0..1024 or
 * a negative length, -EFAULT for an unreadable array. */
int uio_init_iovec(struct uio *u, uint64_t uiov, int64_t cnt);

/* Kernel segments (not copied: segs must outlive u). */
void uio_init_kernel(struct uio *u, const struct uio_seg *segs, uint32_t nseg);

/* The current non-empty piece, at most resid bytes: 0 with *base and *len, 1
 * when u is used up, or -EFAULT when the iovec array became unreadable. */
int uio_cur(struct uio *u, uint64_t *base, uint64_t *len);

/* Consumes n bytes, across pieces if need be (at most resid). */
void uio_advance(struct uio *u, uint64_t n);

/* Copies between the current piece (address base, n bytes, from
 * uio_cur) and kernel memory: memcpy for kernel segments, the checked
 * user copies otherwise.  0 or -EFAULT; neither consumes the bytes. */
int uio_copy_out(const struct uio *u, uint64_t base, const void *src, size_t n);
int uio_copy_in(const struct uio *u, void *dst, uint64_t base, size_t n);

/*
 * Describes the next bytes of u as at most RRV_HC_IOV_MAX guest-physical
 * pieces for a host transfer (a host file's READ or WRITE, a socket's
 * SENDMSG or RECVMSG), without consuming them: the bytes described (0
 * when u is used up), or -EFAULT when not even the first byte is
 * addressable.  to_user: the host will write the pieces (a read).
 */
int64_t uio_gather(const struct uio *u0, bool to_user, struct rrv_hc_iovec *iov,
		   uint32_t *cnt);

struct file;

/* FILE_SOCKET: a host socket (socket.c); FILE_UNIX: a socketpair end in
 * the guest; FILE_EPOLL, FILE_EVENTFD, FILE_TIMERFD: guest objects
 * (epoll.c, eventfd.c, timerfd.c). */
enum file_kind { FILE_HOST, FILE_PIPE, FILE_SOCKET, FILE_UNIX, FILE_EPOLL,
		 FILE_EVENTFD, FILE_TIMERFD, FILE_SPECIAL /* pseudo.c */ };

/*
 * What a wait for readiness (poll, select, epoll_wait, a blocking socket
 * call) waits on besides the guest's own changes: host handles, through
 * one POLL hypercall, and the earliest guest deadline (a timerfd's).
 * Filled by the kinds' wait_on during a scan that found nothing ready.
 */
struct pollset {
	uint32_t n;                       /* host handles gathered */
	bool overflow;                    /* more than RRV_HC_POLL_MAX */
	int64_t wake_ns;                  /* a guest deadline, from now; -1 */
	struct rrv_hc_pollfd fds[RRV_HC_POLL_MAX];
};

/* pollwait.c.  An empty set. */
void pollset_init(struct pollset *ps);
/* Adds host handle h, waited for events (POLL*). */
void pollset_add_handle(struct pollset *ps, int32_t handle, int events);
/* Something will be ready in ns nanoseconds from now. */
void pollset_add_deadline(struct pollset *ps, int64_t ns);
/* Asks f's kind what a wait for events on f must wait on. */
void pollset_add_file(struct pollset *ps, struct file *f, int events);

/*
 * Waits after a scan found nothing ready: 1 when the timeout (*timeout_ns
 * nanoseconds; < 0 for none) has run out, 0 when something may have
 * changed (rescan; *timeout_ns is what is left), -ERESTARTNOHAND for a
 * pending signal.  Other threads run meanwhile: with host handles the
 * guest blocks in a POLL hypercall only when no thread can run.  The
 * handles' revents are filled in when a POLL answered.
 */
int pollset_wait(struct pollset *ps, int64_t *timeout_ns);

/*
 * Waits until host handle h has one of events (or an error or hang-up),
 * letting the other threads run: 0, or -ERESTARTSYS for a signal.  For a
 * blocking read from a host pipe or terminal, which would otherwise stop
 * the whole guest in the host.
 */
int pollset_wait_handle(int32_t handle, int events);

/*
 * What a kind of file does.  Every entry is set; results are >= 0 or
 * -errno.  pos is the offset for the positioned calls (pread, pwrite,
 * preadv...) or -1 for the file position.
 */
struct file_ops {
	enum file_kind kind;
	int64_t (*read)(struct file *f, struct uio *u, int64_t pos);
	int64_t (*write)(struct file *f, struct uio *u, int64_t pos);
	int64_t (*lseek)(struct file *f, int64_t off, uint32_t whence);
	/* Linux's struct stat of the file itself (fstat). */
	int (*stat)(struct file *f, struct rrv_stat *st);
	/* ioctl cmd with the user's arg (generic ones are done already). */
	int64_t (*ioctl)(struct file *f, uint32_t cmd, uint64_t arg);
	/* F_GETFL and F_SETFL (flags already limited to the settable ones). */
	int64_t (*getfl)(struct file *f);
	int64_t (*setfl)(struct file *f, uint32_t flags);
	/* POLL* bits for the events that would not block now. */
	int (*poll)(struct file *f);
	/* The last reference is gone. */
	void (*release)(struct file *f);
	/* May be NULL: for kinds whose readiness changes only by guest
	 * action (pipes) or never (host files).  Otherwise adds to ps what
	 * a wait for events must wait on (a host handle, a deadline). */
	void (*wait_on)(struct file *f, int events, struct pollset *ps);
};

struct pipe;

struct file {
	const struct file_ops *ops;
	int refs;
	uint32_t flags;    /* pipes: the status flags F_GETFL reports */
	int32_t handle;    /* FILE_HOST: the VMM handle */
	uint8_t host_type; /* FILE_HOST: S_IF* >> 12 once known, else 0 */
	struct pipe *pipe; /* FILE_PIPE */
	void *priv;        /* FILE_UNIX, FILE_EPOLL, FILE_EVENTFD, FILE_TIMERFD,
			      FILE_SOCKET, FILE_SPECIAL: the kind's own state */
	char *path;        /* FILE_HOST directories: the absolute path they
			      were opened at, when known (kmalloc'd, freed
			      with the file), for lookups relative to them
			      that may reach /proc (fs/pseudo.c) */
};

/* A new open file of kind ops with one reference, or NULL (no memory). */
struct file *file_alloc(const struct file_ops *ops, uint32_t flags);
void file_get(struct file *f);
/* Drops a reference; the last one releases the object. */
void file_put(struct file *f);

/* Readiness of f, as poll(2) would report it (POLL* bits). */
int file_poll(struct file *f);

/* Every change that may make a file ready (pipe reads, writes, closes)
 * calls sched_wakeup on this channel, so a poll can sleep on it. */
extern char file_poll_chan;

/*
 * Reads into kernel memory from f at pos (-1: at the file position) up to
 * len bytes; buf must be physically contiguous (kernel image, or within
 * one page_alloc/kmalloc allocation).  For mmap of a file and the like.
 */
int64_t file_kread(struct file *f, void *buf, size_t len, int64_t pos);

/* Host files (hostfile.c).  The new file has one reference and owns
 * handle: releasing it closes the handle (except 0-2, rrv's stdio). */
struct file *hostfile_new(int32_t handle, uint32_t flags);
/* fstat of what f->handle names on the host (FSTATAT with an empty
 * path): the stat operation of host files and of host sockets. */
int hostfile_stat(struct file *f, struct rrv_stat *st);

/*
 * Files on an anonymous inode (anonfile.c): epoll, eventfd and timerfd,
 * guest objects kept in f->priv.  The operations they answer alike: read
 * or write refused (-EINVAL), lseek (-ESPIPE), a stat of mode 0600,
 * ioctl (-ENOTTY), F_GETFL, and F_SETFL of O_NONBLOCK alone; release
 * that frees priv with kfree.
 */
int64_t anon_rw_inval(struct file *f, struct uio *u, int64_t pos);
int64_t anon_lseek(struct file *f, int64_t off, uint32_t whence);
int anon_stat(struct file *f, struct rrv_stat *st);
int64_t anon_ioctl(struct file *f, uint32_t cmd, uint64_t arg);
int64_t anon_getfl(struct file *f);
int64_t anon_setfl(struct file *f, uint32_t flags);
void anon_release_priv(struct file *f);
/* The entries of a struct file_ops that every such kind shares. */
#define ANON_FILE_OPS                                                      \
	.lseek = anon_lseek, .stat = anon_stat, .ioctl = anon_ioctl,       \
	.getfl = anon_getfl, .setfl = anon_setfl
/* Waits for a change only another guest thread can make: 0 to look again,
 * -EAGAIN when f is O_NONBLOCK, -ERESTARTSYS for a signal. */
int anon_wait_guest(struct file *f);
/* The 8 bytes an eventfd or timerfd read moves, as one piece of u: 0 with
 * *base, -EINVAL when u holds fewer or splits them, or -EFAULT. */
int anon_u64_piece(struct uio *u, uint64_t *base);
/* A new file of kind ops with status flags, owning priv (kmalloc'd, or
 * NULL when that failed), behind the lowest free descriptor: the
 * descriptor, or -EMFILE or -ENOMEM (priv freed). */
int64_t anon_fd_new(const struct file_ops *ops, void *priv, uint32_t flags, bool cloexec);

/* Guest pipes (pipe.c): both ends, each with one reference, status flags
 * O_RDONLY / O_WRONLY plus flags & (O_NONBLOCK | O_DIRECT).  0 or
 * -ENOMEM. */
int pipe_create(uint32_t flags, struct file **rd, struct file **wr);
/* F_GETPIPE_SZ / F_SETPIPE_SZ: the capacity in bytes, or -errno. */
int64_t pipe_get_size(struct file *f);
int64_t pipe_set_size(struct file *f, uint64_t bytes);

/*
 * The descriptor table, of the current process unless said otherwise.
 * Descriptors are allocated lowest-free-first below the RLIMIT_NOFILE soft
 * limit (at most NOFILE), as Linux does.
 */
struct files;

/* The directory relative paths start from: the handle of curproc's
 * working directory, or RRV_HC_AT_CWD for rrv's own. */
int32_t cwd_dir(void);

/* The descriptor table a program starts with: 0, 1 and 2 open on host
 * handles 0, 1 and 2 (rrv's own stdin, stdout and stderr). */
struct files *files_init_stdio(void);

/* execve: closes every descriptor with FD_CLOEXEC. */
void files_close_on_exec(struct files *fs);

/* Closes every descriptor (the process is going away). */
void files_close_all(struct files *fs);
/* fork: a new table with the same descriptors on the same open files
 * (each gains a reference, so a pipe sees end of file only when every
 * process has closed its write end) and the same close-on-exec bits.
 * NULL when memory is out. */
struct files *files_dup(struct files *fs);
/* Closes every descriptor and frees the table. */
void files_free(struct files *fs);

/* The open file behind fd (borrowed: valid until fd is closed), or NULL. */
struct file *fd_file(int fd);

/* The same in another process's table fs (for /proc/PID/fd), and its
 * FD_CLOEXEC bit; NULL / false for a closed descriptor or a NULL table. */
struct file *files_lookup(struct files *fs, int fd);
bool files_cloexec(struct files *fs, int fd);

/* The soft RLIMIT_NOFILE, capped at NOFILE. */
int fd_limit(void);

/* How many descriptors Linux's fdtable would have room for now (64, then
 * growing as high descriptors are used): select ignores those beyond. */
int fd_table_size(void);

/* The lowest free descriptor >= minfd: fd, or -EMFILE. */
int fd_find_free(int minfd);

/*
 * Points descriptor fd (below fd_limit) at f, taking a reference of its
 * own; a file already there is closed first (dup2).  0 or -ENOMEM.
 */
int fd_install(int fd, struct file *f, bool cloexec);

/* Closes fd: 0 or -EBADF. */
int fd_close(int fd);

/* FD_CLOEXEC of fd (which must be open). */
bool fd_get_cloexec(int fd);
void fd_set_cloexec(int fd, bool on);

#endif
