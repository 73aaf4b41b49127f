/* The checked guest-physical to host translation (see guest_mem.h). */
#include "guest_mem.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

void *guest_mem_at(struct guest_mem *gm, rrv_gpa_t gpa, uint64_t len,
		   const char *file, int line)
{
	/* Written as two comparisons so that gpa + len cannot wrap. */
	if (gpa > gm->size || len > gm->size - gpa) {
		gm->refused++;
		if (getenv("RRV_DEBUG"))
			fprintf(stderr,
				"rrv: debug: refused guest range 0x%" PRIx64
				"+0x%" PRIx64 " (memory is 0x%" PRIx64
				" bytes) at %s:%d\n",
				gpa, len, gm->size, file, line);
		return NULL;
	}
	if (gm->dirty && len) {
		for (uint64_t pg = gpa >> GUEST_PAGE_SHIFT,
			      last = (gpa + len - 1) >> GUEST_PAGE_SHIFT; pg <= last; pg++)
			gm->dirty[pg / 64] |= 1ull << (pg % 64);
	}
	return gm->host + gpa;
}

int guest_mem_track(struct guest_mem *gm)
{
	size_t words = GUEST_BITMAP_WORDS(gm->size);
	if (!gm->dirty) {
		gm->dirty = malloc(words * sizeof(uint64_t));
		if (!gm->dirty)
			return -ENOMEM;
	}
	/* Called on fresh memory, before the kernel is loaded: every page
	 * is zero until something writes it. */
	memset(gm->dirty, 0, words * sizeof(uint64_t));
	return 0;
}

int guest_mem_alloc(struct guest_mem *gm, uint64_t size)
{
	/* NORESERVE: the guest touches only what it uses, and untouched
	 * pages read as zero, which keeps fresh memory deterministic. */
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return -errno;
	gm->host = p;
	gm->size = size;
	gm->refused = 0;
	gm->dirty = NULL;
	return 0;
}

void guest_mem_free(struct guest_mem *gm)
{
	if (gm->host)
		munmap(gm->host, gm->size);
	free(gm->dirty);
	gm->dirty = NULL;
	gm->host = NULL;
	gm->size = 0;
}
