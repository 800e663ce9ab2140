/* store.c — SQLite implementation of store.h.
 *
 * Owns one sqlite3 connection and a small cache of prepared statements
 * (keyed by the address of the SQL text, which is always a literal here).
 * Every SQLite result code is turned into the project's 0/-1/1 contract in
 * one place, check(), which also keeps the message for store_error().
 * Time stamps are UTC text "YYYY-MM-DDTHH:MM:SS.mmmZ" so they sort. */
#include "store.h"
#include "log.h"
#include <gnutls/crypto.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store_internal.h"

static const char *const migrations[] = {
	/* version 1 */
	"CREATE TABLE documents ("
	"  id INTEGER PRIMARY KEY,"
	"  source_key TEXT NOT NULL UNIQUE,"
	"  channel TEXT NOT NULL, endpoint TEXT, name TEXT,"
	"  received_at TEXT NOT NULL,"
	"  content_hash TEXT NOT NULL,"
	"  size INTEGER NOT NULL, full_size INTEGER NOT NULL,"
	"  truncated INTEGER NOT NULL DEFAULT 0,"
	"  raw BLOB NOT NULL,"
	"  state TEXT NOT NULL DEFAULT 'new' CHECK (state IN ('new', 'processed')),"
	"  processed_at TEXT, outcome TEXT,"
	"  message_id TEXT, sender TEXT, subject TEXT);"
	"CREATE INDEX documents_state ON documents (state, id);"
	"CREATE INDEX documents_hash ON documents (content_hash);"
	"CREATE INDEX documents_msgid ON documents (message_id);"
	"CREATE TABLE orders ("
	"  id INTEGER PRIMARY KEY,"
	"  document_id INTEGER NOT NULL REFERENCES documents (id),"
	"  partner_id TEXT, po_number TEXT, format TEXT, document_type TEXT,"
	"  status TEXT NOT NULL, stage TEXT, route_rule TEXT,"
	"  content_hash TEXT NOT NULL,"
	"  record TEXT NOT NULL,"
	"  problems TEXT NOT NULL DEFAULT '[]',"
	"  created_at TEXT NOT NULL, updated_at TEXT NOT NULL, accepted_at TEXT);"
	"CREATE INDEX orders_po ON orders (partner_id, po_number);"
	"CREATE INDEX orders_status ON orders (status, id);"
	"CREATE TABLE exceptions ("
	"  id INTEGER PRIMARY KEY,"
	"  document_id INTEGER NOT NULL REFERENCES documents (id),"
	"  order_id INTEGER REFERENCES orders (id),"
	"  partner_id TEXT, reason TEXT NOT NULL, summary TEXT NOT NULL,"
	"  problems TEXT NOT NULL DEFAULT '[]', diagnostics TEXT NOT NULL DEFAULT '[]',"
	"  sender TEXT, token TEXT,"
	"  state TEXT NOT NULL DEFAULT 'open',"
	"  claimed_by TEXT, claimed_at TEXT,"
	"  created_at TEXT NOT NULL, closed_at TEXT);"
	"CREATE INDEX exceptions_state ON exceptions (state, id);"
	"CREATE INDEX exceptions_token ON exceptions (token);"
	"CREATE TABLE queue_items ("
	"  id INTEGER PRIMARY KEY,"
	"  order_id INTEGER NOT NULL REFERENCES orders (id),"
	"  stage TEXT NOT NULL,"
	"  state TEXT NOT NULL DEFAULT 'ready' CHECK (state IN ('ready', 'leased', 'done', 'dead')),"
	"  lease_owner TEXT, lease_until TEXT,"
	"  failures INTEGER NOT NULL DEFAULT 0, last_error TEXT,"
	"  created_at TEXT NOT NULL, updated_at TEXT NOT NULL);"
	"CREATE INDEX queue_ready ON queue_items (stage, state, id);"
	"CREATE TABLE outbox ("
	"  id INTEGER PRIMARY KEY,"
	"  message_id TEXT NOT NULL UNIQUE,"
	"  kind TEXT NOT NULL, channel TEXT NOT NULL DEFAULT 'mail',"
	"  recipient TEXT NOT NULL, subject TEXT,"
	"  data BLOB NOT NULL,"
	"  order_id INTEGER REFERENCES orders (id),"
	"  document_id INTEGER REFERENCES documents (id),"
	"  exception_id INTEGER REFERENCES exceptions (id),"
	"  state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'failed')),"
	"  attempts INTEGER NOT NULL DEFAULT 0,"
	"  next_attempt_at TEXT NOT NULL, last_error TEXT,"
	"  created_at TEXT NOT NULL, sent_at TEXT);"
	"CREATE INDEX outbox_due ON outbox (state, next_attempt_at, id);"
	"CREATE TABLE audit ("
	"  id INTEGER PRIMARY KEY, at TEXT NOT NULL, actor TEXT NOT NULL,"
	"  entity TEXT NOT NULL, entity_id INTEGER, action TEXT NOT NULL, detail TEXT);"
	"CREATE INDEX audit_entity ON audit (entity, entity_id, id);"
	"CREATE TABLE checkpoints (source TEXT PRIMARY KEY, value TEXT NOT NULL, updated_at TEXT NOT NULL);"
	"CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);",
	/* version 2: the stage queues' facts and times (store_desk.c) */
	"ALTER TABLE queue_items ADD COLUMN facts TEXT NOT NULL DEFAULT '{}';"
	"ALTER TABLE queue_items ADD COLUMN taken_at TEXT;"
	"ALTER TABLE queue_items ADD COLUMN finished_at TEXT;"
	"ALTER TABLE queue_items ADD COLUMN next_stage TEXT;"
	"CREATE INDEX queue_items_order ON queue_items (order_id, id);"
	"CREATE INDEX exceptions_created ON exceptions (state, created_at);",
};

