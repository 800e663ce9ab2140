/* text.c — orders typed by people into an e-mail body, read with PCRE2 rule
 * sets that IT writes (etc/rules/default.rules documents the format).
 *
 * The body is normalized (invalid UTF-8 replaced, full-width digits and
 * letters made ASCII, quoted '>' lines and the signature dropped) and cut into lines;
 * every rule is matched against one line at a time, so a pattern sees at
 * most one line and every match runs under the rule set's PCRE2 match and
 * depth limits.  A rule that hits a limit is reported once per document as
 * a warning naming the rule and its file:line, and the other rules go on.
 *
 * Ownership: a struct text_rules owns its compiled patterns and strings;
 * the default rule set is built once from the bytes compiled into the
 * program (text_default_rules.c, generated from etc/rules/default.rules)
 * and lives until the process ends.  An order is built in a per-document
 * arena and handed to emit(); nothing of it outlives the call.
 *
 * Failure: a rule file with errors is refused as a whole (every error
 * reported as file:line); a document the rules find no order in gives a
 * warning and no order; only the arena limit (order too large) or a text
 * past OG_MAX_TEXT_BYTES makes parsing fail. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "text.h"
#include "limits.h"
#include "log.h"
#include "readfile.h"
#include <ctype.h>
#include <errno.h>
#include <pcre2.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Generated at build time from etc/rules/default.rules. */
extern const unsigned char text_default_rules[];
extern const size_t text_default_rules_len;

/* ---- rule sets -------------------------------------------------------- */

enum field {
	F_PO, F_ORDER_DATE, F_DELIVERY, F_SHIP_BY, F_CURRENCY, F_INCOTERMS,
	F_PAYMENT, F_PAYMENT_DAYS, F_BUYER, F_CONTACT_NAME, F_CONTACT_EMAIL,
	F_CONTACT_PHONE, F_SHIP_TO, F_SHIP_TO_CONTACT, F_BILL_TO, F_NOTES,
	F_TRANSPORT, F_POL, F_POD, F_COUNT
};

static const char *const field_keys[F_COUNT] = {
	"po_number", "order_date", "requested_delivery_date", "ship_by_date",
	"currency", "incoterms", "payment_terms", "payment_days", "buyer_name",
	"contact_name", "contact_email", "contact_phone", "ship_to",
	"ship_to_contact", "bill_to", "notes", "transport_mode",
	"port_of_loading", "port_of_discharge",
};

/* The group each header key must have. */
static const char *field_group(int f)
{
	switch (f) {
	case F_INCOTERMS: return "code";
	case F_PAYMENT_DAYS: return "days";
	default: return "value";
	}
}

struct rule {
	pcre2_code *code;
	const char *file;        /* owned by the rule set */
	unsigned line;
	const char *key;         /* static */
	size_t id;               /* index for once-per-document warnings */
};

struct rule_list {
	struct rule *v;
	size_t n, cap;
};

struct text_rules {
	char *file;
	struct rule_list header[F_COUNT];
	struct rule_list lines, city, stop, skip;
	size_t n_rules;
	uint32_t max_pairs;
	uint32_t match_limit, depth_limit;
	bool item_is_buyer;
	pcre2_match_context *mctx;
};

enum section { S_NONE, S_OPTIONS, S_DEFINE, S_BODY, S_HEADER, S_ADDRESS, S_LINE, S_BAD };

static const char *const section_names[] = {
	"", "options", "define", "body", "header", "address", "line", NULL
};

struct define {
	char *name, *value;
};

struct loader {
	struct text_rules *r;
	struct diags *d;
	enum section sec;
	struct define *defs;
	size_t n_defs, cap_defs;
	size_t errors;
};

static void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n);
	if (q == NULL)
		fatal("out of memory");
	return q;
}

static char *xstrndup(const char *s, size_t n)
{
	char *p = strndup(s, n);
	if (p == NULL)
		fatal("out of memory");
	return p;
}

static void lerr(struct loader *l, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void lerr(struct loader *l, unsigned line, const char *fmt, ...)
{
	char where[512];
	va_list ap;
	snprintf(where, sizeof(where), "%s:%u", l->r->file, line);
	va_start(ap, fmt);
	diag_vadd(l->d, DIAG_ERROR, where, fmt, ap);
	va_end(ap);
	l->errors++;
}

/* Replace %{NAME} by its definition.  -1 (reported) on an unknown name or
 * a result past the size limit. */
static int expand(struct loader *l, unsigned line, const char *in, struct buf *out)
{
	buf_reset(out);
	for (const char *p = in; *p != '\0';) {
		if (p[0] == '%' && p[1] == '{') {
			const char *e = strchr(p + 2, '}');
			if (e == NULL) {
				lerr(l, line, "\"%%{\" without \"}\" in \"%s\"", in);
				return -1;
			}
			size_t n = (size_t)(e - p - 2);
			const struct define *def = NULL;
			for (size_t i = 0; i < l->n_defs; i++)
				if (strlen(l->defs[i].name) == n && memcmp(l->defs[i].name, p + 2, n) == 0)
					def = &l->defs[i];
			if (def == NULL) {
				char name[128];
				snprintf(name, sizeof(name), "%.*s", (int)(n > 100 ? 100 : n), p + 2);
				lerr(l, line, "unknown name %%{%s} (define it in [define] before use)", name);
				return -1;
			}
			if (buf_adds(out, def->value) < 0)
				goto toolong;
			p = e + 1;
			continue;
		}
		if (buf_addc(out, *p++) < 0)
			goto toolong;
	}
	return 0;
toolong:
	lerr(l, line, "the pattern is longer than 65536 bytes after expanding %%{...}");
	return -1;
}

static int rule_add(struct loader *l, struct rule_list *list, const char *key,
		    unsigned line, const char *pattern, const char *need_group)
{
	int err;
	PCRE2_SIZE off;
	pcre2_code *code = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED,
					 PCRE2_UTF | PCRE2_UCP | PCRE2_CASELESS | PCRE2_DUPNAMES,
					 &err, &off, NULL);
	if (code == NULL) {
		PCRE2_UCHAR msg[256];
		pcre2_get_error_message(err, msg, sizeof(msg));
		char what[512], near[64];
		size_t plen = strlen(pattern);
		if (off > plen)
			off = plen;
		snprintf(near, sizeof(near), "%.20s", pattern + off);
		snprintf(what, sizeof(what), "%s: bad pattern at offset %zu (near \"%s\"): %s",
			 key, (size_t)off, near, (const char *)msg);
		lerr(l, line, "%s", what);
		return -1;
	}
	if (need_group != NULL) {
		PCRE2_SPTR first, last;
		if (pcre2_substring_nametable_scan(code, (PCRE2_SPTR)need_group, &first, &last) < 0) {
			lerr(l, line, "%s: the pattern has no group named \"%s\"", key, need_group);
			pcre2_code_free(code);
			return -1;
		}
	}
	uint32_t groups = 0;
	pcre2_pattern_info(code, PCRE2_INFO_CAPTURECOUNT, &groups);
	if (groups + 1 > l->r->max_pairs)
		l->r->max_pairs = groups + 1;
	if (list->n == list->cap) {
		list->cap = list->cap ? list->cap * 2 : 4;
		list->v = xrealloc(list->v, list->cap * sizeof(*list->v));
	}
	list->v[list->n++] = (struct rule){ code, l->r->file, line, key, l->r->n_rules++ };
	return 0;
}

