/* imap.c — the IMAP client of imap.h on top of libetpan's mailimap.
 *
 * What it does: connect (imaps, STARTTLS or plain), verify the server
 * certificate with tlsverify before sending anything, AUTHENTICATE PLAIN
 * (written here on libetpan's low-level send and parse calls, so no Cyrus
 * SASL plugin is needed) or LOGIN, SELECT, fetch
 * new messages by UID in bounded batches with BODY.PEEK, move stored UIDs
 * by UID set, IDLE.
 *
 * Ownership: struct imap owns the libetpan session and a copy of the host
 * name; the password is only passed to LOGIN or AUTHENTICATE and never
 * kept or logged (the line carrying it bypasses libetpan's logger and is
 * wiped).
 * Message data handed to the callback belongs to libetpan's fetch result
 * and is freed right after the callback returns.
 *
 * Failure: libetpan's codes are translated in imap_error() only: stream and
 * parse errors are CHAN_TEMP (reconnect); refused LOGIN is CHAN_AUTH;
 * certificate problems are CHAN_TRUST and logged as a refused connection. */
#include "imap.h"
#include "limits.h"
#include "log.h"
#include "tlsverify.h"
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <libetpan/libetpan.h>

/* Exported by libetpan but missing from its public headers (its XOAUTH2
 * code uses it): a malloc'ed base64 string without line breaks. */
char *encode_base64(const char *in, int len);

struct imap {
	mailimap *s;
	char *host;
	unsigned port;
	const char *auth_used;    /* "PLAIN" or "LOGIN" */
	bool has_move, has_idle, has_uidplus, avoid_move;
	char *checked_folder;     /* done folder known to exist on this connection */
};

/* The one place where libetpan's IMAP codes become chan kinds. */
static int imap_error(struct imap *imap, int r, const char *what, struct chan_err *err)
{
	const char *text = imap->s != NULL && imap->s->imap_response != NULL ?
		imap->s->imap_response : "";
	switch (r) {
	case MAILIMAP_ERROR_STREAM:
	case MAILIMAP_ERROR_CONNECTION_REFUSED:
	case MAILIMAP_ERROR_FATAL:
		return chan_fail(err, CHAN_TEMP, "imap %s:%u: connection lost during %s",
			imap->host, imap->port, what);
	case MAILIMAP_ERROR_PARSE:
		return chan_fail(err, CHAN_TEMP, "imap %s:%u: unparsable server response to %s",
			imap->host, imap->port, what);
	case MAILIMAP_ERROR_MEMORY:
		return chan_fail(err, CHAN_TEMP, "imap %s:%u: out of memory during %s",
			imap->host, imap->port, what);
	case MAILIMAP_ERROR_LOGIN:
		/* RFC 5530 [UNAVAILABLE]: the server's trouble, not ours.  libetpan
		 * keeps only the text, so look for what such replies say. */
		if (strcasestr(text, "unavailable") != NULL || strcasestr(text, "temporar") != NULL)
			return chan_fail(err, CHAN_TEMP, "imap %s:%u: login temporarily refused: %s",
				imap->host, imap->port, text);
		return chan_fail(err, CHAN_AUTH, "imap %s:%u: login refused: %s",
			imap->host, imap->port, text[0] ? text : "(no reason given)");
	default:
		return chan_fail(err, CHAN_TEMP, "imap %s:%u: %s refused by the server: %s",
			imap->host, imap->port, what, text[0] ? text : "(no reason given)");
	}
}

int imap_conf_from_url(struct imap_conf *conf, struct chan_url *u, const char *url,
	bool tls_none, char *mailbox, size_t mailbox_size, struct chan_err *err)
{
	if (chan_url_mail(url, "imap", 143, "imaps", 993, tls_none, u, &conf->tls, err) < 0)
		return -1;
	conf->host = u->host;
	conf->port = u->port;
	const char *mb = u->path[0] == '/' ? u->path + 1 : u->path;
	if (*mb == '\0')
		mb = "INBOX";
	if ((size_t)snprintf(mailbox, mailbox_size, "%s", mb) >= mailbox_size)
		return chan_fail(err, CHAN_CONFIG, "URL \"%s\": mailbox name too long", url);
	return 0;
}

static void learn_caps(struct imap *imap)
{
	imap->has_move = mailimap_has_extension(imap->s, "MOVE") != 0;
	imap->has_idle = mailimap_has_idle(imap->s) != 0;
	imap->has_uidplus = mailimap_has_uidplus(imap->s) != 0;
}

