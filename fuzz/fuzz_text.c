/* fuzz_text.c — the text parser and the rule-set loader on any bytes.
 *
 * The input is parsed as an order text with the built-in rules and, when
 * it loads, with itself as a rule set (so the loader and rule matching
 * under the PCRE2 limits both see hostile input). */
#include "text.h"
#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int drop(void *ctx, struct order *o, struct diags *d)
{
	struct buf b;
	(void)ctx, (void)d;
	buf_init(&b, 1u << 26);
	order_to_json(o, &b);
	buf_free(&b);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct diags d;
	struct parse_output out;
	struct parse_input in = { .data = data, .len = size, .name = "fuzz",
				  .max_order_bytes = 1u << 24 };
	diags_init(&d);
	parse_output_init(&out, &d);
	out.emit = drop;
	text_parser.sniff(data, size);
	text_parser.parse(&in, &out);
	struct text_rules *r = NULL;
	if (text_rules_load_mem("fuzz.rules", (const char *)data, size, &r, &d) == 0) {
		in.rules = r;
		text_parser.parse(&in, &out);
		text_rules_free(&r);
	}
	parse_output_free(&out);
	diags_free(&d);
	return 0;
}
