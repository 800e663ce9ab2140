/* test_extract_mail.c — extract.c's e-mail path: which attachment goes to
 * which parser, the body to the text parser, the source block of every
 * order, part names in diagnostics, and missing parsers.
 *
 * The real parsers are written elsewhere; this program brings its own
 * registry (it defines every symbol of parsers/parser.c, so the linker
 * takes these instead) with tiny stand-in parsers whose presence each
 * case chooses. */
#include "check.h"
#include "extract.h"
#include <stdlib.h>

/* ---- stand-in parsers and registry ------------------------------------ */

static char last_header_text[256];
static bool have_text = true, have_csv = true, have_x12 = true;

static int first_line_order(const struct parse_input *in, struct parse_output *out, const char *tag)
{
	struct arena *a = arena_new(1 << 16);
	struct order *o = order_new(a);
	size_t n = 0;
	while (n < in->len && in->data[n] != '\n' && in->data[n] != '\r')
		n++;
	char po[128];
	snprintf(po, sizeof(po), "%s:%.*s", tag, (int)n, (const char *)in->data);
	o->po_number = order_str(o, po);
	struct diags od;
	diags_init(&od);
	out->n_orders++;
	int r = out->emit(out->ctx, o, &od);
	diags_free(&od);
	arena_free(&a);
	return r < 0 ? -1 : 0;
}

static int text_sniff(const unsigned char *d, size_t n) { (void)d; (void)n; return 0; }
static int text_parse(const struct parse_input *in, struct parse_output *out)
{
	return first_line_order(in, out, "text");
}

static int csv_sniff(const unsigned char *d, size_t n) { return n > 4 && memcmp(d, "sku;", 4) == 0 ? 60 : 0; }
static int csv_parse(const struct parse_input *in, struct parse_output *out)
{
	snprintf(last_header_text, sizeof(last_header_text), "%s", in->header_text ? in->header_text : "(null)");
	diag_add(out->diags, DIAG_WARNING, "line 2", "stand-in csv warning");
	return first_line_order(in, out, "csv");
}

static int x12_sniff(const unsigned char *d, size_t n) { return n >= 3 && memcmp(d, "ISA", 3) == 0 ? 90 : 0; }
static int x12_parse(const struct parse_input *in, struct parse_output *out)
{
	for (size_t i = 0; i + 6 <= in->len; i++) {
		if (memcmp(in->data + i, "ST*997", 6) == 0) {
			out->not_order = "X12 997 functional acknowledgment";
			return 0;
		}
	}
	return first_line_order(in, out, "x12");
}

static const struct parser text_p = { "text", text_sniff, text_parse };
static const struct parser csv_p = { "csv", csv_sniff, csv_parse };
static const struct parser x12_p = { "x12", x12_sniff, x12_parse };

const char *const parser_format_names = "auto, email, text, csv, x12";

const struct parser *parser_find(const char *name)
{
	if (have_text && strcmp(name, "text") == 0)
		return &text_p;
	if (have_csv && strcmp(name, "csv") == 0)
		return &csv_p;
	if (have_x12 && strcmp(name, "x12") == 0)
		return &x12_p;
	return NULL;
}

const struct parser *parser_sniff(const unsigned char *data, size_t len)
{
	if (have_x12 && x12_sniff(data, len) >= 20)
		return &x12_p;
	if (have_csv && csv_sniff(data, len) >= 20)
		return &csv_p;
	return NULL;
}

void parse_output_init(struct parse_output *out, struct diags *d)
{
	memset(out, 0, sizeof(*out));
	out->diags = d;
}

void parse_output_free(struct parse_output *out)
{
	if (out->ack != NULL && out->ack_free != NULL)
		out->ack_free(out->ack);
	out->ack = NULL;
}

/* ---- the cases -------------------------------------------------------- */

static char got[2048];

static int record(void *ctx, struct order *o, struct diags *od)
{
	(void)ctx;
	(void)od;
	size_t n = strlen(got);
	snprintf(got + n, sizeof(got) - n, "%s[%s|%s|%s]", n ? " " : "", o->po_number,
		 o->source.sender ? o->source.sender : "-", o->source.document ? o->source.document : "-");
	CHECK(o->source.message_id == NULL || strcmp(o->source.message_id, "m1@x") == 0);
	return 0;
}

