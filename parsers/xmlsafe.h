/* xmlsafe.h — the one way ordergw reads untrusted XML (UBL, cXML).
 *
 * xmlsafe_read() turns bytes into a libxml2 tree with every dangerous
 * feature off: no entity substitution, no DTD loading, no network, an
 * external entity loader that refuses everything, entity and attribute-list
 * declarations refused (so no billion laughs, no XXE), a byte limit and a
 * nesting limit.  libxml2 never prints: its errors become diagnostics with
 * the XML line and column.  The walking helpers match elements on
 * namespace URI + local name, never on prefixes.  The caller owns the tree
 * and frees it with xmlsafe_free() as soon as it has been read. */
#ifndef ORDERGW_XMLSAFE_H
#define ORDERGW_XMLSAFE_H
#include <stdbool.h>
#include <stddef.h>
#include <libxml/tree.h>
#include "arena.h"
#include "diag.h"

/* Parse [data, data+len).  max_bytes 0 = OG_MAX_XML_BYTES_DEFAULT.
 * 0 and *doc_r set; -1 with an error in d (not well-formed, a refused
 * declaration, a limit).  The root element is at xmlDocGetRootElement(). */
int xmlsafe_read(const unsigned char *data, size_t len, size_t max_bytes,
		 struct diags *d, xmlDoc **doc_r);
void xmlsafe_free(xmlDoc **doc);

/* Cheap look at the start of a document (first few KB, no parser): skips a
 * BOM, the XML declaration, comments, processing instructions and a
 * DOCTYPE, then reads the root element's local name and namespace URI
 * ("" when none).  0 found, -1 not XML or not decidable. */
int xmlsafe_sniff_root(const unsigned char *data, size_t len,
		       char *local, size_t local_size, char *ns, size_t ns_size);

/* Is n an element with this namespace (NULL = no namespace) and local name? */
bool xmlsafe_is(const xmlNode *n, const char *ns, const char *local);
/* First element child of parent with ns + local (local NULL = any). */
xmlNode *xmlsafe_child(const xmlNode *parent, const char *ns, const char *local);
/* Next element sibling after n with ns + local (local NULL = any). */
xmlNode *xmlsafe_next(const xmlNode *n, const char *ns, const char *local);
/* The caller's own prefixes for paths (never the document's).  `seen`
 * caches the document's xmlNs found to carry `uri`, so most namespace
 * tests are a pointer comparison: a table is therefore per document
 * (start with seen = NULL, as a copy of a static template). */
struct xmlsafe_ns {
	const char *prefix;      /* "cac" */
	const char *uri;
	const xmlNs *seen;
};
/* Follow a path such as "cac:Delivery/cbc:ID" from n, taking the first
 * matching child at each step; a step without prefix means "no namespace".
 * table ends with { NULL, NULL, NULL }; NULL when a step is missing. */
xmlNode *xmlsafe_get(const xmlNode *n, struct xmlsafe_ns *table, const char *path);
/* The next sibling element with the same namespace and name as n. */
xmlNode *xmlsafe_again(const xmlNode *n);
/* The element's own text (text and CDATA children, not descendants),
 * trimmed, copied into a; NULL when empty.  A value longer than
 * OG_MAX_FIELD_BYTES is cut (at a UTF-8 boundary) with a warning in d. */
const char *xmlsafe_text(struct arena *a, struct diags *d, const xmlNode *n);
/* An attribute without namespace, trimmed, copied into a; NULL if absent/empty. */
const char *xmlsafe_attr(struct arena *a, const xmlNode *n, const char *name);
/* "XML line N" for diagnostics (static buffer per call site is not used:
 * writes into buf). */
const char *xmlsafe_where(const xmlNode *n, char *buf, size_t size);

#endif
