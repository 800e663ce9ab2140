/* test_edifact_ack.c — CONTRL and ORDRSP written for received interchanges,
 * checked byte for byte and read back with the EDIFACT parser (a non-order
 * whose UNT/UNZ checks pass). */
#include "check.h"
#include "arena.h"
#include "edifact.h"
#include "edifact_ack.h"
#include "parser.h"
#include <stdlib.h>
#include <string.h>

/* One parse: the first order (kept through JSON), the output with its
 * acknowledgement data, the diagnostics. */
struct run {
	struct arena *a;
	struct order *o;
	struct parse_output out;
	struct diags d;
};

static int keep_first(void *ctx, struct order *o, struct diags *od)
{
	struct run *g = ctx;
	struct buf b;
	const char *err;
	(void)od;
	buf_init(&b, 1u << 24);
	order_to_json(o, &b);
	if (g->o == NULL)
		order_from_json(g->a, b.data, b.len, &g->o, &err);
	buf_free(&b);
	return 0;
}

static void run(struct run *g, const char *edi)
{
	g->a = arena_new(1u << 20);
	g->o = NULL;
	diags_init(&g->d);
	parse_output_init(&g->out, &g->d);
	g->out.emit = keep_first;
	g->out.ctx = g;
	struct parse_input in = { .data = (const unsigned char *)edi, .len = strlen(edi) };
	CHECK_INT(edifact_parser.parse(&in, &g->out), 0);
}

static void run_free(struct run *g)
{
	parse_output_free(&g->out);
	diags_free(&g->d);
	arena_free(&g->a);
}

/* An answer must read back as the named non-order, with no diagnostics. */
static void reads_back(const char *answer, const char *what)
{
	struct run g;
	run(&g, answer);
	CHECK_STR(g.out.not_order, what);
	CHECK_INT(g.d.n, 0);
	for (size_t i = 0; i < g.d.n; i++)
		fprintf(stderr, "  %s | %s\n", g.d.items[i].where, g.d.items[i].message);
	struct edifact_ack *a = edifact_ack_of(g.out.ack);
	CHECK(a != NULL && a->n_messages == 1 && a->messages[0].accepted);
	CHECK(a != NULL && a->n_interchanges == 1 && a->interchanges[0].trailer_ok);
	run_free(&g);
}

static const struct edifact_ack_ids us = {
	.sender = "4012345000009", .sender_qual = "14", .control_ref = "CTL0001",
	.date = "20250111", .time = "0932",
};

static void test_contrl(void)
{
	const char *edi =
		"UNA:+.? '"
		"UNB+UNOC:3+5412345000013:14+4012345000009:14+250110:0930+REF0001++++1'"
		"UNH+1+ORDERS:D:01B:UN:EAN010'BGM+220+PO-1+9'UNT+3+1'"
		"UNH+2+ORDERS:D:01B:UN:EAN010'BGM+220+PO-2+9'UNT+9+2'"
		"UNG+ORDERS+G?+S:14+GR:14+250110:0930+G1+UN+D:96A'"
		"UNH+3+ORDERS:D:96A:UN'BGM+220+PO-3+9'UNT+3+3'"
		"UNE+1+G1'"
		"UNZ+3+REF0001'";
	struct run g;
	run(&g, edi);
	CHECK_INT(g.out.n_orders, 2);
	CHECK_INT(g.out.n_rejected, 1);
	struct buf b;
	buf_init(&b, 1u << 16);
	const char *err = NULL;
	CHECK_INT(edifact_write_contrl(edifact_ack_of(g.out.ack), 0, &us, &b, &err), 0);
	CHECK_STR(b.data,
		  "UNA:+.? '"
		  "UNB+UNOC:3+4012345000009:14+5412345000013:14+250111:0932+CTL0001'"
		  "UNH+1+CONTRL:D:3:UN'"
		  "UCI+REF0001+5412345000013:14+4012345000009:14+7'"
		  "UCM+1+ORDERS:D:01B:UN:EAN010+7'"
		  "UCM+2+ORDERS:D:01B:UN:EAN010+4+29'"
		  "UCS+3+29'"
		  "UCF+G1+G?+S:14+GR:14+7'"
		  "UCM+3+ORDERS:D:96A:UN+7'"
		  "UNT+8+1'"
		  "UNZ+1+CTL0001'");
	reads_back(b.data, "EDIFACT CONTRL syntax and service report");
	/* Bad arguments are refused, not crashed on. */
	CHECK_INT(edifact_write_contrl(edifact_ack_of(g.out.ack), 5, &us, &b, &err), -1);
	struct edifact_ack_ids no_date = us;
	no_date.date = NULL;
	CHECK_INT(edifact_write_contrl(edifact_ack_of(g.out.ack), 0, &no_date, &b, &err), -1);
	buf_free(&b);
	run_free(&g);
}

