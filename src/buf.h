/* buf.h — growable byte buffer that is always given a maximum size.
 *
 * Appending past the maximum fails (-1) and leaves the buffer as it was;
 * the contents are always NUL-terminated so they can be used as a string.
 * Out-of-memory is fatal. */
#ifndef ORDERGW_BUF_H
#define ORDERGW_BUF_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

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
 * returns the end (no NUL added).  buf_json_escape_fast below is the same
 * inline, buf_json_escape_long its general case. */
char *buf_json_escape(char *o, const char *s, size_t n);
char *buf_json_escape_long(char *o, const char *s, size_t n);
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
/* Make room for n more bytes (plus the NUL) at data + len; -1 past max. */
int buf_reserve(struct buf *b, size_t n);

/* Does any of the eight (four) bytes of w need escaping in JSON: < 0x20,
 * '"' or '\\'?  Bytes >= 0x80 (UTF-8) never do.  The classic "has a zero
 * byte" test on w, w ^ '"' and w ^ '\\' (exact for "any": a borrow only
 * runs on from a byte already found). */
static inline bool json_word_needs_escape(uint64_t w)
{
	const uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
	uint64_t q = w ^ (ones * '"'), bs = w ^ (ones * '\\');
	return ((((w - ones * 0x20) & ~w) | ((q - ones) & ~q) | ((bs - ones) & ~bs)) & high) != 0;
}

static inline bool json_word32_needs_escape(uint32_t w)
{
	const uint32_t ones = 0x01010101u, high = 0x80808080u;
	uint32_t q = w ^ (ones * '"'), bs = w ^ (ones * '\\');
	return ((((w - ones * 0x20) & ~w) | ((q - ones) & ~q) | ((bs - ones) & ~bs)) & high) != 0;
}

/* buf_json_escape with the usual value (1 to 16 clean bytes) done inline:
 * two overlapping words (or the first, middle and last byte of a value of
 * one to three), never read past s + n. */
static inline char *buf_json_escape_fast(char *o, const char *s, size_t n)
{
	if (n >= 8 && n <= 16) {
		uint64_t a, z;
		memcpy(&a, s, 8);
		memcpy(&z, s + n - 8, 8);
#ifdef __SSE2__
		/* Both words in one register: bytes below 0x20 (unsigned: the
		 * minimum with 0x1F is the byte itself), '"' and '\\'. */
		__m128i v = _mm_set_epi64x((long long)z, (long long)a);
		__m128i bad = _mm_or_si128(_mm_cmpeq_epi8(_mm_min_epu8(v, _mm_set1_epi8(0x1F)), v),
					   _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')),
							_mm_cmpeq_epi8(v, _mm_set1_epi8('\\'))));
		bool clean = _mm_movemask_epi8(bad) == 0;
#else
		bool clean = !json_word_needs_escape(a) && !json_word_needs_escape(z);
#endif
		if (clean) {
			*o = '"';
			memcpy(o + 1, &a, 8);
			memcpy(o + 1 + n - 8, &z, 8);
			o[n + 1] = '"';
			return o + n + 2;
		}
	} else if (n >= 4 && n < 8) {
		uint32_t a, z;
		memcpy(&a, s, 4);
		memcpy(&z, s + n - 4, 4);
		if (!json_word32_needs_escape(a) && !json_word32_needs_escape(z)) {
			*o = '"';
			memcpy(o + 1, &a, 4);
			memcpy(o + 1 + n - 4, &z, 4);
			o[n + 1] = '"';
			return o + n + 2;
		}
	} else if (n > 0 && n < 4) {
		unsigned char c0 = (unsigned char)s[0], c1 = (unsigned char)s[n / 2], c2 = (unsigned char)s[n - 1];
		if (c0 >= 0x20 && c1 >= 0x20 && c2 >= 0x20 && c0 != '"' && c1 != '"' && c2 != '"' &&
		    c0 != '\\' && c1 != '\\' && c2 != '\\') {
			o[0] = '"';
			o[1] = (char)c0;
			o[1 + n / 2] = (char)c1;
			o[n] = (char)c2;
			o[n + 1] = '"';
			return o + n + 2;
		}
	}
	return buf_json_escape_long(o, s, n);
}

/* v in decimal, NUL-terminated, in out (24 bytes); returns out.  For
 * counts compared or written by the hot paths, without printf. */
const char *buf_size_text(char out[24], size_t v);
/* Take the data out; the buffer is empty afterwards.  Caller frees. */
char *buf_steal(struct buf *b, size_t *len_r);

#endif
