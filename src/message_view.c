/* message_view.c — build the json-c view the customer templates render.
 *
 * The order goes in as the ORDER JSON of interfaces.md (order_to_json, read
 * back with json_tokener) under "order", so a template can reach every
 * field; next to it come what templates need but cannot compute: 1-based
 * positions, line amounts, totals, each problem explained by kind with the
 * value at fault, and display forms of dates and amounts in the message's
 * locale.  The view owns everything in it; the order and the problems are
 * only read.  Fails (NULL) only when the order's JSON is over its limit. */
#include "message_view.h"
#include "decimal.h"
#include "limits.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const month_en[12] = {
	"January", "February", "March", "April", "May", "June", "July",
	"August", "September", "October", "November", "December",
};

static bool is_zh(const char *locale)
{
	return locale != NULL && strncmp(locale, "zh", 2) == 0;
}

char *message_view_date(const char *locale, const char *ymd, char *out, size_t n)
{
	int y = 0, m = 0, d = 0;
	bool ok = ymd != NULL && strlen(ymd) == 10 && ymd[4] == '-' && ymd[7] == '-';
	for (int i = 0; ok && i < 10; i++) {
		if (i == 4 || i == 7)
			continue;
		if (ymd[i] < '0' || ymd[i] > '9')
			ok = false;
		else if (i < 4)
			y = y * 10 + (ymd[i] - '0');
		else if (i < 7)
			m = m * 10 + (ymd[i] - '0');
		else
			d = d * 10 + (ymd[i] - '0');
	}
	if (!ok || m < 1 || m > 12 || d < 1 || d > 31)
		snprintf(out, n, "%s", ymd ? ymd : "");
	else if (is_zh(locale))
		snprintf(out, n, "%d年%d月%d日", y, m, d);
	else
		snprintf(out, n, "%d %s %d", d, month_en[m - 1], y);
	return out;
}

char *message_view_decimal(const char *s, int min_decimals, char *out, size_t n)
{
	struct dec v;
	char plain[DEC_STRLEN];
	if (s == NULL || dec_parse(s, &v) < 0) {
		snprintf(out, n, "%s", s ? s : "");
		return out;
	}
	v = dec_trim(v);
	if (v.scale < min_decimals && dec_round(v, min_decimals, &v) < 0) {
		snprintf(out, n, "%s", s);
		return out;
	}
	dec_format(v, plain);
	const char *p = plain, *dot = strchr(plain, '.');
	size_t digits = dot ? (size_t)(dot - plain) : strlen(plain), k = 0;
	if (*p == '-') {
		p++;
		digits--;
	}
	char grouped[DEC_STRLEN * 2];
	if (p != plain)
		grouped[k++] = '-';
	for (size_t i = 0; i < digits; i++) {
		if (i > 0 && (digits - i) % 3 == 0)
			grouped[k++] = ',';
		grouped[k++] = p[i];
	}
	grouped[k] = '\0';
	snprintf(out, n, "%s%s", grouped, dot ? dot : "");
	return out;
}

/* ---- small builders ---------------------------------------------------- */

static void put_str(json_object *o, const char *k, const char *v)
{
	json_object_object_add(o, k, v ? json_object_new_string(v) : NULL);
}

static void put_date(json_object *o, const char *k, const char *locale, const char *ymd)
{
	char tmp[64];
	put_str(o, k, ymd ? message_view_date(locale, ymd, tmp, sizeof(tmp)) : NULL);
}

static void put_dec(json_object *o, const char *k, const char *v, int min_decimals)
{
	char tmp[DEC_STRLEN * 2];
	put_str(o, k, v ? message_view_decimal(v, min_decimals, tmp, sizeof(tmp)) : NULL);
}

/* An amount for display: rounded to 2 places, grouped. */
static void put_amount(json_object *o, const char *k, const char *v)
{
	struct dec d;
	char tmp[DEC_STRLEN];
	if (v != NULL && dec_parse(v, &d) == 0 && dec_round(d, 2, &d) == 0)
		v = dec_format(d, tmp);
	put_dec(o, k, v, 2);
}

