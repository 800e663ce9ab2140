/* test_edifact.c — the EDIFACT parser on hand-written interchanges that
 * exercise the syntax corners (UNA, releases, repetition, level B, groups,
 * several interchanges, broken trailers, character sets) and the mapping of
 * order-mapping.md section 4; the envelope data kept for a CONTRL. */
#include "check.h"
#include "arena.h"
#include "edifact.h"
#include "order.h"
#include "parser.h"
#include <stdlib.h>
#include <string.h>

#define MAX_ORDERS 16

struct result {
	struct arena *a;
	struct order *o[MAX_ORDERS];
	size_t n;
	struct diags d;          /* document diagnostics */
	struct diags od;         /* every order's diagnostics, collected */
	struct parse_output out;
	int ret;
};

/* Orders live only during emit: keep a copy through the JSON round trip. */
static int keep_order(void *ctx, struct order *o, struct diags *od)
{
	struct result *r = ctx;
	struct buf b;
	buf_init(&b, 1u << 24);
	CHECK(order_to_json(o, &b) == 0);
	struct order *copy;
	const char *err;
	if (r->n < MAX_ORDERS && order_from_json(r->a, b.data, b.len, &copy, &err) == 0)
		r->o[r->n++] = copy;
	for (size_t i = 0; i < od->n; i++)
		diag_add(&r->od, od->items[i].severity, od->items[i].where, "%s", od->items[i].message);
	buf_free(&b);
	return 0;
}

static struct result *parse_n(const char *data, size_t len)
{
	struct result *r = calloc(1, sizeof(*r));
	r->a = arena_new(1u << 26);
	diags_init(&r->d);
	diags_init(&r->od);
	parse_output_init(&r->out, &r->d);
	r->out.emit = keep_order;
	r->out.ctx = r;
	struct parse_input in = { .data = (const unsigned char *)data, .len = len, .name = "test" };
	r->ret = edifact_parser.parse(&in, &r->out);
	return r;
}

static struct result *parse(const char *data)
{
	return parse_n(data, strlen(data));
}

static void result_free(struct result *r)
{
	parse_output_free(&r->out);
	diags_free(&r->d);
	diags_free(&r->od);
	arena_free(&r->a);
	free(r);
}

/* Is there a diagnostic of this severity whose where+message hold all of
 * the given pieces? */
static int has_diag(const struct diags *d, enum diag_severity sev, const char *a, const char *b)
{
	for (size_t i = 0; i < d->n; i++) {
		char all[2048];
		snprintf(all, sizeof(all), "%s | %s", d->items[i].where ? d->items[i].where : "", d->items[i].message);
		if (d->items[i].severity == sev && strstr(all, a) && (b == NULL || strstr(all, b)))
			return 1;
	}
	return 0;
}

static void dump_diags(const struct diags *d)
{
	for (size_t i = 0; i < d->n; i++)
		fprintf(stderr, "  diag: %s | %s\n", d->items[i].where ? d->items[i].where : "", d->items[i].message);
}

static struct edifact_ack *ack(struct result *r)
{
	return edifact_ack_of(r->out.ack);
}

/* The example of order-mapping.md 4.8, the reference for the mapping. */
static const char example_48[] =
	"UNA:+.? '\n"
	"UNB+UNOC:3+5412345000013:14+4012345000009:14+250110:0930+REF0001++++1'\n"
	"UNH+1+ORDERS:D:01B:UN:EAN010'\n"
	"BGM+220+PO-45002+9'\n"
	"DTM+137:20250110:102'\n"
	"DTM+2:20250315:102'\n"
	"DTM+64:20250310:102'\n"
	"DTM+63:20250320:102'\n"
	"FTX+AAI+++Pack on euro pallets, max 1000 kg'\n"
	"RFF+CT:CN-2025-07'\n"
	"NAD+BY+5412345000013::9++ACME Imports Inc+1 Main Street+Chicago+IL+60601+US'\n"
	"CTA+OC+:Jane Doe'\n"
	"COM+?+1 312 555 0100:TE'\n"
	"COM+jane.doe@example.com:EM'\n"
	"NAD+SU+4012345000009::9'\n"
	"NAD+DP+4012345000108::9++ACME DC Hamburg+Hafenstrasse 1+Hamburg++20457+DE'\n"
	"NAD+IV+5412345000013::9'\n"
	"CUX+2:USD:9'\n"
	"PAT+1++5:3:D:30'\n"
	"TDT+20++10'\n"
	"LOC+9+CNSHA:139:6'\n"
	"LOC+11+DEHAM:139:6'\n"
	"TOD+6++FOB'\n"
	"LOC+1+CNSHA:139:6:Shanghai'\n"
	"LIN+1++4012345000016:SRV'\n"
	"PIA+1+X-100:SA+A-100:IN'\n"
	"IMD+F++:::Steel bracket 40mm'\n"
	"QTY+21:1200'\n"
	"MOA+203:2820.00'\n"
	"PRI+AAA:2.35'\n"
	"LIN+2++4012345000023:SRV'\n"
	"PIA+1+X-300:SA'\n"
	"IMD+F++:::Zinc alloy granules'\n"
	"QTY+21:250:KGM'\n"
	"DTM+2:20250322:102'\n"
	"MOA+203:1050.00'\n"
	"PRI+AAA:4.20:::1:KGM'\n"
	"UNS+S'\n"
	"MOA+79:3870.00'\n"
	"CNT+2:2'\n"
	"UNT+39+1'\n"
	"UNZ+1+REF0001'\n";