static int refresh_caps(struct imap *imap, struct chan_err *err)
{
	struct mailimap_capability_data *cap = NULL;
	int r = mailimap_capability(imap->s, &cap);
	if (r != MAILIMAP_NO_ERROR)
		return imap_error(imap, r, "CAPABILITY", err);
	mailimap_capability_data_free(cap);
	learn_caps(imap);
	return 0;
}

static int do_starttls(struct imap *imap, const struct imap_conf *conf, int timeout,
	struct chan_err *err)
{
	if (refresh_caps(imap, err) < 0)
		return -1;
	if (!mailimap_has_extension(imap->s, "STARTTLS"))
		return chan_fail(err, CHAN_CONFIG,
			"imap %s:%u: server does not offer STARTTLS; refusing to log in without TLS "
			"(use imaps:// or, on a trusted network only, tls = none)",
			imap->host, imap->port);
	int r = mailimap_starttls(imap->s);
	if (r != MAILIMAP_NO_ERROR) {
		if (imap->s->imap_stream != NULL && imap->s->imap_stream->read_buffer_len != 0)
			return chan_fail(err, CHAN_TRUST,
				"imap %s:%u: server sent data after accepting STARTTLS (response "
				"injection); connection refused", imap->host, imap->port);
		return imap_error(imap, r, "STARTTLS", err);
	}
	if (tlsverify_starttls(imap->s->imap_stream, conf->host, conf->ca_file, timeout, err) < 0)
		return -1;
	/* What the server said before TLS may have been forged: ask again. */
	return refresh_caps(imap, err);
}

int imap_auth_parse(const char *text, enum imap_auth *auth_r)
{
	if (text == NULL)
		*auth_r = IMAP_AUTH_AUTO;
	else if (strcmp(text, "login") == 0)
		*auth_r = IMAP_AUTH_LOGIN;
	else if (strcmp(text, "plain") == 0)
		*auth_r = IMAP_AUTH_PLAIN;
	else
		return -1;
	return 0;
}

/* Write text to the server; MAILIMAP_ERROR_STREAM when it cannot. */
static int put(mailimap *s, const char *text)
{
	size_t n = strlen(text);
	return mailstream_write(s->imap_stream, text, n) == (ssize_t)n ?
		MAILIMAP_NO_ERROR : MAILIMAP_ERROR_STREAM;
}

/* Send "AUTHENTICATE PLAIN" with the initial response b64 (SASL-IR,
 * RFC 4959) or, without SASL-IR, wait for the "+" continuation and send it
 * then.  Privacy is off while the credentials are written, so libetpan's
 * logger never sees them.  Leaves the first line of the answer buffered
 * for mailimap_parse_response(). */
static int auth_plain_send(mailimap *s, const char *b64)
{
	bool ir = mailimap_has_extension(s, "SASL-IR") != 0;
	mailstream_set_privacy(s->imap_stream, 0);
	int r = mailimap_send_current_tag(s);
	if (r == MAILIMAP_NO_ERROR)
		r = put(s, ir ? "AUTHENTICATE PLAIN " : "AUTHENTICATE PLAIN\r\n");
	if (r == MAILIMAP_NO_ERROR && ir && (r = put(s, b64)) == MAILIMAP_NO_ERROR)
		r = put(s, "\r\n");
	if (r == MAILIMAP_NO_ERROR && mailstream_flush(s->imap_stream) < 0)
		r = MAILIMAP_ERROR_STREAM;
	const char *line = NULL;
	if (r == MAILIMAP_NO_ERROR && (line = mailimap_read_line(s)) == NULL)
		r = MAILIMAP_ERROR_STREAM;
	if (r == MAILIMAP_NO_ERROR && !ir && line[0] == '+') {
		/* The continuation; any other line is already the (tagged) answer. */
		if ((r = put(s, b64)) == MAILIMAP_NO_ERROR)
			r = put(s, "\r\n");
		if (r == MAILIMAP_NO_ERROR && mailstream_flush(s->imap_stream) < 0)
			r = MAILIMAP_ERROR_STREAM;
		if (r == MAILIMAP_NO_ERROR && mailimap_read_line(s) == NULL)
			r = MAILIMAP_ERROR_STREAM;
	}
	mailstream_set_privacy(s->imap_stream, 1);
	return r;
}

