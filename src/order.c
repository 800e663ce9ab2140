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
	struct order_line *l = arena_grow_uninit(o->arena, o->lines, sizeof(*l), &o->cap_lines, o->n_lines + 1);
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

/* A line's amount as a decimal: as sent, else quantity x price / basis
 * (rounded to at least four places, as order_line_amount() writes it). */
static int line_amount_dec(const struct order_line *l, struct dec *out)
{
	if (l->line_amount != NULL)
		return dec_parse(l->line_amount, out);
	struct dec q, p, b, r;
	if (dec_parse(l->quantity, &q) < 0 || dec_parse(l->unit_price, &p) < 0)
		return -1;
	if (dec_mul(q, p, &r) < 0)
		return -1;
	if (l->price_basis_quantity != NULL) {
		if (dec_parse(l->price_basis_quantity, &b) < 0 || dec_is_zero(b))
			return -1;
		if (dec_div(r, b, r.scale > 4 ? r.scale : 4, &r) < 0)
			return -1;
	}
	*out = dec_trim(r);
	return 0;
}

const char *order_line_amount(struct order *o, const struct order_line *l)
{
	if (l->line_amount != NULL)
		return l->line_amount;
	struct dec r;
	if (line_amount_dec(l, &r) < 0)
		return NULL;
	char tmp[DEC_STRLEN];
	return arena_strdup(o->arena, dec_format(r, tmp));
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
	/* Summed as decimals: no line amount is written out and read back. */
	for (size_t i = 0; i < o->n_lines; i++) {
		if (line_amount_dec(&o->lines[i], &a) < 0)
			return NULL;
		if (dec_add(sum, a, &sum) < 0)
			return NULL;
	}
	char tmp[DEC_STRLEN];
	return arena_strdup(o->arena, dec_format(sum, tmp));
}

/* ---- JSON out ---------------------------------------------------------- */

/* The writer appends to one buffer and remembers whether any append failed
 * (the buffer's maximum reached): then the whole record is taken back. */
struct jw {
	struct buf *b;
	int err;
};

static void jw_check(struct jw *w, int r)
{
	if (r < 0)
		w->err = -1;
}

/* Keys are literals with their punctuation (",\"city\":"): their length is
 * known at compile time, and key and value go in with one bounds check. */
#define jw_lit(w, lit) jw_check((w), buf_add((w)->b, (lit), sizeof(lit) - 1))
#define jw_kv(w, lit, v) jw_check((w), buf_add_json_kv((w)->b, (lit), sizeof(lit) - 1, (v)))

static void jw_strs(struct jw *w, const char *const *a, size_t n)
{
	jw_lit(w, "[");
	for (size_t i = 0; i < n; i++)
		jw_check(w, buf_add_json_kv(w->b, ",", i ? 1 : 0, a[i]));
	jw_lit(w, "]");
}

static void jw_num(struct jw *w, size_t v)
{
	char tmp[24];
	jw_check(w, buf_adds(w->b, buf_size_text(tmp, v)));
}

static void jw_int(struct jw *w, int v)
{
	if (v < 0)
		jw_lit(w, "null");
	else
		jw_num(w, (size_t)v);
}

static void jw_party(struct jw *w, const struct party *p)
{
	if (p == NULL) {
		jw_lit(w, "null");
		return;
	}
	jw_kv(w, "{\"name\":", p->name);
	jw_lit(w, ",\"ids\":[");
	for (size_t i = 0; i < p->n_ids; i++) {
		if (i)
			jw_lit(w, ",");
		jw_kv(w, "{\"scheme\":", p->ids[i].scheme);
		jw_kv(w, ",\"value\":", p->ids[i].value);
		jw_lit(w, "}");
	}
	jw_lit(w, "],\"address\":{\"lines\":");
	jw_strs(w, p->address_lines, p->n_address_lines);
	jw_kv(w, ",\"city\":", p->city);
	jw_kv(w, ",\"postal_code\":", p->postal_code);
	jw_kv(w, ",\"region\":", p->region);
	jw_kv(w, ",\"country\":", p->country);
	jw_kv(w, "},\"contact\":{\"name\":", p->contact_name);
	jw_kv(w, ",\"email\":", p->contact_email);
	jw_kv(w, ",\"phone\":", p->contact_phone);
	jw_lit(w, "}}");
}

