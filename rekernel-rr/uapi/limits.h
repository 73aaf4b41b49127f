/*
 * Linux's limits that programs see (<linux/limits.h>).
 */
#ifndef REKERNEL_UAPI_LIMITS_H
#define REKERNEL_UAPI_LIMITS_H

#define PATH_MAX 4096
#define PIPE_BUF 4096 /* writes up to this size to a pipe are atomic */

#endif
