/* test_validate.c — validate_order() over orders built in C: one passing
 * and one failing case per check, C7 in all its forms, V11 with price
 * basis and tolerance, blocking vs warning per policy, the status values,
 * the messages in three locales and the exact JSON of a problems list. */
#include "check.h"
#include "arena.h"
#include "buf.h"
#include "order.h"
#include "validate.h"
#include <stdlib.h>
#include <time.h>

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define TODAY "2025-06-02"

static struct arena *A;

/* A complete order: every check passes under the default policy. */
static struct order *good(void)
{
	arena_reset(A);
	struct order *o = order_new(A);
	o->format = "x12-850";
	o->po_number = "PO-1001";
	o->order_date = "2025-05-30";
	o->partner_id = "acme";
	o->currency = "USD";
	o->has_incoterms = true;
	o->incoterms_code = "FOB";
	o->incoterms_version = "2020";
	o->incoterms_place = "Shanghai";
	o->port_of_loading = "CNSHA";
	o->transport_mode = "1";
	o->has_payment_terms = true;
	o->payment_terms_text = "Net 30";
	o->payment_net_days = 30;
	o->requested_delivery_date = "2025-07-15";

	struct party *b = order_party(o, ROLE_BUYER);
	b->name = "Acme Trading Ltd";
	party_add_id(o, b, "GLN", "5412345000013");
	b->contact_name = "Jane Buyer";
	b->contact_email = "jane@acme.example";
	struct party *s = order_party(o, ROLE_SHIP_TO);
	s->name = "Acme Warehouse";
	party_add_address_line(o, s, "100 Harbor Road");
	s->city = "Long Beach";
	s->postal_code = "90802";
	s->region = "CA";
	s->country = "US";
	order_party(o, ROLE_BILL_TO)->name = "Acme Trading Ltd";

	struct order_line *l = order_add_line(o);
	l->line_no = "1";
	l->seller_item_id = "AB-100";
	l->quantity = "10";
	l->uom_code = "H87";
	l->unit_price = "2.50";
	l->line_amount = "25.00";
	l = order_add_line(o);
	l->line_no = "2";
	l->gtin = "4006381333931";
	l->quantity = "5";
	l->uom_code = "XCT";
	l->unit_price = "12";
	l->line_amount = "60";
	o->declared_amount = "85.00";
	return o;
}

static struct validate_policy pol;
static struct problems ps;

static int run(const struct order *o)
{
	problems_free(&ps);
	return validate_order(o, &pol, &ps);
}

static void reset_policy(void)
{
	validate_policy_init(&pol, TODAY);
}

/* The problem of check at field, or NULL. */
static const struct problem *find(const char *check, const char *field)
{
	for (size_t i = 0; i < ps.n; i++)
		if (strcmp(ps.items[i].check, check) == 0 && (field == NULL || strcmp(ps.items[i].field, field) == 0))
			return &ps.items[i];
	return NULL;
}

static size_t count(const char *check)
{
	size_t n = 0;
	for (size_t i = 0; i < ps.n; i++)
		n += strcmp(ps.items[i].check, check) == 0;
	return n;
}

static void dump(void)
{
	for (size_t i = 0; i < ps.n; i++)
		fprintf(stderr, "  %s %s %s: %s\n", ps.items[i].check, ps.items[i].field,
			ps.items[i].key, ps.items[i].message);
}

/* Expect exactly one problem of check, at field, with key and message
 * (message NULL: not compared). */
#define EXPECT(CK, FIELD, KEY, MSG) do { \
	const struct problem *p_ = find(CK, FIELD); \
	CHECK(p_ != NULL); \
	if (p_ == NULL) { fprintf(stderr, "  missing %s at %s; have:\n", CK, FIELD); dump(); break; } \
	CHECK_STR(p_->key, KEY); \
	if ((MSG) != NULL) CHECK_STR(p_->message, (const char *)(MSG)); \
	CHECK_INT(count(CK), 1); \
} while (0)

#define EXPECT_NONE(check) do { \
	if (count(check) != 0) dump(); \
	CHECK_INT(count(check), 0); \
} while (0)

static void test_good(void)
{
	reset_policy();
	CHECK_INT(run(good()), VALIDATE_COMPLETE);
	if (ps.n != 0)
		dump();
	CHECK_INT(ps.n, 0);
	CHECK_INT(ps.flags, 0);
	struct buf b;
	buf_init(&b, 1 << 16);
	CHECK_INT(problems_to_json(&ps, NULL, &b), 0);
	CHECK_STR(b.data, "[]");
	buf_free(&b);
}

