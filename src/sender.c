/* sender.c — see sender.h. */
#include "sender.h"
#include "config.h"
#include "fsutil.h"
#include "log.h"
#include "maildir.h"
#include "store.h"
#include "chan.h"
#include "mailmsg.h"
#include "netsrc.h"
#include "sftp.h"
#include "smtp.h"
#include "webhook.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

/* Next attempt: first_s ([outbox] retry_seconds, default 30) doubling per
 * attempt, capped at 1 h (or first_s when that is longer), with +-25% jitter. */
static void next_attempt(int first_s, int attempts, char out[32])
{
	double delay = first_s > 0 ? first_s : 30.0;
	double cap = delay > 3600 ? delay : 3600;
	for (int i = 0; i < attempts && delay < cap; i++)
		delay *= 2;
	if (delay > cap)
		delay = cap;
	unsigned short r = 0;
	if (getrandom(&r, sizeof(r), 0) != (ssize_t)sizeof(r))
		r = (unsigned short)time(NULL);
	delay *= 0.75 + 0.5 * (r / 65535.0);
	time_t t = time(NULL) + (time_t)(delay + 0.5);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%S.000Z", &tm);
}

/* A chan_err as this file's result: temporary problems are retried, the
 * rest (refused for good, bad certificate, bad credentials) are not. */
static int chan_result(const struct chan_err *e, char *msg, size_t msglen)
{
	snprintf(msg, msglen, "%s: %s", chan_kind_name(e->kind), e->msg);
	return e->kind == CHAN_TEMP ? 1 : -1;
}

static int deliver_sftp(const struct config *cfg, const struct store_outbox_row *m, char *msg, size_t msglen)
{
	/* The credentials are those of the drop whose outbound this is. */
	const struct cfg_drop *d = NULL;
	for (size_t i = 0; i < cfg->n_drops && d == NULL; i++)
		if (cfg->drops[i].outbound && strcmp(cfg->drops[i].outbound, m->recipient) == 0)
			d = &cfg->drops[i];
	if (d == NULL) {
		snprintf(msg, msglen, "no [drop] has outbound = %s", m->recipient);
		return -1;
	}
	struct chan_url u;
	struct sftp_conf conf = { 0 };
	struct chan_err e = { 0 };
	char dir[1024];
	struct sftp *sf = NULL;
	int r = 0;
	if (sftp_conf_from_url(&conf, &u, m->recipient, dir, sizeof(dir), &e) < 0)
		return chan_result(&e, msg, msglen);
	conf.user = d->user;
	conf.key_file = d->key_file;
	conf.known_hosts = d->known_hosts;
	/* Uploaded under a temporary name and renamed when complete. */
	if (sftp_open(&conf, &sf, &e) < 0 || sftp_put(sf, dir, m->subject, (const char *)m->data, m->len, &e) < 0)
		r = chan_result(&e, msg, msglen);
	sftp_close(&sf);
	return r;
}

static int deliver_smtp(const struct config *cfg, const struct store_outbox_row *m, char *msg, size_t msglen)
{
	struct chan_url u;
	struct smtp_conf conf = { 0 };
	struct chan_err e = { 0 };
	if (smtp_conf_from_url(&conf, &u, cfg->outbox.url, strcmp(cfg->outbox.tls, "none") == 0, &e) < 0)
		return chan_result(&e, msg, msglen);
	char *pw = NULL;
	if (cfg->outbox.user != NULL) {
		char why[256];
		pw = netsrc_read_secret(cfg->outbox.password_file, why, sizeof(why));
		if (pw == NULL) {
			snprintf(msg, msglen, "password: %s", why);
			return 1;
		}
	}
	conf.user = cfg->outbox.user;
	conf.password = pw;
	conf.ca_file = cfg->outbox.ca_file;
	char *from = mailmsg_addr(cfg->outbox.from);
	const char *rcpt[1] = { m->recipient };
	int r = smtp_send(&conf, from ? from : "", rcpt, 1, (const char *)m->data, m->len, &e);
	free(from);
	if (pw != NULL) {
		explicit_bzero(pw, strlen(pw));
		free(pw);
	}
	if (r == 0)
		return 0;
	if (r > 0) {
		snprintf(msg, msglen, "temporary: %s", e.msg);
		return 1;
	}
	return chan_result(&e, msg, msglen);
}

/* 0 delivered, 1 temporary failure, -1 permanent; msg says why. */
static int deliver(const struct config *cfg, const struct store_outbox_row *m, char *msg, size_t msglen)
{
	char key[32];
	snprintf(key, sizeof(key), "%lld", (long long)m->id);
	if (strcmp(m->channel, "webhook") == 0) {
		int w = webhook_deliver(cfg, m->subject, m->recipient, m->message_id, m->data, m->len, msg, msglen);
		return w > 0 ? 1 : w;
	}
	if (strcmp(m->channel, "edi") == 0) {
		if (strncmp(m->recipient, "dir:", 4) == 0) {
			const char *dir = m->recipient + 4;
			if (fs_mkdirs(dir) == 0 && fs_write_atomic(dir, m->subject, m->data, m->len) == 0)
				return 0;
			snprintf(msg, msglen, "cannot write %s/%s: %s", dir, m->subject, strerror(errno));
			return 1;
		}
		if (strncmp(m->recipient, "sftp:", 5) == 0)
			return deliver_sftp(cfg, m, msg, msglen);
		snprintf(msg, msglen, "no outbound channel for %s", m->recipient);
		return -1;
	}
	const char *url = cfg->outbox.url;
	if (strncmp(url, "maildir:", 8) == 0) {
		if (maildir_deliver(url + 8, key, m->data, m->len) == 0)
			return 0;
		snprintf(msg, msglen, "cannot deliver into %s: %s", url + 8, strerror(errno));
		return 1;
	}
	if (strncmp(url, "smtp:", 5) == 0 || strncmp(url, "smtps:", 6) == 0)
		return deliver_smtp(cfg, m, msg, msglen);
	snprintf(msg, msglen, "outbox %s is not supported", url);
	return -1;
}

