/* x12.c — ANSI X12 interchanges: 850 (and 860) transaction sets to orders.
 *
 * One pass over the bytes: delimiters are read off each ISA (element
 * separator at byte 4, ISA16 and the segment terminator found by counting
 * 16 element separators, so a short or NBSP-padded ISA still works);
 * segments are cut with a byte-class table and their elements indexed in
 * place (no copy, no allocation), except for segments with CR/LF inside
 * (hard-wrapped files), which are cleaned into one scratch buffer.  EBCDIC
 * (CP037) input is converted to Latin-1 first.
 *
 * Ownership: one arena per parse, reset for every transaction set; the
 * order handed to out->emit lives in it until the next set.  The ack_info
 * (997 data) is malloc'd, bounded by OG_X12_MAX_ACK_SETS, and owned by the
 * caller through out->ack / out->ack_free.
 *
 * Failure: a set that fails its envelope checks (SE01, ST02=SE02, CTT01,
 * no BEG, no SE) is not emitted, is counted in out->n_rejected and gets an
 * error diagnostic naming the segment, byte offset, expected and found;
 * group and interchange trailer problems are warnings; bad element values
 * become null fields with a warning (997 status E).  Only input without any
 * ISA returns -1.  Nothing here reads past `len`. */
#include "x12.h"
#include "arena.h"
#include "decimal.h"
#include "limits.h"
#include "log.h"
#include <ctype.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* ---- tables -------------------------------------------------------------- */

/* CP037 (EBCDIC, US/Canada) to ISO 8859-1; the two are the same repertoire. */
static const unsigned char cp037_latin1[256] = {
	0x00, 0x01, 0x02, 0x03, 0x9c, 0x09, 0x86, 0x7f, 0x97, 0x8d, 0x8e, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f,
	0x10, 0x11, 0x12, 0x13, 0x9d, 0x85, 0x08, 0x87, 0x18, 0x19, 0x92, 0x8f, 0x1c, 0x1d, 0x1e, 0x1f,
	0x80, 0x81, 0x82, 0x83, 0x84, 0x0a, 0x17, 0x1b, 0x88, 0x89, 0x8a, 0x8b, 0x8c, 0x05, 0x06, 0x07,
	0x90, 0x91, 0x16, 0x93, 0x94, 0x95, 0x96, 0x04, 0x98, 0x99, 0x9a, 0x9b, 0x14, 0x15, 0x9e, 0x1a,
	0x20, 0xa0, 0xe2, 0xe4, 0xe0, 0xe1, 0xe3, 0xe5, 0xe7, 0xf1, 0xa2, 0x2e, 0x3c, 0x28, 0x2b, 0x7c,
	0x26, 0xe9, 0xea, 0xeb, 0xe8, 0xed, 0xee, 0xef, 0xec, 0xdf, 0x21, 0x24, 0x2a, 0x29, 0x3b, 0xac,
	0x2d, 0x2f, 0xc2, 0xc4, 0xc0, 0xc1, 0xc3, 0xc5, 0xc7, 0xd1, 0xa6, 0x2c, 0x25, 0x5f, 0x3e, 0x3f,
	0xf8, 0xc9, 0xca, 0xcb, 0xc8, 0xcd, 0xce, 0xcf, 0xcc, 0x60, 0x3a, 0x23, 0x40, 0x27, 0x3d, 0x22,
	0xd8, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0xab, 0xbb, 0xf0, 0xfd, 0xfe, 0xb1,
	0xb0, 0x6a, 0x6b, 0x6c, 0x6d, 0x6e, 0x6f, 0x70, 0x71, 0x72, 0xaa, 0xba, 0xe6, 0xb8, 0xc6, 0xa4,
	0xb5, 0x7e, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7a, 0xa1, 0xbf, 0xd0, 0xdd, 0xde, 0xae,
	0x5e, 0xa3, 0xa5, 0xb7, 0xa9, 0xa7, 0xb6, 0xbc, 0xbd, 0xbe, 0x5b, 0x5d, 0xaf, 0xa8, 0xb4, 0xd7,
	0x7b, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49, 0xad, 0xf4, 0xf6, 0xf2, 0xf3, 0xf5,
	0x7d, 0x4a, 0x4b, 0x4c, 0x4d, 0x4e, 0x4f, 0x50, 0x51, 0x52, 0xb9, 0xfb, 0xfc, 0xf9, 0xfa, 0xff,
	0x5c, 0xf7, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59, 0x5a, 0xb2, 0xd4, 0xd6, 0xd2, 0xd3, 0xd5,
	0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0xb3, 0xdb, 0xdc, 0xd9, 0xda, 0x9f,
};

/* ISO 3166-1 alpha-3 followed by alpha-2, sorted by alpha-3 (from the
 * iso-codes package), for N404 values sent as alpha-3. */
static const char countries[] =
	"ABWAWAFGAFAGOAOAIAAIALAAXALBALANDADAREAEARGARARMAMASMASATAAQATFTFATGAGAUSAU"
	"AUTATAZEAZBDIBIBELBEBENBJBESBQBFABFBGDBDBGRBGBHRBHBHSBSBIHBABLMBLBLRBYBLZBZ"
	"BMUBMBOLBOBRABRBRBBBBRNBNBTNBTBVTBVBWABWCAFCFCANCACCKCCCHECHCHLCLCHNCNCIVCI"
	"CMRCMCODCDCOGCGCOKCKCOLCOCOMKMCPVCVCRICRCUBCUCUWCWCXRCXCYMKYCYPCYCZECZDEUDE"
	"DJIDJDMADMDNKDKDOMDODZADZECUECEGYEGERIERESHEHESPESESTEEETHETFINFIFJIFJFLKFK"
	"FRAFRFROFOFSMFMGABGAGBRGBGEOGEGGYGGGHAGHGIBGIGINGNGLPGPGMBGMGNBGWGNQGQGRCGR"
	"GRDGDGRLGLGTMGTGUFGFGUMGUGUYGYHKGHKHMDHMHNDHNHRVHRHTIHTHUNHUIDNIDIMNIMINDIN"
	"IOTIOIRLIEIRNIRIRQIQISLISISRILITAITJAMJMJEYJEJORJOJPNJPKAZKZKENKEKGZKGKHMKH"
	"KIRKIKNAKNKORKRKWTKWLAOLALBNLBLBRLRLBYLYLCALCLIELILKALKLSOLSLTULTLUXLULVALV"
	"MACMOMAFMFMARMAMCOMCMDAMDMDGMGMDVMVMEXMXMHLMHMKDMKMLIMLMLTMTMMRMMMNEMEMNGMN"
	"MNPMPMOZMZMRTMRMSRMSMTQMQMUSMUMWIMWMYSMYMYTYTNAMNANCLNCNERNENFKNFNGANGNICNI"
	"NIUNUNLDNLNORNONPLNPNRUNRNZLNZOMNOMPAKPKPANPAPCNPNPERPEPHLPHPLWPWPNGPGPOLPL"
	"PRIPRPRKKPPRTPTPRYPYPSEPSPYFPFQATQAREUREROURORUSRURWARWSAUSASDNSDSENSNSGPSG"
	"SGSGSSHNSHSJMSJSLBSBSLESLSLVSVSMRSMSOMSOSPMPMSRBRSSSDSSSTPSTSURSRSVKSKSVNSI"
	"SWESESWZSZSXMSXSYCSCSYRSYTCATCTCDTDTGOTGTHATHTJKTJTKLTKTKMTMTLSTLTONTOTTOTT"
	"TUNTNTURTRTUVTVTWNTWTZATZUGAUGUKRUAUMIUMURYUYUSAUSUZBUZVATVAVCTVCVENVEVGBVG"
	"VIRVIVNMVNVUTVUWLFWFWSMWSYEMYEZAFZAZMBZMZWEZW"
;

