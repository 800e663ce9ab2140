/* xmlsafe.c — reading untrusted XML with libxml2, safely (see xmlsafe.h).
 *
 * Safety comes from four layers, each enough on its own for one attack:
 *  1. options: XML_PARSE_NONET, never NOENT / DTDLOAD / DTDATTR / HUGE, so
 *     entities are not substituted and no external DTD is read (a cXML
 *     DOCTYPE's SYSTEM URL is never fetched);
 *  2. the SAX entityDecl / unparsedEntityDecl / attributeDecl callbacks
 *     refuse the declaration and stop the parser: a document that declares
 *     entities (billion laughs, XXE) is rejected before anything expands;
 *  3. a process-wide external entity loader that refuses every URL;
 *  4. a byte limit before parsing and a depth limit counted in the
 *     startElementNs callback.
 * libxml2's messages go to a structured error handler installed only for
 * the duration of one parse, which turns them into diagnostics; libxml2
 * itself never writes to stderr.  The tree is owned by the caller. */
#include "xmlsafe.h"
#include "limits.h"
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/SAX2.h>
#include <libxml/xmlerror.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define XMLSAFE_MAGIC 0x786d6c73u     /* "xmls" */
#define XMLSAFE_MAX_LIB_DIAGS 3u      /* libxml2 messages kept per document */

struct xmlsafe_state {
	unsigned magic;
	struct diags *d;
	xmlParserCtxt *ctxt;
	unsigned depth;
	unsigned n_lib;          /* libxml2 messages seen */
	bool refused;            /* we stopped the parser */
	bool lib_error;          /* libxml2 reported an error */
	startElementNsSAX2Func start;
	endElementNsSAX2Func end;
};

static void where_of(xmlParserCtxt *ctxt, char *buf, size_t size)
{
	int line = ctxt ? xmlSAX2GetLineNumber(ctxt) : 0;
	int col = ctxt ? xmlSAX2GetColumnNumber(ctxt) : 0;
	snprintf(buf, size, "XML line %d, column %d", line, col);
}

static void refuse(struct xmlsafe_state *s, const char *what, const xmlChar *name)
{
	char where[64];
	where_of(s->ctxt, where, sizeof(where));
	if (!s->refused)
		diag_add(s->d, DIAG_ERROR, where,
			 "%s \"%s\" refused: ordergw does not accept DTD declarations in orders "
			 "(entity expansion and external entities are disabled)",
			 what, name ? (const char *)name : "");
	s->refused = true;
	xmlStopParser(s->ctxt);
}

static struct xmlsafe_state *state_of(void *ctx)
{
	xmlParserCtxt *ctxt = ctx;
	struct xmlsafe_state *s = ctxt ? ctxt->_private : NULL;
	return s != NULL && s->magic == XMLSAFE_MAGIC ? s : NULL;
}

static void on_entity_decl(void *ctx, const xmlChar *name, int type, const xmlChar *public_id,
			   const xmlChar *system_id, xmlChar *content)
{
	(void)type; (void)public_id; (void)system_id; (void)content;
	struct xmlsafe_state *s = state_of(ctx);
	if (s != NULL)
		refuse(s, "entity declaration", name);
}

static void on_unparsed_entity_decl(void *ctx, const xmlChar *name, const xmlChar *public_id,
				    const xmlChar *system_id, const xmlChar *notation)
{
	(void)public_id; (void)system_id; (void)notation;
	struct xmlsafe_state *s = state_of(ctx);
	if (s != NULL)
		refuse(s, "entity declaration", name);
}

static void on_attribute_decl(void *ctx, const xmlChar *elem, const xmlChar *fullname, int type,
			      int def, const xmlChar *default_value, xmlEnumeration *tree)
{
	(void)elem; (void)type; (void)def; (void)default_value;
	xmlFreeEnumeration(tree);      /* the callback owns it */
	struct xmlsafe_state *s = state_of(ctx);
	if (s != NULL)
		refuse(s, "attribute-list declaration", fullname);
}

