/* charset.c — labelled bytes to UTF-8 with iconv, best effort.
 *
 * The alias table maps the labels mail really carries to the iconv charset
 * that decodes them best: the Chinese GB family to GB18030 (a superset),
 * Shift_JIS to CP932 and EUC-KR to CP949 (the Microsoft supersets that
 * senders actually use), ISO-8859-1 and US-ASCII to windows-1252 (as
 * browsers do: 0x80-0x9F are always meant as cp1252 in mail).  Before iconv
 * is asked, bytes that are valid UTF-8 with non-ASCII characters win over a
 * non-Unicode label: a real GBK or Latin-1 text is practically never valid
 * UTF-8, while mislabelled UTF-8 is common.  Nothing here allocates except
 * through the caller's bounded buffer; iconv descriptors are closed on
 * every path.  Invalid input never fails: only a full buffer does. */
#include "charset.h"
#include "log.h"
#include <errno.h>
#include <iconv.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum family { FAM_OTHER, FAM_CHINESE, FAM_CJK, FAM_UNICODE, FAM_ASCII, FAM_UTF8 };

struct alias {
	const char *label;       /* lower case, no quotes */
	const char *iconv_name;
	enum family family;
};

static const struct alias aliases[] = {
	{ "utf-8", "UTF-8", FAM_UTF8 }, { "utf8", "UTF-8", FAM_UTF8 },
	{ "unicode-1-1-utf-8", "UTF-8", FAM_UTF8 }, { "x-unicode20utf8", "UTF-8", FAM_UTF8 },
	{ "us-ascii", "CP1252", FAM_ASCII }, { "ascii", "CP1252", FAM_ASCII },
	{ "ansi_x3.4-1968", "CP1252", FAM_ASCII }, { "iso646-us", "CP1252", FAM_ASCII },
	{ "utf-16", "UTF-16", FAM_UNICODE }, { "utf-16le", "UTF-16LE", FAM_UNICODE },
	{ "utf-16be", "UTF-16BE", FAM_UNICODE }, { "utf-32", "UTF-32", FAM_UNICODE },
	{ "utf-32le", "UTF-32LE", FAM_UNICODE }, { "utf-32be", "UTF-32BE", FAM_UNICODE },
	{ "ucs-2", "UTF-16", FAM_UNICODE },
	{ "gb2312", "GB18030", FAM_CHINESE }, { "gbk", "GB18030", FAM_CHINESE },
	{ "x-gbk", "GB18030", FAM_CHINESE }, { "cp936", "GB18030", FAM_CHINESE },
	{ "ms936", "GB18030", FAM_CHINESE }, { "windows-936", "GB18030", FAM_CHINESE },
	{ "gb18030", "GB18030", FAM_CHINESE }, { "euc-cn", "GB18030", FAM_CHINESE },
	{ "x-euc-cn", "GB18030", FAM_CHINESE }, { "csgb2312", "GB18030", FAM_CHINESE },
	{ "gb_2312-80", "GB18030", FAM_CHINESE }, { "chinese", "GB18030", FAM_CHINESE },
	{ "big5", "CP950", FAM_CHINESE }, { "big-5", "CP950", FAM_CHINESE },
	{ "x-big5", "CP950", FAM_CHINESE }, { "cn-big5", "CP950", FAM_CHINESE },
	{ "csbig5", "CP950", FAM_CHINESE }, { "cp950", "CP950", FAM_CHINESE },
	{ "windows-950", "CP950", FAM_CHINESE },
	{ "big5-hkscs", "BIG5-HKSCS", FAM_CHINESE },
	{ "shift_jis", "CP932", FAM_CJK }, { "shift-jis", "CP932", FAM_CJK },
	{ "sjis", "CP932", FAM_CJK }, { "x-sjis", "CP932", FAM_CJK },
	{ "ms_kanji", "CP932", FAM_CJK }, { "csshiftjis", "CP932", FAM_CJK },
	{ "windows-31j", "CP932", FAM_CJK }, { "cp932", "CP932", FAM_CJK },
	/* glibc has no ISO-2022-JP-1; -2 is a superset of it and of plain -JP. */
	{ "iso-2022-jp", "ISO-2022-JP-2", FAM_CJK }, { "csiso2022jp", "ISO-2022-JP-2", FAM_CJK },
	{ "iso-2022-jp-1", "ISO-2022-JP-2", FAM_CJK }, { "iso-2022-jp-2", "ISO-2022-JP-2", FAM_CJK },
	{ "iso-2022-jp-3", "ISO-2022-JP-3", FAM_CJK },
	{ "euc-jp", "EUC-JP", FAM_CJK }, { "x-euc-jp", "EUC-JP", FAM_CJK },
	{ "euc-kr", "CP949", FAM_CJK }, { "ks_c_5601-1987", "CP949", FAM_CJK },
	{ "ks_c_5601", "CP949", FAM_CJK }, { "ksc5601", "CP949", FAM_CJK },
	{ "ksc_5601", "CP949", FAM_CJK }, { "cp949", "CP949", FAM_CJK },
	{ "windows-949", "CP949", FAM_CJK }, { "uhc", "CP949", FAM_CJK },
	{ "iso-2022-kr", "ISO-2022-KR", FAM_CJK },
	{ "iso-8859-1", "CP1252", FAM_OTHER }, { "latin1", "CP1252", FAM_OTHER },
	{ "l1", "CP1252", FAM_OTHER }, { "iso8859-1", "CP1252", FAM_OTHER },
	{ "iso_8859-1", "CP1252", FAM_OTHER }, { "cp819", "CP1252", FAM_OTHER },
	{ "koi8-r", "KOI8-R", FAM_OTHER }, { "koi8-u", "KOI8-U", FAM_OTHER },
	{ "tis-620", "TIS-620", FAM_OTHER },
};

