/* mime.c — a raw e-mail to UTF-8 text and decoded attachments.
 *
 * libetpan (mailmime_parse) builds the part tree and finds each part's
 * headers and body; base64 and quoted-printable go through
 * mailmime_part_parse.  Header values are read from the raw bytes here
 * (unfolded, RFC 2047, RFC 2231, raw 8-bit), because libetpan's strict
 * parsers drop a whole field when one byte is off, and mail is full of
 * off bytes; libetpan's address, date and message-id parsers are tried
 * first for the structured fields.
 *
 * libetpan recurses once per nesting level and allocates a node per part,
 * with no limits of its own.  So before it sees the message, a linear
 * pre-scan cuts the message before its OG_MIME_MAX_CONTAINERS+1st
 * multipart/message Content-Type header (nesting can then not exceed about
 * twice that) and before its (max_parts * OG_MIME_DASH_LINES_PER_PART)th
 * line starting with "--" (every part needs one).  The walk then applies
 * the configured depth and part limits.  Each cut is a diagnostic.
 *
 * Ownership: struct mime_message owns every string and attachment; the
 * libetpan tree and decoded buffers are freed before mime_parse returns,
 * on every path.  Out-of-memory is fatal (log.h). */
#include "mime.h"
#include "buf.h"
#include "charset.h"
#include "limits.h"
#include "log.h"
#include <libetpan/libetpan.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (p == NULL)
		fatal("out of memory (%zu bytes)", n);
	return p;
}

static char *xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

static int lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

static bool is_wsp(int c)
{
	return c == ' ' || c == '\t';
}

static bool is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static bool prefix_ci(const char *s, size_t n, const char *pre)
{
	size_t k = strlen(pre);
	return n >= k && strncasecmp(s, pre, k) == 0;
}

static bool contains_ci(const char *s, size_t n, const char *needle)
{
	size_t k = strlen(needle);
	for (size_t i = 0; i + k <= n; i++)
		if (strncasecmp(s + i, needle, k) == 0)
			return true;
	return false;
}

/* ---- raw headers ------------------------------------------------------ */

/* Length of the header block at p: up to (not including) the empty line,
 * or all of n when there is none. */
static size_t header_block_len(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (i == 0 || p[i - 1] == '\n') {
			if (p[i] == '\n' || (p[i] == '\r' && i + 1 < n && p[i + 1] == '\n'))
				return i;
		}
	}
	return n;
}

/* The unfolded value of the first header `name` in the block; NULL when
 * absent.  Malloc'd; line breaks of folds are removed, the white space
 * after them kept. */
static char *header_get(const char *p, size_t n, const char *name, size_t *len_r)
{
	size_t k = strlen(name);
	for (size_t i = 0; i < n;) {
		size_t eol = i;
		while (eol < n && p[eol] != '\n')
			eol++;
		if (!is_wsp(p[i]) && n - i > k && strncasecmp(p + i, name, k) == 0) {
			size_t j = i + k;
			while (j < eol && is_wsp(p[j]))
				j++;
			if (j < eol && p[j] == ':') {
				struct buf b;
				buf_init(&b, n + 1);
				size_t s = j + 1;
				for (;;) {
					size_t e = eol;
					if (e > s && p[e - 1] == '\r')
						e--;
					buf_add(&b, p + s, e - s);
					if (eol + 1 >= n || !is_wsp(p[eol + 1]))
						break;
					s = eol + 1;
					eol = s;
					while (eol < n && p[eol] != '\n')
						eol++;
				}
				char *v = buf_steal(&b, len_r);
				if (v == NULL) {
					v = xstrndup("", 0);
					*len_r = 0;
				}
				return v;
			}
		}
		i = eol + 1;
	}
	return NULL;
}

/* ---- RFC 2047 ---------------------------------------------------------- */

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = lower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static int b64val(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/* Lenient base64: skips anything that is not a base64 letter. */
static void b64_decode(const char *s, size_t n, struct buf *out)
{
	uint32_t acc = 0;
	int bits = 0;
	for (size_t i = 0; i < n; i++) {
		int v = b64val((unsigned char)s[i]);
		if (v < 0) {
			if (s[i] == '=')
				break;
			continue;
		}
		acc = (acc << 6) | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			buf_addc(out, (char)((acc >> bits) & 0xFF));
		}
	}
}

static void q_decode(const char *s, size_t n, struct buf *out)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '_') {
			buf_addc(out, ' ');
		} else if (s[i] == '=' && i + 2 < n && hexval((unsigned char)s[i + 1]) >= 0 &&
			   hexval((unsigned char)s[i + 2]) >= 0) {
			buf_addc(out, (char)(hexval((unsigned char)s[i + 1]) * 16 + hexval((unsigned char)s[i + 2])));
			i += 2;
		} else {
			buf_addc(out, s[i]);
		}
	}
}

/* An encoded-word at s: "=?charset?B|Q?text?=".  Fills the pieces;
 * returns its length, 0 when s does not start one. */
static size_t encoded_word(const char *s, size_t n, const char **cs, size_t *cs_len,
			   char *enc, const char **text, size_t *text_len)
{
	if (n < 8 || s[0] != '=' || s[1] != '?')
		return 0;
	size_t i = 2;
	while (i < n && s[i] != '?' && !is_space((unsigned char)s[i]) && i < 80)
		i++;
	if (i >= n || s[i] != '?' || i == 2)
		return 0;
	*cs = s + 2;
	*cs_len = i - 2;
	if (i + 2 >= n || s[i + 2] != '?')
		return 0;
	char e = (char)lower((unsigned char)s[i + 1]);
	if (e != 'b' && e != 'q')
		return 0;
	*enc = e;
	size_t t = i + 3;
	/* At most 256 bytes of text (RFC 2047 allows 75): a long header of
	 * unterminated "=?" must stay linear. */
	size_t win = n - t < 256 ? n - t : 256;
	const char *q = memmem(s + t, win, "?=", 2);
	if (q == NULL || memchr(s + t, '\n', (size_t)(q - (s + t))) != NULL ||
	    memchr(s + t, '\r', (size_t)(q - (s + t))) != NULL)
		return 0;
	*text = s + t;
	*text_len = (size_t)(q - (s + t));
	return (size_t)(q - s) + 2;
}

/* Decoded bytes waiting for their charset (adjacent words of one charset
 * are joined first: senders split multi-byte characters across words). */
struct pending {
	struct buf bytes;
	char charset[64];
};

static void pending_flush(struct pending *pd, struct buf *out)
{
	if (pd->bytes.len > 0)
		charset_to_utf8(pd->charset, pd->bytes.data, pd->bytes.len, out, NULL);
	buf_reset(&pd->bytes);
	pd->charset[0] = '\0';
}

/* Plain (not encoded) header bytes: UTF-8 when valid, else the hint
 * (senders put raw headers in their body's charset), else windows-1252. */
static void add_raw_text(const char *s, size_t n, const char *hint, struct buf *out)
{
	if (n > 0)
		charset_to_utf8(hint, s, n, out, NULL);
}

