/* config.c — reads the INI configuration into struct config (config.h).
 *
 * Hand-written rather than Debian's libinih: inih 55 as packaged calls its
 * handler without line numbers and cuts lines at 200 bytes, and IT must see
 * "file:line: message" for every mistake, all of them in one pass.
 *
 * The key table below is the one description of every option: the parser,
 * `ordergw check-config --keys` and the man page come from it. */
#include "config.h"
#include "csv.h"
#include "text.h"
#include "limits.h"
#include "log.h"
#define PCRE2_CODE_UNIT_WIDTH 8
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <pcre2.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum sect { S_GLOBAL, S_STORE, S_LIMITS, S_COMPANY, S_QUEUES, S_TEMPLATES,
	    S_MAILBOX, S_DROP, S_OUTBOX, S_PARTNER, S_RULE, S_ROUTE, S_STAGE, S_COUNT };

static const char *const sect_names[S_COUNT] = {
	"", "store", "limits", "company", "queues", "templates",
	"mailbox", "drop", "outbox", "partner", "rule", "route", "stage",
};
static const bool sect_named[S_COUNT] = {
	[S_MAILBOX] = true, [S_DROP] = true, [S_PARTNER] = true, [S_RULE] = true,
	[S_ROUTE] = true, [S_STAGE] = true,
};

enum ktype { K_STR, K_PATH, K_INT, K_SIZE, K_LIST, K_ENUM, K_URL, K_DEC, K_DUR };

struct key {
	enum sect sect;
	const char *name;
	enum ktype type;
	size_t off;              /* into the section's struct */
	const char *def;         /* default as text, NULL: none */
	long long min, max;      /* for K_INT/K_SIZE, and K_DUR in seconds */
	const char *choices;     /* for K_ENUM: space-separated */
	bool required;
	const char *help;
};

#define G(f) offsetof(struct config, f)
#define MB(f) offsetof(struct cfg_mailbox, f)
#define DR(f) offsetof(struct cfg_drop, f)
#define OB(f) offsetof(struct cfg_outbox, f)
#define PA(f) offsetof(struct cfg_partner, f)
#define RU(f) offsetof(struct cfg_rule, f)
#define RT(f) offsetof(struct cfg_route, f)
#define SG(f) offsetof(struct cfg_stage, f)

