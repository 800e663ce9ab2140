/* fuzz_xml.c — see fuzz_xml.h.  Owns nothing past one call. */
#include "fuzz_xml.h"
#include "order.h"

static int to_json(void *ctx, struct order *o, struct diags *od)
{
	(void)ctx;
	(void)od;
	struct buf b;
	buf_init(&b, 1u << 26);
	int r = order_to_json(o, &b);
	buf_free(&b);
	return r;
}

void fuzz_xml_one(const struct parser *p, const uint8_t *data, size_t size)
{
	struct diags d;
	diags_init(&d);
	struct parse_output out;
	parse_output_init(&out, &d);
	out.emit = to_json;
	struct parse_input in = { .data = data, .len = size, .name = "fuzz" };
	(void)p->sniff(data, size);
	(void)p->parse(&in, &out);
	parse_output_free(&out);
	diags_free(&d);
}
