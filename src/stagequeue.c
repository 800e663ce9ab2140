/* stagequeue.c — take, done and fail on the stage queues, and what
 * happens when an order enters a stage (stagequeue.h).
 *
 * The store holds all state; this module decides the moves and writes each
 * of them in one transaction together with its audit lines, its webhook
 * and its customer message, so a crash leaves either all of it or none.
 * A refused action (not open, leased by someone else, unknown stage) is
 * rolled back and explained in msg; store errors return -1. */
#include "stagequeue.h"
#include "ediresp.h"
#include "arena.h"
#include "config.h"
#include "log.h"
#include "order.h"
#include "store.h"
#include "webhook.h"
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int kind_by_name(const char *name)
{
	for (int k = 0; k < NOTIFY_KIND_COUNT; k++)
		if (strcmp(notify_kind_names[k], name) == 0)
			return k;
	return -1;
}

int stagequeue_message_on_enter(const struct config *cfg, const char *stage)
{
	const struct cfg_stage *sc = config_stage(cfg, stage);
	if (sc != NULL && sc->message_on_enter != NULL)
		return kind_by_name(sc->message_on_enter);
	return strcmp(stage, "feedback") == 0 ? NOTIFY_FEEDBACK : -1;
}

int stagequeue_message_on_done(const struct config *cfg, const char *stage)
{
	const struct cfg_stage *sc = config_stage(cfg, stage);
	if (sc != NULL && sc->message_on_done != NULL)
		return kind_by_name(sc->message_on_done);
	if (strcmp(stage, "review") == 0)
		return NOTIFY_CONFIRMATION;
	return strcmp(stage, "logistics") == 0 ? NOTIFY_SHIPPING : -1;
}

/* ---- customer messages about a stored order ------------------------------------ */

static const char *partner_address(const struct cfg_partner *p)
{
	for (size_t i = 0; p && i < p->emails.n; i++)
		if (strchr(p->emails.v[i], '*') == NULL)
			return p->emails.v[i];
	return NULL;
}

int stagequeue_notify(struct store *st, const struct config *cfg, int64_t order_id,
		      enum notify_kind kind, struct order *o, const char *reason,
		      const char *tracking, const char *actor, const char **why_r)
{
	struct store_order_contact c = { 0 };
	struct store_order_row row = { 0 };
	struct arena *a = NULL;
	int ret = 1;
	/* An EDI partner is answered in its own syntax too (855, ORDRSP, UBL). */
	if ((kind == NOTIFY_CONFIRMATION || kind == NOTIFY_REJECTION) &&
	    ediresp_business(cfg, st, order_id, kind == NOTIFY_CONFIRMATION, reason) < 0) {
		*why_r = store_error(st);
		return -1;
	}
	int rc = store_order_contact(st, order_id, &c);
	if (rc <= 0) {
		*why_r = rc < 0 ? store_error(st) : "no such order";
		ret = rc < 0 ? -1 : 1;
		goto out;
	}
	const struct cfg_partner *p = config_partner(cfg, c.partner_id);
	bool mail = c.channel && (strcmp(c.channel, "imap") == 0 || strcmp(c.channel, "maildir") == 0);
	const char *to = p == NULL ? NULL : mail ? c.sender : partner_address(p);
	if (to == NULL) {
		/* Never answer an unknown sender (backscatter). */
		*why_r = p == NULL ? "the sender is not a known partner" : "no address on file for the partner";
		goto audit;
	}
	if (o == NULL) {
		if ((rc = store_order_get(st, order_id, &row)) <= 0) {
			*why_r = rc < 0 ? store_error(st) : "no such order";
			ret = rc < 0 ? -1 : 1;
			goto out;
		}
		a = arena_new(cfg->max_order_bytes);
		if (order_from_json(a, row.record, strlen(row.record), &o, why_r) < 0)
			goto audit;
	}
	struct notify_ctx n = {
		.recipient = to, .document_id = c.document_id, .order_id = order_id,
		.locale = p->locale ? p->locale : cfg->default_locale, .partner_id = p->id,
		.partner_name = p->name, .reason = reason, .tracking = tracking,
		.in_reply_to = mail ? c.message_id : NULL, .subject = mail ? c.subject : NULL,
	};
	rc = notify_queue(st, cfg, kind, o, &n, why_r);
	if (rc <= 0) {
		ret = rc;   /* queued, or the store refused it */
		goto out;
	}
audit: {
		char what[64];
		snprintf(what, sizeof(what), "no %s sent", notify_kind_names[kind]);
		if (store_audit(st, actor, "order", order_id, what, *why_r) < 0)
			ret = -1;
	}
out:
	arena_free(&a);
	store_order_row_clear(&row);
	store_order_contact_clear(&c);
	return ret;
}

/* ---- entering a stage ------------------------------------------------------------- */

