/*
 * librrvtrace: reading and writing .rrv trace files.
 *
 * The on-disk format is specified in docs/trace-format.md.  In short: a
 * fixed file header and a checksummed list of header fields (the kernel
 * image, CPUID profile, argv, ...), then the event stream in independently
 * decodable zstd chunks, each with its own checksum, then a footer (exit
 * status, counts, an index of chunks) and a fixed trailer that points at
 * the footer.  A file cut short keeps every complete chunk readable.
 *
 * Conventions: every public name starts with rrv_trace_; contexts are
 * opaque with create/free pairs (free accepts NULL); functions that can
 * fail return an int that is >= 0 on success and a negative
 * enum rrv_trace_error otherwise, tested with rrv_trace_is_error() and
 * named with rrv_trace_strerror().  Error numbers never change once
 * published.
 */
#ifndef RRV_TRACE_H
#define RRV_TRACE_H

#include <stddef.h>
#include <stdint.h>

#define RRV_TRACE_MAJOR 2 /* written; a reader reads 1.x and 2.x, refuses newer */
#define RRV_TRACE_MINOR 2 /* additions a reader of the same major may skip;
			     2.1: input copies (RRV_TRACE_INPUT_BIT) and
			     the INTERRUPTED footer field; 2.2: PACKED_FILE
			     header fields (rrv pack) */

/* Format 2.0 stores each distinct block of range data once: ranges of at
 * least a block are cut into blocks of this size, and a block seen
 * before is written as its number (docs/trace-format.md).  The API hides
 * it: readers get every range whole. */
#define RRV_TRACE_BLOCK_SIZE 4096u
enum rrv_range_encoding { RRV_RANGE_LITERAL = 0, RRV_RANGE_BLOCKS = 1 };

enum rrv_trace_error {
	RRV_TRACE_OK = 0,
	RRV_TRACE_E_IO = -1,          /* read/write/open failed: see errno */
	RRV_TRACE_E_NOT_TRACE = -2,   /* no rrv magic at the start */
	RRV_TRACE_E_VERSION = -3,     /* a newer major format version */
	RRV_TRACE_E_ARCH = -4,        /* recorded for another architecture */
	RRV_TRACE_E_TRUNCATED = -5,   /* the file ends early (events before
					 this point are valid) */
	RRV_TRACE_E_CHECKSUM = -6,    /* a checksum does not match: corrupt */
	RRV_TRACE_E_CORRUPT = -7,     /* checksums match but contents are
					 malformed */
	RRV_TRACE_E_NOMEM = -8,
	RRV_TRACE_E_NOSPACE = -9,     /* the disk is full */
	RRV_TRACE_E_TOO_BIG = -10,    /* a field or event over the limits */
	RRV_TRACE_E_STATE = -11,      /* call out of order (API misuse) */
	RRV_TRACE_E_COMPRESS = -12,   /* zstd failed */
	RRV_TRACE_E_NOT_FILE = -13,   /* a directory or device, not a trace
					 file (errno EISDIR or ENODEV) */
	RRV_TRACE_E_FOOTER = -14,     /* the footer is damaged or disagrees
					 with the chunks; every event before
					 it was intact */
};

static inline int rrv_trace_is_error(int r) { return r < 0; }
const char *rrv_trace_strerror(int err);

/* ---------------------------------------------------------------- fields
 * The header and the footer are lists of tagged fields.  Tags are
 * published numbers (docs/trace-format.md); readers skip tags they do not
 * know, which is how minor versions add information. */
