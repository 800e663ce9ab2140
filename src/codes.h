/* codes.h — the built-in code lists and identifier checks that validation
 * and the parsers share.
 *
 * Every list is a sorted static table searched by binary search; nothing is
 * allocated and nothing is loaded at run time, so every function here is
 * safe to call from any process at any time.  Lookups take NUL-terminated
 * strings, ignore ASCII case for codes, and return NULL / false for NULL or
 * unknown input.  Returned pointers point into static tables.
 *
 * Lists: ISO 4217 (active currencies + minor-unit digits), ISO 3166-1
 * (alpha-2, alpha-3, English short name), Incoterms 2020 (+ the 2000/2010
 * rules that are gone), UN/ECE Rec 19 transport modes, UN/ECE Rec 20
 * revision 11e units (with Rec 21 package codes prefixed X) and a mapper
 * from X12 355, EANCOM 6411 and words people write (English, Chinese) to
 * Rec 20.  Also GTIN/GLN check digits and calendar dates. */
#ifndef ORDERGW_CODES_H
#define ORDERGW_CODES_H
#include <stdbool.h>
#include <stddef.h>

/* ---- ISO 4217 ------------------------------------------------------------ */

enum currency_kind {
	CUR_TRADE,   /* a national or regional currency */
	CUR_FUND,    /* a fund code (BOV, CHE, CLF, USN, ...): valid, unusual on an order */
	CUR_OTHER,   /* metals, SDR, bond units, XTS (testing), XXX (none) */
};

struct currency {
	const char *code;
	const char *name;        /* ISO English name */
	int minor_digits;        /* 0..4; -1 where ISO says N.A. */
	enum currency_kind kind;
};

/* An active ISO 4217 code (List One, 2025), or NULL. */
const struct currency *codes_currency(const char *code);
/* A withdrawn code that still turns up on orders (HRK, ZWL, SLL, VEF, ...):
 * returns the code that replaced it; NULL when code is not one of those. */
const char *codes_currency_replaced(const char *code);
size_t codes_currency_count(void);

/* ---- ISO 3166-1 ---------------------------------------------------------- */

struct country {
	const char *alpha2, *alpha3;
	const char *name;        /* ISO English short name (UTF-8) */
};

/* The 249 officially assigned codes. */
const struct country *codes_country(const char *alpha2);
const struct country *codes_country_alpha3(const char *alpha3);
/* alpha-2 or alpha-3, any case -> the alpha-2 code; NULL if neither. */
const char *codes_country_to_alpha2(const char *code);
size_t codes_country_count(void);
/* The i-th entry in alpha-2 order (for listings and tests); NULL past the end. */
const struct country *codes_country_at(size_t i);
/* False for the countries that have no postal codes (AE, HK, QA, ...). */
bool codes_country_has_postal_codes(const char *alpha2);

/* ---- Incoterms 2020 ------------------------------------------------------ */

enum incoterm_group {
	INCOTERM_E,   /* EXW: goods made available at the seller's premises */
	INCOTERM_F,   /* FCA FAS FOB: main carriage unpaid; the ship date matters */
	INCOTERM_C,   /* CPT CIP CFR CIF: main carriage paid, risk passes at shipment */
	INCOTERM_D,   /* DAP DPU DDP: arrival; the delivery date matters */
};

struct incoterm {
	const char *code;
	const char *name;
	enum incoterm_group group;
	bool sea_only;            /* FAS FOB CFR CIF: sea and inland waterway only */
};

/* One of the eleven Incoterms 2020 rules, or NULL. */
const struct incoterm *codes_incoterm(const char *code);
/* For the E and F terms the ship date is what the buyer asks for; for the
 * D terms the arrival date; for the C terms the shipment date (risk) and
 * the arrival (carriage) both matter: true for E/F/C. */
bool codes_incoterm_ship_date_matters(const struct incoterm *t);
/* A rule of Incoterms 2000/2010 that 2020 no longer has (DAT DDU DEQ DES
 * DAF), or the old spellings C&F / CAF / CNF: returns the closest 2020 rule
 * as a suggestion for sales (never applied automatically), else NULL. */
const char *codes_incoterm_obsolete(const char *code);

/* ---- UN/ECE Rec 19 ------------------------------------------------------- */

/* "0".."9" -> "Maritime transport", ...; NULL for anything else. */
const char *codes_transport_mode(const char *code);

/* ---- UN/ECE Rec 20 / Rec 21 units ---------------------------------------- */

struct unit {
	const char *code;         /* Rec 20 rev 11e, or X + Rec 21 */
	const char *name;         /* the Recommendation's name */
};

/* A unit code of Rec 20 revision 11e (2162 codes, X-codes included). */
const struct unit *codes_unit(const char *code);
/* True for X-prefixed Rec 21 package codes (a carton, a box, ...): those
 * need a pack size before planning can use the quantity. */
bool codes_unit_is_package(const char *code);

enum unit_scheme {
	UNIT_ANY,          /* guess: Rec 20, then words, then X12, then old Rec 20 */
	UNIT_REC20,        /* UBL unitCode, EDIFACT 6411 with Rec 20 agency */
	UNIT_X12_355,      /* X12 element 355 */
	UNIT_EANCOM_6411,  /* EANCOM 6411 (Rec 20 plus PCE and a few old codes) */
	UNIT_TEXT,         /* what people write: pcs, ctns, kg, 件, 箱, 公斤 ... */
};

/* Map a unit as written to a Rec 20 code; NULL when there is no safe
 * mapping (then hold the line: never guess a conversion). */
const char *codes_unit_map(enum unit_scheme scheme, const char *s);

/* ---- GS1 identifiers ----------------------------------------------------- */

/* GTIN-8, -12, -13 or -14 (digits only) with a correct mod-10 check digit. */
bool codes_gtin_valid(const char *s);
/* GLN: 13 digits with a correct check digit. */
bool codes_gln_valid(const char *s);
/* A valid GTIN left-padded with zeros to 14 digits into out[15]; -1 when
 * s is not a valid GTIN. */
int codes_gtin14(const char *s, char out[15]);

/* ---- calendar dates ------------------------------------------------------ */

/* "YYYY-MM-DD", a real day of the proleptic Gregorian calendar, years
 * 0001-9999.  Pure arithmetic on the date: no time zone, no mktime. */
bool codes_date_valid(const char *s);
/* Days since 1970-01-01 (negative before); -1 return when s is not valid. */
int codes_date_days(const char *s, long *days_r);
/* b - a in days; -1 return when either is not valid. */
int codes_date_diff(const char *a, const char *b, long *days_r);
/* s + n days into out[11] ("YYYY-MM-DD"); -1 when s is not valid or the
 * result leaves years 0001-9999. */
int codes_date_add(const char *s, long n, char out[11]);

/* 0 when every table is sorted and every unit mapping points at a known
 * unit; -1 otherwise (for the unit tests). */
int codes_self_check(void);

#endif