int store_check(struct store *s, int rc, const char *what)
{
	if (rc == SQLITE_OK || rc == SQLITE_DONE || rc == SQLITE_ROW)
		return 0;
	snprintf(s->error, sizeof(s->error), "%s: %s", what, sqlite3_errmsg(s->db));
	return -1;
}

const char *store_error(struct store *s) { return s->error; }

const char *store_now(char buf[32])
{
	const char *fake = getenv("ORDERGW_NOW");
	if (fake != NULL && *fake) {
		snprintf(buf, 32, "%s", fake);
		return buf;
	}
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	struct tm tm;
	gmtime_r(&ts.tv_sec, &tm);
	size_t n = strftime(buf, 32, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, 32 - n, ".%03dZ", (int)(ts.tv_nsec / 1000000) % 1000);
	return buf;
}

sqlite3_stmt *store_prep(struct store *s, const char *sql)
{
	for (size_t i = 0; i < s->n_cache; i++)
		if (s->cache[i].sql == sql) {
			sqlite3_reset(s->cache[i].st);
			sqlite3_clear_bindings(s->cache[i].st);
			return s->cache[i].st;
		}
	sqlite3_stmt *st;
	if (store_check(s, sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL), "prepare") < 0)
		fatal("store: %s (SQL: %.80s)", s->error, sql);   /* a bug, not bad input */
	if (s->n_cache < STMT_CACHE) {
		s->cache[s->n_cache].sql = sql;
		s->cache[s->n_cache].st = st;
		s->n_cache++;
	}
	return st;
}

/* Statements not in the cache (cache full) are finalized by done(). */
void store_done(struct store *s, sqlite3_stmt *st)
{
	for (size_t i = 0; i < s->n_cache; i++)
		if (s->cache[i].st == st) {
			sqlite3_reset(st);
			return;
		}
	sqlite3_finalize(st);
}

void store_bt(sqlite3_stmt *st, int i, const char *v)
{
	if (v == NULL)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
}

void store_bi(sqlite3_stmt *st, int i, int64_t v) { sqlite3_bind_int64(st, i, v); }
void store_bi0(sqlite3_stmt *st, int i, int64_t v)
{
	if (v == 0)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_int64(st, i, v);
}

char *store_ct(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	if (t == NULL)
		return NULL;
	char *p = strdup((const char *)t);
	if (p == NULL)
		fatal("out of memory");
	return p;
}

int store_row_result(struct store *s, sqlite3_stmt *st, int rc, const char *what)
{
	store_done(s, st);
	if (rc == SQLITE_ROW)
		return 1;
	return store_check(s, rc, what) < 0 ? -1 : 0;
}

int store_step_done(struct store *s, sqlite3_stmt *st, const char *what)
{
	int rc = sqlite3_step(st);
	int r = store_check(s, rc, what);
	store_done(s, st);
	return r;
}

