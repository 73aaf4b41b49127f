/*
 * Linux's eventfd2 flag of its own (<linux/eventfd.h>); EFD_CLOEXEC and
 * EFD_NONBLOCK are O_CLOEXEC and O_NONBLOCK.
 */
#ifndef REKERNEL_UAPI_EVENTFD_H
#define REKERNEL_UAPI_EVENTFD_H

#define EFD_SEMAPHORE 1

#endif
