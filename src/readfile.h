/* readfile.h — read a whole file (or standard input) with a size limit. */
#ifndef ORDERGW_READFILE_H
#define ORDERGW_READFILE_H
#include <stddef.h>

/* 0 ok (caller frees *data_r; it is NUL-terminated), -1 with errno set:
 * ENOENT etc. from open, EFBIG past max. */
int read_file(const char *path, size_t max, unsigned char **data_r, size_t *len_r);

#endif