static void decode_words(const char *raw, size_t len, const char *hint, struct buf *out)
{
	struct pending pd;
	buf_init(&pd.bytes, len + 1);
	pd.charset[0] = '\0';
	size_t plain = 0;            /* start of pending plain text */
	bool after_word = false;
	for (size_t i = 0; i < len;) {
		const char *cs, *text;
		size_t cs_len, text_len;
		char enc;
		size_t w = raw[i] == '=' ? encoded_word(raw + i, len - i, &cs, &cs_len, &enc, &text, &text_len) : 0;
		if (w == 0) {
			i++;
			continue;
		}
		/* Text between words: dropped when only white space. */
		bool only_ws = true;
		for (size_t k = plain; k < i; k++)
			if (!is_space((unsigned char)raw[k]))
				only_ws = false;
		if (!(after_word && only_ws)) {
			pending_flush(&pd, out);
			add_raw_text(raw + plain, i - plain, hint, out);
		}
		char label[64];
		size_t l = cs_len < sizeof(label) - 1 ? cs_len : sizeof(label) - 1;
		memcpy(label, cs, l);
		label[l] = '\0';
		char *star = strchr(label, '*');    /* RFC 2231 language suffix */
		if (star != NULL)
			*star = '\0';
		if (strcasecmp(label, pd.charset) != 0) {
			pending_flush(&pd, out);
			snprintf(pd.charset, sizeof(pd.charset), "%s", label);
		}
		if (enc == 'b')
			b64_decode(text, text_len, &pd.bytes);
		else
			q_decode(text, text_len, &pd.bytes);
		i += w;
		plain = i;
		after_word = true;
	}
	pending_flush(&pd, out);
	add_raw_text(raw + plain, len - plain, hint, out);
	buf_free(&pd.bytes);
}

/* Collapse line breaks, tabs and control characters to spaces, trim. */
static char *finish_header_text(struct buf *b)
{
	struct buf o;
	buf_init(&o, b->len + 1);
	bool space = false;
	for (size_t i = 0; i < b->len; i++) {
		unsigned char c = (unsigned char)b->data[i];
		if (c < 0x20 || c == 0x7F) {
			if (c == '\r' || c == '\n')
				continue;
			c = ' ';
		}
		if (c == ' ') {
			space = o.len > 0;
			continue;
		}
		if (space)
			buf_addc(&o, ' ');
		space = false;
		buf_addc(&o, (char)c);
	}
	char *s = buf_steal(&o, NULL);
	return s ? s : xstrndup("", 0);
}

static char *decode_header_hint(const char *raw, size_t len, const char *hint)
{
	struct buf b;
	buf_init(&b, len * 4 + 16);
	decode_words(raw, len, hint, &b);
	char *s = finish_header_text(&b);
	buf_free(&b);
	return s;
}

char *mime_decode_header(const char *raw, size_t len)
{
	return decode_header_hint(raw, len, NULL);
}

/* ---- parameters (RFC 2045, RFC 2231, RFC 2047 in quotes) ---------------- */

struct param {
	char name[64];           /* lower case, without the RFC 2231 "*N*" */
	int section;             /* -1: none */
	bool extended;           /* value is %-encoded (charset'lang'...) */
	char *value;             /* unquoted, raw bytes */
	size_t len;
};

struct params {
	char main[128];          /* "text/plain", "attachment": lower case */
	struct param *items;
	size_t n;
};

static void params_free(struct params *ps)
{
	for (size_t i = 0; i < ps->n; i++)
		free(ps->items[i].value);
	free(ps->items);
	memset(ps, 0, sizeof(*ps));
}

#define MAX_PARAMS 64

static void params_parse(const char *v, size_t n, struct params *ps)
{
	memset(ps, 0, sizeof(*ps));
	size_t i = 0;
	while (i < n && is_space((unsigned char)v[i]))
		i++;
	size_t m = 0;
	while (i < n && v[i] != ';') {
		unsigned char c = (unsigned char)v[i++];
		if (is_space(c) || c == '"')
			continue;
		if (m + 1 < sizeof(ps->main))
			ps->main[m++] = (char)lower(c);
	}
	ps->main[m] = '\0';
	/* Comments "(...)" after the type are rare; drop them. */
	char *paren = strchr(ps->main, '(');
	if (paren != NULL)
		*paren = '\0';
	ps->items = xmalloc(MAX_PARAMS * sizeof(*ps->items));
	while (i < n && ps->n < MAX_PARAMS) {
		i++;                                    /* the ';' */
		while (i < n && is_space((unsigned char)v[i]))
			i++;
		size_t ns = i;
		while (i < n && v[i] != '=' && v[i] != ';')
			i++;
		if (i >= n || v[i] != '=')
			continue;
		size_t ne = i;
		while (ne > ns && is_space((unsigned char)v[ne - 1]))
			ne--;
		i++;
		while (i < n && is_space((unsigned char)v[i]))
			i++;
		struct buf val;
		buf_init(&val, n + 1);
		if (i < n && v[i] == '"') {
			for (i++; i < n && v[i] != '"'; i++) {
				/* Only \" and \\ are escapes in practice: Windows
				 * paths in file names are sent unescaped. */
				if (v[i] == '\\' && i + 1 < n && (v[i + 1] == '"' || v[i + 1] == '\\'))
					i++;
				buf_addc(&val, v[i]);
			}
			/* Skip to the next ';' (junk after a closing quote). */
			while (i < n && v[i] != ';')
				i++;
		} else {
			size_t vs = i;
			while (i < n && v[i] != ';')
				i++;
			size_t ve = i;
			while (ve > vs && is_space((unsigned char)v[ve - 1]))
				ve--;
			buf_add(&val, v + vs, ve - vs);
		}
		struct param *p = &ps->items[ps->n];
		memset(p, 0, sizeof(*p));
		size_t k = 0;
		for (size_t j = ns; j < ne && k + 1 < sizeof(p->name); j++)
			p->name[k++] = (char)lower((unsigned char)v[j]);
		p->name[k] = '\0';
		p->section = -1;
		size_t nl = strlen(p->name);
		if (nl > 0 && p->name[nl - 1] == '*') {
			p->extended = true;
			p->name[nl - 1] = '\0';
		}
		char *star = strchr(p->name, '*');
		if (star != NULL) {
			if (star[1] >= '0' && star[1] <= '9')
				p->section = (int)(strtol(star + 1, NULL, 10) % 10000);
			*star = '\0';
		}
		p->value = buf_steal(&val, &p->len);
		if (p->value == NULL) {
			p->value = xstrndup("", 0);
			p->len = 0;
		}
		ps->n++;
	}
}

static void percent_decode(const char *s, size_t n, struct buf *out)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '%' && i + 2 < n && hexval((unsigned char)s[i + 1]) >= 0 &&
		    hexval((unsigned char)s[i + 2]) >= 0) {
			buf_addc(out, (char)(hexval((unsigned char)s[i + 1]) * 16 + hexval((unsigned char)s[i + 2])));
			i += 2;
		} else {
			buf_addc(out, s[i]);
		}
	}
}

