/* order.c — the order record: builders, totals, JSON in and out.
 *
 * The JSON writer is hand-written (streaming into a struct buf) because
 * `ordergw parse` of a large interchange is dominated by it; the reader
 * uses json-c, since it only runs on records we wrote ourselves (store,
 * edits by sales).  Both follow interfaces.md key for key. */
#include "order.h"
#include "decimal.h"
#include "log.h"
#include <ctype.h>
#include <gnutls/crypto.h>
#include <json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const order_role_names[ROLE_COUNT] = { "buyer", "seller", "ship_to", "bill_to" };

struct order *order_new(struct arena *a)
{
	struct order *o = arena_alloc(a, sizeof(*o));
	if (o == NULL)
		return NULL;
	o->arena = a;
	o->document_type = "new";
	o->payment_net_days = -1;
	o->payment_discount_days = -1;
	return o;
}

struct party *order_party(struct order *o, enum order_role role)
{
	if (o->parties[role] == NULL)
		o->parties[role] = arena_alloc(o->arena, sizeof(struct party));
	return o->parties[role];
}

int party_add_id(struct order *o, struct party *p, const char *scheme, const char *value)
{
	if (value == NULL || *value == '\0')
		return 0;
	for (size_t i = 0; i < p->n_ids; i++)
		if (strcmp(p->ids[i].scheme, scheme) == 0 && strcmp(p->ids[i].value, value) == 0)
			return 0;
	struct party_id *ids = arena_grow(o->arena, p->ids, sizeof(*ids), &p->cap_ids, p->n_ids + 1);
	if (ids == NULL)
		return -1;
	p->ids = ids;
	p->ids[p->n_ids].scheme = arena_strdup(o->arena, scheme);
	p->ids[p->n_ids].value = arena_strdup(o->arena, value);
	if (p->ids[p->n_ids].scheme == NULL || p->ids[p->n_ids].value == NULL)
		return -1;
	p->n_ids++;
	return 0;
}

static int add_str(struct order *o, const char ***arr, size_t *n, size_t *cap, const char *s)
{
	if (s == NULL || *s == '\0')
		return 0;
	const char **p = arena_grow(o->arena, (void *)*arr, sizeof(*p), cap, *n + 1);
	if (p == NULL)
		return -1;
	*arr = p;
	p[*n] = arena_strdup(o->arena, s);
	if (p[*n] == NULL)
		return -1;
	(*n)++;
	return 0;
}

int party_add_address_line(struct order *o, struct party *p, const char *line)
{
	return add_str(o, &p->address_lines, &p->n_address_lines, &p->cap_address_lines, line);
}

int order_add_note(struct order *o, const char *note)
{
	return add_str(o, &o->notes, &o->n_notes, &o->cap_notes, note);
}

int line_add_note(struct order *o, struct order_line *l, const char *note)
{
	return add_str(o, &l->notes, &l->n_notes, &l->cap_notes, note);
}

struct order_line *order_add_line(struct order *o)
{
	if (o->n_lines >= 100000u) {
		arena_alloc(o->arena, (size_t)-1);   /* marks the arena failed */
		return NULL;
	}
	struct order_line *l = arena_grow(o->arena, o->lines, sizeof(*l), &o->cap_lines, o->n_lines + 1);
	if (l == NULL)
		return NULL;
	o->lines = l;
	l = &o->lines[o->n_lines++];
	memset(l, 0, sizeof(*l));
	return l;
}

const char *order_strn(struct order *o, const char *s, size_t n)
{
	if (s == NULL)
		return NULL;
	while (n > 0 && isspace((unsigned char)*s)) {
		s++;
		n--;
	}
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		n--;
	return n == 0 ? NULL : arena_strndup(o->arena, s, n);
}

const char *order_str(struct order *o, const char *s)
{
	return s == NULL ? NULL : order_strn(o, s, strlen(s));
}

/* ---- totals ------------------------------------------------------------ */