static const struct key keys[] = {
	{ S_STORE, "path", K_PATH, G(store_path), "ordergw.db", 0, 0, NULL, false,
	  "SQLite database file (created on first start)" },
	{ S_LIMITS, "max_message_bytes", K_SIZE, G(max_message_bytes), "67108864", 1024, 1LL << 32, NULL, false,
	  "largest document taken in; a larger one is stored as an exception with its headers" },
	{ S_LIMITS, "max_order_bytes", K_SIZE, G(max_order_bytes), "33554432", 65536, 1LL << 32, NULL, false,
	  "memory for one order record while parsing" },
	{ S_LIMITS, "max_mime_parts", K_SIZE, G(max_mime_parts), "1000", 1, 1000000, NULL, false,
	  "MIME parts read in one e-mail; more are reported and ignored" },
	{ S_LIMITS, "max_mime_depth", K_SIZE, G(max_mime_depth), "20", 1, 1000, NULL, false,
	  "multipart nesting depth read in one e-mail" },
	{ S_LIMITS, "regex_match_limit", K_INT, G(pcre2_match_limit), "100000", 100, 100000000, NULL, false,
	  "PCRE2 match limit for every rule pattern" },
	{ S_LIMITS, "regex_depth_limit", K_INT, G(pcre2_depth_limit), "10000", 10, 10000000, NULL, false,
	  "PCRE2 depth limit for every rule pattern" },
	{ S_COMPANY, "name", K_STR, G(company_name), "Our Company", 0, 0, NULL, false,
	  "our company's name, used in messages to customers" },
	{ S_COMPANY, "edi_ids", K_LIST, G(our_edi_ids), NULL, 0, 0, NULL, false,
	  "our EDI ids (qualifier:id), used in acknowledgements and to check the receiver" },
	{ S_COMPANY, "locale", K_ENUM, G(default_locale), "en", 0, 0, "en zh-Hans zh-Hant", false,
	  "language for senders not known as a partner" },
	{ S_QUEUES, "stages", K_LIST, G(stages), "review purchasing production logistics settlement feedback", 0, 0, NULL, false,
	  "stage queues in order" },
	{ S_QUEUES, "lease_seconds", K_INT, G(lease_seconds), "600", 1, 86400 * 7, NULL, false,
	  "how long `queue take` holds an item" },
	{ S_QUEUES, "max_failures", K_INT, G(max_failures), "5", 1, 1000, NULL, false,
	  "failures after which an item goes to the dead-letter list" },
	{ S_QUEUES, "claim_timeout", K_DUR, G(claim_timeout), "4h", 0, 86400 * 365, NULL, false,
	  "how long a claim on an exception (ordergw exceptions claim) keeps everyone else out; an older claim "
	  "may be taken over, and the audit says whose it was; claiming again renews it; 0: claims never expire "
	  "(a duration: 90s, 30m, 4h, 2d, 1w)" },
	{ S_TEMPLATES, "dir", K_PATH, G(templates_dir), NULL, 0, 0, NULL, false,
	  "folder whose templates override the shipped ones" },

	{ S_MAILBOX, "url", K_URL, MB(url), NULL, 0, 0, "imaps imap maildir", true,
	  "imaps://host:993/INBOX, imap://host:143/INBOX (STARTTLS) or maildir:/path" },
	{ S_MAILBOX, "user", K_STR, MB(user), NULL, 0, 0, NULL, false, "login name" },
	{ S_MAILBOX, "password_file", K_PATH, MB(password_file), NULL, 0, 0, NULL, false,
	  "file holding the password (never the password itself here)" },
	{ S_MAILBOX, "ca_file", K_PATH, MB(ca_file), NULL, 0, 0, NULL, false, "extra trust anchors (PEM)" },
	{ S_MAILBOX, "tls", K_ENUM, MB(tls), "required", 0, 0, "required none", false,
	  "none allows a plain connection (imap:// only)" },
	{ S_MAILBOX, "auth", K_ENUM, MB(auth), NULL, 0, 0, "login plain", false,
	  "IMAP authentication: plain (AUTHENTICATE PLAIN) or login; default: plain when the server "
	  "advertises AUTH=PLAIN, else login" },
	{ S_MAILBOX, "done_folder", K_STR, MB(done_folder), "Processed", 0, 0, NULL, false,
	  "where a message goes once it is stored" },
	{ S_MAILBOX, "poll", K_INT, MB(poll), "60", 1, 86400, NULL, false, "seconds between polls" },
	{ S_MAILBOX, "batch", K_INT, MB(batch), "500", 1, 100000, NULL, false, "messages fetched per command" },

	{ S_DROP, "url", K_URL, DR(url), NULL, 0, 0, "sftp dir", true, "sftp://host:22/inbound/ or dir:/path" },
	{ S_DROP, "user", K_STR, DR(user), NULL, 0, 0, NULL, false, "SSH login name" },
	{ S_DROP, "key_file", K_PATH, DR(key_file), NULL, 0, 0, NULL, false, "ed25519 private key" },
	{ S_DROP, "known_hosts", K_PATH, DR(known_hosts), NULL, 0, 0, NULL, false,
	  "required for sftp: unknown or changed host keys are refused" },
	{ S_DROP, "archive", K_STR, DR(archive), "archive/", 0, 0, NULL, false,
	  "folder (relative to the drop) where a file goes once stored" },
	{ S_DROP, "outbound", K_URL, DR(outbound), NULL, 0, 0, "sftp dir", false,
	  "where EDI responses for this drop's partners go (dir: or sftp:)" },
	{ S_DROP, "pattern", K_STR, DR(pattern), "*", 0, 0, NULL, false, "which file names to take" },
	{ S_DROP, "stable_seconds", K_INT, DR(stable_seconds), "0", 0, 86400, NULL, false,
	  "a file is taken once its size and time have not changed for this long" },
	{ S_DROP, "ready_suffix", K_STR, DR(ready_suffix), NULL, 0, 0, NULL, false,
	  "take NAME only when NAME plus this suffix (e.g. .done) exists" },
	{ S_DROP, "poll", K_INT, DR(poll), "60", 1, 86400, NULL, false, "seconds between polls" },

	{ S_OUTBOX, "url", K_URL, OB(url), "maildir:outbox", 0, 0, "smtp smtps maildir", false,
	  "smtp://host:587 (STARTTLS), smtps://host:465, or maildir:/path (the embedded default)" },
	{ S_OUTBOX, "user", K_STR, OB(user), NULL, 0, 0, NULL, false, "SMTP AUTH login name" },
	{ S_OUTBOX, "password_file", K_PATH, OB(password_file), NULL, 0, 0, NULL, false, "file holding the password" },
	{ S_OUTBOX, "ca_file", K_PATH, OB(ca_file), NULL, 0, 0, NULL, false, "extra trust anchors (PEM)" },
	{ S_OUTBOX, "tls", K_ENUM, OB(tls), "required", 0, 0, "required none", false, "none allows plain SMTP" },
	{ S_OUTBOX, "from", K_STR, OB(from), "Orders <orders@localhost>", 0, 0, NULL, false, "From of every message" },
	{ S_OUTBOX, "max_attempts", K_INT, OB(max_attempts), "20", 1, 1000, NULL, false,
	  "temporary failures before a message is marked failed" },
	{ S_OUTBOX, "retry_seconds", K_INT, OB(retry_seconds), "30", 1, 86400, NULL, false,
	  "first wait after a temporary failure; it doubles per attempt (at most 1 h) with +-25% jitter" },

	{ S_PARTNER, "name", K_STR, PA(name), NULL, 0, 0, NULL, true, "the customer's name" },
	{ S_PARTNER, "emails", K_LIST, PA(emails), NULL, 0, 0, NULL, false,
	  "sender addresses, comma separated; * matches any text (*@orders.acme.example)" },
	{ S_PARTNER, "edi_ids", K_LIST, PA(edi_ids), NULL, 0, 0, NULL, false,
	  "EDI sender ids as qualifier:id (ZZ:ACMEUS, 14:5412345000013)" },
	{ S_PARTNER, "locale", K_ENUM, PA(locale), "en", 0, 0, "en zh-Hans zh-Hant", false, "language of messages" },
	{ S_PARTNER, "required", K_LIST, PA(required), "C1 C2 C3 C5 C6 C7 C8 C9 C12", 0, 0, NULL, false,
	  "checks that block acceptance; the others are warnings" },
	{ S_PARTNER, "queue", K_STR, PA(queue), NULL, 0, 0, NULL, false, "first stage for accepted orders" },
	{ S_PARTNER, "currency", K_STR, PA(currency), NULL, 0, 0, NULL, false,
	  "currency agreed with this customer, used when an order names none" },
	{ S_PARTNER, "rules", K_PATH, PA(rules_path), NULL, 0, 0, NULL, false, "text rule set for this customer's mails" },
	{ S_PARTNER, "csv_map", K_PATH, PA(csv_map_path), NULL, 0, 0, NULL, false, "CSV column map for this customer" },
	{ S_PARTNER, "credit_limit", K_DEC, PA(credit_limit), NULL, 0, 0, NULL, false, "order total under which routing may skip review" },
	{ S_PARTNER, "incoterms", K_STR, PA(usual_incoterms), NULL, 0, 0, NULL, false, "the customer's usual Incoterms code" },
	{ S_PARTNER, "payment_terms", K_STR, PA(usual_payment_terms), NULL, 0, 0, NULL, false, "the customer's usual payment terms" },
	{ S_PARTNER, "lead_time_days", K_INT, PA(lead_time_days), "0", 0, 3650, NULL, false,
	  "earliest delivery date is today plus this many days" },
	{ S_PARTNER, "max_order_age_days", K_INT, PA(max_order_age_days), "90", 0, 3650, NULL, false,
	  "an order date older than this is questioned" },

	{ S_RULE, "mailbox", K_STR, RU(mailbox), NULL, 0, 0, NULL, false, "mailbox name the rule applies to" },
	{ S_RULE, "from", K_STR, RU(from), NULL, 0, 0, NULL, false, "sender address pattern (* wildcard)" },
	{ S_RULE, "subject", K_STR, RU(subject), NULL, 0, 0, NULL, false, "PCRE2 pattern the subject must match" },
	{ S_RULE, "parser", K_STR, RU(parser), "auto", 0, 0, NULL, false,
	  "auto, a format name, text:PATH (rule set) or csv:PATH (column map)" },
	{ S_RULE, "partner", K_STR, RU(partner), NULL, 0, 0, NULL, false, "partner id for matching mail" },

	{ S_ROUTE, "partner", K_STR, RT(partner), NULL, 0, 0, NULL, false,
	  "partner id, or * for any known partner; absent: any order" },
	{ S_ROUTE, "max_total", K_STR, RT(max_total), NULL, 0, 0, NULL, false,
	  "the order total must be known and below this decimal, or below the partner's credit_limit (credit_limit)" },
	{ S_ROUTE, "incoterms", K_STR, RT(incoterms), NULL, 0, 0, NULL, false,
	  "the order's Incoterms code must be this one, or the partner's usual one (usual)" },
	{ S_ROUTE, "payment_terms", K_STR, RT(payment_terms), NULL, 0, 0, NULL, false,
	  "the order's payment terms must be these (case and spacing ignored; a number compares net days), or the partner's usual ones (usual)" },
	{ S_ROUTE, "currency", K_STR, RT(currency), NULL, 0, 0, NULL, false,
	  "the order's currency must be this code, or the partner's agreed one (usual)" },
	{ S_ROUTE, "stage", K_STR, RT(stage), NULL, 0, 0, NULL, true,
	  "the stage an accepted order matching every condition goes to; routes are tried in file order, the first match wins" },

	{ S_STAGE, "webhook_url", K_URL, SG(webhook_url), NULL, 0, 0, "http https", false,
	  "on entering the stage, POST the ORDER JSON with the stage and item id here (retried with back-off)" },
	{ S_STAGE, "webhook_secret_file", K_PATH, SG(webhook_secret_file), NULL, 0, 0, NULL, false,
	  "file holding the shared secret; the body is signed as X-Ordergw-Signature: sha256=HMAC-SHA256 in hex" },
	{ S_STAGE, "message_on_enter", K_ENUM, SG(message_on_enter), NULL, 0, 0,
	  "none receipt confirmation shipping feedback", false,
	  "customer message when an order enters the stage; default: feedback for the stage named feedback, else none" },
	{ S_STAGE, "message_on_done", K_ENUM, SG(message_on_done), NULL, 0, 0,
	  "none receipt confirmation shipping feedback", false,
	  "customer message when `queue done` moves an order on; default: confirmation for review, shipping for logistics (sent only with --set tracking=...), else none" },
};

