/* mustache.c — parse a Mustache template into tokens, then render them.
 *
 * Parsing makes a flat token array whose names and texts point into the
 * template (which must outlive it); a section token records where its body
 * ends, so rendering a list walks the same tokens again.  The standalone
 * rules (a section, inverted, close, comment, partial or delimiter tag
 * alone on its line takes the line with it) are applied while parsing.
 * A partial is fetched through the caller's callback, indented when it
 * stands alone (the spec indents the partial's text, not its output),
 * parsed and rendered in place.
 *
 * Everything is bounded: template size, tag names, section nesting, render
 * depth (sections + partials, so recursive partials stop), steps (so nested
 * loops over lists cannot run for hours) and output bytes.  Errors carry
 * LINE:COLUMN; the render error text lives in a thread-local buffer. */
#include "mustache.h"
#include "limits.h"
#include "log.h"
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum tok_type { T_TEXT, T_VAR, T_RAW, T_SECTION, T_INVERTED, T_PARTIAL };

struct tok {
	enum tok_type type;
	const char *s;          /* text, or the tag name */
	size_t n;
	const char *indent;     /* T_PARTIAL: standalone indentation */
	size_t n_indent;
	size_t end;             /* T_SECTION, T_INVERTED: first token after the body */
	size_t off;             /* byte offset of the tag */
};

struct tmpl {
	struct tok *toks;
	size_t n, cap;
};

struct parser {
	const char *t;
	size_t len;
	char otag[OG_MUSTACHE_MAX_DELIM], ctag[OG_MUSTACHE_MAX_DELIM];
	size_t no, nc;
	struct tmpl *out;
	size_t open;            /* innermost open section token, or SIZE_MAX */
	unsigned nesting;
	char err[300];
};

static _Thread_local char render_error[600];

static void tmpl_free(struct tmpl *t)
{
	free(t->toks);
	t->toks = NULL;
	t->n = t->cap = 0;
}

static struct tok *tmpl_add(struct tmpl *t, enum tok_type type, const char *s,
			    size_t n, size_t off)
{
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 32;
		struct tok *p = realloc(t->toks, cap * sizeof(*p));
		if (p == NULL)
			fatal("out of memory (template of %zu tokens)", cap);
		t->toks = p;
		t->cap = cap;
	}
	struct tok *k = &t->toks[t->n++];
	memset(k, 0, sizeof(*k));
	k->type = type;
	k->s = s;
	k->n = n;
	k->off = off;
	return k;
}

/* 1-based line and column (UTF-8 characters) of byte offset off. */
static void line_col(const char *t, size_t off, unsigned long *line, unsigned long *col)
{
	*line = 1;
	*col = 1;
	for (size_t i = 0; i < off; i++) {
		if (t[i] == '\n') {
			(*line)++;
			*col = 1;
		} else if (((unsigned char)t[i] & 0xC0) != 0x80) {
			(*col)++;
		}
	}
}

