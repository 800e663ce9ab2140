/* config.h — the configuration file (interfaces.md, "Configuration").
 *
 * One INI file; sections may repeat with different names ([mailbox NAME],
 * [drop NAME], [partner ID], [rule NAME]).  Every key is described once in
 * a table in config.c (name, type, default, range, help) that drives the
 * parser, `ordergw check-config` and docs/ordergw.conf.5.  Errors are
 * reported as "file:line: message", all of them in one pass.  Relative
 * paths are taken relative to the folder of the configuration file, so a
 * state folder can be moved as a whole.  The struct is read-only after
 * config_load(); config_free() releases everything. */
#ifndef ORDERGW_CONFIG_H
#define ORDERGW_CONFIG_H
#include <stdbool.h>
#include <stddef.h>
#include "diag.h"

struct text_rules;
struct csv_map;
struct pcre2_real_code_8;

struct strlist {
	char **v;
	size_t n;
};

struct cfg_mailbox {
	char *name;
	char *url;              /* imaps://, imap://, maildir:/path */
	char *user, *password_file, *ca_file;
	char *tls;              /* "required" (default) or "none" */
	char *auth;             /* "login", "plain" or NULL: plain when offered */
	char *done_folder;
	int poll;               /* seconds */
	int batch;
	int line;
};

struct cfg_drop {
	char *name;
	char *url;              /* sftp://host:port/path/ or dir:/path */
	char *user, *key_file, *known_hosts;
	char *archive;
	char *outbound;         /* where EDI responses go (dir: or sftp:) */
	char *pattern;          /* glob of files to take, default "*" */
	int stable_seconds;
	char *ready_suffix;     /* e.g. ".done": take NAME when NAME.done exists */
	int poll;
	int line;
};

struct cfg_outbox {
	char *url;              /* smtp://, smtps://, maildir:/path */
	char *user, *password_file, *ca_file, *tls;
	char *from;             /* "Orders <orders@example.com>" */
	int max_attempts;
	int retry_seconds;      /* first back-off after a temporary failure */
	int line;
};

struct cfg_partner {
	char *id, *name;
	struct strlist emails;      /* address patterns: a@b, *@b */
	struct strlist edi_ids;     /* "ZZ:ACMEUS", "14:5412345000013" */
	char *locale;
	struct strlist required;    /* blocking checks */
	char *queue;                /* first stage */
	char *currency;             /* agreed default currency, or NULL */
	char *rules_path;           /* text rules for this partner, or NULL */
	char *csv_map_path;
	char *credit_limit;         /* decimal, or NULL */
	char *usual_incoterms;      /* e.g. "FOB" */
	char *usual_payment_terms;
	int lead_time_days;
	int max_order_age_days;
	struct text_rules *rules;   /* loaded */
	struct csv_map *csv_map;    /* loaded */
	int line;
};

struct cfg_rule {
	char *name;
	char *mailbox;              /* NULL: any */
	char *from;                 /* glob on the sender address, NULL: any */
	char *subject;              /* PCRE2, NULL: any */
	struct pcre2_real_code_8 *subject_re;
	char *parser;               /* "auto", "text:PATH", "csv:PATH", or a format name */
	char *partner;              /* partner id, or NULL */
	struct text_rules *rules;   /* from parser=text:PATH */
	struct csv_map *csv_map;    /* from parser=csv:PATH */
	int line;
};

/* [route NAME]: routing of accepted orders, tried in file order (routing.h). */
struct cfg_route {
	char *name;
	char *partner;              /* partner id, "*" any known partner, NULL any order */
	char *max_total;            /* decimal or "credit_limit", NULL: no limit */
	char *incoterms;            /* "usual" or a code, NULL: any */
	char *payment_terms;        /* "usual" or the text, NULL: any */
	char *currency;             /* "usual" or ISO 4217, NULL: any */
	char *stage;                /* where a matching order goes */
	int line;
};

/* [stage NAME]: hand-off and customer messages of one stage queue. */
struct cfg_stage {
	char *name;
	char *webhook_url;          /* POST on entering the stage, or NULL */
	char *webhook_secret_file;  /* HMAC-SHA256 key */
	char *message_on_enter;     /* notify kind name, "none", or NULL: built-in default */
	char *message_on_done;
	int line;
};

struct config {
	char *path;                 /* the file read */
	char *dir;                  /* its folder */
	char *store_path;
	struct strlist stages;
	char *company_name;
	char *our_edi_ids_raw;      /* [company] edi_ids */
	struct strlist our_edi_ids;
	char *templates_dir;        /* override folder, or NULL */
	char *default_locale;
	size_t max_message_bytes, max_order_bytes;
	size_t max_mime_parts, max_mime_depth;
	unsigned pcre2_match_limit, pcre2_depth_limit;
	int lease_seconds, max_failures;
	int claim_timeout;          /* [queues] seconds; 0: claims never expire */
	struct cfg_mailbox *mailboxes; size_t n_mailboxes;
	struct cfg_drop *drops; size_t n_drops;
	struct cfg_outbox outbox;
	bool has_outbox;
	struct cfg_partner *partners; size_t n_partners;
	struct cfg_rule *rules; size_t n_rules;
	struct cfg_route *routes; size_t n_routes;
	struct cfg_stage *stage_cfgs; size_t n_stage_cfgs;
};

/* The default path: $ORDERGW_CONFIG, else SYSCONFDIR/ordergw/ordergw.conf. */
const char *config_default_path(void);
/* 0 ok; -1 with every problem in d ("file:line: ..."). */
int config_load(const char *path, struct config **out, struct diags *d);
void config_free(struct config **c);

const struct cfg_partner *config_partner(const struct config *c, const char *id);
const struct cfg_partner *config_partner_by_email(const struct config *c, const char *addr);
const struct cfg_partner *config_partner_by_edi(const struct config *c, const char *sender);
/* The first rule matching a mail; NULL when none. */
const struct cfg_rule *config_rule_for_mail(const struct config *c, const char *mailbox,
					    const char *from, const char *subject);
int config_stage_index(const struct config *c, const char *stage);   /* -1: none */
/* The [stage NAME] section, or NULL when there is none. */
const struct cfg_stage *config_stage(const struct config *c, const char *stage);
/* Write the table of keys (for the man page and `check-config --keys`). */
void config_print_keys(void *file);
/* The same as a man page, ordergw.conf(5). */
void config_print_man(void *file);
/* "90", "90s", "30m", "2h", "3d", "1w" in seconds; -1 when not one. */
long long config_duration(const char *s);
/* Shell-style match of an address or file name against a pattern with '*'. */
bool config_glob(const char *pattern, const char *s);

#endif
