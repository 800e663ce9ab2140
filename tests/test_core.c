/* test_core.c — arena, buf, decimal and the order record's JSON. */
#include "check.h"
#include "arena.h"
#include "buf.h"
#include "decimal.h"
#include "order.h"
#include <stdlib.h>

static const char *fmt(const char *s)
{
	static char out[DEC_STRLEN];
	struct dec d;
	if (dec_parse(s, &d) < 0)
		return "ERR";
	return dec_format(d, out);
}

static void test_decimal(void)
{
	static const struct { const char *in, *out; } parse[] = {
		{ "0", "0" }, { "12.50", "12.50" }, { "-3.1", "-3.1" }, { ".5", "0.5" },
		{ "5.", "5" }, { "+7", "7" }, { "0007.25", "7.25" }, { "1e5", "ERR" },
		{ "", "ERR" }, { "1.2.3", "ERR" }, { "-", "ERR" }, { "12,5", "ERR" },
		{ "123456789012345678901234567890123456", "123456789012345678901234567890123456" },
		{ "1234567890123456789012345678901234567", "ERR" },
		/* Either side of the 64-bit fast path (19 characters). */
		{ "9999999999999999999", "9999999999999999999" },
		{ "-9999999999999999999", "-9999999999999999999" },
		{ "18446744073709551616", "18446744073709551616" },
		{ "999999999.999999999", "999999999.999999999" },
		{ "0.000000000000000001", "0.000000000000000001" },
		{ "-.5", "-0.5" }, { ".", "ERR" }, { "+", "ERR" }, { "-0", "0" }, { "1..2", "ERR" },
		{ "12 ", "ERR" }, { "1-2", "ERR" }, { "\xd9\xa1", "ERR" },
		{ "0.0000000000000000000000000000001", "ERR" },    /* 31 places */
		{ "170141183460469231731687303715884105727", "ERR" },
	};
	for (size_t i = 0; i < sizeof(parse) / sizeof(parse[0]); i++)
		CHECK_STR(fmt(parse[i].in), parse[i].out);

	static const struct { const char *a, *b, *sum, *prod; } ops[] = {
		{ "1.5", "2.25", "3.75", "3.375" },
		{ "100", "0.01", "100.01", "1.00" },
		{ "-2", "3", "1", "-6" },
		{ "999999999999999", "12345678901234567", "13345678901234566", "12345678901234554654321098765433" },
	};
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		struct dec a, b, r;
		char s[DEC_STRLEN];
		dec_parse(ops[i].a, &a);
		dec_parse(ops[i].b, &b);
		CHECK(dec_add(a, b, &r) == 0);
		CHECK_STR(dec_format(r, s), ops[i].sum);
		CHECK(dec_mul(a, b, &r) == 0);
		CHECK_STR(dec_format(r, s), ops[i].prod);
	}
	struct dec a, b, r;
	char s[DEC_STRLEN];
	dec_parse("10", &a);
	dec_parse("3", &b);
	CHECK(dec_div(a, b, 4, &r) == 0);
	CHECK_STR(dec_format(r, s), "3.3333");
	dec_parse("2", &a);
	CHECK(dec_div(a, b, 2, &r) == 0);
	CHECK_STR(dec_format(r, s), "0.67");
	dec_parse("0", &b);
	CHECK(dec_div(a, b, 2, &r) < 0);
	dec_parse("1.005", &a);
	CHECK(dec_round(a, 2, &r) == 0);
	CHECK_STR(dec_format(r, s), "1.01");
	dec_parse("12.500", &a);
	CHECK_STR(dec_format(dec_trim(a), s), "12.5");
	dec_parse("12.50", &a);
	dec_parse("12.5", &b);
	CHECK(dec_cmp(a, b) == 0);
	dec_parse("12.51", &b);
	CHECK(dec_cmp(a, b) < 0);
	/* Overflow is reported, never wrapped. */
	dec_parse("999999999999999999999999999999999999", &a);
	CHECK(dec_mul(a, a, &r) < 0);
	/* Products and rescaling on both sides of the 64-bit short cuts. */
	char s2[DEC_STRLEN];
	dec_parse("9223372036854775807", &a);
	dec_parse("9223372036854775807", &b);
	CHECK(dec_mul(a, b, &r) == 0);
	CHECK_STR(dec_format(r, s2), "85070591730234615847396907784232501249");
	dec_parse("100000000000000000000", &a);
	dec_parse("10000000000000000000", &b);
	CHECK(dec_mul(a, b, &r) < 0);     /* 10^39 */
	dec_parse("9223372036854775807", &a);
	dec_parse("0.000000000000000001", &b);
	CHECK(dec_add(a, b, &r) == 0);
	CHECK_STR(dec_format(r, s2), "9223372036854775807.000000000000000001");
	/* Every power of ten of the rescaling table: 1 + 10^-k for k = 1..30,
	 * and 10^k x 10^(36-k) stays exact up to 10^36. */
	for (int k = 1; k <= 30; k++) {
		char in[40], want[40];
		snprintf(in, sizeof(in), "0.%0*d", k, 1);
		snprintf(want, sizeof(want), "1.%0*d", k, 1);
		dec_parse("1", &a);
		dec_parse(in, &b);
		CHECK(dec_add(a, b, &r) == 0);
		CHECK_STR(dec_format(r, s2), want);
	}
	dec_parse("123", &a);
	CHECK(dec_round(a, 30, &r) == 0);
	CHECK_STR(dec_format(r, s2), "123.000000000000000000000000000000");
	dec_parse("-120.500", &a);
	CHECK_STR(dec_format(dec_trim(a), s2), "-120.5");
	dec_parse("-18446744073709551616.0", &a);
	CHECK_STR(dec_format(dec_trim(a), s2), "-18446744073709551616");
}

