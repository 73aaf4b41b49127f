/*
 * gdbstub/packet.c: framing ("$payload#cs"), acknowledgements and the
 * ^C byte.  See packet.h.  Run-length encoding is never sent (it is
 * optional) and gdb never sends it to a stub.
 */
#include <errno.h>
#include <string.h>

#include "encode.h"
#include "packet.h"

enum { RX_IDLE, RX_BODY, RX_SUM1, RX_SUM2 };

void gdb_rx_init(struct gdb_rx *rx)
{
	rx->state = RX_IDLE;
	rx->len = 0;
	rx->overflow = false;
	rx->sum = 0;
	rx->want = 0;
	rx->badhex = false;
	rx->buf[0] = '\0';
}

static void rx_start(struct gdb_rx *rx)
{
	gdb_rx_init(rx);
	rx->state = RX_BODY;
}

/* Between packets only '$', '+', '-' and 0x03 mean something; anything
 * else is line noise and is skipped, as gdb itself does. */
static enum gdb_rx_event rx_idle(struct gdb_rx *rx, uint8_t c)
{
	switch (c) {
	case '$': rx_start(rx); return GDB_RX_NONE;
	case '+': return GDB_RX_ACK;
	case '-': return GDB_RX_NAK;
	case 0x03: return GDB_RX_INTERRUPT;
	default: return GDB_RX_NONE;
	}
}

static enum gdb_rx_event rx_body(struct gdb_rx *rx, uint8_t c)
{
	if (c == '#') {
		rx->state = RX_SUM1;
		return GDB_RX_NONE;
	}
	/* A '$' inside a packet can only be a new start (binary data
	 * escapes it): the client gave up on the old one. */
	if (c == '$') {
		rx_start(rx);
		return GDB_RX_NONE;
	}
	rx->sum += c;
	if (rx->len < GDBSTUB_PACKET_MAX)
		rx->buf[rx->len++] = (char)c;
	else
		rx->overflow = true;
	return GDB_RX_NONE;
}

static enum gdb_rx_event rx_sum(struct gdb_rx *rx, uint8_t c)
{
	int d = hex_digit(c);
	if (d < 0)
		rx->badhex = true;
	rx->want = (uint8_t)(rx->want << 4 | (d < 0 ? 0 : d));
	if (rx->state == RX_SUM1) {
		rx->state = RX_SUM2;
		return GDB_RX_NONE;
	}
	rx->state = RX_IDLE;
	rx->buf[rx->len] = '\0';
	if (rx->overflow)
		return GDB_RX_OVERFLOW;
	if (rx->badhex || rx->want != rx->sum)
		return GDB_RX_BADSUM;
	return GDB_RX_PACKET;
}

enum gdb_rx_event gdb_rx_byte(struct gdb_rx *rx, uint8_t c)
{
	switch (rx->state) {
	case RX_IDLE: return rx_idle(rx, c);
	case RX_BODY: return rx_body(rx, c);
	default: return rx_sum(rx, c);
	}
}

uint8_t gdb_checksum(const char *payload, size_t len)
{
	uint8_t sum = 0;
	for (size_t i = 0; i < len; i++)
		sum += (uint8_t)payload[i];
	return sum;
}

ssize_t gdb_frame(const char *payload, size_t len, char *out, size_t cap)
{
	if (cap < 4 || len > cap - 4)
		return -EMSGSIZE;
	out[0] = '$';
	memcpy(out + 1, payload, len);
	out[len + 1] = '#';
	hex_encode_byte(gdb_checksum(payload, len), out + len + 2);
	return (ssize_t)len + 4;
}
