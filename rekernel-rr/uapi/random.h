/*
 * Linux's getrandom flags (<linux/random.h>).
 */
#ifndef REKERNEL_UAPI_RANDOM_H
#define REKERNEL_UAPI_RANDOM_H

#define GRND_NONBLOCK 1
#define GRND_RANDOM 2
#define GRND_INSECURE 4

#endif
