/* sftp.c — the SFTP client of sftp.h on libcurl (libssh2 backend), and the
 * "stable file" tracker.
 *
 * Ownership: struct sftp owns one curl easy handle (so the SSH connection
 * is reused between operations) and copies of the configuration strings.
 * Listings and downloads are malloc'ed for the caller.
 *
 * Failure: libcurl codes are translated in sftp_error() only.  The host
 * key callback refuses everything but an exact known_hosts match and
 * leaves the reason (with the offered key's SHA256 fingerprint) in the
 * session, so the error names the file to fix. */
#include "sftp.h"
#include "buf.h"
#include "limits.h"
#include "log.h"
#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <gnutls/gnutls.h>
#include <gnutls/crypto.h>

struct sftp {
	CURL *h;
	char *host, *user, *key_file, *pub_key_file, *known_hosts;
	unsigned port;
	int timeout_s;
	char errbuf[CURL_ERROR_SIZE];
	char keymsg[512];         /* why the host key was refused */
};

int sftp_conf_from_url(struct sftp_conf *conf, struct chan_url *u, const char *url,
	char *dir, size_t dir_size, struct chan_err *err)
{
	if (chan_url_parse(url, 22, u, err) < 0)
		return -1;
	if (strcmp(u->scheme, "sftp") != 0)
		return chan_fail(err, CHAN_CONFIG, "URL \"%s\": expected sftp://", url);
	conf->host = u->host;
	conf->port = u->port;
	if ((size_t)snprintf(dir, dir_size, "%s", u->path) >= dir_size)
		return chan_fail(err, CHAN_CONFIG, "URL \"%s\": path too long", url);
	return 0;
}

static int readable(const char *path)
{
	return path != NULL && path[0] != '\0' && access(path, R_OK) == 0;
}

int sftp_open(const struct sftp_conf *conf, struct sftp **sftp_r, struct chan_err *err)
{
	*sftp_r = NULL;
	if (conf->known_hosts == NULL || conf->known_hosts[0] == '\0')
		return chan_fail(err, CHAN_CONFIG,
			"sftp %s: known_hosts is required (unknown host keys are refused)", conf->host);
	if (!readable(conf->known_hosts))
		return chan_fail(err, CHAN_CONFIG, "sftp %s: cannot read known_hosts %s: %s",
			conf->host, conf->known_hosts, strerror(errno));
	if (!readable(conf->key_file))
		return chan_fail(err, CHAN_CONFIG, "sftp %s: cannot read key_file %s: %s",
			conf->host, conf->key_file ? conf->key_file : "(none)", strerror(errno));
	if (conf->user == NULL || conf->user[0] == '\0')
		return chan_fail(err, CHAN_CONFIG, "sftp %s: user is required", conf->host);
	struct sftp *s = calloc(1, sizeof(*s));
	if (s == NULL)
		return chan_fail(err, CHAN_TEMP, "out of memory");
	s->port = conf->port ? conf->port : 22;
	s->timeout_s = conf->timeout_s > 0 ? conf->timeout_s : (int)OG_NET_TIMEOUT_DEFAULT;
	s->host = strdup(conf->host);
	s->user = strdup(conf->user);
	s->key_file = strdup(conf->key_file);
	s->known_hosts = strdup(conf->known_hosts);
	if (conf->pub_key_file != NULL) {
		s->pub_key_file = strdup(conf->pub_key_file);
	} else {
		size_t n = strlen(conf->key_file) + 5;
		s->pub_key_file = malloc(n);
		if (s->pub_key_file != NULL) {
			snprintf(s->pub_key_file, n, "%s.pub", conf->key_file);
			if (!readable(s->pub_key_file))
				s->pub_key_file[0] = '\0';   /* libssh2 derives it */
		}
	}
	s->h = curl_easy_init();
	if (s->h == NULL || s->host == NULL || s->user == NULL || s->key_file == NULL ||
	    s->known_hosts == NULL || s->pub_key_file == NULL) {
		sftp_close(&s);
		return chan_fail(err, CHAN_TEMP, "out of memory");
	}
	*sftp_r = s;
	return 0;
}

