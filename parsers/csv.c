/* csv.c — order lines from a CSV attachment.
 *
 * The bytes are decoded to UTF-8 first (a UTF-8 or UTF-16 BOM, else UTF-8
 * when valid, else GB18030 through iconv), the separator (',' ';' or tab)
 * is the one that splits the first rows into the most consistent number of
 * fields, and the header row is the first of the first rows whose names
 * are known (built-in synonyms or a column map).  Rows above the header
 * that read as "label, value" and the e-mail text (header_text) give the
 * header fields, read with the text rules (text.h).
 *
 * Ownership: the decoded copy and the row buffers belong to one parse
 * call; each order lives in an arena freed after emit().  A csv_map owns
 * its strings.
 *
 * Failure: a row with a value that is not a number or a date is reported
 * with its line and column ("line 7, column \"qty\": expected a number,
 * found \"abc\"") and left out; the other rows still come through.  No
 * header row is an error for the document (-1). */
#include "csv.h"
#include "text.h"
#include "limits.h"
#include "log.h"
#include "readfile.h"
#include <ctype.h>
#include <errno.h>
#include <iconv.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum col {
	C_NONE, C_LINE_NO, C_ITEM, C_SELLER_ITEM, C_BUYER_ITEM, C_GTIN, C_MPN, C_DESCRIPTION,
	C_QUANTITY, C_UNIT, C_UNIT_PRICE, C_AMOUNT, C_DELIVERY_DATE, C_CURRENCY, C_HS_CODE,
	C_PO_NUMBER, C_COUNT
};

static const char *const col_keys[C_COUNT] = {
	"", "line_no", "item", "seller_item", "buyer_item", "gtin", "manufacturer_part_no",
	"description", "quantity", "unit", "unit_price", "amount", "delivery_date", "currency",
	"hs_code", "po_number",
};

/* Built-in header names, compared after name_key() below. */
static const struct { const char *name; enum col col; } synonyms[] = {
	{ "line", C_LINE_NO }, { "lineno", C_LINE_NO }, { "no", C_LINE_NO }, { "nr", C_LINE_NO },
	{ "pos", C_LINE_NO }, { "position", C_LINE_NO }, { "序号", C_LINE_NO }, { "序號", C_LINE_NO },
	{ "行号", C_LINE_NO }, { "行號", C_LINE_NO }, { "项次", C_LINE_NO }, { "項次", C_LINE_NO },
	{ "item", C_ITEM }, { "sku", C_ITEM }, { "partno", C_ITEM }, { "partnumber", C_ITEM },
	{ "itemcode", C_ITEM }, { "itemno", C_ITEM }, { "itemnumber", C_ITEM }, { "article", C_ITEM },
	{ "articleno", C_ITEM }, { "artno", C_ITEM }, { "productcode", C_ITEM }, { "model", C_ITEM },
	{ "货号", C_ITEM }, { "貨號", C_ITEM }, { "料号", C_ITEM }, { "料號", C_ITEM },
	{ "品号", C_ITEM }, { "品號", C_ITEM }, { "产品编号", C_ITEM }, { "產品編號", C_ITEM },
	{ "型号", C_ITEM }, { "型號", C_ITEM }, { "物料编码", C_ITEM }, { "物料編碼", C_ITEM },
	{ "buyeritem", C_BUYER_ITEM }, { "buyeritemno", C_BUYER_ITEM }, { "customeritem", C_BUYER_ITEM },
	{ "customeritemno", C_BUYER_ITEM }, { "customerpartno", C_BUYER_ITEM },
	{ "customersku", C_BUYER_ITEM }, { "客户料号", C_BUYER_ITEM }, { "客戶料號", C_BUYER_ITEM },
	{ "客户货号", C_BUYER_ITEM }, { "客戶貨號", C_BUYER_ITEM },
	{ "gtin", C_GTIN }, { "ean", C_GTIN }, { "ean13", C_GTIN }, { "upc", C_GTIN },
	{ "barcode", C_GTIN }, { "条码", C_GTIN }, { "條碼", C_GTIN },
	{ "mpn", C_MPN }, { "manufacturerpartno", C_MPN },
	{ "description", C_DESCRIPTION }, { "desc", C_DESCRIPTION }, { "itemdescription", C_DESCRIPTION },
	{ "productname", C_DESCRIPTION }, { "product", C_DESCRIPTION }, { "name", C_DESCRIPTION },
	{ "品名", C_DESCRIPTION }, { "描述", C_DESCRIPTION }, { "名称", C_DESCRIPTION },
	{ "名稱", C_DESCRIPTION }, { "产品名称", C_DESCRIPTION }, { "產品名稱", C_DESCRIPTION },
	{ "qty", C_QUANTITY }, { "quantity", C_QUANTITY }, { "orderqty", C_QUANTITY },
	{ "orderquantity", C_QUANTITY }, { "数量", C_QUANTITY }, { "數量", C_QUANTITY },
	{ "订购数量", C_QUANTITY }, { "訂購數量", C_QUANTITY }, { "订单数量", C_QUANTITY },
	{ "訂單數量", C_QUANTITY },
	{ "unit", C_UNIT }, { "uom", C_UNIT }, { "units", C_UNIT }, { "单位", C_UNIT }, { "單位", C_UNIT },
	{ "unitprice", C_UNIT_PRICE }, { "price", C_UNIT_PRICE }, { "单价", C_UNIT_PRICE },
	{ "單價", C_UNIT_PRICE }, { "价格", C_UNIT_PRICE }, { "價格", C_UNIT_PRICE },
	{ "amount", C_AMOUNT }, { "total", C_AMOUNT }, { "linetotal", C_AMOUNT },
	{ "extendedprice", C_AMOUNT }, { "金额", C_AMOUNT }, { "金額", C_AMOUNT }, { "总价", C_AMOUNT },
	{ "總價", C_AMOUNT },
	{ "deliverydate", C_DELIVERY_DATE }, { "delivery", C_DELIVERY_DATE },
	{ "requireddate", C_DELIVERY_DATE }, { "reqdate", C_DELIVERY_DATE }, { "交期", C_DELIVERY_DATE },
	{ "交货日期", C_DELIVERY_DATE }, { "交貨日期", C_DELIVERY_DATE }, { "交货期", C_DELIVERY_DATE },
	{ "交貨期", C_DELIVERY_DATE },
	{ "currency", C_CURRENCY }, { "curr", C_CURRENCY }, { "币种", C_CURRENCY }, { "幣別", C_CURRENCY },
	{ "货币", C_CURRENCY }, { "貨幣", C_CURRENCY },
	{ "hscode", C_HS_CODE }, { "hs", C_HS_CODE }, { "海关编码", C_HS_CODE }, { "海關編碼", C_HS_CODE },
	{ "po", C_PO_NUMBER }, { "ponumber", C_PO_NUMBER }, { "pono", C_PO_NUMBER },
	{ "ordernumber", C_PO_NUMBER }, { "orderno", C_PO_NUMBER }, { "订单号", C_PO_NUMBER },
	{ "訂單號", C_PO_NUMBER }, { "采购单号", C_PO_NUMBER }, { "採購單號", C_PO_NUMBER },
};