static void test_mapping(void)
{
	struct result *r = parse(example_48);
	CHECK_INT(r->ret, 0);
	CHECK_INT(r->n, 1);
	CHECK_INT(r->out.n_orders, 1);
	CHECK_INT(r->out.n_rejected, 0);
	CHECK_INT(r->d.n_errors, 0);
	if (r->n != 1) {
		dump_diags(&r->d);
		result_free(r);
		return;
	}
	struct order *o = r->o[0];
	CHECK_STR(o->format, "edifact-orders");
	CHECK_STR(o->format_version, "D01B");
	CHECK_STR(o->document_type, "new");
	CHECK_STR(o->order_type, "220");
	CHECK_STR(o->po_number, "PO-45002");
	CHECK_STR(o->order_date, "2025-01-10");
	CHECK_STR(o->requested_delivery_date, "2025-03-15");
	CHECK_STR(o->window_earliest, "2025-03-10");
	CHECK_STR(o->window_latest, "2025-03-20");
	CHECK(!o->is_test);
	CHECK(!o->is_duplicate_flag);
	CHECK_INT(o->n_notes, 1);
	CHECK_STR(o->notes[0], "Pack on euro pallets, max 1000 kg");
	CHECK_STR(o->ref_contract, "CN-2025-07");
	CHECK_STR(o->currency, "USD");
	CHECK(o->has_payment_terms);
	CHECK_INT(o->payment_net_days, 30);
	CHECK_STR(o->transport_mode, "1");
	CHECK_STR(o->port_of_loading, "CNSHA");
	CHECK_STR(o->port_of_discharge, "DEHAM");
	CHECK(o->has_incoterms);
	CHECK_STR(o->incoterms_code, "FOB");
	CHECK_STR(o->incoterms_version, "2020");
	CHECK_STR(o->incoterms_place, "Shanghai");
	struct party *by = o->parties[ROLE_BUYER];
	CHECK(by != NULL);
	if (by != NULL) {
		CHECK_STR(by->name, "ACME Imports Inc");
		CHECK_INT(by->n_ids, 1);
		CHECK_STR(by->ids[0].scheme, "GLN");
		CHECK_STR(by->ids[0].value, "5412345000013");
		CHECK_INT(by->n_address_lines, 1);
		CHECK_STR(by->address_lines[0], "1 Main Street");
		CHECK_STR(by->city, "Chicago");
		CHECK_STR(by->region, "IL");
		CHECK_STR(by->postal_code, "60601");
		CHECK_STR(by->country, "US");
		CHECK_STR(by->contact_name, "Jane Doe");
		CHECK_STR(by->contact_phone, "+1 312 555 0100");
		CHECK_STR(by->contact_email, "jane.doe@example.com");
	}
	CHECK(o->parties[ROLE_SELLER] != NULL && strcmp(o->parties[ROLE_SELLER]->ids[0].value, "4012345000009") == 0);
	CHECK(o->parties[ROLE_SHIP_TO] != NULL && strcmp(o->parties[ROLE_SHIP_TO]->country, "DE") == 0);
	CHECK(o->parties[ROLE_BILL_TO] != NULL);
	CHECK_INT(o->n_lines, 2);
	if (o->n_lines == 2) {
		struct order_line *l = &o->lines[0];
		CHECK_STR(l->line_no, "1");
		CHECK_STR(l->gtin, "04012345000016");
		CHECK_STR(l->seller_item_id, "X-100");
		CHECK_STR(l->buyer_item_id, "A-100");
		CHECK_STR(l->description, "Steel bracket 40mm");
		CHECK_STR(l->quantity, "1200");
		CHECK_STR(l->uom_code, "H87");       /* EANCOM: no unit = piece */
		CHECK_STR(l->uom_original, NULL);
		CHECK_STR(l->unit_price, "2.35");
		CHECK_STR(l->line_amount, "2820.00");
		l = &o->lines[1];
		CHECK_STR(l->quantity, "250");
		CHECK_STR(l->uom_code, "KGM");
		CHECK_STR(l->uom_original, "KGM");
		CHECK_STR(l->delivery_date, "2025-03-22");
		CHECK_STR(l->unit_price, "4.20");
		CHECK_STR(l->price_basis_quantity, "1");
		CHECK_STR(l->price_basis_uom, "KGM");
	}
	CHECK_STR(o->declared_amount, "3870.00");
	CHECK_STR(o->declared_line_count, "2");
	CHECK_STR(o->source.sender, "14:5412345000013");
	CHECK_STR(o->source.interchange, "REF0001");
	CHECK_STR(o->source.group, NULL);
	CHECK_STR(o->source.message, "1");

	struct edifact_ack *a = ack(r);
	CHECK(a != NULL);
	if (a != NULL && a->n_interchanges == 1 && a->n_messages == 1) {
		CHECK_STR(a->interchanges[0].syntax_id, "UNOC");
		CHECK_INT(a->interchanges[0].syntax_version, 3);
		CHECK_STR(a->interchanges[0].sender, "5412345000013");
		CHECK_STR(a->interchanges[0].sender_qual, "14");
		CHECK_STR(a->interchanges[0].recipient, "4012345000009");
		CHECK_STR(a->interchanges[0].recipient_qual, "14");
		CHECK_STR(a->interchanges[0].control_ref, "REF0001");
		CHECK_STR(a->interchanges[0].date, "250110");
		CHECK(!a->interchanges[0].test);
		CHECK(a->interchanges[0].ack_requested);    /* 0031 = 1 */
		CHECK(a->interchanges[0].trailer_ok);
		CHECK(a->interchanges[0].has_una);
		CHECK_STR(a->messages[0].ref, "1");
		CHECK_STR(a->messages[0].type, "ORDERS");
		CHECK_STR(a->messages[0].version, "D");
		CHECK_STR(a->messages[0].release, "01B");
		CHECK_STR(a->messages[0].agency, "UN");
		CHECK_STR(a->messages[0].assoc, "EAN010");
		CHECK(a->messages[0].accepted);
		CHECK_INT(a->messages[0].error, 0);
		CHECK_INT(a->messages[0].group, -1);
	} else {
		CHECK(0);
	}
	result_free(r);
}