/* "a\nb\n" -> ["a", "b"] (empty lines dropped). */
static json_object *split_lines(const char *s)
{
	json_object *a = json_object_new_array();
	while (s != NULL && *s != '\0') {
		const char *nl = strchr(s, '\n');
		size_t len = nl ? (size_t)(nl - s) : strlen(s);
		if (len > 0 && s[len - 1] == '\r')
			len--;
		if (len > 0)
			json_object_array_add(a, json_object_new_string_len(s, (int)len));
		s = nl ? nl + 1 : NULL;
	}
	return a;
}

/* A party as a block of address lines, for the letter. */
static json_object *party_view(const struct party *p)
{
	if (p == NULL)
		return NULL;
	json_object *v = json_object_new_object(), *lines = json_object_new_array();
	char tmp[2 * OG_MAX_FIELD_BYTES + 8];
	put_str(v, "name", p->name);
	if (p->name)
		json_object_array_add(lines, json_object_new_string(p->name));
	for (size_t i = 0; i < p->n_address_lines; i++)
		json_object_array_add(lines, json_object_new_string(p->address_lines[i]));
	if (p->postal_code || p->city) {
		snprintf(tmp, sizeof(tmp), "%s%s%s", p->postal_code ? p->postal_code : "",
			 p->postal_code && p->city ? " " : "", p->city ? p->city : "");
		json_object_array_add(lines, json_object_new_string(tmp));
	}
	if (p->region)
		json_object_array_add(lines, json_object_new_string(p->region));
	if (p->country)
		json_object_array_add(lines, json_object_new_string(p->country));
	json_object_object_add(v, "address_lines", lines);
	put_str(v, "country", p->country);
	put_str(v, "contact_name", p->contact_name);
	put_str(v, "contact_email", p->contact_email);
	put_str(v, "contact_phone", p->contact_phone);
	return v;
}

static json_object *line_view(struct order *o, size_t i, const char *locale)
{
	const struct order_line *l = &o->lines[i];
	json_object *v = json_object_new_object();
	json_object_object_add(v, "position", json_object_new_int64((int64_t)i + 1));
	put_str(v, "line_no", l->line_no);
	/* The customer's line number when they gave one, else our position. */
	char pos[32];
	snprintf(pos, sizeof(pos), "%zu", i + 1);
	put_str(v, "label", l->line_no ? l->line_no : pos);
	const char *item = l->seller_item_id ? l->seller_item_id
		: l->buyer_item_id ? l->buyer_item_id
		: l->gtin ? l->gtin : l->manufacturer_part_no;
	put_str(v, "item", item);
	put_str(v, "seller_item_id", l->seller_item_id);
	put_str(v, "buyer_item_id", l->buyer_item_id);
	put_str(v, "gtin", l->gtin);
	put_str(v, "description", l->description);
	put_str(v, "quantity", l->quantity);
	put_dec(v, "quantity_display", l->quantity, 0);
	put_str(v, "unit", l->uom_original ? l->uom_original : l->uom_code);
	put_str(v, "unit_code", l->uom_code);
	put_str(v, "unit_price", l->unit_price);
	put_dec(v, "unit_price_display", l->unit_price, 2);
	put_str(v, "price_basis_quantity", l->price_basis_quantity);
	const char *amount = order_line_amount(o, l);
	put_str(v, "amount", amount);
	put_amount(v, "amount_display", amount);
	put_str(v, "delivery_date", l->delivery_date);
	put_date(v, "delivery_date_display", locale, l->delivery_date);
	put_str(v, "hs_code", l->hs_code);
	return v;
}

/* ---- problems ---------------------------------------------------------- */

