/* Hypercall registration and dispatch (see hypercall.h). */
#include "hypercall.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/uio.h>

#include <rrv/digest.h>

#include "guest_mem.h"
#include "hc_families.h"

int hc_register(struct hc_table *t, unsigned nr, const struct hc_desc *d)
{
	if (nr == RRV_HC_RESERVED || nr >= RRV_HC_PORT_COUNT)
		return -ERANGE;
	if (!d->fn || !d->name || d->args_size < sizeof(struct rrv_hc_hdr) ||
	    d->args_size > HC_ARGS_MAX)
		return -EINVAL;
	if (t->slot[nr].fn)
		return -EEXIST;
	t->slot[nr] = *d;
	return 0;
}

const struct hc_desc *hc_lookup(const struct hc_table *t, unsigned nr)
{
	if (nr >= RRV_HC_PORT_COUNT || !t->slot[nr].fn)
		return NULL;
	return &t->slot[nr];
}

int hc_register_table(struct hc_table *t, const struct hc_entry *e, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int err = hc_register(t, e[i].nr, &e[i].d);
		if (err)
			return err;
	}
	return 0;
}

int hc_register_all(struct hc_table *t)
{
	static int (*const families[])(struct hc_table *) = {
		hc_lifecycle_register,
		hc_console_register,
		hc_file_register,
		hc_time_register,
		hc_map_register,
		hc_net_register,
		hc_preempt_register,
		hc_report_register,
		hc_hostsig_register,
		hc_debug_register,
	};
	for (size_t i = 0; i < sizeof(families) / sizeof(families[0]); i++) {
		int err = families[i](t);
		if (err)
			return err;
	}
	return 0;
}

int64_t hc_sys(int64_t r)
{
	return r < 0 ? -errno : r;
}

const void *hc_in(struct hc_call *c, rrv_gpa_t gpa, uint64_t len)
{
	if (c->nin == HC_RANGES_MAX)
		return NULL;
	const void *p = GUEST_AT(c->mem, gpa, len);
	if (p)
		c->in[c->nin++] = (struct hc_range){ gpa, len };
	return p;
}

void *hc_out(struct hc_call *c, rrv_gpa_t gpa, uint64_t len)
{
	if (c->nout == HC_RANGES_MAX)
		return NULL;
	void *p = GUEST_AT(c->mem, gpa, len);
	if (p)
		c->out[c->nout++] = (struct hc_range){ gpa, len };
	return p;
}

int64_t hc_iovecs(struct hc_call *c, rrv_gpa_t gpa, uint32_t cnt, bool out,
		  struct iovec *host)
{
	if (cnt > RRV_HC_IOV_MAX)
		return -EINVAL;
	if (cnt == 0)
		return 0;
	const struct rrv_hc_iovec *g = hc_in(c, gpa, (uint64_t)cnt * sizeof(*g));
	if (!g)
		return -EFAULT;
	uint64_t total = 0;
	for (uint32_t i = 0; i < cnt; i++) {
		struct rrv_hc_iovec v;
		memcpy(&v, &g[i], sizeof(v)); /* read the guest's copy once */
		host[i].iov_base = out ? hc_out(c, v.base, v.len)
				       : (void *)hc_in(c, v.base, v.len);
		if (!host[i].iov_base)
			return -EFAULT;
		host[i].iov_len = v.len;
		total += v.len;
	}
	/* Guest memory is below 4 GiB, so 64 pieces cannot overflow this. */
	return (int64_t)total;
}

uint64_t hc_input_len(const uint8_t *s, const struct hc_input *in)
{
	if (in->len_size == 4) {
		uint32_t v;
		memcpy(&v, s + in->len_off, 4);
		return v;
	}
	uint64_t v;
	memcpy(&v, s + in->len_off, 8);
	return v;
}

/* Feeds one guest range into the digest; a range outside guest memory
 * contributes a marker, as the handler refuses it the same way. */
static uint64_t digest_range(struct guest_mem *gm, uint64_t h, rrv_gpa_t gpa,
			     uint64_t len)
{
	const void *p = GUEST_AT(gm, gpa, len);
	if (!p)
		return rrv_digest(h, "\xff", 1);
	return rrv_digest(h, p, len);
}

/* The digest replay compares: the number, the struct as passed (hdr.ret
 * zeroed) and the declared input buffers.  Same on every machine, and the
 * same as every rrv before computed it: recorded traces store it. */