/* ---- small helpers ----------------------------------------------------- */

long long config_duration(const char *s)
{
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (end == s || v < 0 || errno != 0 || !isdigit((unsigned char)*s))
		return -1;
	long long unit = 1;
	if (*end == 'm')
		unit = 60;
	else if (*end == 'h')
		unit = 3600;
	else if (*end == 'd')
		unit = 86400;
	else if (*end == 'w')
		unit = 7 * 86400;
	else if (*end != 's' && *end != '\0')
		return -1;
	if (*end != '\0' && end[1] != '\0')
		return -1;
	return v > (1LL << 40) ? -1 : v * unit;
}

static char *xstrdup(const char *s)
{
	char *p = strdup(s);
	if (p == NULL)
		fatal("out of memory");
	return p;
}

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n, size);
	if (p == NULL)
		fatal("out of memory");
	return p;
}

static char *trim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	size_t n = strlen(s);
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	return s;
}

static void strlist_add(struct strlist *l, const char *s)
{
	char **v = realloc(l->v, (l->n + 1) * sizeof(*v));
	if (v == NULL)
		fatal("out of memory");
	l->v = v;
	l->v[l->n++] = xstrdup(s);
}

static void strlist_free(struct strlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

/* Split on commas and white space. */
static void strlist_parse(struct strlist *l, const char *s)
{
	strlist_free(l);
	const char *p = s;
	while (*p) {
		while (*p == ',' || isspace((unsigned char)*p))
			p++;
		const char *e = p;
		while (*e && *e != ',' && !isspace((unsigned char)*e))
			e++;
		if (e > p) {
			char *w = strndup(p, (size_t)(e - p));
			if (w == NULL)
				fatal("out of memory");
			strlist_add(l, w);
			free(w);
		}
		p = e;
	}
}

static char *resolve_path(const struct config *c, const char *v)
{
	if (v[0] == '/' || c->dir == NULL)
		return xstrdup(v);
	size_t n = strlen(c->dir) + strlen(v) + 2;
	char *p = xcalloc(1, n);
	snprintf(p, n, "%s/%s", c->dir, v);
	return p;
}

/* maildir:RELATIVE and dir:RELATIVE are taken relative to the config too. */
static char *resolve_url(const struct config *c, const char *v)
{
	const char *colon = strchr(v, ':');
	if (colon == NULL || strncmp(colon, "://", 3) == 0 || colon[1] == '/')
		return xstrdup(v);
	size_t pl = (size_t)(colon - v) + 1;
	char *rel = resolve_path(c, colon + 1);
	size_t n = pl + strlen(rel) + 1;
	char *p = xcalloc(1, n);
	snprintf(p, n, "%.*s%s", (int)pl, v, rel);
	free(rel);
	return p;
}

bool config_glob(const char *pat, const char *s)
{
	/* Iterative '*' matching, case-insensitive (addresses and file names). */
	const char *star = NULL, *ss = NULL;
	while (*s) {
		if (*pat == '*') {
			star = pat++;
			ss = s;
		} else if (*pat == '?' || tolower((unsigned char)*pat) == tolower((unsigned char)*s)) {
			pat++;
			s++;
		} else if (star) {
			pat = star + 1;
			s = ++ss;
		} else {
			return false;
		}
	}
	while (*pat == '*')
		pat++;
	return *pat == '\0';
}

/* ---- parsing ----------------------------------------------------------- */

struct loader {
	struct config *c;
	struct diags *d;
	const char *file;
	enum sect sect;
	void *obj;               /* current section struct */
	int sect_line;
	bool skip;               /* inside a section header that was refused */
	bool seen[sizeof(keys) / sizeof(keys[0])];   /* keys set in this section */
};

static void err(struct loader *L, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void err(struct loader *L, int line, const char *fmt, ...)
{
	char where[64];
	va_list ap;
	snprintf(where, sizeof(where), "line %d", line);
	va_start(ap, fmt);
	diag_vadd(L->d, DIAG_ERROR, where, fmt, ap);
	va_end(ap);
}

static void *sect_obj(struct loader *L)
{
	return L->sect == S_MAILBOX || L->sect == S_DROP || L->sect == S_PARTNER ||
	       L->sect == S_RULE || L->sect == S_OUTBOX || L->sect == S_ROUTE ||
	       L->sect == S_STAGE ? L->obj : L->c;
}

static int set_value(struct loader *L, const struct key *k, const char *v, int line)
{
	char *base = sect_obj(L);
	void *field = base + k->off;
	switch (k->type) {
	case K_STR:
	case K_ENUM:
		if (k->type == K_ENUM) {
			const char *p = k->choices;
			bool ok = false;
			size_t n = strlen(v);
			while (p && *p) {
				const char *e = strchr(p, ' ');
				size_t len = e ? (size_t)(e - p) : strlen(p);
				if (len == n && strncmp(p, v, n) == 0)
					ok = true;
				p = e ? e + 1 : NULL;
			}
			if (!ok) {
				err(L, line, "%s: \"%s\" is not one of: %s", k->name, v, k->choices);
				return -1;
			}
		}
		free(*(char **)field);
		*(char **)field = xstrdup(v);
		return 0;
	case K_PATH:
		free(*(char **)field);
		*(char **)field = resolve_path(L->c, v);
		return 0;
	case K_URL: {
		/* "scheme://user:password@host": a password in the URL would be
		 * printed wherever the URL is (logs, check-config, the outbox). */
		const char *auth = strstr(v, "://");
		if (auth != NULL) {
			auth += 3;
			size_t alen = strcspn(auth, "/?#");
			const char *at = memchr(auth, '@', alen);
			if (at != NULL && memchr(auth, ':', (size_t)(at - auth)) != NULL) {
				err(L, line, "%s: passwords do not belong in this file (not in a URL either): "
				    "put it in a file of its own and name it with password_file", k->name);
				return -1;
			}
		}
		const char *p = k->choices;
		bool ok = false;
		while (p && *p) {
			const char *e = strchr(p, ' ');
			size_t len = e ? (size_t)(e - p) : strlen(p);
			if (strncmp(v, p, len) == 0 && v[len] == ':')
				ok = true;
			p = e ? e + 1 : NULL;
		}
		if (!ok) {
			err(L, line, "%s: \"%s\" must start with one of: %s (followed by ':')", k->name, v, k->choices);
			return -1;
		}
		free(*(char **)field);
		*(char **)field = resolve_url(L->c, v);
		return 0;
	}
	case K_INT:
	case K_SIZE: {
		errno = 0;
		char *end;
		long long n = strtoll(v, &end, 10);
		if (errno != 0 || end == v || *end != '\0' || n < k->min || n > k->max) {
			err(L, line, "%s: expected a whole number from %lld to %lld, found \"%s\"",
			    k->name, k->min, k->max, v);
			return -1;
		}
		if (k->type == K_INT)
			*(int *)field = (int)n;
		else
			*(size_t *)field = (size_t)n;
		return 0;
	}
	case K_DUR: {
		long long n = config_duration(v);
		if (n < 0 || n < k->min || n > k->max) {
			err(L, line, "%s: expected a duration such as 90s, 30m, 4h or 2d (0 to %lld seconds), found \"%s\"",
			    k->name, k->max, v);
			return -1;
		}
		*(int *)field = (int)n;
		return 0;
	}
	case K_DEC: {
		const char *p = v;
		bool dot = false, digit = false;
		for (; *p; p++) {
			if (*p == '.' && !dot)
				dot = true;
			else if (isdigit((unsigned char)*p))
				digit = true;
			else
				break;
		}
		if (*p != '\0' || !digit) {
			err(L, line, "%s: expected a decimal number such as 50000.00, found \"%s\"", k->name, v);
			return -1;
		}
		free(*(char **)field);
		*(char **)field = xstrdup(v);
		return 0;
	}
	case K_LIST:
		strlist_parse((struct strlist *)field, v);
		return 0;
	}
	return -1;
}

static void apply_defaults(struct loader *L, enum sect s)
{
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		const struct key *k = &keys[i];
		if (k->sect != s || L->seen[i])
			continue;
		if (k->required) {
			err(L, L->sect_line, "[%s%s%s]: the key \"%s\" is required (%s)", sect_names[s],
			    sect_named[s] ? " " : "", sect_named[s] ? *(char **)L->obj : "", k->name, k->help);
			continue;
		}
		if (k->def != NULL)
			set_value(L, k, k->def, L->sect_line);
	}
}

static void close_section(struct loader *L)
{
	if (L->sect != S_GLOBAL)
		apply_defaults(L, L->sect);
	memset(L->seen, 0, sizeof(L->seen));
	L->sect = S_GLOBAL;
	L->obj = NULL;
}

static void *grow(void *arr, size_t *n, size_t size)
{
	char *p = realloc(arr, (*n + 1) * size);
	if (p == NULL)
		fatal("out of memory");
	memset(p + *n * size, 0, size);
	(*n)++;
	return p;
}

static int open_section(struct loader *L, char *head, int line)
{
	char *name = strchr(head, ' ');
	if (name != NULL) {
		*name++ = '\0';
		name = trim(name);
		if (*name == '"' && name[strlen(name) - 1] == '"' && strlen(name) >= 2) {
			name[strlen(name) - 1] = '\0';
			name++;
		}
	}
	int s;
	for (s = 1; s < S_COUNT; s++)
		if (strcmp(head, sect_names[s]) == 0)
			break;
	if (s == S_COUNT) {
		err(L, line, "unknown section [%s] (expected store, limits, company, queues, templates, "
			     "mailbox NAME, drop NAME, outbox, partner ID, rule NAME, route NAME or stage NAME)", head);
		return -1;
	}
	if (sect_named[s] && (name == NULL || *name == '\0')) {
		err(L, line, "section [%s] needs a name, e.g. [%s main]", head, head);
		return -1;
	}
	if (!sect_named[s] && name != NULL && *name != '\0') {
		err(L, line, "section [%s] takes no name", head);
		return -1;
	}
	struct config *c = L->c;
	L->sect = (enum sect)s;
	L->sect_line = line;
	L->obj = NULL;
	switch (s) {
	case S_MAILBOX:
		for (size_t i = 0; i < c->n_mailboxes; i++)
			if (strcmp(c->mailboxes[i].name, name) == 0)
				err(L, line, "[mailbox %s] is defined twice (first on line %d)", name, c->mailboxes[i].line);
		c->mailboxes = grow(c->mailboxes, &c->n_mailboxes, sizeof(*c->mailboxes));
		L->obj = &c->mailboxes[c->n_mailboxes - 1];
		c->mailboxes[c->n_mailboxes - 1].name = xstrdup(name);
		c->mailboxes[c->n_mailboxes - 1].line = line;
		break;
	case S_DROP:
		for (size_t i = 0; i < c->n_drops; i++)
			if (strcmp(c->drops[i].name, name) == 0)
				err(L, line, "[drop %s] is defined twice (first on line %d)", name, c->drops[i].line);
		c->drops = grow(c->drops, &c->n_drops, sizeof(*c->drops));
		L->obj = &c->drops[c->n_drops - 1];
		c->drops[c->n_drops - 1].name = xstrdup(name);
		c->drops[c->n_drops - 1].line = line;
		break;
	case S_PARTNER:
		for (size_t i = 0; i < c->n_partners; i++)
			if (strcmp(c->partners[i].id, name) == 0)
				err(L, line, "[partner %s] is defined twice (first on line %d)", name, c->partners[i].line);
		c->partners = grow(c->partners, &c->n_partners, sizeof(*c->partners));
		L->obj = &c->partners[c->n_partners - 1];
		c->partners[c->n_partners - 1].id = xstrdup(name);
		c->partners[c->n_partners - 1].line = line;
		break;
	case S_RULE:
		c->rules = grow(c->rules, &c->n_rules, sizeof(*c->rules));
		L->obj = &c->rules[c->n_rules - 1];
		c->rules[c->n_rules - 1].name = xstrdup(name);
		c->rules[c->n_rules - 1].line = line;
		break;
	case S_ROUTE:
		for (size_t i = 0; i < c->n_routes; i++)
			if (strcmp(c->routes[i].name, name) == 0)
				err(L, line, "[route %s] is defined twice (first on line %d)", name, c->routes[i].line);
		c->routes = grow(c->routes, &c->n_routes, sizeof(*c->routes));
		L->obj = &c->routes[c->n_routes - 1];
		c->routes[c->n_routes - 1].name = xstrdup(name);
		c->routes[c->n_routes - 1].line = line;
		break;
	case S_STAGE:
		for (size_t i = 0; i < c->n_stage_cfgs; i++)
			if (strcmp(c->stage_cfgs[i].name, name) == 0)
				err(L, line, "[stage %s] is defined twice (first on line %d)", name, c->stage_cfgs[i].line);
		c->stage_cfgs = grow(c->stage_cfgs, &c->n_stage_cfgs, sizeof(*c->stage_cfgs));
		L->obj = &c->stage_cfgs[c->n_stage_cfgs - 1];
		c->stage_cfgs[c->n_stage_cfgs - 1].name = xstrdup(name);
		c->stage_cfgs[c->n_stage_cfgs - 1].line = line;
		break;
	case S_OUTBOX:
		if (c->has_outbox)
			err(L, line, "[outbox] is defined twice (first on line %d)", c->outbox.line);
		c->has_outbox = true;
		c->outbox.line = line;
		L->obj = &c->outbox;
		break;
	default:
		break;
	}
	return 0;
}

static void handle_line(struct loader *L, char *s, int line)
{
	s = trim(s);
	if (*s == '\0' || *s == '#' || *s == ';')
		return;
	if (*s == '[') {
		char *e = strchr(s, ']');
		if (e == NULL || trim(e + 1)[0] != '\0') {
			err(L, line, "a section header must be one [name] on its own line");
			return;
		}
		*e = '\0';
		close_section(L);
		L->skip = open_section(L, trim(s + 1), line) < 0;
		return;
	}
	char *eq = strchr(s, '=');
	if (eq == NULL) {
		err(L, line, "expected \"key = value\", found \"%.60s\"", s);
		return;
	}
	*eq = '\0';
	char *k = trim(s), *v = trim(eq + 1);
	/* An inline comment needs white space before it. */
	for (char *p = v; *p; p++)
		if ((*p == '#' || *p == ';') && p > v && isspace((unsigned char)p[-1])) {
			*p = '\0';
			v = trim(v);
			break;
		}
	if (L->sect == S_GLOBAL && L->skip)
		return;   /* the refused section header was reported already */
	if (L->sect == S_GLOBAL) {
		err(L, line, "\"%s\" is outside any section (put it under [store], [mailbox NAME], ...)", k);
		return;
	}
	if (strcmp(k, "password") == 0) {
		err(L, line, "passwords do not belong in this file: put it in a file of its own and name it with password_file");
		return;
	}
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		if (keys[i].sect != L->sect || strcmp(keys[i].name, k) != 0)
			continue;
		if (L->seen[i])
			diag_add(L->d, DIAG_WARNING, NULL, "line %d: \"%s\" is set twice in this section; the last one counts", line, k);
		L->seen[i] = true;
		if (*v == '\0' && !keys[i].required) {
			return;
		}
		if (*v == '\0') {
			err(L, line, "%s: a value is required", k);
			return;
		}
		set_value(L, &keys[i], v, line);
		return;
	}
	/* Suggest the keys of this section. */
	char known[512] = "";
	size_t n = 0;
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (keys[i].sect == L->sect) {
			int w = snprintf(known + n, sizeof(known) - n, "%s%s", n ? ", " : "", keys[i].name);
			if (w < 0 || (size_t)w >= sizeof(known) - n)
				break;
			n += (size_t)w;
		}
	err(L, line, "unknown key \"%s\" in [%s] (known: %s)", k, sect_names[L->sect], known);
}