static const char *diag_text(const struct diags *d)
{
	static char out[4096];
	size_t n = 0;
	out[0] = '\0';
	for (size_t i = 0; i < d->n; i++)
		n += (size_t)snprintf(out + n, n < sizeof(out) ? sizeof(out) - n : 0, "%s%s: %s: %s",
				      i ? "\n" : "", d->items[i].severity == DIAG_ERROR ? "E" : "W",
				      d->items[i].where, d->items[i].message);
	return out;
}

#define HDR "From: Buyer <Buyer@Example.COM>\nMessage-ID: <m1@x>\nSubject: PO\n" \
	"Content-Type: multipart/mixed; boundary=b\n\n--b\n\nPO 4711 please\n"

static const struct {
	const char *name;
	bool text, csv, x12;
	const char *mail;
	int rc;
	const char *orders, *diags, *not_order;
} cases[] = {
	{ "csv attachment with the body as header text", true, true, true,
	  HDR "--b\nContent-Type: text/csv; name=orders.csv\n\nA-1;10\n--b--\n", 0,
	  "[csv:A-1;10|buyer@example.com|orders.csv]",
	  "W: mail.eml: part 2 (orders.csv): line 2: stand-in csv warning", NULL },
	{ "csv sniffed without a name", true, true, true,
	  HDR "--b\nContent-Type: application/octet-stream\n\nsku;qty\n--b--\n", 0,
	  "[csv:sku;qty|buyer@example.com|part 2]",
	  "W: mail.eml: part 2: line 2: stand-in csv warning", NULL },
	{ "EDI sniffed whatever its name", true, true, true,
	  HDR "--b\nContent-Type: application/octet-stream; name=x.dat\n\nISA*00*\n--b--\n", 0,
	  "[x12:ISA*00*|buyer@example.com|x.dat]", "", NULL },
	{ "an .edi name without its parser", true, true, false,
	  HDR "--b\nContent-Type: application/octet-stream; name=po.edi\n\nISA*00*\n--b--\n", 0,
	  "[text:PO 4711 please|buyer@example.com|body]",
	  "E: mail.eml: part 2 (po.edi): attachment po.edi looks like x12, but no x12 parser is available in this build",
	  NULL },
	{ "spreadsheet", true, true, true,
	  HDR "--b\nContent-Type: application/octet-stream\nContent-Disposition: attachment; filename=\"Preise.XLSX\"\n\nPK\n--b--\n", 0,
	  "[text:PO 4711 please|buyer@example.com|body]",
	  "W: mail.eml: part 2 (Preise.XLSX): spreadsheet attachment Preise.XLSX: save it as CSV", NULL },
	{ "csv without a csv parser", true, false, true,
	  HDR "--b\nContent-Type: text/csv; name=a.csv\n\nx\n--b--\n", 0,
	  "[text:PO 4711 please|buyer@example.com|body]",
	  "E: mail.eml: part 2 (a.csv): CSV attachment a.csv: no csv parser is available in this build", NULL },
	{ "no text parser", false, true, true,
	  HDR "--b--\n", 0, "",
	  "E: mail.eml: body (part 1): no text parser is available in this build; the text body was not read", NULL },
	{ "nothing to read", true, true, true,
	  "From: a@b.c\nContent-Type: image/png; name=x.png\nContent-Transfer-Encoding: base64\n\niVBORw0K\n", 0, "",
	  "E: mail.eml: body: the e-mail has neither an order attachment nor a text body", NULL },
	{ "an acknowledgement, not an order", true, true, true,
	  HDR "--b\nContent-Type: application/edi-x12\n\nISA*00*~ST*997*1~\n--b--\n", 0, "", "",
	  "X12 997 functional acknowledgment" },
	{ "xml that is not an order", true, true, true,
	  HDR "--b\nContent-Type: application/xml; name=data.xml\n\n<xml/>\n--b--\n", 0,
	  "[text:PO 4711 please|buyer@example.com|body]",
	  "W: mail.eml: part 2 (data.xml): XML attachment data.xml is neither a UBL nor a cXML order; it was not read",
	  NULL },
	{ "xml order without its parser", true, true, true,
	  HDR "--b\nContent-Type: application/xml; name=po.xml\n\n<cXML><Request><OrderRequest/></Request></cXML>\n--b--\n", 0,
	  "[text:PO 4711 please|buyer@example.com|body]",
	  "E: mail.eml: part 2 (po.xml): attachment po.xml looks like cxml, but no cxml parser is available in this build",
	  NULL },
	{ "not MIME at all", true, true, true, "\n\n", -1, "",
	  "E: mail.eml: byte 0: the message is empty", NULL },
};

