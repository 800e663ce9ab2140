/* reply.c — see reply.h. */
#include "reply.h"
#include <ctype.h>
#include <string.h>

static int set(struct order *dst, const char **field, const char *value, const char *name,
	       struct buf *changed, int *n)
{
	if (value == NULL || (*field != NULL && strcmp(*field, value) == 0))
		return 0;
	const char *v = arena_strdup(dst->arena, value);
	if (v == NULL)
		return -1;
	*field = v;
	buf_printf(changed, "%s%s", changed->len ? ", " : "", name);
	(*n)++;
	return 0;
}

static int copy_party(struct order *dst, enum order_role role, const struct party *sp,
		      struct buf *changed, int *n)
{
	if (sp == NULL)
		return 0;
	/* A party block in an answer replaces the one we had: it is complete as written. */
	struct party *p = arena_alloc(dst->arena, sizeof(*p));
	if (p == NULL)
		return -1;
	p->name = arena_strdup(dst->arena, sp->name);
	p->city = arena_strdup(dst->arena, sp->city);
	p->postal_code = arena_strdup(dst->arena, sp->postal_code);
	p->region = arena_strdup(dst->arena, sp->region);
	p->country = arena_strdup(dst->arena, sp->country);
	p->contact_name = arena_strdup(dst->arena, sp->contact_name);
	p->contact_email = arena_strdup(dst->arena, sp->contact_email);
	p->contact_phone = arena_strdup(dst->arena, sp->contact_phone);
	for (size_t i = 0; i < sp->n_address_lines; i++)
		if (party_add_address_line(dst, p, sp->address_lines[i]) < 0)
			return -1;
	for (size_t i = 0; i < sp->n_ids; i++)
		if (party_add_id(dst, p, sp->ids[i].scheme, sp->ids[i].value) < 0)
			return -1;
	/* Keep what the old block knew and the answer did not say. */
	const struct party *old = dst->parties[role];
	if (old != NULL) {
		if (p->name == NULL) p->name = old->name;
		if (p->contact_name == NULL) p->contact_name = old->contact_name;
		if (p->contact_email == NULL) p->contact_email = old->contact_email;
		if (p->contact_phone == NULL) p->contact_phone = old->contact_phone;
	}
	dst->parties[role] = p;
	buf_printf(changed, "%s%s", changed->len ? ", " : "", order_role_names[role]);
	(*n)++;
	return 0;
}

int reply_merge(struct order *dst, const struct order *src, struct buf *changed)
{
	int n = 0;
	if (set(dst, &dst->requested_delivery_date, src->requested_delivery_date, "requested_delivery_date", changed, &n) < 0 ||
	    set(dst, &dst->ship_by_date, src->ship_by_date, "ship_by_date", changed, &n) < 0 ||
	    set(dst, &dst->window_earliest, src->window_earliest, "delivery_window.earliest", changed, &n) < 0 ||
	    set(dst, &dst->window_latest, src->window_latest, "delivery_window.latest", changed, &n) < 0 ||
	    set(dst, &dst->currency, src->currency, "currency", changed, &n) < 0 ||
	    set(dst, &dst->order_date, src->order_date, "order_date", changed, &n) < 0 ||
	    set(dst, &dst->transport_mode, src->transport_mode, "transport_mode", changed, &n) < 0 ||
	    set(dst, &dst->port_of_loading, src->port_of_loading, "port_of_loading", changed, &n) < 0 ||
	    set(dst, &dst->port_of_discharge, src->port_of_discharge, "port_of_discharge", changed, &n) < 0)
		return -1;
	/* The PO number is only taken when we had none: an answer quoting another
	 * number must not rename the order. */
	if (dst->po_number == NULL && set(dst, &dst->po_number, src->po_number, "po_number", changed, &n) < 0)
		return -1;
	if (src->has_incoterms && src->incoterms_code != NULL) {
		dst->has_incoterms = true;
		if (set(dst, &dst->incoterms_code, src->incoterms_code, "incoterms.code", changed, &n) < 0 ||
		    set(dst, &dst->incoterms_place, src->incoterms_place, "incoterms.named_place", changed, &n) < 0 ||
		    set(dst, &dst->incoterms_version, src->incoterms_version, "incoterms.version", changed, &n) < 0)
			return -1;
	}
	if (src->has_payment_terms && src->payment_terms_text != NULL) {
		dst->has_payment_terms = true;
		if (set(dst, &dst->payment_terms_text, src->payment_terms_text, "payment_terms", changed, &n) < 0)
			return -1;
		if (src->payment_net_days >= 0)
			dst->payment_net_days = src->payment_net_days;
	}
	for (int r = 0; r < ROLE_COUNT; r++)
		if (r != ROLE_BUYER && copy_party(dst, (enum order_role)r, src->parties[r], changed, &n) < 0)
			return -1;
	if (src->n_lines > 0) {
		/* Lines in an answer (a corrected table or CSV) replace ours. */
		dst->lines = NULL;
		dst->n_lines = dst->cap_lines = 0;
		for (size_t i = 0; i < src->n_lines; i++) {
			struct order_line *l = order_add_line(dst);
			if (l == NULL)
				return -1;
			const struct order_line *s = &src->lines[i];
			const char **df[] = { &l->line_no, &l->buyer_item_id, &l->seller_item_id, &l->gtin,
					      &l->manufacturer_part_no, &l->description, &l->quantity, &l->uom_code,
					      &l->uom_original, &l->unit_price, &l->price_basis_quantity,
					      &l->price_basis_uom, &l->line_amount, &l->delivery_date,
					      &l->ship_by_date, &l->hs_code };
			const char *sf[] = { s->line_no, s->buyer_item_id, s->seller_item_id, s->gtin,
					     s->manufacturer_part_no, s->description, s->quantity, s->uom_code,
					     s->uom_original, s->unit_price, s->price_basis_quantity,
					     s->price_basis_uom, s->line_amount, s->delivery_date,
					     s->ship_by_date, s->hs_code };
			for (size_t k = 0; k < sizeof(sf) / sizeof(sf[0]); k++)
				if (sf[k] != NULL && (*df[k] = arena_strdup(dst->arena, sf[k])) == NULL)
					return -1;
		}
		buf_printf(changed, "%slines", changed->len ? ", " : "");
		n++;
	}
	return arena_failed(dst->arena) ? -1 : n;
}

int reply_token(const char *subject, char *out, size_t n)
{
	if (subject == NULL)
		return -1;
	for (const char *p = subject; (p = strstr(p, "OG-")) != NULL; p += 3) {
		if (p > subject && isalnum((unsigned char)p[-1]))
			continue;
		size_t k = 3;
		while (isdigit((unsigned char)p[k]))
			k++;
		if (k == 3 || isalnum((unsigned char)p[k]) || k + 1 > n)
			continue;
		memcpy(out, p, k);
		out[k] = '\0';
		return 0;
	}
	return -1;
}
