/*
 * The hypercall table and its dispatcher.  Each family of hypercalls lives
 * in its own hc_<family>.c and registers its numbers here at start-up.
 */
#ifndef RRV_VMM_HYPERCALL_H
#define RRV_VMM_HYPERCALL_H

#include <stdbool.h>
#include <stddef.h>
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
	 * order, declared through hc_in() and hc_out(): the outputs are what
	 * a recorder saves.  (The digest covers the inputs each descriptor
	 * declares, struct hc_input, which replay can read without running
	 * the handler.) */
	bool vm_stop; /* the tap asked to stop the VM */
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

/* For handlers: returns from the handler with expr's value when that is
 * an error (< 0); expr is evaluated once. */
#define HC_TRY(expr)                       \
	do {                               \
		int64_t err_ = (expr);     \
		if (err_ < 0)              \
			return err_;       \
	} while (0)

/* A host system call's result as the guest wants it: r, or -errno when r
 * is negative (so call it right after the host call). */
int64_t hc_sys(int64_t r);

enum hc_flags {
	/* Observers (logging): performed in replay too, never recorded. */
	HC_F_UNTRACED = 1u << 0,
	/* Only the first ret bytes of the output buffers are meaningful
	 * (read, getdents...): the recorder keeps just those. */
	HC_F_OUT_RET = 1u << 1,
	/* The call may wait for a long time (a read from a pipe, a sleep):
	 * the recorder writes out what it has first, so that a recording
	 * killed during the wait keeps everything before it. */
	HC_F_MAY_BLOCK = 1u << 2,
	/* The call may write to rrv's terminal (the program's output, the
	 * guest's log): a progress line is taken off first. */
	HC_F_TERMINAL = 1u << 3,
};

/*
 * An input buffer named by the argument struct, for the digest that replay
 * compares: the struct holds its guest-physical address at gpa_off and its
 * length (or, for an iovec array, its count) at len_off, len_size bytes
 * wide.  Declarative, so that replay can digest a call it does not run.
 */
enum hc_input_kind { HC_IN_NONE = 0, HC_IN_BYTES, HC_IN_IOVEC };
struct hc_input {
	uint8_t kind;
	uint8_t len_size; /* 4 or 8 */
	uint16_t gpa_off, len_off;
};
#define HC_INPUTS_MAX 2

/* The length a declared input gives itself in the argument struct s
 * (len_size bytes at len_off), as the dispatcher digests it. */
uint64_t hc_input_len(const uint8_t *s, const struct hc_input *in);

struct hc_desc {
	const char *name;
	uint32_t args_size; /* sizeof the argument struct */
	uint32_t flags;     /* enum hc_flags */
	hc_fn fn;
	struct hc_input in[HC_INPUTS_MAX];
	/* In replay, the part of the call that is not host input but the
	 * program's own effect (output to rrv's stdout, the exit): run after
	 * the recorded results are in place.  NULL for none. */
	hc_fn replay_fn;
};

/* A descriptor with no declared inputs and no replay action. */
#define HC_DESC(name_, type_, flags_, fn_) \
	{ .name = (name_), .args_size = sizeof(type_), .flags = (flags_), .fn = (fn_) }

/* Input-spec shorthands for descriptor tables. */
#define HC_IN_BUF(type, gpa, len) \
	{ HC_IN_BYTES, sizeof(((type *)0)->len), offsetof(type, gpa), offsetof(type, len) }
#define HC_IN_IOV(type, gpa, cnt) \
	{ HC_IN_IOVEC, sizeof(((type *)0)->cnt), offsetof(type, gpa), offsetof(type, cnt) }

/*
 * The tap between the dispatcher and the host: unset for rrv run, a
 * recorder for rrv record (which observes every traced call after it ran),
 * a replayer for rrv replay (which answers every traced call in place of
 * the host).  For a traced call, hc_dispatch() in order: copies the struct
 * (pre is it as the guest passed it), computes the digest of its inputs
 * once (the number, the struct with hdr.ret zeroed and the declared input
 * buffers: the value a trace stores and replay compares), has the call
 * answered (replayed, or before_call and the handler), writes the struct
 * back with its result, and only then calls recorded.  A tap returns 0, or
 * -1 to stop the VM (a divergence, a full disk); it sets vm->exit_code
 * then.
 */
struct hc_tap {
	int (*recorded)(void *ctx, struct hc_call *c, const struct hc_desc *d,
			const void *pre, uint64_t digest, int64_t ret);
	int (*replayed)(void *ctx, struct hc_call *c, const struct hc_desc *d,
			const void *pre, uint64_t digest, int64_t *ret);
	/* record: before a call is performed on the host (HC_F_MAY_BLOCK and
	 * HC_F_TERMINAL calls need something done first). */
	void (*before_call)(void *ctx, const struct hc_desc *d);
	void *ctx;
};

#define HC_ARGS_MAX 512u /* largest argument struct accepted */

struct hc_table {
	struct hc_desc slot[RRV_HC_PORT_COUNT];
	bool warned[RRV_HC_PORT_COUNT]; /* unknown number already logged */
	struct hc_tap tap;
	/* rrv debug's throwaway machine (a function gdb calls,
	 * debugger/call.c): while holding, no traced call reaches the tap,
	 * the host or the trace.  The dispatcher answers none (-EIO in the
	 * struct) and tells held, which pauses the loop; the debugger puts
	 * a snapshot back before the guest runs on. */
	bool holding;
	void (*held)(void *ctx, unsigned nr);
	void *held_ctx;
};

/* Registers d under nr.  Returns 0, -ERANGE for a number outside the port
 * window, -EINVAL for a malformed descriptor, -EEXIST for a taken slot. */
int hc_register(struct hc_table *t, unsigned nr, const struct hc_desc *d);

/* One row of a family's table: a number and what serves it. */
struct hc_entry {
	unsigned nr;
	struct hc_desc d;
};

/* Registers the n rows of a family's table in order; returns 0 or the
 * first error of hc_register. */
int hc_register_table(struct hc_table *t, const struct hc_entry *e, size_t n);
#define HC_REGISTER_TABLE(t, rows) \
	hc_register_table((t), (rows), sizeof(rows) / sizeof((rows)[0]))

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