static const char *country_alpha2(const char *a3)
{
	size_t lo = 0, hi = (sizeof(countries) - 1) / 5;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = memcmp(a3, countries + mid * 5, 3);
		if (c == 0)
			return countries + mid * 5 + 3;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

struct code_map {
	const char *from, *to;
};

static bool code_eq(const char *lit, const char *code, size_t len)
{
	size_t i = 0;
	for (; i < len; i++)
		if (lit[i] != code[i] || lit[i] == '\0')
			return false;
	return lit[i] == '\0';
}

static const char *code_lookup(const struct code_map *m, const char *code, size_t len)
{
	for (; m->from != NULL; m++)
		if (code_eq(m->from, code, len))
			return m->to;
	return NULL;
}

/* order-mapping.md section 7; X12 element 355 is not Rec 20, so every
 * code needs this lookup.  Package units take the Rec 21 code with "X". */
#define U2(a, b) (((unsigned)(unsigned char)(a) << 8) | (unsigned)(unsigned char)(b))

const char *x12_unit_to_rec20(const char *code, size_t len)
{
	if (len != 2)
		return NULL;
	switch (U2(code[0], code[1])) {
	case U2('E', 'A'): return "EA";
	case U2('P', 'C'): return "H87";
	case U2('U', 'N'): return "C62";
	case U2('C', 'A'): return "XCS";
	case U2('C', 'T'): return "XCT";
	case U2('B', 'X'): return "XBX";
	case U2('P', 'K'): return "XPK";
	case U2('B', 'G'): return "XBG";
	case U2('B', 'O'): return "XBO";
	case U2('C', 'N'): return "XCA";
	case U2('P', 'L'): return "XPX";
	case U2('D', 'R'): return "XDR";
	case U2('R', 'L'): return "XRO";
	case U2('K', 'G'): return "KGM";
	case U2('L', 'B'): return "LBR";
	case U2('G', 'R'): return "GRM";
	case U2('O', 'Z'): return "ONZ";
	case U2('D', 'Z'): return "DZN";
	case U2('P', 'R'): return "PR";
	case U2('S', 'T'): return "SET";
	case U2('K', 'T'): return "KT";
	case U2('M', 'R'): return "MTR";
	case U2('C', 'M'): return "CMT";
	case U2('M', 'M'): return "MMT";
	case U2('F', 'T'): return "FOT";
	case U2('I', 'N'): return "INH";
	case U2('Y', 'D'): return "YRD";
	case U2('L', 'T'): return "LTR";
	case U2('M', 'L'): return "MLT";
	case U2('G', 'A'): return "GLL";
	case U2('T', 'N'): return "TNE";
	default: return NULL;
	}
}

/* TD504 (element 91) to UN/ECE Rec 19: 1 sea, 2 rail, 3 road, 4 air,
 * 5 mail, 6 multimodal, 8 inland water. */
static const struct code_map modes[] = {
	{ "S", "1" }, { "O", "1" }, { "Q", "1" }, { "R", "2" }, { "M", "3" }, { "J", "3" },
	{ "E", "3" }, { "F", "3" }, { "BU", "3" }, { "A", "4" }, { "AE", "4" }, { "AF", "4" },
	{ "D", "5" }, { "X", "6" }, { "B", "8" }, { "W", "8" }, { NULL, NULL }
};

const char *x12_transport_mode(const char *code, size_t len)
{
	return code_lookup(modes, code, len);
}

static const char *const incoterms2020[] = {
	"EXW", "FCA", "CPT", "CIP", "DAP", "DPU", "DDP", "FAS", "FOB", "CFR", "CIF", NULL
};

/* What a transaction set that is not an order is, for out->not_order. */
static const struct code_map set_names[] = {
	{ "997", "X12 997 functional acknowledgment" },
	{ "999", "X12 999 implementation acknowledgment" },
	{ "855", "X12 855 purchase order acknowledgment" },
	{ "865", "X12 865 purchase order change acknowledgment" },
	{ "810", "X12 810 invoice" },
	{ "856", "X12 856 ship notice" },
	{ "824", "X12 824 application advice" },
	{ "846", "X12 846 inventory inquiry/advice" },
	{ "830", "X12 830 planning schedule" },
	{ "862", "X12 862 shipping schedule" },
	{ NULL, NULL }
};

/* ---- the parser's state -------------------------------------------------- */

enum x12_state { ST_OUTSIDE, ST_INTERCHANGE, ST_GROUP, ST_SET };
enum set_kind { KIND_OTHER, KIND_850, KIND_860 };

struct el {
	const char *p;
	size_t n;
};

#define SEGID(a, b, c) (((uint32_t)(unsigned char)(a) << 16) | ((uint32_t)(unsigned char)(b) << 8) | (uint32_t)(unsigned char)(c))
#define SEGID2(a, b) SEGID(a, b, 0)

struct x12p {
	const struct parse_input *in;
	struct parse_output *out;
	const unsigned char *data;
	size_t len, pos;
	bool latin1;                 /* converted from EBCDIC: every byte is Latin-1 */
	bool stop;                   /* emit asked to stop */

	struct x12_delims dl;
	unsigned char cls[256];      /* 0 data, 1 terminator, 2 element separator, 3 CR/LF */

	/* the current segment */
	const unsigned char *sp;
	size_t slen, soff, seg_no;
	size_t nel, nstored;
	size_t el[OG_X12_MAX_ELEMENTS + 1];
	uint32_t id;
	char idtxt[4];
	unsigned char *scratch;
	size_t scratch_cap;

	/* envelope */
	enum x12_state state;
	char isa13[10], gs06[10], st02[10], st01[4], sender[40], version[7];
	bool is_test, orphan_set;
	size_t ic_groups, group_sets, ic_ack, group_ack, set_ack;
	size_t isa_seg, isa_off, gs_seg, gs_off, st_seg, st_off;

	/* the transaction set */
	enum set_kind kind;
	size_t set_segs;             /* ST..current, for SE01 */
	bool rejected;
	struct arena *arena;
	struct order *o;
	struct diags od;
	bool seen_beg, in_detail, in_summary, party_loop, party_addr;
	struct party *party;
	struct order_line *line;
	size_t n_items;              /* PO1 (850) or POC (860) segments */
	long ctt01;                  /* -1 none, -2 not a number */
	size_t ctt_pos, ctt_off, ctt_setpos;
	char ctt_text[20];
	int buyer_rank, seller_rank, gtin_rank;
	bool currency_by, desc_from_pd, declared_tt;

	/* the file */
	size_t n_order_sets, n_other_sets, n_ta1;
	const char *first_other;
	struct ack_info *ack;
};

/* ---- diagnostics --------------------------------------------------------- */

static void vdiag(struct x12p *p, enum diag_severity sev, bool order_level, size_t seg_no,
		  size_t off, const char *fmt, va_list ap)
	__attribute__((format(printf, 6, 0)));

static void vdiag(struct x12p *p, enum diag_severity sev, bool order_level, size_t seg_no,
		  size_t off, const char *fmt, va_list ap)
{
	char msg[900], where[64];
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (seg_no > 0)
		snprintf(where, sizeof(where), "segment %zu (byte %zu)", seg_no, off);
	else
		snprintf(where, sizeof(where), "byte %zu", off);
	diag_add(p->out->diags, sev, where, "%s", msg);
	if (order_level && p->o != NULL)
		diag_add(&p->od, sev, where, "%s", msg);
}

/* A problem at the current segment. */
static void diag_seg(struct x12p *p, enum diag_severity sev, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void diag_seg(struct x12p *p, enum diag_severity sev, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vdiag(p, sev, true, p->seg_no, p->soff, fmt, ap);
	va_end(ap);
}

/* A problem at a given place (an envelope segment seen earlier). */
static void diag_at(struct x12p *p, enum diag_severity sev, size_t seg_no, size_t off,
		    const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static void diag_at(struct x12p *p, enum diag_severity sev, size_t seg_no, size_t off,
		    const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vdiag(p, sev, true, seg_no, off, fmt, ap);
	va_end(ap);
}

/* ---- elements and strings ------------------------------------------------ */

static inline __attribute__((always_inline)) struct el el_get(const struct x12p *p, size_t i)
{
	if (i >= p->nel)
		return (struct el){ "", 0 };
	size_t a = p->el[i];
	size_t b = i + 1 < p->nstored ? p->el[i + 1] - 1 : p->slen;
	return (struct el){ (const char *)p->sp + a, b - a };
}

/* Trim ASCII white space and no-break spaces (UTF-8 C2 A0, or a lone
 * Latin-1 A0 that cannot be part of a UTF-8 character). */
static __attribute__((noinline)) struct el el_trim_slow(struct el e)
{
	for (;;) {
		if (e.n > 0 && (e.p[0] == ' ' || e.p[0] == '\t' || e.p[0] == '\r' || e.p[0] == '\n')) {
			e.p++;
			e.n--;
		} else if (e.n >= 2 && (unsigned char)e.p[0] == 0xC2 && (unsigned char)e.p[1] == 0xA0) {
			e.p += 2;
			e.n -= 2;
		} else if (e.n > 0 && (unsigned char)e.p[0] == 0xA0) {
			e.p++;
			e.n--;
		} else {
			break;
		}
	}
	for (;;) {
		unsigned char c = e.n ? (unsigned char)e.p[e.n - 1] : 0;
		if (e.n > 0 && (c == ' ' || c == '\t' || c == '\r' || c == '\n')) {
			e.n--;
		} else if (e.n >= 2 && c == 0xA0 && (unsigned char)e.p[e.n - 2] == 0xC2) {
			e.n -= 2;
		} else if (c == 0xA0 && (e.n == 1 || (unsigned char)e.p[e.n - 2] < 0x80)) {
			e.n--;
		} else {
			break;
		}
	}
	return e;
}

static inline __attribute__((always_inline)) struct el el_trim(struct el e)
{
	if (e.n == 0 || ((unsigned)((unsigned char)e.p[0] - 0x21) < 0x5Fu && (unsigned)((unsigned char)e.p[e.n - 1] - 0x21) < 0x5Fu))
		return e;   /* the usual case: printable ASCII at both ends */
	return el_trim_slow(e);
}

/* Element i, trimmed, first repetition only. */
static inline __attribute__((always_inline)) struct el elt(const struct x12p *p, size_t i)
{
	struct el e = el_trim(el_get(p, i));
	if (p->dl.repetition != 0 && e.n > 0) {
		const char *r = memchr(e.p, p->dl.repetition, e.n);
		if (r != NULL)
			e = el_trim((struct el){ e.p, (size_t)(r - e.p) });
	}
	return e;
}

/* The first component of element i. */
static struct el elc(const struct x12p *p, size_t i)
{
	struct el e = elt(p, i);
	const char *c = e.n ? memchr(e.p, p->dl.component, e.n) : NULL;
	if (c != NULL)
		e = el_trim((struct el){ e.p, (size_t)(c - e.p) });
	return e;
}

/* Is e exactly the (short, literal) string s?  Hot: no library calls. */
static inline bool el_is(struct el e, const char *s)
{
	return code_eq(s, e.p, e.n);
}

static bool utf8_valid(const unsigned char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		unsigned char c = s[i];
		if (c < 0x80) {
			i++;
			continue;
		}
		size_t k;
		uint32_t cp;
		if (c >= 0xC2 && c <= 0xDF) {
			k = 1;
			cp = c & 0x1F;
		} else if (c >= 0xE0 && c <= 0xEF) {
			k = 2;
			cp = c & 0x0F;
		} else if (c >= 0xF0 && c <= 0xF4) {
			k = 3;
			cp = c & 0x07;
		} else {
			return false;
		}
		if (i + k >= n)
			return false;
		for (size_t j = 1; j <= k; j++) {
			if ((s[i + j] & 0xC0) != 0x80)
				return false;
			cp = (cp << 6) | (s[i + j] & 0x3F);
		}
		if ((k == 2 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
		    (k == 3 && (cp < 0x10000 || cp > 0x10FFFF)))
			return false;
		i += k + 1;
	}
	return true;
}

/* No byte >= 0x80 in e: eight bytes at a time (overlapping at the end). */
static inline bool ascii_only(struct el e)
{
	const uint64_t high = 0x8080808080808080ull;
	uint64_t w, acc = 0;
	if (e.n >= 8) {
		size_t i = 0;
		for (; i + 8 <= e.n; i += 8) {
			memcpy(&w, e.p + i, 8);
			acc |= w;
		}
		memcpy(&w, e.p + e.n - 8, 8);
		return ((acc | w) & high) == 0;
	}
	unsigned char any = 0;
	for (size_t i = 0; i < e.n; i++)
		any |= (unsigned char)e.p[i];
	return any < 0x80;
}

/* Copy a (trimmed) value into the order's arena as UTF-8: kept as is when it is
 * valid UTF-8 (and not from EBCDIC), else read as Latin-1.  NULL when
 * empty or when the arena is full. */
static const char *ostr(struct x12p *p, struct el e)
{
	if (e.n == 0)
		return NULL;
	if (e.n > OG_MAX_FIELD_BYTES) {
		diag_seg(p, DIAG_WARNING, "%s: a value of %zu bytes was cut to %u bytes",
			 p->idtxt, e.n, OG_MAX_FIELD_BYTES);
		e.n = OG_MAX_FIELD_BYTES;
		while (e.n > 0 && ((unsigned char)e.p[e.n] & 0xC0) == 0x80)
			e.n--;
	}
	if (ascii_only(e) || (!p->latin1 && utf8_valid((const unsigned char *)e.p, e.n)))
		return arena_strndup(p->arena, e.p, e.n);
	size_t high = 0;
	for (size_t i = 0; i < e.n; i++)
		high += (unsigned char)e.p[i] >> 7;
	char *s = arena_alloc(p->arena, e.n + high + 1);
	if (s == NULL)
		return NULL;
	char *o = s;
	for (size_t i = 0; i < e.n; i++) {
		unsigned char c = (unsigned char)e.p[i];
		if (c < 0x80) {
			*o++ = (char)c;
		} else {
			*o++ = (char)(0xC0 | (c >> 6));
			*o++ = (char)(0x80 | (c & 0x3F));
		}
	}
	*o = '\0';
	return s;
}

static const char *ostr_el(struct x12p *p, size_t i)
{
	return ostr(p, elt(p, i));
}

/* Copy a short envelope value into a fixed field ("" when absent). */
static void copy_field(char *dst, size_t cap, struct el e)
{
	size_t n = e.n < cap - 1 ? e.n : cap - 1;
	memcpy(dst, e.p, n);
	dst[n] = '\0';
}

static bool all_digits(struct el e)
{
	if (e.n == 0)
		return false;
	for (size_t i = 0; i < e.n; i++)
		if (e.p[i] < '0' || e.p[i] > '9')
			return false;
	return true;
}

/* Unsigned integer value (at most 18 digits); -1 when not a number. */
static long long el_uint(struct el e)
{
	if (!all_digits(e) || e.n > 18)
		return -1;
	long long v = 0;
	for (size_t i = 0; i < e.n; i++)
		v = v * 10 + (e.p[i] - '0');
	return v;
}

/* Control numbers match when equal as written or as numbers. */
static bool control_eq(struct el a, struct el b)
{
	if (a.n == b.n && memcmp(a.p, b.p, a.n) == 0)
		return true;
	long long x = el_uint(a), y = el_uint(b);
	return x >= 0 && x == y;
}

static struct el el_str(const char *s)
{
	return (struct el){ s, strlen(s) };
}

/* ---- 997 bookkeeping ----------------------------------------------------- */

static void *grow(void *arr, size_t elem, size_t *cap, size_t want)
{
	if (want <= *cap)
		return arr;
	size_t ncap = *cap ? *cap * 2 : 8;
	while (ncap < want)
		ncap *= 2;
	void *n = realloc(arr, ncap * elem);
	if (n == NULL)
		fatal("out of memory (X12 acknowledgement data)");
	memset((char *)n + *cap * elem, 0, (ncap - *cap) * elem);
	*cap = ncap;
	return n;
}

void x12_ack_info_free(struct ack_info *a)
{
	if (a == NULL)
		return;
	free(a->interchanges);
	free(a->groups);
	free(a->sets);
	free(a->errors);
	free(a);
}

static struct x12_ack_interchange *ack_ic(struct x12p *p)
{
	return p->ic_ack == SIZE_MAX ? NULL : &p->ack->interchanges[p->ic_ack];
}

static struct x12_ack_group *ack_group(struct x12p *p)
{
	return p->group_ack == SIZE_MAX ? NULL : &p->ack->groups[p->group_ack];
}

static struct x12_ack_set *ack_set(struct x12p *p)
{
	return p->set_ack == SIZE_MAX ? NULL : &p->ack->sets[p->set_ack];
}

static void ack_set_code(struct x12p *p, int code)
{
	struct x12_ack_set *s = ack_set(p);
	if (s == NULL)
		return;
	s->status = 'R';
	for (size_t i = 0; i < s->n_codes; i++)
		if (s->codes[i] == code)
			return;
	if (s->n_codes < X12_ACK_MAX_CODES)
		s->codes[s->n_codes++] = (unsigned char)code;
}

static void ack_group_code(struct x12p *p, int code)
{
	struct x12_ack_group *g = ack_group(p);
	if (g == NULL)
		return;
	for (size_t i = 0; i < g->n_codes; i++)
		if (g->codes[i] == code)
			return;
	if (g->n_codes < X12_ACK_MAX_CODES)
		g->codes[g->n_codes++] = (unsigned char)code;
}

/* Record an AK3 (and AK4 when element_position > 0) for the current set. */
static void ack_error(struct x12p *p, const char *seg_id, size_t position, int seg_code,
		      int element_position, int element_ref, int element_code, struct el value)
{
	struct x12_ack_set *s = ack_set(p);
	if (s == NULL || s->n_errors >= X12_ACK_MAX_ERRORS_PER_SET)
		return;
	struct ack_info *a = p->ack;
	if (s->n_errors == 0)
		s->first_error = a->n_errors;
	else if (s->first_error + s->n_errors != a->n_errors)
		return;   /* only the current set can grow */
	a->errors = grow(a->errors, sizeof(*a->errors), &a->cap_errors, a->n_errors + 1);
	s = ack_set(p);
	struct x12_ack_error *e = &a->errors[a->n_errors++];
	memset(e, 0, sizeof(*e));
	copy_field(e->segment_id, sizeof(e->segment_id), el_str(seg_id));
	e->position = position;
	e->segment_code = seg_code;
	e->element_position = element_position;
	e->element_ref = element_ref;
	e->element_code = element_code;
	/* AK404 must not carry our delimiters. */
	size_t n = 0;
	for (size_t i = 0; i < value.n && n + 1 < sizeof(e->value); i++) {
		unsigned char c = (unsigned char)value.p[i];
		if (c >= 0x20 && c < 0x7F && c != p->dl.element && c != p->dl.component &&
		    c != p->dl.segment && c != p->dl.repetition)
			e->value[n++] = (char)c;
	}
	e->value[n] = '\0';
	s->n_errors++;
	if (s->status == 'A')
		s->status = 'E';
}

/* A bad element value in the current segment: AK3 code 8 + AK4. */
static void element_error(struct x12p *p, int position, int ref, int code, struct el value)
{
	ack_error(p, p->idtxt, p->set_segs, 8, position, ref, code, value);
}

/* ---- segments ------------------------------------------------------------ */

static void set_delims(struct x12p *p, struct x12_delims d)
{
	p->dl = d;
	memset(p->cls, 0, sizeof(p->cls));
	p->cls['\r'] = 3;
	p->cls['\n'] = 3;
	p->cls[d.element] = 2;
	p->cls[d.segment] = 1;
}

static bool is_space_byte(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f' ||
	       c == '\0' || c == 0x1A;
}

/* Skip white space, line ends and empty segments before a segment. */
static size_t skip_space(const struct x12p *p, size_t i)
{
	while (i < p->len && (is_space_byte(p->data[i]) ||
			      (p->state != ST_OUTSIDE && p->data[i] == p->dl.segment)))
		i++;
	return i;
}

static bool separator_ok(unsigned char c)
{
	return !isalnum(c) && c != ' ' && c != '\r' && c != '\n';
}

static bool raw_isa(const struct x12p *p, size_t at)
{
	return at + 4 <= p->len && memcmp(p->data + at, "ISA", 3) == 0 && separator_ok(p->data[at + 3]);
}

/* Element count known: set nel and the segment id. */
static void finish_index(struct x12p *p, size_t nsep)
{
	p->nel = nsep + 1 < OG_X12_MAX_ELEMENTS ? nsep + 1 : OG_X12_MAX_ELEMENTS;
	struct el e = el_get(p, 0);
	p->id = 0;
	/* The usual id: two or three of A-Z then A-Z or 0-9. */
	const unsigned char *u = (const unsigned char *)e.p;
	if ((e.n == 2 || e.n == 3) && (unsigned)(u[0] - 'A') <= 25u &&
	    ((unsigned)(u[1] - 'A') <= 25u || (unsigned)(u[1] - '0') <= 9u) &&
	    (e.n == 2 || (unsigned)(u[2] - 'A') <= 25u || (unsigned)(u[2] - '0') <= 9u)) {
		p->idtxt[0] = (char)u[0];
		p->idtxt[1] = (char)u[1];
		p->idtxt[2] = e.n == 3 ? (char)u[2] : '\0';
		p->idtxt[3] = '\0';
		p->id = SEGID(u[0], u[1], e.n == 3 ? u[2] : 0);
	} else {
		size_t k = 0;
		for (; k < e.n && k < 3; k++)
			p->idtxt[k] = (unsigned)(u[k] - 0x21) < 0x5Eu ? (char)u[k] : '?';   /* isgraph in C */
		p->idtxt[k] = '\0';
		return;
	}
	if (nsep + 1 > OG_X12_MAX_ELEMENTS)
		diag_seg(p, DIAG_WARNING, "%s segment has %zu elements; only the first %u are read",
			 p->idtxt, nsep, OG_X12_MAX_ELEMENTS - 1);
}

/* Index the elements of a clean segment (no terminator, no CR/LF). */
static void index_elements(struct x12p *p, const unsigned char *s, size_t n)
{
	size_t nsep = 0;
	p->sp = s;
	p->slen = n;
	p->el[0] = 0;
	p->nstored = 1;
	const unsigned char *q = s, *end = s + n;
	while (q < end && (q = memchr(q, p->dl.element, (size_t)(end - q))) != NULL) {
		q++;
		nsep++;
		if (p->nstored <= OG_X12_MAX_ELEMENTS)
			p->el[p->nstored++] = (size_t)(q - s);
	}
	finish_index(p, nsep);
}

static unsigned char *scratch(struct x12p *p, size_t n)
{
	if (n > p->scratch_cap) {
		size_t cap = n < 4096 ? 4096 : n;
		unsigned char *s = realloc(p->scratch, cap);
		if (s == NULL)
			fatal("out of memory (X12 segment buffer)");
		p->scratch = s;
		p->scratch_cap = cap;
	}
	return p->scratch;
}

/* Cut the segment at p->pos and index its elements.  The usual case is
 * one pass over the bytes in place; a segment with CR/LF inside (a file
 * hard-wrapped at 80 columns) is copied without them first. */
static void read_segment(struct x12p *p)
{
	const unsigned char *d = p->data, *cls = p->cls;
	size_t n = p->len, i = p->pos, start = i, nsep = 0, ns = 1;
	bool dirty = false, end = false;
	p->seg_no++;
	p->soff = start;
	p->el[0] = 0;
#ifdef __SSE2__
	/* 16 bytes at a time: one bit mask each for the terminator, the
	 * element separator and CR/LF, so that the only branches are "is
	 * there a terminator in these 16 bytes" and one per element. */
	const __m128i ve = _mm_set1_epi8((char)p->dl.element), vt = _mm_set1_epi8((char)p->dl.segment);
	const __m128i vcr = _mm_set1_epi8('\r'), vlf = _mm_set1_epi8('\n');
	while (i + 16 <= n) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)(d + i));
		unsigned mt = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, vt));
		unsigned me = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, ve));
		unsigned mc = (unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v, vcr), _mm_cmpeq_epi8(v, vlf)));
		unsigned before = mt != 0 ? (mt & -mt) - 1 : 0xFFFFu;   /* the bytes before a terminator */
		me &= before;
		if ((mc & before & ~me) != 0)
			dirty = true;
		while (me != 0) {
			nsep++;
			if (ns <= OG_X12_MAX_ELEMENTS)
				p->el[ns++] = i + (size_t)__builtin_ctz(me) + 1 - start;
			me &= me - 1;
		}
		if (mt != 0) {
			i += (size_t)__builtin_ctz(mt);
			end = true;
			break;
		}
		i += 16;
	}
