/* edifact.c — UN/EDIFACT interchanges to order records (see edifact.h).
 *
 * One pass over the bytes: a 256-entry class table (rebuilt for every
 * UNA/UNB) finds separators, release characters and terminators; a segment
 * is a list of (offset, length) components into the input, kept in one
 * fixed array in the parser state, so tokenizing allocates nothing.  Only
 * values that the mapping keeps are decoded (releases removed, character
 * set converted to UTF-8) into the arena of the current message, which is
 * reset for every message: memory is bounded by the largest order.
 *
 * Ownership: the input belongs to the caller; the order handed to emit()
 * lives until the next message; the acknowledgement data (struct
 * edifact_ack) is handed to the parse_output, which frees it.
 *
 * Failure: bad input never stops the parse.  A message whose UNT check
 * fails (count, reference, missing) is rejected with an error diagnostic;
 * envelope problems of UNZ/UNE are warnings; values that do not fit a field
 * (a date, a decimal, a unit) are dropped with a warning in the order's
 * diagnostics.  -1 only when no EDIFACT segment at all could be found. */
#include "edifact.h"
#include "decimal.h"
#include "limits.h"
#include "log.h"
#include <ctype.h>
#include <errno.h>
#include <iconv.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* ---- tokens ---------------------------------------------------------- */

enum { CL_DATA, CL_COMP, CL_ELEM, CL_REP, CL_TERM, CL_REL };

/* Kept small: the tokenizer writes one per component.  Offsets are into
 * the input (at most EDIFACT_MAX_INPUT bytes), the top bit of len says the
 * component holds a release character. */
struct comp {
	uint32_t off, len;
};
#define COMP_REL 0x80000000u
#define CLEN(c) ((size_t)((c)->len & ~COMP_REL))
#define CREL(c) (((c)->len & COMP_REL) != 0)
#define EDIFACT_MAX_INPUT ((size_t)0x7fffffff)

struct elem {
	uint16_t pos, rep;       /* element position (tag = 0), repetition */
	uint16_t first, n;       /* slice of seg.comps */
};
_Static_assert(sizeof(struct elem) == 8 && offsetof(struct elem, n) == 6, "tokenize() stores an elem as one word");

struct seg {
	size_t start, end;       /* byte offset of the tag; just past the terminator */
	size_t index;            /* 1-based in the file */
	char tag[4];
	bool terminated;
	bool overflow;           /* more parts than OG_EDIFACT_MAX_SEGMENT_PARTS */
	size_t n_elems, n_comps;
	struct elem elems[OG_EDIFACT_MAX_SEGMENT_PARTS];
	struct comp comps[OG_EDIFACT_MAX_SEGMENT_PARTS];
};

#define TAG(a, b, c) (((unsigned)(a) << 16) | ((unsigned)(b) << 8) | (unsigned)(c))

/* ---- character sets ---------------------------------------------------- */

enum charset { CS_LEVEL_A, CS_LEVEL_B, CS_LATIN1, CS_ICONV, CS_UTF8, CS_UNKNOWN };

static const struct {
	const char *id, *name;
	enum charset cs;
} charsets[] = {
	{ "UNOA", "ASCII", CS_LEVEL_A },
	{ "UNOB", "ASCII", CS_LEVEL_B },
	{ "UNOC", "ISO-8859-1", CS_LATIN1 },
	{ "UNOD", "ISO-8859-2", CS_ICONV },
	{ "UNOE", "ISO-8859-5", CS_ICONV },
	{ "UNOF", "ISO-8859-7", CS_ICONV },
	{ "UNOG", "ISO-8859-3", CS_ICONV },
	{ "UNOH", "ISO-8859-4", CS_ICONV },
	{ "UNOI", "ISO-8859-6", CS_ICONV },
	{ "UNOJ", "ISO-8859-8", CS_ICONV },
	{ "UNOK", "ISO-8859-9", CS_ICONV },
	{ "UNOW", "UTF-8", CS_UTF8 },
	{ "UNOY", "UTF-8", CS_UTF8 },
};

const char *edifact_charset(const char *syntax_id)
{
	for (size_t i = 0; i < sizeof(charsets) / sizeof(charsets[0]); i++)
		if (strcmp(charsets[i].id, syntax_id) == 0)
			return charsets[i].name;
	return NULL;
}

/* ---- message names ------------------------------------------------------ */

static const struct {
	const char *type, *what;
} msg_names[] = {
	{ "ORDRSP", "EDIFACT ORDRSP purchase order response" },
	{ "CONTRL", "EDIFACT CONTRL syntax and service report" },
	{ "APERAK", "EDIFACT APERAK application error and acknowledgement" },
	{ "DESADV", "EDIFACT DESADV despatch advice" },
	{ "INVOIC", "EDIFACT INVOIC invoice" },
	{ "RECADV", "EDIFACT RECADV receiving advice" },
	{ "REMADV", "EDIFACT REMADV remittance advice" },
	{ "PRICAT", "EDIFACT PRICAT price/sales catalogue" },
	{ "INVRPT", "EDIFACT INVRPT inventory report" },
	{ "SLSRPT", "EDIFACT SLSRPT sales data report" },
	{ "DELFOR", "EDIFACT DELFOR delivery schedule" },
	{ "DELJIT", "EDIFACT DELJIT delivery just in time" },
	{ "QUOTES", "EDIFACT QUOTES quote" },
	{ "REQOTE", "EDIFACT REQOTE request for quote" },
	{ "PARTIN", "EDIFACT PARTIN party information" },
	{ "IFTMIN", "EDIFACT IFTMIN instruction message" },
	{ "IFTSTA", "EDIFACT IFTSTA transport status" },
	{ "INSDES", "EDIFACT INSDES instruction to despatch" },
	{ "OSTENQ", "EDIFACT OSTENQ order status enquiry" },
	{ "OSTRPT", "EDIFACT OSTRPT order status report" },
	{ "PAYMUL", "EDIFACT PAYMUL multiple payment order" },
	{ "CUSDEC", "EDIFACT CUSDEC customs declaration" },
};

static const char *msg_name(const char *type)
{
	for (size_t i = 0; i < sizeof(msg_names) / sizeof(msg_names[0]); i++)
		if (strcmp(msg_names[i].type, type) == 0)
			return msg_names[i].what;
	return "EDIFACT message that is not an order";
}

/* ---- parser state ------------------------------------------------------ */

enum ctx {
	X_HEAD,          /* header, no group open */
	X_HGROUP,        /* a header group we do not map (ALC, SCC, PAC ...) */
	X_RFF, X_NAD, X_CUX, X_PAT, X_TDT, X_TOD,
	X_LIN,           /* segments directly in the LIN group */
	X_LSUB,          /* a group inside LIN we do not map */
	X_LPRI,          /* the PRI group inside LIN */
	X_SUM            /* after UNS+S */
};

struct msg {
	bool open, is_order, is_change;
	size_t n_segs;               /* UNH..now inclusive */
	size_t unh_index, unh_off;
	char ref_raw[64];            /* UNH 0062 for the UNT check (cut to 63) */
	size_t ref_len;
	size_t ack;                  /* index into ack->messages */
	struct order *o;
	enum ctx ctx;
	struct party *party;         /* the NAD group's party; NULL when unmapped */
	struct order_line *line;
	bool line_qty21, line_desc, line_price_aaa, tdt_main, has_seller, has_ship_to;
	size_t n_lin;
	int pat_type;
	bool failed;                 /* arena limit hit */
	char *pool;                  /* strings of this message: bump-allocated */
	size_t pool_left;            /* from arena blocks */
};

struct ep {
	const unsigned char *d;
	size_t len;
	struct parse_output *out;
	struct diags *dd;            /* document diagnostics */
	unsigned char cls[256];
	size_t blk;                  /* the 64 bytes whose service characters are in mask */
	uint64_t mask;
#ifdef __SSE2__
	__m128i simd[5];
#endif
	struct edifact_syntax syn;
	bool pending_una;
	struct edifact_syntax una;

	/* interchange */
	bool ic_open, ic_implicit;
	size_t ic;                   /* index into ack->interchanges */
	size_t ic_msgs, ic_groups;
	enum charset cs;
	const char *cs_name;
	iconv_t cd;
	bool cd_open;
	bool warned_repertoire, warned_utf8, warned_invalid, warned_outside;
	const char *sender;          /* "qualifier:id" (malloc'd, per interchange) */
	char ic_ref[64];
	size_t ic_ref_len;
	/* group */
	bool grp_open;
	size_t grp;
	size_t grp_msgs;
	char grp_ref[64];
	size_t grp_ref_len;

	struct msg m;
	struct arena *arena;
	struct diags od;             /* diagnostics of the current order */
	size_t seg_index;
	size_t n_order_msgs;
	const char *first_other;
	int file_utf8;               /* -1 unknown, 0 no, 1 valid UTF-8 with non-ASCII */
	bool stop;
	struct edifact_ack *ack;

	char raw[OG_MAX_FIELD_BYTES + 1];
	char conv[3 * OG_MAX_FIELD_BYTES + 4];
	struct seg seg;
};

/* ---- diagnostics ------------------------------------------------------- */

static void vdiag(struct diags *d, enum diag_severity sev, const struct seg *s,
		  size_t off, const char *fmt, va_list ap)
	__attribute__((format(printf, 5, 0)));

static void vdiag(struct diags *d, enum diag_severity sev, const struct seg *s,
		  size_t off, const char *fmt, va_list ap)
{
	char where[96];
	if (s != NULL)
		snprintf(where, sizeof(where), "segment %zu (byte %zu)", s->index, s->start);
	else
		snprintf(where, sizeof(where), "byte %zu", off);
	diag_vadd(d, sev, where, fmt, ap);
}

/* Document-level diagnostic. */
static void ddiag(struct ep *ep, enum diag_severity sev, const struct seg *s, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void ddiag(struct ep *ep, enum diag_severity sev, const struct seg *s, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vdiag(ep->dd, sev, s, s ? s->start : 0, fmt, ap);
	va_end(ap);
}

static void ddiag_at(struct ep *ep, enum diag_severity sev, size_t off, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void ddiag_at(struct ep *ep, enum diag_severity sev, size_t off, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vdiag(ep->dd, sev, NULL, off, fmt, ap);
	va_end(ap);
}

/* Warning about the current order's content. */
static void owarn(struct ep *ep, const struct seg *s, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void owarn(struct ep *ep, const struct seg *s, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vdiag(&ep->od, DIAG_WARNING, s, s ? s->start : 0, fmt, ap);
	va_end(ap);
}

/* ---- syntax and tokenizer --------------------------------------------- */

static const struct edifact_syntax level_a = { ':', '+', '.', '?', 0, '\'' };
static const struct edifact_syntax level_b = { 0x1f, 0x1d, '.', 0, 0, 0x1c };

static bool syntax_ok(const struct edifact_syntax *s)
{
	unsigned char c[5] = { s->component, s->element, s->terminator, s->release, s->repetition };
	for (int i = 0; i < 5; i++)
		for (int j = i + 1; j < 5; j++)
			if (c[i] != 0 && c[i] == c[j])
				return false;
	return s->component && s->element && s->terminator &&
	       !isalnum(s->component) && !isalnum(s->element) && !isalnum(s->terminator) &&
	       !isalnum(s->release) && !isalnum(s->repetition);
}

static void set_syntax(struct ep *ep, const struct edifact_syntax *s)
{
	ep->syn = *s;
	memset(ep->cls, CL_DATA, sizeof(ep->cls));
	ep->cls[s->component] = CL_COMP;
	ep->cls[s->element] = CL_ELEM;
	if (s->repetition)
		ep->cls[s->repetition] = CL_REP;
	ep->cls[s->terminator] = CL_TERM;
	if (s->release)
		ep->cls[s->release] = CL_REL;
	ep->blk = SIZE_MAX;     /* the cached mask is stale */
#ifdef __SSE2__
	/* Unused roles repeat the component separator, so they match nothing new. */
	ep->simd[0] = _mm_set1_epi8((char)s->component);
	ep->simd[1] = _mm_set1_epi8((char)s->element);
	ep->simd[2] = _mm_set1_epi8((char)s->terminator);
	ep->simd[3] = _mm_set1_epi8((char)(s->repetition ? s->repetition : s->component));
	ep->simd[4] = _mm_set1_epi8((char)(s->release ? s->release : s->component));
#endif
}

/* Bit i set when byte blk+i is a service character (64 at a time). */
static inline uint64_t special_mask(const struct ep *ep, size_t blk)
{
	const unsigned char *d = ep->d + blk;
	size_t n = ep->len - blk;
	uint64_t m = 0;
#ifdef __SSE2__
	if (n >= 64) {
		const __m128i *v = ep->simd;
		for (int k = 0; k < 4; k++) {
			__m128i x = _mm_loadu_si128((const __m128i *)(const void *)(d + 16 * k));
			__m128i e = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, v[0]), _mm_cmpeq_epi8(x, v[1])),
						 _mm_or_si128(_mm_cmpeq_epi8(x, v[2]),
							      _mm_or_si128(_mm_cmpeq_epi8(x, v[3]), _mm_cmpeq_epi8(x, v[4]))));
			m |= (uint64_t)(uint16_t)_mm_movemask_epi8(e) << (16 * k);
		}
		return m;
	}
#endif
	if (n > 64)
		n = 64;
	for (size_t i = 0; i < n; i++)
		if (ep->cls[d[i]] != CL_DATA)
			m |= (uint64_t)1 << i;
	return m;
}

