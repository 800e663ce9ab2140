/* order.h — the normalized order record (interfaces.md, "The order record").
 *
 * One struct order is what every parser produces and what validation,
 * the store, the templates and the EDI responses read.  All strings live in
 * the order's arena (arena.h) and are NULL when unknown; arrays are
 * (pointer, count, capacity) triples grown with arena_grow().  Decimals are
 * kept as strings exactly as written, with the decimal mark normalized to
 * '.', never as floating point.  Dates are "YYYY-MM-DD".
 *
 * Fields past those of interfaces.md are additions from order-mapping.md
 * section 1; the JSON writer always prints every key. */
#ifndef ORDERGW_ORDER_H
#define ORDERGW_ORDER_H
#include <stdbool.h>
#include <stddef.h>
#include "arena.h"
#include "buf.h"

struct party_id {
	const char *scheme;      /* GLN DUNS BUYER SELLER VAT EDI ... */
	const char *value;
};

struct party {
	const char *name;
	struct party_id *ids;
	size_t n_ids, cap_ids;
	const char **address_lines;
	size_t n_address_lines, cap_address_lines;
	const char *city, *postal_code, *region, *country;
	const char *contact_name, *contact_email, *contact_phone;
};

struct order_line {
	const char *line_no;
	const char *buyer_item_id, *seller_item_id, *gtin, *manufacturer_part_no;
	const char *description;
	const char *quantity;
	const char *uom_code;        /* UN/ECE Rec 20 */
	const char *uom_original;    /* as written */
	const char *unit_price;
	const char *price_basis_quantity;   /* price is per this many units */
	const char *price_basis_uom;
	const char *line_amount;
	const char *delivery_date;
	const char *ship_by_date;
	const char *hs_code;
	const char **notes;
	size_t n_notes, cap_notes;
};

enum order_role { ROLE_BUYER, ROLE_SELLER, ROLE_SHIP_TO, ROLE_BILL_TO, ROLE_COUNT };

struct order {
	struct arena *arena;     /* not owned */

	const char *format;          /* email-text csv x12-850 edifact-orders ubl-order cxml-order */
	const char *format_version;
	const char *document_type;   /* new change cancel replace */
	bool is_duplicate_flag;
	bool is_test;                /* test interchange (V16) */
	const char *order_type;      /* raw code, e.g. SA, 220 */
	const char *po_number;
	const char *po_revision;
	const char *order_date;
	const char *partner_id;
	const char *currency;

	bool has_incoterms;
	const char *incoterms_code, *incoterms_version, *incoterms_place;

	bool has_payment_terms;
	const char *payment_terms_text;
	int payment_net_days;        /* -1 = unknown */
	const char *payment_discount_percent;
	int payment_discount_days;   /* -1 = unknown */

	const char *transport_payment;   /* CC PP ... as written */

	struct party *parties[ROLE_COUNT];   /* NULL = null */

	const char *requested_delivery_date;
	const char *window_earliest, *window_latest;   /* both NULL: null */
	const char *ship_by_date;
	const char *transport_mode;      /* Rec 19 "1".."8" */
	const char *port_of_loading, *port_of_discharge;

	const char *ref_contract, *ref_quotation, *ref_customer;

	const char **notes;
	size_t n_notes, cap_notes;

	struct order_line *lines;
	size_t n_lines, cap_lines;

	const char *declared_amount;
	const char *declared_line_count;
	const char *declared_quantity;

	struct {
		const char *channel, *endpoint, *message_id, *sender, *received_at, *document;
		const char *interchange, *group, *message;
	} source;
};

/* A fresh record in arena a, document_type "new".  NULL when a is full. */
struct order *order_new(struct arena *a);

/* Builders; each returns NULL/-1 only when the arena limit is hit. */
struct party *order_party(struct order *o, enum order_role role);   /* get or create */
int party_add_id(struct order *o, struct party *p, const char *scheme, const char *value);
int party_add_address_line(struct order *o, struct party *p, const char *line);
struct order_line *order_add_line(struct order *o);
int order_add_note(struct order *o, const char *note);
int line_add_note(struct order *o, struct order_line *l, const char *note);
/* Copy [s, s+n) into the arena trimmed of white space; "" gives NULL. */
const char *order_strn(struct order *o, const char *s, size_t n);
const char *order_str(struct order *o, const char *s);

extern const char *const order_role_names[ROLE_COUNT];   /* "buyer" ... */

/* Computed totals (interfaces.md "totals"): the sum of quantities when all
 * lines share one unit, the sum of line amounts (given, or quantity x
 * price / basis).  Results are decimal strings in the arena, or NULL. */
const char *order_total_quantity(struct order *o);
const char *order_total_amount(struct order *o);
/* Line amount as sent, else computed; NULL when it cannot be. */
const char *order_line_amount(struct order *o, const struct order_line *l);

/* Append the ORDER JSON object (every key present). */
int order_to_json(struct order *o, struct buf *out);
/* Read an ORDER JSON object into a new record in arena a. */
int order_from_json(struct arena *a, const char *json, size_t len,
		    struct order **out, const char **error_r);
/* A stable hash of the business content (not the source block), hex. */
const char *order_content_hash(struct order *o);

#endif
