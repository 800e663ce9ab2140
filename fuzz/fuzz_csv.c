/* fuzz_csv.c — the CSV parser and the column-map loader on any bytes.
 *
 * The input is parsed as a CSV (with the default columns and, when the
 * bytes also load as a column map, with that map) and as the e-mail text
 * whose header fields the CSV takes. */
#include "csv.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

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
	csv_parser.sniff(data, size);
	csv_parser.parse(&in, &out);
	/* the same bytes as the mail body that holds the header fields */
	char *text = malloc(size + 1);
	if (text != NULL) {
		memcpy(text, data, size);
		text[size] = '\0';
		in.header_text = text;
		csv_parser.parse(&in, &out);
		in.header_text = NULL;
		free(text);
	}
	struct csv_map *m = NULL;
	if (csv_map_load_mem("fuzz.csvmap", (const char *)data, size, &m, &d) == 0) {
		in.csv_map = m;
		csv_parser.parse(&in, &out);
		csv_map_free(&m);
	}
	parse_output_free(&out);
	diags_free(&d);
	return 0;
}
