/* test_mime.c — the MIME reader on hand-made messages (structure,
 * encodings, headers, limits, hostile input) and on every message in
 * tests/data/eml (expected values checked by hand against the bytes). */
#include "check.h"
#include "limits.h"
#include "mime.h"
#include "readfile.h"
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

static struct mime_message *parse(const char *s, size_t len, const struct mime_limits *lim,
				  struct diags *d, int *rc)
{
	struct mime_message *m = NULL;
	*rc = mime_parse((const unsigned char *)s, len, lim, d, &m);
	return m;
}

/* All diagnostics as "where: message\n", for substring checks. */
static const char *diag_text(const struct diags *d)
{
	static char out[8192];
	size_t n = 0;
	out[0] = '\0';
	for (size_t i = 0; i < d->n; i++)
		n += (size_t)snprintf(out + n, n < sizeof(out) ? sizeof(out) - n : 0, "%s: %s\n",
				      d->items[i].where, d->items[i].message);
	return out;
}

#define CHECK_HAS(hay, needle) do { const char *h_ = (hay); check_count++; \
	if (strstr(h_, (needle)) == NULL) { check_failures++; \
	fprintf(stderr, "%s:%d: \"%s\" not in:\n%s\n", __FILE__, __LINE__, (needle), h_); } } while (0)

/* File names of all attachments, joined by "|". */
static const char *att_names(const struct mime_message *m)
{
	static char out[4096];
	size_t n = 0;
	out[0] = '\0';
	for (size_t i = 0; m && i < m->n_attachments; i++)
		n += (size_t)snprintf(out + n, n < sizeof(out) ? sizeof(out) - n : 0, "%s%s",
				      i ? "|" : "", m->attachments[i].filename ? m->attachments[i].filename : "-");
	return out;
}