static void test_c1(void)
{
	struct order *o;
	reset_policy();

	o = good();
	o->parties[ROLE_BUYER] = NULL;
	CHECK_INT(run(o), VALIDATE_INCOMPLETE);
	EXPECT("C1", "parties.buyer", "missing_buyer", "The order does not say who the customer is.");
	CHECK(find("C1", NULL)->severity == PROBLEM_BLOCKING);

	/* partner set, buyer present without ids: passes */
	o = good();
	o->parties[ROLE_BUYER]->n_ids = 0;
	run(o);
	EXPECT_NONE("C1");

	/* configured ids: a buyer id matching none of them fails */
	static const char *const ids[] = { "5412345000020", "CUST-7" };
	pol.customer_ids = ids;
	pol.n_customer_ids = 2;
	o = good();
	run(o);
	EXPECT("C1", "parties.buyer.ids[0].value", "unknown_buyer_id",
	       "The customer number 5412345000013 does not match any account we have for this customer.");
	o = good();
	party_add_id(o, o->parties[ROLE_BUYER], "BUYER", "CUST-7");
	run(o);
	EXPECT_NONE("C1");

	/* no partner: only a matching id identifies the customer */
	o = good();
	o->partner_id = NULL;
	party_add_id(o, o->parties[ROLE_BUYER], "BUYER", "CUST-7");
	run(o);
	EXPECT_NONE("C1");
	pol.n_customer_ids = 0;
	o = good();
	o->partner_id = NULL;
	run(o);
	EXPECT("C1", "parties.buyer", "customer_not_identified", NULL);
	pol.partner_known = true;
	run(o);
	EXPECT_NONE("C1");
}

static void test_c2_c3_c4(void)
{
	struct order *o;
	reset_policy();

	o = good();
	o->parties[ROLE_SHIP_TO] = NULL;
	run(o);
	EXPECT("C2", "parties.ship_to", "missing_ship_to", "The order has no delivery address.");
	EXPECT_NONE("C3");

	o = good();
	o->parties[ROLE_SHIP_TO]->city = NULL;
	o->parties[ROLE_SHIP_TO]->n_address_lines = 0;
	run(o);
	CHECK_INT(count("C2"), 2);
	CHECK_STR(find("C2", "parties.ship_to.address.city")->key, "ship_to_missing_city");
	CHECK_STR(find("C2", "parties.ship_to.address.lines")->key, "ship_to_missing_street");

	/* postal code only where the country has them */
	o = good();
	o->parties[ROLE_SHIP_TO]->postal_code = NULL;
	run(o);
	EXPECT("C2", "parties.ship_to.address.postal_code", "ship_to_missing_postal_code",
	       "The delivery address has no postal code.");
	o->parties[ROLE_SHIP_TO]->country = "HK";
	run(o);
	EXPECT_NONE("C2");

	o = good();
	o->parties[ROLE_SHIP_TO]->country = NULL;
	CHECK_INT(run(o), VALIDATE_INCOMPLETE);
	EXPECT("C3", "parties.ship_to.address.country", "missing_ship_to_country",
	       "The delivery address has no country.");

	/* a ship-to known by its GLN needs no address here, but a country */
	o = good();
	struct party *s = order_party(o, ROLE_SHIP_TO);
	memset(s, 0, sizeof(*s));
	party_add_id(o, s, "GLN", "4000001000005");
	run(o);
	EXPECT_NONE("C2");
	EXPECT("C3", "parties.ship_to.address.country", "missing_ship_to_country", NULL);

	o = good();
	o->parties[ROLE_BILL_TO] = NULL;
	CHECK_INT(run(o), VALIDATE_COMPLETE);
	EXPECT("C4", "parties.bill_to", "missing_bill_to", NULL);
	CHECK(find("C4", NULL)->severity == PROBLEM_WARNING);
	pol.bill_to_from_master = true;
	run(o);
	EXPECT_NONE("C4");
	CHECK_INT(ps.flags, PROBLEMS_BILL_TO_DEFAULTED);
}

static void test_c5_c6(void)
{
	struct order *o;
	reset_policy();

	o = good();
	o->lines[1].quantity = NULL;
	CHECK_INT(run(o), VALIDATE_INCOMPLETE);
	EXPECT("C5", "lines[1].quantity", "missing_quantity", "Line 2 (item 4006381333931) has no quantity.");

	o = good();
	o->lines[0].line_no = "3";
	o->lines[0].uom_code = NULL;
	run(o);
	EXPECT("C5", "lines[0].uom.code", "missing_unit", "Line 3 (item AB-100) has no unit of measure.");
	o->lines[0].uom_original = "pcs";
	run(o);
	EXPECT_NONE("C5");
	o->lines[0].uom_original = "箱";
	run(o);
	EXPECT_NONE("C5");
	o->lines[0].uom_original = "bananas";
	run(o);
	EXPECT("C5", "lines[0].uom.original", "unknown_unit",
	       "Line 3 (item AB-100) has a unit we do not recognise: bananas.");
	o->lines[0].uom_code = "PCE";   /* not a Rec 20 code: the parser should have mapped it */
	run(o);
	EXPECT("C5", "lines[0].uom.code", "unknown_unit", NULL);

	o = good();
	o->n_lines = 0;
	o->declared_amount = NULL;
	run(o);
	EXPECT("C5", "lines", "no_lines", "The order has no items.");

	/* C6: a description alone does not say which product */
	o = good();
	o->lines[0].seller_item_id = NULL;
	o->lines[0].description = "Blue widget";
	o->lines[0].line_no = NULL;
	run(o);
	EXPECT("C6", "lines[0].seller_item_id", "missing_item_id",
	       "Line 1 does not say which product is meant (no item number or barcode).");
	o->lines[0].buyer_item_id = "ACME-55";
	run(o);
	EXPECT_NONE("C6");
}