#endif
	while (!end) {
		while (i < n && cls[d[i]] == 0)
			i++;
		if (i >= n)
			break;
		unsigned char c = cls[d[i]];
		if (c == 1)
			break;
		if (c == 2) {
			nsep++;
			if (ns <= OG_X12_MAX_ELEMENTS)
				p->el[ns++] = i + 1 - start;
		} else {
			dirty = true;
		}
		i++;
	}
	p->pos = i < n ? i + 1 : n;
	if (!dirty) {
		p->sp = d + start;
		p->slen = i - start;
		p->nstored = ns;
		finish_index(p, nsep);
		return;
	}
	size_t len = i - start;
	if (len > OG_X12_MAX_SEGMENT_BYTES) {
		diag_seg(p, DIAG_ERROR, "segment of %zu bytes with line breaks inside: only the first %u bytes are read "
			 "(is the segment terminator right?)", len, OG_X12_MAX_SEGMENT_BYTES);
		len = OG_X12_MAX_SEGMENT_BYTES;
	}
	unsigned char *s = scratch(p, len);
	size_t m = 0;
	for (size_t k = start; k < start + len; k++)
		if (d[k] != '\r' && d[k] != '\n')
			s[m++] = d[k];
	index_elements(p, s, m);
}

/* ---- the envelope -------------------------------------------------------- */