static void on_start(void *ctx, const xmlChar *localname, const xmlChar *prefix, const xmlChar *uri,
		     int nb_namespaces, const xmlChar **namespaces, int nb_attributes,
		     int nb_defaulted, const xmlChar **attributes)
{
	struct xmlsafe_state *s = state_of(ctx);
	if (s == NULL)
		return;
	if (++s->depth > OG_MAX_XML_DEPTH) {
		char where[64];
		where_of(s->ctxt, where, sizeof(where));
		if (!s->refused)
			diag_add(s->d, DIAG_ERROR, where,
				 "elements nested deeper than %u levels (limit OG_MAX_XML_DEPTH) at <%s>",
				 OG_MAX_XML_DEPTH, (const char *)localname);
		s->refused = true;
		xmlStopParser(s->ctxt);
		return;
	}
	s->start(ctx, localname, prefix, uri, nb_namespaces, namespaces, nb_attributes,
		 nb_defaulted, attributes);
}

static void on_end(void *ctx, const xmlChar *localname, const xmlChar *prefix, const xmlChar *uri)
{
	struct xmlsafe_state *s = state_of(ctx);
	if (s == NULL)
		return;
	if (s->depth > 0)
		s->depth--;
	s->end(ctx, localname, prefix, uri);
}

/* libxml2's structured error channel for the duration of one parse. */
static void on_error(void *user, xmlError *e)
{
	struct xmlsafe_state *s = user;
	if (s == NULL || s->magic != XMLSAFE_MAGIC || e == NULL)
		return;
	bool is_error = e->level >= XML_ERR_ERROR;
	if (is_error)
		s->lib_error = true;
	/* A stop we asked for is already explained. */
	if (s->refused || e->code == XML_ERR_USER_STOP)
		return;
	if (s->n_lib++ >= XMLSAFE_MAX_LIB_DIAGS)
		return;
	char msg[512];
	snprintf(msg, sizeof(msg), "%s", e->message ? e->message : "unknown libxml2 error");
	size_t n = strlen(msg);
	while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
		msg[--n] = '\0';
	char where[64];
	snprintf(where, sizeof(where), "XML line %d, column %d", e->line, e->int2);
	diag_add(s->d, is_error ? DIAG_ERROR : DIAG_WARNING, where, "%s%s",
		 e->level == XML_ERR_FATAL ? "not well-formed XML: " : "XML: ", msg);
}

/* libxml2's unstructured channel: silenced while we parse. */
static void on_generic(void *ctx, const char *msg, ...)
{
	(void)ctx;
	(void)msg;
}

static xmlParserInput *refuse_loader(const char *url, const char *id, xmlParserCtxt *ctxt)
{
	(void)id;
	struct xmlsafe_state *s = state_of(ctxt);
	if (s != NULL) {
		char where[64];
		where_of(ctxt, where, sizeof(where));
		diag_add(s->d, DIAG_ERROR, where,
			 "external resource \"%s\" refused: ordergw never loads DTDs or entities",
			 url ? url : "");
		s->refused = true;
		xmlStopParser(ctxt);
	}
	return NULL;
}

int xmlsafe_read(const unsigned char *data, size_t len, size_t max_bytes,
		 struct diags *d, xmlDoc **doc_r)
{
	int ret = -1;
	xmlParserCtxt *ctxt = NULL;
	xmlDoc *doc = NULL;
	*doc_r = NULL;
	if (max_bytes == 0)
		max_bytes = OG_MAX_XML_BYTES_DEFAULT;
	if (len > max_bytes || len > 0x7fffffffu) {   /* libxml2 takes an int */
		diag_add(d, DIAG_ERROR, "byte 0",
			 "XML document of %zu bytes exceeds the limit of %zu bytes (OG_MAX_XML_BYTES_DEFAULT)",
			 len, max_bytes);
		return -1;
	}
	if (len == 0) {
		diag_add(d, DIAG_ERROR, "byte 0", "the XML document is empty");
		return -1;
	}
	xmlInitParser();
	/* Process-wide and idempotent: nothing in ordergw may load external XML. */
	xmlSetExternalEntityLoader(refuse_loader);

