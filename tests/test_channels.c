/* test_channels.c — the network channels' pure parts, table-driven:
 * URL splitting, the SFTP long-listing parser, stable-file selection and
 * the retry schedule.  The network paths are tested against real servers
 * by tests/test_chan_*.py. */
#include "chan.h"
#include "check.h"
#include "sftp.h"
#include "smtp.h"
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void test_urls(void)
{
	static const struct {
		const char *url;
		unsigned defport;
		int ret;
		const char *scheme, *host;
		unsigned port;
		const char *path;
	} cases[] = {
		{ "imaps://mail.example.com/INBOX", 993, 0, "imaps", "mail.example.com", 993, "/INBOX" },
		{ "IMAP://127.0.0.1:1143", 143, 0, "imap", "127.0.0.1", 1143, "/" },
		{ "sftp://[::1]:2222/in%20box/", 22, 0, "sftp", "::1", 2222, "/in box/" },
		{ "smtp://h:0", 587, -1, NULL, NULL, 0, NULL },
		{ "smtp://h:65536", 587, -1, NULL, NULL, 0, NULL },
		{ "smtp://user:pw@h", 587, -1, NULL, NULL, 0, NULL },
		{ "imap:/h", 143, -1, NULL, NULL, 0, NULL },
		{ "sftp://h/a%zz", 22, -1, NULL, NULL, 0, NULL },
		{ "sftp://h/a%0d%0a", 22, -1, NULL, NULL, 0, NULL },
		{ "sftp://[::1/", 22, -1, NULL, NULL, 0, NULL },
		{ "sftp://h:22x/", 22, -1, NULL, NULL, 0, NULL },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct chan_url u;
		struct chan_err err = { 0 };
		int r = chan_url_parse(cases[i].url, cases[i].defport, &u, &err);
		CHECK_INT(r, cases[i].ret);
		if (r == 0) {
			CHECK_STR(u.scheme, cases[i].scheme);
			CHECK_STR(u.host, cases[i].host);
			CHECK_INT(u.port, cases[i].port);
			CHECK_STR(u.path, cases[i].path);
		} else {
			CHECK_INT(err.kind, CHAN_CONFIG);
			CHECK(strstr(err.msg, cases[i].url) != NULL);
		}
	}
	struct chan_url u;
	enum chan_tls tls;
	CHECK_INT(chan_url_mail("smtps://h", "smtp", 587, "smtps", 465, false, &u, &tls, NULL), 0);
	CHECK_INT(u.port, 465);
	CHECK_INT(tls, CHAN_TLS_IMPLICIT);
	CHECK_INT(chan_url_mail("smtp://h", "smtp", 587, "smtps", 465, false, &u, &tls, NULL), 0);
	CHECK_INT(u.port, 587);
	CHECK_INT(tls, CHAN_TLS_STARTTLS);
	CHECK_INT(chan_url_mail("smtp://h:25", "smtp", 587, "smtps", 465, true, &u, &tls, NULL), 0);
	CHECK_INT(tls, CHAN_TLS_NONE);
	CHECK_INT(chan_url_mail("imap://h", "smtp", 587, "smtps", 465, false, &u, &tls, NULL), -1);
}

static time_t utc(int y, int mo, int d, int h, int mi)
{
	struct tm tm = { .tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = h,
		.tm_min = mi };
	return timegm(&tm);
}

