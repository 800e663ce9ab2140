/* sender.c — see sender.h. */
#include "sender.h"
#include "config.h"
#include "fsutil.h"
#include "log.h"
#include "maildir.h"
#include "store.h"
#include "webhook.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

/* Next attempt: 30 s doubling per attempt, capped at 1 h, with +-25% jitter. */
static void next_attempt(int attempts, char out[32])
{
	double delay = 30.0;
	for (int i = 0; i < attempts && delay < 3600; i++)
		delay *= 2;
	if (delay > 3600)
		delay = 3600;
	unsigned short r = 0;
	if (getrandom(&r, sizeof(r), 0) != (ssize_t)sizeof(r))
		r = (unsigned short)time(NULL);
	delay *= 0.75 + 0.5 * (r / 65535.0);
	time_t t = time(NULL) + (time_t)delay;
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%S.000Z", &tm);
}

/* 0 delivered, 1 temporary failure, -1 permanent; msg_r says why. */
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
		snprintf(msg, msglen, "no outbound channel for %s in this build", m->recipient);
		return 1;
	}
	const char *url = cfg->outbox.url;
	if (strncmp(url, "maildir:", 8) == 0) {
		if (maildir_deliver(url + 8, key, m->data, m->len) == 0)
			return 0;
		snprintf(msg, msglen, "cannot deliver into %s: %s", url + 8, strerror(errno));
		return 1;
	}
	snprintf(msg, msglen, "outbox %s is not supported by this build", url);
	return 1;
}

int sender_run(const struct config *cfg, struct store *st, struct sender_stats *stats)
{
	int64_t last = 0;
	for (;;) {
		struct store_outbox_row m = { 0 };
		int rc = store_outbox_next(st, last, &m);
		if (rc < 0)
			return -1;
		if (rc == 0)
			break;
		last = m.id;
		/* Hand-offs to one webhook go in order: a later one waits for an earlier retry. */
		if (strcmp(m.channel, "webhook") == 0 &&
		    store_outbox_earlier_pending(st, m.id, m.channel, m.recipient) == 1) {
			store_outbox_row_clear(&m);
			continue;
		}
		char why[512] = "";
		int d = deliver(cfg, &m, why, sizeof(why));
		int w;
		if (d == 0) {
			w = store_outbox_sent(st, m.id);
			if (w == 0) {
				stats->sent++;
				char detail[600];
				snprintf(detail, sizeof(detail), "%s to %s", m.kind, m.recipient);
				store_audit(st, "ordergw", "outbox", m.id, "sent", detail);
			}
		} else if (d > 0 && m.attempts + 1 < cfg->outbox.max_attempts) {
			char at[32];
			next_attempt(m.attempts, at);
			w = store_outbox_retry(st, m.id, why, at);
			stats->deferred++;
			log_warnx("outbox: message %lld to %s deferred until %s: %s", (long long)m.id,
				  m.recipient, at, why);
		} else {
			w = store_outbox_failed(st, m.id, why);
			stats->failed++;
			log_warnx("outbox: message %lld to %s failed: %s", (long long)m.id, m.recipient, why);
			if (w == 0) {
				char s[700];
				snprintf(s, sizeof(s), "A %s to %s could not be delivered: %s", m.kind, m.recipient, why);
				store_audit(st, "ordergw", "outbox", m.id, "failed", s);
			}
		}
		store_outbox_row_clear(&m);
		if (w < 0)
			return -1;
	}
	return 0;
}
