/* mustache.h — a bounded Mustache renderer over json-c data.
 *
 * Implements the Mustache spec modules comments, delimiters, interpolation,
 * inverted, partials and sections (no lambdas, no inheritance).  Data is a
 * json_object tree; json-c's NULL is JSON null.  Falsy values are null,
 * false, 0, "" and [] (as in mustache.js); everything else is truthy.
 *
 * Every error names the place as "LINE:COLUMN: message" (1-based; the
 * column counts UTF-8 characters), or "partial NAME: LINE:COLUMN: ..."
 * for an error inside a partial.  A malformed template, a runaway partial
 * recursion or an output past the limit is an error, never a crash. */
#ifndef ORDERGW_MUSTACHE_H
#define ORDERGW_MUSTACHE_H
#include <stdbool.h>
#include <stddef.h>
#include <json.h>
#include "buf.h"

/* Load partial `name` by appending its template text to `text` (a buffer
 * bounded by OG_MUSTACHE_MAX_TEMPLATE_BYTES).  Return 0 when found, 1 when
 * there is no such partial (it renders as nothing, as the spec asks), -1 on
 * error with *error_r set (a string that lives at least until the render
 * returns). */
typedef int mustache_partial_fn(void *ctx, const char *name, struct buf *text,
				const char **error_r);

struct mustache_opts {
	bool escape_html;            /* {{name}} escapes & < > " ' (HTML part) */
	mustache_partial_fn *partial;   /* NULL: every partial is missing */
	void *partial_ctx;
	size_t max_output;           /* 0: OG_MUSTACHE_MAX_OUTPUT_DEFAULT */
	unsigned max_depth;          /* nested sections + partials; 0: default */
	unsigned long max_steps;     /* tags rendered in all; 0: default */
};

/* Render tmpl[0..len) with `data` as the root context, appending to out.
 * opts may be NULL (text mode, no partials, default limits).  On error
 * returns -1, *error_r says why (valid until the next mustache call in
 * this thread) and out holds what was rendered before the error. */
int mustache_render(const char *tmpl, size_t len, json_object *data,
		    const struct mustache_opts *opts, struct buf *out,
		    const char **error_r);

/* Parse only.  0 when the template is well formed; -1 with *error_r a
 * malloc'd "LINE:COLUMN: message" (caller frees).  Partials are not
 * followed. */
int mustache_check(const char *tmpl, size_t len, char **error_r);

#endif
