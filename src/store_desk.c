/* store_desk.c — the SQL of the sales desk and the stage queues (store.h,
 * the block "the sales desk and the stage queues").
 *
 * Part of the store module: it shares the connection and the statement
 * cache through store_internal.h.  Transactions stay the caller's; the
 * queue take is a single UPDATE .. WHERE id = (SELECT ..) RETURNING so that
 * under the caller's BEGIN IMMEDIATE two consumers can never lease the
 * same item.  Every time comparison normalizes store_now() (which honours
 * ORDERGW_NOW) with strftime, so a fake clock moves leases and ages too.
 * Errors come back as -1 with the message in store_error(). */
#include "store.h"
#include "log.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_internal.h"

#define TS "strftime('%Y-%m-%dT%H:%M:%fZ', ?)"

/* ---- queue items ------------------------------------------------------------ */

static void read_item(sqlite3_stmt *st, struct store_queue_item *q)
{
	q->id = sqlite3_column_int64(st, 0);
	q->order_id = sqlite3_column_int64(st, 1);
	q->stage = store_ct(st, 2);
	q->state = store_ct(st, 3);
	q->lease_owner = store_ct(st, 4);
	q->lease_until = store_ct(st, 5);
	q->facts = store_ct(st, 6);
	q->failures = sqlite3_column_int(st, 7);
}

void store_queue_item_clear(struct store_queue_item *q)
{
	free(q->stage);
	free(q->state);
	free(q->lease_owner);
	free(q->lease_until);
	free(q->facts);
	memset(q, 0, sizeof(*q));
}

/* Step a statement that yields at most one row read by `read`, then to its
 * end: 1 row, 0 none, -1 error. */
static int one_row(struct store *s, sqlite3_stmt *st, void (*read)(sqlite3_stmt *, void *), void *out,
		   const char *what)
{
	int rc = sqlite3_step(st), found = 0;
	if (rc == SQLITE_ROW) {
		read(st, out);
		found = 1;
		while (rc == SQLITE_ROW)
			rc = sqlite3_step(st);
	}
	store_done(s, st);
	if (store_check(s, rc, what) < 0)
		return -1;
	return found;
}

static void read_item_v(sqlite3_stmt *st, void *q) { read_item(st, q); }

int store_queue_get(struct store *s, int64_t id, struct store_queue_item *q)
{
	sqlite3_stmt *st = store_prep(s,
		"SELECT id, order_id, stage, state, lease_owner, lease_until, facts, failures"
		" FROM queue_items WHERE id = ?");
	store_bi(st, 1, id);
	return one_row(s, st, read_item_v, q, "get queue item");
}

int store_queue_take(struct store *s, const char *stage, const char *owner, int lease_seconds,
		     struct store_queue_item *q)
{
	char now[32];
	sqlite3_stmt *st = store_prep(s,
		"UPDATE queue_items SET state = 'leased', lease_owner = ?2,"
		" lease_until = strftime('%Y-%m-%dT%H:%M:%fZ', ?3, '+' || ?4 || ' seconds'),"
		" taken_at = coalesce(taken_at, strftime('%Y-%m-%dT%H:%M:%fZ', ?3)),"
		" updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', ?3)"
		" WHERE id = (SELECT id FROM queue_items WHERE stage = ?1 AND (state = 'ready' OR"
		"  (state = 'leased' AND lease_until <= strftime('%Y-%m-%dT%H:%M:%fZ', ?3)))"
		"  ORDER BY id LIMIT 1)"
		" RETURNING id, order_id, stage, state, lease_owner, lease_until, facts, failures");
	store_bt(st, 1, stage);
	store_bt(st, 2, owner);
	store_bt(st, 3, store_now(now));
	store_bi(st, 4, lease_seconds);
	return one_row(s, st, read_item_v, q, "take queue item");
}

