/* parser.c — the registry of document formats and content sniffing. */
#include "parser.h"
#include <string.h>

/* Each format module defines one of these. */
/* (one line per format: extern const struct parser NAME_parser;) */
extern const struct parser ubl_parser;
extern const struct parser cxml_parser;
extern const struct parser csv_parser;
extern const struct parser text_parser;
extern const struct parser x12_parser;
extern const struct parser edifact_parser;

/* Sniffing order: the most specific formats first; text last (it takes
 * anything that looks like a human wrote it). */
static const struct parser *const parsers[] = {
	&x12_parser, &edifact_parser,
	&ubl_parser, &cxml_parser,
	&csv_parser, &text_parser,
	NULL
};

const char *const parser_format_names = "auto, email, text, csv, x12, edifact, ubl, cxml";

const struct parser *parser_find(const char *name)
{
	for (size_t i = 0; parsers[i] != NULL; i++)
		if (strcmp(parsers[i]->name, name) == 0)
			return parsers[i];
	return NULL;
}

const struct parser *parser_sniff(const unsigned char *data, size_t len)
{
	const struct parser *best = NULL;
	int best_score = 0;
	for (size_t i = 0; parsers[i] != NULL; i++) {
		int s = parsers[i]->sniff(data, len);
		if (s >= 100)
			return parsers[i];   /* sure: no later one can outbid it (ties go to the first) */
		if (s > best_score) {
			best = parsers[i];
			best_score = s;
		}
	}
	return best_score >= 20 ? best : NULL;
}

void parse_output_init(struct parse_output *out, struct diags *d)
{
	memset(out, 0, sizeof(*out));
	out->diags = d;
}

int parse_emit_order(struct parse_output *out, struct order *o, struct diags *order_diags,
		     struct arena **arena)
{
	out->n_orders++;
	if (out->adopt != NULL)
		return out->adopt(out->ctx, o, order_diags, arena);
	int r = out->emit != NULL ? out->emit(out->ctx, o, order_diags) : 0;
	arena_reset(*arena);
	return r;
}

void parse_output_free(struct parse_output *out)
{
	if (out->ack != NULL && out->ack_free != NULL)
		out->ack_free(out->ack);
	out->ack = NULL;
}
