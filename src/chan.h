/* chan.h — what the network channels (IMAP, SMTP, SFTP) share: how they say
 * what went wrong, and how a channel URL is split.
 *
 * Every channel function that can fail takes a struct chan_err * (may be
 * NULL) and fills it on failure: a kind that tells the caller what to do
 * next and one sentence for the log.  The sentence never holds a credential.
 *
 *   CHAN_TEMP    the network or the server failed for now (connection
 *                refused or lost, timeout, 4xx): reconnect / retry later
 *                with back-off.
 *   CHAN_AUTH    the server refused the user name, password or key:
 *                retrying will not help until the configuration changes.
 *   CHAN_CONFIG  the configuration is unusable (bad URL, unreadable file,
 *                missing folder, server lacks a required feature such as
 *                STARTTLS): fix the configuration.
 *   CHAN_TRUST   the server's certificate or SSH host key was refused (the
 *                peer may be an impostor): never retried silently.
 *   CHAN_PERM    the server refused this one item for good (SMTP 5xx, a
 *                remote file that is gone): do not retry this item.
 *   CHAN_LIMIT   a size limit of ours was hit (the item is too large). */
#ifndef ORDERGW_CHAN_H
#define ORDERGW_CHAN_H
#include <stdbool.h>

enum chan_kind {
	CHAN_OK = 0,
	CHAN_TEMP,
	CHAN_AUTH,
	CHAN_CONFIG,
	CHAN_TRUST,
	CHAN_PERM,
	CHAN_LIMIT,
};

#define CHAN_ERR_MAX 512

struct chan_err {
	enum chan_kind kind;
	char msg[CHAN_ERR_MAX];   /* NUL-terminated; truncated with "..." */
};

/* Fill err (when not NULL); always returns -1 so "return chan_fail(...)"
 * reads naturally. */
int chan_fail(struct chan_err *err, enum chan_kind kind, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void chan_err_clear(struct chan_err *err);
/* "temporary", "authentication", ... for logs and tests. */
const char *chan_kind_name(enum chan_kind kind);

/* A channel URL: scheme://host[:port][/path].  The host may be an IPv6
 * literal in brackets; the path is percent-decoded.  Credentials in the URL
 * (user@host) are refused: they belong in password_file / key_file. */
struct chan_url {
	char scheme[16];          /* lower case: "imaps", "smtp", "sftp", ... */
	char host[256];           /* without brackets */
	unsigned port;            /* default_port when the URL has none */
	char path[1024];          /* "/" when the URL has no path */
};

/* 0 ok, -1 with CHAN_CONFIG naming what is wrong. */
int chan_url_parse(const char *url, unsigned default_port, struct chan_url *u,
	struct chan_err *err);

/* How a mail channel is secured. */
enum chan_tls {
	CHAN_TLS_STARTTLS = 0,    /* plain connect, STARTTLS required (imap://, smtp://) */
	CHAN_TLS_IMPLICIT,        /* TLS from the first byte (imaps://, smtps://) */
	CHAN_TLS_NONE,            /* no TLS at all: only when tls = none is configured */
};

/* Parse a mail URL whose scheme is plain ("imap", "smtp": STARTTLS unless
 * tls_none) or tls ("imaps", "smtps"), filling in the default port of each. */
int chan_url_mail(const char *url, const char *plain, unsigned plain_port, const char *tls,
	unsigned tls_port, bool tls_none, struct chan_url *u, enum chan_tls *tls_r,
	struct chan_err *err);

#endif
