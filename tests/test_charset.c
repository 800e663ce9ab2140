/* test_charset.c — charset labels and real byte sequences to exact UTF-8:
 * every alias family, invalid sequences (U+FFFD and go on), wrong and
 * unknown labels (UTF-8 if valid, else windows-1252 or GB18030), and the
 * UTF-8 sanitizer.  Byte sequences were written from the code charts and
 * cross-checked with Python's codecs. */
#include "check.h"
#include "charset.h"
#include <stdlib.h>

struct conv_case {
	const char *label;
	const char *in;
	size_t len;            /* 0: strlen(in) */
	const char *want;
	int rc;                /* 0 clean, 1 with a note */
};

#define B(s) s, sizeof(s) - 1

static const struct conv_case cases[] = {
	/* Chinese: all of the GB family to GB18030. */
	{ "GB2312", B("\xd6\xd0\xce\xc4"), "中文", 0 },
	{ "GBK", B("\xd6\xd0\xce\xc4\x81\x40"), "中文丂", 0 },
	{ "X-GBK", B("\xc4\xe3\xba\xc3"), "你好", 0 },
	{ "CP936", B("\xd6\xd0"), "中", 0 },
	{ "gb18030", B("\x81\x30\x81\x30"), "\xc2\x80", 0 },
	{ "\"gb2312\"", B("\xd6\xd0"), "中", 0 },           /* quoted label */
	{ "  Gb2312 ", B("\xd6\xd0"), "中", 0 },            /* case, blanks */
	/* Big5: CP950, and BIG5-HKSCS when CP950 does not know a character. */
	{ "Big5", B("\xa4\xa4\xa4\xe5"), "中文", 0 },
	{ "big5", B("\x88\x40"), "㇀", 0 },
	{ "big5-hkscs", B("\x88\x40"), "㇀", 0 },
	/* Japanese. */
	{ "Shift_JIS", B("\x93\xfa\x96\x7b"), "日本", 0 },
	{ "SJIS", B("\x82\xa0"), "あ", 0 },
	{ "x-sjis", B("\x87\x40"), "①", 0 },                /* CP932 (NEC) extension */
	{ "ISO-2022-JP", B("\x1b$BF|K\\\x1b(B"), "日本", 0 },
	{ "iso-2022-jp-1", B("\x1b$BF|K\\\x1b(B"), "日本", 0 },
	{ "ISO-2022-JP-2", B("\x1b$BF|K\\\x1b(B"), "日本", 0 },
	{ "ISO-2022-JP-3", B("\x1b$BF|K\\\x1b(B"), "日本", 0 },
	/* Korean: CP949. */
	{ "EUC-KR", B("\xc7\xd1\xb1\xb9"), "한국", 0 },
	{ "ks_c_5601-1987", B("\xc7\xd1"), "한", 0 },
	/* ISO-8859-1..16 (no -12). -1 is read as windows-1252, as browsers do. */
	{ "ISO-8859-1", B("M\xfcller"), "Müller", 0 },
	{ "iso-8859-1", B("\x80"), "€", 0 },
	{ "ISO-8859-2", B("\xb3\xf3" "d\xbc"), "łódź", 0 },
	{ "ISO-8859-3", B("\xa6"), "Ĥ", 0 },
	{ "ISO-8859-4", B("\xa2"), "ĸ", 0 },
	{ "ISO-8859-5", B("\xb4\xd0"), "Да", 0 },
	{ "ISO-8859-6", B("\xc7"), "ا", 0 },
	{ "ISO-8859-7", B("\xd9"), "Ω", 0 },
	{ "ISO-8859-8", B("\xe0"), "א", 0 },
	{ "ISO-8859-9", B("\xfe"), "ş", 0 },
	{ "ISO-8859-10", B("\xa1"), "Ą", 0 },
	{ "ISO-8859-11", B("\xa1"), "ก", 0 },
	{ "ISO-8859-13", B("\xe0"), "ą", 0 },
	{ "ISO-8859-14", B("\xa1"), "Ḃ", 0 },
	{ "ISO-8859-15", B("\xa4"), "€", 0 },
	{ "ISO-8859-16", B("\xa1"), "Ą", 0 },
	{ "iso8859-15", B("\xa4"), "€", 0 },
	/* windows-1250..1258. */
	{ "windows-1250", B("\xb3"), "ł", 0 },
	{ "windows-1251", B("\xc4\xe0"), "Да", 0 },
	{ "windows-1252", B("\x80\x93x\x94"), "€“x”", 0 },
	{ "cp1252", B("\x80"), "€", 0 },
	{ "windows-1253", B("\xd9"), "Ω", 0 },
	{ "windows-1254", B("\xfe"), "ş", 0 },
	{ "windows-1255", B("\xe0"), "א", 0 },
	{ "windows-1256", B("\xda"), "ع", 0 },
	{ "windows-1257", B("\xe0"), "ą", 0 },
	{ "windows-1258", B("\xfe"), "₫", 0 },
	/* KOI8. */
	{ "KOI8-R", B("\xf0\xd2\xc9\xd7\xc5\xd4"), "Привет", 0 },
	{ "KOI8-U", B("\xa7"), "ї", 0 },
	/* Unicode: BOM removed, NUL characters dropped. */
	{ "UTF-8", B("\xef\xbb\xbf" "abc"), "abc", 0 },
	{ "utf8", B("a\0b"), "ab", 0 },
	{ "US-ASCII", B("plain"), "plain", 0 },
	{ "UTF-16LE", B("A\x00\x2d\x4e"), "A中", 0 },
	{ "UTF-16BE", B("\x00" "A\x4e\x2d"), "A中", 0 },
	{ "UTF-16", B("\xff\xfe" "A\x00"), "A", 0 },
	{ "UTF-32LE", B("A\x00\x00\x00"), "A", 0 },

	/* Invalid sequences: U+FFFD, and the rest still converted. */
	{ "Shift_JIS", B("\x93\xfa\xff\x96\x7b"), "日\xef\xbf\xbd本", 1 },
	{ "EUC-KR", B("\xc7\xd1\xc7"), "한\xef\xbf\xbd", 1 },        /* truncated */
	{ "ISO-2022-JP", B("\x1b$BF|\x80K\\\x1b(B"), "日\xef\xbf\xbd本", 1 },
	{ "UTF-8", B("ok \xe4\xb8\xad \xff end"), "ok 中 \xef\xbf\xbd end", 1 },
	{ "UTF-8", B("\xed\xa0\x80"), "í\xc2\xa0€", 1 },    /* no valid UTF-8 at all: cp1252 */
	{ "windows-1252", B("a\x81" "b"), "a\xef\xbf\xbd" "b", 1 },       /* undefined in cp1252 */

	/* Wrong labels. */
	{ "UTF-8", B("M\xfcller"), "Müller", 1 },               /* Latin-1 sent as UTF-8 */
	{ "US-ASCII", B("M\xfcller"), "Müller", 1 },
	{ "US-ASCII", B("M\xc3\xbcller"), "Müller", 1 },         /* UTF-8 sent as ASCII */
	{ "GB2312", B("\xe4\xb8\xad\xe6\x96\x87"), "中文", 1 },   /* UTF-8 sent as GB2312 */
	{ "ISO-8859-1", B("M\xc3\xbcller"), "Müller", 1 },
	/* Big5 text misread as Latin-1 and re-encoded as UTF-8: restored. */
	{ "big5", B("\xc2\xa4\xc2\xa4\xc2\xa4\xc3\xa5\xc2\xa4\xc2\xa4\xc2\xa4\xc3\xa5"), "中文中文", 1 },
	/* ... but a short Latin text labelled Chinese stays as it is. */
	{ "gb2312", B("Gr\xc3\xb6\xc3\x9f" "e"), "Größe", 1 },

	/* Unknown labels: UTF-8 when valid, else windows-1252, or GB18030
	 * when the label looks Chinese. */
	{ "x-unknown", B("na\xc3\xafve"), "naïve", 1 },
	{ "x-unknown", B("na\xefve"), "naïve", 1 },
	{ "x-gb-fancy", B("\xd6\xd0\xce\xc4"), "中文", 1 },
	{ "ISO-8859-12", B("caf\xe9"), "café", 1 },
	{ "", B("caf\xc3\xa9"), "café", 0 },                    /* no label, UTF-8 */
	{ NULL, B("caf\xe9"), "café", 1 },                      /* no label, not UTF-8 */
	{ "utf-7", B("plain"), "plain", 1 },
	{ "GB2312", B(""), "", 0 },
};

