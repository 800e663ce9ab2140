/* stagequeue.h — the stage queues the company works from (review,
 * purchasing, production, logistics, settlement, feedback by default).
 *
 * An order is in at most one open item at a time.  `take` leases the oldest
 * ready item of a stage ([queues] lease_seconds); a lease that runs out
 * makes the item ready again, decided in the take itself (no background
 * job).  `done` closes the item with its facts (tracking=...) and puts the
 * order into the next stage (or the one named); the last stage completes
 * the order.  `fail` returns the item with a count; at [queues]
 * max_failures it goes to the dead-letter list.  Entering a stage queues
 * its webhook ([stage NAME] webhook_url) and customer message in the same
 * transaction.  Every action is audited with who did it.
 *
 * take, done and fail run their own BEGIN IMMEDIATE .. COMMIT;
 * stagequeue_enter and stagequeue_notify write inside the caller's. */
#ifndef ORDERGW_STAGEQUEUE_H
#define ORDERGW_STAGEQUEUE_H
#include <stddef.h>
#include <stdint.h>
#include "notify.h"

struct config;
struct order;
struct store;
struct store_queue_item;

/* Put an order into a stage: item, webhook, on-enter message, audit.
 * record is the ORDER JSON; o the same order parsed, or NULL (parsed
 * here when a message needs it).  0 ok, -1 store error. */
int stagequeue_enter(struct store *st, const struct config *cfg, int64_t order_id, const char *stage,
		     const char *actor, const char *record, struct order *o, int64_t *item_r);

/* Queue a customer message about a stored order to whoever sent it (the
 * mail's sender, or the partner's address for EDI; never an unknown
 * sender).  0 queued, 1 no one to write to (*why_r says so), -1 error. */
int stagequeue_notify(struct store *st, const struct config *cfg, int64_t order_id,
		      enum notify_kind kind, struct order *o, const char *reason,
		      const char *tracking, const char *actor, const char **why_r);

/* 1 taken (q filled; store_queue_item_clear it), 0 nothing ready, -1 error. */
int stagequeue_take(struct store *st, const struct config *cfg, const char *stage, const char *user,
		    int lease_seconds, struct store_queue_item *q, char *msg, size_t msglen);
/* facts: "KEY=VALUE" strings.  to: NULL for the next stage.
 * 0 ok (msg says where it went), 1 refused (msg says why), -1 error. */
int stagequeue_done(struct store *st, const struct config *cfg, int64_t item, const char *user,
		    const char *to, char *const *facts, size_t n_facts, char *msg, size_t msglen);
/* 0 back to ready, 1 refused, 2 dead-lettered, -1 error. */
int stagequeue_fail(struct store *st, const struct config *cfg, int64_t item, const char *user,
		    const char *reason, char *msg, size_t msglen);

/* The message a stage sends on entering / on done (configured, else the
 * built-in default for its name); -1: none. */
int stagequeue_message_on_enter(const struct config *cfg, const char *stage);
int stagequeue_message_on_done(const struct config *cfg, const char *stage);

#endif
