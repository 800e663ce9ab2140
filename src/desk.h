/* desk.h — the exception desk: what sales does with an order that could
 * not be accepted by itself.
 *
 * Every action runs in one transaction with its audit line (who, when,
 * what), so `orders show` tells an order's whole story.  An exception
 * claimed by one person refuses set, accept, reject and reprocess from
 * everyone else, until the claim is [queues] claim_timeout old: then the
 * next person's action takes it over (audited as "claim expired", naming
 * whose claim it was).  Results: 0 done (msg says what happened), -1 store
 * error, or one of the refusals below with msg saying why. */
#ifndef ORDERGW_DESK_H
#define ORDERGW_DESK_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct config;
struct store;

enum { DESK_REFUSED = 1, DESK_NOT_FOUND = 2, DESK_CLAIMED = 3 };

/* Claiming again renews one's own claim. */
int desk_claim(struct store *st, const struct config *cfg, int64_t id, const char *user, char *msg, size_t msglen);
/* force: release someone else's live claim (a supervisor); an expired one
 * needs no force. */
int desk_release(struct store *st, const struct config *cfg, int64_t id, const char *user, bool force,
		 char *msg, size_t msglen);
/* Edit the stored record by JSON path ("lines[2].quantity=500",
 * "incoterms.code=FOB", "x=null"), validate it again at once and store the
 * new problems.  Lines count from 0, as in PROBLEM fields. */
int desk_set(struct store *st, const struct config *cfg, int64_t id, const char *user,
	     char *const *assignments, size_t n, char *msg, size_t msglen);
/* Route the order as the pipeline does, queue it and the customer's receipt
 * (review) or confirmation (any other first stage). */
int desk_accept(struct store *st, const struct config *cfg, int64_t id, const char *user,
		char *msg, size_t msglen);
/* Close it and queue the rejection message with the reason. */
int desk_reject(struct store *st, const struct config *cfg, int64_t id, const char *user,
		const char *reason, char *msg, size_t msglen);
/* Parse the stored document again (after a rule or configuration fix). */
int desk_reprocess(struct store *st, const struct config *cfg, int64_t id, const char *user,
		   char *msg, size_t msglen);

/* Apply one "PATH=VALUE" to a JSON object (exposed for tests).
 * 0 ok, -1 with *error_r. */
int desk_json_set(void *root_json_object, const char *assignment, const char **error_r);

#endif