/* Wrap message bodies into an interchange with a correct UNT. */
static char *interchange(const char *una, const char *unb, const char *const *msgs, size_t n,
			 const char *unz)
{
	struct buf b;
	buf_init(&b, 1u << 20);
	buf_adds(&b, una);
	buf_adds(&b, unb);
	for (size_t i = 0; i < n; i++)
		buf_adds(&b, msgs[i]);
	buf_adds(&b, unz);
	return buf_steal(&b, NULL);
}

static void test_una_separators(void)
{
	/* component '|', element '#', decimal ',', release '!', terminator '~'. */
	const char *edi =
		"UNA|#,! ~"
		"UNB#UNOC|3#SENDER|ZZ#RECV|ZZ#250110|0930#IC1~"
		"UNH#M1#ORDERS|D|96A|UN~"
		"BGM#220#PO!#1!|2!~3!!#9~"
		"NAD#BY#GLN1||9##O!~Neill !#1 Ltd#Main Street!|5~"
		"LIN#1##4012345000016|EN~"
		"QTY#21|12,5|KGM~"
		"PRI#AAA|2,35~"
		"UNT#7#M1~"
		"UNZ#1#IC1~";
	struct result *r = parse(edi);
	CHECK_INT(r->n, 1);
	if (r->n == 1) {
		struct order *o = r->o[0];
		CHECK_STR(o->po_number, "PO#1|2~3!");
		CHECK_STR(o->document_type, "new");
		CHECK_STR(o->parties[ROLE_BUYER]->name, "O~Neill #1 Ltd");
		CHECK_STR(o->parties[ROLE_BUYER]->address_lines[0], "Main Street|5");
		CHECK_STR(o->lines[0].quantity, "12.5");
		CHECK_STR(o->lines[0].unit_price, "2.35");
		CHECK_STR(o->source.sender, "ZZ:SENDER");
	}
	CHECK_INT(r->d.n_errors, 0);
	result_free(r);
}

static void test_release(void)
{
	/* ??+ is a literal '?' and then a separator; a release before every
	 * service character, anywhere. */
	const char *edi =
		"UNA:+.? '"
		"UNB+UNOC:3+S+R+250110:0930+1'"
		"UNH+1+ORDERS:D:96A:UN'"
		"BGM+220+A??+9'"
		"FTX+AAI+++a?:b?+c?'d??e?'+ignored'"
		"NAD+BY+++ACME ??+1 Main Street+City'"
		"UNT+5+1'"
		"UNZ+1+1'";
	struct result *r = parse(edi);
	CHECK_INT(r->n, 1);
	if (r->n == 1) {
		struct order *o = r->o[0];
		CHECK_STR(o->po_number, "A?");
		CHECK_STR(o->document_type, "new");     /* 1225 = 9 after the '?' */
		CHECK_INT(o->n_notes, 1);
		CHECK_STR(o->notes[0], "a:b+c'd?e'");
		CHECK_STR(o->parties[ROLE_BUYER]->name, "ACME ?");
		CHECK_STR(o->parties[ROLE_BUYER]->address_lines[0], "1 Main Street");
		CHECK_STR(o->parties[ROLE_BUYER]->city, "City");
	}
	CHECK_INT(r->d.n_errors, 0);
	result_free(r);
}

static void test_syntax4_repetition(void)
{
	/* Syntax 4 without UNA: '*' repeats; with a UNA, its fifth character. */
	const char *edi =
		"UNB+UNOW:4+S:14+R:14+20250110:0930+7'"
		"UNH+1+ORDERS:D:03B:UN:EAN008'"
		"BGM+220+P?*1+9'"
		"NAD+BY+1::9'"
		"CTA+OC+:Ana'"
		"COM+?+49 40 1:TE*ana@example.com:EM*99:FX'"
		"UNT+6+1'"
		"UNZ+1+7'";
	struct result *r = parse(edi);
	CHECK_INT(r->n, 1);
	if (r->n == 1) {
		struct party *p = r->o[0]->parties[ROLE_BUYER];
		CHECK_STR(r->o[0]->po_number, "P*1");
		CHECK_STR(r->o[0]->format_version, "D03B");
		CHECK_STR(p->contact_phone, "+49 40 1");
		CHECK_STR(p->contact_email, "ana@example.com");
		CHECK_STR(p->contact_name, "Ana");
	}
	CHECK(!has_diag(&r->d, DIAG_WARNING, "date", NULL));   /* 8 digits in syntax 4 */
	result_free(r);

	const char *una4 =
		"UNA:+.?^'"
		"UNB+UNOC:4+S+R+20250110:0930+7'"
		"UNH+1+ORDERS:D:03B:UN'"
		"BGM+220+P*1+9'"
		"NAD+BY+1::9'"
		"COM+?+49 40 1:TE^a@b.c:EM'"
		"UNT+5+1'"
		"UNZ+1+7'";
	r = parse(una4);
	CHECK_INT(r->n, 1);
	if (r->n == 1) {
		CHECK_STR(r->o[0]->po_number, "P*1");   /* '*' is data here */
		CHECK_STR(r->o[0]->parties[ROLE_BUYER]->contact_email, "a@b.c");
	}
	result_free(r);

	/* Syntax 3: '*' is data; a 6-digit date; an 8-digit one is noted. */
	const char *v3 =
		"UNB+UNOC:3+S+R+20250110:0930+7'"
		"UNH+1+ORDERS:D:96A:UN'"
		"BGM+220+P*1+9'"
		"UNT+3+1'"
		"UNZ+1+7'";
	r = parse(v3);
	CHECK_INT(r->n, 1);
	if (r->n == 1)
		CHECK_STR(r->o[0]->po_number, "P*1");
	CHECK(has_diag(&r->d, DIAG_WARNING, "segment 1 (byte 0)", "YYMMDD"));
	result_free(r);
}

static const char *const three_msgs[] = {
	"UNH+A1+ORDERS:D:96A:UN'BGM+220+PO-1+9'UNT+3+A1'",
	"UNH+A2+ORDERS:D:96A:UN'BGM+220+PO-2+9'DTM+137:20250101:102'UNT+3+A2'",
	"UNH+A3+ORDERS:D:96A:UN'BGM+220+PO-3+9'UNT+3+A3'",
};

