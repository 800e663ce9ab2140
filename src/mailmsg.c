/* mailmsg.c — see mailmsg.h. */
#include "mailmsg.h"
#include "log.h"
#include <ctype.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

static bool addr_ok(const char *a)
{
	const char *at = strrchr(a, '@');
	if (at == NULL || at == a || at[1] == '\0' || strlen(a) > 254)
		return false;
	for (const char *p = a; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if (c <= 0x20 || c == 0x7f || c == '<' || c == '>' || c == ',' || c == ';' ||
		    c == '"' || c == '(' || c == ')' || c == '\\' || c == '[' || c == ']')
			return false;
	}
	return strchr(at + 1, '.') != NULL || strcmp(at + 1, "localhost") == 0;
}

char *mailmsg_addr(const char *s)
{
	if (s == NULL)
		return NULL;
	const char *lt = strrchr(s, '<'), *gt = lt ? strchr(lt, '>') : NULL;
	char *a;
	if (lt && gt)
		a = strndup(lt + 1, (size_t)(gt - lt - 1));
	else
		a = strdup(s);
	if (a == NULL)
		fatal("out of memory");
	/* trim */
	char *b = a;
	while (isspace((unsigned char)*b))
		b++;
	memmove(a, b, strlen(b) + 1);
	for (size_t n = strlen(a); n > 0 && isspace((unsigned char)a[n - 1]); n--)
		a[n - 1] = '\0';
	if (!addr_ok(a)) {
		free(a);
		return NULL;
	}
	return a;
}

char *mailmsg_new_id(const char *from)
{
	unsigned char r[12];
	if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r)) {
		/* Never fails on Linux >= 3.17 for this size; fall back anyway. */
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		memcpy(r, &ts, sizeof(r) < sizeof(ts) ? sizeof(r) : sizeof(ts));
	}
	char *addr = mailmsg_addr(from);
	const char *dom = addr ? strrchr(addr, '@') + 1 : "ordergw.invalid";
	char hex[25];
	for (int i = 0; i < 12; i++)
		snprintf(hex + 2 * i, 3, "%02x", r[i]);
	char *id;
	if (asprintf(&id, "og.%lld.%s@%s", (long long)time(NULL), hex, dom) < 0)
		fatal("out of memory");
	free(addr);
	return id;
}

static bool is_ascii_printable(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s >= 0x7f || (unsigned char)*s < 0x20)
			return false;
	return true;
}

/* Copy with every control character (CR and LF included) made a space. */
static char *clean(const char *s)
{
	char *c = strdup(s ? s : "");
	if (c == NULL)
		fatal("out of memory");
	for (char *p = c; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
	return c;
}

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static void add_b64(struct buf *out, const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)p[i] << 16;
		if (i + 1 < n)
			v |= (unsigned)p[i + 1] << 8;
		if (i + 2 < n)
			v |= p[i + 2];
		char q[4] = { b64[(v >> 18) & 63], b64[(v >> 12) & 63],
			      i + 1 < n ? b64[(v >> 6) & 63] : '=', i + 2 < n ? b64[v & 63] : '=' };
		buf_add(out, q, 4);
	}
}

int mailmsg_encode_header(struct buf *out, const char *name, const char *value)
{
	char *v = clean(value);
	size_t col = strlen(name) + 2;
	buf_printf(out, "%s: ", name);
	if (is_ascii_printable(v)) {
		/* Fold at spaces before 78 columns. */
		const char *p = v;
		while (*p) {
			const char *sp = strchr(p, ' ');
			size_t w = sp ? (size_t)(sp - p) : strlen(p);
			if (col + w > 76 && col > strlen(name) + 2) {
				buf_adds(out, "\r\n ");
				col = 1;
			}
			buf_add(out, p, w);
			col += w;
			p += w;
			if (*p == ' ') {
				buf_addc(out, ' ');
				col++;
				p++;
			}
		}
	} else {
		/* Encoded words of at most 39 bytes of UTF-8 (52 base64 characters, a
		 * 64-character word), never splitting a character. */
		const unsigned char *p = (const unsigned char *)v;
		size_t n = strlen(v);
		bool first = true;
		while (n > 0) {
			size_t take = n > 39 ? 39 : n;
			while (take < n && take > 0 && (p[take] & 0xC0) == 0x80)
				take--;
			if (take == 0)
				take = n > 39 ? 39 : n;
			if (!first)
				buf_adds(out, "\r\n ");
			buf_adds(out, "=?UTF-8?B?");
			add_b64(out, p, take);
			buf_adds(out, "?=");
			first = false;
			p += take;
			n -= take;
		}
	}
	buf_adds(out, "\r\n");
	free(v);
	return 0;
}

/* Quoted-printable (RFC 2045) of UTF-8 text with CRLF line ends. */
static void add_qp(struct buf *out, const char *text)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t col = 0;
	for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
		if (*p == '\r')
			continue;
		if (*p == '\n') {
			buf_adds(out, "\r\n");
			col = 0;
			continue;
		}
		bool trailing_ws = (*p == ' ' || *p == '\t') && (p[1] == '\n' || p[1] == '\r' || p[1] == '\0');
		bool plain = (*p >= 33 && *p <= 126 && *p != '=') || ((*p == ' ' || *p == '\t') && !trailing_ws);
		size_t w = plain ? 1 : 3;
		if (col + w > 75) {
			buf_adds(out, "=\r\n");
			col = 0;
		}
		if (plain) {
			buf_addc(out, (char)*p);
		} else {
			char e[3] = { '=', hex[*p >> 4], hex[*p & 15] };
			buf_add(out, e, 3);
		}
		col += w;
	}
	if (col > 0)
		buf_adds(out, "\r\n");
}

