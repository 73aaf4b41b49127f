/*
 * The hypercall table and its dispatcher.  Each family of hypercalls lives
 * in its own hc_<family>.c and registers its numbers here at start-up.
 */
#ifndef RRV_VMM_HYPERCALL_H
#define RRV_VMM_HYPERCALL_H

#include <stdbool.h>
#include <stdint.h>

#include <rrv/hypercall.h>

struct vmm;
struct guest_mem;

/* Buffers one call may declare each way: an iovec array and its pieces. */
#define HC_RANGES_MAX (RRV_HC_IOV_MAX + 4)

/* One call in flight.  args is a host copy of the guest's argument struct,
 * aligned and private, so a handler never races or misreads guest memory;
 * the dispatcher copies it back (with hdr.ret set) when the handler returns. */
struct hc_call {
	struct vmm *vm;
	struct guest_mem *mem;
	unsigned nr;
	rrv_gpa_t args_gpa;
	void *args;

	/* Guest memory the handler read and wrote besides the struct, in
	 * order, declared through hc_in() and hc_out(): what a recorder
	 * digests (inputs) and saves (outputs). */
	unsigned nin, nout;
	struct hc_range {
		rrv_gpa_t gpa;
		uint64_t len;
	} in[HC_RANGES_MAX], out[HC_RANGES_MAX];
};

/*
 * The checked way for a handler to reach a guest buffer: GUEST_AT() plus a
 * note of the range.  hc_in() is for buffers the handler only reads,
 * hc_out() for those it fills.  NULL when the range is outside guest memory
 * or the call declared more than HC_RANGES_MAX ranges.
 */
const void *hc_in(struct hc_call *c, rrv_gpa_t gpa, uint64_t len);
void *hc_out(struct hc_call *c, rrv_gpa_t gpa, uint64_t len);

struct iovec;

/*
 * Translates the guest's struct rrv_hc_iovec[cnt] at gpa, and each piece,
 * into host iovecs (declared as inputs, or as outputs when out is true).
 * All pieces are checked before the caller acts on any.  Returns the total
 * length, or -EINVAL (cnt too big) or -EFAULT.
 */
int64_t hc_iovecs(struct hc_call *c, rrv_gpa_t gpa, uint32_t cnt, bool out,
		  struct iovec *host);

/* Returns the value for hdr.ret: >= 0, or -errno. */
typedef int64_t (*hc_fn)(struct hc_call *c);

enum hc_flags {
	/* Observers (logging): performed in replay too, never recorded. */
	HC_F_UNTRACED = 1u << 0,
};

struct hc_desc {
	const char *name;
	uint32_t args_size; /* sizeof the argument struct */
	uint32_t flags;     /* enum hc_flags */
	hc_fn fn;
};

#define HC_ARGS_MAX 512u /* largest argument struct accepted */

struct hc_table {
	struct hc_desc slot[RRV_HC_PORT_COUNT];
	bool warned[RRV_HC_PORT_COUNT]; /* unknown number already logged */
};

/* Registers d under nr.  Returns 0, -ERANGE for a number outside the port
 * window, -EINVAL for a malformed descriptor, -EEXIST for a taken slot. */
int hc_register(struct hc_table *t, unsigned nr, const struct hc_desc *d);

/* Registers every family of hypercalls the VMM implements. */
int hc_register_all(struct hc_table *t);

/* Looks up nr; NULL when it is out of range or unregistered. */
const struct hc_desc *hc_lookup(const struct hc_table *t, unsigned nr);

/*
 * Performs call c->nr with its struct at c->args_gpa.  The result normally
 * reaches the guest in hdr.ret.  When the struct itself lies outside guest
 * memory there is nowhere to put it: then *in_struct is set false and the
 * caller must deliver the returned value in the guest's rax instead.
 */
int64_t hc_dispatch(struct hc_table *t, struct hc_call *c, bool *in_struct);

#endif