enum rrv_trace_tag {
	/* header */
	RRV_TAG_RRV_VERSION = 1,   /* string: the rrv that recorded */
	RRV_TAG_KERNEL_IMAGE = 2,  /* bytes: the guest kernel ELF */
	RRV_TAG_CPUID = 3,         /* bytes: the CPUID profile */
	RRV_TAG_ARGV = 4,          /* NUL-terminated strings */
	RRV_TAG_ENVP = 5,          /* NUL-terminated strings */
	RRV_TAG_CWD = 6,           /* string */
	RRV_TAG_EXEC_PATH = 7,     /* string: the program as given */
	RRV_TAG_HOST = 8,          /* "key=value\n" lines: host facts */
	RRV_TAG_MEM_BYTES = 9,     /* u64: guest memory */
	RRV_TAG_CMDLINE = 10,      /* string: guest kernel command line */
	RRV_TAG_START_TIME = 11,   /* u64: seconds since the epoch */
	RRV_TAG_PREEMPT_METHOD = 12, /* string: how async preemption points
					are found (threads) */
	RRV_TAG_CHAOS_SEED = 13,   /* u64: --chaos seed, when used */
	RRV_TAG_PROGRAM_IMAGE = 14, /* bytes: the program's ELF, for symbols
				       and backtraces in reports */
	RRV_TAG_PROGRAM_BLOCKS = 15, /* 2.0, in the file only: PROGRAM_IMAGE
					stored as blocks; readers present it
					as PROGRAM_IMAGE */
	/* header, added by rrv pack (2.2; 71 stays reserved for packing) */
	RRV_TAG_PACKED_FILE = 70,  /* one whole file the program mapped, for a
				      debugger on another machine (below) */
	/* footer */
	RRV_TAG_EXIT_HOW = 64,     /* u64: enum rrv_exit_how */
	RRV_TAG_EXIT_STATUS = 65,  /* u64 (signed): status or signal */
	RRV_TAG_EVENT_COUNT = 66,  /* u64 */
	RRV_TAG_INDEX = 67,        /* pairs of u64: chunk offset, first event */
	RRV_TAG_EXIT_CODE = 68,    /* u64: rrv's own exit status */
	RRV_TAG_INTERRUPTED = 69,  /* 2.1, u64: the signal to rrv that ended
				      the recording at once (SIGTERM, a second
				      SIGINT...); the events before it are
				      whole, and EXIT_HOW is 3 */
};

struct rrv_trace_field {
	uint32_t tag;
	uint32_t len;
	const uint8_t *data;
};

struct rrv_trace_fields; /* an opaque, growable list */

struct rrv_trace_fields *rrv_trace_fields_create(void);
void rrv_trace_fields_free(struct rrv_trace_fields *f);
/* Adds a copy of data.  Returns 0 or an error. */
int rrv_trace_fields_add(struct rrv_trace_fields *f, uint32_t tag,
			 const void *data, size_t len);
int rrv_trace_fields_add_u64(struct rrv_trace_fields *f, uint32_t tag, uint64_t v);
int rrv_trace_fields_add_str(struct rrv_trace_fields *f, uint32_t tag, const char *s);
/* The first field with tag, or NULL. */
const struct rrv_trace_field *rrv_trace_fields_get(const struct rrv_trace_fields *f,
						   uint32_t tag);
/* Reads a u64 field; returns 0 and *v, or -1 when absent or malformed. */
int rrv_trace_fields_u64(const struct rrv_trace_fields *f, uint32_t tag, uint64_t *v);
size_t rrv_trace_fields_count(const struct rrv_trace_fields *f);
const struct rrv_trace_field *rrv_trace_fields_at(const struct rrv_trace_fields *f,
						  size_t i);

/* ---------------------------------------------------------- packed files
 * A PACKED_FILE field (2.2) holds one file's whole content, stored once
 * per distinct content with every path the program reached it by:
 *   8 bytes   the content's digest (rrv_digest of <rrv/digest.h>)
 *   varint    size: the content's bytes, at most RRV_TRACE_PACKED_MAX
 *   varint    paths_len, then paths_len bytes: NUL-terminated absolute
 *             paths back to back (at least one)
 *   the rest  one zstd frame of the content
 * docs/trace-format.md specifies it; rrv pack writes them, rrv debug
 * serves them to gdb. */
#define RRV_TRACE_PACKED_MAX (1ull << 30)

struct rrv_trace_packed {
	uint64_t digest;
	uint64_t size;
	const char *paths;   /* into the field: NUL-terminated, back to back */
	size_t paths_len;
	const uint8_t *zdata; /* the zstd frame, into the field */
	size_t zlen;
};

/* Parses a PACKED_FILE field (pointers into it).  0, or
 * RRV_TRACE_E_CORRUPT for a malformed one. */
