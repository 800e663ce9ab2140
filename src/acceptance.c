/* acceptance.c — see acceptance.h.  The checks themselves are validate.c;
 * this file only turns a partner's configuration into a validate_policy
 * and the result into the PROBLEM JSON the store and messages use. */
#include "acceptance.h"
#include "buf.h"
#include "config.h"
#include "log.h"
#include "order.h"
#include "store.h"
#include "validate.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void acceptance_fill_buyer(struct order *o, const struct cfg_partner *p, const char *contact_name,
			   const char *contact_email)
{
	if (p == NULL || o->parties[ROLE_BUYER] != NULL)
		return;
	struct party *b = order_party(o, ROLE_BUYER);
	if (b == NULL)
		return;
	b->name = order_str(o, p->name);
	b->contact_name = order_str(o, contact_name);
	b->contact_email = order_str(o, contact_email);
	order_add_note(o, "Customer identified by the sender's address.");
}

int acceptance_check(struct order *o, const struct cfg_partner *p, const struct config *cfg,
		     struct acceptance *a)
{
	char now[32], today[11];
	/* ORDERGW_TODAY pins the date for tests; otherwise the store's clock. */
	const char *t = getenv("ORDERGW_TODAY");
	if (t == NULL || strlen(t) != 10)
		t = store_now(now);
	snprintf(today, sizeof(today), "%.10s", t);
	struct validate_policy pol;
	validate_policy_init(&pol, today);
	if (p != NULL) {
		struct buf req;
		buf_init(&req, 4096);
		for (size_t i = 0; i < p->required.n; i++)
			buf_printf(&req, "%s%s", i ? " " : "", p->required.v[i]);
		const char *err;
		if (validate_policy_set_blocking(&pol, req.data ? req.data : "", &err) < 0)
			log_warnx("partner %s: required: %s", p->id, err);
		buf_free(&req);
		pol.partner_known = true;
		pol.default_currency = p->currency;
		pol.max_order_age_days = p->max_order_age_days;
		pol.lead_time_days = p->lead_time_days;
	}
	struct problems ps;
	problems_init(&ps);
	int st = validate_order(o, &pol, &ps);
	if (st < 0) {
		problems_free(&ps);
		return -1;
	}
	struct buf js;
	buf_init(&js, 16u << 20);
	const char *locale = p ? p->locale : (cfg ? cfg->default_locale : "en");
	/* The stored problems are in English (sales reads them); templates
	 * render the customer's language from the keys. */
	(void)locale;
	if (problems_to_json(&ps, "en", &js) < 0) {
		buf_free(&js);
		problems_free(&ps);
		return -1;
	}
	a->problems = json_tokener_parse(js.data);
	if (a->problems == NULL)
		a->problems = json_object_new_array();
	a->status = validate_status_name(ps.status);
	a->blocking = ps.status != VALIDATE_COMPLETE;
	buf_free(&js);
	problems_free(&ps);
	return 0;
}
