/* test_xml.c — the safe XML reader and the UBL and cXML parsers.
 *
 * The three XML attacks (XXE, billion laughs, external DTD fetch), namespace
 * handling by URI, the size and depth limits, encodings, empty and huge
 * values, sniffing, and the field mapping of sections 5 and 6 on small
 * documents written for these tests.  The corpus files are checked
 * end to end by test_xml_corpus.py. */
#include "check.h"
#include "cxml.h"
#include "limits.h"
#include "order.h"
#include "parser.h"
#include "ubl.h"
#include "ubl_response.h"
#include "xmlsafe.h"
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define NS_ORDER "urn:oasis:names:specification:ubl:schema:xsd:Order-2"
#define UBL_OPEN "<Order xmlns=\"" NS_ORDER "\" xmlns:cac=\"" UBL_NS_CAC "\" xmlns:cbc=\"" UBL_NS_CBC "\">"

/* One parse: the emitted order (re-read from its JSON), the diagnostics. */
struct result {
	int ret;
	size_t n_orders;
	const char *not_order;
	struct arena *a;
	struct order *o;
	struct diags d;
	struct buf json;
};

static int keep(void *ctx, struct order *o, struct diags *od)
{
	(void)od;
	struct result *r = ctx;
	buf_reset(&r->json);
	return order_to_json(o, &r->json);
}

static void run(const struct parser *p, const char *doc, size_t len, struct result *r)
{
	memset(r, 0, sizeof(*r));
	diags_init(&r->d);
	buf_init(&r->json, 1u << 24);
	struct parse_output out;
	parse_output_init(&out, &r->d);
	out.emit = keep;
	out.ctx = r;
	struct parse_input in = { .data = (const unsigned char *)doc, .len = len, .name = "test" };
	r->ret = p->parse(&in, &out);
	r->n_orders = out.n_orders;
	r->not_order = out.not_order;
	r->a = arena_new(1u << 24);
	if (r->json.len > 0) {
		const char *err = NULL;
		if (order_from_json(r->a, r->json.data, r->json.len, &r->o, &err) < 0)
			fprintf(stderr, "order_from_json: %s\n", err);
	}
	parse_output_free(&out);
}

static void run_s(const struct parser *p, const char *doc, struct result *r)
{
	run(p, doc, strlen(doc), r);
}

static void done(struct result *r)
{
	diags_free(&r->d);
	buf_free(&r->json);
	arena_free(&r->a);
}

/* Does any diagnostic's where+message contain s? */
static int has_diag(const struct result *r, const char *s)
{
	for (size_t i = 0; i < r->d.n; i++)
		if (strstr(r->d.items[i].message, s) || strstr(r->d.items[i].where, s))
			return 1;
	return 0;
}

static void dump_diags(const struct result *r)
{
	for (size_t i = 0; i < r->d.n; i++)
		fprintf(stderr, "  diag: %s: %s\n", r->d.items[i].where, r->d.items[i].message);
}

/* ---- the three attacks ---------------------------------------------------------- */

static void test_xxe(void)
{
	static const char *const docs[] = {
		/* general external entity */
		"<?xml version=\"1.0\"?>\n<!DOCTYPE Order [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>\n"
		UBL_OPEN "<cbc:ID>&xxe;</cbc:ID></Order>",
		/* external parameter entity */
		"<?xml version=\"1.0\"?>\n<!DOCTYPE Order [<!ENTITY % p SYSTEM \"file:///etc/passwd\"> %p;]>\n"
		UBL_OPEN "<cbc:ID>1</cbc:ID></Order>",
		/* the same in cXML */
		"<!DOCTYPE cXML [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>"
		"<cXML payloadID=\"&xxe;\"><Request><OrderRequest><OrderRequestHeader orderID=\"&xxe;\"/>"
		"</OrderRequest></Request></cXML>",
	};
	for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		struct result r;
		run_s(i < 2 ? &ubl_parser : &cxml_parser, docs[i], &r);
		CHECK_INT(r.ret, -1);
		CHECK_INT(r.n_orders, 0);
		CHECK(has_diag(&r, "entity declaration"));
		CHECK(has_diag(&r, "XML line 2") || i == 2);
		CHECK(r.json.data == NULL || strstr(r.json.data, "root:") == NULL);
		done(&r);
	}
	/* The process-wide loader refuses every URL, whoever asks. */
	struct result r;
	run_s(&ubl_parser, UBL_OPEN "<cbc:ID>1</cbc:ID></Order>", &r);
	CHECK_INT(r.n_orders, 1);
	done(&r);
	xmlParserCtxt *ctxt = xmlNewParserCtxt();
	xmlParserInput *pin = xmlLoadExternalEntity("file:///etc/passwd", NULL, ctxt);
	CHECK(pin == NULL);
	if (pin != NULL)
		xmlFreeInputStream(pin);
	xmlFreeParserCtxt(ctxt);
}

static void test_billion_laughs(void)
{
	struct buf b;
	buf_init(&b, 1u << 20);
	buf_adds(&b, "<?xml version=\"1.0\"?>\n<!DOCTYPE Order [\n<!ENTITY lol \"lol\">\n");
	for (int i = 1; i <= 9; i++) {
		char prev[16];
		snprintf(prev, sizeof(prev), i == 1 ? "lol" : "lol%d", i - 1);
		buf_printf(&b, "<!ENTITY lol%d \"", i);
		for (int k = 0; k < 10; k++)
			buf_printf(&b, "&%s;", prev);
		buf_adds(&b, "\">\n");
	}
	buf_adds(&b, "]>\n" UBL_OPEN "<cbc:ID>&lol9;</cbc:ID><cbc:Note>&lol9;</cbc:Note></Order>");
	clock_t t0 = clock();
	struct result r;
	run_s(&ubl_parser, b.data, &r);
	double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
	CHECK_INT(r.ret, -1);
	CHECK_INT(r.n_orders, 0);
	CHECK(has_diag(&r, "entity declaration \"lol\" refused"));
	CHECK(has_diag(&r, "XML line 3"));
	CHECK(secs < 1.0);
	done(&r);
	buf_free(&b);
}

