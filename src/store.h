/* store.h — the durable state of ordergw: SQLite behind one module.
 *
 * Everything important lives here and nowhere else: raw documents with
 * their bytes, orders, exceptions, stage queue items, outgoing messages,
 * source checkpoints and the audit log.  The file is opened in WAL mode
 * with foreign keys on and a busy timeout; the schema is versioned
 * (PRAGMA user_version) and migrated at open.  All SQL of the project is
 * in store.c, so that another backend can come later.
 *
 * Transactions are the caller's: store_begin() .. store_commit(), and the
 * reliability protocol of ARCHITECTURE.md is built from them: a document is
 * committed before it is acknowledged at its source; processing one
 * document is one transaction.  Functions return 0 ok, -1 error (message
 * from store_error()), and 1 where a third state is named. */
#ifndef ORDERGW_STORE_H
#define ORDERGW_STORE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <json.h>

struct store;

int store_open(const char *path, struct store **out, const char **error_r);
void store_close(struct store **s);
const char *store_error(struct store *s);
int store_begin(struct store *s);        /* BEGIN IMMEDIATE, waits while busy */
int store_commit(struct store *s);
void store_rollback(struct store *s);
/* Nested units inside a transaction (SQL savepoints): several documents
 * share one COMMIT, and one that fails is undone alone. */
int store_savepoint(struct store *s);
int store_release(struct store *s);
void store_rollback_to(struct store *s);
/* Current time as "YYYY-MM-DDTHH:MM:SS.mmmZ"; ORDERGW_NOW overrides it (tests). */
const char *store_now(char buf[32]);

/* ---- documents --------------------------------------------------------- */

struct store_doc_meta {
	const char *source_key;  /* unique: mailbox+UIDVALIDITY+UID, path+size+mtime ... */
	const char *channel;     /* imap maildir sftp dir file */
	const char *endpoint;    /* mailbox or drop name */
	const char *name;        /* file name, or NULL */
	bool truncated;          /* only the headers were kept (over the size limit) */
	size_t full_size;        /* size at the source when truncated */
};

/* 0 stored (id in *id_r), 1 already stored under that source key. */
int store_doc_add(struct store *s, const struct store_doc_meta *m,
		  const void *data, size_t len, int64_t *id_r);
int store_doc_exists(struct store *s, const char *source_key);   /* 1 yes, 0 no */
/* Are these exact bytes already stored from this endpoint?  1 yes, 0 no. */
int store_doc_same_bytes(struct store *s, const char *endpoint, const void *data, size_t len);

struct store_doc {
	int64_t id;
	char *source_key, *channel, *endpoint, *name, *received_at;
	unsigned char *data;
	size_t len;
	bool truncated;
	size_t full_size;
};
/* The oldest document not yet processed: 1 found, 0 none. */
int store_doc_next(struct store *s, int64_t after_id, struct store_doc *d);
int store_doc_get(struct store *s, int64_t id, struct store_doc *d);   /* 1 found */
void store_doc_clear(struct store_doc *d);
int store_doc_done(struct store *s, int64_t id, const char *outcome,
		   const char *message_id, const char *sender, const char *subject);
int store_doc_set_pending(struct store *s, int64_t id);   /* for reprocess */

/* ---- orders and exceptions ---------------------------------------------- */

struct store_order_row {
	int64_t id;
	char *status, *content_hash, *stage, *record;
	int64_t document_id;
};
/* The newest order with this partner and PO number: 1 found, 0 none. */
int store_order_find(struct store *s, const char *partner_id, const char *po_number,
		     struct store_order_row *r);
int store_order_get(struct store *s, int64_t id, struct store_order_row *r);   /* 1 found */
void store_order_row_clear(struct store_order_row *r);

struct store_order_new {
	int64_t document_id;
	const char *partner_id, *po_number, *format, *document_type;
	const char *status;      /* accepted exception duplicate rejected cancelled changed ignored */
	const char *stage;
	const char *route_rule;
	const char *content_hash;
	const char *record;      /* ORDER JSON */
	const char *problems;    /* PROBLEM JSON array */
};
int store_order_add(struct store *s, const struct store_order_new *o, int64_t *id_r);
int store_order_update(struct store *s, int64_t id, const char *status, const char *stage,
		       const char *record, const char *problems, const char *content_hash);