static void test_nested(void)
{
	static const char msg[] =
		"From: =?ISO-8859-1?Q?J=F6rg_M=FCller?= <Joerg.Mueller@Example.COM>\r\n"
		"To: x@example.com\r\n"
		"Subject: =?UTF-8?B?5Lit?=\r\n =?UTF-8?B?5paH?= and =?iso-8859-1?q?caf=E9?=\r\n"
		"Message-ID: <abc.123@mail.example.com>\r\n"
		"In-Reply-To: <prev@x> <other@y>\r\n"
		"References: <a@x>\r\n\t<b@y> <c@z>\r\n"
		"Date: Tue, 1 Jul 2003 10:52:37 +0200\r\n"
		"MIME-Version: 1.0\r\n"
		"Content-Type: multipart/mixed; boundary=\"outer\"\r\n"
		"\r\n"
		"preamble\r\n"
		"--outer\r\n"
		"Content-Type: multipart/alternative; boundary=alt\r\n"
		"\r\n"
		"--alt\r\n"
		"Content-Type: text/plain; charset=iso-8859-1\r\n"
		"Content-Transfer-Encoding: quoted-printable\r\n"
		"\r\n"
		"Bitte liefern Sie 10 St=FCck, Preis =3D 5 EUR. Ein sehr langer Satz, der=\r\n"
		" weitergeht.\r\n"
		"--alt\r\n"
		"Content-Type: text/html; charset=utf-8\r\n"
		"\r\n"
		"<p>HTML version</p>\r\n"
		"--alt--\r\n"
		"--outer\r\n"
		"Content-Type: text/csv; name=\"orders.csv\"\r\n"
		"Content-Transfer-Encoding: base64\r\n"
		"Content-Disposition: attachment; filename=\"orders.csv\"\r\n"
		"\r\n"
		"c2t1LHF0eQpBLTEsMTAK\r\n"
		"--outer\r\n"
		"Content-Type: multipart/mixed; boundary=inner\r\n"
		"\r\n"
		"--inner\r\n"
		"Content-Type: application/octet-stream\r\n"
		"Content-Disposition: attachment;\r\n"
		" filename*0*=UTF-8''%E8%AE%A2%E5%8D%95;\r\n"
		" filename*1=\"_2024.edi\"\r\n"
		"Content-Transfer-Encoding: quoted-printable\r\n"
		"\r\n"
		"ISA*00*=\r\n"
		"~\r\n"
		"--inner\r\n"
		"Content-Type: application/vnd.ms-excel;\r\n"
		" name=\"=?UTF-8?Q?Preisliste_M=C3=A4rz.xls?=\"\r\n"
		"Content-Transfer-Encoding: base64\r\n"
		"\r\n"
		"AAEC/w==\r\n"
		"--inner\r\n"
		"Content-Type: text/plain; name*=iso-8859-1'de'Gr%FC%DFe.txt\r\n"
		"\r\n"
		"gruss\r\n"
		"--inner--\r\n"
		"--outer--\r\n"
		"epilogue\r\n";
	struct diags d;
	diags_init(&d);
	int rc;
	struct mime_message *m = parse(msg, sizeof(msg) - 1, NULL, &d, &rc);
	CHECK_INT(rc, 0);
	CHECK_INT(d.n, 0);
	if (m == NULL)
		goto out;
	CHECK_STR(m->from_addr, "joerg.mueller@example.com");
	CHECK_STR(m->from_display, "Jörg Müller");
	/* Adjacent words joined without the fold; plain text keeps its spaces. */
	CHECK_STR(m->subject, "中文 and café");
	CHECK_STR(m->message_id, "abc.123@mail.example.com");
	CHECK_STR(m->in_reply_to, "prev@x");
	CHECK_STR(m->references, "a@x b@y c@z");
	CHECK_STR(m->date, "2003-07-01T08:52:37Z");
	CHECK_STR(m->body_text, "Bitte liefern Sie 10 Stück, Preis = 5 EUR. Ein sehr langer Satz, der weitergeht.");
	CHECK_STR(m->body_part, "1.1");
	CHECK(!m->body_from_html);
	CHECK_INT(m->n_attachments, 4);
	CHECK_STR(att_names(m), "orders.csv|订单_2024.edi|Preisliste März.xls|Grüße.txt");
	if (m->n_attachments == 4) {
		CHECK_STR(m->attachments[0].part, "2");
		CHECK_STR(m->attachments[0].content_type, "text/csv");
		CHECK_STR((char *)m->attachments[0].data, "sku,qty\nA-1,10\n");
		CHECK_STR(m->attachments[1].part, "3.1");
		/* The line break before a boundary belongs to the boundary. */
		CHECK_STR((char *)m->attachments[1].data, "ISA*00*~");
		CHECK_STR(m->attachments[2].part, "3.2");
		CHECK_INT(m->attachments[2].len, 4);
		CHECK(memcmp(m->attachments[2].data, "\x00\x01\x02\xff", 4) == 0);
		CHECK_STR(m->attachments[3].part, "3.3");
		CHECK_STR(m->attachments[3].content_type, "text/plain");
	}
	CHECK_INT(m->n_parts, 9);
out:
	mime_message_free(&m);
	CHECK(m == NULL);
	diags_free(&d);
}

