/* test_x12.c — the X12 parser on hand-made interchanges: delimiters,
 * line ends, envelopes that fail, truncation, character sets, EBCDIC,
 * 860s, non-orders and the 997 data in struct ack_info.
 *
 * Documents are written with '*' '>' '~' and then re-delimited, so one
 * text serves every delimiter case. */
#include "check.h"
#include "arena.h"
#include "buf.h"
#include "diag.h"
#include "order.h"
#include "parser.h"
#include "x12.h"
#include <stdlib.h>
#include <string.h>

/* ---- building documents ------------------------------------------------- */

static void isa(struct buf *b, const char *ctl, const char *version, char isa11, char usage)
{
	buf_printf(b, "ISA*00*          *00*          *ZZ*ACMEUS         *ZZ*EXAMPLEMFG     "
		   "*250110*0930*%c*%s*%s*0*%c*>~", isa11, version, ctl, usage);
}

static void gs(struct buf *b, const char *ctl, const char *version)
{
	buf_printf(b, "GS*PO*ACMEUS*EXAMPLEMFG*20250110*0930*%s*X*%s~", ctl, version);
}

/* ST + body + SE with a right segment count (plus `delta`). */
static void set(struct buf *b, const char *id, const char *ctl, const char *body, int delta)
{
	int n = 2 + delta;
	for (const char *p = body; *p; p++)
		n += *p == '~';
	buf_printf(b, "ST*%s*%s~%sSE*%d*%s~", id, ctl, body, n, ctl);
}

/* Re-delimit a document written with * > ~ (and ^ as 5010 repetition). */
static char *redelim(const struct buf *src, char es, char cs, char term, const char *after, size_t *len_r)
{
	struct buf o;
	buf_init(&o, 1 << 24);
	for (size_t i = 0; i < src->len; i++) {
		char c = src->data[i];
		if (c == '*')
			buf_addc(&o, es);
		else if (c == '>')
			buf_addc(&o, cs);
		else if (c == '~') {
			buf_addc(&o, term);
			buf_adds(&o, after);
		} else
			buf_addc(&o, c);
	}
	return buf_steal(&o, len_r);
}

/* order-mapping.md 3.6, with a few extra fields. */
static const char body_doc[] =
	"BEG*00*SA*PO-45001*REL-7*20250110~"
	"CUR*BY*USD~"
	"REF*CT*CN-2025-07~"
	"PER*BD*JANE DOE*TE*+1 312 555 0100*EM*JANE.DOE@EXAMPLE.COM~"
	"FOB*CC*KL*SHANGHAI, CN*01*FOB~"
	"ITD*01*3*2**10**30*****NET 30 DAYS~"
	"DTM*002*20250315~"
	"DTM*010*20250301~"
	"DTM*064*20250310~"
	"DTM*063*20250320~"
	"TD5****S***KL*CNSHA~"
	"N9*L1*NOTES~"
	"MSG*PACK ON EURO PALLETS, MAX 1000 KG~"
	"N1*BY*ACME IMPORTS INC*92*C1001~"
	"N3*1 MAIN STREET~"
	"N4*CHICAGO*IL*60601*US~"
	"N1*ST*ACME DC HAMBURG*UL*4012345000108~"
	"N3*HAFENSTRASSE 1~"
	"N4*HAMBURG**20457*DEU~"
	"N1*BT*ACME IMPORTS INC*92*C1001~"
	"N1*SE*EXAMPLE MFG CO LTD*1*123456789~"
	"PO1*1*1200*EA*2.35*PE*BP*A-100*VP*X-100*EN*4012345000016~"
	"PID*F****STEEL BRACKET 40MM~"
	"PO1*2*50*CA*118*PE*BP*A-200*VP*X-200*UP*012345678905*MG*M-9~"
	"PID*F****MOUNTING KIT, 24 PCS PER CASE~"
	"DTM*002*20250322~"
	"AMT*1*5900~"
	"CTT*2*1250~"
	"AMT*TT*8720~";

static const char body_small[] = "BEG*00*SA*PO-%d**20250110~PO1*1*10*EA*1.5~CTT*1~";

static void small_body(char *out, size_t cap, int po)
{
	snprintf(out, cap, body_small, po);
}

/* One interchange, one group, `n` small 850s (PO numbers 1..n). */
static void simple_doc(struct buf *b, int n)
{
	char body[128], ctl[16];
	isa(b, "000000101", "00401", 'U', 'P');
	gs(b, "101", "004010");
	for (int i = 1; i <= n; i++) {
		small_body(body, sizeof(body), i);
		snprintf(ctl, sizeof(ctl), "%04d", i);
		set(b, "850", ctl, body, 0);
	}
	buf_printf(b, "GE*%d*101~IEA*1*000000101~", n);
}

/* ---- running the parser ------------------------------------------------- */

struct result {
	struct diags d;
	struct parse_output out;
	struct arena *a;
	struct order *o[64];
	size_t n;
	int r;
};

