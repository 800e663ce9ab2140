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
/* The same look-ups, compiled once per document: each path is split and
 * its names looked up in the document's dictionary (libxml2 interns every
 * element name) the first time it is used, after which a step is one
 * pointer comparison per child.  Paths are keyed by address: pass string
 * literals (or strings that outlive the cache unchanged).  The cache is
 * the caller's (on its stack: no allocation); its fields are private. */
#define XMLSAFE_PATHS_SLOTS 256u       /* hash slots (a power of two) */
#define XMLSAFE_PATHS_MAX 160u         /* compiled paths kept per document */
#define XMLSAFE_PATH_STEPS 4u          /* longer paths go through xmlsafe_get */
struct xmlsafe_paths {
	xmlDict *dict;
	struct xmlsafe_ns *table;
	unsigned n;
	unsigned char slot[XMLSAFE_PATHS_SLOTS];   /* entry index + 1; 0 = empty */
	struct xmlsafe_path_entry {
		const char *path;                  /* the key: the literal's address */
		unsigned n_steps;
		bool never;                        /* a step names nothing in this document */
		bool uncompiled;                   /* too long: xmlsafe_get */
		struct xmlsafe_path_step {
			const xmlChar *name;       /* interned in the document's dictionary */
			struct xmlsafe_ns *t;      /* NULL: no namespace */
		} step[XMLSAFE_PATH_STEPS];
	} e[XMLSAFE_PATHS_MAX];
};
/* Make p an empty cache for doc; returns p, or NULL when the document
 * has no dictionary (names not interned: use xmlsafe_get). */
struct xmlsafe_paths *xmlsafe_paths_init(struct xmlsafe_paths *p, const xmlDoc *doc,
					 struct xmlsafe_ns *table);
/* xmlsafe_get(n, table, path) through the cache p (not NULL). */
xmlNode *xmlsafe_path(struct xmlsafe_paths *p, const xmlNode *n, const char *path);
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