static int perr(struct parser *p, size_t off, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int perr(struct parser *p, size_t off, const char *fmt, ...)
{
	unsigned long line, col;
	line_col(p->t, off, &line, &col);
	int k = snprintf(p->err, sizeof(p->err), "%lu:%lu: ", line, col);
	if (k < 0 || (size_t)k >= sizeof(p->err))
		return -1;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(p->err + k, sizeof(p->err) - (size_t)k, fmt, ap);
	va_end(ap);
	return -1;
}

static bool is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static const char *find(const char *hay, size_t n, const char *needle, size_t nn)
{
	if (nn == 0 || n < nn)
		return NULL;
	return memmem(hay, n, needle, nn);
}

/* Show at most 40 bytes of a tag name in a message. */
#define SHOW(s, n) (int)((n) > 40 ? 40 : (n)), (s)

/* Trim white space around [*s, *s + *n); the name must then be non-empty,
 * without inner white space and not too long. */
static int tag_name(struct parser *p, size_t off, const char **s, size_t *n)
{
	while (*n > 0 && is_ws(**s)) {
		(*s)++;
		(*n)--;
	}
	while (*n > 0 && is_ws((*s)[*n - 1]))
		(*n)--;
	if (*n == 0)
		return perr(p, off, "empty tag: a name was expected");
	if (*n > OG_MUSTACHE_MAX_NAME)
		return perr(p, off, "tag name longer than %u bytes", OG_MUSTACHE_MAX_NAME);
	for (size_t i = 0; i < *n; i++)
		if (is_ws((*s)[i]))
			return perr(p, off, "white space inside the tag name \"%.*s\"", SHOW(*s, *n));
	return 0;
}

/* {{=<% %>=}}: content is "<% %>". */
static int set_delims(struct parser *p, size_t off, const char *s, size_t n)
{
	size_t i = 0, a0, a1, b0, b1;
	while (i < n && is_ws(s[i]))
		i++;
	a0 = i;
	while (i < n && !is_ws(s[i]))
		i++;
	a1 = i;
	while (i < n && is_ws(s[i]))
		i++;
	b0 = i;
	while (i < n && !is_ws(s[i]))
		i++;
	b1 = i;
	while (i < n && is_ws(s[i]))
		i++;
	if (a1 == a0 || b1 == b0 || i != n)
		return perr(p, off, "bad delimiter tag: expected two delimiters separated by a space, "
			    "as in {{=<%% %%>=}}, found \"%.*s\"", SHOW(s, n));
	if (a1 - a0 > sizeof(p->otag) || b1 - b0 > sizeof(p->ctag))
		return perr(p, off, "bad delimiter tag: a delimiter is longer than %zu bytes",
			    sizeof(p->otag));
	if (memchr(s + a0, '=', a1 - a0) != NULL || memchr(s + b0, '=', b1 - b0) != NULL)
		return perr(p, off, "bad delimiter tag: a delimiter may not contain '='");
	memcpy(p->otag, s + a0, a1 - a0);
	p->no = a1 - a0;
	memcpy(p->ctag, s + b0, b1 - b0);
	p->nc = b1 - b0;
	return 0;
}

static void add_text(struct parser *p, size_t from, size_t to)
{
	if (to > from)
		tmpl_add(p->out, T_TEXT, p->t + from, to - from, from);
}

static int parse(struct parser *p)
{
	const char *t = p->t;
	size_t len = p->len, pos = 0, text_start = 0;
	bool at_line_start = true;   /* text_start begins a line */

	memcpy(p->otag, "{{", 2);
	memcpy(p->ctag, "}}", 2);
	p->no = p->nc = 2;
	p->open = SIZE_MAX;
	p->nesting = 0;
	if (len > OG_MUSTACHE_MAX_TEMPLATE_BYTES)
		return perr(p, 0, "template larger than %u bytes", OG_MUSTACHE_MAX_TEMPLATE_BYTES);
	for (;;) {
		const char *hit = find(t + pos, len - pos, p->otag, p->no);
		if (hit == NULL)
			break;
		size_t tag = (size_t)(hit - t), q = tag + p->no;
		char sigil = q < len ? t[q] : '\0';
		char close[OG_MUSTACHE_MAX_DELIM + 1];
		size_t nclose = 0;
		if (sigil == '{' || sigil == '=')
			close[nclose++] = sigil == '{' ? '}' : '=';
		memcpy(close + nclose, p->ctag, p->nc);
		nclose += p->nc;
		if (strchr("{&#^/>!=", sigil) != NULL && sigil != '\0')
			q++;
		else
			sigil = '\0';
		const char *end = find(t + q, len - q, close, nclose);
		if (end == NULL)
			return perr(p, tag, "tag is not closed: expected \"%.*s\" before the end of the template",
				    (int)nclose, close);
		const char *name = t + q;
		size_t nname = (size_t)(end - name), tag_end = (size_t)(end - t) + nclose;
		/* "{{a}\n{{b}}": say the first tag is open, not that "a}\n{{b" is a bad name. */
		if (sigil != '!' && find(name, nname, p->otag, p->no) != NULL)
			return perr(p, tag, "tag is not closed: expected \"%.*s\" before the next \"%.*s\"",
				    (int)nclose, close, (int)p->no, p->otag);

		/* Standalone: only white space on the line besides this tag. */
		bool standalone = false;
		size_t ls = SIZE_MAX, next = tag_end;
		if (sigil != '\0' && sigil != '{' && sigil != '&') {
			const char *nl = NULL;
			for (size_t i = tag; i > text_start; i--)
				if (t[i - 1] == '\n') {
					nl = t + i - 1;
					break;
				}
			if (nl != NULL)
				ls = (size_t)(nl - t) + 1;
			else if (at_line_start)
				ls = text_start;
			if (ls != SIZE_MAX) {
				size_t i = ls;
				while (i < tag && (t[i] == ' ' || t[i] == '\t'))
					i++;
				size_t r = tag_end;
				while (r < len && (t[r] == ' ' || t[r] == '\t'))
					r++;
				if (i == tag) {
					if (r == len)
						standalone = true, next = r;
					else if (t[r] == '\n')
						standalone = true, next = r + 1;
					else if (t[r] == '\r' && r + 1 < len && t[r + 1] == '\n')
						standalone = true, next = r + 2;
				}
			}
		}
		if (standalone) {
			add_text(p, text_start, ls);
			at_line_start = true;
		} else {
			add_text(p, text_start, tag);
			at_line_start = false;
		}
		pos = text_start = next;

		struct tok *k;
		switch (sigil) {
		case '!':
			break;
		case '=':
			if (set_delims(p, tag, name, nname) < 0)
				return -1;
			break;
		case '#':
		case '^':
			if (tag_name(p, tag, &name, &nname) < 0)
				return -1;
			if (++p->nesting > OG_MUSTACHE_MAX_NESTING)
				return perr(p, tag, "sections nested deeper than %u", OG_MUSTACHE_MAX_NESTING);
			k = tmpl_add(p->out, sigil == '#' ? T_SECTION : T_INVERTED, name, nname, tag);
			k->end = p->open;   /* the enclosing section until closed */
			p->open = p->out->n - 1;
			break;
		case '/': {
			if (tag_name(p, tag, &name, &nname) < 0)
				return -1;
			if (p->open == SIZE_MAX)
				return perr(p, tag, "closing tag \"%.*s\" without an open section",
					    SHOW(name, nname));
			struct tok *o = &p->out->toks[p->open];
			if (o->n != nname || memcmp(o->s, name, nname) != 0) {
				unsigned long l, c;
				line_col(t, o->off, &l, &c);
				return perr(p, tag, "closing tag \"%.*s\" does not match the section "
					    "\"%.*s\" opened at %lu:%lu", SHOW(name, nname),
					    SHOW(o->s, o->n), l, c);
			}
			size_t parent = o->end;
			o->end = p->out->n;
			p->open = parent;
			p->nesting--;
			break;
		}
		case '>':
			if (tag_name(p, tag, &name, &nname) < 0)
				return -1;
			k = tmpl_add(p->out, T_PARTIAL, name, nname, tag);
			if (standalone) {
				k->indent = t + ls;
				k->n_indent = tag - ls;
			}
			break;
		default:
			if (tag_name(p, tag, &name, &nname) < 0)
				return -1;
			tmpl_add(p->out, sigil == '\0' ? T_VAR : T_RAW, name, nname, tag);
			break;
		}
	}
	add_text(p, text_start, len);
	if (p->open != SIZE_MAX) {
		struct tok *o = &p->out->toks[p->open];
		return perr(p, o->off, "section \"%.*s\" is never closed", SHOW(o->s, o->n));
	}
	return 0;
}

int mustache_check(const char *tmpl, size_t len, char **error_r)
{
	struct tmpl t = { NULL, 0, 0 };
	struct parser p = { .t = tmpl, .len = len, .out = &t };
	int ret = parse(&p);
	if (ret < 0) {
		*error_r = strdup(p.err);
		if (*error_r == NULL)
			fatal("out of memory");
	}
	tmpl_free(&t);
	return ret;
}

/* ---- rendering --------------------------------------------------------- */

struct render {
	const struct mustache_opts *opts;
	struct buf *out;
	size_t max_output;
	unsigned depth, max_depth;
	unsigned long steps, max_steps;
	json_object **stack;     /* context stack, stack[0] is the root */
	size_t n_stack;
	const char *where;       /* "partial NAME: " prefix of errors, or "" */
	const char *text;        /* template being rendered, for line:col */
};

static int rerr(struct render *r, size_t off, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int rerr(struct render *r, size_t off, const char *fmt, ...)
{
	unsigned long line, col;
	line_col(r->text, off, &line, &col);
	int k = snprintf(render_error, sizeof(render_error), "%s%lu:%lu: ", r->where, line, col);
	if (k < 0 || (size_t)k >= sizeof(render_error))
		return -1;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(render_error + k, sizeof(render_error) - (size_t)k, fmt, ap);
	va_end(ap);
	return -1;
}

static int emit(struct render *r, size_t off, const char *s, size_t n)
{
	if (n > r->max_output || r->out->len > r->max_output - n || buf_add(r->out, s, n) < 0)
		return rerr(r, off, "output larger than %zu bytes",
			    r->max_output < r->out->max ? r->max_output : r->out->max);
	return 0;
}

static int emit_escaped(struct render *r, size_t off, const char *s, size_t n)
{
	size_t from = 0;
	for (size_t i = 0; i < n; i++) {
		const char *rep;
		switch (s[i]) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&#39;"; break;
		default: continue;
		}
		if (emit(r, off, s + from, i - from) < 0 || emit(r, off, rep, strlen(rep)) < 0)
			return -1;
		from = i + 1;
	}
	return emit(r, off, s + from, n - from);
}

/* Resolve a (dotted) name against the context stack.  NULL is both JSON
 * null and "not found": Mustache renders both as nothing. */
static json_object *lookup(struct render *r, const char *name, size_t n)
{
	char key[OG_MUSTACHE_MAX_NAME + 1];
	if (n == 1 && name[0] == '.')
		return r->stack[r->n_stack - 1];
	const char *dot = memchr(name, '.', n);
	size_t k = dot ? (size_t)(dot - name) : n;
	memcpy(key, name, k);
	key[k] = '\0';
	json_object *v = NULL;
	bool found = false;
	for (size_t i = r->n_stack; i > 0 && !found; i--) {
		json_object *f = r->stack[i - 1];
		if (json_object_get_type(f) == json_type_object)
			found = json_object_object_get_ex(f, key, &v);
	}
	if (!found)
		return NULL;
	while (dot != NULL) {
		const char *s = dot + 1;
		size_t left = n - (size_t)(s - name);
		dot = memchr(s, '.', left);
		k = dot ? (size_t)(dot - s) : left;
		memcpy(key, s, k);
		key[k] = '\0';
		if (json_object_get_type(v) != json_type_object ||
		    !json_object_object_get_ex(v, key, &v))
			return NULL;
	}
	return v;
}

static bool truthy(json_object *v)
{
	switch (json_object_get_type(v)) {
	case json_type_null: return false;
	case json_type_boolean: return json_object_get_boolean(v);
	case json_type_int: return json_object_get_int64(v) != 0;
	case json_type_double: return json_object_get_double(v) != 0.0;
	case json_type_string: return json_object_get_string_len(v) > 0;
	case json_type_array: return json_object_array_length(v) > 0;
	case json_type_object: return true;
	}
	return false;
}

/* The shortest %g form that reads back as the same double: 1.21, not
 * 1.2100000000000000. */
static void format_double(double d, char *out, size_t n)
{
	if (!isfinite(d)) {
		snprintf(out, n, "%s", isnan(d) ? "NaN" : d > 0 ? "Infinity" : "-Infinity");
		return;
	}
	for (int prec = 15; prec <= 17; prec++) {
		snprintf(out, n, "%.*g", prec, d);
		if (strtod(out, NULL) == d)
			return;
	}
}

static int emit_value(struct render *r, const struct tok *k, json_object *v)
{
	char tmp[64];
	const char *s = tmp;
	size_t n;
	switch (json_object_get_type(v)) {
	case json_type_null:
		return 0;
	case json_type_string:
		s = json_object_get_string(v);
		n = (size_t)json_object_get_string_len(v);
		break;
	case json_type_int:
		snprintf(tmp, sizeof(tmp), "%" PRId64, json_object_get_int64(v));
		n = strlen(tmp);
		break;
	case json_type_double:
		format_double(json_object_get_double(v), tmp, sizeof(tmp));
		n = strlen(tmp);
		break;
	case json_type_boolean:
		s = json_object_get_boolean(v) ? "true" : "false";
		n = strlen(s);
		break;
	default:
		s = json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN);
		n = strlen(s);
		break;
	}
	if (k->type == T_VAR && r->opts->escape_html)
		return emit_escaped(r, k->off, s, n);
	return emit(r, k->off, s, n);
}