/* Keys with their punctuation, each in a 32-byte array so that one copy
 * of a fixed size writes any of them (the writer then steps over `len`). */
struct jkey {
	char text[32];
	size_t len;
};
#define JKEY(s) { s, sizeof(s) - 1 }

/* Write n keys and their string values (lengths in len) at o, which has
 * room for 32 + 6 bytes per key plus six per value byte. */
static char *jw_fields(char *o, const struct jkey *k, const char *const *v, const size_t *len, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		memcpy(o, k[i].text, sizeof(k[i].text));
		o += k[i].len;
		if (v[i] == NULL) {
			memcpy(o, "null", 4);
			o += 4;
		} else {
			o = buf_json_escape_fast(o, v[i], len[i]);
		}
	}
	return o;
}

/* Up to 16 keys and values with one bounds check for all of them: the
 * lines are most of a large order's JSON. */
static void jw_group(struct jw *w, const struct jkey *k, const char *const *v, size_t n)
{
	size_t len[16], sum = 0;
	for (size_t i = 0; i < n; i++) {
		len[i] = v[i] != NULL ? strlen(v[i]) : 0;
		sum += len[i];
	}
	struct buf *b = w->b;
	if (sum > b->max / 6 || buf_reserve(b, sum * 6 + n * (sizeof(k->text) + 6)) < 0) {
		w->err = -1;
		return;
	}
	char *o = jw_fields(b->data + b->len, k, v, len, n);
	b->len = (size_t)(o - b->data);
	*o = '\0';
}

static void jw_line(struct jw *w, const struct order_line *l)
{
	static const struct jkey head[] = {
		JKEY("{\"line_no\":"), JKEY(",\"buyer_item_id\":"), JKEY(",\"seller_item_id\":"),
		JKEY(",\"gtin\":"), JKEY(",\"manufacturer_part_no\":"), JKEY(",\"description\":"),
		JKEY(",\"quantity\":"), JKEY(",\"uom\":{\"code\":"), JKEY(",\"original\":"),
		JKEY("},\"unit_price\":"),
	};
	static const struct jkey tail[] = {
		JKEY(",\"line_amount\":"), JKEY(",\"delivery_date\":"), JKEY(",\"ship_by_date\":"),
		JKEY(",\"hs_code\":"),
	};
	const char *hv[] = {
		l->line_no, l->buyer_item_id, l->seller_item_id, l->gtin, l->manufacturer_part_no,
		l->description, l->quantity, l->uom_code, l->uom_original, l->unit_price,
	};
	const char *tv[] = { l->line_amount, l->delivery_date, l->ship_by_date, l->hs_code };
	jw_group(w, head, hv, sizeof(hv) / sizeof(hv[0]));
	if (l->price_basis_quantity == NULL && l->price_basis_uom == NULL) {
		jw_lit(w, ",\"price_basis\":null");
	} else {
		jw_kv(w, ",\"price_basis\":{\"quantity\":", l->price_basis_quantity);
		jw_kv(w, ",\"uom\":", l->price_basis_uom);
		jw_lit(w, "}");
	}
	jw_group(w, tail, tv, sizeof(tv) / sizeof(tv[0]));
	jw_lit(w, ",\"notes\":");
	jw_strs(w, l->notes, l->n_notes);
	jw_lit(w, "}");
}

