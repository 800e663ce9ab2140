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

/* The general case of buf_json_escape_fast (buf.h): a long value eight
 * bytes at a time, the last word overlapping, then byte by byte from the
 * first word that needs escaping; a short one that needs escaping byte by
 * byte.  Never reads past s + n. */
char *buf_json_escape_long(char *o, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	*o++ = '"';
	size_t i = 0;
	if (n >= 8) {
		uint64_t w;
		for (; i + 8 <= n; i += 8) {
			memcpy(&w, u + i, 8);
			if (json_word_needs_escape(w))
				break;
			memcpy(o + i, &w, 8);
		}
		if (i + 8 > n && i < n) {
			memcpy(&w, u + n - 8, 8);
			if (!json_word_needs_escape(w)) {
				memcpy(o + n - 8, &w, 8);
				i = n;
			}
		}
	}
	o = escape_bytes(o + i, u, i, n);
	*o++ = '"';
	return o;
}

char *buf_json_escape(char *o, const char *s, size_t n)
{
	return buf_json_escape_fast(o, s, n);
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

const char *buf_size_text(char out[24], size_t v)
{
	char tmp[24], *p = tmp + sizeof(tmp);
	*--p = '\0';
	do {
		*--p = (char)('0' + v % 10);
		v /= 10;
	} while (v > 0);
	memcpy(out, p, (size_t)(tmp + sizeof(tmp) - p));
	return out;
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
