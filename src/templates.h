/* templates.h — find, render and check the customer-message templates.
 *
 * A message NAME in a locale is three files in DIR/LOCALE/:
 * NAME.subject.mustache (one line), NAME.txt.mustache (plain text body) and
 * optionally NAME.html.mustache (HTML alternative).  Partials live in
 * DIR/LOCALE/partials/PARTIAL.mustache.  Every file is looked up in each
 * directory in turn (IT's override directory first, then the shipped one,
 * $(pkgdatadir)/templates), first in the locale, then in "en". */
#ifndef ORDERGW_TEMPLATES_H
#define ORDERGW_TEMPLATES_H
#include <json.h>
#include "diag.h"

struct rendered {
	char *subject;   /* one line: CR, LF and other controls become spaces */
	char *text;
	char *html;      /* NULL when no HTML template exists */
};

/* The shipped templates directory (PKGDATADIR "/templates"). */
const char *templates_default_dir(void);

/* Render message `name` for `view`.  dirs is NULL-terminated.  On success
 * the caller owns out's strings (templates_rendered_free); on -1, *error_r
 * names the file and line:column, valid until the next call in this
 * thread, and out is left empty. */
int templates_render(const char *const dirs[], const char *locale, const char *name,
		     json_object *view, struct rendered *out, const char **error_r);
void templates_rendered_free(struct rendered *r);

/* Parse every *.mustache under dir/LOCALE/ and dir/LOCALE/partials/; each
 * error becomes a diagnostic "FILE:LINE:COLUMN".  A message whose subject
 * or text template is missing in a locale that has others gets a warning
 * (en is used instead).  Returns the number of errors found, or -1 when
 * dir cannot be read. */
int templates_check_dir(const char *dir, struct diags *d);

#endif