enum enc { ENC_AUTO, ENC_UTF8, ENC_GB18030, ENC_UTF16 };

struct csv_map {
	char *file;
	char **names[C_COUNT];     /* name_key() form */
	size_t n_names[C_COUNT];
	int position[C_COUNT];     /* 1-based; 0 none */
	char sep;                  /* 0 auto */
	int decimal_comma;         /* -1 auto */
	enum enc encoding;
	int header_row;            /* -1 auto, 0 none, N */
	bool no_defaults;
	bool item_is_buyer;
	char currency[4];
};

static void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n);
	if (q == NULL)
		fatal("out of memory");
	return q;
}

/* A header name reduced for comparison: ASCII lower case, without blanks,
 * . _ - # : / * and without a part in parentheses, which goes to paren. */
static void name_key(const char *s, size_t n, char *out, size_t outsz, char *paren, size_t parensz)
{
	size_t o = 0, p = 0;
	int depth = 0;
	if (paren)
		paren[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		size_t w = 1;
		bool open = c == '(' || (n - i >= 3 && memcmp(s + i, "（", 3) == 0);
		bool close = c == ')' || (n - i >= 3 && memcmp(s + i, "）", 3) == 0);
		if (c >= 0x80 && (open || close))
			w = 3;
		if (open) {
			depth++;
			i += w - 1;
			continue;
		}
		if (close) {
			if (depth > 0)
				depth--;
			i += w - 1;
			continue;
		}
		if (depth > 0) {
			if (paren && p + 1 < parensz && !isspace(c))
				paren[p++] = (char)c, paren[p] = '\0';
			continue;
		}
		if (isspace(c) || strchr("._-#:/*'\"", c) != NULL)
			continue;
		if (o + 1 < outsz)
			out[o++] = (char)tolower(c);
	}
	out[o] = '\0';
}

/* ---- column maps ------------------------------------------------------ */

struct map_loader {
	struct csv_map *m;
	struct diags *d;
	char section[32];
};

