/* text.h — orders written by people in an e-mail body, read by rule sets.
 *
 * A rule set (etc/rules/default.rules documents the format) names PCRE2
 * patterns for the header fields (PO number, dates, terms, parties, ...)
 * and for order lines.  IT writes rule sets in plain files; the default one
 * is compiled into the binary.  The helpers below (dates, numbers, units,
 * currencies) are shared with the CSV parser, which reads the same human
 * conventions column by column. */
#ifndef ORDERGW_TEXT_H
#define ORDERGW_TEXT_H
#include <stdbool.h>
#include <stddef.h>
#include "diag.h"
#include "order.h"
#include "parser.h"

struct text_rules;

extern const struct parser text_parser;

/* Load a rule set.  Every error of the file is reported as "file:line"
 * in d (one pass); -1 when there was any error (nothing is returned). */
int text_rules_load(const char *path, struct text_rules **out, struct diags *d);
/* The same from memory; name is used in "name:line" places. */
int text_rules_load_mem(const char *name, const char *data, size_t len,
			struct text_rules **out, struct diags *d);
void text_rules_free(struct text_rules **r);
/* Read a rule set or column map file (at most OG_MAX_RULE_FILE_BYTES); on
 * failure a diagnostic "cannot read the WHAT: reason" naming the file. */
int text_file_read(const char *path, const char *what, unsigned char **data_r, size_t *len_r,
		   struct diags *d);
/* The rule set built from etc/rules/default.rules; loaded on first use and
 * kept for the life of the process.  NULL only if it does not compile. */
const struct text_rules *text_rules_default(void);

/* Run the header patterns of r (NULL: default) over UTF-8 text and fill o.
 * Problems (a rule hitting the PCRE2 limits, a value that is no date) go
 * to d.  Returns the number of header fields found, -1 on arena limit. */
int text_extract_header(const struct text_rules *r, const char *text, size_t len,
			struct order *o, struct diags *d);

/* Normalizers.  Each returns 0 and writes a NUL-terminated result into out
 * (of size outsz), or -1 when the input is not such a value. */
/* A date in one of the usual human forms -> "YYYY-MM-DD". */
int text_date(const char *s, size_t n, char *out, size_t outsz);
/* "1,000" "1.234,50" "1 000" "500pcs" prefix -> "1000" "1234.50"; with
 * decimal_comma a lone ',' is the decimal mark and '.' groups thousands. */
int text_number(const char *s, size_t n, bool decimal_comma, char *out, size_t outsz);
/* UN/ECE Rec 20 code for a unit as written ("pcs", "套", "KG"); NULL if
 * not one of the common ones. */
const char *text_uom_code(const char *s, size_t n);
/* ISO 4217 code for "USD", "US$", "$", "人民币", ... or NULL. */
const char *text_currency(const char *s, size_t n);
/* Is s valid UTF-8 (no overlongs, no surrogates)? */
bool text_utf8_valid(const unsigned char *s, size_t n);

/* The line format shared by rule sets and CSV column maps: "[section]",
 * "key = value", comment lines starting with '#' or ';'.  cb is called with
 * key NULL at each section line, then per entry, with the line number.
 * Malformed lines are reported as "name:line" errors in d; -1 when d got
 * any error during the read (the callback's included). */
int text_ini_read(const char *name, const char *data, size_t len,
		  int (*cb)(void *ctx, unsigned line, const char *section, const char *key,
			    const char *value),
		  void *ctx, struct diags *d);

/* ISO 3166-1 alpha-2 for a country name or code ("China", "德国") or NULL. */
const char *text_country(const char *s, size_t n);

#endif
