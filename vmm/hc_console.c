/*
 * Output hypercalls: WRITE (program output to a host handle) and LOG (the
 * guest kernel's own diagnostics, an untraced observer).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/uio.h>

#include "hc_families.h"
#include "hypercall.h"
#include "vmm.h"

/*
 * Translates every piece before writing any byte, so that a bad pointer in
 * the last piece fails the whole call with nothing written.
 */
static int64_t hc_write(struct hc_call *c)
{
	const struct rrv_hc_write *a = c->args;
	int fd = hostfd_get(&c->vm->files, a->handle);
	if (fd < 0)
		return -EBADF;
	if (a->iovcnt > RRV_HC_IOV_MAX)
		return -EINVAL;
	const struct rrv_hc_iovec *giov =
		GUEST_AT(c->mem, a->iov, (uint64_t)a->iovcnt * sizeof(*giov));
	if (!giov && a->iovcnt)
		return -EFAULT;

	struct iovec iov[RRV_HC_IOV_MAX];
	uint64_t total = 0;
	for (uint32_t i = 0; i < a->iovcnt; i++) {
		struct rrv_hc_iovec g;
		memcpy(&g, &giov[i], sizeof(g)); /* read the guest's copy once */
		iov[i].iov_base = GUEST_AT(c->mem, g.base, g.len);
		if (!iov[i].iov_base)
			return -EFAULT;
		iov[i].iov_len = g.len;
		total += g.len;
	}

	/* Deliver all of it: a short write to a pipe or terminal is not
	 * something the guest should have to retry. */
	uint64_t done = 0;
	uint32_t first = 0;
	while (done < total) {
		ssize_t n = writev(fd, iov + first, (int)(a->iovcnt - first));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return done ? (int64_t)done : -errno;
		}
		done += (uint64_t)n;
		while (n > 0 && first < a->iovcnt) {
			if ((size_t)n >= iov[first].iov_len) {
				n -= (ssize_t)iov[first].iov_len;
				first++;
			} else {
				iov[first].iov_base = (char *)iov[first].iov_base + n;
				iov[first].iov_len -= (size_t)n;
				n = 0;
			}
		}
	}
	return (int64_t)done;
}

#define LOG_MAX 4096u

static int64_t hc_log(struct hc_call *c)
{
	const struct rrv_hc_log *a = c->args;
	if (a->len > LOG_MAX)
		return -EINVAL;
	const char *text = GUEST_AT(c->mem, a->text, a->len);
	if (!text)
		return -EFAULT;
	const char *prefix = a->level == RRV_LOG_WARN ? "rrv: guest: warning: "
						      : "rrv: guest: ";
	/* One prefixed line per guest line; control bytes become '?' so a
	 * confused guest cannot drive the user's terminal. */
	char line[LOG_MAX + 1];
	uint32_t n = 0;
	for (uint32_t i = 0; i <= a->len; i++) {
		if (i == a->len || text[i] == '\n') {
			if (n || i < a->len) {
				line[n] = 0;
				fprintf(stderr, "%s%s\n", prefix, line);
			}
			n = 0;
			continue;
		}
		char ch = text[i];
		line[n++] = (ch >= 0x20 && ch < 0x7f) || ch == '\t' ? ch : '?';
	}
	return a->len;
}

static const struct {
	unsigned nr;
	struct hc_desc d;
} console[] = {
	{ RRV_HC_WRITE, { "write", sizeof(struct rrv_hc_write), 0, hc_write } },
	{ RRV_HC_LOG, { "log", sizeof(struct rrv_hc_log), HC_F_UNTRACED, hc_log } },
};

int hc_console_register(struct hc_table *t)
{
	for (size_t i = 0; i < sizeof(console) / sizeof(console[0]); i++) {
		int err = hc_register(t, console[i].nr, &console[i].d);
		if (err)
			return err;
	}
	return 0;
}