static int parse_limit(struct loader *l, unsigned line, const char *key, const char *value, uint32_t *out)
{
	char *end;
	errno = 0;
	unsigned long v = strtoul(value, &end, 10);
	if (errno != 0 || end == value || *end != '\0' || v < 1 || v > 100000000ul) {
		lerr(l, line, "%s: expected a whole number from 1 to 100000000, found \"%s\"", key, value);
		return -1;
	}
	*out = (uint32_t)v;
	return 0;
}

static int load_entry(void *ctx, unsigned line, const char *section, const char *key, const char *value)
{
	struct loader *l = ctx;
	if (key == NULL) {
		l->sec = S_BAD;
		for (int i = 1; section_names[i] != NULL; i++)
			if (strcmp(section, section_names[i]) == 0)
				l->sec = (enum section)i;
		if (l->sec == S_BAD)
			lerr(l, line, "unknown section [%s] (expected options, define, body, header, address or line)",
			     section);
		return 0;
	}
	if (l->sec == S_BAD)
		return 0;   /* already reported at the section line */
	if (l->sec == S_DEFINE) {
		for (const char *p = key; *p; p++)
			if (!isalnum((unsigned char)*p) && *p != '_') {
				lerr(l, line, "a name in [define] is letters, digits and '_', found \"%s\"", key);
				return 0;
			}
		struct buf b;
		buf_init(&b, 65536);
		if (expand(l, line, value, &b) == 0) {
			if (l->n_defs == l->cap_defs) {
				l->cap_defs = l->cap_defs ? l->cap_defs * 2 : 16;
				l->defs = xrealloc(l->defs, l->cap_defs * sizeof(*l->defs));
			}
			l->defs[l->n_defs].name = xstrndup(key, strlen(key));
			l->defs[l->n_defs].value = xstrndup(b.data ? b.data : "", b.len);
			l->n_defs++;
		}
		buf_free(&b);
		return 0;
	}
	if (l->sec == S_OPTIONS) {
		if (strcmp(key, "match_limit") == 0)
			parse_limit(l, line, key, value, &l->r->match_limit);
		else if (strcmp(key, "depth_limit") == 0)
			parse_limit(l, line, key, value, &l->r->depth_limit);
		else if (strcmp(key, "item") == 0) {
			if (strcmp(value, "seller") == 0 || strcmp(value, "buyer") == 0)
				l->r->item_is_buyer = strcmp(value, "buyer") == 0;
			else
				lerr(l, line, "item: expected \"seller\" or \"buyer\", found \"%s\"", value);
		} else {
			lerr(l, line, "unknown option \"%s\" (expected match_limit, depth_limit or item)", key);
		}
		return 0;
	}
	if (l->sec == S_NONE) {
		lerr(l, line, "\"%s\" before any [section]", key);
		return 0;
	}
	struct rule_list *list = NULL;
	const char *skey = NULL, *group = NULL;
	if (l->sec == S_BODY) {
		if (strcmp(key, "stop") == 0)
			list = &l->r->stop, skey = "stop";
		else if (strcmp(key, "skip") == 0)
			list = &l->r->skip, skey = "skip";
	} else if (l->sec == S_ADDRESS) {
		if (strcmp(key, "city") == 0)
			list = &l->r->city, skey = "city";
	} else if (l->sec == S_LINE) {
		if (strcmp(key, "line") == 0)
			list = &l->r->lines, skey = "line";
	} else {
		for (int f = 0; f < F_COUNT; f++)
			if (strcmp(key, field_keys[f]) == 0) {
				list = &l->r->header[f];
				skey = field_keys[f];
				group = field_group(f);
			}
	}
	if (list == NULL) {
		lerr(l, line, "unknown key \"%s\" in [%s]", key, section);
		return 0;
	}
	struct buf b;
	buf_init(&b, 65536);
	if (expand(l, line, value, &b) == 0)
		rule_add(l, list, skey, line, b.data ? b.data : "", group);
	buf_free(&b);
	return 0;
}

int text_ini_read(const char *name, const char *data, size_t len,
		  int (*cb)(void *ctx, unsigned line, const char *section, const char *key, const char *value),
		  void *ctx, struct diags *d)
{
	char section[128] = "";
	char *copy = NULL;
	size_t errors = 0;
	unsigned lineno = 0;
	const char *p = data, *end = data + len;
	if (len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
		p += 3;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *e = nl ? nl : end;
		lineno++;
		char where[512];
		snprintf(where, sizeof(where), "%s:%u", name, lineno);
		size_t n = (size_t)(e - p);
		const char *s = p;
		p = nl ? nl + 1 : end;
		while (n > 0 && isspace((unsigned char)*s))
			s++, n--;
		while (n > 0 && isspace((unsigned char)s[n - 1]))
			n--;
		if (n == 0 || *s == '#' || *s == ';')
			continue;
		if (n > OG_MAX_CONFIG_LINE) {
			diag_add(d, DIAG_ERROR, where, "the line is longer than %u bytes", OG_MAX_CONFIG_LINE);
			errors++;
			continue;
		}
		if (memchr(s, '\0', n) != NULL) {
			diag_add(d, DIAG_ERROR, where, "the line holds a NUL byte");
			errors++;
			continue;
		}
		copy = xrealloc(copy, n + 1);
		memcpy(copy, s, n);
		copy[n] = '\0';
		if (copy[0] == '[') {
			char *close = strchr(copy, ']');
			if (close == NULL || close[1] != '\0' || close - copy - 1 >= (long)sizeof(section) ||
			    close == copy + 1) {
				diag_add(d, DIAG_ERROR, where, "expected \"[section]\", found \"%.80s\"", copy);
				errors++;
				continue;
			}
			*close = '\0';
			char *nm = copy + 1;
			while (isspace((unsigned char)*nm))
				nm++;
			size_t k = strlen(nm);
			while (k > 0 && isspace((unsigned char)nm[k - 1]))
				nm[--k] = '\0';
			snprintf(section, sizeof(section), "%s", nm);
			size_t before = d->n_errors;
			cb(ctx, lineno, section, NULL, NULL);
			errors += d->n_errors - before;
			continue;
		}
		char *eq = strchr(copy, '=');
		if (eq == NULL || eq == copy) {
			diag_add(d, DIAG_ERROR, where, "expected \"key = value\" or \"[section]\", found \"%.80s\"", copy);
			errors++;
			continue;
		}
		char *k = copy, *v = eq + 1;
		*eq = '\0';
		size_t kn = strlen(k);
		while (kn > 0 && isspace((unsigned char)k[kn - 1]))
			k[--kn] = '\0';
		while (isspace((unsigned char)*v))
			v++;
		if (*v == '\0') {
			diag_add(d, DIAG_ERROR, where, "%s: the value is empty", k);
			errors++;
			continue;
		}
		size_t before = d->n_errors;
		cb(ctx, lineno, section, k, v);
		errors += d->n_errors - before;
	}
	free(copy);
	return errors ? -1 : 0;
}

void text_rules_free(struct text_rules **rp)
{
	struct text_rules *r = rp ? *rp : NULL;
	if (r == NULL)
		return;
	struct rule_list *lists[F_COUNT + 4];
	size_t n = 0;
	for (int f = 0; f < F_COUNT; f++)
		lists[n++] = &r->header[f];
	lists[n++] = &r->lines;
	lists[n++] = &r->city;
	lists[n++] = &r->stop;
	lists[n++] = &r->skip;
	for (size_t i = 0; i < n; i++) {
		for (size_t j = 0; j < lists[i]->n; j++)
			pcre2_code_free(lists[i]->v[j].code);
		free(lists[i]->v);
	}
	pcre2_match_context_free(r->mctx);
	free(r->file);
	free(r);
	*rp = NULL;
}