static void test_doctype_not_fetched(void)
{
	/* A SYSTEM id that would fail loudly if anything tried to read it. */
	static const char *const docs[] = {
		"<?xml version=\"1.0\"?>\n<!DOCTYPE cXML SYSTEM \"http://xml.cxml.org/schemas/cXML/1.2.050/cXML.dtd\">\n"
		"<cXML payloadID=\"p1\" timestamp=\"2025-01-10T09:30:00+00:00\"><Request><OrderRequest>"
		"<OrderRequestHeader orderID=\"PO-1\" orderDate=\"2025-01-10T09:30:00+00:00\"/></OrderRequest></Request></cXML>",
		"<!DOCTYPE cXML SYSTEM \"file:///etc/passwd\">"
		"<cXML payloadID=\"p2\"><Request><OrderRequest>"
		"<OrderRequestHeader orderID=\"PO-2\" orderDate=\"2025-01-10\"/></OrderRequest></Request></cXML>",
	};
	for (size_t i = 0; i < 2; i++) {
		struct result r;
		run_s(&cxml_parser, docs[i], &r);
		CHECK_INT(r.ret, 0);
		CHECK_INT(r.n_orders, 1);
		CHECK_INT(r.d.n, 0);
		if (r.o) {
			CHECK_STR(r.o->po_number, i == 0 ? "PO-1" : "PO-2");
			CHECK_STR(r.o->format_version, i == 0 ? "1.2.050" : NULL);
		}
		dump_diags(&r);
		done(&r);
	}
}

/* ---- well-formedness, limits, encodings -------------------------------------- */

static void test_malformed_quiet(void)
{
	/* libxml2 must not print: capture fd 2 while parsing. */
	fflush(stderr);
	char path[] = "/tmp/test_xml_stderrXXXXXX";
	int fd = mkstemp(path), saved = dup(2);
	CHECK(fd >= 0 && saved >= 0);
	dup2(fd, 2);
	struct result r;
	run_s(&ubl_parser, "<?xml version=\"1.0\"?>\n" UBL_OPEN "\n  <cbc:ID>1</cbc:IDX>\n</Order>", &r);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	off_t size = lseek(fd, 0, SEEK_END);
	close(fd);
	unlink(path);
	CHECK_INT(size, 0);
	CHECK_INT(r.ret, -1);
	CHECK(r.d.n >= 1);
	if (r.d.n >= 1) {
		CHECK_STR(r.d.items[0].where, "XML line 3, column 22");
		CHECK(strstr(r.d.items[0].message, "not well-formed XML: ") == r.d.items[0].message);
		CHECK(strstr(r.d.items[0].message, "mismatch") != NULL);
	}
	done(&r);
}

static void test_limits(void)
{
	/* Depth: 250 levels are fine, 300 are not. */
	for (int depth = 250; depth <= 300; depth += 50) {
		struct buf b;
		buf_init(&b, 1u << 20);
		buf_adds(&b, UBL_OPEN "<cbc:ID>D</cbc:ID>");
		for (int i = 0; i < depth; i++)
			buf_adds(&b, "<cac:X>");
		for (int i = 0; i < depth; i++)
			buf_adds(&b, "</cac:X>");
		buf_adds(&b, "</Order>");
		struct result r;
		run_s(&ubl_parser, b.data, &r);
		CHECK_INT(r.n_orders, depth == 250 ? 1 : 0);
		CHECK_INT(has_diag(&r, "nested deeper than 256 levels"), depth == 250 ? 0 : 1);
		done(&r);
		buf_free(&b);
	}
	/* Size: the reader's own limit. */
	struct diags d;
	diags_init(&d);
	xmlDoc *doc = NULL;
	const char *small = "<a>0123456789</a>";
	CHECK_INT(xmlsafe_read((const unsigned char *)small, strlen(small), 10, &d, &doc), -1);
	CHECK(doc == NULL);
	CHECK(d.n == 1 && strstr(d.items[0].message, "exceeds the limit of 10 bytes") != NULL);
	diags_free(&d);
	diags_init(&d);
	CHECK_INT(xmlsafe_read((const unsigned char *)small, strlen(small), 100, &d, &doc), 0);
	xmlsafe_free(&doc);
	CHECK(doc == NULL);
	diags_free(&d);
}

static void test_huge_text(void)
{
	/* 1 MB description: kept, cut to OG_MAX_FIELD_BYTES with a warning. */
	size_t n = 1u << 20;
	struct buf b;
	buf_init(&b, 16u << 20);
	buf_adds(&b, UBL_OPEN "<cbc:ID>H</cbc:ID><cac:OrderLine><cac:LineItem><cbc:ID>1</cbc:ID>"
		 "<cac:Item><cbc:Name>");
	for (size_t i = 0; i < n; i++)
		buf_addc(&b, i % 2 ? 'x' : 'y');
	buf_adds(&b, "</cbc:Name></cac:Item></cac:LineItem></cac:OrderLine></Order>");
	struct result r;
	run_s(&ubl_parser, b.data, &r);
	CHECK_INT(r.n_orders, 1);
	CHECK(has_diag(&r, "cut to 4096"));
	if (r.o && r.o->n_lines == 1)
		CHECK_INT(strlen(r.o->lines[0].description), OG_MAX_FIELD_BYTES);
	done(&r);
	/* 11 MB in one text node: libxml2 2.9 keeps it, the record gets 4096
	 * bytes and a warning (a libxml2 that refuses it must say so). */
	buf_reset(&b);
	buf_adds(&b, UBL_OPEN "<cbc:Note>");
	for (size_t i = 0; i < 11u << 20; i++)
		buf_addc(&b, 'z');
	buf_adds(&b, "</cbc:Note></Order>");
	run(&ubl_parser, b.data, b.len, &r);
	if (r.ret == 0) {
		CHECK_INT(r.n_orders, 1);
		CHECK(has_diag(&r, "<Note> holds 11534336 bytes; cut to 4096"));
		CHECK(r.o && r.o->n_notes == 1 && strlen(r.o->notes[0]) == OG_MAX_FIELD_BYTES);
	} else {
		CHECK_INT(r.n_orders, 0);
		CHECK(has_diag(&r, "huge text node"));
	}
	done(&r);
	buf_free(&b);
}

