/* test_x12_ack.c — 997 and 855 written from what the parser found, then
 * read back by the parser: they must be recognised as non-orders, their
 * envelopes must check out, and their codes must match the errors. */
#include "check.h"
#include "arena.h"
#include "buf.h"
#include "diag.h"
#include "order.h"
#include "parser.h"
#include "x12.h"
#include "x12_ack.h"
#include <stdlib.h>
#include <string.h>

struct parsed {
	struct diags d;
	struct parse_output out;
	struct arena *a;
	struct order *o;          /* the first order, re-read from its JSON */
	size_t n;
	int r;
};

static int keep_first(void *ctx, struct order *o, struct diags *od)
{
	struct parsed *p = ctx;
	(void)od;
	if (p->n++ == 0) {
		struct buf b;
		const char *err;
		buf_init(&b, 1 << 24);
		order_to_json(o, &b);
		CHECK(order_from_json(p->a, b.data, b.len, &p->o, &err) == 0);
		buf_free(&b);
	}
	return 0;
}

static void parse(struct parsed *p, const char *data, size_t len)
{
	memset(p, 0, sizeof(*p));
	diags_init(&p->d);
	p->a = arena_new(1 << 24);
	parse_output_init(&p->out, &p->d);
	p->out.emit = keep_first;
	p->out.ctx = p;
	struct parse_input in = { .data = (const unsigned char *)data, .len = len, .name = "t" };
	p->r = x12_parser.parse(&in, &p->out);
}

static void parsed_free(struct parsed *p)
{
	parse_output_free(&p->out);
	diags_free(&p->d);
	arena_free(&p->a);
}

static size_t n_warnings_other_than_skipped(const struct parsed *p)
{
	size_t n = 0;
	for (size_t i = 0; i < p->d.n; i++)
		if (strstr(p->d.items[i].message, "skipped") == NULL) {
			fprintf(stderr, "  unexpected diag: %s: %s\n", p->d.items[i].where, p->d.items[i].message);
			n++;
		}
	return n;
}

/* Replace * ~ > by other delimiters in a test document. */
static char *delims(const char *src, char es, char term, char cs)
{
	char *s = strdup(src);
	for (char *c = s; *c; c++)
		*c = *c == '*' ? es : *c == '~' ? term : *c == '>' ? cs : *c;
	return s;
}

static const struct x12_reply reply = {
	.sender_qualifier = "ZZ", .sender_id = "EXAMPLEMFG", .interchange_control = 42,
	.group_control = 7, .set_control = 1, .date = "20250111", .time = "0800",
};

static const char doc4010[] =
	"ISA*00*          *00*          *ZZ*ACMEUS         *ZZ*EXAMPLEMFG     *250110*0930*U*00401*000000101*0*T*>~"
	"GS*PO*ACMEAPP*EXAMPLEAPP*20250110*0930*101*X*004010~"
	"ST*850*0001~BEG*00*SA*PO-1**20250110~PO1*1*1200*EA*2.35**BP*A-100*VP*X-100*EN*4012345000016~CTT*1~SE*5*0001~"
	"ST*850*0002~BEG*00*SA*PO-2**20250110~PO1*1*1*EA~SE*9*0002~"
	"ST*850*0003~BEG*00*SA*PO-3**20251340~PO1*1*1*EA~SE*4*0003~"
	"GE*3*101~IEA*1*000000101~";

static void test_997(void)
{
	char *doc = delims(doc4010, '|', '\x1c', ':');
	struct parsed p;
	parse(&p, doc, strlen(doc));
	CHECK_INT(p.n, 2);
	struct buf out;
	buf_init(&out, 1 << 20);
	const char *err = NULL;
	CHECK(x12_ack_write_997(p.out.ack, 0, &reply, &out, &err) == 0);
	char *want = delims("ST*997*0001~AK1*PO*101~AK2*850*0001~AK5*A~AK2*850*0002~AK5*R*4~"
			    "AK2*850*0003~AK3*BEG*2**8~AK4*5*373*8*20251340~AK5*E~AK9*P*3*3*2~SE*12*0001~",
			    '|', '\x1c', ':');
	CHECK(strstr(out.data, want) != NULL);
	if (strstr(out.data, want) == NULL)
		fprintf(stderr, "997: %s\n", out.data);
	char *isa = delims("ISA*00*          *00*          *ZZ*EXAMPLEMFG     *ZZ*ACMEUS         *250111*0800*U*00401*000000042*0*T*:~"
			   "GS*FA*EXAMPLEMFG*ACMEAPP*20250111*0800*7*X*004010~", '|', '\x1c', ':');
	CHECK(strncmp(out.data, isa, strlen(isa)) == 0);
	/* Read back: a 997, envelopes fine. */
	struct parsed back;
	parse(&back, out.data, out.len);
	CHECK_INT(back.r, 0);
	CHECK_INT(back.n, 0);
	CHECK_STR(back.out.not_order, "X12 997 functional acknowledgment");
	CHECK_INT(back.d.n_errors, 0);
	CHECK_INT(n_warnings_other_than_skipped(&back), 0);
	CHECK_INT(back.out.ack->interchanges[0].delims.element, '|');
	CHECK_INT(back.out.ack->interchanges[0].delims.segment, 0x1c);
	CHECK(back.out.ack->interchanges[0].trailer_ok);
	CHECK_INT(back.out.ack->sets[0].status, 'A');
	/* A 997 is never acknowledged. */
	buf_reset(&out);
	CHECK(x12_ack_write_997(back.out.ack, 0, &reply, &out, &err) == -1);
	CHECK_STR(err, "the interchange has no functional group to acknowledge");
	parsed_free(&back);
	parsed_free(&p);
	buf_free(&out);
	free(want);
	free(isa);
	free(doc);
}

