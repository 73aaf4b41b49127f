/*
 * Linux's poll(2) event bits (<asm-generic/poll.h>).
 */
#ifndef REKERNEL_UAPI_POLL_H
#define REKERNEL_UAPI_POLL_H

/* poll(2) event bits, for file_poll. */
#define POLLIN 0x001
#define POLLPRI 0x002
#define POLLOUT 0x004
#define POLLERR 0x008
#define POLLHUP 0x010
#define POLLRDNORM 0x040
#define POLLWRNORM 0x100
#define POLLRDHUP 0x2000

#endif
