/* test_codes.c — every built-in code list: valid and invalid codes, case,
 * alpha-3 conversion, unit mapping (X12, EANCOM, English and Chinese
 * words), GS1 check digits with real identifiers, and date arithmetic. */
#include "check.h"
#include "codes.h"
#include <stdlib.h>

#define N(a) (sizeof(a) / sizeof((a)[0]))

static void test_tables(void)
{
	CHECK_INT(codes_self_check(), 0);
	CHECK_INT(codes_country_count(), 249);
	CHECK(codes_currency_count() >= 170);
	/* every country round-trips through its alpha-3 code */
	size_t bad = 0;
	for (size_t i = 0; i < codes_country_count(); i++) {
		const struct country *c = codes_country_at(i);
		if (codes_country_alpha3(c->alpha3) != c || codes_country(c->alpha2) != c)
			bad++;
	}
	CHECK_INT(bad, 0);
	CHECK(codes_country_at(249) == NULL);
}

static void test_currencies(void)
{
	static const struct { const char *code; int digits; int kind; } ok[] = {
		{ "USD", 2, CUR_TRADE }, { "EUR", 2, CUR_TRADE }, { "CNY", 2, CUR_TRADE },
		{ "JPY", 0, CUR_TRADE }, { "KRW", 0, CUR_TRADE }, { "BHD", 3, CUR_TRADE },
		{ "KWD", 3, CUR_TRADE }, { "TND", 3, CUR_TRADE }, { "CLF", 4, CUR_FUND },
		{ "UYW", 4, CUR_FUND }, { "ISK", 0, CUR_TRADE }, { "VND", 0, CUR_TRADE },
		{ "XOF", 0, CUR_TRADE }, { "XCG", 2, CUR_TRADE }, { "ZWG", 2, CUR_TRADE },
		{ "SLE", 2, CUR_TRADE }, { "VED", 2, CUR_TRADE }, { "HKD", 2, CUR_TRADE },
		{ "TWD", 2, CUR_TRADE }, { "usd", 2, CUR_TRADE }, { "XAU", -1, CUR_OTHER },
		{ "XTS", -1, CUR_OTHER }, { "XXX", -1, CUR_OTHER },
	};
	for (size_t i = 0; i < N(ok); i++) {
		const struct currency *c = codes_currency(ok[i].code);
		CHECK(c != NULL);
		if (c == NULL)
			continue;
		CHECK_INT(c->minor_digits, ok[i].digits);
		CHECK_INT(c->kind, ok[i].kind);
	}
	static const char *const bad[] = { "RMB", "HRK", "ZWL", "SLL", "US", "USDD", "", "U$D", "123" };
	for (size_t i = 0; i < N(bad); i++)
		CHECK(codes_currency(bad[i]) == NULL);
	CHECK(codes_currency(NULL) == NULL);
	CHECK_STR(codes_currency("EUR")->name, "Euro");
	CHECK_STR(codes_currency_replaced("HRK"), "EUR");
	CHECK_STR(codes_currency_replaced("zwl"), "ZWG");
	CHECK_STR(codes_currency_replaced("VEF"), "VES");
	CHECK_STR(codes_currency_replaced("DEM"), "EUR");
	CHECK(codes_currency_replaced("USD") == NULL);
}

static void test_countries(void)
{
	static const struct { const char *in, *alpha2; } conv[] = {
		{ "DE", "DE" }, { "de", "DE" }, { "DEU", "DE" }, { "deu", "DE" },
		{ "CHN", "CN" }, { "TWN", "TW" }, { "HKG", "HK" }, { "GBR", "GB" },
		{ "USA", "US" }, { "SSD", "SS" }, { "XKX", NULL }, { "UK", NULL },
		{ "EU", NULL }, { "D", NULL }, { "", NULL }, { "DEUT", NULL },
		{ "ALA", "AX" }, { "BES", "BQ" }, { "CUW", "CW" }, { "SXM", "SX" },
	};
	for (size_t i = 0; i < N(conv); i++)
		CHECK_STR(codes_country_to_alpha2(conv[i].in), conv[i].alpha2);
	CHECK_STR(codes_country("CN")->name, "China");
	CHECK_STR(codes_country("DE")->alpha3, "DEU");
	CHECK_STR(codes_country("CI")->name, "Côte d'Ivoire");
	CHECK_STR(codes_country_alpha3("NLD")->alpha2, "NL");
	CHECK(codes_country("XK") == NULL);   /* Kosovo: user-assigned, not official */
	CHECK(codes_country("AA") == NULL);
	CHECK(codes_country(NULL) == NULL);
	CHECK(codes_country_has_postal_codes("DE"));
	CHECK(codes_country_has_postal_codes("CN"));
	CHECK(!codes_country_has_postal_codes("HK"));
	CHECK(!codes_country_has_postal_codes("ae"));
}