int store_order_set_status(struct store *s, int64_t id, const char *status);

struct store_exception_new {
	int64_t document_id;
	int64_t order_id;        /* 0: none */
	const char *partner_id;
	const char *reason;      /* machine key: incomplete invalid unreadable no_order duplicate_po ... */
	const char *summary;     /* one sentence for the list */
	const char *problems;    /* JSON array */
	const char *diagnostics; /* JSON array */
	const char *sender;      /* who to answer */
	const char *token;       /* clarification reference, or NULL */
};
int store_exception_add(struct store *s, const struct store_exception_new *e, int64_t *id_r);
int store_exception_close(struct store *s, int64_t id, const char *state);
struct store_exception_row {
	int64_t id, document_id, order_id;
	char *partner_id, *reason, *state, *sender, *token;
};
int store_exception_get(struct store *s, int64_t id, struct store_exception_row *r);   /* 1 found */
void store_exception_row_clear(struct store_exception_row *r);
int store_exception_update(struct store *s, int64_t id, const char *reason, const char *summary,
			   const char *problems);
/* The open exception whose clarification carries this token or Message-ID. */
int store_exception_by_ref(struct store *s, const char *token, const char *message_id,
			   int64_t *id_r);

/* ---- stage queues ------------------------------------------------------- */

int store_queue_push(struct store *s, int64_t order_id, const char *stage, int64_t *id_r);

/* ---- outbox ------------------------------------------------------------- */

struct store_outbox_new {
	const char *message_id;  /* without <> */
	const char *kind;        /* confirmation clarification receipt rejection duplicate 997 855 ... */
	const char *channel;     /* "mail" or "edi" */
	const char *recipient;   /* mail address, or the outbound URL for EDI */
	const char *subject;     /* or the file name for EDI */
	const void *data;
	size_t len;
	int64_t order_id, document_id, exception_id;   /* 0: none */
};
int store_outbox_add(struct store *s, const struct store_outbox_new *m, int64_t *id_r);

struct store_outbox_row {
	int64_t id;
	char *message_id, *kind, *channel, *recipient, *subject;
	unsigned char *data;
	size_t len;
	int attempts;
	int64_t order_id, exception_id, document_id;
};
/* The next message due for sending (next_attempt_at <= now): 1 found. */
int store_outbox_next(struct store *s, int64_t after_id, struct store_outbox_row *r);
void store_outbox_row_clear(struct store_outbox_row *r);
int store_outbox_sent(struct store *s, int64_t id);
/* A temporary failure: try again at `next_at`. */
int store_outbox_retry(struct store *s, int64_t id, const char *error, const char *next_at);
int store_outbox_failed(struct store *s, int64_t id, const char *error);
int store_outbox_waiting(struct store *s);   /* count pending, for --once's exit */

/* ---- checkpoints, counters, audit ---------------------------------------- */

int store_checkpoint_get(struct store *s, const char *source, char **value_r);   /* 1 found */
int store_checkpoint_set(struct store *s, const char *source, const char *value);
/* Increment a persistent counter and return the new value (control numbers). */
int store_counter_next(struct store *s, const char *name, int64_t *value_r);
int store_audit(struct store *s, const char *actor, const char *entity, int64_t entity_id,
		const char *action, const char *detail);

/* ---- listings for the admin command (JSON arrays/objects, caller puts) --- */

json_object *store_list_orders(struct store *s, const char *status, int limit);
json_object *store_show_order(struct store *s, int64_t id);   /* NULL: no such order */
json_object *store_list_exceptions(struct store *s, const char *state, const char *partner,
				   const char *reason, int limit);
json_object *store_show_exception(struct store *s, int64_t id);
json_object *store_list_queue(struct store *s, const char *stage, bool dead, int limit);
json_object *store_list_outbox(struct store *s, const char *state, int limit);
json_object *store_stats(struct store *s, const char *since);

/* ---- the sales desk and the stage queues (store_desk.c) -------------------
 * Times are store_now() text; `now` parameters let ORDERGW_NOW fake them. */