int text_rules_load_mem(const char *name, const char *data, size_t len,
			struct text_rules **out, struct diags *d)
{
	struct text_rules *r = calloc(1, sizeof(*r));
	if (r == NULL)
		fatal("out of memory");
	r->file = xstrndup(name, strlen(name));
	r->match_limit = OG_PCRE2_MATCH_LIMIT_DEFAULT;
	r->depth_limit = OG_PCRE2_DEPTH_LIMIT_DEFAULT;
	r->max_pairs = 1;
	struct loader l = { .r = r, .d = d };
	/* Places in a rule file are "file:line", not under the document. */
	const char *prefix = d->prefix;
	d->prefix = NULL;
	size_t before = d->n_errors;
	text_ini_read(name, data, len, load_entry, &l, d);
	d->prefix = prefix;
	for (size_t i = 0; i < l.n_defs; i++) {
		free(l.defs[i].name);
		free(l.defs[i].value);
	}
	free(l.defs);
	if (d->n_errors != before) {
		text_rules_free(&r);
		*out = NULL;
		return -1;
	}
	r->mctx = pcre2_match_context_create(NULL);
	if (r->mctx == NULL)
		fatal("out of memory");
	pcre2_set_match_limit(r->mctx, r->match_limit);
	pcre2_set_depth_limit(r->mctx, r->depth_limit);
	*out = r;
	return 0;
}

int text_file_read(const char *path, const char *what, unsigned char **data_r, size_t *len_r,
		   struct diags *d)
{
	if (read_file(path, OG_MAX_RULE_FILE_BYTES, data_r, len_r) == 0)
		return 0;
	const char *prefix = d->prefix;
	d->prefix = NULL;
	diag_add(d, DIAG_ERROR, path, "cannot read the %s: %s", what, strerror(errno));
	d->prefix = prefix;
	return -1;
}

int text_rules_load(const char *path, struct text_rules **out, struct diags *d)
{
	unsigned char *data;
	size_t len;
	*out = NULL;
	if (text_file_read(path, "rule set", &data, &len, d) < 0)
		return -1;
	int r = text_rules_load_mem(path, (const char *)data, len, out, d);
	free(data);
	return r;
}

const struct text_rules *text_rules_default(void)
{
	static struct text_rules *def;
	static bool tried;
	if (!tried) {
		tried = true;
		struct diags d;
		diags_init(&d);
		if (text_rules_load_mem("default.rules", (const char *)text_default_rules,
					text_default_rules_len, &def, &d) < 0) {
			struct buf s;
			buf_init(&s, 4096);
			log_warnx("built-in rule set: %s", diags_first_error(&d, &s));
			buf_free(&s);
		}
		diags_free(&d);
	}
	return def;
}

/* ---- normalizers ------------------------------------------------------ */

static bool ieq(const char *a, size_t n, const char *b)
{
	return strlen(b) == n && strncasecmp(a, b, n) == 0;
}

static void trim(const char **s, size_t *n)
{
	while (*n > 0 && isspace((unsigned char)**s))
		(*s)++, (*n)--;
	while (*n > 0 && isspace((unsigned char)(*s)[*n - 1]))
		(*n)--;
}

struct name_code {
	const char *name, *code;
};

static const char *lookup(const struct name_code *t, const char *s, size_t n)
{
	trim(&s, &n);
	while (n > 0 && (s[n - 1] == '.' || s[n - 1] == ','))
		n--;
	for (; t->name != NULL; t++)
		if (ieq(s, n, t->name))
			return t->code;
	return NULL;
}

static const struct name_code uoms[] = {
	{ "pcs", "H87" }, { "pc", "H87" }, { "pce", "H87" }, { "piece", "H87" }, { "pieces", "H87" },
	{ "件", "H87" }, { "个", "H87" }, { "個", "H87" }, { "只", "H87" }, { "隻", "H87" },
	{ "ea", "EA" }, { "each", "EA" },
	{ "set", "SET" }, { "sets", "SET" }, { "套", "SET" },
	{ "kg", "KGM" }, { "kgs", "KGM" }, { "公斤", "KGM" }, { "千克", "KGM" },
	{ "m", "MTR" }, { "meter", "MTR" }, { "meters", "MTR" }, { "metre", "MTR" }, { "metres", "MTR" },
	{ "米", "MTR" },
	{ "carton", "CT" }, { "cartons", "CT" }, { "ctn", "CT" }, { "ctns", "CT" }, { "箱", "CT" },
	{ "pair", "PR" }, { "pairs", "PR" }, { "pr", "PR" }, { "prs", "PR" }, { "双", "PR" }, { "雙", "PR" },
	{ "dozen", "DZN" }, { "dozens", "DZN" }, { "dz", "DZN" }, { "doz", "DZN" }, { "打", "DZN" },
	{ "roll", "RO" }, { "rolls", "RO" }, { "卷", "RO" },
	{ "box", "BX" }, { "boxes", "BX" }, { "盒", "BX" },
	{ "ton", "TNE" }, { "tons", "TNE" }, { "tonne", "TNE" }, { "tonnes", "TNE" }, { "mt", "TNE" },
	{ "吨", "TNE" }, { "噸", "TNE" },
	{ "l", "LTR" }, { "ltr", "LTR" }, { "ltrs", "LTR" }, { "liter", "LTR" }, { "liters", "LTR" },
	{ "litre", "LTR" }, { "litres", "LTR" }, { "升", "LTR" },
	{ "g", "GRM" }, { "lb", "LBR" }, { "lbs", "LBR" },
	{ NULL, NULL }
};

const char *text_uom_code(const char *s, size_t n)
{
	return lookup(uoms, s, n);
}

static const struct name_code currencies[] = {
	{ "USD", "USD" }, { "US$", "USD" }, { "$", "USD" }, { "US dollar", "USD" }, { "US dollars", "USD" },
	{ "美元", "USD" }, { "美金", "USD" },
	{ "EUR", "EUR" }, { "€", "EUR" }, { "euro", "EUR" }, { "euros", "EUR" }, { "欧元", "EUR" },
	{ "歐元", "EUR" },
	{ "RMB", "CNY" }, { "CNY", "CNY" }, { "人民币", "CNY" }, { "人民幣", "CNY" }, { "¥", "CNY" },
	{ "￥", "CNY" }, { "元", "CNY" },
	{ "GBP", "GBP" }, { "£", "GBP" }, { "英镑", "GBP" }, { "英鎊", "GBP" },
	{ "JPY", "JPY" }, { "日元", "JPY" }, { "日圓", "JPY" },
	{ "HKD", "HKD" }, { "HK$", "HKD" }, { "港币", "HKD" }, { "港幣", "HKD" },
	{ "TWD", "TWD" }, { "NT$", "TWD" }, { "NTD", "TWD" }, { "新台币", "TWD" }, { "新台幣", "TWD" },
	{ NULL, NULL }
};

const char *text_currency(const char *s, size_t n)
{
	return lookup(currencies, s, n);
}

