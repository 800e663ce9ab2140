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

#include <string.h>

void buf_init(struct buf *b, size_t max);
void buf_free(struct buf *b);
void buf_reset(struct buf *b);
int buf_add_slow(struct buf *b, const void *p, size_t n);

/* The common case (room left) inline: the JSON writer appends millions of
 * short pieces. */
static inline int buf_add(struct buf *b, const void *p, size_t n)
{
	if (b->cap > 0 && n < b->cap - b->len && b->len + n <= b->max) {
		memcpy(b->data + b->len, p, n);
		b->len += n;
		b->data[b->len] = '\0';
		return 0;
	}
	return buf_add_slow(b, p, n);
}
static inline int buf_adds(struct buf *b, const char *s) { return buf_add(b, s, strlen(s)); }
static inline int buf_addc(struct buf *b, char c) { return buf_add(b, &c, 1); }
/* Append a string literal without measuring it at run time. */
#define buf_addlit(b, lit) buf_add((b), (lit), sizeof(lit) - 1)
int buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Append s as a JSON string literal (with quotes); NULL gives null. */
int buf_add_json_str(struct buf *b, const char *s);
int buf_add_json_strn(struct buf *b, const char *s, size_t n);
/* Write s[0..n) quoted and escaped at o, which has room for 6n+2 bytes;
 * returns the end (no NUL added). */
char *buf_json_escape(char *o, const char *s, size_t n);
int buf_add_json_kv_slow(struct buf *b, const char *prefix, size_t pn, const char *s);
/* Append prefix (pn bytes, verbatim: a key such as ",\"city\":") and then s
 * as a JSON string or null, all or nothing.  Inline so that a literal
 * prefix is copied without a call. */
static inline int buf_add_json_kv(struct buf *b, const char *prefix, size_t pn, const char *s)
{
	size_t n = s != NULL ? strlen(s) : 0;
	size_t worst = pn + (s != NULL ? n * 6 + 2 : 4);
	if (b->cap > 0 && pn <= b->max && n <= b->max / 6 && worst < b->cap - b->len &&
	    b->len + worst <= b->max) {
		char *o = b->data + b->len;
		memcpy(o, prefix, pn);
		o += pn;
		if (s == NULL) {
			memcpy(o, "null", 4);
			o += 4;
		} else {
			o = buf_json_escape(o, s, n);
		}
		b->len = (size_t)(o - b->data);
		*o = '\0';
		return 0;
	}
	return buf_add_json_kv_slow(b, prefix, pn, s);
}
/* Take the data out; the buffer is empty afterwards.  Caller frees. */
char *buf_steal(struct buf *b, size_t *len_r);

#endif
