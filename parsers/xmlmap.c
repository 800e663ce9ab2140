/* xmlmap.c — value normalisation for the XML parsers (see xmlmap.h).
 *
 * Everything here is table-driven and allocation happens only in the
 * order's arena; nothing fails hard: a value that does not fit is kept out
 * (or kept as written) and a warning says which XML line held it. */
#include "xmlmap.h"
#include "decimal.h"
#include "limits.h"
#include "xmlsafe.h"
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static void warn(struct diags *d, const xmlNode *at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void warn(struct diags *d, const xmlNode *at, const char *fmt, ...)
{
	char where[48], msg[768];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	diag_add(d, DIAG_WARNING, xmlsafe_where(at, where, sizeof(where)), "%s", msg);
}

static int digits(const char *s, size_t n)
{
	int v = 0;
	for (size_t i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

const char *xmlmap_date(struct order *o, struct diags *d, const xmlNode *at,
			const char *what, const char *s)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	if (s == NULL)
		return NULL;
	size_t n = strlen(s);
	int y = n >= 10 ? digits(s, 4) : -1;
	int m = y >= 0 && s[4] == '-' ? digits(s + 5, 2) : -1;
	int day = m >= 1 && m <= 12 && s[7] == '-' ? digits(s + 8, 2) : -1;
	bool leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
	bool ok = y >= 1 && day >= 1 && day <= mdays[m - 1] && (m != 2 || day <= 28 || leap) &&
		  (n == 10 || s[10] == 'T' || s[10] == 'Z' || s[10] == '+' || s[10] == '-' || s[10] == ' ');
	if (!ok) {
		warn(d, at, "%s \"%s\" is not a date (expected YYYY-MM-DD); ignored", what, s);
		return NULL;
	}
	return arena_strndup(o->arena, s, 10);
}

const char *xmlmap_decimal(struct order *o, struct diags *d, const xmlNode *at,
			   const char *what, const char *s)
{
	(void)o;
	if (s == NULL)
		return NULL;
	if (!dec_valid(s)) {
		warn(d, at, "%s \"%s\" is not a decimal number; ignored", what, s);
		return NULL;
	}
	return s;
}

const char *xmlmap_gtin(struct order *o, struct diags *d, const xmlNode *at, const char *s)
{
	if (s == NULL)
		return NULL;
	size_t n = strlen(s);
	bool all_digits = n > 0;
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			all_digits = false;
	if (!all_digits || (n != 8 && n != 12 && n != 13 && n != 14)) {
		warn(d, at, "GTIN \"%s\" is not 8, 12, 13 or 14 digits; kept as written", s);
		return s;
	}
	char out[15];
	memset(out, '0', 14);
	memcpy(out + 14 - n, s, n);
	out[14] = '\0';
	return arena_strdup(o->arena, out);
}

/* s upper-cased (ASCII, as strcasecmp compares in the C locale) into
 * up[5] when it has at most 4 bytes: the alias tables hold nothing
 * longer, so a longer value needs no comparison at all. */
static bool upper_short(const char *s, char up[5])
{
	size_t i = 0;
	for (; i < 4 && s[i] != '\0'; i++)
		up[i] = s[i] >= 'a' && s[i] <= 'z' ? (char)(s[i] - 'a' + 'A') : s[i];
	up[i] = '\0';
	return s[i] == '\0';
}

const char *xmlmap_uom(struct order *o, const char *s)
{
	static const struct { const char *from, *to; } alias[] = {
		{ "KG", "KGM" }, { "KGS", "KGM" }, { "LB", "LBR" }, { "LBS", "LBR" },
		{ "PCE", "H87" }, { "PC", "H87" }, { "PCS", "H87" }, { "EACH", "EA" },
		{ "CT", "XCT" }, { "CA", "XCS" }, { "BX", "XBX" }, { "PK", "XPK" },
		{ "BG", "XBG" }, { "BO", "XBO" }, { "PL", "XPX" }, { "DZ", "DZN" },
	};
	char up[5];
	if (s == NULL)
		return NULL;
	if (upper_short(s, up))
		for (size_t i = 0; i < sizeof(alias) / sizeof(alias[0]); i++)
			if (alias[i].from[0] == up[0] && strcmp(up, alias[i].from) == 0)
				return alias[i].to;
	return xmlmap_upper(o, s);
}

const char *xmlmap_upper(struct order *o, const char *s)
{
	if (s == NULL)
		return NULL;
	char *u = arena_strdup(o->arena, s);
	for (char *p = u; p && *p; p++)
		*p = (char)toupper((unsigned char)*p);
	return u;
}

const char *xmlmap_scheme(struct order *o, const char *scheme, const char *fallback)
{
	static const struct { const char *from, *to; } names[] = {
		{ "0088", "GLN" }, { "GLN", "GLN" }, { "ILN", "GLN" }, { "EAN", "GLN" },
		{ "0060", "DUNS" }, { "DUNS", "DUNS" }, { "0199", "LEI" }, { "LEI", "LEI" },
		{ "0160", "GTIN" }, { "GTIN", "GTIN" }, { "VAT", "VAT" },
	};
	char up[5];
	if (scheme == NULL || *scheme == '\0')
		return fallback;
	if (upper_short(scheme, up))
		for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if (names[i].from[0] == up[0] && strcmp(up, names[i].from) == 0)
				return names[i].to;
	size_t n = strlen(scheme);
	if (n > 3 && strcasecmp(scheme + n - 3, "VAT") == 0)
		return "VAT";
	if (n == 4 && digits(scheme, 4) >= 0)
		return arena_printf(o->arena, "PEPPOL_EAS:%s", scheme);
	return xmlmap_upper(o, scheme);
}

static const char *const incoterms[] = {
	"EXW", "FCA", "CPT", "CIP", "DAP", "DPU", "DDP", "FAS", "FOB", "CFR", "CIF",
	/* legacy (2000/2010) */
	"DAT", "DAF", "DES", "DEQ", "DDU", "CAF", "C&F", "CNF",
};

int xmlmap_is_incoterm(const char *s, size_t n)
{
	for (size_t i = 0; i < sizeof(incoterms) / sizeof(incoterms[0]); i++)
		if (strlen(incoterms[i]) == n && strncasecmp(s, incoterms[i], n) == 0)
			return 1;
	return 0;
}

/* Length of a leading Incoterms token in s ("FOB Oslo" -> 3), or 0. */
static size_t lead_term(const char *s)
{
	size_t n = 0;
	while (s[n] && !isspace((unsigned char)s[n]) && s[n] != ',' && s[n] != ';')
		n++;
	return xmlmap_is_incoterm(s, n) ? n : 0;
}

static const char *after(const char *s, size_t n)
{
	s += n;
	while (*s && (isspace((unsigned char)*s) || *s == ',' || *s == ';' || *s == '-'))
		s++;
	return *s ? s : NULL;
}

void xmlmap_incoterms(struct order *o, struct diags *d, const xmlNode *at,
		      const char *code, const char *place)
{
	size_t k;
	if (code != NULL && (k = lead_term(code)) > 0 && code[k] != '\0') {
		if (place == NULL)
			place = after(code, k);
		code = arena_strndup(o->arena, code, k);
	}
	if (place != NULL && (k = lead_term(place)) > 0) {
		if (code == NULL || (strlen(code) == k && strncasecmp(code, place, k) == 0)) {
			if (code == NULL)
				code = arena_strndup(o->arena, place, k);
			place = after(place, k);
		}
	}
	if (code == NULL && place == NULL)
		return;
	const char *c = xmlmap_upper(o, code);
	if (c != NULL) {
		const char *norm = NULL;
		if (strcmp(c, "DAT") == 0)
			norm = "DPU";
		else if (strcmp(c, "CAF") == 0 || strcmp(c, "C&F") == 0 || strcmp(c, "CNF") == 0)
			norm = "CFR";
		if (norm != NULL) {
			warn(d, at, "Incoterms code %s is a legacy code; read as %s", c, norm);
			c = norm;
		}
	}
	o->has_incoterms = true;
	o->incoterms_code = c;
	o->incoterms_place = place ? order_str(o, place) : NULL;
}

int xmlmap_net_days(const char *text)
{
	if (text == NULL)
		return -1;
	for (const char *p = text; *p; p++) {
		if (!isdigit((unsigned char)*p) || (p > text && isdigit((unsigned char)p[-1])))
			continue;
		size_t n = 0;
		while (isdigit((unsigned char)p[n]))
			n++;
		if (n > 3)
			continue;
		int v = digits(p, n);
		/* "... net 30" / "net30" before, or "30 days" after. */
		const char *b = p;
		while (b > text && isspace((unsigned char)b[-1]))
			b--;
		bool net = b - text >= 3 && strncasecmp(b - 3, "net", 3) == 0;
		const char *a = p + n;
		while (*a && isspace((unsigned char)*a))
			a++;
		bool days = strncasecmp(a, "day", 3) == 0;
		if (net || days)
			return v;
	}
	return -1;
}

const char *xmlmap_join(struct order *o, const char *acc, const char *sep, const char *s)
{
	if (s == NULL)
		return acc;
	if (acc == NULL)
		return s;
	return xmlmap_cat(o, acc, sep, s);
}

#define CAT_STACK 512u     /* joined on the stack up to this size */

const char *xmlmap_cat(struct order *o, const char *a, const char *b, const char *c)
{
	size_t na = strlen(a), nb = strlen(b), nc = strlen(c);
	if (na + nb + nc >= CAT_STACK)
		return arena_printf(o->arena, "%s%s%s", a, b, c);
	/* The same allocation as arena_printf makes (n + 1 bytes, unaligned),
	 * without formatting: printf costs thousands of instructions a call. */
	char buf[CAT_STACK];
	memcpy(buf, a, na);
	memcpy(buf + na, b, nb);
	memcpy(buf + na + nb, c, nc);
	return arena_strndup(o->arena, buf, na + nb + nc);
}

void xmlmap_emit(const struct parse_input *in, struct parse_output *out, struct order *o)
{
	if (arena_failed(o->arena)) {
		diag_add(out->diags, DIAG_ERROR, "byte 0",
			 "the order needs more than %zu bytes of memory (max_order_bytes); rejected",
			 in->max_order_bytes ? in->max_order_bytes : (size_t)OG_MAX_ORDER_BYTES_DEFAULT);
		out->n_rejected++;
		return;
	}
	out->n_orders++;
	if (out->emit != NULL)
		out->emit(out->ctx, o, out->diags);
}

const xmlNode *xmlmap_get(const struct xmlmap_ctx *c, const xmlNode *n, const char *path)
{
	return c->paths ? xmlsafe_path(c->paths, n, path) : xmlsafe_get(n, c->ns, path);
}

const char *xmlmap_text(const struct xmlmap_ctx *c, const xmlNode *n)
{
	return xmlsafe_text(c->o->arena, c->d, n);
}

const char *xmlmap_val(const struct xmlmap_ctx *c, const xmlNode *n, const char *path)
{
	return xmlsafe_text(c->o->arena, c->d, xmlmap_get(c, n, path));
}

const char *xmlmap_attr(const struct xmlmap_ctx *c, const xmlNode *n, const char *name)
{
	return xmlsafe_attr(c->o->arena, n, name);
}