static const struct name_code countries[] = {
	{ "China", "CN" }, { "P.R. China", "CN" }, { "PR China", "CN" }, { "PRC", "CN" }, { "CN", "CN" },
	{ "中国", "CN" }, { "中國", "CN" },
	{ "Taiwan", "TW" }, { "TW", "TW" }, { "台湾", "TW" }, { "台灣", "TW" }, { "臺灣", "TW" },
	{ "Hong Kong", "HK" }, { "HK", "HK" }, { "香港", "HK" },
	{ "USA", "US" }, { "U.S.A", "US" }, { "US", "US" }, { "United States", "US" },
	{ "United States of America", "US" }, { "美国", "US" }, { "美國", "US" },
	{ "Germany", "DE" }, { "Deutschland", "DE" }, { "DE", "DE" }, { "德国", "DE" }, { "德國", "DE" },
	{ "United Kingdom", "GB" }, { "UK", "GB" }, { "GB", "GB" }, { "Great Britain", "GB" },
	{ "England", "GB" }, { "英国", "GB" }, { "英國", "GB" },
	{ "France", "FR" }, { "FR", "FR" }, { "法国", "FR" }, { "法國", "FR" },
	{ "Netherlands", "NL" }, { "The Netherlands", "NL" }, { "Holland", "NL" }, { "NL", "NL" },
	{ "荷兰", "NL" }, { "荷蘭", "NL" },
	{ "Italy", "IT" }, { "IT", "IT" }, { "意大利", "IT" }, { "義大利", "IT" },
	{ "Spain", "ES" }, { "ES", "ES" }, { "西班牙", "ES" },
	{ "Belgium", "BE" }, { "Poland", "PL" }, { "Sweden", "SE" }, { "Denmark", "DK" },
	{ "Japan", "JP" }, { "JP", "JP" }, { "日本", "JP" },
	{ "Korea", "KR" }, { "South Korea", "KR" }, { "KR", "KR" }, { "韩国", "KR" }, { "韓國", "KR" },
	{ "Singapore", "SG" }, { "SG", "SG" }, { "新加坡", "SG" },
	{ "Australia", "AU" }, { "AU", "AU" }, { "澳大利亚", "AU" }, { "澳洲", "AU" },
	{ "Canada", "CA" }, { "加拿大", "CA" },
	{ "Vietnam", "VN" }, { "Viet Nam", "VN" }, { "越南", "VN" },
	{ "Malaysia", "MY" }, { "马来西亚", "MY" }, { "馬來西亞", "MY" },
	{ "Thailand", "TH" }, { "泰国", "TH" }, { "泰國", "TH" },
	{ "India", "IN" }, { "印度", "IN" }, { "Brazil", "BR" }, { "Mexico", "MX" },
	{ "United Arab Emirates", "AE" }, { "UAE", "AE" }, { "Turkey", "TR" }, { "Russia", "RU" },
	{ NULL, NULL }
};

const char *text_country(const char *s, size_t n)
{
	return lookup(countries, s, n);
}

/* Rec 19 transport mode from words such as "sea freight", "by air", "海运". */
static const char *transport_code(const char *s, size_t n)
{
	static const struct { const char *word, *code; } words[] = {
		{ "sea", "1" }, { "ocean", "1" }, { "vessel", "1" }, { "海运", "1" }, { "海運", "1" },
		{ "rail", "2" }, { "train", "2" }, { "铁路", "2" }, { "鐵路", "2" },
		{ "road", "3" }, { "truck", "3" }, { "lorry", "3" }, { "陆运", "3" }, { "陸運", "3" },
		{ "汽运", "3" }, { "公路", "3" },
		{ "air", "4" }, { "空运", "4" }, { "空運", "4" },
		{ "post", "5" }, { "mail", "5" }, { "邮寄", "5" }, { "郵寄", "5" },
		{ "multimodal", "6" }, { "多式联运", "6" }, { "多式聯運", "6" },
		{ "inland water", "8" }, { "barge", "8" },
	};
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		size_t w = strlen(words[i].word);
		for (size_t j = 0; j + w <= n; j++) {
			if (strncasecmp(s + j, words[i].word, w) != 0)
				continue;
			/* ASCII words must stand alone ("airport" is not air). */
			bool ascii = (unsigned char)words[i].word[0] < 0x80;
			if (ascii && ((j > 0 && isalpha((unsigned char)s[j - 1])) ||
				      (j + w < n && isalpha((unsigned char)s[j + w]))))
				continue;
			return words[i].code;
		}
	}
	return NULL;
}

static int days_in_month(int y, int m)
{
	static const int dm[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return dm[m - 1];
}

static int month_number(const char *s, size_t n)
{
	static const char *const names[] = { "jan", "feb", "mar", "apr", "may", "jun",
					     "jul", "aug", "sep", "oct", "nov", "dec" };
	static const char *const full[] = { "january", "february", "march", "april", "may", "june",
					    "july", "august", "september", "october", "november", "december" };
	for (int i = 0; i < 12; i++)
		if (ieq(s, n, names[i]) || ieq(s, n, full[i]))
			return i + 1;
	if (ieq(s, n, "sept"))
		return 9;
	return 0;
}

/* Date tokens: numbers (value, digit count), month words, CJK markers. */
struct dtok {
	char kind;       /* 'n' number, 'm' month word, 'y' 年, 'o' 月, 'd' 日/号 */
	int value;
	int digits;
};

static int date_tokens(const char *s, size_t n, struct dtok *t, int max)
{
	int k = 0;
	size_t i = 0;
	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		if (k == max)
			return -1;
		if (isdigit(c)) {
			int v = 0, dg = 0;
			while (i < n && isdigit((unsigned char)s[i])) {
				if (dg < 9)
					v = v * 10 + (s[i] - '0');
				dg++;
				i++;
			}
			/* ordinal suffix: 20th, 1st */
			if (i + 2 <= n && (strncasecmp(s + i, "st", 2) == 0 || strncasecmp(s + i, "nd", 2) == 0 ||
					   strncasecmp(s + i, "rd", 2) == 0 || strncasecmp(s + i, "th", 2) == 0) &&
			    (i + 2 == n || !isalpha((unsigned char)s[i + 2])))
				i += 2;
			t[k++] = (struct dtok){ 'n', v, dg };
		} else if (isalpha(c)) {
			size_t j = i;
			while (j < n && isalpha((unsigned char)s[j]))
				j++;
			int m = month_number(s + i, j - i);
			if (m == 0)
				return -1;
			t[k++] = (struct dtok){ 'm', m, 0 };
			i = j;
		} else if (n - i >= 3 && memcmp(s + i, "年", 3) == 0) {
			t[k++] = (struct dtok){ 'y', 0, 0 };
			i += 3;
		} else if (n - i >= 3 && memcmp(s + i, "月", 3) == 0) {
			t[k++] = (struct dtok){ 'o', 0, 0 };
			i += 3;
		} else if (n - i >= 3 && (memcmp(s + i, "日", 3) == 0 || memcmp(s + i, "号", 3) == 0 ||
					  memcmp(s + i, "號", 3) == 0)) {
			t[k++] = (struct dtok){ 'd', 0, 0 };
			i += 3;
		} else if (c == ' ' || c == '\t' || c == '-' || c == '/' || c == '.' || c == ',') {
			i++;
		} else {
			return -1;
		}
	}
	return k;
}