	struct xmlsafe_state s = { .magic = XMLSAFE_MAGIC, .d = d };
	xmlStructuredErrorFunc old_serror = xmlStructuredError;
	void *old_sctx = xmlStructuredErrorContext;
	xmlGenericErrorFunc old_generic = xmlGenericError;
	void *old_gctx = xmlGenericErrorContext;
	xmlSetStructuredErrorFunc(&s, on_error);
	xmlSetGenericErrorFunc(NULL, on_generic);

	ctxt = xmlNewParserCtxt();
	if (ctxt == NULL) {
		diag_add(d, DIAG_ERROR, "byte 0", "libxml2 could not create a parser (out of memory)");
		goto out;
	}
	s.ctxt = ctxt;
	ctxt->_private = &s;
	xmlSAXHandler *sax = ctxt->sax;
	sax->entityDecl = on_entity_decl;
	sax->unparsedEntityDecl = on_unparsed_entity_decl;
	sax->attributeDecl = on_attribute_decl;
	s.start = sax->startElementNs;
	s.end = sax->endElementNs;
	sax->startElementNs = on_start;
	sax->endElementNs = on_end;
	sax->serror = NULL;        /* errors go to the structured handler above */

	int options = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
		      XML_PARSE_NOCDATA | XML_PARSE_NOBLANKS | XML_PARSE_COMPACT |
		      XML_PARSE_BIG_LINES;
	doc = xmlCtxtReadMemory(ctxt, (const char *)data, (int)len, NULL, NULL, options);
	if (s.refused || s.lib_error || doc == NULL || !ctxt->wellFormed) {
		if (!s.refused && !s.lib_error)
			diag_add(d, DIAG_ERROR, "byte 0", "the XML document could not be read");
		goto out;
	}
	if (xmlDocGetRootElement(doc) == NULL) {
		diag_add(d, DIAG_ERROR, "byte 0", "the XML document has no root element");
		goto out;
	}
	*doc_r = doc;
	doc = NULL;
	ret = 0;
out:
	if (doc != NULL)
		xmlFreeDoc(doc);
	if (ctxt != NULL) {
		ctxt->_private = NULL;
		xmlFreeParserCtxt(ctxt);
	}
	xmlSetStructuredErrorFunc(old_sctx, old_serror);
	xmlSetGenericErrorFunc(old_gctx, old_generic);
	return ret;
}

void xmlsafe_free(xmlDoc **doc)
{
	if (doc == NULL || *doc == NULL)
		return;
	xmlFreeDoc(*doc);
	*doc = NULL;
}

/* ---- sniffing ------------------------------------------------------------ */

#define SNIFF_WINDOW 8192u

static bool is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static bool is_name_char(unsigned char c)
{
	return c >= 0x80 || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.' || c == ':';
}

/* Position after the first occurrence of needle at or after i, or n. */
static size_t skip_past(const unsigned char *p, size_t n, size_t i, const char *needle)
{
	size_t k = strlen(needle);
	for (; i + k <= n; i++)
		if (memcmp(p + i, needle, k) == 0)
			return i + k;
	return n;
}

static size_t skip_doctype(const unsigned char *p, size_t n, size_t i)
{
	int bracket = 0;
	unsigned char quote = 0;
	for (; i < n; i++) {
		unsigned char c = p[i];
		if (quote) {
			if (c == quote)
				quote = 0;
		} else if (c == '"' || c == '\'') {
			quote = c;
		} else if (c == '[') {
			bracket++;
		} else if (c == ']') {
			bracket--;
		} else if (c == '>' && bracket <= 0) {
			return i + 1;
		}
	}
	return n;
}

static void copy_out(char *dst, size_t size, const unsigned char *src, size_t n)
{
	if (size == 0)
		return;
	if (n >= size)
		n = size - 1;
	if (n > 0)
		memcpy(dst, src, n);
	dst[n] = '\0';
}