static void test_unt_mismatch(void)
{
	char *edi = interchange("", "UNB+UNOA:3+S+R+250110:0930+IC'", three_msgs, 3, "UNZ+3+IC'");
	struct result *r = parse(edi);
	CHECK_INT(r->ret, 0);
	CHECK_INT(r->n, 2);
	CHECK_INT(r->out.n_orders, 2);
	CHECK_INT(r->out.n_rejected, 1);
	if (r->n == 2) {
		CHECK_STR(r->o[0]->po_number, "PO-1");
		CHECK_STR(r->o[1]->po_number, "PO-3");
	}
	/* The UNT of A2 is the 8th segment and starts at byte 136. */
	CHECK(has_diag(&r->d, DIAG_ERROR, "segment 8 (byte 136)", "expected 4"));
	CHECK(has_diag(&r->d, DIAG_ERROR, "UNT segment count", "found \"3\""));
	CHECK_INT(r->d.n_errors, 1);
	struct edifact_ack *a = ack(r);
	CHECK_INT(a->n_messages, 3);
	if (a->n_messages == 3) {
		CHECK(a->messages[0].accepted);
		CHECK(!a->messages[1].accepted);
		CHECK_INT(a->messages[1].error, 29);
		CHECK_STR(a->messages[1].error_tag, "UNT");
		CHECK_INT(a->messages[1].error_position, 4);
		CHECK(a->messages[2].accepted);
	}
	CHECK(a->interchanges[0].trailer_ok);
	result_free(r);
	free(edi);

	/* Reference mismatch: 28; missing UNT (next UNH comes): 13. */
	const char *edi2 =
		"UNB+UNOA:3+S+R+250110:0930+IC'"
		"UNH+B1+ORDERS:D:96A:UN'BGM+220+PO-1+9'UNT+3+XX'"
		"UNH+B2+ORDERS:D:96A:UN'BGM+220+PO-2+9'"
		"UNH+B3+ORDERS:D:96A:UN'BGM+220+PO-3+9'UNT+3+B3'"
		"UNZ+3+IC'";
	r = parse(edi2);
	CHECK_INT(r->n, 1);
	CHECK_INT(r->out.n_rejected, 2);
	a = ack(r);
	if (a->n_messages == 3) {
		CHECK_INT(a->messages[0].error, 28);
		CHECK_INT(a->messages[1].error, 13);
		CHECK(a->messages[2].accepted);
	}
	CHECK(has_diag(&r->d, DIAG_ERROR, "UNT message reference", "expected \"B1\""));
	CHECK(has_diag(&r->d, DIAG_ERROR, "expected UNT, found UNH", "\"B2\""));
	result_free(r);
}

static void test_unz_problems(void)
{
	/* Truncated: no UNZ.  The complete message still comes through. */
	const char *edi =
		"UNB+UNOA:3+S+R+250110:0930+IC9'"
		"UNH+1+ORDERS:D:96A:UN'BGM+220+PO-1+9'UNT+3+1'"
		"UNH+2+ORDERS:D:96A:UN'BGM+220+PO-2+9'";
	struct result *r = parse(edi);
	CHECK_INT(r->n, 1);
	CHECK_INT(r->out.n_rejected, 1);
	CHECK(has_diag(&r->d, DIAG_WARNING, "UNZ missing", "IC9"));
	CHECK(has_diag(&r->d, DIAG_ERROR, "expected UNT, found the end of the file", NULL));
	CHECK(!ack(r)->interchanges[0].trailer_ok);
	result_free(r);

	/* Wrong UNZ count and reference: warnings, orders kept. */
	const char *edi2 =
		"UNB+UNOA:3+S+R+250110:0930+IC9'"
		"UNH+1+ORDERS:D:96A:UN'BGM+220+PO-1+9'UNT+3+1'"
		"UNZ+2+IC8'";
	r = parse(edi2);
	CHECK_INT(r->n, 1);
	CHECK_INT(r->d.n_errors, 0);
	CHECK(has_diag(&r->d, DIAG_WARNING, "segment 5 (byte 76)", "expected 1 (messages), found \"2\""));
	CHECK(has_diag(&r->d, DIAG_WARNING, "UNZ interchange control reference", "expected \"IC9\""));
	CHECK_INT(ack(r)->interchanges[0].error, 28);
	result_free(r);
}

static void test_groups(void)
{
	const char *edi =
		"UNA:+.? '"
		"UNB+UNOC:3+S:14+R:14+250110:0930+IC++++++1'"
		"UNG+ORDERS+GS:14+GR:14+250110:0930+G1+UN+D:96A:EAN008'"
		"UNH+1+ORDERS:D:96A:UN:EAN008'BGM+220+PO-1+9'UNT+3+1'"
		"UNH+2+ORDERS:D:96A:UN:EAN008'BGM+220+PO-2+9'UNT+3+2'"
		"UNE+2+G1'"
		"UNG+ORDERS+GS:14+GR:14+250110:0930+G2+UN+D:96A'"
		"UNH+3+ORDERS:D:96A:UN'BGM+220+PO-3+9'UNT+3+3'"
		"UNE+5+G2'"
		"UNZ+2+IC'";
	struct result *r = parse(edi);
	CHECK_INT(r->n, 3);
	if (r->n == 3) {
		CHECK_STR(r->o[0]->source.group, "G1");
		CHECK_STR(r->o[2]->source.group, "G2");
		CHECK(r->o[0]->is_test);
	}
	CHECK(has_diag(&r->d, DIAG_WARNING, "UNE message count", "expected 1, found \"5\""));
	CHECK(!has_diag(&r->d, DIAG_WARNING, "UNZ", NULL));     /* 2 groups */
	struct edifact_ack *a = ack(r);
	CHECK_INT(a->n_groups, 2);
	if (a->n_groups == 2) {
		CHECK_STR(a->groups[0].id, "ORDERS");
		CHECK_STR(a->groups[0].ref, "G1");
		CHECK_STR(a->groups[0].sender, "GS");
		CHECK_STR(a->groups[0].version, "D");
		CHECK_STR(a->groups[0].release, "96A");
		CHECK_STR(a->groups[0].assoc, "EAN008");
		CHECK_INT(a->groups[0].n_messages, 2);
		CHECK(a->groups[0].accepted);
		CHECK(!a->groups[1].accepted);
		CHECK_INT(a->groups[1].error, 29);
		CHECK_INT(a->messages[2].group, 1);
		CHECK_INT(a->interchanges[0].n_groups, 2);
	}
	result_free(r);
}