int order_to_json(struct order *o, struct buf *b)
{
	size_t start = b->len;
	struct jw w = { b, 0 };
	jw_kv(&w, "{\"format\":", o->format);
	jw_kv(&w, ",\"format_version\":", o->format_version);
	jw_kv(&w, ",\"document_type\":", o->document_type ? o->document_type : "new");
	if (o->is_duplicate_flag)
		jw_lit(&w, ",\"is_duplicate_flag\":true");
	else
		jw_lit(&w, ",\"is_duplicate_flag\":false");
	if (o->is_test)
		jw_lit(&w, ",\"is_test\":true");
	else
		jw_lit(&w, ",\"is_test\":false");
	jw_kv(&w, ",\"order_type\":", o->order_type);
	jw_kv(&w, ",\"po_number\":", o->po_number);
	jw_kv(&w, ",\"po_revision\":", o->po_revision);
	jw_kv(&w, ",\"order_date\":", o->order_date);
	jw_kv(&w, ",\"partner_id\":", o->partner_id);
	jw_kv(&w, ",\"currency\":", o->currency);
	if (o->has_incoterms) {
		jw_kv(&w, ",\"incoterms\":{\"code\":", o->incoterms_code);
		jw_kv(&w, ",\"version\":", o->incoterms_version);
		jw_kv(&w, ",\"named_place\":", o->incoterms_place);
		jw_lit(&w, "}");
	} else {
		jw_lit(&w, ",\"incoterms\":null");
	}
	if (o->has_payment_terms) {
		jw_kv(&w, ",\"payment_terms\":{\"text\":", o->payment_terms_text);
		jw_lit(&w, ",\"net_days\":");
		jw_int(&w, o->payment_net_days);
		jw_kv(&w, ",\"discount_percent\":", o->payment_discount_percent);
		jw_lit(&w, ",\"discount_days\":");
		jw_int(&w, o->payment_discount_days);
		jw_lit(&w, "}");
	} else {
		jw_lit(&w, ",\"payment_terms\":null");
	}
	jw_kv(&w, ",\"transport_payment\":", o->transport_payment);
	jw_lit(&w, ",\"parties\":{");
	for (int r = 0; r < ROLE_COUNT; r++) {
		if (r)
			jw_lit(&w, ",");
		jw_lit(&w, "\"");
		jw_check(&w, buf_adds(b, order_role_names[r]));
		jw_lit(&w, "\":");
		jw_party(&w, o->parties[r]);
	}
	jw_kv(&w, "},\"requested_delivery_date\":", o->requested_delivery_date);
	if (o->window_earliest || o->window_latest) {
		jw_kv(&w, ",\"delivery_window\":{\"earliest\":", o->window_earliest);
		jw_kv(&w, ",\"latest\":", o->window_latest);
		jw_lit(&w, "}");
	} else {
		jw_lit(&w, ",\"delivery_window\":null");
	}
	jw_kv(&w, ",\"ship_by_date\":", o->ship_by_date);
	jw_kv(&w, ",\"transport_mode\":", o->transport_mode);
	jw_kv(&w, ",\"port_of_loading\":", o->port_of_loading);
	jw_kv(&w, ",\"port_of_discharge\":", o->port_of_discharge);
	jw_kv(&w, ",\"references\":{\"contract\":", o->ref_contract);
	jw_kv(&w, ",\"quotation\":", o->ref_quotation);
	jw_kv(&w, ",\"customer_ref\":", o->ref_customer);
	jw_lit(&w, "},\"notes\":");
	jw_strs(&w, o->notes, o->n_notes);
	jw_lit(&w, ",\"lines\":[");
	for (size_t i = 0; i < o->n_lines; i++) {
		if (i)
			jw_lit(&w, ",");
		jw_line(&w, &o->lines[i]);
	}
	jw_lit(&w, "],\"totals\":{\"line_count\":");
	jw_num(&w, o->n_lines);
	jw_kv(&w, ",\"total_quantity\":", order_total_quantity(o));
	jw_kv(&w, ",\"total_amount\":", order_total_amount(o));
	jw_kv(&w, ",\"declared_amount\":", o->declared_amount);
	jw_kv(&w, ",\"declared_line_count\":", o->declared_line_count);
	jw_kv(&w, ",\"declared_quantity\":", o->declared_quantity);
	jw_kv(&w, "},\"source\":{\"channel\":", o->source.channel);
	jw_kv(&w, ",\"endpoint\":", o->source.endpoint);
	jw_kv(&w, ",\"message_id\":", o->source.message_id);
	jw_kv(&w, ",\"sender\":", o->source.sender);
	jw_kv(&w, ",\"received_at\":", o->source.received_at);
	jw_kv(&w, ",\"document\":", o->source.document);
	jw_kv(&w, ",\"control_refs\":{\"interchange\":", o->source.interchange);
	jw_kv(&w, ",\"group\":", o->source.group);
	jw_kv(&w, ",\"message\":", o->source.message);
	jw_lit(&w, "}}}");
	/* Any failed append (the buffer's maximum) takes the record back. */
	if (w.err < 0) {
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
