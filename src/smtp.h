/* smtp.h — send one already-composed message over SMTP (libetpan mailsmtp).
 *
 * Why libetpan and not libcurl: the same verified-TLS path as IMAP
 * (tlsverify.h, one trust policy, one STARTTLS-injection check), and
 * direct access to every reply code and text, which the retry policy needs
 * (libcurl reports "RCPT failed: 550" without the server's text and fails
 * the whole transfer on the first refused recipient).
 *
 * A send is all or nothing: every recipient must be accepted before DATA
 * is sent, otherwise the transaction is reset and nothing is delivered, so
 * a retry with the SAME bytes (same Message-ID) never duplicates for some
 * recipients.  The message bytes are sent exactly: bare LF becomes CRLF,
 * lines starting with "." are dot-stuffed, nothing is added or removed.
 *
 * EHLO carries this host's name (gethostname(); libetpan offers no other).
 * The caller must ignore SIGPIPE (the daemon does), as for imap.h. */
#ifndef ORDERGW_SMTP_H
#define ORDERGW_SMTP_H
#include "chan.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct smtp_conf {
	const char *host;         /* DNS name or address; also the certificate's name */
	unsigned port;            /* 587 (smtp + STARTTLS), 465 (smtps), 25 */
	enum chan_tls tls;        /* STARTTLS required unless CHAN_TLS_NONE */
	const char *user;         /* NULL or "": no AUTH */
	const char *password;     /* from password_file; never logged */
	const char *ca_file;      /* PEM trust anchors besides the system store; NULL: none */
	int timeout_s;            /* per network operation; 0: 60 s */
};

/* Fill host, port, tls from an [outbox] url: smtp://host[:587], smtps://host[:465].
 * The strings in conf point into *u, which the caller keeps. */
int smtp_conf_from_url(struct smtp_conf *conf, struct chan_url *u, const char *url,
	bool tls_none, struct chan_err *err);

/* Send msg[len] from the envelope sender from (may be "" for a null
 * sender) to rcpts[0..nrcpt).  Returns
 *    0  the server accepted the message (250 after DATA);
 *    1  temporary: 4xx, connection refused or lost, timeout — retry later
 *       with the same bytes (err->msg has the reply);
 *   -1  err->kind says: CHAN_PERM a 5xx reply (err->msg has the code and
 *       the server's text; do not retry this message), CHAN_TRUST /
 *       CHAN_AUTH / CHAN_CONFIG the setup is wrong (keep the message, fix
 *       the configuration). */
int smtp_send(const struct smtp_conf *conf, const char *from, const char *const *rcpts,
	size_t nrcpt, const char *msg, size_t len, struct chan_err *err);

/* When to try again after `attempt` failures (attempt 0 = the first
 * failure): base_s * 2^attempt capped at cap_s, with "equal jitter": half of
 * it fixed, the other half spread by rnd (any 32-bit random number), so
 * many queued messages do not retry in lock-step.  Never earlier than
 * now + 1. */
time_t smtp_next_retry(time_t now, unsigned attempt, unsigned base_s, unsigned cap_s,
	uint32_t rnd);

#endif