static int collect(void *ctx, struct order *o, struct diags *od)
{
	struct result *res = ctx;
	struct buf b;
	const char *err = NULL;
	(void)od;
	buf_init(&b, 1 << 24);
	CHECK(order_to_json(o, &b) == 0);
	if (res->n < 64) {
		CHECK(order_from_json(res->a, b.data, b.len, &res->o[res->n], &err) == 0);
		res->n++;
	}
	buf_free(&b);
	return 0;
}

static void run(struct result *res, const char *data, size_t len)
{
	memset(res, 0, sizeof(*res));
	diags_init(&res->d);
	res->a = arena_new(1 << 26);
	parse_output_init(&res->out, &res->d);
	res->out.emit = collect;
	res->out.ctx = res;
	struct parse_input in = { .data = (const unsigned char *)data, .len = len, .name = "test" };
	res->r = x12_parser.parse(&in, &res->out);
}

static void run_buf(struct result *res, const struct buf *b)
{
	run(res, b->data, b->len);
}

static void done(struct result *res)
{
	parse_output_free(&res->out);
	diags_free(&res->d);
	arena_free(&res->a);
}

static int count_diags(const struct result *res, enum diag_severity sev, const char *text)
{
	int n = 0;
	for (size_t i = 0; i < res->d.n; i++)
		if (res->d.items[i].severity == sev && strstr(res->d.items[i].message, text) != NULL)
			n++;
	return n;
}

static void dump_diags(const struct result *res)
{
	for (size_t i = 0; i < res->d.n; i++)
		fprintf(stderr, "  diag %s %s: %s\n", res->d.items[i].severity == DIAG_ERROR ? "E" : "W",
			res->d.items[i].where, res->d.items[i].message);
}

/* ---- tests --------------------------------------------------------------- */

static void check_doc_order(const struct order *o)
{
	CHECK_STR(o->format, "x12-850");
	CHECK_STR(o->format_version, "004010");
	CHECK_STR(o->document_type, "new");
	CHECK_STR(o->order_type, "SA");
	CHECK_STR(o->po_number, "PO-45001");
	CHECK_STR(o->ref_customer, "REL-7");
	CHECK_STR(o->order_date, "2025-01-10");
	CHECK_STR(o->currency, "USD");
	CHECK_STR(o->ref_contract, "CN-2025-07");
	CHECK(o->has_incoterms);
	CHECK_STR(o->incoterms_code, "FOB");
	CHECK_STR(o->incoterms_version, "2020");
	CHECK_STR(o->incoterms_place, "SHANGHAI, CN");
	CHECK_STR(o->transport_payment, "CC");
	CHECK(o->has_payment_terms);
	CHECK_STR(o->payment_terms_text, "NET 30 DAYS");
	CHECK_INT(o->payment_net_days, 30);
	CHECK_STR(o->payment_discount_percent, "2");
	CHECK_INT(o->payment_discount_days, 10);
	CHECK_STR(o->requested_delivery_date, "2025-03-15");
	CHECK_STR(o->ship_by_date, "2025-03-01");
	CHECK_STR(o->window_earliest, "2025-03-10");
	CHECK_STR(o->window_latest, "2025-03-20");
	CHECK_STR(o->transport_mode, "1");
	CHECK_STR(o->port_of_loading, "CNSHA");   /* TD5 wins over FOB's text */
	CHECK_INT(o->n_notes, 1);
	if (o->n_notes == 1)
		CHECK_STR(o->notes[0], "PACK ON EURO PALLETS, MAX 1000 KG");
	const struct party *by = o->parties[ROLE_BUYER], *st = o->parties[ROLE_SHIP_TO];
	const struct party *se = o->parties[ROLE_SELLER], *bt = o->parties[ROLE_BILL_TO];
	CHECK(by && st && se && bt);
	if (by && st && se && bt) {
		CHECK_STR(by->name, "ACME IMPORTS INC");
		CHECK_INT(by->n_ids, 1);
		CHECK_STR(by->ids[0].scheme, "BUYER");
		CHECK_STR(by->ids[0].value, "C1001");
		CHECK_STR(by->city, "CHICAGO");
		CHECK_STR(by->region, "IL");
		CHECK_STR(by->postal_code, "60601");
		CHECK_STR(by->country, "US");
		CHECK_STR(by->contact_name, "JANE DOE");
		CHECK_STR(by->contact_phone, "+1 312 555 0100");
		CHECK_STR(by->contact_email, "JANE.DOE@EXAMPLE.COM");
		CHECK_STR(st->ids[0].scheme, "GLN");
		CHECK_STR(st->ids[0].value, "4012345000108");
		CHECK_STR(st->country, "DE");              /* alpha-3 DEU converted */
		CHECK_STR(st->address_lines[0], "HAFENSTRASSE 1");
		CHECK_STR(se->ids[0].scheme, "DUNS");
		CHECK_STR(bt->name, "ACME IMPORTS INC");
	}
	CHECK_INT(o->n_lines, 2);
	if (o->n_lines == 2) {
		const struct order_line *l = &o->lines[0];
		CHECK_STR(l->line_no, "1");
		CHECK_STR(l->quantity, "1200");
		CHECK_STR(l->uom_code, "EA");
		CHECK_STR(l->unit_price, "2.35");
		CHECK_STR(l->buyer_item_id, "A-100");
		CHECK_STR(l->seller_item_id, "X-100");
		CHECK_STR(l->gtin, "04012345000016");
		CHECK_STR(l->description, "STEEL BRACKET 40MM");
		CHECK(l->delivery_date == NULL);
		l = &o->lines[1];
		CHECK_STR(l->uom_code, "XCS");
		CHECK_STR(l->uom_original, "CA");
		CHECK_STR(l->gtin, "00012345678905");   /* EN would win; here only UP */
		CHECK_STR(l->manufacturer_part_no, "M-9");
		CHECK_STR(l->delivery_date, "2025-03-22");
		CHECK_STR(l->line_amount, "5900");
	}
	CHECK_STR(o->declared_amount, "8720");
	CHECK_STR(o->declared_line_count, "2");
	CHECK_STR(o->declared_quantity, "1250");
	CHECK_STR(o->source.sender, "ZZ:ACMEUS");
	CHECK_STR(o->source.interchange, "000000101");
	CHECK_STR(o->source.group, "101");
	CHECK_STR(o->source.message, "0001");
	CHECK(!o->is_test);
}

