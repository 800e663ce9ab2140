/* test_text.c — the text parser: normalizers, rule files, limits, quoting. */
#include "check.h"
#include "text.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* What a test wants to see of the one order a text gives. */
struct got {
	int n;
	char po[64], currency[8], delivery[16], incoterms[32];
	size_t n_lines;
	char item0[32], qty0[32], unit0[16], code0[8], buyer_item0[32];
};

static int keep(void *ctx, struct order *o, struct diags *d)
{
	struct got *g = ctx;
	(void)d;
	g->n++;
	snprintf(g->po, sizeof(g->po), "%s", o->po_number ? o->po_number : "");
	snprintf(g->currency, sizeof(g->currency), "%s", o->currency ? o->currency : "");
	snprintf(g->delivery, sizeof(g->delivery), "%s",
		 o->requested_delivery_date ? o->requested_delivery_date : "");
	snprintf(g->incoterms, sizeof(g->incoterms), "%s %s", o->incoterms_code ? o->incoterms_code : "",
		 o->incoterms_place ? o->incoterms_place : "");
	g->n_lines = o->n_lines;
	if (o->n_lines > 0) {
		const struct order_line *l = &o->lines[0];
		snprintf(g->item0, sizeof(g->item0), "%s", l->seller_item_id ? l->seller_item_id : "");
		snprintf(g->buyer_item0, sizeof(g->buyer_item0), "%s", l->buyer_item_id ? l->buyer_item_id : "");
		snprintf(g->qty0, sizeof(g->qty0), "%s", l->quantity ? l->quantity : "");
		snprintf(g->unit0, sizeof(g->unit0), "%s", l->uom_original ? l->uom_original : "");
		snprintf(g->code0, sizeof(g->code0), "%s", l->uom_code ? l->uom_code : "");
	}
	return 0;
}

static int parse(const char *text, const struct text_rules *r, struct diags *d, struct got *g)
{
	struct parse_output out;
	struct parse_input in = { .data = (const unsigned char *)text, .len = strlen(text), .rules = r };
	memset(g, 0, sizeof(*g));
	parse_output_init(&out, d);
	out.emit = keep;
	out.ctx = g;
	int ret = text_parser.parse(&in, &out);
	parse_output_free(&out);
	return ret;
}

static const struct diag *find_diag(const struct diags *d, const char *where, const char *msg)
{
	for (size_t i = 0; i < d->n; i++)
		if ((where == NULL || strcmp(d->items[i].where, where) == 0) && strstr(d->items[i].message, msg))
			return &d->items[i];
	return NULL;
}

static void test_dates(void)
{
	static const struct { const char *in, *want; } t[] = {
		{ "2027-01-20", "2027-01-20" }, { "2027/01/20", "2027-01-20" }, { "2027/1/5", "2027-01-05" },
		{ "20.01.2027", "2027-01-20" }, { "20-01-2027", "2027-01-20" }, { "20/01/2027", "2027-01-20" },
		{ "01/20/2027", "2027-01-20" }, { "03/04/2027", NULL },          /* day or month? */
		{ "20 Jan 2027", "2027-01-20" }, { "20th January 2027", "2027-01-20" },
		{ "20-Jan-27", "2027-01-20" }, { "January 20, 2027", "2027-01-20" },
		{ "Jan 20 2027", "2027-01-20" }, { "Sept. 3, 2027", "2027-09-03" },
		{ "2027年1月20日", "2027-01-20" }, { "2027年01月20号", "2027-01-20" }, { "2027 年 1 月 20 日", "2027-01-20" },
		{ "20270120", "2027-01-20" }, { "2028-02-29", "2028-02-29" }, { "2027-02-29", NULL },
		{ "2027-13-01", NULL }, { "2027-04-31", NULL }, { "tomorrow", NULL }, { "", NULL },
		{ "20 Foo 2027", NULL }, { "2027-01", NULL }, { "1/2/3/4/5/6/7/8/9", NULL },
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		char out[16];
		int r = text_date(t[i].in, strlen(t[i].in), out, sizeof(out));
		CHECK_STR(r == 0 ? out : NULL, t[i].want);
	}
}

static void test_numbers(void)
{
	static const struct { const char *in; bool dc; const char *want; } t[] = {
		{ "500", false, "500" }, { "1,000", false, "1000" }, { "1,234,567", false, "1234567" },
		{ "1,200.50", false, "1200.50" }, { "1.20", false, "1.20" }, { "1,5", false, "1.5" },
		{ "1.234,50", false, "1234.50" }, { "1.234,50", true, "1234.50" }, { "1234,5", true, "1234.5" },
		{ "1.000", true, "1000" }, { "1.000", false, "1.000" }, { "1,000", true, "1.000" },
		{ "1 000", false, "1000" }, { "-3.5", false, "-3.5" }, { "12,34,5", false, NULL },
		{ "1.2.3", false, NULL }, { "abc", false, NULL }, { "", false, NULL }, { "1,000.5.5", false, NULL },
		{ "5,", false, NULL }, { "1.234.567,89", true, "1234567.89" },
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		char out[64];
		int r = text_number(t[i].in, strlen(t[i].in), t[i].dc, out, sizeof(out));
		CHECK_STR(r == 0 ? out : NULL, t[i].want);
	}
}