/* The UTF-8 value of parameter `name`, NULL when absent. */
static char *param_get(const struct params *ps, const char *name)
{
	/* RFC 2231: name*=cs'lang'v, or name*0*=cs'lang'v name*1*=... name*2=... */
	struct buf bytes;
	buf_init(&bytes, 1u << 20);
	char charset[64] = "";
	bool found = false;
	for (int sec = -1; sec < MAX_PARAMS; sec++) {
		const struct param *p = NULL;
		for (size_t i = 0; i < ps->n; i++) {
			if (strcmp(ps->items[i].name, name) == 0 && ps->items[i].section == sec &&
			    (sec >= 0 || ps->items[i].extended)) {
				p = &ps->items[i];
				break;
			}
		}
		if (p == NULL) {
			if (sec >= 0)
				break;   /* sections must be contiguous from 0 */
			continue;
		}
		const char *v = p->value;
		size_t vl = p->len;
		if (p->extended && !found) {
			const char *q1 = memchr(v, '\'', vl);
			const char *q2 = q1 ? memchr(q1 + 1, '\'', vl - (size_t)(q1 + 1 - v)) : NULL;
			if (q1 != NULL && q2 != NULL) {
				size_t cl = (size_t)(q1 - v) < sizeof(charset) - 1 ? (size_t)(q1 - v) : sizeof(charset) - 1;
				memcpy(charset, v, cl);
				charset[cl] = '\0';
				vl -= (size_t)(q2 + 1 - v);
				v = q2 + 1;
			}
		}
		if (p->extended)
			percent_decode(v, vl, &bytes);
		else
			buf_add(&bytes, v, vl);
		found = true;
		if (sec == -1)
			break;
	}
	char *res = NULL;
	if (found) {
		struct buf out;
		buf_init(&out, bytes.len * 4 + 16);
		/* A missing charset with %-encoding: guess (UTF-8, else cp1252). */
		charset_to_utf8(charset[0] ? charset : NULL, bytes.data ? bytes.data : "", bytes.len, &out, NULL);
		res = finish_header_text(&out);
		buf_free(&out);
	} else {
		for (size_t i = 0; i < ps->n; i++) {
			if (strcmp(ps->items[i].name, name) == 0 && ps->items[i].section == -1 &&
			    !ps->items[i].extended) {
				/* RFC 2047 inside quotes (common) and raw 8-bit alike. */
				res = mime_decode_header(ps->items[i].value, ps->items[i].len);
				break;
			}
		}
	}
	buf_free(&bytes);
	return res;
}

/* ---- HTML to text ------------------------------------------------------ */

struct entity { const char *name; uint32_t cp; };

static const struct entity entities[] = {
	{ "amp", '&' }, { "lt", '<' }, { "gt", '>' }, { "quot", '"' }, { "apos", '\'' },
	{ "nbsp", ' ' }, { "copy", 0xA9 }, { "reg", 0xAE }, { "deg", 0xB0 }, { "plusmn", 0xB1 },
	{ "middot", 0xB7 }, { "times", 0xD7 }, { "divide", 0xF7 }, { "euro", 0x20AC },
	{ "pound", 0xA3 }, { "yen", 0xA5 }, { "cent", 0xA2 }, { "sect", 0xA7 },
	{ "laquo", 0xAB }, { "raquo", 0xBB }, { "ndash", 0x2013 }, { "mdash", 0x2014 },
	{ "lsquo", 0x2018 }, { "rsquo", 0x2019 }, { "ldquo", 0x201C }, { "rdquo", 0x201D },
	{ "bull", 0x2022 }, { "hellip", 0x2026 }, { "trade", 0x2122 }, { "shy", 0 },
	{ "auml", 0xE4 }, { "ouml", 0xF6 }, { "uuml", 0xFC }, { "Auml", 0xC4 }, { "Ouml", 0xD6 },
	{ "Uuml", 0xDC }, { "szlig", 0xDF }, { "eacute", 0xE9 }, { "egrave", 0xE8 },
	{ "ecirc", 0xEA }, { "Eacute", 0xC9 }, { "agrave", 0xE0 }, { "aacute", 0xE1 },
	{ "acirc", 0xE2 }, { "ccedil", 0xE7 }, { "iacute", 0xED }, { "oacute", 0xF3 },
	{ "uacute", 0xFA }, { "ntilde", 0xF1 }, { "aring", 0xE5 }, { "oslash", 0xF8 },
	{ "aelig", 0xE6 }, { "Aring", 0xC5 }, { "Oslash", 0xD8 }, { "AElig", 0xC6 },
};

static void add_cp(struct buf *b, uint32_t cp)
{
	char u[4];
	if (cp == 0)
		return;
	if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		cp = 0xFFFD;
	if (cp < 0x80) {
		buf_addc(b, (char)cp);
	} else if (cp < 0x800) {
		u[0] = (char)(0xC0 | (cp >> 6)); u[1] = (char)(0x80 | (cp & 0x3F));
		buf_add(b, u, 2);
	} else if (cp < 0x10000) {
		u[0] = (char)(0xE0 | (cp >> 12)); u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		u[2] = (char)(0x80 | (cp & 0x3F));
		buf_add(b, u, 3);
	} else {
		u[0] = (char)(0xF0 | (cp >> 18)); u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3F)); u[3] = (char)(0x80 | (cp & 0x3F));
		buf_add(b, u, 4);
	}
}