static void test_c7(void)
{
	struct order *o;
	reset_policy();

	o = good();
	o->requested_delivery_date = NULL;
	CHECK_INT(run(o), VALIDATE_INCOMPLETE);
	EXPECT("C7", "requested_delivery_date", "missing_delivery_date",
	       "The order has no delivery date or ship date.");

	/* met by the header date (good()), by a window, by a ship-by date */
	o->window_latest = "2025-07-31";
	run(o);
	EXPECT_NONE("C7");
	o->window_latest = NULL;
	o->window_earliest = "2025-07-01";
	run(o);
	EXPECT_NONE("C7");
	o->window_earliest = NULL;
	o->ship_by_date = "2025-07-01";
	run(o);
	EXPECT_NONE("C7");
	o->ship_by_date = NULL;

	/* by every line: delivery date or ship-by date on each */
	o->lines[0].delivery_date = "2025-07-20";
	o->lines[1].ship_by_date = "2025-07-05";
	CHECK_INT(run(o), VALIDATE_COMPLETE);
	EXPECT_NONE("C7");
	/* only some lines: the others are named */
	o->lines[1].ship_by_date = NULL;
	CHECK_INT(run(o), VALIDATE_INCOMPLETE);
	EXPECT("C7", "lines[1].delivery_date", "line_missing_delivery_date",
	       "Line 2 (item 4006381333931) has no delivery date.");
}

static void test_c8_c9_c13(void)
{
	struct order *o;
	reset_policy();

	o = good();
	o->currency = NULL;
	CHECK_INT(run(o), VALIDATE_INCOMPLETE);
	EXPECT("C8", "currency", "missing_currency", NULL);
	pol.default_currency = "USD";
	CHECK_INT(run(o), VALIDATE_COMPLETE);
	EXPECT_NONE("C8");
	CHECK_INT(ps.flags, PROBLEMS_CURRENCY_DEFAULTED);
	reset_policy();

	o = good();
	o->has_incoterms = false;
	o->incoterms_code = o->incoterms_place = NULL;
	run(o);
	EXPECT("C9", "incoterms", "missing_incoterms", NULL);
	EXPECT_NONE("C13");

	o = good();
	o->incoterms_place = NULL;
	run(o);
	EXPECT("C9", "incoterms.named_place", "missing_incoterms_place",
	       "The delivery term FOB has no named place (for example \"FOB Shanghai\").");

	o = good();
	o->incoterms_code = "DAT";
	o->incoterms_version = "2010";
	CHECK_INT(run(o), VALIDATE_INCOMPLETE);
	EXPECT("C9", "incoterms.code", "obsolete_incoterms",
	       "The delivery term DAT no longer exists in Incoterms 2020; the closest current term is DPU.");
	o->incoterms_code = "XYZ";
	run(o);
	EXPECT("C9", "incoterms.code", "unknown_incoterms", "XYZ is not an Incoterms 2020 delivery term.");
	o->incoterms_code = "fob";   /* case does not matter */
	run(o);
	EXPECT_NONE("C9");

	/* C13: FAS/FOB need the port of loading, CFR/CIF the port of discharge */
	o = good();
	o->port_of_loading = NULL;
	run(o);
	EXPECT("C13", "port_of_loading", "missing_port_of_loading",
	       "The delivery term FOB needs a port of loading, but the order names none.");
	CHECK(find("C13", NULL)->severity == PROBLEM_WARNING);
	o->incoterms_code = "CIF";
	run(o);
	EXPECT("C13", "port_of_discharge", "missing_port_of_discharge", NULL);
	o->port_of_discharge = "USLGB";
	run(o);
	EXPECT_NONE("C13");
	o->incoterms_code = "DAP";
	o->port_of_discharge = NULL;
	run(o);
	EXPECT_NONE("C13");
}

