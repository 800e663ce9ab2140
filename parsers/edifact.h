/* edifact.h — UN/EDIFACT interchanges: ORDERS/ORDCHG (D.96A, D.01B, later
 * directories, EANCOM subsets) into order records, and what a CONTRL needs.
 *
 * edifact_parser (parser.h) reads one file that may hold several
 * interchanges (UNA/UNB..UNZ), functional groups (UNG..UNE) and messages
 * (UNH..UNT).  It emits one order per ORDERS/ORDCHG message whose UNT check
 * passes; a message failing it is rejected (error diagnostic, counted in
 * n_rejected).  Other message types are recognised and skipped.
 *
 * The envelope data of every interchange, group and message — including
 * whether it was accepted and the UN/EDIFACT 0085 error code if not — is
 * returned in parse_output.ack as a struct edifact_ack (use edifact_ack_of()
 * to get at it; parse_output_free() frees it).  The acknowledgement
 * writers in edifact_ack.c (CONTRL, ORDRSP) read it.
 *
 * Why struct edifact_ack and not a struct ack_info defined here: the X12
 * module keeps its own 997 data behind the same opaque pointer, and two
 * headers defining one struct tag could never be included together. */
#ifndef ORDERGW_EDIFACT_H
#define ORDERGW_EDIFACT_H
#include <stdbool.h>
#include <stddef.h>
#include "parser.h"

#define EDIFACT_ID_MAX 36        /* an..35 plus NUL: party ids in UNB/UNG */
#define EDIFACT_REF_MAX 15       /* an..14 plus NUL: 0020, 0048, 0062 */

/* Separators and marks of one interchange (from UNA, or the defaults). */
struct edifact_syntax {
	unsigned char component;     /* ':' */
	unsigned char element;       /* '+' */
	unsigned char decimal;       /* '.' */
	unsigned char release;       /* '?', 0 = none (level B defaults) */
	unsigned char repetition;    /* '*' in syntax 4, 0 = none */
	unsigned char terminator;    /* '\'' */
};

struct edifact_ack_message {
	/* Values longer than the standard allows are cut to fit. */
	char ref[EDIFACT_REF_MAX];       /* UNH 0062 */
	char type[7];                    /* S009 0065, e.g. ORDERS */
	char version[4];                 /* 0052, e.g. D */
	char release[4];                 /* 0054, e.g. 96A */
	char agency[4];                  /* 0051, e.g. UN */
	char assoc[7];                   /* 0057, e.g. EAN008; "" when absent */
	long group;                      /* index into edifact_ack.groups, -1 = none */
	bool accepted;
	int error;                       /* 0085 when rejected (28, 29, 13 ...), else 0 */
	char error_tag[4];               /* segment in error (UCS), "" = none */
	size_t error_position;           /* its position in the message, UNH = 1 */
	size_t segment, offset;          /* where the UNH is: segment number in the file, byte */
};

struct edifact_ack_group {
	char id[EDIFACT_ID_MAX];         /* UNG 0038 */
	char sender[EDIFACT_ID_MAX], sender_qual[EDIFACT_ID_MAX];
	char recipient[EDIFACT_ID_MAX], recipient_qual[EDIFACT_ID_MAX];
	char ref[EDIFACT_REF_MAX];       /* UNG 0048 */
	char agency[4];                  /* 0051 */
	char version[4], release[4], assoc[7];   /* S008 */
	size_t n_messages;
	bool accepted;                   /* UNE present and its checks passed */
	int error;
};

struct edifact_ack_interchange {
	struct edifact_syntax syntax;
	char syntax_id[EDIFACT_ID_MAX];  /* UNB S001 0001, e.g. UNOC */
	int syntax_version;              /* 0002: 3 or 4 */
	char sender[EDIFACT_ID_MAX], sender_qual[EDIFACT_ID_MAX];
	char recipient[EDIFACT_ID_MAX], recipient_qual[EDIFACT_ID_MAX];
	char date[9], time[5];           /* S004 as sent: YYMMDD or CCYYMMDD, HHMM */
	char control_ref[EDIFACT_REF_MAX];   /* 0020 */
	bool has_una;
	bool ack_requested;              /* 0031 = 1 */
	bool test;                       /* 0035 = 1 */
	bool trailer_ok;                 /* UNZ present, count and reference right */
	int error;                       /* 0085 of an envelope problem, 0 = none */
	size_t first_group, n_groups;    /* slices of edifact_ack.groups */
	size_t first_message, n_messages;    /* ... and of .messages */
};

struct edifact_ack {
	struct edifact_ack_interchange *interchanges;
	size_t n_interchanges, cap_interchanges;
	struct edifact_ack_group *groups;
	size_t n_groups, cap_groups;
	struct edifact_ack_message *messages;
	size_t n_messages, cap_messages;
};

extern const struct parser edifact_parser;

/* The EDIFACT view of parse_output.ack after edifact_parser ran; NULL for
 * NULL.  Owned by the parse_output. */
struct edifact_ack *edifact_ack_of(struct ack_info *ack);
void edifact_ack_free(struct edifact_ack **ack);

/* "UNOC" -> "ISO-8859-1" etc. (order-mapping.md 4.2); NULL when unknown.
 * UNOA/UNOB give "ASCII", UNOW/UNOY "UTF-8". */
const char *edifact_charset(const char *syntax_id);

/* Party id agency (3055) <-> the record's id scheme: 9 GLN, 16 DUNS,
 * 91 SELLER, 92 BUYER; NULL for the others. */
const char *edifact_agency_scheme(const char *agency);
const char *edifact_scheme_agency(const char *scheme);

/* Is c in the level A repertoire (UNOA: A-Z, 0-9, space, . , - ( ) / = ' + : ? ! " % & * ; < >)? */
bool edifact_level_a(unsigned char c);

#endif