/* An entity at s ("&...;"): appends it and returns its length, 0 if none. */
static size_t html_entity(const char *s, size_t n, struct buf *out)
{
	size_t i = 1;
	if (i < n && s[i] == '#') {
		i++;
		int base = 10;
		if (i < n && (s[i] == 'x' || s[i] == 'X')) {
			base = 16;
			i++;
		}
		uint32_t cp = 0;
		size_t digits = 0;
		while (i < n && digits < 8 && hexval((unsigned char)s[i]) >= 0 &&
		       hexval((unsigned char)s[i]) < base) {
			cp = cp * (uint32_t)base + (uint32_t)hexval((unsigned char)s[i]);
			i++;
			digits++;
		}
		if (digits == 0)
			return 0;
		if (i < n && s[i] == ';')
			i++;
		add_cp(out, cp == 0xA0 ? ' ' : cp);
		return i;
	}
	size_t ns = i;
	while (i < n && i - ns < 10 && ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z')))
		i++;
	for (size_t k = 0; k < sizeof(entities) / sizeof(entities[0]); k++) {
		if (strlen(entities[k].name) == i - ns && memcmp(entities[k].name, s + ns, i - ns) == 0) {
			if (i < n && s[i] == ';')
				i++;
			add_cp(out, entities[k].cp);
			return i;
		}
	}
	return 0;
}

static bool is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool tag_is(const char *name, size_t nl, const char *const *list)
{
	for (size_t k = 0; list[k] != NULL; k++)
		if (strlen(list[k]) == nl && strncasecmp(list[k], name, nl) == 0)
			return true;
	return false;
}

/* End the current line (trailing spaces off); `blank`: and leave one
 * empty line after it (paragraphs). */
static void html_newline(struct buf *o, bool blank)
{
	while (o->len > 0 && (o->data[o->len - 1] == ' ' || o->data[o->len - 1] == '\t'))
		o->data[--o->len] = '\0';
	if (o->len == 0)
		return;
	if (o->data[o->len - 1] != '\n')
		buf_addc(o, '\n');
	if (blank && !(o->len >= 2 && o->data[o->len - 2] == '\n'))
		buf_addc(o, '\n');
}

char *mime_html_to_text(const char *s, size_t n, size_t max)
{
	static const char *const breaks[] = {
		"br", "p", "/p", "div", "/div", "tr", "/tr", "li", "/li", "h1", "h2", "h3", "h4",
		"h5", "h6", "/h1", "/h2", "/h3", "/h4", "/h5", "/h6", "table", "/table",
		"blockquote", "/blockquote", "ul", "/ul", "ol", "/ol", "hr", "pre", "/pre",
		"dt", "dd", "title", "/title", NULL };
	static const char *const cells[] = { "td", "th", NULL };
	struct buf o;
	buf_init(&o, max);
	bool pre = false, space = false;
	for (size_t i = 0; i < n;) {
		char c = s[i];
		if (c == '<' && i + 1 < n && s[i + 1] == '!') {
			const char *end = NULL;
			if (n - i >= 4 && memcmp(s + i, "<!--", 4) == 0) {
				for (size_t j = i + 4; j + 2 < n && end == NULL; j++)
					if (memcmp(s + j, "-->", 3) == 0)
						end = s + j + 3;
			} else {
				const char *gt = memchr(s + i, '>', n - i);
				end = gt ? gt + 1 : NULL;
			}
			i = end ? (size_t)(end - s) : n;
			continue;
		}
		if (c == '<' && i + 1 < n && (s[i + 1] == '/' || s[i + 1] == '?' || is_alpha(s[i + 1]))) {
			size_t ns = i + 1, ne = ns + (s[ns] == '/');
			while (ne < n && (is_alpha(s[ne]) || (s[ne] >= '0' && s[ne] <= '9')))
				ne++;
			size_t j = ne;
			char q = 0;
			while (j < n && (q || s[j] != '>')) {
				if (q && s[j] == q)
					q = 0;
				else if (!q && (s[j] == '"' || s[j] == '\''))
					q = s[j];
				j++;
			}
			size_t nl = ne - ns;
			i = j < n ? j + 1 : n;
			if (tag_is(s + ns, nl, (const char *const[]){ "script", "style", NULL })) {
				/* Skip to the matching end tag. */
				char endtag[16];
				snprintf(endtag, sizeof(endtag), "</%.*s", (int)nl, s + ns);
				size_t k = i;
				size_t el = strlen(endtag);
				while (k + el <= n && strncasecmp(s + k, endtag, el) != 0)
					k++;
				const char *gt = k < n ? memchr(s + k, '>', n - k) : NULL;
				i = gt ? (size_t)(gt - s) + 1 : n;
				continue;
			}
			if (tag_is(s + ns, nl, (const char *const[]){ "pre", NULL }))
				pre = true;
			else if (tag_is(s + ns, nl, (const char *const[]){ "/pre", NULL }))
				pre = false;
			if (tag_is(s + ns, nl, breaks)) {
				html_newline(&o, tag_is(s + ns, nl, (const char *const[]){ "p", "/p", NULL }));
				space = false;
			} else if (tag_is(s + ns, nl, cells)) {
				if (o.len > 0 && o.data[o.len - 1] != '\n')
					buf_addc(&o, '\t');
				space = false;
			}
			continue;
		}
		if (!pre && is_space((unsigned char)c)) {
			space = true;
			i++;
			continue;
		}
		if (space && o.len > 0 && o.data[o.len - 1] != '\n' && o.data[o.len - 1] != '\t')
			buf_addc(&o, ' ');
		space = false;
		if (c == '&') {
			size_t k = html_entity(s + i, n - i, &o);
			if (k > 0) {
				i += k;
				continue;
			}
		}
		if (c == '\r') {
			i++;
			continue;
		}
		buf_addc(&o, c);
		i++;
	}
	while (o.len > 0 && is_space((unsigned char)o.data[o.len - 1]))
		o.data[--o.len] = '\0';
	char *r = buf_steal(&o, NULL);
	return r ? r : xstrndup("", 0);
}

/* ---- the walk ---------------------------------------------------------- */

struct walk {
	const struct mime_limits *lim;
	struct diags *d;
	struct mime_message *msg;
	struct buf plain, html;
	char *plain_part, *html_part;
	char *body_charset;      /* charset of the first body part */
	size_t cap_attachments;
	size_t n_parts;
	bool parts_reported, depth_reported, body_full_reported;
};

static const char *where(char *out, size_t cap, const char *path, const char *name)
{
	if (name != NULL && name[0] != '\0')
		snprintf(out, cap, "part %s (%s)", path[0] ? path : "1", name);
	else
		snprintf(out, cap, "part %s", path[0] ? path : "1");
	return out;
}

static void join_path(char *out, size_t cap, const char *path, int i)
{
	int n = path[0] == '\0' ? snprintf(out, cap, "%d", i) : snprintf(out, cap, "%s.%d", path, i);
	if (n < 0 || (size_t)n >= cap)
		out[cap - 1] = '\0';   /* cut (the depth limit keeps paths far shorter) */
}

/* Raw header block of a part: from its start to its body. */
static void part_headers(const struct mailmime *m, const char **h, size_t *hl)
{
	*h = "";
	*hl = 0;
	if (m->mm_mime_start == NULL || m->mm_body == NULL)
		return;
	const char *start = m->mm_mime_start;
	/* libetpan gives the body of a message the message's own start, so
	 * the part headers of a message/rfc822 part would come first. */
	const struct mailmime *up = m->mm_parent;
	if (up != NULL && up->mm_type == MAILMIME_MESSAGE && up->mm_body != NULL) {
		const char *ub = up->mm_body->dt_data.dt_text.dt_data;
		if (ub >= start && ub <= start + m->mm_length)
			start = ub;
	}
	const char *b = m->mm_body->dt_data.dt_text.dt_data;
	if (b >= start && b <= m->mm_mime_start + m->mm_length) {
		*h = start;
		*hl = (size_t)(b - start);
	}
}

static char *strip_dirs(char *name)
{
	if (name == NULL)
		return NULL;
	char *base = name;
	for (char *p = name; *p; p++)
		if (*p == '/' || *p == '\\')
			base = p + 1;
	if (base != name)
		memmove(name, base, strlen(base) + 1);
	if (name[0] == '\0') {
		free(name);
		return NULL;
	}
	return name;
}

/* Decode the body of a leaf.  *data_r points into the message (8bit) or
 * into *owned_r (free with mmap_string_unref).  0 ok, -1 libetpan failed. */
static int decode_body(const struct mailmime *m, const char *cte, const char **data_r,
		       size_t *len_r, char **owned_r)
{
	*owned_r = NULL;
	const char *b = m->mm_body ? m->mm_body->dt_data.dt_text.dt_data : "";
	size_t bl = m->mm_body ? m->mm_body->dt_data.dt_text.dt_length : 0;
	int enc = strcmp(cte, "base64") == 0 ? MAILMIME_MECHANISM_BASE64
		: strcmp(cte, "quoted-printable") == 0 ? MAILMIME_MECHANISM_QUOTED_PRINTABLE
		: MAILMIME_MECHANISM_8BIT;
	if (enc == MAILMIME_MECHANISM_8BIT || bl == 0) {
		*data_r = b;
		*len_r = bl;
		return 0;
	}
	size_t idx = 0;
	char *res = NULL;
	size_t rl = 0;
	if (mailmime_part_parse(b, bl, &idx, enc, &res, &rl) != MAILIMF_NO_ERROR)
		return -1;
	*owned_r = res;
	*data_r = res;
	*len_r = rl;
	return 0;
}

/* Append text to a body buffer with LF line ends. */
static int add_body_text(struct buf *out, const char *s, size_t n)
{
	if (out->len > 0 && buf_addc(out, '\n') < 0)
		return -1;
	size_t run = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] != '\r')
			continue;
		if (buf_add(out, s + run, i - run) < 0)
			return -1;
		if (i + 1 >= n || s[i + 1] != '\n')
			if (buf_addc(out, '\n') < 0)
				return -1;
		run = i + 1;
	}
	return buf_add(out, s + run, n - run);
}

static bool is_body_type(const char *type)
{
	return strcmp(type, "text/plain") == 0 || strcmp(type, "text/html") == 0;
}