static void test_codes(void)
{
	static const struct { const char *in, *want; } units[] = {
		{ "pcs", "H87" }, { "PC", "H87" }, { "piece", "H87" }, { "件", "H87" }, { "个", "H87" },
		{ "個", "H87" }, { "只", "H87" }, { "隻", "H87" }, { "set", "SET" }, { "套", "SET" },
		{ "kg", "KGM" }, { "公斤", "KGM" }, { "千克", "KGM" }, { "m", "MTR" }, { "米", "MTR" },
		{ "carton", "CT" }, { "ctn", "CT" }, { "箱", "CT" }, { "pair", "PR" }, { "pr", "PR" },
		{ "双", "PR" }, { "雙", "PR" }, { "dozen", "DZN" }, { "dz", "DZN" }, { "打", "DZN" },
		{ "roll", "RO" }, { "卷", "RO" }, { "box", "BX" }, { "ton", "TNE" }, { "吨", "TNE" },
		{ "噸", "TNE" }, { "l", "LTR" }, { "升", "LTR" }, { "widgets", NULL }, { "条", NULL },
	};
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		CHECK_STR(text_uom_code(units[i].in, strlen(units[i].in)), units[i].want);
	static const struct { const char *in, *want; } cur[] = {
		{ "USD", "USD" }, { "US$", "USD" }, { "$", "USD" }, { "EUR", "EUR" }, { "€", "EUR" },
		{ "RMB", "CNY" }, { "CNY", "CNY" }, { "人民币", "CNY" }, { "美元", "USD" }, { "美金", "USD" },
		{ "usd", "USD" }, { "dollars", NULL },
	};
	for (size_t i = 0; i < sizeof(cur) / sizeof(cur[0]); i++)
		CHECK_STR(text_currency(cur[i].in, strlen(cur[i].in)), cur[i].want);
	CHECK_STR(text_country("Germany", 7), "DE");
	CHECK_STR(text_country("中國", strlen("中國")), "CN");
	CHECK_STR(text_country("Atlantis", 8), NULL);
}

static char *write_tmp(const char *content)
{
	static char path[64];
	snprintf(path, sizeof(path), "/tmp/test_text.XXXXXX");
	int fd = mkstemp(path);
	if (fd < 0)
		return NULL;
	ssize_t n = write(fd, content, strlen(content));
	close(fd);
	return n == (ssize_t)strlen(content) ? path : NULL;
}

static void test_rule_errors(void)
{
	const char *text =
		"# a rule set with one error on each numbered line\n"   /* 1 */
		"[header]\n"                                             /* 2 */
		"po_number = ^PO:\\s*(?<value>\\S+\n"                    /* 3: missing ) */
		"po_number = ^PO:\\s*\\S+\n"                             /* 4: no value group */
		"nonsense = x\n"                                         /* 5: unknown key */
		"just some words\n"                                      /* 6: no '=' */
		"order_date = %{NODATE}\n"                               /* 7: unknown name */
		"[options]\n"                                            /* 8 */
		"match_limit = lots\n"                                   /* 9 */
		"[sideways]\n"                                           /* 10 */
		"[line]\n"                                               /* 11 */
		"line = ^(?<item>\\w+)\\s+(?<quantity>\\d+)$\n";         /* 12: fine */
	char *path = write_tmp(text);
	CHECK(path != NULL);
	struct diags d;
	diags_init(&d);
	d.prefix = "document.txt";   /* must not appear in rule file places */
	struct text_rules *r = (struct text_rules *)1;
	CHECK_INT(text_rules_load(path, &r, &d), -1);
	CHECK(r == NULL);
	CHECK_INT(d.n_errors, 7);
	char where[128];
	static const struct { int line; const char *msg; } want[] = {
		{ 3, "po_number: bad pattern at offset" }, { 3, "missing closing parenthesis" },
		{ 4, "no group named \"value\"" }, { 5, "unknown key \"nonsense\" in [header]" },
		{ 6, "expected \"key = value\" or \"[section]\"" }, { 7, "unknown name %{NODATE}" },
		{ 9, "match_limit: expected a whole number" }, { 10, "unknown section [sideways]" },
	};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		snprintf(where, sizeof(where), "%s:%d", path, want[i].line);
		const struct diag *g = find_diag(&d, where, want[i].msg);
		if (g == NULL)
			fprintf(stderr, "missing %s: %s\n", where, want[i].msg);
		CHECK(g != NULL);
	}
	diags_free(&d);
	unlink(path);

	diags_init(&d);
	CHECK_INT(text_rules_load("/nonexistent/x.rules", &r, &d), -1);
	CHECK(find_diag(&d, "/nonexistent/x.rules", "cannot read the rule set") != NULL);
	diags_free(&d);
}

/* A rule that backtracks catastrophically hits the match limit, is reported
 * with its file:line, and the other rules still work. */