static void test_incoterms(void)
{
	static const struct { const char *code; int group; bool sea; } ok[] = {
		{ "EXW", INCOTERM_E, false }, { "FCA", INCOTERM_F, false }, { "FAS", INCOTERM_F, true },
		{ "FOB", INCOTERM_F, true }, { "CPT", INCOTERM_C, false }, { "CIP", INCOTERM_C, false },
		{ "CFR", INCOTERM_C, true }, { "CIF", INCOTERM_C, true }, { "DAP", INCOTERM_D, false },
		{ "DPU", INCOTERM_D, false }, { "DDP", INCOTERM_D, false }, { "fob", INCOTERM_F, true },
	};
	for (size_t i = 0; i < N(ok); i++) {
		const struct incoterm *t = codes_incoterm(ok[i].code);
		CHECK(t != NULL);
		if (t == NULL)
			continue;
		CHECK_INT(t->group, ok[i].group);
		CHECK_INT(t->sea_only, ok[i].sea);
		CHECK_INT(codes_incoterm_ship_date_matters(t), ok[i].group != INCOTERM_D);
	}
	static const struct { const char *code, *use; } old[] = {
		{ "DAT", "DPU" }, { "DDU", "DAP" }, { "DEQ", "DPU" }, { "DES", "DAP" },
		{ "DAF", "DAP" }, { "C&F", "CFR" }, { "cnf", "CFR" }, { "FOB", NULL }, { "XYZ", NULL },
	};
	for (size_t i = 0; i < N(old); i++) {
		CHECK_STR(codes_incoterm_obsolete(old[i].code), old[i].use);
		if (old[i].use)
			CHECK(codes_incoterm(old[i].code) == NULL);
	}
	CHECK_STR(codes_incoterm("CIF")->name, "Cost, Insurance and Freight");
	CHECK(codes_incoterm("") == NULL);
	CHECK(codes_incoterm(NULL) == NULL);
}

static void test_transport_modes(void)
{
	CHECK_STR(codes_transport_mode("1"), "Maritime transport");
	CHECK_STR(codes_transport_mode("3"), "Road transport");
	CHECK_STR(codes_transport_mode("4"), "Air transport");
	CHECK_STR(codes_transport_mode("8"), "Inland water transport");
	CHECK_STR(codes_transport_mode("0"), "Transport mode not specified");
	CHECK_STR(codes_transport_mode("9"), "Transport mode not applicable");
	CHECK(codes_transport_mode("10") == NULL);
	CHECK(codes_transport_mode("A") == NULL);
	CHECK(codes_transport_mode("") == NULL);
	CHECK(codes_transport_mode(NULL) == NULL);
}