int store_queue_finish(struct store *s, int64_t id, const char *facts_json, const char *next_stage)
{
	char now[32];
	sqlite3_stmt *st = store_prep(s,
		"UPDATE queue_items SET state = 'done', finished_at = " TS ", updated_at = " TS ","
		" lease_owner = NULL, lease_until = NULL, facts = json_patch(facts, ?), next_stage = ?"
		" WHERE id = ? AND state IN ('ready', 'leased')");
	store_now(now);
	store_bt(st, 1, now);
	store_bt(st, 2, now);
	store_bt(st, 3, facts_json ? facts_json : "{}");
	store_bt(st, 4, next_stage);
	store_bi(st, 5, id);
	if (store_step_done(s, st, "finish queue item") < 0)
		return -1;
	return sqlite3_changes(s->db) == 1 ? 0 : 1;
}

static void read_state(sqlite3_stmt *st, void *out)
{
	*(bool *)out = strcmp((const char *)sqlite3_column_text(st, 0), "dead") == 0;
}

int store_queue_fail(struct store *s, int64_t id, const char *reason, int max_failures)
{
	char now[32];
	sqlite3_stmt *st = store_prep(s,
		"UPDATE queue_items SET failures = failures + 1, last_error = ?,"
		" state = CASE WHEN failures + 1 >= ? THEN 'dead' ELSE 'ready' END,"
		" lease_owner = NULL, lease_until = NULL, updated_at = " TS
		" WHERE id = ? AND state IN ('ready', 'leased') RETURNING state");
	store_bt(st, 1, reason);
	store_bi(st, 2, max_failures);
	store_bt(st, 3, store_now(now));
	store_bi(st, 4, id);
	bool dead = false;
	int rc = one_row(s, st, read_state, &dead, "fail queue item");
	if (rc == 0)
		snprintf(s->error, sizeof(s->error), "queue item %lld is not open", (long long)id);
	if (rc <= 0)
		return -1;
	return dead ? 1 : 0;
}

int store_order_route(struct store *s, int64_t order_id, const char *status, const char *stage,
		      const char *route_rule)
{
	char now[32];
	sqlite3_stmt *st = store_prep(s,
		"UPDATE orders SET status = coalesce(?1, status), stage = coalesce(?2, stage),"
		" route_rule = coalesce(?3, route_rule), updated_at = ?4,"
		" accepted_at = CASE WHEN ?1 = 'accepted' AND accepted_at IS NULL THEN ?4 ELSE accepted_at END"
		" WHERE id = ?5");
	store_bt(st, 1, status);
	store_bt(st, 2, stage);
	store_bt(st, 3, route_rule);
	store_bt(st, 4, store_now(now));
	store_bi(st, 5, order_id);
	return store_step_done(s, st, "route order");
}

/* ---- exceptions --------------------------------------------------------------- */

/* SQL: is the claim at column `at` at least timeout seconds old at `now`?
 * A claim without a time (none before claimed_at was kept) never expires. */
#define CLAIM_EXPIRED(at, now, timeout) \
	"(" timeout " > 0 AND julianday(" now ") >= julianday(coalesce(" at ", " now "), '+' || " timeout " || ' seconds'))"

void store_claim_clear(struct store_claim *c)
{
	free(c->by);
	free(c->since);
	memset(c, 0, sizeof(*c));
}

static void read_claim(sqlite3_stmt *st, void *out)
{
	struct store_claim *c = out;
	c->by = store_ct(st, 0);
	c->since = store_ct(st, 1);
	c->expired = c->by != NULL && sqlite3_column_int(st, 2) != 0;
}

int store_exception_claim_get(struct store *s, int64_t id, long long timeout_seconds, struct store_claim *c)
{
	char now[32];
	memset(c, 0, sizeof(*c));
	sqlite3_stmt *st = store_prep(s,
		"SELECT claimed_by, claimed_at, " CLAIM_EXPIRED("claimed_at", "?2", "?3")
		" FROM exceptions WHERE id = ?1");
	store_bi(st, 1, id);
	store_bt(st, 2, store_now(now));
	store_bi(st, 3, timeout_seconds);
	return one_row(s, st, read_claim, c, "exception claim") < 0 ? -1 : 0;
}