static void check_cross(struct loader *L)
{
	struct config *c = L->c;
	for (size_t i = 0; i < c->n_mailboxes; i++) {
		struct cfg_mailbox *m = &c->mailboxes[i];
		if (m->url == NULL || strncmp(m->url, "maildir:", 8) == 0)
			continue;
		if (m->user == NULL || m->password_file == NULL)
			err(L, m->line, "[mailbox %s]: an IMAP mailbox needs user and password_file", m->name);
		if (strcmp(m->tls, "none") == 0 && strncmp(m->url, "imaps:", 6) == 0)
			err(L, m->line, "[mailbox %s]: tls = none contradicts imaps://", m->name);
	}
	for (size_t i = 0; i < c->n_drops; i++) {
		struct cfg_drop *d = &c->drops[i];
		if (d->url == NULL || strncmp(d->url, "sftp:", 5) != 0)
			continue;
		if (d->known_hosts == NULL)
			err(L, d->line, "[drop %s]: known_hosts is required for sftp (host keys are always checked)", d->name);
		if (d->user == NULL || d->key_file == NULL)
			err(L, d->line, "[drop %s]: an sftp drop needs user and key_file", d->name);
	}
	for (size_t i = 0; i < c->n_partners; i++) {
		struct cfg_partner *p = &c->partners[i];
		for (size_t j = 0; j < p->required.n; j++) {
			const char *r = p->required.v[j];
			char *end;
			long n = (r[0] == 'C' || r[0] == 'V') ? strtol(r + 1, &end, 10) : 0;
			if (n < 1 || *end != '\0' || (r[0] == 'C' && n > 14) || (r[0] == 'V' && n > 18))
				err(L, p->line, "[partner %s]: required: \"%s\" is not a check (C1..C14, V1..V18)", p->id, r);
		}
		if (p->queue != NULL && config_stage_index(c, p->queue) < 0)
			err(L, p->line, "[partner %s]: queue \"%s\" is not one of the stages", p->id, p->queue);
	}
	/* Rule sets and column maps are read now, so check-config reports
	 * their mistakes (as their own file:line) before a reload. */
	for (size_t i = 0; i < c->n_partners; i++) {
		struct cfg_partner *p = &c->partners[i];
		if (p->rules_path != NULL && text_rules_load(p->rules_path, &p->rules, L->d) < 0)
			err(L, p->line, "[partner %s]: rules: %s cannot be used (see above)", p->id, p->rules_path);
		if (p->csv_map_path != NULL && csv_map_load(p->csv_map_path, &p->csv_map, L->d) < 0)
			err(L, p->line, "[partner %s]: csv_map: %s cannot be used (see above)", p->id, p->csv_map_path);
	}
	for (size_t i = 0; i < c->n_rules; i++) {
		struct cfg_rule *r = &c->rules[i];
		if (r->parser != NULL && (strncmp(r->parser, "text:", 5) == 0 || strncmp(r->parser, "csv:", 4) == 0)) {
			bool text = r->parser[0] == 't';
			char *path = resolve_path(c, r->parser + (text ? 5 : 4));
			int rc = text ? text_rules_load(path, &r->rules, L->d) : csv_map_load(path, &r->csv_map, L->d);
			if (rc < 0)
				err(L, r->line, "[rule %s]: parser: %s cannot be used (see above)", r->name, path);
			free(path);
		} else if (r->parser != NULL && strcmp(r->parser, "auto") != 0 && strcmp(r->parser, "email") != 0 &&
			   strcmp(r->parser, "text") != 0 && strcmp(r->parser, "csv") != 0 &&
			   strcmp(r->parser, "x12") != 0 && strcmp(r->parser, "edifact") != 0 &&
			   strcmp(r->parser, "ubl") != 0 && strcmp(r->parser, "cxml") != 0) {
			err(L, r->line, "[rule %s]: parser \"%s\" is not auto, a format name, text:PATH or csv:PATH",
			    r->name, r->parser);
		}
		if (r->partner != NULL && config_partner(c, r->partner) == NULL)
			err(L, r->line, "[rule %s]: partner \"%s\" is not defined", r->name, r->partner);
		if (r->mailbox != NULL) {
			bool found = false;
			for (size_t j = 0; j < c->n_mailboxes; j++)
				found |= strcmp(c->mailboxes[j].name, r->mailbox) == 0;
			if (!found)
				err(L, r->line, "[rule %s]: mailbox \"%s\" is not defined", r->name, r->mailbox);
		}
		if (r->subject != NULL) {
			int ec;
			PCRE2_SIZE eo;
			r->subject_re = (struct pcre2_real_code_8 *)pcre2_compile((PCRE2_SPTR)r->subject,
				PCRE2_ZERO_TERMINATED, PCRE2_UTF | PCRE2_CASELESS, &ec, &eo, NULL);
			if (r->subject_re == NULL) {
				PCRE2_UCHAR msg[256];
				pcre2_get_error_message(ec, msg, sizeof(msg));
				err(L, r->line, "[rule %s]: subject: %s at offset %zu", r->name, (char *)msg, (size_t)eo);
			}
		}
	}
}