static void test_headers(void)
{
	static const struct {
		const char *msg;
		const char *subject, *from_addr, *from_display, *date, *body;
	} t[] = {
		/* Encoded-word split inside a multi-byte character, two charsets. */
		{ "Subject: =?UTF-8?Q?=E4=B8?= =?UTF-8?Q?=AD?= =?GB2312?B?zsQ=?=\n\nx",
		  "中文", NULL, NULL, NULL, "x" },
		/* Raw 8-bit UTF-8 header, LF line ends, folded with a tab. */
		{ "Subject: Bestellung f\xc3\xbcr\n\tM\xc3\xa4rz\nFrom: \"Li, Wei\" <WEI@x.CN>\n\nbody\n",
		  "Bestellung für M\xc3\xa4rz", "wei@x.cn", "Li, Wei", NULL, "body" },
		/* Raw 8-bit header in the body's charset (GBK). */
		{ "Subject: \xb6\xa9\xb5\xa5\nContent-Type: text/plain; charset=gbk\n\n\xc4\xe3\xba\xc3",
		  "订单", NULL, NULL, NULL, "你好" },
		/* RFC 2047 with a language (RFC 2231) and lower-case q; underscore. */
		{ "Subject: =?utf-8*en?q?PO_4711?=\n\n", "PO 4711", NULL, NULL, NULL, "" },
		/* Broken encoded-words stay as they are. */
		{ "Subject: =?utf-8?X?abc?= =?utf-8?B?\n\n", "=?utf-8?X?abc?= =?utf-8?B?", NULL, NULL, NULL, "" },
		/* Unknown charset in a word: UTF-8 if valid, else cp1252. */
		{ "Subject: =?x-weird?Q?caf=E9?=\n\n", "café", NULL, NULL, NULL, "" },
		/* Display name with a raw 8-bit byte libetpan refuses. */
		{ "From: M\xfcller GmbH <Sales@Mueller.DE>\n\n", NULL, "sales@mueller.de", "Müller GmbH", NULL, "" },
		{ "From: plain@Example.org\n\n", NULL, "plain@example.org", NULL, NULL, "" },
		/* Dates: zones, two-digit year, day change, no weekday. */
		{ "Date: Wed, 31 Dec 2003 23:30:00 -0130\n\n", NULL, NULL, NULL, "2004-01-01T01:00:00Z", "" },
		{ "Date: 1 Jan 99 00:10:00 +0530\n\n", NULL, NULL, NULL, "1998-12-31T18:40:00Z", "" },
		{ "Date: 29 Feb 2024 12:00:00 GMT\n\n", NULL, NULL, NULL, "2024-02-29T12:00:00Z", "" },
		{ "Date: yesterday\n\n", NULL, NULL, NULL, NULL, "" },
		/* NULs in headers and body are dropped, never crash.  A field
		 * name with a NUL ends the header for libetpan: the rest is body. */
		{ "Subject: a\0b\nX-\0: y\n\nbo\0dy", "ab", NULL, NULL, NULL, "X-: y\n\nbody" },
		/* mbox "From " line first. */
		{ "From someone@x Tue May 10 11:28:07 2005\nFrom: a@b.c\nSubject: s\n\nhello",
		  "s", "a@b.c", NULL, NULL, "hello" },
		/* No header at all: the whole thing is the body. */
		{ "\nonly body", NULL, NULL, NULL, NULL, "only body" },
	};
	static const size_t lens[] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 26, 0, 0 };  /* with NULs */
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct diags d;
		diags_init(&d);
		int rc;
		size_t len = lens[i] ? lens[i] : strlen(t[i].msg);
		struct mime_message *m = parse(t[i].msg, len, NULL, &d, &rc);
		CHECK_INT(rc, 0);
		if (m != NULL) {
			if (m->subject == NULL ? t[i].subject != NULL : t[i].subject == NULL || strcmp(m->subject, t[i].subject))
				fprintf(stderr, "header case %zu\n", i);
			CHECK_STR(m->subject, t[i].subject);
			CHECK_STR(m->from_addr, t[i].from_addr);
			CHECK_STR(m->from_display, t[i].from_display);
			CHECK_STR(m->date, t[i].date);
			CHECK_STR(m->body_text, t[i].body);
		}
		mime_message_free(&m);
		diags_free(&d);
	}
	const char *jp = "=?ISO-2022-JP?B?GyRCRnxLXBsoQg==?=  x";
	char *s = mime_decode_header(jp, strlen(jp));
	CHECK_STR(s, "日本 x");
	free(s);
}

