/* ediresp.c — see ediresp.h. */
#include "ediresp.h"
#include "config.h"
#include "edifact.h"
#include "edifact_ack.h"
#include "extract.h"
#include "log.h"
#include "order.h"
#include "parser.h"
#include "store.h"
#include "ubl_response.h"
#include "x12.h"
#include "x12_ack.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Our id as qualifier and id ("ZZ:EXAMPLEXP"); the first of [company] edi_ids. */
static void our_id(const struct config *cfg, char *qual, size_t ql, char *id, size_t il)
{
	const char *v = cfg->our_edi_ids.n ? cfg->our_edi_ids.v[0] : "ZZ:ORDERGW";
	const char *c = strchr(v, ':');
	if (c != NULL) {
		snprintf(qual, ql, "%.*s", (int)(c - v), v);
		snprintf(id, il, "%s", c + 1);
	} else {
		snprintf(qual, ql, "ZZ");
		snprintf(id, il, "%s", v);
	}
}

static const struct cfg_drop *drop_of(const struct config *cfg, const char *endpoint)
{
	for (size_t i = 0; endpoint && i < cfg->n_drops; i++)
		if (strcmp(cfg->drops[i].name, endpoint) == 0)
			return &cfg->drops[i];
	return NULL;
}

static int next(struct store *st, const char *kind, const char *partner, int64_t *v)
{
	char name[200];
	snprintf(name, sizeof(name), "%s:%s", kind, partner ? partner : "-");
	return store_counter_next(st, name, v);
}

/* The outbound file name carries references from the partner's interchange
 * (ISA13, UNB 0020, the PO number): anything but letters, digits, '-', '_'
 * and '.' becomes '_', and no name starts with '.', so a reference such as
 * "../../x" can never place a file outside the outbound folder. */
static void safe_file_name(char *file)
{
	for (char *c = file; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
		      *c == '-' || *c == '_' || (*c == '.' && c > file && c[-1] != '.')))
			*c = '_';
}

static int queue(struct store *st, const char *kind, const char *outbound, char *file,
		 const struct buf *b, int64_t order_id, int64_t doc_id)
{
	safe_file_name(file);
	char id[300];
	snprintf(id, sizeof(id), "edi.%s.%s", kind, file);
	struct store_outbox_new m = {
		.message_id = id, .kind = kind, .channel = "edi", .recipient = outbound, .subject = file,
		.data = b->data, .len = b->len, .order_id = order_id, .document_id = doc_id,
	};
	int64_t oid;
	if (store_outbox_add(st, &m, &oid) < 0)
		return -1;
	char d[400];
	snprintf(d, sizeof(d), "%s %s to %s", kind, file, outbound);
	return store_audit(st, "ordergw", "outbox", oid, "queued", d);
}

static void today(char date[9], char hhmm[5])
{
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(date, 9, "%Y%m%d", &tm);
	strftime(hhmm, 5, "%H%M", &tm);
}