static void test_multi_interchange(void)
{
	/* Two interchanges with different UNAs; CRLF and LF between segments. */
	const char *edi =
		"UNA:+.? '\r\n"
		"UNB+UNOA:3+S1:14+R:14+250110:0930+I1'\r\n"
		"UNH+1+ORDERS:D:96A:UN'\n"
		"BGM+220+PO-1+9'\r\n"
		"UNT+3+1'\r\n"
		"UNZ+1+I1'\n"
		"UNA|#.? ~\n"
		"UNB#UNOA|3#S2|1#R|14#250110|0930#I2~\r\n"
		"UNH#1#ORDERS|D|96A|UN~\n"
		"BGM#220#PO+2:3'#9~\n"
		"UNT#3#1~\n"
		"UNZ#1#I2~\n"
		"UNB+UNOA:3+S3+R+250110:0930+I3'"
		"UNH+1+ORDERS:D:96A:UN'BGM+220+PO-3+9'UNT+3+1'UNZ+1+I3'";
	struct result *r = parse(edi);
	CHECK_INT(r->n, 3);
	CHECK_INT(r->d.n, 0);
	if (r->n == 3) {
		CHECK_STR(r->o[0]->po_number, "PO-1");
		CHECK_STR(r->o[0]->source.sender, "14:S1");
		CHECK_STR(r->o[1]->po_number, "PO+2:3'");
		CHECK_STR(r->o[1]->source.sender, "1:S2");
		CHECK_STR(r->o[1]->source.interchange, "I2");
		CHECK_STR(r->o[2]->po_number, "PO-3");
		CHECK_STR(r->o[2]->source.sender, "S3");    /* no qualifier */
	}
	CHECK_INT(ack(r)->n_interchanges, 3);
	dump_diags(&r->d);
	result_free(r);
}

static void test_newline_terminator(void)
{
	/* The segment terminator is a line break; CRLF and blank lines. */
	const char *edi =
		"UNA:+.? \n\r\n"
		"UNB+UNOC:3+S+R+250110:0930+1\r\n"
		"UNH+1+ORDERS:D:96A:UN\r\n"
		"\n"
		"BGM+220+PO 1+9\r\n"
		"NAD+BY+++Name?\nwith a released line break\r\n"
		"UNT+4+1\r\n"
		"UNZ+1+1\n";
	struct result *r = parse(edi);
	CHECK_INT(r->n, 1);
	CHECK_INT(r->d.n, 0);
	dump_diags(&r->d);
	if (r->n == 1) {
		CHECK_STR(r->o[0]->po_number, "PO 1");
		CHECK_STR(r->o[0]->document_type, "new");
		CHECK_STR(r->o[0]->parties[ROLE_BUYER]->name, "Name\nwith a released line break");
	}
	result_free(r);
}

static void test_level_b(void)
{
	/* UNOB without UNA: IS1/IS3/IS4 separators, no release character. */
	const char edi[] =
		"UNB\x1dUNOB\x1f" "3\x1dSENDER\x1f" "14\x1dRECV\x1d" "250110\x1f" "0930\x1dI1\x1c"
		"UNH\x1d" "1\x1dORDERS\x1f" "D\x1f" "96A\x1fUN\x1c"
		"BGM\x1d" "220\x1dPO+1:2'?\x1d" "9\x1c"
		"NAD\x1d" "BY\x1d\x1d\x1d" "acme & co\x1c"
		"UNT\x1d" "4\x1d" "1\x1c"
		"UNZ\x1d" "1\x1dI1\x1c";
	struct result *r = parse(edi);
	CHECK_INT(r->n, 1);
	if (r->n == 1) {
		CHECK_STR(r->o[0]->po_number, "PO+1:2'?");
		CHECK_STR(r->o[0]->parties[ROLE_BUYER]->name, "acme & co");
		CHECK_STR(r->o[0]->source.sender, "14:SENDER");
	}
	CHECK_INT(r->d.n, 0);
	dump_diags(&r->d);
	CHECK_INT(ack(r)->interchanges[0].syntax.terminator, 0x1c);
	CHECK_INT(ack(r)->interchanges[0].syntax.release, 0);
	result_free(r);
}