int text_date(const char *s, size_t n, char *out, size_t outsz)
{
	struct dtok t[8];
	trim(&s, &n);
	int k = date_tokens(s, n, t, 8);
	int y = 0, m = 0, d = 0;
	char sep = 0;
	/* the separator between the first two numbers tells 20.01.2027 from 01/20/2027 */
	for (size_t i = 0; i < n; i++)
		if (s[i] == '.' || s[i] == '/' || s[i] == '-') {
			sep = s[i];
			break;
		}
	if (k == 1 && t[0].kind == 'n' && t[0].digits == 8) {
		y = t[0].value / 10000, m = t[0].value / 100 % 100, d = t[0].value % 100;
	} else if (k == 3 && t[0].kind == 'n' && t[1].kind == 'n' && t[2].kind == 'n') {
		if (t[0].digits == 4 && t[1].digits <= 2 && t[2].digits <= 2) {
			y = t[0].value, m = t[1].value, d = t[2].value;
		} else if (t[2].digits == 4 && t[0].digits <= 2 && t[1].digits <= 2) {
			y = t[2].value;
			int a = t[0].value, b = t[1].value;
			if (sep == '.' || sep == '-' || a > 12)
				d = a, m = b;           /* 20.01.2027, 20/01/2027 */
			else if (b > 12)
				m = a, d = b;           /* 01/20/2027 */
			else if (a == b)
				m = a, d = b;
			else
				return -1;              /* 03/04/2027: day or month first? */
		} else {
			return -1;
		}
	} else if (k == 3 && t[0].kind == 'n' && t[1].kind == 'm' && t[2].kind == 'n' && t[0].digits <= 2) {
		d = t[0].value, m = t[1].value, y = t[2].value;   /* 20 Jan 2027 */
		if (t[2].digits == 2)
			y += 2000;
		else if (t[2].digits != 4)
			return -1;
	} else if (k == 3 && t[0].kind == 'm' && t[1].kind == 'n' && t[2].kind == 'n' &&
		   t[1].digits <= 2 && t[2].digits == 4) {
		m = t[0].value, d = t[1].value, y = t[2].value;   /* January 20, 2027 */
	} else if ((k == 5 || k == 6) && t[0].kind == 'n' && t[0].digits == 4 && t[1].kind == 'y' &&
		   t[2].kind == 'n' && t[3].kind == 'o' && t[4].kind == 'n' && (k == 5 || t[5].kind == 'd')) {
		y = t[0].value, m = t[2].value, d = t[4].value;   /* 2027年1月20日 */
	} else {
		return -1;
	}
	if (y < 1900 || y > 2199 || m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
		return -1;
	if (snprintf(out, outsz, "%04d-%02d-%02d", y, m, d) >= (int)outsz)
		return -1;
	return 0;
}

/* Are the digit groups after the first separated by c all 3 long? */
static bool groups_of_three(const char *s, size_t n, char c)
{
	size_t first = 0;
	while (first < n && s[first] != c)
		first++;
	if (first == 0 || first > 3)
		return false;
	for (size_t i = first; i < n;) {
		if (s[i] != c)
			return false;
		size_t j = i + 1, dg = 0;
		while (j < n && isdigit((unsigned char)s[j]))
			j++, dg++;
		if (dg != 3)
			return false;
		i = j;
	}
	return true;
}

int text_number(const char *s, size_t n, bool decimal_comma, char *out, size_t outsz)
{
	trim(&s, &n);
	bool neg = false;
	if (n > 0 && (*s == '-' || *s == '+')) {
		neg = *s == '-';
		s++, n--;
	}
	if (n == 0 || n >= 64 || !isdigit((unsigned char)s[0]))
		return -1;
	char buf[64];
	size_t commas = 0, dots = 0, last_comma = 0, last_dot = 0, k = 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == ',')
			commas++, last_comma = i;
		else if (c == '.')
			dots++, last_dot = i;
		else if (c == ' ' || c == '\'')
			;
		else if (!isdigit((unsigned char)c))
			return -1;
		if (c != ' ' && c != '\'')
			buf[k++] = c;
	}
	buf[k] = '\0';
	if (!isdigit((unsigned char)buf[k - 1]))
		return -1;
	/* which mark is the decimal one? */
	char dec = 0;
	if (commas && dots)
		dec = last_comma > last_dot ? ',' : '.';
	else if (commas == 1 && (decimal_comma || !groups_of_three(buf, k, ',')))
		dec = ',';
	else if (dots == 1 && !(decimal_comma && groups_of_three(buf, k, '.')))
		dec = '.';
	char grp = dec == ',' ? '.' : ',';
	if (dec == 0)
		grp = commas ? ',' : '.';
	/* the group mark must come before the decimal one, in groups of three */
	const char *dp = dec ? strrchr(buf, dec) : NULL;
	size_t int_len = dp ? (size_t)(dp - buf) : k;
	if (memchr(buf, grp, int_len) != NULL && !groups_of_three(buf, int_len, grp))
		return -1;
	if (dp != NULL && (strchr(dp + 1, ',') || strchr(dp + 1, '.')))
		return -1;
	size_t o = 0;
	if (neg) {
		if (outsz < 2)
			return -1;
		out[o++] = '-';
	}
	for (size_t i = 0; i < k; i++) {
		if (buf[i] == grp && (dp == NULL || buf + i < dp))
			continue;
		if (o + 1 >= outsz)
			return -1;
		out[o++] = buf[i] == dec ? '.' : buf[i];
	}
	out[o] = '\0';
	return 0;
}

bool text_utf8_valid(const unsigned char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		unsigned char c = s[i];
		size_t len;
		uint32_t cp;
		if (c < 0x80) {
			i++;
			continue;
		} else if ((c & 0xE0) == 0xC0) {
			len = 2, cp = c & 0x1F;
		} else if ((c & 0xF0) == 0xE0) {
			len = 3, cp = c & 0x0F;
		} else if ((c & 0xF8) == 0xF0) {
			len = 4, cp = c & 0x07;
		} else {
			return false;
		}
		if (n - i < len)
			return false;
		for (size_t j = 1; j < len; j++) {
			if ((s[i + j] & 0xC0) != 0x80)
				return false;
			cp = (cp << 6) | (s[i + j] & 0x3F);
		}
		if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
		    cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			return false;
		i += len;
	}
	return true;
}

/* ---- the document: normalized text cut into lines --------------------- */

struct tline {
	const char *s;
	size_t n;
	unsigned no;         /* line number in the original text */
};

struct doc {
	char *text;
	struct tline *lines;
	size_t n_lines;
};

static void doc_free(struct doc *d)
{
	free(d->text);
	free(d->lines);
	memset(d, 0, sizeof(*d));
}

/* Copy with invalid UTF-8 replaced by U+FFFD, full-width digits made
 * and letters (and －．／) made ASCII, U+3000 made two spaces, NBSP made a
 * space, CR dropped. */
static size_t normalize(const unsigned char *s, size_t n, char *out, bool *replaced)
{
	size_t o = 0;
	for (size_t i = 0; i < n;) {
		unsigned char c = s[i];
		if (c == '\r' || c == '\0') {
			i++;
			continue;
		}
		if (c < 0x80) {
			out[o++] = (char)c;
			i++;
			continue;
		}
		size_t len = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
		if (len == 0 || len > n - i || !text_utf8_valid(s + i, len)) {
			memcpy(out + o, "\xEF\xBF\xBD", 3);
			o += 3;
			*replaced = true;
			i++;
			continue;
		}
		uint32_t cp = len == 3 ? ((uint32_t)(c & 0x0F) << 12) | ((uint32_t)(s[i + 1] & 0x3F) << 6) |
					 (s[i + 2] & 0x3F) : 0;
		if ((cp >= 0xFF10 && cp <= 0xFF19) || (cp >= 0xFF21 && cp <= 0xFF3A) ||
		    (cp >= 0xFF41 && cp <= 0xFF5A) || (cp >= 0xFF0D && cp <= 0xFF0F))
			out[o++] = (char)(cp - 0xFF00 + 0x20);   /* full-width ASCII */
		else if (len == 3 && c == 0xE3 && s[i + 1] == 0x80 && s[i + 2] == 0x80)
			out[o++] = ' ', out[o++] = ' ';
		else if (len == 2 && c == 0xC2 && s[i + 1] == 0xA0)
			out[o++] = ' ';
		else if (len == 3 && c == 0xEF && s[i + 1] == 0xBB && s[i + 2] == 0xBF && i == 0)
			;   /* BOM */
		else {
			memcpy(out + o, s + i, len);
			o += len;
		}
		i += len;
	}
	out[o] = '\0';
	return o;
}