static void test_c10_c11_c12_c14(void)
{
	struct order *o;
	reset_policy();

	o = good();
	o->lines[0].unit_price = NULL;
	o->lines[0].line_amount = NULL;
	o->declared_amount = NULL;
	CHECK_INT(run(o), VALIDATE_COMPLETE);
	EXPECT("C10", "lines[0].unit_price", "missing_price", "Line 1 (item AB-100) has no price.");
	pol.priceless_agreed = true;
	run(o);
	EXPECT_NONE("C10");
	CHECK_INT(ps.flags, PROBLEMS_PRICES_FROM_CONTRACT);
	reset_policy();

	o = good();
	o->has_payment_terms = false;
	o->payment_terms_text = NULL;
	o->payment_net_days = -1;
	run(o);
	EXPECT("C11", "payment_terms", "missing_payment_terms", NULL);
	o->payment_net_days = 60;
	run(o);
	EXPECT_NONE("C11");

	o = good();
	o->po_number = NULL;
	o->order_date = NULL;
	CHECK_INT(run(o), VALIDATE_INCOMPLETE);
	CHECK_INT(count("C12"), 2);
	CHECK_STR(find("C12", "po_number")->message, "The order has no order number.");
	CHECK_STR(find("C12", "order_date")->message, "The order has no order date.");

	o = good();
	o->parties[ROLE_BUYER]->contact_email = NULL;
	CHECK_INT(run(o), VALIDATE_COMPLETE);
	EXPECT("C14", "parties.buyer.contact", "missing_contact", NULL);
	o->parties[ROLE_BUYER]->contact_phone = "+1 555 0100";
	run(o);
	EXPECT_NONE("C14");
}

static void test_v1_v2(void)
{
	struct order *o;
	reset_policy();

	o = good();
	o->requested_delivery_date = "2025-06-01";
	CHECK_INT(run(o), VALIDATE_COMPLETE);   /* V1 only warns by default */
	EXPECT("V1", "requested_delivery_date", "date_in_past",
	       "The requested delivery date 2025-06-01 is in the past.");
	o->requested_delivery_date = TODAY;
	run(o);
	EXPECT_NONE("V1");
	pol.lead_time_days = 30;
	o->requested_delivery_date = "2025-07-01";
	run(o);
	EXPECT("V1", "requested_delivery_date", "date_too_soon",
	       "The requested delivery date 2025-07-01 is sooner than we can deliver; the earliest possible date is 2025-07-02.");
	o->requested_delivery_date = "2025-07-02";
	run(o);
	EXPECT_NONE("V1");
	reset_policy();

	o = good();
	o->lines[1].delivery_date = "2025-02-30";
	run(o);
	EXPECT("V1", "lines[1].delivery_date", "bad_date",
	       "The delivery date of Line 2 (item 4006381333931) \"2025-02-30\" is not a valid date.");
	o = good();
	o->lines[0].ship_by_date = "2025-05-01";
	run(o);
	EXPECT("V1", "lines[0].ship_by_date", "date_in_past",
	       "The ship-by date of Line 1 (item AB-100) 2025-05-01 is in the past.");

	/* order date: at most max_order_age_days old, at most a day ahead */
	o = good();
	o->order_date = "2025-03-03";   /* 91 days */
	run(o);
	EXPECT("V1", "order_date", "order_too_old", "The order date 2025-03-03 is more than 90 days ago.");
	o->order_date = "2025-03-04";   /* 90 days */
	run(o);
	EXPECT_NONE("V1");
	o->order_date = "2025-06-03";   /* tomorrow: time zones */
	run(o);
	EXPECT_NONE("V1");
	o->order_date = "2025-06-04";
	run(o);
	EXPECT("V1", "order_date", "order_date_future", NULL);
	/* window earliest in the past is harmless: it only says "not before" */
	o = good();
	o->window_earliest = "2025-01-01";
	o->window_latest = "2025-08-01";
	run(o);
	EXPECT_NONE("V1");
	EXPECT_NONE("V2");

	/* V2 */
	o = good();
	o->window_earliest = "2025-08-01";
	o->window_latest = "2025-07-01";
	run(o);
	EXPECT("V2", "delivery_window.latest", "window_reversed",
	       "The delivery window ends (2025-07-01) before it starts (2025-08-01).");
	o = good();
	o->ship_by_date = "2025-07-20";
	run(o);
	EXPECT("V2", "ship_by_date", "ship_after_delivery",
	       "The ship-by date 2025-07-20 is after the date the goods are due to arrive (2025-07-15).");
	o->ship_by_date = "2025-07-10";
	run(o);
	EXPECT_NONE("V2");
	o = good();
	o->lines[0].ship_by_date = "2025-07-20";
	o->lines[0].delivery_date = "2025-07-18";
	run(o);
	EXPECT("V2", "lines[0].ship_by_date", "ship_after_delivery", NULL);
	o = good();
	o->order_date = "2025-06-02";
	o->lines[0].delivery_date = "2025-06-02";
	o->requested_delivery_date = "2025-06-10";
	run(o);
	EXPECT_NONE("V2");
}