int store_exception_claim(struct store *s, int64_t id, const char *user, char **holder_r)
{
	char now[32];
	*holder_r = NULL;
	sqlite3_stmt *st = store_prep(s,
		"UPDATE exceptions SET claimed_by = ?1, claimed_at = ?2"
		" WHERE id = ?3 AND (claimed_by IS NULL OR claimed_by = ?1)");
	store_bt(st, 1, user);
	store_bt(st, 2, store_now(now));
	store_bi(st, 3, id);
	if (store_step_done(s, st, "claim exception") < 0)
		return -1;
	if (sqlite3_changes(s->db) == 1)
		return 0;
	struct store_claim c;
	if (store_exception_claim_get(s, id, 0, &c) < 0)
		return -1;
	*holder_r = c.by;
	c.by = NULL;
	store_claim_clear(&c);
	return 1;
}

int store_exception_release(struct store *s, int64_t id)
{
	sqlite3_stmt *st = store_prep(s, "UPDATE exceptions SET claimed_by = NULL, claimed_at = NULL WHERE id = ?");
	store_bi(st, 1, id);
	return store_step_done(s, st, "release exception");
}

int store_document_supersede(struct store *s, int64_t document_id)
{
	char now[32];
	sqlite3_stmt *st = store_prep(s,
		"UPDATE orders SET status = 'ignored', updated_at = ? WHERE document_id = ? AND status = 'exception'");
	store_bt(st, 1, store_now(now));
	store_bi(st, 2, document_id);
	if (store_step_done(s, st, "supersede orders") < 0)
		return -1;
	st = store_prep(s,
		"UPDATE exceptions SET state = 'reprocessed', closed_at = ?, claimed_by = NULL"
		" WHERE document_id = ? AND state = 'open'");
	store_bt(st, 1, now);
	store_bi(st, 2, document_id);
	return store_step_done(s, st, "supersede exceptions");
}

int store_exceptions_open_of(struct store *s, const char *partner, int64_t **ids_r, size_t *n_r)
{
	sqlite3_stmt *st = store_prep(s,
		"SELECT id FROM exceptions WHERE state = 'open' AND partner_id = ? ORDER BY created_at, id");
	store_bt(st, 1, partner);
	int64_t *ids = NULL;
	size_t n = 0;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t *p = realloc(ids, (n + 1) * sizeof(*ids));
		if (p == NULL)
			fatal("out of memory");
		ids = p;
		ids[n++] = sqlite3_column_int64(st, 0);
	}
	store_done(s, st);
	*ids_r = ids;
	*n_r = n;
	return store_check(s, rc, "exceptions of a partner");
}

int store_outbox_earlier_pending(struct store *s, int64_t id, const char *channel, const char *recipient)
{
	sqlite3_stmt *st = store_prep(s,
		"SELECT 1 FROM outbox WHERE state = 'pending' AND channel = ? AND recipient = ? AND id < ? LIMIT 1");
	store_bt(st, 1, channel);
	store_bt(st, 2, recipient);
	store_bi(st, 3, id);
	int rc = sqlite3_step(st);
	return store_row_result(s, st, rc, "earlier pending message");
}

/* ---- the order's contact --------------------------------------------------------- */

static void read_contact(sqlite3_stmt *st, void *out)
{
	struct store_order_contact *c = out;
	c->document_id = sqlite3_column_int64(st, 0);
	c->partner_id = store_ct(st, 1);
	c->channel = store_ct(st, 2);
	c->sender = store_ct(st, 3);
	c->message_id = store_ct(st, 4);
	c->subject = store_ct(st, 5);
}

int store_order_contact(struct store *s, int64_t order_id, struct store_order_contact *c)
{
	sqlite3_stmt *st = store_prep(s,
		"SELECT o.document_id, o.partner_id, d.channel, d.sender, d.message_id, d.subject"
		" FROM orders o JOIN documents d ON d.id = o.document_id WHERE o.id = ?");
	store_bi(st, 1, order_id);
	return one_row(s, st, read_contact, c, "order contact");
}

void store_order_contact_clear(struct store_order_contact *c)
{
	free(c->partner_id);
	free(c->channel);
	free(c->sender);
	free(c->message_id);
	free(c->subject);
	memset(c, 0, sizeof(*c));
}

/* ---- listings --------------------------------------------------------------------- */

