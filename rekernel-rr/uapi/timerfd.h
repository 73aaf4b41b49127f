/*
 * Linux's timerfd_settime flags (<linux/timerfd.h>).
 */
#ifndef REKERNEL_UAPI_TIMERFD_H
#define REKERNEL_UAPI_TIMERFD_H

#define TFD_TIMER_ABSTIME 1
#define TFD_TIMER_CANCEL_ON_SET 2

#endif