int xmlsafe_sniff_root(const unsigned char *data, size_t len,
		       char *local, size_t local_size, char *ns, size_t ns_size)
{
	unsigned char tmp[SNIFF_WINDOW];
	const unsigned char *p = data;
	size_t n = len < SNIFF_WINDOW ? len : SNIFF_WINDOW;
	copy_out(local, local_size, (const unsigned char *)"", 0);
	copy_out(ns, ns_size, (const unsigned char *)"", 0);
	/* UTF-16 (with BOM or starting "<?"): keep the low bytes, which is
	 * enough to read ASCII element and namespace names. */
	if (len >= 4 && ((data[0] == 0xFF && data[1] == 0xFE) || (data[0] == '<' && data[1] == 0 && data[2] == '?' && data[3] == 0))) {
		size_t m = 0;
		for (size_t i = data[0] == 0xFF ? 2 : 0; i + 1 < len && m < SNIFF_WINDOW; i += 2)
			tmp[m++] = data[i + 1] ? 0x80 : data[i];
		p = tmp;
		n = m;
	} else if (len >= 4 && ((data[0] == 0xFE && data[1] == 0xFF) || (data[0] == 0 && data[1] == '<' && data[2] == 0 && data[3] == '?'))) {
		size_t m = 0;
		for (size_t i = data[0] == 0xFE ? 2 : 0; i + 1 < len && m < SNIFF_WINDOW; i += 2)
			tmp[m++] = data[i] ? 0x80 : data[i + 1];
		p = tmp;
		n = m;
	}
	size_t i = 0;
	if (n >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF)
		i = 3;
	for (;;) {
		while (i < n && is_space(p[i]))
			i++;
		if (i + 1 >= n || p[i] != '<')
			return -1;
		if (p[i + 1] == '?')
			i = skip_past(p, n, i + 2, "?>");
		else if (n - i >= 4 && memcmp(p + i, "<!--", 4) == 0)
			i = skip_past(p, n, i + 4, "-->");
		else if (n - i >= 9 && memcmp(p + i, "<!DOCTYPE", 9) == 0)
			i = skip_doctype(p, n, i + 9);
		else
			break;
	}
	/* Root element name. */
	size_t name_start = ++i;
	while (i < n && is_name_char(p[i]))
		i++;
	if (i == name_start || i >= n)
		return -1;
	size_t name_end = i;
	size_t colon = name_end;
	for (size_t k = name_start; k < name_end; k++)
		if (p[k] == ':') {
			colon = k;
			break;
		}
	const unsigned char *prefix = p + name_start;
	size_t prefix_len = colon < name_end ? colon - name_start : 0;
	size_t lstart = colon < name_end ? colon + 1 : name_start;
	copy_out(local, local_size, p + lstart, name_end - lstart);
	/* Attributes up to '>' or '/>': look for the matching xmlns. */
	for (;;) {
		while (i < n && is_space(p[i]))
			i++;
		if (i >= n)
			return -1;          /* the start tag is cut: undecidable */
		if (p[i] == '>' || p[i] == '/')
			return 0;           /* no declaration: no namespace */
		size_t an = i;
		while (i < n && is_name_char(p[i]))
			i++;
		size_t an_end = i;
		if (an_end == an)
			return -1;
		while (i < n && is_space(p[i]))
			i++;
		if (i >= n || p[i] != '=')
			return -1;
		i++;
		while (i < n && is_space(p[i]))
			i++;
		if (i >= n || (p[i] != '"' && p[i] != '\''))
			return -1;
		unsigned char q = p[i++];
		size_t vs = i;
		while (i < n && p[i] != q)
			i++;
		if (i >= n)
			return -1;
		size_t ve = i++;
		size_t alen = an_end - an;
		bool match = prefix_len == 0
			? (alen == 5 && memcmp(p + an, "xmlns", 5) == 0)
			: (alen == 6 + prefix_len && memcmp(p + an, "xmlns:", 6) == 0 &&
			   memcmp(p + an + 6, prefix, prefix_len) == 0);
		if (match) {
			copy_out(ns, ns_size, p + vs, ve - vs);
			return 0;
		}
	}
}

