/* notify.c — plain-text customer messages (see notify.h).
 *
 * The wording lives here until the template engine takes over; each
 * message names the customer's PO number and date, and a clarification
 * lists every problem in plain words with what to reply. */
#include "notify.h"
#include "buf.h"
#include "config.h"
#include "mailmsg.h"
#include "order.h"
#include "store.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const notify_kind_names[] = { "confirmation", "receipt", "clarification", "rejection", "duplicate" };

static const char *or_dash(const char *s) { return s && *s ? s : "-"; }

static void add_lines(struct buf *b, struct order *o)
{
	buf_adds(b, "\n  #    Item                 Description                      Quantity    Unit   Unit price      Amount\n");
	for (size_t i = 0; i < o->n_lines; i++) {
		const struct order_line *l = &o->lines[i];
		const char *item = l->seller_item_id ? l->seller_item_id : l->buyer_item_id ? l->buyer_item_id : l->gtin;
		const char *amount = order_line_amount(o, l);
		buf_printf(b, "  %-4s %-20s %-32.32s %10s  %-5s %11s %11s\n", or_dash(l->line_no), or_dash(item),
			   or_dash(l->description), or_dash(l->quantity),
			   or_dash(l->uom_original ? l->uom_original : l->uom_code),
			   or_dash(l->unit_price), or_dash(amount));
	}
	const char *total = order_total_amount(o);
	if (total)
		buf_printf(b, "\n  Total: %s %s\n", or_dash(o->currency), total);
}

static void add_terms(struct buf *b, struct order *o)
{
	if (o->requested_delivery_date)
		buf_printf(b, "Requested delivery date: %s\n", o->requested_delivery_date);
	if (o->ship_by_date)
		buf_printf(b, "Ship by: %s\n", o->ship_by_date);
	if (o->has_incoterms)
		buf_printf(b, "Incoterms: %s %s (Incoterms %s)\n", or_dash(o->incoterms_code),
			   o->incoterms_place ? o->incoterms_place : "", o->incoterms_version ? o->incoterms_version : "2020");
	if (o->has_payment_terms)
		buf_printf(b, "Payment terms: %s\n", or_dash(o->payment_terms_text));
	if (o->currency)
		buf_printf(b, "Currency: %s\n", o->currency);
}

int notify_queue(struct store *st, const struct config *cfg, enum notify_kind kind,
		 struct order *o, const struct notify_ctx *n, const char **error_r)
{
	struct buf subj, text, msg;
	buf_init(&subj, 4096);
	buf_init(&text, 1u << 22);
	buf_init(&msg, 1u << 23);
	char *id = NULL;
	int ret = -1;
	const char *po = o && o->po_number ? o->po_number : NULL;
	const char *company = cfg->company_name ? cfg->company_name : "";

	buf_adds(&text, "Dear customer,\n\n");
	switch (kind) {
	case NOTIFY_CONFIRMATION:
	case NOTIFY_RECEIPT:
		buf_printf(&subj, "Order confirmation: your PO %s", or_dash(po));
		buf_printf(&text, "Thank you for your purchase order %s%s%s. We have received it "
			   "and entered it as follows:\n", or_dash(po), o && o->order_date ? " of " : "",
			   o && o->order_date ? o->order_date : "");
		if (o) {
			add_lines(&text, o);
			buf_addc(&text, '\n');
			add_terms(&text, o);
		}
		buf_adds(&text, "\nIf anything above differs from your order, please reply to this message.\n");
		break;
	case NOTIFY_CLARIFICATION:
		buf_printf(&subj, "Your order %s: information needed [%s]", or_dash(po), or_dash(n->token));
		buf_printf(&text, "Thank you for your order%s%s. Before we can confirm it we need the "
			   "following:\n\n", po ? " " : "", po ? po : "");
		if (n->problems != NULL)
			for (size_t i = 0; i < json_object_array_length(n->problems); i++) {
				json_object *p = json_object_array_get_idx(n->problems, i), *m, *sev;
				if (json_object_object_get_ex(p, "severity", &sev) &&
				    strcmp(json_object_get_string(sev), "warning") == 0)
					continue;
				if (json_object_object_get_ex(p, "message", &m))
					buf_printf(&text, "  - %s\n", json_object_get_string(m));
			}
		buf_printf(&text, "\nPlease reply to this message with the missing details, one per line, "
			   "for example:\n  Delivery date: 2027-03-15\n  Incoterms: FOB Ningbo\n\n"
			   "Keep the reference %s in the subject.\n", or_dash(n->token));
		break;
	case NOTIFY_REJECTION:
		buf_printf(&subj, "Your order %s could not be accepted", or_dash(po));
		buf_printf(&text, "We are sorry: we cannot accept your order %s.\nReason: %s\n", or_dash(po),
			   or_dash(n->reason));
		break;
	case NOTIFY_DUPLICATE:
		buf_printf(&subj, "Your order %s was already received", or_dash(po));
		buf_printf(&text, "We have received your order %s before; this copy was not entered again.\n",
			   or_dash(po));
		break;
	}
	buf_printf(&text, "\nKind regards,\n%s\n", company);

	struct mail_out m = {
		.from = cfg->outbox.from, .to = n->recipient, .to_name = n->recipient_name,
		.subject = subj.data, .text = text.data, .in_reply_to = n->in_reply_to,
		.references = n->references, .ordergw_ref = n->token,
	};
	if (mailmsg_build(&m, &msg, &id, error_r) < 0)
		goto out;
	struct store_outbox_new ob = {
		.message_id = id, .kind = notify_kind_names[kind], .channel = "mail",
		.recipient = n->recipient, .subject = subj.data, .data = msg.data, .len = msg.len,
		.order_id = n->order_id, .document_id = n->document_id, .exception_id = n->exception_id,
	};
	int64_t oid;
	if (store_outbox_add(st, &ob, &oid) < 0) {
		*error_r = store_error(st);
		goto out;
	}
	char detail[256];
	snprintf(detail, sizeof(detail), "%s to %s", notify_kind_names[kind], n->recipient);
	store_audit(st, "ordergw", "outbox", oid, "queued", detail);
	ret = 0;
out:
	free(id);
	buf_free(&subj);
	buf_free(&text);
	buf_free(&msg);
	return ret;
}
