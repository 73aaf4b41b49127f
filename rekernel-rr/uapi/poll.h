/*
 * Linux's poll(2) ABI (<asm-generic/poll.h>): the event bits and struct
 * pollfd.
 */
#ifndef REKERNEL_UAPI_POLL_H
#define REKERNEL_UAPI_POLL_H

#include <stdint.h>

/* poll(2) event bits, for file_poll. */
#define POLLIN 0x001
#define POLLPRI 0x002
#define POLLOUT 0x004
#define POLLERR 0x008
#define POLLHUP 0x010
#define POLLNVAL 0x020
#define POLLRDNORM 0x040
#define POLLRDBAND 0x080
#define POLLWRNORM 0x100
#define POLLWRBAND 0x200
#define POLLRDHUP 0x2000

struct k_pollfd {
	int32_t fd;
	int16_t events, revents;
};

#endif