static void doc_with(struct buf *b, const char *body)
{
	isa(b, "000000101", "00401", 'U', 'P');
	gs(b, "101", "004010");
	set(b, "850", "0001", body, 0);
	buf_adds(b, "GE*1*101~IEA*1*000000101~");
}

/* The mapping, under many delimiter and line-end choices. */
static void test_delimiters(void)
{
	static const struct { char es, cs, term; const char *after; } cases[] = {
		{ '*', '>', '~', "" }, { '*', '>', '~', "\n" }, { '*', '>', '~', "\r\n" },
		{ '*', '>', '~', "\r\n    " }, { '|', '^', '\x1c', "" }, { 0x7f, '>', 0x15, "" },
		{ 0x1d, 0x1f, 0x1c, "\n" }, { '*', '~', '|', "\r\n  " }, { '*', '>', '\n', "" },
		{ '*', '>', '\r', "\n" }, { '!', ':', '\'', "" }, { '*', '`', '\x85', "   " },
	};
	struct buf src;
	buf_init(&src, 1 << 20);
	doc_with(&src, body_doc);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t len;
		char *doc = redelim(&src, cases[i].es, cases[i].cs, cases[i].term, cases[i].after, &len);
		struct result res;
		run(&res, doc, len);
		CHECK_INT(res.r, 0);
		CHECK_INT(res.n, 1);
		CHECK_INT(res.d.n_errors, 0);
		if (res.n != 1 || res.d.n_errors != 0) {
			fprintf(stderr, "case %zu failed\n", i);
			dump_diags(&res);
		}
		if (res.n == 1)
			check_doc_order(res.o[0]);
		struct ack_info *ack = res.out.ack;
		CHECK(ack != NULL && ack->n_interchanges == 1);
		if (ack != NULL && ack->n_interchanges == 1) {
			CHECK_INT(ack->interchanges[0].delims.element, (unsigned char)cases[i].es);
			CHECK_INT(ack->interchanges[0].delims.component, (unsigned char)cases[i].cs);
			CHECK_INT(ack->interchanges[0].delims.segment, (unsigned char)cases[i].term);
			CHECK_INT(ack->interchanges[0].delims.repetition, 0);
		}
		done(&res);
		free(doc);
	}
	buf_free(&src);
}

/* Hard-wrapped at 80 columns, LF inside segments and inside the ISA. */
static void test_wrapped(void)
{
	struct buf src, w;
	buf_init(&src, 1 << 20);
	buf_init(&w, 1 << 20);
	doc_with(&src, body_doc);
	for (size_t i = 0; i < src.len; i++) {
		if (i > 0 && i % 80 == 0)
			buf_addc(&w, '\n');
		buf_addc(&w, src.data[i]);
	}
	struct result res;
	run_buf(&res, &w);
	CHECK_INT(res.n, 1);
	CHECK_INT(res.d.n_errors, 0);
	if (res.n == 1)
		check_doc_order(res.o[0]);
	done(&res);
	/* A wrap right before the terminator that follows ISA16. */
	buf_reset(&w);
	const char *t = strstr(src.data, ">~");
	buf_add(&w, src.data, (size_t)(t - src.data) + 1);
	buf_adds(&w, "\r\n");
	buf_adds(&w, t + 1);
	run_buf(&res, &w);
	CHECK_INT(res.n, 1);
	CHECK_INT(res.d.n_errors, 0);
	done(&res);
	buf_free(&src);
	buf_free(&w);
}

