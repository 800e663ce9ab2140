/* buf.c — bounded growable buffer (see buf.h). */
#include "buf.h"
#include "log.h"
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void buf_init(struct buf *b, size_t max)
{
	b->data = NULL;
	b->len = b->cap = 0;
	b->max = max;
}

void buf_free(struct buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

void buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->data != NULL)
		b->data[0] = '\0';
}

int buf_reserve(struct buf *b, size_t n)
{
	if (n > b->max || b->len > b->max - n)
		return -1;
	size_t need = b->len + n + 1;
	if (need <= b->cap)
		return 0;
	size_t cap = b->cap ? b->cap : 256;
	while (cap < need)
		cap *= 2;
	char *p = realloc(b->data, cap);
	if (p == NULL)
		fatal("out of memory (buffer of %zu bytes)", cap);
	b->data = p;
	b->cap = cap;
	return 0;
}

int buf_add_slow(struct buf *b, const void *p, size_t n)
{
	if (buf_reserve(b, n) < 0)
		return -1;
	if (n > 0)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}


int buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || buf_reserve(b, (size_t)n) < 0)
		return -1;
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 0;
}

/* Bytes that JSON needs escaped: control characters, '"' and '\\'. */
static const unsigned char json_esc[256] = {
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	['"'] = 1, ['\\'] = 1,
};

/* The careful way, one byte at a time from s[i]. */
static char *escape_bytes(char *o, const unsigned char *u, size_t i, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	while (i < n) {
		unsigned char c = u[i++];
		if (!json_esc[c]) {
			*o++ = (char)c;
			continue;
		}
		*o++ = '\\';
		switch (c) {
		case '"': *o++ = '"'; break;
		case '\\': *o++ = '\\'; break;
		case '\n': *o++ = 'n'; break;
		case '\r': *o++ = 'r'; break;
		case '\t': *o++ = 't'; break;
		default:
			*o++ = 'u'; *o++ = '0'; *o++ = '0';
			*o++ = hex[c >> 4]; *o++ = hex[c & 15];
		}
	}
	return o;
}

/* Write s[0..n) as a quoted JSON string at o (room for 6n+2 bytes is
 * the caller's job); return the end.  Most values are short and clean
 * (codes, numbers, names): they are checked and copied as one or two
 * overlapping words, never read past s + n. */
char *buf_json_escape(char *o, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	*o++ = '"';
	if (n >= 8) {
		size_t i = 0;
		uint64_t w;
		for (; i + 8 <= n; i += 8) {
			memcpy(&w, u + i, 8);
			if (json_word_needs_escape(w)) {
				o = escape_bytes(o + i, u, i, n);
				*o++ = '"';
				return o;
			}
			memcpy(o + i, &w, 8);
		}
		if (i < n) {
			/* The last word overlaps bytes already copied. */
			memcpy(&w, u + n - 8, 8);
			if (json_word_needs_escape(w)) {
				o = escape_bytes(o + i, u, i, n);
				*o++ = '"';
				return o;
			}
			memcpy(o + n - 8, &w, 8);
		}
		o += n;
	} else if (n >= 4) {
		uint32_t a, z;
		memcpy(&a, u, 4);
		memcpy(&z, u + n - 4, 4);
		if (json_word32_needs_escape(a) || json_word32_needs_escape(z)) {
			o = escape_bytes(o, u, 0, n);
		} else {
			memcpy(o, &a, 4);
			memcpy(o + n - 4, &z, 4);
			o += n;
		}
	} else {
		o = escape_bytes(o, u, 0, n);
	}
	*o++ = '"';
	return o;
}

int buf_add_json_strn(struct buf *b, const char *s, size_t n)
{
	if (s == NULL)
		return buf_add(b, "null", 4);
	/* Worst case six bytes per input byte. */
	if (n > (b->max / 6) || buf_reserve(b, n * 6 + 2) < 0)
		return -1;
	char *o = buf_json_escape(b->data + b->len, s, n);
	b->len = (size_t)(o - b->data);
	b->data[b->len] = '\0';
	return 0;
}

int buf_add_json_kv_slow(struct buf *b, const char *prefix, size_t pn, const char *s)
{
	size_t n = s != NULL ? strlen(s) : 0;
	if (n > (b->max / 6) || pn > b->max)
		return -1;
	if (buf_reserve(b, pn + (s != NULL ? n * 6 + 2 : 4)) < 0)
		return -1;
	/* There is room now: the inline path writes it. */
	return buf_add_json_kv(b, prefix, pn, s);
}

int buf_add_json_str(struct buf *b, const char *s)
{
	return buf_add_json_strn(b, s, s ? strlen(s) : 0);
}

char *buf_steal(struct buf *b, size_t *len_r)
{
	if (b->data == NULL) {
		if (buf_reserve(b, 0) < 0)
			return NULL;
		b->data[0] = '\0';     /* an empty buffer still gives "" */
	}
	char *p = b->data;
	if (len_r != NULL)
		*len_r = b->len;
	b->data = NULL;
	b->len = b->cap = 0;
	return p;
}
