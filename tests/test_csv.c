/* test_csv.c — the CSV parser, table-driven: separators, quoting, BOMs,
 * GBK bytes, decimal comma, bad rows, column maps, header text. */
#include "check.h"
#include "csv.h"
#include "text.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct got {
	int n;
	char po[64], po2[64], currency[8], incoterms[16], declared[32];
	size_t n_lines;
	char item0[64], buyer0[64], desc0[64], qty0[32], unit0[16], code0[8], price0[32], date0[16];
	char qty_last[32];
};

static int keep(void *ctx, struct order *o, struct diags *d)
{
	struct got *g = ctx;
	(void)d;
	if (g->n++ > 0) {
		snprintf(g->po2, sizeof(g->po2), "%s", o->po_number ? o->po_number : "");
		return 0;
	}
#define S(dst, v) snprintf(dst, sizeof(dst), "%s", (v) ? (v) : "")
	S(g->po, o->po_number);
	S(g->currency, o->currency);
	S(g->incoterms, o->incoterms_code);
	S(g->declared, o->declared_amount);
	g->n_lines = o->n_lines;
	if (o->n_lines > 0) {
		const struct order_line *l = &o->lines[0];
		S(g->item0, l->seller_item_id);
		S(g->buyer0, l->buyer_item_id);
		S(g->desc0, l->description);
		S(g->qty0, l->quantity);
		S(g->unit0, l->uom_original);
		S(g->code0, l->uom_code);
		S(g->price0, l->unit_price);
		S(g->date0, l->delivery_date);
		S(g->qty_last, o->lines[o->n_lines - 1].quantity);
	}
#undef S
	return 0;
}

static const char german_map[] =
	"[columns]\n"
	"seller_item = Art.-Nr.\n"
	"description = Bezeichnung\n"
	"quantity = Menge\n"
	"unit_price = Preis\n"
	"delivery_date = Liefertermin\n"
	"[options]\n"
	"separator = semicolon\n"
	"item = seller\n"
	"[defaults]\n"
	"currency = EUR\n";

static const char position_map[] =
	"[columns]\n"
	"buyer_item = #1\n"
	"quantity = #2\n"
	"unit_price = #3\n"
	"[options]\n"
	"header_row = none\n"
	"defaults = no\n";

struct csv_case {
	const char *name;
	const char *data;
	size_t len;                  /* 0: strlen */
	const char *map;             /* column map text, or NULL */
	const char *header_text;
	int ret, n_orders;
	size_t n_lines;
	const char *item0, *desc0, *qty0, *unit0, *code0, *price0, *date0, *qty_last;
	const char *po, *currency;
	const char *diag_where, *diag_msg;   /* one diagnostic that must be there */
};

