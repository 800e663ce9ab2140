/* fuzz_edifact.c — libFuzzer target for the EDIFACT parser and its
 * answers.
 *
 * Parses the input (every other run with a small arena limit, so the limit
 * path runs too), writes every emitted order as JSON and as an ORDRSP with
 * the separators of its interchange, and a CONTRL for every interchange. */
#include <stdint.h>
#include <stddef.h>
#include "buf.h"
#include "edifact.h"
#include "edifact_ack.h"
#include "parser.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct edifact_ack_ids us = {
	.sender = "US", .sender_qual = "ZZ", .control_ref = "1", .date = "20250111", .time = "0932",
};

struct ctx {
	struct buf b;
	struct parse_output *out;
};

static int emit(void *ctx, struct order *o, struct diags *od)
{
	struct ctx *c = ctx;
	const char *err;
	(void)od;
	buf_reset(&c->b);
	if (order_to_json(o, &c->b) < 0)
		return -1;
	struct edifact_ack *a = edifact_ack_of(c->out->ack);
	static const struct edifact_ordrsp_line change = { .line_no = "1", .action = 3, .quantity = "2" };
	struct edifact_ordrsp r = { .code = ORDRSP_CHANGE, .number = "R1", .reason = o->po_number,
				    .lines = &change, .n_lines = 1 };
	buf_reset(&c->b);
	edifact_write_ordrsp(o, &a->interchanges[a->n_interchanges - 1], &r, &us, &c->b, &err);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct diags d;
	struct ctx c;
	struct parse_output out;
	diags_init(&d);
	buf_init(&c.b, 1u << 24);
	parse_output_init(&out, &d);
	c.out = &out;
	out.emit = emit;
	out.ctx = &c;
	struct parse_input in = { .data = data, .len = size, .name = "fuzz",
				  .max_order_bytes = (size & 1) ? 1u << 16 : 0 };
	edifact_parser.sniff(data, size);
	edifact_parser.parse(&in, &out);
	struct edifact_ack *a = edifact_ack_of(out.ack);
	for (size_t i = 0; a != NULL && i < a->n_interchanges; i++) {
		const char *err;
		buf_reset(&c.b);
		edifact_write_contrl(a, i, &us, &c.b, &err);
	}
	parse_output_free(&out);
	buf_free(&c.b);
	diags_free(&d);
	return 0;
}