const char *order_line_amount(struct order *o, const struct order_line *l)
{
	if (l->line_amount != NULL)
		return l->line_amount;
	struct dec q, p, b, r;
	if (dec_parse(l->quantity, &q) < 0 || dec_parse(l->unit_price, &p) < 0)
		return NULL;
	if (dec_mul(q, p, &r) < 0)
		return NULL;
	if (l->price_basis_quantity != NULL) {
		if (dec_parse(l->price_basis_quantity, &b) < 0 || dec_is_zero(b))
			return NULL;
		if (dec_div(r, b, r.scale > 4 ? r.scale : 4, &r) < 0)
			return NULL;
	}
	char tmp[DEC_STRLEN];
	return arena_strdup(o->arena, dec_format(dec_trim(r), tmp));
}

const char *order_total_quantity(struct order *o)
{
	struct dec sum = { 0, 0 }, q;
	const char *unit = NULL;
	if (o->n_lines == 0)
		return NULL;
	for (size_t i = 0; i < o->n_lines; i++) {
		const struct order_line *l = &o->lines[i];
		const char *u = l->uom_code ? l->uom_code : l->uom_original;
		if (dec_parse(l->quantity, &q) < 0)
			return NULL;
		if (i == 0)
			unit = u;
		else if ((unit == NULL) != (u == NULL) || (unit && strcmp(unit, u) != 0))
			return NULL;
		if (dec_add(sum, q, &sum) < 0)
			return NULL;
	}
	char tmp[DEC_STRLEN];
	return arena_strdup(o->arena, dec_format(sum, tmp));
}

const char *order_total_amount(struct order *o)
{
	struct dec sum = { 0, 0 }, a;
	if (o->n_lines == 0)
		return NULL;
	for (size_t i = 0; i < o->n_lines; i++) {
		if (dec_parse(order_line_amount(o, &o->lines[i]), &a) < 0)
			return NULL;
		if (dec_add(sum, a, &sum) < 0)
			return NULL;
	}
	char tmp[DEC_STRLEN];
	return arena_strdup(o->arena, dec_format(sum, tmp));
}

/* ---- JSON out ---------------------------------------------------------- */

static void js_key_n(struct buf *b, const char *k, size_t kn, const char *v)
{
	buf_addc(b, '"');
	buf_add(b, k, kn);
	buf_add(b, "\":", 2);
	buf_add_json_str(b, v);
}
/* Keys are literals: their length is known at compile time. */
#define js_key(b, k, v) js_key_n((b), (k), sizeof(k) - 1, (v))

static void js_strs(struct buf *b, const char *k, const char *const *a, size_t n)
{
	buf_printf(b, "\"%s\":[", k);
	for (size_t i = 0; i < n; i++) {
		if (i)
			buf_addc(b, ',');
		buf_add_json_str(b, a[i]);
	}
	buf_addc(b, ']');
}

static void js_int(struct buf *b, const char *k, int v)
{
	if (v < 0)
		buf_printf(b, "\"%s\":null", k);
	else
		buf_printf(b, "\"%s\":%d", k, v);
}

static void js_party(struct buf *b, const struct party *p)
{
	if (p == NULL) {
		buf_adds(b, "null");
		return;
	}
	buf_addc(b, '{');
	js_key(b, "name", p->name);
	buf_adds(b, ",\"ids\":[");
	for (size_t i = 0; i < p->n_ids; i++) {
		buf_adds(b, i ? ",{" : "{");
		js_key(b, "scheme", p->ids[i].scheme);
		buf_addc(b, ',');
		js_key(b, "value", p->ids[i].value);
		buf_addc(b, '}');
	}
	buf_adds(b, "],\"address\":{");
	js_strs(b, "lines", p->address_lines, p->n_address_lines);
	buf_addc(b, ',');
	js_key(b, "city", p->city);
	buf_addc(b, ',');
	js_key(b, "postal_code", p->postal_code);
	buf_addc(b, ',');
	js_key(b, "region", p->region);
	buf_addc(b, ',');
	js_key(b, "country", p->country);
	buf_adds(b, "},\"contact\":{");
	js_key(b, "name", p->contact_name);
	buf_addc(b, ',');
	js_key(b, "email", p->contact_email);
	buf_addc(b, ',');
	js_key(b, "phone", p->contact_phone);
	buf_adds(b, "}}");
}

