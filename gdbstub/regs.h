/*
 * gdbstub/regs.h: the registers gdb sees, from one table: the target
 * description (qXfer:features:read:target.xml) and the g/G/p/P encodings
 * both come from it, so the numbering cannot disagree.
 */
#ifndef RRV_GDBSTUB_REGS_H
#define RRV_GDBSTUB_REGS_H

#include <stddef.h>
#include <stdint.h>

#include "encode.h"
#include "target.h"

/* How many registers the description numbers (0 .. regs_count()-1). */
unsigned regs_count(void);
/* The bytes of 'g' (all registers, in order). */
size_t regs_size(void);

/* 'g': every register, hex, into o. */
void regs_encode_all(const struct gdb_regs *r, struct gdb_out *o);
/* 'G': every register from hex [p, end) (exactly regs_size() bytes). */
int regs_decode_all(struct gdb_regs *r, const char *p, const char *end);
/* 'p' and 'P': register n; -EINVAL for a number past the table. */
int regs_encode_one(const struct gdb_regs *r, unsigned n, struct gdb_out *o);
int regs_decode_one(struct gdb_regs *r, unsigned n, const char *p, const char *end);

/* The whole target description, XML. */
void regs_target_xml(struct gdb_out *o);

/* FXSAVE's abridged tag byte and gdb's full x87 tag word (two bits per
 * physical register: 0 valid, 1 zero, 2 special, 3 empty). */
uint16_t regs_full_ftag(const uint8_t fxsave[512]);
uint8_t regs_abridged_ftag(uint16_t full);

#endif
