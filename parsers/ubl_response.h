/* ubl_response.h — a UBL business response to one order: OrderResponseSimple
 * (yes/no + reason) or a PEPPOL BIS 3 OrderResponse with code AP or RE
 * (order-mapping.md 9.5).  Our ids come from the caller; the order supplies
 * its number, currency and the two parties.  Pure: writes into a buffer. */
#ifndef ORDERGW_UBL_RESPONSE_H
#define ORDERGW_UBL_RESPONSE_H
#include <stdbool.h>
#include "buf.h"
#include "order.h"

struct ubl_response {
	const char *id;            /* our response number, e.g. "ORS-0001" (required) */
	const char *issue_date;    /* YYYY-MM-DD (required) */
	bool accepted;
	const char *reason;        /* RejectionNote (simple) or Note; NULL for none */
	bool peppol;               /* false: OrderResponseSimple 2.1; true: BIS 3 OrderResponse */
};

/* Append the XML document to out.  0 ok; -1 with *error_r when a required
 * value is missing (id, date, the order's number) or out is full. */
int ubl_response_write(const struct order *o, const struct ubl_response *r,
		       struct buf *out, const char **error_r);

#endif
