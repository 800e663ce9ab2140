/* webhook.h — hand an order to another system when it enters a stage.
 *
 * The body is {"event":"stage_entered","stage":S,"item_id":N,"order_id":N,
 * "order":ORDER}; it is queued in the outbox (channel "webhook", recipient
 * the URL, subject the stage) in the same transaction as the queue move,
 * and the sender POSTs it later with the header
 * X-Ordergw-Signature: sha256=HEX, the HMAC-SHA256 of the body keyed with
 * the stage's webhook_secret_file.  A receiver checks that header and
 * de-duplicates by X-Ordergw-Delivery (the outbox message id). */
#ifndef ORDERGW_WEBHOOK_H
#define ORDERGW_WEBHOOK_H
#include <stddef.h>
#include <stdint.h>

struct config;

#define WEBHOOK_SIG_MAX 80        /* "sha256=" + 64 hex + NUL */
#define WEBHOOK_SECRET_MAX 4096   /* bytes of a secret file */

/* "sha256=" and the lower-case hex HMAC-SHA256 of body; 0 ok, -1 error. */
int webhook_sign(const void *key, size_t key_len, const void *body, size_t len,
		 char out[WEBHOOK_SIG_MAX]);
/* The body for an order entering a stage; malloc'd, NUL-terminated. */
char *webhook_body(const char *order_json, const char *stage, int64_t item_id, int64_t order_id,
		   size_t *len_r);
/* A recipient as it may be shown in logs, messages and the audit: a URL
 * (scheme://...) with scheme, host, port and path only, written into out
 * (cap bytes), its user/password part and query (which may carry a token)
 * left out; anything else (a mail address, a dir: path) is url itself. */
const char *webhook_url_for_log(const char *url, char *out, size_t cap);
/* POST a queued body to url, signed with the secret of [stage STAGE].
 * 0 delivered (2xx), 1 try again (5xx, 408, 429, connection errors),
 * -1 permanent (other statuses, no secret); msg says what happened. */
int webhook_deliver(const struct config *cfg, const char *stage, const char *url,
		    const char *delivery_id, const void *body, size_t len, char *msg, size_t msglen);

#endif