/* ISA of 103 bytes (short ISA06), NBSP padding, BOM and blank lines first. */
static void test_odd_isa(void)
{
	const char *doc =
		"\xEF\xBB\xBF\r\n  \n"
		"ISA*00*\xC2\xA0         *00*          *01*XXXXXX      *12*9013446133 \xC2\xA0   "
		"*131003*0004*U*00400*300044350*0*T*`\n"
		"GS*PO*XXXXXXX*9013446133*20131003*0004*7*X*004010\n"
		"ST*850*0001\nBEG*00*SA*P1**20131003\nN1*BY*Caf\xC3\xA9 M\xC3\xBCller\nPO1*1*1*EA\nCTT*1\nSE*6*0001\n"
		"GE*1*7\nIEA*1*300044350\n";
	struct result res;
	run(&res, doc, strlen(doc));
	CHECK_INT(res.n, 1);
	CHECK_INT(res.d.n_errors, 0);
	if (res.n == 1) {
		CHECK_STR(res.o[0]->source.sender, "01:XXXXXX");
		CHECK(res.o[0]->is_test);
		CHECK_STR(res.o[0]->parties[ROLE_BUYER]->name, "Caf\xC3\xA9 M\xC3\xBCller");
	}
	struct ack_info *ack = res.out.ack;
	CHECK(ack->n_interchanges == 1 && ack->interchanges[0].delims.component == '`' &&
	      ack->interchanges[0].delims.segment == '\n');
	CHECK_STR(ack->interchanges[0].receiver_id, "9013446133");
	done(&res);
	CHECK_INT(x12_sniff((const unsigned char *)doc, strlen(doc)), 100);
	CHECK_INT(x12_sniff((const unsigned char *)"hello ISA*", 10), 0);
}

/* Latin-1 bytes become UTF-8; UTF-8 is kept. */
static void test_charsets(void)
{
	struct buf b;
	buf_init(&b, 1 << 20);
	doc_with(&b, "BEG*00*SA*P\xE9**20250110~N1*BY*Soci\xE9t\xE9 G\xE9n\xE9rale~N1*ST*\xE5\x8C\x97\xE4\xBA\xAC Ltd~PO1*1*1*EA~CTT*1~");
	struct result res;
	run_buf(&res, &b);
	CHECK_INT(res.n, 1);
	if (res.n == 1) {
		CHECK_STR(res.o[0]->po_number, "P\xC3\xA9");
		CHECK_STR(res.o[0]->parties[ROLE_BUYER]->name, "Soci\xC3\xA9t\xC3\xA9 G\xC3\xA9n\xC3\xA9rale");
		CHECK_STR(res.o[0]->parties[ROLE_SHIP_TO]->name, "\xE5\x8C\x97\xE4\xBA\xAC Ltd");
	}
	done(&res);
	buf_free(&b);
}

/* EBCDIC (CP037): the same document, converted by a table built here. */
static void test_ebcdic(void)
{
	/* Latin-1 -> CP037 for the characters the document uses. */
	static const char ascii[] = " .<(+|&!$*);-/,%_>?`:#@'=\"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz~\n";
	static const unsigned char ebc[] = {
		0x40, 0x4b, 0x4c, 0x4d, 0x4e, 0x4f, 0x50, 0x5a, 0x5b, 0x5c, 0x5d, 0x5e, 0x60, 0x61, 0x6b, 0x6c,
		0x6d, 0x6e, 0x6f, 0x79, 0x7a, 0x7b, 0x7c, 0x7d, 0x7e, 0x7f,
		0xf0, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8, 0xf9,
		0xc1, 0xc2, 0xc3, 0xc4, 0xc5, 0xc6, 0xc7, 0xc8, 0xc9, 0xd1, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7,
		0xd8, 0xd9, 0xe2, 0xe3, 0xe4, 0xe5, 0xe6, 0xe7, 0xe8, 0xe9,
		0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x91, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97,
		0x98, 0x99, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xa1, 0x25,
	};
	CHECK_INT(sizeof(ebc), sizeof(ascii) - 1);
	struct buf src;
	buf_init(&src, 1 << 20);
	doc_with(&src, body_doc);
	size_t len;
	/* NL (0x15 in EBCDIC) as the terminator, records padded with spaces. */
	char *doc = redelim(&src, '*', '>', '\n', "      ", &len);
	unsigned char *e = malloc(len);
	bool all = true;
	for (size_t i = 0; i < len; i++) {
		const char *p = strchr(ascii, doc[i]);
		all = all && p != NULL && doc[i] != '\0';
		e[i] = p ? ebc[p - ascii] : 0x40;
		if (doc[i] == '\n')
			e[i] = 0x15;
	}
	CHECK(all);
	CHECK_INT(x12_sniff(e, len), 100);
	struct result res;
	run(&res, (const char *)e, len);
	CHECK_INT(res.n, 1);
	CHECK_INT(res.d.n_errors, 0);
	if (res.n == 1)
		check_doc_order(res.o[0]);
	done(&res);
	free(e);
	free(doc);
	buf_free(&src);
}

