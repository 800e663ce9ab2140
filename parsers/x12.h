/* x12.h — ANSI X12 850/860 purchase orders (004010, 005010; 003010 tolerated).
 *
 * x12_parser (parser.h) reads one file: any number of interchanges, groups
 * and transaction sets.  Each 850 becomes one order (860: a change or
 * cancellation), other sets (810, 855, 997...) are skipped with a warning.
 * A set failing its own envelope checks (SE01, ST02/SE02, CTT01) is not
 * emitted and is counted in parse_output.n_rejected.
 *
 * What a 997 needs is kept in struct ack_info (out->ack, freed with
 * out->ack_free == x12_ack_info_free): per interchange the envelope ids and
 * delimiters, per group GS01/GS06/GS08, per set ST01/ST02 and the AK3/AK4/
 * AK5 codes of the errors found.  x12_ack.h writes 997s and 855s from it. */
#ifndef ORDERGW_X12_H
#define ORDERGW_X12_H
#include <stdbool.h>
#include <stddef.h>
#include "parser.h"

extern const struct parser x12_parser;

int x12_sniff(const unsigned char *data, size_t len);
int x12_parse(const struct parse_input *in, struct parse_output *out);

/* The delimiters of one interchange, read off its ISA. */
struct x12_delims {
	unsigned char element;       /* byte 4 of the ISA */
	unsigned char component;     /* ISA16 */
	unsigned char repetition;    /* ISA11 when ISA12 >= 00501 and not alphanumeric; 0 = none */
	unsigned char segment;       /* the byte after ISA16 */
};

/* One segment or element error of a set (997 AK3 and optional AK4). */
struct x12_ack_error {
	char segment_id[4];          /* AK301 */
	size_t position;             /* AK302: position in the set, ST = 1 */
	int segment_code;            /* AK304 (1..8) */
	int element_position;        /* AK401; 0 = no AK4 */
	int component_position;      /* AK401-2; 0 = none */
	int element_ref;             /* AK402 data element reference number; 0 = unknown */
	int element_code;            /* AK403 (1..13) */
	char value[100];             /* AK404 copy of the bad value, "" = none */
};

enum { X12_ACK_MAX_ERRORS_PER_SET = 10, X12_ACK_MAX_CODES = 5 };

struct x12_ack_set {
	char id[4];                  /* ST01 */
	char control[10];            /* ST02 */
	char convention[36];         /* ST03 (005010), "" = none */
	char status;                 /* AK501: 'A' accepted, 'E' accepted with errors noted, 'R' rejected */
	unsigned char codes[X12_ACK_MAX_CODES];   /* AK502..AK506 */
	unsigned char n_codes;
	size_t first_error, n_errors;             /* into ack_info.errors */
};

struct x12_ack_group {
	char functional_id[3];       /* GS01 */
	char sender[16], receiver[16];   /* GS02, GS03 */
	char control[10];            /* GS06 */
	char version[13];            /* GS08 */
	size_t first_set, n_sets;    /* into ack_info.sets: the sets received */
	long declared_sets;          /* GE01; -1 = no GE */
	char status;                 /* AK901: 'A', 'E', 'P' partially accepted, 'R' */
	unsigned char codes[X12_ACK_MAX_CODES];   /* AK905..AK909 */
	unsigned char n_codes;
	size_t n_accepted;           /* AK904 */
};

struct x12_ack_interchange {
	char sender_qualifier[3], sender_id[16];      /* ISA05, ISA06 (trimmed) */
	char receiver_qualifier[3], receiver_id[16];  /* ISA07, ISA08 (trimmed) */
	char control[10];            /* ISA13 */
	char version[6];             /* ISA12 */
	char standards_id;           /* ISA11 in 00401 and before ('U'); 0 when it is a repetition separator */
	char usage;                  /* ISA15: 'P' or 'T' */
	bool ack_requested;          /* ISA14 = 1 (TA1) */
	struct x12_delims delims;
	size_t first_group, n_groups;   /* into ack_info.groups */
	long declared_groups;        /* IEA01; -1 = no IEA */
	bool trailer_ok;             /* IEA present, IEA01 and IEA02 match */
};

struct ack_info {
	struct x12_ack_interchange *interchanges;
	size_t n_interchanges, cap_interchanges;
	struct x12_ack_group *groups;
	size_t n_groups, cap_groups;
	struct x12_ack_set *sets;
	size_t n_sets, cap_sets;
	struct x12_ack_error *errors;
	size_t n_errors, cap_errors;
	bool truncated;              /* past OG_X12_MAX_ACK_SETS: later sets not recorded */
};

void x12_ack_info_free(struct ack_info *a);

/* The UN/ECE Rec 20 code for an X12 element 355 unit; NULL when unknown. */
const char *x12_unit_to_rec20(const char *code, size_t len);
/* The UN/ECE Rec 19 transport mode for X12 element 91 (TD504); NULL when none. */
const char *x12_transport_mode(const char *code, size_t len);

#endif
