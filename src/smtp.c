/* smtp.c — the SMTP client of smtp.h on top of libetpan's mailsmtp.
 *
 * What it does: one connection per message: greeting, EHLO, STARTTLS
 * (required unless tls = none) with certificate verification, AUTH PLAIN or
 * LOGIN, MAIL, every RCPT, DATA with the exact bytes, QUIT.
 *
 * Ownership: everything is created and freed inside smtp_send(); the
 * password lives only in a stack buffer that is wiped after AUTH.
 *
 * Failure: reply codes are classified in one place (reply_fail): 4xx and a
 * lost connection are temporary (1), 5xx permanent (-1, CHAN_PERM) with
 * the server's text; certificate, AUTH and missing STARTTLS are -1 with
 * their own kinds. */
#include "smtp.h"
#include "limits.h"
#include "log.h"
#include "tlsverify.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <libetpan/libetpan.h>

/* Exported by libetpan 1.9.4 (Debian 12) but not declared in its headers.
 * The _private variant keeps the command out of libetpan's logger; AUTH
 * needs it, and our own AUTH avoids depending on Cyrus SASL plugins. */
int mailsmtp_send_command_private(mailsmtp *session, char *command);
int mailsmtp_read_response(mailsmtp *session);

struct smtp_run {
	const struct smtp_conf *conf;
	mailsmtp *s;
	struct chan_err *err;
};

int smtp_conf_from_url(struct smtp_conf *conf, struct chan_url *u, const char *url,
	bool tls_none, struct chan_err *err)
{
	if (chan_url_mail(url, "smtp", 587, "smtps", 465, tls_none, u, &conf->tls, err) < 0)
		return -1;
	if (strcmp(u->path, "/") != 0)
		return chan_fail(err, CHAN_CONFIG, "URL \"%s\": an SMTP URL has no path", url);
	conf->host = u->host;
	conf->port = u->port;
	return 0;
}

/* The server's last reply as one line: "550 5.1.1 no such user". */
static const char *reply_text(mailsmtp *s, char *buf, size_t buflen)
{
	const char *t = s != NULL && s->response != NULL ? s->response : "";
	int code = s != NULL ? s->response_code : 0;
	size_t n = (size_t)snprintf(buf, buflen, "%d ", code);
	for (; *t != '\0' && n + 4 < buflen; t++) {
		if (*t == '\n') {
			if (t[1] != '\0')
				n += (size_t)snprintf(buf + n, buflen - n, " / ");
		} else if ((unsigned char)*t >= 0x20) {
			buf[n++] = *t;
		}
	}
	buf[n < buflen ? n : buflen - 1] = '\0';
	return buf;
}

/* The one place where a reply code becomes a result: 1 (temporary) or -1. */
static int reply_fail(struct smtp_run *run, const char *what)
{
	char text[400];
	int code = run->s != NULL ? run->s->response_code : 0;
	const struct smtp_conf *c = run->conf;
	if (code == 0) {
		chan_fail(run->err, CHAN_TEMP, "smtp %s:%u: connection lost during %s",
			c->host, c->port, what);
		return 1;
	}
	reply_text(run->s, text, sizeof(text));
	if (code >= 400 && code < 500) {
		chan_fail(run->err, CHAN_TEMP, "smtp %s:%u: %s: %s", c->host, c->port, what, text);
		return 1;
	}
	return chan_fail(run->err, CHAN_PERM, "smtp %s:%u: %s: %s", c->host, c->port, what, text);
}

static int b64(const unsigned char *in, size_t n, char *out, size_t outlen)
{
	static const char tab[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t o = 0;
	if ((n + 2) / 3 * 4 + 1 > outlen)
		return -1;
	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)in[i] << 16;
		if (i + 1 < n)
			v |= (unsigned)in[i + 1] << 8;
		if (i + 2 < n)
			v |= in[i + 2];
		out[o++] = tab[(v >> 18) & 63];
		out[o++] = tab[(v >> 12) & 63];
		out[o++] = i + 1 < n ? tab[(v >> 6) & 63] : '=';
		out[o++] = i + 2 < n ? tab[v & 63] : '=';
	}
	out[o] = '\0';
	return 0;
}

/* Send one AUTH step (not logged) and read the reply code. */
static int auth_step(mailsmtp *s, const char *prefix, const unsigned char *data, size_t n)
{
	char line[1400];
	size_t p = (size_t)snprintf(line, sizeof(line), "%s", prefix);
	int code = -1;
	if (b64(data, n, line + p, sizeof(line) - p - 2) == 0) {
		memcpy(line + strlen(line), "\r\n", 3);
		code = mailsmtp_send_command_private(s, line) < 0 ? 0 : mailsmtp_read_response(s);
	}
	explicit_bzero(line, sizeof(line));
	return code;
}

