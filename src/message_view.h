/* message_view.h — the data the customer-message templates render.
 *
 * One json_object built from an order, the validation problems and a few
 * facts about us and the message (struct message_view_info).  Every
 * variable is listed in templates/README.md, which is the reference for IT
 * when they override a template; add to both together. */
#ifndef ORDERGW_MESSAGE_VIEW_H
#define ORDERGW_MESSAGE_VIEW_H
#include <stddef.h>
#include <json.h>
#include "order.h"

struct message_view_info {
	const char *company_name;
	const char *company_email;     /* the From address, e.g. orders@example.com */
	const char *company_address;   /* lines separated by '\n', or NULL */
	const char *company_phone;
	const char *company_website;
	const char *ref;               /* our reference token, "OG-7K3Q9" */
	const char *partner_id, *partner_name;
	const char *locale;            /* "en", "zh-Hans", "zh-Hant"; NULL: "en" */
	const char *reason;            /* rejection / duplicate: why, in plain words */
	const char *original_subject, *original_message_id;
	const char *date;              /* YYYY-MM-DD the message is written; NULL: today (UTC) */
	const char *previous_ref;      /* duplicate: our reference of the first copy */
	const char *previous_date;     /* duplicate: YYYY-MM-DD the first copy arrived */
	const char *tracking;          /* shipping: the carrier's tracking number, or NULL */
};

/* Build the view.  problems is a JSON array of PROBLEM objects
 * ({"check", "field", "key", "message"}; key optional) or NULL; it is
 * read, not kept.  Returns a new object (json_object_put() it), or NULL
 * when the order cannot be written as JSON (arena limit). */
json_object *message_view_new(struct order *o, json_object *problems,
			      const struct message_view_info *info);

/* Display forms, as the view uses them.  Each writes at most n bytes
 * (NUL included) and returns out; a value that is not a valid date or
 * decimal is copied as it is.
 *   date:   "20 January 2027" (en), "2027年1月20日" (zh-Hans, zh-Hant)
 *   amount: "12,500.00" — grouped, at least min_decimals places */
char *message_view_date(const char *locale, const char *ymd, char *out, size_t n);
char *message_view_decimal(const char *dec, int min_decimals, char *out, size_t n);

#endif