static void leaf(struct walk *w, const struct mailmime *m, const char *path, bool text_ok)
{
	const char *h;
	size_t hl;
	part_headers(m, &h, &hl);
	size_t vl;
	struct params ct, cd;
	char *v = header_get(h, hl, "content-type", &vl);
	params_parse(v ? v : "", v ? vl : 0, &ct);
	free(v);
	v = header_get(h, hl, "content-disposition", &vl);
	params_parse(v ? v : "", v ? vl : 0, &cd);
	free(v);
	char cte[32] = "";
	v = header_get(h, hl, "content-transfer-encoding", &vl);
	if (v != NULL) {
		size_t k = 0;
		for (size_t i = 0; i < vl && k + 1 < sizeof(cte); i++)
			if (!is_space((unsigned char)v[i]) && v[i] != '"')
				cte[k++] = (char)lower((unsigned char)v[i]);
		cte[k] = '\0';
		free(v);
	}
	char type[128];
	if (ct.main[0] == '\0' || strchr(ct.main, '/') == NULL) {
		/* No or broken Content-Type: what libetpan decided (text/plain,
		 * or message/rfc822 in a digest). */
		const struct mailmime_content *c = m->mm_content_type;
		const char *sub = c && c->ct_subtype ? c->ct_subtype : "plain";
		const char *top = "text";
		if (c && c->ct_type && c->ct_type->tp_type == MAILMIME_TYPE_COMPOSITE_TYPE &&
		    c->ct_type->tp_data.tp_composite_type &&
		    c->ct_type->tp_data.tp_composite_type->ct_type == MAILMIME_COMPOSITE_TYPE_MESSAGE)
			top = "message";
		snprintf(type, sizeof(type), "%s/%s", top, sub);
		for (char *p = type; *p; p++)
			*p = (char)lower((unsigned char)*p);
	} else {
		snprintf(type, sizeof(type), "%s", ct.main);
	}
	char *filename = param_get(&cd, "filename");
	if (filename == NULL)
		filename = param_get(&ct, "name");
	filename = strip_dirs(filename);
	char *charset = param_get(&ct, "charset");
	bool attachment = strcmp(cd.main, "attachment") == 0 || filename != NULL;
	char place[300];
	where(place, sizeof(place), path, filename);

	if (cte[0] != '\0' && strcmp(cte, "7bit") != 0 && strcmp(cte, "8bit") != 0 &&
	    strcmp(cte, "binary") != 0 && strcmp(cte, "base64") != 0 &&
	    strcmp(cte, "quoted-printable") != 0)
		diag_add(w->d, DIAG_WARNING, place,
			 "unknown Content-Transfer-Encoding \"%s\"; the bytes were taken as they are", cte);

	const char *data;
	size_t len;
	char *owned;
	if (decode_body(m, cte, &data, &len, &owned) < 0) {
		diag_add(w->d, DIAG_ERROR, place, "the %s body could not be decoded", cte);
		goto out;
	}
	if (!text_ok && !attachment && is_body_type(type)) {
		/* The other version of a multipart/alternative text. */
	} else if (text_ok && !attachment && is_body_type(type)) {
		bool html = strcmp(type, "text/html") == 0;
		struct buf conv;
		buf_init(&conv, OG_MAX_MIME_BODY_BYTES);
		const char *note = NULL;
		int r = charset_to_utf8(charset, data, len, &conv, &note);
		if (r == 1 && note != NULL)
			diag_add(w->d, DIAG_WARNING, place, "charset \"%s\": %s",
				 charset ? charset : "(none)", note);
		struct buf *target = html ? &w->html : &w->plain;
		char **first = html ? &w->html_part : &w->plain_part;
		if (r < 0 || add_body_text(target, conv.data ? conv.data : "", conv.len) < 0) {
			if (!w->body_full_reported)
				diag_add(w->d, DIAG_ERROR, place,
					 "the text body is longer than %u bytes; the rest was ignored",
					 OG_MAX_MIME_BODY_BYTES);
			w->body_full_reported = true;
		}
		if (w->body_charset == NULL && charset != NULL)
			w->body_charset = xstrndup(charset, strlen(charset));
		if (*first == NULL)
			*first = xstrndup(path[0] ? path : "1", strlen(path[0] ? path : "1"));
		buf_free(&conv);
	} else {
		if (len > w->lim->max_attachment_bytes) {
			diag_add(w->d, DIAG_ERROR, place,
				 "the attachment is %zu bytes, more than the limit of %zu; it was ignored",
				 len, w->lim->max_attachment_bytes);
		} else {
			struct mime_message *msg = w->msg;
			if (msg->n_attachments == w->cap_attachments) {
				w->cap_attachments = w->cap_attachments ? w->cap_attachments * 2 : 8;
				msg->attachments = realloc(msg->attachments,
							   w->cap_attachments * sizeof(*msg->attachments));
				if (msg->attachments == NULL)
					fatal("out of memory");
			}
			struct mime_attachment *a = &msg->attachments[msg->n_attachments++];
			a->filename = filename;
			filename = NULL;
			a->content_type = xstrndup(type, strlen(type));
			a->part = xstrndup(path[0] ? path : "1", strlen(path[0] ? path : "1"));
			a->data = xmalloc(len + 1);
			if (len > 0)
				memcpy(a->data, data, len);
			a->data[len] = '\0';
			a->len = len;
		}
	}
	if (owned != NULL)
		mmap_string_unref(owned);
out:
	free(filename);
	free(charset);
	params_free(&ct);
	params_free(&cd);
}

static void walk(struct walk *w, const struct mailmime *m, const char *path, size_t depth, bool text_ok);

/* The child of a multipart/alternative to read the text from: text/plain
 * first, else the last other one (the richest, RFC 2046). */
static int alternative_choice(const struct mailmime *m)
{
	int i = 0, plain = 0, other = 0;
	for (clistiter *it = clist_begin(m->mm_data.mm_multipart.mm_mp_list); it; it = clist_next(it)) {
		const struct mailmime *c = clist_content(it);
		i++;
		const struct mailmime_content *ct = c->mm_content_type;
		bool is_plain = c->mm_type == MAILMIME_SINGLE && ct && ct->ct_type &&
			ct->ct_type->tp_type == MAILMIME_TYPE_DISCRETE_TYPE &&
			ct->ct_type->tp_data.tp_discrete_type &&
			ct->ct_type->tp_data.tp_discrete_type->dt_type == MAILMIME_DISCRETE_TYPE_TEXT &&
			ct->ct_subtype && strcasecmp(ct->ct_subtype, "plain") == 0;
		if (is_plain && plain == 0)
			plain = i;
		else if (!is_plain)
			other = i;
	}
	return plain ? plain : other;
}

static void walk_children(struct walk *w, const struct mailmime *m, const char *path,
			  size_t depth, bool text_ok)
{
	bool alt = m->mm_content_type && m->mm_content_type->ct_subtype &&
		   strcasecmp(m->mm_content_type->ct_subtype, "alternative") == 0;
	int choice = alt ? alternative_choice(m) : 0;
	int i = 0;
	for (clistiter *it = clist_begin(m->mm_data.mm_multipart.mm_mp_list); it; it = clist_next(it)) {
		char sub[256];
		join_path(sub, sizeof(sub), path, ++i);
		walk(w, clist_content(it), sub, depth, text_ok && (!alt || i == choice));
		if (w->parts_reported)
			return;
	}
}

