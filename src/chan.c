/* chan.c — see chan.h.  Owns nothing; only chan_url_parse() can fail. */
#include "chan.h"
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int chan_fail(struct chan_err *err, enum chan_kind kind, const char *fmt, ...)
{
	if (err == NULL)
		return -1;
	err->kind = kind;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	if (n < 0)
		err->msg[0] = '\0';
	else if ((size_t)n >= sizeof(err->msg))
		memcpy(err->msg + sizeof(err->msg) - 4, "...", 4);
	return -1;
}

void chan_err_clear(struct chan_err *err)
{
	if (err == NULL)
		return;
	err->kind = CHAN_OK;
	err->msg[0] = '\0';
}

const char *chan_kind_name(enum chan_kind kind)
{
	switch (kind) {
	case CHAN_OK: return "ok";
	case CHAN_TEMP: return "temporary";
	case CHAN_AUTH: return "authentication";
	case CHAN_CONFIG: return "configuration";
	case CHAN_TRUST: return "trust";
	case CHAN_PERM: return "permanent";
	case CHAN_LIMIT: return "limit";
	}
	return "unknown";
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int chan_url_parse(const char *url, unsigned default_port, struct chan_url *u,
	struct chan_err *err)
{
	memset(u, 0, sizeof(*u));
	const char *p = strstr(url, "://");
	if (p == NULL || p == url || (size_t)(p - url) >= sizeof(u->scheme))
		return chan_fail(err, CHAN_CONFIG, "URL \"%s\": expected scheme://host", url);
	for (size_t i = 0; url + i < p; i++) {
		char c = url[i];
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+'))
			return chan_fail(err, CHAN_CONFIG, "URL \"%s\": bad scheme", url);
		u->scheme[i] = c;
	}
	p += 3;
	const char *hend;
	if (*p == '[') {
		hend = strchr(p, ']');
		if (hend == NULL)
			return chan_fail(err, CHAN_CONFIG, "URL \"%s\": unclosed [ in host", url);
		p++;
	} else {
		hend = p + strcspn(p, ":/?#@");
	}
	if (*hend == '@' || memchr(p, '@', (size_t)(hend - p)) != NULL)
		return chan_fail(err, CHAN_CONFIG,
			"URL \"%s\": no user name or password in the URL; use the user and "
			"password_file keys", url);
	if (hend == p || (size_t)(hend - p) >= sizeof(u->host))
		return chan_fail(err, CHAN_CONFIG, "URL \"%s\": missing or too long host", url);
	memcpy(u->host, p, (size_t)(hend - p));
	p = hend + (*hend == ']');
	u->port = default_port;
	if (*p == ':') {
		unsigned long port = 0;
		size_t digits = 0;
		for (p++; *p >= '0' && *p <= '9' && digits < 6; p++, digits++)
			port = port * 10 + (unsigned long)(*p - '0');
		if (digits == 0 || port == 0 || port > 65535)
			return chan_fail(err, CHAN_CONFIG, "URL \"%s\": bad port", url);
		u->port = (unsigned)port;
	}
	if (*p != '\0' && *p != '/')
		return chan_fail(err, CHAN_CONFIG, "URL \"%s\": unexpected \"%c\" after host", url, *p);
	if (*p == '\0')
		p = "/";
	size_t n = 0;
	for (; *p != '\0'; p++) {
		char c = *p;
		if (c == '%') {
			int hi = hexval(p[1]), lo = hi < 0 ? -1 : hexval(p[2]);
			if (hi < 0 || lo < 0)
				return chan_fail(err, CHAN_CONFIG, "URL \"%s\": bad %% escape", url);
			c = (char)(hi * 16 + lo);
			p += 2;
		}
		if (c == '\0' || c == '\r' || c == '\n' || n + 1 >= sizeof(u->path))
			return chan_fail(err, CHAN_CONFIG, "URL \"%s\": bad or too long path", url);
		u->path[n++] = c;
	}
	return 0;
}

int chan_url_mail(const char *url, const char *plain, unsigned plain_port, const char *tls,
	unsigned tls_port, bool tls_none, struct chan_url *u, enum chan_tls *tls_r,
	struct chan_err *err)
{
	if (chan_url_parse(url, 0, u, err) < 0)
		return -1;
	if (strcmp(u->scheme, tls) == 0) {
		*tls_r = CHAN_TLS_IMPLICIT;
		if (u->port == 0)
			u->port = tls_port;
	} else if (strcmp(u->scheme, plain) == 0) {
		*tls_r = tls_none ? CHAN_TLS_NONE : CHAN_TLS_STARTTLS;
		if (u->port == 0)
			u->port = plain_port;
	} else {
		return chan_fail(err, CHAN_CONFIG, "URL \"%s\": expected %s:// or %s://", url,
			plain, tls);
	}
	return 0;
}