static void test_v3_v4(void)
{
	struct order *o;
	reset_policy();
	static const struct { const char *q, *key; } qs[] = {
		{ "0", "quantity_not_positive" }, { "-1", "quantity_not_positive" },
		{ "0.000", "quantity_not_positive" }, { "abc", "bad_quantity" }, { "1,5", "bad_quantity" },
	};
	for (size_t i = 0; i < N(qs); i++) {
		o = good();
		o->lines[0].quantity = qs[i].q;
		o->lines[0].line_amount = NULL;
		o->declared_amount = NULL;
		run(o);
		EXPECT("V3", "lines[0].quantity", qs[i].key, NULL);
	}
	CHECK_STR(find("V3", NULL)->message, "Line 1 (item AB-100) has a quantity that is not a number: 1,5.");
	o = good();
	o->lines[0].quantity = "0.5";
	o->lines[0].line_amount = "1.25";
	o->declared_amount = "61.25";
	run(o);
	EXPECT_NONE("V3");
	EXPECT_NONE("V11");

	static const struct { const char *cur, *key, *msg; } cs[] = {
		{ "XYZ", "bad_currency", "XYZ is not a valid currency code." },
		{ "HRK", "currency_withdrawn", "The currency HRK has been withdrawn; it was replaced by EUR." },
		{ "XAU", "currency_not_trade", NULL },
		{ "RMB", "bad_currency", NULL },
	};
	for (size_t i = 0; i < N(cs); i++) {
		o = good();
		o->currency = cs[i].cur;
		run(o);
		EXPECT("V4", "currency", cs[i].key, cs[i].msg);
	}
	o = good();
	o->currency = "CNY";
	run(o);
	EXPECT_NONE("V4");
	static const char *const allowed[] = { "USD", "EUR" };
	pol.currencies = allowed;
	pol.n_currencies = 2;
	run(o);
	EXPECT("V4", "currency", "currency_not_allowed", "The currency CNY has not been agreed with this customer.");
	o->currency = "EUR";
	run(o);
	EXPECT_NONE("V4");
}

static void test_v7_v9_v10(void)
{
	struct order *o;
	reset_policy();

	o = good();
	o->parties[ROLE_SHIP_TO]->country = "USA";
	run(o);
	EXPECT("V7", "parties.ship_to.address.country", "country_alpha3",
	       "The delivery address uses the three-letter country code USA; the two-letter code is US.");
	o->parties[ROLE_SHIP_TO]->country = "XX";
	run(o);
	EXPECT("V7", "parties.ship_to.address.country", "bad_country",
	       "The delivery address has an unknown country code: XX.");
	o->parties[ROLE_SHIP_TO]->country = "us";
	run(o);
	EXPECT_NONE("V7");
	o = good();
	o->parties[ROLE_BUYER]->country = "UK";
	run(o);
	EXPECT("V7", "parties.buyer.address.country", "bad_country", NULL);

	/* V9: sea-only terms with road or air transport */
	o = good();
	o->transport_mode = "4";
	run(o);
	EXPECT("V9", "transport_mode", "sea_term_wrong_mode",
	       "The delivery term FOB is only for sea and inland waterway transport, but the order asks for air transport; FCA, CPT or CIP would fit.");
	o->transport_mode = "3";
	o->incoterms_code = "CFR";
	o->port_of_discharge = "USLGB";
	run(o);
	EXPECT("V9", "transport_mode", "sea_term_wrong_mode", NULL);
	o->transport_mode = "8";   /* inland waterway is fine */
	run(o);
	EXPECT_NONE("V9");
	o->incoterms_code = "FCA";
	o->transport_mode = "4";
	run(o);
	EXPECT_NONE("V9");
	o->transport_mode = "12";
	run(o);
	EXPECT("V9", "transport_mode", "bad_transport_mode", NULL);

	/* V10 */
	o = good();
	o->lines[0].unit_price = "-2.50";
	o->lines[0].line_amount = NULL;
	o->declared_amount = NULL;
	run(o);
	EXPECT("V10", "lines[0].unit_price", "negative_price", "Line 1 (item AB-100) has a negative price: -2.50.");
	o->lines[0].unit_price = "2.5O";
	run(o);
	EXPECT("V10", "lines[0].unit_price", "bad_price", NULL);
	o->lines[0].unit_price = "0";
	run(o);
	EXPECT_NONE("V10");
	o->lines[0].unit_price = "2.50";
	o->lines[0].price_basis_quantity = "0";
	run(o);
	EXPECT("V10", "lines[0].unit_price", "bad_price_basis", NULL);
}