static void test_long_listing(void)
{
	time_t now = utc(2026, 11, 27, 14, 0);
	static const struct {
		const char *line;
		int ret;
		const char *name;
		unsigned long long size;
		int y, mo, d, h, mi;
		bool is_dir, is_reg;
	} cases[] = {
		{ "-rw-r--r--    1 ogtest   ogtest         11 Nov 27 13:30 a.edi", 0, "a.edi", 11,
		  2026, 11, 27, 13, 30, false, true },
		{ "-rw-r--r--    1 1001     1001   123456789012 Jan  2  2019 old file.csv", 0,
		  "old file.csv", 123456789012ULL, 2019, 1, 2, 0, 0, false, true },
		{ "drwxr-xr-x    2 ogtest   ogtest       4096 Nov 27 13:30 archive", 0, "archive",
		  4096, 2026, 11, 27, 13, 30, true, false },
		/* December of last year, shown with a time: not in the future. */
		{ "-rw-r--r--    1 u        g               1 Dec 30 23:59 x", 0, "x", 1,
		  2025, 12, 30, 23, 59, false, true },
		{ "lrwxrwxrwx    1 u        g               5 Nov 27 13:30 link -> target", 0,
		  "link", 5, 2026, 11, 27, 13, 30, false, false },
		{ "-rw-r--r--    1 u        g              12 Nov 27 13:30 two  spaces ", 0,
		  "two  spaces ", 12, 2026, 11, 27, 13, 30, false, true },
		{ "-rw-r--r--    1 u        g              1x Nov 27 13:30 bad-size", -1, NULL, 0,
		  0, 0, 0, 0, 0, false, false },
		{ "-rw-r--r--    1 u        g              1 Foo 27 13:30 bad-month", -1, NULL, 0,
		  0, 0, 0, 0, 0, false, false },
		{ "-rw-r--r--    1 u        g              1 Nov 27 25:30 bad-hour", -1, NULL, 0,
		  0, 0, 0, 0, 0, false, false },
		{ "-rw-r--r--    1 u        g              1 Nov 27 13:30", -1, NULL, 0,
		  0, 0, 0, 0, 0, false, false },
		{ "total 12", -1, NULL, 0, 0, 0, 0, 0, 0, false, false },
		{ "", -1, NULL, 0, 0, 0, 0, 0, 0, false, false },
		{ "-rw-r--r--    1 u        g              1 Nov 27 13:30 a/b", -1, NULL, 0,
		  0, 0, 0, 0, 0, false, false },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sftp_entry e;
		int r = sftp_parse_long(cases[i].line, strlen(cases[i].line), now, &e);
		CHECK_INT(r, cases[i].ret);
		if (r != 0)
			continue;
		CHECK_STR(e.name, cases[i].name);
		CHECK_INT(e.size, cases[i].size);
		CHECK_INT(e.mtime, utc(cases[i].y, cases[i].mo, cases[i].d, cases[i].h, cases[i].mi));
		CHECK_INT(e.is_dir, cases[i].is_dir);
		CHECK_INT(e.is_reg, cases[i].is_reg);
		free(e.name);
	}
}

/* One listing: "name size" pairs, sorted by name as sftp_list() returns them. */
static void make_list(struct sftp_list *l, const char *const *names, const unsigned *sizes, size_t n)
{
	l->v = calloc(n + 1, sizeof(*l->v));
	l->n = n;
	for (size_t i = 0; i < n; i++) {
		l->v[i].name = strdup(names[i]);
		l->v[i].size = sizes[i];
		l->v[i].mtime = 1000;
		l->v[i].is_reg = true;
	}
}

static const char *picked(struct sftp_stable *st, const char *const *names, const unsigned *sizes,
	size_t n, time_t now)
{
	static char out[256];
	struct sftp_list l;
	bool el[16];
	const char *mk[16];
	make_list(&l, names, sizes, n);
	sftp_stable_pick(st, &l, now, el, mk);
	out[0] = '\0';
	for (size_t i = 0; i < n; i++)
		if (el[i]) {
			strncat(out, out[0] ? " " : "", sizeof(out) - strlen(out) - 1);
			strncat(out, l.v[i].name, sizeof(out) - strlen(out) - 1);
			if (mk[i] != NULL) {
				strncat(out, "+", sizeof(out) - strlen(out) - 1);
				strncat(out, mk[i], sizeof(out) - strlen(out) - 1);
			}
		}
	sftp_list_free(&l);
	return out;
}