/* The component [cstart, p) as comps[nc] while there is room; the new count. */
static inline size_t put_comp(struct comp *comps, size_t nc, size_t cstart, size_t p, uint32_t rel,
			      bool *overflow)
{
	if (nc >= OG_EDIFACT_MAX_SEGMENT_PARTS) {
		*overflow = true;
		return nc;
	}
	comps[nc].off = (uint32_t)cstart;
	comps[nc].len = (uint32_t)(p - cstart) | rel;
	return nc + 1;
}

/* Split the segment at pos; returns the offset just past it.
 *
 * The service characters come from a 64-bit mask of the block of 64 bytes
 * at ep->blk (bits already consumed are cleared), so a data byte costs
 * nothing and a separator a few instructions.  The mask is kept between
 * segments; set_syntax() marks it stale. */
static size_t tokenize(struct ep *ep, size_t pos, struct seg *s)
{
	const unsigned char *const d = ep->d;
	const unsigned char *const cls = ep->cls;
	const size_t end = ep->len;
	const size_t max = OG_EDIFACT_MAX_SEGMENT_PARTS;
	struct comp *const comps = s->comps;
	size_t p, cstart = pos, nc = 0, ne = 0, efirst = 0;
	uint32_t erec = 0;           /* element position | repetition << 16 */
	uint32_t rel = 0;
	bool overflow = false;
	unsigned c;
	size_t blk = ep->blk;
	uint64_t mask;
	s->start = pos;
	s->terminated = false;
	if (pos < blk || pos - blk >= 64) {
		blk = pos;
		mask = pos < end ? special_mask(ep, pos) : 0;
	} else {
		mask = ep->mask & (~(uint64_t)0 << (pos - blk));
	}
	for (;;) {
		if (mask == 0) {
			blk += 64;
			if (blk < end) {
				mask = special_mask(ep, blk);
				continue;
			}
			/* The data ends inside the segment. */
			blk = SIZE_MAX;
			p = end;
			c = CL_TERM;
		} else {
			p = blk + (size_t)__builtin_ctzll(mask);
			mask &= mask - 1;
			c = cls[d[p]];
			if (c == CL_COMP) {
				nc = put_comp(comps, nc, cstart, p, rel, &overflow);
				rel = 0;
				cstart = p + 1;
				continue;
			}
			if (c == CL_REL) {
				/* The next byte is data whatever it is: scan on after it. */
				rel = COMP_REL;
				if (p + 2 < end) {
					blk = p + 2;
					mask = special_mask(ep, blk);
					continue;
				}
				blk = SIZE_MAX;
				mask = 0;
				p = end;
				c = CL_TERM;
			}
		}
		/* The element ends at p. */
		nc = put_comp(comps, nc, cstart, p, rel, &overflow);
		rel = 0;
		cstart = p + 1;
		if (ne < max) {
			struct elem *e = &s->elems[ne++];
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
			/* pos, rep, first, n in one store */
			uint64_t v = erec | (uint64_t)efirst << 32 | (uint64_t)(nc - efirst) << 48;
			memcpy(e, &v, sizeof(v));
#else
			e->pos = (uint16_t)erec;
			e->rep = (uint16_t)(erec >> 16);
			e->first = (uint16_t)efirst;
			e->n = (uint16_t)(nc - efirst);
#endif
		} else {
			overflow = true;
		}
		efirst = nc;
		if (c == CL_ELEM) {
			erec = (erec & 0xffff) + 1;
		} else if (c == CL_REP) {
			erec += 0x10000;
		} else {
			if (p < end) {
				s->terminated = true;
				p++;
			}
			break;
		}
	}
	ep->blk = blk;
	ep->mask = mask;
	s->end = p;
	s->n_comps = nc;
	s->n_elems = ne;
	s->overflow = overflow;
	/* The tag: the first component, at most 3 characters kept, printable. */
	size_t tl = CLEN(&s->comps[0]);
	const unsigned char *tp = d + s->comps[0].off;
	if (tl >= 3 && (unsigned)(tp[0] - 0x20) < 0x5f && (unsigned)(tp[1] - 0x20) < 0x5f &&
	    (unsigned)(tp[2] - 0x20) < 0x5f) {
		memcpy(s->tag, tp, 3);
		s->tag[3] = '\0';
	} else {
		memset(s->tag, 0, sizeof(s->tag));
		for (size_t i = 0; i < tl && i < 3; i++)
			s->tag[i] = (char)((unsigned)(tp[i] - 0x20) < 0x5f ? tp[i] : '?');
	}
	return p;
}

static inline const struct elem *elem_at(const struct seg *s, unsigned pos, unsigned rep)
{
	size_t i = pos < s->n_elems ? pos : s->n_elems - 1;
	/* Without repetitions elems[pos] is the one; otherwise walk. */
	if (s->elems[i].pos == pos && s->elems[i].rep == rep)
		return &s->elems[i];
	for (i = 0; i < s->n_elems; i++)
		if (s->elems[i].pos == pos && s->elems[i].rep == rep)
			return &s->elems[i];
	return NULL;
}

static inline const struct comp *comp_at(const struct seg *s, unsigned pos, unsigned rep, unsigned k)
{
	const struct elem *e = elem_at(s, pos, rep);
	if (e == NULL || k >= e->n)
		return NULL;
	const struct comp *c = &s->comps[e->first + k];
	return CLEN(c) ? c : NULL;
}

/* Copy a component without its release characters (and without CR/LF,
 * which are never data); at most cap-1 bytes.  Returns the length. */
static size_t unrelease(const struct ep *ep, const struct comp *c, char *out, size_t cap, bool *cut)
{
	size_t n = 0;
	const unsigned char *p = ep->d + c->off, *e = p + CLEN(c);
	if (cut)
		*cut = false;
	if (!CREL(c)) {
		for (; p < e; p++) {
			if (*p == '\r' || *p == '\n')
				continue;
			if (n + 1 >= cap) {
				if (cut)
					*cut = true;
				break;
			}
			out[n++] = (char)*p;
		}
	} else {
		for (; p < e; p++) {
			if (*p == ep->syn.release && ep->syn.release) {
				if (++p == e)
					break;
			} else if (*p == '\r' || *p == '\n') {
				continue;
			}
			if (n + 1 >= cap) {
				if (cut)
					*cut = true;
				break;
			}
			out[n++] = (char)*p;
		}
	}
	out[n] = '\0';
	return n;
}

/* A code value (qualifier etc.) into buf; "" when absent.  ASCII only. */
static const char *code(const struct ep *ep, const struct seg *s, unsigned pos, unsigned rep,
			unsigned k, char *buf, size_t cap)
{
	const struct comp *c = comp_at(s, pos, rep, k);
	buf[0] = '\0';
	if (c == NULL)
		return buf;
	size_t n = unrelease(ep, c, buf, cap, NULL);
	while (n > 0 && buf[n - 1] == ' ')
		buf[--n] = '\0';
	size_t i = 0;
	while (buf[i] == ' ')
		i++;
	if (i)
		memmove(buf, buf + i, n - i + 1);
	return buf;
}

#define CODE(s, pos, k, buf) code(ep, (s), (pos), 0, (k), (buf), sizeof(buf))

/* Codes of up to 4 characters packed into an integer, so that the hot
 * mapping compares numbers, not strings: kcode() == K("21"). */
#define K1(str, i) ((uint32_t)(sizeof(str) > (i) + 1 ? (unsigned char)(str)[i] : 0) << (8 * (i)))
#define K(str) (K1(str, 0) | K1(str, 1) | K1(str, 2) | K1(str, 3))
#define K_LONG 0xffffffffu

static inline uint32_t kcode(const struct ep *ep, const struct seg *s, unsigned pos, unsigned rep, unsigned k)
{
	const struct comp *c = comp_at(s, pos, rep, k);
	if (c == NULL)
		return 0;
	const unsigned char *p = ep->d + c->off;
	size_t n = CLEN(c);
	if (CREL(c) || n > 4) {
		char b[8];
		code(ep, s, pos, rep, k, b, sizeof(b));
		p = (const unsigned char *)b;
		n = strlen(b);
		if (n > 4)
			return K_LONG;
		uint32_t v = 0;
		for (size_t i = 0; i < n; i++)
			v |= (uint32_t)p[i] << (8 * i);
		return v;
	}
	while (n > 0 && p[n - 1] == ' ')
		n--;
	uint32_t v = 0;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	if (c->off + 4 <= ep->len) {
		memcpy(&v, p, 4);
		return n == 4 ? v : v & (((uint32_t)1 << (8 * n)) - 1);
	}
#endif
	for (size_t i = 0; i < n; i++)
		v |= (uint32_t)p[i] << (8 * i);
	return v;
}

static bool is_code(const struct ep *ep, const struct seg *s, unsigned pos, unsigned k, uint32_t want)
{
	return kcode(ep, s, pos, 0, k) == want;
}

/* ---- strings of the order -------------------------------------------- */

#define POOL_BLOCK 4096u

/* [s, s+n) trimmed of white space into the message's string pool; NULL
 * for "" or when the arena limit is hit.  The pool takes blocks from the
 * arena, so a string costs a copy, not an allocation. */
static const char *pool_str(struct ep *ep, const char *s, size_t n)
{
	while (n > 0 && (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n'))
		s++, n--;
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
		n--;
	if (n == 0)
		return NULL;
	struct msg *m = &ep->m;
	if (n + 1 > m->pool_left) {
		size_t want = n + 1 > POOL_BLOCK ? n + 1 : POOL_BLOCK;
		char *p = arena_alloc_raw(ep->arena, want);
		if (p == NULL) {
			m->failed = true;
			return NULL;
		}
		if (want > POOL_BLOCK) {        /* a long value: a block of its own */
			memcpy(p, s, n);
			p[n] = '\0';
			return p;
		}
		m->pool = p;
		m->pool_left = want;
	}
	char *r = m->pool;
	arena_copy_bytes(r, s, n);
	r[n] = '\0';
	m->pool += n + 1;
	m->pool_left -= n + 1;
	return r;
}

#ifdef __SSE2__
/* Fast paths for the common value: one component without release
 * characters, at most FAST_MAX bytes, that can be read 16 bytes at a time
 * (the input goes on past it) and stored 16 at a time into the pool.
 * They give exactly what the general code gives; *done false when the
 * general code must do it (which also covers builds without SSE2). */
#define FAST_MAX 64u

/* The number of 16-byte blocks of c, 0 when the fast path cannot take it. */
static inline unsigned fast_blocks(const struct ep *ep, const struct comp *c)
{
	size_t n = c->len;      /* a component with releases is over FAST_MAX */
	if (n > FAST_MAX)
		return 0;
	unsigned nv = (unsigned)((n + 15) >> 4);
	if (c->off + 16 * (size_t)nv > ep->len || ep->m.pool_left <= 16 * (size_t)nv)
		return 0;
	return nv;
}

/* Printable ASCII not starting with a space: trailing spaces cut, copied
 * into the pool (what to_utf8_scanned and pool_str do with it). */
static inline const char *fast_text(struct ep *ep, const struct comp *c, bool *done)
{
	unsigned nv = fast_blocks(ep, c);
	*done = false;
	if (nv == 0 || (ep->cs == CS_LEVEL_A && !ep->warned_repertoire))
		return NULL;
	const unsigned char *p = ep->d + c->off;
	char *r = ep->m.pool;
	uint64_t bad = 0, sp = 0;
	const __m128i lo = _mm_set1_epi8(0x20), del = _mm_set1_epi8(0x7f);
	for (unsigned i = 0; i < nv; i++) {
		__m128i x = _mm_loadu_si128((const __m128i *)(const void *)(p + 16 * i));
		/* signed: 0x80..0xff are below 0x20 too */
		__m128i b = _mm_or_si128(_mm_cmplt_epi8(x, lo), _mm_cmpeq_epi8(x, del));
		bad |= (uint64_t)(unsigned)_mm_movemask_epi8(b) << (16 * i);
		sp |= (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, lo)) << (16 * i);
		_mm_storeu_si128((__m128i *)(void *)(r + 16 * i), x);
	}
	size_t n = c->len;
	uint64_t keep = n == 64 ? ~(uint64_t)0 : ((uint64_t)1 << n) - 1;
	if ((bad & keep) != 0 || (sp & 1) != 0)
		return NULL;
	size_t len = 64 - (size_t)__builtin_clzll(~sp & keep);   /* bit 0 is set */
	r[len] = '\0';
	ep->m.pool += len + 1;
	ep->m.pool_left -= len + 1;
	*done = true;
	return r;
}

/* Digits with at most one '.', up to 16 bytes: taken as they are (what
 * check_decimal and pool_str do with them). */
static inline const char *fast_decimal(struct ep *ep, const struct comp *c, bool *done)
{
	size_t n = c->len;
	*done = false;
	if (n > 16 || c->off + 16 > ep->len || ep->m.pool_left <= 16)
		return NULL;
	__m128i x = _mm_loadu_si128((const __m128i *)(const void *)(ep->d + c->off));
	__m128i dg = _mm_sub_epi8(x, _mm_set1_epi8('0'));
	unsigned keep = (1u << n) - 1;
	unsigned dig = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_min_epu8(dg, _mm_set1_epi8(9)), dg)) & keep;
	unsigned dot = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, _mm_set1_epi8('.'))) & keep;
	if ((dig | dot) != keep || dig == 0 || (dot & (dot - 1)) != 0)
		return NULL;
	char *r = ep->m.pool;
	_mm_storeu_si128((__m128i *)(void *)r, x);
	r[n] = '\0';
	ep->m.pool += n + 1;
	ep->m.pool_left -= n + 1;
	*done = true;
	return r;
}
#endif