/* Routes and stage sections name stages that must exist; a route's
 * conditions must be readable now rather than fail on the first order. */
static void check_desk(struct loader *L)
{
	struct config *c = L->c;
	for (size_t i = 0; i < c->n_routes; i++) {
		struct cfg_route *r = &c->routes[i];
		if (r->stage != NULL && config_stage_index(c, r->stage) < 0)
			err(L, r->line, "[route %s]: stage \"%s\" is not one of the stages", r->name, r->stage);
		if (r->partner != NULL && strcmp(r->partner, "*") != 0 && config_partner(c, r->partner) == NULL)
			err(L, r->line, "[route %s]: partner \"%s\" is not defined", r->name, r->partner);
		if (r->max_total != NULL && strcmp(r->max_total, "credit_limit") != 0) {
			const char *p = r->max_total;
			while (isdigit((unsigned char)*p) || *p == '.')
				p++;
			if (*p != '\0' || p == r->max_total)
				err(L, r->line, "[route %s]: max_total: expected a decimal such as 50000.00 or credit_limit, found \"%s\"",
				    r->name, r->max_total);
		}
	}
	for (size_t i = 0; i < c->n_stage_cfgs; i++) {
		struct cfg_stage *g = &c->stage_cfgs[i];
		if (config_stage_index(c, g->name) < 0)
			err(L, g->line, "[stage %s]: not one of the stages in [queues] stages", g->name);
		if ((g->webhook_url == NULL) != (g->webhook_secret_file == NULL))
			err(L, g->line, "[stage %s]: webhook_url and webhook_secret_file go together", g->name);
	}
}

