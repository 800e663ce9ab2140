/* acceptance.c — see acceptance.h. */
#include "acceptance.h"
#include "config.h"
#include "order.h"
#include <stdio.h>
#include <string.h>

static void problem(struct acceptance *a, const char *check, const char *field, bool blocking,
		    const char *msg)
{
	json_object *p = json_object_new_object();
	json_object_object_add(p, "check", json_object_new_string(check));
	json_object_object_add(p, "field", json_object_new_string(field));
	json_object_object_add(p, "severity", json_object_new_string(blocking ? "blocking" : "warning"));
	json_object_object_add(p, "message", json_object_new_string(msg));
	json_object_array_add(a->problems, p);
	if (blocking) {
		a->blocking = true;
		if (check[0] == 'V')
			a->status = "invalid";
		else if (strcmp(a->status, "invalid") != 0)
			a->status = "incomplete";
	}
}

int acceptance_check(struct order *o, const struct cfg_partner *p, const struct config *cfg,
		     struct acceptance *a)
{
	(void)cfg;
	a->problems = json_object_new_array();
	a->blocking = false;
	a->status = "complete";
	if (p == NULL)
		problem(a, "C1", "partner_id", true, "The customer could not be identified from the sender.");
	if (o->po_number == NULL)
		problem(a, "C12", "po_number", true, "The order has no PO number.");
	if (o->n_lines == 0)
		problem(a, "C5", "lines", true, "The order has no item lines.");
	for (size_t i = 0; i < o->n_lines; i++) {
		char f[64], m[256];
		if (o->lines[i].quantity == NULL) {
			snprintf(f, sizeof(f), "lines[%zu].quantity", i);
			snprintf(m, sizeof(m), "Line %s has no quantity.", o->lines[i].line_no ? o->lines[i].line_no : "?");
			problem(a, "C5", f, true, m);
		}
	}
	if (o->requested_delivery_date == NULL && o->ship_by_date == NULL && o->window_latest == NULL)
		problem(a, "C7", "requested_delivery_date", true, "The requested delivery date is missing.");
	return 0;
}