static json_object *all_rows(struct store *s, sqlite3_stmt *st)
{
	json_object *arr = json_object_new_array();
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		json_object_array_add(arr, store_row_object(st));
	store_done(s, st);
	if (store_check(s, rc, "query") < 0) {
		json_object_put(arr);
		return NULL;
	}
	return arr;
}

json_object *store_desk_exceptions(struct store *s, const char *state, const char *partner,
				   const char *reason, long long min_age_seconds, long long claim_timeout_seconds)
{
	char now[32];
	sqlite3_stmt *st = store_prep(s,
		"SELECT e.id, e.document_id, e.order_id, e.partner_id, e.reason, e.summary, e.state,"
		" CASE WHEN NOT " CLAIM_EXPIRED("e.claimed_at", "?5", "?6") " THEN e.claimed_by END AS claimed_by,"
		" CASE WHEN NOT " CLAIM_EXPIRED("e.claimed_at", "?5", "?6") " THEN e.claimed_at END AS claimed_at,"
		" e.created_at, d.sender, d.subject,"
		" CAST((julianday(?5) - julianday(e.created_at)) * 86400 AS INTEGER) AS waiting_seconds"
		" FROM exceptions e JOIN documents d ON d.id = e.document_id"
		" WHERE (?1 IS NULL OR e.state = ?1) AND (?2 IS NULL OR e.partner_id = ?2)"
		" AND (?3 IS NULL OR e.reason = ?3)"
		" AND (?4 = 0 OR (julianday(?5) - julianday(e.created_at)) * 86400 >= ?4)"
		" ORDER BY e.created_at, e.id");
	store_bt(st, 1, state);
	store_bt(st, 2, partner);
	store_bt(st, 3, reason);
	store_bi(st, 4, min_age_seconds);
	store_bt(st, 5, store_now(now));
	store_bi(st, 6, claim_timeout_seconds);
	return all_rows(s, st);
}

json_object *store_desk_queue(struct store *s, const char *stage, bool dead)
{
	char now[32];
	sqlite3_stmt *st = store_prep(s,
		"SELECT q.id, q.order_id, q.stage, q.state, q.failures, q.last_error, q.lease_owner,"
		" q.lease_until, q.created_at, q.facts, o.partner_id, o.po_number,"
		" CAST((julianday(?3) - julianday(q.created_at)) * 86400 AS INTEGER) AS waiting_seconds"
		" FROM queue_items q JOIN orders o ON o.id = q.order_id"
		" WHERE q.stage = ?1 AND ((?2 = 0 AND q.state IN ('ready', 'leased')) OR"
		" (?2 = 1 AND q.state = 'dead')) ORDER BY q.id");
	store_bt(st, 1, stage);
	store_bi(st, 2, dead);
	store_bt(st, 3, store_now(now));
	json_object *rows = all_rows(s, st);
	for (size_t i = 0; rows && i < json_object_array_length(rows); i++) {
		json_object *r = json_object_array_get_idx(rows, i), *f;
		if (json_object_object_get_ex(r, "facts", &f) && json_object_is_type(f, json_type_string)) {
			json_object *parsed = json_tokener_parse(json_object_get_string(f));
			if (parsed != NULL)
				json_object_object_add(r, "facts", parsed);
		}
	}
	return rows;
}

json_object *store_desk_queues(struct store *s)
{
	char now[32];
	sqlite3_stmt *st = store_prep(s,
		"SELECT stage, sum(state IN ('ready', 'leased')) AS items, sum(state = 'leased') AS leased,"
		" sum(state = 'dead') AS dead,"
		" min(CASE WHEN state IN ('ready', 'leased') THEN created_at END) AS oldest,"
		" CAST((julianday(?1) - julianday(min(CASE WHEN state IN ('ready', 'leased') THEN created_at END)))"
		" * 86400 AS INTEGER) AS oldest_age_seconds"
		" FROM queue_items WHERE state IN ('ready', 'leased', 'dead') GROUP BY stage ORDER BY stage");
	store_bt(st, 1, store_now(now));
	return all_rows(s, st);
}

/* Nearest-rank percentiles: the median is row (n+1)/2 (the lower middle),
 * the 90th percentile row ceil(0.9 n). */