int rrv_trace_packed_parse(const struct rrv_trace_field *f, struct rrv_trace_packed *p);
/* The path after prev (NULL: the first), or NULL after the last. */
const char *rrv_trace_packed_next_path(const struct rrv_trace_packed *p, const char *prev);
/* 1 when path is one of p's, else 0. */
int rrv_trace_packed_has_path(const struct rrv_trace_packed *p, const char *path);
/* Decompresses the content into out (p->size bytes) and checks it against
 * the digest: 0, or RRV_TRACE_E_CORRUPT / _CHECKSUM. */
int rrv_trace_packed_read(const struct rrv_trace_packed *p, void *out);
/* Appends a PACKED_FILE field for len bytes of data reached by the paths
 * (paths_len bytes of NUL-terminated strings) to f, compressing them.
 * RRV_TRACE_E_TOO_BIG over the limits. */
int rrv_trace_packed_add(struct rrv_trace_fields *f, const char *paths, size_t paths_len,
			 const void *data, size_t len);

/* Copies the trace at path to out_fd with the fields of add appended to
 * its header: the events byte for byte, the footer's index moved with
 * them, the version raised to this library's minor.  A trace cut short
 * stays cut short.  Refuses 1.x traces (RRV_TRACE_E_VERSION: their header
 * cannot be rewritten for a 2.x reader).  0, or an error
 * (RRV_TRACE_E_NOSPACE for a full disk; out_fd is then partly written). */
int rrv_trace_rewrite(const char *path, int out_fd, const struct rrv_trace_fields *add);

/* ---------------------------------------------------------------- events */
enum rrv_trace_event_type {
	RRV_EV_HYPERCALL = 1, /* a hypercall and what it gave the guest */
	RRV_EV_SWITCH = 2,    /* the scheduler switched threads (threads) */
	RRV_EV_PREEMPT = 3,   /* an asynchronous preemption point (threads) */
	RRV_EV_TIMER = 4,     /* a timeslice expiry seen at a sched point */
	RRV_EV_SIGNAL = 5,    /* an asynchronous signal delivered */
	RRV_EV_MAX
};

/* A piece of guest-physical memory the VMM filled. */
struct rrv_trace_range {
	uint64_t gpa;
	uint64_t len;
	const uint8_t *data;
};

/*
 * Since 2.1: a HYPERCALL range whose gpa has bit 63 set is no memory the
 * VMM filled but a copy of one of the call's inputs, kept for reports
 * (rrv dump: an openat's path, the first bytes a write wrote).  Its other
 * gpa bits hold the input's whole length, its len the bytes kept (fewer
 * when the input was longer).  Replay never writes it; the input digest
 * checks the inputs already.  Such ranges follow the filled ones.
 */
#define RRV_TRACE_INPUT_BIT (1ull << 63)
static inline int rrv_trace_range_is_input(const struct rrv_trace_range *r)
{
	return (r->gpa & RRV_TRACE_INPUT_BIT) != 0;
}
static inline uint64_t rrv_trace_input_len(const struct rrv_trace_range *r)
{
	return r->gpa & ~RRV_TRACE_INPUT_BIT;
}

#define RRV_TRACE_RANGES_MAX 256
#define RRV_TRACE_EVENT_MAX (64u << 20) /* bytes of data in one event */

struct rrv_trace_event {
	uint32_t type;   /* enum rrv_trace_event_type */
	uint32_t nr;     /* HYPERCALL: its number */
	uint32_t tid;    /* the guest thread it concerns */
	uint64_t digest; /* HYPERCALL: digest of the inputs (rrv_digest()
			    of <rrv/digest.h>); PREEMPT: of the thread's
			    registers and stack */
	int64_t ret;     /* HYPERCALL: the result */
	uint64_t rip;    /* PREEMPT, SIGNAL: where */
	uint64_t count;  /* PREEMPT, TIMER: scheduling point or branch count */
	uint32_t nranges;
	const struct rrv_trace_range *ranges;
};

/* ---------------------------------------------------------------- writer */
struct rrv_trace_writer;

/*
 * Starts a trace on fd (which the writer does not close) with the given
 * header fields.  Events are buffered into chunks of about chunk_bytes
 * (0 for the default, 256 KiB) before being compressed and written.
 */
int rrv_trace_writer_create(struct rrv_trace_writer **out, int fd,
			    const struct rrv_trace_fields *header,
			    size_t chunk_bytes);