struct store_queue_item {
	int64_t id, order_id;
	char *stage, *state, *lease_owner, *lease_until, *facts;   /* facts: JSON object */
	int failures;
};
void store_queue_item_clear(struct store_queue_item *q);
int store_queue_get(struct store *s, int64_t id, struct store_queue_item *q);   /* 1 found */
/* Lease the oldest item of `stage` that is ready or whose lease ran out:
 * one UPDATE .. WHERE id = (SELECT ..) RETURNING, inside the caller's
 * BEGIN IMMEDIATE.  1 taken (q filled), 0 none. */
int store_queue_take(struct store *s, const char *stage, const char *owner, int lease_seconds,
		     struct store_queue_item *q);
/* The item leaves its stage: done, facts (a JSON object) merged in, the
 * stage it went to (NULL: the end). */
int store_queue_finish(struct store *s, int64_t id, const char *facts_json, const char *next_stage);
/* A failed attempt: back to ready, or dead once failures reach max_failures.
 * 0 ready again, 1 dead. */
int store_queue_fail(struct store *s, int64_t id, const char *reason, int max_failures);
/* Set an order's status, stage and routing rule (NULL keeps a value). */
/* The newest other order (not this one) with the same partner and PO
 * number that is still live: 1 found (id in *id_r), 0 none. */
int store_order_previous(struct store *s, int64_t order_id, int64_t *id_r);
/* End an order that a change replaced or a cancellation ended: its status
 * becomes status and its open queue items are closed with the reason. */
int store_order_end(struct store *s, int64_t order_id, const char *status, const char *reason);
int store_order_route(struct store *s, int64_t order_id, const char *status, const char *stage,
		      const char *route_rule);

/* A claim on an exception: who (NULL when no one), since when, and whether
 * it has expired: it is at least timeout_seconds old by the store clock
 * (timeout_seconds 0: claims never expire). */
struct store_claim {
	char *by, *since;
	bool expired;
};
void store_claim_clear(struct store_claim *c);
int store_exception_claim_get(struct store *s, int64_t id, long long timeout_seconds, struct store_claim *c);
/* 0 claimed (or already ours: the claim is renewed from now), 1 someone
 * else holds it (who in *holder_r, freed by caller).  An expired claim of
 * someone else must be released first (desk.c does, with its audit line). */
int store_exception_claim(struct store *s, int64_t id, const char *user, char **holder_r);
int store_exception_release(struct store *s, int64_t id);
/* Before a document is processed again: its held orders become "ignored"
 * and its open exceptions "reprocessed", so the new run starts clean. */
int store_document_supersede(struct store *s, int64_t document_id);
/* Open exceptions of a partner, oldest first (caller frees *ids_r). */
int store_exceptions_open_of(struct store *s, const char *partner, int64_t **ids_r, size_t *n_r);

/* Is an earlier message on this channel to this recipient still pending?
 * (webhooks are handed off in order: a later one waits.)  1 yes, 0 no. */
int store_outbox_earlier_pending(struct store *s, int64_t id, const char *channel, const char *recipient);

/* Whom to answer about an order and what to answer: from its document. */
struct store_order_contact {
	int64_t document_id;
	char *partner_id, *channel, *sender, *message_id, *subject;
};
int store_order_contact(struct store *s, int64_t order_id, struct store_order_contact *c);   /* 1 found */
void store_order_contact_clear(struct store_order_contact *c);

/* Listings: exceptions waiting at least min_age_seconds (0: all), oldest
 * first; queues with item counts and the oldest's age; time through each
 * stage and receipt to acceptance, median and 90th percentile. */
/* An exception's claimed_by and claimed_at are null when its claim is
 * older than claim_timeout_seconds (0: claims never expire). */
json_object *store_desk_exceptions(struct store *s, const char *state, const char *partner,
				   const char *reason, long long min_age_seconds, long long claim_timeout_seconds);
json_object *store_desk_queue(struct store *s, const char *stage, bool dead);
json_object *store_desk_queues(struct store *s);
json_object *store_desk_stage_times(struct store *s, const char *since);
json_object *store_desk_acceptance_times(struct store *s, const char *since);

#endif
