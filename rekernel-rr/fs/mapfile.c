/*
 * The files behind file mappings (contracts in fs/mapfile.h and mm/mm.h).  A mapping holds a
 * reference to the open file, as in Linux, so closing the descriptor
 * after mmap keeps the mapping's pages readable.  Every byte moves through
 * the READ and WRITE hypercalls at an explicit offset (pread/pwrite), so
 * the file position the program sees is untouched and a recording holds
 * each page the program touched.
 */
#include "fs/mapfile.h"

#include <rrv/hypercall.h>

#include "fs/file.h"
#include "hv/hypercall.h"
#include "lib/kprintf.h"
#include "lib/string.h"
#include "mm/kalloc.h"
#include "uapi/errno.h"

/* A mapping's host file, with the name /proc/self/maps shows.  The name
 * is asked of the host the first time it is needed when the mapping was
 * made from a descriptor. */
struct hostmap {
	struct mapfile mf; /* first: the mapfile is the hostmap */
	struct file *file; /* a host file, with a reference of its own */
	bool named;        /* name is known */
	char name[];       /* NUL-terminated, at most MAPFILE_NAME_MAX */
};

static struct hostmap *hostmap(struct mapfile *m)
{
	return (struct hostmap *)m;
}

static void hostmap_release(struct mapfile *m)
{
	file_put(hostmap(m)->file);
	kfree(m);
}

static const char *hostmap_name(struct mapfile *m)
{
	struct hostmap *mf = hostmap(m);
	if (mf->named)
		return mf->name;
	struct rrv_hc_fdpath a;
	memset(&a, 0, sizeof(a));
	a.handle = (uint32_t)mf->file->handle;
	a.buf = virt_to_phys(mf->name);
	a.len = MAPFILE_NAME_MAX;
	int64_t n = hc_call(RRV_HC_FDPATH, &a);
	mf->name[n > 0 ? n : 0] = '\0';
	mf->named = true;
	return mf->name;
}

static uint64_t hostmap_read(struct mapfile *m, void *page, uint64_t n, uint64_t off)
{
	struct hostmap *mf = hostmap(m);
	/* A read error leaves zeros; Linux would raise SIGBUS, which a file
	 * that was readable at mmap time practically never gives. */
	uint64_t done = 0;
	while (done < n) {
		int64_t r = file_kread(mf->file, (char *)page + done, n - done,
				       (int64_t)(off + done));
		if (r <= 0)
			break;
		done += (uint64_t)r;
	}
	return done;
}

static void hostmap_write(struct mapfile *m, const void *page, uint64_t n, uint64_t off)
{
	struct hostmap *mf = hostmap(m);
	struct rrv_stat st;
	if (mf->file->ops->stat(mf->file, &st) < 0 || st.st_size <= 0 ||
	    off >= (uint64_t)st.st_size)
		return;
	if (n > (uint64_t)st.st_size - off)
		n = (uint64_t)st.st_size - off;
	struct rrv_hc_iovec iov = { virt_to_phys(page), n };
	struct rrv_hc_write w;
	memset(&w, 0, sizeof(w));
	w.handle = (uint32_t)mf->file->handle;
	w.iovcnt = 1;
	w.iov = virt_to_phys(&iov);
	w.offset = (int64_t)off;
	w.at_offset = 1;
	int64_t r = hc_call(RRV_HC_WRITE, &w);
	if (r != (int64_t)n)
		kwarn("mapfile: writing back %s at %lu gave %ld\n", hostmap_name(m), off, r);
}

static const struct mapfile_ops hostmap_ops = {
	.read = hostmap_read,
	.write = hostmap_write,
	.name = hostmap_name,
	.release = hostmap_release,
};

struct mapfile *mapfile_new(struct file *f, const char *name)
{
	size_t len = name ? strlen(name) : 0;
	if (len > MAPFILE_NAME_MAX)
		len = MAPFILE_NAME_MAX;
	struct hostmap *mf = kmalloc(sizeof(*mf) + MAPFILE_NAME_MAX + 1);
	if (!mf)
		return NULL;
	mf->mf.ops = &hostmap_ops;
	mf->mf.refs = 1;
	mf->file = f;
	file_get(f);
	mf->named = false;
	if (name) {
		memcpy(mf->name, name, len);
		mf->name[len] = '\0';
		mf->named = true;
	}
	return &mf->mf;
}

struct file *mapfile_file(struct mapfile *m)
{
	return hostmap(m)->file;
}