void sftp_close(struct sftp **sp)
{
	struct sftp *s = *sp;
	if (s == NULL)
		return;
	*sp = NULL;
	if (s->h != NULL)
		curl_easy_cleanup(s->h);
	free(s->host);
	free(s->user);
	free(s->key_file);
	free(s->pub_key_file);
	free(s->known_hosts);
	free(s);
}

static void fingerprint(const struct curl_khkey *k, char *out, size_t outlen)
{
	unsigned char d[32];
	char b[64];
	out[0] = '\0';
	if (k == NULL || k->key == NULL || k->len == 0)
		return;
	if (gnutls_hash_fast(GNUTLS_DIG_SHA256, k->key, k->len, d) < 0)
		return;
	gnutls_datum_t in = { d, sizeof(d) }, enc = { NULL, 0 };
	if (gnutls_base64_encode2(&in, &enc) < 0)
		return;
	size_t n = 0;
	for (unsigned i = 0; i < enc.size && n + 1 < sizeof(b); i++)
		if (enc.data[i] != '=' && enc.data[i] != '\n' && enc.data[i] != '\r')
			b[n++] = (char)enc.data[i];
	b[n] = '\0';
	gnutls_free(enc.data);
	snprintf(out, outlen, " (offered key SHA256:%s)", b);
}

static int key_cb(CURL *h, const struct curl_khkey *known, const struct curl_khkey *found,
	enum curl_khmatch match, void *ctx)
{
	struct sftp *s = ctx;
	char fp[128];
	(void)h;
	(void)known;
	if (match == CURLKHMATCH_OK)
		return CURLKHSTAT_FINE;
	fingerprint(found, fp, sizeof(fp));
	if (match == CURLKHMATCH_MISMATCH)
		snprintf(s->keymsg, sizeof(s->keymsg),
			"host key of %s port %u does not match the one in %s%s: the key changed or "
			"someone is impersonating the server; connection refused",
			s->host, s->port, s->known_hosts, fp);
	else
		snprintf(s->keymsg, sizeof(s->keymsg),
			"host key of %s port %u is not in %s%s: unknown host refused; add its key "
			"after checking the fingerprint with the partner", s->host, s->port,
			s->known_hosts, fp);
	return CURLKHSTAT_REJECT;
}

/* The one place where libcurl codes become chan kinds. */
static int sftp_error(struct sftp *s, CURLcode rc, const char *what, const char *path,
	struct chan_err *err)
{
	const char *detail = s->errbuf[0] ? s->errbuf : curl_easy_strerror(rc);
	if (s->keymsg[0] != '\0')
		return chan_fail(err, CHAN_TRUST, "sftp: %s", s->keymsg);
	switch (rc) {
	case CURLE_PEER_FAILED_VERIFICATION:
		return chan_fail(err, CHAN_TRUST, "sftp %s port %u: host key refused: %s",
			s->host, s->port, detail);
	case CURLE_LOGIN_DENIED:
		return chan_fail(err, CHAN_AUTH, "sftp %s port %u: key %s refused for user %s: %s",
			s->host, s->port, s->key_file, s->user, detail);
	case CURLE_REMOTE_FILE_NOT_FOUND:
		return chan_fail(err, CHAN_PERM, "sftp %s port %u: %s %s: no such file",
			s->host, s->port, what, path);
	case CURLE_REMOTE_ACCESS_DENIED:
		return chan_fail(err, CHAN_CONFIG, "sftp %s port %u: %s %s: permission denied",
			s->host, s->port, what, path);
	case CURLE_QUOTE_ERROR:
		return chan_fail(err, CHAN_PERM, "sftp %s port %u: %s %s refused: %s",
			s->host, s->port, what, path, detail);
	case CURLE_FILESIZE_EXCEEDED:
		return chan_fail(err, CHAN_LIMIT, "sftp %s port %u: %s %s: file larger than the limit",
			s->host, s->port, what, path);
	case CURLE_URL_MALFORMAT:
	case CURLE_UNSUPPORTED_PROTOCOL:
		return chan_fail(err, CHAN_CONFIG, "sftp %s port %u: %s %s: %s",
			s->host, s->port, what, path, detail);
	default:
		return chan_fail(err, CHAN_TEMP, "sftp %s port %u: %s %s failed: %s",
			s->host, s->port, what, path, detail);
	}
}