static void test_html(void)
{
	static const struct { const char *html, *text; } t[] = {
		{ "<html><head><style>p{color:red}</style><title>T</title></head>"
		  "<body><p>Order&nbsp;PO-1</p><script>alert('x<p>')</script>"
		  "Qty: 5 &amp; price &lt;10&gt; &#8364;3 &#x4e2d; &euro;<br>next<br/>line"
		  "<table><tr><td>A-1</td><td>10</td></tr><tr><td>B-2</td><td>3</td></tr></table>"
		  "<div>end</div><!-- <p>hidden</p> --></body></html>",
		  "T\n\nOrder PO-1\n\nQty: 5 & price <10> €3 中 €\nnext\nline\nA-1\t10\nB-2\t3\nend" },
		{ "a   b\n\nc", "a b c" },
		{ "<pre>x  y\nz</pre>", "x  y\nz" },
		{ "unterminated <b", "unterminated" },
		{ "&bogus; &#; &", "&bogus; &#; &" },
		{ "<a href=\"x>y\">link</a>", "link" },
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		char *s = mime_html_to_text(t[i].html, strlen(t[i].html), 1 << 16);
		CHECK_STR(s, t[i].text);
		free(s);
	}
	/* An HTML-only message: the body is the HTML made plain. */
	static const char msg[] =
		"Subject: h\nContent-Type: text/html; charset=windows-1252\n"
		"Content-Transfer-Encoding: quoted-printable\n\n"
		"<p>Men=FC</p><p>Total =80 5</p>";
	struct diags d;
	diags_init(&d);
	int rc;
	struct mime_message *m = parse(msg, sizeof(msg) - 1, NULL, &d, &rc);
	CHECK_INT(rc, 0);
	if (m != NULL) {
		CHECK(m->body_from_html);
		CHECK_STR(m->body_text, "Menü\n\nTotal € 5");
		CHECK_INT(m->n_attachments, 0);
	}
	mime_message_free(&m);
	diags_free(&d);
}

/* A message of n parts in one multipart. */
static char *many_parts(size_t n, size_t *len_r)
{
	struct buf b;
	buf_init(&b, (size_t)1 << 30);
	buf_adds(&b, "Subject: many\nContent-Type: multipart/mixed; boundary=b\n\n");
	for (size_t i = 0; i < n; i++)
		buf_printf(&b, "--b\nContent-Type: text/csv\n\nrow %zu\n", i);
	buf_adds(&b, "--b--\n");
	return buf_steal(&b, len_r);
}

static char *nested(size_t depth, bool message, size_t *len_r)
{
	struct buf b;
	buf_init(&b, (size_t)1 << 30);
	buf_adds(&b, "Subject: deep\n");
	for (size_t i = 0; i < depth; i++) {
		if (message)
			buf_adds(&b, "Content-Type: message/rfc822\n\nSubject: inner\n");
		else
			buf_printf(&b, "Content-Type: multipart/mixed; boundary=\"b%zu\"\n\n--b%zu\n", i, i);
	}
	buf_adds(&b, "Content-Type: text/plain\n\ndeep text\n");
	for (size_t i = depth; !message && i > 0; i--)
		buf_printf(&b, "--b%zu--\n", i - 1);
	return buf_steal(&b, len_r);
}

static double seconds_since(const struct timespec *t0)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

