/* ediresp.h — answers to EDI partners in their own syntax
 * (order-mapping.md section 9).
 *
 * Technical: after a document from a drop is read, an X12 997 for every
 * functional group (one per interchange, AK3/AK4/AK5/AK9 from the errors
 * found) or an EDIFACT CONTRL for every interchange.  Business: when an EDI
 * order is confirmed or rejected, an 855, an ORDRSP or a UBL
 * OrderResponseSimple.  Our ids come from [company] edi_ids, control
 * numbers from persistent per-partner counters in the store (they never
 * repeat), delimiters, character set and version from the interchange
 * answered.  Each answer is queued in the outbox (channel "edi") for the
 * drop's outbound, in the caller's transaction. */
#ifndef ORDERGW_EDIRESP_H
#define ORDERGW_EDIRESP_H
#include <stdbool.h>
#include <stdint.h>

struct config;
struct store;
struct store_doc;
struct parse_output;

/* 997/CONTRL for a document read from a drop; 0 ok (or nothing to do), -1 store error. */
int ediresp_technical(const struct config *cfg, struct store *st, const struct store_doc *doc,
		      const struct parse_output *po);
/* 855/ORDRSP/OrderResponseSimple for an order; 0 ok (or not an EDI order, or
 * no outbound configured), -1 store error. */
int ediresp_business(const struct config *cfg, struct store *st, int64_t order_id, bool accepted,
		     const char *reason);

#endif