/* Reset the handle (keeping its connection) and set what every request needs. */
static int prepare(struct sftp *s, const char *path, CURLU **url_r, struct chan_err *err)
{
	CURL *h = s->h;
	curl_easy_reset(h);
	s->errbuf[0] = '\0';
	s->keymsg[0] = '\0';
	CURLU *u = curl_url();
	char host[300], port[8];
	if (u == NULL)
		return chan_fail(err, CHAN_TEMP, "out of memory");
	snprintf(host, sizeof(host), strchr(s->host, ':') ? "[%s]" : "%s", s->host);
	snprintf(port, sizeof(port), "%u", s->port);
	if (curl_url_set(u, CURLUPART_SCHEME, "sftp", 0) != CURLUE_OK ||
	    curl_url_set(u, CURLUPART_HOST, host, 0) != CURLUE_OK ||
	    curl_url_set(u, CURLUPART_PORT, port, 0) != CURLUE_OK ||
	    curl_url_set(u, CURLUPART_PATH, path, CURLU_URLENCODE) != CURLUE_OK) {
		curl_url_cleanup(u);
		return chan_fail(err, CHAN_CONFIG, "sftp %s: bad path \"%s\"", s->host, path);
	}
	*url_r = u;
	curl_easy_setopt(h, CURLOPT_CURLU, u);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "sftp");
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, s->errbuf);
	curl_easy_setopt(h, CURLOPT_USERNAME, s->user);
	curl_easy_setopt(h, CURLOPT_SSH_AUTH_TYPES, (long)CURLSSH_AUTH_PUBLICKEY);
	curl_easy_setopt(h, CURLOPT_SSH_PRIVATE_KEYFILE, s->key_file);
	curl_easy_setopt(h, CURLOPT_SSH_PUBLIC_KEYFILE, s->pub_key_file);
	curl_easy_setopt(h, CURLOPT_SSH_KNOWNHOSTS, s->known_hosts);
	curl_easy_setopt(h, CURLOPT_SSH_KEYFUNCTION, key_cb);
	curl_easy_setopt(h, CURLOPT_SSH_KEYDATA, s);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, (long)s->timeout_s);
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, (long)s->timeout_s);
	return 0;
}

/* Where a download or listing goes; overflow records that the limit was hit. */
struct sink {
	struct buf b;
	bool overflow;
};

static size_t write_sink(char *p, size_t size, size_t n, void *ctx)
{
	struct sink *k = ctx;
	if (buf_add(&k->b, p, size * n) < 0) {
		k->overflow = true;
		return 0;
	}
	return size * n;
}

static int perform(struct sftp *s, CURLU *u, const char *what, const char *path,
	struct chan_err *err)
{
	CURLcode rc = curl_easy_perform(s->h);
	curl_easy_setopt(s->h, CURLOPT_CURLU, NULL);
	curl_url_cleanup(u);
	if (rc == CURLE_OK)
		return 0;
	return sftp_error(s, rc, what, path, err);
}

static const char *const months[12] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
};

/* Next whitespace-separated field of line[*pos..len). */
static int field(const char *line, size_t len, size_t *pos, const char **f, size_t *flen)
{
	size_t i = *pos;
	while (i < len && (line[i] == ' ' || line[i] == '\t'))
		i++;
	size_t start = i;
	while (i < len && line[i] != ' ' && line[i] != '\t')
		i++;
	if (i == start)
		return -1;
	*f = line + start;
	*flen = i - start;
	*pos = i;
	return 0;
}