/* ---- walking --------------------------------------------------------------- */

bool xmlsafe_is(const xmlNode *n, const char *ns, const char *local)
{
	if (n == NULL || n->type != XML_ELEMENT_NODE)
		return false;
	if (local != NULL && strcmp((const char *)n->name, local) != 0)
		return false;
	if (ns == NULL)
		return n->ns == NULL || n->ns->href == NULL || n->ns->href[0] == '\0';
	return n->ns != NULL && n->ns->href != NULL && strcmp((const char *)n->ns->href, ns) == 0;
}

xmlNode *xmlsafe_next(const xmlNode *n, const char *ns, const char *local)
{
	for (n = n ? n->next : NULL; n != NULL; n = n->next)
		if (xmlsafe_is(n, ns, local))
			return (xmlNode *)n;
	return NULL;
}

/* Same namespace as the element `like` (pointer first, then URI). */
static bool same_ns(const xmlNode *a, const xmlNode *like)
{
	if (a->ns == like->ns)
		return true;
	const char *x = a->ns && a->ns->href ? (const char *)a->ns->href : "";
	const char *y = like->ns && like->ns->href ? (const char *)like->ns->href : "";
	return strcmp(x, y) == 0;
}

xmlNode *xmlsafe_child(const xmlNode *parent, const char *ns, const char *local)
{
	if (parent == NULL)
		return NULL;
	for (const xmlNode *n = parent->children; n != NULL; n = n->next)
		if (xmlsafe_is(n, ns, local))
			return (xmlNode *)n;
	return NULL;
}

/* Is element c in t's namespace (t NULL: in no namespace)?  t->seen
 * remembers the document's xmlNs for t->uri, so this is mostly one
 * pointer comparison. */
static inline bool ns_match(const xmlNode *c, struct xmlsafe_ns *t)
{
	if (t == NULL)
		return c->ns == NULL || c->ns->href == NULL || c->ns->href[0] == '\0';
	if (c->ns == NULL || (c->ns != t->seen &&
	    (c->ns->href == NULL || strcmp((const char *)c->ns->href, t->uri) != 0)))
		return false;
	t->seen = c->ns;
	return true;
}

/* The first element child of n whose name is the path step at `step`
 * (ending at '/' or the end of the path) in t's namespace (t NULL: none).
 * The name is compared in place, byte by byte (no copy, no call per
 * child); *end_r is set to where the step ends when a child matches. */
static xmlNode *child_in(const xmlNode *n, struct xmlsafe_ns *t, const char *step, const char **end_r)
{
	for (xmlNode *c = n->children; c != NULL; c = c->next) {
		if (c->type != XML_ELEMENT_NODE || c->name[0] != (xmlChar)step[0])
			continue;
		size_t i = 1;
		while (c->name[i] != '\0' && c->name[i] == (xmlChar)step[i])
			i++;
		if (c->name[i] != '\0' || (step[i] != '\0' && step[i] != '/'))
			continue;
		if (ns_match(c, t)) {
			*end_r = step + i;
			return c;
		}
	}
	return NULL;
}

/* The table entry whose prefix is [p, p+len), or NULL. */
static struct xmlsafe_ns *prefix_in(struct xmlsafe_ns *t, const char *p, size_t len)
{
	for (; t != NULL && t->prefix != NULL; t++) {
		size_t i = 0;
		while (i < len && t->prefix[i] == p[i])
			i++;
		if (i == len && t->prefix[len] == '\0')
			return t;
	}
	return NULL;
}

