/* desk.c — claim, release, set, accept, reject and reprocess on the
 * exception queue (desk.h).
 *
 * The stored ORDER JSON is the order: `set` edits it as JSON by path, reads
 * it back with order_from_json (so only what the record can hold stays),
 * validates it with acceptance_check and writes record, hash and problems
 * back.  Accept routes with routing.h and enters the stage through
 * stagequeue.h, exactly as the pipeline does for a complete order.
 * Everything one action writes is one transaction; a refusal writes
 * nothing. */
#include "desk.h"
#include "acceptance.h"
#include "arena.h"
#include "buf.h"
#include "config.h"
#include "log.h"
#include "order.h"
#include "pipeline.h"
#include "routing.h"
#include "stagequeue.h"
#include "store.h"
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- JSON paths --------------------------------------------------------------- */

/* The next segment of a path: a name (up to '.' or '[') or an index. */
static int next_segment(const char **p, char *name, size_t n, long *index)
{
	const char *s = *p;
	*index = -1;
	if (*s == '[') {
		char *end;
		long v = strtol(s + 1, &end, 10);
		if (end == s + 1 || *end != ']' || v < 0)
			return -1;
		*index = v;
		s = end + 1;
	} else {
		size_t k = strcspn(s, ".[");
		if (k == 0 || k >= n)
			return -1;
		memcpy(name, s, k);
		name[k] = '\0';
		s += k;
	}
	if (*s == '.')
		s++;
	*p = s;
	return 0;
}