static int number(const char *f, size_t n, uint64_t max, uint64_t *v)
{
	uint64_t x = 0;
	if (n == 0 || n > 20)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (f[i] < '0' || f[i] > '9')
			return -1;
		uint64_t d = (uint64_t)(f[i] - '0');
		if (x > (max - d) / 10)
			return -1;
		x = x * 10 + d;
	}
	*v = x;
	return 0;
}

int sftp_parse_long(const char *line, size_t len, time_t now, struct sftp_entry *e)
{
	const char *f[8];
	size_t fl[8], pos = 0;
	uint64_t size, day, a, b;
	memset(e, 0, sizeof(*e));
	for (int i = 0; i < 8; i++)
		if (field(line, len, &pos, &f[i], &fl[i]) < 0)
			return -1;
	/* mode nlink user group size month day (HH:MM | year) name */
	if (fl[0] != 10 || number(f[4], fl[4], UINT64_MAX, &size) < 0)
		return -1;
	int mon = -1;
	for (int m = 0; m < 12; m++)
		if (fl[5] == 3 && memcmp(f[5], months[m], 3) == 0)
			mon = m;
	if (mon < 0 || number(f[6], fl[6], 31, &day) < 0 || day == 0)
		return -1;
	struct tm tm = { .tm_mon = mon, .tm_mday = (int)day };
	struct tm nowtm;
	gmtime_r(&now, &nowtm);
	const char *colon = memchr(f[7], ':', fl[7]);
	if (colon != NULL) {
		if (number(f[7], (size_t)(colon - f[7]), 23, &a) < 0 ||
		    number(colon + 1, fl[7] - (size_t)(colon - f[7]) - 1, 59, &b) < 0)
			return -1;
		tm.tm_hour = (int)a;
		tm.tm_min = (int)b;
		tm.tm_year = nowtm.tm_year;
		/* "Mon DD HH:MM" is within the last six months: never in the future. */
		if (timegm(&tm) > now + 86400) {
			tm.tm_year--;
		}
	} else {
		if (number(f[7], fl[7], 9999, &a) < 0 || a < 1970)
			return -1;
		tm.tm_year = (int)a - 1900;
	}
	/* The name is everything after one separator; symlinks add " -> target". */
	if (pos >= len)
		return -1;
	size_t start = pos + 1, end = len;
	while (end > start && (line[end - 1] == '\r' || line[end - 1] == '\n'))
		end--;
	if (f[0][0] == 'l') {
		const char *arrow = NULL;
		for (size_t i = start; i + 4 <= end; i++)
			if (memcmp(line + i, " -> ", 4) == 0) {
				arrow = line + i;
				break;
			}
		if (arrow != NULL)
			end = (size_t)(arrow - line);
	}
	if (end == start || memchr(line + start, '/', end - start) != NULL)
		return -1;
	e->name = strndup(line + start, end - start);
	if (e->name == NULL)
		fatal("out of memory");
	e->size = size;
	e->mtime = timegm(&tm);
	e->is_dir = f[0][0] == 'd';
	e->is_reg = f[0][0] == '-';
	return 0;
}

static int cmp_entry(const void *a, const void *b)
{
	return strcmp(((const struct sftp_entry *)a)->name, ((const struct sftp_entry *)b)->name);
}

void sftp_list_free(struct sftp_list *list)
{
	for (size_t i = 0; i < list->n; i++)
		free(list->v[i].name);
	free(list->v);
	list->v = NULL;
	list->n = 0;
}