xmlNode *xmlsafe_get(const xmlNode *n, struct xmlsafe_ns *table, const char *path)
{
	while (n != NULL && *path) {
		/* One step, "prefix:name" or "name": only the prefix is scanned
		 * here, the name is compared against the children in place. */
		size_t k = 0;
		while (path[k] != '\0' && path[k] != '/' && path[k] != ':')
			k++;
		struct xmlsafe_ns *t = NULL;
		if (path[k] == ':') {
			t = prefix_in(table, path, k);
			if (t == NULL)
				return NULL;       /* a programming error: unknown prefix */
			path += k + 1;
			/* A name is never empty and never holds a second colon. */
			if (path[0] == '\0' || path[0] == '/' || path[0] == ':')
				return NULL;
		} else if (k == 0) {
			return NULL;               /* an empty step ("a//b") */
		}
		const char *end = path;
		n = child_in(n, t, path, &end);
		path = *end == '/' ? end + 1 : end;
	}
	return (xmlNode *)n;
}

/* ---- compiled paths ---------------------------------------------------------- */

struct xmlsafe_paths *xmlsafe_paths_init(struct xmlsafe_paths *p, const xmlDoc *doc,
					 struct xmlsafe_ns *table)
{
	/* Without a dictionary names are not interned: no pointer compares. */
	if (doc == NULL || doc->dict == NULL)
		return NULL;
	p->dict = doc->dict;
	p->table = table;
	p->n = 0;
	memset(p->slot, 0, sizeof(p->slot));
	return p;
}

/* Split path into steps exactly as xmlsafe_get reads it, each name
 * looked up (never added) in the dictionary. */
static void compile(struct xmlsafe_paths *p, struct xmlsafe_path_entry *e, const char *path)
{
	e->path = path;
	e->n_steps = 0;
	e->never = false;
	e->uncompiled = false;
	while (*path) {
		size_t k = 0;
		while (path[k] != '\0' && path[k] != '/' && path[k] != ':')
			k++;
		struct xmlsafe_ns *t = NULL;
		if (path[k] == ':') {
			t = prefix_in(p->table, path, k);
			path += k + 1;
			if (t == NULL || path[0] == '\0' || path[0] == '/' || path[0] == ':') {
				e->never = true;
				return;
			}
		} else if (k == 0) {
			e->never = true;
			return;
		}
		size_t len = 0;
		while (path[len] != '\0' && path[len] != '/')
			len++;
		if (e->n_steps == XMLSAFE_PATH_STEPS || len > 0x7fffffffu) {
			e->uncompiled = true;
			return;
		}
		const xmlChar *name = xmlDictExists(p->dict, (const xmlChar *)path, (int)len);
		if (name == NULL) {
			e->never = true;    /* no element of the document has this name */
			return;
		}
		e->step[e->n_steps].name = name;
		e->step[e->n_steps].t = t;
		e->n_steps++;
		path += path[len] == '/' ? len + 1 : len;
	}
}

static struct xmlsafe_path_entry *lookup(struct xmlsafe_paths *p, const char *path)
{
	uint64_t h = (uint64_t)(uintptr_t)path * 0x9E3779B97F4A7C15ull;
	unsigned i = (unsigned)(h >> 56) & (XMLSAFE_PATHS_SLOTS - 1);
	for (;; i = (i + 1) & (XMLSAFE_PATHS_SLOTS - 1)) {
		unsigned k = p->slot[i];
		if (k == 0)
			break;
		if (p->e[k - 1].path == path)
			return &p->e[k - 1];
	}
	if (p->n == XMLSAFE_PATHS_MAX)
		return NULL;
	struct xmlsafe_path_entry *e = &p->e[p->n++];
	p->slot[i] = (unsigned char)p->n;
	compile(p, e, path);
	return e;
}

xmlNode *xmlsafe_path(struct xmlsafe_paths *p, const xmlNode *n, const char *path)
{
	if (n == NULL)
		return NULL;
	struct xmlsafe_path_entry *e = lookup(p, path);
	if (e == NULL || e->uncompiled)
		return xmlsafe_get(n, p->table, path);
	if (e->never)
		return NULL;
	for (unsigned s = 0; s < e->n_steps && n != NULL; s++) {
		const xmlChar *name = e->step[s].name;
		struct xmlsafe_ns *t = e->step[s].t;
		const xmlNode *c = n->children;
		while (c != NULL && !(c->name == name && c->type == XML_ELEMENT_NODE && ns_match(c, t)))
			c = c->next;
		n = c;
	}
	return (xmlNode *)n;
}

