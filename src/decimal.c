/* decimal.c — see decimal.h. */
#include "decimal.h"
#include <stdint.h>
#include <string.h>

typedef __int128 i128;
#define I128_MAX ((i128)(((unsigned __int128)1 << 127) - 1))

/* 10^0 .. 10^38, constant (no lazy set-up: records are written on a
 * second thread by `ordergw parse`). */
#define P19 ((i128)10000000000000000000ull)
static const i128 pow10_128[39] = {
	1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000, 1000000000, 10000000000,
	100000000000, 1000000000000, 10000000000000, 100000000000000, 1000000000000000, 10000000000000000,
	100000000000000000, 1000000000000000000, P19, P19 * 10, P19 * 100, P19 * 1000, P19 * 10000,
	P19 * 100000, P19 * 1000000, P19 * 10000000, P19 * 100000000, P19 * 1000000000, P19 * 10000000000,
	P19 * 100000000000, P19 * 1000000000000, P19 * 10000000000000, P19 * 100000000000000,
	P19 * 1000000000000000, P19 * 10000000000000000, P19 * 100000000000000000,
	P19 * 1000000000000000000, P19 * P19,
};

/* The general case: up to 36 significant digits in 128 bits. */
static int parse_wide(const char *s, size_t n, struct dec *out)
{
	size_t i = 0;
	bool neg = false, dot = false, any = false;
	int digits = 0, scale = 0;
	i128 v = 0;
	if (i < n && (s[i] == '+' || s[i] == '-'))
		neg = s[i++] == '-';
	for (; i < n; i++) {
		char c = s[i];
		if (c == '.' && !dot) {
			dot = true;
			continue;
		}
		if (c < '0' || c > '9')
			return -1;
		any = true;
		if (v == 0 && c == '0' && !dot)
			continue;
		if (++digits > 36)
			return -1;
		v = v * 10 + (c - '0');
		if (dot)
			scale++;
	}
	if (!any || scale > DEC_MAX_SCALE)
		return -1;
	out->v = neg ? -v : v;
	out->scale = scale;
	return 0;
}

int dec_parsen(const char *s, size_t n, struct dec *out)
{
	/* The usual quantity or price (at most 18 characters of digits and
	 * one point) in 64 bits, without a 128-bit multiply per digit. */
	size_t i = 0;
	bool neg = false;
	if (n > 0 && (s[0] == '+' || s[0] == '-'))
		neg = s[i++] == '-';
	if (n - i > 19 || n == i)
		return parse_wide(s, n, out);
	uint64_t v = 0;
	size_t dot = n, ndig = 0;
	for (; i < n; i++) {
		unsigned d = (unsigned)(unsigned char)s[i] - '0';
		if (d <= 9) {
			v = v * 10 + d;
			ndig++;
		} else if (s[i] == '.' && dot == n) {
			dot = i;
		} else {
			return -1;
		}
	}
	if (ndig == 0)
		return -1;
	out->v = neg ? -(i128)v : (i128)v;
	out->scale = dot == n ? 0 : (int)(n - 1 - dot);
	return 0;
}

int dec_parse(const char *s, struct dec *out)
{
	if (s == NULL)
		return -1;
	/* The usual unsigned value ("233", "510.94") read up to its NUL in
	 * one pass; anything else (a sign, over 18 digits) the long way. */
	uint64_t v = 0;
	int ndig = 0;
	const char *p = s, *dot = NULL;
	for (;; p++) {
		unsigned d = (unsigned)(unsigned char)*p - '0';
		if (d <= 9 && ndig < 18) {
			v = v * 10 + d;
			ndig++;
		} else if (*p == '.' && dot == NULL) {
			dot = p;
		} else {
			break;
		}
	}
	if (*p != '\0' || ndig == 0)
		return dec_parsen(s, strlen(s), out);
	out->v = (i128)v;
	out->scale = dot != NULL ? (int)(p - dot - 1) : 0;
	return 0;
}

bool dec_valid(const char *s)
{
	struct dec d;
	return dec_parse(s, &d) == 0;
}

static int rescale(struct dec a, int scale, i128 *out)
{
	int k = scale - a.scale;
	if (k < 0 || k > 38)
		return -1;
	i128 m = pow10_128[k];
	i128 av = a.v < 0 ? -a.v : a.v;
	/* |v| < 2^63 times at most 10^18 cannot overflow: no 128-bit division. */
	if (m != 1 && !(av <= INT64_MAX && k <= 18) && av > I128_MAX / m)
		return -1;
	*out = a.v * m;
	return 0;
}

int dec_add(struct dec a, struct dec b, struct dec *out)
{
	int s = a.scale > b.scale ? a.scale : b.scale;
	i128 x, y;
	if (rescale(a, s, &x) < 0 || rescale(b, s, &y) < 0)
		return -1;
	if ((y > 0 && x > I128_MAX - y) || (y < 0 && x < -I128_MAX - y))
		return -1;
	out->v = x + y;
	out->scale = s;
	return 0;
}