/* Problem kinds (templates/README.md): by the field first, else by check. */
static const struct { const char *prefix, *kind; } field_kinds[] = {
	{ "parties.ship_to.address.country", "ship_to_country" },
	{ "parties.ship_to", "ship_to" },
	{ "parties.bill_to", "bill_to" },
	{ "parties.buyer.contact", "contact" },
	{ "parties.buyer", "customer" },
	{ "requested_delivery_date", "delivery_date" },
	{ "delivery_window", "delivery_date" },
	{ "ship_by_date", "delivery_date" },
	{ "currency", "currency" },
	{ "incoterms", "incoterms" },
	{ "payment_terms", "payment_terms" },
	{ "po_number", "po_number" },
	{ "order_date", "order_date" },
	{ "port_of_loading", "port_of_loading" },
	{ "port_of_discharge", "port_of_discharge" },
	{ "totals", "amount" },
	/* after "lines[N]." */
	{ "quantity", "quantity" },
	{ "uom", "unit" },
	{ "unit_price", "unit_price" },
	{ "price_basis", "unit_price" },
	{ "line_amount", "amount" },
	{ "delivery_date", "delivery_date" },
	{ "ship_by_date", "delivery_date" },
	{ "buyer_item_id", "item" },
	{ "seller_item_id", "item" },
	{ "gtin", "item" },
	{ "manufacturer_part_no", "item" },
	{ "description", "item" },
};
#define N_HEADER_KINDS 16

static const struct { const char *check, *kind; } check_kinds[] = {
	{ "C1", "customer" }, { "C2", "ship_to" }, { "C3", "ship_to_country" },
	{ "C4", "bill_to" }, { "C5", "quantity" }, { "C6", "item" },
	{ "C7", "delivery_date" }, { "C8", "currency" }, { "C9", "incoterms" },
	{ "C10", "unit_price" }, { "C11", "payment_terms" }, { "C12", "po_number" },
	{ "C13", "port_of_loading" }, { "C14", "contact" }, { "V1", "delivery_date" },
	{ "V2", "delivery_date" }, { "V3", "quantity" }, { "V4", "currency" },
	{ "V7", "ship_to_country" }, { "V8", "unit" }, { "V9", "incoterms" },
	{ "V10", "unit_price" }, { "V11", "amount" },
};

static bool has_prefix(const char *s, const char *p)
{
	size_t n = strlen(p);
	return strncmp(s, p, n) == 0 && (s[n] == '\0' || s[n] == '.' || s[n] == '[');
}

/* Parse "lines[N]..." -> N and the rest after "]." ("" if none). */
static bool line_field(const char *field, size_t *index, const char **rest)
{
	if (strncmp(field, "lines[", 6) != 0)
		return false;
	const char *p = field + 6;
	size_t n = 0;
	if (*p < '0' || *p > '9')
		return false;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (n > (size_t)OG_MAX_LINES_PER_ORDER)
			return false;
		n = n * 10 + (size_t)(*p - '0');
	}
	if (*p != ']')
		return false;
	*index = n;
	*rest = p[1] == '.' ? p + 2 : p + 1;
	return true;
}

static const char *problem_kind(const char *check, const char *field)
{
	size_t idx;
	const char *rest;
	if (field != NULL && line_field(field, &idx, &rest)) {
		for (size_t i = N_HEADER_KINDS; i < sizeof(field_kinds) / sizeof(field_kinds[0]); i++)
			if (has_prefix(rest, field_kinds[i].prefix))
				return field_kinds[i].kind;
	} else if (field != NULL) {
		for (size_t i = 0; i < N_HEADER_KINDS; i++)
			if (has_prefix(field, field_kinds[i].prefix))
				return field_kinds[i].kind;
	}
	for (size_t i = 0; check && i < sizeof(check_kinds) / sizeof(check_kinds[0]); i++)
		if (strcmp(check, check_kinds[i].check) == 0)
			return check_kinds[i].kind;
	return "other";
}

/* The scalar at a path like "lines[1].uom.original" in the ORDER JSON, as
 * text; NULL when absent, null or not a scalar. */