struct resolved {
	char iconv_name[32];
	enum family family;
	bool known;
};

/* Lower-case the label, strip white space and quotes. */
static void normalize_label(const char *label, char *out, size_t cap)
{
	size_t n = 0;
	for (const char *p = label; *p != '\0' && n + 1 < cap; p++) {
		unsigned char c = (unsigned char)*p;
		if (c == '"' || c == '\'' || c == ' ' || c == '\t' || c == '\r' || c == '\n')
			continue;
		out[n++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
	}
	out[n] = '\0';
}

/* "iso-8859-N", "iso8859-N", "iso_8859-N"; "windows-125N", "cp125N",
 * "x-cp125N": computed instead of listed. */
static bool numbered_charset(const char *l, struct resolved *r)
{
	const char *num = NULL;
	if (strncmp(l, "iso-8859-", 9) == 0 || strncmp(l, "iso_8859-", 9) == 0)
		num = l + 9;
	else if (strncmp(l, "iso8859-", 8) == 0)
		num = l + 8;
	if (num != NULL) {
		char *end;
		long n = strtol(num, &end, 10);
		/* "iso-8859-1:1987" style suffixes are tolerated. */
		if (end == num || n < 1 || n > 16 || n == 12 || (*end != '\0' && *end != ':'))
			return false;
		if (n == 1)
			snprintf(r->iconv_name, sizeof(r->iconv_name), "CP1252");
		else
			snprintf(r->iconv_name, sizeof(r->iconv_name), "ISO-8859-%ld", n);
		return true;
	}
	if (strncmp(l, "windows-", 8) == 0)
		num = l + 8;
	else if (strncmp(l, "x-cp", 4) == 0)
		num = l + 4;
	else if (strncmp(l, "cp", 2) == 0)
		num = l + 2;
	if (num != NULL) {
		char *end;
		long n = strtol(num, &end, 10);
		if (end == num || *end != '\0' || n < 1250 || n > 1258)
			return false;
		snprintf(r->iconv_name, sizeof(r->iconv_name), "CP%ld", n);
		return true;
	}
	return false;
}

static void resolve(const char *label, struct resolved *r)
{
	char l[64];
	memset(r, 0, sizeof(*r));
	normalize_label(label ? label : "", l, sizeof(l));
	for (size_t i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++) {
		if (strcmp(aliases[i].label, l) == 0) {
			snprintf(r->iconv_name, sizeof(r->iconv_name), "%s", aliases[i].iconv_name);
			r->family = aliases[i].family;
			r->known = true;
			return;
		}
	}
	if (numbered_charset(l, r)) {
		r->known = true;
		return;
	}
	/* Unknown: remember whether it looked Chinese, for the fallback. */
	if (strstr(l, "gb") != NULL || strstr(l, "big5") != NULL || strstr(l, "hz") != NULL)
		r->family = FAM_CHINESE;
}

const char *charset_canonical(const char *label)
{
	static const char *const names[] = {
		"UTF-8", "CP1252", "UTF-16", "UTF-16LE", "UTF-16BE", "UTF-32", "UTF-32LE",
		"UTF-32BE", "GB18030", "CP950", "BIG5-HKSCS", "CP932", "ISO-2022-JP-2",
		"ISO-2022-JP-3", "EUC-JP", "CP949", "ISO-2022-KR", "KOI8-R", "KOI8-U", "TIS-620",
		"ISO-8859-2", "ISO-8859-3", "ISO-8859-4", "ISO-8859-5", "ISO-8859-6",
		"ISO-8859-7", "ISO-8859-8", "ISO-8859-9", "ISO-8859-10", "ISO-8859-11",
		"ISO-8859-13", "ISO-8859-14", "ISO-8859-15", "ISO-8859-16", "CP1250", "CP1251",
		"CP1253", "CP1254", "CP1255", "CP1256", "CP1257", "CP1258",
	};
	struct resolved r;
	resolve(label, &r);
	if (!r.known)
		return NULL;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(names[i], r.iconv_name) == 0)
			return names[i];
	return NULL;
}

