/* edifact_ack.h — EDIFACT answers to a received interchange: the CONTRL
 * syntax report (order-mapping.md 9.3) and the ORDRSP order response (9.4).
 *
 * Both are written with the separators, release character and syntax
 * identifier/version of the interchange they answer (struct
 * edifact_ack_interchange from the parser), text converted from UTF-8 to
 * that character set.  Our identity and control reference come from the
 * caller: this module keeps no counters and reads no clock, so the same
 * call always writes the same bytes. */
#ifndef ORDERGW_EDIFACT_ACK_H
#define ORDERGW_EDIFACT_ACK_H
#include "buf.h"
#include "edifact.h"
#include "order.h"

struct edifact_ack_ids {
	const char *sender, *sender_qual;         /* us: UNB S002 */
	const char *recipient, *recipient_qual;   /* the partner; NULL: the sender of the answered UNB */
	const char *control_ref;                  /* our UNB/UNZ 0020, an..14 */
	const char *date;                         /* "CCYYMMDD" (cut to YYMMDD for syntax 3) */
	const char *time;                         /* "HHMM" */
};

enum edifact_ordrsp_code {
	ORDRSP_CHANGE = 4,       /* accepted with amendments: lines follow */
	ORDRSP_REJECT = 27,      /* not accepted */
	ORDRSP_ACCEPT = 29,      /* accepted without amendment */
};

/* A line of an ORDRSP with code 4; lines not listed are "5 accepted". */
struct edifact_ordrsp_line {
	const char *line_no;             /* as in the order */
	int action;                      /* LIN 1229: 3 changed, 5 accepted, 7 not accepted */
	const char *quantity;            /* confirmed quantity; NULL: as ordered */
	const char *delivery_date;       /* promised, "YYYY-MM-DD"; NULL: none */
};

struct edifact_ordrsp {
	enum edifact_ordrsp_code code;
	const char *number;              /* our response number (BGM 1004) */
	const char *message_ref;         /* UNH 0062; NULL: "1" */
	const char *assoc;               /* UNH 0057 (EANCOM subset), NULL: none */
	const char *reason;              /* FTX text, UTF-8; NULL: none */
	const struct edifact_ordrsp_line *lines;
	size_t n_lines;
};

/* The CONTRL answering interchange number ic of ack: UCI, then UCM (and
 * UCS for a segment in error) per message, inside UCF per group.
 * Returns 0, or -1 with *error_r (bad arguments, out too small). */
int edifact_write_contrl(const struct edifact_ack *ack, size_t ic, const struct edifact_ack_ids *ids,
			 struct buf *out, const char **error_r);

/* An ORDRSP for order o, received in interchange `in` (its separators,
 * character set and syntax version are used). */
int edifact_write_ordrsp(const struct order *o, const struct edifact_ack_interchange *in,
			 const struct edifact_ordrsp *r, const struct edifact_ack_ids *ids,
			 struct buf *out, const char **error_r);

#endif