static int smtp_auth(struct smtp_run *run)
{
	const struct smtp_conf *c = run->conf;
	mailsmtp *s = run->s;
	size_t ul = strlen(c->user), pl = c->password != NULL ? strlen(c->password) : 0;
	unsigned char plain[1 + 256 + 1 + 512];
	int code;

	if (ul > 256 || pl > 512)
		return chan_fail(run->err, CHAN_CONFIG, "smtp: user name or password too long");
	if (s->auth & MAILSMTP_AUTH_PLAIN) {
		plain[0] = '\0';
		memcpy(plain + 1, c->user, ul);
		plain[1 + ul] = '\0';
		if (pl > 0)
			memcpy(plain + 2 + ul, c->password, pl);
		code = auth_step(s, "AUTH PLAIN ", plain, 2 + ul + pl);
		explicit_bzero(plain, sizeof(plain));
	} else if (s->auth & MAILSMTP_AUTH_LOGIN) {
		code = auth_step(s, "AUTH LOGIN ", (const unsigned char *)c->user, ul);
		if (code == 334)
			code = auth_step(s, "", (const unsigned char *)(c->password ? c->password : ""), pl);
	} else {
		return chan_fail(run->err, CHAN_CONFIG,
			"smtp %s:%u: a user is configured but the server offers neither AUTH PLAIN "
			"nor AUTH LOGIN", c->host, c->port);
	}
	if (code == 235)
		return 0;
	char text[400];
	reply_text(s, text, sizeof(text));
	if (code == 0)
		return reply_fail(run, "AUTH");
	if (code >= 400 && code < 500 && code != 454)
		return reply_fail(run, "AUTH");
	return chan_fail(run->err, CHAN_AUTH, "smtp %s:%u: authentication refused: %s",
		c->host, c->port, text);
}

static int smtp_hello(struct smtp_run *run, int timeout)
{
	const struct smtp_conf *c = run->conf;
	int r = mailesmtp_ehlo(run->s);
	if (r == MAILSMTP_ERROR_STREAM)
		return reply_fail(run, "EHLO");
	if (r != MAILSMTP_NO_ERROR) {
		if (c->tls == CHAN_TLS_STARTTLS)
			return chan_fail(run->err, CHAN_CONFIG,
				"smtp %s:%u: server does not speak ESMTP, so no STARTTLS; refusing to send "
				"without TLS", c->host, c->port);
		if (mailsmtp_helo(run->s) != MAILSMTP_NO_ERROR)
			return reply_fail(run, "HELO");
		return 0;
	}
	if (c->tls != CHAN_TLS_STARTTLS)
		return 0;
	if (!(run->s->esmtp & MAILSMTP_ESMTP_STARTTLS))
		return chan_fail(run->err, CHAN_CONFIG,
			"smtp %s:%u: server does not offer STARTTLS; refusing to send without TLS "
			"(use smtps:// or, on a trusted network only, tls = none)", c->host, c->port);
	r = mailesmtp_starttls(run->s);
	if (r != MAILSMTP_NO_ERROR && run->s->response_code == 220)
		/* Debian's libetpan refuses data after the 220 itself. */
		return chan_fail(run->err, CHAN_TRUST,
			"smtp %s:%u: server sent data after accepting STARTTLS (response "
			"injection); connection refused", c->host, c->port);
	if (r != MAILSMTP_NO_ERROR)
		return reply_fail(run, "STARTTLS");
	if (tlsverify_starttls(run->s->stream, c->host, c->ca_file, timeout, run->err) < 0)
		return -1;
	r = mailesmtp_ehlo(run->s);   /* the pre-TLS answer may have been forged */
	return r == MAILSMTP_NO_ERROR ? 0 : reply_fail(run, "EHLO after STARTTLS");
}

/* DATA body: exact bytes, bare LF -> CRLF, dot-stuffed, then ".". */
static int send_body(mailsmtp *s, const char *msg, size_t len)
{
	mailstream *st = s->stream;
	size_t i = 0;
	while (i < len) {
		if (msg[i] == '.' && mailstream_write(st, ".", 1) < 0)
			return -1;
		const char *nl = memchr(msg + i, '\n', len - i);
		size_t end = nl != NULL ? (size_t)(nl - msg) : len;
		size_t text_end = end > i && msg[end - 1] == '\r' ? end - 1 : end;
		if (mailstream_write(st, msg + i, text_end - i) < 0 ||
		    mailstream_write(st, "\r\n", 2) < 0)
			return -1;
		i = nl != NULL ? end + 1 : len;
	}
	if (mailstream_write(st, ".\r\n", 3) < 0 || mailstream_flush(st) < 0)
		return -1;
	return 0;
}

static int valid_address(const char *a)
{
	return strlen(a) <= 320 && strpbrk(a, "\r\n<> ") == NULL;
}