static void test_encodings_and_empty(void)
{
	/* Latin-1 declared: "Rådhusgatan" arrives as UTF-8. */
	struct result r;
	run_s(&ubl_parser, "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>" UBL_OPEN
	      "<cbc:ID>L1</cbc:ID><cac:BuyerCustomerParty><cac:Party><cac:PartyName><cbc:Name>R\xe5" "dhus</cbc:Name>"
	      "</cac:PartyName></cac:Party></cac:BuyerCustomerParty></Order>", &r);
	CHECK_INT(r.n_orders, 1);
	if (r.o && r.o->parties[ROLE_BUYER])
		CHECK_STR(r.o->parties[ROLE_BUYER]->name, "R\xc3\xa5" "dhus");
	done(&r);
	/* Empty and blank elements give nulls, never crashes. */
	run_s(&ubl_parser, UBL_OPEN "<cbc:ID/><cbc:IssueDate>  </cbc:IssueDate><cbc:DocumentCurrencyCode></cbc:DocumentCurrencyCode>"
	      "<cac:BuyerCustomerParty/><cac:Delivery/><cac:OrderLine/><cac:OrderLine><cac:LineItem>"
	      "<cbc:ID/><cbc:Quantity unitCode=\"\"/><cac:Price/><cac:Item/></cac:LineItem></cac:OrderLine></Order>", &r);
	CHECK_INT(r.n_orders, 1);
	if (r.o) {
		CHECK_STR(r.o->po_number, NULL);
		CHECK_STR(r.o->order_date, NULL);
		CHECK_STR(r.o->currency, NULL);
		CHECK_INT(r.o->n_lines, 2);
		if (r.o->n_lines == 2) {
			CHECK_STR(r.o->lines[1].quantity, NULL);
			CHECK_STR(r.o->lines[1].uom_code, NULL);
		}
	}
	CHECK(has_diag(&r, "without <LineItem>"));
	done(&r);
	/* UTF-16 with BOM is sniffed and parsed. */
	const char *ascii = "<?xml version=\"1.0\" encoding=\"UTF-16\"?><cXML payloadID=\"u16\"><Request><OrderRequest>"
			    "<OrderRequestHeader orderID=\"W\" orderDate=\"2025-02-01\"/></OrderRequest></Request></cXML>";
	size_t an = strlen(ascii);
	char *u16 = malloc(2 + 2 * an);
	u16[0] = (char)0xFF;
	u16[1] = (char)0xFE;
	for (size_t i = 0; i < an; i++) {
		u16[2 + 2 * i] = ascii[i];
		u16[3 + 2 * i] = 0;
	}
	CHECK_INT(cxml_sniff((const unsigned char *)u16, 2 + 2 * an), 95);
	run(&cxml_parser, u16, 2 + 2 * an, &r);
	CHECK_INT(r.n_orders, 1);
	if (r.o)
		CHECK_STR(r.o->po_number, "W");
	done(&r);
	free(u16);
}

/* ---- namespaces -------------------------------------------------------------------- */

static void test_namespaces(void)
{
	static const struct { const char *doc, *po; int orders; } cases[] = {
		/* prefixes renamed */
		{ "<o:Order xmlns:o=\"" NS_ORDER "\" xmlns:x=\"" UBL_NS_CAC "\" xmlns:y=\"" UBL_NS_CBC "\">"
		  "<y:ID>P1</y:ID><x:OrderLine><x:LineItem><y:ID>1</y:ID></x:LineItem></x:OrderLine></o:Order>", "P1", 1 },
		/* default namespace switched per element */
		{ "<Order xmlns=\"" NS_ORDER "\"><ID xmlns=\"" UBL_NS_CBC "\">P2</ID>"
		  "<OrderLine xmlns=\"" UBL_NS_CAC "\"><LineItem><ID xmlns=\"" UBL_NS_CBC "\">1</ID></LineItem></OrderLine></Order>", "P2", 1 },
		/* the usual prefix bound to a wrong namespace: not read */
		{ "<Order xmlns=\"" NS_ORDER "\" xmlns:cbc=\"urn:example:not-ubl\"><cbc:ID>P3</cbc:ID></Order>", NULL, 1 },
		/* an element without namespace is not a cbc:ID */
		{ "<Order xmlns=\"" NS_ORDER "\"><ID xmlns=\"\">P4</ID></Order>", NULL, 1 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct result r;
		run_s(&ubl_parser, cases[i].doc, &r);
		CHECK_INT(r.n_orders, (size_t)cases[i].orders);
		CHECK_INT(ubl_sniff((const unsigned char *)cases[i].doc, strlen(cases[i].doc)), 95);
		if (r.o) {
			CHECK_STR(r.o->po_number, cases[i].po);
			CHECK_INT(r.o->n_lines, i < 2 ? 1 : 0);
		}
		done(&r);
	}
	/* cXML in a namespace is not cXML. */
	struct result r;
	run_s(&cxml_parser, "<cXML xmlns=\"urn:x\"><Request><OrderRequest><OrderRequestHeader orderID=\"1\"/></OrderRequest></Request></cXML>", &r);
	CHECK_INT(r.ret, -1);
	CHECK(has_diag(&r, "without namespace"));
	done(&r);
}

/* The compiled-path cache (xmlsafe_path) finds exactly what xmlsafe_get
 * finds: same node or NULL, on namespace traps (a wrong-namespace child
 * first, a redeclared prefix, a no-namespace twin), missing names, an
 * unknown prefix, empty steps, a path longer than the cache compiles,
 * and each path asked twice (the second answer comes from the cache). */
static void test_paths(void)
{
	static const char doc_s[] =
		UBL_OPEN
		"<cbc:ID>P</cbc:ID>"
		"<x:Note xmlns:x=\"urn:other\">wrong ns</x:Note><cbc:Note>n1</cbc:Note>"
		"<Note xmlns=\"\">no ns</Note>"
		"<cac:A><cac:B><cac:C><cac:D><cbc:E>deep</cbc:E></cac:D></cac:C></cac:B></cac:A>"
		"<cac:Delivery xmlns:cac=\"" UBL_NS_CAC "\"><cbc:ID>D1</cbc:ID></cac:Delivery>"
		"<cac:Delivery><cbc:ID>D2</cbc:ID></cac:Delivery>"
		"</Order>";
	static const char *const paths[] = {
		"cbc:ID", "cbc:Note", "Note", "cac:Delivery/cbc:ID", "cac:A/cac:B/cac:C/cac:D",
		"cac:A/cac:B/cac:C/cac:D/cbc:E", "cac:A/cac:B/cac:C/cac:D/cbc:E/cbc:F",
		"cbc:Missing", "cac:Delivery/cbc:Missing", "zz:ID", "cbc:", "cac:Delivery//cbc:ID",
		"cac:Delivery/", "", "ID", "cbc:Note/x", "cac:A/cbc:B",
	};
	struct diags d;
	diags_init(&d);
	xmlDoc *doc = NULL;
	CHECK_INT(xmlsafe_read((const unsigned char *)doc_s, sizeof(doc_s) - 1, 0, &d, &doc), 0);
	if (doc == NULL) {
		diags_free(&d);
		return;
	}
	const xmlNode *root = xmlDocGetRootElement(doc);
	struct xmlsafe_ns t1[] = { { "cac", UBL_NS_CAC, NULL }, { "cbc", UBL_NS_CBC, NULL }, { NULL, NULL, NULL } };
	struct xmlsafe_ns t2[3];
	memcpy(t2, t1, sizeof(t2));
	struct xmlsafe_paths cache;
	struct xmlsafe_paths *p = xmlsafe_paths_init(&cache, doc, t2);
	CHECK(p != NULL);
	for (int round = 0; round < 2 && p != NULL; round++)
		for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
			const xmlNode *want = xmlsafe_get(root, t1, paths[i]);
			const xmlNode *got = xmlsafe_path(p, root, paths[i]);
			if (got != want)
				fprintf(stderr, "path \"%s\" (round %d): cache and xmlsafe_get differ\n", paths[i], round);
			CHECK(got == want);
		}
	/* The traps found what they should. */
	struct arena *a = arena_new(1u << 16);
	CHECK_STR(xmlsafe_text(a, &d, xmlsafe_path(p, root, "cbc:Note")), "n1");
	CHECK_STR(xmlsafe_text(a, &d, xmlsafe_path(p, root, "Note")), "no ns");
	CHECK_STR(xmlsafe_text(a, &d, xmlsafe_path(p, root, "cac:Delivery/cbc:ID")), "D1");
	CHECK_STR(xmlsafe_text(a, &d, xmlsafe_path(p, root, "cac:A/cac:B/cac:C/cac:D/cbc:E")), "deep");
	CHECK(xmlsafe_path(p, NULL, "cbc:ID") == NULL);
	/* No-namespace paths (cXML) through a cache without a table. */
	static const char cx[] = "<cXML><Request><OrderRequest/></Request><Request xmlns=\"urn:x\"/></cXML>";
	xmlDoc *doc2 = NULL;
	CHECK_INT(xmlsafe_read((const unsigned char *)cx, sizeof(cx) - 1, 0, &d, &doc2), 0);
	if (doc2 != NULL) {
		const xmlNode *r2 = xmlDocGetRootElement(doc2);
		p = xmlsafe_paths_init(&cache, doc2, NULL);
		static const char *const cpaths[] = { "Request/OrderRequest", "Request", "cXML", "Request/x:Y", "Request/OrderRequest/Z" };
		for (size_t i = 0; p != NULL && i < sizeof(cpaths) / sizeof(cpaths[0]); i++)
			CHECK(xmlsafe_path(p, r2, cpaths[i]) == xmlsafe_get(r2, NULL, cpaths[i]));
		CHECK(p != NULL && xmlsafe_path(p, r2, "Request/OrderRequest") != NULL);
		xmlsafe_free(&doc2);
	}
	arena_free(&a);
	xmlsafe_free(&doc);
	diags_free(&d);
}