static void test_charsets(void)
{
	static const struct {
		const char *syntax, *name, *want;
	} cases[] = {
		{ "UNOC", "M\xfcller \xc4pfel", "M\xc3\xbcller \xc3\x84pfel" },
		{ "UNOE", "\xb8\xd2\xd0\xdd \xbf\xd5\xe2\xe0\xde\xd2", "\xd0\x98\xd0\xb2\xd0\xb0\xd0\xbd \xd0\x9f\xd0\xb5\xd1\x82\xd1\x80\xd0\xbe\xd0\xb2" },
		{ "UNOD", "\xa3\xf3" "d\xbc", "\xc5\x81\xc3\xb3" "d\xc5\xba" },
		{ "UNOF", "\xc1\xe8\xde\xed\xe1", "\xce\x91\xce\xb8\xce\xae\xce\xbd\xce\xb1" },
		{ "UNOW", "Stra\xc3\x9f" "e", "Stra\xc3\x9f" "e" },
		{ "UNOY", "\xe6\x9d\xb1\xe4\xba\xac", "\xe6\x9d\xb1\xe4\xba\xac" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char edi[512];
		snprintf(edi, sizeof(edi),
			 "UNB+%s:3+S+R+250110:0930+1'UNH+1+ORDERS:D:96A:UN'BGM+220+P+9'"
			 "NAD+BY+++%s'UNT+4+1'UNZ+1+1'", cases[i].syntax, cases[i].name);
		struct result *r = parse(edi);
		CHECK_INT(r->n, 1);
		if (r->n == 1)
			CHECK_STR(r->o[0]->parties[ROLE_BUYER]->name, cases[i].want);
		CHECK_INT(r->d.n, 0);
		result_free(r);
	}
	/* Invalid UTF-8 under UNOW: U+FFFD and one warning, no crash. */
	struct result *r = parse("UNB+UNOW:4+S+R+20250110:0930+1'UNH+1+ORDERS:D:01B:UN'BGM+220+P\xff\xc3+9'"
				 "UNT+3+1'UNZ+1+1'");
	CHECK_INT(r->n, 1);
	if (r->n == 1)
		CHECK_STR(r->o[0]->po_number, "P\xef\xbf\xbd\xef\xbf\xbd");
	CHECK(has_diag(&r->d, DIAG_WARNING, "not valid in UTF-8", NULL));
	result_free(r);
	/* Lower case under UNOA: read, with one warning. */
	r = parse("UNB+UNOA:3+S+R+250110:0930+1'UNH+1+ORDERS:D:96A:UN'BGM+220+po-1+9'"
		  "UNT+3+1'UNZ+1+1'");
	CHECK(r->n == 1 && strcmp(r->o[0]->po_number, "po-1") == 0);
	CHECK(has_diag(&r->d, DIAG_WARNING, "0x70 is not in the repertoire of UNOA", NULL));
	result_free(r);
	/* UTF-8 bytes under UNOC: read as UTF-8, said so. */
	r = parse("UNB+UNOC:3+S+R+250110:0930+1'UNH+1+ORDERS:D:96A:UN'BGM+220+P+9'"
		  "NAD+BY+++K\xc3\xa4lte'UNT+4+1'UNZ+1+1'");
	CHECK(r->n == 1 && strcmp(r->o[0]->parties[ROLE_BUYER]->name, "K\xc3\xa4lte") == 0);
	CHECK(has_diag(&r->d, DIAG_WARNING, "declares ISO-8859-1, but the text is UTF-8", NULL));
	result_free(r);
	/* A byte ISO 8859-7 does not define (0xAE): U+FFFD. */
	r = parse("UNB+UNOF:3+S+R+250110:0930+1'UNH+1+ORDERS:D:96A:UN'BGM+220+A\xae" "B+9'"
		  "UNT+3+1'UNZ+1+1'");
	CHECK(r->n == 1 && strcmp(r->o[0]->po_number, "A\xef\xbf\xbd" "B") == 0);
	result_free(r);

	CHECK_STR(edifact_charset("UNOG"), "ISO-8859-3");
	CHECK_STR(edifact_charset("UNOH"), "ISO-8859-4");
	CHECK_STR(edifact_charset("UNOI"), "ISO-8859-6");
	CHECK_STR(edifact_charset("UNOJ"), "ISO-8859-8");
	CHECK_STR(edifact_charset("UNOK"), "ISO-8859-9");
	CHECK_STR(edifact_charset("UNOZ"), NULL);
}

static void test_decimal_comma(void)
{
	const char *edi =
		"UNA:+,? '"
		"UNB+UNOA:4+S+R+20250110:0930+1'"
		"UNH+1+ORDERS:D:96A:UN'"
		"BGM+220+P+9'"
		"LIN+1++4012345000016:EN'"
		"QTY+21:1,5:KGM'"
		"MOA+203:3,53'"
		"PRI+AAA:2,35:::1:KGM'"
		"LIN+2'"
		"QTY+21:1.2.3'"
		"PRI+AAA:-0,5'"
		"UNS+S'"
		"MOA+86:1234,50'"
		"CNT+1:2,5'"
		"UNT+13+1'"
		"UNZ+1+1'";
	struct result *r = parse(edi);
	CHECK_INT(r->n, 1);
	if (r->n == 1) {
		struct order *o = r->o[0];
		CHECK_STR(o->lines[0].quantity, "1.5");
		CHECK_STR(o->lines[0].line_amount, "3.53");
		CHECK_STR(o->lines[0].unit_price, "2.35");
		CHECK_STR(o->lines[1].quantity, NULL);
		CHECK_STR(o->lines[1].unit_price, "-0.5");
		CHECK_STR(o->declared_amount, "1234.50");
		CHECK_STR(o->declared_quantity, "2.5");
	}
	CHECK(has_diag(&r->od, DIAG_WARNING, "segment 9", "expected a decimal number, found \"1.2.3\""));
	result_free(r);
}

static void test_document_types(void)
{
	static const struct {
		const char *type, *fn, *doc;
		int dup;
	} cases[] = {
		{ "ORDERS", "9", "new", 0 }, { "ORDERS", "1", "cancel", 0 }, { "ORDERS", "5", "replace", 0 },
		{ "ORDERS", "4", "change", 0 }, { "ORDERS", "3", "change", 0 }, { "ORDERS", "7", "new", 1 },
		{ "ORDERS", "31", "new", 1 }, { "ORDERS", "16", "new", 0 }, { "ORDERS", "", "new", 0 },
		{ "ORDCHG", "4", "change", 0 }, { "ORDCHG", "1", "cancel", 0 }, { "ORDCHG", "9", "change", 0 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char edi[512];
		snprintf(edi, sizeof(edi),
			 "UNB+UNOA:3+S+R+250110:0930+1'UNH+1+%s:D:01B:UN:EAN010'BGM+%s+PO+%s'"
			 "LIN+1+3+1:SA'UNT+4+1'UNZ+1+1'", cases[i].type,
			 strcmp(cases[i].type, "ORDCHG") == 0 ? "230" : "220", cases[i].fn);
		struct result *r = parse(edi);
		CHECK_INT(r->n, 1);
		if (r->n == 1) {
			CHECK_STR(r->o[0]->document_type, cases[i].doc);
			CHECK_INT(r->o[0]->is_duplicate_flag, cases[i].dup);
			if (strcmp(cases[i].type, "ORDCHG") == 0)
				CHECK(r->o[0]->lines[0].n_notes == 1 &&
				      strcmp(r->o[0]->lines[0].notes[0], "line action 3: changed") == 0);
		}
		result_free(r);
	}
}

static void test_dates_and_terms(void)
{
	const char *edi =
		"UNB+UNOC:3+S+R+250110:0930+1'"
		"UNH+1+ORDERS:D:96A:UN'"
		"BGM+105+PO+9'"
		"DTM+137:202501100930:203'"
		"DTM+2:20250301-20250315:718'"
		"DTM+10:250220:101'"
		"DTM+2:20250230:102'"
		"RFF+AAG:Q-7'"
		"RFF+CR:C-9'"
		"DTM+63:20251231:102'"
		"NAD+SE+123456789::16++Maker+Road 1:Building 2+Town+ST+1234+de'"
		"RFF+VA:DE123'"
		"NAD+ST+X::92'"
		"NAD+BA+Z::9'"
		"CTA+OC+:Wrong Party'"
		"CUX+2:eur:9'"
		"PAT+22++5:3:D:10'"
		"PCD+12:2'"
		"PAT+1++5:3:W:4'"
		"TDT+20++40'"
		"LOC+12+USNYC:139:6'"
		"TOD+6+CC+DAT'"
		"LOC+1+:::Rotterdam port'"
		"LIN+1++0764569104:IB'"
		"PIA+1+HS-1:HS+M-1:MF+B-1:BP'"
		"IMD+F++:::Part one:part two'"
		"IMD+F++:::Second text'"
		"FTX+AAI+++line note'"
		"QTY+1:5:PCE'"
		"QTY+21:6:XBX'"
		"DTM+2:20250401:102'"
		"LOC+7+X'"
		"QTY+21:99'"
		"DTM+2:20250501:102'"
		"PRI+AAB:10:::10:GBND'"
		"UNS+S'"
		"CNT+2:3'"
		"UNT+37+1'"
		"UNZ+1+1'";
	struct result *r = parse(edi);
	CHECK_INT(r->n, 1);
	if (r->n != 1) {
		dump_diags(&r->d);
		result_free(r);
		return;
	}
	struct order *o = r->o[0];
	CHECK_STR(o->order_type, "105");
	CHECK_STR(o->order_date, "2025-01-10");
	CHECK_STR(o->requested_delivery_date, NULL);
	CHECK_STR(o->window_earliest, "2025-03-01");
	CHECK_STR(o->window_latest, "2025-03-15");   /* DTM+63 in the RFF group: not the order's */
	CHECK_STR(o->ship_by_date, "2025-02-20");
	CHECK_STR(o->ref_quotation, "Q-7");
	CHECK_STR(o->ref_customer, "C-9");
	struct party *se = o->parties[ROLE_SELLER];
	CHECK(se != NULL);
	if (se != NULL) {
		CHECK_INT(se->n_ids, 2);
		CHECK_STR(se->ids[0].scheme, "DUNS");
		CHECK_STR(se->ids[1].scheme, "VAT");
		CHECK_STR(se->ids[1].value, "DE123");
		CHECK_INT(se->n_address_lines, 2);
		CHECK_STR(se->address_lines[1], "Building 2");
		CHECK_STR(se->country, "DE");
	}
	CHECK(o->parties[ROLE_SHIP_TO] != NULL && strcmp(o->parties[ROLE_SHIP_TO]->ids[0].scheme, "BUYER") == 0);
	CHECK(o->parties[ROLE_SHIP_TO]->contact_name == NULL);
	CHECK_STR(o->currency, "EUR");
	CHECK_STR(o->payment_discount_percent, "2");
	CHECK_INT(o->payment_discount_days, 10);
	CHECK_INT(o->payment_net_days, 28);
	CHECK_STR(o->transport_mode, "4");
	CHECK_STR(o->port_of_discharge, "USNYC");
	CHECK_STR(o->transport_payment, "CC");
	CHECK_STR(o->incoterms_code, "DPU");
	CHECK_STR(o->incoterms_place, "Rotterdam port");
	CHECK_INT(o->n_lines, 1);
	struct order_line *l = &o->lines[0];
	CHECK_STR(l->gtin, "09780764569104");
	CHECK_STR(l->hs_code, "HS-1");
	CHECK_STR(l->manufacturer_part_no, "M-1");
	CHECK_STR(l->buyer_item_id, "B-1");
	CHECK_STR(l->description, "Part one part two");
	CHECK(l->n_notes == 2 && strcmp(l->notes[0], "Second text") == 0 && strcmp(l->notes[1], "line note") == 0);
	CHECK_STR(l->quantity, "6");                  /* 21 beats 1; the LOC group's 99 is not it */
	CHECK_STR(l->uom_code, "XBX");
	CHECK_STR(l->delivery_date, "2025-04-01");
	CHECK_STR(l->unit_price, "10");
	CHECK_STR(l->price_basis_quantity, "10");
	CHECK_STR(l->price_basis_uom, "GBND");
	CHECK(has_diag(&r->od, DIAG_WARNING, "DTM", "\"20250230\" is not a valid date"));
	CHECK(has_diag(&r->od, DIAG_WARNING, "DAT", "DPU"));
	CHECK(has_diag(&r->od, DIAG_WARNING, "GBND", "Rec 20"));
	CHECK(has_diag(&r->od, DIAG_WARNING, "CNT+2 says 3 lines", NULL));
	result_free(r);
}

static void test_not_orders(void)
{
	struct result *r = parse("UNB+UNOA:3+S+R+250110:0930+1'UNH+1+DESADV:D:96A:UN'BGM+351+D1+9'"
				 "UNT+3+1'UNH+2+INVOIC:D:96A:UN'UNT+2+2'UNZ+2+1'");
	CHECK_INT(r->ret, 0);
	CHECK_INT(r->n, 0);
	CHECK_STR(r->out.not_order, "EDIFACT DESADV despatch advice");
	CHECK_INT(r->d.n_errors, 0);
	result_free(r);

	r = parse("UNB+UNOA:3+S+R+250110:0930+1'UNH+1+ORDRSP:D:96A:UN'UNT+2+1'"
		  "UNH+2+ORDERS:D:96A:UN'BGM+220+P+9'UNT+3+2'UNH+3+CONTRL:D:3:UN'UNT+2+3'UNZ+3+1'");
	CHECK_INT(r->n, 1);
	CHECK_STR(r->out.not_order, NULL);
	CHECK(has_diag(&r->d, DIAG_WARNING, "segment 2 (byte 29)", "\"1\" is EDIFACT ORDRSP purchase order response, not an order: skipped"));
	CHECK(has_diag(&r->d, DIAG_WARNING, "\"3\" is EDIFACT CONTRL", "skipped"));
	result_free(r);

	r = parse("this is not EDI at all");
	CHECK_INT(r->ret, -1);
	CHECK(has_diag(&r->d, DIAG_ERROR, "byte 0", "no UNB or UNH"));
	result_free(r);
}

static void test_robustness(void)
{
	/* Odd inputs: each must parse without crashing and say something. */
	static const char *const inputs[] = {
		"", "UNA", "UNA:+.? ", "UNA:::::::UNB", "UNB", "UNB+", "UNH+1+ORDERS'BGM",
		"UNB+UNOC:3+S+R+1+1'UNH+1+ORDERS:D:96A:UN'LIN+1'QTY+21'PRI'MOA'UNT'",
		"UNB+UNOC:3+S+R+1+1'UNH+1+ORDERS:D:96A:UN'NAD+BY'CTA'COM+:TE'DTM+2:2025'DTM+2::999'UNT+7+1'",
		"UNA:+.? 'UNB+UNOC:3+S+R+1+1'UNH+1+ORDERS:D:96A:UN'BGM+220+?",
		"UNB+UNOX:3+S+R+1+1'UNH+1+ORDERS:D:96A:UN'BGM+220+\x1b$B\xff+9'UNT+3+1'UNZ+1+1'",
	};
	for (size_t i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
		struct result *r = parse(inputs[i]);
		CHECK(r->ret == 0 || r->d.n_errors > 0);
		result_free(r);
	}
	/* A bare message without UNB is read, with a warning. */
	struct result *r = parse("UNH+1+ORDERS:D:96A:UN'BGM+220+P1+9'UNT+3+1'");
	CHECK_INT(r->n, 1);
	CHECK(has_diag(&r->d, DIAG_WARNING, "without an interchange header", NULL));
	result_free(r);
	/* An order over the arena limit is rejected, not truncated. */
	struct buf b;
	buf_init(&b, 1u << 24);
	buf_adds(&b, "UNB+UNOC:3+S+R+250110:0930+1'UNH+1+ORDERS:D:96A:UN'BGM+220+P+9'");
	for (int i = 0; i < 3000; i++)
		buf_printf(&b, "LIN+%d++X%d:SA'IMD+F++:::Description of item number %d'QTY+21:1'", i, i, i);
	buf_printf(&b, "UNT+%d+1'UNZ+1+1'", 3 + 3 * 3000);
	struct result *r2 = calloc(1, sizeof(*r2));
	r2->a = arena_new(1u << 26);
	diags_init(&r2->d);
	diags_init(&r2->od);
	parse_output_init(&r2->out, &r2->d);
	r2->out.emit = keep_order;
	r2->out.ctx = r2;
	struct parse_input in = { .data = (const unsigned char *)b.data, .len = b.len, .max_order_bytes = 100000 };
	edifact_parser.parse(&in, &r2->out);
	CHECK_INT(r2->n, 0);
	CHECK_INT(r2->out.n_rejected, 1);
	CHECK(has_diag(&r2->d, DIAG_ERROR, "larger than the limit", NULL));
	result_free(r2);
	/* ... and with the default limit it comes through. */
	r = parse_n(b.data, b.len);
	CHECK_INT(r->n, 1);
	if (r->n == 1)
		CHECK_INT(r->o[0]->n_lines, 3000);
	result_free(r);
	buf_free(&b);
}

static void test_sniff(void)
{
	CHECK_INT(edifact_parser.sniff((const unsigned char *)"UNA:+.? '\nUNB+UNOC:3", 20), 100);
	CHECK_INT(edifact_parser.sniff((const unsigned char *)"\xef\xbb\xbfUNB+UNOA:3+X", 16), 95);
	CHECK_INT(edifact_parser.sniff((const unsigned char *)"UNH+1+ORDERS", 12), 60);
	CHECK_INT(edifact_parser.sniff((const unsigned char *)"ISA*00*", 7), 0);
	CHECK_INT(edifact_parser.sniff((const unsigned char *)"UNBOUND text", 12), 0);
	CHECK(parser_find("edifact") == &edifact_parser);
	CHECK(parser_sniff((const unsigned char *)"UNB+UNOA:3+X", 12) == &edifact_parser);
}

int main(void)
{
	test_mapping();
	test_una_separators();
	test_release();
	test_syntax4_repetition();
	test_unt_mismatch();
	test_unz_problems();
	test_groups();
	test_multi_interchange();
	test_level_b();
	test_newline_terminator();
	test_charsets();
	test_decimal_comma();
	test_document_types();
	test_dates_and_terms();
	test_not_orders();
	test_robustness();
	test_sniff();
	return check_status();
}
