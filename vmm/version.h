/* rrv's version: shown by --version and stored in every trace. */
#ifndef RRV_VMM_VERSION_H
#define RRV_VMM_VERSION_H

#define RRV_VERSION "0.1.0"

#endif