/* ---- character conversion --------------------------------------------- */

/* Length of the valid UTF-8 sequence at p (1..4), 0 if invalid. */
static size_t utf8_seq(const unsigned char *p, size_t n)
{
	unsigned char c = p[0];
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		return n >= 2 && (p[1] & 0xc0) == 0x80 ? 2 : 0;
	if (c >= 0xe0 && c <= 0xef) {
		if (n < 3 || (p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80)
			return 0;
		if (c == 0xe0 && p[1] < 0xa0)
			return 0;
		if (c == 0xed && p[1] >= 0xa0)
			return 0;
		return 3;
	}
	if (c >= 0xf0 && c <= 0xf4) {
		if (n < 4 || (p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80 || (p[3] & 0xc0) != 0x80)
			return 0;
		if (c == 0xf0 && p[1] < 0x90)
			return 0;
		if (c == 0xf4 && p[1] >= 0x90)
			return 0;
		return 4;
	}
	return 0;
}

/* Is the whole input valid UTF-8 with at least one non-ASCII character?
 * Decides how to read bytes that the declared character set cannot hold. */
static bool file_is_utf8(struct ep *ep)
{
	if (ep->file_utf8 < 0) {
		bool any = false;
		size_t i = 0;
		ep->file_utf8 = 1;
		while (i < ep->len) {
			if (ep->d[i] < 0x80) {
				i++;
				continue;
			}
			size_t k = utf8_seq(ep->d + i, ep->len - i);
			if (k == 0) {
				ep->file_utf8 = 0;
				break;
			}
			any = true;
			i += k;
		}
		if (ep->file_utf8 == 1 && !any)
			ep->file_utf8 = 0;
	}
	return ep->file_utf8 == 1;
}

static size_t put_utf8(char *out, unsigned cp)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	out[0] = (char)(0xe0 | (cp >> 12));
	out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
	out[2] = (char)(0x80 | (cp & 0x3f));
	return 3;
}

static void warn_invalid(struct ep *ep, const struct seg *s, const char *what)
{
	if (ep->warned_invalid)
		return;
	ep->warned_invalid = true;
	ddiag(ep, DIAG_WARNING, s, "bytes not valid in %s (syntax identifier %s): replaced by U+FFFD",
	      what, ep->ack->interchanges[ep->ic].syntax_id);
}

static size_t conv_utf8(struct ep *ep, const struct seg *s, const char *in, size_t n, char *out)
{
	size_t o = 0;
	for (size_t i = 0; i < n;) {
		size_t k = utf8_seq((const unsigned char *)in + i, n - i);
		if (k == 0) {
			warn_invalid(ep, s, "UTF-8");
			o += put_utf8(out + o, 0xfffd);
			i++;
			continue;
		}
		memcpy(out + o, in + i, k);
		o += k;
		i += k;
	}
	return o;
}

static size_t conv_latin1(const char *in, size_t n, char *out)
{
	size_t o = 0;
	for (size_t i = 0; i < n; i++)
		o += put_utf8(out + o, (unsigned char)in[i]);
	return o;
}

static size_t conv_iconv(struct ep *ep, const struct seg *s, const char *in, size_t n, char *out, size_t cap)
{
	if (!ep->cd_open) {
		ep->cd = iconv_open("UTF-8", ep->cs_name);
		if (ep->cd == (iconv_t)-1) {
			ddiag(ep, DIAG_WARNING, s, "character set %s is not available here: read as ISO 8859-1",
			      ep->cs_name);
			ep->cs = CS_LATIN1;
			return conv_latin1(in, n, out);
		}
		ep->cd_open = true;
	}
	iconv(ep->cd, NULL, NULL, NULL, NULL);
	char *ip = (char *)in, *op = out;
	size_t il = n, ol = cap;
	while (il > 0) {
		if (iconv(ep->cd, &ip, &il, &op, &ol) != (size_t)-1)
			break;
		if (errno == E2BIG || ol < 3)
			break;
		/* EILSEQ/EINVAL: a byte the set does not define. */
		warn_invalid(ep, s, ep->cs_name);
		op += put_utf8(op, 0xfffd);
		ol -= 3;
		ip++;
		il--;
	}
	return (size_t)(op - out);
}

bool edifact_level_a(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c != '\0' && strchr(" .,-()/='+:?!\"%&*;<>", c) != NULL);
}

/* Raw bytes of a value (releases removed) to a trimmed UTF-8 string in the
 * order's arena; NULL when empty. */
static const char *to_utf8_scanned(struct ep *ep, const struct seg *s, const char *in, size_t n,
				   unsigned any, bool ctrl)
{
	bool ascii = (any & 0x80) == 0;
	if ((ctrl || ep->cs == CS_LEVEL_A) && !ep->warned_repertoire) {
		for (size_t i = 0; i < n; i++) {
			unsigned char c = (unsigned char)in[i];
			if (c >= 0x80 || ep->cls[c] != CL_DATA)   /* a released service character is data */
				continue;
			if ((ep->cs == CS_LEVEL_A && !edifact_level_a(c)) || c < 0x20 || c == 0x7f) {
				ep->warned_repertoire = true;
				ddiag(ep, DIAG_WARNING, s, "character 0x%02X is not in the repertoire of %s: read as written",
				      c, ep->ack->interchanges[ep->ic].syntax_id);
				break;
			}
		}
	}
	if (ascii)
		return pool_str(ep, in, n);
	size_t len;
	enum charset cs = ep->cs;
	if (cs != CS_UTF8 && file_is_utf8(ep)) {
		if (!ep->warned_utf8) {
			ep->warned_utf8 = true;
			ddiag(ep, DIAG_WARNING, s, "syntax identifier %s declares %s, but the text is UTF-8: read as UTF-8",
			      ep->ack->interchanges[ep->ic].syntax_id, ep->cs_name ? ep->cs_name : "an unknown set");
		}
		cs = CS_UTF8;
	} else if (cs == CS_LEVEL_A || cs == CS_LEVEL_B || cs == CS_UNKNOWN) {
		if (!ep->warned_repertoire) {
			ep->warned_repertoire = true;
			ddiag(ep, DIAG_WARNING, s, "non-ASCII bytes under syntax identifier %s: read as ISO 8859-1",
			      ep->ack->interchanges[ep->ic].syntax_id);
		}
		cs = CS_LATIN1;
	}
	switch (cs) {
	case CS_UTF8:
		len = conv_utf8(ep, s, in, n, ep->conv);
		break;
	case CS_ICONV:
		len = conv_iconv(ep, s, in, n, ep->conv, sizeof(ep->conv));
		break;
	default:
		len = conv_latin1(in, n, ep->conv);
		break;
	}
	return pool_str(ep, ep->conv, len);
}

/* The same for bytes not looked at yet. */
static const char *to_utf8(struct ep *ep, const struct seg *s, const char *in, size_t n)
{
	unsigned any = 0;
	bool ctrl = false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)in[i];
		any |= c;
		ctrl |= c < 0x20 || c == 0x7f;
	}
	return to_utf8_scanned(ep, s, in, n, any, ctrl);
}

static inline const char *text_rep(struct ep *ep, const struct seg *s, unsigned pos, unsigned rep, unsigned k);

/* The text of components k..k+count-1 of element pos, joined by spaces
 * (count 1: the general case of text_rep()). */
static const char *text_join(struct ep *ep, const struct seg *s, unsigned pos, unsigned rep,
			     unsigned k, unsigned count)
{
	if (count > 1) {
		/* Mostly only one of the parts is there: take the fast path. */
		unsigned found = 0, which = k;
		for (unsigned i = 0; i < count; i++)
			if (comp_at(s, pos, rep, k + i) != NULL) {
				found++;
				which = k + i;
			}
		if (found == 0)
			return NULL;
		if (found == 1)
			return text_rep(ep, s, pos, rep, which);
	}
	if (count == 1) {
		/* Fast path: one component without releases or line breaks is
		 * converted straight from the input. */
		const struct comp *c = comp_at(s, pos, rep, k);
		if (c == NULL)
			return NULL;
		size_t n = CLEN(c);
		if (!CREL(c) && n < sizeof(ep->raw)) {
			const unsigned char *p = ep->d + c->off;
			const uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
			uint64_t or8 = 0, low = 0, del8 = 0;
			size_t i = 0;
			/* Eight bytes at a time: any >= 0x80, any < 0x20, any 0x7f. */
			for (; i + 8 <= n; i += 8) {
				uint64_t w, x;
				memcpy(&w, p + i, 8);
				or8 |= w;
				low |= (w - 0x20 * ones) & ~w;
				x = w ^ (0x7f * ones);
				del8 |= (x - ones) & ~x;
			}
			unsigned any = 0;
			bool ctl = false, del = false;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
			/* The tail as one word when the input goes on past it:
			 * the bytes after the value are masked off. */
			if (i < n && c->off + i + 8 <= ep->len) {
				uint64_t w, x, keep = ~(uint64_t)0 >> (8 * (8 - (n - i)));
				memcpy(&w, p + i, 8);
				w &= keep;
				or8 |= w;
				low |= (w - 0x20 * ones) & ~w & keep;
				x = w ^ (0x7f * ones);
				del8 |= (x - ones) & ~x & keep;
				i = n;
			}
#endif
			for (; i < n; i++) {
				any |= p[i];
				ctl |= p[i] < 0x20;
				del |= p[i] == 0x7f;
			}
			/* (the "has a byte below n" tests are exact as yes/no: a
			 * borrow only starts at a byte that is below n) */
			any |= (or8 & high) ? 0x80 : 0;
			if (!ctl && (low & high) == 0)
				return to_utf8_scanned(ep, s, (const char *)p, n, any, del || (del8 & high) != 0);
		}
	}
	size_t n = 0;
	bool cut = false;
	for (unsigned i = 0; i < count; i++) {
		const struct comp *c = comp_at(s, pos, rep, k + i);
		if (c == NULL)
			continue;
		if (n > 0 && n + 1 < sizeof(ep->raw))
			ep->raw[n++] = ' ';
		bool cut1;
		size_t before = n;
		n += unrelease(ep, c, ep->raw + n, sizeof(ep->raw) - n, &cut1);
		/* A part of only spaces adds nothing. */
		bool blank = true;
		for (size_t j = before; j < n; j++)
			if (ep->raw[j] != ' ')
				blank = false;
		if (blank) {
			n = before > 0 ? before - 1 : 0;
		}
		cut |= cut1;
	}
	if (cut)
		owarn(ep, s, "%s value longer than %u bytes: cut", s->tag, OG_MAX_FIELD_BYTES);
	if (n == 0)
		return NULL;
	return to_utf8(ep, s, ep->raw, n);
}

/* One component as text: the fast path here, the rest in text_join(). */
static inline const char *text_rep(struct ep *ep, const struct seg *s, unsigned pos, unsigned rep, unsigned k)
{
#ifdef __SSE2__
	const struct comp *c = comp_at(s, pos, rep, k);
	if (c == NULL)
		return NULL;
	bool done;
	const char *r = fast_text(ep, c, &done);
	if (done)
		return r;
#endif
	return text_join(ep, s, pos, rep, k, 1);
}

static const char *text(struct ep *ep, const struct seg *s, unsigned pos, unsigned k)
{
	return text_rep(ep, s, pos, 0, k);
}

/* Check [b, b+n) as dec_parse() takes it (sign, digits with at most one
 * mark, at most 36 digits; spaces around), the mark made '.'; the number
 * is then at b+*start, *len long. */
static bool check_decimal(char *b, size_t n, size_t *start, size_t *len)
{
	while (n > 0 && b[n - 1] == ' ')
		n--;
	size_t i = 0, marks = 0, nd = 0;
	while (i < n && b[i] == ' ')
		i++;
	*start = i;
	*len = n - i;
	if (i < n && (b[i] == '-' || b[i] == '+'))
		i++;
	for (; i < n; i++) {
		if (b[i] >= '0' && b[i] <= '9') {
			nd++;
		} else if (b[i] == ',' || b[i] == '.') {
			b[i] = '.';
			marks++;
		} else {
			return false;
		}
	}
	return marks <= 1 && nd > 0 && nd <= 36;
}

