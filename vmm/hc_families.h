/* Registration entry points of the hypercall families, one per hc_*.c. */
#ifndef RRV_VMM_HC_FAMILIES_H
#define RRV_VMM_HC_FAMILIES_H

struct hc_table;

int hc_lifecycle_register(struct hc_table *t); /* boot, exit, panic */
int hc_console_register(struct hc_table *t);   /* log */
int hc_file_register(struct hc_table *t);      /* write, openat, read, ... */
int hc_time_register(struct hc_table *t);      /* clock, sleep, random, uname */
int hc_map_register(struct hc_table *t);       /* fdpath: mappings, /proc */
int hc_net_register(struct hc_table *t);       /* socket, connect, ..., poll */
int hc_preempt_register(struct hc_table *t);   /* preempt: async switches */
int hc_report_register(struct hc_table *t);    /* deadlock: reports */
int hc_hostsig_register(struct hc_table *t);   /* hostsig: signals to rrv */
int hc_debug_register(struct hc_table *t);     /* debug: rrv debug's events */

#endif
