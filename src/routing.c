/* routing.c — the [route NAME] rules (routing.h).
 *
 * Pure: reads the configuration and the order, writes nothing.  A
 * condition that cannot be decided (no total, no usual terms on file)
 * counts as not met, so an order only skips review when every fact the
 * rule asks for is known and agrees. */
#include "routing.h"
#include "config.h"
#include "decimal.h"
#include "order.h"
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Lower case, white space runs made one space, trimmed. */
static void squeeze(const char *s, char *out, size_t n)
{
	size_t k = 0;
	bool space = false;
	for (; *s && k + 2 < n; s++) {
		if (isspace((unsigned char)*s)) {
			space = k > 0;
			continue;
		}
		if (space)
			out[k++] = ' ';
		space = false;
		out[k++] = (char)tolower((unsigned char)*s);
	}
	out[k] = '\0';
}

static bool loose_eq(const char *a, const char *b)
{
	char x[512], y[512];
	squeeze(a, x, sizeof(x));
	squeeze(b, y, sizeof(y));
	return strcmp(x, y) == 0;
}

/* "30", "net 30", "NET30": the number of days, else -1. */
static int net_days_of(const char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	if (strncasecmp(s, "net", 3) == 0)
		s += 3;
	while (isspace((unsigned char)*s))
		s++;
	if (!isdigit((unsigned char)*s))
		return -1;
	char *end;
	long n = strtol(s, &end, 10);
	while (isspace((unsigned char)*end))
		end++;
	return *end == '\0' && n >= 0 && n < 100000 ? (int)n : -1;
}

static bool total_below(const struct cfg_partner *p, struct order *o, const char *limit_s)
{
	const char *limit = strcmp(limit_s, "credit_limit") == 0 ? (p ? p->credit_limit : NULL) : limit_s;
	const char *total = order_total_amount(o);
	if (total == NULL)
		total = o->declared_amount;
	struct dec t, l;
	if (limit == NULL || total == NULL || dec_parse(total, &t) < 0 || dec_parse(limit, &l) < 0)
		return false;
	return dec_cmp(t, l) < 0;
}

static bool payment_ok(const struct cfg_partner *p, const struct order *o, const char *want)
{
	const char *terms = strcmp(want, "usual") == 0 ? (p ? p->usual_payment_terms : NULL) : want;
	if (terms == NULL || !o->has_payment_terms)
		return false;
	if (o->payment_terms_text != NULL && loose_eq(terms, o->payment_terms_text))
		return true;
	int days = net_days_of(terms);
	return days >= 0 && o->payment_net_days == days;
}

static bool code_ok(const char *want, const char *usual, const char *have)
{
	const char *code = strcmp(want, "usual") == 0 ? usual : want;
	return code != NULL && have != NULL && strcasecmp(code, have) == 0;
}

static bool matches(const struct cfg_route *r, const struct cfg_partner *p, struct order *o)
{
	if (r->partner != NULL && (p == NULL || (strcmp(r->partner, "*") != 0 && strcmp(r->partner, p->id) != 0)))
		return false;
	if (r->max_total != NULL && !total_below(p, o, r->max_total))
		return false;
	if (r->incoterms != NULL &&
	    !code_ok(r->incoterms, p ? p->usual_incoterms : NULL, o->has_incoterms ? o->incoterms_code : NULL))
		return false;
	if (r->payment_terms != NULL && !payment_ok(p, o, r->payment_terms))
		return false;
	if (r->currency != NULL && !code_ok(r->currency, p ? p->currency : NULL, o->currency))
		return false;
	return true;
}

void routing_route(const struct config *cfg, const struct cfg_partner *p, struct order *o,
		   const char **stage_r, char *rule)
{
	for (size_t i = 0; i < cfg->n_routes; i++) {
		const struct cfg_route *r = &cfg->routes[i];
		if (r->stage != NULL && matches(r, p, o)) {
			*stage_r = r->stage;
			snprintf(rule, ROUTING_RULE_MAX, "route %s", r->name);
			return;
		}
	}
	if (p != NULL && p->queue != NULL) {
		*stage_r = p->queue;
		snprintf(rule, ROUTING_RULE_MAX, "partner queue");
		return;
	}
	*stage_r = cfg->stages.v[0];
	snprintf(rule, ROUTING_RULE_MAX, "default");
}