static void walk(struct walk *w, const struct mailmime *m, const char *path, size_t depth, bool text_ok)
{
	if (m == NULL)
		return;
	char place[300];
	if (++w->n_parts > w->lim->max_parts) {
		if (!w->parts_reported)
			diag_add(w->d, DIAG_ERROR, where(place, sizeof(place), path, NULL),
				 "the message has more than %zu parts; the rest were ignored",
				 w->lim->max_parts);
		w->parts_reported = true;
		return;
	}
	if (m->mm_type == MAILMIME_SINGLE) {
		leaf(w, m, path, text_ok);
		return;
	}
	if (depth + 1 > w->lim->max_depth) {
		if (!w->depth_reported)
			diag_add(w->d, DIAG_ERROR, where(place, sizeof(place), path, NULL),
				 "MIME nesting deeper than %zu levels; the deeper parts were ignored",
				 w->lim->max_depth);
		w->depth_reported = true;
		return;
	}
	if (m->mm_type == MAILMIME_MULTIPLE) {
		walk_children(w, m, path, depth + 1, text_ok);
	} else if (m->mm_type == MAILMIME_MESSAGE) {
		const struct mailmime *in = m->mm_data.mm_message.mm_msg_mime;
		if (in == NULL)
			return;
		if (depth > 0) {
			/* An attached message/rfc822: its text counts as body text
			 * unless it is marked as an attachment. */
			const char *h;
			size_t hl, vl;
			part_headers(m, &h, &hl);
			char *v = header_get(h, hl, "content-disposition", &vl);
			if (v != NULL && prefix_ci(v + strspn(v, " \t"), vl - strspn(v, " \t"), "attachment"))
				text_ok = false;
			free(v);
		}
		/* A message and its own multipart are one level, one part path. */
		if (in->mm_type == MAILMIME_MULTIPLE) {
			walk_children(w, in, path, depth + 1, text_ok);
		} else {
			char sub[256];
			join_path(sub, sizeof(sub), path, 1);
			walk(w, in, sub, depth + 1, text_ok);
		}
	}
}

/* ---- top-level headers ------------------------------------------------- */

static char *lower_dup(const char *s)
{
	char *r = xstrndup(s, strlen(s));
	for (char *p = r; *p; p++)
		*p = (char)lower((unsigned char)*p);
	return r;
}

static void read_from(struct mime_message *msg, const char *v, size_t vl, const char *hint)
{
	size_t idx = 0;
	struct mailimf_mailbox_list *list = NULL;
	if (mailimf_mailbox_list_parse(v, vl, &idx, &list) == MAILIMF_NO_ERROR && list != NULL) {
		clistiter *it = clist_begin(list->mb_list);
		struct mailimf_mailbox *mb = it ? clist_content(it) : NULL;
		if (mb != NULL && mb->mb_addr_spec != NULL) {
			char *a = charset_utf8_dup(mb->mb_addr_spec, strlen(mb->mb_addr_spec), OG_MAX_FIELD_BYTES);
			msg->from_addr = lower_dup(a);
			free(a);
			if (mb->mb_display_name != NULL)
				msg->from_display = decode_header_hint(mb->mb_display_name,
								       strlen(mb->mb_display_name), hint);
		}
		mailimf_mailbox_list_free(list);
	}
	if (msg->from_addr != NULL)
		goto out;
	/* libetpan refused it (raw 8-bit, broken quoting): "name <addr>" by hand. */
	const char *lt = NULL, *gt = NULL;
	for (size_t i = vl; i > 0; i--) {
		if (v[i - 1] == '>' && gt == NULL)
			gt = v + i - 1;
		if (v[i - 1] == '<' && gt != NULL) {
			lt = v + i - 1;
			break;
		}
	}
	const char *as = v, *ae = v + vl;
	if (lt != NULL) {
		as = lt + 1;
		ae = gt;
	}
	while (as < ae && is_space((unsigned char)*as))
		as++;
	while (ae > as && is_space((unsigned char)ae[-1]))
		ae--;
	if (ae > as && memchr(as, '@', (size_t)(ae - as)) != NULL) {
		char *a = charset_utf8_dup(as, (size_t)(ae - as), OG_MAX_FIELD_BYTES);
		msg->from_addr = lower_dup(a);
		free(a);
	}
	if (lt != NULL && lt > v) {
		const char *ds = v, *de = lt;
		while (ds < de && (is_space((unsigned char)*ds) || *ds == '"'))
			ds++;
		while (de > ds && (is_space((unsigned char)de[-1]) || de[-1] == '"'))
			de--;
		if (de > ds)
			msg->from_display = decode_header_hint(ds, (size_t)(de - ds), hint);
	}
out:
	if (msg->from_display != NULL && msg->from_display[0] == '\0') {
		free(msg->from_display);
		msg->from_display = NULL;
	}
}

/* Every "<id>" of a header, without the brackets, space-separated. */
static char *msg_ids(const char *v, size_t vl, bool first_only)
{
	struct buf b;
	buf_init(&b, OG_MAX_FIELD_BYTES * 4);
	for (size_t i = 0; i < vl; i++) {
		if (v[i] != '<')
			continue;
		const char *gt = memchr(v + i, '>', vl - i);
		if (gt == NULL)
			break;
		size_t s = i + 1, e = (size_t)(gt - v);
		bool ok = e > s;
		for (size_t k = s; k < e; k++)
			if (is_space((unsigned char)v[k]) || (unsigned char)v[k] < 0x20)
				ok = false;
		if (ok) {
			if ((b.len > 0 && buf_addc(&b, ' ') < 0) || buf_add(&b, v + s, e - s) < 0)
				break;
			if (first_only)
				break;
		}
		i = e;
	}
	if (b.len == 0) {
		/* No brackets: take the value as one id, trimmed. */
		size_t s = 0, e = vl;
		while (s < e && is_space((unsigned char)v[s]))
			s++;
		while (e > s && is_space((unsigned char)v[e - 1]))
			e--;
		for (size_t k = s; k < e; k++)
			if (is_space((unsigned char)v[k]))
				e = k;
		buf_add(&b, v + s, e - s);
	}
	char *raw = buf_steal(&b, NULL);
	if (raw == NULL)
		return NULL;
	char *r = charset_utf8_dup(raw, strlen(raw), OG_MAX_FIELD_BYTES * 4);
	free(raw);
	return r;
}

/* Days since 1970-01-01 of a civil date (proleptic Gregorian). */
static long long days_from_civil(long long y, unsigned m, unsigned d)
{
	y -= m <= 2;
	long long era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (long long)doe - 719468;
}

static void civil_from_days(long long z, int *y, int *m, int *d)
{
	z += 719468;
	long long era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	long long yy = (long long)yoe + era * 400;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yy + (*m <= 2));
}

