/* buf.h — growable byte buffer that is always given a maximum size.
 *
 * Appending past the maximum fails (-1) and leaves the buffer as it was;
 * the contents are always NUL-terminated so they can be used as a string.
 * Out-of-memory is fatal. */
#ifndef ORDERGW_BUF_H
#define ORDERGW_BUF_H
#include <stddef.h>

struct buf {
	char *data;
	size_t len, cap, max;
};

void buf_init(struct buf *b, size_t max);
void buf_free(struct buf *b);
void buf_reset(struct buf *b);
int buf_add(struct buf *b, const void *p, size_t n);
int buf_adds(struct buf *b, const char *s);
int buf_addc(struct buf *b, char c);
int buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Append s as a JSON string literal (with quotes); NULL gives null. */
int buf_add_json_str(struct buf *b, const char *s);
int buf_add_json_strn(struct buf *b, const char *s, size_t n);
/* Take the data out; the buffer is empty afterwards.  Caller frees. */
char *buf_steal(struct buf *b, size_t *len_r);

#endif
