/*
 * gdbstub/signals.h: Linux's signal numbers and gdb's.  They agree up to
 * 6 and differ above (gdb's numbering is its own, from
 * include/gdb/signals.def), so every signal crossing the protocol goes
 * through this table.
 */
#ifndef RRV_GDBSTUB_SIGNALS_H
#define RRV_GDBSTUB_SIGNALS_H

/* gdb's number for a Linux signal (GDB_SIGNAL_UNKNOWN, 143, if none). */
int gdb_signal_from_linux(int linux_sig);
/* Linux's number for gdb's (0 if Linux has no such signal). */
int gdb_signal_to_linux(int gdb_sig);

#endif