static int render_range(struct render *r, const struct tmpl *t, size_t from, size_t to);

/* One level deeper (a section body or a partial), for the tag at off. */
static int enter(struct render *r, size_t off)
{
	if (r->depth >= r->max_depth)
		return rerr(r, off, "sections and partials nested deeper than %u (a partial that "
			    "includes itself?)", r->max_depth);
	r->depth++;
	return 0;
}

static int push(struct render *r, const struct tok *k, json_object *v)
{
	if (r->n_stack > r->max_depth)
		return rerr(r, k->off, "context stack deeper than %u", r->max_depth);
	r->stack[r->n_stack++] = v;
	return 0;
}

/* The body of section i, with v pushed on the context stack when `with`. */
static int render_body(struct render *r, const struct tmpl *t, size_t i, bool with,
		       json_object *v)
{
	const struct tok *k = &t->toks[i];
	if (enter(r, k->off) < 0)
		return -1;
	if (with && push(r, k, v) < 0) {
		r->depth--;
		return -1;
	}
	int ret = render_range(r, t, i + 1, k->end);
	if (with)
		r->n_stack--;
	r->depth--;
	return ret;
}

/* Copy src with indent before every line that has something on it. */
static int indent_text(const char *indent, size_t n_indent, const struct buf *src,
		       struct buf *dst)
{
	bool bol = true;
	for (size_t i = 0; i < src->len; i++) {
		if (bol && buf_add(dst, indent, n_indent) < 0)
			return -1;
		if (buf_addc(dst, src->data[i]) < 0)
			return -1;
		bol = src->data[i] == '\n';
	}
	return 0;
}