static void test_units(void)
{
	static const struct { const char *code, *name; } ok[] = {
		{ "C62", "one" }, { "H87", "piece" }, { "EA", "each" }, { "KGM", "kilogram" },
		{ "GRM", "gram" }, { "TNE", "tonne (metric ton)" }, { "LTR", "litre" },
		{ "MTR", "metre" }, { "MTK", "square metre" }, { "MTQ", "cubic metre" },
		{ "SET", "set" }, { "PR", "pair" }, { "DZN", "dozen" }, { "NMP", "number of packs" },
		{ "XCT", "Carton" }, { "XBX", "Box" }, { "XPK", "Package" }, { "XRO", "Roll" },
		{ "XBG", "Bag" }, { "XPX", "Pallet" }, { "XCS", "Case" }, { "XPA", "Packet" },
		{ "kgm", "kilogram" }, { "E48", "service unit" }, { "LBR", "pound" },
	};
	for (size_t i = 0; i < N(ok); i++) {
		const struct unit *u = codes_unit(ok[i].code);
		CHECK(u != NULL);
		if (u != NULL)
			CHECK_STR(u->name, ok[i].name);
	}
	/* old Rec 20 codes and X12 codes are not Rec 20 rev 11e codes */
	static const char *const bad[] = { "PCE", "PCS", "CT", "BX", "PK", "CS", "CA", "KG", "LB",
					   "", "KGMX", "pcs" };
	for (size_t i = 0; i < N(bad); i++)
		CHECK(codes_unit(bad[i]) == NULL);
	CHECK(codes_unit_is_package("XCT"));
	CHECK(codes_unit_is_package("xbx"));
	CHECK(!codes_unit_is_package("H87"));
	CHECK(!codes_unit_is_package("CT"));

	static const struct { int scheme; const char *in, *out; } map[] = {
		/* X12 355 */
		{ UNIT_X12_355, "EA", "EA" }, { UNIT_X12_355, "PC", "H87" }, { UNIT_X12_355, "CA", "XCS" },
		{ UNIT_X12_355, "CT", "XCT" }, { UNIT_X12_355, "BX", "XBX" }, { UNIT_X12_355, "PK", "XPK" },
		{ UNIT_X12_355, "DZ", "DZN" }, { UNIT_X12_355, "LB", "LBR" }, { UNIT_X12_355, "KG", "KGM" },
		{ UNIT_X12_355, "FT", "FOT" }, { UNIT_X12_355, "YD", "YRD" }, { UNIT_X12_355, "GA", "GLL" },
		{ UNIT_X12_355, "RL", "XRO" }, { UNIT_X12_355, "PR", "PR" }, { UNIT_X12_355, "ST", "SET" },
		{ UNIT_X12_355, "PL", "XPX" }, { UNIT_X12_355, "BG", "XBG" }, { UNIT_X12_355, "MR", "MTR" },
		{ UNIT_X12_355, "LT", "LTR" }, { UNIT_X12_355, "SM", "MTK" }, { UNIT_X12_355, "CR", "MTQ" },
		{ UNIT_X12_355, "TN", "STN" }, { UNIT_X12_355, "MP", "TNE" }, { UNIT_X12_355, "ea", "EA" },
		{ UNIT_X12_355, "CS", NULL },  /* cassette, not case */
		{ UNIT_X12_355, "RO", NULL },  /* round, not roll */
		{ UNIT_X12_355, "ZZ", NULL }, { UNIT_X12_355, "KGM", NULL },
		/* EANCOM 6411 */
		{ UNIT_EANCOM_6411, "PCE", "H87" }, { UNIT_EANCOM_6411, "KGM", "KGM" },
		{ UNIT_EANCOM_6411, "NAR", "NAR" }, { UNIT_EANCOM_6411, "NPR", "PR" },
		{ UNIT_EANCOM_6411, "LTR", "LTR" }, { UNIT_EANCOM_6411, "MTK", "MTK" },
		{ UNIT_EANCOM_6411, "CT", "XCT" }, { UNIT_EANCOM_6411, "E48", "E48" },
		{ UNIT_EANCOM_6411, "QQQ", NULL },
		/* Rec 20, with the codes older revisions had */
		{ UNIT_REC20, "C62", "C62" }, { UNIT_REC20, "h87", "H87" }, { UNIT_REC20, "CT", "XCT" },
		{ UNIT_REC20, "PF", "XPX" }, { UNIT_REC20, "RO", "XRO" }, { UNIT_REC20, "PA", "XPA" },
		{ UNIT_REC20, "pcs", NULL },
		/* words */
		{ UNIT_TEXT, "pcs", "H87" }, { UNIT_TEXT, "PCS", "H87" }, { UNIT_TEXT, "pcs.", "H87" },
		{ UNIT_TEXT, "pc", "H87" }, { UNIT_TEXT, "Piece", "H87" }, { UNIT_TEXT, "pieces", "H87" },
		{ UNIT_TEXT, " Pieces ", "H87" }, { UNIT_TEXT, "ctns", "XCT" }, { UNIT_TEXT, "Cartons", "XCT" },
		{ UNIT_TEXT, "sets", "SET" }, { UNIT_TEXT, "pairs", "PR" }, { UNIT_TEXT, "doz", "DZN" },
		{ UNIT_TEXT, "kgs", "KGM" }, { UNIT_TEXT, "KG", "KGM" }, { UNIT_TEXT, "mt", "TNE" },
		{ UNIT_TEXT, "square  metres", "MTK" }, { UNIT_TEXT, "cbm", "MTQ" },
		{ UNIT_TEXT, "litres", "LTR" }, { UNIT_TEXT, "lbs", "LBR" }, { UNIT_TEXT, "rolls", "XRO" },
		{ UNIT_TEXT, "件", "H87" }, { UNIT_TEXT, "个", "H87" }, { UNIT_TEXT, "個", "H87" },
		{ UNIT_TEXT, "只", "H87" }, { UNIT_TEXT, "隻", "H87" }, { UNIT_TEXT, "台", "H87" },
		{ UNIT_TEXT, "臺", "H87" }, { UNIT_TEXT, "套", "SET" }, { UNIT_TEXT, "箱", "XCT" },
		{ UNIT_TEXT, "双", "PR" }, { UNIT_TEXT, "雙", "PR" }, { UNIT_TEXT, "打", "DZN" },
		{ UNIT_TEXT, "卷", "XRO" }, { UNIT_TEXT, "吨", "TNE" }, { UNIT_TEXT, "噸", "TNE" },
		{ UNIT_TEXT, "公斤", "KGM" }, { UNIT_TEXT, "千克", "KGM" }, { UNIT_TEXT, "米", "MTR" },
		{ UNIT_TEXT, "升", "LTR" }, { UNIT_TEXT, " 件 ", "H87" },
		{ UNIT_TEXT, "widgets", NULL }, { UNIT_TEXT, "", NULL }, { UNIT_TEXT, "斤", NULL },
		/* guessing */
		{ UNIT_ANY, "KGM", "KGM" }, { UNIT_ANY, "pcs", "H87" }, { UNIT_ANY, "CA", "XCS" },
		{ UNIT_ANY, "PCE", "H87" }, { UNIT_ANY, "EA", "EA" }, { UNIT_ANY, "个", "H87" },
		{ UNIT_ANY, "DZ", "DZN" }, { UNIT_ANY, "bananas", NULL },
	};
	for (size_t i = 0; i < N(map); i++) {
		const char *got = codes_unit_map((enum unit_scheme)map[i].scheme, map[i].in);
		if ((got == NULL) != (map[i].out == NULL) || (got && strcmp(got, map[i].out) != 0))
			fprintf(stderr, "unit case %zu: \"%s\"\n", i, map[i].in);
		CHECK_STR(got, map[i].out);
	}
	CHECK(codes_unit_map(UNIT_ANY, NULL) == NULL);
}