/* A decimal value: either decimal mark accepted, written with '.'. */
static const char *decimal(struct ep *ep, const struct seg *s, unsigned pos, unsigned k, const char *what)
{
	char b[64];
	const struct comp *c = comp_at(s, pos, 0, k);
	if (c == NULL)
		return NULL;
#ifdef __SSE2__
	bool done;
	const char *r = fast_decimal(ep, c, &done);
	if (done)
		return r;
#endif
	bool cut = false;
	size_t n = CLEN(c), start, len;
	bool ok;
	if (!CREL(c) && n < sizeof(b)) {
		memcpy(b, ep->d + c->off, n);
		ok = check_decimal(b, n, &start, &len);
	} else {
		ok = false;
	}
	if (!ok) {
		/* Releases or line breaks inside: the careful copy. */
		n = unrelease(ep, c, b, sizeof(b), &cut);
		ok = check_decimal(b, n, &start, &len) && !cut;
	}
	if (len == 0)
		return NULL;
	if (!ok) {
		owarn(ep, s, "%s: expected a decimal number, found \"%.*s\": ignored", what,
		      (int)(len > 40 ? 40 : len), b + start);
		return NULL;
	}
	return pool_str(ep, b + start, len);
}

/* ---- dates ------------------------------------------------------------- */

static bool digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

/* CCYYMMDD at s to "YYYY-MM-DD"; NULL when not a real date. */
static const char *ymd(struct ep *ep, const char *s)
{
	if (!digits(s, 8))
		return NULL;
	int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
	int mo = (s[4] - '0') * 10 + (s[5] - '0');
	int d = (s[6] - '0') * 10 + (s[7] - '0');
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1])
		return NULL;
	if (mo == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return NULL;
	char r[10];
	memcpy(r, s, 4);
	r[4] = '-';
	memcpy(r + 5, s + 4, 2);
	r[7] = '-';
	memcpy(r + 8, s + 6, 2);
	return pool_str(ep, r, 10);
}

/* DTM C507: value 2380 in format 2379 to one date or a range. */
static int dtm_dates(struct ep *ep, const struct seg *s, const char **from, const char **to)
{
	char v[40], f[8];
	code(ep, s, 1, 0, 1, v, sizeof(v));
	CODE(s, 1, 2, f);
	size_t n = strlen(v);
	char c8[9];
	*from = *to = NULL;
	if (n == 0)
		return -1;
	if (f[0] == '\0')
		memcpy(f, n == 6 ? "101" : n == 12 ? "203" : n == 14 ? "204" : n == 17 ? "718" : "102", 4);
	if (strcmp(f, "102") == 0 && n == 8) {
		*from = ymd(ep, v);
	} else if ((strcmp(f, "203") == 0 && n == 12) || (strcmp(f, "204") == 0 && n == 14) ||
		   (strcmp(f, "205") == 0 && n >= 12)) {
		*from = digits(v, n > 14 ? 14 : n) ? ymd(ep, v) : NULL;
	} else if (strcmp(f, "101") == 0 && n == 6 && digits(v, 6)) {
		c8[0] = v[0] < '5' ? '2' : '1';
		c8[1] = v[0] < '5' ? '0' : '9';
		memcpy(c8 + 2, v, 6);
		c8[8] = '\0';
		*from = ymd(ep, c8);
	} else if ((strcmp(f, "718") == 0 && n == 17 && v[8] == '-') ||
		   (strcmp(f, "719") == 0 && n == 25 && v[12] == '-')) {
		size_t half = n == 17 ? 9 : 13;
		*from = ymd(ep, v);
		*to = ymd(ep, v + half);
		if (*from == NULL || *to == NULL)
			*from = *to = NULL;
	} else {
		owarn(ep, s, "DTM: date \"%.35s\" in format %s is not supported (expected 102, 203, 204, 101, 718 or 719): ignored",
		      v, f);
		return -1;
	}
	if (*from == NULL) {
		owarn(ep, s, "DTM: \"%.35s\" is not a valid date in format %s: ignored", v, f);
		return -1;
	}
	return 0;
}

/* ---- code lists -------------------------------------------------------- */

/* UN/ECE Rec 20 codes seen on orders (sorted, for bsearch).  Rec 21
 * package codes come as X + two characters and are taken as they are. */
static const char *const rec20[] = {
	"ACT", "ANN", "C62", "CLT", "CMK", "CMQ", "CMT", "DAY", "DLT", "DMT", "DPC", "DZN",
	"E48", "EA", "FOT", "FTK", "GLL", "GRM", "GRO", "H87", "HLT", "HUR", "INH", "KGM",
	"KMT", "KT", "KWH", "LBR", "LM", "LS", "LTR", "MGM", "MIN", "MLT", "MMT", "MON",
	"MTK", "MTQ", "MTR", "MWH", "NAR", "NMP", "NPR", "ONZ", "PR", "SEC", "SET", "TNE",
	"WEE", "YRD",
};

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* 6411 to the Rec 20 code of order-mapping.md 7; NULL when unknown. */
static const char *unit_code(const char *u)
{
	if (u == NULL)
		return NULL;
	if (strcmp(u, "PCE") == 0)
		return "H87";       /* EANCOM piece, not in Rec 20 rev 11e */
	if (bsearch(&u, rec20, sizeof(rec20) / sizeof(rec20[0]), sizeof(rec20[0]), cmp_str))
		return u;
	if (u[0] == 'X' && strlen(u) == 3 && isalnum((unsigned char)u[1]) && isalnum((unsigned char)u[2]))
		return u;
	return NULL;
}

static void set_unit(struct ep *ep, const struct seg *s, const char *u, const char **code_r, const char **orig_r)
{
	*orig_r = u;
	*code_r = unit_code(u);
	if (u != NULL && *code_r == NULL)
		owarn(ep, s, "%s: unit \"%.20s\" is not a UN/ECE Rec 20 code: kept as written", s->tag, u);
}

static const char *const incoterms2020[] = {
	"CFR", "CIF", "CIP", "CPT", "DAP", "DDP", "DPU", "EXW", "FAS", "FCA", "FOB",
};

static bool is_incoterm(const char *c)
{
	return bsearch(&c, incoterms2020, sizeof(incoterms2020) / sizeof(incoterms2020[0]),
		       sizeof(incoterms2020[0]), cmp_str) != NULL;
}

/* order-mapping.md 8: legacy codes. */
static const char *incoterm(struct ep *ep, const struct seg *s, const char *c)
{
	if (c == NULL || is_incoterm(c))
		return c;
	if (strcmp(c, "DAT") == 0) {
		owarn(ep, s, "TOD: Incoterm DAT (2010) is DPU since Incoterms 2020: read as DPU");
		return "DPU";
	}
	if (strcmp(c, "CAF") == 0 || strcmp(c, "C&F") == 0 || strcmp(c, "CNF") == 0) {
		owarn(ep, s, "TOD: delivery term %s read as CFR", c);
		return "CFR";
	}
	if (strcmp(c, "DAF") == 0 || strcmp(c, "DES") == 0 || strcmp(c, "DEQ") == 0 || strcmp(c, "DDU") == 0)
		owarn(ep, s, "TOD: %s is an Incoterms 2000 rule, withdrawn in 2010: kept, needs a decision by sales", c);
	else
		owarn(ep, s, "TOD: \"%.10s\" is not an Incoterms 2020 rule: kept as written", c);
	return c;
}

static char ean_check(const char *d12)
{
	int sum = 0;
	for (int i = 0; i < 12; i++)
		sum += (d12[i] - '0') * (i % 2 ? 3 : 1);
	return (char)('0' + (10 - sum % 10) % 10);
}

/* An item number of type EN/SRV/UP/UK (or an ISBN) to GTIN-14. */
static const char *gtin14(struct ep *ep, const struct seg *s, const char *v, bool isbn)
{
	char b[16];
	size_t n = strlen(v);
	if (isbn && n == 10 && digits(v, 9) &&
	    (isdigit((unsigned char)v[9]) || v[9] == 'X' || v[9] == 'x')) {
		/* ISBN-10: the Bookland EAN 978 + 9 digits + EAN check digit. */
		memcpy(b, "0978", 4);
		memcpy(b + 4, v, 9);
		b[13] = ean_check(b + 1);
		b[14] = '\0';
		return pool_str(ep, b, 14);
	}
	if (digits(v, n) && (n == 8 || n == 12 || n == 13 || n == 14)) {
		memset(b, '0', 14 - n);
		memcpy(b + 14 - n, v, n);
		b[14] = '\0';
		return pool_str(ep, b, 14);
	}
	owarn(ep, s, "%s: item number \"%.35s\" is not a GTIN (8, 12, 13 or 14 digits%s): kept as written",
	      s->tag, v, isbn ? " or an ISBN-10" : "");
	return v;
}

/* 3055 code list agencies of party ids and the record's schemes. */
static const struct {
	const char *agency, *scheme;
} agencies[] = {
	{ "9", "GLN" }, { "16", "DUNS" }, { "91", "SELLER" }, { "92", "BUYER" },
};

const char *edifact_agency_scheme(const char *agency)
{
	for (size_t i = 0; i < sizeof(agencies) / sizeof(agencies[0]); i++)
		if (strcmp(agencies[i].agency, agency) == 0)
			return agencies[i].scheme;
	return NULL;
}

const char *edifact_scheme_agency(const char *scheme)
{
	for (size_t i = 0; i < sizeof(agencies) / sizeof(agencies[0]); i++)
		if (strcmp(agencies[i].scheme, scheme) == 0)
			return agencies[i].agency;
	return NULL;
}

/* ---- the order mapping (order-mapping.md 4) ----------------------------- */

static void map_bgm(struct ep *ep, const struct seg *s)
{
	struct order *o = ep->m.o;
	char fn[8];
	o->order_type = text(ep, s, 1, 0);
	o->po_number = text(ep, s, 2, 0);          /* 1004, or C106.1004 (D.01B) */
	o->po_revision = text(ep, s, 2, 2);        /* C106.1060 revision */
	if (o->po_revision == NULL)
		o->po_revision = text(ep, s, 2, 1);    /* C106.1056 version */
	CODE(s, 3, 0, fn);
	if (ep->m.is_change)
		o->document_type = "change";
	if (fn[0] == '\0' || strcmp(fn, "9") == 0 || strcmp(fn, "29") == 0 || strcmp(fn, "6") == 0 ||
	    strcmp(fn, "42") == 0 || strcmp(fn, "46") == 0) {
		/* new (ORDCHG stays a change) */
	} else if (strcmp(fn, "1") == 0) {
		o->document_type = "cancel";
	} else if (strcmp(fn, "5") == 0) {
		o->document_type = "replace";
	} else if (strcmp(fn, "3") == 0 || strcmp(fn, "4") == 0) {
		o->document_type = "change";
	} else if (strcmp(fn, "7") == 0) {
		o->is_duplicate_flag = true;
	} else if (strcmp(fn, "31") == 0) {
		o->is_duplicate_flag = true;
		owarn(ep, s, "BGM 1225 = 31: the message is a copy, not a binding order (acknowledge only)");
	} else if (strcmp(fn, "16") == 0) {
		owarn(ep, s, "BGM 1225 = 16: the message is a proposal, not a binding order (acknowledge only)");
	} else {
		owarn(ep, s, "BGM 1225 = %s (message function) is not one of 1, 3, 4, 5, 7, 9, 16, 31: read as a new order", fn);
	}
}

static void map_dtm_head(struct ep *ep, const struct seg *s)
{
	struct order *o = ep->m.o;
	const char *from, *to;
	uint32_t q = kcode(ep, s, 1, 0, 0);
	if (q != K("137") && q != K("4") && q != K("2") && q != K("64") && q != K("63") &&
	    q != K("10") && q != K("38"))
		return;
	if (dtm_dates(ep, s, &from, &to) < 0)
		return;
	if (q == K("137"))
		o->order_date = from;
	else if (q == K("4")) {
		if (o->order_date == NULL)
			o->order_date = from;
	} else if (to != NULL && (q == K("2") || q == K("64") || q == K("63"))) {
		o->window_earliest = from;
		o->window_latest = to;
	} else if (q == K("2"))
		o->requested_delivery_date = from;
	else if (q == K("64"))
		o->window_earliest = from;
	else if (q == K("63"))
		o->window_latest = from;
	else if (o->ship_by_date == NULL || q == K("10"))
		o->ship_by_date = to ? to : from;
}

static void map_dtm_line(struct ep *ep, const struct seg *s)
{
	struct order_line *l = ep->m.line;
	const char *from, *to;
	uint32_t q = kcode(ep, s, 1, 0, 0);
	if (q != K("2") && q != K("10") && q != K("38"))
		return;
	if (dtm_dates(ep, s, &from, &to) < 0)
		return;
	if (q == K("2")) {
		if (to != NULL)
			owarn(ep, s, "DTM+2 in line %s is a range: its last day is taken as the delivery date",
			      l->line_no ? l->line_no : "?");
		l->delivery_date = to ? to : from;
	} else if (l->ship_by_date == NULL || q == K("10")) {
		l->ship_by_date = to ? to : from;
	}
}

static void map_ftx(struct ep *ep, const struct seg *s, bool line)
{
	const char *t = text_join(ep, s, 4, 0, 0, 5);
	if (t == NULL)
		return;
	if (line) {
		struct order_line *l = ep->m.line;
		if (!ep->m.line_desc && is_code(ep, s, 1, 0, K("AFM"))) {
			l->description = t;     /* AFM = title, when no IMD */
			return;
		}
		line_add_note(ep->m.o, l, t);
	} else {
		order_add_note(ep->m.o, t);
	}
}