/* Length of the valid UTF-8 sequence at s (1..4), 0 when invalid. */
static size_t utf8_seq(const unsigned char *s, size_t n, uint32_t *cp_r)
{
	unsigned char c = s[0];
	size_t len;
	uint32_t cp, min;
	if (c < 0x80) {
		*cp_r = c;
		return 1;
	} else if (c >= 0xC2 && c <= 0xDF) {
		len = 2; cp = c & 0x1F; min = 0x80;
	} else if (c >= 0xE0 && c <= 0xEF) {
		len = 3; cp = c & 0x0F; min = 0x800;
	} else if (c >= 0xF0 && c <= 0xF4) {
		len = 4; cp = c & 0x07; min = 0x10000;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3F);
	}
	if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	*cp_r = cp;
	return len;
}

bool charset_utf8_valid(const void *s, size_t len)
{
	const unsigned char *p = s;
	for (size_t i = 0; i < len;) {
		uint32_t cp;
		size_t n = utf8_seq(p + i, len - i, &cp);
		if (n == 0)
			return false;
		i += n;
	}
	return true;
}

static const char replacement[] = "\xEF\xBF\xBD";

long charset_utf8_sanitize(const void *in, size_t len, struct buf *out)
{
	const unsigned char *p = in;
	long bad = 0;
	size_t run = 0;      /* start of the pending run of good bytes */
	size_t i = 0;
	while (i < len) {
		uint32_t cp;
		size_t n = utf8_seq(p + i, len - i, &cp);
		if (n != 0 && cp != 0) {
			i += n;
			continue;
		}
		if (buf_add(out, p + run, i - run) < 0)
			return -1;
		if (n == 0 && buf_add(out, replacement, 3) < 0)
			return -1;
		bad++;
		i++;
		run = i;
	}
	if (buf_add(out, p + run, len - run) < 0)
		return -1;
	return bad;
}

char *charset_utf8_dup(const void *in, size_t len, size_t max)
{
	struct buf b;
	buf_init(&b, max);
	const unsigned char *p = in;
	/* Cut at the last character that fits: sanitize a prefix. */
	size_t take = len;
	if (take > max) {
		take = max;
		while (take > 0 && (p[take] & 0xC0) == 0x80)
			take--;
	}
	while (charset_utf8_sanitize(p, take, &b) < 0) {
		/* Replacements made it grow past max: try a shorter prefix. */
		buf_reset(&b);
		take = take / 2;
	}
	char *s = buf_steal(&b, NULL);
	if (s == NULL) {
		s = strdup("");
		if (s == NULL)
			fatal("out of memory");
	}
	return s;
}

/* Statistics of the bytes as UTF-8. */
struct utf8_stats {
	bool valid;
	size_t multibyte;        /* valid sequences of 2..4 bytes */
	bool latin1_only;        /* every code point <= U+00FF */
	size_t high;             /* code points U+0080..U+00FF */
	size_t high_pairs;       /* ... that follow another one */
};

static void utf8_stats(const unsigned char *p, size_t len, struct utf8_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->valid = true;
	st->latin1_only = true;
	bool prev_high = false;
	for (size_t i = 0; i < len;) {
		uint32_t cp;
		size_t n = utf8_seq(p + i, len - i, &cp);
		if (n == 0) {
			st->valid = false;
			i++;
			continue;
		}
		if (n > 1)
			st->multibyte++;
		if (cp > 0xFF)
			st->latin1_only = false;
		bool high = cp >= 0x80 && cp <= 0xFF;
		st->high += high;
		st->high_pairs += high && prev_high;
		prev_high = high;
		i += n;
	}
}