struct matcher {
	const struct text_rules *r;
	pcre2_match_data *md;
	struct diags *d;
	bool *warned;            /* per rule id: limit already reported */
	const char *subject;
};

static int rule_match(struct matcher *m, const struct rule *ru, const char *s, size_t n, unsigned lineno)
{
	int rc = pcre2_match(ru->code, (PCRE2_SPTR)s, n, 0, 0, m->md, m->r->mctx);
	m->subject = s;
	if (rc > 0)
		return 1;
	if (rc == PCRE2_ERROR_NOMATCH || rc == PCRE2_ERROR_PARTIAL)
		return 0;
	if (!m->warned[ru->id]) {
		m->warned[ru->id] = true;
		PCRE2_UCHAR msg[256];
		pcre2_get_error_message(rc, msg, sizeof(msg));
		char where[64];
		snprintf(where, sizeof(where), "line %u", lineno);
		diag_add(m->d, DIAG_WARNING, where,
			 "rule %s (%s:%u) was stopped: %s; it is skipped where that happens and the other rules go on",
			 ru->key, ru->file, ru->line, (const char *)msg);
	}
	return 0;
}

/* The text of the first set group called name in the last match. */
static bool group(struct matcher *m, const struct rule *ru, const char *name, const char **s, size_t *n)
{
	PCRE2_SPTR first, last;
	uint32_t esize;
	if (pcre2_substring_nametable_scan(ru->code, (PCRE2_SPTR)name, &first, &last) < 0)
		return false;
	pcre2_pattern_info(ru->code, PCRE2_INFO_NAMEENTRYSIZE, &esize);
	PCRE2_SIZE *ov = pcre2_get_ovector_pointer(m->md);
	uint32_t pairs = pcre2_get_ovector_count(m->md);
	for (PCRE2_SPTR e = first; e <= last; e += esize) {
		uint32_t g = ((uint32_t)e[0] << 8) | e[1];
		if (g >= pairs || ov[2 * g] == PCRE2_UNSET || ov[2 * g + 1] <= ov[2 * g])
			continue;
		*s = m->subject + ov[2 * g];
		*n = ov[2 * g + 1] - ov[2 * g];
		trim(s, n);
		if (*n > 0)
			return true;
	}
	return false;
}

static bool line_is_blank(const struct tline *l)
{
	for (size_t i = 0; i < l->n; i++)
		if (!isspace((unsigned char)l->s[i]))
			return false;
	return true;
}

static int matcher_init(struct matcher *m, const struct text_rules *r, struct diags *d)
{
	memset(m, 0, sizeof(*m));
	m->r = r;
	m->d = d;
	m->md = pcre2_match_data_create(r->max_pairs, NULL);
	m->warned = calloc(r->n_rules ? r->n_rules : 1, sizeof(bool));
	if (m->md == NULL || m->warned == NULL)
		fatal("out of memory");
	return 0;
}

static void matcher_free(struct matcher *m)
{
	pcre2_match_data_free(m->md);
	free(m->warned);
}

static bool any_match(struct matcher *m, const struct rule_list *list, const struct tline *l)
{
	for (size_t i = 0; i < list->n; i++)
		if (rule_match(m, &list->v[i], l->s, l->n, l->no))
			return true;
	return false;
}

/* Normalize, cut into lines, drop quoted lines, skip lines and everything
 * from a signature or stop line on. */
static int doc_prepare(struct doc *doc, struct matcher *m, const unsigned char *data, size_t len)
{
	memset(doc, 0, sizeof(*doc));
	if (len > OG_MAX_TEXT_BYTES) {
		diag_add(m->d, DIAG_ERROR, "byte 0", "the text is %zu bytes, more than the limit of %u",
			 len, OG_MAX_TEXT_BYTES);
		return -1;
	}
	doc->text = malloc(len * 3 + 1);
	if (doc->text == NULL)
		fatal("out of memory");
	bool replaced = false;
	size_t n = normalize(data, len, doc->text, &replaced);
	if (replaced)
		diag_add(m->d, DIAG_WARNING, NULL, "the text is not valid UTF-8; bad bytes were replaced");
	size_t cap = 0;
	unsigned no = 0;
	for (char *p = doc->text, *end = doc->text + n; p < end;) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		char *e = nl ? nl : end;
		struct tline l = { p, (size_t)(e - p), ++no };
		p = nl ? nl + 1 : end;
		size_t i = 0;
		while (i < l.n && (l.s[i] == ' ' || l.s[i] == '\t'))
			i++;
		if (i < l.n && l.s[i] == '>')
			continue;                       /* quoted reply */
		if ((l.n == 3 && memcmp(l.s, "-- ", 3) == 0) || (l.n == 2 && memcmp(l.s, "--", 2) == 0))
			break;                          /* signature */
		if (any_match(m, &m->r->stop, &l))
			break;
		if (any_match(m, &m->r->skip, &l))
			continue;
		if (doc->n_lines == cap) {
			cap = cap ? cap * 2 : 64;
			doc->lines = xrealloc(doc->lines, cap * sizeof(*doc->lines));
		}
		doc->lines[doc->n_lines++] = l;
	}
	return 0;
}

/* ---- header fields ---------------------------------------------------- */

static const char *strn(struct order *o, const char *s, size_t n)
{
	return order_strn(o, s, n > OG_MAX_FIELD_BYTES ? OG_MAX_FIELD_BYTES : n);
}

static void warn_value(struct matcher *m, const struct tline *l, const char *field,
		       const char *expected, const char *s, size_t n)
{
	char where[64];
	snprintf(where, sizeof(where), "line %u", l->no);
	diag_add(m->d, DIAG_WARNING, where, "%s: expected %s, found \"%.*s\"", field, expected,
		 (int)(n > 100 ? 100 : n), s);
}

static const char *date_value(struct order *o, struct matcher *m, const struct tline *l,
			      const char *field, const char *s, size_t n)
{
	char tmp[16];
	if (text_date(s, n, tmp, sizeof(tmp)) < 0) {
		warn_value(m, l, field, "a date (2027-01-20, 20.01.2027, 20 Jan 2027, 2027年1月20日)", s, n);
		return NULL;
	}
	return arena_strdup(o->arena, tmp);
}

static const char *incoterms_code(const char *s, size_t n)
{
	static const char *const codes[] = { "EXW", "FCA", "FAS", "FOB", "CFR", "CIF", "CPT", "CIP",
					     "DAP", "DPU", "DDP", "DAT", "DDU", "DAF", "DES", "DEQ", NULL };
	if (ieq(s, n, "CNF") || ieq(s, n, "C&F") || ieq(s, n, "CAF"))
		return "CFR";
	for (int i = 0; codes[i]; i++)
		if (ieq(s, n, codes[i]))
			return codes[i];
	return NULL;
}

