/*
 * Formatted output.  The format language is a small printf: conversions
 * %d %i %u %o %x %X %p %s %c %%, the length modifiers l, ll and z, a '0' or
 * '-' flag, a decimal width, and a precision (".N" or ".*") that limits
 * %s.  Anything else is copied out as written.
 */
#ifndef REKERNEL_KPRINTF_H
#define REKERNEL_KPRINTF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#define KPRINTF_FMT(f, a) __attribute__((format(printf, f, a)))

/* Formats into buf[0, size), always NUL-terminated when size > 0.
 * Returns the length the whole output would have had. */
size_t kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
size_t ksnprintf(char *buf, size_t size, const char *fmt, ...) KPRINTF_FMT(3, 4);

/* A diagnostic through RRV_HC_LOG at level INFO (kprintf) or WARN (kwarn);
 * the VMM prints it on rrv's stderr.  One call is one log record, cut at
 * 512 bytes.  Include the '\n'. */
void kprintf(const char *fmt, ...) KPRINTF_FMT(1, 2);
void kwarn(const char *fmt, ...) KPRINTF_FMT(1, 2);

/* Program output through RRV_HC_WRITE to host handle (1 stdout, 2 stderr),
 * never cut: long output goes out in several writes.  Returns the bytes
 * written or -errno. */
int64_t kwritef(uint32_t handle, const char *fmt, ...) KPRINTF_FMT(2, 3);

/*
 * Stops the machine: formats the message and issues RRV_HC_PANIC with
 * vector RRV_PANIC_NO_VECTOR, rip = the address of the call to panic, and
 * the current rsp, rflags and cs.  Does not return.
 */
/*
 * Where kprintf's text goes: set once at boot, before anything prints
 * (hv/console.c sends it to the host).  write is program output to a host
 * handle (bytes written or -errno), log one diagnostic record of a level
 * (RRV_LOG_*), panic the end of the kernel: the message and the return
 * address of panic's caller.
 */
struct kconsole {
	int64_t (*write)(uint32_t handle, const void *buf, size_t len);
	void (*log)(uint32_t level, const char *text, size_t len);
	__attribute__((noreturn)) void (*panic)(const char *msg, size_t len,
						 uint64_t caller_ret);
};
void kconsole_set(const struct kconsole *c);

__attribute__((noreturn)) void panic(const char *fmt, ...) KPRINTF_FMT(1, 2);

#endif