int ediresp_technical(const struct config *cfg, struct store *st, const struct store_doc *doc,
		      const struct parse_output *po)
{
	const struct cfg_drop *drop = drop_of(cfg, doc->endpoint);
	if (po->ack == NULL || drop == NULL || drop->outbound == NULL)
		return 0;
	char q[8], id[64], date[9], hhmm[5];
	our_id(cfg, q, sizeof(q), id, sizeof(id));
	today(date, hhmm);
	struct buf b;
	buf_init(&b, 64u << 20);
	int ret = 0;
	if (po->ack_free == x12_ack_info_free) {
		const struct ack_info *ack = po->ack;
		for (size_t i = 0; i < ack->n_interchanges && ret == 0; i++) {
			const struct x12_ack_interchange *ic = &ack->interchanges[i];
			char partner[40];
			snprintf(partner, sizeof(partner), "%s:%s", ic->sender_qualifier, ic->sender_id);
			const struct cfg_partner *p = config_partner_by_edi(cfg, partner);
			int64_t isa, gs, set;
			if (next(st, "x12-isa", p ? p->id : partner, &isa) < 0 ||
			    next(st, "x12-gs", p ? p->id : partner, &gs) < 0 ||
			    next(st, "x12-st", p ? p->id : partner, &set) < 0) {
				ret = -1;
				break;
			}
			struct x12_reply r = { .sender_qualifier = q, .sender_id = id,
					       .interchange_control = (unsigned long)(isa % 1000000000),
					       .group_control = (unsigned long)gs, .set_control = (unsigned long)set,
					       .date = date, .time = hhmm };
			const char *err;
			buf_reset(&b);
			if (x12_ack_write_997(ack, i, &r, &b, &err) < 0) {
				/* Nothing to acknowledge in it (a 997 itself, say): not an error. */
				log_debug("document %lld: no 997: %s", (long long)doc->id, err);
				continue;
			}
			char file[200];
			snprintf(file, sizeof(file), "997_%09lld_%s.x12", (long long)isa, ic->control);
			ret = queue(st, "997", drop->outbound, file, &b, 0, doc->id);
		}
	} else {
		const struct edifact_ack *ack = edifact_ack_of(po->ack);
		for (size_t i = 0; i < ack->n_interchanges && ret == 0; i++) {
			const struct edifact_ack_interchange *ic = &ack->interchanges[i];
			char partner[80];
			snprintf(partner, sizeof(partner), "%s:%s", ic->sender_qual, ic->sender);
			const struct cfg_partner *p = config_partner_by_edi(cfg, partner);
			int64_t ref;
			if (next(st, "edifact-unb", p ? p->id : partner, &ref) < 0) {
				ret = -1;
				break;
			}
			char refs[16];
			snprintf(refs, sizeof(refs), "%lld", (long long)ref);
			struct edifact_ack_ids ids = { .sender = id, .sender_qual = q, .control_ref = refs,
						       .date = date, .time = hhmm };
			const char *err;
			buf_reset(&b);
			if (edifact_write_contrl(ack, i, &ids, &b, &err) < 0) {
				log_debug("document %lld: no CONTRL: %s", (long long)doc->id, err);
				continue;
			}
			char file[200];
			snprintf(file, sizeof(file), "CONTRL_%s_%s.edi", refs, ic->control_ref);
			ret = queue(st, "CONTRL", drop->outbound, file, &b, 0, doc->id);
		}
	}
	buf_free(&b);
	return ret;
}

/* Re-read the stored document to find the interchange this order came in. */
struct find_ctx {
	const char *interchange;
};

static int ignore_order(void *ctx, struct order *o, struct diags *d)
{
	(void)ctx;
	(void)o;
	(void)d;
	return 0;
}