static void test_gs1(void)
{
	static const struct { const char *s; bool gtin, gln; const char *g14; } ids[] = {
		{ "5412345000013", true, true, "05412345000013" },   /* GS1 example GLN */
		{ "4006381333931", true, true, "04006381333931" },   /* EAN-13 on a Stabilo pen */
		{ "4000001000005", true, true, "04000001000005" },
		{ "036000291452", true, false, "00036000291452" },   /* UPC-A */
		{ "96385074", true, false, "00000096385074" },       /* EAN-8 */
		{ "10614141000415", true, false, "10614141000415" }, /* GTIN-14 */
		{ "5412345000014", false, false, NULL },
		{ "4006381333932", false, false, NULL },
		{ "036000291453", false, false, NULL },
		{ "12345", false, false, NULL },
		{ "540123400001X", false, false, NULL },
		{ "", false, false, NULL },
		{ " 4006381333931", false, false, NULL },
		{ "123456789012345", false, false, NULL },
	};
	for (size_t i = 0; i < N(ids); i++) {
		char g[15];
		CHECK_INT(codes_gtin_valid(ids[i].s), ids[i].gtin);
		CHECK_INT(codes_gln_valid(ids[i].s), ids[i].gln);
		int r = codes_gtin14(ids[i].s, g);
		CHECK_INT(r, ids[i].g14 ? 0 : -1);
		if (r == 0)
			CHECK_STR(g, ids[i].g14);
	}
	CHECK(!codes_gtin_valid(NULL));
	CHECK(!codes_gln_valid(NULL));
}