static void test_catastrophic(void)
{
	const char *rules =
		"[options]\n"
		"match_limit = 20000\n"
		"item = buyer\n"
		"[header]\n"
		"po_number = ^PO:\\s*(?<value>\\S+)\n"
		"[line]\n"
		"line = ^(a+)+$\n"                                                        /* line 7 */
		"line = ^(?<item>b\\d+)\\s+(?<quantity>\\d+)\\s*(?<unit>pcs)$\n";
	char *path = write_tmp(rules);
	struct diags d;
	diags_init(&d);
	struct text_rules *r = NULL;
	CHECK_INT(text_rules_load(path, &r, &d), 0);
	char text[256];
	snprintf(text, sizeof(text), "PO: X-1\n%s\nb12 500 pcs\n", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab");
	struct got g;
	CHECK_INT(parse(text, r, &d, &g), 0);
	CHECK_INT(g.n, 1);
	CHECK_STR(g.po, "X-1");
	CHECK_INT(g.n_lines, 1);
	CHECK_STR(g.buyer_item0, "b12");   /* item = buyer */
	CHECK_STR(g.item0, "");
	CHECK_STR(g.qty0, "500");
	char rule[160];
	snprintf(rule, sizeof(rule), "rule line (%s:7) was stopped", path);
	const struct diag *w = find_diag(&d, "line 2", rule);
	CHECK(w != NULL && w->severity == DIAG_WARNING);
	CHECK(w != NULL && strstr(w->message, "match limit") != NULL);
	text_rules_free(&r);
	CHECK(r == NULL);
	diags_free(&d);
	unlink(path);
}

static void test_default_rules(void)
{
	struct diags d;
	diags_init(&d);
	CHECK(text_rules_default() != NULL);
	struct got g;
	/* quoted reply text and the signature are not read */
	const char *reply =
		"Order No: Q-2\n"
		"Item: N-1, Qty: 5 pcs, Price: USD 2.00\n"
		"> PO No.: OLD-1\n"
		"> Item: OLD-9, Qty: 99 pcs, Price: USD 1.00\n"
		"  >> Item: OLD-8, Qty: 98 pcs, Price: USD 1.00\n"
		"-- \n"
		"Item: SIG-1, Qty: 7 pcs, Price: USD 1.00\n";
	CHECK_INT(parse(reply, NULL, &d, &g), 0);
	CHECK_INT(g.n, 1);
	CHECK_STR(g.po, "Q-2");
	CHECK_INT(g.n_lines, 1);
	CHECK_STR(g.item0, "N-1");
	CHECK_STR(g.currency, "USD");

	/* full-width digits, Chinese labels and units */
	CHECK_INT(parse("订单号：ＰＯ－８８\n交期：２０２７年３月１日\n贸易术语：FOB 宁波\n"
			"A-1   杯子   1,000个   1.20\n", NULL, &d, &g), 0);
	CHECK_STR(g.po, "PO-88");
	CHECK_STR(g.delivery, "2027-03-01");
	CHECK_STR(g.incoterms, "FOB 宁波");
	CHECK_STR(g.qty0, "1000");
	CHECK_STR(g.unit0, "个");
	CHECK_STR(g.code0, "H87");

	/* not an order: no order, a warning, and 0 */
	diags_clear(&d);
	CHECK_INT(parse("Hello, please send your catalogue.\nThanks\n", NULL, &d, &g), 0);
	CHECK_INT(g.n, 0);
	CHECK(find_diag(&d, NULL, "no order found in the text") != NULL);
	CHECK_INT(d.n_errors, 0);

	/* header fields for the CSV parser */
	struct arena *a = arena_new(1 << 20);
	struct order *o = order_new(a);
	const char *body = "PO Number: 4711\nIncoterms: CIF Hamburg (Incoterms 2020)\nCurrency: EUR\n";
	CHECK(text_extract_header(NULL, body, strlen(body), o, &d) >= 3);
	CHECK_STR(o->po_number, "4711");
	CHECK_STR(o->incoterms_code, "CIF");
	CHECK_STR(o->incoterms_place, "Hamburg");
	CHECK_STR(o->incoterms_version, "2020");
	CHECK_STR(o->currency, "EUR");
	arena_free(&a);

	/* invalid UTF-8 is replaced, not fatal */
	diags_clear(&d);
	CHECK_INT(parse("PO No.: B-1\xff\xfe\nItem: Z-1, Qty: 1 pcs\n", NULL, &d, &g), 0);
	CHECK_INT(g.n, 1);
	CHECK(find_diag(&d, NULL, "not valid UTF-8") != NULL);
	diags_free(&d);

	CHECK(text_parser.sniff((const unsigned char *)"PO No: 1\n", 9) == 20);
	CHECK(text_parser.sniff((const unsigned char *)"hello\n", 6) == 1);
	CHECK(text_parser.sniff((const unsigned char *)"a\0b", 3) == 0);
}

int main(void)
{
	test_dates();
	test_numbers();
	test_codes();
	test_rule_errors();
	test_catastrophic();
	test_default_rules();
	return check_status();
}