/* Two interchanges (different delimiters), several groups and sets. */
static void test_multi(void)
{
	struct buf a, b2, all;
	char body[128];
	buf_init(&a, 1 << 20);
	buf_init(&b2, 1 << 20);
	buf_init(&all, 1 << 20);
	isa(&a, "000000001", "00401", 'U', 'P');
	gs(&a, "1", "004010");
	small_body(body, sizeof(body), 1);
	set(&a, "850", "0001", body, 0);
	set(&a, "810", "0002", "BIG*20250101*1~", 0);
	small_body(body, sizeof(body), 2);
	set(&a, "850", "0003", body, 0);
	buf_adds(&a, "GE*3*1~");
	gs(&a, "2", "004010");
	small_body(body, sizeof(body), 3);
	set(&a, "850", "0001", body, 0);
	buf_adds(&a, "GE*1*2~IEA*2*000000001~");
	isa(&b2, "000000002", "00501", '^', 'T');
	gs(&b2, "9", "005010");
	small_body(body, sizeof(body), 4);
	set(&b2, "850", "0001", body, 0);
	set(&b2, "850", "0002", "BEG*00*SA*PO-5^PO-5B**20250110~PO1*1*2*EA*3~MTX**a note^second~CTT*1~", 0);
	buf_adds(&b2, "GE*2*9~IEA*1*000000002~");
	size_t la, lb;
	char *da = redelim(&a, '*', '>', '~', "\n", &la);
	char *db = redelim(&b2, '|', ':', '\x1c', "", &lb);
	buf_add(&all, da, la);
	buf_add(&all, db, lb);
	struct result res;
	run_buf(&res, &all);
	CHECK_INT(res.n, 5);
	CHECK_INT(res.d.n_errors, 0);
	CHECK_INT(count_diags(&res, DIAG_WARNING, "810 0002 skipped"), 1);
	static const char *const pos[] = { "PO-1", "PO-2", "PO-3", "PO-4", "PO-5" };
	for (size_t i = 0; i < 5 && i < res.n; i++)
		CHECK_STR(res.o[i]->po_number, pos[i]);
	if (res.n == 5) {
		CHECK_STR(res.o[2]->source.group, "2");
		CHECK_STR(res.o[3]->format_version, "005010");
		CHECK(res.o[3]->is_test);
		CHECK(res.o[4]->n_lines == 1 && res.o[4]->lines[0].n_notes == 1);
		if (res.o[4]->n_lines == 1 && res.o[4]->lines[0].n_notes == 1)
			CHECK_STR(res.o[4]->lines[0].notes[0], "a note");
	}
	struct ack_info *ack = res.out.ack;
	CHECK_INT(ack->n_interchanges, 2);
	CHECK_INT(ack->n_groups, 3);
	CHECK_INT(ack->n_sets, 6);
	CHECK_INT(ack->interchanges[1].delims.repetition, '^');
	CHECK_INT(ack->interchanges[1].delims.element, '|');
	CHECK_INT(ack->interchanges[0].n_groups, 2);
	CHECK_STR(ack->groups[0].control, "1");
	CHECK_INT(ack->groups[0].n_sets, 3);
	CHECK_INT(ack->groups[0].status, 'A');
	CHECK_STR(ack->sets[1].id, "810");
	CHECK(ack->interchanges[0].trailer_ok && ack->interchanges[1].trailer_ok);
	done(&res);
	free(da);
	free(db);
	buf_free(&a);
	buf_free(&b2);
	buf_free(&all);
}

