/* acceptance.h — can this order be accepted for this partner?
 *
 * Runs the completeness and validity checks (order-mapping.md section 10)
 * with the partner's policy (which checks block) and says: complete,
 * incomplete or invalid, with every PROBLEM (interfaces.md). */
#ifndef ORDERGW_ACCEPTANCE_H
#define ORDERGW_ACCEPTANCE_H
#include <stdbool.h>
#include <json.h>

struct order;
struct cfg_partner;
struct config;

struct acceptance {
	json_object *problems;   /* PROBLEM array; caller puts */
	bool blocking;           /* at least one blocking problem */
	const char *status;      /* "complete" "incomplete" "invalid" */
};

/* An e-mail order names its customer by who sent it: when the record has
 * no buyer, the sender's partner becomes the buyer, with the sender as the
 * contact (C1, C14).  Nothing happens without a partner. */
void acceptance_fill_buyer(struct order *o, const struct cfg_partner *p, const char *contact_name,
			   const char *contact_email);

int acceptance_check(struct order *o, const struct cfg_partner *p, const struct config *cfg,
		     struct acceptance *out);

#endif
