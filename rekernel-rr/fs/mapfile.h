/*
 * Host files behind file mappings (fs/mapfile.c): what mmap of a
 * descriptor and the exec loader give mm (struct mapfile, mm/mm.h).
 */
#ifndef REKERNEL_FS_MAPFILE_H
#define REKERNEL_FS_MAPFILE_H

#include "mm/mm.h"

struct file;

#define MAPFILE_NAME_MAX 1024

/* A new mapfile on host file f (taking a reference), with name, or
 * unnamed (asked of the host when first needed) when name is NULL; NULL
 * when memory is out. */
struct mapfile *mapfile_new(struct file *f, const char *name);

/* The host file behind mf, a mapfile of mapfile_new (borrowed). */
struct file *mapfile_file(struct mapfile *mf);

#endif