static void test_dates(void)
{
	static const struct { const char *s; bool ok; long days; } d[] = {
		{ "1970-01-01", true, 0 }, { "1970-01-02", true, 1 }, { "1969-12-31", true, -1 },
		{ "2000-02-29", true, 11016 }, { "2024-02-29", true, 19782 }, { "2023-02-29", false, 0 },
		{ "1900-02-29", false, 0 }, { "2025-12-31", true, 20453 }, { "2025-13-01", false, 0 },
		{ "2025-00-10", false, 0 }, { "2025-04-31", false, 0 }, { "2025-04-00", false, 0 },
		{ "0000-01-01", false, 0 }, { "0001-01-01", true, -719162 }, { "9999-12-31", true, 2932896 },
		{ "2025-1-01", false, 0 }, { "2025/01/01", false, 0 }, { "20250101", false, 0 },
		{ "2025-01-01T00:00", false, 0 }, { "", false, 0 },
	};
	for (size_t i = 0; i < N(d); i++) {
		long days = 12345;
		CHECK_INT(codes_date_valid(d[i].s), d[i].ok);
		CHECK_INT(codes_date_days(d[i].s, &days), d[i].ok ? 0 : -1);
		if (d[i].ok)
			CHECK_INT(days, d[i].days);
	}
	CHECK(!codes_date_valid(NULL));

	static const struct { const char *a, *b; long diff; } df[] = {
		{ "2025-01-01", "2025-03-01", 59 }, { "2024-01-01", "2024-03-01", 60 },
		{ "2025-03-30", "2025-03-31", 1 },  /* across a DST change in Europe */
		{ "2025-11-02", "2025-11-03", 1 },  /* and in the US */
		{ "2025-06-01", "2025-01-01", -151 }, { "1999-12-31", "2000-01-01", 1 },
	};
	for (size_t i = 0; i < N(df); i++) {
		long n = 0;
		CHECK_INT(codes_date_diff(df[i].a, df[i].b, &n), 0);
		CHECK_INT(n, df[i].diff);
	}
	long n;
	CHECK_INT(codes_date_diff("2025-02-30", "2025-03-01", &n), -1);

	static const struct { const char *s; long add; const char *out; } ad[] = {
		{ "2025-01-31", 1, "2025-02-01" }, { "2024-02-28", 1, "2024-02-29" },
		{ "2025-02-28", 1, "2025-03-01" }, { "2025-12-31", 1, "2026-01-01" },
		{ "2025-03-01", -1, "2025-02-28" }, { "2025-01-01", 365, "2026-01-01" },
		{ "2024-01-01", 366, "2025-01-01" }, { "2025-06-15", 0, "2025-06-15" },
		{ "2025-06-15", -20000, "1970-09-12" }, { "9999-12-31", 1, NULL },
		{ "0001-01-01", -1, NULL }, { "2025-02-29", 1, NULL },
	};
	for (size_t i = 0; i < N(ad); i++) {
		char out[11] = "";
		int r = codes_date_add(ad[i].s, ad[i].add, out);
		CHECK_INT(r, ad[i].out ? 0 : -1);
		if (r == 0)
			CHECK_STR(out, ad[i].out);
	}
	/* every day of four centuries round-trips */
	char cur[11] = "1900-01-01", next[11];
	long prev;
	codes_date_days(cur, &prev);
	size_t broken = 0;
	for (int i = 0; i < 146097 * 1; i++) {
		long dd;
		if (codes_date_add(cur, 1, next) < 0 || codes_date_days(next, &dd) < 0 || dd != prev + 1)
			broken++;
		prev = dd;
		memcpy(cur, next, sizeof(cur));
	}
	CHECK_INT(broken, 0);
	CHECK_STR(cur, "2300-01-01");
}

int main(void)
{
	test_tables();
	test_currencies();
	test_countries();
	test_incoterms();
	test_transport_modes();
	test_units();
	test_gs1();
	test_dates();
	return check_status();
}