static void test_limits(void)
{
	struct diags d;
	int rc;
	size_t len;
	struct timespec t0;

	/* 10,000 parts: the first 1,000 (default) are read. */
	char *s = many_parts(10000, &len);
	diags_init(&d);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	struct mime_message *m = parse(s, len, NULL, &d, &rc);
	fprintf(stderr, "10,000 parts: %.2f s\n", seconds_since(&t0));
	CHECK_INT(rc, 0);
	CHECK_HAS(diag_text(&d), "part 1000: the message has more than 1000 parts; the rest were ignored");
	CHECK_INT(m ? m->n_attachments : 0, 999);
	CHECK_STR(m && m->n_attachments ? (char *)m->attachments[998].data : "", "row 998");
	mime_message_free(&m);
	diags_free(&d);
	/* ... with a higher limit, all of them. */
	struct mime_limits lim = { .max_parts = 20000 };
	diags_init(&d);
	m = parse(s, len, &lim, &d, &rc);
	CHECK_INT(d.n, 0);
	CHECK_INT(m ? m->n_attachments : 0, 10000);
	mime_message_free(&m);
	diags_free(&d);
	free(s);

	/* 100 nested multiparts: the default depth 20 is a diagnostic. */
	s = nested(100, false, &len);
	diags_init(&d);
	m = parse(s, len, NULL, &d, &rc);
	CHECK_INT(rc, 0);
	CHECK_HAS(diag_text(&d), "MIME nesting deeper than 20 levels; the deeper parts were ignored");
	/* ... and libetpan never saw more than 22 levels (it rescans a part
	 * once per level: deep nesting of a big part is slow). */
	CHECK_HAS(diag_text(&d), "byte 0: multiparts nested more than 22 deep (at byte 1160); the message was cut there");
	CHECK_STR(m ? m->body_text : NULL, "");
	mime_message_free(&m);
	diags_free(&d);
	lim = (struct mime_limits){ .max_depth = 200 };
	diags_init(&d);
	m = parse(s, len, &lim, &d, &rc);
	CHECK_INT(d.n, 0);
	CHECK_STR(m ? m->body_text : NULL, "deep text");
	mime_message_free(&m);
	diags_free(&d);
	free(s);

	/* 1,000 and 30,000 levels (30,000 message/rfc822 levels overflow
	 * libetpan's stack if it ever sees them): cut by the pre-scan. */
	static const struct { size_t depth; bool message; } deep[] = {
		{ 1000, false }, { 30000, true }, { 30000, false },
	};
	for (size_t i = 0; i < sizeof(deep) / sizeof(deep[0]); i++) {
		s = nested(deep[i].depth, deep[i].message, &len);
		diags_init(&d);
		lim = (struct mime_limits){ .max_depth = 100000 };
		clock_gettime(CLOCK_MONOTONIC, &t0);
		m = parse(s, len, &lim, &d, &rc);
		fprintf(stderr, "%zu levels: %.2f s\n", deep[i].depth, seconds_since(&t0));
		CHECK_INT(rc, 0);
		CHECK_HAS(diag_text(&d), "more than 500 multipart or message/rfc822 parts");
		mime_message_free(&m);
		diags_free(&d);
		free(s);
	}

	/* Message size limit. */
	lim = (struct mime_limits){ .max_message_bytes = 10 };
	diags_init(&d);
	m = parse("Subject: too long\n\nx", 20, &lim, &d, &rc);
	CHECK_INT(rc, -1);
	CHECK(m == NULL);
	CHECK_HAS(diag_text(&d), "the message is 20 bytes, more than the limit of 10");
	diags_free(&d);

	/* Empty and blank messages. */
	static const char *const empty[] = { "", "\r\n\r\n", "From x@y Mon Jan 1 00:00:00 2024\n" };
	for (size_t i = 0; i < 3; i++) {
		diags_init(&d);
		m = parse(empty[i], strlen(empty[i]), NULL, &d, &rc);
		CHECK_INT(rc, -1);
		CHECK_HAS(diag_text(&d), "the message is empty");
		diags_free(&d);
	}
}