/* ---- sniffing ------------------------------------------------------------------------ */

static void test_sniff(void)
{
	static const struct { const char *doc; int ubl, cxml; } cases[] = {
		{ "\xef\xbb\xbf<?xml version=\"1.0\"?>\n<!-- c -->\n<!DOCTYPE Order [ <!ELEMENT x (#PCDATA)> ]>\n<?pi x?>" UBL_OPEN "</Order>", 95, 0 },
		{ "<OrderCancellation xmlns=\"urn:oasis:names:specification:ubl:schema:xsd:OrderCancellation-2\"/>", 95, 0 },
		{ "<ubl:OrderResponseSimple xmlns:ubl=\"urn:oasis:names:specification:ubl:schema:xsd:OrderResponseSimple-2\"/>", 95, 0 },
		{ "<Invoice xmlns=\"urn:oasis:names:specification:ubl:schema:xsd:Invoice-2\"/>", 0, 0 },
		{ "<Order xmlns=\"urn:oasis:names:specification:ubl:schema:xsd:OrderChange-2\"/>", 0, 0 },
		{ "<Order/>", 0, 0 },
		{ "<?xml version=\"1.0\"?><!DOCTYPE cXML SYSTEM \"http://xml.cxml.org/schemas/cXML/1.2.014/cXML.dtd\"><cXML payloadID=\"x\">", 0, 95 },
		{ "<cXML version=\"1.2.020\" payloadID=\"1\"><Response/></cXML>", 0, 95 },
		{ "ISA*00*          *00*", 0, 0 },
		{ "", 0, 0 },
		{ "<", 0, 0 },
		{ "<Order xmlns=\"" NS_ORDER, 0, 0 },      /* start tag cut */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const unsigned char *d = (const unsigned char *)cases[i].doc;
		size_t n = strlen(cases[i].doc);
		CHECK_INT(ubl_sniff(d, n), cases[i].ubl);
		CHECK_INT(cxml_sniff(d, n), cases[i].cxml);
	}
	CHECK(parser_find("ubl") == &ubl_parser);
	CHECK(parser_find("cxml") == &cxml_parser);
}

/* ---- mapping ------------------------------------------------------------------------- */

