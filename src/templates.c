/* templates.c — template lookup with override directories and locale
 * fallback, rendering of the three parts of a message, and the check of a
 * whole template directory for `ordergw check-config`.
 *
 * Names of locales, messages and partials become file names, so they are
 * restricted to letters, digits, '-', '_' and '.' (not leading): a template
 * cannot reach outside the template directories.  The rendered subject is
 * forced onto one line so that a value from the customer (a PO number with
 * a line break) can never add a mail header.  Errors name the file and
 * line:column; their text lives in a thread-local buffer. */
#include "templates.h"
#include "limits.h"
#include "log.h"
#include "mustache.h"
#include "readfile.h"
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#ifndef PKGDATADIR
#define PKGDATADIR "/usr/local/share/ordergw"
#endif

static _Thread_local char tpl_error[1200];

struct lookup {
	const char *const *dirs;
	const char *locale;
	bool fallback;           /* also look in "en" */
	const char *found_locale;   /* where the file found last was */
	char path[1024];         /* the file found last */
};

const char *templates_default_dir(void)
{
	return PKGDATADIR "/templates";
}

static bool safe_name(const char *s)
{
	if (s == NULL || *s == '\0' || *s == '.' || strlen(s) > 64)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '-' || *s == '_' || *s == '.'))
			return false;
	return true;
}

static int fail(const char **error_r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static int fail(const char **error_r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(tpl_error, sizeof(tpl_error), fmt, ap);
	va_end(ap);
	*error_r = tpl_error;
	return -1;
}

/* Read rel ("x.txt.mustache", "partials/p.mustache") from the first place
 * that has it.  0 found (l->path names it), 1 nowhere, -1 error. */
static int find_file(struct lookup *l, const char *rel, struct buf *text, const char **error_r)
{
	const char *locales[2] = {
		l->locale, !l->fallback || strcmp(l->locale, "en") == 0 ? NULL : "en",
	};
	for (int i = 0; i < 2 && locales[i] != NULL; i++) {
		for (const char *const *d = l->dirs; *d != NULL; d++) {
			int k = snprintf(l->path, sizeof(l->path), "%s/%s/%s", *d, locales[i], rel);
			if (k < 0 || (size_t)k >= sizeof(l->path))
				return fail(error_r, "%s/%s/%s: path too long", *d, locales[i], rel);
			unsigned char *data;
			size_t len;
			if (read_file(l->path, OG_MUSTACHE_MAX_TEMPLATE_BYTES, &data, &len) < 0) {
				if (errno == ENOENT || errno == ENOTDIR)
					continue;
				return fail(error_r, "%s: %s", l->path, errno == EFBIG
					    ? "template larger than the limit" : strerror(errno));
			}
			int r = buf_add(text, data, len);
			free(data);
			l->found_locale = locales[i];
			if (r < 0)
				return fail(error_r, "%s: template larger than the limit", l->path);
			return 0;
		}
	}
	return 1;
}

static int load_partial(void *ctx, const char *name, struct buf *text, const char **error_r)
{
	char rel[128];
	if (!safe_name(name))
		return fail(error_r, "partial names may only use letters, digits, '-', '_' and '.'");
	snprintf(rel, sizeof(rel), "partials/%s.mustache", name);
	return find_file(ctx, rel, text, error_r);
}

/* One line: controls become spaces, runs of white space one space. */
static void one_line(char *s)
{
	char *w = s;
	bool space = true;   /* drops leading white space */
	for (char *r = s; *r; r++) {
		unsigned char c = (unsigned char)*r;
		if (c < 0x20 || c == 0x7f || c == ' ') {
			if (!space)
				*w++ = ' ';
			space = true;
		} else {
			*w++ = (char)c;
			space = false;
		}
	}
	if (w > s && w[-1] == ' ')
		w--;
	*w = '\0';
}

static int render_part(struct lookup *l, const char *name, const char *part, bool html,
		       bool required, json_object *view, char **out, const char **error_r)
{
	char rel[128];
	struct buf text, res;
	int ret = -1;
	buf_init(&text, OG_MUSTACHE_MAX_TEMPLATE_BYTES);
	buf_init(&res, OG_MUSTACHE_MAX_OUTPUT_DEFAULT);
	snprintf(rel, sizeof(rel), "%s.%s.mustache", name, part);
	int found = find_file(l, rel, &text, error_r);
	if (found < 0)
		goto out;
	if (found > 0) {
		if (required)
			fail(error_r, "no template %s for locale %s or en in %s%s", rel, l->locale,
			     l->dirs[0], l->dirs[1] ? " or the other template directories" : "");
		else
			ret = 0;
		goto out;
	}
	char path[sizeof(l->path)];
	memcpy(path, l->path, sizeof(path));
	/* Partials in the language of the template found, then en. */
	struct lookup pl = { .dirs = l->dirs, .locale = l->found_locale, .fallback = l->fallback };
	struct mustache_opts o = {
		.escape_html = html, .partial = load_partial, .partial_ctx = &pl,
	};
	const char *err;
	if (mustache_render(text.data, text.len, view, &o, &res, &err) < 0) {
		fail(error_r, "%s:%s", path, err);
		goto out;
	}
	*out = buf_steal(&res, NULL);
	if (*out == NULL && (*out = strdup("")) == NULL)
		fatal("out of memory");
	ret = 0;
out:
	buf_free(&text);
	buf_free(&res);
	return ret;
}

void templates_rendered_free(struct rendered *r)
{
	free(r->subject);
	free(r->text);
	free(r->html);
	r->subject = r->text = r->html = NULL;
}

int templates_render(const char *const dirs[], const char *locale, const char *name,
		     json_object *view, struct rendered *out, const char **error_r)
{
	struct lookup l = {
		.dirs = dirs, .locale = locale && *locale ? locale : "en", .fallback = true,
	};
	memset(out, 0, sizeof(*out));
	if (dirs == NULL || dirs[0] == NULL)
		return fail(error_r, "no template directory");
	if (!safe_name(l.locale))
		return fail(error_r, "bad locale \"%.64s\"", l.locale);
	if (!safe_name(name))
		return fail(error_r, "bad template name \"%.64s\"", name);
	int ret = -1;
	if (render_part(&l, name, "subject", false, true, view, &out->subject, error_r) < 0 ||
	    render_part(&l, name, "txt", false, true, view, &out->text, error_r) < 0)
		goto out;
	/* The HTML alternative only in the language of the text part: a
	 * Chinese text with an English HTML part would be a different letter. */
	l.locale = l.found_locale;
	l.fallback = false;
	if (render_part(&l, name, "html", true, false, view, &out->html, error_r) < 0)
		goto out;
	one_line(out->subject);
	ret = 0;
out:
	if (ret < 0)
		templates_rendered_free(out);
	return ret;
}

/* ---- check ------------------------------------------------------------- */

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);
	return n >= k && strcmp(s + n - k, suffix) == 0;
}