static void test_convert(void)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct conv_case *c = &cases[i];
		struct buf out;
		buf_init(&out, 1 << 16);
		const char *note = NULL;
		int rc = charset_to_utf8(c->label, c->in, c->len, &out, &note);
		if (rc != c->rc || strcmp(out.data ? out.data : "", c->want) != 0)
			fprintf(stderr, "case %zu (%s)\n", i, c->label ? c->label : "NULL");
		CHECK_INT(rc, c->rc);
		CHECK_STR(out.data ? out.data : "", c->want);
		CHECK((rc == 1) == (note != NULL));
		CHECK(charset_utf8_valid(out.data ? out.data : "", out.len));
		buf_free(&out);
	}
}

static void test_notes_and_limits(void)
{
	struct buf out;
	buf_init(&out, 1 << 10);
	const char *note;
	charset_to_utf8("x-unknown", "na\xefve", 5, &out, &note);
	CHECK_STR(note, "unknown charset; the bytes were read as windows-1252");
	buf_reset(&out);
	charset_to_utf8("GB2312", "\xe4\xb8\xad\xe6\x96\x87", 6, &out, &note);
	CHECK_STR(note, "the declared charset is wrong: the bytes are UTF-8");
	buf_reset(&out);
	charset_to_utf8("x-gbk-custom", "\xd6\xd0", 2, &out, &note);
	CHECK_STR(note, "unknown charset; the bytes were read as GB18030");
	buf_free(&out);

	/* The output buffer's maximum is the only failure. */
	struct buf small;
	buf_init(&small, 4);
	CHECK_INT(charset_to_utf8("GB2312", "\xd6\xd0\xce\xc4", 4, &small, NULL), -1);
	buf_free(&small);

	/* A long input crosses iconv's chunk size. */
	size_t n = 30000;
	char *big = malloc(n * 2);
	for (size_t i = 0; i < n; i++) {
		big[2 * i] = '\xd6';
		big[2 * i + 1] = '\xd0';
	}
	struct buf b;
	buf_init(&b, 1 << 20);
	CHECK_INT(charset_to_utf8("gbk", big, n * 2, &b, NULL), 0);
	CHECK_INT(b.len, n * 3);
	CHECK(b.len == n * 3 && memcmp(b.data + b.len - 3, "中", 3) == 0);
	buf_free(&b);
	free(big);

	static const struct { const char *label, *want; } canon[] = {
		{ "X-GBK", "GB18030" }, { "cp936", "GB18030" }, { "big5", "CP950" },
		{ "Big5-HKSCS", "BIG5-HKSCS" }, { "shift_jis", "CP932" }, { "'sjis'", "CP932" },
		{ "ks_c_5601-1987", "CP949" }, { "euc-kr", "CP949" }, { "iso-2022-jp-1", "ISO-2022-JP-2" },
		{ "ISO-8859-1", "CP1252" }, { "ISO-8859-16", "ISO-8859-16" }, { "windows-1258", "CP1258" },
		{ "koi8-u", "KOI8-U" }, { "utf-16le", "UTF-16LE" }, { "iso-8859-12", NULL },
		{ "windows-1259", NULL }, { "nonsense", NULL }, { "", NULL },
	};
	for (size_t i = 0; i < sizeof(canon) / sizeof(canon[0]); i++)
		CHECK_STR(charset_canonical(canon[i].label), canon[i].want);
}