static void js_line(struct order *o, struct buf *b, const struct order_line *l)
{
	buf_addc(b, '{');
	js_key(b, "line_no", l->line_no);
	buf_addc(b, ',');
	js_key(b, "buyer_item_id", l->buyer_item_id);
	buf_addc(b, ',');
	js_key(b, "seller_item_id", l->seller_item_id);
	buf_addc(b, ',');
	js_key(b, "gtin", l->gtin);
	buf_addc(b, ',');
	js_key(b, "manufacturer_part_no", l->manufacturer_part_no);
	buf_addc(b, ',');
	js_key(b, "description", l->description);
	buf_addc(b, ',');
	js_key(b, "quantity", l->quantity);
	buf_adds(b, ",\"uom\":{");
	js_key(b, "code", l->uom_code);
	buf_addc(b, ',');
	js_key(b, "original", l->uom_original);
	buf_adds(b, "},");
	js_key(b, "unit_price", l->unit_price);
	buf_adds(b, ",\"price_basis\":");
	if (l->price_basis_quantity == NULL && l->price_basis_uom == NULL) {
		buf_adds(b, "null");
	} else {
		buf_addc(b, '{');
		js_key(b, "quantity", l->price_basis_quantity);
		buf_addc(b, ',');
		js_key(b, "uom", l->price_basis_uom);
		buf_addc(b, '}');
	}
	buf_addc(b, ',');
	js_key(b, "line_amount", l->line_amount);
	buf_addc(b, ',');
	js_key(b, "delivery_date", l->delivery_date);
	buf_addc(b, ',');
	js_key(b, "ship_by_date", l->ship_by_date);
	buf_addc(b, ',');
	js_key(b, "hs_code", l->hs_code);
	buf_addc(b, ',');
	js_strs(b, "notes", l->notes, l->n_notes);
	buf_addc(b, '}');
	(void)o;
}