int sftp_list(struct sftp *s, const char *dir, struct sftp_list *list, struct chan_err *err)
{
	char path[1100];
	CURLU *u;
	struct sink k = { .overflow = false };
	size_t dl = strlen(dir);
	int ret = -1;

	list->v = NULL;
	list->n = 0;
	if ((size_t)snprintf(path, sizeof(path), "%s%s", dir,
		dl > 0 && dir[dl - 1] == '/' ? "" : "/") >= sizeof(path))
		return chan_fail(err, CHAN_CONFIG, "sftp: directory name too long");
	if (prepare(s, path, &u, err) < 0)
		return -1;
	buf_init(&k.b, OG_SFTP_MAX_LISTING_BYTES);
	struct buf *bp = &k.b;
	curl_easy_setopt(s->h, CURLOPT_DIRLISTONLY, 0L);
	curl_easy_setopt(s->h, CURLOPT_WRITEFUNCTION, write_sink);
	curl_easy_setopt(s->h, CURLOPT_WRITEDATA, &k);
	if (perform(s, u, "listing", path, err) < 0) {
		if (k.overflow)
			chan_fail(err, CHAN_LIMIT, "sftp: listing of %s larger than %u bytes", path,
				OG_SFTP_MAX_LISTING_BYTES);
		goto out;
	}
	time_t now = time(NULL);
	size_t cap = 0;
	for (size_t i = 0; i < bp->len;) {
		const char *nl = memchr(bp->data + i, '\n', bp->len - i);
		size_t end = nl ? (size_t)(nl - bp->data) : bp->len;
		struct sftp_entry e;
		if (sftp_parse_long(bp->data + i, end - i, now, &e) == 0) {
			if (strcmp(e.name, ".") == 0 || strcmp(e.name, "..") == 0 || (!e.is_reg && !e.is_dir)) {
				free(e.name);
			} else if (list->n >= OG_SFTP_MAX_ENTRIES) {
				free(e.name);
				chan_fail(err, CHAN_LIMIT, "sftp: %s has more than %u entries", path,
					OG_SFTP_MAX_ENTRIES);
				sftp_list_free(list);
				goto out;
			} else {
				if (list->n == cap) {
					cap = cap ? cap * 2 : 64;
					struct sftp_entry *v = realloc(list->v, cap * sizeof(*v));
					if (v == NULL)
						fatal("out of memory");
					list->v = v;
				}
				list->v[list->n++] = e;
			}
		} else if (end > i) {
			log_debug("sftp %s: unparsed listing line in %s: %.*s", s->host, path,
				(int)(end - i > 200 ? 200 : end - i), bp->data + i);
		}
		i = end + 1;
	}
	if (list->n > 0)
		qsort(list->v, list->n, sizeof(*list->v), cmp_entry);
	ret = 0;
out:
	buf_free(&k.b);
	return ret;
}

int sftp_get(struct sftp *s, const char *path, size_t max, char **data_r, size_t *len_r,
	struct chan_err *err)
{
	CURLU *u;
	struct sink k = { .overflow = false };
	*data_r = NULL;
	*len_r = 0;
	if (prepare(s, path, &u, err) < 0)
		return -1;
	buf_init(&k.b, max);
	curl_easy_setopt(s->h, CURLOPT_WRITEFUNCTION, write_sink);
	curl_easy_setopt(s->h, CURLOPT_WRITEDATA, &k);
	curl_easy_setopt(s->h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)max);
	if (perform(s, u, "download", path, err) < 0) {
		if (k.overflow)
			chan_fail(err, CHAN_LIMIT, "sftp %s port %u: download %s: file larger than "
				"the limit", s->host, s->port, path);
		buf_free(&k.b);
		return -1;
	}
	if (k.b.data == NULL)
		buf_add(&k.b, "", 0);
	*data_r = buf_steal(&k.b, len_r);
	return 0;
}

static int safe_path(const char *p)
{
	for (; *p != '\0'; p++)
		if (*p == '"' || *p == '\\' || (unsigned char)*p < 0x20 || *p == 0x7f)
			return 0;
	return 1;
}