static const struct csv_case cases[] = {
	{ "comma", "Item,Description,Qty,Unit,Price\nA-1,Mug,1000,pcs,1.20\nA-2,Cup,5,pcs,2\n", 0, NULL, NULL,
	  0, 1, 2, "A-1", "Mug", "1000", "pcs", "H87", "1.20", "", "5", "", "", NULL, NULL },
	{ "semicolon, decimal comma", "Artikel Nr;Item;Menge;Qty;Price\nx;B-1;;1.234,5;1,20\n", 0, NULL, NULL,
	  0, 1, 1, "B-1", "", "1234.5", "", "", "1.20", "", "1234.5", "", "", NULL, NULL },
	{ "tab", "SKU\tQty\tUOM\tUnit Price (EUR)\nT-1\t3\tkg\t9.5\n", 0, NULL, NULL,
	  0, 1, 1, "T-1", "", "3", "kg", "KGM", "9.5", "", "3", "", "EUR", NULL, NULL },
	{ "quotes and newlines", "item,description,qty\n\"Q-1\",\"Say \"\"hi\"\",\nthen go\",\"1,000\"\n", 0, NULL, NULL,
	  0, 1, 1, "Q-1", "Say \"hi\",\nthen go", "1000", "", "", "", "", "1000", "", "", NULL, NULL },
	{ "CRLF and UTF-8 BOM", "\xEF\xBB\xBFItem,Qty\r\nC-1,7\r\n", 0, NULL, NULL,
	  0, 1, 1, "C-1", "", "7", "", "", "", "", "7", "", "", NULL, NULL },
	{ "UTF-16LE BOM", "\xFF\xFEI\0t\0e\0m\0,\0Q\0t\0y\0\n\0U\0-\0" "1\0,\0" "2\0\n\0", 32, NULL, NULL,
	  0, 1, 1, "U-1", "", "2", "", "", "", "", "2", "", "", NULL, NULL },
	{ "UTF-16BE BOM", "\xFE\xFF\0I\0t\0e\0m\0,\0Q\0t\0y\0\n\0V\0-\0" "1\0,\0" "3\0\n", 32, NULL, NULL,
	  0, 1, 1, "V-1", "", "3", "", "", "", "", "3", "", "", NULL, NULL },
	/* GBK: 货号,数量,单位 / G-1,12,个 */
	{ "GBK", "\xBB\xF5\xBA\xC5,\xCA\xFD\xC1\xBF,\xB5\xA5\xCE\xBB\nG-1,12,\xB8\xF6\n", 0, NULL, NULL,
	  0, 1, 1, "G-1", "", "12", "个", "H87", "", "", "12", "", "", "", "it was read as GB18030" },
	{ "bad rows are left out", "Item,Qty,Delivery date\nR-1,1,2027-01-20\nR-2,abc,2027-01-20\nR-3,3,2027-02-30\nR-4,4,20.01.2027\n",
	  0, NULL, NULL, 0, 1, 2, "R-1", "", "1", "", "", "", "2027-01-20", "4", "", "",
	  "line 3, column \"Qty\"", "expected a number, found \"abc\"" },
	{ "bad date", "Item,Qty,Delivery date\nR-3,3,2027-02-30\nR-4,4,20.01.2027\n",
	  0, NULL, NULL, 0, 1, 1, "R-4", "", "4", "", "", "", "2027-01-20", "4", "", "",
	  "line 2, column \"Delivery date\"", "expected a date" },
	{ "quantity with unit, price with currency", "Item,Qty,Price\nP-1,500pcs,USD 1.20\nP-2,\"1,000 件\",$2\n",
	  0, NULL, NULL, 0, 1, 2, "P-1", "", "500", "pcs", "H87", "1.20", "", "1000", "", "USD", NULL, NULL },
	{ "header text and preamble", "PO Number,77-1\nItem,Qty\nH-1,2\nTotal,\n", 0, NULL,
	  "Dear supplier,\nIncoterms: FOB Xiamen\nCurrency: USD\n",
	  0, 1, 1, "H-1", "", "2", "", "", "", "", "2", "77-1", "USD", NULL, NULL },
	{ "several POs", "PO,Item,Qty\nA,X-1,1\nA,X-2,2\nB,X-3,3\n", 0, NULL, NULL,
	  0, 2, 2, "X-1", "", "1", "", "", "", "", "2", "A", "", NULL, NULL },
	{ "column map", "Art.-Nr.;Bezeichnung;Menge;Preis;Liefertermin\nBL-700;Mixer;400;18,90;15.03.2027\n",
	  0, german_map, NULL, 0, 1, 1, "BL-700", "Mixer", "400", "", "", "18.90", "2027-03-15", "400", "", "EUR",
	  NULL, NULL },
	{ "column map by position", "C-9,12,0.5\nC-8,13,0.6\n", 0, position_map, NULL,
	  0, 1, 2, "", "", "12", "", "", "0.5", "", "13", "", "", NULL, NULL },
	{ "no header row", "just,some,values\n1,2,3\n", 0, NULL, NULL,
	  -1, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, "line 1", "no header row" },
	{ "unterminated quote", "Item,Qty\nZ-1,\"5\n", 0, NULL, NULL,
	  0, 1, 1, "Z-1", "", "5", "", "", "", "", "5", "", "", "line 2", "not closed" },
};

static int run_csv(const char *data, size_t len, const struct csv_map *m, const char *header_text,
		   struct diags *d, struct got *g, size_t *n_orders)
{
	struct parse_output out;
	memset(g, 0, sizeof(*g));
	parse_output_init(&out, d);
	out.emit = keep;
	out.ctx = g;
	struct parse_input in = { .data = (const unsigned char *)data, .len = len ? len : strlen(data),
				  .csv_map = m, .header_text = header_text };
	int ret = csv_parser.parse(&in, &out);
	*n_orders = out.n_orders;
	parse_output_free(&out);
	return ret;
}