static void test_big_attachment(void)
{
	/* 50 MB of pseudo-random bytes, base64 in 76-column lines. */
	size_t n = 50u * 1024 * 1024;
	unsigned char *raw = malloc(n);
	uint32_t x = 2463534242u;
	uint64_t sum = 0;
	for (size_t i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		raw[i] = (unsigned char)x;
		sum += raw[i];
	}
	static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	struct buf b;
	buf_init(&b, (size_t)1 << 30);
	buf_adds(&b, "Subject: big\nContent-Type: multipart/mixed; boundary=z\n\n--z\n\nsee attached\n"
		     "--z\nContent-Type: application/octet-stream; name=big.bin\n"
		     "Content-Transfer-Encoding: base64\n\n");
	char line[80];
	size_t ll = 0;
	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)raw[i] << 16 | (i + 1 < n ? (uint32_t)raw[i + 1] << 8 : 0) |
			     (i + 2 < n ? raw[i + 2] : 0);
		line[ll++] = b64[v >> 18 & 63];
		line[ll++] = b64[v >> 12 & 63];
		line[ll++] = i + 1 < n ? b64[v >> 6 & 63] : '=';
		line[ll++] = i + 2 < n ? b64[v & 63] : '=';
		if (ll == 76 || i + 3 >= n) {
			line[ll++] = '\n';
			buf_add(&b, line, ll);
			ll = 0;
		}
	}
	buf_adds(&b, "--z--\n");
	struct diags d;
	diags_init(&d);
	int rc;
	struct mime_limits lim = { .max_message_bytes = 80u * 1024 * 1024 };
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	struct mime_message *m = parse(b.data, b.len, &lim, &d, &rc);
	fprintf(stderr, "50 MB attachment (%zu bytes of mail): %.2f s\n", b.len, seconds_since(&t0));
	CHECK_INT(rc, 0);
	CHECK_INT(d.n, 0);
	CHECK_INT(m ? m->n_attachments : 0, 1);
	if (m != NULL && m->n_attachments == 1) {
		CHECK_INT(m->attachments[0].len, n);
		uint64_t s2 = 0;
		for (size_t i = 0; i < m->attachments[0].len; i++)
			s2 += m->attachments[0].data[i];
		CHECK(s2 == sum);
		CHECK(m->attachments[0].len == n && memcmp(m->attachments[0].data, raw, n) == 0);
		CHECK_STR(m->body_text, "see attached");
	}
	mime_message_free(&m);
	diags_free(&d);
	/* The default message limit (64 MB) refuses it: the mail is 67 MB. */
	diags_init(&d);
	m = parse(b.data, b.len, NULL, &d, &rc);
	CHECK_INT(rc, -1);
	CHECK_HAS(diag_text(&d), "more than the limit of 67108864");
	diags_free(&d);
	/* An attachment limit below it: a diagnostic, the text is kept. */
	lim.max_attachment_bytes = 1u << 20;
	diags_init(&d);
	m = parse(b.data, b.len, &lim, &d, &rc);
	CHECK_INT(rc, 0);
	CHECK_HAS(diag_text(&d), "part 2 (big.bin): the attachment is 52428800 bytes, more than the limit of 1048576; it was ignored");
	CHECK_INT(m ? m->n_attachments : 1, 0);
	CHECK_STR(m ? m->body_text : NULL, "see attached");
	mime_message_free(&m);
	diags_free(&d);
	buf_free(&b);
	free(raw);
}

static void test_odd_structure(void)
{
	static const struct { const char *msg, *body, *atts, *diag; } t[] = {
		/* Truncated: the multipart is never closed. */
		{ "Content-Type: multipart/mixed; boundary=q\n\n--q\nContent-Type: text/plain\n\ncut he",
		  "cut he", "", "closing boundary missing" },
		/* Unknown and empty transfer encodings: taken as 8bit. */
		{ "Content-Transfer-Encoding: x-uuencode\n\nbegin", "begin", "",
		  "unknown Content-Transfer-Encoding \"x-uuencode\"" },
		{ "Content-Transfer-Encoding: \n\nplain", "plain", "", NULL },
		/* Boundary-less multipart: read as one part. */
		{ "Content-Type: multipart/mixed\n\n--x\n\nbody", NULL, "-", NULL },
		/* A forwarded message with an attachment inside. */
		{ "Content-Type: multipart/mixed; boundary=o\n\n--o\n\nsee below\n--o\n"
		  "Content-Type: message/rfc822\n\nSubject: fwd\n"
		  "Content-Type: multipart/mixed; boundary=i\n\n--i\n\ninner text\n--i\n"
		  "Content-Type: text/csv\nContent-Disposition: attachment; filename=po.csv\n\na,b\n--i--\n--o--\n",
		  "see below\ninner text", "po.csv", NULL },
		/* A forwarded message marked as an attachment: its text is not body. */
		{ "Content-Type: multipart/mixed; boundary=o\n\n--o\n\nmain\n--o\n"
		  "Content-Type: message/rfc822\nContent-Disposition: attachment\n\nSubject: fwd\n\nfwd text\n--o--\n",
		  "main", "", NULL },
		/* Windows path as a file name: the base name. */
		{ "Content-Type: image/png; name=\"C:\\TEMP\\a.png\"\n\n..", "", "a.png", NULL },
		/* Digest: parts default to message/rfc822. */
		{ "Content-Type: multipart/digest; boundary=d\n\n--d\n\nSubject: one\n\nfirst\n--d--\n",
		  "first", "", NULL },
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct diags d;
		diags_init(&d);
		int rc;
		struct mime_message *m = parse(t[i].msg, strlen(t[i].msg), NULL, &d, &rc);
		CHECK_INT(rc, 0);
		if (m != NULL) {
			if (t[i].body != NULL)
				CHECK_STR(m->body_text, t[i].body);
			CHECK_STR(att_names(m), t[i].atts);
		}
		if (t[i].diag != NULL)
			CHECK_HAS(diag_text(&d), t[i].diag);
		else
			CHECK_INT(d.n, 0);
		mime_message_free(&m);
		diags_free(&d);
	}
}