static const char peppol[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	"<Order xmlns=\"" NS_ORDER "\" xmlns:cac=\"" UBL_NS_CAC "\" xmlns:cbc=\"" UBL_NS_CBC "\">\n"
	"<cbc:CustomizationID>urn:fdc:peppol.eu:poacc:trns:order:3</cbc:CustomizationID>\n"
	"<cbc:ProfileID>urn:fdc:peppol.eu:poacc:bis:ordering:3</cbc:ProfileID>\n"
	"<cbc:ID>PO-45003</cbc:ID><cbc:CopyIndicator>true</cbc:CopyIndicator><cbc:IssueDate>2025-01-10</cbc:IssueDate>\n"
	"<cbc:OrderTypeCode>220</cbc:OrderTypeCode><cbc:Note>Rush</cbc:Note><cbc:DocumentCurrencyCode>eur</cbc:DocumentCurrencyCode>\n"
	"<cbc:CustomerReference>CR-9</cbc:CustomerReference>\n"
	"<cac:BuyerCustomerParty><cac:Party><cbc:EndpointID schemeID=\"0088\">5412345000013</cbc:EndpointID>\n"
	"<cac:PartyIdentification><cbc:ID schemeID=\"0060\">123456789</cbc:ID></cac:PartyIdentification>\n"
	"<cac:PartyName><cbc:Name>ACME Imports</cbc:Name></cac:PartyName>\n"
	"<cac:PostalAddress><cbc:StreetName>Main St</cbc:StreetName><cbc:BuildingNumber>1</cbc:BuildingNumber>"
	"<cbc:CityName>Chicago</cbc:CityName><cbc:PostalZone>60601</cbc:PostalZone><cbc:CountrySubentity>IL</cbc:CountrySubentity>"
	"<cac:Country><cbc:IdentificationCode>us</cbc:IdentificationCode></cac:Country></cac:PostalAddress>\n"
	"<cac:PartyTaxScheme><cbc:CompanyID>US123</cbc:CompanyID><cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:PartyTaxScheme>\n"
	"<cac:Contact><cbc:Name>Ann</cbc:Name><cbc:Telephone>+1 312 555</cbc:Telephone><cbc:ElectronicMail>ann@acme.example</cbc:ElectronicMail></cac:Contact>\n"
	"</cac:Party></cac:BuyerCustomerParty>\n"
	"<cac:SellerSupplierParty><cac:Party><cbc:EndpointID schemeID=\"0192\">987654325</cbc:EndpointID></cac:Party></cac:SellerSupplierParty>\n"
	"<cac:AccountingCustomerParty><cac:Party><cac:PartyName><cbc:Name>ACME AP</cbc:Name></cac:PartyName></cac:Party></cac:AccountingCustomerParty>\n"
	"<cac:Delivery><cac:DeliveryLocation><cbc:ID schemeID=\"0088\">4012345000108</cbc:ID><cac:Address>"
	"<cbc:StreetName>Hafenstrasse 1</cbc:StreetName><cbc:CityName>Hamburg</cbc:CityName><cac:Country><cbc:IdentificationCode>DE</cbc:IdentificationCode></cac:Country>"
	"</cac:Address></cac:DeliveryLocation>\n"
	"<cac:RequestedDeliveryPeriod><cbc:StartDate>2025-03-15</cbc:StartDate><cbc:EndDate>2025-03-15</cbc:EndDate></cac:RequestedDeliveryPeriod>\n"
	"<cac:DeliveryParty><cac:PartyName><cbc:Name>ACME DC</cbc:Name></cac:PartyName></cac:DeliveryParty>\n"
	"<cac:Despatch><cbc:RequestedDespatchDate>2025-02-20</cbc:RequestedDespatchDate></cac:Despatch>\n"
	"<cac:Shipment><cbc:ID>1</cbc:ID><cac:ShipmentStage><cbc:TransportModeCode>1</cbc:TransportModeCode>"
	"<cac:LoadingPortLocation><cbc:ID>CNSHA</cbc:ID></cac:LoadingPortLocation>"
	"<cac:UnloadingPortLocation><cbc:Name>Hamburg</cbc:Name></cac:UnloadingPortLocation></cac:ShipmentStage></cac:Shipment>\n"
	"</cac:Delivery>\n"
	"<cac:DeliveryTerms><cbc:ID>FOB</cbc:ID><cac:DeliveryLocation><cbc:ID>FOB Shanghai</cbc:ID></cac:DeliveryLocation></cac:DeliveryTerms>\n"
	"<cac:PaymentTerms><cbc:Note>Net 30 days</cbc:Note></cac:PaymentTerms>\n"
	"<cac:AnticipatedMonetaryTotal><cbc:LineExtensionAmount currencyID=\"EUR\">2820.00</cbc:LineExtensionAmount>"
	"<cbc:PayableAmount currencyID=\"EUR\">2820.00</cbc:PayableAmount></cac:AnticipatedMonetaryTotal>\n"
	"<cac:OrderLine><cbc:Note>fragile</cbc:Note><cac:LineItem><cbc:ID>1</cbc:ID><cbc:Quantity unitCode=\"PCE\">1200</cbc:Quantity>"
	"<cbc:LineExtensionAmount currencyID=\"USD\">2820.00</cbc:LineExtensionAmount>"
	"<cac:Delivery><cac:RequestedDeliveryPeriod><cbc:EndDate>2025-03-10</cbc:EndDate></cac:RequestedDeliveryPeriod></cac:Delivery>"
	"<cac:Price><cbc:PriceAmount currencyID=\"EUR\">2.35</cbc:PriceAmount><cbc:BaseQuantity unitCode=\"PCE\">1</cbc:BaseQuantity></cac:Price>"
	"<cac:Item><cbc:Name>Steel bracket 40mm</cbc:Name>"
	"<cac:BuyersItemIdentification><cbc:ID>A-100</cbc:ID></cac:BuyersItemIdentification>"
	"<cac:SellersItemIdentification><cbc:ID>X-100</cbc:ID></cac:SellersItemIdentification>"
	"<cac:ManufacturersItemIdentification><cbc:ID>M-7</cbc:ID></cac:ManufacturersItemIdentification>"
	"<cac:StandardItemIdentification><cbc:ID schemeID=\"0160\">4012345123456</cbc:ID></cac:StandardItemIdentification>"
	"<cac:CommodityClassification><cbc:ItemClassificationCode listID=\"STI\">999</cbc:ItemClassificationCode></cac:CommodityClassification>"
	"<cac:CommodityClassification><cbc:ItemClassificationCode listID=\"HS\">7326909890</cbc:ItemClassificationCode></cac:CommodityClassification>"
	"</cac:Item></cac:LineItem></cac:OrderLine>\n</Order>\n";

static void test_ubl_mapping(void)
{
	struct result r;
	run_s(&ubl_parser, peppol, &r);
	CHECK_INT(r.ret, 0);
	CHECK_INT(r.n_orders, 1);
	struct order *o = r.o;
	CHECK(o != NULL);
	if (o == NULL)
		return;
	CHECK_STR(o->format, "ubl-order");
	CHECK_STR(o->format_version, "2.1");
	CHECK_STR(o->document_type, "new");
	CHECK(o->is_duplicate_flag);
	CHECK_STR(o->po_number, "PO-45003");
	CHECK_STR(o->order_date, "2025-01-10");
	CHECK_STR(o->order_type, "220");
	CHECK_STR(o->currency, "EUR");
	CHECK_STR(o->ref_customer, "CR-9");
	CHECK_INT(o->n_notes, 2);
	CHECK_STR(o->notes[0], "CopyIndicator: the sender marked this document as a copy");
	CHECK_STR(o->notes[1], "Rush");
	CHECK_STR(o->source.sender, "0088:5412345000013");
	CHECK_STR(o->source.message, "PO-45003");
	struct party *b = o->parties[ROLE_BUYER];
	CHECK(b != NULL && b->n_ids == 3);
	if (b != NULL && b->n_ids == 3) {
		CHECK_STR(b->ids[0].scheme, "GLN");
		CHECK_STR(b->ids[1].scheme, "DUNS");
		CHECK_STR(b->ids[2].scheme, "VAT");
		CHECK_STR(b->name, "ACME Imports");
		CHECK_STR(b->address_lines[0], "Main St 1");
		CHECK_STR(b->country, "US");
		CHECK_STR(b->region, "IL");
		CHECK_STR(b->contact_email, "ann@acme.example");
	}
	CHECK(o->parties[ROLE_SELLER] && o->parties[ROLE_SELLER]->n_ids == 1 &&
	      strcmp(o->parties[ROLE_SELLER]->ids[0].scheme, "PEPPOL_EAS:0192") == 0);
	CHECK(o->parties[ROLE_BILL_TO] && strcmp(o->parties[ROLE_BILL_TO]->name, "ACME AP") == 0);
	struct party *st = o->parties[ROLE_SHIP_TO];
	CHECK(st != NULL);
	if (st != NULL) {
		CHECK_STR(st->name, "ACME DC");
		CHECK_STR(st->city, "Hamburg");
		CHECK(st->n_ids == 1 && strcmp(st->ids[0].value, "4012345000108") == 0);
	}
	CHECK_STR(o->requested_delivery_date, "2025-03-15");
	CHECK_STR(o->window_earliest, NULL);
	CHECK_STR(o->ship_by_date, "2025-02-20");
	CHECK_STR(o->transport_mode, "1");
	CHECK_STR(o->port_of_loading, "CNSHA");
	CHECK_STR(o->port_of_discharge, "Hamburg");
	CHECK(o->has_incoterms);
	CHECK_STR(o->incoterms_code, "FOB");
	CHECK_STR(o->incoterms_place, "Shanghai");
	CHECK(o->has_payment_terms);
	CHECK_STR(o->payment_terms_text, "Net 30 days");
	CHECK_INT(o->payment_net_days, 30);
	CHECK_STR(o->declared_amount, "2820.00");
	CHECK_INT(o->n_lines, 1);
	if (o->n_lines == 1) {
		struct order_line *l = &o->lines[0];
		CHECK_STR(l->line_no, "1");
		CHECK_STR(l->quantity, "1200");
		CHECK_STR(l->uom_code, "H87");
		CHECK_STR(l->uom_original, "PCE");
		CHECK_STR(l->unit_price, "2.35");
		CHECK_STR(l->price_basis_quantity, "1");
		CHECK_STR(l->line_amount, "2820.00");
		CHECK_STR(l->gtin, "04012345123456");
		CHECK_STR(l->buyer_item_id, "A-100");
		CHECK_STR(l->seller_item_id, "X-100");
		CHECK_STR(l->manufacturer_part_no, "M-7");
		CHECK_STR(l->hs_code, "7326909890");
		CHECK_STR(l->description, "Steel bracket 40mm");
		CHECK_STR(l->delivery_date, "2025-03-10");
		CHECK(l->n_notes >= 1 && strcmp(l->notes[0], "fragile") == 0);
	}
	/* The USD line amount in an EUR order is pointed out. */
	CHECK(has_diag(&r, "is in USD, the document currency is EUR"));
	done(&r);

	/* A bad date and a bad quantity: left out, with the XML line. */
	run_s(&ubl_parser, UBL_OPEN "\n<cbc:ID>B</cbc:ID>\n<cbc:IssueDate>2025-02-30</cbc:IssueDate>\n"
	      "<cac:OrderLine><cac:LineItem><cbc:ID>1</cbc:ID>\n<cbc:Quantity unitCode=\"EA\">1,5</cbc:Quantity>"
	      "</cac:LineItem></cac:OrderLine></Order>", &r);
	CHECK_INT(r.n_orders, 1);
	CHECK(has_diag(&r, "XML line 3") && has_diag(&r, "\"2025-02-30\" is not a date"));
	CHECK(has_diag(&r, "XML line 5") && has_diag(&r, "\"1,5\" is not a decimal"));
	if (r.o) {
		CHECK_STR(r.o->order_date, NULL);
		CHECK_STR(r.o->lines[0].quantity, NULL);
	}
	done(&r);

	/* Not an order, and not UBL at all. */
	run_s(&ubl_parser, "<OrderResponseSimple xmlns=\"urn:oasis:names:specification:ubl:schema:xsd:OrderResponseSimple-2\"/>", &r);
	CHECK_INT(r.ret, 0);
	CHECK_INT(r.n_orders, 0);
	CHECK_STR(r.not_order, "UBL OrderResponseSimple");
	done(&r);
	run_s(&ubl_parser, "<Invoice xmlns=\"urn:oasis:names:specification:ubl:schema:xsd:Invoice-2\"/>", &r);
	CHECK_INT(r.ret, -1);
	CHECK(has_diag(&r, "found <Invoice>"));
	done(&r);
}

static void test_cxml_mapping(void)
{
	static const char doc[] =
		"<?xml version=\"1.0\"?>\n<!DOCTYPE cXML SYSTEM \"http://xml.cxml.org/schemas/cXML/1.2.063/cXML.dtd\">\n"
		"<cXML payloadID=\"1736501400.123@buyer.example\" timestamp=\"2025-01-10T09:30:00+00:00\">\n"
		"<Header><From><Credential domain=\"DUNS\"><Identity>987654321</Identity></Credential></From>\n"
		"<To><Credential domain=\"DUNS\"><Identity>123456789</Identity></Credential></To>\n"
		"<Sender><Credential domain=\"DUNS\"><Identity>987654321</Identity><SharedSecret>s3cret</SharedSecret></Credential></Sender></Header>\n"
		"<Request deploymentMode=\"production\"><OrderRequest>\n"
		"<OrderRequestHeader orderID=\"PO-45004\" orderDate=\"2025-01-10T23:30:00-08:00\" type=\"update\" orderVersion=\"3\" orderType=\"regular\">\n"
		"<Total><Money currency=\"USD\">2820.00</Money></Total>\n"
		"<ShipTo><Address addressID=\"4012345000108\" addressIDDomain=\"ILN\"><Name xml:lang=\"en\">ACME DC</Name>"
		"<PostalAddress><Street>Hafenstrasse 1</Street><City>Hamburg</City><PostalCode>20457</PostalCode><Country isoCountryCode=\"de\">Germany</Country></PostalAddress>"
		"<Phone><TelephoneNumber><CountryCode isoCountryCode=\"DE\">49</CountryCode><AreaOrCityCode>40</AreaOrCityCode><Number>123</Number><Extension>9</Extension></TelephoneNumber></Phone>"
		"</Address><TransportInformation><Route method=\"ship\"/></TransportInformation></ShipTo>\n"
		"<BillTo><Address><Name xml:lang=\"en\">ACME Imports</Name><PostalAddress><Street>1 Main</Street><City>Chicago</City><State>IL</State><Country isoCountryCode=\"US\"/></PostalAddress></Address></BillTo>\n"
		"<BusinessPartner role=\"soldTo\" type=\"organization\"><Address><Name xml:lang=\"en\">ACME Inc</Name></Address><IdReference identifier=\"C1001\" domain=\"buyerAccountID\"/></BusinessPartner>\n"
		"<PaymentTerm payInNumberOfDays=\"45\"/>\n"
		"<Contact role=\"endUser\"><Name xml:lang=\"en\">Eve</Name></Contact><Contact role=\"buyer\"><Name xml:lang=\"en\">Bob</Name><Email>bob@acme.example</Email></Contact>\n"
		"<Comments xml:lang=\"en\">Call before delivery</Comments>\n"
		"<TermsOfDelivery><TermsOfDeliveryCode value=\"DeliveryCondition\"/><ShippingPaymentMethod value=\"Other\">Collect</ShippingPaymentMethod>"
		"<TransportTerms value=\"Other\">FOB Shanghai</TransportTerms></TermsOfDelivery>\n"
		"<DeliveryPeriod><Period startDate=\"2025-03-01\" endDate=\"2025-03-20\"/></DeliveryPeriod>\n"
		"<Extrinsic name=\"PortOfLoading\">CNSHA</Extrinsic>\n"
		"</OrderRequestHeader>\n"
		"<ItemOut quantity=\"1200\" lineNumber=\"10\" requestedDeliveryDate=\"2025-03-15\" requestedShipmentDate=\"2025-02-20T00:00:00+08:00\">\n"
		"<ItemID><SupplierPartID>X-100</SupplierPartID><BuyerPartID>A-100</BuyerPartID></ItemID>\n"
		"<ItemDetail><UnitPrice><Money currency=\"USD\">2.35</Money></UnitPrice><Description xml:lang=\"en\">Steel bracket<ShortName>Bracket</ShortName></Description>"
		"<UnitOfMeasure>EA</UnitOfMeasure><PriceBasisQuantity quantity=\"100\" conversionFactor=\"1\"><UnitOfMeasure>EA</UnitOfMeasure></PriceBasisQuantity>"
		"<Classification domain=\"UNSPSC\">31162400</Classification><Classification domain=\"HS\">7326.90</Classification>"
		"<ManufacturerPartID>M-1</ManufacturerPartID>"
		"<ItemDetailIndustry><ItemDetailRetail><EANID>12345670</EANID></ItemDetailRetail></ItemDetailIndustry></ItemDetail>\n"
		"<Comments>line note</Comments></ItemOut>\n"
		"</OrderRequest></Request></cXML>\n";
	struct result r;
	run_s(&cxml_parser, doc, &r);
	dump_diags(&r);
	CHECK_INT(r.ret, 0);
	CHECK_INT(r.n_orders, 1);
	CHECK_INT(r.d.n, 0);
	struct order *o = r.o;
	CHECK(o != NULL);
	if (o == NULL)
		return;
	CHECK_STR(o->format, "cxml-order");
	CHECK_STR(o->format_version, "1.2.063");
	CHECK_STR(o->document_type, "change");
	CHECK_STR(o->po_revision, "3");
	CHECK_STR(o->order_type, "regular");
	CHECK(!o->is_test);
	CHECK_STR(o->po_number, "PO-45004");
	CHECK_STR(o->order_date, "2025-01-10");
	CHECK_STR(o->currency, "USD");
	CHECK_STR(o->declared_amount, "2820.00");
	CHECK_STR(o->source.message, "1736501400.123@buyer.example");
	CHECK_STR(o->source.sender, "DUNS:987654321");
	CHECK(strstr(r.json.data, "s3cret") == NULL);
	struct party *st = o->parties[ROLE_SHIP_TO];
	CHECK(st != NULL);
	if (st != NULL) {
		CHECK_STR(st->name, "ACME DC");
		CHECK(st->n_ids == 1 && strcmp(st->ids[0].scheme, "GLN") == 0);
		CHECK_STR(st->country, "DE");
		CHECK_STR(st->contact_phone, "+49 40 123 ext. 9");
	}
	struct party *b = o->parties[ROLE_BUYER];
	CHECK(b != NULL);
	if (b != NULL) {
		CHECK_STR(b->name, "ACME Inc");
		CHECK_INT(b->n_ids, 2);
		CHECK_STR(b->contact_name, "Bob");
		CHECK_STR(b->contact_email, "bob@acme.example");
	}
	CHECK(o->parties[ROLE_SELLER] && strcmp(o->parties[ROLE_SELLER]->ids[0].value, "123456789") == 0);
	CHECK(o->parties[ROLE_BILL_TO] && strcmp(o->parties[ROLE_BILL_TO]->region, "IL") == 0);
	CHECK_INT(o->payment_net_days, 45);
	CHECK_STR(o->payment_terms_text, "net 45 days");
	CHECK_STR(o->incoterms_code, "FOB");
	CHECK_STR(o->incoterms_place, "Shanghai");
	CHECK_STR(o->transport_payment, "Collect");
	CHECK_STR(o->transport_mode, "1");
	CHECK_STR(o->port_of_loading, "CNSHA");
	CHECK_STR(o->window_earliest, "2025-03-01");
	CHECK_STR(o->window_latest, "2025-03-20");
	CHECK(o->n_notes == 1 && strcmp(o->notes[0], "Call before delivery") == 0);
	CHECK_INT(o->n_lines, 1);
	if (o->n_lines == 1) {
		struct order_line *l = &o->lines[0];
		CHECK_STR(l->line_no, "10");
		CHECK_STR(l->quantity, "1200");
		CHECK_STR(l->seller_item_id, "X-100");
		CHECK_STR(l->buyer_item_id, "A-100");
		CHECK_STR(l->unit_price, "2.35");
		CHECK_STR(l->price_basis_quantity, "100");
		CHECK_STR(l->description, "Steel bracket");
		CHECK_STR(l->uom_code, "EA");
		CHECK_STR(l->delivery_date, "2025-03-15");
		CHECK_STR(l->ship_by_date, "2025-02-20");
		CHECK_STR(l->hs_code, "7326.90");
		CHECK_STR(l->manufacturer_part_no, "M-1");
		CHECK_STR(l->gtin, "00000012345670");
		CHECK(l->n_notes == 1 && strcmp(l->notes[0], "line note") == 0);
	}
	done(&r);

	/* delete -> cancel; test mode; descriptive TransportTerms. */
	run_s(&cxml_parser, "<cXML payloadID=\"d\"><Request deploymentMode=\"test\"><OrderRequest>"
	      "<OrderRequestHeader orderID=\"PO-9\" orderDate=\"2025-01-10\" type=\"delete\">"
	      "<TermsOfDelivery><TermsOfDeliveryCode value=\"PriceCondition\"/><ShippingPaymentMethod value=\"Account\"/>"
	      "<TransportTerms value=\"Cost-Insurance-and-Freight\"/><Address><Name>Rotterdam</Name></Address></TermsOfDelivery>"
	      "</OrderRequestHeader></OrderRequest></Request></cXML>", &r);
	CHECK_INT(r.n_orders, 1);
	if (r.o) {
		CHECK_STR(r.o->document_type, "cancel");
		CHECK(r.o->is_test);
		CHECK_STR(r.o->incoterms_code, "CIF");
		CHECK_STR(r.o->incoterms_place, "Rotterdam");
		CHECK_STR(r.o->transport_payment, "Account");
	}
	done(&r);

	/* Non-orders. */
	static const struct { const char *doc, *what; } others[] = {
		{ "<cXML><Response><Status code=\"200\" text=\"OK\"/></Response></cXML>", "cXML Response" },
		{ "<cXML><Request><ConfirmationRequest/></Request></cXML>", "cXML ConfirmationRequest" },
		{ "<cXML><Message><PunchOutOrderMessage/></Message></cXML>", "cXML PunchOutOrderMessage" },
		{ "<cXML><Request><SomethingNew/></Request></cXML>", "cXML document other than an OrderRequest" },
	};
	for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
		run_s(&cxml_parser, others[i].doc, &r);
		CHECK_INT(r.ret, 0);
		CHECK_INT(r.n_orders, 0);
		CHECK_STR(r.not_order, others[i].what);
		done(&r);
	}
	run_s(&cxml_parser, "<cXML><Header/></cXML>", &r);
	CHECK_INT(r.ret, -1);
	done(&r);
}