int dec_sub(struct dec a, struct dec b, struct dec *out)
{
	b.v = -b.v;
	return dec_add(a, b, out);
}

int dec_mul(struct dec a, struct dec b, struct dec *out)
{
	i128 x = a.v < 0 ? -a.v : a.v, y = b.v < 0 ? -b.v : b.v;
	if (x != 0 && !(x <= INT64_MAX && y <= INT64_MAX) && y > I128_MAX / x)
		return -1;
	int s = a.scale + b.scale;
	/* Two 64-bit values: one 64 x 64 -> 128 multiply. */
	i128 v = x <= INT64_MAX && y <= INT64_MAX ? (i128)(int64_t)x * (int64_t)y : x * y;
	if ((a.v < 0) != (b.v < 0))
		v = -v;
	struct dec r = { v, s };
	if (s > DEC_MAX_SCALE)
		return dec_round(r, DEC_MAX_SCALE, out);
	*out = r;
	return 0;
}

int dec_round(struct dec a, int scale, struct dec *out)
{
	if (scale >= a.scale) {
		i128 v;
		if (rescale(a, scale, &v) < 0)
			return -1;
		out->v = v;
		out->scale = scale;
		return 0;
	}
	i128 m = pow10_128[a.scale - scale];
	i128 av = a.v < 0 ? -a.v : a.v;
	i128 q = av / m, r = av % m;
	if (r * 2 >= m)
		q++;
	out->v = a.v < 0 ? -q : q;
	out->scale = scale;
	return 0;
}

int dec_div(struct dec a, struct dec b, int scale, struct dec *out)
{
	if (b.v == 0 || scale < 0 || scale > DEC_MAX_SCALE)
		return -1;
	/* a/b = (a.v * 10^(scale + b.scale - a.scale + 1)) / b.v / 10, rounded. */
	int k = scale + b.scale - a.scale + 1;
	i128 num;
	struct dec ta = { a.v, 0 };
	if (k >= 0) {
		if (rescale(ta, k, &num) < 0)
			return -1;
	} else {
		num = a.v / pow10_128[-k > 38 ? 38 : -k];
	}
	i128 den = b.v < 0 ? -b.v : b.v;
	i128 an = num < 0 ? -num : num;
	i128 q = an / den;
	i128 r = q % 10;
	q /= 10;
	if (r >= 5)
		q++;
	bool neg = (num < 0) != (b.v < 0);
	out->v = neg ? -q : q;
	out->scale = scale;
	return 0;
}

int dec_cmp(struct dec a, struct dec b)
{
	struct dec d;
	if (dec_sub(a, b, &d) < 0) {
		/* Overflow: compare by sign, then by magnitude of the integer part. */
		if ((a.v < 0) != (b.v < 0))
			return a.v < 0 ? -1 : 1;
		struct dec x = a, y = b;   /* rounding to 0 places cannot fail */
		dec_round(a, 0, &x);
		dec_round(b, 0, &y);
		return x.v < y.v ? -1 : x.v > y.v;
	}
	return d.v < 0 ? -1 : d.v > 0;
}

bool dec_is_zero(struct dec a) { return a.v == 0; }
bool dec_is_negative(struct dec a) { return a.v < 0; }

struct dec dec_trim(struct dec a)
{
	if (a.v >= INT64_MIN && a.v <= INT64_MAX) {
		int64_t v = (int64_t)a.v;
		while (a.scale > 0 && v % 10 == 0) {
			v /= 10;
			a.scale--;
		}
		a.v = v;
		return a;
	}
	while (a.scale > 0 && a.v % 10 == 0) {
		a.v /= 10;
		a.scale--;
	}
	return a;
}

char *dec_format(struct dec a, char *out)
{
	char tmp[DEC_STRLEN];
	int n = 0;
	bool neg = a.v < 0;
	unsigned __int128 v = neg ? (unsigned __int128)(-(a.v + 1)) + 1 : (unsigned __int128)a.v;
	while (v > UINT64_MAX && n < DEC_STRLEN - 4) {
		tmp[n++] = (char)('0' + (int)(v % 10));
		v /= 10;
	}
	uint64_t w = (uint64_t)v;   /* the rest in 64 bits: no 128-bit division per digit */
	do {
		tmp[n++] = (char)('0' + (int)(w % 10));
		w /= 10;
	} while (w != 0 && n < DEC_STRLEN - 4);
	while (n <= a.scale)
		tmp[n++] = '0';
	char *o = out;
	if (neg)
		*o++ = '-';
	for (int i = n - 1; i >= 0; i--) {
		*o++ = tmp[i];
		if (i == a.scale && a.scale > 0)
			*o++ = '.';
	}
	*o = '\0';
	return out;
}