static bool all_digits(const char *s)
{
	if (*s == '-')
		s++;
	if (*s == '\0')
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

/* The new value, typed like the old one: integers stay integers (and
 * "..._days" fields become ones), true/false for booleans, "null" clears. */
static json_object *typed_value(json_object *old, const char *key, const char *v)
{
	if (strcmp(v, "null") == 0)
		return NULL;
	bool days = key != NULL && strlen(key) > 5 && strcmp(key + strlen(key) - 5, "_days") == 0;
	if (all_digits(v) && strlen(v) < 10 && (json_object_is_type(old, json_type_int) || (old == NULL && days)))
		return json_object_new_int((int)strtol(v, NULL, 10));
	if (json_object_is_type(old, json_type_boolean) && (strcmp(v, "true") == 0 || strcmp(v, "false") == 0))
		return json_object_new_boolean(strcmp(v, "true") == 0);
	return json_object_new_string(v);
}

int desk_json_set(void *root_v, const char *assignment, const char **error_r)
{
	json_object *cur = root_v;
	const char *eq = strchr(assignment, '=');
	char path[512], name[128];
	if (eq == NULL || eq == assignment || (size_t)(eq - assignment) >= sizeof(path)) {
		*error_r = "expected FIELD=VALUE, e.g. lines[0].quantity=500";
		return -1;
	}
	snprintf(path, sizeof(path), "%.*s", (int)(eq - assignment), assignment);
	const char *p = path, *value = eq + 1;
	for (;;) {
		long index;
		if (next_segment(&p, name, sizeof(name), &index) < 0) {
			*error_r = "bad field path (names separated by '.', list positions as [N])";
			return -1;
		}
		bool last = *p == '\0';
		if (index < 0) {
			if (!json_object_is_type(cur, json_type_object)) {
				*error_r = "the path names a field inside something that is not an object";
				return -1;
			}
			json_object *child = NULL;
			bool has = json_object_object_get_ex(cur, name, &child);
			if (!has && json_object_object_length(cur) > 0) {
				*error_r = "no such field in the order record";
				return -1;
			}
			if (last) {
				json_object_object_add(cur, name, typed_value(child, name, value));
				return 0;
			}
			if (!has) {
				*error_r = "no such field in the order record";
				return -1;
			}
			if (child == NULL) {
				/* A null object (incoterms, payment_terms, a party) is created. */
				child = *p == '[' ? json_object_new_array() : json_object_new_object();
				json_object_object_add(cur, name, child);
			}
			cur = child;
		} else {
			if (!json_object_is_type(cur, json_type_array)) {
				*error_r = "[N] used on something that is not a list";
				return -1;
			}
			size_t n = json_object_array_length(cur);
			if ((size_t)index > n) {
				*error_r = "list position past the end of the list";
				return -1;
			}
			json_object *child = (size_t)index < n ? json_object_array_get_idx(cur, (size_t)index) : NULL;
			if (last) {
				json_object_array_put_idx(cur, (size_t)index, typed_value(child, NULL, value));
				return 0;
			}
			if (child == NULL) {
				child = json_object_new_object();
				json_object_array_put_idx(cur, (size_t)index, child);
			}
			cur = child;
		}
	}
}

/* ---- common steps --------------------------------------------------------------- */

/* The exception and its claim (a claim older than [queues] claim_timeout
 * has expired: it keeps no one out). */
struct desk_exception {
	struct store_exception_row row;
	struct store_claim claim;
};

static int get_exception(struct store *st, const struct config *cfg, int64_t id, struct desk_exception *e)
{
	int rc = store_exception_get(st, id, &e->row);
	if (rc == 1 && store_exception_claim_get(st, id, cfg->claim_timeout, &e->claim) < 0)
		rc = -1;
	return rc;
}

static void desk_exception_clear(struct desk_exception *e)
{
	store_exception_row_clear(&e->row);
	store_claim_clear(&e->claim);
}

/* Someone else's expired claim ends; the audit says whose it was. */
static int take_over(struct store *st, int64_t id, const char *user, const struct store_claim *c,
		     const char *action)
{
	char d[400];
	snprintf(d, sizeof(d), "the expired claim of %s (since %s, claim_timeout) %s by %s", c->by,
		 c->since ? c->since : "?", action, user);
	if (store_exception_release(st, id) < 0 || store_audit(st, user, "exception", id, "claim expired", d) < 0)
		return -1;
	return 0;
}

/* BEGIN, and the exception must exist, be open, and not be held by another;
 * another's expired claim is taken over. */
static int open_exception(struct store *st, const struct config *cfg, int64_t id, const char *user,
			  struct desk_exception *e, char *msg, size_t msglen)
{
	if (store_begin(st) < 0)
		return -1;
	int rc = get_exception(st, cfg, id, e);
	if (rc < 0)
		return -1;
	if (rc == 0) {
		snprintf(msg, msglen, "no exception %lld", (long long)id);
		return DESK_NOT_FOUND;
	}
	if (strcmp(e->row.state, "open") != 0) {
		snprintf(msg, msglen, "exception %lld is %s, not open", (long long)id, e->row.state);
		return DESK_REFUSED;
	}
	if (e->claim.by == NULL || strcmp(e->claim.by, user) == 0)
		return 0;
	if (e->claim.expired)
		return take_over(st, id, user, &e->claim, "taken over");
	snprintf(msg, msglen, "exception %lld is claimed by %s since %s; ask them, or they release it "
		 "(ordergw exceptions release %lld)", (long long)id, e->claim.by,
		 e->claim.since ? e->claim.since : "?", (long long)id);
	return DESK_CLAIMED;
}

/* Commit, or on any result but 0 roll back; store errors into msg. */
static int finish(struct store *st, int rc, char *msg, size_t msglen)
{
	if (rc == 0 && store_commit(st) < 0)
		rc = -1;
	if (rc < 0)
		snprintf(msg, msglen, "%s", store_error(st));
	if (rc != 0)
		store_rollback(st);
	return rc;
}

int desk_claim(struct store *st, const struct config *cfg, int64_t id, const char *user, char *msg, size_t msglen)
{
	struct desk_exception e = { 0 };
	char *holder = NULL;
	int rc = open_exception(st, cfg, id, user, &e, msg, msglen);
	if (rc == 0 && (rc = store_exception_claim(st, id, user, &holder)) == 1) {
		snprintf(msg, msglen, "exception %lld is claimed by %s", (long long)id, holder ? holder : "?");
		rc = DESK_CLAIMED;
	}
	if (rc == 0 && (rc = store_audit(st, user, "exception", id, "claimed", user)) == 0)
		snprintf(msg, msglen, "exception %lld claimed by %s%s%s%s", (long long)id, user,
			 e.claim.expired ? " (the claim of " : "", e.claim.expired ? e.claim.by : "",
			 e.claim.expired ? " had expired)" : "");
	free(holder);
	desk_exception_clear(&e);
	return finish(st, rc, msg, msglen);
}

int desk_release(struct store *st, const struct config *cfg, int64_t id, const char *user, bool force,
		 char *msg, size_t msglen)
{
	struct desk_exception e = { 0 };
	int rc = store_begin(st) < 0 ? -1 : get_exception(st, cfg, id, &e);
	const struct store_claim *c = &e.claim;
	if (rc == 0) {
		snprintf(msg, msglen, "no exception %lld", (long long)id);
		rc = DESK_NOT_FOUND;
	} else if (rc == 1) {
		rc = 0;
		bool theirs = c->by != NULL && strcmp(c->by, user) != 0;
		if (c->by == NULL) {
			snprintf(msg, msglen, "exception %lld is not claimed", (long long)id);
		} else if (theirs && !force && !c->expired) {
			snprintf(msg, msglen, "exception %lld is claimed by %s, not by %s (--force releases it anyway)",
				 (long long)id, c->by, user);
			rc = DESK_CLAIMED;
		} else {
			char d[300];
			snprintf(d, sizeof(d), "%s%s", theirs ? "forced; was claimed by " : "", theirs ? c->by : "");
			if (theirs && c->expired)
				rc = take_over(st, id, user, c, "released");
			else if (store_exception_release(st, id) < 0 ||
				 store_audit(st, user, "exception", id, "released", d) < 0)
				rc = -1;
			if (rc == 0)
				snprintf(msg, msglen, "exception %lld released", (long long)id);
		}
	}
	desk_exception_clear(&e);
	return finish(st, rc, msg, msglen);
}

/* The exception's order record, read into arena a. */
static int load_order(struct store *st, const struct config *cfg, const struct desk_exception *de,
		      struct store_order_row *row, struct arena **a, struct order **o, char *msg, size_t msglen)
{
	const struct store_exception_row *e = &de->row;
	if (e->order_id == 0) {
		snprintf(msg, msglen, "exception %lld has no order record (the document could not be read as an "
			 "order); fix the rules or configuration and use reprocess, or reject it", (long long)e->id);
		return DESK_REFUSED;
	}
	int rc = store_order_get(st, e->order_id, row);
	if (rc <= 0)
		return -1;
	*a = arena_new(cfg->max_order_bytes);
	const char *err;
	if (order_from_json(*a, row->record, strlen(row->record), o, &err) < 0) {
		snprintf(msg, msglen, "order %lld: the stored record cannot be read: %s", (long long)e->order_id, err);
		return DESK_REFUSED;
	}
	return 0;
}

static const struct cfg_partner *partner_of(const struct config *cfg, const struct desk_exception *de,
					    const struct order *o)
{
	const struct cfg_partner *p = config_partner(cfg, de->row.partner_id);
	return p ? p : config_partner(cfg, o->partner_id);
}

/* A one-line summary for the exception list after an edit. */
static void summary_after(const struct order *o, const struct acceptance *ac, char *out, size_t n)
{
	struct buf b;
	buf_init(&b, n);
	buf_printf(&b, "%s order%s%s", ac->blocking ? (strcmp(ac->status, "invalid") == 0 ? "Invalid" : "Incomplete")
		   : "Complete", o->po_number ? " PO " : "", o->po_number ? o->po_number : "");
	int shown = 0;
	for (size_t i = 0; i < json_object_array_length(ac->problems) && shown < 3; i++) {
		json_object *pr = json_object_array_get_idx(ac->problems, i), *sev, *m;
		if (json_object_object_get_ex(pr, "severity", &sev) && strcmp(json_object_get_string(sev), "blocking") != 0)
			continue;
		if (json_object_object_get_ex(pr, "message", &m))
			buf_printf(&b, "%s%s", shown++ ? " " : ": ", json_object_get_string(m));
	}
	if (!ac->blocking)
		buf_adds(&b, " (edited; ready to accept)");
	snprintf(out, n, "%s", b.data ? b.data : "");
	buf_free(&b);
}

int desk_set(struct store *st, const struct config *cfg, int64_t id, const char *user,
	     char *const *assignments, size_t n, char *msg, size_t msglen)
{
	struct desk_exception e = { 0 };
	struct store_order_row row = { 0 };
	struct arena *a = NULL, *a2 = NULL;
	struct order *o = NULL, *o2 = NULL;
	struct acceptance ac = { 0 };
	json_object *root = NULL;
	struct buf rec;
	buf_init(&rec, cfg->max_order_bytes);
	int rc = open_exception(st, cfg, id, user, &e, msg, msglen);
	if (rc == 0)
		rc = load_order(st, cfg, &e, &row, &a, &o, msg, msglen);
	if (rc != 0)
		goto out;
	root = json_tokener_parse(row.record);
	for (size_t i = 0; i < n; i++) {
		const char *err;
		if (desk_json_set(root, assignments[i], &err) < 0) {
			snprintf(msg, msglen, "%s: %s", assignments[i], err);
			rc = DESK_REFUSED;
			goto out;
		}
	}
	const char *edited = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN);
	const char *err;
	a2 = arena_new(cfg->max_order_bytes);
	if (order_from_json(a2, edited, strlen(edited), &o2, &err) < 0) {
		snprintf(msg, msglen, "the edited record cannot be read: %s", err);
		rc = DESK_REFUSED;
		goto out;
	}
	const struct cfg_partner *p = partner_of(cfg, &e, o2);
	const char *hash = order_content_hash(o2);
	if (acceptance_check(o2, p, cfg, &ac) < 0 || order_to_json(o2, &rec) < 0 || hash == NULL) {
		snprintf(msg, msglen, "the edited order cannot be validated (too large?)");
		rc = DESK_REFUSED;
		goto out;
	}
	const char *problems = json_object_to_json_string_ext(ac.problems, JSON_C_TO_STRING_PLAIN);
	char summary[1024];
	summary_after(o2, &ac, summary, sizeof(summary));
	if (store_order_update(st, e.row.order_id, NULL, NULL, rec.data, problems, hash) < 0 ||
	    store_exception_update(st, id, NULL, summary, problems) < 0) {
		rc = -1;
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		if (store_audit(st, user, "exception", id, "set", assignments[i]) < 0) {
			rc = -1;
			goto out;
		}
	char d[160];
	snprintf(d, sizeof(d), "validated again: %s, %zu problem(s)", ac.status, json_object_array_length(ac.problems));
	if (store_audit(st, user, "order", e.row.order_id, "edited", d) < 0) {
		rc = -1;
		goto out;
	}
	snprintf(msg, msglen, "exception %lld: order %lld is now %s with %zu problem(s)%s", (long long)id,
		 (long long)e.row.order_id, ac.status, json_object_array_length(ac.problems),
		 ac.blocking ? "" : "; accept it with: ordergw exceptions accept ID");
out:
	json_object_put(ac.problems);
	json_object_put(root);
	buf_free(&rec);
	arena_free(&a);
	arena_free(&a2);
	store_order_row_clear(&row);
	desk_exception_clear(&e);
	return finish(st, rc, msg, msglen);
}

int desk_accept(struct store *st, const struct config *cfg, int64_t id, const char *user,
		char *msg, size_t msglen)
{
	struct desk_exception e = { 0 };
	struct store_order_row row = { 0 };
	struct arena *a = NULL;
	struct order *o = NULL;
	struct acceptance ac = { 0 };
	int rc = open_exception(st, cfg, id, user, &e, msg, msglen);
	if (rc == 0)
		rc = load_order(st, cfg, &e, &row, &a, &o, msg, msglen);
	if (rc != 0)
		goto out;
	const struct cfg_partner *p = partner_of(cfg, &e, o);
	/* A change or cancellation accepted by sales ends the order it is about:
	 * the same PO is never live twice. */
	bool is_cancel = e.row.reason && strcmp(e.row.reason, "cancel") == 0;
	bool is_change = e.row.reason && strcmp(e.row.reason, "change") == 0;
	int64_t prev = 0;
	if ((is_cancel || is_change) && store_order_previous(st, e.row.order_id, &prev) < 0) {
		rc = -1;
		goto out;
	}
	if (is_cancel) {
		char why[200];
		snprintf(why, sizeof(why), "cancelled by the customer (order %lld, exception %lld)",
			 (long long)e.row.order_id, (long long)id);
		if ((prev != 0 && store_order_end(st, prev, "cancelled", why) < 0) ||
		    store_order_end(st, e.row.order_id, "cancelled", why) < 0 ||
		    store_exception_close(st, id, "accepted") < 0 ||
		    store_audit(st, user, "exception", id, "accepted", why) < 0 ||
		    (prev != 0 && store_audit(st, user, "order", prev, "cancelled", why) < 0) ||
		    store_audit(st, user, "order", e.row.order_id, "cancelled", why) < 0) {
			rc = -1;
			goto out;
		}
		snprintf(msg, msglen, "exception %lld accepted: %s%lld cancelled", (long long)id,
			 prev ? "order " : "no live order to cancel; cancellation ", (long long)(prev ? prev : e.row.order_id));
		goto out;
	}
	if (is_change && prev != 0) {
		char why[200];
		snprintf(why, sizeof(why), "replaced by order %lld (change accepted from exception %lld)",
			 (long long)e.row.order_id, (long long)id);
		if (store_order_end(st, prev, "changed", why) < 0 ||
		    store_audit(st, user, "order", prev, "changed", why) < 0) {
			rc = -1;
			goto out;
		}
	}
	if (acceptance_check(o, p, cfg, &ac) < 0) {
		snprintf(msg, msglen, "the order cannot be validated");
		rc = DESK_REFUSED;
		goto out;
	}
	const char *stage;
	char rule[ROUTING_RULE_MAX], d[400];
	routing_route(cfg, p, o, &stage, rule);
	int64_t qid;
	if (store_order_route(st, e.row.order_id, "accepted", NULL, rule) < 0 ||
	    store_exception_close(st, id, "accepted") < 0 ||
	    stagequeue_enter(st, cfg, e.row.order_id, stage, user, row.record, o, &qid) < 0) {
		rc = -1;
		goto out;
	}
	snprintf(d, sizeof(d), "order %lld to %s (%s)%s", (long long)e.row.order_id, stage, rule,
		 ac.blocking ? "; blocking problems overridden by sales" : "");
	if (store_audit(st, user, "exception", id, "accepted", d) < 0) {
		rc = -1;
		goto out;
	}
	snprintf(d, sizeof(d), "by %s from exception %lld; queued for %s (%s)", user, (long long)id, stage, rule);
	if (store_audit(st, user, "order", e.row.order_id, "accepted", d) < 0) {
		rc = -1;
		goto out;
	}
	/* As the pipeline does: a receipt while review is pending, else the
	 * formal confirmation at once. */
	enum notify_kind k = strcmp(stage, "review") == 0 ? NOTIFY_RECEIPT : NOTIFY_CONFIRMATION;
	const char *why = NULL;
	int nr = stagequeue_notify(st, cfg, e.row.order_id, k, o, NULL, NULL, user, &why);
	if (nr < 0) {
		rc = -1;
		goto out;
	}
	snprintf(msg, msglen, "exception %lld accepted: order %lld queued for %s as item %lld (%s); %s %s%s",
		 (long long)id, (long long)e.row.order_id, stage, (long long)qid, rule, notify_kind_names[k],
		 nr == 0 ? "queued" : "not sent: ", nr == 0 ? "" : why);
out:
	json_object_put(ac.problems);
	arena_free(&a);
	store_order_row_clear(&row);
	desk_exception_clear(&e);
	return finish(st, rc, msg, msglen);
}

int desk_reject(struct store *st, const struct config *cfg, int64_t id, const char *user,
		const char *reason, char *msg, size_t msglen)
{
	struct desk_exception e = { 0 };
	int rc = open_exception(st, cfg, id, user, &e, msg, msglen);
	if (rc != 0)
		goto out;
	if (store_exception_close(st, id, "rejected") < 0 ||
	    store_audit(st, user, "exception", id, "rejected", reason) < 0) {
		rc = -1;
		goto out;
	}
	if (e.row.order_id == 0) {
		snprintf(msg, msglen, "exception %lld rejected; no message sent (the document held no order to answer about)",
			 (long long)id);
		goto out;
	}
	const char *why = NULL;
	if (store_order_route(st, e.row.order_id, "rejected", NULL, NULL) < 0 ||
	    store_audit(st, user, "order", e.row.order_id, "rejected", reason) < 0) {
		rc = -1;
		goto out;
	}
	int nr = stagequeue_notify(st, cfg, e.row.order_id, NOTIFY_REJECTION, NULL, reason, NULL, user, &why);
	if (nr < 0) {
		rc = -1;
		goto out;
	}
	snprintf(msg, msglen, "exception %lld rejected; order %lld rejected; rejection %s%s", (long long)id,
		 (long long)e.row.order_id, nr == 0 ? "queued" : "not sent: ", nr == 0 ? "" : why);
out:
	desk_exception_clear(&e);
	return finish(st, rc, msg, msglen);
}

int desk_reprocess(struct store *st, const struct config *cfg, int64_t id, const char *user,
		   char *msg, size_t msglen)
{
	struct desk_exception e = { 0 };
	int rc = open_exception(st, cfg, id, user, &e, msg, msglen);
	if (rc == 0 && (store_audit(st, user, "exception", id, "reprocess", "the document is parsed again") < 0 ||
			store_document_supersede(st, e.row.document_id) < 0 ||
			store_doc_set_pending(st, e.row.document_id) < 0 ||
			store_audit(st, user, "document", e.row.document_id, "reprocess", "requested by sales") < 0))
		rc = -1;
	int64_t doc = e.row.document_id;
	desk_exception_clear(&e);
	if ((rc = finish(st, rc, msg, msglen)) != 0)
		return rc;
	/* Its own transaction, as in the daemon; if it fails the document
	 * stays pending and the daemon takes it up. */
	struct pipeline_stats ps = { 0 };
	if (pipeline_process_id(cfg, st, doc, &ps) < 0) {
		snprintf(msg, msglen, "exception %lld: document %lld is queued for processing again; the daemon "
			 "will take it up (processing here failed)", (long long)id, (long long)doc);
		return 0;
	}
	snprintf(msg, msglen, "exception %lld: document %lld processed again: %zu accepted, %zu exception(s), "
		 "%zu duplicate(s)", (long long)id, (long long)doc, ps.orders_accepted, ps.exceptions, ps.duplicates);
	return 0;
}
