/* fuzz_edifact.c — libFuzzer target for the EDIFACT parser.
 *
 * Parses the input with a small arena limit (so the limit path runs too),
 * writes every emitted order as JSON (the record must always be
 * printable) and walks the acknowledgement data. */
#include <stdint.h>
#include <stddef.h>
#include "buf.h"
#include "edifact.h"
#include "parser.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int emit(void *ctx, struct order *o, struct diags *od)
{
	struct buf *b = ctx;
	(void)od;
	buf_reset(b);
	if (order_to_json(o, b) < 0)
		return -1;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct diags d;
	struct buf b;
	struct parse_output out;
	diags_init(&d);
	buf_init(&b, 1u << 24);
	parse_output_init(&out, &d);
	out.emit = emit;
	out.ctx = &b;
	struct parse_input in = { .data = data, .len = size, .name = "fuzz",
				  .max_order_bytes = (size & 1) ? 1u << 16 : 0 };
	edifact_parser.sniff(data, size);
	edifact_parser.parse(&in, &out);
	struct edifact_ack *a = edifact_ack_of(out.ack);
	size_t sum = 0;
	for (size_t i = 0; a != NULL && i < a->n_messages; i++)
		sum += a->messages[i].accepted + (size_t)a->messages[i].error;
	(void)sum;
	parse_output_free(&out);
	buf_free(&b);
	diags_free(&d);
	return 0;
}