static void check_file(const char *path, struct diags *d)
{
	unsigned char *data;
	size_t len;
	char *err = NULL;
	if (read_file(path, OG_MUSTACHE_MAX_TEMPLATE_BYTES, &data, &len) < 0) {
		diag_add(d, DIAG_ERROR, path, "cannot read the template: %s",
			 errno == EFBIG ? "larger than the limit" : strerror(errno));
		return;
	}
	if (mustache_check((const char *)data, len, &err) < 0) {
		/* err is "LINE:COLUMN: message" */
		const char *msg = strstr(err, ": ");
		size_t n = msg ? (size_t)(msg - err) : 0;
		char where[1300];
		int k = snprintf(where, sizeof(where), "%s:%.*s", path, (int)n, err);
		diag_add(d, DIAG_ERROR, k > 0 && (size_t)k < sizeof(where) ? where : path,
			 "%s", msg ? msg + 2 : err);
	}
	free(err);
	free(data);
}

/* Check every *.mustache in dir; recurse once into "partials". */
static int check_folder(const char *dir, bool top, struct diags *d)
{
	struct dirent **list;
	int n = scandir(dir, &list, NULL, alphasort);
	if (n < 0) {
		diag_add(d, DIAG_ERROR, dir, "cannot read the template folder: %s", strerror(errno));
		return -1;
	}
	for (int i = 0; i < n; i++) {
		const char *e = list[i]->d_name;
		char path[1200];
		struct stat st;
		snprintf(path, sizeof(path), "%s/%s", dir, e);
		if (e[0] != '.' && stat(path, &st) == 0) {
			if (S_ISDIR(st.st_mode) && top && strcmp(e, "partials") == 0)
				check_folder(path, false, d);
			else if (S_ISREG(st.st_mode) && ends_with(e, ".mustache"))
				check_file(path, d);
		}
		free(list[i]);
	}
	free(list);
	return 0;
}

int templates_check_dir(const char *dir, struct diags *d)
{
	struct dirent **list;
	size_t before = d->n_errors;
	int n = scandir(dir, &list, NULL, alphasort);
	if (n < 0) {
		diag_add(d, DIAG_ERROR, dir, "cannot read the template directory: %s", strerror(errno));
		return -1;
	}
	for (int i = 0; i < n; i++) {
		char path[1100];
		struct stat st;
		snprintf(path, sizeof(path), "%s/%s", dir, list[i]->d_name);
		if (list[i]->d_name[0] != '.' && stat(path, &st) == 0 && S_ISDIR(st.st_mode))
			check_folder(path, true, d);
		free(list[i]);
	}
	free(list);
	return (int)(d->n_errors - before);
}