/* Flush converted bytes to out, dropping NULs. */
static int add_no_nul(struct buf *out, const char *p, size_t n)
{
	size_t run = 0;
	for (size_t i = 0; i < n; i++) {
		if (p[i] != '\0')
			continue;
		if (buf_add(out, p + run, i - run) < 0)
			return -1;
		run = i + 1;
	}
	return buf_add(out, p + run, n - run);
}

/* iconv conversion with U+FFFD for invalid or truncated input.
 * Returns the number of replacements, -1 on a full buffer, -2 when iconv
 * does not know the charset. */
static long convert(const char *iconv_name, const unsigned char *in, size_t len, struct buf *out)
{
	iconv_t cd = iconv_open("UTF-8", iconv_name);
	if (cd == (iconv_t)-1)
		return -2;
	long bad = 0, ret = -1;
	char chunk[4096];
	char *ip = (char *)(uintptr_t)in;
	size_t ileft = len;
	bool flushing = false;
	for (;;) {
		char *op = chunk;
		size_t oleft = sizeof(chunk);
		/* Once the input is used up, one more call flushes what a
		 * stateful decoder (ISO-2022, CP1255) still holds. */
		flushing = ileft == 0;
		size_t r = !flushing ? iconv(cd, &ip, &ileft, &op, &oleft)
				     : iconv(cd, NULL, NULL, &op, &oleft);
		int err = r == (size_t)-1 ? errno : 0;
		if (add_no_nul(out, chunk, (size_t)(op - chunk)) < 0)
			goto out;
		if (r != (size_t)-1) {
			if (flushing)
				break;
			continue;
		}
		if (err == E2BIG)
			continue;
		if (err == EILSEQ || err == EINVAL) {
			if (buf_add(out, replacement, 3) < 0)
				goto out;
			bad++;
			if (err == EINVAL) {
				/* Truncated sequence at the end. */
				ileft = 0;
				continue;
			}
			ip++;
			ileft--;
			continue;
		}
		if (err != 0) {
			/* Anything else: keep the rest readable as UTF-8. */
			long s = charset_utf8_sanitize(ip, ileft, out);
			if (s < 0)
				goto out;
			bad += s;
			ileft = 0;
		}
	}
	ret = bad;
out:
	iconv_close(cd);
	return ret;
}

/* The last-resort decoding: UTF-8 if valid, else cp1252 or GB18030. */
static int fallback(enum family fam, const unsigned char *p, size_t len,
		    const struct utf8_stats *st, struct buf *out, const char **note_r)
{
	if (st->valid) {
		*note_r = "the bytes were read as UTF-8";
		return charset_utf8_sanitize(p, len, out) < 0 ? -1 : 1;
	}
	const char *name = fam == FAM_CHINESE ? "GB18030" : "CP1252";
	*note_r = fam == FAM_CHINESE ? "the bytes were read as GB18030"
				     : "the bytes were read as windows-1252";
	long r = convert(name, p, len, out);
	return r < 0 ? -1 : 1;
}

/* UTF-8 of a Latin-1 misreading of CJK bytes ("mojibake"): undo it when the
 * bytes then convert cleanly in the labelled charset. 1 done, 0 not. */
static int undo_mojibake(const struct resolved *r, const unsigned char *p, size_t len,
			 struct buf *out)
{
	unsigned char *raw = malloc(len ? len : 1);
	if (raw == NULL)
		fatal("out of memory");
	size_t n = 0;
	for (size_t i = 0; i < len;) {
		uint32_t cp;
		size_t k = utf8_seq(p + i, len - i, &cp);
		if (k == 0) {           /* not UTF-8 after all: nothing to undo */
			free(raw);
			return 0;
		}
		raw[n++] = (unsigned char)cp;
		i += k;
	}
	struct buf tmp;
	buf_init(&tmp, out->max);
	long bad = convert(r->iconv_name, raw, n, &tmp);
	int ret = 0;
	if (bad == 0) {
		ret = buf_add(out, tmp.data ? tmp.data : "", tmp.len) < 0 ? -1 : 1;
	}
	buf_free(&tmp);
	free(raw);
	return ret;
}