/* Run quote commands (rename, rm) against the server root. */
static int quote(struct sftp *s, const char *cmd, const char *what, const char *path,
	struct chan_err *err)
{
	CURLU *u;
	if (prepare(s, "/", &u, err) < 0)
		return -1;
	struct curl_slist *q = curl_slist_append(NULL, cmd);
	if (q == NULL)
		fatal("out of memory");
	curl_easy_setopt(s->h, CURLOPT_QUOTE, q);
	curl_easy_setopt(s->h, CURLOPT_NOBODY, 1L);
	int r = perform(s, u, what, path, err);
	curl_easy_setopt(s->h, CURLOPT_QUOTE, NULL);
	curl_slist_free_all(q);
	return r;
}

int sftp_rename(struct sftp *s, const char *from, const char *to, struct chan_err *err)
{
	char cmd[2300];
	if (!safe_path(from) || !safe_path(to))
		return chan_fail(err, CHAN_CONFIG, "sftp: file name with a quote, backslash or "
			"control character: \"%s\" -> \"%s\"", from, to);
	if ((size_t)snprintf(cmd, sizeof(cmd), "rename \"%s\" \"%s\"", from, to) >= sizeof(cmd))
		return chan_fail(err, CHAN_CONFIG, "sftp: path too long");
	return quote(s, cmd, "rename", from, err);
}

struct reader {
	const char *p;
	size_t left;
};

static size_t read_mem(char *out, size_t size, size_t n, void *ctx)
{
	struct reader *r = ctx;
	size_t k = size * n < r->left ? size * n : r->left;
	memcpy(out, r->p, k);
	r->p += k;
	r->left -= k;
	return k;
}

int sftp_put(struct sftp *s, const char *dir, const char *name, const char *data,
	size_t len, struct chan_err *err)
{
	char tmp[1100], final[1100], cmd[2300];
	size_t dl = strlen(dir);
	const char *sep = dl > 0 && dir[dl - 1] == '/' ? "" : "/";
	if (name[0] == '\0' || name[0] == '.' || strchr(name, '/') != NULL || !safe_path(name) ||
	    !safe_path(dir))
		return chan_fail(err, CHAN_CONFIG, "sftp: bad file name \"%s\"", name);
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s%s.%s.part", dir, sep, name) >= sizeof(tmp) ||
	    (size_t)snprintf(final, sizeof(final), "%s%s%s", dir, sep, name) >= sizeof(final) ||
	    (size_t)snprintf(cmd, sizeof(cmd), "rename \"%s\" \"%s\"", tmp, final) >= sizeof(cmd))
		return chan_fail(err, CHAN_CONFIG, "sftp: path too long");
	CURLU *u;
	if (prepare(s, tmp, &u, err) < 0)
		return -1;
	struct reader rd = { data, len };
	struct curl_slist *q = curl_slist_append(NULL, cmd);
	if (q == NULL)
		fatal("out of memory");
	curl_easy_setopt(s->h, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(s->h, CURLOPT_READFUNCTION, read_mem);
	curl_easy_setopt(s->h, CURLOPT_READDATA, &rd);
	curl_easy_setopt(s->h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)len);
	curl_easy_setopt(s->h, CURLOPT_NEW_FILE_PERMS, 0644L);
	curl_easy_setopt(s->h, CURLOPT_POSTQUOTE, q);
	int r = perform(s, u, "upload", final, err);
	curl_easy_setopt(s->h, CURLOPT_POSTQUOTE, NULL);
	curl_slist_free_all(q);
	if (r < 0 && err != NULL && err->kind == CHAN_PERM) {
		/* The rename failed (final exists): do not leave the temporary file. */
		struct chan_err ignored;
		snprintf(cmd, sizeof(cmd), "rm \"%s\"", tmp);
		(void)quote(s, cmd, "remove", tmp, &ignored);
	}
	return r;
}

/* ---- stable selection ---- */