static int transaction(struct smtp_run *run, const char *from, const char *const *rcpts,
	size_t nrcpt, const char *msg, size_t len)
{
	mailsmtp *s = run->s;
	if (mailsmtp_mail(s, from) != MAILSMTP_NO_ERROR && s->response_code != 250)
		return reply_fail(run, "MAIL FROM");
	for (size_t i = 0; i < nrcpt; i++) {
		if (mailsmtp_rcpt(s, rcpts[i]) == MAILSMTP_NO_ERROR ||
		    s->response_code == 250 || s->response_code == 251)
			continue;
		char what[400];
		snprintf(what, sizeof(what), "RCPT TO:<%s>", rcpts[i]);
		int ret = reply_fail(run, what);
		(void)mailsmtp_reset(s);    /* all or nothing */
		return ret;
	}
	if (mailsmtp_data(s) != MAILSMTP_NO_ERROR && s->response_code != 354)
		return reply_fail(run, "DATA");
	if (send_body(s, msg, len) < 0) {
		s->response_code = 0;
		return reply_fail(run, "sending the message");
	}
	int code = mailsmtp_read_response(s);
	if (code != 250)
		return reply_fail(run, "end of DATA");
	return 0;
}

int smtp_send(const struct smtp_conf *conf, const char *from, const char *const *rcpts,
	size_t nrcpt, const char *msg, size_t len, struct chan_err *err)
{
	int timeout = conf->timeout_s > 0 ? conf->timeout_s : (int)OG_NET_TIMEOUT_DEFAULT;
	struct smtp_run run = { .conf = conf, .err = err };
	mailstream *stream = NULL;
	int ret;

	chan_err_clear(err);
	if (nrcpt == 0 || nrcpt > OG_SMTP_MAX_RECIPIENTS)
		return chan_fail(err, CHAN_CONFIG, "smtp: %zu recipients (1 to %u allowed)", nrcpt,
			OG_SMTP_MAX_RECIPIENTS);
	if (!valid_address(from))
		return chan_fail(err, CHAN_CONFIG, "smtp: bad envelope sender \"%s\"", from);
	for (size_t i = 0; i < nrcpt; i++)
		if (rcpts[i][0] == '\0' || !valid_address(rcpts[i]))
			return chan_fail(err, CHAN_PERM, "smtp: bad recipient address \"%s\"", rcpts[i]);

	int fd = tlsverify_tcp_connect(conf->host, (uint16_t)conf->port, timeout, err);
	if (fd < 0)
		return err != NULL && err->kind == CHAN_TEMP ? 1 : -1;
	if (conf->tls == CHAN_TLS_IMPLICIT) {
		stream = tlsverify_open(fd, conf->host, conf->ca_file, timeout, err);
	} else {
		stream = mailstream_socket_open_timeout(fd, timeout);
		if (stream == NULL) {
			close(fd);
			chan_fail(err, CHAN_TEMP, "out of memory");
		}
	}
	if (stream == NULL) {
		ret = err != NULL && err->kind == CHAN_TEMP ? 1 : -1;
		goto out;
	}
	run.s = mailsmtp_new(0, NULL);
	if (run.s == NULL) {
		mailstream_close(stream);
		chan_fail(err, CHAN_TEMP, "out of memory");
		ret = 1;
		goto out;
	}
	mailsmtp_set_timeout(run.s, timeout);
	if (mailsmtp_connect(run.s, stream) != MAILSMTP_NO_ERROR) {
		/* A refused greeting (421, 554) is the server's state, not the message's. */
		reply_fail(&run, "greeting");
		if (err != NULL)
			err->kind = CHAN_TEMP;
		ret = 1;
		goto out;
	}
	ret = smtp_hello(&run, timeout);
	if (ret == 0 && conf->user != NULL && conf->user[0] != '\0')
		ret = smtp_auth(&run);
	if (ret == 0)
		ret = transaction(&run, from, rcpts, nrcpt, msg, len);
	if (run.s->stream != NULL)
		(void)mailsmtp_quit(run.s);
out:
	if (ret < 0 && err != NULL && err->kind == CHAN_TRUST)
		log_warnx("connection to smtp %s:%u refused: %s", conf->host, conf->port, err->msg);
	if (run.s != NULL)
		mailsmtp_free(run.s);
	return ret;
}

time_t smtp_next_retry(time_t now, unsigned attempt, unsigned base_s, unsigned cap_s,
	uint32_t rnd)
{
	uint64_t delay = base_s > 0 ? base_s : 1;
	for (unsigned i = 0; i < attempt && delay < cap_s; i++)
		delay *= 2;
	if (cap_s > 0 && delay > cap_s)
		delay = cap_s;
	uint64_t half = delay / 2;
	uint64_t wait = (delay - half) + (half > 0 ? rnd % (half + 1) : 0);
	if (wait < 1)
		wait = 1;
	return now + (time_t)wait;
}
