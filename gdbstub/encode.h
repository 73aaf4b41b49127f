/*
 * gdbstub/encode.h: the protocol's encodings, both ways: hex numbers and
 * hex bytes, the '}' escape of binary data, and the reply buffer every
 * handler writes into.  Parsers take an explicit end and never read past
 * it: a packet is not NUL-terminated text (X carries binary).
 */
#ifndef RRV_GDBSTUB_ENCODE_H
#define RRV_GDBSTUB_ENCODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* 0-15, or -1 for a byte that is not a hex digit. */
int hex_digit(int c);
void hex_encode_byte(uint8_t b, char out[2]);

/* Parses a hex number (1 to 16 digits) at *p, moving *p past it.  False,
 * with *p unchanged, when there is no digit or the value overflows. */
bool parse_hex(const char **p, const char *end, uint64_t *v);
/* The same, then requires the byte sep (and moves past it). */
bool parse_hex_sep(const char **p, const char *end, uint64_t *v, char sep);
/* Hex bytes: exactly 2*n digits from p into out. */
bool hex_decode(const char *p, size_t ndigits, uint8_t *out);

/* Undoes the binary escape ('}' then the byte xor 0x20) of [p, end) into
 * out (at most cap bytes); returns the byte count, or -1 for a dangling
 * '}' or output longer than cap. */
long unescape_binary(const char *p, const char *end, uint8_t *out, size_t cap);

/* A reply under construction.  Writes that do not fit set overflow and
 * are dropped; the sender then replies with an error instead, so that a
 * truncated reply never reaches the client. */
struct gdb_out {
	char *buf;
	size_t len, cap;
	bool overflow;
};

void out_reset(struct gdb_out *o);
void out_bytes(struct gdb_out *o, const void *p, size_t n);
void out_str(struct gdb_out *o, const char *s);
void out_fmt(struct gdb_out *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void out_hex(struct gdb_out *o, const void *p, size_t n);
/* Binary data, escaping '#', '$', '}' and '*' (which gdb would read as
 * run-length encoding).  Returns how many input bytes fitted: a reply of
 * binary data may be cut short (qXfer, vFile:pread say how much came). */
size_t out_binary(struct gdb_out *o, const void *p, size_t n);
/* The same text with XML's special characters escaped. */
void out_xml_text(struct gdb_out *o, const char *s);

#endif