static void test_v11(void)
{
	struct order *o;
	reset_policy();

	/* price per 100: 250 x 12.00 / 100 = 30.00 */
	o = good();
	struct order_line *l = &o->lines[0];
	l->quantity = "250";
	l->unit_price = "12.00";
	l->price_basis_quantity = "100";
	l->line_amount = "30.00";
	o->declared_amount = "90";
	run(o);
	EXPECT_NONE("V11");
	l->line_amount = "30.01";   /* within 0.01 */
	o->declared_amount = "90.01";
	run(o);
	EXPECT_NONE("V11");
	l->line_amount = "30.02";
	o->declared_amount = "90.02";
	CHECK_INT(run(o), VALIDATE_COMPLETE);
	EXPECT("V11", "lines[0].line_amount", "line_amount_mismatch",
	       "Line 1 (item AB-100) has an amount of 30.02, but quantity times price gives 30.00.");
	pol.amount_tolerance = "0.05";
	run(o);
	EXPECT_NONE("V11");
	reset_policy();
	/* without the basis the amount would be 3000 */
	l->price_basis_quantity = NULL;
	l->line_amount = "30.00";
	o->declared_amount = "90.00";
	run(o);
	EXPECT("V11", "lines[0].line_amount", "line_amount_mismatch", NULL);

	/* 3 x 0.3333 = 0.9999, an amount of 1.00 is within tolerance */
	o = good();
	o->lines[0].quantity = "3";
	o->lines[0].unit_price = "0.3333";
	o->lines[0].line_amount = "1.00";
	o->declared_amount = "61.00";
	run(o);
	EXPECT_NONE("V11");

	/* sum of lines vs declared total; a line without amount is computed */
	o = good();
	o->declared_amount = "86.00";
	run(o);
	EXPECT("V11", "totals.declared_amount", "total_mismatch",
	       "The order total is 86.00, but the lines add up to 85.00.");
	o->lines[1].line_amount = NULL;    /* 5 x 12 = 60 computed */
	o->declared_amount = "85";
	run(o);
	EXPECT_NONE("V11");
	o->declared_amount = "eighty-five";
	run(o);
	EXPECT("V11", "totals.declared_amount", "bad_total", NULL);
	o->declared_amount = "85";
	o->lines[1].line_amount = "6O";
	run(o);
	EXPECT("V11", "lines[1].line_amount", "bad_line_amount", NULL);
}

static void test_v13_v14_v16_v17(void)
{
	struct order *o;
	reset_policy();

	o = good();
	o->lines[1].gtin = "4006381333932";
	run(o);
	EXPECT("V13", "lines[1].gtin", "bad_gtin",
	       "Line 2 (item 4006381333932) has a barcode (GTIN) 4006381333932 with a wrong check digit.");
	o->lines[1].gtin = "04006381333931";   /* 14 digits, valid */
	run(o);
	EXPECT_NONE("V13");
	o = good();
	party_add_id(o, o->parties[ROLE_SHIP_TO], "GLN", "5412345000014");
	run(o);
	EXPECT("V13", "parties.ship_to.ids[0].value", "bad_gln",
	       "The delivery party has a location number (GLN) 5412345000014 with a wrong check digit.");

	o = good();
	o->lines[1].line_no = "1";
	struct order_line *l = order_add_line(o);
	*l = o->lines[0];
	l->line_no = "1";
	o->declared_amount = "110";
	run(o);
	CHECK_INT(count("V14"), 2);
	EXPECT_NONE("C5");
	CHECK_STR(find("V14", "lines[1].line_no")->message, "Line number 1 appears more than once.");
	CHECK(find("V14", "lines[2].line_no") != NULL);
	CHECK(find("V14", "lines[0].line_no") == NULL);

	o = good();
	o->is_test = true;
	run(o);
	EXPECT("V16", "source", "test_order", NULL);
	o = good();
	o->is_duplicate_flag = true;
	run(o);
	EXPECT("V17", "is_duplicate_flag", "non_binding", NULL);
}