static const char *value_at(json_object *order, const char *field)
{
	json_object *v = order;
	char key[128];
	const char *p = field;
	while (p != NULL && *p != '\0' && v != NULL) {
		size_t k = strcspn(p, ".[");
		if (k == 0 || k >= sizeof(key))
			return NULL;
		memcpy(key, p, k);
		key[k] = '\0';
		if (!json_object_object_get_ex(v, key, &v))
			return NULL;
		p += k;
		while (*p == '[') {
			char *end;
			unsigned long i = strtoul(p + 1, &end, 10);
			if (*end != ']' || json_object_get_type(v) != json_type_array ||
			    i >= json_object_array_length(v))
				return NULL;
			v = json_object_array_get_idx(v, i);
			p = end + 1;
		}
		if (*p == '.')
			p++;
		else if (*p != '\0')
			return NULL;
	}
	switch (json_object_get_type(v)) {
	case json_type_string:
	case json_type_int:
	case json_type_double:
		return json_object_get_string(v);
	default:
		return NULL;
	}
}

static json_object *problems_view(struct order *o, json_object *problems,
				   json_object *order, json_object *lines)
{
	json_object *out = json_object_new_array();
	size_t n = json_object_get_type(problems) == json_type_array
		? json_object_array_length(problems) : 0;
	for (size_t i = 0; i < n; i++) {
		json_object *p = json_object_array_get_idx(problems, i), *x;
		const char *check = NULL, *field = NULL, *key = NULL, *message = NULL;
		if (json_object_object_get_ex(p, "check", &x))
			check = json_object_get_string(x);
		if (json_object_object_get_ex(p, "field", &x))
			field = json_object_get_string(x);
		if (json_object_object_get_ex(p, "key", &x))
			key = json_object_get_string(x);
		if (json_object_object_get_ex(p, "message", &x))
			message = json_object_get_string(x);
		const char *kind = problem_kind(check, field);
		json_object *v = json_object_new_object(), *is = json_object_new_object();
		json_object_object_add(v, "number", json_object_new_int64((int64_t)i + 1));
		put_str(v, "check", check);
		put_str(v, "field", field);
		put_str(v, "key", key);
		put_str(v, "message", message);
		put_str(v, "kind", kind);
		json_object_object_add(is, kind, json_object_new_boolean(1));
		json_object_object_add(v, "is", is);
		json_object_object_add(v, "known", json_object_new_boolean(strcmp(kind, "other") != 0));
		json_object_object_add(v, "missing", json_object_new_boolean(check && check[0] == 'C'));
		json_object_object_add(v, "invalid", json_object_new_boolean(!(check && check[0] == 'C')));
		put_str(v, "value", field ? value_at(order, field) : NULL);
		size_t idx;
		const char *rest;
		json_object *line = NULL;
		if (field != NULL && line_field(field, &idx, &rest) && idx < o->n_lines)
			line = json_object_get(json_object_array_get_idx(lines, idx));
		json_object_object_add(v, "line", line);
		json_object_array_add(out, v);
	}
	return out;
}

/* ---- the view ---------------------------------------------------------- */

static json_object *company_view(const struct message_view_info *info)
{
	json_object *c = json_object_new_object();
	put_str(c, "name", info->company_name);
	put_str(c, "email", info->company_email);
	json_object_object_add(c, "address_lines", split_lines(info->company_address));
	put_str(c, "phone", info->company_phone);
	put_str(c, "website", info->company_website);
	return c;
}

static json_object *display_view(struct order *o, const char *locale, const char *date)
{
	json_object *d = json_object_new_object();
	char tmp[2 * OG_MAX_FIELD_BYTES + 8];
	put_date(d, "date", locale, date);
	put_date(d, "order_date", locale, o->order_date);
	put_date(d, "delivery_date", locale, o->requested_delivery_date);
	put_date(d, "delivery_earliest", locale, o->window_earliest);
	put_date(d, "delivery_latest", locale, o->window_latest);
	put_date(d, "ship_by_date", locale, o->ship_by_date);
	const char *inco = NULL;
	if (o->has_incoterms && o->incoterms_code) {
		snprintf(tmp, sizeof(tmp), "%s%s%s", o->incoterms_code,
			 o->incoterms_place ? " " : "", o->incoterms_place ? o->incoterms_place : "");
		inco = tmp;
	}
	put_str(d, "incoterms", inco);
	put_str(d, "incoterms_version", o->has_incoterms ? o->incoterms_version : NULL);
	put_str(d, "payment_terms", o->has_payment_terms ? o->payment_terms_text : NULL);
	json_object_object_add(d, "payment_net_days",
			       o->has_payment_terms && o->payment_net_days >= 0
			       ? json_object_new_int(o->payment_net_days) : NULL);
	return d;
}

