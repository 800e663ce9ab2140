/* xmlmap.h — value normalisation shared by the UBL and cXML parsers.
 *
 * Small pure functions that turn what a document says into what the order
 * record stores (order-mapping.md sections 1, 7 and 8): dates, decimals,
 * GTINs, units of measure, party id schemes, Incoterms and net days.
 * Results live in the order's arena; a value that cannot be normalised is
 * reported as a warning naming the XML line, never guessed silently. */
#ifndef ORDERGW_XMLMAP_H
#define ORDERGW_XMLMAP_H
#include <libxml/tree.h>
#include "diag.h"
#include "order.h"
#include "parser.h"
#include "xmlsafe.h"

/* What a mapping walk needs: the order being built, where warnings go,
 * the caller's namespace prefixes for paths, the document currency. */
struct xmlmap_ctx {
	struct order *o;
	struct diags *d;
	struct xmlsafe_ns *ns;         /* per document; NULL: no-namespace paths */
	struct xmlsafe_paths *paths;   /* per document; NULL: paths not cached */
	const char *doc_currency;
};

/* xmlsafe_get() with the context's prefixes (through its path cache). */
const xmlNode *xmlmap_get(const struct xmlmap_ctx *c, const xmlNode *n, const char *path);
/* The element's text, an element's text by path, an attribute: trimmed,
 * in the order's arena, NULL when absent or empty. */
const char *xmlmap_text(const struct xmlmap_ctx *c, const xmlNode *n);
const char *xmlmap_val(const struct xmlmap_ctx *c, const xmlNode *n, const char *path);
const char *xmlmap_attr(const struct xmlmap_ctx *c, const xmlNode *n, const char *name);

/* "YYYY-MM-DD" from an xs:date or xs:dateTime ("2025-01-10T09:30:00+00:00":
 * the calendar date as written, in the sender's time zone).  NULL (and a
 * warning naming `what`) when s is not a valid date; NULL when s is NULL. */
const char *xmlmap_date(struct order *o, struct diags *d, const xmlNode *at,
			const char *what, const char *s);
/* s when it is a decimal number (kept as written), else NULL + warning. */
const char *xmlmap_decimal(struct order *o, struct diags *d, const xmlNode *at,
			   const char *what, const char *s);
/* A GTIN-8/12/13/14 left-padded to 14 digits; other values are kept as
 * written with a warning. */
const char *xmlmap_gtin(struct order *o, struct diags *d, const xmlNode *at, const char *s);
/* UN/ECE Rec 20 code for a unit as written (aliases of section 7 mapped:
 * KG -> KGM, PCE -> H87, CT -> XCT ...); other codes upper-cased as is. */
const char *xmlmap_uom(struct order *o, const char *s);
/* s upper-cased (ASCII) in the arena; NULL stays NULL. */
const char *xmlmap_upper(struct order *o, const char *s);
/* A party id scheme: 0088/GLN/ILN -> GLN, 0060/DUNS -> DUNS, 0199/LEI -> LEI,
 * *VAT -> VAT, other 4-digit ICD/EAS codes -> "PEPPOL_EAS:nnnn", anything
 * else upper-cased; NULL or empty -> fallback. */
const char *xmlmap_scheme(struct order *o, const char *scheme, const char *fallback);
/* Set o's Incoterms from a code and a named-place text; either may be NULL,
 * and either may read "FOB Oslo" (term, then place).  Legacy codes are
 * normalised per section 8 (DAT -> DPU, CAF/C&F -> CFR) with a warning. */
void xmlmap_incoterms(struct order *o, struct diags *d, const xmlNode *at,
		      const char *code, const char *place);
/* Is s one of the Incoterms codes (2020 or legacy)? */
int xmlmap_is_incoterm(const char *s, size_t n);
/* Net days stated in a payment-terms text ("Net 30", "30 days"), or -1. */
int xmlmap_net_days(const char *text);
/* a, b and c (none NULL) one after the other in the arena, exactly what
 * arena_printf("%s%s%s") would give; NULL at the arena's limit. */
const char *xmlmap_cat(struct order *o, const char *a, const char *b, const char *c);
/* Append s to *acc with a separator (both in the arena). */
const char *xmlmap_join(struct order *o, const char *acc, const char *sep, const char *s);
/* Hand a finished order to out->emit, or reject it (error diagnostic,
 * n_rejected) when its arena hit max_order_bytes.  An XML document holds
 * one order, so its diagnostics are the document's: out->diags is passed
 * as the order's list too. */
void xmlmap_emit(const struct parse_input *in, struct parse_output *out, struct order *o);

#endif
