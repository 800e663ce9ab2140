/* diag.c — see diag.h. */
#include "diag.h"
#include "limits.h"
#include "log.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void diags_init(struct diags *d)
{
	memset(d, 0, sizeof(*d));
}

void diags_clear(struct diags *d)
{
	for (size_t i = 0; i < d->n; i++) {
		free(d->items[i].where);
		free(d->items[i].message);
	}
	d->n = 0;
	d->dropped = 0;
	d->n_errors = 0;
}

void diags_free(struct diags *d)
{
	diags_clear(d);
	free(d->items);
	d->items = NULL;
	d->cap = 0;
}

static char *xstrdup(const char *s)
{
	char *p = strdup(s);
	if (p == NULL)
		fatal("out of memory");
	return p;
}

void diag_add(struct diags *d, enum diag_severity sev, const char *where,
	      const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	diag_vadd(d, sev, where, fmt, ap);
	va_end(ap);
}

void diag_vadd(struct diags *d, enum diag_severity sev, const char *where,
	       const char *fmt, va_list ap)
{
	if (sev == DIAG_ERROR)
		d->n_errors++;
	if (d->n >= OG_MAX_DIAGS) {
		d->dropped++;
		return;
	}
	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 8;
		struct diag *p = realloc(d->items, cap * sizeof(*p));
		if (p == NULL)
			fatal("out of memory");
		d->items = p;
		d->cap = cap;
	}
	char msg[1024], place[512];
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (d->prefix != NULL && where != NULL)
		snprintf(place, sizeof(place), "%s: %s", d->prefix, where);
	else
		snprintf(place, sizeof(place), "%s", where ? where : (d->prefix ? d->prefix : ""));
	struct diag *g = &d->items[d->n++];
	g->severity = sev;
	g->where = xstrdup(place);
	g->message = xstrdup(msg);
}

int diags_to_json(const struct diags *d, struct buf *out)
{
	int r = buf_addc(out, '[');
	for (size_t i = 0; i < d->n && r == 0; i++) {
		const struct diag *g = &d->items[i];
		r |= buf_printf(out, "%s{\"severity\":\"%s\",\"where\":", i ? "," : "",
				g->severity == DIAG_ERROR ? "error" : "warning");
		r |= buf_add_json_str(out, g->where);
		r |= buf_adds(out, ",\"message\":");
		r |= buf_add_json_str(out, g->message);
		r |= buf_addc(out, '}');
	}
	if (d->dropped > 0 && r == 0)
		r |= buf_printf(out, "%s{\"severity\":\"warning\",\"where\":\"\",\"message\":"
				"\"%zu more diagnostics not shown\"}", d->n ? "," : "", d->dropped);
	r |= buf_addc(out, ']');
	return r ? -1 : 0;
}

const char *diags_first_error(const struct diags *d, struct buf *scratch)
{
	for (size_t i = 0; i < d->n; i++) {
		if (d->items[i].severity != DIAG_ERROR)
			continue;
		buf_reset(scratch);
		if (buf_printf(scratch, "%s: %s", d->items[i].where, d->items[i].message) < 0)
			return d->items[i].message;
		return scratch->data;
	}
	return NULL;
}
