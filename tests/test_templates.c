/* test_templates.c — the view model, template lookup and the shipped
 * customer templates.
 *
 * One fixed order (two lines, built here in C) is rendered through every
 * message of every locale and compared with the golden file
 * tests/data/templates/LOCALE/NAME.txt ("Subject: ...", a blank line, the
 * text body).  With ORDERGW_UPDATE_GOLDEN=1 the golden files are written
 * instead; review every change by hand before committing it. */
#include "check.h"
#include "arena.h"
#include "message_view.h"
#include "order.h"
#include "readfile.h"
#include "templates.h"
#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *srcdir;

static struct order *fixed_order(struct arena *a)
{
	struct order *o = order_new(a);
	o->format = "email-text";
	o->po_number = "4500012345";
	o->order_date = "2027-01-05";
	o->partner_id = "hanseatic";
	o->currency = "USD";
	o->has_incoterms = true;
	o->incoterms_code = "FOB";
	o->incoterms_version = "2020";
	o->incoterms_place = "Shanghai";
	o->has_payment_terms = true;
	o->payment_terms_text = "30 days net from invoice date";
	o->payment_net_days = 30;
	o->requested_delivery_date = "2027-03-15";
	o->port_of_loading = "CNSHA";
	struct party *b = order_party(o, ROLE_BUYER);
	b->name = "Hanseatic Housewares GmbH";
	b->contact_name = "Anna Becker";
	b->contact_email = "a.becker@hanseatic.example";
	struct party *s = order_party(o, ROLE_SHIP_TO);
	s->name = "Hanseatic Housewares GmbH, Warehouse 3";
	party_add_address_line(o, s, "Lagerstraße 12");
	s->postal_code = "20457";
	s->city = "Hamburg";
	s->country = "DE";
	struct order_line *l = order_add_line(o);
	l->line_no = "10";
	l->seller_item_id = "MUG-350-BLK";
	l->buyer_item_id = "HH-88120";
	l->description = "Stoneware mug 350 ml, matt black";
	l->quantity = "2400";
	l->uom_code = "H87";
	l->uom_original = "PCS";
	l->unit_price = "1.85";
	l = order_add_line(o);
	l->line_no = "20";
	l->seller_item_id = "PLT-270-WHT";
	l->description = "Porcelain dinner plate 27 cm, white";
	l->quantity = "1200";
	l->uom_code = "H87";
	l->uom_original = "PCS";
	l->unit_price = "3.4";
	l->delivery_date = "2027-03-31";
	return o;
}

static const char problems_json[] =
	"[{\"check\":\"V1\",\"field\":\"requested_delivery_date\",\"key\":\"date_too_early\","
	"\"message\":\"The delivery date 15 March 2027 is earlier than our production lead time "
	"allows; the earliest possible date is 12 April 2027.\"},"
	"{\"check\":\"V8\",\"field\":\"lines[1].uom.original\",\"key\":\"unit_unknown\","
	"\"message\":\"We cannot tell whether the unit PCS means single plates or sets.\"},"
	"{\"check\":\"C13\",\"field\":\"port_of_discharge\",\"key\":\"port_missing\","
	"\"message\":\"The order names no port of discharge, which FOB shipments need.\"},"
	"{\"check\":\"N1\",\"field\":\"notes[0]\",\"key\":\"attachment_missing\","
	"\"message\":\"The order refers to a packing drawing that was not attached.\"}]";

static const struct { const char *locale, *reason; } locales[] = {
	{ "en", "The prices are from our 2025 price list, which expired on 31 December 2026." },
	{ "zh-Hans", "订单中的价格来自我司2025年价目表，该价目表已于2026年12月31日失效。" },
	{ "zh-Hant", "訂單中的價格來自我司2025年價目表，該價目表已於2026年12月31日失效。" },
};

static const char *const names[] = {
	"clarification", "receipt", "confirmation", "rejection", "duplicate",
	"shipping", "feedback",
};

static json_object *fixed_view(struct order *o, const char *locale, const char *reason,
			       bool with_problems)
{
	struct message_view_info info = {
		.company_name = "Lotus Ceramics Co., Ltd.",
		.company_email = "orders@lotus-ceramics.example",
		.company_address = "No. 88 Jinhai Road, Pudong\nShanghai 201206\nChina",
		.company_phone = "+86 21 5555 0188",
		.company_website = "www.lotus-ceramics.example",
		.ref = "OG-7K3Q9",
		.partner_id = "hanseatic",
		.locale = locale,
		.reason = reason,
		.original_subject = "PO 4500012345",
		.original_message_id = "<po-4500012345@hanseatic.example>",
		.date = "2027-01-06",
		.previous_ref = "OG-4Q7PX",
		.previous_date = "2027-01-05",
		.tracking = "1Z999AA10123456784",
	};
	json_object *problems = with_problems ? json_tokener_parse(problems_json) : NULL;
	json_object *v = message_view_new(o, problems, &info);
	json_object_put(problems);
	return v;
}

