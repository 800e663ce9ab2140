/* notify.h — the messages ordergw sends customers, queued in the outbox.
 *
 * Each message is composed completely (mailmsg.h) and stored in the outbox
 * inside the caller's transaction, so it exists exactly when the order or
 * exception it speaks of exists.  The sender (sender.h) delivers it later. */
#ifndef ORDERGW_NOTIFY_H
#define ORDERGW_NOTIFY_H
#include <stdint.h>
#include <json.h>

struct config;
struct order;
struct store;

enum notify_kind { NOTIFY_CONFIRMATION, NOTIFY_RECEIPT, NOTIFY_CLARIFICATION,
		   NOTIFY_REJECTION, NOTIFY_DUPLICATE, NOTIFY_SHIPPING, NOTIFY_FEEDBACK,
		   NOTIFY_KIND_COUNT };

struct notify_ctx {
	const char *recipient;      /* addr-spec */
	const char *recipient_name;
	const char *in_reply_to;    /* the customer's Message-ID, without <> */
	const char *references;
	const char *subject;        /* the customer's subject, for "Re:" */
	const char *token;          /* clarification reference, e.g. "OG-12" */
	const char *locale;
	const char *partner_id, *partner_name;
	const char *reason;         /* rejection reason */
	json_object *problems;      /* PROBLEM array, or NULL */
	const char *tracking;       /* shipping notice: the tracking number */
	int64_t order_id, document_id, exception_id;
};

extern const char *const notify_kind_names[];   /* also the template names */
/* The folder of the shipped templates this program uses. */
const char *notify_templates_dir(void);
/* Compose and queue; 0 ok; 1 with error_r when this message cannot be made
 * (bad address, template error, order too large: the caller goes on
 * without it); -1 with error_r when the store refused it (the caller's
 * transaction must fail, or the message would be lost). */
int notify_queue(struct store *st, const struct config *cfg, enum notify_kind kind,
		 struct order *o, const struct notify_ctx *n, const char **error_r);

#endif