static void test_contrl_separators(void)
{
	/* Syntax 4 with unusual separators: the answer uses them too. */
	const char *edi =
		"UNA|#,! ~"
		"UNB#UNOW|4#SENDER|ZZ#US|ZZ#20250110|0930#R!#1~"
		"UNH#M1#ORDERS|D|03B|UN~BGM#220#P~UNT#3#M1~"
		"UNZ#1#R!#1~";
	struct run g;
	run(&g, edi);
	CHECK_INT(g.out.n_orders, 1);
	struct buf b;
	buf_init(&b, 1u << 16);
	const char *err;
	struct edifact_ack_ids ids = us;
	ids.control_ref = "C#1";
	CHECK_INT(edifact_write_contrl(edifact_ack_of(g.out.ack), 0, &ids, &b, &err), 0);
	CHECK_STR(b.data,
		  "UNA|#,! ~"
		  "UNB#UNOW|4#4012345000009|14#SENDER|ZZ#20250111|0932#C!#1~"
		  "UNH#1#CONTRL|4|1|UN~"
		  "UCI#R!#1#SENDER|ZZ#US|ZZ#7~"
		  "UCM#M1#ORDERS|D|03B|UN#7~"
		  "UNT#4#1~"
		  "UNZ#1#C!#1~");
	reads_back(b.data, "EDIFACT CONTRL syntax and service report");
	buf_free(&b);
	run_free(&g);

	/* Level B (no UNA, control characters, no release character). */
	const char edi_b[] =
		"UNB\x1dUNOB\x1f" "3\x1dS\x1d" "R\x1d" "250110\x1f" "0930\x1dI1\x1c"
		"UNH\x1d" "1\x1dORDERS\x1f" "D\x1f" "96A\x1fUN\x1c"
		"BGM\x1d" "220\x1dP\x1c"
		"UNT\x1d" "3\x1d" "1\x1c"
		"UNZ\x1d" "1\x1dI1\x1c";
	run(&g, edi_b);
	buf_init(&b, 1u << 16);
	CHECK_INT(edifact_write_contrl(edifact_ack_of(g.out.ack), 0, &us, &b, &err), 0);
	CHECK(b.len > 3 && memcmp(b.data, "UNB\x1dUNOB\x1f" "3\x1d", 10) == 0);
	reads_back(b.data, "EDIFACT CONTRL syntax and service report");
	buf_free(&b);
	run_free(&g);
}

static const char order_edi[] =
	"UNA:+,? '"
	"UNB+UNOC:3+5412345000013:14+4012345000009:14+250110:0930+REF0001'"
	"UNH+1+ORDERS:D:01B:UN:EAN010'"
	"BGM+220+PO?+45002+9'"
	"DTM+137:20250110:102'"
	"NAD+BY+5412345000013::9'"
	"NAD+SU+4012345000009::9'"
	"LIN+1++4012345000016:SRV'"
	"PIA+1+X-100:SA+A-100:IN'"
	"QTY+21:1200'"
	"LIN+2++4012345000023:SRV'"
	"QTY+21:250,5:KGM'"
	"UNS+S'"
	"CNT+2:2'"
	"UNT+13+1'"
	"UNZ+1+REF0001'";