struct seen {
	char *name;
	uint64_t size;
	time_t mtime;
	time_t since;             /* when this size and mtime were first seen */
};

struct sftp_stable {
	unsigned stable_seconds;
	const char *const *markers;
	bool markers_required;
	struct seen *v;
	size_t n;
};

struct sftp_stable *sftp_stable_new(unsigned stable_seconds, const char *const *markers,
	bool markers_required)
{
	struct sftp_stable *st = calloc(1, sizeof(*st));
	if (st == NULL)
		fatal("out of memory");
	st->stable_seconds = stable_seconds;
	st->markers = markers;
	st->markers_required = markers_required;
	return st;
}

void sftp_stable_free(struct sftp_stable **stp)
{
	struct sftp_stable *st = *stp;
	if (st == NULL)
		return;
	*stp = NULL;
	for (size_t i = 0; i < st->n; i++)
		free(st->v[i].name);
	free(st->v);
	free(st);
}

static const struct sftp_entry *find_entry(const struct sftp_list *list, const char *name)
{
	struct sftp_entry key = { .name = (char *)name };
	if (list->n == 0)
		return NULL;
	return bsearch(&key, list->v, list->n, sizeof(*list->v), cmp_entry);
}

/* Is name + marker suffix for some listed file?  Returns the suffix. */
static const char *marker_of(const struct sftp_stable *st, const char *name)
{
	size_t n = strlen(name);
	for (const char *const *m = st->markers; m != NULL && *m != NULL; m++) {
		size_t ml = strlen(*m);
		if (n > ml && strcmp(name + n - ml, *m) == 0)
			return *m;
	}
	return NULL;
}

static int cmp_seen(const void *a, const void *b)
{
	return strcmp(((const struct seen *)a)->name, ((const struct seen *)b)->name);
}

size_t sftp_stable_pick(struct sftp_stable *st, const struct sftp_list *list, time_t now,
	bool *eligible, const char **marker_r)
{
	struct seen *next = calloc(list->n + 1, sizeof(*next));
	size_t nn = 0, count = 0;
	char mname[1200];
	if (next == NULL)
		fatal("out of memory");
	for (size_t i = 0; i < list->n; i++) {
		const struct sftp_entry *e = &list->v[i];
		eligible[i] = false;
		if (marker_r != NULL)
			marker_r[i] = NULL;
		if (!e->is_reg || e->name[0] == '.')
			continue;
		if (marker_of(st, e->name) != NULL)
			continue;   /* a marker is never a document itself */
		const struct sftp_entry *marker = NULL;
		for (const char *const *m = st->markers; m != NULL && *m != NULL && !marker; m++) {
			snprintf(mname, sizeof(mname), "%s%s", e->name, *m);
			marker = find_entry(list, mname);
		}
		/* Track size and mtime in any case, so a marker appearing later or
		 * disappearing does not restart the clock. */
		struct seen key = { .name = e->name };
		struct seen *old = st->n ? bsearch(&key, st->v, st->n, sizeof(*st->v), cmp_seen) : NULL;
		struct seen *s = &next[nn++];
		s->name = strdup(e->name);
		if (s->name == NULL)
			fatal("out of memory");
		s->size = e->size;
		s->mtime = e->mtime;
		s->since = old != NULL && old->size == e->size && old->mtime == e->mtime ?
			old->since : now;
		bool stable = old != NULL && s->since == old->since &&
			now - s->since >= (time_t)st->stable_seconds;
		if (marker != NULL && marker->is_reg) {
			eligible[i] = true;
			if (marker_r != NULL)
				marker_r[i] = marker->name;
		} else if (!st->markers_required && stable) {
			eligible[i] = true;
		}
		if (eligible[i])
			count++;
	}
	for (size_t i = 0; i < st->n; i++)
		free(st->v[i].name);
	free(st->v);
	st->v = next;
	st->n = nn;
	qsort(st->v, st->n, sizeof(*st->v), cmp_seen);
	return count;
}