static void test_golden(void)
{
	char shipped[1024];
	snprintf(shipped, sizeof(shipped), "%s/templates", srcdir);
	const char *dirs[] = { shipped, NULL };
	bool update = getenv("ORDERGW_UPDATE_GOLDEN") != NULL;
	for (size_t i = 0; i < sizeof(locales) / sizeof(locales[0]); i++) {
		for (size_t j = 0; j < sizeof(names) / sizeof(names[0]); j++) {
			struct arena *a = arena_new(1 << 20);
			struct order *o = fixed_order(a);
			bool problems = strcmp(names[j], "clarification") == 0 ||
				strcmp(names[j], "rejection") == 0;
			json_object *v = fixed_view(o, locales[i].locale,
						    strcmp(names[j], "rejection") == 0
						    ? locales[i].reason : NULL, problems);
			struct rendered r;
			const char *err = NULL;
			int ret = templates_render(dirs, locales[i].locale, names[j], v, &r, &err);
			CHECK_INT(ret, 0);
			if (ret < 0)
				fprintf(stderr, "%s/%s: %s\n", locales[i].locale, names[j], err);
			char path[1200];
			snprintf(path, sizeof(path), "%s/tests/data/templates/%s/%s.txt", srcdir,
				 locales[i].locale, names[j]);
			struct buf got;
			buf_init(&got, 1 << 20);
			if (ret == 0)
				buf_printf(&got, "Subject: %s\n\n%s", r.subject, r.text);
			CHECK(ret != 0 || strstr(r.text, "{{") == NULL);
			CHECK(ret != 0 || strstr(r.text, "}}") == NULL);
			if (update && ret == 0) {
				FILE *f = fopen(path, "w");
				CHECK(f != NULL);
				if (f != NULL) {
					fwrite(got.data, 1, got.len, f);
					fclose(f);
				}
			} else {
				unsigned char *want = NULL;
				size_t len = 0;
				CHECK_INT(read_file(path, 1 << 20, &want, &len), 0);
				check_count++;
				if (want == NULL || got.data == NULL || strcmp((char *)want, got.data) != 0) {
					check_failures++;
					fprintf(stderr, "golden %s differs; got:\n%s\n", path,
						got.data ? got.data : "(nothing)");
				}
				free(want);
			}
			buf_free(&got);
			templates_rendered_free(&r);
			json_object_put(v);
			arena_free(&a);
		}
	}
}

static const char *vget(json_object *v, const char *path)
{
	json_object *x = v;
	char key[64];
	while (*path) {
		size_t k = strcspn(path, ".");
		snprintf(key, sizeof(key), "%.*s", (int)k, path);
		if (key[0] >= '0' && key[0] <= '9')
			x = json_object_array_get_idx(x, (size_t)strtoul(key, NULL, 10));
		else if (!json_object_object_get_ex(x, key, &x))
			return "(absent)";
		path += k + (path[k] == '.');
	}
	return x ? json_object_get_string(x) : "(null)";
}

static void test_view(void)
{
	char tmp[64];
	CHECK_STR(message_view_date("en", "2027-01-20", tmp, sizeof(tmp)), "20 January 2027");
	CHECK_STR(message_view_date("zh-Hans", "2027-01-20", tmp, sizeof(tmp)), "2027年1月20日");
	CHECK_STR(message_view_date("zh-Hant", "2027-12-05", tmp, sizeof(tmp)), "2027年12月5日");
	CHECK_STR(message_view_date("en", "2027-13-01", tmp, sizeof(tmp)), "2027-13-01");
	CHECK_STR(message_view_date("en", "tomorrow", tmp, sizeof(tmp)), "tomorrow");
	static const struct { const char *in; int min; const char *out; } decs[] = {
		{ "1234567.5", 2, "1,234,567.50" }, { "-1000", 2, "-1,000.00" },
		{ "0.12345", 2, "0.12345" }, { "3.1000", 2, "3.10" }, { "2400.000", 0, "2,400" },
		{ "999", 0, "999" }, { "12,5", 2, "12,5" },
	};
	for (size_t i = 0; i < sizeof(decs) / sizeof(decs[0]); i++)
		CHECK_STR(message_view_decimal(decs[i].in, decs[i].min, tmp, sizeof(tmp)), decs[i].out);

	struct arena *a = arena_new(1 << 20);
	struct order *o = fixed_order(a);
	json_object *v = fixed_view(o, "zh-Hans", NULL, true);
	CHECK(v != NULL);
	CHECK_STR(vget(v, "ref"), "OG-7K3Q9");
	CHECK_STR(vget(v, "order.po_number"), "4500012345");
	CHECK_STR(vget(v, "lines.1.position"), "2");
	CHECK_STR(vget(v, "lines.1.label"), "20");
	CHECK_STR(vget(v, "lines.0.amount"), "4440");
	CHECK_STR(vget(v, "lines.0.amount_display"), "4,440.00");
	CHECK_STR(vget(v, "lines.1.unit_price_display"), "3.40");
	CHECK_STR(vget(v, "lines.1.delivery_date_display"), "2027年3月31日");
	CHECK_STR(vget(v, "totals.total_amount_display"), "8,520.00");
	CHECK_STR(vget(v, "totals.total_quantity_display"), "3,600");
	CHECK_STR(vget(v, "totals.unit"), "PCS");
	CHECK_STR(vget(v, "display.order_date"), "2027年1月5日");
	CHECK_STR(vget(v, "display.incoterms"), "FOB Shanghai");
	CHECK_STR(vget(v, "greeting_name"), "Anna Becker");
	CHECK_STR(vget(v, "has_problems"), "true");
	CHECK_STR(vget(v, "problems.0.kind"), "delivery_date");
	CHECK_STR(vget(v, "problems.0.value"), "2027-03-15");
	CHECK_STR(vget(v, "problems.0.invalid"), "true");
	CHECK_STR(vget(v, "problems.1.kind"), "unit");
	CHECK_STR(vget(v, "problems.1.value"), "PCS");
	CHECK_STR(vget(v, "problems.1.line.label"), "20");
	CHECK_STR(vget(v, "problems.2.kind"), "port_of_discharge");
	CHECK_STR(vget(v, "problems.2.missing"), "true");
	CHECK_STR(vget(v, "problems.2.value"), "(null)");
	CHECK_STR(vget(v, "problems.3.kind"), "other");
	CHECK_STR(vget(v, "problems.3.known"), "false");
	CHECK_STR(vget(v, "ship_to.address_lines.1"), "Lagerstraße 12");
	CHECK_STR(vget(v, "ship_to.address_lines.2"), "20457 Hamburg");
	json_object_put(v);
	arena_free(&a);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	CHECK(f != NULL);
	if (f != NULL) {
		fputs(text, f);
		fclose(f);
	}
}