static json_object *totals_view(struct order *o)
{
	json_object *t = json_object_new_object();
	json_object_object_add(t, "line_count", json_object_new_int64((int64_t)o->n_lines));
	const char *q = order_total_quantity(o), *a = order_total_amount(o);
	put_str(t, "total_quantity", q);
	put_dec(t, "total_quantity_display", q, 0);
	const struct order_line *l0 = o->n_lines ? &o->lines[0] : NULL;
	put_str(t, "unit", q && l0 ? (l0->uom_original ? l0->uom_original : l0->uom_code) : NULL);
	put_str(t, "total_amount", a);
	put_amount(t, "total_amount_display", a);
	put_str(t, "declared_amount", o->declared_amount);
	put_amount(t, "declared_amount_display", o->declared_amount);
	put_str(t, "currency", o->currency);
	return t;
}

json_object *message_view_new(struct order *o, json_object *problems,
			      const struct message_view_info *info)
{
	static const struct message_view_info none;
	struct buf b;
	json_object *view = NULL, *order = NULL;
	if (info == NULL)
		info = &none;
	const char *locale = info->locale ? info->locale : "en";
	char today[16];
	const char *date = info->date;
	if (date == NULL) {
		time_t now = time(NULL);
		struct tm tm;
		gmtime_r(&now, &tm);
		strftime(today, sizeof(today), "%Y-%m-%d", &tm);
		date = today;
	}

	buf_init(&b, OG_MAX_ORDER_BYTES_DEFAULT);
	if (order_to_json(o, &b) < 0)
		goto out;
	json_tokener *tok = json_tokener_new_ex(JSON_TOKENER_DEFAULT_DEPTH);
	order = json_tokener_parse_ex(tok, b.data, (int)b.len);
	json_tokener_free(tok);
	if (order == NULL)
		goto out;

	view = json_object_new_object();
	json_object_object_add(view, "company", company_view(info));
	json_object *partner = json_object_new_object();
	put_str(partner, "id", info->partner_id ? info->partner_id : o->partner_id);
	const struct party *buyer = o->parties[ROLE_BUYER];
	put_str(partner, "name", info->partner_name ? info->partner_name
		: buyer ? buyer->name : NULL);
	json_object_object_add(view, "partner", partner);
	const char *greet = buyer && buyer->contact_name ? buyer->contact_name
		: info->partner_name ? info->partner_name : buyer ? buyer->name : NULL;
	put_str(view, "greeting_name", greet);
	put_str(view, "ref", info->ref);
	put_str(view, "locale", locale);
	put_str(view, "date", date);
	put_str(view, "reason", info->reason);
	json_object *orig = json_object_new_object();
	put_str(orig, "subject", info->original_subject);
	put_str(orig, "message_id", info->original_message_id);
	json_object_object_add(view, "original", orig);
	json_object *prev = json_object_new_object();
	put_str(prev, "ref", info->previous_ref);
	put_date(prev, "date", locale, info->previous_date);
	json_object_object_add(view, "previous", prev);
	put_str(view, "tracking", info->tracking);

	json_object *lines = json_object_new_array();
	for (size_t i = 0; i < o->n_lines; i++)
		json_object_array_add(lines, line_view(o, i, locale));
	json_object_object_add(view, "lines", lines);
	json_object_object_add(view, "totals", totals_view(o));
	json_object_object_add(view, "display", display_view(o, locale, date));
	for (int r = 0; r < ROLE_COUNT; r++)
		json_object_object_add(view, order_role_names[r], party_view(o->parties[r]));
	json_object *pv = problems_view(o, problems, order, lines);
	json_object_object_add(view, "has_problems",
			       json_object_new_boolean(json_object_array_length(pv) > 0));
	json_object_object_add(view, "problems", pv);
	json_object_object_add(view, "order", order);
	order = NULL;
out:
	json_object_put(order);
	buf_free(&b);
	return view;
}