const char *config_default_path(void)
{
	const char *e = getenv("ORDERGW_CONFIG");
	return e && *e ? e : SYSCONFDIR "/ordergw/ordergw.conf";
}

int config_load(const char *path, struct config **out, struct diags *d)
{
	*out = NULL;
	const char *saved_prefix = d->prefix;
	d->prefix = path;
	size_t errors_before = d->n_errors;
	FILE *f = fopen(path, "r");
	if (f == NULL) {
		diag_add(d, DIAG_ERROR, NULL, "cannot open: %s", strerror(errno));
		d->prefix = saved_prefix;
		return -1;
	}
	struct config *c = xcalloc(1, sizeof(*c));
	c->path = xstrdup(path);
	const char *slash = strrchr(path, '/');
	c->dir = slash ? strndup(path, (size_t)(slash - path) ? (size_t)(slash - path) : 1) : xstrdup(".");
	if (c->dir == NULL)
		fatal("out of memory");
	struct loader L = { .c = c, .d = d, .file = path, .sect = S_GLOBAL };
	/* Defaults for the single sections, then the file. */
	for (enum sect s = S_STORE; s <= S_TEMPLATES; s++) {
		L.sect = s;
		apply_defaults(&L, s);
	}
	L.sect = S_GLOBAL;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int lineno = 0;
	while ((n = getline(&line, &cap, f)) >= 0) {
		lineno++;
		if ((size_t)n > OG_MAX_CONFIG_LINE) {
			err(&L, lineno, "line longer than %u bytes", OG_MAX_CONFIG_LINE);
			continue;
		}
		if (lineno == 1 && strncmp(line, "\xEF\xBB\xBF", 3) == 0)
			memmove(line, line + 3, strlen(line + 3) + 1);
		handle_line(&L, line, lineno);
	}
	free(line);
	fclose(f);
	close_section(&L);
	if (!c->has_outbox) {
		L.sect = S_OUTBOX;
		L.obj = &c->outbox;
		apply_defaults(&L, S_OUTBOX);
		c->has_outbox = true;
	}
	if (c->stages.n == 0)
		err(&L, 1, "[queues] stages: at least one stage is needed");
	check_cross(&L);
	check_desk(&L);
	d->prefix = saved_prefix;
	if (d->n_errors > errors_before) {
		config_free(&c);
		return -1;
	}
	*out = c;
	return 0;
}