/* AUTHENTICATE PLAIN (RFC 4616): base64 of "\0user\0password".  Returns
 * a libetpan code as mailimap_login() does (MAILIMAP_ERROR_LOGIN when the
 * server says NO). */
static int auth_plain(mailimap *s, const char *user, const char *password)
{
	size_t ul = strlen(user), pl = strlen(password);
	char raw[1 + OG_IMAP_MAX_CREDENTIAL + 1 + OG_IMAP_MAX_CREDENTIAL];
	if (ul > OG_IMAP_MAX_CREDENTIAL || pl > OG_IMAP_MAX_CREDENTIAL)
		return MAILIMAP_ERROR_MEMORY;   /* authenticate() checked this */
	raw[0] = '\0';
	memcpy(raw + 1, user, ul);
	raw[1 + ul] = '\0';
	memcpy(raw + 2 + ul, password, pl);
	char *b64 = encode_base64(raw, (int)(2 + ul + pl));
	explicit_bzero(raw, sizeof(raw));
	if (b64 == NULL)
		return MAILIMAP_ERROR_MEMORY;
	int r = auth_plain_send(s, b64);
	explicit_bzero(b64, strlen(b64));
	free(b64);
	if (r != MAILIMAP_NO_ERROR)
		return r;
	struct mailimap_response *resp = NULL;
	r = mailimap_parse_response(s, &resp);
	if (r != MAILIMAP_NO_ERROR)
		return r;
	int state = resp->rsp_resp_done->rsp_data.rsp_tagged->rsp_cond_state->rsp_type;
	mailimap_response_free(resp);
	if (state != MAILIMAP_RESP_COND_STATE_OK)
		return MAILIMAP_ERROR_LOGIN;
	s->imap_state = MAILIMAP_STATE_AUTHENTICATED;
	return MAILIMAP_NO_ERROR;
}

/* Log in with the configured mechanism (auto: PLAIN when advertised). */
static int authenticate(struct imap *imap, const struct imap_conf *conf, struct chan_err *err)
{
	mailimap *s = imap->s;
	const char *user = conf->user != NULL ? conf->user : "";
	const char *pw = conf->password != NULL ? conf->password : "";
	if (conf->auth != IMAP_AUTH_LOGIN &&
	    (s->imap_connection_info == NULL || s->imap_connection_info->imap_capability == NULL) &&
	    refresh_caps(imap, err) < 0)
		return -1;
	bool plain = mailimap_has_authentication(s, "PLAIN") != 0;
	if (conf->auth == IMAP_AUTH_PLAIN && !plain)
		return chan_fail(err, CHAN_CONFIG, "imap %s:%u: auth = plain, but the server does "
			"not offer AUTHENTICATE PLAIN (AUTH=PLAIN) on this connection",
			imap->host, imap->port);
	if (conf->auth == IMAP_AUTH_LOGIN || !plain) {
		if (mailimap_has_extension(s, "LOGINDISABLED"))
			return chan_fail(err, CHAN_CONFIG, "imap %s:%u: server refuses LOGIN on this "
				"connection (LOGINDISABLED); use TLS", imap->host, imap->port);
		imap->auth_used = "LOGIN";
		int r = mailimap_login(s, user, pw);
		return r == MAILIMAP_NO_ERROR ? 0 : imap_error(imap, r, "LOGIN", err);
	}
	if (strlen(user) > OG_IMAP_MAX_CREDENTIAL || strlen(pw) > OG_IMAP_MAX_CREDENTIAL)
		return chan_fail(err, CHAN_CONFIG, "imap %s:%u: user name or password longer than "
			"%u bytes", imap->host, imap->port, OG_IMAP_MAX_CREDENTIAL);
	imap->auth_used = "PLAIN";
	int r = auth_plain(s, user, pw);
	return r == MAILIMAP_NO_ERROR ? 0 : imap_error(imap, r, "AUTHENTICATE PLAIN", err);
}