static const char doc5010[] =
	"ISA*00*          *00*          *ZZ*ACMEUS         *ZZ*EXAMPLEMFG     *250110*0930*^*00501*000000102*0*P*>~\n"
	"GS*PO*ACMEAPP*EXAMPLEAPP*20250110*0930*102*X*005010~\n"
	"ST*850*0001*005010X999~\nBEG*00*SA*PO-45001**20250110~\nN1*ST*Caf\xC3\xA9*92*C1~\n"
	"PO1*1*1200*EA*2.35**BP*A-100*VP*X-100~\nPO1*2*50*CA*118**BP*A-200~\nCTT*2~\nSE*7*0001~\n"
	"GE*2*102~\nIEA*1*000000102~\n";

static void test_997_5010_and_855(void)
{
	struct parsed p;
	parse(&p, doc5010, strlen(doc5010));
	CHECK_INT(p.n, 1);
	struct buf out;
	buf_init(&out, 1 << 20);
	const char *err = NULL;
	CHECK(x12_ack_write_997(p.out.ack, 0, &reply, &out, &err) == 0);
	CHECK(strstr(out.data, "*^*00501*000000042*0*P*>~") != NULL);
	CHECK(strstr(out.data, "AK1*PO*102*005010~AK2*850*0001*005010X999~AK5*A~AK9*E*2*1*1*5~") != NULL);
	if (strstr(out.data, "AK9*E*2*1*1*5~") == NULL)
		fprintf(stderr, "997: %s\n", out.data);
	struct parsed back;
	parse(&back, out.data, out.len);
	CHECK_STR(back.out.not_order, "X12 997 functional acknowledgment");
	CHECK_INT(back.d.n_errors, 0);
	CHECK_INT(n_warnings_other_than_skipped(&back), 0);
	CHECK_INT(back.out.ack->interchanges[0].delims.repetition, '^');
	parsed_free(&back);

	/* 855 accepting the order, lines echoed. */
	static const struct { const char *type, *seller, *reason, *want; } cases[] = {
		{ "AD", "SO-1", NULL, "BAK*00*AD*PO-45001*20250110****SO-1*20250111~PO1*1*1200*EA*2.35**BP*A-100*VP*X-100~"
				      "ACK*IA*1200*EA~PO1*2*50*CA*118**BP*A-200~ACK*IA*50*CA~CTT*2~SE*8*0001~" },
		{ "RJ", NULL, "PRICE*TOO~HIGH", "BAK*00*RJ*PO-45001*20250110*****20250111~N9*L1*REASON~MTX**PRICETOOHIGH~SE*5*0001~" },
		{ "RD", NULL, NULL, "ACK*IR*1200*EA~" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		buf_reset(&out);
		CHECK(p.o != NULL);
		if (p.o == NULL)
			break;
		CHECK(x12_ack_write_855(p.o, cases[i].type, cases[i].seller, cases[i].reason,
					&p.out.ack->interchanges[0], &reply, &out, &err) == 0);
		CHECK(strstr(out.data, cases[i].want) != NULL);
		if (strstr(out.data, cases[i].want) == NULL)
			fprintf(stderr, "855: %s\n", out.data);
		CHECK(strstr(out.data, "GS*PR*EXAMPLEMFG*ACMEUS*20250111*0800*7*X*005010~") != NULL);
		parse(&back, out.data, out.len);
		CHECK_INT(back.r, 0);
		CHECK_STR(back.out.not_order, "X12 855 purchase order acknowledgment");
		CHECK_INT(back.d.n_errors, 0);
		CHECK_INT(n_warnings_other_than_skipped(&back), 0);
		parsed_free(&back);
	}
	buf_reset(&out);
	CHECK(x12_ack_write_855(p.o, "XX", NULL, NULL, &p.out.ack->interchanges[0], &reply, &out, &err) == -1);
	struct x12_reply bad = reply;
	bad.sender_id = "A-VERY-LONG-SENDER-ID";
	CHECK(x12_ack_write_855(p.o, "AT", NULL, NULL, &p.out.ack->interchanges[0], &bad, &out, &err) == -1);
	CHECK_INT(out.len, 0);
	parsed_free(&p);
	buf_free(&out);
}

int main(void)
{
	test_997();
	test_997_5010_and_855();
	return check_status();
}
