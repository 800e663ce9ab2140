/* csv.h — order lines from CSV attachments.
 *
 * Columns are found by their header names (English and Chinese synonyms
 * built in) or by a per-partner column map (etc/rules/example.csvmap
 * documents the format).  Header fields (PO number, dates, terms,
 * currency, ship-to) come from the e-mail text (parse_input.header_text),
 * read with the text rules, and from "label, value" rows above the table. */
#ifndef ORDERGW_CSV_H
#define ORDERGW_CSV_H
#include <stddef.h>
#include "diag.h"
#include "parser.h"

struct csv_map;

extern const struct parser csv_parser;

/* Load a column map; every error is reported as "file:line" in d, and -1
 * means there was at least one (nothing is returned). */
int csv_map_load(const char *path, struct csv_map **out, struct diags *d);
int csv_map_load_mem(const char *name, const char *data, size_t len,
		     struct csv_map **out, struct diags *d);
void csv_map_free(struct csv_map **m);

#endif