int imap_open(const struct imap_conf *conf, struct imap **imap_r, struct chan_err *err)
{
	int timeout = conf->timeout_s > 0 ? conf->timeout_s : (int)OG_NET_TIMEOUT_DEFAULT;
	struct imap *imap = calloc(1, sizeof(*imap));
	mailstream *stream = NULL;
	int ret = -1, r;

	*imap_r = NULL;
	if (imap == NULL || (imap->host = strdup(conf->host)) == NULL) {
		free(imap);
		return chan_fail(err, CHAN_TEMP, "out of memory");
	}
	imap->port = conf->port;
	imap->avoid_move = conf->avoid_move;
	int fd = tlsverify_tcp_connect(conf->host, (uint16_t)conf->port, timeout, err);
	if (fd < 0)
		goto out;
	if (conf->tls == CHAN_TLS_IMPLICIT) {
		stream = tlsverify_open(fd, conf->host, conf->ca_file, timeout, err);
	} else {
		stream = mailstream_socket_open_timeout(fd, timeout);
		if (stream == NULL) {
			close(fd);
			chan_fail(err, CHAN_TEMP, "out of memory");
		}
	}
	if (stream == NULL)
		goto out;
	imap->s = mailimap_new(0, NULL);
	if (imap->s == NULL) {
		mailstream_close(stream);
		chan_fail(err, CHAN_TEMP, "out of memory");
		goto out;
	}
	mailimap_set_timeout(imap->s, timeout);
	r = mailimap_connect(imap->s, stream);   /* the session owns stream now */
	if (r == MAILIMAP_NO_ERROR_AUTHENTICATED && conf->tls == CHAN_TLS_STARTTLS) {
		chan_fail(err, CHAN_TRUST, "imap %s:%u: server sent PREAUTH on a plain connection, "
			"so STARTTLS is impossible; connection refused", imap->host, imap->port);
		goto out;
	}
	if (r != MAILIMAP_NO_ERROR_AUTHENTICATED && r != MAILIMAP_NO_ERROR_NON_AUTHENTICATED) {
		imap_error(imap, r, "greeting", err);
		goto out;
	}
	if (conf->tls == CHAN_TLS_STARTTLS && do_starttls(imap, conf, timeout, err) < 0)
		goto out;
	if (r == MAILIMAP_NO_ERROR_NON_AUTHENTICATED && authenticate(imap, conf, err) < 0)
		goto out;
	/* Capabilities change after login; Dovecot sends them with the OK. */
	learn_caps(imap);
	if (!mailimap_has_extension(imap->s, "IMAP4rev1") && refresh_caps(imap, err) < 0)
		goto out;
	ret = 0;
out:
	if (ret < 0) {
		if (err != NULL && err->kind == CHAN_TRUST)
			log_warnx("connection to imap %s:%u refused: %s", conf->host, conf->port,
				err->msg);
		if (imap->s != NULL)
			mailimap_free(imap->s);
		free(imap->host);
		free(imap);
	} else {
		*imap_r = imap;
	}
	return ret;
}

bool imap_has_idle(const struct imap *imap) { return imap->has_idle; }
bool imap_has_move(const struct imap *imap) { return imap->has_move; }
const char *imap_auth_used(const struct imap *imap) { return imap->auth_used ? imap->auth_used : "PREAUTH"; }

int imap_select(struct imap *imap, const char *mailbox, uint32_t *uidvalidity_r,
	uint32_t *uidnext_r, uint32_t *exists_r, struct chan_err *err)
{
	int r = mailimap_select(imap->s, mailbox);
	if (r == MAILIMAP_ERROR_SELECT)
		return chan_fail(err, CHAN_CONFIG, "imap %s:%u: cannot select mailbox \"%s\": %s",
			imap->host, imap->port, mailbox,
			imap->s->imap_response ? imap->s->imap_response : "");
	if (r != MAILIMAP_NO_ERROR)
		return imap_error(imap, r, "SELECT", err);
	struct mailimap_selection_info *si = imap->s->imap_selection_info;
	if (uidvalidity_r != NULL)
		*uidvalidity_r = si != NULL ? si->sel_uidvalidity : 0;
	if (uidnext_r != NULL)
		*uidnext_r = si != NULL ? si->sel_uidnext : 0;
	if (exists_r != NULL)
		*exists_r = si != NULL ? si->sel_exists : 0;
	return 0;
}

/* One message's attributes out of a FETCH response. */
struct fetched {
	uint32_t uid;
	uint32_t size;
	const char *body;
	size_t body_len;
};