static void test_buf(void)
{
	struct buf b;
	buf_init(&b, 16);
	CHECK(buf_adds(&b, "0123456789") == 0);
	CHECK(buf_adds(&b, "0123456789") < 0);    /* past max: refused */
	CHECK_INT(b.len, 10);
	buf_reset(&b);
	b.max = 1024;
	CHECK(buf_add_json_str(&b, "a\"b\\c\n\x01") == 0);
	CHECK_STR(b.data, "\"a\\\"b\\\\c\\n\\u0001\"");
	buf_free(&b);
	/* The escaper works a word at a time (two overlapping words for
	 * short values): put every special character at every offset of
	 * strings of every length up to 40 and compare with the plain rules. */
	static const char specials[] = { '"', '\\', '\n', '\r', '\t', 0x01, 0x1f, 0x7f, ' ', (char)0xc3, 0x21 };
	for (size_t len = 1; len <= 40; len++)
		for (size_t sp = 0; sp < sizeof(specials); sp++)
			for (size_t pos = 0; pos < len; pos++) {
				char in[41];
				memset(in, 'x', len);
				in[len] = '\0';
				in[pos] = specials[sp];
				if (len > 3)
					in[len - 1 - pos % 3] = (char)0xa9;   /* UTF-8 continuation bytes pass */
				char want[300];
				size_t k = 0;
				want[k++] = '"';
				for (size_t i = 0; i < len; i++) {
					unsigned char c = (unsigned char)in[i];
					if (c == '"' || c == '\\') {
						want[k++] = '\\';
						want[k++] = (char)c;
					} else if (c == '\n' || c == '\r' || c == '\t') {
						want[k++] = '\\';
						want[k++] = c == '\n' ? 'n' : c == '\r' ? 'r' : 't';
					} else if (c < 0x20) {
						k += (size_t)snprintf(want + k, sizeof(want) - k, "\\u%04x", c);
					} else {
						want[k++] = (char)c;
					}
				}
				want[k++] = '"';
				want[k] = '\0';
				buf_init(&b, 4096);
				CHECK(buf_add_json_str(&b, in) == 0);
				CHECK_STR(b.data, want);
				buf_free(&b);
				/* The inline short cut the record writer uses. */
				char fast[300];
				*buf_json_escape_fast(fast, in, len) = '\0';
				CHECK_STR(fast, want);
			}
}

