/* kprintf's console through hypercalls (hv/console.c). */
#ifndef REKERNEL_HV_CONSOLE_H
#define REKERNEL_HV_CONSOLE_H

/* Sends kprintf, kwarn, kwritef and panic to the host; the first thing
 * kmain does, so that even a failed BOOT can be reported. */
void hv_console_init(void);

#endif