static void read_att(const struct mailimap_msg_att *att, struct fetched *f)
{
	memset(f, 0, sizeof(*f));
	for (clistiter *it = clist_begin(att->att_list); it != NULL; it = clist_next(it)) {
		const struct mailimap_msg_att_item *item = clist_content(it);
		if (item->att_type != MAILIMAP_MSG_ATT_ITEM_STATIC)
			continue;
		const struct mailimap_msg_att_static *st = item->att_data.att_static;
		switch (st->att_type) {
		case MAILIMAP_MSG_ATT_UID:
			f->uid = st->att_data.att_uid;
			break;
		case MAILIMAP_MSG_ATT_RFC822_SIZE:
			f->size = st->att_data.att_rfc822_size;
			break;
		case MAILIMAP_MSG_ATT_BODY_SECTION:
			if (st->att_data.att_body_section != NULL &&
			    st->att_data.att_body_section->sec_body_part != NULL) {
				f->body = st->att_data.att_body_section->sec_body_part;
				f->body_len = st->att_data.att_body_section->sec_length;
			}
			break;
		default:
			break;
		}
	}
}

static int cmp_fetched(const void *a, const void *b)
{
	uint32_t x = ((const struct fetched *)a)->uid, y = ((const struct fetched *)b)->uid;
	return x < y ? -1 : x > y;
}

/* UID FETCH set (UID RFC822.SIZE [BODY.PEEK[] | BODY.PEEK[HEADER]]). */
static int uid_fetch(struct imap *imap, struct mailimap_set *set, int what, clist **res,
	struct chan_err *err)
{
	struct mailimap_fetch_type *ft = mailimap_fetch_type_new_fetch_att_list_empty();
	if (ft == NULL)
		return chan_fail(err, CHAN_TEMP, "out of memory");
	mailimap_fetch_type_new_fetch_att_list_add(ft, mailimap_fetch_att_new_uid());
	mailimap_fetch_type_new_fetch_att_list_add(ft, mailimap_fetch_att_new_rfc822_size());
	if (what == 1)
		mailimap_fetch_type_new_fetch_att_list_add(ft,
			mailimap_fetch_att_new_body_peek_section(mailimap_section_new(NULL)));
	else if (what == 2)
		mailimap_fetch_type_new_fetch_att_list_add(ft,
			mailimap_fetch_att_new_body_peek_section(mailimap_section_new_header()));
	*res = NULL;
	int r = mailimap_uid_fetch(imap->s, set, ft, res);
	mailimap_fetch_type_free(ft);
	if (r != MAILIMAP_NO_ERROR) {
		*res = NULL;
		return imap_error(imap, r, "UID FETCH", err);
	}
	return 0;
}

/* Fetch the bodies (or headers) of list[0..n) and pass them to cb in order. */
static int fetch_bodies(struct imap *imap, const struct fetched *list, size_t n, bool header_only,
	size_t max_size, imap_message_cb *cb, void *ctx, uint32_t *last_uid, struct chan_err *err)
{
	struct mailimap_set *set = mailimap_set_new_empty();
	clist *res = NULL;
	struct fetched *got = NULL;
	size_t ngot = 0;
	int ret = -1;

	if (set == NULL)
		return chan_fail(err, CHAN_TEMP, "out of memory");
	for (size_t i = 0; i < n; i++)
		mailimap_set_add_single(set, list[i].uid);
	if (uid_fetch(imap, set, header_only ? 2 : 1, &res, err) < 0)
		goto out;
	got = calloc(clist_count(res) + 1, sizeof(*got));
	if (got == NULL) {
		chan_fail(err, CHAN_TEMP, "out of memory");
		goto out;
	}
	for (clistiter *it = clist_begin(res); it != NULL; it = clist_next(it)) {
		read_att(clist_content(it), &got[ngot]);
		/* Only what we asked for: not unsolicited FETCH responses (flag
		 * changes of other messages). */
		if (got[ngot].uid == 0 ||
		    bsearch(&got[ngot], list, n, sizeof(*list), cmp_fetched) == NULL)
			continue;
		if (got[ngot].body == NULL) {
			got[ngot].body = "";   /* an empty message is still a message */
			got[ngot].body_len = 0;
		}
		ngot++;
	}
	qsort(got, ngot, sizeof(*got), cmp_fetched);
	ret = 0;
	for (size_t i = 0; i < ngot && ret == 0; i++) {
		const struct fetched *f = &got[i];
		if (i > 0 && f->uid == got[i - 1].uid)
			continue;
		bool truncated = header_only;
		size_t len = f->body_len;
		if (!truncated && len > max_size) {
			/* Grew between the size check and the fetch: keep the header. */
			truncated = true;
			const char *end = memmem(f->body, len, "\r\n\r\n", 4);
			len = end != NULL && (size_t)(end - f->body) + 4 <= max_size ?
				(size_t)(end - f->body) + 4 : max_size;
		}
		if (cb(ctx, f->uid, f->body, len, truncated) != 0)
			ret = 1;
		*last_uid = f->uid;
	}
out:
	free(got);
	if (res != NULL)
		mailimap_fetch_list_free(res);
	mailimap_set_free(set);
	return ret;
}