static char *read_date(const char *v, size_t vl)
{
	size_t idx = 0;
	struct mailimf_date_time *dt = NULL;
	if (mailimf_date_time_parse(v, vl, &idx, &dt) != MAILIMF_NO_ERROR || dt == NULL)
		return NULL;
	char *r = NULL;
	int y = dt->dt_year;
	if (y >= 0 && y < 50)
		y += 2000;
	else if (y >= 50 && y < 1000)
		y += 1900;
	int zone = dt->dt_zone;     /* +HHMM as an integer */
	if (dt->dt_month < 1 || dt->dt_month > 12 || dt->dt_day < 1 || dt->dt_day > 31 ||
	    dt->dt_hour < 0 || dt->dt_hour > 23 || dt->dt_min < 0 || dt->dt_min > 59 ||
	    dt->dt_sec < 0 || dt->dt_sec > 60 || y < 1900 || y > 9999 ||
	    zone < -9959 || zone > 9959)
		goto out;
	int zmin = (zone / 100) * 60 + (zone % 100);
	long long t = days_from_civil(y, (unsigned)dt->dt_month, (unsigned)dt->dt_day) * 86400
		+ dt->dt_hour * 3600 + dt->dt_min * 60 + (dt->dt_sec > 59 ? 59 : dt->dt_sec)
		- (long long)zmin * 60;
	long long days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
	long long secs = t - days * 86400;
	int yy, mm, dd;
	civil_from_days(days, &yy, &mm, &dd);
	if (yy < 1 || yy > 9999)
		goto out;
	r = xmalloc(64);
	snprintf(r, 64, "%04d-%02d-%02dT%02d:%02d:%02dZ", yy, mm, dd, (int)(secs / 3600),
		 (int)(secs / 60 % 60), (int)(secs % 60));
out:
	mailimf_date_time_free(dt);
	return r;
}

static void read_headers(struct mime_message *msg, const char *p, size_t n, const char *hint)
{
	size_t hl = header_block_len(p, n);
	size_t vl;
	char *v;
	if ((v = header_get(p, hl, "subject", &vl)) != NULL) {
		msg->subject = decode_header_hint(v, vl, hint);
		free(v);
	}
	if ((v = header_get(p, hl, "from", &vl)) != NULL) {
		read_from(msg, v, vl, hint);
		free(v);
	}
	if ((v = header_get(p, hl, "message-id", &vl)) != NULL) {
		msg->message_id = msg_ids(v, vl, true);
		free(v);
	}
	if ((v = header_get(p, hl, "in-reply-to", &vl)) != NULL) {
		msg->in_reply_to = msg_ids(v, vl, true);
		free(v);
	}
	if ((v = header_get(p, hl, "references", &vl)) != NULL) {
		msg->references = msg_ids(v, vl, false);
		free(v);
	}
	if ((v = header_get(p, hl, "date", &vl)) != NULL) {
		msg->date = read_date(v, vl);
		free(v);
	}
}

/* ---- pre-scan and entry point ------------------------------------------ */

/* What the pre-scan found: where to cut, and the boundaries declared. */
struct scan {
	size_t cut;
	char *bounds[OG_MIME_MAX_CONTAINERS];
	size_t n_bounds;
	struct { size_t off, len; } *closers;   /* "--X--" lines: X */
	size_t n_closers, cap_closers;
	size_t open[OG_MIME_MAX_CONTAINERS];   /* multiparts open here: bounds[] */
	size_t n_open;
};

static void scan_free(struct scan *sc)
{
	for (size_t i = 0; i < sc->n_bounds; i++)
		free(sc->bounds[i]);
	free(sc->closers);
}

/* The boundary of a multipart Content-Type header at [s, e): added to
 * bounds[]; its index, or -1 when it has none. */
static long scan_boundary(struct scan *sc, const char *s, size_t n)
{
	long idx = -1;
	struct buf v;
	buf_init(&v, n + 1);
	for (size_t i = 0; i < n; i++)
		if (s[i] != '\r' && s[i] != '\n')
			buf_addc(&v, s[i]);
	const char *colon = v.data ? memchr(v.data, ':', v.len) : NULL;
	if (colon != NULL && sc->n_bounds < OG_MIME_MAX_CONTAINERS) {
		struct params ps;
		size_t off = (size_t)(colon + 1 - v.data);
		params_parse(v.data + off, v.len - off, &ps);
		for (size_t i = 0; i < ps.n; i++) {
			if (strcmp(ps.items[i].name, "boundary") == 0 && ps.items[i].len > 0 &&
			    ps.items[i].len <= 200) {
				idx = (long)sc->n_bounds;
				sc->bounds[sc->n_bounds++] = xstrndup(ps.items[i].value, ps.items[i].len);
				break;
			}
		}
		params_free(&ps);
	}
	buf_free(&v);
	return idx;
}

/* A delimiter line "--X" or "--X--" at [s, s+n): close the multiparts
 * it ends (those opened inside the one whose boundary it is). */
static void scan_delimiter(struct scan *sc, const char *s, size_t n)
{
	bool close = n >= 4 && s[n - 1] == '-' && s[n - 2] == '-';
	for (size_t k = sc->n_open; k > 0; k--) {
		const char *b = sc->bounds[sc->open[k - 1]];
		size_t bl = strlen(b);
		if (n - 2 == bl + (close ? 2 : 0) && memcmp(s + 2, b, bl) == 0) {
			sc->n_open = close ? k - 1 : k;
			return;
		}
	}
}

/* Where to cut the message so that libetpan's recursion and node count
 * stay bounded (see the top of this file), and which multiparts are never
 * closed (libetpan drops an unterminated last part: a truncated message
 * would lose its text).  Linear in the message. */
static void prescan(const char *p, size_t len, size_t max_parts, size_t max_depth,
		    struct diags *d, struct scan *sc)
{
	size_t containers = 0, dashes = 0;
	size_t max_dashes = max_parts > SIZE_MAX / OG_MIME_DASH_LINES_PER_PART - 1000
		? SIZE_MAX : max_parts * OG_MIME_DASH_LINES_PER_PART + 1000;
	sc->cut = len;
	for (size_t i = 0; i < len;) {
		size_t eol = i;
		while (eol < len && p[eol] != '\n' && p[eol] != '\r')
			eol++;
		if (eol - i >= 2 && p[i] == '-' && p[i + 1] == '-') {
			if (++dashes > max_dashes) {
				diag_add(d, DIAG_ERROR, "byte 0",
					 "more than %zu lines starting with \"--\" (at byte %zu); the message was cut there",
					 max_dashes, i);
				sc->cut = i;
				return;
			}
			size_t e = eol;
			while (e > i && is_wsp(p[e - 1]))
				e--;
			scan_delimiter(sc, p + i, e - i);
			if (e - i >= 5 && p[e - 1] == '-' && p[e - 2] == '-') {
				if (sc->n_closers == sc->cap_closers) {
					sc->cap_closers = sc->cap_closers ? sc->cap_closers * 2 : 16;
					sc->closers = realloc(sc->closers, sc->cap_closers * sizeof(*sc->closers));
					if (sc->closers == NULL)
						fatal("out of memory");
				}
				sc->closers[sc->n_closers].off = i + 2;
				sc->closers[sc->n_closers++].len = e - i - 4;
			}
		}
		if (prefix_ci(p + i, eol - i, "content-type")) {
			size_t e = eol;
			/* The folded value: continuation lines start with white space. */
			while (e + 1 < len) {
				size_t nx = e + 1;
				if (p[e] == '\r' && p[nx] == '\n')
					nx++;
				if (nx >= len || !is_wsp(p[nx]))
					break;
				e = nx;
				while (e < len && p[e] != '\n' && p[e] != '\r')
					e++;
			}
			bool multi = contains_ci(p + i, e - i, "multipart");
			if ((multi || contains_ci(p + i, e - i, "message")) &&
			    ++containers > OG_MIME_MAX_CONTAINERS) {
				diag_add(d, DIAG_ERROR, "byte 0",
					 "more than %u multipart or message/rfc822 parts (at byte %zu); the message was cut there",
					 OG_MIME_MAX_CONTAINERS, i);
				sc->cut = i;
				return;
			}
			long b = multi ? scan_boundary(sc, p + i, e - i) : -1;
			/* libetpan rescans a part's bytes once per enclosing
			 * multipart: nesting is what makes it slow (500 levels of
			 * a 7 MB part take 18 s).  Two levels past the limit are
			 * kept so that the walk reports the limit itself. */
			if (b >= 0 && sc->n_open < OG_MIME_MAX_CONTAINERS) {
				sc->open[sc->n_open++] = (size_t)b;
				if (sc->n_open > max_depth + 2) {
					diag_add(d, DIAG_ERROR, "byte 0",
						 "multiparts nested more than %zu deep (at byte %zu); the message was cut there",
						 max_depth + 2, i);
					sc->cut = i;
					return;
				}
			}
		}
		i = eol + 1;
	}
}

