/* routing.h — which stage an accepted order goes to first.
 *
 * The [route NAME] sections of the configuration are tried in file order;
 * the first whose every condition holds names the stage.  Without a match
 * the partner's queue is used, else the first stage.  Conditions:
 *   partner = ID | *          this partner, or any known partner
 *   max_total = DEC | credit_limit   total known and below it
 *   incoterms = usual | CODE  payment_terms = usual | TEXT
 *   currency = usual | CODE */
#ifndef ORDERGW_ROUTING_H
#define ORDERGW_ROUTING_H
#include <stddef.h>

struct config;
struct cfg_partner;
struct order;

#define ROUTING_RULE_MAX 160

/* Always succeeds: *stage_r is a stage of the configuration, rule (at
 * least ROUTING_RULE_MAX bytes) says why: "route NAME", "partner queue"
 * or "default".  p may be NULL (unknown sender). */
void routing_route(const struct config *cfg, const struct cfg_partner *p, struct order *o,
		   const char **stage_r, char *rule);

#endif
