/*
 * gdbstub/xfer.c: qXfer:OBJECT:read:ANNEX:OFFSET,LENGTH.  The stub
 * writes two objects itself, the target description (features) and the
 * thread list (threads), whole, then sends the asked slice; the others
 * (auxv, exec-file, libraries-svr4) are the target's.  Writes are not
 * offered.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "regs.h"
#include "session.h"

/* The documents the stub writes itself are rebuilt for each slice (a
 * thread list may change between two of gdb's reads; the description
 * never does); this bounds them. */
#define XFER_DOC_MAX (256 * 1024)

struct xfer_req {
	char object[32];
	char annex[256];
	uint64_t off, len;
};

/* Sends [off, off+len) of doc: 'm' and the bytes if more follow, 'l'
 * with the last ones. */
static int send_slice(struct gdbstub_session *s, const char *doc, size_t doclen,
		      const struct xfer_req *rq)
{
	out_str(&s->out, "l");
	if (rq->off >= doclen)
		return 0;
	size_t want = doclen - rq->off;
	if (want > rq->len)
		want = rq->len;
	size_t sent = out_binary(&s->out, doc + rq->off, want);
	if (rq->off + sent < doclen)
		s->out.buf[0] = 'm';
	return 0;
}

static int xfer_doc(struct gdbstub_session *s, const struct xfer_req *rq,
		    void (*write)(struct gdbstub_session *, struct gdb_out *))
{
	struct gdb_out doc = { .buf = malloc(XFER_DOC_MAX), .cap = XFER_DOC_MAX };
	if (!doc.buf)
		return -ENOMEM;
	write(s, &doc);
	int rc = doc.overflow ? -E2BIG : send_slice(s, doc.buf, doc.len, rq);
	free(doc.buf);
	return rc;
}

static void write_features(struct gdbstub_session *s, struct gdb_out *o)
{
	(void)s;
	regs_target_xml(o);
}

static int xfer_features(struct gdbstub_session *s, const struct xfer_req *rq)
{
	if (strcmp(rq->annex, "target.xml") != 0)
		return -ENOENT; /* everything is in target.xml: no includes */
	return xfer_doc(s, rq, write_features);
}

static int xfer_threads(struct gdbstub_session *s, const struct xfer_req *rq)
{
	if (rq->annex[0])
		return -EINVAL;
	return xfer_doc(s, rq, out_threads_xml);
}

static int xfer_target(struct gdbstub_session *s, const struct xfer_req *rq)
{
	/* Escaping may double the bytes: ask for no more than fits. */
	size_t len = rq->len;
	if (!s->ops->xfer)
		return -ENOENT;
	if (len > (GDB_REPLY_MAX - 1) / 2)
		len = (GDB_REPLY_MAX - 1) / 2;
	if (len > sizeof(s->scratch))
		len = sizeof(s->scratch);
	ssize_t n = s->ops->xfer(s->t, rq->object, rq->annex, rq->off, s->scratch, len);
	if (n < 0)
		return (int)n;
	if ((size_t)n > len)
		return -EIO; /* the target overran what it was given */
	out_str(&s->out, n ? "m" : "l");
	out_binary(&s->out, s->scratch, (size_t)n);
	return 0;
}

static const struct {
	const char *object;
	int (*read)(struct gdbstub_session *, const struct xfer_req *);
} objects[] = {
	{ "features", xfer_features },
	{ "threads", xfer_threads },
	{ "auxv", xfer_target },
	{ "exec-file", xfer_target },
	{ "libraries-svr4", xfer_target },
};

/* Copies [*p, up to sep) into out (a NUL-terminated string of less than
 * cap bytes) and moves past sep. */
static bool take_field(const char **p, const char *end, char sep, char *out, size_t cap)
{
	const char *q = memchr(*p, sep, (size_t)(end - *p));
	if (!q || (size_t)(q - *p) >= cap)
		return false;
	memcpy(out, *p, (size_t)(q - *p));
	out[q - *p] = '\0';
	if (strlen(out) != (size_t)(q - *p))
		return false; /* a NUL inside */
	*p = q + 1;
	return true;
}

int cmd_xfer(struct gdbstub_session *s, const char *p, const char *end)
{
	struct xfer_req rq;
	char op[8];
	if (p == end || *p++ != ':')
		return -EINVAL;
	if (!take_field(&p, end, ':', rq.object, sizeof(rq.object)) ||
	    !take_field(&p, end, ':', op, sizeof(op)))
		return -EINVAL;
	if (strcmp(op, "read") != 0)
		return 0; /* qXfer writes: unsupported, the empty reply */
	if (!take_field(&p, end, ':', rq.annex, sizeof(rq.annex)) ||
	    !parse_hex_sep(&p, end, &rq.off, ',') || !parse_hex(&p, end, &rq.len) || p != end)
		return -EINVAL;
	for (size_t i = 0; i < sizeof(objects) / sizeof(objects[0]); i++)
		if (strcmp(objects[i].object, rq.object) == 0)
			return objects[i].read(s, &rq);
	return 0; /* an object not offered */
}
