/* fsutil.h — small file-system helpers shared by the local sources/sinks. */
#ifndef ORDERGW_FSUTIL_H
#define ORDERGW_FSUTIL_H
#include <stdbool.h>
#include <stddef.h>

/* mkdir -p with mode 0700 for new folders; 0 ok, -1 with errno. */
int fs_mkdirs(const char *path);
/* Write data to dir/tmpname, fsync, rename to dir/final (atomic). */
int fs_write_atomic(const char *dir, const char *name, const void *data, size_t len);
/* Create (or truncate) path with data, fsynced; 0 ok, -1 with errno. */
int fs_write_file(const char *path, const void *data, size_t len);
/* fsync a directory so a rename in it is durable. */
int fs_sync_dir(const char *dir);
/* Read at most max bytes of a file; *truncated when the file was larger. */
int fs_read_limited(const char *path, size_t max, unsigned char **data_r, size_t *len_r,
		    bool *truncated, size_t *full_size);
/* Join a and b with one '/' into a new string (caller frees). */
char *fs_join(const char *a, const char *b);

#endif
