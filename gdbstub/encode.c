/*
 * gdbstub/encode.c: hex, the binary escape and the reply buffer; see
 * encode.h.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "encode.h"

static const char hexchars[] = "0123456789abcdef";

int hex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

void hex_encode_byte(uint8_t b, char out[2])
{
	out[0] = hexchars[b >> 4];
	out[1] = hexchars[b & 15];
}

bool parse_hex(const char **p, const char *end, uint64_t *v)
{
	const char *q = *p;
	uint64_t x = 0;
	int n = 0;
	for (; q < end && hex_digit((unsigned char)*q) >= 0; q++, n++) {
		if (x >> 60)
			return false; /* a 17th significant digit */
		x = x << 4 | (uint64_t)hex_digit((unsigned char)*q);
	}
	if (n == 0)
		return false;
	*p = q;
	*v = x;
	return true;
}

bool parse_hex_sep(const char **p, const char *end, uint64_t *v, char sep)
{
	const char *q = *p;
	if (!parse_hex(&q, end, v) || q >= end || *q != sep)
		return false;
	*p = q + 1;
	return true;
}

bool hex_decode(const char *p, size_t ndigits, uint8_t *out)
{
	if (ndigits % 2)
		return false;
	for (size_t i = 0; i < ndigits; i += 2) {
		int hi = hex_digit((unsigned char)p[i]), lo = hex_digit((unsigned char)p[i + 1]);
		if (hi < 0 || lo < 0)
			return false;
		out[i / 2] = (uint8_t)(hi << 4 | lo);
	}
	return true;
}

long unescape_binary(const char *p, const char *end, uint8_t *out, size_t cap)
{
	size_t n = 0;
	while (p < end) {
		uint8_t c = (uint8_t)*p++;
		if (c == '}') {
			if (p == end)
				return -1;
			c = (uint8_t)*p++ ^ 0x20;
		}
		if (n == cap)
			return -1;
		out[n++] = c;
	}
	return (long)n;
}

void out_reset(struct gdb_out *o)
{
	o->len = 0;
	o->overflow = false;
}

void out_bytes(struct gdb_out *o, const void *p, size_t n)
{
	if (o->overflow || n > o->cap - o->len) {
		o->overflow = true;
		return;
	}
	memcpy(o->buf + o->len, p, n);
	o->len += n;
}

void out_str(struct gdb_out *o, const char *s)
{
	out_bytes(o, s, strlen(s));
}

void out_fmt(struct gdb_out *o, const char *fmt, ...)
{
	char tmp[256];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(tmp)) {
		o->overflow = true;
		return;
	}
	out_bytes(o, tmp, (size_t)n);
}

void out_hex(struct gdb_out *o, const void *p, size_t n)
{
	const uint8_t *b = p;
	if (o->overflow || n > (o->cap - o->len) / 2) {
		o->overflow = true;
		return;
	}
	for (size_t i = 0; i < n; i++, o->len += 2)
		hex_encode_byte(b[i], o->buf + o->len);
}

static bool needs_escape(uint8_t c)
{
	return c == '#' || c == '$' || c == '}' || c == '*';
}

size_t out_binary(struct gdb_out *o, const void *p, size_t n)
{
	const uint8_t *b = p;
	size_t i;
	for (i = 0; i < n && !o->overflow; i++) {
		size_t need = needs_escape(b[i]) ? 2 : 1;
		if (need > o->cap - o->len)
			break;
		if (need == 2) {
			o->buf[o->len++] = '}';
			o->buf[o->len++] = (char)(b[i] ^ 0x20);
		} else {
			o->buf[o->len++] = (char)b[i];
		}
	}
	return i;
}

static const struct { char c; const char *entity; } xml_entities[] = {
	{ '<', "&lt;" }, { '>', "&gt;" }, { '&', "&amp;" }, { '"', "&quot;" }, { '\'', "&apos;" },
};

void out_xml_text(struct gdb_out *o, const char *s)
{
	for (; *s; s++) {
		const char *e = NULL;
		for (size_t i = 0; i < sizeof(xml_entities) / sizeof(xml_entities[0]); i++)
			if (*s == xml_entities[i].c)
				e = xml_entities[i].entity;
		if (e)
			out_str(o, e);
		else if ((unsigned char)*s < 0x20)
			out_str(o, "?"); /* XML 1.0 has no control characters */
		else
			out_bytes(o, s, 1);
	}
}