/* Split a ship-to/bill-to block into name, address lines, city, country. */
static int fill_party(struct order *o, struct matcher *m, struct party *p,
		      const char **parts, size_t *lens, size_t np)
{
	size_t first = 0, last = np;
	/* the first part is the name unless it already looks like an address */
	if (np > 0) {
		bool digit = false;
		for (size_t i = 0; i < lens[0]; i++)
			if (isdigit((unsigned char)parts[0][i]))
				digit = true;
		struct tline t = { parts[0], lens[0], 0 };
		if (!digit && !any_match(m, &m->r->city, &t) && !text_country(parts[0], lens[0])) {
			p->name = strn(o, parts[0], lens[0]);
			first = 1;
		}
	}
	if (last > first && text_country(parts[last - 1], lens[last - 1])) {
		p->country = text_country(parts[last - 1], lens[last - 1]);
		last--;
	}
	/* the city line is one of the last two */
	size_t city_at = np;
	for (size_t k = last; k > first && k + 2 >= last && city_at == np; k--) {
		struct tline t = { parts[k - 1], lens[k - 1], 0 };
		for (size_t i = 0; i < m->r->city.n; i++) {
			const struct rule *ru = &m->r->city.v[i];
			if (!rule_match(m, ru, t.s, t.n, 0))
				continue;
			const char *s;
			size_t n;
			if (group(m, ru, "city", &s, &n))
				p->city = strn(o, s, n);
			if (group(m, ru, "postal_code", &s, &n))
				p->postal_code = strn(o, s, n);
			if (group(m, ru, "region", &s, &n))
				p->region = strn(o, s, n);
			if (group(m, ru, "country", &s, &n) && p->country == NULL)
				p->country = text_country(s, n);
			if (group(m, ru, "street", &s, &n))
				parts[k - 1] = s, lens[k - 1] = n;
			else
				lens[k - 1] = 0;   /* consumed */
			city_at = k - 1;
			break;
		}
	}
	for (size_t k = first; k < last; k++) {
		if (lens[k] == 0)
			continue;
		const char *line = strn(o, parts[k], lens[k]);
		if (line != NULL && party_add_address_line(o, p, line) < 0)
			return -1;
	}
	return 0;
}

static bool is_label_line(struct matcher *m, const struct tline *l)
{
	for (int f = 0; f < F_COUNT; f++)
		if (f != F_PAYMENT_DAYS && any_match(m, &m->r->header[f], l))
			return true;
	return any_match(m, &m->r->lines, l);
}

static int block_value(struct order *o, struct matcher *m, const struct doc *doc, size_t at,
		       const char *v, size_t vn, enum order_role role)
{
	const char *parts[16];
	size_t lens[16], np = 0;
	if (vn > 0)
		parts[np] = v, lens[np++] = vn;
	for (size_t i = at + 1; i < doc->n_lines && np < 8; i++) {
		const struct tline *l = &doc->lines[i];
		if (line_is_blank(l) || is_label_line(m, l))
			break;
		const char *s = l->s;
		size_t n = l->n;
		trim(&s, &n);
		parts[np] = s, lens[np++] = n;
	}
	if (np == 0)
		return 0;
	if (np == 1) {
		/* one line: "ACME GmbH, Hafenstr. 5, 20457 Hamburg, Germany" */
		const char *s = parts[0];
		size_t n = lens[0];
		np = 0;
		while (n > 0 && np < 16) {
			size_t k = 0, skip = 1;
			while (k < n && s[k] != ',' && !(n - k >= 3 && memcmp(s + k, "，", 3) == 0))
				k++;
			if (k < n && s[k] != ',')
				skip = 3;
			parts[np] = s, lens[np] = k;
			trim(&parts[np], &lens[np]);
			if (lens[np] > 0)
				np++;
			if (k >= n)
				break;
			s += k + skip, n -= k + skip;
		}
	}
	return fill_party(o, m, order_party(o, role), parts, lens, np);
}

/* Apply one match of field f; 1 taken, 0 not usable (try further), -1 arena. */
static int apply_field(struct order *o, struct matcher *m, const struct doc *doc, size_t at,
		       int f, const struct rule *ru)
{
	const struct tline *l = &doc->lines[at];
	const char *v = NULL, *s;
	size_t vn = 0, n;
	group(m, ru, "value", &v, &vn);
	switch (f) {
	case F_PO:
		o->po_number = strn(o, v, vn);
		break;
	case F_ORDER_DATE:
		o->order_date = date_value(o, m, l, "order date", v, vn);
		return o->order_date != NULL;
	case F_DELIVERY:
		o->requested_delivery_date = date_value(o, m, l, "delivery date", v, vn);
		return o->requested_delivery_date != NULL;
	case F_SHIP_BY:
		o->ship_by_date = date_value(o, m, l, "ship-by date", v, vn);
		return o->ship_by_date != NULL;
	case F_CURRENCY: {
		const char *c = text_currency(v, vn);
		if (c == NULL && vn == 3 && isalpha((unsigned char)v[0]) && isalpha((unsigned char)v[1]) &&
		    isalpha((unsigned char)v[2])) {
			char up[4] = { (char)toupper((unsigned char)v[0]), (char)toupper((unsigned char)v[1]),
				       (char)toupper((unsigned char)v[2]), 0 };
			c = arena_strdup(o->arena, up);
		}
		if (c == NULL)
			return 0;
		o->currency = c;
		break;
	}
	case F_INCOTERMS: {
		if (!group(m, ru, "code", &s, &n) || incoterms_code(s, n) == NULL)
			return 0;
		o->has_incoterms = true;
		o->incoterms_code = incoterms_code(s, n);
		if (group(m, ru, "place", &s, &n))
			o->incoterms_place = strn(o, s, n);
		if (group(m, ru, "version", &s, &n))
			o->incoterms_version = strn(o, s, n);
		break;
	}
	case F_PAYMENT: {
		o->has_payment_terms = true;
		o->payment_terms_text = strn(o, v, vn);
		const struct rule_list *dl = &m->r->header[F_PAYMENT_DAYS];
		for (size_t i = 0; i < dl->n && v != NULL; i++) {
			if (!rule_match(m, &dl->v[i], v, vn, l->no) || !group(m, &dl->v[i], "days", &s, &n))
				continue;
			int days = 0;
			for (size_t k = 0; k < n && k < 4; k++)
				days = days * 10 + (s[k] - '0');
			o->payment_net_days = days;
			break;
		}
		break;
	}
	case F_BUYER:
		order_party(o, ROLE_BUYER)->name = strn(o, v, vn);
		break;
	case F_CONTACT_NAME:
		order_party(o, ROLE_BUYER)->contact_name = strn(o, v, vn);
		break;
	case F_CONTACT_EMAIL:
		order_party(o, ROLE_BUYER)->contact_email = strn(o, v, vn);
		break;
	case F_CONTACT_PHONE:
		order_party(o, ROLE_BUYER)->contact_phone = strn(o, v, vn);
		break;
	case F_SHIP_TO_CONTACT: {
		struct party *p = order_party(o, ROLE_SHIP_TO);
		p->contact_name = strn(o, v, vn);
		if (group(m, ru, "phone", &s, &n))
			p->contact_phone = strn(o, s, n);
		break;
	}
	case F_SHIP_TO:
	case F_BILL_TO:
		if (block_value(o, m, doc, at, v, vn, f == F_SHIP_TO ? ROLE_SHIP_TO : ROLE_BILL_TO) < 0)
			return -1;
		break;
	case F_NOTES:
		if (order_add_note(o, strn(o, v, vn)) < 0)
			return -1;
		break;
	case F_TRANSPORT:
		o->transport_mode = transport_code(v, vn);
		return o->transport_mode != NULL;
	case F_POL:
		o->port_of_loading = strn(o, v, vn);
		break;
	case F_POD:
		o->port_of_discharge = strn(o, v, vn);
		break;
	default:
		return 0;
	}
	return arena_failed(o->arena) ? -1 : 1;
}

