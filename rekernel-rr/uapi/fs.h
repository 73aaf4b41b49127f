/*
 * Linux's <linux/fs.h> flags that rrv looks at: preadv2's and
 * pwritev2's.
 */
#ifndef REKERNEL_UAPI_FS_H
#define REKERNEL_UAPI_FS_H

#define RWF_HIPRI 1 /* a polling hint */

#endif
