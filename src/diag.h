/* diag.h — diagnostics about a document: where, what, how bad.
 *
 * A diagnostic names the place ("segment 14 (byte 512)", "line 3",
 * "XML line 20", "part 2 (report.csv)") and says what was expected and what
 * was found.  The list is bounded (OG_MAX_DIAGS); past that, diagnostics are
 * only counted.  diags owns its strings. */
#ifndef ORDERGW_DIAG_H
#define ORDERGW_DIAG_H
#include <stdarg.h>
#include <stddef.h>
#include "buf.h"

enum diag_severity { DIAG_WARNING, DIAG_ERROR };

struct diag {
	enum diag_severity severity;
	char *where;
	char *message;
};

struct diags {
	struct diag *items;
	size_t n, cap;
	size_t dropped;          /* not kept because the list was full */
	size_t n_errors;         /* every error, kept or not */
	const char *prefix;      /* prepended to `where`, e.g. the file name; not owned */
};

void diags_init(struct diags *d);
void diags_free(struct diags *d);
void diags_clear(struct diags *d);
void diag_add(struct diags *d, enum diag_severity sev, const char *where,
	      const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* The same for a caller that formats `where` itself (file:line) and passes
 * its own arguments on. */
void diag_vadd(struct diags *d, enum diag_severity sev, const char *where,
	       const char *fmt, va_list ap) __attribute__((format(printf, 4, 0)));
/* Append the list as a JSON array of DIAG objects (interfaces.md). */
int diags_to_json(const struct diags *d, struct buf *out);
/* The first error message, as "where: message", or NULL. */
const char *diags_first_error(const struct diags *d, struct buf *scratch);

#endif