/* Our response, read back by our own parser and reader. */
static void test_response(void)
{
	
	struct result r;
	run_s(&ubl_parser, peppol, &r);
	CHECK(r.o != NULL);
	if (r.o == NULL)
		return;
	for (int peppol_form = 0; peppol_form < 2; peppol_form++) {
		struct ubl_response resp = { .id = "ORS-0001", .issue_date = "2025-01-11",
			.accepted = peppol_form == 1, .reason = "Incoterms named place missing; price < list & \"old\"",
			.peppol = peppol_form == 1 };
		struct buf x;
		buf_init(&x, 1u << 16);
		const char *err = NULL;
		CHECK_INT(ubl_response_write(r.o, &resp, &x, &err), 0);
		struct result back;
		run(&ubl_parser, x.data, x.len, &back);
		CHECK_INT(back.ret, 0);
		CHECK_INT(back.n_orders, 0);
		CHECK_STR(back.not_order, peppol_form ? "UBL OrderResponse" : "UBL OrderResponseSimple");
		CHECK_INT(ubl_sniff((const unsigned char *)x.data, x.len), 95);
		done(&back);
		struct diags d;
		diags_init(&d);
		xmlDoc *doc = NULL;
		CHECK_INT(xmlsafe_read((const unsigned char *)x.data, x.len, 0, &d, &doc), 0);
		struct xmlsafe_ns ns[] = { { "cac", UBL_NS_CAC, NULL }, { "cbc", UBL_NS_CBC, NULL }, { NULL, NULL, NULL } };
		struct arena *a = arena_new(1u << 16);
		const xmlNode *root = doc ? xmlDocGetRootElement(doc) : NULL;
		CHECK_STR(xmlsafe_text(a, &d, xmlsafe_get(root, ns, "cbc:ID")), "ORS-0001");
		CHECK_STR(xmlsafe_text(a, &d, xmlsafe_get(root, ns, "cbc:IssueDate")), "2025-01-11");
		CHECK_STR(xmlsafe_text(a, &d, xmlsafe_get(root, ns, "cac:OrderReference/cbc:ID")), "PO-45003");
		CHECK_STR(xmlsafe_text(a, &d, xmlsafe_get(root, ns, "cac:BuyerCustomerParty/cac:Party/cbc:EndpointID")), "5412345000013");
		CHECK_STR(xmlsafe_attr(a, xmlsafe_get(root, ns, "cac:BuyerCustomerParty/cac:Party/cbc:EndpointID"), "schemeID"), "0088");
		CHECK_STR(xmlsafe_attr(a, xmlsafe_get(root, ns, "cac:SellerSupplierParty/cac:Party/cbc:EndpointID"), "schemeID"), "0192");
		CHECK_STR(xmlsafe_text(a, &d, xmlsafe_get(root, ns, "cac:BuyerCustomerParty/cac:Party/cac:PartyName/cbc:Name")), "ACME Imports");
		if (peppol_form) {
			CHECK_STR(xmlsafe_text(a, &d, xmlsafe_get(root, ns, "cbc:CustomizationID")), "urn:fdc:peppol.eu:poacc:trns:order_response:3");
			CHECK_STR(xmlsafe_text(a, &d, xmlsafe_get(root, ns, "cbc:OrderResponseCode")), "AP");
			CHECK_STR(xmlsafe_text(a, &d, xmlsafe_get(root, ns, "cbc:DocumentCurrencyCode")), "EUR");
		} else {
			CHECK_STR(xmlsafe_text(a, &d, xmlsafe_get(root, ns, "cbc:AcceptedIndicator")), "false");
			CHECK_STR(xmlsafe_text(a, &d, xmlsafe_get(root, ns, "cbc:RejectionNote")),
				  "Incoterms named place missing; price < list & \"old\"");
		}
		arena_free(&a);
		xmlsafe_free(&doc);
		diags_free(&d);
		buf_free(&x);
	}
	/* Missing data and a full buffer are errors, never a broken document. */
	struct ubl_response bad = { .id = NULL, .issue_date = "2025-01-11" };
	struct buf x;
	buf_init(&x, 64);
	const char *err = NULL;
	CHECK_INT(ubl_response_write(r.o, &bad, &x, &err), -1);
	CHECK_STR(err, "the response needs an id");
	bad.id = "X";
	CHECK_INT(ubl_response_write(r.o, &bad, &x, &err), -1);
	CHECK_STR(err, "the response does not fit in the buffer");
	CHECK_INT(x.len, 0);
	buf_free(&x);
	done(&r);
}

int main(void)
{
	test_xxe();
	test_billion_laughs();
	test_doctype_not_fetched();
	test_malformed_quiet();
	test_limits();
	test_huge_text();
	test_encodings_and_empty();
	test_namespaces();
	test_paths();
	test_sniff();
	test_ubl_mapping();
	test_cxml_mapping();
	test_response();
	xmlCleanupParser();
	return check_status();
}