json_object *store_desk_stage_times(struct store *s, const char *since)
{
	sqlite3_stmt *st = store_prep(s,
		"WITH t AS (SELECT stage, (julianday(finished_at) - julianday(created_at)) * 86400 AS sec,"
		"  (julianday(coalesce(taken_at, finished_at)) - julianday(created_at)) * 86400 AS wait"
		"  FROM queue_items WHERE finished_at IS NOT NULL AND (?1 IS NULL OR created_at >= ?1)),"
		" r AS (SELECT stage, sec, wait, row_number() OVER (PARTITION BY stage ORDER BY sec) AS rn,"
		"  row_number() OVER (PARTITION BY stage ORDER BY wait) AS wn,"
		"  count(*) OVER (PARTITION BY stage) AS n FROM t)"
		" SELECT stage, max(n) AS passed,"
		" round(max(CASE WHEN rn = (n + 1) / 2 THEN sec END), 3) AS median_seconds,"
		" round(max(CASE WHEN rn = max(1, (n * 9 + 9) / 10) THEN sec END), 3) AS p90_seconds,"
		" round(max(CASE WHEN wn = (n + 1) / 2 THEN wait END), 3) AS median_wait_seconds,"
		" round(max(CASE WHEN wn = max(1, (n * 9 + 9) / 10) THEN wait END), 3) AS p90_wait_seconds"
		" FROM r GROUP BY stage ORDER BY stage");
	store_bt(st, 1, since);
	return all_rows(s, st);
}

json_object *store_desk_acceptance_times(struct store *s, const char *since)
{
	sqlite3_stmt *st = store_prep(s,
		"WITH t AS (SELECT (julianday(o.accepted_at) - julianday(d.received_at)) * 86400 AS sec"
		"  FROM orders o JOIN documents d ON d.id = o.document_id WHERE o.accepted_at IS NOT NULL"
		"  AND (?1 IS NULL OR o.created_at >= ?1)),"
		" r AS (SELECT sec, row_number() OVER (ORDER BY sec) AS rn, count(*) OVER () AS n FROM t)"
		" SELECT count(*) AS accepted,"
		" round(max(CASE WHEN rn = (n + 1) / 2 THEN sec END), 3) AS median_seconds,"
		" round(max(CASE WHEN rn = max(1, (n * 9 + 9) / 10) THEN sec END), 3) AS p90_seconds FROM r");
	store_bt(st, 1, since);
	json_object *arr = all_rows(s, st);
	if (arr == NULL)
		return NULL;
	json_object *o = json_object_get(json_object_array_get_idx(arr, 0));
	json_object_put(arr);
	return o;
}

/* ---- changes and cancellations ----------------------------------------------------- */

int store_order_previous(struct store *s, int64_t order_id, int64_t *id_r)
{
	sqlite3_stmt *st = store_prep(s,
		"SELECT p.id FROM orders o JOIN orders p ON p.partner_id IS o.partner_id"
		" AND p.po_number = o.po_number AND p.id <> o.id"
		" WHERE o.id = ? AND p.status IN ('accepted', 'completed', 'exception')"
		" ORDER BY p.id DESC LIMIT 1");
	store_bi(st, 1, order_id);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*id_r = sqlite3_column_int64(st, 0);
	return store_row_result(s, st, rc, "previous order");
}

int store_order_end(struct store *s, int64_t order_id, const char *status, const char *reason)
{
	char now[32];
	store_now(now);
	sqlite3_stmt *st = store_prep(s, "UPDATE orders SET status = ?, updated_at = ? WHERE id = ?");
	store_bt(st, 1, status);
	store_bt(st, 2, now);
	store_bi(st, 3, order_id);
	if (store_step_done(s, st, "end order") < 0)
		return -1;
	st = store_prep(s,
		"UPDATE queue_items SET state = 'done', last_error = ?, updated_at = ?"
		" WHERE order_id = ? AND state IN ('ready', 'leased')");
	store_bt(st, 1, reason);
	store_bt(st, 2, now);
	store_bi(st, 3, order_id);
	return store_step_done(s, st, "close queue items");
}