int imap_fetch_new(struct imap *imap, uint32_t after_uid, size_t batch, size_t max_size,
	imap_message_cb *cb, void *ctx, uint32_t *last_uid_r, struct chan_err *err)
{
	struct fetched *list = NULL;
	size_t n = 0;
	clist *res = NULL;
	uint32_t last = after_uid;
	int ret = -1;

	if (last_uid_r != NULL)
		*last_uid_r = after_uid;
	if (after_uid == UINT32_MAX)
		return 0;
	if (batch == 0)
		batch = 1;
	/* 1. UIDs and sizes of everything new (no bodies yet). */
	struct mailimap_set *set = mailimap_set_new_interval(after_uid + 1, 0);
	if (set == NULL)
		return chan_fail(err, CHAN_TEMP, "out of memory");
	int r = uid_fetch(imap, set, 0, &res, err);
	mailimap_set_free(set);
	if (r < 0)
		return -1;
	list = calloc(clist_count(res) + 1, sizeof(*list));
	if (list == NULL) {
		chan_fail(err, CHAN_TEMP, "out of memory");
		goto out;
	}
	for (clistiter *it = clist_begin(res); it != NULL; it = clist_next(it)) {
		read_att(clist_content(it), &list[n]);
		/* "n:*" also matches the last message when it is below n. */
		if (list[n].uid > after_uid)
			n++;
	}
	mailimap_fetch_list_free(res);
	res = NULL;
	qsort(list, n, sizeof(*list), cmp_fetched);
	if (n > OG_IMAP_MAX_PENDING)
		n = OG_IMAP_MAX_PENDING;
	/* 2. Bodies in batches, in UID order; over-limit ones header only. */
	ret = 0;
	for (size_t i = 0; i < n && ret == 0;) {
		if (list[i].size > max_size) {
			ret = fetch_bodies(imap, &list[i], 1, true, max_size, cb, ctx, &last, err);
			i++;
			continue;
		}
		size_t j = i, bytes = 0;
		while (j < n && j - i < batch && list[j].size <= max_size &&
		       (j == i || bytes + list[j].size <= OG_IMAP_MAX_BATCH_BYTES))
			bytes += list[j++].size;
		ret = fetch_bodies(imap, &list[i], j - i, false, max_size, cb, ctx, &last, err);
		i = j;
	}
out:
	if (res != NULL)
		mailimap_fetch_list_free(res);
	free(list);
	if (last_uid_r != NULL)
		*last_uid_r = last;
	return ret;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

static int ensure_folder(struct imap *imap, const char *folder, struct chan_err *err)
{
	if (imap->checked_folder != NULL && strcmp(imap->checked_folder, folder) == 0)
		return 0;
	clist *list = NULL;
	int r = mailimap_list(imap->s, "", folder, &list);
	if (r != MAILIMAP_NO_ERROR)
		return imap_error(imap, r, "LIST", err);
	bool found = list != NULL && clist_count(list) > 0;
	if (list != NULL)
		mailimap_list_result_free(list);
	if (!found) {
		r = mailimap_create(imap->s, folder);
		if (r != MAILIMAP_NO_ERROR)
			return imap_error(imap, r, "CREATE", err);
		log_info("imap %s:%u: created folder \"%s\"", imap->host, imap->port, folder);
	}
	free(imap->checked_folder);
	imap->checked_folder = strdup(folder);
	return 0;
}

/* Move one UID set (at most OG_IMAP_MAX_SET_RANGES ranges). */
static int move_set(struct imap *imap, struct mailimap_set *set, const char *folder,
	struct chan_err *err)
{
	int r;
	if (imap->has_move && !imap->avoid_move) {
		r = mailimap_uid_move(imap->s, set, folder);
		return r == MAILIMAP_NO_ERROR ? 0 : imap_error(imap, r, "UID MOVE", err);
	}
	r = mailimap_uid_copy(imap->s, set, folder);
	if (r != MAILIMAP_NO_ERROR)
		return imap_error(imap, r, "UID COPY", err);
	struct mailimap_flag_list *fl = mailimap_flag_list_new_empty();
	if (fl == NULL)
		return chan_fail(err, CHAN_TEMP, "out of memory");
	mailimap_flag_list_add(fl, mailimap_flag_new_deleted());
	struct mailimap_store_att_flags *sf = mailimap_store_att_flags_new_add_flags_silent(fl);
	if (sf == NULL) {
		mailimap_flag_list_free(fl);
		return chan_fail(err, CHAN_TEMP, "out of memory");
	}
	r = mailimap_uid_store(imap->s, set, sf);
	mailimap_store_att_flags_free(sf);
	if (r != MAILIMAP_NO_ERROR)
		return imap_error(imap, r, "UID STORE", err);
	r = imap->has_uidplus ? mailimap_uid_expunge(imap->s, set) : mailimap_expunge(imap->s);
	return r == MAILIMAP_NO_ERROR ? 0 : imap_error(imap, r, "EXPUNGE", err);
}

int imap_move(struct imap *imap, const uint32_t *uids, size_t n, const char *folder,
	struct chan_err *err)
{
	if (n == 0)
		return 0;
	if (ensure_folder(imap, folder, err) < 0)
		return -1;
	uint32_t *sorted = malloc(n * sizeof(*sorted));
	if (sorted == NULL)
		return chan_fail(err, CHAN_TEMP, "out of memory");
	memcpy(sorted, uids, n * sizeof(*sorted));
	qsort(sorted, n, sizeof(*sorted), cmp_u32);
	int ret = 0;
	for (size_t i = 0; i < n && ret == 0;) {
		struct mailimap_set *set = mailimap_set_new_empty();
		if (set == NULL) {
			ret = chan_fail(err, CHAN_TEMP, "out of memory");
			break;
		}
		for (size_t ranges = 0; i < n && ranges < OG_IMAP_MAX_SET_RANGES; ranges++) {
			size_t j = i;
			while (j + 1 < n && sorted[j + 1] <= sorted[j] + 1)
				j++;
			mailimap_set_add_interval(set, sorted[i], sorted[j]);
			i = j + 1;
		}
		ret = move_set(imap, set, folder, err);
		mailimap_set_free(set);
	}
	free(sorted);
	return ret;
}

int imap_idle(struct imap *imap, int timeout_s, struct chan_err *err)
{
	struct mailimap_selection_info *si = imap->s->imap_selection_info;
	if (si == NULL)
		return chan_fail(err, CHAN_CONFIG, "imap %s:%u: IDLE without a selected mailbox",
			imap->host, imap->port);
	if (!imap->has_idle) {
		sleep((unsigned)(timeout_s > 0 ? timeout_s : 0));
		si->sel_has_exists = 0;
		int r = mailimap_noop(imap->s);
		if (r != MAILIMAP_NO_ERROR)
			return imap_error(imap, r, "NOOP", err);
		return si->sel_has_exists ? 1 : 0;
	}
	int r = mailimap_idle(imap->s);
	if (r != MAILIMAP_NO_ERROR)
		return imap_error(imap, r, "IDLE", err);
	/* Data already buffered (EXISTS in the same packet as "+ idling")
	 * would never wake poll(). */
	if (imap->s->imap_stream->read_buffer_len == 0) {
		struct pollfd p = { .fd = mailimap_idle_get_fd(imap->s), .events = POLLIN };
		if (p.fd < 0)
			return chan_fail(err, CHAN_TEMP, "imap %s:%u: connection lost during IDLE",
				imap->host, imap->port);
		(void)poll(&p, 1, timeout_s > 0 ? timeout_s * 1000 : 0);
	}
	r = mailimap_idle_done(imap->s);
	if (r != MAILIMAP_NO_ERROR)
		return imap_error(imap, r, "IDLE DONE", err);
	return si->sel_has_exists ? 1 : 0;
}

void imap_close(struct imap **imapp)
{
	struct imap *imap = *imapp;
	if (imap == NULL)
		return;
	*imapp = NULL;
	if (imap->s != NULL) {
		if (imap->s->imap_stream != NULL)
			(void)mailimap_logout(imap->s);
		mailimap_free(imap->s);
	}
	free(imap->checked_folder);
	free(imap->host);
	free(imap);
}
