/* netsrc.c — see netsrc.h. */
#include "netsrc.h"
#include "chan.h"
#include "config.h"
#include "imap.h"
#include "log.h"
#include "maildir.h"
#include "sftp.h"
#include "store.h"
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

char *netsrc_read_secret(const char *path, char *err, size_t errlen)
{
	if (path == NULL) {
		snprintf(err, errlen, "no password_file is configured");
		return NULL;
	}
	FILE *f = fopen(path, "r");
	if (f == NULL) {
		snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
		return NULL;
	}
	char *line = NULL;
	size_t cap = 0;
	ssize_t n = getline(&line, &cap, f);
	fclose(f);
	if (n <= 0) {
		free(line);
		snprintf(err, errlen, "%s is empty", path);
		return NULL;
	}
	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = '\0';
	return line;
}

static void wipe_free(char *s)
{
	if (s != NULL) {
		explicit_bzero(s, strlen(s));
		free(s);
	}
}

/* ---- IMAP ----------------------------------------------------------------- */

struct imapsrc {
	const struct config *cfg;
	const struct cfg_mailbox *mb;
	struct imap *imap;
	char folder[512];
	uint32_t uidvalidity;
};

struct imapsrc *imapsrc_new(const struct config *cfg, const struct cfg_mailbox *mb)
{
	struct imapsrc *s = calloc(1, sizeof(*s));
	if (s == NULL)
		fatal("out of memory");
	s->cfg = cfg;
	s->mb = mb;
	return s;
}

void imapsrc_free(struct imapsrc **sp)
{
	if (*sp == NULL)
		return;
	imap_close(&(*sp)->imap);
	free(*sp);
	*sp = NULL;
}

static int imapsrc_connect(struct imapsrc *s)
{
	if (s->imap != NULL)
		return 0;
	struct chan_url u;
	struct imap_conf conf = { 0 };
	struct chan_err e = { 0 };
	char why[256];
	if (imap_conf_from_url(&conf, &u, s->mb->url, strcmp(s->mb->tls, "none") == 0, s->folder,
			       sizeof(s->folder), &e) < 0) {
		log_warnx("mailbox %s: %s", s->mb->name, e.msg);
		return -1;
	}
	if (imap_auth_parse(s->mb->auth, &conf.auth) < 0) {
		log_warnx("mailbox %s: auth = %s is neither login nor plain", s->mb->name, s->mb->auth);
		return -1;
	}
	char *pw = netsrc_read_secret(s->mb->password_file, why, sizeof(why));
	if (pw == NULL) {
		log_warnx("mailbox %s: password: %s", s->mb->name, why);
		return -1;
	}
	conf.user = s->mb->user;
	conf.password = pw;
	conf.ca_file = s->mb->ca_file;
	int r = imap_open(&conf, &s->imap, &e);
	wipe_free(pw);
	if (r < 0) {
		log_warnx("mailbox %s: %s: %s", s->mb->name, chan_kind_name(e.kind), e.msg);
		return -1;
	}
	log_debug("mailbox %s: logged in as %s with %s", s->mb->name, s->mb->user, imap_auth_used(s->imap));
	return 0;
}

struct fetch_ctx {
	struct imapsrc *s;
	struct store *st;
	struct intake_stats *stats;
	uint32_t *uids;
	size_t n, cap;
	size_t in_txn;
	bool failed;
};

static int on_message(void *ctx, uint32_t uid, const char *data, size_t len, bool truncated)
{
	struct fetch_ctx *f = ctx;
	struct imapsrc *s = f->s;
	if (f->in_txn == 0 && store_begin(f->st) < 0) {
		f->failed = true;
		return 1;
	}
	char key[700];
	snprintf(key, sizeof(key), "imap:%s:%" PRIu32 ":%" PRIu32, s->mb->name, s->uidvalidity, uid);
	char name[64];
	snprintf(name, sizeof(name), "%" PRIu32 ".%" PRIu32, s->uidvalidity, uid);
	struct store_doc_meta m = { .source_key = key, .channel = "imap", .endpoint = s->mb->name,
				    .name = name, .truncated = truncated,
				    .full_size = truncated ? s->cfg->max_message_bytes + 1 : len };
	f->stats->seen++;
	int r = store_doc_same_bytes(f->st, s->mb->name, data, len);
	if (r == 0)
		r = store_doc_add(f->st, &m, data, len, NULL);
	if (r < 0) {
		log_warnx("mailbox %s: %s", s->mb->name, store_error(f->st));
		store_rollback(f->st);
		f->in_txn = 0;
		f->failed = true;
		return 1;
	}
	if (r == 0)
		f->stats->stored++;
	else
		f->stats->already++;
	if (truncated)
		f->stats->too_large++;
	if (f->n == f->cap) {
		f->cap = f->cap ? f->cap * 2 : 256;
		f->uids = realloc(f->uids, f->cap * sizeof(*f->uids));
		if (f->uids == NULL)
			fatal("out of memory");
	}
	f->uids[f->n++] = uid;
	/* Commit in batches: a document is durable before anything else. */
	if (++f->in_txn >= (size_t)s->mb->batch) {
		if (store_commit(f->st) < 0) {
			log_warnx("mailbox %s: %s", s->mb->name, store_error(f->st));
			store_rollback(f->st);
			f->failed = true;
			f->in_txn = 0;
			return 1;
		}
		f->in_txn = 0;
	}
	return 0;
}