static void map_rff_head(struct ep *ep, const struct seg *s)
{
	struct order *o = ep->m.o;
	char q[8];
	CODE(s, 1, 0, q);
	const char **dst = NULL;
	if (strcmp(q, "CT") == 0)
		dst = &o->ref_contract;
	else if (strcmp(q, "AAG") == 0)
		dst = &o->ref_quotation;
	else if (strcmp(q, "CR") == 0)
		dst = &o->ref_customer;
	if (dst != NULL && *dst == NULL)
		*dst = text(ep, s, 1, 1);
}

static void map_nad(struct ep *ep, const struct seg *s)
{
	struct order *o = ep->m.o;
	char role[8], agency[8];
	enum order_role r;
	CODE(s, 1, 0, role);
	ep->m.party = NULL;
	if (strcmp(role, "BY") == 0)
		r = ROLE_BUYER;
	else if (strcmp(role, "SU") == 0 || strcmp(role, "SE") == 0)
		r = ROLE_SELLER;
	else if (strcmp(role, "DP") == 0 || strcmp(role, "ST") == 0)
		r = ROLE_SHIP_TO;
	else if (strcmp(role, "IV") == 0)
		r = ROLE_BILL_TO;
	else
		return;
	if (o->parties[r] != NULL) {
		owarn(ep, s, "NAD+%s: a second %s party: ignored (the first one is kept)", role, order_role_names[r]);
		return;
	}
	struct party *p = order_party(o, r);
	if (p == NULL)
		return;
	ep->m.party = p;
	const char *id = text(ep, s, 2, 0);
	if (id != NULL) {
		CODE(s, 2, 2, agency);
		const char *scheme = edifact_agency_scheme(agency);
		if (scheme == NULL)
			scheme = agency[0] == '\0' || strcmp(agency, "ZZZ") == 0 || strcmp(agency, "ZZ") == 0
				? "EDI" : arena_printf(o->arena, "3055:%s", agency);
		if (scheme != NULL)
			party_add_id(o, p, scheme, id);
	}
	p->name = text_join(ep, s, 4, 0, 0, 5);
	const struct elem *c058 = elem_at(s, 3, 0);
	if (c058 != NULL && comp_at(s, 3, 0, 0) != NULL) {
		owarn(ep, s, "NAD+%s: unstructured name and address (C058): first line taken as the name", role);
		unsigned k = 0;
		if (p->name == NULL) {
			p->name = text(ep, s, 3, 0);
			k = 1;
		}
		for (; k < c058->n; k++)
			party_add_address_line(o, p, text(ep, s, 3, k));
	}
	const struct elem *c059 = elem_at(s, 5, 0);
	for (unsigned k = 0; c059 != NULL && k < c059->n; k++)
		party_add_address_line(o, p, text(ep, s, 5, k));
	p->city = text(ep, s, 6, 0);
	p->region = text(ep, s, 7, 0);
	p->postal_code = text(ep, s, 8, 0);
	char cc[8];
	CODE(s, 9, 0, cc);
	if (cc[0] != '\0') {
		for (char *c = cc; *c; c++)
			*c = (char)toupper((unsigned char)*c);
		if (strlen(cc) != 2 || !isalpha((unsigned char)cc[0]) || !isalpha((unsigned char)cc[1]))
			owarn(ep, s, "NAD+%s: country \"%s\" is not an ISO 3166-1 alpha-2 code: kept as written", role, cc);
		p->country = arena_strdup(o->arena, cc);
	}
}

static void map_cta(struct ep *ep, const struct seg *s)
{
	struct party *p = ep->m.party;
	if (p == NULL || p->contact_name != NULL)
		return;
	p->contact_name = text(ep, s, 2, 1);
	if (p->contact_name == NULL)
		p->contact_name = text(ep, s, 2, 0);
}

static void map_com(struct ep *ep, const struct seg *s)
{
	struct party *p = ep->m.party;
	if (p == NULL)
		return;
	for (size_t i = 1; i < s->n_elems; i++) {
		const struct elem *e = &s->elems[i];
		if (e->pos != 1)
			continue;
		char ch[8];
		code(ep, s, 1, e->rep, 1, ch, sizeof(ch));
		if (strcmp(ch, "TE") == 0 && p->contact_phone == NULL)
			p->contact_phone = text_rep(ep, s, 1, e->rep, 0);
		else if (strcmp(ch, "EM") == 0 && p->contact_email == NULL)
			p->contact_email = text_rep(ep, s, 1, e->rep, 0);
	}
}

static void map_cux(struct ep *ep, const struct seg *s)
{
	struct order *o = ep->m.o;
	if (o->currency != NULL)
		return;
	/* C504 with 6347 = 2 (reference currency) first, else the first one. */
	for (unsigned pos = 1; pos <= 2; pos++) {
		if (is_code(ep, s, pos, 0, K("2"))) {
			o->currency = text(ep, s, pos, 1);
			break;
		}
	}
	if (o->currency == NULL)
		o->currency = text(ep, s, 1, 1);
	if (o->currency != NULL) {
		char *c = (char *)o->currency;
		for (; *c; c++)
			*c = (char)toupper((unsigned char)*c);
	}
}

static int small_int(const char *v)
{
	long n = 0;
	if (v == NULL || *v == '\0' || strlen(v) > 5 || !digits(v, strlen(v)))
		return -1;
	for (; *v; v++)
		n = n * 10 + (*v - '0');
	return (int)n;
}

static void map_pat(struct ep *ep, const struct seg *s)
{
	struct order *o = ep->m.o;
	char type[8], unit[8], num[8];
	CODE(s, 1, 0, type);
	CODE(s, 3, 2, unit);
	CODE(s, 3, 3, num);
	o->has_payment_terms = true;
	ep->m.pat_type = strcmp(type, "22") == 0 ? 22 : 1;
	const char *t = text_join(ep, s, 2, 0, 3, 2);
	if (t != NULL && o->payment_terms_text == NULL)
		o->payment_terms_text = t;
	int n = small_int(num);
	if (n >= 0 && unit[0] != '\0' && strcmp(unit, "D") != 0) {
		if (strcmp(unit, "W") == 0)
			n *= 7;
		else {
			owarn(ep, s, "PAT: period unit %s (2151) is not days or weeks: days not taken", unit);
			n = -1;
		}
	}
	if (n < 0)
		return;
	if (ep->m.pat_type == 22)
		o->payment_discount_days = n;
	else if (o->payment_net_days < 0)
		o->payment_net_days = n;
}

static void map_pcd(struct ep *ep, const struct seg *s)
{
	if (ep->m.o->payment_discount_percent == NULL)
		ep->m.o->payment_discount_percent = decimal(ep, s, 1, 1, "PCD percentage");
}

static void map_tdt(struct ep *ep, const struct seg *s)
{
	struct order *o = ep->m.o;
	char stage[8], mode[8];
	CODE(s, 1, 0, stage);
	CODE(s, 3, 0, mode);
	bool main = strcmp(stage, "20") == 0;
	if (mode[0] == '\0' || (o->transport_mode != NULL && (ep->m.tdt_main || !main)))
		return;
	/* Rec 19 is one digit; EANCOM lists write 10, 20, 30, 40: first digit. */
	if (mode[0] >= '1' && mode[0] <= '8' && (mode[1] == '\0' || (mode[1] == '0' && mode[2] == '\0'))) {
		char m1[2] = { mode[0], '\0' };
		o->transport_mode = arena_strdup(o->arena, m1);
		ep->m.tdt_main = main;
	} else {
		owarn(ep, s, "TDT: transport mode \"%s\" is not a UN/ECE Rec 19 code 1-8: ignored", mode);
	}
}

/* LOC in a TDT or TOD group: ports and the Incoterms named place. */
static void map_loc(struct ep *ep, const struct seg *s)
{
	struct order *o = ep->m.o;
	char q[8];
	CODE(s, 1, 0, q);
	const char *id = text(ep, s, 2, 0), *name = text(ep, s, 2, 3);
	if (strcmp(q, "1") == 0 && ep->m.ctx == X_TOD) {
		if (o->incoterms_place == NULL)
			o->incoterms_place = name ? name : id;
	} else if (strcmp(q, "9") == 0) {
		if (o->port_of_loading == NULL)
			o->port_of_loading = id ? id : name;
	} else if (strcmp(q, "11") == 0 || strcmp(q, "12") == 0) {
		if (o->port_of_discharge == NULL)
			o->port_of_discharge = id ? id : name;
	}
}

static void map_tod(struct ep *ep, const struct seg *s)
{
	struct order *o = ep->m.o;
	if (o->transport_payment == NULL)
		o->transport_payment = text(ep, s, 2, 0);
	if (o->has_incoterms)
		return;
	const char *c = text(ep, s, 3, 0), *t = text_join(ep, s, 3, 0, 3, 2);
	if (c != NULL) {
		char up[8];
		size_t k = 0;
		for (; k < sizeof(up) - 1 && c[k] != '\0'; k++)
			up[k] = (char)toupper((unsigned char)c[k]);
		up[k] = '\0';
		c = incoterm(ep, s, arena_strdup(o->arena, up));
	} else if (t != NULL && strlen(t) >= 3) {
		/* Only text, e.g. "FOB Shanghai": the rule, then the place. */
		char up[4] = { (char)toupper((unsigned char)t[0]), (char)toupper((unsigned char)t[1]),
			       (char)toupper((unsigned char)t[2]), '\0' };
		if (is_incoterm(up) && (t[3] == '\0' || t[3] == ' ')) {
			c = arena_strdup(o->arena, up);
			if (t[3] == ' ')
				o->incoterms_place = order_str(o, t + 4);
		}
	}
	if (c == NULL && t == NULL)
		return;
	o->has_incoterms = true;
	o->incoterms_code = c;
	o->incoterms_version = c ? "2020" : NULL;
	if (c == NULL)
		owarn(ep, s, "TOD: no delivery terms code (4053), only the text \"%.40s\"", t);
}

enum item_kind { ITEM_NONE, ITEM_GTIN, ITEM_SELLER, ITEM_BUYER, ITEM_MANUFACTURER, ITEM_HS };

/* 7143 item number type to the field it fills. */
static enum item_kind item_kind(uint32_t t)
{
	if (t == K("EN") || t == K("SRV") || t == K("UP") || t == K("UK") || t == K("IB"))
		return ITEM_GTIN;
	if (t == K("SA"))
		return ITEM_SELLER;
	if (t == K("IN") || t == K("BP"))
		return ITEM_BUYER;
	if (t == K("MF"))
		return ITEM_MANUFACTURER;
	if (t == K("HS"))
		return ITEM_HS;
	return ITEM_NONE;
}

static const char **item_field(struct order_line *l, enum item_kind k)
{
	switch (k) {
	case ITEM_GTIN: return &l->gtin;
	case ITEM_SELLER: return &l->seller_item_id;
	case ITEM_BUYER: return &l->buyer_item_id;
	case ITEM_MANUFACTURER: return &l->manufacturer_part_no;
	case ITEM_HS: return &l->hs_code;
	default: return NULL;
	}
}

#ifdef __SSE2__
/* A GTIN of 8, 12, 13 or 14 digits straight from the input, padded to 14
 * (what text() and gtin14() make of it); NULL when the fast path cannot
 * take it. */
static const char *fast_gtin(struct ep *ep, const struct comp *c)
{
	if (c == NULL)
		return NULL;
	size_t n = c->len;     /* a component with releases is over 14 */
	if ((n != 8 && n != 12 && n != 13 && n != 14) || c->off + 16 > ep->len || ep->m.pool_left <= 64)
		return NULL;
	__m128i x = _mm_loadu_si128((const __m128i *)(const void *)(ep->d + c->off));
	__m128i dg = _mm_sub_epi8(x, _mm_set1_epi8('0'));
	unsigned keep = (1u << n) - 1;
	unsigned dig = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_min_epu8(dg, _mm_set1_epi8(9)), dg));
	if ((dig & keep) != keep)
		return NULL;
	/* The pool use stays what it was (the digits as text, then the
	 * GTIN), so that an order near the size limit fares as before. */
	char *r = ep->m.pool + n + 1;
	_mm_storeu_si128((__m128i *)(void *)r, _mm_set1_epi8('0'));
	_mm_storeu_si128((__m128i *)(void *)(r + 14 - n), x);
	r[14] = '\0';
	ep->m.pool += n + 1 + 15;
	ep->m.pool_left -= n + 1 + 15;
	return r;
}
#endif

/* One C212 (element pos, repetition rep) into the line; first value wins. */
static void map_item(struct ep *ep, const struct seg *s, unsigned pos, unsigned rep)
{
	uint32_t t = kcode(ep, s, pos, rep, 1);
	enum item_kind kind = item_kind(t);
	const char **dst = item_field(ep->m.line, kind);
	if (dst != NULL && *dst != NULL)
		return;
#ifdef __SSE2__
	if (kind == ITEM_GTIN) {
		const char *g = fast_gtin(ep, comp_at(s, pos, rep, 0));
		if (g != NULL) {
			*dst = g;
			return;
		}
	}
#endif
	const char *v = text_rep(ep, s, pos, rep, 0);
	if (v == NULL)
		return;
	if (dst == NULL) {
		char type[8];
		code(ep, s, pos, rep, 1, type, sizeof(type));
		owarn(ep, s, "%s: item number \"%.35s\" of type \"%s\" (7143) is not mapped", s->tag, v, type);
		return;
	}
	if (kind == ITEM_GTIN)
		v = gtin14(ep, s, v, t == K("IB"));
	*dst = v;
}

