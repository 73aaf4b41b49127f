/*
 * gdbstub/state.c: the process's state as the client reads and writes
 * it: registers (g, G, p, P), memory (m, M, X) and break- and
 * watchpoints (Z, z).  Lengths the client gives are bounded by the
 * session's buffers before the target sees them.
 */
#include <errno.h>
#include <string.h>

#include "regs.h"
#include "session.h"

/* The thread g and p mean: the Hg one, else the stopped one. */
static int regs_thread(struct gdbstub_session *s, struct gdb_regs *r, uint32_t *tid)
{
	*tid = session_thread(s, s->gtid);
	if (!*tid)
		return -ESRCH;
	memset(r, 0, sizeof(*r));
	return s->ops->get_regs(s->t, *tid, r);
}

int cmd_regs_g(struct gdbstub_session *s, const char *p, const char *end)
{
	struct gdb_regs r;
	uint32_t tid;
	if (p != end)
		return -EINVAL;
	int rc = regs_thread(s, &r, &tid);
	if (rc < 0)
		return rc;
	regs_encode_all(&r, &s->out);
	return 0;
}

int cmd_regs_G(struct gdbstub_session *s, const char *p, const char *end)
{
	struct gdb_regs r;
	uint32_t tid;
	int rc = regs_thread(s, &r, &tid);
	if (rc < 0)
		return rc;
	if ((rc = regs_decode_all(&r, p, end)) || (rc = s->ops->set_regs(s->t, tid, &r)))
		return rc;
	out_str(&s->out, "OK");
	return 0;
}

int cmd_regs_p(struct gdbstub_session *s, const char *p, const char *end)
{
	struct gdb_regs r;
	uint32_t tid;
	uint64_t n;
	if (!parse_hex(&p, end, &n) || p != end || n >= regs_count())
		return -EINVAL;
	int rc = regs_thread(s, &r, &tid);
	if (rc < 0)
		return rc;
	return regs_encode_one(&r, (unsigned)n, &s->out);
}

int cmd_regs_P(struct gdbstub_session *s, const char *p, const char *end)
{
	struct gdb_regs r;
	uint32_t tid;
	uint64_t n;
	if (!parse_hex_sep(&p, end, &n, '=') || n >= regs_count())
		return -EINVAL;
	int rc = regs_thread(s, &r, &tid);
	if (rc < 0)
		return rc;
	if ((rc = regs_decode_one(&r, (unsigned)n, p, end)) || (rc = s->ops->set_regs(s->t, tid, &r)))
		return rc;
	out_str(&s->out, "OK");
	return 0;
}

/* "addr,len" then sep (or the end when sep is 0); len is bounded by max. */
static int parse_range(const char **p, const char *end, char sep, size_t max,
		       uint64_t *addr, size_t *len)
{
	uint64_t l;
	if (!parse_hex_sep(p, end, addr, ','))
		return -EINVAL;
	if (sep ? !parse_hex_sep(p, end, &l, sep) : (!parse_hex(p, end, &l) || *p != end))
		return -EINVAL;
	if (l > max)
		return -EMSGSIZE;
	*len = (size_t)l;
	return 0;
}

/* m: a read may come back shorter than asked (an unmapped page), as the
 * protocol allows; none at all is an error. */
int cmd_mem_m(struct gdbstub_session *s, const char *p, const char *end)
{
	uint64_t addr, l;
	if (!parse_hex_sep(&p, end, &addr, ',') || !parse_hex(&p, end, &l) || p != end || l == 0)
		return -EINVAL;
	/* gdb asks for no more than a packet's worth; a larger request is
	 * answered as far as one reply holds (the protocol allows short). */
	size_t len = l > (GDB_REPLY_MAX - 1) / 2 ? (GDB_REPLY_MAX - 1) / 2 : (size_t)l;
	if (len > sizeof(s->scratch))
		len = sizeof(s->scratch);
	ssize_t n = s->ops->read_mem(s->t, addr, s->scratch, len);
	if (n < 0)
		return (int)n;
	if (n == 0 || (size_t)n > len)
		return -EFAULT;
	out_hex(&s->out, s->scratch, (size_t)n);
	return 0;
}

/* Writes s->scratch's first len bytes; a short write is an error (the
 * protocol has no partial M or X).  Nothing to write is done at once. */
static int write_all(struct gdbstub_session *s, uint64_t addr, size_t len)
{
	ssize_t n = len ? s->ops->write_mem(s->t, addr, s->scratch, len) : 0;
	if (n < 0)
		return (int)n;
	if ((size_t)n != len)
		return -EFAULT;
	out_str(&s->out, "OK");
	return 0;
}

int cmd_mem_M(struct gdbstub_session *s, const char *p, const char *end)
{
	uint64_t addr;
	size_t len;
	int rc = parse_range(&p, end, ':', sizeof(s->scratch), &addr, &len);
	if (rc)
		return rc;
	if ((size_t)(end - p) != 2 * len || !hex_decode(p, 2 * len, s->scratch))
		return -EINVAL;
	return write_all(s, addr, len);
}

/* X: binary data, escaped; "X addr,0:" is gdb's probe for X. */
int cmd_mem_X(struct gdbstub_session *s, const char *p, const char *end)
{
	uint64_t addr;
	size_t len;
	int rc = parse_range(&p, end, ':', sizeof(s->scratch), &addr, &len);
	if (rc)
		return rc;
	long n = unescape_binary(p, end, s->scratch, sizeof(s->scratch));
	if (n < 0 || (size_t)n != len)
		return -EINVAL;
	return write_all(s, addr, len);
}

/* Z/z TYPE,ADDR,KIND.  Conditions and commands (";X...") are not
 * offered: gdb evaluates conditions itself. */
static int point(struct gdbstub_session *s, const char *p, const char *end, bool insert)
{
	uint64_t type, addr, kind;
	if (!parse_hex_sep(&p, end, &type, ',') || !parse_hex_sep(&p, end, &addr, ',') ||
	    !parse_hex(&p, end, &kind) || p != end)
		return -EINVAL;
	if (type > GDB_POINT_ACCESS)
		return 0; /* a kind not offered: the empty reply */
	if (kind == 0 || kind > 0x10000)
		return -EINVAL;
	int rc = insert ? s->ops->insert_point(s->t, (enum gdb_point_type)type, addr, (int)kind)
			: s->ops->remove_point(s->t, (enum gdb_point_type)type, addr, (int)kind);
	if (rc == -EOPNOTSUPP || rc == -ENOSYS)
		return 0; /* the target does not do this type: unsupported */
	if (rc < 0)
		return rc;
	out_str(&s->out, "OK");
	return 0;
}

int cmd_point_Z(struct gdbstub_session *s, const char *p, const char *end)
{
	return point(s, p, end, true);
}

int cmd_point_z(struct gdbstub_session *s, const char *p, const char *end)
{
	return point(s, p, end, false);
}