#define ISA_MAX 512

/* "found GE at segment 12 (byte 300)" or "the data ends at byte 900". */
static const char *found_text(const struct x12p *p, bool at_eof, char *buf, size_t cap)
{
	if (at_eof)
		snprintf(buf, cap, "the data ends at byte %zu", p->len);
	else
		snprintf(buf, cap, "found %s at segment %zu (byte %zu)", p->idtxt, p->seg_no, p->soff);
	return buf;
}

static void reject(struct x12p *p, int ak5_code)
{
	p->rejected = true;
	ack_set_code(p, ak5_code);
}

/* Hand the order over; its arena is ready (or replaced) for the next. */
static void emit_order(struct x12p *p)
{
	if (parse_emit_order(p->out, p->o, &p->od, &p->arena) < 0)
		p->stop = true;
}

static void close_set(struct x12p *p, bool found, bool at_eof)
{
	char f[96];
	if (!found) {
		diag_at(p, DIAG_ERROR, p->st_seg, p->st_off,
			"transaction set %s %s has no SE trailer (expected SE before the next envelope segment; %s)",
			p->st01, p->st02, found_text(p, at_eof, f, sizeof(f)));
		reject(p, 2);
	} else {
		struct el se01 = elt(p, 1), se02 = elt(p, 2);
		if (el_uint(se01) != (long long)p->set_segs) {
			diag_seg(p, DIAG_ERROR, "SE01 segment count of transaction set %s %s: expected %zu (ST to SE), found \"%.*s\"",
				 p->st01, p->st02, p->set_segs, (int)se01.n, se01.p);
			reject(p, 4);
		}
		if (!control_eq(se02, el_str(p->st02))) {
			diag_seg(p, DIAG_ERROR, "SE02 control number: expected \"%s\" (as in ST02), found \"%.*s\"",
				 p->st02, (int)se02.n, se02.p);
			reject(p, 3);
		}
	}
	if (p->o != NULL) {
		if (!p->seen_beg) {
			const char *seg = p->kind == KIND_860 ? "BCH" : "BEG";
			diag_at(p, DIAG_ERROR, p->st_seg, p->st_off, "transaction set %s %s has no %s segment (purpose, PO number, date)",
				p->st01, p->st02, seg);
			ack_error(p, seg, 2, 3, 0, 0, 0, el_str(""));
			reject(p, 5);
		}
		if (p->ctt01 != -1 && p->ctt01 != (long)p->n_items) {
			diag_at(p, DIAG_ERROR, p->ctt_pos, p->ctt_off ,
				"CTT01 number of line items: expected %zu (%s segments), found \"%s\"",
				p->n_items, p->kind == KIND_860 ? "POC" : "PO1", p->ctt_text);
			ack_error(p, "CTT", p->ctt_setpos, 8, 1, 354, p->ctt01 == -2 ? 6 : 7, el_str(p->ctt_text));
			reject(p, 5);
		}
		if (arena_failed(p->arena)) {
			diag_at(p, DIAG_ERROR, p->st_seg, p->st_off, "transaction set %s %s: the order is larger than %zu bytes or has more than %u lines",
				p->st01, p->st02, p->in->max_order_bytes ? p->in->max_order_bytes : (size_t)OG_MAX_ORDER_BYTES_DEFAULT,
				OG_MAX_LINES_PER_ORDER);
			reject(p, 5);
		}
		if (p->orphan_set && !p->rejected)
			reject(p, 5);
		if (p->rejected) {
			p->out->n_rejected++;
			diag_at(p, DIAG_ERROR, p->st_seg, p->st_off, "transaction set %s %s (PO %s) rejected: not read as an order",
				p->st01, p->st02, p->o->po_number ? p->o->po_number : "unknown");
			arena_reset(p->arena);
		} else {
			emit_order(p);
		}
		p->o = NULL;
	}
	p->set_ack = SIZE_MAX;
	p->state = p->orphan_set ? ST_INTERCHANGE : ST_GROUP;
	p->orphan_set = false;
}

static void close_group(struct x12p *p, bool found, bool at_eof)
{
	char f[96];
	struct x12_ack_group *g = ack_group(p);
	if (!found) {
		diag_at(p, DIAG_WARNING, p->gs_seg, p->gs_off, "functional group %s has no GE trailer (%s)",
			p->gs06, found_text(p, at_eof, f, sizeof(f)));
		ack_group_code(p, 3);
	} else {
		struct el ge01 = elt(p, 1), ge02 = elt(p, 2);
		if (g != NULL)
			g->declared_sets = (long)el_uint(ge01);
		if (el_uint(ge01) != (long long)p->group_sets) {
			diag_seg(p, DIAG_WARNING, "GE01 number of transaction sets in group %s: expected %zu, found \"%.*s\"",
				 p->gs06, p->group_sets, (int)ge01.n, ge01.p);
			ack_group_code(p, 5);
		}
		if (!control_eq(ge02, el_str(p->gs06))) {
			diag_seg(p, DIAG_WARNING, "GE02 group control number: expected \"%s\" (as in GS06), found \"%.*s\"",
				 p->gs06, (int)ge02.n, ge02.p);
			ack_group_code(p, 4);
		}
	}
	if (g != NULL) {
		bool noted = g->n_codes > 0;
		g->n_accepted = 0;
		for (size_t i = g->first_set; i < g->first_set + g->n_sets; i++) {
			if (p->ack->sets[i].status != 'R')
				g->n_accepted++;
			if (p->ack->sets[i].status == 'E')
				noted = true;
		}
		if (g->n_sets > 0 && g->n_accepted == 0)
			g->status = 'R';
		else if (g->n_accepted < g->n_sets)
			g->status = 'P';
		else
			g->status = noted ? 'E' : 'A';
	}
	p->group_ack = SIZE_MAX;
	p->state = ST_INTERCHANGE;
}

static void close_interchange(struct x12p *p, bool found, bool at_eof)
{
	char f[96];
	struct x12_ack_interchange *ic = ack_ic(p);
	if (!found) {
		diag_at(p, DIAG_WARNING, p->isa_seg, p->isa_off, "interchange %s has no IEA trailer (%s)",
			p->isa13, found_text(p, at_eof, f, sizeof(f)));
	} else {
		struct el iea01 = elt(p, 1), iea02 = elt(p, 2);
		bool ok = true;
		if (el_uint(iea01) != (long long)p->ic_groups) {
			diag_seg(p, DIAG_WARNING, "IEA01 number of functional groups: expected %zu, found \"%.*s\"",
				 p->ic_groups, (int)iea01.n, iea01.p);
			ok = false;
		}
		if (!control_eq(iea02, el_str(p->isa13))) {
			diag_seg(p, DIAG_WARNING, "IEA02 interchange control number: expected \"%s\" (as in ISA13), found \"%.*s\"",
				 p->isa13, (int)iea02.n, iea02.p);
			ok = false;
		}
		if (ic != NULL) {
			ic->declared_groups = (long)el_uint(iea01);
			ic->trailer_ok = ok;
		}
	}
	p->ic_ack = SIZE_MAX;
	p->state = ST_OUTSIDE;
}

/* Close whatever is open, as when the data ends or a new ISA starts. */
static void close_all(struct x12p *p, bool at_eof)
{
	if (p->state == ST_SET)
		close_set(p, false, at_eof);
	if (p->state == ST_GROUP)
		close_group(p, false, at_eof);
	if (p->state == ST_INTERCHANGE)
		close_interchange(p, false, at_eof);
}

/* Read the ISA starting at `at`: delimiters and envelope ids.  CR/LF
 * inside (wrapped files) are skipped; the ISA need not be 106 bytes.
 * Returns -1 (with a diagnostic) when it is not a usable ISA. */
