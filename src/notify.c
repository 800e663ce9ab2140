/* notify.c — customer messages from the templates (see notify.h).
 *
 * The view (message_view.h) is built from the order and its problems, the
 * partner's locale picks templates/<locale>/ (en as the fallback), IT's
 * override folder comes first, and mailmsg.h makes the RFC 5322 message. */
#include "notify.h"
#include "buf.h"
#include "config.h"
#include "mailmsg.h"
#include "order.h"
#include "store.h"
#include "message_view.h"
#include "templates.h"
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const notify_kind_names[] = { "confirmation", "receipt", "clarification", "rejection", "duplicate",
					  "shipping", "feedback" };

/* Where the shipped templates are: $ORDERGW_DATADIR/templates, the installed
 * PKGDATADIR/templates, or (running from a build tree) the source tree's. */
static const char *shipped_dir(void)
{
	static char buf[4096];
	const char *env = getenv("ORDERGW_DATADIR");
	if (env != NULL && *env) {
		snprintf(buf, sizeof(buf), "%s/templates", env);
		return buf;
	}
	const char *inst = templates_default_dir();
	if (access(inst, R_OK) == 0)
		return inst;
	return OG_SRCDIR "/templates";
}

const char *notify_templates_dir(void) { return shipped_dir(); }

int notify_queue(struct store *st, const struct config *cfg, enum notify_kind kind,
		 struct order *o, const struct notify_ctx *n, const char **error_r)
{
	struct buf msg;
	buf_init(&msg, 1u << 23);
	struct rendered r = { 0 };
	json_object *view = NULL;
	char *id = NULL;
	int ret = 1;
	char ref[48];
	/* Without a clarification token, our reference is the order number. */
	if (n->token)
		snprintf(ref, sizeof(ref), "%s", n->token);
	else
		snprintf(ref, sizeof(ref), "ORD-%lld", (long long)(n->order_id ? n->order_id : n->document_id));
	char *from_addr = mailmsg_addr(cfg->outbox.from);
	struct message_view_info info = {
		.company_name = cfg->company_name, .company_email = from_addr, .ref = ref,
		.partner_id = n->partner_id, .partner_name = n->partner_name, .locale = n->locale,
		.reason = n->reason, .original_subject = n->subject, .original_message_id = n->in_reply_to,
		.tracking = n->tracking,
	};
	view = message_view_new(o, n->problems, &info);
	free(from_addr);
	if (view == NULL) {
		*error_r = "the order is too large for a message";
		goto out;
	}
	const char *dirs[3] = { NULL, NULL, NULL };
	int k = 0;
	if (cfg->templates_dir)
		dirs[k++] = cfg->templates_dir;
	dirs[k] = shipped_dir();
	if (templates_render(dirs, n->locale ? n->locale : "en", notify_kind_names[kind], view, &r, error_r) < 0)
		goto out;

	struct mail_out m = {
		.from = cfg->outbox.from, .to = n->recipient, .to_name = n->recipient_name,
		.subject = r.subject, .text = r.text, .html = r.html, .in_reply_to = n->in_reply_to,
		.references = n->references, .ordergw_ref = n->token,
	};
	if (mailmsg_build(&m, &msg, &id, error_r) < 0)
		goto out;
	struct store_outbox_new ob = {
		.message_id = id, .kind = notify_kind_names[kind], .channel = "mail",
		.recipient = n->recipient, .subject = r.subject, .data = msg.data, .len = msg.len,
		.order_id = n->order_id, .document_id = n->document_id, .exception_id = n->exception_id,
	};
	int64_t oid;
	char detail[256];
	snprintf(detail, sizeof(detail), "%s to %s", notify_kind_names[kind], n->recipient);
	if (store_outbox_add(st, &ob, &oid) < 0 || store_audit(st, "ordergw", "outbox", oid, "queued", detail) < 0) {
		*error_r = store_error(st);
		ret = -1;
		goto out;
	}
	ret = 0;
out:
	free(id);
	json_object_put(view);
	templates_rendered_free(&r);
	buf_free(&msg);
	return ret;
}