static int render_partial(struct render *r, const struct tok *k)
{
	char name[OG_MUSTACHE_MAX_NAME + 1];
	memcpy(name, k->s, k->n);
	name[k->n] = '\0';
	if (r->opts->partial == NULL)
		return 0;
	struct buf text, indented;
	struct tmpl t = { NULL, 0, 0 };
	buf_init(&text, OG_MUSTACHE_MAX_TEMPLATE_BYTES);
	buf_init(&indented, OG_MUSTACHE_MAX_TEMPLATE_BYTES);
	const char *old_where = r->where, *old_text = r->text;
	char where[OG_MUSTACHE_MAX_NAME + 64];
	const char *error = "unknown error";
	int ret = -1, found = r->opts->partial(r->opts->partial_ctx, name, &text, &error);
	if (found < 0) {
		rerr(r, k->off, "partial \"%s\": %s", name, error);
		goto out;
	}
	if (found > 0) {
		ret = 0;
		goto out;
	}
	const struct buf *src = &text;
	if (k->n_indent > 0) {
		if (indent_text(k->indent, k->n_indent, &text, &indented) < 0) {
			rerr(r, k->off, "partial \"%s\" larger than %u bytes once indented",
			     name, OG_MUSTACHE_MAX_TEMPLATE_BYTES);
			goto out;
		}
		src = &indented;
	}
	struct parser p = { .t = src->data ? src->data : "", .len = src->len, .out = &t };
	if (parse(&p) < 0) {
		rerr(r, k->off, "in partial \"%s\": %s", name, p.err);
		goto out;
	}
	if (enter(r, k->off) < 0)
		goto out;
	r->steps += t.n;
	snprintf(where, sizeof(where), "partial %s: ", name);
	r->where = where;
	r->text = p.t;
	ret = render_range(r, &t, 0, t.n);
	r->depth--;
	r->where = old_where;
	r->text = old_text;
out:
	tmpl_free(&t);
	buf_free(&text);
	buf_free(&indented);
	return ret;
}

