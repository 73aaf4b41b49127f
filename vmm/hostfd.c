/* Host file handle table (see hostfd.h). */
#include "hostfd.h"

#include <errno.h>
#include <unistd.h>

void hostfd_init(struct hostfd_table *t)
{
	for (int i = 0; i < HOSTFD_MAX; i++)
		t->fd[i] = i <= 2 ? i : -1;
}

int hostfd_get(const struct hostfd_table *t, uint64_t handle)
{
	if (handle >= HOSTFD_MAX)
		return -1;
	return t->fd[handle];
}

int hostfd_add(struct hostfd_table *t, int fd)
{
	for (int i = 0; i < HOSTFD_MAX; i++) {
		if (t->fd[i] < 0) {
			t->fd[i] = fd;
			return i;
		}
	}
	return -EMFILE;
}

int hostfd_lookup(const struct hostfd_table *t, uint64_t handle)
{
	int fd = hostfd_get(t, handle);
	return fd < 0 ? -EBADF : fd;
}

int hostfd_adopt(struct hostfd_table *t, int fd)
{
	if (fd < 0)
		return -errno;
	int h = hostfd_add(t, fd);
	if (h < 0)
		close(fd);
	return h;
}

int hostfd_close(struct hostfd_table *t, uint64_t handle)
{
	if (handle >= HOSTFD_MAX || t->fd[handle] < 0)
		return -EBADF;
	/* rrv's own stdio stays open for rrv's messages; the guest only
	 * loses its handle to it. */
	if (t->fd[handle] > 2)
		close(t->fd[handle]);
	t->fd[handle] = -1;
	return 0;
}

void hostfd_close_all(struct hostfd_table *t)
{
	for (int i = 3; i < HOSTFD_MAX; i++)
		if (t->fd[i] >= 0)
			hostfd_close(t, i);
}
