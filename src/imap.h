/* imap.h — IMAP client for polling one mailbox (libetpan), independent of
 * any store: the caller commits each message from a callback and then asks
 * for the stored UIDs to be moved to the done folder.
 *
 * Transport security: imaps (TLS from the first byte), STARTTLS (required:
 * a server that does not offer it is refused before any password is sent)
 * or none (only when configured).  The certificate is always verified
 * (tlsverify.h); nothing is sent before it is.
 *
 * Every function returns 0 ok, -1 error (struct chan_err says which kind),
 * or 1 where documented.  After CHAN_TEMP the connection is unusable: call
 * imap_close() and reconnect with back-off.  Messages are fetched with
 * BODY.PEEK so nothing is marked \Seen; a message leaves INBOX only through
 * imap_move(), after the caller stored it, so a crash or a lost connection
 * between the two only means the message is fetched again (the caller
 * deduplicates by UIDVALIDITY + UID or Message-ID).
 *
 * Authentication is AUTHENTICATE PLAIN (RFC 4616, with the initial
 * response on the command line when the server offers SASL-IR, else after
 * its "+" continuation) or LOGIN, always after TLS (LOGIN is refused under
 * LOGINDISABLED).  No Cyrus SASL plugin is needed.  The
 * caller must ignore SIGPIPE: a server that drops the connection must give
 * CHAN_TEMP, not kill the process. */
#ifndef ORDERGW_IMAP_H
#define ORDERGW_IMAP_H
#include "chan.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum imap_auth {
	IMAP_AUTH_AUTO,           /* PLAIN when the server advertises AUTH=PLAIN, else LOGIN */
	IMAP_AUTH_LOGIN,
	IMAP_AUTH_PLAIN,          /* refused (CHAN_CONFIG) when not advertised */
};

struct imap_conf {
	const char *host;         /* DNS name or address; also the name the
	                             certificate must carry */
	unsigned port;            /* 993 for imaps, 143 for imap */
	enum chan_tls tls;
	const char *user;         /* login name */
	const char *password;     /* read from password_file by the caller; never logged */
	const char *ca_file;      /* PEM trust anchors added to the system store; NULL: none */
	int timeout_s;            /* network timeout per operation; 0: 60 s */
	enum imap_auth auth;
	bool avoid_move;          /* use UID COPY + STORE \Deleted + UID EXPUNGE even if
	                             the server offers MOVE (servers with a broken MOVE) */
};

struct imap;

/* Fill host, port and tls from a [mailbox] url (imap://, imaps://) and
 * return the mailbox name from its path ("INBOX" when the path is empty)
 * in mailbox[mailbox_size].  tls_none is the "tls = none" key.  The
 * strings in conf point into *u, which the caller keeps. */
int imap_conf_from_url(struct imap_conf *conf, struct chan_url *u, const char *url,
	bool tls_none, char *mailbox, size_t mailbox_size, struct chan_err *err);

/* Connect, secure, verify, log in.  On success *imap_r is the session;
 * errors: CHAN_TEMP (network, server busy), CHAN_TRUST (certificate,
 * STARTTLS injection), CHAN_CONFIG (no STARTTLS offered, bad ca_file),
 * CHAN_AUTH (user or password refused). */
int imap_open(const struct imap_conf *conf, struct imap **imap_r, struct chan_err *err);

/* SELECT (read-write).  uidvalidity_r / uidnext_r / exists_r may be NULL.
 * A missing mailbox is CHAN_CONFIG. */
int imap_select(struct imap *imap, const char *mailbox, uint32_t *uidvalidity_r,
	uint32_t *uidnext_r, uint32_t *exists_r, struct chan_err *err);

/* Called once per message in ascending UID order.  data[len] is the whole
 * message (truncated == false) or, when the message is larger than
 * max_size, only its header (truncated == true; the caller stores it as an
 * exception).  data is valid during the call only.  Return 0 to go on,
 * non-zero to stop. */
typedef int imap_message_cb(void *ctx, uint32_t uid, const char *data, size_t len,
	bool truncated);

/* Fetch every message with UID > after_uid in the selected mailbox, batch
 * messages per UID FETCH (also at most OG_IMAP_MAX_BATCH_BYTES per batch,
 * except that one message alone may reach max_size).  *last_uid_r (may be
 * NULL) is the highest UID passed to cb.  Returns 0 when all were passed,
 * 1 when cb stopped early, -1 on error (messages passed before the error
 * stay passed). */
int imap_fetch_new(struct imap *imap, uint32_t after_uid, size_t batch, size_t max_size,
	imap_message_cb *cb, void *ctx, uint32_t *last_uid_r, struct chan_err *err);

/* Move the messages with these UIDs from the selected mailbox to folder
 * (created when missing), in as few commands as possible: UID MOVE when
 * offered, else UID COPY + UID STORE +FLAGS.SILENT (\Deleted) + UID
 * EXPUNGE (plain EXPUNGE when the server lacks UIDPLUS).  uids need not be
 * sorted; UIDs no longer in the mailbox are ignored by the server. */
int imap_move(struct imap *imap, const uint32_t *uids, size_t n, const char *folder,
	struct chan_err *err);

/* Wait up to timeout_s for the server to announce new mail: IDLE when the
 * server offers it (then DONE), else sleep and NOOP.  Returns 1 when an
 * EXISTS arrived, 0 on timeout, -1 on error.  A caller still polls with
 * imap_fetch_new() after 0: IDLE is a hint, not a guarantee. */
int imap_idle(struct imap *imap, int timeout_s, struct chan_err *err);

/* Capabilities learnt after login (for logs and tests). */
bool imap_has_idle(const struct imap *imap);
/* The mechanism that logged in: "PLAIN" or "LOGIN" (for logs and tests). */
const char *imap_auth_used(const struct imap *imap);
/* "login", "plain" or NULL (auto) from the [mailbox] auth key; -1 when
 * the text is none of these. */
int imap_auth_parse(const char *text, enum imap_auth *auth_r);
bool imap_has_move(const struct imap *imap);

/* LOGOUT (errors ignored), close, free; *imap is NULL afterwards. */
void imap_close(struct imap **imap);

#endif