int rrv_trace_writer_add(struct rrv_trace_writer *w, const struct rrv_trace_event *e);
/* Writes the buffered events as a chunk now (e.g. before blocking). */
int rrv_trace_writer_flush(struct rrv_trace_writer *w);
/* Flushes, then writes the footer (with the index and event count added
 * to the caller's fields) and the trailer.  No events may follow. */
int rrv_trace_writer_finish(struct rrv_trace_writer *w,
			    const struct rrv_trace_fields *footer);
uint64_t rrv_trace_writer_events(const struct rrv_trace_writer *w);
uint64_t rrv_trace_writer_bytes(const struct rrv_trace_writer *w);
/* What a reader will get from the file: the events of the chunks written
 * whole, and the bytes up to the end of the last one (or of the header).
 * After a failed write the file is cut back to those bytes where it can
 * be, so that no torn chunk is left; 0 and 0 when not even the header
 * was written. */
uint64_t rrv_trace_writer_kept_events(const struct rrv_trace_writer *w);
uint64_t rrv_trace_writer_kept_bytes(const struct rrv_trace_writer *w);
/* Range bytes written as references to earlier blocks, not stored again. */
uint64_t rrv_trace_writer_dedup_bytes(const struct rrv_trace_writer *w);
/* Deduplication is on by default; off writes every block anew (still
 * format 2.0), for measuring what it saves. */
void rrv_trace_writer_set_dedup(struct rrv_trace_writer *w, int on);
void rrv_trace_writer_free(struct rrv_trace_writer *w);

/* ---------------------------------------------------------------- reader */
struct rrv_trace_reader;

/* Opens a trace file (mapped, not read in).  Checks the file header and
 * the header fields; the events are checked as they are read. */
int rrv_trace_reader_open(struct rrv_trace_reader **out, const char *path);
/* The same over a buffer that must outlive the reader. */
int rrv_trace_reader_open_mem(struct rrv_trace_reader **out, const void *buf,
			      size_t len);
void rrv_trace_reader_free(struct rrv_trace_reader *r);

const struct rrv_trace_fields *rrv_trace_reader_header(const struct rrv_trace_reader *r);
/* The footer, or NULL when the trace has none (it was cut short). */
const struct rrv_trace_fields *rrv_trace_reader_footer(const struct rrv_trace_reader *r);
/* The format version the file declares. */
void rrv_trace_reader_version(const struct rrv_trace_reader *r, unsigned *major,
			      unsigned *minor);

/*
 * The next event.  Returns 1 with *e filled (its pointers valid until the
 * next call), 0 at the clean end of a complete trace, or an error:
 * RRV_TRACE_E_TRUNCATED when the file ends before its footer (every event
 * returned so far was intact), RRV_TRACE_E_CHECKSUM or _CORRUPT for a
 * damaged chunk (no event of that chunk is returned), RRV_TRACE_E_FOOTER
 * after the last chunk when the footer is there but damaged, or counts
 * other events than the chunks hold (every event was returned).
 */
int rrv_trace_reader_next(struct rrv_trace_reader *r, struct rrv_trace_event *e);
/* Index of the next event to be returned; chunk and byte offset of the
 * last problem, for messages. */
uint64_t rrv_trace_reader_position(const struct rrv_trace_reader *r);
uint64_t rrv_trace_reader_error_offset(const struct rrv_trace_reader *r);

/*
 * A place in the event stream to come back to (checkpoints of rrv debug):
 * the chunk holding the next event and how many of its events were
 * returned.  Filled by tell; its fields are the reader's own business.
 */
struct rrv_trace_mark {
	uint64_t chunk_off;  /* the chunk's byte offset */
	uint64_t first;      /* index of its first event */
	uint64_t events;     /* index of the next event */
	uint32_t seq;        /* its sequence number */
};
void rrv_trace_reader_tell(const struct rrv_trace_reader *r, struct rrv_trace_mark *m);
/*
 * Goes back (or forward) to a mark that tell gave for this reader: the
 * next event returned is the one that followed the mark.  Only a place
 * the reader has already reached can be a mark, so its chunks were
 * checked once; they are checked again as they are reloaded.  Clears an
 * error seen after the mark.  Returns 0 or an error (RRV_TRACE_E_STATE
 * for a mark this reader never gave).
 */
int rrv_trace_reader_seek(struct rrv_trace_reader *r, const struct rrv_trace_mark *m);

#endif