static int isa_read(struct x12p *p, size_t at)
{
	const unsigned char *d = p->data;
	size_t n = p->len, i = at, m = 0;
	unsigned char *b = scratch(p, ISA_MAX);
	unsigned char es = 0, comp = 0;
	int seps = 0;
	bool have_comp = false;
	p->seg_no++;
	p->soff = at;
	while (i < n && m < ISA_MAX) {
		unsigned char c = d[i++];
		if (c == '\r' || c == '\n')
			continue;
		b[m++] = c;
		if (m == 4) {
			es = c;
			seps = 1;
		} else if (m > 4) {
			if (seps == 16) {
				comp = c;
				have_comp = true;
				break;
			}
			if (c == es)
				seps++;
		}
	}
	if (m < 4 || memcmp(b, "ISA", 3) != 0 || !separator_ok(es)) {
		diag_at(p, DIAG_ERROR, p->seg_no, at, "expected an ISA interchange header, found \"%.*s\"",
			(int)(m < 8 ? m : 8), (const char *)b);
		return -1;
	}
	if (!have_comp) {
		diag_at(p, DIAG_ERROR, p->seg_no, at,
			"ISA: expected 16 element separators '%c' and the ISA16 component separator, found %d separators %s",
			es, seps, i >= n ? "before the data ends" : "in the first 512 bytes");
		return -1;
	}
	/* The terminator is the byte after ISA16; a line break there is the
	 * terminator unless it was inserted by wrapping before the real one. */
	if (i >= n) {
		diag_at(p, DIAG_ERROR, p->seg_no, at, "ISA: the data ends after ISA16, expected the segment terminator");
		return -1;
	}
	size_t t = i;
	if (d[t] == '\r' || d[t] == '\n') {
		size_t k = t;
		while (k < n && (d[k] == '\r' || d[k] == '\n'))
			k++;
		if (k < n && !isalnum(d[k]) && !is_space_byte(d[k]))
			t = k;
	}
	struct x12_delims dl = { .element = es, .component = comp, .repetition = 0, .segment = d[t] };
	if (dl.segment == es || dl.segment == comp || comp == es || isalnum(dl.segment) || isalnum(comp)) {
		diag_at(p, DIAG_ERROR, p->seg_no, at,
			"ISA: the delimiters are not usable: element '%c' (0x%02x), component '%c' (0x%02x), segment 0x%02x",
			isprint(es) ? es : '?', es, isprint(comp) ? comp : '?', comp, dl.segment);
		return -1;
	}
	p->pos = t + 1;
	set_delims(p, dl);
	index_elements(p, b, m);
	struct el isa11 = elt(p, 11), isa12 = elt(p, 12);
	if (isa12.n == 5 && memcmp(isa12.p, "00501", 5) >= 0 && isa11.n == 1 &&
	    separator_ok((unsigned char)isa11.p[0]) && (unsigned char)isa11.p[0] != es &&
	    (unsigned char)isa11.p[0] != comp && (unsigned char)isa11.p[0] != dl.segment) {
		dl.repetition = (unsigned char)isa11.p[0];
		p->dl.repetition = dl.repetition;
	}
	struct el q5 = elt(p, 5), id6 = elt(p, 6), isa13 = elt(p, 13), isa15 = elt(p, 15);
	copy_field(p->isa13, sizeof(p->isa13), isa13);
	if (!all_digits(isa13) || isa13.n != 9)
		diag_seg(p, DIAG_WARNING, "ISA13 interchange control number: expected 9 digits, found \"%.*s\"",
			 (int)isa13.n, isa13.p);
	if (q5.n > 0)
		snprintf(p->sender, sizeof(p->sender), "%.*s:%.*s", (int)q5.n, q5.p, (int)id6.n, id6.p);
	else
		snprintf(p->sender, sizeof(p->sender), "%.*s", (int)id6.n, id6.p);
	p->is_test = el_is(isa15, "T");
	p->isa_seg = p->seg_no;
	p->isa_off = at;
	p->ic_groups = 0;
	p->state = ST_INTERCHANGE;
	struct ack_info *a = p->ack;
	if (a->n_interchanges < OG_X12_MAX_ACK_SETS) {
		a->interchanges = grow(a->interchanges, sizeof(*a->interchanges), &a->cap_interchanges,
				       a->n_interchanges + 1);
		p->ic_ack = a->n_interchanges++;
		struct x12_ack_interchange *ic = &a->interchanges[p->ic_ack];
		memset(ic, 0, sizeof(*ic));
		copy_field(ic->sender_qualifier, sizeof(ic->sender_qualifier), q5);
		copy_field(ic->sender_id, sizeof(ic->sender_id), id6);
		copy_field(ic->receiver_qualifier, sizeof(ic->receiver_qualifier), elt(p, 7));
		copy_field(ic->receiver_id, sizeof(ic->receiver_id), elt(p, 8));
		copy_field(ic->control, sizeof(ic->control), isa13);
		copy_field(ic->version, sizeof(ic->version), isa12);
		ic->standards_id = dl.repetition == 0 && isa11.n == 1 ? isa11.p[0] : 0;
		ic->usage = isa15.n == 1 ? isa15.p[0] : 'P';
		ic->ack_requested = el_is(elt(p, 14), "1");
		ic->delims = dl;
		ic->first_group = a->n_groups;
		ic->declared_groups = -1;
	} else {
		a->truncated = true;
	}
	return 0;
}

static void open_group(struct x12p *p)
{
	struct el gs06 = elt(p, 6), gs08 = elt(p, 8);
	copy_field(p->gs06, sizeof(p->gs06), gs06);
	copy_field(p->version, sizeof(p->version), gs08);
	p->gs_seg = p->seg_no;
	p->gs_off = p->soff;
	p->group_sets = 0;
	p->ic_groups++;
	p->state = ST_GROUP;
	struct ack_info *a = p->ack;
	struct x12_ack_interchange *ic = ack_ic(p);
	if (ic == NULL || a->n_groups >= OG_X12_MAX_ACK_SETS) {
		a->truncated = a->truncated || ic != NULL;
		return;
	}
	a->groups = grow(a->groups, sizeof(*a->groups), &a->cap_groups, a->n_groups + 1);
	p->group_ack = a->n_groups++;
	ic->n_groups++;
	struct x12_ack_group *g = &a->groups[p->group_ack];
	memset(g, 0, sizeof(*g));
	copy_field(g->functional_id, sizeof(g->functional_id), elt(p, 1));
	copy_field(g->sender, sizeof(g->sender), elt(p, 2));
	copy_field(g->receiver, sizeof(g->receiver), elt(p, 3));
	copy_field(g->control, sizeof(g->control), gs06);
	copy_field(g->version, sizeof(g->version), gs08);
	g->first_set = a->n_sets;
	g->declared_sets = -1;
	g->status = 'A';
}

static void start_order(struct x12p *p);

static void open_set(struct x12p *p, bool orphan)
{
	struct el st01 = elt(p, 1), st02 = elt(p, 2);
	copy_field(p->st01, sizeof(p->st01), st01);
	copy_field(p->st02, sizeof(p->st02), st02);
	p->st_seg = p->seg_no;
	p->st_off = p->soff;
	p->set_segs = 1;
	p->rejected = false;
	p->orphan_set = orphan;
	p->state = ST_SET;
	p->kind = el_is(st01, "850") ? KIND_850 : el_is(st01, "860") ? KIND_860 : KIND_OTHER;
	if (!orphan)
		p->group_sets++;
	struct ack_info *a = p->ack;
	struct x12_ack_group *g = ack_group(p);
	p->set_ack = SIZE_MAX;
	if (g != NULL && !orphan) {
		if (a->n_sets < OG_X12_MAX_ACK_SETS) {
			a->sets = grow(a->sets, sizeof(*a->sets), &a->cap_sets, a->n_sets + 1);
			p->set_ack = a->n_sets++;
			g->n_sets++;
			struct x12_ack_set *s = &a->sets[p->set_ack];
			memset(s, 0, sizeof(*s));
			copy_field(s->id, sizeof(s->id), st01);
			copy_field(s->control, sizeof(s->control), st02);
			copy_field(s->convention, sizeof(s->convention), elt(p, 3));
			s->status = 'A';
		} else {
			a->truncated = true;
		}
	}
	if (orphan)
		diag_seg(p, DIAG_ERROR, "transaction set %s %s outside a functional group (expected GS before ST)",
			 p->st01, p->st02);
	if (st01.n == 0 || st02.n == 0) {
		diag_seg(p, DIAG_ERROR, "ST: expected the transaction set id (ST01) and control number (ST02), found \"%.*s\" and \"%.*s\"",
			 (int)st01.n, st01.p, (int)st02.n, st02.p);
		reject(p, st01.n == 0 ? 6 : 7);
	}
	if (p->kind == KIND_OTHER) {
		const char *name = code_lookup(set_names, (const char *)st01.p, st01.n);
		if (p->first_other == NULL)
			p->first_other = name ? name : "X12 transaction set that is not a purchase order";
		p->n_other_sets++;
		diag_seg(p, DIAG_WARNING, "transaction set %s %s skipped: %s, not a purchase order (850/860)",
			 p->st01, p->st02, name ? name : "an X12 transaction set");
		return;
	}
	p->n_order_sets++;
	start_order(p);
}

/* ---- 850 / 860 mapping --------------------------------------------------- */

static void start_order(struct x12p *p)
{
	arena_reset(p->arena);
	diags_clear(&p->od);
	p->o = order_new(p->arena);
	if (p->o == NULL) {
		p->o = NULL;
		reject(p, 5);
		return;
	}
	struct order *o = p->o;
	o->format = p->kind == KIND_860 ? "x12-860" : "x12-850";
	o->format_version = ostr(p, (struct el){ p->version, strnlen(p->version, 6) });
	o->is_test = p->is_test;
	o->source.sender = ostr(p, el_str(p->sender));
	o->source.interchange = ostr(p, el_str(p->isa13));
	o->source.group = p->orphan_set ? NULL : ostr(p, el_str(p->gs06));
	o->source.message = ostr(p, el_str(p->st02));
	p->seen_beg = p->in_detail = p->in_summary = p->party_loop = p->party_addr = false;
	p->party = NULL;
	p->line = NULL;
	p->n_items = 0;
	p->ctt01 = -1;
	p->currency_by = false;
	p->desc_from_pd = false;
	p->declared_tt = false;
}

