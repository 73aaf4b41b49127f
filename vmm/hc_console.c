/*
 * LOG: the guest kernel's own diagnostics.  An observer: never recorded,
 * so a replay may log more or less than the recording did.
 */
#include <errno.h>
#include <stdio.h>

#include "hc_families.h"
#include "hypercall.h"
#include "vmm.h"

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

static const struct hc_desc log_desc =
	HC_DESC("log", struct rrv_hc_log, HC_F_UNTRACED | HC_F_TERMINAL, hc_log);

int hc_console_register(struct hc_table *t)
{
	return hc_register(t, RRV_HC_LOG, &log_desc);
}