static void test_size_text(void)
{
	char t[24];
	CHECK_STR(buf_size_text(t, 0), "0");
	CHECK_STR(buf_size_text(t, 7), "7");
	CHECK_STR(buf_size_text(t, 3143), "3143");
	CHECK_STR(buf_size_text(t, (size_t)-1), sizeof(size_t) == 8 ? "18446744073709551615" : "4294967295");
}

static void test_arena(void)
{
	struct arena *a = arena_new(256 * 1024);
	CHECK(arena_alloc(a, 100) != NULL);
	CHECK(arena_alloc(a, 150 * 1024) != NULL);
	CHECK(arena_alloc(a, 100 * 1024) == NULL);    /* limit */
	CHECK(arena_failed(a));
	arena_reset(a);
	CHECK(!arena_failed(a));
	CHECK_STR(arena_strndup(a, "hello", 4), "hell");
	CHECK_STR(arena_printf(a, "%d-%s", 7, "x"), "7-x");
	/* Every length of the short-copy paths, from inside a longer buffer. */
	const char *src = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJ";
	for (size_t n = 0; n <= 40; n++) {
		char want[48];
		memcpy(want, src + 3, n);
		want[n] = '\0';
		CHECK_STR(arena_strndup(a, src + 3, n), want);
	}
	arena_free(&a);
	CHECK(a == NULL);
}

static void test_order_json(void)
{
	struct arena *a = arena_new(1 << 20);
	struct order *o = order_new(a);
	o->format = "csv";
	o->po_number = order_str(o, "  PO-1 \"x\"  ");
	o->currency = "USD";
	struct party *p = order_party(o, ROLE_SHIP_TO);
	p->name = "Acme 上海";
	p->country = "CN";
	party_add_address_line(o, p, "1 Road");
	party_add_id(o, p, "GLN", "5412345000013");
	struct order_line *l = order_add_line(o);
	l->line_no = "1";
	l->quantity = "10";
	l->uom_code = "H87";
	l->unit_price = "2.5";
	l = order_add_line(o);
	l->line_no = "2";
	l->quantity = "4";
	l->uom_code = "H87";
	l->unit_price = "10";
	l->price_basis_quantity = "100";
	CHECK_STR(order_total_quantity(o), "14");
	CHECK_STR(order_total_amount(o), "25.4");
	struct buf b;
	buf_init(&b, 1 << 20);
	CHECK(order_to_json(o, &b) == 0);
	CHECK(strstr(b.data, "\"po_number\":\"PO-1 \\\"x\\\"\"") != NULL);
	CHECK(strstr(b.data, "\"bill_to\":null") != NULL);
	CHECK(strstr(b.data, "\"incoterms\":null") != NULL);
	CHECK(strstr(b.data, "\"line_count\":2") != NULL);
	const char *h1 = order_content_hash(o);
	/* Round trip: reading and writing again gives the same bytes. */
	struct arena *a2 = arena_new(1 << 20);
	struct order *o2;
	const char *err = NULL;
	CHECK(order_from_json(a2, b.data, b.len, &o2, &err) == 0);
	struct buf b2;
	buf_init(&b2, 1 << 20);
	CHECK(order_to_json(o2, &b2) == 0);
	CHECK_STR(b2.data, b.data);
	/* The source block does not change the content hash. */
	o2->source.channel = "imap";
	o2->source.message_id = "x@y";
	o2->format = "x12-850";
	CHECK_STR(order_content_hash(o2), h1);
	o2->lines[0].quantity = "11";
	CHECK(strcmp(order_content_hash(o2), h1) != 0);
	CHECK(order_from_json(a2, "[1]", 3, &o2, &err) < 0);
	CHECK(order_from_json(a2, "{\"po_number\":", 13, &o2, &err) < 0);
	buf_free(&b);
	buf_free(&b2);
	arena_free(&a);
	arena_free(&a2);
}

int main(void)
{
	test_decimal();
	test_buf();
	test_size_text();
	test_arena();
	test_order_json();
	return check_status();
}