static int render_range(struct render *r, const struct tmpl *t, size_t from, size_t to)
{
	int ret = -1;
	for (size_t i = from; i < to; i++) {
		const struct tok *k = &t->toks[i];
		if (++r->steps > r->max_steps) {
			rerr(r, k->off, "template needs more than %lu steps", r->max_steps);
			goto out;
		}
		json_object *v;
		switch (k->type) {
		case T_TEXT:
			if (emit(r, k->off, k->s, k->n) < 0)
				goto out;
			break;
		case T_VAR:
		case T_RAW:
			if (emit_value(r, k, lookup(r, k->s, k->n)) < 0)
				goto out;
			break;
		case T_SECTION:
			v = lookup(r, k->s, k->n);
			if (!truthy(v)) {
				/* skip the body */
			} else if (json_object_get_type(v) == json_type_array) {
				size_t n = json_object_array_length(v);
				for (size_t j = 0; j < n; j++)
					if (render_body(r, t, i, true, json_object_array_get_idx(v, j)) < 0)
						goto out;
			} else if (render_body(r, t, i, true, v) < 0) {
				goto out;
			}
			i = k->end - 1;
			break;
		case T_INVERTED:
			if (!truthy(lookup(r, k->s, k->n)) && render_body(r, t, i, false, NULL) < 0)
				goto out;
			i = k->end - 1;
			break;
		case T_PARTIAL:
			if (render_partial(r, k) < 0)
				goto out;
			break;
		}
	}
	ret = 0;
out:
	return ret;
}