static void test_lookup_and_check(void)
{
	char shipped[1024], over[] = "/tmp/test_templates.XXXXXX", p[1200];
	snprintf(shipped, sizeof(shipped), "%s/templates", srcdir);
	struct diags d;
	diags_init(&d);
	CHECK_INT(templates_check_dir(shipped, &d), 0);
	for (size_t i = 0; i < d.n; i++)
		fprintf(stderr, "%s: %s\n", d.items[i].where, d.items[i].message);
	diags_clear(&d);

	CHECK(mkdtemp(over) != NULL);
	snprintf(p, sizeof(p), "%s/en", over);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/en/partials", over);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/en/receipt.subject.mustache", over);
	write_file(p, "Got it: {{order.po_number}}\r\nBcc: evil@example.com\n");
	snprintf(p, sizeof(p), "%s/en/broken.txt.mustache", over);
	write_file(p, "Hello\n{{#lines}}\n  {{item}\n{{/lines}}\n");
	snprintf(p, sizeof(p), "%s/en/partials/bad.mustache", over);
	write_file(p, "{{/x}}");

	CHECK_INT(templates_check_dir(over, &d), 2);
	CHECK_INT(d.n, 2);
	if (d.n == 2) {
		char want[1300];
		snprintf(want, sizeof(want), "%s/en/broken.txt.mustache:3:3", over);
		CHECK_STR(d.items[0].where, want);
		CHECK_STR(d.items[0].message, "tag is not closed: expected \"}}\" before the next \"{{\"");
		snprintf(want, sizeof(want), "%s/en/partials/bad.mustache:1:1", over);
		CHECK_STR(d.items[1].where, want);
	}
	diags_free(&d);

	/* Override first, then shipped; unknown locale falls back to en; the
	 * subject stays one line. */
	struct arena *a = arena_new(1 << 20);
	struct order *o = fixed_order(a);
	json_object *v = fixed_view(o, "fr", NULL, false);
	const char *dirs[] = { over, shipped, NULL };
	struct rendered r;
	const char *err = NULL;
	CHECK_INT(templates_render(dirs, "fr", "receipt", v, &r, &err), 0);
	CHECK_STR(r.subject, "Got it: 4500012345 Bcc: evil@example.com");
	CHECK(r.text != NULL && strncmp(r.text, "Dear Anna Becker,\n", 18) == 0);
	CHECK(r.html == NULL);
	templates_rendered_free(&r);
	CHECK_INT(templates_render(dirs, "zh-Hant", "confirmation", v, &r, &err), 0);
	CHECK(r.subject != NULL && strstr(r.subject, "訂單確認書") != NULL);
	templates_rendered_free(&r);
	CHECK_INT(templates_render(dirs, "en", "nosuch", v, &r, &err), -1);
	CHECK(err != NULL && strstr(err, "no template nosuch.subject.mustache for locale en") != NULL);
	CHECK_INT(templates_render(dirs, "../etc", "receipt", v, &r, &err), -1);
	CHECK_STR(err, "bad locale \"../etc\"");
	CHECK_INT(templates_render(dirs, "en", "broken", v, &r, &err), -1);
	json_object_put(v);
	arena_free(&a);

	snprintf(p, sizeof(p), "rm -rf '%s'", over);
	CHECK_INT(system(p), 0);
}

int main(void)
{
	srcdir = getenv("ORDERGW_SRCDIR");
	if (srcdir == NULL)
		srcdir = ".";
	test_view();
	test_golden();
	test_lookup_and_check();
	return check_status();
}