/* Close delimiters for every declared boundary never closed, innermost
 * (last declared) first. */
static void close_multiparts(const char *p, struct scan *sc, struct buf *tail, struct diags *d)
{
	size_t missing = 0;
	for (size_t k = sc->n_bounds; k > 0; k--) {
		const char *b = sc->bounds[k - 1];
		size_t bl = strlen(b);
		bool closed = false;
		for (size_t j = 0; j < sc->n_closers && !closed; j++)
			closed = sc->closers[j].off + sc->closers[j].len <= sc->cut &&
				 sc->closers[j].len == bl && memcmp(p + sc->closers[j].off, b, bl) == 0;
		if (closed)
			continue;
		buf_adds(tail, "\r\n--");
		buf_adds(tail, b);
		buf_adds(tail, "--\r\n");
		missing++;
	}
	if (missing > 0)
		diag_add(d, DIAG_WARNING, "byte 0",
			 "the message ends inside %zu multipart%s (closing boundary missing); "
			 "the last part was read up to the end", missing, missing > 1 ? "s" : "");
}

static const char *etpan_error(int r)
{
	switch (r) {
	case MAILIMF_ERROR_PARSE: return "unparsable MIME structure";
	case MAILIMF_ERROR_MEMORY: return "out of memory in libetpan";
	case MAILIMF_ERROR_INVAL: return "invalid MIME structure";
	default: return "libetpan error";
	}
}

int mime_parse(const unsigned char *data, size_t len, const struct mime_limits *lim_in,
	       struct diags *d, struct mime_message **msg_r)
{
	*msg_r = NULL;
	struct mime_limits lim = { 0 };
	if (lim_in != NULL)
		lim = *lim_in;
	if (lim.max_message_bytes == 0)
		lim.max_message_bytes = OG_MAX_MESSAGE_BYTES_DEFAULT;
	if (lim.max_parts == 0)
		lim.max_parts = OG_MAX_MIME_PARTS_DEFAULT;
	if (lim.max_depth == 0)
		lim.max_depth = OG_MAX_MIME_DEPTH_DEFAULT;
	if (lim.max_attachment_bytes == 0)
		lim.max_attachment_bytes = OG_MAX_ATTACHMENT_BYTES_DEFAULT;

	struct mailmime *root = NULL;
	char *copy = NULL;
	struct walk w;
	memset(&w, 0, sizeof(w));
	buf_init(&w.plain, OG_MAX_MIME_BODY_BYTES);
	buf_init(&w.html, OG_MAX_MIME_BODY_BYTES);
	int ret = -1;
	if (len > lim.max_message_bytes) {
		diag_add(d, DIAG_ERROR, "byte 0", "the message is %zu bytes, more than the limit of %zu",
			 len, lim.max_message_bytes);
		goto out;
	}
	const char *p = (const char *)data;
	/* An mbox "From " separator line is not a header. */
	if (len >= 5 && memcmp(p, "From ", 5) == 0) {
		const char *nl = memchr(p, '\n', len);
		size_t skip = nl ? (size_t)(nl - p) + 1 : len;
		p += skip;
		len -= skip;
	}
	bool blank = true;
	for (size_t i = 0; i < len && blank; i++)
		blank = is_space((unsigned char)p[i]);
	if (blank) {
		diag_add(d, DIAG_ERROR, "byte 0", "the message is empty");
		goto out;
	}
	struct scan sc;
	memset(&sc, 0, sizeof(sc));
	prescan(p, len, lim.max_parts, lim.max_depth, d, &sc);
	struct buf tail;
	buf_init(&tail, (size_t)OG_MIME_MAX_CONTAINERS * 256);
	close_multiparts(p, &sc, &tail, d);
	scan_free(&sc);
	/* libetpan is not built with sanitizers and some of its scanners
	 * expect a terminating NUL: give it a private terminated copy. */
	len = sc.cut;
	copy = xmalloc(len + tail.len + 1);
	memcpy(copy, p, len);
	if (tail.len > 0)
		memcpy(copy + len, tail.data, tail.len);
	len += tail.len;
	copy[len] = '\0';
	buf_free(&tail);
	p = copy;
	size_t idx = 0;
	int r = mailmime_parse(p, len, &idx, &root);
	if (r != MAILIMF_NO_ERROR || root == NULL) {
		diag_add(d, DIAG_ERROR, "byte 0", "the message could not be read as MIME: %s", etpan_error(r));
		root = NULL;
		goto out;
	}
	struct mime_message *msg = calloc(1, sizeof(*msg));
	if (msg == NULL)
		fatal("out of memory");
	w.lim = &lim;
	w.d = d;
	w.msg = msg;
	walk(&w, root, "", 0, true);
	read_headers(msg, p, len, w.body_charset);
	msg->n_parts = w.n_parts;
	/* The text body: text/plain when it says anything, else the HTML. */
	bool plain_empty = true;
	for (size_t i = 0; i < w.plain.len && plain_empty; i++)
		plain_empty = is_space((unsigned char)w.plain.data[i]);
	if (!plain_empty || w.html.len == 0) {
		msg->body_text = buf_steal(&w.plain, NULL);
		msg->body_part = w.plain_part;
		w.plain_part = NULL;
	} else {
		msg->body_text = mime_html_to_text(w.html.data, w.html.len, OG_MAX_MIME_BODY_BYTES);
		msg->body_from_html = true;
		msg->body_part = w.html_part;
		w.html_part = NULL;
	}
	if (msg->body_text == NULL)
		msg->body_text = xstrndup("", 0);
	size_t bl = strlen(msg->body_text);
	while (bl > 0 && is_space((unsigned char)msg->body_text[bl - 1]))
		msg->body_text[--bl] = '\0';
	*msg_r = msg;
	ret = 0;
out:
	if (root != NULL)
		mailmime_free(root);
	buf_free(&w.plain);
	buf_free(&w.html);
	free(w.plain_part);
	free(w.html_part);
	free(w.body_charset);
	free(copy);
	return ret;
}

void mime_message_free(struct mime_message **mp)
{
	struct mime_message *m = *mp;
	if (m == NULL)
		return;
	free(m->from_addr);
	free(m->from_display);
	free(m->subject);
	free(m->message_id);
	free(m->in_reply_to);
	free(m->references);
	free(m->date);
	free(m->body_text);
	free(m->body_part);
	for (size_t i = 0; i < m->n_attachments; i++) {
		free(m->attachments[i].filename);
		free(m->attachments[i].content_type);
		free(m->attachments[i].part);
		free(m->attachments[i].data);
	}
	free(m->attachments);
	free(m);
	*mp = NULL;
}