static void free_key_fields(void *obj, enum sect s)
{
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		if (keys[i].sect != s)
			continue;
		void *field = (char *)obj + keys[i].off;
		switch (keys[i].type) {
		case K_STR: case K_PATH: case K_ENUM: case K_URL: case K_DEC:
			free(*(char **)field);
			*(char **)field = NULL;
			break;
		case K_LIST:
			strlist_free(field);
			break;
		default:
			break;
		}
	}
}

void config_free(struct config **cp)
{
	struct config *c = *cp;
	if (c == NULL)
		return;
	for (enum sect s = S_STORE; s <= S_TEMPLATES; s++)
		free_key_fields(c, s);
	for (size_t i = 0; i < c->n_mailboxes; i++) {
		free_key_fields(&c->mailboxes[i], S_MAILBOX);
		free(c->mailboxes[i].name);
	}
	for (size_t i = 0; i < c->n_drops; i++) {
		free_key_fields(&c->drops[i], S_DROP);
		free(c->drops[i].name);
	}
	free_key_fields(&c->outbox, S_OUTBOX);
	for (size_t i = 0; i < c->n_partners; i++) {
		free_key_fields(&c->partners[i], S_PARTNER);
		text_rules_free(&c->partners[i].rules);
		csv_map_free(&c->partners[i].csv_map);
		free(c->partners[i].id);
	}
	for (size_t i = 0; i < c->n_rules; i++) {
		free_key_fields(&c->rules[i], S_RULE);
		pcre2_code_free((pcre2_code *)c->rules[i].subject_re);
		text_rules_free(&c->rules[i].rules);
		csv_map_free(&c->rules[i].csv_map);
		free(c->rules[i].name);
	}
	for (size_t i = 0; i < c->n_routes; i++) {
		free_key_fields(&c->routes[i], S_ROUTE);
		free(c->routes[i].name);
	}
	for (size_t i = 0; i < c->n_stage_cfgs; i++) {
		free_key_fields(&c->stage_cfgs[i], S_STAGE);
		free(c->stage_cfgs[i].name);
	}
	free(c->routes);
	free(c->stage_cfgs);
	free(c->mailboxes);
	free(c->drops);
	free(c->partners);
	free(c->rules);
	free(c->path);
	free(c->dir);
	free(c);
	*cp = NULL;
}

