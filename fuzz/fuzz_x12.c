/* fuzz_x12.c — the X12 parser on arbitrary bytes.
 *
 * Every order emitted is also written as JSON, so the whole record (and
 * the decimal arithmetic of the totals) is exercised, and the ack_info
 * must hold together: counts within bounds, indices inside the arrays.
 * The 997 written from it must read back without any error. */
#include "order.h"
#include "parser.h"
#include "x12.h"
#include "x12_ack.h"
#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int emit(void *ctx, struct order *o, struct diags *od)
{
	struct buf *b = ctx;
	(void)od;
	buf_reset(b);
	order_to_json(o, b);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct diags d;
	struct parse_output out;
	struct buf b;
	diags_init(&d);
	buf_init(&b, 1u << 26);
	parse_output_init(&out, &d);
	out.emit = emit;
	out.ctx = &b;
	struct parse_input in = { .data = data, .len = size, .name = "fuzz", .max_order_bytes = 1u << 22 };
	x12_sniff(data, size);
	x12_parser.parse(&in, &out);
	const struct ack_info *a = out.ack;
	if (a != NULL) {
		for (size_t i = 0; i < a->n_interchanges; i++)
			if (a->interchanges[i].first_group + a->interchanges[i].n_groups > a->n_groups)
				abort();
		for (size_t i = 0; i < a->n_groups; i++)
			if (a->groups[i].first_set + a->groups[i].n_sets > a->n_sets)
				abort();
		for (size_t i = 0; i < a->n_sets; i++)
			if (a->sets[i].n_errors > 0 && a->sets[i].first_error + a->sets[i].n_errors > a->n_errors)
				abort();
	}
	static const struct x12_reply reply = {
		.sender_qualifier = "ZZ", .sender_id = "US", .interchange_control = 1,
		.group_control = 1, .set_control = 1, .date = "20250101", .time = "0000",
	};
	for (size_t i = 0; a != NULL && i < a->n_interchanges && i < 4; i++) {
		const char *err;
		buf_reset(&b);
		if (x12_ack_write_997(a, i, &reply, &b, &err) < 0)
			continue;
		struct diags d2;
		struct parse_output out2;
		diags_init(&d2);
		parse_output_init(&out2, &d2);
		struct parse_input in2 = { .data = (const unsigned char *)b.data, .len = b.len };
		if (x12_parser.parse(&in2, &out2) < 0 || d2.n_errors > 0 || out2.not_order == NULL)
			abort();
		parse_output_free(&out2);
		diags_free(&d2);
	}
	parse_output_free(&out);
	buf_free(&b);
	diags_free(&d);
	return 0;
}
