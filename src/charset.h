/* charset.h — bytes in a labelled charset to UTF-8, best effort.
 *
 * Mail lies about charsets.  These functions never fail on the input: a
 * known label goes through iconv with invalid sequences replaced by U+FFFD;
 * an unknown, missing or wrong label falls back to UTF-8 when the bytes are
 * valid UTF-8, else to windows-1252 (GB18030 for a Chinese-looking label).
 * Whenever the result is a guess or lost bytes, *note_r says so (a static
 * English sentence fragment; the caller adds the place and the label).
 * NUL characters are dropped and a leading byte-order mark is removed, so
 * the output is always a valid C string of valid UTF-8.
 * The only failure is the output buffer's maximum (-1). */
#ifndef ORDERGW_CHARSET_H
#define ORDERGW_CHARSET_H
#include <stdbool.h>
#include <stddef.h>
#include "buf.h"

/* Append the UTF-8 text of `in` to `out`.  `label` may be NULL (none given).
 * Returns 0 clean, 1 converted with *note_r set, -1 `out` is full (what was
 * appended so far stays).  note_r may be NULL. */
int charset_to_utf8(const char *label, const void *in, size_t len,
		    struct buf *out, const char **note_r);

/* The iconv name used for a label ("GB18030" for "x-gbk"); NULL when the
 * label is unknown.  For tests and diagnostics. */
const char *charset_canonical(const char *label);

/* True when [s, s+len) is well-formed UTF-8 (no overlongs, surrogates or
 * code points past U+10FFFF).  NUL bytes count as valid here. */
bool charset_utf8_valid(const void *s, size_t len);

/* Append `in` to `out` with every invalid byte replaced by U+FFFD and NUL
 * bytes dropped.  Returns how many bytes were replaced or dropped, -1 when
 * `out` is full. */
long charset_utf8_sanitize(const void *in, size_t len, struct buf *out);

/* Malloc'd sanitized copy (never NULL; out-of-memory is fatal).  Output is
 * capped at max bytes (cut at a character boundary). */
char *charset_utf8_dup(const void *in, size_t len, size_t max);

#endif
