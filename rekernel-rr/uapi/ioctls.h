/*
 * The ioctl requests rrv knows by number (<asm-generic/ioctls.h>).
 */
#ifndef REKERNEL_UAPI_IOCTLS_H
#define REKERNEL_UAPI_IOCTLS_H

#define TCGETS 0x5401
#define TIOCGWINSZ 0x5413
#define FIONREAD 0x541b
#define FIONBIO 0x5421
#define FIONCLEX 0x5450
#define FIOCLEX 0x5451

#endif