static int queue_webhook(struct store *st, const struct cfg_stage *sc, int64_t order_id, int64_t qid,
			 const char *record, const char *actor)
{
	size_t len = 0;
	char *body = webhook_body(record, sc->name, qid, order_id, &len);
	char mid[64], detail[600];
	snprintf(mid, sizeof(mid), "ordergw-webhook-%lld", (long long)qid);
	struct store_outbox_new ob = {
		.message_id = mid, .kind = "webhook", .channel = "webhook", .recipient = sc->webhook_url,
		.subject = sc->name, .data = body, .len = len, .order_id = order_id,
	};
	int64_t oid;
	int rc = store_outbox_add(st, &ob, &oid);
	free(body);
	if (rc < 0)
		return -1;
	char url[512];
	snprintf(detail, sizeof(detail), "webhook for %s to %s", sc->name,
		 webhook_url_for_log(sc->webhook_url, url, sizeof(url)));
	return store_audit(st, actor, "outbox", oid, "queued", detail);
}

int stagequeue_enter(struct store *st, const struct config *cfg, int64_t order_id, const char *stage,
		     const char *actor, const char *record, struct order *o, int64_t *item_r)
{
	int64_t qid;
	if (store_queue_push(st, order_id, stage, &qid) < 0 ||
	    store_order_route(st, order_id, NULL, stage, NULL) < 0 ||
	    store_audit(st, actor, "queue", qid, "queued", stage) < 0)
		return -1;
	if (item_r != NULL)
		*item_r = qid;
	const struct cfg_stage *sc = config_stage(cfg, stage);
	if (sc != NULL && sc->webhook_url != NULL && queue_webhook(st, sc, order_id, qid, record, actor) < 0)
		return -1;
	int k = stagequeue_message_on_enter(cfg, stage);
	const char *why;
	if (k >= 0 && stagequeue_notify(st, cfg, order_id, (enum notify_kind)k, o, NULL, NULL, actor, &why) < 0)
		return -1;
	return 0;
}

/* ---- take, done, fail ---------------------------------------------------------------- */

int stagequeue_take(struct store *st, const struct config *cfg, const char *stage, const char *user,
		    int lease_seconds, struct store_queue_item *q, char *msg, size_t msglen)
{
	(void)cfg;
	int rc = 0;
	if (store_begin(st) < 0)
		goto fail;
	rc = store_queue_take(st, stage, user, lease_seconds, q);
	if (rc < 0)
		goto fail;
	if (rc == 1) {
		char d[200];
		snprintf(d, sizeof(d), "by %s until %s%s", user, q->lease_until,
			 q->failures ? " (taken again after a failure)" : "");
		if (store_audit(st, user, "queue", q->id, "taken", d) < 0)
			goto fail;
	}
	if (store_commit(st) < 0)
		goto fail;
	return rc;
fail:
	snprintf(msg, msglen, "%s", store_error(st));
	store_rollback(st);
	if (rc == 1)
		store_queue_item_clear(q);
	return -1;
}

/* May `user` close this item?  Open, and not under someone else's live lease. */
static bool may_close(const struct store_queue_item *q, const char *user, char *msg, size_t msglen)
{
	char now[32];
	if (strcmp(q->state, "ready") != 0 && strcmp(q->state, "leased") != 0) {
		snprintf(msg, msglen, "queue item %lld is %s, not open", (long long)q->id, q->state);
		return false;
	}
	if (strcmp(q->state, "leased") == 0 && q->lease_owner && strcmp(q->lease_owner, user) != 0 &&
	    q->lease_until && strcmp(q->lease_until, store_now(now)) > 0) {
		snprintf(msg, msglen, "queue item %lld is leased by %s until %s", (long long)q->id,
			 q->lease_owner, q->lease_until);
		return false;
	}
	return true;
}

/* BEGIN and read the item: 0 open for `user`, 1 refused (msg), -1 error. */
static int open_item(struct store *st, int64_t item, const char *user, struct store_queue_item *q,
		     char *msg, size_t msglen)
{
	if (store_begin(st) < 0)
		return -1;
	int rc = store_queue_get(st, item, q);
	if (rc < 0)
		return -1;
	if (rc == 0) {
		snprintf(msg, msglen, "no queue item %lld", (long long)item);
		return 1;
	}
	return may_close(q, user, msg, msglen) ? 0 : 1;
}

/* "KEY=VALUE" strings into a JSON object text; NULL with msg when one is bad. */
static char *facts_json(char *const *facts, size_t n, const char **tracking_r, char *msg, size_t msglen)
{
	json_object *o = json_object_new_object();
	for (size_t i = 0; i < n; i++) {
		const char *eq = strchr(facts[i], '=');
		if (eq == NULL || eq == facts[i]) {
			snprintf(msg, msglen, "--set %s: expected KEY=VALUE", facts[i]);
			json_object_put(o);
			return NULL;
		}
		char key[128];
		snprintf(key, sizeof(key), "%.*s", (int)(eq - facts[i]), facts[i]);
		json_object_object_add(o, key, json_object_new_string(eq + 1));
		if (strcmp(key, "tracking") == 0)
			*tracking_r = eq + 1;
	}
	char *s = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	if (s == NULL)
		fatal("out of memory");
	return s;
}