static void map_lin(struct ep *ep, const struct seg *s)
{
	struct order *o = ep->m.o;
	struct order_line *l = order_add_line(o);
	ep->m.n_lin++;
	ep->m.line = l;
	ep->m.line_qty21 = ep->m.line_desc = ep->m.line_price_aaa = false;
	if (l == NULL)
		return;
	l->line_no = text(ep, s, 1, 0);
	if (l->line_no == NULL)
		l->line_no = arena_printf(o->arena, "%zu", ep->m.n_lin);
	char act[8];
	if (ep->m.is_change && CODE(s, 2, 0, act)[0] != '\0') {
		static const char *const acts[] = { NULL, "added", "deleted", "changed", NULL, "accepted", NULL, "not accepted" };
		int a = small_int(act);
		if (a >= 1 && a <= 7 && acts[a] != NULL)
			line_add_note(o, l, arena_printf(o->arena, "line action %s: %s", act, acts[a]));
	}
	map_item(ep, s, 3, 0);
}

static void map_pia(struct ep *ep, const struct seg *s)
{
	for (size_t i = 1; i < s->n_elems; i++)
		if (s->elems[i].pos >= 2)
			map_item(ep, s, s->elems[i].pos, s->elems[i].rep);
}

static void map_imd(struct ep *ep, const struct seg *s)
{
	const char *t = text_join(ep, s, 3, 0, 3, 2);
	if (t == NULL)
		return;
	if (!ep->m.line_desc) {
		ep->m.line->description = t;
		ep->m.line_desc = true;
	} else {
		line_add_note(ep->m.o, ep->m.line, t);
	}
}

static bool eancom(const struct ep *ep)
{
	return strncmp(ep->ack->messages[ep->m.ack].assoc, "EAN", 3) == 0;
}

/* The decimal of a qualified C186/C509 whose qualifier is `best` (taken
 * once) or `fallback` (taken only while nothing is); NULL otherwise. */
static const char *qualified_decimal(struct ep *ep, const struct seg *s, uint32_t best,
				     uint32_t fallback, bool *have_best, bool have_any,
				     const char *what)
{
	uint32_t q = kcode(ep, s, 1, 0, 0);
	bool is_best = q == best;
	if (!(is_best && !*have_best) && !(q == fallback && !have_any))
		return NULL;
	const char *v = decimal(ep, s, 1, 1, what);
	if (v != NULL)
		*have_best = is_best;
	return v;
}

static void map_qty(struct ep *ep, const struct seg *s)
{
	struct order_line *l = ep->m.line;
	/* 21 ordered quantity; 1 (discrete quantity) stands in when no 21 comes. */
	const char *v = qualified_decimal(ep, s, K("21"), K("1"), &ep->m.line_qty21, l->quantity != NULL,
					  "QTY quantity");
	if (v == NULL)
		return;
	l->quantity = v;
	const char *u = text(ep, s, 1, 2);
	set_unit(ep, s, u, &l->uom_code, &l->uom_original);
	if (u == NULL && eancom(ep))
		l->uom_code = "H87";     /* EANCOM: no unit means pieces */
}

static void map_pri(struct ep *ep, const struct seg *s)
{
	struct order_line *l = ep->m.line;
	/* AAA net price; AAB gross only when no net price comes. */
	const char *v = qualified_decimal(ep, s, K("AAA"), K("AAB"), &ep->m.line_price_aaa, l->unit_price != NULL,
					  "PRI price");
	if (v == NULL)
		return;
	l->unit_price = v;
	l->price_basis_quantity = decimal(ep, s, 1, 4, "PRI unit price basis");
	const char *code_r, *u = text(ep, s, 1, 5);
	set_unit(ep, s, u, &code_r, &l->price_basis_uom);
	if (code_r != NULL)
		l->price_basis_uom = code_r;
}

static void map_moa(struct ep *ep, const struct seg *s)
{
	struct order *o = ep->m.o;
	uint32_t q = kcode(ep, s, 1, 0, 0);
	if (ep->m.ctx == X_LIN || ep->m.ctx == X_LSUB || ep->m.ctx == X_LPRI) {
		if (q == K("203") && ep->m.line->line_amount == NULL)
			ep->m.line->line_amount = decimal(ep, s, 1, 1, "MOA+203 line amount");
	} else if (ep->m.ctx == X_SUM) {
		if (q == K("79"))
			o->declared_amount = decimal(ep, s, 1, 1, "MOA+79 total");
		else if (q == K("86") && o->declared_amount == NULL)
			o->declared_amount = decimal(ep, s, 1, 1, "MOA+86 total");
	}
}

static void map_cnt(struct ep *ep, const struct seg *s)
{
	struct order *o = ep->m.o;
	uint32_t q = kcode(ep, s, 1, 0, 0);
	if (q == K("2"))
		o->declared_line_count = decimal(ep, s, 1, 1, "CNT+2 line count");
	else if (q == K("1"))
		o->declared_quantity = decimal(ep, s, 1, 1, "CNT+1 total quantity");
}

/* Header groups that the record has no place for: their DTM/MOA/QTY/LOC
 * must not be read as the order's. */
static bool is_unmapped_group(unsigned t)
{
	switch (t) {
	case TAG('A', 'L', 'C'): case TAG('P', 'A', 'C'): case TAG('E', 'Q', 'D'):
	case TAG('S', 'C', 'C'): case TAG('T', 'A', 'X'): case TAG('R', 'C', 'S'):
	case TAG('D', 'G', 'S'): case TAG('A', 'P', 'R'): case TAG('R', 'N', 'G'):
	case TAG('M', 'T', 'D'): case TAG('C', 'C', 'I'): case TAG('G', 'I', 'S'):
	case TAG('Q', 'V', 'R'): case TAG('S', 'T', 'G'): case TAG('H', 'Y', 'N'):
		return true;
	default:
		return false;
	}
}

/* A segment that opens a header group: in a line it opens a line group we
 * do not map; after UNS it is ignored.  True when the header group opened. */
static bool header_group(struct msg *m, bool in_line, enum ctx group)
{
	if (in_line) {
		m->ctx = X_LSUB;
		return false;
	}
	if (m->ctx == X_SUM)
		return false;
	m->ctx = group;
	return true;
}

/* One segment of an ORDERS/ORDCHG message, between UNH and UNT. */
static void map_segment(struct ep *ep, const struct seg *s)
{
	struct msg *m = &ep->m;
	unsigned t = TAG(s->tag[0], s->tag[1], s->tag[2]);
	bool in_line = m->ctx == X_LIN || m->ctx == X_LSUB || m->ctx == X_LPRI;
	if (in_line && m->line == NULL && t != TAG('L', 'I', 'N') && t != TAG('U', 'N', 'S') &&
	    t != TAG('C', 'N', 'T'))
		return;      /* the line could not be made (arena full) */
	switch (t) {
	case TAG('B', 'G', 'M'):
		map_bgm(ep, s);
		break;
	case TAG('D', 'T', 'M'):
		if (m->ctx == X_HEAD)
			map_dtm_head(ep, s);
		else if (m->ctx == X_LIN)
			map_dtm_line(ep, s);
		break;
	case TAG('F', 'T', 'X'):
		map_ftx(ep, s, in_line);
		break;
	case TAG('R', 'F', 'F'):
		if (in_line) {
			m->ctx = X_LSUB;
		} else if (m->ctx == X_NAD) {
			if (m->party != NULL && is_code(ep, s, 1, 0, K("VA")))
				party_add_id(m->o, m->party, "VAT", text(ep, s, 1, 1));
		} else if (m->ctx != X_SUM) {
			map_rff_head(ep, s);
			m->ctx = X_RFF;
		}
		break;
	case TAG('N', 'A', 'D'):
		if (in_line) {
			m->ctx = X_LSUB;
			if (is_code(ep, s, 1, 0, K("DP")) || is_code(ep, s, 1, 0, K("ST")))
				owarn(ep, s, "NAD in line %s: a ship-to per line is not kept",
				      m->line->line_no ? m->line->line_no : "?");
		} else if (header_group(m, false, X_NAD)) {
			map_nad(ep, s);
		}
		break;
	case TAG('C', 'T', 'A'):
		if (m->ctx == X_NAD)
			map_cta(ep, s);
		else if (in_line)
			m->ctx = X_LSUB;
		break;
	case TAG('C', 'O', 'M'):
		if (m->ctx == X_NAD)
			map_com(ep, s);
		break;
	case TAG('C', 'U', 'X'):
		if (in_line) {
			if (m->ctx != X_LPRI)
				m->ctx = X_LSUB;
		} else if (header_group(m, false, X_CUX)) {
			map_cux(ep, s);
		}
		break;
	case TAG('P', 'A', 'T'):
		if (header_group(m, in_line, X_PAT))
			map_pat(ep, s);
		break;
	case TAG('P', 'C', 'D'):
		if (m->ctx == X_PAT)
			map_pcd(ep, s);
		break;
	case TAG('T', 'D', 'T'):
		if (header_group(m, in_line, X_TDT))
			map_tdt(ep, s);
		break;
	case TAG('T', 'O', 'D'):
		if (header_group(m, in_line, X_TOD))
			map_tod(ep, s);
		break;
	case TAG('L', 'O', 'C'):
		if (in_line)
			m->ctx = X_LSUB;
		else if (m->ctx == X_TDT || m->ctx == X_TOD)
			map_loc(ep, s);
		break;
	case TAG('L', 'I', 'N'):
		m->ctx = X_LIN;
		map_lin(ep, s);
		break;
	case TAG('P', 'I', 'A'):
		if (in_line)
			map_pia(ep, s);
		break;
	case TAG('I', 'M', 'D'):
		if (in_line)
			map_imd(ep, s);
		break;
	case TAG('Q', 'T', 'Y'):
		if (m->ctx == X_LIN)
			map_qty(ep, s);
		break;
	case TAG('P', 'R', 'I'):
		if (in_line) {
			m->ctx = X_LPRI;
			map_pri(ep, s);
		}
		break;
	case TAG('M', 'O', 'A'):
		map_moa(ep, s);
		break;
	case TAG('U', 'N', 'S'):
		if (is_code(ep, s, 1, 0, K("S")))
			m->ctx = X_SUM;
		break;
	case TAG('C', 'N', 'T'):
		map_cnt(ep, s);
		break;
	default:
		if (is_unmapped_group(t)) {
			if (in_line)
				m->ctx = X_LSUB;
			else if (m->ctx != X_SUM)
				m->ctx = X_HGROUP;
		}
		break;
	}
}

/* ---- envelope ---------------------------------------------------------- */

static void *grow(void *p, size_t elem, size_t *cap, size_t want)
{
	if (want <= *cap)
		return p;
	size_t n = *cap ? *cap * 2 : 16;
	while (n < want)
		n *= 2;
	void *q = realloc(p, n * elem);
	if (q == NULL)
		fatal("out of memory");
	memset((char *)q + *cap * elem, 0, (n - *cap) * elem);
	*cap = n;
	return q;
}

/* An envelope value into a fixed field, cut to fit. */
static void keep(const struct ep *ep, const struct seg *s, unsigned pos, unsigned k, char *dst, size_t cap)
{
	code(ep, s, pos, 0, k, dst, cap);
}

/* Envelope fields: (element, component) into a char array of a struct. */
struct field {
	unsigned pos, k;
	size_t off, size;
};
#define FIELD(st, pos, k, member) { pos, k, offsetof(struct st, member), sizeof(((struct st *)0)->member) }

static void keep_fields(const struct ep *ep, const struct seg *s, void *base,
			const struct field *f, size_t n)
{
	for (size_t i = 0; i < n; i++)
		keep(ep, s, f[i].pos, f[i].k, (char *)base + f[i].off, f[i].size);
}

static const struct field unb_fields[] = {
	FIELD(edifact_ack_interchange, 1, 0, syntax_id),
	FIELD(edifact_ack_interchange, 2, 0, sender),
	FIELD(edifact_ack_interchange, 2, 1, sender_qual),
	FIELD(edifact_ack_interchange, 3, 0, recipient),
	FIELD(edifact_ack_interchange, 3, 1, recipient_qual),
	FIELD(edifact_ack_interchange, 4, 0, date),
	FIELD(edifact_ack_interchange, 4, 1, time),
	FIELD(edifact_ack_interchange, 5, 0, control_ref),
};

static const struct field ung_fields[] = {
	FIELD(edifact_ack_group, 1, 0, id),
	FIELD(edifact_ack_group, 2, 0, sender),
	FIELD(edifact_ack_group, 2, 1, sender_qual),
	FIELD(edifact_ack_group, 3, 0, recipient),
	FIELD(edifact_ack_group, 3, 1, recipient_qual),
	FIELD(edifact_ack_group, 5, 0, ref),
	FIELD(edifact_ack_group, 6, 0, agency),
	FIELD(edifact_ack_group, 7, 0, version),
	FIELD(edifact_ack_group, 7, 1, release),
	FIELD(edifact_ack_group, 7, 2, assoc),
};

static const struct field unh_fields[] = {
	FIELD(edifact_ack_message, 1, 0, ref),
	FIELD(edifact_ack_message, 2, 0, type),
	FIELD(edifact_ack_message, 2, 1, version),
	FIELD(edifact_ack_message, 2, 2, release),
	FIELD(edifact_ack_message, 2, 3, agency),
	FIELD(edifact_ack_message, 2, 4, assoc),
};