/* What happened to one message, written to the store with others in one
 * transaction: one fsync per batch instead of per message.  A crash before
 * the flush resends the batch with the same Message-IDs (at-least-once). */
struct result {
	struct store_outbox_row m;
	int d;                   /* 0 sent, 1 temporary, -1 permanent */
	char why[1024];
};

#define SENDER_BATCH 64

static int record(const struct config *cfg, struct store *st, struct result *r, struct sender_stats *stats)
{
	struct store_outbox_row *m = &r->m;
	char shown[512];
	const char *to = webhook_url_for_log(m->recipient, shown, sizeof(shown));
	if (r->d == 0) {
		stats->sent++;
		char detail[600];
		snprintf(detail, sizeof(detail), "%s to %.500s", m->kind, to);
		if (store_outbox_sent(st, m->id) < 0 || store_audit(st, "ordergw", "outbox", m->id, "sent", detail) < 0)
			return -1;
		return 0;
	}
	if (r->d > 0 && m->attempts + 1 < cfg->outbox.max_attempts) {
		char at[32];
		next_attempt(cfg->outbox.retry_seconds, m->attempts, at);
		stats->deferred++;
		log_warnx("outbox: message %lld to %s deferred until %s: %s", (long long)m->id, to, at,
			  r->why);
		return store_outbox_retry(st, m->id, r->why, at);
	}
	stats->failed++;
	log_warnx("outbox: message %lld to %s failed: %s", (long long)m->id, to, r->why);
	/* Sales must know: the customer did not get this message. */
	char s[700];
	snprintf(s, sizeof(s), "A %s to %.200s could not be delivered: %.400s", m->kind, to, r->why);
	if (store_outbox_failed(st, m->id, r->why) < 0 || store_audit(st, "ordergw", "outbox", m->id, "failed", s) < 0)
		return -1;
	if (m->document_id != 0) {
		struct store_exception_new e = {
			.document_id = m->document_id, .order_id = m->order_id,
			.reason = "undeliverable", .summary = s,
		};
		if (store_exception_add(st, &e, NULL) < 0)
			return -1;
	}
	return 0;
}

static int flush(const struct config *cfg, struct store *st, struct result *rs, size_t n,
		 struct sender_stats *stats)
{
	if (n == 0)
		return 0;
	/* Files delivered into a Maildir are made durable before they count as sent. */
	if (strncmp(cfg->outbox.url, "maildir:", 8) == 0) {
		char *newdir = fs_join(cfg->outbox.url + 8, "new");
		fs_sync_dir(newdir);
		free(newdir);
	}
	int ret = store_begin(st);
	for (size_t i = 0; i < n && ret == 0; i++)
		ret = record(cfg, st, &rs[i], stats);
	if (ret == 0 && store_commit(st) < 0)
		ret = -1;
	if (ret < 0)
		store_rollback(st);
	for (size_t i = 0; i < n; i++)
		store_outbox_row_clear(&rs[i].m);
	return ret;
}

int sender_run(const struct config *cfg, struct store *st, struct sender_stats *stats)
{
	int64_t last = 0;
	struct result *rs = calloc(SENDER_BATCH, sizeof(*rs));
	size_t n = 0;
	int ret = 0;
	if (rs == NULL)
		fatal("out of memory");
	for (;;) {
		struct result *r = &rs[n];
		memset(r, 0, sizeof(*r));
		int rc = store_outbox_next(st, last, &r->m);
		if (rc < 0) {
			ret = -1;
			break;
		}
		if (rc == 0)
			break;
		last = r->m.id;
		/* Hand-offs to one webhook go in order: a later one waits for an earlier retry. */
		if (strcmp(r->m.channel, "webhook") == 0 &&
		    store_outbox_earlier_pending(st, r->m.id, r->m.channel, r->m.recipient) == 1) {
			store_outbox_row_clear(&r->m);
			continue;
		}
		r->d = deliver(cfg, &r->m, r->why, sizeof(r->why));
		/* A webhook's result must be on record before the next one to the same URL. */
		if (++n == SENDER_BATCH || strcmp(r->m.channel, "webhook") == 0) {
			if (flush(cfg, st, rs, n, stats) < 0) {
				n = 0;
				ret = -1;
				break;
			}
			n = 0;
		}
	}
	if (ret == 0 && flush(cfg, st, rs, n, stats) < 0)
		ret = -1;
	else if (ret < 0)
		for (size_t i = 0; i < n; i++)
			store_outbox_row_clear(&rs[i].m);
	free(rs);
	return ret;
}