static uint64_t hc_digest(const struct hc_call *c, const struct hc_desc *d,
			  const void *pre)
{
	uint8_t s[HC_ARGS_MAX];
	memcpy(s, pre, d->args_size);
	memset(s, 0, sizeof(struct rrv_hc_hdr)); /* the result is an output */
	uint32_t nr = c->nr;
	uint64_t h = rrv_digest(RRV_DIGEST_SEED, &nr, sizeof(nr));
	h = rrv_digest(h, s, d->args_size);
	for (int i = 0; i < HC_INPUTS_MAX; i++) {
		const struct hc_input *in = &d->in[i];
		if (in->kind == HC_IN_NONE)
			continue;
		rrv_gpa_t gpa;
		memcpy(&gpa, s + in->gpa_off, sizeof(gpa));
		uint64_t len = hc_input_len(s, in);
		if (in->kind == HC_IN_BYTES) {
			h = digest_range(c->mem, h, gpa, len);
			continue;
		}
		if (len > RRV_HC_IOV_MAX)
			continue; /* refused by the handler */
		const struct rrv_hc_iovec *iov =
			GUEST_AT(c->mem, gpa, len * sizeof(*iov));
		if (!iov) {
			h = rrv_digest(h, "\xff", 1);
			continue;
		}
		for (uint64_t k = 0; k < len; k++) {
			struct rrv_hc_iovec v;
			memcpy(&v, &iov[k], sizeof(v));
			h = digest_range(c->mem, h, v.base, v.len);
		}
	}
	return h;
}

/* Writes ret into the struct header when the header is reachable. */
static bool put_ret(struct hc_call *c, int64_t ret)
{
	void *hdr = GUEST_AT(c->mem, c->args_gpa, sizeof(struct rrv_hc_hdr));
	if (!hdr)
		return false;
	memcpy(hdr, &ret, sizeof(ret));
	return true;
}

int64_t hc_dispatch(struct hc_table *t, struct hc_call *c, bool *in_struct)
{
	const struct hc_desc *d = hc_lookup(t, c->nr);
	if (!d) {
		if (c->nr < RRV_HC_PORT_COUNT && !t->warned[c->nr]) {
			t->warned[c->nr] = true;
			fprintf(stderr,
				"rrv: guest kernel made unknown hypercall %u: "
				"answered ENOSYS (is the kernel image from "
				"another rrv version?)\n",
				c->nr);
		}
		*in_struct = put_ret(c, -ENOSYS);
		return -ENOSYS;
	}

	void *guest = GUEST_AT(c->mem, c->args_gpa, d->args_size);
	if (!guest) {
		*in_struct = put_ret(c, -EFAULT);
		return -EFAULT;
	}

	/* 8-byte aligned private copies: see struct hc_call.  pre keeps the
	 * struct as the guest passed it, for the taps. */
	uint64_t buf[HC_ARGS_MAX / sizeof(uint64_t)];
	uint64_t pre[HC_ARGS_MAX / sizeof(uint64_t)];
	memcpy(buf, guest, d->args_size);
	memcpy(pre, buf, d->args_size);
	c->args = buf;
	c->nin = c->nout = 0;

	bool traced = !(d->flags & HC_F_UNTRACED);
	/* rrv debug's throwaway machine (a function gdb called): the call
	 * would need the host or the trace, which it must not reach.  The
	 * loop pauses here, the call unanswered; the debugger restores a
	 * snapshot before the guest runs again (docs/debugging.md,
	 * "Calling functions"). */
	if (traced && t->holding) {
		if (t->held)
			t->held(t->held_ctx, c->nr);
		c->args = NULL;
		*in_struct = put_ret(c, -EIO);
		return -EIO;
	}

	/* The digest, once, before anything answers the call: a recording
	 * and its replay digest the same memory at the same moment. */
	bool tapped = traced && (t->tap.replayed || t->tap.recorded);
	uint64_t digest = tapped ? hc_digest(c, d, pre) : 0;

	/* The answer: the replayer's, or the host's. */
	int64_t ret;
	if (traced && t->tap.replayed) {
		if (t->tap.replayed(t->tap.ctx, c, d, pre, digest, &ret) < 0)
			c->vm_stop = true;
		else if (d->replay_fn)
			d->replay_fn(c);
	} else {
		if (t->tap.before_call)
			t->tap.before_call(t->tap.ctx, d);
		ret = d->fn(c);
	}
	((struct rrv_hc_hdr *)buf)->ret = ret;
	memcpy(guest, buf, d->args_size);

	/* Only now, with the result in guest memory, the recorder. */
	if (traced && t->tap.recorded &&
	    t->tap.recorded(t->tap.ctx, c, d, pre, digest, ret) < 0)
		c->vm_stop = true;
	c->args = NULL;
	*in_struct = true;
	return ret;
}