int imapsrc_poll(struct imapsrc *s, struct store *st, struct intake_stats *stats)
{
	if (imapsrc_connect(s) < 0)
		return -1;
	struct chan_err e = { 0 };
	uint32_t uidvalidity = 0, last = 0;
	if (imap_select(s->imap, s->folder, &uidvalidity, NULL, NULL, &e) < 0)
		goto fail;
	char cpkey[300], *cp = NULL;
	snprintf(cpkey, sizeof(cpkey), "imap:%s", s->mb->name);
	if (store_checkpoint_get(st, cpkey, &cp) == 1) {
		unsigned long long v = 0, u = 0;
		char *end;
		v = strtoull(cp, &end, 10);
		if (*end == ':')
			u = strtoull(end + 1, NULL, 10);
		if (v == uidvalidity)
			last = (uint32_t)u;
		else
			log_info("mailbox %s: UIDVALIDITY changed (%llu -> %" PRIu32 "); reading the whole mailbox, "
				 "already stored messages are recognised by their bytes", s->mb->name, v, uidvalidity);
	}
	free(cp);
	s->uidvalidity = uidvalidity;
	struct fetch_ctx f = { .s = s, .st = st, .stats = stats };
	uint32_t last_seen = 0;
	int r = imap_fetch_new(s->imap, last, (size_t)s->mb->batch, s->cfg->max_message_bytes, on_message, &f,
			       &last_seen, &e);
	if (f.in_txn > 0 && !f.failed && store_commit(st) < 0) {
		log_warnx("mailbox %s: %s", s->mb->name, store_error(st));
		store_rollback(st);
		f.failed = true;
	}
	if (f.failed) {
		free(f.uids);
		return -1;
	}
	/* Stored: now acknowledge (move), then advance the checkpoint. */
	if (f.n > 0) {
		struct chan_err me = { 0 };
		if (imap_move(s->imap, f.uids, f.n, s->mb->done_folder, &me) < 0) {
			free(f.uids);
			e = me;
			goto fail;
		}
		stats->acknowledged += f.n;
		char v[64];
		snprintf(v, sizeof(v), "%" PRIu32 ":%" PRIu32, uidvalidity, f.uids[f.n - 1]);
		if (store_checkpoint_set(st, cpkey, v) < 0)
			log_warnx("mailbox %s: %s", s->mb->name, store_error(st));
	}
	free(f.uids);
	if (r < 0)
		goto fail;
	return 0;
fail:
	log_warnx("mailbox %s: %s: %s", s->mb->name, chan_kind_name(e.kind), e.msg);
	imap_close(&s->imap);
	return -1;
}

int imapsrc_wait(struct imapsrc *s, int timeout_s)
{
	if (s->imap == NULL)
		return -1;
	struct chan_err e = { 0 };
	int r = imap_idle(s->imap, timeout_s, &e);
	if (r < 0) {
		log_warnx("mailbox %s: %s: %s", s->mb->name, chan_kind_name(e.kind), e.msg);
		imap_close(&s->imap);
	}
	return r;
}

/* ---- SFTP ----------------------------------------------------------------- */

struct sftpsrc {
	const struct config *cfg;
	const struct cfg_drop *drop;
	struct sftp_stable *stable;
	const char *markers[2];      /* the stable tracker keeps a pointer to this */
	const char *const *marker_set;   /* the suffixes that make a file a marker */
	size_t waiting;              /* see sftpsrc_waiting() */
};

struct sftpsrc *sftpsrc_new(const struct config *cfg, const struct cfg_drop *drop)
{
	struct sftpsrc *s = calloc(1, sizeof(*s));
	if (s == NULL)
		fatal("out of memory");
	s->cfg = cfg;
	s->drop = drop;
	static const char *const default_markers[] = { ".done", ".ok", NULL };
	s->markers[0] = drop->ready_suffix;
	s->markers[1] = NULL;
	/* With ready_suffix set, only files with that companion are taken;
	 * otherwise a .done/.ok companion or a stable size and time will do. */
	s->marker_set = drop->ready_suffix ? s->markers : default_markers;
	s->stable = sftp_stable_new((unsigned)drop->stable_seconds, s->marker_set, drop->ready_suffix != NULL);
	return s;
}

size_t sftpsrc_waiting(const struct sftpsrc *s)
{
	return s->waiting;
}

/* A file that waits: a document the tracker did not pass (not a marker,
 * not a hidden or temporary upload name). */