#define N_FIELDS(a) (sizeof(a) / sizeof((a)[0]))

/* The raw value (for exact comparisons of references); its length. */
static size_t raw(const struct ep *ep, const struct seg *s, unsigned pos, unsigned k, char *dst, size_t cap)
{
	code(ep, s, pos, 0, k, dst, cap);
	return strlen(dst);
}

static struct edifact_ack_interchange *cur_ic(struct ep *ep)
{
	return &ep->ack->interchanges[ep->ic];
}

static void close_iconv(struct ep *ep)
{
	if (ep->cd_open)
		iconv_close(ep->cd);
	ep->cd_open = false;
}

static void open_interchange(struct ep *ep, const struct seg *s, bool implicit)
{
	struct edifact_ack *a = ep->ack;
	a->interchanges = grow(a->interchanges, sizeof(*a->interchanges), &a->cap_interchanges,
			       a->n_interchanges + 1);
	ep->ic = a->n_interchanges++;
	struct edifact_ack_interchange *ic = cur_ic(ep);
	memset(ic, 0, sizeof(*ic));
	ic->first_group = a->n_groups;
	ic->first_message = a->n_messages;
	ep->ic_open = true;
	ep->ic_implicit = implicit;
	ep->ic_msgs = ep->ic_groups = 0;
	ep->warned_repertoire = ep->warned_utf8 = ep->warned_invalid = ep->warned_outside = false;
	close_iconv(ep);
	free((char *)ep->sender);
	ep->sender = NULL;
	ep->ic_ref_len = 0;
	ep->ic_ref[0] = '\0';
	ep->cs = CS_UNKNOWN;
	ep->cs_name = NULL;
	ic->has_una = ep->pending_una;
	struct edifact_syntax syn = ep->syn;
	if (implicit) {
		ddiag(ep, DIAG_WARNING, s, "message without an interchange header (UNB): character set unknown");
		ic->syntax = syn;
		return;
	}
	char ver[8], ack[4], test[4];
	keep_fields(ep, s, ic, unb_fields, N_FIELDS(unb_fields));
	CODE(s, 1, 1, ver);
	ic->syntax_version = small_int(ver);
	ep->ic_ref_len = raw(ep, s, 5, 0, ep->ic_ref, sizeof(ep->ic_ref));
	CODE(s, 9, 0, ack);
	CODE(s, 11, 0, test);
	ic->ack_requested = strcmp(ack, "1") == 0;
	ic->test = strcmp(test, "1") == 0;

	for (size_t i = 0; i < sizeof(charsets) / sizeof(charsets[0]); i++)
		if (strcmp(charsets[i].id, ic->syntax_id) == 0) {
			ep->cs = charsets[i].cs;
			ep->cs_name = charsets[i].name;
		}
	if (ep->cs_name == NULL) {
		ddiag(ep, DIAG_WARNING, s, "UNB: syntax identifier \"%s\" is not one of UNOA-UNOK, UNOW, UNOY: text read as UTF-8 or ISO 8859-1",
		      ic->syntax_id);
		ic->error = 2;
	}
	if (ic->syntax_version < 1 || ic->syntax_version > 4) {
		ddiag(ep, DIAG_WARNING, s, "UNB: syntax version \"%s\" is not 1-4: read as version 3", ver);
		ic->syntax_version = 3;
		ic->error = 2;
	}
	size_t dl = strlen(ic->date);
	if (dl != 0 && dl != (ic->syntax_version >= 4 ? 8u : 6u))
		ddiag(ep, DIAG_WARNING, s, "UNB: date \"%s\" has %zu digits; syntax version %d writes %s",
		      ic->date, dl, ic->syntax_version, ic->syntax_version >= 4 ? "CCYYMMDD" : "YYMMDD");
	if (ic->syntax_id[0] == '\0' || ic->control_ref[0] == '\0' || ic->sender[0] == '\0')
		ddiag(ep, DIAG_WARNING, s, "UNB: syntax identifier, sender or control reference (0020) missing");

	/* Syntax 4 has a repetition separator: from the UNA, else the default. */
	syn.repetition = 0;
	if (ic->syntax_version >= 4) {
		if (ep->pending_una)
			syn.repetition = ep->una.repetition != ' ' ? ep->una.repetition : 0;
		else
			syn.repetition = syn.element == level_b.element ? 0x1e : '*';
		if (!syntax_ok(&syn))
			syn.repetition = 0;
	} else if (ep->pending_una && ep->una.repetition != ' ') {
		ddiag(ep, DIAG_WARNING, s, "UNA: reserved position holds '%c', but syntax version %d has no repetition separator: ignored",
		      ep->una.repetition, ic->syntax_version);
	}
	set_syntax(ep, &syn);
	ic->syntax = syn;
	ep->pending_una = false;

	size_t ql = strlen(ic->sender_qual), il = strlen(ic->sender);
	char *snd = malloc(ql + il + 2);
	if (snd == NULL)
		fatal("out of memory");
	if (ql)
		snprintf(snd, ql + il + 2, "%s:%s", ic->sender_qual, ic->sender);
	else
		snprintf(snd, il + 1, "%s", ic->sender);
	ep->sender = snd;
}

static void finish_message(struct ep *ep, const struct seg *at, bool ok);

static void message_missing_unt(struct ep *ep, const struct seg *at, size_t off)
{
	struct edifact_ack_message *am = &ep->ack->messages[ep->m.ack];
	char where[96];
	snprintf(where, sizeof(where), "segment %zu (byte %zu)", at ? at->index : ep->seg_index + 1,
		 at ? at->start : off);
	diag_add(ep->dd, ep->m.is_order ? DIAG_ERROR : DIAG_WARNING, where,
		 "message \"%s\" (UNH at segment %zu, byte %zu): expected UNT, found %s: message %s",
		 am->ref, ep->m.unh_index, ep->m.unh_off, at ? at->tag : "the end of the file",
		 ep->m.is_order ? "rejected" : "incomplete");
	am->error = 13;
	snprintf(am->error_tag, sizeof(am->error_tag), "UNT");
	am->error_position = ep->m.n_segs + 1;
	finish_message(ep, at, false);
}

static void close_group(struct ep *ep, const struct seg *une, size_t off)
{
	struct edifact_ack_group *g = &ep->ack->groups[ep->grp];
	ep->grp_open = false;
	if (une == NULL) {
		ddiag_at(ep, DIAG_WARNING, off, "group \"%s\": UNE missing", g->ref);
		g->error = 13;
		return;
	}
	char cnt[24], ref[64];
	CODE(une, 1, 0, cnt);
	raw(ep, une, 2, 0, ref, sizeof(ref));
	char want[24];
	buf_size_text(want, ep->grp_msgs);
	g->accepted = true;
	if (strcmp(cnt, want) != 0) {
		ddiag(ep, DIAG_WARNING, une, "UNE message count (0060): expected %s, found \"%s\"", want, cnt);
		g->accepted = false;
		g->error = 29;
	}
	if (strcmp(ref, ep->grp_ref) != 0) {
		ddiag(ep, DIAG_WARNING, une, "UNE group reference (0048): expected \"%s\" (as in UNG), found \"%s\"",
		      ep->grp_ref, ref);
		g->accepted = false;
		g->error = 28;
	}
}

static void close_interchange(struct ep *ep, const struct seg *unz, size_t off)
{
	struct edifact_ack_interchange *ic = cur_ic(ep);
	if (ep->m.open)
		message_missing_unt(ep, unz, off);
	if (ep->grp_open)
		close_group(ep, NULL, unz ? unz->start : off);
	ep->ic_open = false;
	close_iconv(ep);
	if (ep->ic_implicit)
		return;
	if (unz == NULL) {
		ddiag_at(ep, DIAG_WARNING, off, "interchange \"%s\": UNZ missing (the interchange is truncated)",
			 ic->control_ref);
		ic->error = 13;
		return;
	}
	char cnt[24], ref[64], want[24];
	CODE(unz, 1, 0, cnt);
	raw(ep, unz, 2, 0, ref, sizeof(ref));
	buf_size_text(want, ep->ic_groups ? ep->ic_groups : ep->ic_msgs);
	ic->trailer_ok = true;
	if (strcmp(cnt, want) != 0) {
		ddiag(ep, DIAG_WARNING, unz, "UNZ interchange control count (0036): expected %s (%s), found \"%s\"",
		      want, ep->ic_groups ? "groups" : "messages", cnt);
		ic->trailer_ok = false;
		ic->error = 29;
	}
	if (strcmp(ref, ep->ic_ref) != 0) {
		ddiag(ep, DIAG_WARNING, unz, "UNZ interchange control reference (0020): expected \"%s\" (as in UNB), found \"%s\"",
		      ep->ic_ref, ref);
		ic->trailer_ok = false;
		ic->error = 28;
	}
}

static void open_group(struct ep *ep, const struct seg *s)
{
	if (ep->m.open)
		message_missing_unt(ep, s, s->start);
	if (ep->grp_open)
		close_group(ep, NULL, s->start);
	struct edifact_ack *a = ep->ack;
	a->groups = grow(a->groups, sizeof(*a->groups), &a->cap_groups, a->n_groups + 1);
	ep->grp = a->n_groups++;
	struct edifact_ack_group *g = &a->groups[ep->grp];
	memset(g, 0, sizeof(*g));
	keep_fields(ep, s, g, ung_fields, N_FIELDS(ung_fields));
	ep->grp_ref_len = raw(ep, s, 5, 0, ep->grp_ref, sizeof(ep->grp_ref));
	ep->grp_open = true;
	ep->grp_msgs = 0;
	ep->ic_groups++;
	cur_ic(ep)->n_groups++;
}

/* "D" + "96A" as one string in the arena (the message's directory). */
static const char *version_text(struct arena *a, const char *version, const char *release)
{
	char buf[64];
	size_t n1 = strnlen(version, 31), n2 = strnlen(release, 31);
	memcpy(buf, version, n1);
	memcpy(buf + n1, release, n2);
	return arena_strndup(a, buf, n1 + n2);
}

static void open_message(struct ep *ep, const struct seg *s)
{
	struct msg *m = &ep->m;
	if (m->open)
		message_missing_unt(ep, s, s->start);
	struct edifact_ack *a = ep->ack;
	a->messages = grow(a->messages, sizeof(*a->messages), &a->cap_messages, a->n_messages + 1);
	size_t idx = a->n_messages++;
	struct edifact_ack_message *am = &a->messages[idx];
	memset(am, 0, sizeof(*am));
	keep_fields(ep, s, am, unh_fields, N_FIELDS(unh_fields));
	am->group = ep->grp_open ? (long)ep->grp : -1;
	am->segment = s->index;
	am->offset = s->start;
	ep->ic_msgs++;
	cur_ic(ep)->n_messages++;
	if (ep->grp_open) {
		ep->grp_msgs++;
		a->groups[ep->grp].n_messages++;
	}

	memset(m, 0, sizeof(*m));
	m->open = true;
	m->ack = idx;
	m->n_segs = 1;
	m->unh_index = s->index;
	m->unh_off = s->start;
	m->ref_len = raw(ep, s, 1, 0, m->ref_raw, sizeof(m->ref_raw));
	m->is_change = strcmp(am->type, "ORDCHG") == 0;
	m->is_order = m->is_change || strcmp(am->type, "ORDERS") == 0;
	if (!m->is_order) {
		if (ep->first_other == NULL)
			ep->first_other = msg_name(am->type);
		return;
	}
	ep->n_order_msgs++;
	if (am->ref[0] == '\0' || am->type[0] == '\0')
		ddiag(ep, DIAG_WARNING, s, "UNH: message reference (0062) or type (0065) missing");
	diags_clear(&ep->od);
	arena_reset(ep->arena);
	struct order *o = order_new(ep->arena);
	m->o = o;
	if (o == NULL) {
		m->failed = true;
		return;
	}
	struct edifact_ack_interchange *ic = cur_ic(ep);
	o->format = "edifact-orders";
	o->format_version = am->version[0] || am->release[0]
		? version_text(ep->arena, am->version, am->release) : NULL;
	if (m->is_change)
		o->document_type = "change";
	o->is_test = ic->test;
	o->source.sender = ep->sender && ep->sender[0] ? arena_strdup(ep->arena, ep->sender) : NULL;
	o->source.interchange = ic->control_ref[0] ? arena_strdup(ep->arena, ic->control_ref) : NULL;
	o->source.group = ep->grp_open && a->groups[ep->grp].ref[0]
		? arena_strdup(ep->arena, a->groups[ep->grp].ref) : NULL;
	o->source.message = am->ref[0] ? arena_strdup(ep->arena, am->ref) : NULL;
	m->ctx = X_HEAD;
}

