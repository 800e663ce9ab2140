/* pipeline.c — stored document -> orders, exceptions, queue items and
 * messages, in one transaction per document (see pipeline.h).
 *
 * Who owns what: the document row and its bytes belong to the store; one
 * struct doc_run lives for one document; each order record is valid only
 * inside the emit callback (the parser's arena), so everything about an
 * order is decided and written there.  How it fails: a store error rolls
 * the whole document back (it is tried again later); an error that comes
 * back for the same document quarantines it as an "internal" exception. */
#include "pipeline.h"
#include "routing.h"
#include "stagequeue.h"
#include "buf.h"
#include "acceptance.h"
#include "config.h"
#include "extract.h"
#include "log.h"
#include "notify.h"
#include "order.h"
#include "reply.h"
#include "ediresp.h"
#include "text.h"
#include "store.h"
#include "limits.h"
#include <errno.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

struct doc_run {
	const struct config *cfg;
	struct store *st;
	struct store_doc *doc;
	struct pipeline_stats *stats;
	bool is_email;
	struct extract_mail mail;
	bool have_mail;
	const struct cfg_rule *rule;
	const struct cfg_partner *mail_partner;
	int accepted, exceptions, duplicates;
	bool failed;
	char error[512];
	struct buf outcome;
	/* An answer to one of our clarifications: the pending order it completes. */
	struct store_exception_row reply_exc;
	struct arena *reply_arena;
	struct order *reply_order;
	int reply_changes;
	struct buf reply_changed;
	const struct text_rules *rules_used;
};

static void fail(struct doc_run *r, const char *what)
{
	if (!r->failed)
		snprintf(r->error, sizeof(r->error), "%s", what);
	r->failed = true;
}

/* The document's audit line: like any other row, one that cannot be written
 * fails the document (its savepoint is rolled back and it is tried again). */
static int audit(struct doc_run *r, const char *entity, int64_t id, const char *action, const char *detail)
{
	if (store_audit(r->st, "ordergw", entity, id, action, detail) < 0) {
		fail(r, store_error(r->st));
		return -1;
	}
	return 0;
}