static void strip_bom(struct buf *out, size_t start)
{
	if (out->len - start >= 3 && memcmp(out->data + start, "\xEF\xBB\xBF", 3) == 0) {
		memmove(out->data + start, out->data + start + 3, out->len - start - 3);
		out->len -= 3;
		out->data[out->len] = '\0';
	}
}

int charset_to_utf8(const char *label, const void *in, size_t len,
		    struct buf *out, const char **note_r)
{
	const unsigned char *p = in;
	const char *note_dummy;
	if (note_r == NULL)
		note_r = &note_dummy;
	*note_r = NULL;
	size_t start = out->len;
	struct resolved r;
	resolve(label, &r);
	struct utf8_stats st;
	utf8_stats(p, len, &st);
	int ret;
	bool no_label = label == NULL || label[0] == '\0';

	if (no_label) {
		ret = fallback(FAM_OTHER, p, len, &st, out, note_r);
		if (ret == 1 && st.valid) {
			ret = 0;                  /* unlabelled UTF-8 is fine */
			*note_r = NULL;
		} else if (ret == 1) {
			*note_r = "no charset was declared and the bytes are not UTF-8; they were read as windows-1252";
		}
		goto out;
	}
	if (!r.known) {
		ret = fallback(r.family, p, len, &st, out, note_r);
		*note_r = st.valid ? "unknown charset; the bytes were read as UTF-8"
			  : r.family == FAM_CHINESE ? "unknown charset; the bytes were read as GB18030"
			  : "unknown charset; the bytes were read as windows-1252";
		goto out;
	}
	if (r.family == FAM_UTF8 || (r.family == FAM_ASCII && st.valid)) {
		if (st.valid) {
			ret = charset_utf8_sanitize(p, len, out) < 0 ? -1 : 0;
			if (ret == 0 && r.family == FAM_ASCII && st.multibyte > 0) {
				*note_r = "declared US-ASCII but the bytes are UTF-8";
				ret = 1;
			}
			goto out;
		}
		if (r.family == FAM_UTF8 && st.multibyte > 0) {
			/* Mostly UTF-8 with a few bad bytes: keep it, mark the holes. */
			ret = charset_utf8_sanitize(p, len, out) < 0 ? -1 : 1;
			*note_r = "invalid UTF-8 sequences were replaced by U+FFFD";
			goto out;
		}
		ret = convert("CP1252", p, len, out) < 0 ? -1 : 1;
		*note_r = "the bytes are not UTF-8; they were read as windows-1252";
		goto out;
	}
	if (r.family != FAM_UNICODE && st.valid && st.multibyte > 0) {
		/* Double-byte text misread as Latin-1 has many high characters,
		 * a good share of them in runs; Latin text has few, alone. */
		if ((r.family == FAM_CHINESE || r.family == FAM_CJK) && st.latin1_only &&
		    st.high >= 8 && st.high_pairs * 5 >= st.high) {
			ret = undo_mojibake(&r, p, len, out);
			if (ret != 0) {
				*note_r = "the bytes were UTF-8 of a Latin-1 misreading; the original was restored";
				goto out;
			}
		}
		ret = charset_utf8_sanitize(p, len, out) < 0 ? -1 : 1;
		*note_r = "the declared charset is wrong: the bytes are UTF-8";
		goto out;
	}
	long bad = convert(r.iconv_name, p, len, out);
	if (bad == -2) {
		ret = fallback(r.family, p, len, &st, out, note_r);
		goto out;
	}
	if (bad > 0 && strcmp(r.iconv_name, "CP950") == 0) {
		/* Hong Kong text labelled big5: retry with the HKSCS superset. */
		struct buf tmp;
		buf_init(&tmp, out->max);
		long bad2 = convert("BIG5-HKSCS", p, len, &tmp);
		if (bad2 >= 0 && bad2 < bad) {
			out->len = start;
			if (buf_add(out, tmp.data ? tmp.data : "", tmp.len) < 0)
				bad2 = -1;
			bad = bad2;
		}
		buf_free(&tmp);
	}
	if (bad < 0) {
		ret = -1;
		goto out;
	}
	ret = bad > 0 ? 1 : 0;
	if (bad > 0)
		*note_r = "invalid byte sequences were replaced by U+FFFD";
	else if (r.family == FAM_ASCII) {
		ret = 1;   /* only 8-bit bytes get here */
		*note_r = "declared US-ASCII but the bytes are 8-bit; they were read as windows-1252";
	}
out:
	if (ret >= 0)
		strip_bom(out, start);
	return ret;
}