int order_to_json(struct order *o, struct buf *b)
{
	size_t start = b->len;
	buf_addc(b, '{');
	js_key(b, "format", o->format);
	buf_addc(b, ',');
	js_key(b, "format_version", o->format_version);
	buf_addc(b, ',');
	js_key(b, "document_type", o->document_type ? o->document_type : "new");
	buf_printf(b, ",\"is_duplicate_flag\":%s,\"is_test\":%s,",
		   o->is_duplicate_flag ? "true" : "false", o->is_test ? "true" : "false");
	js_key(b, "order_type", o->order_type);
	buf_addc(b, ',');
	js_key(b, "po_number", o->po_number);
	buf_addc(b, ',');
	js_key(b, "po_revision", o->po_revision);
	buf_addc(b, ',');
	js_key(b, "order_date", o->order_date);
	buf_addc(b, ',');
	js_key(b, "partner_id", o->partner_id);
	buf_addc(b, ',');
	js_key(b, "currency", o->currency);
	buf_adds(b, ",\"incoterms\":");
	if (o->has_incoterms) {
		buf_addc(b, '{');
		js_key(b, "code", o->incoterms_code);
		buf_addc(b, ',');
		js_key(b, "version", o->incoterms_version);
		buf_addc(b, ',');
		js_key(b, "named_place", o->incoterms_place);
		buf_addc(b, '}');
	} else {
		buf_adds(b, "null");
	}
	buf_adds(b, ",\"payment_terms\":");
	if (o->has_payment_terms) {
		buf_addc(b, '{');
		js_key(b, "text", o->payment_terms_text);
		buf_addc(b, ',');
		js_int(b, "net_days", o->payment_net_days);
		buf_addc(b, ',');
		js_key(b, "discount_percent", o->payment_discount_percent);
		buf_addc(b, ',');
		js_int(b, "discount_days", o->payment_discount_days);
		buf_addc(b, '}');
	} else {
		buf_adds(b, "null");
	}
	buf_addc(b, ',');
	js_key(b, "transport_payment", o->transport_payment);
	buf_adds(b, ",\"parties\":{");
	for (int r = 0; r < ROLE_COUNT; r++) {
		buf_printf(b, "%s\"%s\":", r ? "," : "", order_role_names[r]);
		js_party(b, o->parties[r]);
	}
	buf_adds(b, "},");
	js_key(b, "requested_delivery_date", o->requested_delivery_date);
	buf_adds(b, ",\"delivery_window\":");
	if (o->window_earliest || o->window_latest) {
		buf_addc(b, '{');
		js_key(b, "earliest", o->window_earliest);
		buf_addc(b, ',');
		js_key(b, "latest", o->window_latest);
		buf_addc(b, '}');
	} else {
		buf_adds(b, "null");
	}
	buf_addc(b, ',');
	js_key(b, "ship_by_date", o->ship_by_date);
	buf_addc(b, ',');
	js_key(b, "transport_mode", o->transport_mode);
	buf_addc(b, ',');
	js_key(b, "port_of_loading", o->port_of_loading);
	buf_addc(b, ',');
	js_key(b, "port_of_discharge", o->port_of_discharge);
	buf_adds(b, ",\"references\":{");
	js_key(b, "contract", o->ref_contract);
	buf_addc(b, ',');
	js_key(b, "quotation", o->ref_quotation);
	buf_addc(b, ',');
	js_key(b, "customer_ref", o->ref_customer);
	buf_adds(b, "},");
	js_strs(b, "notes", o->notes, o->n_notes);
	buf_adds(b, ",\"lines\":[");
	for (size_t i = 0; i < o->n_lines; i++) {
		if (i)
			buf_addc(b, ',');
		js_line(o, b, &o->lines[i]);
	}
	buf_printf(b, "],\"totals\":{\"line_count\":%zu,", o->n_lines);
	js_key(b, "total_quantity", order_total_quantity(o));
	buf_addc(b, ',');
	js_key(b, "total_amount", order_total_amount(o));
	buf_addc(b, ',');
	js_key(b, "declared_amount", o->declared_amount);
	buf_addc(b, ',');
	js_key(b, "declared_line_count", o->declared_line_count);
	buf_addc(b, ',');
	js_key(b, "declared_quantity", o->declared_quantity);
	buf_adds(b, "},\"source\":{");
	js_key(b, "channel", o->source.channel);
	buf_addc(b, ',');
	js_key(b, "endpoint", o->source.endpoint);
	buf_addc(b, ',');
	js_key(b, "message_id", o->source.message_id);
	buf_addc(b, ',');
	js_key(b, "sender", o->source.sender);
	buf_addc(b, ',');
	js_key(b, "received_at", o->source.received_at);
	buf_addc(b, ',');
	js_key(b, "document", o->source.document);
	buf_adds(b, ",\"control_refs\":{");
	js_key(b, "interchange", o->source.interchange);
	buf_addc(b, ',');
	js_key(b, "group", o->source.group);
	buf_addc(b, ',');
	js_key(b, "message", o->source.message);
	/* A failed append leaves the buffer short of its closing braces. */
	if (buf_adds(b, "}}}") < 0 || b->len < start + 3 ||
	    memcmp(b->data + b->len - 3, "}}}", 3) != 0) {
		b->len = start;
		if (b->data)
			b->data[start] = '\0';
		return -1;
	}
	return 0;
}

/* ---- JSON in ----------------------------------------------------------- */

static const char *jstr(struct order *o, json_object *obj, const char *key)
{
	json_object *v;
	if (obj == NULL || !json_object_object_get_ex(obj, key, &v) || v == NULL)
		return NULL;
	if (json_object_is_type(v, json_type_string))
		return arena_strndup(o->arena, json_object_get_string(v),
				     (size_t)json_object_get_string_len(v));
	if (json_object_is_type(v, json_type_int) || json_object_is_type(v, json_type_double))
		return arena_strdup(o->arena, json_object_get_string(v));
	return NULL;
}

static json_object *jobj(json_object *obj, const char *key)
{
	json_object *v;
	if (obj == NULL || !json_object_object_get_ex(obj, key, &v))
		return NULL;
	return json_object_is_type(v, json_type_null) ? NULL : v;
}

static int jint(json_object *obj, const char *key)
{
	json_object *v = jobj(obj, key);
	return v && json_object_is_type(v, json_type_int) ? json_object_get_int(v) : -1;
}

static bool jbool(json_object *obj, const char *key)
{
	json_object *v = jobj(obj, key);
	return v && json_object_get_boolean(v);
}

