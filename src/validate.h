/* validate.h — the acceptance checks of order-mapping.md section 10 over one
 * struct order, and the PROBLEM list they produce.
 *
 * validate_order() runs every check the record alone can decide: C1–C14,
 * V1–V4, V7, V9, V10, V11, V13, V14, V16, V17.  The checks that need the
 * store or the envelope (V5 duplicate PO, V6, V12, V15, V18) belong to the
 * pipeline, which adds its findings with problems_add() so that they have
 * the same shape and count towards the same status.
 *
 * A problem names the check ("C7"), the place in the ORDER JSON
 * ("lines[2].quantity", 0-based as in the array), whether it blocks
 * acceptance (per policy), a machine key for templates ("missing_quantity")
 * and a sentence for a salesperson ("Line 3 (item AB-100) has no
 * quantity.").  The sentences live in one table keyed by problem key with
 * English, zh-Hans and zh-Hant text (validate_message()); a problem keeps
 * its arguments so that it can be rendered in any of them later.
 *
 * struct problems owns every string in it (malloc); problems_free()
 * releases them.  The list keeps at most OG_MAX_PROBLEMS entries; later
 * ones are counted (dropped) and still decide the status.  Out of memory is
 * fatal, as everywhere in ordergw. */
#ifndef ORDERGW_VALIDATE_H
#define ORDERGW_VALIDATE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "buf.h"
#include "order.h"

/* ---- policy ---------------------------------------------------------------
 *
 * What one partner agreed to.  Fill it with validate_policy_init() and then
 * set what the configuration says; pointers are borrowed, not copied, and
 * must outlive the validate_order() call.
 *
 *   today                 "YYYY-MM-DD" in the partner's time zone.  Injected
 *                         (never read from the clock here) so tests are
 *                         deterministic.  Required.
 *   blocking              the set of check ids whose failure blocks
 *                         acceptance; every other check only warns.  Set it
 *                         from a config string with
 *                         validate_policy_set_blocking().  Default:
 *                         C1 C2 C3 C5 C6 C7 C8 C9 C12 (interfaces.md).
 *   partner_known         the sender resolved to a configured partner (C1:
 *                         then a present buyer is this partner's customer).
 *   customer_ids          the buyer ids (GLN, DUNS, our customer number ...)
 *                         configured for this partner.  A buyer whose ids
 *                         match none of them fails C1; a buyer with no ids
 *                         passes when the partner is known.
 *   default_currency      the currency agreed for orders that name none (C8
 *                         then passes, flagged PROBLEMS_CURRENCY_DEFAULTED).
 *   currencies            currencies agreed with this customer (V4); none:
 *                         any active ISO 4217 currency.
 *   max_order_age_days    V1: order_date at most this many days ago (90).
 *   lead_time_days        V1: delivery / ship dates at least today + this.
 *   amount_tolerance      V11: decimal string, default "0.01".
 *   priceless_agreed      C10: lines without a price are allowed (flagged).
 *   bill_to_from_master   C4: a missing bill-to comes from the customer
 *                         master (flagged).
 *   payment_terms_from_master  C11: likewise for payment terms (flagged).
 *
 * There is no price tolerance: prices against a price list (V10 second
 * half) need the item master and are not checked here. */
struct validate_policy {
	const char *today;
	uint64_t blocking;
	bool partner_known;
	const char *const *customer_ids;
	size_t n_customer_ids;
	const char *default_currency;
	const char *const *currencies;
	size_t n_currencies;
	int max_order_age_days;
	int lead_time_days;
	const char *amount_tolerance;
	bool priceless_agreed;
	bool bill_to_from_master;
	bool payment_terms_from_master;
};

#define VALIDATE_DEFAULT_BLOCKING "C1 C2 C3 C5 C6 C7 C8 C9 C12"

void validate_policy_init(struct validate_policy *p, const char *today);
/* ids: check ids separated by spaces or commas ("C1 C2 V4"), "" for none.
 * -1 with *error_r naming the bad id; the policy is unchanged then. */