static void outcome_add(struct doc_run *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void outcome_add(struct doc_run *r, const char *fmt, ...)
{
	char tmp[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (r->outcome.len > 0)
		buf_adds(&r->outcome, "; ");
	buf_adds(&r->outcome, tmp);
}

/* ---- classification ----------------------------------------------------- */

/* Does this mail answer one of our clarification requests?  Matched by
 * In-Reply-To/References against the Message-IDs we sent, else by the
 * token in the subject, and only when it comes from the same partner: a
 * stranger quoting a token cannot complete somebody's order. */
static void find_clarification(struct doc_run *r, const struct extract_mail *mail)
{
	int64_t eid = 0;
	int found = 0;
	struct buf ids;
	buf_init(&ids, 65536);
	if (mail->in_reply_to)
		buf_printf(&ids, "%s ", mail->in_reply_to);
	if (mail->references)
		buf_adds(&ids, mail->references);
	for (char *p = ids.data; p && *p && !found;) {
		while (*p == ' ' || *p == '<' || *p == '>' || *p == '\t' || *p == ',')
			p++;
		char *e = p;
		while (*e && *e != ' ' && *e != '<' && *e != '>' && *e != '\t' && *e != ',')
			e++;
		char save = *e;
		*e = '\0';
		if (*p)
			found = store_exception_by_ref(r->st, NULL, p, &eid);
		*e = save;
		p = e;
	}
	buf_free(&ids);
	char token[32];
	if (found <= 0 && reply_token(mail->subject, token, sizeof(token)) == 0)
		found = store_exception_by_ref(r->st, token, NULL, &eid);
	if (found <= 0)
		return;
	struct store_exception_row ex = { 0 };
	if (store_exception_get(r->st, eid, &ex) <= 0 || ex.order_id == 0 || r->mail_partner == NULL ||
	    ex.partner_id == NULL || strcmp(ex.partner_id, r->mail_partner->id) != 0) {
		if (ex.id != 0)
			audit(r, "exception", ex.id, "reply ignored",
			      "a message quoting this clarification came from another sender");
		store_exception_row_clear(&ex);
		return;
	}
	struct store_order_row row = { 0 };
	const char *err = NULL;
	r->reply_arena = arena_new(r->cfg->max_order_bytes);
	if (store_order_get(r->st, ex.order_id, &row) <= 0 ||
	    order_from_json(r->reply_arena, row.record, strlen(row.record), &r->reply_order, &err) < 0) {
		r->reply_order = NULL;
		store_exception_row_clear(&ex);
		store_order_row_clear(&row);
		return;
	}
	store_order_row_clear(&row);
	r->reply_exc = ex;
	buf_init(&r->reply_changed, 8192);
}

static void on_headers(void *ctx, const struct extract_mail *mail, struct extract_input *in)
{
	struct doc_run *r = ctx;
	r->rule = config_rule_for_mail(r->cfg, r->doc->endpoint, mail->from_addr, mail->subject);
	const struct cfg_partner *p = NULL;
	if (r->rule && r->rule->partner)
		p = config_partner(r->cfg, r->rule->partner);
	if (p == NULL)
		p = config_partner_by_email(r->cfg, mail->from_addr);
	r->mail_partner = p;
	if (r->rule) {
		/* Attachments are always sniffed; a rule picks the rule set for
		 * the text body and the column map for CSV attachments. */
		if (r->rule->rules)
			in->rules = r->rule->rules;
		if (r->rule->csv_map)
			in->csv_map = r->rule->csv_map;
	}
	if (in->rules == NULL && p && p->rules)
		in->rules = p->rules;
	if (in->csv_map == NULL && p && p->csv_map)
		in->csv_map = p->csv_map;
	r->rules_used = in->rules;
	find_clarification(r, mail);
}

static const struct cfg_partner *partner_for(struct doc_run *r, const struct order *o)
{
	if (r->mail_partner)
		return r->mail_partner;
	const struct cfg_partner *p = config_partner_by_edi(r->cfg, o->source.sender);
	if (p == NULL && o->parties[ROLE_BUYER] != NULL) {
		const struct party *b = o->parties[ROLE_BUYER];
		for (size_t i = 0; i < b->n_ids && p == NULL; i++)
			p = config_partner_by_edi(r->cfg, b->ids[i].value);
	}
	return p;
}

/* Where answers about this order go: the mail's sender, or for EDI the
 * partner's first plain address. */
static const char *recipient_for(struct doc_run *r, const struct cfg_partner *p)
{
	if (r->is_email)
		return p != NULL ? r->mail.from_addr : NULL;   /* never answer strangers (backscatter) */
	if (p == NULL)
		return NULL;
	for (size_t i = 0; i < p->emails.n; i++)
		if (strchr(p->emails.v[i], '*') == NULL)
			return p->emails.v[i];
	return NULL;
}

static void fill_notify(struct doc_run *r, struct notify_ctx *n, const char *to,
			const struct cfg_partner *p)
{
	memset(n, 0, sizeof(*n));
	n->recipient = to;
	n->document_id = r->doc->id;
	n->locale = p ? p->locale : r->cfg->default_locale;
	n->partner_id = p ? p->id : NULL;
	n->partner_name = p ? p->name : NULL;
	if (r->is_email) {
		n->recipient_name = r->mail.from_display;
		n->in_reply_to = r->mail.message_id;
		n->references = r->mail.references;
		n->subject = r->mail.subject;
	}
}

/* ---- one order ------------------------------------------------------------ */

/* What a clarification asks for: the blocking problems only; warnings are
 * for sales, not worth a customer's time. */
static json_object *blocking_only(json_object *problems)
{
	json_object *out = json_object_new_array();
	for (size_t i = 0; problems && i < json_object_array_length(problems); i++) {
		json_object *p = json_object_array_get_idx(problems, i), *sev;
		if (json_object_object_get_ex(p, "severity", &sev) &&
		    strcmp(json_object_get_string(sev), "blocking") == 0)
			json_object_array_add(out, json_object_get(p));
	}
	return out;
}

static char *summary_of(const struct order *o, const struct cfg_partner *p, json_object *problems,
			const char *lead)
{
	struct buf b;
	buf_init(&b, 2048);
	buf_printf(&b, "%s%s%s%s%s", lead, o->po_number ? " PO " : "", o->po_number ? o->po_number : "",
		   p ? " from " : "", p ? p->name : "");
	int shown = 0;
	for (size_t i = 0; problems && i < json_object_array_length(problems) && shown < 3; i++) {
		json_object *pr = json_object_array_get_idx(problems, i), *sev, *msg;
		if (json_object_object_get_ex(pr, "severity", &sev) &&
		    strcmp(json_object_get_string(sev), "blocking") != 0)
			continue;
		if (json_object_object_get_ex(pr, "message", &msg))
			buf_printf(&b, "%s%s", shown++ ? " " : ": ", json_object_get_string(msg));
	}
	char *s = buf_steal(&b, NULL);
	return s ? s : strdup(lead);
}

static int record_exception(struct doc_run *r, struct order *o, const struct cfg_partner *p,
			    int64_t order_id, const char *reason, json_object *problems,
			    const char *summary, const char *diags_json)
{
	int64_t n, eid;
	char token[32] = "";
	const char *to = o ? recipient_for(r, p) : (r->is_email && r->mail_partner ? r->mail.from_addr : NULL);
	bool clarify = to != NULL && (strcmp(reason, "incomplete") == 0 || strcmp(reason, "invalid") == 0);
	if (clarify) {
		if (store_counter_next(r->st, "clarification", &n) < 0)
			return -1;
		snprintf(token, sizeof(token), "OG-%lld", (long long)n);
	}
	struct store_exception_new e = {
		.document_id = r->doc->id, .order_id = order_id,
		.partner_id = p ? p->id : (o ? o->partner_id : NULL),
		.reason = reason, .summary = summary,
		.problems = problems ? json_object_to_json_string_ext(problems, JSON_C_TO_STRING_PLAIN) : "[]",
		.diagnostics = diags_json, .sender = r->is_email ? r->mail.from_addr : NULL,
		.token = clarify ? token : NULL,
	};
	if (store_exception_add(r->st, &e, &eid) < 0 || audit(r, "exception", eid, "raised", summary) < 0)
		return -1;
	r->exceptions++;
	r->stats->exceptions++;
	if (clarify) {
		struct notify_ctx nc;
		fill_notify(r, &nc, to, p);
		nc.token = token;
		json_object *ask = blocking_only(problems);
		nc.problems = ask;
		nc.order_id = order_id;
		nc.exception_id = eid;
		const char *err;
		int nq = notify_queue(r->st, r->cfg, NOTIFY_CLARIFICATION, o, &nc, &err);
		json_object_put(ask);
		if (nq < 0)
			return -1;   /* the store refused it: the document is rolled back */
		if (nq > 0) {
			/* A bad address or template must not hold up the order itself. */
			log_warnx("exception %lld: no clarification sent: %s", (long long)eid, err);
			if (audit(r, "exception", eid, "no clarification sent", err) < 0)
				return -1;
		} else {
			r->stats->messages++;
		}
	}
	return 0;
}

static int emit_order(void *ctx, struct order *o, struct diags *od)
{
	struct doc_run *r = ctx;
	struct store *st = r->st;
	const struct cfg_partner *p = partner_for(r, o);
	struct buf rec, dj;
	buf_init(&rec, 256u << 20);
	buf_init(&dj, 1u << 20);
	json_object *problems = NULL;
	char *summary = NULL;
	int ret = -1;

	if (r->failed)
		return -1;   /* the document is rolled back: nothing more to decide */
	if (r->reply_order != NULL && !(o->po_number && r->reply_order->po_number &&
					 strcmp(o->po_number, r->reply_order->po_number) != 0 && o->n_lines > 0)) {
		/* The answer completes the pending order; a different PO with its
		 * own lines is a new order and is filed as one. */
		int n = reply_merge(r->reply_order, o, &r->reply_changed);
		if (n < 0) {
			fail(r, "the answered order is too large");
			return -1;
		}
		r->reply_changes += n + 1;
		return 0;
	}
	o->partner_id = p ? p->id : NULL;
	o->source.channel = r->doc->channel;
	o->source.endpoint = r->doc->endpoint;
	o->source.received_at = r->doc->received_at;
	if (o->source.document == NULL)
		o->source.document = r->doc->name;
	if (r->is_email) {
		o->source.message_id = r->mail.message_id;
		o->source.sender = r->mail.from_addr;
	}
	if (r->is_email)
		acceptance_fill_buyer(o, p, r->mail.from_display, r->mail.from_addr);
	if (o->currency == NULL && p != NULL && p->currency != NULL) {
		o->currency = p->currency;
		order_add_note(o, "Currency not stated in the order; taken from the agreement with this customer.");
	}

	struct acceptance cr;
	if (acceptance_check(o, p, r->cfg, &cr) < 0) {
		fail(r, "validation failed");
		goto out;
	}
	problems = cr.problems;
	if (od != NULL && od->n_errors > 0)
		diags_to_json(od, &dj);
	else
		buf_adds(&dj, "[]");
	const char *hash = order_content_hash(o);
	if (order_to_json(o, &rec) < 0 || hash == NULL) {
		fail(r, "order record too large");
		goto out;
	}
	const char *problems_s = json_object_to_json_string_ext(problems, JSON_C_TO_STRING_PLAIN);

	/* V5: the same PO number from the same partner. */
	struct store_order_row prev = { 0 };
	int found = o->po_number ? store_order_find(st, o->partner_id, o->po_number, &prev) : 0;
	if (found < 0) {
		fail(r, store_error(st));
		goto out;
	}
	const char *dt = o->document_type ? o->document_type : "new";
	struct store_order_new on = {
		.document_id = r->doc->id, .partner_id = o->partner_id, .po_number = o->po_number,
		.format = o->format, .document_type = dt, .content_hash = hash, .record = rec.data,
		.problems = problems_s,
	};
	int64_t oid;
	if (found && strcmp(dt, "new") == 0 && strcmp(prev.content_hash, hash) == 0) {
		/* An identical resend: nothing new is created. */
		char d[128];
		snprintf(d, sizeof(d), "identical to order %lld (PO %s)", (long long)prev.id, o->po_number);
		int64_t prev_id = prev.id;
		store_order_row_clear(&prev);
		if (audit(r, "order", prev_id, "duplicate received", d) < 0)
			goto store_fail;
		outcome_add(r, "duplicate of order %lld", (long long)prev_id);
		r->duplicates++;
		r->stats->duplicates++;
		ret = 0;
		goto out;
	}
	if (found || strcmp(dt, "new") != 0) {
		const char *reason, *lead;
		if (found && strcmp(dt, "new") == 0) {
			reason = "duplicate_po";
			lead = "PO number already used:";
		} else if (!found) {
			reason = "unknown_po";
			lead = strcmp(dt, "cancel") == 0 ? "Cancellation for an unknown order:" : "Change for an unknown order:";
		} else {
			reason = strcmp(dt, "cancel") == 0 ? "cancel" : "change";
			lead = strcmp(dt, "cancel") == 0 ? "Cancellation of" : "Change to";
		}
		store_order_row_clear(&prev);
		on.status = "exception";
		if (store_order_add(st, &on, &oid) < 0)
			goto store_fail;
		if (audit(r, "order", oid, "received", dt) < 0)
			goto store_fail;
		summary = summary_of(o, p, NULL, lead);
		if (record_exception(r, o, p, oid, reason, problems, summary, dj.data) < 0)
			goto store_fail;
		outcome_add(r, "exception for order %lld", (long long)oid);
		ret = 0;
		goto out;
	}
	store_order_row_clear(&prev);
	if (!cr.blocking) {
		const char *stage;
		char rule[ROUTING_RULE_MAX];
		routing_route(r->cfg, p, o, &stage, rule);
		on.status = "accepted";
		on.stage = stage;
		on.route_rule = rule;
		if (store_order_add(st, &on, &oid) < 0)
			goto store_fail;
		char d[300];
		snprintf(d, sizeof(d), "complete; queued for %s (%s)", stage, rule);
		if (audit(r, "order", oid, "accepted", d) < 0)
			goto store_fail;
		if (stagequeue_enter(st, r->cfg, oid, stage, "ordergw", rec.data, o, NULL) < 0)
			goto store_fail;
		const char *to = recipient_for(r, p);
		if (to != NULL) {
			struct notify_ctx nc;
			fill_notify(r, &nc, to, p);
			nc.order_id = oid;
			const char *err;
			/* An order waiting for review gets a receipt now and the formal
			 * confirmation when review releases it; one routed past review
			 * is confirmed at once. */
			enum notify_kind k = strcmp(stage, "review") == 0 ? NOTIFY_RECEIPT : NOTIFY_CONFIRMATION;
			int nq = notify_queue(st, r->cfg, k, o, &nc, &err);
			if (nq < 0)
				goto store_fail;
			if (nq > 0) {
				log_warnx("order %lld: no %s sent: %s", (long long)oid, notify_kind_names[k], err);
				if (audit(r, "order", oid, "no confirmation sent", err) < 0)
					goto store_fail;
			} else {
				r->stats->messages++;
			}
		}
		/* Routed past review: confirmed now, in the partner's own syntax too. */
		if (strcmp(stage, "review") != 0 && ediresp_business(r->cfg, st, oid, true, NULL) < 0)
			goto store_fail;
		r->accepted++;
		r->stats->orders_accepted++;
		outcome_add(r, "order %lld accepted", (long long)oid);
	} else {
		on.status = "exception";
		if (store_order_add(st, &on, &oid) < 0)
			goto store_fail;
		if (audit(r, "order", oid, "held", cr.status) < 0)
			goto store_fail;
		summary = summary_of(o, p, problems, strcmp(cr.status, "invalid") == 0 ? "Invalid order" : "Incomplete order");
		if (record_exception(r, o, p, oid, cr.status, problems, summary, dj.data) < 0)
			goto store_fail;
		outcome_add(r, "order %lld held as an exception", (long long)oid);
	}
	ret = 0;
	goto out;
store_fail:
	fail(r, store_error(st));
out:
	free(summary);
	json_object_put(problems);
	buf_free(&rec);
	buf_free(&dj);
	return r->failed ? -1 : ret;
}

/* ---- answers to clarifications --------------------------------------------------- */

/* Merge what the answer says (if the parsers did not already), validate the
 * pending order again, and either accept it or ask for what is still
 * missing.  Runs inside the document's transaction. */
static void finish_reply(struct doc_run *r, struct diags *d)
{
	struct store *st = r->st;
	struct order *o = r->reply_order;
	const struct cfg_partner *p = r->mail_partner;
	int64_t eid = r->reply_exc.id, oid = r->reply_exc.order_id;
	if (r->reply_changes == 0 && r->mail.body_text != NULL) {
		/* The answer as plain lines ("Delivery date: 2027-03-15"), read
		 * with the same rules; quoted text is ignored by the rules. */
		struct arena *a = arena_new(1u << 20);
		struct order *tmp = order_new(a);
		if (tmp != NULL && text_extract_header(r->rules_used, r->mail.body_text,
						       strlen(r->mail.body_text), tmp, d) >= 0)
			r->reply_changes = reply_merge(o, tmp, &r->reply_changed);
		arena_free(&a);
		if (r->reply_changes < 0) {
			fail(r, "the answered order is too large");
			return;
		}
	}
	char detail[1024];
	snprintf(detail, sizeof(detail), "answer %s from %s: %s", r->mail.message_id ? r->mail.message_id : "",
		 r->mail.from_addr ? r->mail.from_addr : "", r->reply_changed.len ? r->reply_changed.data : "nothing usable");
	if (audit(r, "exception", eid, "customer answered", detail) < 0 ||
	    audit(r, "order", oid, "customer answered", detail) < 0)
		return;
	struct acceptance cr;
	struct buf rec;
	buf_init(&rec, 256u << 20);
	const char *hash = order_content_hash(o);
	if (acceptance_check(o, p, r->cfg, &cr) < 0 || order_to_json(o, &rec) < 0 || hash == NULL) {
		buf_free(&rec);
		fail(r, "the answered order could not be validated");
		return;
	}
	const char *problems_s = json_object_to_json_string_ext(cr.problems, JSON_C_TO_STRING_PLAIN);
	if (!cr.blocking) {
		/* Routed and queued as any complete order is: [route] rules,
		 * the stage's webhook and message, the EDI answer. */
		const char *stage;
		char rule[ROUTING_RULE_MAX];
		routing_route(r->cfg, p, o, &stage, rule);
		if (store_order_update(st, oid, "accepted", stage, rec.data, problems_s, hash) < 0 ||
		    store_order_route(st, oid, NULL, NULL, rule) < 0 ||
		    store_exception_close(st, eid, "resolved") < 0 ||
		    audit(r, "exception", eid, "resolved", "completed by the customer's answer") < 0 ||
		    audit(r, "order", oid, "accepted", stage) < 0 ||
		    stagequeue_enter(st, r->cfg, oid, stage, "ordergw", rec.data, o, NULL) < 0 ||
		    (strcmp(stage, "review") != 0 && ediresp_business(r->cfg, st, oid, true, NULL) < 0)) {
			fail(r, store_error(st));
			goto out;
		}
		struct notify_ctx nc;
		fill_notify(r, &nc, r->mail.from_addr, p);
		nc.order_id = oid;
		const char *err;
		enum notify_kind k = strcmp(stage, "review") == 0 ? NOTIFY_RECEIPT : NOTIFY_CONFIRMATION;
		int nq = notify_queue(st, r->cfg, k, o, &nc, &err);
		if (nq < 0) {
			fail(r, err);
			goto out;
		}
		if (nq > 0)
			log_warnx("order %lld: no %s sent: %s", (long long)oid, notify_kind_names[k], err);
		else
			r->stats->messages++;
		r->accepted++;
		r->stats->orders_accepted++;
		outcome_add(r, "answer to %s: order %lld accepted", r->reply_exc.token ? r->reply_exc.token : "", (long long)oid);
	} else {
		char *summary = summary_of(o, p, cr.problems, "Still incomplete after the customer's answer:");
		if (store_order_update(st, oid, NULL, NULL, rec.data, problems_s, hash) < 0 ||
		    store_exception_update(st, eid, cr.status, summary, problems_s) < 0) {
			free(summary);
			fail(r, store_error(st));
			goto out;
		}
		free(summary);
		/* A shorter follow-up: the problems left are all it names. */
		struct notify_ctx nc;
		fill_notify(r, &nc, r->mail.from_addr, p);
		nc.token = r->reply_exc.token;
		json_object *ask = blocking_only(cr.problems);
		nc.problems = ask;
		nc.order_id = oid;
		nc.exception_id = eid;
		const char *err;
		int nq = notify_queue(st, r->cfg, NOTIFY_CLARIFICATION, o, &nc, &err);
		json_object_put(ask);
		if (nq < 0) {
			fail(r, err);
			goto out;
		}
		if (nq > 0)
			log_warnx("exception %lld: no follow-up sent: %s", (long long)eid, err);
		else
			r->stats->messages++;
		if (audit(r, "exception", eid, "follow-up", "asked again for what is still missing") < 0)
			goto out;
		outcome_add(r, "answer to %s: order %lld still incomplete", r->reply_exc.token ? r->reply_exc.token : "",
			    (long long)oid);
	}
out:
	json_object_put(cr.problems);
	buf_free(&rec);
}

/* ---- one document ------------------------------------------------------------ */

static int document_exception(struct doc_run *r, const char *reason, const char *summary,
			      const struct diags *d)
{
	struct buf dj;
	buf_init(&dj, 1u << 20);
	if (d != NULL)
		diags_to_json(d, &dj);
	else
		buf_adds(&dj, "[]");
	int rc = record_exception(r, NULL, r->mail_partner, 0, reason, NULL, summary, dj.data);
	buf_free(&dj);
	if (rc < 0)
		fail(r, store_error(r->st));
	return rc;
}

/* One document.  batched: the caller holds a transaction and this document
 * is a savepoint in it (undone alone on failure); otherwise it is a
 * transaction of its own.  On failure *why says what went wrong. */
static int process(const struct config *cfg, struct store *st, struct store_doc *doc,
		   struct pipeline_stats *stats, bool batched, char why[512])
{
	struct doc_run r = { .cfg = cfg, .st = st, .doc = doc, .stats = stats };
	buf_init(&r.outcome, 8192);
	r.is_email = strcmp(doc->channel, "imap") == 0 || strcmp(doc->channel, "maildir") == 0;
	struct diags d;
	diags_init(&d);
	d.prefix = doc->name ? doc->name : doc->source_key;
	int ret = -1;

	if ((batched ? store_savepoint(st) : store_begin(st)) < 0) {
		fail(&r, store_error(st));
		log_warnx("document %lld: %s", (long long)doc->id, r.error);
		goto out;
	}
	if (audit(&r, "document", doc->id, "processing", doc->source_key) < 0)
		goto rollback;
	if (doc->truncated) {
		char s[256];
		snprintf(s, sizeof(s), "Message over the size limit of %zu bytes (max_message_bytes); "
			 "only its headers were kept", cfg->max_message_bytes);
		diag_add(&d, DIAG_ERROR, NULL, "%s", s);
		/* Not stored: roll back rather than mark the document done
		 * without its exception (it would be lost). */
		if (document_exception(&r, "too_large", s, &d) < 0)
			goto rollback;
		outcome_add(&r, "too large (%zu bytes)", doc->full_size);
		goto finish;
	}
	struct parse_output po;
	parse_output_init(&po, &d);
	po.emit = emit_order;
	po.ctx = &r;
	struct extract_input in = {
		.data = doc->data, .len = doc->len, .name = d.prefix, .format = NULL,
		.is_email = r.is_email, .max_order_bytes = cfg->max_order_bytes,
		.max_mime_parts = cfg->max_mime_parts, .max_mime_depth = cfg->max_mime_depth,
		.on_headers = on_headers, .on_headers_ctx = &r,
	};
	int er = extract_document(&in, &po, r.is_email ? &r.mail : NULL);
	if (!r.failed && !r.is_email && ediresp_technical(cfg, st, doc, &po) < 0)
		fail(&r, store_error(st));
	if (r.failed) {
		parse_output_free(&po);
		goto rollback;
	}
	if (r.reply_order != NULL && !r.failed) {
		finish_reply(&r, &d);
		parse_output_free(&po);
		if (r.failed)
			goto rollback;
		goto finish;
	}
	size_t orders = r.accepted + r.exceptions + r.duplicates;
	if (po.n_rejected > 0 || (orders > 0 && d.n_errors > 0)) {
		char s[256];
		snprintf(s, sizeof(s), "%zu order(s) in this document were rejected: %s", po.n_rejected ? po.n_rejected : d.n_errors,
			 d.n ? d.items[0].message : "see diagnostics");
		document_exception(&r, "rejected", s, &d);
	} else if (orders == 0 && po.not_order != NULL) {
		char s[256];
		snprintf(s, sizeof(s), "not an order: %s", po.not_order);
		if (r.is_email)
			document_exception(&r, "no_order", s, &d);
		outcome_add(&r, "%s", s);
		stats->ignored++;
	} else if (orders == 0) {
		struct buf sb;
		buf_init(&sb, 4096);
		const char *first = diags_first_error(&d, &sb);
		char s[600];
		if (er < 0 || first != NULL)
			snprintf(s, sizeof(s), "Could not be read: %s", first ? first : "unknown format");
		else
			snprintf(s, sizeof(s), "No order found%s%s", r.is_email ? " in the message from " : "",
				 r.is_email && r.mail.from_addr ? r.mail.from_addr : "");
		buf_free(&sb);
		document_exception(&r, er < 0 || d.n_errors ? "unreadable" : "no_order", s, &d);
		outcome_add(&r, "exception: %s", s);
	}
	parse_output_free(&po);
	if (r.failed)
		goto rollback;
finish:
	if (store_doc_done(st, doc->id, r.outcome.data ? r.outcome.data : "", r.is_email ? r.mail.message_id : NULL,
			   r.is_email ? r.mail.from_addr : NULL, r.is_email ? r.mail.subject : NULL) < 0 ||
	    audit(&r, "document", doc->id, "processed", r.outcome.data) < 0 ||
	    (batched ? store_release(st) : store_commit(st)) < 0) {
		fail(&r, store_error(st));
		goto rollback;
	}
	stats->documents++;
	ret = 0;
	goto out;
rollback:
	if (batched)
		store_rollback_to(st);
	else
		store_rollback(st);
	log_warnx("document %lld: processing failed: %s", (long long)doc->id, r.error);
	ret = -1;
out:
	if (ret < 0)
		snprintf(why, 512, "%s", r.failed ? r.error : "the store refused the result");
	if (r.have_mail || r.is_email)
		extract_mail_free(&r.mail);
	store_exception_row_clear(&r.reply_exc);
	arena_free(&r.reply_arena);
	buf_free(&r.reply_changed);
	diags_free(&d);
	buf_free(&r.outcome);
	return ret;
}

/* A document the pipeline cannot get through is set aside as an exception so
 * it never blocks the ones behind it. */
static int quarantine(struct store *st, struct store_doc *doc, const char *why, bool batched)
{
	if ((batched ? store_savepoint(st) : store_begin(st)) < 0)
		return -1;
	char s[600];
	snprintf(s, sizeof(s), "Internal error while processing: %s", why);
	struct store_exception_new e = { .document_id = doc->id, .reason = "internal", .summary = s };
	int64_t eid;
	if (store_exception_add(st, &e, &eid) < 0 ||
	    store_doc_done(st, doc->id, s, NULL, NULL, NULL) < 0 ||
	    store_audit(st, "ordergw", "document", doc->id, "quarantined", why) < 0 ||
	    (batched ? store_release(st) : store_commit(st)) < 0) {
		if (batched)
			store_rollback_to(st);
		else
			store_rollback(st);
		return -1;
	}
	return 0;
}

int pipeline_process_id(const struct config *cfg, struct store *st, int64_t doc_id,
			struct pipeline_stats *stats)
{
	struct store_doc doc = { 0 };
	int rc = store_doc_get(st, doc_id, &doc);
	if (rc <= 0)
		return -1;
	char why[512];
	rc = process(cfg, st, &doc, stats, false, why);
	store_doc_clear(&doc);
	return rc;
}

void pipeline_confine(void)
{
#if defined(__SANITIZE_ADDRESS__)
	/* AddressSanitizer reserves terabytes of address space for its shadow
	 * memory: under RLIMIT_AS the worker died at start-up ("Failed to
	 * mmap") and was restarted for ever in a --enable-sanitizers build. */
#else
	struct rlimit as;
	if (getrlimit(RLIMIT_AS, &as) < 0)
		as.rlim_max = RLIM_INFINITY;
	as.rlim_cur = OG_PIPELINE_MAX_ADDRESS_SPACE;
	if (as.rlim_max != RLIM_INFINITY && as.rlim_max < as.rlim_cur)
		as.rlim_cur = as.rlim_max;   /* already lower: keep it */
	as.rlim_max = as.rlim_cur;
	if (setrlimit(RLIMIT_AS, &as) < 0)
		log_warnx("pipeline: cannot limit the address space: %s", strerror(errno));
#endif
	struct rlimit core = { 0, 0 };
	if (setrlimit(RLIMIT_CORE, &core) < 0)
		log_warnx("pipeline: cannot turn off core dumps: %s", strerror(errno));
	if (unshare(CLONE_NEWNET) < 0)
		log_debug("pipeline: no private network namespace (%s); continuing", strerror(errno));
}

/* Documents per COMMIT: an fsync per document would bound intake at a few
 * hundred per second; each document is still all-or-nothing (a savepoint). */
#define PIPELINE_BATCH 200

int pipeline_run(const struct config *cfg, struct store *st, size_t max, struct pipeline_stats *stats)
{
	int64_t last = 0;
	size_t n = 0;
	bool done = false;
	while (!done && (max == 0 || n < max)) {
		if (store_begin(st) < 0)
			return -1;
		size_t in_batch = 0;
		struct pipeline_stats bs = { 0 };
		while (in_batch < PIPELINE_BATCH && (max == 0 || n < max)) {
			struct store_doc doc = { 0 };
			int rc = store_doc_next(st, last, &doc);
			if (rc < 0) {
				store_rollback(st);
				return -1;
			}
			if (rc == 0) {
				done = true;
				break;
			}
			last = doc.id;
			char why[512];
			if (process(cfg, st, &doc, &bs, true, why) < 0) {
				/* Once more, then set it aside. */
				if (process(cfg, st, &doc, &bs, true, why) < 0 &&
				    quarantine(st, &doc, why, true) < 0) {
					store_doc_clear(&doc);
					store_rollback(st);
					return -1;
				}
			}
			store_doc_clear(&doc);
			in_batch++;
			n++;
		}
		if (store_commit(st) < 0) {
			log_warnx("pipeline: %s", store_error(st));
			store_rollback(st);
			return -1;
		}
		stats->documents += bs.documents;
		stats->orders_accepted += bs.orders_accepted;
		stats->exceptions += bs.exceptions;
		stats->duplicates += bs.duplicates;
		stats->messages += bs.messages;
		stats->ignored += bs.ignored;
	}
	return 0;
}