static void add_id_list(struct buf *out, const char *name, const char *ids)
{
	char *c = clean(ids);
	buf_printf(out, "%s:", name);
	size_t col = strlen(name) + 1;
	for (char *p = c; *p;) {
		while (*p == ' ' || *p == '<' || *p == '>')
			p++;
		char *e = p;
		while (*e && *e != ' ' && *e != '<' && *e != '>')
			e++;
		if (e > p) {
			size_t w = (size_t)(e - p) + 3;
			if (col + w > 76 && col > strlen(name) + 1) {
				buf_adds(out, "\r\n");
				col = 0;
			}
			buf_printf(out, " <%.*s>", (int)(e - p), p);
			col += w;
		}
		p = e;
	}
	buf_adds(out, "\r\n");
	free(c);
}

static void add_from(struct buf *out, const char *hname, const char *name, const char *addr)
{
	if (name == NULL || *name == '\0') {
		buf_printf(out, "%s: <%s>\r\n", hname, addr);
		return;
	}
	char *n = clean(name);
	if (is_ascii_printable(n)) {
		/* Quote the display name, escaping quotes and backslashes. */
		buf_printf(out, "%s: \"", hname);
		for (char *p = n; *p; p++) {
			if (*p == '"' || *p == '\\')
				buf_addc(out, '\\');
			buf_addc(out, *p);
		}
		buf_printf(out, "\" <%s>\r\n", addr);
	} else {
		struct buf tmp;
		buf_init(&tmp, 4096);
		mailmsg_encode_header(&tmp, hname, n);
		/* drop the CRLF and append the address, folded when the line is full */
		if (tmp.len >= 2)
			tmp.len -= 2;
		buf_add(out, tmp.data, tmp.len);
		const char *last = tmp.data;
		for (const char *q = tmp.data; (q = strstr(q, "\r\n")) != NULL; q += 2)
			last = q + 2;
		size_t col = (size_t)(tmp.data + tmp.len - last);
		buf_printf(out, "%s<%s>\r\n", col + strlen(addr) + 3 > 78 ? "\r\n " : " ", addr);
		buf_free(&tmp);
	}
	free(n);
}

static char *display_name(const char *s)
{
	const char *lt = strrchr(s, '<');
	if (lt == NULL)
		return NULL;
	char *n = strndup(s, (size_t)(lt - s));
	if (n == NULL)
		fatal("out of memory");
	char *b = n;
	while (isspace((unsigned char)*b) || *b == '"')
		b++;
	memmove(n, b, strlen(b) + 1);
	for (size_t k = strlen(n); k > 0 && (isspace((unsigned char)n[k - 1]) || n[k - 1] == '"'); k--)
		n[k - 1] = '\0';
	return n;
}

int mailmsg_build(const struct mail_out *m, struct buf *out, char **id_r, const char **error_r)
{
	char *from = mailmsg_addr(m->from), *to = mailmsg_addr(m->to), *fname = NULL, *id = NULL;
	int ret = -1;
	if (from == NULL) {
		*error_r = "the From address is not valid";
		goto out;
	}
	if (to == NULL) {
		*error_r = "the recipient address is not valid";
		goto out;
	}
	id = m->message_id ? clean(m->message_id) : mailmsg_new_id(m->from);
	fname = display_name(m->from);
	char date[64];
	if (m->date == NULL) {
		time_t t = time(NULL);
		struct tm tm;
		gmtime_r(&t, &tm);
		strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);
	} else {
		snprintf(date, sizeof(date), "%s", m->date);
	}
	add_from(out, "From", fname, from);
	add_from(out, "To", m->to_name, to);
	mailmsg_encode_header(out, "Subject", m->subject ? m->subject : "");
	mailmsg_encode_header(out, "Date", date);
	buf_printf(out, "Message-ID: <%s>\r\n", id);
	if (m->in_reply_to && *m->in_reply_to) {
		add_id_list(out, "In-Reply-To", m->in_reply_to);
		/* References: the customer's chain plus the message answered. */
		struct buf refs;
		buf_init(&refs, 16384);
		if (m->references)
			buf_printf(&refs, "%s ", m->references);
		buf_adds(&refs, m->in_reply_to);
		add_id_list(out, "References", refs.data);
		buf_free(&refs);
	}
	if (m->ordergw_ref)
		mailmsg_encode_header(out, "X-Ordergw-Ref", m->ordergw_ref);
	buf_adds(out, "Auto-Submitted: auto-replied\r\nMIME-Version: 1.0\r\n");
	if (m->html == NULL) {
		buf_adds(out, "Content-Type: text/plain; charset=UTF-8\r\n"
			      "Content-Transfer-Encoding: quoted-printable\r\n\r\n");
		add_qp(out, m->text ? m->text : "");
	} else {
		char boundary[40];
		snprintf(boundary, sizeof(boundary), "=_og_%.24s", id);
		for (char *p = boundary; *p; p++)
			if (!isalnum((unsigned char)*p) && *p != '_' && *p != '=')
				*p = '_';
		buf_printf(out, "Content-Type: multipart/alternative; boundary=\"%s\"\r\n\r\n", boundary);
		buf_printf(out, "--%s\r\nContent-Type: text/plain; charset=UTF-8\r\n"
			   "Content-Transfer-Encoding: quoted-printable\r\n\r\n", boundary);
		add_qp(out, m->text ? m->text : "");
		buf_printf(out, "--%s\r\nContent-Type: text/html; charset=UTF-8\r\n"
			   "Content-Transfer-Encoding: quoted-printable\r\n\r\n", boundary);
		add_qp(out, m->html);
		buf_printf(out, "--%s--\r\n", boundary);
	}
	*id_r = id;
	id = NULL;
	ret = 0;
out:
	free(from);
	free(to);
	free(fname);
	free(id);
	return ret;
}