static int exec(struct store *s, const char *sql)
{
	char *msg = NULL;
	int rc = sqlite3_exec(s->db, sql, NULL, NULL, &msg);
	if (rc != SQLITE_OK) {
		snprintf(s->error, sizeof(s->error), "%s", msg ? msg : sqlite3_errstr(rc));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

static int migrate(struct store *s)
{
	sqlite3_stmt *st;
	if (store_check(s, sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &st, NULL), "user_version") < 0)
		return -1;
	int version = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
	sqlite3_finalize(st);
	int latest = (int)(sizeof(migrations) / sizeof(migrations[0]));
	if (version > latest) {
		snprintf(s->error, sizeof(s->error),
			 "the store has schema version %d, newer than this program knows (%d)", version, latest);
		return -1;
	}
	for (int v = version; v < latest; v++) {
		char pragma[64];
		snprintf(pragma, sizeof(pragma), "PRAGMA user_version = %d", v + 1);
		if (exec(s, "BEGIN IMMEDIATE") < 0)
			return -1;
		if (exec(s, migrations[v]) < 0 || exec(s, pragma) < 0) {
			char e[512];
			snprintf(e, sizeof(e), "migration to schema %d: %.400s", v + 1, s->error);
			exec(s, "ROLLBACK");
			snprintf(s->error, sizeof(s->error), "%s", e);
			return -1;
		}
		if (exec(s, "COMMIT") < 0)
			return -1;
	}
	return 0;
}

int store_open(const char *path, struct store **out, const char **error_r)
{
	static char errbuf[600];
	struct store *s = calloc(1, sizeof(*s));
	if (s == NULL)
		fatal("out of memory");
	*out = NULL;
	int rc = sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
				 SQLITE_OPEN_FULLMUTEX, NULL);
	if (rc != SQLITE_OK) {
		snprintf(errbuf, sizeof(errbuf), "%s: %s", path, s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
		goto fail;
	}
	sqlite3_busy_timeout(s->db, 30000);
	sqlite3_extended_result_codes(s->db, 1);
	/* WAL + synchronous=FULL: a COMMIT that returned is on disk, which is
	 * what lets intake acknowledge a document at its source afterwards. */
	if (exec(s, "PRAGMA journal_mode = WAL") < 0 || exec(s, "PRAGMA synchronous = FULL") < 0 ||
	    exec(s, "PRAGMA foreign_keys = ON") < 0 || migrate(s) < 0) {
		snprintf(errbuf, sizeof(errbuf), "%s: %s", path, s->error);
		goto fail;
	}
	*out = s;
	return 0;
fail:
	*error_r = errbuf;
	store_close(&s);
	return -1;
}

void store_close(struct store **sp)
{
	struct store *s = *sp;
	if (s == NULL)
		return;
	for (size_t i = 0; i < s->n_cache; i++)
		sqlite3_finalize(s->cache[i].st);
	sqlite3_close(s->db);
	free(s);
	*sp = NULL;
}

int store_begin(struct store *s) { return exec(s, "BEGIN IMMEDIATE"); }
int store_savepoint(struct store *s) { return exec(s, "SAVEPOINT doc"); }
int store_release(struct store *s) { return exec(s, "RELEASE doc"); }
void store_rollback_to(struct store *s)
{
	exec(s, "ROLLBACK TO doc");
	exec(s, "RELEASE doc");
}
int store_commit(struct store *s) { return exec(s, "COMMIT"); }
void store_rollback(struct store *s)
{
	if (!sqlite3_get_autocommit(s->db))
		exec(s, "ROLLBACK");
}

/* ---- documents --------------------------------------------------------- */

static void sha256_hex(const void *data, size_t len, char hex[65])
{
	unsigned char d[32];
	gnutls_hash_fast(GNUTLS_DIG_SHA256, data, len, d);
	for (int i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", d[i]);
}

int store_doc_exists(struct store *s, const char *source_key)
{
	sqlite3_stmt *st = store_prep(s, "SELECT 1 FROM documents WHERE source_key = ?");
	store_bt(st, 1, source_key);
	int rc = sqlite3_step(st);
	store_done(s, st);
	return rc == SQLITE_ROW ? 1 : 0;
}

int store_doc_same_bytes(struct store *s, const char *endpoint, const void *data, size_t len)
{
	char hex[65];
	sha256_hex(data, len, hex);
	sqlite3_stmt *st = store_prep(s, "SELECT 1 FROM documents WHERE content_hash = ? AND endpoint IS ?");
	store_bt(st, 1, hex);
	store_bt(st, 2, endpoint);
	int rc = sqlite3_step(st);
	return store_row_result(s, st, rc, "find document");
}

int store_doc_add(struct store *s, const struct store_doc_meta *m,
		  const void *data, size_t len, int64_t *id_r)
{
	char now[32], hex[65];
	sha256_hex(data, len, hex);
	sqlite3_stmt *st = store_prep(s,
		"INSERT INTO documents (source_key, channel, endpoint, name, received_at, content_hash,"
		" size, full_size, truncated, raw) VALUES (?,?,?,?,?,?,?,?,?,?)"
		" ON CONFLICT (source_key) DO NOTHING");
	store_bt(st, 1, m->source_key);
	store_bt(st, 2, m->channel);
	store_bt(st, 3, m->endpoint);
	store_bt(st, 4, m->name);
	store_bt(st, 5, store_now(now));
	store_bt(st, 6, hex);
	store_bi(st, 7, (int64_t)len);
	store_bi(st, 8, (int64_t)(m->truncated ? m->full_size : len));
	store_bi(st, 9, m->truncated);
	sqlite3_bind_blob64(st, 10, len ? data : "", len, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	store_done(s, st);
	if (store_check(s, rc, "store document") < 0)
		return -1;
	if (sqlite3_changes(s->db) == 0)
		return 1;
	if (id_r != NULL)
		*id_r = sqlite3_last_insert_rowid(s->db);
	return 0;
}

static void read_doc(sqlite3_stmt *st, struct store_doc *d)
{
	d->id = sqlite3_column_int64(st, 0);
	d->source_key = store_ct(st, 1);
	d->channel = store_ct(st, 2);
	d->endpoint = store_ct(st, 3);
	d->name = store_ct(st, 4);
	d->received_at = store_ct(st, 5);
	d->len = (size_t)sqlite3_column_bytes(st, 6);
	d->data = malloc(d->len + 1);
	if (d->data == NULL)
		fatal("out of memory");
	if (d->len)
		memcpy(d->data, sqlite3_column_blob(st, 6), d->len);
	d->data[d->len] = '\0';
	d->truncated = sqlite3_column_int(st, 7) != 0;
	d->full_size = (size_t)sqlite3_column_int64(st, 8);
}

int store_doc_next(struct store *s, int64_t after_id, struct store_doc *d)
{
	sqlite3_stmt *st = store_prep(s,
		"SELECT id, source_key, channel, endpoint, name, received_at, raw, truncated, full_size"
		" FROM documents WHERE state = 'new' AND id > ? ORDER BY id LIMIT 1");
	store_bi(st, 1, after_id);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		read_doc(st, d);
	return store_row_result(s, st, rc, "next document");
}

int store_doc_get(struct store *s, int64_t id, struct store_doc *d)
{
	sqlite3_stmt *st = store_prep(s,
		"SELECT id, source_key, channel, endpoint, name, received_at, raw, truncated, full_size"
		" FROM documents WHERE id = ?");
	store_bi(st, 1, id);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		read_doc(st, d);
	return store_row_result(s, st, rc, "get document");
}

void store_doc_clear(struct store_doc *d)
{
	free(d->source_key);
	free(d->channel);
	free(d->endpoint);
	free(d->name);
	free(d->received_at);
	free(d->data);
	memset(d, 0, sizeof(*d));
}

int store_doc_done(struct store *s, int64_t id, const char *outcome,
		   const char *message_id, const char *sender, const char *subject)
{
	char now[32];
	sqlite3_stmt *st = store_prep(s,
		"UPDATE documents SET state = 'processed', processed_at = ?, outcome = ?,"
		" message_id = ?, sender = ?, subject = ? WHERE id = ?");
	store_bt(st, 1, store_now(now));
	store_bt(st, 2, outcome);
	store_bt(st, 3, message_id);
	store_bt(st, 4, sender);
	store_bt(st, 5, subject);
	store_bi(st, 6, id);
	return store_step_done(s, st, "mark document processed");
}

int store_doc_set_pending(struct store *s, int64_t id)
{
	sqlite3_stmt *st = store_prep(s, "UPDATE documents SET state = 'new' WHERE id = ?");
	store_bi(st, 1, id);
	return store_step_done(s, st, "reprocess document");
}

/* ---- orders -------------------------------------------------------------- */

static void read_order(sqlite3_stmt *st, struct store_order_row *r)
{
	r->id = sqlite3_column_int64(st, 0);
	r->status = store_ct(st, 1);
	r->content_hash = store_ct(st, 2);
	r->stage = store_ct(st, 3);
	r->record = store_ct(st, 4);
	r->document_id = sqlite3_column_int64(st, 5);
}

int store_order_find(struct store *s, const char *partner_id, const char *po_number,
		     struct store_order_row *r)
{
	sqlite3_stmt *st = store_prep(s,
		"SELECT id, status, content_hash, stage, record, document_id FROM orders"
		" WHERE partner_id IS ? AND po_number = ? AND status NOT IN ('duplicate', 'ignored')"
		" ORDER BY id DESC LIMIT 1");
	store_bt(st, 1, partner_id);
	store_bt(st, 2, po_number);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		read_order(st, r);
	return store_row_result(s, st, rc, "find order");
}

int store_order_get(struct store *s, int64_t id, struct store_order_row *r)
{
	sqlite3_stmt *st = store_prep(s,
		"SELECT id, status, content_hash, stage, record, document_id FROM orders WHERE id = ?");
	store_bi(st, 1, id);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		read_order(st, r);
	return store_row_result(s, st, rc, "get order");
}

void store_order_row_clear(struct store_order_row *r)
{
	free(r->status);
	free(r->content_hash);
	free(r->stage);
	free(r->record);
	memset(r, 0, sizeof(*r));
}

int store_order_add(struct store *s, const struct store_order_new *o, int64_t *id_r)
{
	char now[32];
	store_now(now);
	sqlite3_stmt *st = store_prep(s,
		"INSERT INTO orders (document_id, partner_id, po_number, format, document_type, status,"
		" stage, route_rule, content_hash, record, problems, created_at, updated_at, accepted_at)"
		" VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
	store_bi(st, 1, o->document_id);
	store_bt(st, 2, o->partner_id);
	store_bt(st, 3, o->po_number);
	store_bt(st, 4, o->format);
	store_bt(st, 5, o->document_type);
	store_bt(st, 6, o->status);
	store_bt(st, 7, o->stage);
	store_bt(st, 8, o->route_rule);
	store_bt(st, 9, o->content_hash ? o->content_hash : "");
	store_bt(st, 10, o->record);
	store_bt(st, 11, o->problems ? o->problems : "[]");
	store_bt(st, 12, now);
	store_bt(st, 13, now);
	store_bt(st, 14, strcmp(o->status, "accepted") == 0 ? now : NULL);
	if (store_step_done(s, st, "store order") < 0)
		return -1;
	if (id_r != NULL)
		*id_r = sqlite3_last_insert_rowid(s->db);
	return 0;
}

int store_order_update(struct store *s, int64_t id, const char *status, const char *stage,
		       const char *record, const char *problems, const char *content_hash)
{
	char now[32];
	sqlite3_stmt *st = store_prep(s,
		"UPDATE orders SET status = coalesce(?, status), stage = coalesce(?, stage),"
		" record = coalesce(?, record), problems = coalesce(?, problems),"
		" content_hash = coalesce(?, content_hash), updated_at = ?,"
		" accepted_at = CASE WHEN ? = 'accepted' AND accepted_at IS NULL THEN ? ELSE accepted_at END"
		" WHERE id = ?");
	store_now(now);
	store_bt(st, 1, status);
	store_bt(st, 2, stage);
	store_bt(st, 3, record);
	store_bt(st, 4, problems);
	store_bt(st, 5, content_hash);
	store_bt(st, 6, now);
	store_bt(st, 7, status);
	store_bt(st, 8, now);
	store_bi(st, 9, id);
	return store_step_done(s, st, "update order");
}

int store_order_set_status(struct store *s, int64_t id, const char *status)
{
	return store_order_update(s, id, status, NULL, NULL, NULL, NULL);
}

/* ---- exceptions ------------------------------------------------------------ */

int store_exception_add(struct store *s, const struct store_exception_new *e, int64_t *id_r)
{
	char now[32];
	sqlite3_stmt *st = store_prep(s,
		"INSERT INTO exceptions (document_id, order_id, partner_id, reason, summary, problems,"
		" diagnostics, sender, token, created_at) VALUES (?,?,?,?,?,?,?,?,?,?)");
	store_bi(st, 1, e->document_id);
	store_bi0(st, 2, e->order_id);
	store_bt(st, 3, e->partner_id);
	store_bt(st, 4, e->reason);
	store_bt(st, 5, e->summary);
	store_bt(st, 6, e->problems ? e->problems : "[]");
	store_bt(st, 7, e->diagnostics ? e->diagnostics : "[]");
	store_bt(st, 8, e->sender);
	store_bt(st, 9, e->token);
	store_bt(st, 10, store_now(now));
	if (store_step_done(s, st, "store exception") < 0)
		return -1;
	if (id_r != NULL)
		*id_r = sqlite3_last_insert_rowid(s->db);
	return 0;
}

int store_exception_close(struct store *s, int64_t id, const char *state)
{
	char now[32];
	sqlite3_stmt *st = store_prep(s, "UPDATE exceptions SET state = ?, closed_at = ?, claimed_by = NULL WHERE id = ?");
	store_bt(st, 1, state);
	store_bt(st, 2, store_now(now));
	store_bi(st, 3, id);
	return store_step_done(s, st, "close exception");
}

int store_exception_get(struct store *s, int64_t id, struct store_exception_row *r)
{
	sqlite3_stmt *st = store_prep(s,
		"SELECT id, document_id, coalesce(order_id, 0), partner_id, reason, state, sender, token"
		" FROM exceptions WHERE id = ?");
	store_bi(st, 1, id);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		r->id = sqlite3_column_int64(st, 0);
		r->document_id = sqlite3_column_int64(st, 1);
		r->order_id = sqlite3_column_int64(st, 2);
		r->partner_id = store_ct(st, 3);
		r->reason = store_ct(st, 4);
		r->state = store_ct(st, 5);
		r->sender = store_ct(st, 6);
		r->token = store_ct(st, 7);
	}
	return store_row_result(s, st, rc, "get exception");
}

void store_exception_row_clear(struct store_exception_row *r)
{
	free(r->partner_id);
	free(r->reason);
	free(r->state);
	free(r->sender);
	free(r->token);
	memset(r, 0, sizeof(*r));
}

int store_exception_update(struct store *s, int64_t id, const char *reason, const char *summary,
			   const char *problems)
{
	sqlite3_stmt *st = store_prep(s,
		"UPDATE exceptions SET reason = coalesce(?, reason), summary = coalesce(?, summary),"
		" problems = coalesce(?, problems) WHERE id = ?");
	store_bt(st, 1, reason);
	store_bt(st, 2, summary);
	store_bt(st, 3, problems);
	store_bi(st, 4, id);
	return store_step_done(s, st, "update exception");
}

int store_exception_by_ref(struct store *s, const char *token, const char *message_id, int64_t *id_r)
{
	sqlite3_stmt *st = store_prep(s,
		"SELECT e.id FROM exceptions e WHERE e.state = 'open' AND ("
		" (? IS NOT NULL AND e.token = ?) OR"
		" (? IS NOT NULL AND EXISTS (SELECT 1 FROM outbox o WHERE o.exception_id = e.id AND o.message_id = ?)))"
		" ORDER BY e.id DESC LIMIT 1");
	store_bt(st, 1, token);
	store_bt(st, 2, token);
	store_bt(st, 3, message_id);
	store_bt(st, 4, message_id);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*id_r = sqlite3_column_int64(st, 0);
	return store_row_result(s, st, rc, "find exception");
}

/* ---- queues ------------------------------------------------------------------ */

int store_queue_push(struct store *s, int64_t order_id, const char *stage, int64_t *id_r)
{
	char now[32];
	store_now(now);
	sqlite3_stmt *st = store_prep(s,
		"INSERT INTO queue_items (order_id, stage, created_at, updated_at) VALUES (?,?,?,?)");
	store_bi(st, 1, order_id);
	store_bt(st, 2, stage);
	store_bt(st, 3, now);
	store_bt(st, 4, now);
	if (store_step_done(s, st, "queue order") < 0)
		return -1;
	if (id_r != NULL)
		*id_r = sqlite3_last_insert_rowid(s->db);
	return 0;
}

/* ---- outbox ------------------------------------------------------------------ */

int store_outbox_add(struct store *s, const struct store_outbox_new *m, int64_t *id_r)
{
	char now[32];
	store_now(now);
	sqlite3_stmt *st = store_prep(s,
		"INSERT INTO outbox (message_id, kind, channel, recipient, subject, data, order_id,"
		" document_id, exception_id, next_attempt_at, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)");
	store_bt(st, 1, m->message_id);
	store_bt(st, 2, m->kind);
	store_bt(st, 3, m->channel ? m->channel : "mail");
	store_bt(st, 4, m->recipient);
	store_bt(st, 5, m->subject);
	sqlite3_bind_blob64(st, 6, m->len ? m->data : "", m->len, SQLITE_STATIC);
	store_bi0(st, 7, m->order_id);
	store_bi0(st, 8, m->document_id);
	store_bi0(st, 9, m->exception_id);
	store_bt(st, 10, now);
	store_bt(st, 11, now);
	if (store_step_done(s, st, "queue outgoing message") < 0)
		return -1;
	if (id_r != NULL)
		*id_r = sqlite3_last_insert_rowid(s->db);
	return 0;
}

int store_outbox_next(struct store *s, int64_t after_id, struct store_outbox_row *r)
{
	char now[32];
	sqlite3_stmt *st = store_prep(s,
		"SELECT id, message_id, kind, channel, recipient, subject, data, attempts, order_id, exception_id,"
		" document_id FROM outbox WHERE state = 'pending' AND next_attempt_at <= ? AND id > ? ORDER BY id LIMIT 1");
	store_bt(st, 1, store_now(now));
	store_bi(st, 2, after_id);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		r->id = sqlite3_column_int64(st, 0);
		r->message_id = store_ct(st, 1);
		r->kind = store_ct(st, 2);
		r->channel = store_ct(st, 3);
		r->recipient = store_ct(st, 4);
		r->subject = store_ct(st, 5);
		r->len = (size_t)sqlite3_column_bytes(st, 6);
		r->data = malloc(r->len + 1);
		if (r->data == NULL)
			fatal("out of memory");
		if (r->len)
			memcpy(r->data, sqlite3_column_blob(st, 6), r->len);
		r->data[r->len] = '\0';
		r->attempts = sqlite3_column_int(st, 7);
		r->order_id = sqlite3_column_int64(st, 8);
		r->exception_id = sqlite3_column_int64(st, 9);
		r->document_id = sqlite3_column_int64(st, 10);
	}
	return store_row_result(s, st, rc, "next outgoing message");
}

void store_outbox_row_clear(struct store_outbox_row *r)
{
	free(r->message_id);
	free(r->kind);
	free(r->channel);
	free(r->recipient);
	free(r->subject);
	free(r->data);
	memset(r, 0, sizeof(*r));
}

int store_outbox_sent(struct store *s, int64_t id)
{
	char now[32];
	sqlite3_stmt *st = store_prep(s,
		"UPDATE outbox SET state = 'sent', sent_at = ?, attempts = attempts + 1 WHERE id = ?");
	store_bt(st, 1, store_now(now));
	store_bi(st, 2, id);
	return store_step_done(s, st, "mark message sent");
}

int store_outbox_retry(struct store *s, int64_t id, const char *error, const char *next_at)
{
	sqlite3_stmt *st = store_prep(s,
		"UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ? WHERE id = ?");
	store_bt(st, 1, error);
	store_bt(st, 2, next_at);
	store_bi(st, 3, id);
	return store_step_done(s, st, "defer message");
}

int store_outbox_failed(struct store *s, int64_t id, const char *error)
{
	sqlite3_stmt *st = store_prep(s,
		"UPDATE outbox SET state = 'failed', attempts = attempts + 1, last_error = ? WHERE id = ?");
	store_bt(st, 1, error);
	store_bi(st, 2, id);
	return store_step_done(s, st, "mark message failed");
}

int store_outbox_waiting(struct store *s)
{
	sqlite3_stmt *st = store_prep(s, "SELECT count(*) FROM outbox WHERE state = 'pending'");
	int n = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
	store_done(s, st);
	return n;
}

/* ---- checkpoints, counters, audit ------------------------------------------- */

int store_checkpoint_get(struct store *s, const char *source, char **value_r)
{
	sqlite3_stmt *st = store_prep(s, "SELECT value FROM checkpoints WHERE source = ?");
	store_bt(st, 1, source);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*value_r = store_ct(st, 0);
	return store_row_result(s, st, rc, "read checkpoint");
}

int store_checkpoint_set(struct store *s, const char *source, const char *value)
{
	char now[32];
	sqlite3_stmt *st = store_prep(s,
		"INSERT INTO checkpoints (source, value, updated_at) VALUES (?,?,?)"
		" ON CONFLICT (source) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at");
	store_bt(st, 1, source);
	store_bt(st, 2, value);
	store_bt(st, 3, store_now(now));
	return store_step_done(s, st, "write checkpoint");
}

int store_counter_next(struct store *s, const char *name, int64_t *value_r)
{
	sqlite3_stmt *st = store_prep(s,
		"INSERT INTO counters (name, value) VALUES (?, 1)"
		" ON CONFLICT (name) DO UPDATE SET value = value + 1 RETURNING value");
	store_bt(st, 1, name);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*value_r = sqlite3_column_int64(st, 0);
	/* Step to the end so the statement completes. */
	while (rc == SQLITE_ROW)
		rc = sqlite3_step(st);
	store_done(s, st);
	return store_check(s, rc, "counter");
}

int store_audit(struct store *s, const char *actor, const char *entity, int64_t entity_id,
		const char *action, const char *detail)
{
	char now[32];
	sqlite3_stmt *st = store_prep(s,
		"INSERT INTO audit (at, actor, entity, entity_id, action, detail) VALUES (?,?,?,?,?,?)");
	store_bt(st, 1, store_now(now));
	store_bt(st, 2, actor ? actor : "ordergw");
	store_bt(st, 3, entity);
	store_bi0(st, 4, entity_id);
	store_bt(st, 5, action);
	store_bt(st, 6, detail);
	return store_step_done(s, st, "audit");
}

/* ---- listings ------------------------------------------------------------------ */

static bool is_json_column(const char *name)
{
	return strcmp(name, "record") == 0 || strcmp(name, "problems") == 0 ||
	       strcmp(name, "diagnostics") == 0 || strcmp(name, "detail_json") == 0;
}

json_object *store_row_object(sqlite3_stmt *st)
{
	json_object *o = json_object_new_object();
	for (int i = 0; i < sqlite3_column_count(st); i++) {
		const char *name = sqlite3_column_name(st, i);
		json_object *v = NULL;
		switch (sqlite3_column_type(st, i)) {
		case SQLITE_INTEGER:
			v = json_object_new_int64(sqlite3_column_int64(st, i));
			break;
		case SQLITE_FLOAT:
			v = json_object_new_double(sqlite3_column_double(st, i));
			break;
		case SQLITE_TEXT: {
			const char *t = (const char *)sqlite3_column_text(st, i);
			v = is_json_column(name) ? json_tokener_parse(t) : NULL;
			if (v == NULL)
				v = json_object_new_string(t);
			break;
		}
		case SQLITE_BLOB:
			v = json_object_new_int64(sqlite3_column_bytes(st, i));
			break;
		default:
			break;
		}
		json_object_object_add(o, name, v);
	}
	return o;
}

/* Run a one-off query with up to four text parameters into a JSON array. */
json_object *store_query_rows(struct store *s, const char *sql, const char *p1, const char *p2,
			       const char *p3, int64_t n4)
{
	sqlite3_stmt *st = store_prep(s, sql);
	int np = sqlite3_bind_parameter_count(st);
	if (np >= 1) store_bt(st, 1, p1);
	if (np >= 2) store_bt(st, 2, p2);
	if (np >= 3) store_bt(st, 3, p3);
	if (np >= 4) store_bi(st, 4, n4);
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

json_object *store_list_orders(struct store *s, const char *status, int limit)
{
	return store_query_rows(s,
		"SELECT id, partner_id, po_number, format, document_type, status, stage, route_rule,"
		" created_at, accepted_at, json_extract(record, '$.order_date') AS order_date,"
		" json_extract(record, '$.totals.line_count') AS line_count,"
		" json_extract(record, '$.currency') AS currency,"
		" json_extract(record, '$.totals.total_amount') AS total_amount"
		" FROM orders WHERE (?1 IS NULL OR status = ?1) AND ?2 IS NULL AND ?3 IS NULL"
		" ORDER BY id LIMIT ?4", status, NULL, NULL, limit > 0 ? limit : -1);
}

static json_object *first_or_null(json_object *arr)
{
	if (arr == NULL)
		return NULL;
	json_object *o = json_object_array_length(arr) ? json_object_get(json_object_array_get_idx(arr, 0)) : NULL;
	json_object_put(arr);
	return o;
}

static json_object *rows_for(struct store *s, const char *sql, int64_t id)
{
	char idbuf[24];
	snprintf(idbuf, sizeof(idbuf), "%lld", (long long)id);
	return store_query_rows(s, sql, idbuf, NULL, NULL, 0);
}

json_object *store_show_order(struct store *s, int64_t id)
{
	json_object *o = first_or_null(rows_for(s,
		"SELECT o.id, o.document_id, o.partner_id, o.po_number, o.format, o.document_type, o.status,"
		" o.stage, o.route_rule, o.created_at, o.updated_at, o.accepted_at, o.problems, o.record,"
		" d.sender, d.subject, d.message_id, d.channel, d.endpoint, d.name AS document_name,"
		" d.received_at FROM orders o JOIN documents d ON d.id = o.document_id"
		" WHERE o.id = CAST(?1 AS INTEGER) AND ?2 IS NULL AND ?3 IS NULL AND ?4 = 0", id));
	if (o == NULL)
		return NULL;
	json_object_object_add(o, "history", rows_for(s,
		"SELECT at, actor, entity, entity_id, action, detail FROM audit WHERE"
		" (entity = 'order' AND entity_id = CAST(?1 AS INTEGER)) OR"
		" (entity = 'document' AND entity_id = (SELECT document_id FROM orders WHERE id = CAST(?1 AS INTEGER))) OR"
		" (entity = 'exception' AND entity_id IN (SELECT id FROM exceptions WHERE order_id = CAST(?1 AS INTEGER))) OR"
		" (entity = 'queue' AND entity_id IN (SELECT id FROM queue_items WHERE order_id = CAST(?1 AS INTEGER))) OR"
		" (entity = 'outbox' AND entity_id IN (SELECT id FROM outbox WHERE order_id = CAST(?1 AS INTEGER)))"
		" AND ?2 IS NULL AND ?3 IS NULL AND ?4 = 0 ORDER BY id", id));
	json_object_object_add(o, "queue_items", rows_for(s,
		"SELECT id, stage, state, failures, last_error, created_at, updated_at FROM queue_items"
		" WHERE order_id = CAST(?1 AS INTEGER) AND ?2 IS NULL AND ?3 IS NULL AND ?4 = 0 ORDER BY id", id));
	json_object_object_add(o, "messages", rows_for(s,
		"SELECT id, kind, recipient, subject, state, message_id, created_at, sent_at FROM outbox"
		" WHERE order_id = CAST(?1 AS INTEGER) AND ?2 IS NULL AND ?3 IS NULL AND ?4 = 0 ORDER BY id", id));
	return o;
}

json_object *store_list_exceptions(struct store *s, const char *state, const char *partner,
				   const char *reason, int limit)
{
	return store_query_rows(s,
		"SELECT e.id, e.document_id, e.order_id, e.partner_id, e.reason, e.summary, e.state,"
		" e.claimed_by, e.created_at, d.sender, d.subject,"
		" CAST((julianday('now') - julianday(e.created_at)) * 86400 AS INTEGER) AS waiting_seconds"
		" FROM exceptions e JOIN documents d ON d.id = e.document_id"
		" WHERE (?1 IS NULL OR e.state = ?1) AND (?2 IS NULL OR e.partner_id = ?2)"
		" AND (?3 IS NULL OR e.reason = ?3) ORDER BY e.id LIMIT ?4",
		state, partner, reason, limit > 0 ? limit : -1);
}

json_object *store_show_exception(struct store *s, int64_t id)
{
	json_object *o = first_or_null(rows_for(s,
		"SELECT e.id, e.document_id, e.order_id, e.partner_id, e.reason, e.summary, e.state,"
		" e.problems, e.diagnostics, e.sender, e.token, e.claimed_by, e.claimed_at, e.created_at,"
		" e.closed_at, d.channel, d.endpoint, d.name AS document_name, d.subject, d.message_id,"
		" d.received_at, d.size, d.truncated, o.record"
		" FROM exceptions e JOIN documents d ON d.id = e.document_id"
		" LEFT JOIN orders o ON o.id = e.order_id"
		" WHERE e.id = CAST(?1 AS INTEGER) AND ?2 IS NULL AND ?3 IS NULL AND ?4 = 0", id));
	if (o == NULL)
		return NULL;
	json_object_object_add(o, "history", rows_for(s,
		"SELECT at, actor, action, detail FROM audit WHERE entity = 'exception'"
		" AND entity_id = CAST(?1 AS INTEGER) AND ?2 IS NULL AND ?3 IS NULL AND ?4 = 0 ORDER BY id", id));
	return o;
}

json_object *store_list_queue(struct store *s, const char *stage, bool dead, int limit)
{
	return store_query_rows(s,
		"SELECT q.id, q.order_id, q.stage, q.state, q.failures, q.last_error, q.lease_owner,"
		" q.lease_until, q.created_at, o.partner_id, o.po_number,"
		" CAST((julianday('now') - julianday(q.created_at)) * 86400 AS INTEGER) AS waiting_seconds"
		" FROM queue_items q JOIN orders o ON o.id = q.order_id"
		" WHERE q.stage = ?1 AND ((?2 IS NULL AND q.state IN ('ready', 'leased')) OR"
		" (?2 IS NOT NULL AND q.state = 'dead')) AND ?3 IS NULL ORDER BY q.id LIMIT ?4",
		stage, dead ? "dead" : NULL, NULL, limit > 0 ? limit : -1);
}

json_object *store_list_outbox(struct store *s, const char *state, int limit)
{
	return store_query_rows(s,
		"SELECT id, kind, channel, recipient, subject, state, attempts, last_error,"
		" next_attempt_at, message_id, order_id, exception_id, created_at, sent_at"
		" FROM outbox WHERE (?1 IS NULL OR state = ?1) AND ?2 IS NULL AND ?3 IS NULL"
		" ORDER BY id LIMIT ?4", state, NULL, NULL, limit > 0 ? limit : -1);
}

json_object *store_stats(struct store *s, const char *since)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "documents", store_query_rows(s,
		"SELECT state, count(*) AS count FROM documents WHERE (?1 IS NULL OR received_at >= ?1)"
		" AND ?2 IS NULL AND ?3 IS NULL AND ?4 = 0 GROUP BY state ORDER BY state", since, NULL, NULL, 0));
	json_object_object_add(o, "orders", store_query_rows(s,
		"SELECT status, count(*) AS count FROM orders WHERE (?1 IS NULL OR created_at >= ?1)"
		" AND ?2 IS NULL AND ?3 IS NULL AND ?4 = 0 GROUP BY status ORDER BY status", since, NULL, NULL, 0));
	json_object_object_add(o, "queues", store_query_rows(s,
		"SELECT stage, count(*) AS items, min(created_at) AS oldest,"
		" CAST((julianday('now') - julianday(min(created_at))) * 86400 AS INTEGER) AS oldest_age_seconds"
		" FROM queue_items WHERE state IN ('ready', 'leased') AND ?1 IS NULL AND ?2 IS NULL"
		" AND ?3 IS NULL AND ?4 = 0 GROUP BY stage ORDER BY stage", NULL, NULL, NULL, 0));
	json_object_object_add(o, "exceptions_by_reason", store_query_rows(s,
		"SELECT reason, count(*) AS count FROM exceptions WHERE state = 'open'"
		" AND (?1 IS NULL OR created_at >= ?1) AND ?2 IS NULL AND ?3 IS NULL AND ?4 = 0"
		" GROUP BY reason ORDER BY count DESC, reason", since, NULL, NULL, 0));
	json_object_object_add(o, "exceptions_by_partner", store_query_rows(s,
		"SELECT coalesce(partner_id, '(unknown)') AS partner_id, count(*) AS count FROM exceptions"
		" WHERE state = 'open' AND (?1 IS NULL OR created_at >= ?1) AND ?2 IS NULL AND ?3 IS NULL"
		" AND ?4 = 0 GROUP BY partner_id ORDER BY count DESC, partner_id", since, NULL, NULL, 0));
	json_object_object_add(o, "outbox", store_query_rows(s,
		"SELECT state, count(*) AS count FROM outbox WHERE ?1 IS NULL AND ?2 IS NULL AND ?3 IS NULL"
		" AND ?4 = 0 GROUP BY state ORDER BY state", NULL, NULL, NULL, 0));
	/* Receipt to acceptance, in seconds: median and 90th percentile. */
	json_object *lat = store_query_rows(s,
		"WITH t AS (SELECT (julianday(o.accepted_at) - julianday(d.received_at)) * 86400 AS sec"
		" FROM orders o JOIN documents d ON d.id = o.document_id WHERE o.accepted_at IS NOT NULL"
		" AND (?1 IS NULL OR o.created_at >= ?1) AND ?2 IS NULL AND ?3 IS NULL AND ?4 = 0),"
		" r AS (SELECT sec, row_number() OVER (ORDER BY sec) AS rn, count(*) OVER () AS n FROM t)"
		" SELECT count(*) AS accepted,"
		" (SELECT round(sec, 1) FROM r WHERE rn = CAST((n + 1) / 2 AS INTEGER)) AS median_seconds,"
		" (SELECT round(sec, 1) FROM r WHERE rn = max(1, (n * 9 + 9) / 10)) AS p90_seconds FROM t",
		since, NULL, NULL, 0);
	json_object_object_add(o, "receipt_to_acceptance", first_or_null(lat));
	return o;
}
