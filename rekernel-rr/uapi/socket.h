/*
 * Linux's socket ABI (<linux/socket.h>, <linux/net.h>,
 * <asm-generic/socket.h>): address families, socket types, message
 * flags, the socket options rrv looks at, and struct msghdr.
 */
#ifndef REKERNEL_UAPI_SOCKET_H
#define REKERNEL_UAPI_SOCKET_H

#include <stdint.h>

#include "uapi/fcntl.h"

/* Address families, socket types and the flags socket and socketpair
 * take with the type. */
#define AF_UNIX 1
#define AF_INET 2
#define AF_INET6 10
#define SOCK_STREAM 1
#define SOCK_DGRAM 2
#define SOCK_SEQPACKET 5
#define SOCK_TYPE_MASK 0xf
#define SOCK_NONBLOCK O_NONBLOCK
#define SOCK_CLOEXEC O_CLOEXEC

/* send and recv flags. */
#define MSG_OOB 0x1
#define MSG_PEEK 0x2
#define MSG_TRUNC 0x20
#define MSG_DONTWAIT 0x40
#define MSG_WAITALL 0x100
#define MSG_NOSIGNAL 0x4000
#define MSG_CMSG_CLOEXEC 0x40000000

/* Socket options. */
#define SOL_SOCKET 1
#define SO_TYPE 3
#define SO_ERROR 4
#define SO_DOMAIN 39
#define SO_RCVTIMEO 20
#define SO_SNDTIMEO 21
#define SO_ACCEPTCONN 30

/* Linux's struct msghdr. */
struct k_msghdr {
	uint64_t name;
	uint32_t namelen, pad0;
	uint64_t iov;
	uint64_t iovlen;
	uint64_t control;
	uint64_t controllen;
	int32_t flags, pad1;
};

#endif