static void test_stable(void)
{
	static const char *const markers[] = { ".done", ".ok", NULL };
	struct sftp_stable *st = sftp_stable_new(10, markers, false);
	const char *const n1[] = { ".b.edi.part", "a.edi", "b.edi", "c.edi", "c.edi.ok", "x.done" };
	const unsigned s1[] = { 5, 100, 50, 7, 0, 0 };
	/* First sight: only the file with a marker.  Markers (even x.done, whose
	 * data file is missing) and dot files are never documents. */
	CHECK_STR(picked(st, n1, s1, 6, 1000), "c.edi+c.edi.ok");
	/* 5 s later: not yet stable. */
	CHECK_STR(picked(st, n1, s1, 6, 1005), "c.edi+c.edi.ok");
	/* 10 s after first sight, unchanged: a; b grew: not b. */
	const unsigned s2[] = { 5, 100, 60, 7, 0, 0 };
	CHECK_STR(picked(st, n1, s2, 6, 1010), "a.edi c.edi+c.edi.ok");
	CHECK_STR(picked(st, n1, s2, 6, 1019), "a.edi c.edi+c.edi.ok");
	CHECK_STR(picked(st, n1, s2, 6, 1020), "a.edi b.edi c.edi+c.edi.ok");
	/* a disappears and comes back: its clock starts again. */
	const char *const n3[] = { "b.edi" };
	const unsigned s3[] = { 60 };
	CHECK_STR(picked(st, n3, s3, 1, 1030), "b.edi");
	const char *const n4[] = { "a.edi", "b.edi" };
	const unsigned s4[] = { 100, 60 };
	CHECK_STR(picked(st, n4, s4, 2, 1031), "b.edi");
	CHECK_STR(picked(st, n4, s4, 2, 1041), "a.edi b.edi");
	sftp_stable_free(&st);
	CHECK(st == NULL);

	/* Markers required: stability alone is not enough. */
	st = sftp_stable_new(0, markers, true);
	const char *const n5[] = { "a.edi", "a.edi.done", "b.edi" };
	const unsigned s5[] = { 1, 0, 1 };
	CHECK_STR(picked(st, n5, s5, 3, 5000), "a.edi+a.edi.done");
	CHECK_STR(picked(st, n5, s5, 3, 6000), "a.edi+a.edi.done");
	sftp_stable_free(&st);

	/* stable_seconds 0 still needs two listings. */
	st = sftp_stable_new(0, NULL, false);
	CHECK_STR(picked(st, n4, s4, 2, 1), "");
	CHECK_STR(picked(st, n4, s4, 2, 1), "a.edi b.edi");
	sftp_stable_free(&st);
}

static void test_retry(void)
{
	static const struct {
		unsigned attempt, base, cap;
		uint32_t rnd;
		time_t want;
	} cases[] = {
		{ 0, 60, 3600, 0, 30 },          /* 60 s: 30 fixed + 0..30 */
		{ 0, 60, 3600, 30, 60 },
		{ 0, 60, 3600, 31, 30 },         /* rnd % 31 */
		{ 1, 60, 3600, 0, 60 },          /* 120 s */
		{ 3, 60, 3600, 240, 480 },       /* 480 s: 240 + 240 */
		{ 6, 60, 3600, 0, 1800 },        /* 3840 capped at 3600 */
		{ 60, 60, 3600, 1800, 3600 },    /* no overflow on huge attempts */
		{ 200, 60, 3600, 7, 1807 },
		{ 0, 1, 3600, 5, 1 },            /* 1 s: at least 1 */
		{ 0, 0, 0, 0, 1 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		CHECK_INT(smtp_next_retry(1000, cases[i].attempt, cases[i].base, cases[i].cap,
			cases[i].rnd) - 1000, cases[i].want);
}

static void test_errors(void)
{
	struct chan_err err;
	char long_text[1000];
	memset(long_text, 'x', sizeof(long_text) - 1);
	long_text[sizeof(long_text) - 1] = '\0';
	CHECK_INT(chan_fail(&err, CHAN_TRUST, "%s", long_text), -1);
	CHECK_INT(err.kind, CHAN_TRUST);
	CHECK_INT(strlen(err.msg), CHAN_ERR_MAX - 1);
	CHECK_STR(err.msg + CHAN_ERR_MAX - 4, "...");
	CHECK_INT(chan_fail(NULL, CHAN_TEMP, "ignored"), -1);
	CHECK_STR(chan_kind_name(CHAN_AUTH), "authentication");
	chan_err_clear(&err);
	CHECK_INT(err.kind, CHAN_OK);
	CHECK_STR(err.msg, "");
}

int main(void)
{
	test_urls();
	test_long_listing();
	test_stable();
	test_retry();
	test_errors();
	return check_status();
}
