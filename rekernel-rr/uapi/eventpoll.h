/*
 * Linux's epoll ABI (<linux/eventpoll.h>): epoll_ctl's operations, the
 * input flags of an event (its readiness bits are poll's, uapi/poll.h),
 * and struct epoll_event.
 */
#ifndef REKERNEL_UAPI_EVENTPOLL_H
#define REKERNEL_UAPI_EVENTPOLL_H

#include <stdint.h>

/* epoll_ctl's operations. */
#define EPOLL_CTL_ADD 1
#define EPOLL_CTL_DEL 2
#define EPOLL_CTL_MOD 3

/* Input flags. */
#define EPOLLEXCLUSIVE (1u << 28)
#define EPOLLWAKEUP (1u << 29)
#define EPOLLONESHOT (1u << 30)
#define EPOLLET (1u << 31)

/* Linux's struct epoll_event, packed on x86-64. */
struct k_epoll_event {
	uint32_t events;
	uint64_t data;
} __attribute__((packed));

#endif