static void jstrs(struct order *o, json_object *arr, int (*add)(struct order *, void *, const char *), void *ctx)
{
	if (arr == NULL || !json_object_is_type(arr, json_type_array))
		return;
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		json_object *v = json_object_array_get_idx(arr, i);
		if (json_object_is_type(v, json_type_string))
			add(o, ctx, json_object_get_string(v));
	}
}

static int add_addr(struct order *o, void *p, const char *s) { return party_add_address_line(o, p, s); }
static int add_onote(struct order *o, void *p, const char *s) { (void)p; return order_add_note(o, s); }
static int add_lnote(struct order *o, void *l, const char *s) { return line_add_note(o, l, s); }

static void read_party(struct order *o, enum order_role role, json_object *pj)
{
	if (pj == NULL || !json_object_is_type(pj, json_type_object))
		return;
	struct party *p = order_party(o, role);
	if (p == NULL)
		return;
	p->name = jstr(o, pj, "name");
	json_object *ids = jobj(pj, "ids");
	if (ids && json_object_is_type(ids, json_type_array))
		for (size_t i = 0; i < json_object_array_length(ids); i++) {
			json_object *id = json_object_array_get_idx(ids, i);
			const char *s = jstr(o, id, "scheme"), *v = jstr(o, id, "value");
			if (s && v)
				party_add_id(o, p, s, v);
		}
	json_object *ad = jobj(pj, "address");
	jstrs(o, jobj(ad, "lines"), add_addr, p);
	p->city = jstr(o, ad, "city");
	p->postal_code = jstr(o, ad, "postal_code");
	p->region = jstr(o, ad, "region");
	p->country = jstr(o, ad, "country");
	json_object *c = jobj(pj, "contact");
	p->contact_name = jstr(o, c, "name");
	p->contact_email = jstr(o, c, "email");
	p->contact_phone = jstr(o, c, "phone");
}