static void test_ordrsp(void)
{
	struct run g;
	run(&g, order_edi);
	CHECK(g.o != NULL);
	if (g.o == NULL)
		return;
	const struct edifact_ack_interchange *in = &edifact_ack_of(g.out.ack)->interchanges[0];
	struct buf b;
	buf_init(&b, 1u << 16);
	const char *err;

	struct edifact_ordrsp r = { .code = ORDRSP_ACCEPT, .number = "RSP-1" };
	CHECK_INT(edifact_write_ordrsp(g.o, in, &r, &us, &b, &err), 0);
	CHECK_STR(b.data,
		  "UNA:+,? '"
		  "UNB+UNOC:3+4012345000009:14+5412345000013:14+250111:0932+CTL0001'"
		  "UNH+1+ORDRSP:D:01B:UN'"
		  "BGM+231+RSP-1+29'"
		  "DTM+137:20250111:102'"
		  "RFF+ON:PO?+45002'"
		  "DTM+171:20250110:102'"
		  "NAD+BY+5412345000013::9'"
		  "NAD+SU+4012345000009::9'"
		  "UNS+S'"
		  "UNT+9+1'"
		  "UNZ+1+CTL0001'");
	reads_back(b.data, "EDIFACT ORDRSP purchase order response");

	/* Reject with a reason: UTF-8 to Latin-1, service characters released. */
	buf_reset(&b);
	r = (struct edifact_ordrsp){ .code = ORDRSP_REJECT, .number = "RSP-2", .message_ref = "R2",
				     .reason = "Preis f\xc3\xbcr 1+1 fehlt: bitte pr\xc3\xbc" "fen (Art. 'X')" };
	CHECK_INT(edifact_write_ordrsp(g.o, in, &r, &us, &b, &err), 0);
	CHECK(strstr(b.data, "BGM+231+RSP-2+27'") != NULL);
	CHECK(strstr(b.data, "FTX+AAI+++Preis f\xfcr 1?+1 fehlt?: bitte pr\xfc" "fen (Art. ?'X?')'") != NULL);
	CHECK(strstr(b.data, "UNT+10+R2'") != NULL);
	reads_back(b.data, "EDIFACT ORDRSP purchase order response");

	/* Change: all lines, the changed one with its new quantity and date;
	 * the decimal mark of the interchange (','). */
	buf_reset(&b);
	static const struct edifact_ordrsp_line changes[] = {
		{ .line_no = "2", .action = 3, .quantity = "200.5", .delivery_date = "2025-03-29" },
	};
	r = (struct edifact_ordrsp){ .code = ORDRSP_CHANGE, .number = "RSP-3", .assoc = "EAN008",
				     .lines = changes, .n_lines = 1 };
	CHECK_INT(edifact_write_ordrsp(g.o, in, &r, &us, &b, &err), 0);
	CHECK(strstr(b.data, "UNH+1+ORDRSP:D:01B:UN:EAN008'BGM+231+RSP-3+4'") != NULL);
	CHECK(strstr(b.data, "LIN+1+5+04012345000016:SRV'PIA+1+X-100:SA+A-100:IN'QTY+21:1200'") != NULL);
	CHECK(strstr(b.data, "LIN+2+3+04012345000023:SRV'QTY+21:200,5:KGM'DTM+69:20250329:102'") != NULL);
	CHECK(strstr(b.data, "UNS+S'CNT+2:2'UNT+16+1'") != NULL);
	reads_back(b.data, "EDIFACT ORDRSP purchase order response");

	/* UNOA: upper case, level A only. */
	struct edifact_ack_interchange a_in = *in;
	snprintf(a_in.syntax_id, sizeof(a_in.syntax_id), "UNOA");
	buf_reset(&b);
	r = (struct edifact_ordrsp){ .code = ORDRSP_REJECT, .number = "r-4", .reason = "Mail to a@b.c, \xc3\xa4!" };
	CHECK_INT(edifact_write_ordrsp(g.o, &a_in, &r, &us, &b, &err), 0);
	CHECK(strstr(b.data, "BGM+231+R-4+27'") != NULL);
	/* '@' is not level A; iconv's C-locale transliteration gives '?'
	 * for the umlaut, which is then released. */
	CHECK(strstr(b.data, "FTX+AAI+++MAIL TO A B.C, ?" "?!'") != NULL);
	reads_back(b.data, "EDIFACT ORDRSP purchase order response");

	r.code = 12;
	CHECK_INT(edifact_write_ordrsp(g.o, in, &r, &us, &b, &err), -1);
	buf_free(&b);
	run_free(&g);
}

int main(void)
{
	test_contrl();
	test_contrl_separators();
	test_ordrsp();
	return check_status();
}