int validate_policy_set_blocking(struct validate_policy *p, const char *ids,
				 const char **error_r);
/* Does a failure of check (e.g. "C7", "V5") block?  Unknown ids: false. */
bool validate_policy_blocks(const struct validate_policy *p, const char *check);

/* ---- problems ------------------------------------------------------------- */

enum problem_severity { PROBLEM_WARNING, PROBLEM_BLOCKING };

enum validate_status {
	VALIDATE_COMPLETE,     /* no blocking problem */
	VALIDATE_INCOMPLETE,   /* a blocking completeness check (C...) failed */
	VALIDATE_INVALID,      /* a blocking validity check (V... or other) failed */
};

struct problem {
	char check[8];                  /* "C7", "V11", "V5" ... */
	enum problem_severity severity;
	char *field;                    /* "lines[2].quantity", "requested_delivery_date" */
	char *key;                      /* "missing_quantity" */
	char *message;                  /* English sentence */
	/* arguments of the message, kept to render it in another locale */
	char *line_no, *item, *subject, *value, *value2;
};

/* Things that passed only because the policy supplied them. */
#define PROBLEMS_CURRENCY_DEFAULTED      0x1u
#define PROBLEMS_BILL_TO_DEFAULTED       0x2u
#define PROBLEMS_PRICES_FROM_CONTRACT    0x4u
#define PROBLEMS_PAYMENT_TERMS_DEFAULTED 0x8u

struct problems {
	struct problem *items;
	size_t n, cap;
	size_t dropped;                 /* not kept: the list was full */
	size_t n_blocking_c, n_blocking_v;   /* counted whether kept or not */
	unsigned flags;                 /* PROBLEMS_* */
	enum validate_status status;    /* kept up to date by problems_add() */
};

/* Arguments of a message: {line} is rendered from line_no + item,
 * {subject} from the message key in subject, {value}/{value2} verbatim. */
struct problem_args {
	const char *line_no, *item, *subject, *value, *value2;
};

void problems_init(struct problems *ps);
void problems_free(struct problems *ps);        /* ps itself is not freed */
/* Append one problem.  key selects the sentence; a key that is not in the
 * table uses args->value (or the key) as the message, so the pipeline can
 * add ad-hoc problems too.  args may be NULL.  Always 0 (OOM is fatal). */
int problems_add(struct problems *ps, const char *check, enum problem_severity sev,
		 const char *field, const char *key, const struct problem_args *args);
/* Append the PROBLEM array of interfaces.md:
 * [{"check":"C7","field":"...","severity":"blocking","key":"...","message":"..."}]
 * with messages in locale ("en", "zh-Hans", "zh-Hant"; NULL = en).
 * -1 when out reaches its maximum. */
int problems_to_json(const struct problems *ps, const char *locale, struct buf *out);
const char *validate_status_name(enum validate_status st);   /* "complete" ... */

/* ---- messages ------------------------------------------------------------- */

/* The sentence template for key in locale, with {line} {subject} {value}
 * {value2} placeholders.  Locales: "en", "zh-Hans" (also zh, zh-CN, zh-SG),
 * "zh-Hant" (also zh-TW, zh-HK, zh-MO); anything else gives English.
 * NULL for an unknown key. */
const char *validate_message(const char *key, const char *locale);
/* Render pr's message in locale into out (appended).  -1 when out is full. */
int problem_render(const struct problem *pr, const char *locale, struct buf *out);

/* ---- the checks ----------------------------------------------------------- */

/* Run the checks on o and append the problems to out (which the caller has
 * initialised; it may already hold problems).  Returns the resulting
 * status (enum validate_status, also in out->status), or -1 when the
 * policy is unusable (today missing or not a date, bad tolerance). */
int validate_order(const struct order *o, const struct validate_policy *p, struct problems *out);

#endif