static int header_pass(struct order *o, struct matcher *m, const struct doc *doc)
{
	int found = 0;
	for (int f = 0; f < F_COUNT; f++) {
		if (f == F_PAYMENT_DAYS)
			continue;
		const struct rule_list *list = &m->r->header[f];
		if (f == F_NOTES) {
			for (size_t i = 0; i < doc->n_lines; i++)
				for (size_t k = 0; k < list->n; k++) {
					if (!rule_match(m, &list->v[k], doc->lines[i].s, doc->lines[i].n,
							doc->lines[i].no))
						continue;
					if (apply_field(o, m, doc, i, f, &list->v[k]) < 0)
						return -1;
					found++;
					break;
				}
			continue;
		}
		bool done = false;
		for (size_t k = 0; k < list->n && !done; k++)
			for (size_t i = 0; i < doc->n_lines && !done; i++) {
				if (!rule_match(m, &list->v[k], doc->lines[i].s, doc->lines[i].n, doc->lines[i].no))
					continue;
				int r = apply_field(o, m, doc, i, f, &list->v[k]);
				if (r < 0)
					return -1;
				done = r > 0;
			}
		found += done;
	}
	return found;
}

int text_extract_header(const struct text_rules *r, const char *text, size_t len,
			struct order *o, struct diags *d)
{
	if (r == NULL)
		r = text_rules_default();
	if (r == NULL || text == NULL)
		return 0;
	struct matcher m;
	struct doc doc;
	matcher_init(&m, r, d);
	int found = doc_prepare(&doc, &m, (const unsigned char *)text, len) < 0 ? 0 : header_pass(o, &m, &doc);
	doc_free(&doc);
	matcher_free(&m);
	return found;
}

/* ---- order lines ------------------------------------------------------ */

static const char *number_value(struct order *o, struct matcher *m, const struct tline *l,
				const char *field, const char *s, size_t n)
{
	char tmp[64];
	if (text_number(s, n, false, tmp, sizeof(tmp)) < 0) {
		warn_value(m, l, field, "a number", s, n);
		return NULL;
	}
	return arena_strdup(o->arena, tmp);
}

static int line_pass(struct order *o, struct matcher *m, const struct doc *doc)
{
	const char *line_currency = NULL;
	for (size_t i = 0; i < doc->n_lines; i++) {
		const struct tline *l = &doc->lines[i];
		const struct rule *ru = NULL;
		for (size_t k = 0; k < m->r->lines.n && ru == NULL; k++)
			if (rule_match(m, &m->r->lines.v[k], l->s, l->n, l->no))
				ru = &m->r->lines.v[k];
		if (ru == NULL)
			continue;
		struct order_line *ol = order_add_line(o);
		if (ol == NULL)
			return -1;
		const char *s;
		size_t n;
		if (group(m, ru, "line_no", &s, &n))
			ol->line_no = strn(o, s, n);
		else
			ol->line_no = arena_printf(o->arena, "%zu", o->n_lines);
		if (group(m, ru, "item", &s, &n)) {
			if (m->r->item_is_buyer)
				ol->buyer_item_id = strn(o, s, n);
			else
				ol->seller_item_id = strn(o, s, n);
		}
		if (group(m, ru, "seller_item", &s, &n))
			ol->seller_item_id = strn(o, s, n);
		if (group(m, ru, "buyer_item", &s, &n))
			ol->buyer_item_id = strn(o, s, n);
		if (group(m, ru, "gtin", &s, &n))
			ol->gtin = strn(o, s, n);
		if (group(m, ru, "description", &s, &n))
			ol->description = strn(o, s, n);
		if (group(m, ru, "quantity", &s, &n))
			ol->quantity = number_value(o, m, l, "quantity", s, n);
		if (group(m, ru, "unit", &s, &n)) {
			ol->uom_original = strn(o, s, n);
			ol->uom_code = text_uom_code(s, n);
		}
		if (group(m, ru, "unit_price", &s, &n))
			ol->unit_price = number_value(o, m, l, "unit price", s, n);
		if (group(m, ru, "amount", &s, &n))
			ol->line_amount = number_value(o, m, l, "amount", s, n);
		if (group(m, ru, "delivery_date", &s, &n))
			ol->delivery_date = date_value(o, m, l, "delivery date", s, n);
		if (group(m, ru, "currency", &s, &n) && text_currency(s, n) != NULL) {
			const char *c = text_currency(s, n);
			if (line_currency == NULL)
				line_currency = c;
			if (o->currency != NULL && strcmp(o->currency, c) != 0) {
				char where[64];
				snprintf(where, sizeof(where), "line %u", l->no);
				diag_add(m->d, DIAG_WARNING, where, "the price is in %s but the order currency is %s",
					 c, o->currency);
			}
		}
		if (arena_failed(o->arena))
			return -1;
	}
	if (o->currency == NULL)
		o->currency = line_currency;
	return 0;
}

/* ---- the parser ------------------------------------------------------- */

static int text_parse(const struct parse_input *in, struct parse_output *out)
{
	const struct text_rules *r = in->rules ? in->rules : text_rules_default();
	if (r == NULL) {
		diag_add(out->diags, DIAG_ERROR, NULL, "the built-in rule set does not compile");
		return -1;
	}
	size_t limit = in->max_order_bytes ? in->max_order_bytes : OG_MAX_ORDER_BYTES_DEFAULT;
	struct arena *a = arena_new(limit);
	struct matcher m;
	struct doc doc;
	int ret = -1;
	matcher_init(&m, r, out->diags);
	if (doc_prepare(&doc, &m, in->data, in->len) < 0)
		goto out;
	struct order *o = order_new(a);
	if (o == NULL)
		goto toolarge;
	o->format = "email-text";
	if (header_pass(o, &m, &doc) < 0 || line_pass(o, &m, &doc) < 0)
		goto toolarge;
	if (o->po_number == NULL && o->n_lines == 0) {
		diag_add(out->diags, DIAG_WARNING, NULL, "no order found in the text");
		ret = 0;
		goto out;
	}
	out->n_orders++;
	ret = 0;
	if (out->emit != NULL && out->emit(out->ctx, o, out->diags) < 0)
		ret = -1;
	goto out;
toolarge:
	diag_add(out->diags, DIAG_ERROR, NULL, "the order is too large (limit %zu bytes)", limit);
out:
	doc_free(&doc);
	matcher_free(&m);
	arena_free(&a);
	return ret;
}

/* ~20 for text with an order-like label, 1 for other text, 0 for binary. */
static int text_sniff(const unsigned char *data, size_t len)
{
	static const char *const labels[] = {
		"po no", "po number", "p.o.", "po#", "purchase order", "order no", "order number",
		"qty", "quantity", "订单", "訂單", "采购", "採購", "数量", "數量", NULL
	};
	size_t n = len < 65536 ? len : 65536;
	if (n == 0 || memchr(data, '\0', n) != NULL)
		return 0;
	/* The bytes a label can start with, by the same case folding as
	 * strncasecmp: most positions are passed over with one look-up. */
	bool first[256];
	for (int c = 0; c < 256; c++) {
		first[c] = false;
		for (int i = 0; labels[i] && !first[c]; i++)
			first[c] = tolower(c) == tolower((unsigned char)labels[i][0]);
	}
	for (size_t j = 0; j < n; j++) {
		if (!first[data[j]])
			continue;
		for (int i = 0; labels[i]; i++) {
			size_t k = strlen(labels[i]);
			if (j + k <= n && strncasecmp((const char *)data + j, labels[i], k) == 0)
				return 20;
		}
	}
	return 1;
}

const struct parser text_parser = { "text", text_sniff, text_parse };