static void test_junk(void)
{
	/* Binary junk and mutations of a real message: never a crash. */
	uint32_t x = 12345;
	unsigned char buf[4096];
	for (int round = 0; round < 200; round++) {
		size_t n = 1 + (size_t)(round * 37) % sizeof(buf);
		for (size_t i = 0; i < n; i++) {
			x = x * 1103515245u + 12345u;
			buf[i] = (unsigned char)(x >> 16);
			if (round % 2 && (x >> 8) % 7 == 0)
				buf[i] = (unsigned char)"\n-:=?\"Content-Type: multipart/mixed; boundary=a\n--a\n"[(x >> 3) % 52];
		}
		struct diags d;
		diags_init(&d);
		struct mime_message *m = NULL;
		int rc = mime_parse(buf, n, NULL, &d, &m);
		CHECK(rc == 0 || rc == -1);
		CHECK((rc == 0) == (m != NULL));
		if (m != NULL) {
			CHECK(m->body_text != NULL);
			if (m->subject != NULL)
				CHECK(strlen(m->subject) < 16384);
		}
		mime_message_free(&m);
		diags_free(&d);
	}
}

/* ---- the corpus ----------------------------------------------------- */

struct eml_case {
	const char *file;
	const char *subject, *from_addr, *from_display;
	const char *body_start;      /* the body text starts with this */
	const char *attachments;     /* names joined by "|", "-" for none */
	const char *diag;            /* a diagnostic contains this, or NULL: none */
};

