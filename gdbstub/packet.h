/*
 * gdbstub/packet.h: the protocol's framing, "$payload#cs", both ways.
 * The receiver takes bytes one at a time into a bounded buffer, so that
 * no packet, however long or broken, can overrun it.
 */
#ifndef RRV_GDBSTUB_PACKET_H
#define RRV_GDBSTUB_PACKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "gdbstub.h"

enum gdb_rx_event {
	GDB_RX_NONE,      /* nothing complete yet */
	GDB_RX_PACKET,    /* a packet with a good checksum: rx->buf, rx->len */
	GDB_RX_BADSUM,    /* a packet with a wrong or non-hex checksum */
	GDB_RX_OVERFLOW,  /* a packet longer than GDBSTUB_PACKET_MAX: dropped */
	GDB_RX_INTERRUPT, /* 0x03 between packets: the client's ^C */
	GDB_RX_ACK,       /* '+' */
	GDB_RX_NAK,       /* '-': resend the last packet */
};

struct gdb_rx {
	int state;       /* where in a packet the next byte falls */
	size_t len;      /* payload bytes kept in buf */
	bool overflow;   /* more than GDBSTUB_PACKET_MAX bytes came */
	uint8_t sum;     /* the payload's running checksum */
	uint8_t want;    /* the checksum's first digit, then both */
	bool badhex;     /* a checksum digit was not hex */
	char buf[GDBSTUB_PACKET_MAX + 1]; /* NUL-terminated for convenience;
					     the payload may hold NULs */
};

void gdb_rx_init(struct gdb_rx *rx);

/* Takes one byte; says whether it completed something. */
enum gdb_rx_event gdb_rx_byte(struct gdb_rx *rx, uint8_t c);

/* The protocol's checksum: the payload's bytes summed modulo 256. */
uint8_t gdb_checksum(const char *payload, size_t len);

/* Writes "$payload#cs" into out; returns its length, or -EMSGSIZE when
 * cap is too small. */
ssize_t gdb_frame(const char *payload, size_t len, char *out, size_t cap);

#endif