static bool leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* CCYYMMDD (or YYMMDD of 003010 and before) to YYYY-MM-DD. */
static bool date_convert(struct el e, char out[11])
{
	if (!all_digits(e) || (e.n != 8 && e.n != 6))
		return false;
	int v[4] = { 0 }, k = 0;
	if (e.n == 6) {
		int yy = (e.p[0] - '0') * 10 + (e.p[1] - '0');
		v[0] = yy < 50 ? 2000 + yy : 1900 + yy;
		k = 2;
	} else {
		for (int i = 0; i < 4; i++)
			v[0] = v[0] * 10 + (e.p[i] - '0');
		k = 4;
	}
	v[1] = (e.p[k] - '0') * 10 + (e.p[k + 1] - '0');
	v[2] = (e.p[k + 2] - '0') * 10 + (e.p[k + 3] - '0');
	static const int mdays[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	if (v[0] < 1900 || v[1] < 1 || v[1] > 12 || v[2] < 1 ||
	    v[2] > mdays[v[1] - 1] + (v[1] == 2 && leap(v[0])))
		return false;
	int y = v[0] % 10000;
	const char f[11] = { (char)('0' + y / 1000), (char)('0' + y / 100 % 10), (char)('0' + y / 10 % 10),
			     (char)('0' + y % 10), '-', (char)('0' + v[1] / 10), (char)('0' + v[1] % 10), '-',
			     (char)('0' + v[2] / 10), (char)('0' + v[2] % 10), '\0' };
	memcpy(out, f, 11);
	return true;
}

static const char *odate(struct x12p *p, size_t i, int ref)
{
	struct el e = elt(p, i);
	char buf[11];
	if (e.n == 0)
		return NULL;
	if (!date_convert(e, buf)) {
		diag_seg(p, DIAG_WARNING, "%s%02zu: expected a date CCYYMMDD, found \"%.*s\"", p->idtxt, i, (int)e.n, e.p);
		element_error(p, (int)i, ref, 8, e);
		return NULL;
	}
	return arena_strndup(p->arena, buf, 10);
}

/* A decimal (X12 type R) as written; NULL with a warning when it is not one. */
static const char *odec(struct x12p *p, size_t i, int ref)
{
	struct el e = elt(p, i);
	struct dec d;
	if (e.n == 0)
		return NULL;
	if (dec_parsen(e.p, e.n, &d) < 0) {
		diag_seg(p, DIAG_WARNING, "%s%02zu: expected a decimal number, found \"%.*s\"", p->idtxt, i, (int)e.n, e.p);
		element_error(p, (int)i, ref, 6, e);
		return NULL;
	}
	/* Digits, a sign and a point: ASCII, no conversion to look for. */
	return e.n <= OG_MAX_FIELD_BYTES ? arena_strndup(p->arena, e.p, e.n) : ostr(p, e);
}

/* A day count; -1 when absent or not a number (with a warning). */
static int odays(struct x12p *p, size_t i, int ref)
{
	struct el e = elt(p, i);
	if (e.n == 0)
		return -1;
	long long v = el_uint(e);
	if (v < 0 || v > 100000) {
		diag_seg(p, DIAG_WARNING, "%s%02zu: expected a number of days, found \"%.*s\"", p->idtxt, i, (int)e.n, e.p);
		element_error(p, (int)i, ref, 6, e);
		return -1;
	}
	return (int)v;
}

/* An upper-case code of `len` letters, or NULL with a warning. */
static const char *ocode(struct x12p *p, size_t i, size_t len, int ref, const char *what)
{
	struct el e = elt(p, i);
	if (e.n == 0)
		return NULL;
	char buf[8];
	bool ok = e.n == len;
	for (size_t k = 0; ok && k < len; k++) {
		ok = isalpha((unsigned char)e.p[k]) != 0;
		buf[k] = (char)toupper((unsigned char)e.p[k]);
	}
	if (!ok) {
		diag_seg(p, DIAG_WARNING, "%s%02zu: expected %s, found \"%.*s\"", p->idtxt, i, what, (int)e.n, e.p);
		element_error(p, (int)i, ref, 7, e);
		return NULL;
	}
	return arena_strndup(p->arena, buf, len);
}

static const char *join(struct x12p *p, const char *a, const char *sep, const char *b)
{
	if (b == NULL)
		return a;
	if (a == NULL)
		return b;
	return arena_printf(p->arena, "%s%s%s", a, sep, b);
}

static void set_if_null(const char **dst, const char *v)
{
	if (*dst == NULL)
		*dst = v;
}

static void add_note(struct x12p *p, const char *note)
{
	if (note == NULL)
		return;
	if (p->in_detail && p->line != NULL)
		line_add_note(p->o, p->line, note);
	else
		order_add_note(p->o, note);
}

/* BEG01 / BCH01 (element 353). */
static void map_purpose(struct x12p *p, bool change_set)
{
	struct order *o = p->o;
	struct el e = elt(p, 1);
	const char *dflt = change_set ? "change" : "new";
	if (el_is(e, "00"))
		o->document_type = dflt;
	else if (el_is(e, "01"))
		o->document_type = "cancel";
	else if (el_is(e, "04"))
		o->document_type = "change";
	else if (el_is(e, "05"))
		o->document_type = "replace";
	else if (el_is(e, "06")) {
		o->document_type = dflt;
		order_add_note(o, "Confirmation of an order already placed (BEG01 06): check for a duplicate");
	} else if (el_is(e, "07")) {
		o->document_type = dflt;
		o->is_duplicate_flag = true;
	} else {
		o->document_type = dflt;
		diag_seg(p, DIAG_WARNING, "%s01 purpose code: expected 00, 01, 04, 05, 06 or 07, found \"%.*s\"; read as %s",
			 p->idtxt, (int)e.n, e.p, dflt);
		element_error(p, 1, 353, e.n ? 7 : 1, e);
	}
}

static void map_beg(struct x12p *p)
{
	struct order *o = p->o;
	bool bch = p->kind == KIND_860;
	if (p->seen_beg) {
		diag_seg(p, DIAG_WARNING, "a second %s segment is ignored", p->idtxt);
		return;
	}
	p->seen_beg = true;
	map_purpose(p, bch);
	o->order_type = ostr_el(p, 2);
	o->po_number = ostr_el(p, 3);
	if (o->po_number == NULL) {
		diag_seg(p, DIAG_WARNING, "%s03: the purchase order number is missing", p->idtxt);
		element_error(p, 3, 324, 1, el_str(""));
	}
	o->ref_customer = ostr_el(p, 4);   /* release number */
	if (bch) {
		o->po_revision = ostr_el(p, 5);
		o->order_date = odate(p, 6, 373);
	} else {
		o->order_date = odate(p, 5, 373);
		o->ref_contract = ostr_el(p, 6);
	}
}

static void map_cur(struct x12p *p)
{
	struct el who = elt(p, 1);
	bool by = el_is(who, "BY");
	if (elt(p, 2).n == 0 || (p->o->currency != NULL && (p->currency_by || !by)))
		return;
	const char *c = ocode(p, 2, 3, 100, "an ISO 4217 currency code");
	if (c != NULL) {
		p->o->currency = c;
		p->currency_by = by;
	}
}

static void map_ref(struct x12p *p)
{
	struct order *o = p->o;
	struct el q = elt(p, 1);
	if (el_is(q, "CT"))
		set_if_null(&o->ref_contract, ostr_el(p, 2));
	else if (el_is(q, "PR") || el_is(q, "Q1"))
		set_if_null(&o->ref_quotation, ostr_el(p, 2));
	else if (el_is(q, "CO"))
		set_if_null(&o->ref_customer, ostr_el(p, 2));
}

static void map_per(struct x12p *p, struct party *to)
{
	const char *fax = NULL;
	set_if_null(&to->contact_name, ostr_el(p, 2));
	for (size_t k = 3; k + 1 <= 8; k += 2) {
		struct el q = elt(p, k);
		if (el_is(q, "TE"))
			set_if_null(&to->contact_phone, ostr_el(p, k + 1));
		else if (el_is(q, "EM"))
			set_if_null(&to->contact_email, ostr_el(p, k + 1));
		else if (el_is(q, "FX"))
			set_if_null(&fax, ostr_el(p, k + 1));
	}
	/* No field for a fax number: better than no number at all. */
	set_if_null(&to->contact_phone, fax);
}

static void map_fob(struct x12p *p)
{
	struct order *o = p->o;
	struct el loc = elt(p, 2);
	const char *place = ostr_el(p, 3);
	set_if_null(&o->transport_payment, ostr_el(p, 1));
	if (el_is(loc, "KL"))
		set_if_null(&o->port_of_loading, place);
	else if (el_is(loc, "PB"))
		set_if_null(&o->port_of_discharge, place);
	if (!el_is(elt(p, 4), "01") || o->has_incoterms)
		return;
	struct el code = elt(p, 5);
	char c[4];
	if (code.n != 3) {
		if (code.n > 0 && !(code.n == 3 && code.p[1] == '&')) {
			diag_seg(p, DIAG_WARNING, "FOB05: expected a 3-letter Incoterms code, found \"%.*s\"", (int)code.n, code.p);
			element_error(p, 5, 335, 7, code);
		}
		return;
	}
	for (int k = 0; k < 3; k++)
		c[k] = (char)toupper((unsigned char)code.p[k]);
	c[3] = '\0';
	const char *norm = c;
	if (strcmp(c, "DAT") == 0)
		norm = "DPU";
	else if (strcmp(c, "CAF") == 0 || strcmp(c, "C&F") == 0)
		norm = "CFR";
	bool known = false;
	for (size_t k = 0; incoterms2020[k] != NULL; k++)
		known = known || strcmp(incoterms2020[k], norm) == 0;
	if (norm != c)
		diag_seg(p, DIAG_WARNING, "FOB05: the Incoterms code %s is read as %s (Incoterms 2020)", c, norm);
	else if (!known)
		diag_seg(p, DIAG_WARNING, "FOB05: %s is not an Incoterms 2020 rule", c);
	o->has_incoterms = true;
	o->incoterms_code = arena_strdup(p->arena, norm);
	o->incoterms_version = "2020";
	o->incoterms_place = place;
}

static void map_itd(struct x12p *p)
{
	struct order *o = p->o;
	if (o->has_payment_terms)
		return;
	o->has_payment_terms = true;
	o->payment_discount_percent = odec(p, 3, 338);
	o->payment_discount_days = odays(p, 5, 351);
	o->payment_net_days = odays(p, 7, 386);
	o->payment_terms_text = ostr_el(p, 12);
}

static void map_dtm(struct x12p *p)
{
	struct order *o = p->o;
	struct el q = elt(p, 1);
	const char *d = odate(p, 2, 373);
	if (d == NULL)
		return;
	if (p->in_detail && p->line != NULL) {
		struct order_line *l = p->line;
		if (el_is(q, "002"))
			set_if_null(&l->delivery_date, d);
		else if (el_is(q, "010"))
			l->ship_by_date = d;
		else if (el_is(q, "038"))
			set_if_null(&l->ship_by_date, d);
		else if (el_is(q, "064"))
			line_add_note(o, l, arena_printf(p->arena, "Do not deliver before %s", d));
		else if (el_is(q, "063"))
			line_add_note(o, l, arena_printf(p->arena, "Do not deliver after %s", d));
		return;
	}
	if (el_is(q, "002"))
		set_if_null(&o->requested_delivery_date, d);
	else if (el_is(q, "064"))
		set_if_null(&o->window_earliest, d);
	else if (el_is(q, "063"))
		set_if_null(&o->window_latest, d);
	else if (el_is(q, "010"))
		o->ship_by_date = d;
	else if (el_is(q, "038"))
		set_if_null(&o->ship_by_date, d);
	else if (el_is(q, "001"))
		order_add_note(o, arena_printf(p->arena, "Cancel after %s", d));
	else if (el_is(q, "037"))
		order_add_note(o, arena_printf(p->arena, "Ship not before %s", d));
}

static void map_td5(struct x12p *p)
{
	struct order *o = p->o;
	struct el m = elt(p, 4);
	if (o->transport_mode == NULL && m.n > 0)
		o->transport_mode = x12_transport_mode(m.p, m.n);
	struct el q = elt(p, 7);
	if (el_is(q, "KL"))
		o->port_of_loading = ostr_el(p, 8);
	else if (el_is(q, "PB"))
		o->port_of_discharge = ostr_el(p, 8);
}

static const char *id_scheme(struct x12p *p, struct el q)
{
	if (el_is(q, "1") || el_is(q, "9"))
		return "DUNS";
	if (el_is(q, "UL"))
		return "GLN";
	if (el_is(q, "92"))
		return "BUYER";
	if (el_is(q, "91"))
		return "SELLER";
	if (el_is(q, "ZZ"))
		return "EDI";
	return q.n ? arena_printf(p->arena, "X12_66:%.*s", (int)q.n, q.p) : NULL;
}

static void map_n1(struct x12p *p)
{
	struct order *o = p->o;
	struct el role = elt(p, 1);
	p->party_loop = true;
	p->party = NULL;
	if (p->in_detail) {
		/* A line's own ship-to: no place for it in the record but a note. */
		if (el_is(role, "ST") && p->line != NULL) {
			const char *name = ostr_el(p, 2), *id = ostr_el(p, 4);
			const char *scheme = id_scheme(p, elt(p, 3));
			const char *s = join(p, name, " ", id ? arena_printf(p->arena, "(%s%s%s)",
					     scheme ? scheme : "", scheme ? " " : "", id) : NULL);
			if (s != NULL)
				line_add_note(o, p->line, arena_printf(p->arena, "Ship to: %s", s));
		}
		return;
	}
	enum order_role r;
	if (el_is(role, "BY"))
		r = ROLE_BUYER;
	else if (el_is(role, "SE") || el_is(role, "SU") || el_is(role, "VN"))
		r = ROLE_SELLER;
	else if (el_is(role, "ST"))
		r = ROLE_SHIP_TO;
	else if (el_is(role, "BT"))
		r = ROLE_BILL_TO;
	else
		return;
	struct party *pa = order_party(o, r);
	if (pa == NULL)
		return;
	p->party = pa;
	p->party_addr = pa->n_address_lines == 0 && pa->city == NULL && pa->postal_code == NULL;
	set_if_null(&pa->name, ostr_el(p, 2));
	const char *id = ostr_el(p, 4), *scheme = id_scheme(p, elt(p, 3));
	if (id != NULL && scheme == NULL) {
		diag_seg(p, DIAG_WARNING, "N103: the identification code qualifier is missing for \"%s\"", id);
		element_error(p, 3, 66, 2, el_str(""));
	} else if (id != NULL) {
		party_add_id(o, pa, scheme, id);
	}
}

static void map_n2(struct x12p *p)
{
	struct party *pa = p->party;
	pa->name = join(p, pa->name, ", ", join(p, ostr_el(p, 1), ", ", ostr_el(p, 2)));
}

static void map_n3(struct x12p *p)
{
	if (!p->party_addr)
		return;
	party_add_address_line(p->o, p->party, ostr_el(p, 1));
	party_add_address_line(p->o, p->party, ostr_el(p, 2));
}

static void map_n4(struct x12p *p)
{
	struct party *pa = p->party;
	if (!p->party_addr)
		return;
	set_if_null(&pa->city, ostr_el(p, 1));
	set_if_null(&pa->region, ostr_el(p, 2));
	set_if_null(&pa->region, ostr_el(p, 7));
	set_if_null(&pa->postal_code, ostr_el(p, 3));
	struct el c = elt(p, 4);
	if (c.n == 0 || pa->country != NULL)
		return;
	char up[4] = { 0 };
	bool alpha = c.n == 2 || c.n == 3;
	for (size_t k = 0; alpha && k < c.n; k++) {
		alpha = isalpha((unsigned char)c.p[k]) != 0;
		up[k] = (char)toupper((unsigned char)c.p[k]);
	}
	const char *a2 = !alpha ? NULL : c.n == 2 ? up : country_alpha2(up);
	if (a2 == NULL) {
		diag_seg(p, DIAG_WARNING, "N404: expected an ISO 3166 country code, found \"%.*s\"", (int)c.n, c.p);
		element_error(p, 4, 26, 7, c);
		return;
	}
	pa->country = arena_strndup(p->arena, a2, 2);
}

/* Product id pairs (element 235 + 234): the best-ranked of each kind wins. */
static void item_id(struct x12p *p, struct el q, size_t vi)
{
	/* kind 0 buyer's id, 1 seller's, 2 GTIN, 3 manufacturer's part, 4 description */
	struct order_line *l = p->line;
	struct el v = elt(p, vi);
	int kind, rank;
	if (v.n == 0 || q.n != 2)
		return;
	switch (U2(q.p[0], q.p[1])) {
	case U2('B', 'P'): kind = 0; rank = 1; break;
	case U2('I', 'N'): kind = 0; rank = 2; break;
	case U2('C', 'B'): kind = 0; rank = 3; break;
	case U2('S', 'K'): kind = 0; rank = 4; break;
	case U2('V', 'P'): kind = 1; rank = 1; break;
	case U2('V', 'N'): kind = 1; rank = 2; break;
	case U2('V', 'C'): kind = 1; rank = 3; break;
	case U2('U', 'K'): kind = 2; rank = 1; break;
	case U2('E', 'N'): kind = 2; rank = 2; break;
	case U2('U', 'P'): kind = 2; rank = 3; break;
	case U2('M', 'G'): kind = 3; rank = 1; break;
	case U2('P', 'D'): kind = 4; rank = 1; break;
	default: return;
	}
	{
		switch (kind) {
		case 0:
			if (p->buyer_rank == 0 || rank < p->buyer_rank) {
				l->buyer_item_id = ostr(p, v);
				p->buyer_rank = rank;
			}
			break;
		case 1:
			if (p->seller_rank == 0 || rank < p->seller_rank) {
				l->seller_item_id = ostr(p, v);
				p->seller_rank = rank;
			}
			break;
		case 2: {
			if (!(p->gtin_rank == 0 || rank < p->gtin_rank))
				break;
			if (!all_digits(v) || v.n > 14 || (v.n != 8 && v.n < 12)) {
				diag_seg(p, DIAG_WARNING, "%s%02zu: %.*s is not a GTIN (8, 12, 13 or 14 digits): \"%.*s\"",
					 p->idtxt, vi, (int)q.n, q.p, (int)v.n, v.p);
				element_error(p, (int)vi, 234, 6, v);
				break;
			}
			char g[15];
			memset(g, '0', 14);
			memcpy(g + 14 - v.n, v.p, v.n);
			g[14] = '\0';
			l->gtin = arena_strndup(p->arena, g, 14);
			p->gtin_rank = rank;
			break;
		}
		case 3:
			set_if_null(&l->manufacturer_part_no, ostr(p, v));
			break;
		case 4:
			if (l->description == NULL) {
				l->description = ostr(p, v);
				p->desc_from_pd = true;
			}
			break;
		}
	}
}

/* PO1 (850) and POC (860): the element positions differ. */
struct item_layout {
	size_t qty, unit, price, basis, first_pair, last_pair;
};

static void map_item(struct x12p *p, const struct item_layout *lay)
{
	struct order *o = p->o;
	p->in_detail = true;
	p->n_items++;
	struct order_line *l = order_add_line(o);
	p->line = l;
	p->buyer_rank = p->seller_rank = p->gtin_rank = 0;
	p->desc_from_pd = false;
	if (l == NULL)
		return;
	l->line_no = ostr_el(p, 1);
	if (l->line_no == NULL)
		l->line_no = arena_printf(p->arena, "%zu", p->n_items);
	l->quantity = odec(p, lay->qty, 330);
	struct el u = elc(p, lay->unit);
	l->uom_original = ostr(p, u);
	l->uom_code = x12_unit_to_rec20(u.p, u.n);
	l->unit_price = odec(p, lay->price, 212);
	struct el b = elt(p, lay->basis);
	if (el_is(b, "HP") || el_is(b, "TP")) {
		l->price_basis_quantity = el_is(b, "HP") ? "100" : "1000";
		l->price_basis_uom = l->uom_code ? l->uom_code : l->uom_original;
	} else if (el_is(b, "CP")) {
		line_add_note(o, l, "Price basis CP: current price, subject to change");
	} else if (el_is(b, "TB")) {
		line_add_note(o, l, "Price basis TB: price to be negotiated");
	}
	for (size_t k = lay->first_pair; k < lay->last_pair && k + 1 < p->nel; k += 2)
		item_id(p, elt(p, k), k + 1);
}

static void map_pid(struct x12p *p)
{
	struct order_line *l = p->line;
	if (l == NULL || !el_is(elt(p, 1), "F"))
		return;
	const char *t = ostr_el(p, 5);
	if (t == NULL)
		return;
	if (p->desc_from_pd) {
		l->description = t;
		p->desc_from_pd = false;
	} else {
		l->description = join(p, l->description, " ", t);
	}
}

static void map_amt(struct x12p *p)
{
	struct order *o = p->o;
	struct el q = elt(p, 1);
	if (el_is(q, "TT")) {
		const char *v = odec(p, 2, 782);
		if (v != NULL && !p->declared_tt) {
			o->declared_amount = v;
			p->declared_tt = true;
		}
	} else if (el_is(q, "1")) {
		if (p->in_detail && !p->in_summary && p->line != NULL)
			set_if_null(&p->line->line_amount, odec(p, 2, 782));
		else if (p->in_summary)
			set_if_null(&o->declared_amount, odec(p, 2, 782));
	}
}

static void map_ctt(struct x12p *p)
{
	struct order *o = p->o;
	struct el c = elt(p, 1);
	p->in_summary = true;
	p->line = NULL;
	if (p->ctt01 != -1)
		return;
	long long v = el_uint(c);
	p->ctt01 = v < 0 || v > 100000000 ? -2 : (long)v;
	p->ctt_pos = p->seg_no;
	p->ctt_off = p->soff;
	p->ctt_setpos = p->set_segs;
	copy_field(p->ctt_text, sizeof(p->ctt_text), c);
	if (p->ctt01 >= 0)
		o->declared_line_count = arena_printf(p->arena, "%ld", p->ctt01);
	o->declared_quantity = odec(p, 2, 347);
}

/* Segments that belong to an N1 loop (after N1 itself). */
static bool in_n1_loop(uint32_t id)
{
	switch (id) {
	case SEGID2('N', '2'): case SEGID2('N', '3'): case SEGID2('N', '4'):
	case SEGID('N', 'X', '2'): case SEGID('R', 'E', 'F'): case SEGID('P', 'E', 'R'):
	case SEGID2('S', 'I'): case SEGID('F', 'O', 'B'): case SEGID('T', 'D', '1'):
	case SEGID('T', 'D', '5'): case SEGID('T', 'D', '3'): case SEGID('T', 'D', '4'):
	case SEGID('P', 'K', 'G'):
		return true;
	default:
		return false;
	}
}

static void map_segment(struct x12p *p)
{
	static const struct item_layout po1 = { 2, 3, 4, 5, 6, 25 };
	static const struct item_layout poc = { 3, 5, 6, 7, 8, 27 };
	uint32_t id = p->id;
	bool header = !p->in_detail;
	if (p->party_loop && !in_n1_loop(id)) {
		p->party_loop = false;
		p->party = NULL;
	}
	switch (id) {
	case SEGID('B', 'E', 'G'):
		if (p->kind == KIND_850)
			map_beg(p);
		break;
	case SEGID('B', 'C', 'H'):
		if (p->kind == KIND_860)
			map_beg(p);
		break;
	case SEGID('C', 'U', 'R'):
		if (header)
			map_cur(p);
		break;
	case SEGID('R', 'E', 'F'):
		if (header && !p->party_loop)
			map_ref(p);
		break;
	case SEGID('P', 'E', 'R'):
		if (p->party_loop && p->party != NULL)
			map_per(p, p->party);
		else if (header && !p->party_loop) {
			struct party *b = order_party(p->o, ROLE_BUYER);
			if (b != NULL)
				map_per(p, b);
		}
		break;
	case SEGID('F', 'O', 'B'):
		if (header)
			map_fob(p);
		break;
	case SEGID('I', 'T', 'D'):
		if (header)
			map_itd(p);
		break;
	case SEGID('D', 'T', 'M'):
		if (!p->party_loop)
			map_dtm(p);
		break;
	case SEGID('T', 'D', '5'):
		if (header)
			map_td5(p);
		break;
	case SEGID('M', 'S', 'G'):
		add_note(p, ostr_el(p, 1));
		break;
	case SEGID('M', 'T', 'X'):
		add_note(p, ostr_el(p, 2));
		break;
	case SEGID2('N', '1'):
		map_n1(p);
		break;
	case SEGID2('N', '2'):
		if (p->party != NULL)
			map_n2(p);
		break;
	case SEGID2('N', '3'):
		if (p->party != NULL)
			map_n3(p);
		break;
	case SEGID2('N', '4'):
		if (p->party != NULL)
			map_n4(p);
		break;
	case SEGID('P', 'O', '1'):
		if (p->kind == KIND_850)
			map_item(p, &po1);
		break;
	case SEGID('P', 'O', 'C'):
		if (p->kind == KIND_860) {
			map_item(p, &poc);
			const char *change = ostr_el(p, 2);
			if (p->line != NULL && change != NULL)
				line_add_note(p->o, p->line, arena_printf(p->arena, "Change type (POC02): %s", change));
		}
		break;
	case SEGID('P', 'I', 'D'):
		if (p->in_detail && !p->in_summary)
			map_pid(p);
		break;
	case SEGID('A', 'M', 'T'):
		map_amt(p);
		break;
	case SEGID('C', 'T', 'T'):
		map_ctt(p);
		break;
	default:
		break;
	}
}

/* A segment inside a transaction set (not ST/SE). */
static void set_segment(struct x12p *p)
{
	if (p->id == 0) {
		diag_seg(p, DIAG_ERROR, "transaction set %s %s: \"%s\" is not a segment id (expected 2-3 upper-case letters or digits)",
			 p->st01, p->st02, p->idtxt);
		ack_error(p, p->idtxt, p->set_segs, 1, 0, 0, 0, el_str(""));
		reject(p, 5);
		return;
	}
	if (p->o != NULL)
		map_segment(p);
}

/* ---- the main loop ------------------------------------------------------- */

static void unexpected(struct x12p *p, const char *expected)
{
	diag_seg(p, DIAG_ERROR, "unexpected segment %s (expected %s)", p->idtxt, expected);
}

static void dispatch(struct x12p *p)
{
	uint32_t id = p->id;
	const uint32_t ST = SEGID2('S', 'T'), SE = SEGID2('S', 'E'), GS = SEGID2('G', 'S'),
		       GE = SEGID2('G', 'E'), IEA = SEGID('I', 'E', 'A');
	for (;;) {
		switch (p->state) {
		case ST_SET:
			if (id == SE) {
				p->set_segs++;
				close_set(p, true, false);
				return;
			}
			if (id == ST || id == GE || id == GS || id == IEA) {
				close_set(p, false, false);
				continue;
			}
			p->set_segs++;
			set_segment(p);
			return;
		case ST_GROUP:
			if (id == ST) {
				open_set(p, false);
			} else if (id == GE) {
				close_group(p, true, false);
			} else if (id == GS || id == IEA) {
				close_group(p, false, false);
				continue;
			} else {
				unexpected(p, "ST or GE");
			}
			return;
		case ST_INTERCHANGE:
			if (id == GS)
				open_group(p);
			else if (id == IEA)
				close_interchange(p, true, false);
			else if (id == ST)
				open_set(p, true);
			else if (id == SEGID('T', 'A', '1'))
				p->n_ta1++;
			else
				unexpected(p, "GS or IEA");
			return;
		case ST_OUTSIDE:
			return;
		}
	}
}

/* Start an interchange at `at`; on a bad ISA, look for the next one. */
static bool start_interchange(struct x12p *p, size_t at)
{
	for (;;) {
		if (p->state != ST_OUTSIDE) {
			/* Trailers missing before this ISA: name it in the messages. */
			size_t seg_no = p->seg_no;
			p->seg_no++;
			p->soff = at;
			memcpy(p->idtxt, "ISA", 4);
			close_all(p, false);
			p->seg_no = seg_no;
		}
		if (isa_read(p, at) == 0)
			return true;
		p->state = ST_OUTSIDE;
		const unsigned char *q = p->data + at + 3;
		at = p->len;
		while (q < p->data + p->len) {
			q = memmem(q, (size_t)(p->data + p->len - q), "ISA", 3);
			if (q == NULL)
				break;
			if (raw_isa(p, (size_t)(q - p->data))) {
				at = (size_t)(q - p->data);
				break;
			}
			q += 3;
		}
		if (at >= p->len) {
			p->pos = p->len;
			return false;
		}
	}
}

static int run(struct x12p *p)
{
	size_t at = 0;
	if (p->len >= 3 && memcmp(p->data, "\xEF\xBB\xBF", 3) == 0)
		at = 3;
	at = skip_space(p, at);
	if (!raw_isa(p, at)) {
		diag_at(p, DIAG_ERROR, 0, at, "not an X12 interchange: expected \"ISA\" and an element separator, found \"%.*s\"",
			(int)(p->len - at < 8 ? p->len - at : 8), (const char *)p->data + at);
		return -1;
	}
	if (!start_interchange(p, at))
		return -1;
	while (!p->stop) {
		at = skip_space(p, p->pos);
		if (at >= p->len)
			break;
		if (raw_isa(p, at)) {
			if (!start_interchange(p, at))
				break;
			continue;
		}
		if (p->state == ST_OUTSIDE) {
			size_t next = p->len;
			const unsigned char *q = memmem(p->data + at, p->len - at, "ISA", 3);
			if (q != NULL)
				next = (size_t)(q - p->data);
			diag_at(p, DIAG_ERROR, 0, at, "unexpected data after the IEA trailer (expected ISA or the end of the data), %zu bytes skipped",
				next - at);
			if (q == NULL)
				break;
			p->pos = next;
			if (!raw_isa(p, next))
				p->pos = next + 3;
			continue;
		}
		p->pos = at;
		read_segment(p);
		if (p->id == SEGID('I', 'S', 'A')) {
			p->seg_no--;
			if (!start_interchange(p, p->soff))
				break;
			continue;
		}
		dispatch(p);
	}
	if (!p->stop)
		close_all(p, true);
	return 0;
}

/* EBCDIC "ISA" after EBCDIC white space (space, NL, LF, CR). */
static bool is_ebcdic(const unsigned char *d, size_t n)
{
	size_t i = 0;
	while (i < n && (d[i] == 0x40 || d[i] == 0x15 || d[i] == 0x25 || d[i] == 0x0D || d[i] == 0x05))
		i++;
	return i + 4 <= n && d[i] == 0xC9 && d[i + 1] == 0xE2 && d[i + 2] == 0xC1 &&
	       separator_ok(cp037_latin1[d[i + 3]]);
}

int x12_sniff(const unsigned char *d, size_t n)
{
	size_t i = 0;
	if (n >= 3 && memcmp(d, "\xEF\xBB\xBF", 3) == 0)
		i = 3;
	while (i < n && is_space_byte(d[i]))
		i++;
	if (i + 4 <= n && memcmp(d + i, "ISA", 3) == 0 && separator_ok(d[i + 3]))
		return 100;
	return is_ebcdic(d, n) ? 100 : 0;
}

int x12_parse(const struct parse_input *in, struct parse_output *out)
{
	struct x12p *p = calloc(1, sizeof(*p));
	unsigned char *conv = NULL;
	if (p == NULL)
		fatal("out of memory");
	p->in = in;
	p->out = out;
	p->data = in->data;
	p->len = in->len;
	if (is_ebcdic(in->data, in->len)) {
		conv = malloc(in->len);
		if (conv == NULL)
			fatal("out of memory (EBCDIC conversion of %zu bytes)", in->len);
		for (size_t i = 0; i < in->len; i++)
			conv[i] = cp037_latin1[in->data[i]];
		p->data = conv;
		p->latin1 = true;
	}
	p->arena = arena_new(in->max_order_bytes ? in->max_order_bytes : OG_MAX_ORDER_BYTES_DEFAULT);
	p->ack = calloc(1, sizeof(*p->ack));
	if (p->ack == NULL)
		fatal("out of memory");
	p->ic_ack = p->group_ack = p->set_ack = SIZE_MAX;
	diags_init(&p->od);
	int r = run(p);
	if (p->n_order_sets == 0) {
		if (p->first_other != NULL)
			out->not_order = p->first_other;
		else if (p->n_ta1 > 0)
			out->not_order = "X12 TA1 interchange acknowledgment";
	}
	if (out->ack != NULL && out->ack_free != NULL)
		out->ack_free(out->ack);
	out->ack = p->ack;
	out->ack_free = x12_ack_info_free;
	arena_free(&p->arena);
	diags_free(&p->od);
	free(p->scratch);
	free(conv);
	free(p);
	return r;
}

const struct parser x12_parser = { "x12", x12_sniff, x12_parse };
