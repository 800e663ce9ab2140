/* readfile.h — read a whole file (or standard input) with a size limit. */
#ifndef ORDERGW_READFILE_H
#define ORDERGW_READFILE_H
#include <stdbool.h>
#include <stddef.h>

/* 0 ok (caller frees *data_r; it is NUL-terminated), -1 with errno set:
 * ENOENT etc. from open, EFBIG past max. */
int read_file(const char *path, size_t max, unsigned char **data_r, size_t *len_r);

/* Like read_file, but a regular file of OG_MAP_MIN_BYTES (limits.h) or
 * more is mapped instead of copied (no copy, no fresh pages to fault in: a
 * tenth of `ordergw parse` of a 10 MB file was read(2)).  The mapping is
 * private and read-only and still ends in a NUL (the bytes past the end of
 * a file in its last page are zero; a file whose size is a whole number of
 * pages is read instead).  A file truncated by someone else while it is
 * mapped ends the process with SIGBUS, so only the command-line tools use
 * this, never the daemon.  Release with file_release(data, len, mapped). */
int file_map(const char *path, size_t max, unsigned char **data_r, size_t *len_r, bool *mapped_r);
void file_release(unsigned char *data, size_t len, bool mapped);

#endif