static void test_policy_and_status(void)
{
	struct order *o;
	const char *err = NULL;
	reset_policy();

	CHECK(validate_policy_blocks(&pol, "C1"));
	CHECK(validate_policy_blocks(&pol, "C12"));
	CHECK(!validate_policy_blocks(&pol, "C4"));
	CHECK(!validate_policy_blocks(&pol, "V4"));
	CHECK(!validate_policy_blocks(&pol, "X9"));
	CHECK(!validate_policy_blocks(&pol, NULL));

	/* C14 made blocking, C1 made a warning; V4 blocking gives "invalid" */
	CHECK_INT(validate_policy_set_blocking(&pol, "C14, V4 V11", &err), 0);
	o = good();
	o->parties[ROLE_BUYER]->contact_email = NULL;
	CHECK_INT(run(o), VALIDATE_INCOMPLETE);
	CHECK(find("C14", NULL)->severity == PROBLEM_BLOCKING);
	o = good();
	o->parties[ROLE_BUYER] = NULL;   /* C1 and C14 fail; C1 only warns now */
	run(o);
	CHECK(find("C1", NULL)->severity == PROBLEM_WARNING);
	CHECK_INT(ps.status, VALIDATE_INCOMPLETE);
	o = good();
	o->currency = "XYZ";
	CHECK_INT(run(o), VALIDATE_INVALID);
	CHECK_STR(validate_status_name(ps.status), "invalid");
	o->parties[ROLE_BUYER]->contact_phone = NULL;
	o->parties[ROLE_BUYER]->contact_email = NULL;
	CHECK_INT(run(o), VALIDATE_INVALID);   /* invalid wins over incomplete */

	CHECK_INT(validate_policy_set_blocking(&pol, "C15", &err), -1);
	CHECK(err != NULL);
	CHECK_INT(validate_policy_set_blocking(&pol, "C1 X1", &err), -1);
	CHECK_INT(validate_policy_set_blocking(&pol, "V0", &err), -1);
	CHECK_INT(validate_policy_set_blocking(&pol, "C01", &err), -1);
	CHECK(validate_policy_blocks(&pol, "V4"));   /* unchanged by the failures */
	CHECK_INT(validate_policy_set_blocking(&pol, "", &err), 0);
	o = good();
	o->parties[ROLE_BUYER] = NULL;
	CHECK_INT(run(o), VALIDATE_COMPLETE);       /* nothing blocks */
	CHECK(ps.n > 0);

	/* V5 from the pipeline: same shape, counts towards the status */
	reset_policy();
	CHECK_INT(validate_policy_set_blocking(&pol, VALIDATE_DEFAULT_BLOCKING " V5", &err), 0);
	CHECK_INT(run(good()), VALIDATE_COMPLETE);
	struct problem_args a = { .value = "PO-1001" };
	problems_add(&ps, "V5", validate_policy_blocks(&pol, "V5") ? PROBLEM_BLOCKING : PROBLEM_WARNING,
		     "po_number", "duplicate_po", &a);
	CHECK_INT(ps.status, VALIDATE_INVALID);
	EXPECT("V5", "po_number", "duplicate_po", "An order with the number PO-1001 from this customer already exists.");
	/* an ad-hoc key: the value is the message */
	struct problem_args b = { .value = "Customer is on credit hold." };
	problems_add(&ps, "X1", PROBLEM_WARNING, "", "credit_hold", &b);
	CHECK_STR(find("X1", NULL)->message, "Customer is on credit hold.");

	/* an unusable policy */
	reset_policy();
	pol.today = "2025-6-2";
	CHECK_INT(run(good()), -1);
	pol.today = NULL;
	CHECK_INT(run(good()), -1);
	reset_policy();
	pol.amount_tolerance = "-1";
	CHECK_INT(run(good()), -1);
}