/* A set failing its own checks is rejected; the others come through. */
static void test_envelope_errors(void)
{
	static const struct {
		int se_delta;           /* added to SE01 of set 2 */
		const char *ctl2_se;    /* SE02 of set 2, NULL = right */
		const char *body2;      /* NULL = small body */
		const char *diag;       /* expected error text */
		int ak5;                /* expected AK502 */
	} cases[] = {
		{ 1, NULL, NULL, "SE01 segment count of transaction set 850 0002: expected 5", 4 },
		{ -1, NULL, NULL, "SE01 segment count", 4 },
		{ 0, "0099", NULL, "SE02 control number: expected \"0002\"", 3 },
		{ 0, NULL, "BEG*00*SA*PO-2**20250110~PO1*1*1*EA~PO1*2*1*EA~CTT*3~", "CTT01 number of line items: expected 2", 5 },
		{ 0, NULL, "PO1*1*1*EA~CTT*1~", "has no BEG segment", 5 },
		{ 0, NULL, "BEG*00*SA*PO-2**20250110~po1*1~CTT*0~", "is not a segment id", 5 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct buf b;
		char body[128];
		buf_init(&b, 1 << 20);
		isa(&b, "000000101", "00401", 'U', 'P');
		gs(&b, "101", "004010");
		small_body(body, sizeof(body), 1);
		set(&b, "850", "0001", body, 0);
		small_body(body, sizeof(body), 2);
		const char *b2 = cases[i].body2 ? cases[i].body2 : body;
		size_t start = b.len;
		set(&b, "850", "0002", b2, cases[i].se_delta);
		if (cases[i].ctl2_se != NULL) {
			char *se = strstr(b.data + start, "SE*");
			char *ctl = strrchr(se, '*') + 1;
			memcpy(ctl, cases[i].ctl2_se, 4);
		}
		small_body(body, sizeof(body), 3);
		set(&b, "850", "0003", body, 0);
		buf_adds(&b, "GE*3*101~IEA*1*000000101~");
		struct result res;
		run_buf(&res, &b);
		CHECK_INT(res.n, 2);
		CHECK_INT(res.out.n_rejected, 1);
		CHECK_INT(res.out.n_orders, 2);
		CHECK_INT(count_diags(&res, DIAG_ERROR, cases[i].diag), 1);
		CHECK_INT(count_diags(&res, DIAG_ERROR, "rejected: not read as an order"), 1);
		if (res.n == 2) {
			CHECK_STR(res.o[0]->po_number, "PO-1");
			CHECK_STR(res.o[1]->po_number, "PO-3");
		}
		struct ack_info *ack = res.out.ack;
		CHECK(ack->n_sets == 3);
		if (ack->n_sets == 3) {
			CHECK_INT(ack->sets[0].status, 'A');
			CHECK_INT(ack->sets[1].status, 'R');
			CHECK_INT(ack->sets[1].codes[0], cases[i].ak5);
			CHECK_INT(ack->sets[2].status, 'A');
			CHECK_INT(ack->groups[0].status, 'P');
			CHECK_INT(ack->groups[0].n_accepted, 2);
		}
		if (count_diags(&res, DIAG_ERROR, cases[i].diag) != 1)
			dump_diags(&res);
		done(&res);
		buf_free(&b);
	}
	/* The error names the place: segment number and byte offset. */
	struct buf b;
	buf_init(&b, 1 << 20);
	isa(&b, "000000101", "00401", 'U', 'P');
	gs(&b, "101", "004010");
	size_t se_at;
	set(&b, "850", "0001", "BEG*00*SA*PO-1**20250110~PO1*1*1*EA~CTT*1~", 1);
	se_at = (size_t)(strstr(b.data, "SE*") - b.data);
	buf_adds(&b, "GE*1*101~IEA*1*000000101~");
	struct result res;
	run_buf(&res, &b);
	char where[64];
	snprintf(where, sizeof(where), "segment 7 (byte %zu)", se_at);
	bool found = false;
	for (size_t i = 0; i < res.d.n; i++)
		found = found || (strstr(res.d.items[i].where, where) && strstr(res.d.items[i].message, "found \"6\""));
	CHECK(found);
	CHECK_STR(res.out.not_order, NULL);
	done(&res);
	buf_free(&b);
}

/* Trailer mismatches of groups and interchanges are warnings. */
static void test_trailer_warnings(void)
{
	struct buf b;
	buf_init(&b, 1 << 20);
	simple_doc(&b, 2);
	char *ge = strstr(b.data, "GE*2*101");
	ge[3] = '3';
	char *iea = strstr(b.data, "IEA*1*000000101");
	iea[14] = '9';
	struct result res;
	run_buf(&res, &b);
	CHECK_INT(res.n, 2);
	CHECK_INT(res.d.n_errors, 0);
	CHECK_INT(count_diags(&res, DIAG_WARNING, "GE01 number of transaction sets in group 101: expected 2, found \"3\""), 1);
	CHECK_INT(count_diags(&res, DIAG_WARNING, "IEA02 interchange control number"), 1);
	struct ack_info *ack = res.out.ack;
	CHECK_INT(ack->groups[0].status, 'E');
	CHECK_INT(ack->groups[0].codes[0], 5);
	CHECK_INT(ack->groups[0].declared_sets, 3);
	CHECK(!ack->interchanges[0].trailer_ok);
	done(&res);
	buf_free(&b);
}

/* Missing SE / GE / IEA. */
static void test_missing_trailers(void)
{
	const char *doc =
		"ISA*00*          *00*          *ZZ*ACMEUS         *ZZ*EXAMPLEMFG     *250110*0930*U*00401*000000101*0*P*>~"
		"GS*PO*A*B*20250110*0930*101*X*004010~"
		"ST*850*0001~BEG*00*SA*PO-1**20250110~PO1*1*1*EA~"              /* no SE */
		"ST*850*0002~BEG*00*SA*PO-2**20250110~PO1*1*1*EA~SE*4*0002~"    /* good */
		"GS*PO*A*B*20250110*0930*102*X*004010~"                         /* no GE before */
		"ST*850*0001~BEG*00*SA*PO-3**20250110~SE*3*0001~"
		"GE*1*102~"
		/* no IEA */
		"ISA*00*          *00*          *ZZ*ACMEUS         *ZZ*EXAMPLEMFG     *250110*0930*U*00401*000000102*0*P*>~"
		"GS*PO*A*B*20250110*0930*103*X*004010~"
		"ST*850*0001~BEG*00*SA*PO-4**20250110~PO1*1*1*EA";              /* truncated */
	struct result res;
	run(&res, doc, strlen(doc));
	CHECK_INT(res.n, 2);
	CHECK_INT(res.out.n_rejected, 2);
	if (res.n == 2) {
		CHECK_STR(res.o[0]->po_number, "PO-2");
		CHECK_STR(res.o[1]->po_number, "PO-3");
	}
	CHECK_INT(count_diags(&res, DIAG_ERROR, "transaction set 850 0001 has no SE trailer"), 2);
	CHECK_INT(count_diags(&res, DIAG_ERROR, "found ST at segment 6"), 1);
	CHECK_INT(count_diags(&res, DIAG_ERROR, "the data ends at byte"), 1);
	CHECK_INT(count_diags(&res, DIAG_WARNING, "functional group 101 has no GE trailer"), 1);
	CHECK_INT(count_diags(&res, DIAG_WARNING, "interchange 000000101 has no IEA trailer (found ISA at segment 15 (byte"), 1);
	CHECK_INT(count_diags(&res, DIAG_WARNING, "interchange 000000102 has no IEA trailer"), 1);
	struct ack_info *ack = res.out.ack;
	CHECK_INT(ack->n_sets, 4);
	CHECK_INT(ack->sets[0].codes[0], 2);
	CHECK_INT(ack->groups[0].codes[0], 3);
	done(&res);
}

/* Every prefix of a document and a few corruptions: never a crash. */
static void test_truncation(void)
{
	struct buf src;
	buf_init(&src, 1 << 20);
	doc_with(&src, body_doc);
	size_t len;
	char *doc = redelim(&src, '*', '>', '~', "\r\n", &len);
	for (size_t n = 0; n <= len; n++) {
		struct result res;
		run(&res, doc, n);
		CHECK(res.n <= 1);
		if (n < 100)
			CHECK(res.r == -1 || res.n == 0);
		if (n + 40 < len)
			CHECK_INT(res.n, 0);   /* no SE yet: never emitted */
		done(&res);
	}
	struct result res;
	run(&res, "", 0);
	CHECK_INT(res.r, -1);
	done(&res);
	run(&res, "UNA:+.? 'UNB+UNOC:3+X'", 22);
	CHECK_INT(res.r, -1);
	CHECK_INT(count_diags(&res, DIAG_ERROR, "not an X12 interchange"), 1);
	done(&res);
	run(&res, "ISA*00*short~", 13);
	CHECK_INT(res.r, -1);
	CHECK_INT(count_diags(&res, DIAG_ERROR, "expected 16 element separators"), 1);
	done(&res);
	free(doc);
	buf_free(&src);
}

/* Bad element values: the order comes through, the field is null, the 997
 * gets AK3/AK4 and status E. */
static void test_bad_values(void)
{
	struct buf b;
	buf_init(&b, 1 << 20);
	doc_with(&b, "BEG*00*SA*PO-1**20251340~CUR*BY*US1~DTM*002*2025~N1*ST*X~N4*A*B*C*ZZZ~PO1*1*1,5*EA*abc~CTT*1~");
	struct result res;
	run_buf(&res, &b);
	CHECK_INT(res.n, 1);
	CHECK_INT(res.d.n_errors, 0);
	if (res.n == 1) {
		CHECK_STR(res.o[0]->order_date, NULL);
		CHECK_STR(res.o[0]->currency, NULL);
		CHECK_STR(res.o[0]->lines[0].quantity, NULL);
		CHECK_STR(res.o[0]->lines[0].unit_price, NULL);
		CHECK_STR(res.o[0]->parties[ROLE_SHIP_TO]->country, NULL);
	}
	CHECK_INT(count_diags(&res, DIAG_WARNING, "BEG05: expected a date CCYYMMDD, found \"20251340\""), 1);
	CHECK_INT(count_diags(&res, DIAG_WARNING, "PO102: expected a decimal number, found \"1,5\""), 1);
	struct ack_info *ack = res.out.ack;
	CHECK_INT(ack->sets[0].status, 'E');
	CHECK_INT(ack->sets[0].n_errors, 6);
	const struct x12_ack_error *e = &ack->errors[ack->sets[0].first_error];
	CHECK_STR(e->segment_id, "BEG");
	CHECK_INT(e->position, 2);
	CHECK_INT(e->segment_code, 8);
	CHECK_INT(e->element_position, 5);
	CHECK_INT(e->element_ref, 373);
	CHECK_INT(e->element_code, 8);
	CHECK_STR(e->value, "20251340");
	done(&res);
	buf_free(&b);
}

/* 860: change and cancellation; purpose codes of the 850. */
static void test_860_and_purpose(void)
{
	static const struct { const char *st, *body, *type; bool dup; } cases[] = {
		{ "860", "BCH*04*SA*PO-1**3*20250110~POC*1*QI*20*10*EA*2.5**BP*A-1~CTT*1~", "change", false },
		{ "860", "BCH*01*SA*PO-1**4*20250110~", "cancel", false },
		{ "850", "BEG*01*SA*PO-1**20250110~", "cancel", false },
		{ "850", "BEG*04*SA*PO-1**20250110~", "change", false },
		{ "850", "BEG*05*SA*PO-1**20250110~", "replace", false },
		{ "850", "BEG*06*SA*PO-1**20250110~", "new", false },
		{ "850", "BEG*07*SA*PO-1**20250110~", "new", true },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct buf b;
		buf_init(&b, 1 << 20);
		isa(&b, "000000101", "00401", 'U', 'P');
		buf_adds(&b, "GS*PC*A*B*20250110*0930*101*X*004010~");
		set(&b, cases[i].st, "0001", cases[i].body, 0);
		buf_adds(&b, "GE*1*101~IEA*1*000000101~");
		struct result res;
		run_buf(&res, &b);
		CHECK_INT(res.n, 1);
		if (res.n == 1) {
			CHECK_STR(res.o[0]->document_type, cases[i].type);
			CHECK(res.o[0]->is_duplicate_flag == cases[i].dup);
			CHECK_STR(res.o[0]->format, strcmp(cases[i].st, "860") == 0 ? "x12-860" : "x12-850");
		}
		if (i == 0 && res.n == 1) {
			const struct order *o = res.o[0];
			CHECK_STR(o->po_revision, "3");
			CHECK_STR(o->order_date, "2025-01-10");
			CHECK_INT(o->n_lines, 1);
			CHECK_STR(o->lines[0].quantity, "20");
			CHECK_STR(o->lines[0].unit_price, "2.5");
			CHECK_STR(o->lines[0].buyer_item_id, "A-1");
			CHECK_STR(o->lines[0].notes[0], "Change type (POC02): QI");
		}
		done(&res);
		buf_free(&b);
	}
}

/* Files without orders say what they are. */
static void test_not_order(void)
{
	static const struct { const char *st, *name; } cases[] = {
		{ "997", "X12 997 functional acknowledgment" },
		{ "855", "X12 855 purchase order acknowledgment" },
		{ "810", "X12 810 invoice" },
		{ "123", "X12 transaction set that is not a purchase order" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct buf b;
		buf_init(&b, 1 << 20);
		isa(&b, "000000101", "00401", 'U', 'P');
		gs(&b, "101", "004010");
		set(&b, cases[i].st, "0001", "AK1*PO*1~", 0);
		buf_adds(&b, "GE*1*101~IEA*1*000000101~");
		struct result res;
		run_buf(&res, &b);
		CHECK_INT(res.r, 0);
		CHECK_INT(res.n, 0);
		CHECK_STR(res.out.not_order, cases[i].name);
		done(&res);
		buf_free(&b);
	}
}

/* Units, transport modes, Incoterms normalization, price basis. */
static void test_codes(void)
{
	CHECK_STR(x12_unit_to_rec20("PC", 2), "H87");
	CHECK_STR(x12_unit_to_rec20("KG", 2), "KGM");
	CHECK_STR(x12_unit_to_rec20("CT", 2), "XCT");
	CHECK_STR(x12_unit_to_rec20("ZZ", 2), NULL);
	CHECK_STR(x12_transport_mode("S", 1), "1");
	CHECK_STR(x12_transport_mode("R", 1), "2");
	CHECK_STR(x12_transport_mode("M", 1), "3");
	CHECK_STR(x12_transport_mode("A", 1), "4");
	CHECK_STR(x12_transport_mode("X", 1), "6");
	CHECK_STR(x12_transport_mode("ZZ", 2), NULL);
	struct buf b;
	buf_init(&b, 1 << 20);
	doc_with(&b, "BEG*00*SA*PO-1**250110~FOB*PP*PB*HAMBURG*01*DAT~TD5****A~"
		     "PO1*1*5*KG*120*HP*IN*I-1*CB*C-1~PID*F****A~PID*F****B~CTT*1~");
	struct result res;
	run_buf(&res, &b);
	CHECK_INT(res.n, 1);
	if (res.n == 1) {
		const struct order *o = res.o[0];
		CHECK_STR(o->order_date, "2025-01-10");
		CHECK_STR(o->incoterms_code, "DPU");
		CHECK_STR(o->incoterms_place, "HAMBURG");
		CHECK_STR(o->port_of_discharge, "HAMBURG");
		CHECK_STR(o->transport_mode, "4");
		CHECK_STR(o->lines[0].uom_code, "KGM");
		CHECK_STR(o->lines[0].price_basis_quantity, "100");
		CHECK_STR(o->lines[0].buyer_item_id, "I-1");
		CHECK_STR(o->lines[0].description, "A B");
		CHECK_STR(order_line_amount(res.o[0], &o->lines[0]), "6");
	}
	CHECK_INT(count_diags(&res, DIAG_WARNING, "DAT is read as DPU"), 1);
	done(&res);
	buf_free(&b);
}

int main(void)
{
	test_delimiters();
	test_wrapped();
	test_odd_isa();
	test_charsets();
	test_ebcdic();
	test_multi();
	test_envelope_errors();
	test_trailer_warnings();
	test_missing_trailers();
	test_truncation();
	test_bad_values();
	test_860_and_purpose();
	test_not_order();
	test_codes();
	return check_status();
}
