/* parser.h — the one interface every document format implements.
 *
 * A parser reads bytes (never trusted) and calls `emit` once per order it
 * finds, with a record built in an arena it owns; the record is valid only
 * during the call, so memory is bounded by the largest order, not by the
 * file.  Problems go to `diags` with a precise place.  A parser never
 * aborts the process and never reads past `len`.
 *
 * Return: 0 the document was read (orders may have been rejected: see
 * diags); -1 the document as a whole could not be read (diags says why).
 * `not_order` is set when the document is a recognised non-order (855,
 * 997, ORDRSP, CONTRL, OrderResponse, cXML Response, PunchOutOrderMessage):
 * a short name of what it is, e.g. "X12 997 functional acknowledgment". */
#ifndef ORDERGW_PARSER_H
#define ORDERGW_PARSER_H
#include <stddef.h>
#include "diag.h"
#include "order.h"

struct text_rules;      /* parsers/text.h */
struct csv_map;         /* parsers/csv.h */
struct ack_info;        /* what EDI acknowledgements need, format-specific */

struct parse_input {
	const unsigned char *data;
	size_t len;
	const char *name;            /* file or part name, for messages; may be NULL */
	/* Optional knowledge from the caller. */
	const struct text_rules *rules;   /* text parser: rule set (NULL: default) */
	const struct csv_map *csv_map;    /* csv parser: column map (NULL: default) */
	const char *header_text;     /* csv: message body read for header fields */
	size_t max_order_bytes;      /* arena limit per order; 0 = default */
};

struct parse_output {
	/* Called once per order; return -1 to stop parsing. */
	int (*emit)(void *ctx, struct order *o, struct diags *order_diags);
	void *ctx;
	struct diags *diags;         /* document-level diagnostics */
	const char *not_order;       /* static string, see above */
	size_t n_orders;             /* counted by the parser */
	size_t n_rejected;           /* orders rejected by envelope checks */
	/* Envelope data for acknowledgements (997/CONTRL), format-specific,
	 * owned by the parser's module; freed with parser_output_free(). */
	struct ack_info *ack;
	void (*ack_free)(struct ack_info *);
	/* Optional, for a caller that keeps records past the call (`ordergw
	 * parse` writes the JSON on a second thread while the parser reads
	 * on).  A parser that builds each order in an arena holding nothing
	 * else hands it over with parse_emit_order(): `adopt` then keeps the
	 * record and its arena (*arena) and puts a fresh arena, with the same
	 * limit, in *arena for the next order.  order_diags is only lent for
	 * the call.  Return -1 to stop parsing.  Without `adopt`, or from
	 * parsers that do not use parse_emit_order(), emit is called. */
	int (*adopt)(void *ctx, struct order *o, struct diags *order_diags, struct arena **arena);
};

struct parser {
	const char *name;        /* "x12", "edifact", "ubl", "cxml", "csv", "text" */
	/* 0..100: how sure the parser is that the bytes are its format. */
	int (*sniff)(const unsigned char *data, size_t len);
	int (*parse)(const struct parse_input *in, struct parse_output *out);
};

/* The registry: all formats, in sniffing order. */
const struct parser *parser_find(const char *name);
/* The best parser for these bytes; NULL when none is sure enough. */
const struct parser *parser_sniff(const unsigned char *data, size_t len);
void parse_output_init(struct parse_output *out, struct diags *d);
void parse_output_free(struct parse_output *out);
/* Emit o, built in *arena (which holds nothing else), counting it; then
 * *arena is ready for the next order: reset, or a fresh one when the
 * caller adopts records.  -1: the caller wants parsing to stop. */
int parse_emit_order(struct parse_output *out, struct order *o, struct diags *order_diags,
		     struct arena **arena);
/* Names accepted by `--format`, for messages. */
extern const char *const parser_format_names;

#endif