int ediresp_business(const struct config *cfg, struct store *st, int64_t order_id, bool accepted,
		     const char *reason)
{
	struct store_order_row row = { 0 };
	struct store_doc doc = { 0 };
	struct arena *a = NULL;
	struct order *o = NULL;
	struct buf b;
	buf_init(&b, 64u << 20);
	struct diags d;
	diags_init(&d);
	struct parse_output po;
	parse_output_init(&po, &d);
	int ret = 0;
	const char *err = NULL;
	int found = store_order_get(st, order_id, &row);
	if (found > 0)
		found = store_doc_get(st, row.document_id, &doc);
	if (found <= 0) {
		ret = found;   /* a store error is one; no such order is nothing to answer */
		goto out;
	}
	const struct cfg_drop *drop = drop_of(cfg, doc.endpoint);
	if (drop == NULL || drop->outbound == NULL)
		goto out;
	a = arena_new(cfg->max_order_bytes);
	if (order_from_json(a, row.record, strlen(row.record), &o, &err) < 0)
		goto out;
	const char *fmt = o->format ? o->format : "";
	bool x12 = strncmp(fmt, "x12-", 4) == 0, edi = strcmp(fmt, "edifact-orders") == 0;
	bool ubl = strcmp(fmt, "ubl-order") == 0;
	if (!x12 && !edi && !ubl)
		goto out;
	char q[8], id[64], date[9], hhmm[5], ours[40];
	our_id(cfg, q, sizeof(q), id, sizeof(id));
	today(date, hhmm);
	snprintf(ours, sizeof(ours), "ORD-%lld", (long long)order_id);
	char file[300];
	const char *kind;
	if (ubl) {
		char iso[11];
		snprintf(iso, sizeof(iso), "%.4s-%.2s-%.2s", date, date + 4, date + 6);
		struct ubl_response r = { .id = ours, .issue_date = iso, .accepted = accepted, .reason = reason };
		if (ubl_response_write(o, &r, &b, &err) < 0)
			goto out;
		kind = "OrderResponseSimple";
		snprintf(file, sizeof(file), "OrderResponse_%s_%s.xml", ours, o->po_number ? o->po_number : "");
	} else {
		/* The interchange data lives in the document: parse it again. */
		const struct parser *p = parser_find(x12 ? "x12" : "edifact");
		struct parse_input pi = { .data = doc.data, .len = doc.len, .name = doc.name,
					  .max_order_bytes = cfg->max_order_bytes };
		po.emit = ignore_order;
		if (p == NULL || p->parse(&pi, &po) < 0 || po.ack == NULL)
			goto out;
		const char *icref = o->source.interchange ? o->source.interchange : "";
		if (x12) {
			const struct ack_info *ack = po.ack;
			const struct x12_ack_interchange *ic = NULL;
			for (size_t i = 0; i < ack->n_interchanges && ic == NULL; i++)
				if (strcmp(ack->interchanges[i].control, icref) == 0)
					ic = &ack->interchanges[i];
			if (ic == NULL && ack->n_interchanges > 0)
				ic = &ack->interchanges[0];
			if (ic == NULL)
				goto out;
			int64_t isa, gs, set;
			if (next(st, "x12-isa", o->partner_id, &isa) < 0 || next(st, "x12-gs", o->partner_id, &gs) < 0 ||
			    next(st, "x12-st", o->partner_id, &set) < 0) {
				ret = -1;
				goto out;
			}
			struct x12_reply r = { .sender_qualifier = q, .sender_id = id,
					       .interchange_control = (unsigned long)(isa % 1000000000),
					       .group_control = (unsigned long)gs, .set_control = (unsigned long)set,
					       .date = date, .time = hhmm };
			if (x12_ack_write_855(o, accepted ? "AD" : "RD", ours, reason, ic, &r, &b, &err) < 0)
				goto out;
			kind = "855";
			snprintf(file, sizeof(file), "855_%09lld_%s.x12", (long long)isa, o->po_number ? o->po_number : "");
		} else {
			const struct edifact_ack *ack = edifact_ack_of(po.ack);
			const struct edifact_ack_interchange *ic = NULL;
			for (size_t i = 0; i < ack->n_interchanges && ic == NULL; i++)
				if (strcmp(ack->interchanges[i].control_ref, icref) == 0)
					ic = &ack->interchanges[i];
			if (ic == NULL && ack->n_interchanges > 0)
				ic = &ack->interchanges[0];
			if (ic == NULL)
				goto out;
			int64_t ref;
			if (next(st, "edifact-unb", o->partner_id, &ref) < 0) {
				ret = -1;
				goto out;
			}
			char refs[16];
			snprintf(refs, sizeof(refs), "%lld", (long long)ref);
			struct edifact_ack_ids ids = { .sender = id, .sender_qual = q, .control_ref = refs,
						       .date = date, .time = hhmm };
			struct edifact_ordrsp r = { .code = accepted ? ORDRSP_ACCEPT : ORDRSP_REJECT, .number = ours,
						    .reason = reason };
			if (edifact_write_ordrsp(o, ic, &r, &ids, &b, &err) < 0)
				goto out;
			kind = "ORDRSP";
			snprintf(file, sizeof(file), "ORDRSP_%s_%s.edi", refs, o->po_number ? o->po_number : "");
		}
	}
	ret = queue(st, kind, drop->outbound, file, &b, order_id, doc.id);
out:
	if (err != NULL && ret == 0)
		log_warnx("order %lld: no EDI answer: %s", (long long)order_id, err);
	parse_output_free(&po);
	diags_free(&d);
	arena_free(&a);
	buf_free(&b);
	store_doc_clear(&doc);
	store_order_row_clear(&row);
	return ret;
}