static const struct eml_case corpus[] = {
	{ "big5-declared_mojibake_empty-cte.eml",
	  "4d8119\u3000(大補泡麵專賣) 大家說英語 每日聽MP3 (2004年6月份) 繁體中文光碟版 (英語教學)\u30008afb90",
	  "3712f2@msa.hinet.net", NULL,
	  "9bbf38a544f990e73cd12f3c56c60e61", "",
	  "charset \"big5\": the bytes were UTF-8 of a Latin-1 misreading; the original was restored" },
	{ "gb2312-declared_utf8-body_8bit-header.eml",
	  "代开各地增值税发票", "baoguan@hotmail.com", "张先生",
	  "你好！我公司可代开各类增值税发票，17%专用发票", "",
	  "charset \"GB2312\": the declared charset is wrong: the bytes are UTF-8" },
	{ "gb2312_qp_multipart-report_ndr.eml",
	  NULL, "foo@bar.de", NULL,
	  "次の受信者またはグループへの配信に失敗しました:", "",
	  "the message ends inside 2 multiparts" },
	{ "iso-2022-jp_rfc2047-subject-and-filename.eml",
	  "☆第132号\u3000「ガーデン&エクステリア」専門店のためのＱ&Ａサロン\u3000【月刊エクステリア・ワーク】",
	  "from@there.com", NULL, "",
	  "☆第132号\u3000「ガーデン&エクステリア」専門店のためのＱ&Ａサロン\u3000【月刊エクステリア・ワーク】",
	  NULL },
	{ "iso-8859-1_netscape_alternative-png.eml",
	  "Die Hasen und die Frösche (Netscape Messenger 4.7)", "dwsauder@example.com", "Doug Sauder",
	  "[blue ball]\n\nDie Hasen und die Frösche\n\nDie Hasen klagten einst über ihre mißliche Lage;",
	  "nsmailEG.png|nsmail39.png|redball.png|greenball.png", NULL },
	{ "iso-8859-1_pine_rfc2231-filename.eml",
	  "Die Hasen und die Frösche", "doug@penguin.example.com", "Doug Sauder",
	  "", "HasenundFrösche.txt", NULL },
	{ "ks_c_5601-1987_rfc2047-headers.eml",
	  "RE: 회원님께 Ersi님이 메시지를 보냈습니다.", "from@there.com", "김 현진",
	  "Content", "", NULL },
	{ "pdf-attachment_raw-utf8-subject.eml",
	  "Another PDF with 🎉 Unicode chars in it 🍿", "xxxx@xxxx.com", "Test Tester",
	  "Just attaching another PDF, here, to see what the message looks like,\nand to see",
	  "broken.pdf", NULL },
	{ "raw-utf8-filename_apple-mail.eml",
	  "testing", "foo@example.com", NULL, "This is the first part.", "ciële.txt", NULL },
	{ "rfc2047-in-filename_xls-attachment.eml",
	  NULL, NULL, NULL, "", "Prostřeno_2014_poslední volné termíny.xls",
	  "the message ends inside 1 multipart" },
	{ "shift_jis_8bit-body.eml",
	  "test", "xxxxxxx@docomo.ne.jp", NULL,
	  "あいうえお\n\nこのメールはテスト用のメールです。\n\n今後ともよろしくお願い申し上げます！", "", NULL },
	{ "smime-signed_pec_xml-attachment.eml",
	  "Certified", "test@example.com", NULL, "Signed\n\ntest-content", "data.xml|smime.p7s", NULL },
	{ "windows-1251_rfc2047_xlsx-attachment.eml",
	  "Свежий прайс-лист", "support@part-kom.ru", "Прайсы || ПартКом", "", "Price4VladDaKar.xlsx", NULL },
	{ "x-gbk_charset-alias.eml",
	  "Nuu", "from@there.com", NULL, "Hi", "", NULL },
};

static void test_corpus(void)
{
	const char *src = getenv("ORDERGW_SRCDIR");
	char path[4096];
	size_t found = 0;
	for (size_t i = 0; i < sizeof(corpus) / sizeof(corpus[0]); i++) {
		const struct eml_case *c = &corpus[i];
		snprintf(path, sizeof(path), "%s/tests/data/eml/%s", src ? src : ".", c->file);
		unsigned char *data;
		size_t len;
		if (read_file(path, OG_MAX_MESSAGE_BYTES_DEFAULT, &data, &len) < 0) {
			fprintf(stderr, "%s: cannot read\n", path);
			CHECK(0);
			continue;
		}
		found++;
		fprintf(stderr, "corpus: %s\n", c->file);
		struct diags d;
		diags_init(&d);
		struct mime_message *m = NULL;
		CHECK_INT(mime_parse(data, len, NULL, &d, &m), 0);
		if (m != NULL) {
			CHECK_STR(m->subject, c->subject);
			CHECK_STR(m->from_addr, c->from_addr);
			CHECK_STR(m->from_display, c->from_display);
			check_count++;
			if (strncmp(m->body_text, c->body_start, strlen(c->body_start)) != 0) {
				check_failures++;
				fprintf(stderr, "body: got \"%.200s\", want it to start with \"%s\"\n",
					m->body_text, c->body_start);
			}
			CHECK_STR(att_names(m), c->attachments);
		}
		if (c->diag != NULL)
			CHECK_HAS(diag_text(&d), c->diag);
		else
			CHECK_INT(d.n, 0);
		mime_message_free(&m);
		diags_free(&d);
		free(data);
	}
	CHECK_INT(found, sizeof(corpus) / sizeof(corpus[0]));
}

int main(void)
{
	test_nested();
	test_headers();
	test_html();
	test_odd_structure();
	test_junk();
	test_limits();
	test_big_attachment();
	test_corpus();
	return check_status();
}
