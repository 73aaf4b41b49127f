/* Registration entry points of the hypercall families, one per hc_*.c. */
#ifndef RRV_VMM_HC_FAMILIES_H
#define RRV_VMM_HC_FAMILIES_H

struct hc_table;

int hc_lifecycle_register(struct hc_table *t); /* boot, exit, panic */
int hc_console_register(struct hc_table *t);   /* write, log */

#endif