xmlNode *xmlsafe_again(const xmlNode *n)
{
	if (n == NULL)
		return NULL;
	for (const xmlNode *m = n->next; m != NULL; m = m->next)
		if (m->type == XML_ELEMENT_NODE && m->name[0] == n->name[0] &&
		    strcmp((const char *)m->name, (const char *)n->name) == 0 && same_ns(m, n))
			return (xmlNode *)m;
	return NULL;
}

static const char *trim(const char *s, size_t *len)
{
	size_t n = *len;
	while (n > 0 && is_space((unsigned char)*s)) {
		s++;
		n--;
	}
	while (n > 0 && is_space((unsigned char)s[n - 1]))
		n--;
	*len = n;
	return s;
}

/* Cut at most max bytes without splitting a UTF-8 sequence. */
static size_t utf8_cut(const char *s, size_t n, size_t max)
{
	if (n <= max)
		return n;
	n = max;
	while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
		n--;
	return n;
}

const char *xmlsafe_text(struct arena *a, struct diags *d, const xmlNode *n)
{
	if (n == NULL)
		return NULL;
	const xmlNode *only = NULL;
	size_t count = 0, total = 0;
	for (const xmlNode *c = n->children; c != NULL; c = c->next)
		if ((c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) && c->content) {
			only = c;
			count++;
			total += strlen((const char *)c->content);
		}
	if (count == 0)
		return NULL;
	const char *s;
	size_t len;
	char *joined = NULL;
	if (count == 1) {
		s = (const char *)only->content;
		len = total;
	} else {
		joined = arena_alloc(a, total + 1);
		if (joined == NULL)
			return NULL;
		size_t k = 0;
		for (const xmlNode *c = n->children; c != NULL; c = c->next)
			if ((c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) && c->content) {
				size_t m = strlen((const char *)c->content);
				memcpy(joined + k, c->content, m);
				k += m;
			}
		s = joined;
		len = total;
	}
	s = trim(s, &len);
	if (len == 0)
		return NULL;
	if (len > OG_MAX_FIELD_BYTES) {
		char where[48];
		diag_add(d, DIAG_WARNING, xmlsafe_where(n, where, sizeof(where)),
			 "<%s> holds %zu bytes; cut to %u (OG_MAX_FIELD_BYTES)",
			 (const char *)n->name, len, OG_MAX_FIELD_BYTES);
		len = utf8_cut(s, len, OG_MAX_FIELD_BYTES);
	}
	return arena_strndup(a, s, len);
}

const char *xmlsafe_attr(struct arena *a, const xmlNode *n, const char *name)
{
	if (n == NULL || n->type != XML_ELEMENT_NODE)
		return NULL;
	for (const xmlAttr *at = n->properties; at != NULL; at = at->next) {
		if (at->ns != NULL || strcmp((const char *)at->name, name) != 0)
			continue;
		const xmlNode *t = at->children;
		if (t == NULL || t->content == NULL)
			return NULL;
		const char *s = (const char *)t->content;
		size_t len = strlen(s);
		if (t->next != NULL) {       /* split value (entity refs): join */
			xmlChar *v = xmlNodeListGetString(n->doc, at->children, 1);
			if (v == NULL)
				return NULL;
			len = strlen((const char *)v);
			const char *ts = trim((const char *)v, &len);
			const char *r = len ? arena_strndup(a, ts, utf8_cut(ts, len, OG_MAX_FIELD_BYTES)) : NULL;
			xmlFree(v);
			return r;
		}
		s = trim(s, &len);
		return len ? arena_strndup(a, s, utf8_cut(s, len, OG_MAX_FIELD_BYTES)) : NULL;
	}
	return NULL;
}

const char *xmlsafe_where(const xmlNode *n, char *buf, size_t size)
{
	snprintf(buf, size, "XML line %ld", n ? xmlGetLineNo(n) : 0L);
	return buf;
}