const struct cfg_partner *config_partner(const struct config *c, const char *id)
{
	for (size_t i = 0; id && i < c->n_partners; i++)
		if (strcmp(c->partners[i].id, id) == 0)
			return &c->partners[i];
	return NULL;
}

const struct cfg_partner *config_partner_by_email(const struct config *c, const char *addr)
{
	/* An exact address wins over a wildcard pattern. */
	const struct cfg_partner *wild = NULL;
	for (size_t i = 0; addr && i < c->n_partners; i++)
		for (size_t j = 0; j < c->partners[i].emails.n; j++) {
			const char *pat = c->partners[i].emails.v[j];
			if (strchr(pat, '*') == NULL && strcasecmp(pat, addr) == 0)
				return &c->partners[i];
			if (wild == NULL && config_glob(pat, addr))
				wild = &c->partners[i];
		}
	return wild;
}

const struct cfg_partner *config_partner_by_edi(const struct config *c, const char *sender)
{
	if (sender == NULL)
		return NULL;
	const char *bare = strchr(sender, ':') ? strchr(sender, ':') + 1 : sender;
	for (size_t i = 0; i < c->n_partners; i++)
		for (size_t j = 0; j < c->partners[i].edi_ids.n; j++) {
			const char *id = c->partners[i].edi_ids.v[j];
			const char *idbare = strchr(id, ':') ? strchr(id, ':') + 1 : id;
			/* "ZZ:ACME" matches exactly; an id without qualifier matches any. */
			if (strcasecmp(id, sender) == 0 || (strchr(id, ':') == NULL && strcasecmp(idbare, bare) == 0))
				return &c->partners[i];
		}
	return NULL;
}

const struct cfg_rule *config_rule_for_mail(const struct config *c, const char *mailbox,
					    const char *from, const char *subject)
{
	for (size_t i = 0; i < c->n_rules; i++) {
		const struct cfg_rule *r = &c->rules[i];
		if (r->mailbox && (mailbox == NULL || strcmp(r->mailbox, mailbox) != 0))
			continue;
		if (r->from && (from == NULL || !config_glob(r->from, from)))
			continue;
		if (r->subject_re != NULL) {
			const char *s = subject ? subject : "";
			pcre2_match_data *md = pcre2_match_data_create(4, NULL);
			pcre2_match_context *mc = pcre2_match_context_create(NULL);
			if (md == NULL || mc == NULL)
				fatal("out of memory");
			pcre2_set_match_limit(mc, c->pcre2_match_limit);
			pcre2_set_depth_limit(mc, c->pcre2_depth_limit);
			int rc = pcre2_match((pcre2_code *)r->subject_re, (PCRE2_SPTR)s, strlen(s), 0, 0, md, mc);
			pcre2_match_data_free(md);
			pcre2_match_context_free(mc);
			if (rc < 0)
				continue;
		}
		return r;
	}
	return NULL;
}

int config_stage_index(const struct config *c, const char *stage)
{
	for (size_t i = 0; stage && i < c->stages.n; i++)
		if (strcmp(c->stages.v[i], stage) == 0)
			return (int)i;
	return -1;
}

const struct cfg_stage *config_stage(const struct config *c, const char *stage)
{
	for (size_t i = 0; stage && i < c->n_stage_cfgs; i++)
		if (strcmp(c->stage_cfgs[i].name, stage) == 0)
			return &c->stage_cfgs[i];
	return NULL;
}

void config_print_man(void *file)
{
	FILE *f = file;
	fputs(".TH ORDERGW.CONF 5 \"\" \"ordergw\" \"File Formats\"\n"
	      ".SH NAME\nordergw.conf \\- configuration of the ordergw order gateway\n"
	      ".SH DESCRIPTION\nOne INI file. Lines starting with # or ; are comments; a # or ; after\n"
	      "white space ends a value. Sections [mailbox NAME], [drop NAME], [partner ID] and\n"
	      "[rule NAME] may repeat with different names. Relative paths are taken relative to\n"
	      "the folder of the file. Passwords never appear here: name a file that holds one\n"
	      "with password_file. Check a file with\n.B ordergw -c FILE check-config\n"
	      "before a reload; every mistake is reported as file:line.\n"
	      ".SH LIMITS\nA document over max_message_bytes is stored with its headers only and\n"
	      "raised as an exception; more than max_mime_parts parts or deeper nesting than\n"
	      "max_mime_depth is reported and the rest ignored; every rule pattern runs with the\n"
	      "regex match and depth limits. None of these stop the daemon or hold up other documents.\n", f);
	enum sect last = S_GLOBAL;
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		const struct key *k = &keys[i];
		if (k->sect != last) {
			fprintf(f, ".SH [%s%s]\n", sect_names[k->sect], sect_named[k->sect] ? " NAME" : "");
			last = k->sect;
		}
		fprintf(f, ".TP\n.B %s\n%s.%s%s%s%s\n", k->name, k->help, k->required ? " Required." : "",
			k->def ? " Default: " : "", k->def ? k->def : "", k->def ? "." : "");
	}
	fputs(".SH SEE ALSO\nordergw(1), ordergwd(8)\n", f);
}

void config_print_keys(void *file)
{
	FILE *f = file;
	enum sect last = S_GLOBAL;
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		const struct key *k = &keys[i];
		if (k->sect != last) {
			fprintf(f, "%s[%s%s]\n", last == S_GLOBAL ? "" : "\n", sect_names[k->sect],
				sect_named[k->sect] ? " NAME" : "");
			last = k->sect;
		}
		fprintf(f, "%-20s %s%s%s%s%s\n", k->name, k->help,
			k->required ? " (required)" : "", k->def ? " [default: " : "", k->def ? k->def : "",
			k->def ? "]" : "");
	}
}