static void merr(struct map_loader *l, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void merr(struct map_loader *l, unsigned line, const char *fmt, ...)
{
	char where[512];
	va_list ap;
	snprintf(where, sizeof(where), "%s:%u", l->m->file, line);
	va_start(ap, fmt);
	diag_vadd(l->d, DIAG_ERROR, where, fmt, ap);
	va_end(ap);
}

static void map_columns(struct map_loader *l, unsigned line, const char *key, const char *value)
{
	int c = -1;
	for (int i = 1; i < C_COUNT; i++)
		if (strcmp(key, col_keys[i]) == 0)
			c = i;
	if (c < 0) {
		merr(l, line, "unknown field \"%s\" (expected line_no, item, seller_item, buyer_item, gtin, "
		     "manufacturer_part_no, description, quantity, unit, unit_price, amount, "
		     "delivery_date, currency, hs_code or po_number)", key);
		return;
	}
	struct csv_map *m = l->m;
	for (const char *p = value; *p;) {
		const char *e = strchr(p, ',');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		const char *s = p;
		p = e ? e + 1 : p + n;
		while (n > 0 && isspace((unsigned char)*s))
			s++, n--;
		while (n > 0 && isspace((unsigned char)s[n - 1]))
			n--;
		if (n == 0) {
			merr(l, line, "%s: an empty name in the list", key);
			continue;
		}
		if (s[0] == '#') {
			char *end;
			long pos = strtol(s + 1, &end, 10);
			if (end != s + n || pos < 1 || pos > (long)OG_MAX_CSV_FIELDS)
				merr(l, line, "%s: expected a column position #1..#%u, found \"%.*s\"", key,
				     OG_MAX_CSV_FIELDS, (int)n, s);
			else
				m->position[c] = (int)pos;
			continue;
		}
		char k[256];
		name_key(s, n, k, sizeof(k), NULL, 0);
		if (k[0] == '\0') {
			merr(l, line, "%s: the name \"%.*s\" has nothing left to compare", key, (int)n, s);
			continue;
		}
		m->names[c] = xrealloc(m->names[c], (m->n_names[c] + 1) * sizeof(char *));
		m->names[c][m->n_names[c]++] = strdup(k);
	}
}

static int map_entry(void *ctx, unsigned line, const char *section, const char *key, const char *value)
{
	struct map_loader *l = ctx;
	struct csv_map *m = l->m;
	if (key == NULL) {
		if (strcmp(section, "columns") != 0 && strcmp(section, "options") != 0 &&
		    strcmp(section, "defaults") != 0)
			merr(l, line, "unknown section [%s] (expected columns, options or defaults)", section);
		snprintf(l->section, sizeof(l->section), "%s", section);
		return 0;
	}
	if (strcmp(l->section, "columns") == 0) {
		map_columns(l, line, key, value);
	} else if (strcmp(l->section, "options") == 0) {
		if (strcmp(key, "separator") == 0) {
			if (strcmp(value, "auto") == 0)
				m->sep = 0;
			else if (strcmp(value, "comma") == 0 || strcmp(value, ",") == 0)
				m->sep = ',';
			else if (strcmp(value, "semicolon") == 0 || strcmp(value, ";") == 0)
				m->sep = ';';
			else if (strcmp(value, "tab") == 0)
				m->sep = '\t';
			else
				merr(l, line, "separator: expected auto, comma, semicolon or tab, found \"%s\"", value);
		} else if (strcmp(key, "decimal_comma") == 0) {
			if (strcmp(value, "auto") == 0)
				m->decimal_comma = -1;
			else if (strcmp(value, "yes") == 0 || strcmp(value, "no") == 0)
				m->decimal_comma = strcmp(value, "yes") == 0;
			else
				merr(l, line, "decimal_comma: expected auto, yes or no, found \"%s\"", value);
		} else if (strcmp(key, "encoding") == 0) {
			if (strcmp(value, "auto") == 0)
				m->encoding = ENC_AUTO;
			else if (strcasecmp(value, "utf-8") == 0)
				m->encoding = ENC_UTF8;
			else if (strcasecmp(value, "gb18030") == 0 || strcasecmp(value, "gbk") == 0)
				m->encoding = ENC_GB18030;
			else if (strcasecmp(value, "utf-16") == 0)
				m->encoding = ENC_UTF16;
			else
				merr(l, line, "encoding: expected auto, utf-8, gb18030 or utf-16, found \"%s\"", value);
		} else if (strcmp(key, "header_row") == 0) {
			char *end;
			long v = strtol(value, &end, 10);
			if (strcmp(value, "auto") == 0)
				m->header_row = -1;
			else if (strcmp(value, "none") == 0)
				m->header_row = 0;
			else if (*end == '\0' && v >= 1 && v <= 100)
				m->header_row = (int)v;
			else
				merr(l, line, "header_row: expected auto, none or a row number 1..100, found \"%s\"", value);
		} else if (strcmp(key, "defaults") == 0 || strcmp(key, "item") == 0) {
			bool is_item = strcmp(key, "item") == 0;
			const char *a = is_item ? "seller" : "yes", *b = is_item ? "buyer" : "no";
			if (strcmp(value, a) != 0 && strcmp(value, b) != 0)
				merr(l, line, "%s: expected %s or %s, found \"%s\"", key, a, b, value);
			else if (is_item)
				m->item_is_buyer = strcmp(value, b) == 0;
			else
				m->no_defaults = strcmp(value, b) == 0;
		} else {
			merr(l, line, "unknown option \"%s\" (expected separator, decimal_comma, encoding, "
			     "header_row, defaults or item)", key);
		}
	} else if (strcmp(l->section, "defaults") == 0) {
		const char *c = strcmp(key, "currency") == 0 ? text_currency(value, strlen(value)) : NULL;
		if (strcmp(key, "currency") != 0)
			merr(l, line, "unknown default \"%s\" (expected currency)", key);
		else if (c == NULL && !(strlen(value) == 3 && isupper((unsigned char)value[0]) &&
					isupper((unsigned char)value[1]) && isupper((unsigned char)value[2])))
			merr(l, line, "currency: expected an ISO 4217 code such as EUR, found \"%s\"", value);
		else
			snprintf(m->currency, sizeof(m->currency), "%s", c ? c : value);
	} else if (l->section[0] == '\0') {
		merr(l, line, "\"%s\" before any [section]", key);
	}
	return 0;
}

void csv_map_free(struct csv_map **mp)
{
	struct csv_map *m = mp ? *mp : NULL;
	if (m == NULL)
		return;
	for (int c = 0; c < C_COUNT; c++) {
		for (size_t i = 0; i < m->n_names[c]; i++)
			free(m->names[c][i]);
		free(m->names[c]);
	}
	free(m->file);
	free(m);
	*mp = NULL;
}

int csv_map_load_mem(const char *name, const char *data, size_t len, struct csv_map **out, struct diags *d)
{
	struct csv_map *m = calloc(1, sizeof(*m));
	if (m == NULL || (m->file = strdup(name)) == NULL)
		fatal("out of memory");
	m->decimal_comma = -1;
	m->header_row = -1;
	struct map_loader l = { .m = m, .d = d };
	const char *prefix = d->prefix;
	d->prefix = NULL;
	size_t before = d->n_errors;
	text_ini_read(name, data, len, map_entry, &l, d);
	d->prefix = prefix;
	if (d->n_errors != before) {
		csv_map_free(&m);
		*out = NULL;
		return -1;
	}
	*out = m;
	return 0;
}

int csv_map_load(const char *path, struct csv_map **out, struct diags *d)
{
	unsigned char *data;
	size_t len;
	*out = NULL;
	if (text_file_read(path, "column map", &data, &len, d) < 0)
		return -1;
	int r = csv_map_load_mem(path, (const char *)data, len, out, d);
	free(data);
	return r;
}

/* ---- decoding --------------------------------------------------------- */

/* Convert with iconv; bad input becomes U+FFFD.  Returns a malloc'd
 * NUL-terminated UTF-8 copy. */
static char *convert(const char *from, const unsigned char *s, size_t n, size_t unit,
		     size_t *len_r, bool *bad)
{
	size_t cap = n * 2 + 16;
	char *out = malloc(cap);
	if (out == NULL)
		fatal("out of memory");
	iconv_t cd = iconv_open("UTF-8", from);
	if (cd == (iconv_t)-1)
		fatal("iconv cannot convert from %s", from);
	char *in = (char *)s, *op = out;
	size_t inleft = n, outleft = cap - 4;
	while (inleft > 0) {
		if (iconv(cd, &in, &inleft, &op, &outleft) != (size_t)-1)
			break;
		if (errno == E2BIG)
			break;   /* cannot happen with cap = 2n: UTF-8 is at most 2x here */
		*bad = true;
		if (errno == EINVAL)
			break;   /* incomplete sequence at the end */
		if (outleft < 3)
			break;
		memcpy(op, "\xEF\xBF\xBD", 3);
		op += 3, outleft -= 3;
		size_t skip = inleft < unit ? inleft : unit;
		in += skip, inleft -= skip;
	}
	iconv_close(cd);
	*op = '\0';
	*len_r = (size_t)(op - out);
	return out;
}

/* The bytes as UTF-8 (malloc'd); says in *charset what they were. */
static char *decode(const unsigned char *s, size_t n, enum enc enc, size_t *len_r,
		    const char **charset, bool *bad)
{
	*bad = false;
	if (n >= 2 && ((s[0] == 0xFF && s[1] == 0xFE) || (s[0] == 0xFE && s[1] == 0xFF))) {
		*charset = s[0] == 0xFF ? "UTF-16LE" : "UTF-16BE";
		char *out = convert(*charset, s + 2, n - 2, 2, len_r, bad);
		if (*len_r >= 3 && memcmp(out, "\xEF\xBB\xBF", 3) == 0) {   /* a second BOM */
			memmove(out, out + 3, *len_r - 2);
			*len_r -= 3;
		}
		return out;
	}
	if (enc == ENC_UTF16) {
		*charset = "UTF-16LE";
		return convert(*charset, s, n, 2, len_r, bad);
	}
	if (n >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0)
		s += 3, n -= 3;
	if (enc == ENC_GB18030 || (enc == ENC_AUTO && !text_utf8_valid(s, n))) {
		*charset = "GB18030";
		return convert(*charset, s, n, 1, len_r, bad);
	}
	*charset = "UTF-8";
	char *out = malloc(n + 1);
	if (out == NULL)
		fatal("out of memory");
	memcpy(out, s, n);
	out[n] = '\0';
	*len_r = n;
	if (!text_utf8_valid(s, n))
		*bad = true;
	return out;
}

/* ---- records ---------------------------------------------------------- */

struct reader {
	const char *p, *end;
	char sep;
	unsigned line;           /* physical line where the next record starts */
	struct buf data;         /* field values, each NUL-terminated */
	size_t off[OG_MAX_CSV_FIELDS], len[OG_MAX_CSV_FIELDS];
	size_t n;
	bool unterminated, too_many;
};

static void reader_init(struct reader *r, const char *s, size_t n, char sep)
{
	r->p = s;
	r->end = s + n;
	r->sep = sep;
	r->line = 1;
	buf_init(&r->data, n + 16);
	r->n = 0;
}

static void end_field(struct reader *r, size_t start)
{
	if (r->n < OG_MAX_CSV_FIELDS) {
		r->off[r->n] = start;
		r->len[r->n] = r->data.len - start;
		r->n++;
	} else {
		r->too_many = true;
	}
	buf_addc(&r->data, '\0');
}

/* The next record; 0 at the end.  *line_r: its first physical line. */
static int next_record(struct reader *r, unsigned *line_r)
{
	if (r->p >= r->end)
		return 0;
	*line_r = r->line;
	buf_reset(&r->data);
	r->n = 0;
	r->unterminated = r->too_many = false;
	size_t start = 0;
	bool field_start = true;
	while (r->p < r->end) {
		char c = *r->p;
		if (field_start && c == '"') {
			r->p++;
			for (;;) {
				if (r->p >= r->end) {
					r->unterminated = true;
					break;
				}
				c = *r->p++;
				if (c == '"') {
					if (r->p < r->end && *r->p == '"') {
						buf_addc(&r->data, '"');
						r->p++;
						continue;
					}
					break;
				}
				if (c == '\n')
					r->line++;
				if (c == '\r' && r->p < r->end && *r->p == '\n')
					continue;
				buf_addc(&r->data, c);
			}
			field_start = false;
			continue;
		}
		field_start = false;
		if (c == r->sep) {
			end_field(r, start);
			start = r->data.len;
			field_start = true;
			r->p++;
			continue;
		}
		if (c == '\n') {
			r->p++;
			r->line++;
			break;
		}
		if (!(c == '\r' && (r->p + 1 >= r->end || r->p[1] == '\n')))
			buf_addc(&r->data, c);
		r->p++;
	}
	end_field(r, start);
	return 1;
}

static const char *field(const struct reader *r, size_t i, size_t *n)
{
	if (i >= r->n) {
		*n = 0;
		return "";
	}
	const char *s = r->data.data + r->off[i];
	size_t k = r->len[i];
	while (k > 0 && isspace((unsigned char)*s))
		s++, k--;
	while (k > 0 && isspace((unsigned char)s[k - 1]))
		k--;
	*n = k;
	return s;
}

static bool record_empty(const struct reader *r)
{
	for (size_t i = 0; i < r->n; i++) {
		size_t n;
		field(r, i, &n);
		if (n > 0)
			return false;
	}
	return true;
}

/* The separator that splits the first records most consistently. */
static char detect_separator(const char *s, size_t n)
{
	static const char seps[] = { ',', ';', '\t' };
	char best = ',';
	size_t best_score = 0, best_fields = 0;
	struct reader *r = malloc(sizeof(*r));
	if (r == NULL)
		fatal("out of memory");
	for (size_t k = 0; k < sizeof(seps); k++) {
		size_t counts[10], nc = 0;
		unsigned line;
		reader_init(r, s, n, seps[k]);
		while (nc < 10 && next_record(r, &line))
			if (!record_empty(r))
				counts[nc++] = r->n;
		buf_free(&r->data);
		/* the most frequent field count above 1, and how often */
		size_t mode = 0, freq = 0;
		for (size_t i = 0; i < nc; i++) {
			size_t f = 0;
			for (size_t j = 0; j < nc; j++)
				f += counts[j] == counts[i];
			if (counts[i] > 1 && (f > freq || (f == freq && counts[i] > mode)))
				mode = counts[i], freq = f;
		}
		if (freq > best_score || (freq == best_score && freq > 0 && mode > best_fields)) {
			best = seps[k];
			best_score = freq;
			best_fields = mode;
		}
	}
	free(r);
	return best;
}

/* ---- columns ---------------------------------------------------------- */

struct columns {
	int at[C_COUNT];             /* field index, -1 absent */
	const char *name[C_COUNT];   /* as written in the header (points into names) */
	char names[C_COUNT][128];
	const char *currency;        /* from "Unit Price (USD)" */
	int known;
};

static enum col lookup_column(const struct csv_map *m, const char *key)
{
	if (m != NULL)
		for (int c = 1; c < C_COUNT; c++)
			for (size_t i = 0; i < m->n_names[c]; i++)
				if (strcmp(m->names[c][i], key) == 0)
					return (enum col)c;
	if (m != NULL && m->no_defaults)
		return C_NONE;
	for (size_t i = 0; i < sizeof(synonyms) / sizeof(synonyms[0]); i++)
		if (strcmp(synonyms[i].name, key) == 0)
			return synonyms[i].col;
	return C_NONE;
}

/* Read a header record into cols; returns the number of known columns. */
static int read_header(const struct reader *r, const struct csv_map *m, struct columns *cols)
{
	memset(cols, 0, sizeof(*cols));
	for (int c = 0; c < C_COUNT; c++)
		cols->at[c] = -1;
	for (size_t i = 0; i < r->n; i++) {
		size_t n;
		const char *s = field(r, i, &n);
		char key[256], paren[64];
		name_key(s, n, key, sizeof(key), paren, sizeof(paren));
		enum col c = lookup_column(m, key);
		if (c == C_NONE) {
			/* "Unit Price USD" */
			size_t k = strlen(key);
			static const char *const curs[] = { "usd", "eur", "rmb", "cny", "gbp", NULL };
			for (int j = 0; curs[j] && c == C_NONE; j++)
				if (k > 3 && strcmp(key + k - 3, curs[j]) == 0) {
					snprintf(paren, sizeof(paren), "%s", curs[j]);
					key[k - 3] = '\0';
					c = lookup_column(m, key);
				}
		}
		if (c == C_NONE || cols->at[c] >= 0)
			continue;
		cols->at[c] = (int)i;
		snprintf(cols->names[c], sizeof(cols->names[c]), "%.*s", (int)(n > 100 ? 100 : n), s);
		cols->known++;
		if (paren[0] != '\0' && (c == C_UNIT_PRICE || c == C_AMOUNT) && cols->currency == NULL)
			cols->currency = text_currency(paren, strlen(paren));
	}
	if (m != NULL)
		for (int c = 1; c < C_COUNT; c++)
			if (m->position[c] > 0) {
				if (cols->at[c] < 0)
					cols->known++;
				cols->at[c] = m->position[c] - 1;
				snprintf(cols->names[c], sizeof(cols->names[c]), "#%d", m->position[c]);
			}
	for (int c = 0; c < C_COUNT; c++)
		cols->name[c] = cols->names[c];
	return cols->known;
}

/* ---- rows to orders --------------------------------------------------- */

struct csv_ctx {
	const struct parse_input *in;
	struct parse_output *out;
	const struct csv_map *map;
	const struct text_rules *rules;
	struct buf preamble;         /* "label: value" lines above the header */
	struct columns cols;
	bool decimal_comma;
	struct arena *arena;
	struct order *o;
	size_t limit;
	int stop;                    /* emit asked to stop, or too large */
};

static void cell_error(struct csv_ctx *x, unsigned line, enum col c, const char *expected,
		       const char *s, size_t n)
{
	char where[256];
	snprintf(where, sizeof(where), "line %u, column \"%s\"", line, x->cols.name[c]);
	diag_add(x->out->diags, DIAG_ERROR, where, "expected %s, found \"%.*s\"; the row is left out",
		 expected, (int)(n > 100 ? 100 : n), s);
}

static const char *cell(struct csv_ctx *x, const struct reader *r, enum col c, size_t *n)
{
	if (x->cols.at[c] < 0) {
		*n = 0;
		return "";
	}
	return field(r, (size_t)x->cols.at[c], n);
}

/* Split "USD 1.20", "$1,20", "1.20 EUR" and "500 pcs" into number and the
 * rest before/after it. */
static void split_number(const char *s, size_t n, const char **num, size_t *nn,
			 const char **pre, size_t *pn, const char **post, size_t *qn)
{
	size_t i = 0;
	while (i < n && !isdigit((unsigned char)s[i]) && !(s[i] == '-' && i + 1 < n && isdigit((unsigned char)s[i + 1])))
		i++;
	size_t j = i + (i < n && s[i] == '-');
	while (j < n && (isdigit((unsigned char)s[j]) || s[j] == ',' || s[j] == '.' || s[j] == '\'' ||
			 (s[j] == ' ' && j + 1 < n && isdigit((unsigned char)s[j + 1]))))
		j++;
	*pre = s, *pn = i;
	*num = s + i, *nn = j - i;
	*post = s + j, *qn = n - j;
	while (*pn > 0 && isspace((unsigned char)(*pre)[*pn - 1]))
		(*pn)--;
	while (*qn > 0 && isspace((unsigned char)**post))
		(*post)++, (*qn)--;
}

static bool is_total_row(const struct reader *r)
{
	static const char *const words[] = { "total", "grand total", "sum", "subtotal", "合计", "合計",
					     "总计", "總計", "小计", "小計", NULL };
	for (size_t i = 0; i < r->n; i++) {
		size_t n;
		const char *s = field(r, i, &n);
		if (n == 0)
			continue;
		while (n > 0 && (s[n - 1] == ':' || s[n - 1] == '.'))
			n--;
		for (int k = 0; words[k]; k++)
			if (strlen(words[k]) == n && strncasecmp(s, words[k], n) == 0)
				return true;
		return false;
	}
	return false;
}

static int start_order(struct csv_ctx *x)
{
	arena_reset(x->arena);
	x->o = order_new(x->arena);
	if (x->o == NULL)
		return -1;
	x->o->format = "csv";
	const struct parse_input *in = x->in;
	if (in->header_text != NULL)
		text_extract_header(x->rules, in->header_text, strlen(in->header_text), x->o, x->out->diags);
	if (x->preamble.len > 0)
		text_extract_header(x->rules, x->preamble.data, x->preamble.len, x->o, x->out->diags);
	return arena_failed(x->arena) ? -1 : 0;
}

static int finish_order(struct csv_ctx *x)
{
	struct order *o = x->o;
	x->o = NULL;
	if (o == NULL || o->n_lines == 0)
		return 0;
	if (o->currency == NULL)
		o->currency = x->cols.currency;
	if (o->currency == NULL && x->map != NULL && x->map->currency[0] != '\0')
		o->currency = arena_strdup(o->arena, x->map->currency);
	x->out->n_orders++;
	if (x->out->emit != NULL && x->out->emit(x->out->ctx, o, x->out->diags) < 0)
		return -1;
	return 0;
}

/* Number cell: NULL and *bad when it is not one. */
static const char *number_cell(struct csv_ctx *x, unsigned line, enum col c, const char *s, size_t n,
			       bool *bad, const char **rest, size_t *rest_n, const char **pre, size_t *pre_n)
{
	const char *num, *post, *p;
	size_t nn, qn, pn;
	char tmp[64];
	if (n == 0)
		return NULL;
	split_number(s, n, &num, &nn, &p, &pn, &post, &qn);
	if (text_number(num, nn, x->decimal_comma, tmp, sizeof(tmp)) < 0 ||
	    (rest == NULL && qn > 0) || (pre == NULL && pn > 0)) {
		cell_error(x, line, c, "a number", s, n);
		*bad = true;
		return NULL;
	}
	if (rest)
		*rest = post, *rest_n = qn;
	if (pre)
		*pre = p, *pre_n = pn;
	return arena_strdup(x->arena, tmp);
}

/* The currency written around a price ("USD 1.20", "1,20 €"). */
static const char *price_currency(struct csv_ctx *x, unsigned line, enum col c, const char *a, size_t an,
				  const char *b, size_t bn, const char *s, size_t n, bool *bad)
{
	const char *cur = NULL;
	if (an > 0 && (cur = text_currency(a, an)) == NULL)
		goto bad;
	if (bn > 0) {
		const char *c2 = text_currency(b, bn);
		if (c2 == NULL && !(bn == 1 && b[0] == '/'))
			goto bad;
		if (cur == NULL)
			cur = c2;
	}
	return cur;
bad:
	cell_error(x, line, c, "a number", s, n);
	*bad = true;
	return NULL;
}

static int row(struct csv_ctx *x, const struct reader *r, unsigned line)
{
	size_t n, pn, qn;
	const char *s, *rest = NULL, *pre = NULL;
	if (record_empty(r))
		return 0;
	if (is_total_row(r)) {
		s = cell(x, r, C_AMOUNT, &n);
		bool bad = false;
		if (n > 0 && x->o != NULL) {
			const char *v = number_cell(x, line, C_AMOUNT, s, n, &bad, &rest, &qn, &pre, &pn);
			if (v != NULL)
				x->o->declared_amount = v;
		}
		return 0;
	}
	s = cell(x, r, C_PO_NUMBER, &n);
	if (n > 0 && x->o != NULL && x->o->n_lines > 0 &&
	    (x->o->po_number == NULL || strlen(x->o->po_number) != n || memcmp(x->o->po_number, s, n) != 0)) {
		if (finish_order(x) < 0)
			return -1;
	}
	if (x->o == NULL && start_order(x) < 0)
		return -1;
	struct order *o = x->o;
	if (n > 0)
		o->po_number = order_strn(o, s, n);
	/* a row without item, description and quantity is no order line */
	size_t n1, n2, n3, n4, n5;
	cell(x, r, C_ITEM, &n1), cell(x, r, C_SELLER_ITEM, &n2), cell(x, r, C_BUYER_ITEM, &n3);
	cell(x, r, C_DESCRIPTION, &n4), cell(x, r, C_QUANTITY, &n5);
	if (n1 + n2 + n3 + n4 + n5 == 0)
		return 0;
	struct order_line l;
	memset(&l, 0, sizeof(l));
	bool bad = false;
	s = cell(x, r, C_LINE_NO, &n);
	l.line_no = n ? order_strn(o, s, n) : arena_printf(o->arena, "%zu", o->n_lines + 1);
	s = cell(x, r, C_ITEM, &n);
	if (n > 0) {
		if (x->map != NULL && x->map->item_is_buyer)
			l.buyer_item_id = order_strn(o, s, n);
		else
			l.seller_item_id = order_strn(o, s, n);
	}
	if ((s = cell(x, r, C_SELLER_ITEM, &n)), n > 0)
		l.seller_item_id = order_strn(o, s, n);
	if ((s = cell(x, r, C_BUYER_ITEM, &n)), n > 0)
		l.buyer_item_id = order_strn(o, s, n);
	if ((s = cell(x, r, C_GTIN, &n)), n > 0)
		l.gtin = order_strn(o, s, n);
	if ((s = cell(x, r, C_MPN, &n)), n > 0)
		l.manufacturer_part_no = order_strn(o, s, n);
	if ((s = cell(x, r, C_DESCRIPTION, &n)), n > 0)
		l.description = order_strn(o, s, n > OG_MAX_FIELD_BYTES ? OG_MAX_FIELD_BYTES : n);
	if ((s = cell(x, r, C_HS_CODE, &n)), n > 0)
		l.hs_code = order_strn(o, s, n);
	s = cell(x, r, C_QUANTITY, &n);
	rest = NULL, qn = 0;
	l.quantity = number_cell(x, line, C_QUANTITY, s, n, &bad, &rest, &qn, NULL, NULL);
	const char *u = cell(x, r, C_UNIT, &n);
	if (n == 0 && qn > 0)
		u = rest, n = qn;   /* "500 pcs" */
	if (n > 0) {
		l.uom_original = order_strn(o, u, n);
		l.uom_code = text_uom_code(u, n);
	}
	const char *cur = NULL;
	s = cell(x, r, C_UNIT_PRICE, &n);
	l.unit_price = number_cell(x, line, C_UNIT_PRICE, s, n, &bad, &rest, &qn, &pre, &pn);
	if (l.unit_price != NULL)
		cur = price_currency(x, line, C_UNIT_PRICE, pre, pn, rest, qn, s, n, &bad);
	s = cell(x, r, C_AMOUNT, &n);
	l.line_amount = number_cell(x, line, C_AMOUNT, s, n, &bad, &rest, &qn, &pre, &pn);
	if (l.line_amount != NULL) {
		const char *c2 = price_currency(x, line, C_AMOUNT, pre, pn, rest, qn, s, n, &bad);
		if (cur == NULL)
			cur = c2;
	}
	s = cell(x, r, C_DELIVERY_DATE, &n);
	if (n > 0) {
		char tmp[16];
		if (text_date(s, n, tmp, sizeof(tmp)) < 0) {
			cell_error(x, line, C_DELIVERY_DATE, "a date (2027-01-20, 20.01.2027, 20 Jan 2027)", s, n);
			bad = true;
		} else {
			l.delivery_date = arena_strdup(o->arena, tmp);
		}
	}
	s = cell(x, r, C_CURRENCY, &n);
	if (n > 0) {
		const char *c3 = text_currency(s, n);
		if (c3 == NULL) {
			cell_error(x, line, C_CURRENCY, "a currency (USD, EUR, CNY, ...)", s, n);
			bad = true;
		}
		cur = c3;
	}
	if (bad)
		return arena_failed(o->arena) ? -1 : 0;
	if (cur != NULL && o->currency == NULL)
		o->currency = cur;
	else if (cur != NULL && strcmp(cur, o->currency) != 0) {
		char where[64];
		snprintf(where, sizeof(where), "line %u", line);
		diag_add(x->out->diags, DIAG_WARNING, where, "the price is in %s but the order currency is %s",
			 cur, o->currency);
	}
	struct order_line *ol = order_add_line(o);
	if (ol == NULL)
		return -1;
	*ol = l;
	return arena_failed(o->arena) ? -1 : 0;
}

static int csv_parse(const struct parse_input *in, struct parse_output *out)
{
	const struct csv_map *map = in->csv_map;
	size_t len;
	const char *charset;
	bool bad;
	int ret = -1;
	char *text = decode(in->data, in->len, map ? map->encoding : ENC_AUTO, &len, &charset, &bad);
	if (bad)
		diag_add(out->diags, DIAG_WARNING, NULL,
			 "the CSV is not valid %s; bad bytes were replaced by U+FFFD", charset);
	else if (strcmp(charset, "GB18030") == 0)
		diag_add(out->diags, DIAG_WARNING, NULL, "the CSV is not UTF-8; it was read as GB18030");
	char sep = map && map->sep ? map->sep : detect_separator(text, len);
	struct csv_ctx x = { .in = in, .out = out, .map = map, .rules = in->rules };
	x.decimal_comma = map && map->decimal_comma >= 0 ? map->decimal_comma == 1 : sep == ';';
	x.limit = in->max_order_bytes ? in->max_order_bytes : OG_MAX_ORDER_BYTES_DEFAULT;
	x.arena = arena_new(x.limit);
	buf_init(&x.preamble, 64 * 1024);
	struct reader *r = malloc(sizeof(*r));
	if (r == NULL)
		fatal("out of memory");
	reader_init(r, text, len, sep);
	unsigned line, rec = 0;
	bool have_header = false;
	int want = map ? map->header_row : -1;
	if (want == 0) {
		read_header(r, map, &x.cols);
		have_header = true;
	}
	while (next_record(r, &line)) {
		char where[64];
		snprintf(where, sizeof(where), "line %u", line);
		if (r->unterminated)
			diag_add(out->diags, DIAG_ERROR, where, "a quoted field is not closed before the end of the file");
		if (r->too_many)
			diag_add(out->diags, DIAG_WARNING, where, "more than %u fields; the rest are ignored",
				 OG_MAX_CSV_FIELDS);
		rec++;
		if (!have_header) {
			if (record_empty(r))
				continue;
			if ((want < 0 && read_header(r, map, &x.cols) >= 2) || (int)rec == want) {
				if (want > 0)
					read_header(r, map, &x.cols);
				have_header = true;
				continue;
			}
			if (rec > 20)
				break;
			/* "PO Number, 4500012345" above the table */
			for (size_t i = 0; i < r->n; i++) {
				size_t n;
				const char *s = field(r, i, &n);
				if (n == 0)
					continue;
				buf_add(&x.preamble, s, n);
				buf_adds(&x.preamble, i == 0 && !strchr(":：", s[n - 1]) ? ": " : " ");
			}
			buf_addc(&x.preamble, '\n');
			continue;
		}
		if (row(&x, r, line) < 0) {
			x.stop = 1;
			break;
		}
	}
	if (!have_header) {
		diag_add(out->diags, DIAG_ERROR, "line 1",
			 "no header row with known column names (such as item, qty, unit price, 货号, 数量) "
			 "in the first 20 rows");
		goto out;
	}
	if (x.stop) {
		if (x.o == NULL || arena_failed(x.arena))
			diag_add(out->diags, DIAG_ERROR, NULL, "the order is too large (limit %zu bytes)", x.limit);
		goto out;
	}
	if (x.o == NULL || x.o->n_lines == 0) {
		diag_add(out->diags, DIAG_WARNING, NULL, "no order lines in the CSV");
		ret = 0;
		goto out;
	}
	ret = finish_order(&x);
out:
	buf_free(&r->data);
	free(r);
	buf_free(&x.preamble);
	arena_free(&x.arena);
	free(text);
	return ret;
}

/* ~40 when the first rows split consistently and one is a known header. */
static int csv_sniff(const unsigned char *data, size_t len)
{
	size_t n = len < 16384 ? len : 16384;
	if (n == 0)
		return 0;
	/* cut at the last line end, so no character is split */
	if (n < len) {
		while (n > 0 && data[n - 1] != '\n')
			n--;
		if (n == 0)
			return 0;
	}
	size_t tlen;
	const char *charset;
	bool bad;
	char *text = decode(data, n, ENC_AUTO, &tlen, &charset, &bad);
	int score = 0;
	char sep = detect_separator(text, tlen);
	struct reader *r = malloc(sizeof(*r));
	if (r == NULL)
		fatal("out of memory");
	reader_init(r, text, tlen, sep);
	unsigned line;
	size_t fields = 0, same = 0, rows = 0;
	bool header = false;
	while (rows < 10 && next_record(r, &line)) {
		if (record_empty(r))
			continue;
		rows++;
		struct columns cols;
		if (!header && r->n > 1 && read_header(r, NULL, &cols) >= 2) {
			header = true;
			fields = r->n;
			continue;
		}
		if (header && r->n == fields)
			same++;
	}
	if (header && (same > 0 || rows == 1))
		score = 40;
	buf_free(&r->data);
	free(r);
	free(text);
	return score;
}

const struct parser csv_parser = { "csv", csv_sniff, csv_parse };