int order_from_json(struct arena *a, const char *json, size_t len,
		    struct order **out, const char **error_r)
{
	enum json_tokener_error jerr;
	json_tokener *tok = json_tokener_new();
	if (tok == NULL)
		fatal("out of memory");
	json_object *root = json_tokener_parse_ex(tok, json, (int)len);
	jerr = json_tokener_get_error(tok);
	json_tokener_free(tok);
	if (root == NULL || jerr != json_tokener_success || !json_object_is_type(root, json_type_object)) {
		*error_r = root == NULL ? json_tokener_error_desc(jerr) : "not a JSON object";
		json_object_put(root);
		return -1;
	}
	struct order *o = order_new(a);
	if (o == NULL) {
		*error_r = "order too large";
		json_object_put(root);
		return -1;
	}
	o->format = jstr(o, root, "format");
	o->format_version = jstr(o, root, "format_version");
	o->document_type = jstr(o, root, "document_type");
	if (o->document_type == NULL)
		o->document_type = "new";
	o->is_duplicate_flag = jbool(root, "is_duplicate_flag");
	o->is_test = jbool(root, "is_test");
	o->order_type = jstr(o, root, "order_type");
	o->po_number = jstr(o, root, "po_number");
	o->po_revision = jstr(o, root, "po_revision");
	o->order_date = jstr(o, root, "order_date");
	o->partner_id = jstr(o, root, "partner_id");
	o->currency = jstr(o, root, "currency");
	json_object *inc = jobj(root, "incoterms");
	if (inc != NULL) {
		o->has_incoterms = true;
		o->incoterms_code = jstr(o, inc, "code");
		o->incoterms_version = jstr(o, inc, "version");
		o->incoterms_place = jstr(o, inc, "named_place");
	}
	json_object *pt = jobj(root, "payment_terms");
	if (pt != NULL) {
		o->has_payment_terms = true;
		o->payment_terms_text = jstr(o, pt, "text");
		o->payment_net_days = jint(pt, "net_days");
		o->payment_discount_percent = jstr(o, pt, "discount_percent");
		o->payment_discount_days = jint(pt, "discount_days");
	}
	o->transport_payment = jstr(o, root, "transport_payment");
	json_object *parties = jobj(root, "parties");
	for (int r = 0; r < ROLE_COUNT; r++)
		read_party(o, (enum order_role)r, jobj(parties, order_role_names[r]));
	o->requested_delivery_date = jstr(o, root, "requested_delivery_date");
	json_object *w = jobj(root, "delivery_window");
	o->window_earliest = jstr(o, w, "earliest");
	o->window_latest = jstr(o, w, "latest");
	o->ship_by_date = jstr(o, root, "ship_by_date");
	o->transport_mode = jstr(o, root, "transport_mode");
	o->port_of_loading = jstr(o, root, "port_of_loading");
	o->port_of_discharge = jstr(o, root, "port_of_discharge");
	json_object *refs = jobj(root, "references");
	o->ref_contract = jstr(o, refs, "contract");
	o->ref_quotation = jstr(o, refs, "quotation");
	o->ref_customer = jstr(o, refs, "customer_ref");
	jstrs(o, jobj(root, "notes"), add_onote, NULL);
	json_object *lines = jobj(root, "lines");
	if (lines && json_object_is_type(lines, json_type_array))
		for (size_t i = 0; i < json_object_array_length(lines); i++) {
			json_object *lj = json_object_array_get_idx(lines, i);
			struct order_line *l = order_add_line(o);
			if (l == NULL)
				break;
			l->line_no = jstr(o, lj, "line_no");
			l->buyer_item_id = jstr(o, lj, "buyer_item_id");
			l->seller_item_id = jstr(o, lj, "seller_item_id");
			l->gtin = jstr(o, lj, "gtin");
			l->manufacturer_part_no = jstr(o, lj, "manufacturer_part_no");
			l->description = jstr(o, lj, "description");
			l->quantity = jstr(o, lj, "quantity");
			json_object *u = jobj(lj, "uom");
			l->uom_code = jstr(o, u, "code");
			l->uom_original = jstr(o, u, "original");
			l->unit_price = jstr(o, lj, "unit_price");
			json_object *pb = jobj(lj, "price_basis");
			l->price_basis_quantity = jstr(o, pb, "quantity");
			l->price_basis_uom = jstr(o, pb, "uom");
			l->line_amount = jstr(o, lj, "line_amount");
			l->delivery_date = jstr(o, lj, "delivery_date");
			l->ship_by_date = jstr(o, lj, "ship_by_date");
			l->hs_code = jstr(o, lj, "hs_code");
			jstrs(o, jobj(lj, "notes"), add_lnote, l);
		}
	json_object *tot = jobj(root, "totals");
	o->declared_amount = jstr(o, tot, "declared_amount");
	o->declared_line_count = jstr(o, tot, "declared_line_count");
	o->declared_quantity = jstr(o, tot, "declared_quantity");
	json_object *src = jobj(root, "source");
	o->source.channel = jstr(o, src, "channel");
	o->source.endpoint = jstr(o, src, "endpoint");
	o->source.message_id = jstr(o, src, "message_id");
	o->source.sender = jstr(o, src, "sender");
	o->source.received_at = jstr(o, src, "received_at");
	o->source.document = jstr(o, src, "document");
	json_object *cr = jobj(src, "control_refs");
	o->source.interchange = jstr(o, cr, "interchange");
	o->source.group = jstr(o, cr, "group");
	o->source.message = jstr(o, cr, "message");
	json_object_put(root);
	if (arena_failed(a)) {
		*error_r = "order too large";
		return -1;
	}
	*out = o;
	return 0;
}

const char *order_content_hash(struct order *o)
{
	/* Hash the JSON without the source block: the same order sent twice
	 * (by mail and by EDI, or resent) has the same business content. */
	struct buf b;
	buf_init(&b, 256u * 1024 * 1024);
	__typeof__(o->source) saved = o->source;
	const char *pid = o->partner_id, *fmt = o->format, *fv = o->format_version;
	o->format = o->format_version = NULL;
	memset(&o->source, 0, sizeof(o->source));
	int r = order_to_json(o, &b);
	o->source = saved;
	o->partner_id = pid;
	o->format = fmt;
	o->format_version = fv;
	if (r < 0) {
		buf_free(&b);
		return NULL;
	}
	unsigned char digest[32];
	gnutls_hash_fast(GNUTLS_DIG_SHA256, b.data, b.len, digest);
	buf_free(&b);
	char hex[65];
	for (int i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", digest[i]);
	return arena_strdup(o->arena, hex);
}