int stagequeue_done(struct store *st, const struct config *cfg, int64_t item, const char *user,
		    const char *to, char *const *facts, size_t n_facts, char *msg, size_t msglen)
{
	struct store_queue_item q = { 0 };
	struct store_order_row row = { 0 };
	const char *tracking = NULL;
	char *fj = NULL;
	int ret = 1, rc;
	if (to != NULL && config_stage_index(cfg, to) < 0) {
		snprintf(msg, msglen, "\"%s\" is not a stage", to);
		return 1;
	}
	if ((fj = facts_json(facts, n_facts, &tracking, msg, msglen)) == NULL)
		return 1;
	if ((rc = open_item(st, item, user, &q, msg, msglen)) != 0) {
		if (rc < 0)
			goto store_fail;
		goto refuse;
	}
	if ((rc = store_order_get(st, q.order_id, &row)) <= 0)
		goto store_fail;
	int idx = config_stage_index(cfg, q.stage);
	const char *next = to ? to : idx >= 0 && (size_t)idx + 1 < cfg->stages.n ? cfg->stages.v[idx + 1] : NULL;
	if (store_queue_finish(st, item, fj, next) != 0)
		goto store_fail;
	char d[1024];
	snprintf(d, sizeof(d), "%s -> %s%s%s", q.stage, next ? next : "(end)", n_facts ? "; " : "", n_facts ? fj : "");
	if (store_audit(st, user, "queue", item, "done", d) < 0)
		goto store_fail;
	int k = stagequeue_message_on_done(cfg, q.stage);
	const char *why;
	if (k == NOTIFY_SHIPPING && tracking == NULL) {
		if (store_audit(st, user, "order", q.order_id, "no shipping sent", "no tracking number given (--set tracking=...)") < 0)
			goto store_fail;
	} else if (k >= 0 && stagequeue_notify(st, cfg, q.order_id, (enum notify_kind)k, NULL, NULL, tracking, user, &why) < 0) {
		goto store_fail;
	}
	if (next != NULL) {
		int64_t nid;
		if (stagequeue_enter(st, cfg, q.order_id, next, user, row.record, NULL, &nid) < 0)
			goto store_fail;
		snprintf(msg, msglen, "item %lld done; order %lld is now in %s as item %lld", (long long)item,
			 (long long)q.order_id, next, (long long)nid);
	} else {
		if (store_order_route(st, q.order_id, "completed", NULL, NULL) < 0 ||
		    store_audit(st, user, "order", q.order_id, "completed", q.stage) < 0)
			goto store_fail;
		snprintf(msg, msglen, "item %lld done; order %lld has passed its last stage", (long long)item,
			 (long long)q.order_id);
	}
	if (store_commit(st) < 0)
		goto store_fail;
	ret = 0;
	goto out;
store_fail:
	snprintf(msg, msglen, "%s", store_error(st));
	ret = -1;
refuse:
	store_rollback(st);
out:
	free(fj);
	store_order_row_clear(&row);
	store_queue_item_clear(&q);
	return ret;
}

int stagequeue_fail(struct store *st, const struct config *cfg, int64_t item, const char *user,
		    const char *reason, char *msg, size_t msglen)
{
	struct store_queue_item q = { 0 };
	int ret = 1, rc;
	if ((rc = open_item(st, item, user, &q, msg, msglen)) != 0) {
		if (rc < 0)
			goto store_fail;
		goto refuse;
	}
	if ((rc = store_queue_fail(st, item, reason, cfg->max_failures)) < 0)
		goto store_fail;
	char d[700];
	snprintf(d, sizeof(d), "failure %d of %d: %s", q.failures + 1, cfg->max_failures, reason);
	if (store_audit(st, user, "queue", item, rc == 1 ? "dead-lettered" : "failed", d) < 0 ||
	    store_commit(st) < 0)
		goto store_fail;
	if (rc == 1)
		snprintf(msg, msglen, "item %lld failed %d times: moved to the dead-letter list of %s",
			 (long long)item, q.failures + 1, q.stage);
	else
		snprintf(msg, msglen, "item %lld is ready again in %s after failure %d of %d",
			 (long long)item, q.stage, q.failures + 1, cfg->max_failures);
	ret = rc == 1 ? 2 : 0;
	goto out;
store_fail:
	snprintf(msg, msglen, "%s", store_error(st));
	ret = -1;
refuse:
	store_rollback(st);
out:
	store_queue_item_clear(&q);
	return ret;
}