static void test_cases(void)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct csv_case *c = &cases[i];
		fprintf(stderr, "case: %s\n", c->name);
		struct diags d;
		diags_init(&d);
		struct csv_map *m = NULL;
		if (c->map != NULL)
			CHECK_INT(csv_map_load_mem("case.csvmap", c->map, strlen(c->map), &m, &d), 0);
		struct got g;
		size_t n_orders;
		CHECK_INT(run_csv(c->data, c->len, m, c->header_text, &d, &g, &n_orders), c->ret);
		CHECK_INT(g.n, c->n_orders);
		CHECK_INT(n_orders, c->n_orders);
		if (c->n_orders > 0) {
			CHECK_INT(g.n_lines, c->n_lines);
			CHECK_STR(g.item0, c->item0);
			CHECK_STR(g.desc0, c->desc0);
			CHECK_STR(g.qty0, c->qty0);
			CHECK_STR(g.unit0, c->unit0);
			CHECK_STR(g.code0, c->code0);
			CHECK_STR(g.price0, c->price0);
			CHECK_STR(g.date0, c->date0);
			CHECK_STR(g.qty_last, c->qty_last);
			CHECK_STR(g.po, c->po);
			CHECK_STR(g.currency, c->currency);
		}
		if (c->diag_msg != NULL) {
			bool found = false;
			for (size_t k = 0; k < d.n; k++)
				if (strstr(d.items[k].where, c->diag_where) && strstr(d.items[k].message, c->diag_msg))
					found = true;
			CHECK(found);
		}
		csv_map_free(&m);
		diags_free(&d);
	}
}

static void test_more(void)
{
	/* several POs: the second order gets its own number */
	struct diags d;
	diags_init(&d);
	struct got g;
	size_t n;
	CHECK_INT(run_csv("PO,Item,Qty\nA,X-1,1\nB,X-3,3\n", 0, NULL, NULL, &d, &g, &n), 0);
	CHECK_INT(n, 2);
	CHECK_STR(g.po2, "B");
	/* a totals row gives the declared amount */
	CHECK_INT(run_csv("Item,Qty,Amount\nX-1,1,\"1,000.00\"\nTotal,,\"1,000.00\"\n", 0, NULL, NULL, &d, &g, &n), 0);
	CHECK_STR(g.declared, "1000.00");
	CHECK_INT(g.n_lines, 1);
	diags_free(&d);

	/* sniffing */
	static const struct { const char *data; int want; } sniff[] = {
		{ "Item,Description,Qty\nA-1,Mug,5\nA-2,Cup,6\n", 40 },
		{ "货号;品名;数量\nA-1;杯;5\n", 40 },
		{ "Dear Sir, please, send, us, a quote.\nThanks, Anna\n", 0 },
		{ "PO No: 1\nItem: A, Qty: 5\n", 0 },
		{ "", 0 },
	};
	for (size_t i = 0; i < sizeof(sniff) / sizeof(sniff[0]); i++)
		CHECK_INT(csv_parser.sniff((const unsigned char *)sniff[i].data, strlen(sniff[i].data)), sniff[i].want);
}

static void test_map_errors(void)
{
	const char *text =
		"[columns]\n"                        /* 1 */
		"quantity = Menge, #0\n"             /* 2: bad position */
		"colour = Farbe\n"                   /* 3: unknown field */
		"[options]\n"                        /* 4 */
		"separator = pipe\n"                 /* 5 */
		"decimal_comma = maybe\n"            /* 6 */
		"header_row = 500\n"                 /* 7 */
		"[defaults]\n"                       /* 8 */
		"currency = dollars\n"               /* 9 */
		"[extras]\n";                        /* 10 */
	char path[] = "/tmp/test_csv.XXXXXX";
	int fd = mkstemp(path);
	CHECK(fd >= 0 && write(fd, text, strlen(text)) == (ssize_t)strlen(text));
	close(fd);
	struct diags d;
	diags_init(&d);
	struct csv_map *m = (struct csv_map *)1;
	CHECK_INT(csv_map_load(path, &m, &d), -1);
	CHECK(m == NULL);
	CHECK_INT(d.n_errors, 7);
	static const int lines[] = { 2, 3, 5, 6, 7, 9, 10 };
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		char where[64];
		snprintf(where, sizeof(where), "%s:%d", path, lines[i]);
		bool found = false;
		for (size_t k = 0; k < d.n; k++)
			found |= strcmp(d.items[k].where, where) == 0;
		if (!found)
			fprintf(stderr, "no error at %s\n", where);
		CHECK(found);
	}
	diags_free(&d);
	unlink(path);
}

int main(void)
{
	test_cases();
	test_more();
	test_map_errors();
	return check_status();
}
