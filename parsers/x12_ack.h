/* x12_ack.h — the X12 answers we send: 997 functional acknowledgments and
 * 855 purchase order acknowledgments (order-mapping.md 9.1 and 9.2).
 *
 * Both write a whole interchange (ISA ... IEA) into a struct buf, with the
 * delimiters, ISA12 version and test/production flag of the interchange
 * they answer, addressed back to its sender.  Our ids and control numbers
 * come from the caller, who keeps the counters. */
#ifndef ORDERGW_X12_ACK_H
#define ORDERGW_X12_ACK_H
#include <stddef.h>
#include "buf.h"
#include "order.h"
#include "x12.h"

struct x12_reply {
	const char *sender_qualifier;      /* our ISA05, e.g. "ZZ" */
	const char *sender_id;             /* our ISA06 (at most 15 characters) */
	const char *app_sender;            /* our GS02; NULL = sender_id */
	const char *app_receiver;          /* their GS03 for an 855; NULL = their ISA06 */
	unsigned long interchange_control; /* ISA13 of the reply, 1..999999999 */
	unsigned long group_control;       /* GS06 of the first group */
	unsigned long set_control;         /* ST02 of the first set */
	const char *date;                  /* CCYYMMDD; NULL = today (UTC) */
	const char *time;                  /* HHMM; NULL = now (UTC) */
};

/* A 997 for every functional group of ack->interchanges[interchange]
 * (groups of 997s themselves are never acknowledged): AK1, one AK2 per set
 * with its AK3/AK4 errors and AK5, and AK9.  0 ok; -1 with *error_r when
 * the arguments are unusable or there is nothing to acknowledge. */
int x12_ack_write_997(const struct ack_info *ack, size_t interchange,
		      const struct x12_reply *r, struct buf *out, const char **error_r);

/* An 855 answering order `o`, which came in interchange `ic`.
 * ack_type is BAK02: AT, AC, AD, AE, AK, RD, RF, RJ, RO or NA.  Lines are
 * echoed with ACK IA (IR when ack_type is RD; none for RJ/AK/NA).
 * seller_order (BAK08) and reason (N9/MSG, MTX in 005010) may be NULL. */
int x12_ack_write_855(const struct order *o, const char *ack_type, const char *seller_order,
		      const char *reason, const struct x12_ack_interchange *ic,
		      const struct x12_reply *r, struct buf *out, const char **error_r);

#endif