static void test_json_and_locales(void)
{
	reset_policy();
	struct order *o = good();
	o->lines[1].quantity = NULL;
	o->lines[1].line_amount = NULL;
	o->declared_amount = NULL;
	o->requested_delivery_date = NULL;
	o->parties[ROLE_BUYER]->contact_email = NULL;
	CHECK_INT(run(o), VALIDATE_INCOMPLETE);
	struct buf b;
	buf_init(&b, 1 << 16);
	CHECK_INT(problems_to_json(&ps, "en", &b), 0);
	CHECK_STR(b.data,
		  "[{\"check\":\"C5\",\"field\":\"lines[1].quantity\",\"severity\":\"blocking\","
		  "\"key\":\"missing_quantity\",\"message\":\"Line 2 (item 4006381333931) has no quantity.\"},"
		  "{\"check\":\"C7\",\"field\":\"requested_delivery_date\",\"severity\":\"blocking\","
		  "\"key\":\"missing_delivery_date\",\"message\":\"The order has no delivery date or ship date.\"},"
		  "{\"check\":\"C14\",\"field\":\"parties.buyer.contact\",\"severity\":\"warning\","
		  "\"key\":\"missing_contact\",\"message\":\"The order names no contact person with an e-mail address or phone number.\"}]");
	buf_reset(&b);
	CHECK_INT(problems_to_json(&ps, "zh-Hans", &b), 0);
	CHECK(strstr(b.data, "\"message\":\"第 2 行（物料 4006381333931）没有数量。\"") != NULL);
	buf_reset(&b);
	CHECK_INT(problems_to_json(&ps, "zh-TW", &b), 0);
	CHECK(strstr(b.data, "\"message\":\"第 2 行（料號 4006381333931）沒有數量。\"") != NULL);
	CHECK(strstr(b.data, "訂單沒有交貨日期或出貨日期。") != NULL);

	buf_reset(&b);
	CHECK_INT(problem_render(&ps.items[0], "zh-Hant", &b), 0);
	CHECK_STR(b.data, "第 2 行（料號 4006381333931）沒有數量。");
	buf_free(&b);

	CHECK_STR(validate_message("missing_quantity", "en"), "{line} has no quantity.");
	CHECK_STR(validate_message("missing_quantity", "zh-Hans"), "{line}没有数量。");
	CHECK_STR(validate_message("missing_quantity", "zh-CN"), "{line}没有数量。");
	CHECK_STR(validate_message("missing_quantity", "zh-HK"), "{line}沒有數量。");
	CHECK_STR(validate_message("missing_quantity", "de"), "{line} has no quantity.");
	CHECK_STR(validate_message("missing_quantity", NULL), "{line} has no quantity.");
	CHECK(validate_message("no_such_key", "en") == NULL);

	/* every key the checks use has all three sentences (and the table is
	 * sorted, or bsearch would miss some) */
	static const char *const keys[] = {
		"bad_country", "bad_currency", "bad_date", "bad_gln", "bad_gtin", "bad_line_amount",
		"bad_price", "bad_price_basis", "bad_quantity", "bad_total", "bad_transport_mode",
		"country_alpha3", "currency_not_allowed", "currency_not_trade", "currency_withdrawn",
		"customer_not_identified", "date_in_past", "date_too_soon", "delivery_before_order",
		"duplicate_line_no", "duplicate_po", "line_amount_mismatch", "line_label",
		"line_label_item", "line_missing_delivery_date", "missing_bill_to", "missing_buyer",
		"missing_contact", "missing_currency", "missing_delivery_date", "missing_incoterms",
		"missing_incoterms_place", "missing_item_id", "missing_order_date",
		"missing_payment_terms", "missing_po_number", "missing_port_of_discharge",
		"missing_port_of_loading", "missing_price", "missing_quantity",
		"missing_ship_to", "missing_ship_to_country", "missing_unit", "mode_air", "mode_road",
		"negative_price", "no_lines", "non_binding", "obsolete_incoterms", "order_date_future",
		"order_too_old", "quantity_not_positive", "sea_term_wrong_mode", "ship_after_delivery",
		"ship_to_missing_city", "ship_to_missing_name", "ship_to_missing_postal_code",
		"ship_to_missing_street", "subj_addr_bill_to", "subj_addr_buyer", "subj_addr_seller",
		"subj_addr_ship_to", "subj_line_delivery_date", "subj_line_ship_by_date",
		"subj_order_date", "subj_party_bill_to", "subj_party_buyer", "subj_party_seller",
		"subj_party_ship_to", "subj_requested_delivery_date", "subj_ship_by_date",
		"subj_window_earliest", "subj_window_latest", "test_order", "total_mismatch",
		"unknown_buyer_id", "unknown_incoterms", "unknown_unit", "window_reversed",
	};
	static const char *const locs[] = { "en", "zh-Hans", "zh-Hant" };
	size_t missing = 0;
	for (size_t i = 0; i < N(keys); i++)
		for (size_t k = 0; k < N(locs); k++) {
			const char *m = validate_message(keys[i], locs[k]);
			if (m == NULL || *m == '\0' || (k > 0 && m == validate_message(keys[i], "en"))) {
				fprintf(stderr, "  no %s sentence for %s\n", locs[k], keys[i]);
				missing++;
			}
		}
	CHECK_INT(missing, 0);
	CHECK_INT(N(keys), 79);
}

/* A big order validates in linear-ish time and the problems list stays
 * bounded. */
static void test_large(void)
{
	reset_policy();
	struct order *o = good();
	o->declared_amount = NULL;
	const size_t n = 100000 - 2;
	for (size_t i = 0; i < n; i++) {
		struct order_line *l = order_add_line(o);
		CHECK(l != NULL);
		if (l == NULL)
			return;
		l->line_no = arena_printf(A, "%zu", i + 3);
		l->seller_item_id = "AB-100";
		l->quantity = "1";
		l->uom_code = "H87";
		l->unit_price = (i % 10 == 0) ? NULL : "1.00";   /* 10% of lines lack a price */
	}
	clock_t t0 = clock();
	CHECK_INT(run(o), VALIDATE_COMPLETE);   /* C10 only warns */
	double ms = (double)(clock() - t0) * 1000.0 / CLOCKS_PER_SEC;
	fprintf(stderr, "validate: %zu lines in %.1f ms, %zu problems kept, %zu dropped\n",
		o->n_lines, ms, ps.n, ps.dropped);
	CHECK_INT(ps.n, 1000);
	CHECK_INT(ps.n + ps.dropped, 10000);
	CHECK(ms < 2000.0);
}

int main(void)
{
	A = arena_new(256u * 1024 * 1024);
	problems_init(&ps);
	test_good();
	test_c1();
	test_c2_c3_c4();
	test_c5_c6();
	test_c7();
	test_c8_c9_c13();
	test_c10_c11_c12_c14();
	test_v1_v2();
	test_v3_v4();
	test_v7_v9_v10();
	test_v11();
	test_v13_v14_v16_v17();
	test_policy_and_status();
	test_json_and_locales();
	test_large();
	problems_free(&ps);
	arena_free(&A);
	return check_status();
}