static void test_sanitize(void)
{
	static const struct { const char *in; size_t len; const char *want; long bad; bool valid; } t[] = {
		{ B("plain"), "plain", 0, true },
		{ B("a\0b\0"), "ab", 2, true },
		{ B("\xc3\xa9t\xc3\xa9"), "été", 0, true },
		{ B("x\xc3"), "x\xef\xbf\xbd", 1, false },                 /* truncated */
		{ B("\xc0\xaf"), "\xef\xbf\xbd\xef\xbf\xbd", 2, false },   /* overlong */
		{ B("\xed\xa0\x80"), "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd", 3, false },  /* surrogate */
		{ B("\xf4\x90\x80\x80"), "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd", 4, false },
		{ B("\xf0\x9f\x8e\x89"), "🎉", 0, true },
		{ B("\xfe\xff"), "\xef\xbf\xbd\xef\xbf\xbd", 2, false },
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct buf out;
		buf_init(&out, 1 << 10);
		CHECK_INT(charset_utf8_sanitize(t[i].in, t[i].len, &out), t[i].bad);
		CHECK_STR(out.data ? out.data : "", t[i].want);
		CHECK(charset_utf8_valid(t[i].in, t[i].len) == t[i].valid);
		buf_free(&out);
		char *d = charset_utf8_dup(t[i].in, t[i].len, 100);
		CHECK_STR(d, t[i].want);
		free(d);
	}
	/* dup caps at a character boundary. */
	char *d = charset_utf8_dup("ab\xe4\xb8\xad", 5, 4);
	CHECK_STR(d, "ab");
	free(d);
}

int main(void)
{
	test_convert();
	test_notes_and_limits();
	test_sanitize();
	return check_status();
}