static bool is_waiting(const struct sftpsrc *s, const struct sftp_entry *en)
{
	if (!en->is_reg || en->name[0] == '.' ||
	    !config_glob(s->drop->pattern ? s->drop->pattern : "*", en->name))
		return false;
	size_t n = strlen(en->name);
	for (const char *const *m = s->marker_set; *m != NULL; m++)
		if (n > strlen(*m) && strcmp(en->name + n - strlen(*m), *m) == 0)
			return false;
	return true;
}

void sftpsrc_free(struct sftpsrc **sp)
{
	if (*sp == NULL)
		return;
	sftp_stable_free(&(*sp)->stable);
	free(*sp);
	*sp = NULL;
}

int sftpsrc_poll(struct sftpsrc *s, struct store *st, struct intake_stats *stats)
{
	const struct cfg_drop *d = s->drop;
	struct chan_url u;
	struct sftp_conf conf = { 0 };
	struct chan_err e = { 0 };
	char dir[1024];
	struct sftp *sf = NULL;
	struct sftp_list list = { 0 };
	bool *eligible = NULL;
	const char **markers = NULL;
	int ret = -1;
	if (sftp_conf_from_url(&conf, &u, d->url, dir, sizeof(dir), &e) < 0)
		goto fail;
	conf.user = d->user;
	conf.key_file = d->key_file;
	conf.known_hosts = d->known_hosts;
	if (sftp_open(&conf, &sf, &e) < 0 || sftp_list(sf, dir, &list, &e) < 0)
		goto fail;
	eligible = calloc(list.n + 1, sizeof(bool));
	markers = calloc(list.n + 1, sizeof(char *));
	if (eligible == NULL || markers == NULL)
		fatal("out of memory");
	size_t n_ok = sftp_stable_pick(s->stable, &list, time(NULL), eligible, markers);
	log_debug("drop %s: %zu entries in %s, %zu complete", d->name, list.n, dir, n_ok);
	const char *arch = d->archive ? d->archive : "archive/";
	s->waiting = 0;
	for (size_t i = 0; i < list.n; i++) {
		const struct sftp_entry *en = &list.v[i];
		if (!eligible[i] && is_waiting(s, en))
			s->waiting++;
		if (!eligible[i] || !config_glob(d->pattern ? d->pattern : "*", en->name))
			continue;
		stats->seen++;
		char key[1400], path[1400], to[1400];
		snprintf(key, sizeof(key), "sftp:%s:%s:%llu:%lld", d->name, en->name, (unsigned long long)en->size,
			 (long long)en->mtime);
		snprintf(path, sizeof(path), "%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/", en->name);
		snprintf(to, sizeof(to), "%s%s%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/", arch,
			 arch[strlen(arch) - 1] == '/' ? "" : "/", en->name);
		int have = store_doc_exists(st, key);
		if (have == 0) {
			char *data = NULL;
			size_t len = 0;
			if (sftp_get(sf, path, s->cfg->max_message_bytes, &data, &len, &e) < 0) {
				if (e.kind == CHAN_LIMIT || e.kind == CHAN_PERM) {
					log_warnx("drop %s: %s: %s", d->name, en->name, e.msg);
					stats->errors++;
					continue;
				}
				goto fail;
			}
			struct store_doc_meta m = { .source_key = key, .channel = "sftp", .endpoint = d->name,
						    .name = en->name };
			int r = store_begin(st);
			if (r == 0)
				r = store_doc_add(st, &m, data, len, NULL);
			if (r >= 0 && store_commit(st) < 0)
				r = -1;
			free(data);
			if (r < 0) {
				log_warnx("drop %s: %s", d->name, store_error(st));
				store_rollback(st);
				goto out;
			}
			stats->stored += r == 0;
			stats->already += r == 1;
		} else {
			stats->already++;
		}
		/* Committed: rename into the archive (and its marker with it). */
		if (sftp_rename(sf, path, to, &e) < 0) {
			log_warnx("drop %s: cannot archive %s: %s", d->name, en->name, e.msg);
			continue;
		}
		stats->acknowledged++;
		if (markers[i] != NULL) {
			/* markers[i] is the companion file's name. */
			char mp[1400], mt[1400];
			snprintf(mp, sizeof(mp), "%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/", markers[i]);
			snprintf(mt, sizeof(mt), "%s%s%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/", arch,
				 arch[strlen(arch) - 1] == '/' ? "" : "/", markers[i]);
			struct chan_err me = { 0 };
			if (sftp_rename(sf, mp, mt, &me) < 0)
				log_warnx("drop %s: cannot archive %s: %s", d->name, markers[i], me.msg);
		}
	}
	ret = 0;
	goto out;
fail:
	log_warnx("drop %s: %s: %s", d->name, chan_kind_name(e.kind), e.msg);
out:
	free(eligible);
	free(markers);
	sftp_list_free(&list);
	sftp_close(&sf);
	return ret;
}