int mustache_render(const char *tmpl, size_t len, json_object *data,
		    const struct mustache_opts *opts, struct buf *out,
		    const char **error_r)
{
	static const struct mustache_opts defaults;
	struct tmpl t = { NULL, 0, 0 };
	struct render r = {
		.opts = opts ? opts : &defaults, .out = out, .where = "", .text = tmpl,
	};
	int ret = -1;
	r.max_output = r.opts->max_output ? r.opts->max_output : OG_MUSTACHE_MAX_OUTPUT_DEFAULT;
	r.max_depth = r.opts->max_depth ? r.opts->max_depth : OG_MUSTACHE_MAX_DEPTH_DEFAULT;
	r.max_steps = r.opts->max_steps ? r.opts->max_steps : OG_MUSTACHE_MAX_STEPS_DEFAULT;
	r.stack = calloc((size_t)r.max_depth + 2, sizeof(*r.stack));
	if (r.stack == NULL)
		fatal("out of memory");
	struct parser p = { .t = tmpl, .len = len, .out = &t };
	if (parse(&p) < 0) {
		snprintf(render_error, sizeof(render_error), "%s", p.err);
		goto out;
	}
	r.stack[r.n_stack++] = data;
	ret = render_range(&r, &t, 0, t.n);
out:
	if (ret < 0)
		*error_r = render_error;
	free(r.stack);
	tmpl_free(&t);
	return ret;
}