static void finish_message(struct ep *ep, const struct seg *at, bool ok)
{
	struct msg *m = &ep->m;
	struct edifact_ack_message *am = &ep->ack->messages[m->ack];
	m->open = false;
	am->accepted = ok;
	if (!m->is_order)
		return;
	if (!ok) {
		ep->out->n_rejected++;
		return;
	}
	struct order *o = m->o;
	if (m->failed || o == NULL || arena_failed(ep->arena)) {
		char where[96];
		snprintf(where, sizeof(where), "segment %zu (byte %zu)", m->unh_index, m->unh_off);
		diag_add(ep->dd, DIAG_ERROR, where, "message \"%s\": the order is larger than the limit of %zu bytes: rejected",
			 am->ref, arena_used(ep->arena));
		am->accepted = false;
		am->error = 18;
		ep->out->n_rejected++;
		return;
	}
	if (o->declared_line_count != NULL) {
		char n[24];
		if (strcmp(buf_size_text(n, o->n_lines), o->declared_line_count) != 0)
			owarn(ep, at, "CNT+2 says %s lines, the message has %zu LIN segments",
			      o->declared_line_count, o->n_lines);
	}
	if (o->po_number == NULL)
		owarn(ep, at, "message \"%s\": no order number (BGM 1004)", am->ref);
	/* Handed over: the arena may now be another one, so nothing of the
	 * message's pool or record may be used until the next UNH. */
	if (parse_emit_order(ep->out, o, &ep->od, &ep->arena) < 0)
		ep->stop = true;
	m->o = NULL;
	m->pool = NULL;
	m->pool_left = 0;
}

static void check_unt(struct ep *ep, const struct seg *s)
{
	struct msg *m = &ep->m;
	struct edifact_ack_message *am = &ep->ack->messages[m->ack];
	m->n_segs++;
	char cnt[24], ref[64], want[24];
	CODE(s, 1, 0, cnt);
	raw(ep, s, 2, 0, ref, sizeof(ref));
	buf_size_text(want, m->n_segs);
	bool ok = true;
	enum diag_severity sev = m->is_order ? DIAG_ERROR : DIAG_WARNING;
	const char *fate = m->is_order ? "rejected" : "in error";
	if (strcmp(cnt, want) != 0) {
		ddiag(ep, sev, s, "message \"%s\": UNT segment count (0074): expected %s (segments UNH..UNT, UNH at segment %zu, byte %zu), found \"%s\": message %s",
		      am->ref, want, m->unh_index, m->unh_off, cnt, fate);
		ok = false;
		am->error = 29;
	}
	if (strcmp(ref, m->ref_raw) != 0) {
		ddiag(ep, sev, s, "message \"%s\": UNT message reference (0062): expected \"%s\" (as in UNH at segment %zu), found \"%s\": message %s",
		      am->ref, m->ref_raw, m->unh_index, ref, fate);
		if (ok)
			am->error = 28;
		ok = false;
	}
	if (!ok) {
		snprintf(am->error_tag, sizeof(am->error_tag), "UNT");
		am->error_position = m->n_segs;
	}
	finish_message(ep, s, ok);
}

/* ---- the main loop ------------------------------------------------------ */

static bool tag_is(const struct ep *ep, size_t pos, const char *t)
{
	return ep->len - pos >= 3 && memcmp(ep->d + pos, t, 3) == 0;
}

static void read_una(struct ep *ep, size_t pos)
{
	const unsigned char *u = ep->d + pos + 3;
	struct edifact_syntax s = { u[0], u[1], u[2], u[3], u[4], u[5] };
	if (s.release == ' ')
		s.release = 0;
	if (s.decimal != '.' && s.decimal != ',') {
		ddiag_at(ep, DIAG_WARNING, pos + 5, "UNA: decimal mark is '%c', expected '.' or ',': both are accepted",
			 s.decimal >= 0x20 && s.decimal < 0x7f ? s.decimal : '?');
		s.decimal = '.';
	}
	struct edifact_syntax check = s;
	check.repetition = s.repetition == ' ' ? 0 : s.repetition;
	if (!syntax_ok(&check)) {
		ddiag_at(ep, DIAG_ERROR, pos, "UNA: separators are not distinct printable characters: the defaults (UNA:+.? ') are used");
		s = level_a;
		s.repetition = ' ';
	}
	ep->una = s;
	ep->pending_una = true;
	struct edifact_syntax now = s;
	now.repetition = 0;
	set_syntax(ep, &now);
}

/* Separators of an interchange without UNA, read off the UNB itself. */
static void unb_separators(struct ep *ep, size_t pos)
{
	unsigned char es = ep->len - pos > 3 ? ep->d[pos + 3] : '+';
	struct edifact_syntax s = level_a;
	if (es == level_b.element) {
		s = level_b;
	} else if (es != '+') {
		s.element = es;
		if (ep->len - pos > 8)
			s.component = ep->d[pos + 8];
		if (!syntax_ok(&s)) {
			ddiag_at(ep, DIAG_ERROR, pos, "UNB: separators cannot be read off the segment: the level A defaults are used");
			s = level_a;
		} else {
			ddiag_at(ep, DIAG_WARNING, pos, "UNB without UNA uses separators '%c' '%c': read with them and the level A defaults for the rest",
				 s.element, s.component);
		}
	}
	set_syntax(ep, &s);
}

static void dispatch(struct ep *ep, const struct seg *s)
{
	unsigned t = TAG(s->tag[0], s->tag[1], s->tag[2]);
	/* An empty segment (two terminators in a row, a blank line when the
	 * terminator is a line break) is nothing: not counted. */
	if (s->n_elems == 1 && s->n_comps == 1 && CLEN(&s->comps[0]) == 0) {
		ep->seg_index--;
		return;
	}
	if (s->overflow)
		ddiag(ep, DIAG_WARNING, s, "%s: more than %u data elements and components: the rest is ignored",
		      s->tag, OG_EDIFACT_MAX_SEGMENT_PARTS);
	switch (t) {
	case TAG('U', 'N', 'B'):
		if (ep->ic_open)
			close_interchange(ep, NULL, s->start);
		open_interchange(ep, s, false);
		return;
	case TAG('U', 'N', 'Z'):
		if (!ep->ic_open || ep->ic_implicit) {
			if (ep->ic_open)
				close_interchange(ep, NULL, s->start);
			ddiag(ep, DIAG_WARNING, s, "UNZ without UNB: ignored");
			return;
		}
		close_interchange(ep, s, s->start);
		return;
	case TAG('U', 'N', 'G'):
		if (!ep->ic_open)
			open_interchange(ep, s, true);
		open_group(ep, s);
		return;
	case TAG('U', 'N', 'E'):
		if (ep->m.open)
			message_missing_unt(ep, s, s->start);
		if (!ep->grp_open)
			ddiag(ep, DIAG_WARNING, s, "UNE without UNG: ignored");
		else
			close_group(ep, s, s->start);
		return;
	case TAG('U', 'N', 'H'):
		if (!ep->ic_open)
			open_interchange(ep, s, true);
		open_message(ep, s);
		return;
	case TAG('U', 'N', 'T'):
		if (!ep->m.open) {
			ddiag(ep, DIAG_WARNING, s, "UNT without UNH: ignored");
			return;
		}
		check_unt(ep, s);
		return;
	default:
		break;
	}
	if (!ep->m.open) {
		if (!ep->warned_outside) {
			ep->warned_outside = true;
			ddiag(ep, DIAG_WARNING, s, "segment %s outside a message (UNH..UNT): ignored", s->tag);
		}
		return;
	}
	ep->m.n_segs++;
	if (!s->terminated)
		ddiag(ep, DIAG_WARNING, s, "segment %s is not terminated (end of the file)", s->tag);
	if (ep->m.is_order && !ep->m.failed) {
		map_segment(ep, s);
		if (arena_failed(ep->arena))
			ep->m.failed = true;
	}
}

static void ack_free_cb(struct ack_info *ack)
{
	struct edifact_ack *a = (struct edifact_ack *)ack;
	edifact_ack_free(&a);
}

struct edifact_ack *edifact_ack_of(struct ack_info *ack)
{
	return (struct edifact_ack *)ack;
}

void edifact_ack_free(struct edifact_ack **ap)
{
	struct edifact_ack *a = *ap;
	if (a == NULL)
		return;
	free(a->interchanges);
	free(a->groups);
	free(a->messages);
	free(a);
	*ap = NULL;
}

static int edifact_parse(const struct parse_input *in, struct parse_output *out)
{
	struct ep *ep = calloc(1, sizeof(*ep));
	int ret = 0;
	if (ep == NULL)
		fatal("out of memory");
	ep->d = in->data;
	ep->len = in->len;
	ep->out = out;
	ep->dd = out->diags;
	if (ep->len > EDIFACT_MAX_INPUT) {
		ddiag_at(ep, DIAG_ERROR, 0, "the document is larger than %zu bytes: not read", EDIFACT_MAX_INPUT);
		ep->len = 0;
	}
	ep->file_utf8 = -1;
	ep->arena = arena_new(in->max_order_bytes ? in->max_order_bytes : OG_MAX_ORDER_BYTES_DEFAULT);
	diags_init(&ep->od);
	ep->od.prefix = out->diags ? out->diags->prefix : NULL;
	if (out->ack != NULL && out->ack_free == ack_free_cb) {
		ep->ack = (struct edifact_ack *)out->ack;      /* a second document: add to it */
	} else {
		if (out->ack != NULL && out->ack_free != NULL)
			out->ack_free(out->ack);
		ep->ack = calloc(1, sizeof(*ep->ack));
		if (ep->ack == NULL)
			fatal("out of memory");
		out->ack = (struct ack_info *)ep->ack;
		out->ack_free = ack_free_cb;
	}
	size_t first_msg = ep->ack->n_messages;
	set_syntax(ep, &level_a);

	size_t pos = 0;
	bool seen = false;
	if (ep->len >= 3 && memcmp(ep->d, "\xEF\xBB\xBF", 3) == 0)
		pos = 3;
	while (pos < ep->len && !ep->stop) {
		unsigned char c = ep->d[pos];
		if ((c == '\r' || c == '\n' || c == ' ' || c == '\t' || c == '\0') && ep->cls[c] == CL_DATA) {
			pos++;
			continue;
		}
		if (c == 'U' && tag_is(ep, pos, "UNA")) {
			if (ep->len - pos < 9) {
				ddiag_at(ep, DIAG_ERROR, pos, "UNA: expected 6 service characters, found %zu", ep->len - pos - 3);
				break;
			}
			if (ep->ic_open)
				close_interchange(ep, NULL, pos);
			read_una(ep, pos);
			seen = true;
			pos += 9;
			continue;
		}
		if (c == 'U' && !ep->pending_una && tag_is(ep, pos, "UNB"))
			unb_separators(ep, pos);
		ep->seg_index++;
		ep->seg.index = ep->seg_index;
		pos = tokenize(ep, pos, &ep->seg);
		if (ep->seg.tag[0] == 'U' && ep->seg.tag[1] == 'N' && (ep->seg.tag[2] == 'B' || ep->seg.tag[2] == 'H'))
			seen = true;
		dispatch(ep, &ep->seg);
	}
	if (ep->ic_open && !ep->stop)
		close_interchange(ep, NULL, ep->len);
	else if (ep->m.open && !ep->stop)
		message_missing_unt(ep, NULL, ep->len);

	if (!seen) {
		ddiag_at(ep, DIAG_ERROR, 0, "no UNB or UNH segment: not an EDIFACT interchange");
		ret = -1;
	} else if (ep->n_order_msgs == 0 && ep->first_other != NULL) {
		out->not_order = ep->first_other;
	} else if (ep->n_order_msgs > 0) {
		for (size_t i = first_msg; i < ep->ack->n_messages; i++) {
			const struct edifact_ack_message *am = &ep->ack->messages[i];
			if (strcmp(am->type, "ORDERS") == 0 || strcmp(am->type, "ORDCHG") == 0)
				continue;
			char where[96];
			snprintf(where, sizeof(where), "segment %zu (byte %zu)", am->segment, am->offset);
			diag_add(ep->dd, DIAG_WARNING, where, "message \"%s\" is %s, not an order: skipped",
				 am->ref, msg_name(am->type));
		}
	} else if (ep->n_order_msgs == 0) {
		ddiag_at(ep, DIAG_ERROR, 0, "the interchange holds no messages");
	}
	close_iconv(ep);
	free((char *)ep->sender);
	diags_free(&ep->od);
	arena_free(&ep->arena);
	free(ep);
	return ret;
}

static int edifact_sniff(const unsigned char *d, size_t n)
{
	size_t i = 0;
	if (n >= 3 && memcmp(d, "\xEF\xBB\xBF", 3) == 0)
		i = 3;
	while (i < n && (d[i] == ' ' || d[i] == '\r' || d[i] == '\n' || d[i] == '\t'))
		i++;
	if (n - i >= 9 && memcmp(d + i, "UNA", 3) == 0) {
		size_t j = i + 9;
		while (j < n && (d[j] == ' ' || d[j] == '\r' || d[j] == '\n' || d[j] == '\t'))
			j++;
		if (n - j >= 3 && (memcmp(d + j, "UNB", 3) == 0 || memcmp(d + j, "UNH", 3) == 0))
			return 100;
		return 40;
	}
	if (n - i >= 8 && memcmp(d + i, "UNB", 3) == 0 && !isalnum(d[i + 3]))
		return memcmp(d + i + 4, "UNO", 3) == 0 ? 95 : 70;
	if (n - i >= 4 && memcmp(d + i, "UNH", 3) == 0 && !isalnum(d[i + 3]))
		return 60;
	return 0;
}

const struct parser edifact_parser = {
	.name = "edifact",
	.sniff = edifact_sniff,
	.parse = edifact_parse,
};