static void test_routing(void)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		have_text = cases[i].text;
		have_csv = cases[i].csv;
		have_x12 = cases[i].x12;
		got[0] = '\0';
		last_header_text[0] = '\0';
		struct diags d;
		diags_init(&d);
		d.prefix = "mail.eml";
		struct parse_output po;
		parse_output_init(&po, &d);
		po.emit = record;
		struct extract_input in = {
			.data = (const unsigned char *)cases[i].mail, .len = strlen(cases[i].mail),
			.name = "mail.eml", .format = i % 2 ? "email" : "auto", .is_email = true,
		};
		fprintf(stderr, "case: %s\n", cases[i].name);
		CHECK_INT(extract_document(&in, &po, NULL), cases[i].rc);
		CHECK_STR(got, cases[i].orders);
		CHECK_STR(diag_text(&d), cases[i].diags);
		CHECK_STR(po.not_order, cases[i].not_order);
		CHECK_STR(d.prefix, "mail.eml");
		if (i == 0)
			CHECK_STR(last_header_text, "PO 4711 please");
		parse_output_free(&po);
		diags_free(&d);
	}
}

static void test_mail_facts(void)
{
	have_text = have_csv = have_x12 = true;
	static const char mail[] =
		"From: =?UTF-8?B?5byg5LiJ?= <Zhang@Example.CN>\nMessage-ID: <m1@x>\n"
		"In-Reply-To: <ours-1@gw>\nReferences: <a@x> <ours-1@gw>\n"
		"Date: Mon, 2 Oct 2017 12:13:43 +0200\nSubject: =?GB2312?B?tqm1pQ==?=\n"
		"Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain; charset=gbk\n\n"
		"\xc7\xeb\xb7\xa2\xbb\xf5\n--b\nContent-Type: text/csv; name=\"=?UTF-8?B?6K6i5Y2VLmNzdg==?=\"\n\n"
		"A-1;1\n--b\nContent-Type: image/png\n\nxx\n--b--\n";
	struct diags d;
	diags_init(&d);
	struct parse_output po;
	parse_output_init(&po, &d);
	po.emit = record;
	got[0] = '\0';
	struct extract_input in = { .data = (const unsigned char *)mail, .len = sizeof(mail) - 1,
				    .format = "email" };
	struct extract_mail m;
	CHECK_INT(extract_document(&in, &po, &m), 0);
	CHECK_STR(got, "[csv:A-1;1|zhang@example.cn|订单.csv]");
	CHECK_STR(last_header_text, "请发货");
	CHECK_STR(m.from_addr, "zhang@example.cn");
	CHECK_STR(m.from_display, "张三");
	CHECK_STR(m.subject, "订单");
	CHECK_STR(m.message_id, "m1@x");
	CHECK_STR(m.in_reply_to, "ours-1@gw");
	CHECK_STR(m.references, "a@x ours-1@gw");
	CHECK_STR(m.date, "2017-10-02T10:13:43Z");
	CHECK_STR(m.body_text, "请发货");
	CHECK_INT(m.n_attachments, 2);
	if (m.n_attachments == 2) {
		CHECK_STR(m.attachment_names[0], "订单.csv");
		CHECK_STR(m.attachment_names[1], "part 3");
	}
	extract_mail_free(&m);
	CHECK(m.subject == NULL && m.attachment_names == NULL);
	parse_output_free(&po);
	diags_free(&d);
}

int main(void)
{
	test_routing();
	test_mail_facts();
	return check_status();
}
