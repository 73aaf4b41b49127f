/*
 * printf for the kernel (contracts in kprintf.h).  One formatter writes into
 * a sink: a bounded buffer that either truncates (ksnprintf, log records,
 * which must stay whole lines) or is flushed to a host handle when full
 * (kwritef, program output, which must not be cut).  Where the text goes is
 * the console's business (hv/console.c), so that the bottom layer knows
 * nothing of hypercalls.
 */
#include "lib/kprintf.h"

#include <stdbool.h>
#include <rrv/hypercall.h>

#include "lib/string.h"

static const struct kconsole *console;

void kconsole_set(const struct kconsole *c)
{
	console = c;
}

#define LOG_MAX 512
#define WRITE_CHUNK 256

struct sink {
	char *buf;
	size_t cap;     /* bytes of buf usable, not counting a NUL */
	size_t len;     /* bytes in buf now */
	size_t total;   /* bytes produced overall */
	uint32_t handle; /* 0: truncate when full; else flush here */
	int64_t err;    /* first failed flush */
};

static void flush(struct sink *s)
{
	if (s->handle && s->len > 0) {
		int64_t r = console ? console->write(s->handle, s->buf, s->len) : -5 /* EIO */;
		if (r < 0 && !s->err)
			s->err = r;
		s->len = 0;
	}
}

static void put(struct sink *s, char c)
{
	s->total++;
	if (s->len == s->cap)
		flush(s);
	if (s->len < s->cap)
		s->buf[s->len++] = c;
}

static void put_str(struct sink *s, const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		put(s, p[i]);
}

/* Writes digits of v in base, padded to width with pad, negative if neg. */
static void put_num(struct sink *s, uint64_t v, unsigned base, bool upper,
		    bool neg, int width, char pad, bool left)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int n = 0;

	do {
		tmp[n++] = digits[v % base];
		v /= base;
	} while (v);
	int len = n + (neg ? 1 : 0);

	/* With zero padding the sign goes before the zeros, "-0042". */
	if (neg && pad == '0')
		put(s, '-');
	for (; !left && width > len; width--)
		put(s, pad);
	if (neg && pad != '0')
		put(s, '-');
	while (n > 0)
		put(s, tmp[--n]);
	for (; left && width > len; width--)
		put(s, ' ');
}

static void format(struct sink *s, const char *fmt, va_list ap)
{
	for (const char *f = fmt; *f; f++) {
		if (*f != '%') {
			put(s, *f);
			continue;
		}
		const char *start = f++;
		char pad = ' ';
		bool left = false;
		int width = 0, lng = 0;

		for (; *f == '0' || *f == '-'; f++) {
			if (*f == '0')
				pad = '0';
			else
				left = true;
		}
		if (left)
			pad = ' ';
		for (; *f >= '0' && *f <= '9'; f++)
			width = width * 10 + (*f - '0');
		int prec = -1; /* strings: at most this many bytes */
		if (*f == '.') {
			prec = 0;
			if (*++f == '*') {
				prec = va_arg(ap, int);
				f++;
			}
			for (; *f >= '0' && *f <= '9'; f++)
				prec = prec * 10 + (*f - '0');
		}
		for (; *f == 'l' || *f == 'z'; f++)
			lng++;

		switch (*f) {
		case 'd':
		case 'i': {
			int64_t v = lng ? va_arg(ap, int64_t) : va_arg(ap, int);
			uint64_t mag = v < 0 ? -(uint64_t)v : (uint64_t)v;
			put_num(s, mag, 10, false, v < 0, width, pad, left);
			break;
		}
		case 'u':
		case 'o':
		case 'x':
		case 'X': {
			uint64_t v = lng ? va_arg(ap, uint64_t) : va_arg(ap, unsigned);
			put_num(s, v, *f == 'u' ? 10 : *f == 'o' ? 8 : 16, *f == 'X', false,
				width, pad, left);
			break;
		}
		case 'p':
			put_str(s, "0x", 2);
			put_num(s, (uintptr_t)va_arg(ap, void *), 16, false, false,
				width, pad, left);
			break;
		case 's': {
			const char *str = va_arg(ap, const char *);
			if (!str)
				str = "(null)";
			size_t n = prec >= 0 ? strnlen(str, (size_t)prec) : strlen(str);
			for (; !left && width > (int)n; width--)
				put(s, ' ');
			put_str(s, str, n);
			for (; left && width > (int)n; width--)
				put(s, ' ');
			break;
		}
		case 'c':
			put(s, (char)va_arg(ap, int));
			break;
		case '%':
			put(s, '%');
			break;
		default:
			/* Unknown: show it as written, so the mistake is visible. */
			if (!*f)
				f--;
			put_str(s, start, (size_t)(f - start + 1));
			break;
		}
	}
}

size_t kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct sink s = { .buf = buf, .cap = size ? size - 1 : 0 };
	format(&s, fmt, ap);
	if (size)
		buf[s.len] = '\0';
	return s.total;
}

size_t ksnprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	size_t n = kvsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

static void vlog(uint32_t level, const char *fmt, va_list ap)
{
	char buf[LOG_MAX];
	size_t n = kvsnprintf(buf, sizeof(buf), fmt, ap);
	if (n >= sizeof(buf))
		n = sizeof(buf) - 1;
	if (console)
		console->log(level, buf, n);
}

void kprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vlog(RRV_LOG_INFO, fmt, ap);
	va_end(ap);
}

void kwarn(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vlog(RRV_LOG_WARN, fmt, ap);
	va_end(ap);
}

int64_t kwritef(uint32_t handle, const char *fmt, ...)
{
	char buf[WRITE_CHUNK];
	struct sink s = { .buf = buf, .cap = sizeof(buf), .handle = handle };
	va_list ap;

	va_start(ap, fmt);
	format(&s, fmt, ap);
	va_end(ap);
	flush(&s);
	return s.err ? s.err : (int64_t)s.total;
}

void panic(const char *fmt, ...)
{
	/* Static, not on the stack: the stack may be what went wrong. */
	static char msg[LOG_MAX];
	va_list ap;

	va_start(ap, fmt);
	size_t n = kvsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (n >= sizeof(msg))
		n = sizeof(msg) - 1;
	uint64_t ret = (uint64_t)(uintptr_t)__builtin_return_address(0);
	if (console)
		console->panic(msg, n, ret);
	/* No console yet: nothing can be said; stop the CPU the hard way. */
	for (;;)
		__builtin_trap();
}
