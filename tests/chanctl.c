/* chanctl.c — one channel operation per run, for the Python end-to-end
 * tests and the IMAP bench (not installed).
 *
 *   chanctl imap-poll  --url U --user U --password-file F [--ca-file F]
 *                      [--tls-none] [--done FOLDER] [--batch N] [--max-size N]
 *                      [--pause-after N] [--avoid-move] [--retries N] [--quiet]
 *   chanctl imap-idle  ... [--timeout S]
 *   chanctl imap-open  ...
 *   chanctl smtp-send  --url U [--user U --password-file F] [--ca-file F]
 *                      [--tls-none] --from A --to B [--to C...] --message FILE
 *   chanctl sftp-list|sftp-get|sftp-rename|sftp-put|sftp-stable
 *                      --url sftp://h:p/dir/ --user U --key F --known-hosts F ...
 *
 * Output: "key value" lines on stdout; the last is "result ok" or
 * "error KIND: message" (KIND from chan_kind_name()).  Exit 0 ok, 75
 * temporary, 1 other errors, 64 usage.  A tiny in-memory "store" for
 * imap-poll shows the contract a real store keeps: commit in the callback,
 * then move; after a reconnect move what was committed but not yet moved,
 * and fetch from the last committed UID. */
#include "chan.h"
#include "imap.h"
#include "readfile.h"
#include "sftp.h"
#include "smtp.h"
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define MAX_TO 16

struct opts {
	const char *cmd, *url, *user, *password_file, *ca_file, *done, *key, *known_hosts;
	const char *from, *to[MAX_TO], *message, *path, *dest, *name, *file, *markers;
	size_t nto, batch, max_size, pause_after;
	int retries, timeout, stable_seconds, listings, interval;
	bool tls_none, avoid_move, quiet, markers_required;
};

static long long now_ms(void)
{
	struct timeval tv;
	gettimeofday(&tv, NULL);
	return (long long)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

static int usage(void)
{
	fprintf(stderr, "usage: chanctl COMMAND --option value ... (see tests/chanctl.c)\n");
	return 64;
}

static unsigned long num(const char *s)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);
	if (*end != '\0') {
		fprintf(stderr, "chanctl: not a number: %s\n", s);
		exit(64);
	}
	return v;
}

static int parse(int argc, char **argv, struct opts *o)
{
	memset(o, 0, sizeof(*o));
	o->batch = 100;
	o->max_size = 10 * 1024 * 1024;
	o->retries = 1;
	o->timeout = 10;
	o->listings = 2;
	o->done = "Processed";
	if (argc < 2)
		return -1;
	o->cmd = argv[1];
	for (int i = 2; i < argc; i++) {
		const char *k = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		bool flag = true;
		if (strcmp(k, "--tls-none") == 0)
			o->tls_none = true;
		else if (strcmp(k, "--avoid-move") == 0)
			o->avoid_move = true;
		else if (strcmp(k, "--quiet") == 0)
			o->quiet = true;
		else if (strcmp(k, "--markers-required") == 0)
			o->markers_required = true;
		else
			flag = false;
		if (flag)
			continue;
		if (v == NULL)
			return -1;
		i++;
		if (strcmp(k, "--url") == 0) o->url = v;
		else if (strcmp(k, "--user") == 0) o->user = v;
		else if (strcmp(k, "--password-file") == 0) o->password_file = v;
		else if (strcmp(k, "--ca-file") == 0) o->ca_file = v;
		else if (strcmp(k, "--done") == 0) o->done = v;
		else if (strcmp(k, "--key") == 0) o->key = v;
		else if (strcmp(k, "--known-hosts") == 0) o->known_hosts = v;
		else if (strcmp(k, "--from") == 0) o->from = v;
		else if (strcmp(k, "--to") == 0 && o->nto < MAX_TO) o->to[o->nto++] = v;
		else if (strcmp(k, "--message") == 0) o->message = v;
		else if (strcmp(k, "--path") == 0) o->path = v;
		else if (strcmp(k, "--dest") == 0) o->dest = v;
		else if (strcmp(k, "--name") == 0) o->name = v;
		else if (strcmp(k, "--file") == 0) o->file = v;
		else if (strcmp(k, "--markers") == 0) o->markers = v;
		else if (strcmp(k, "--batch") == 0) o->batch = num(v);
		else if (strcmp(k, "--max-size") == 0) o->max_size = num(v);
		else if (strcmp(k, "--pause-after") == 0) o->pause_after = num(v);
		else if (strcmp(k, "--retries") == 0) o->retries = (int)num(v);
		else if (strcmp(k, "--timeout") == 0) o->timeout = (int)num(v);
		else if (strcmp(k, "--stable-seconds") == 0) o->stable_seconds = (int)num(v);
		else if (strcmp(k, "--listings") == 0) o->listings = (int)num(v);
		else if (strcmp(k, "--interval") == 0) o->interval = (int)num(v);
		else return -1;
	}
	return o->url != NULL ? 0 : -1;
}

static int report(const struct chan_err *err)
{
	printf("error %s: %s\n", chan_kind_name(err->kind), err->msg);
	return err->kind == CHAN_TEMP ? 75 : 1;
}

/* The password file: first line, without its newline. */
static char *read_password(const char *path, struct chan_err *err)
{
	unsigned char *data;
	size_t len;
	if (path == NULL) {
		char *e = strdup("");
		if (e == NULL)
			abort();
		return e;
	}
	if (read_file(path, 4096, &data, &len) < 0) {
		chan_fail(err, CHAN_CONFIG, "cannot read password_file %s", path);
		return NULL;
	}
	data[strcspn((char *)data, "\r\n")] = '\0';
	return (char *)data;
}

/* ---- IMAP ---- */

struct store {
	char **ids;               /* Message-IDs committed (duplicates counted at the end) */
	size_t n, cap;
	uint32_t last_uid;        /* highest UID committed */
	uint32_t *pending;        /* committed, not yet moved */
	size_t npending, cappending;
	size_t seen, pause_after;
	bool quiet;
};

static char *message_id(const char *data, size_t len)
{
	const char *end = memmem(data, len, "\r\n\r\n", 4);
	size_t hl = end ? (size_t)(end - data) : len;
	for (size_t i = 0; i + 11 < hl; i++) {
		if ((i == 0 || data[i - 1] == '\n') && strncasecmp(data + i, "Message-ID:", 11) == 0) {
			size_t j = i + 11;
			while (j < hl && data[j] == ' ')
				j++;
			size_t k = j;
			while (k < hl && data[k] != '\r' && data[k] != '\n')
				k++;
			return strndup(data + j, k - j);
		}
	}
	return strdup("(none)");
}

static int store_cb(void *ctx, uint32_t uid, const char *data, size_t len, bool truncated)
{
	struct store *st = ctx;
	char *id = message_id(data, len);
	if (id == NULL)
		abort();
	if (!st->quiet)
		printf("msg %u %zu %s %s\n", uid, len, truncated ? "header-only" : "full", id);
	if (st->n == st->cap) {
		st->cap = st->cap ? st->cap * 2 : 64;
		st->ids = realloc(st->ids, st->cap * sizeof(*st->ids));
		if (st->ids == NULL)
			abort();
	}
	st->ids[st->n++] = id;
	if (st->npending == st->cappending) {
		st->cappending = st->cappending ? st->cappending * 2 : 64;
		st->pending = realloc(st->pending, st->cappending * sizeof(*st->pending));
		if (st->pending == NULL)
			abort();
	}
	st->pending[st->npending++] = uid;
	st->last_uid = uid;
	st->seen++;
	if (st->pause_after > 0 && st->seen == st->pause_after) {
		char line[64];
		printf("paused\n");
		fflush(stdout);
		if (fgets(line, sizeof(line), stdin) == NULL)
			return 1;
	}
	return 0;
}

static int imap_connect(const struct opts *o, struct imap **imap, char *mailbox, size_t mbsize,
	struct chan_err *err)
{
	struct imap_conf conf = { 0 };
	struct chan_url u;
	if (imap_conf_from_url(&conf, &u, o->url, o->tls_none, mailbox, mbsize, err) < 0)
		return -1;
	char *pw = read_password(o->password_file, err);
	if (pw == NULL)
		return -1;
	conf.user = o->user;
	conf.password = pw;
	conf.ca_file = o->ca_file;
	conf.timeout_s = o->timeout;
	conf.avoid_move = o->avoid_move;
	int r = imap_open(&conf, imap, err);
	explicit_bzero(pw, strlen(pw));
	free(pw);
	return r;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int cmd_imap_poll(const struct opts *o)
{
	struct store st = { .pause_after = o->pause_after, .quiet = o->quiet };
	struct chan_err err = { 0 };
	char mailbox[256];
	uint32_t uidvalidity = 0;
	int attempts = 0, ret = 1;
	long long fetch_ms = 0, move_ms = 0;
	bool finished = false;

	while (!finished) {
		struct imap *imap = NULL;
		uint32_t v, next, exists;
		if (imap_connect(o, &imap, mailbox, sizeof(mailbox), &err) < 0 ||
		    imap_select(imap, mailbox, &v, &next, &exists, &err) < 0)
			goto failed;
		if (uidvalidity != 0 && v != uidvalidity) {
			/* A real store would re-key; here we just start over. */
			st.last_uid = 0;
			st.npending = 0;
		}
		uidvalidity = v;
		printf("selected uidvalidity %u uidnext %u exists %u\n", v, next, exists);
		long long t0 = now_ms();
		if (st.npending > 0) {
			if (imap_move(imap, st.pending, st.npending, o->done, &err) < 0)
				goto failed;
			printf("moved %zu (committed before the reconnect)\n", st.npending);
			st.npending = 0;
		}
		/* Poll in rounds: fetch a batch round, move it, until nothing is new. */
		for (;;) {
			uint32_t before = st.last_uid;
			long long t1 = now_ms();
			int r = imap_fetch_new(imap, st.last_uid, o->batch, o->max_size, store_cb, &st,
				NULL, &err);
			fetch_ms += now_ms() - t1;
			if (r < 0)
				goto failed;
			t1 = now_ms();
			if (st.npending > 0 &&
			    imap_move(imap, st.pending, st.npending, o->done, &err) < 0)
				goto failed;
			move_ms += now_ms() - t1;
			if (st.npending > 0)
				printf("moved %zu\n", st.npending);
			st.npending = 0;
			if (st.last_uid == before)
				break;
		}
		(void)t0;
		imap_close(&imap);
		finished = true;
		ret = 0;
		continue;
failed:
		imap_close(&imap);
		if (err.kind != CHAN_TEMP || ++attempts >= o->retries)
			break;
		printf("reconnect after: %s\n", err.msg);
		usleep((useconds_t)(200000u << (attempts < 4 ? attempts : 4)));
	}
	size_t dups = 0;
	if (st.n > 0)
		qsort(st.ids, st.n, sizeof(*st.ids), cmp_str);
	for (size_t i = 1; i < st.n; i++)
		dups += strcmp(st.ids[i - 1], st.ids[i]) == 0;
	printf("stored %zu duplicates %zu\n", st.n - dups, dups);
	printf("time fetch_ms %lld move_ms %lld\n", fetch_ms, move_ms);
	for (size_t i = 0; i < st.n; i++)
		free(st.ids[i]);
	free(st.ids);
	free(st.pending);
	if (ret == 0) {
		printf("result ok\n");
		return 0;
	}
	return report(&err);
}

static int cmd_imap_idle(const struct opts *o)
{
	struct chan_err err = { 0 };
	struct imap *imap = NULL;
	char mailbox[256];
	int ret;
	if (imap_connect(o, &imap, mailbox, sizeof(mailbox), &err) < 0 ||
	    imap_select(imap, mailbox, NULL, NULL, NULL, &err) < 0) {
		ret = report(&err);
		goto out;
	}
	printf("idling has_idle %d\n", imap_has_idle(imap));
	fflush(stdout);
	long long t = now_ms();
	int r = imap_idle(imap, o->timeout, &err);
	if (r < 0) {
		ret = report(&err);
		goto out;
	}
	printf("idle %d elapsed_ms %lld\n", r, now_ms() - t);
	printf("result ok\n");
	ret = 0;
out:
	imap_close(&imap);
	return ret;
}

static int cmd_imap_open(const struct opts *o)
{
	struct chan_err err = { 0 };
	struct imap *imap = NULL;
	char mailbox[256];
	uint32_t v;
	if (imap_connect(o, &imap, mailbox, sizeof(mailbox), &err) < 0 ||
	    imap_select(imap, mailbox, &v, NULL, NULL, &err) < 0) {
		imap_close(&imap);
		return report(&err);
	}
	printf("has_move %d has_idle %d\n", imap_has_move(imap), imap_has_idle(imap));
	imap_close(&imap);
	printf("result ok\n");
	return 0;
}

/* ---- SMTP ---- */

static int cmd_smtp_send(const struct opts *o)
{
	struct chan_err err = { 0 };
	struct smtp_conf conf = { 0 };
	struct chan_url u;
	unsigned char *msg = NULL;
	size_t len = 0;
	char *pw = NULL;
	int ret;

	if (o->message == NULL || o->from == NULL || o->nto == 0)
		return usage();
	if (smtp_conf_from_url(&conf, &u, o->url, o->tls_none, &err) < 0)
		return report(&err);
	if (read_file(o->message, 64 * 1024 * 1024, &msg, &len) < 0) {
		perror(o->message);
		return 1;
	}
	pw = read_password(o->password_file, &err);
	if (pw == NULL) {
		free(msg);
		return report(&err);
	}
	conf.user = o->user;
	conf.password = pw;
	conf.ca_file = o->ca_file;
	conf.timeout_s = o->timeout;
	int r = smtp_send(&conf, o->from, o->to, o->nto, (const char *)msg, len, &err);
	if (r == 0) {
		printf("result sent\n");
		ret = 0;
	} else if (r == 1) {
		printf("result temporary: %s\n", err.msg);
		ret = 75;
	} else if (err.kind == CHAN_PERM) {
		printf("result permanent: %s\n", err.msg);
		ret = 1;
	} else {
		ret = report(&err);
	}
	explicit_bzero(pw, strlen(pw));
	free(pw);
	free(msg);
	return ret;
}

/* ---- SFTP ---- */

static int sftp_connect(const struct opts *o, struct sftp **s, char *dir, size_t dsize,
	struct chan_err *err)
{
	struct sftp_conf conf = { 0 };
	struct chan_url u;
	if (sftp_conf_from_url(&conf, &u, o->url, dir, dsize, err) < 0)
		return -1;
	conf.user = o->user;
	conf.key_file = o->key;
	conf.known_hosts = o->known_hosts;
	conf.timeout_s = o->timeout;
	return sftp_open(&conf, s, err);
}

static void print_list(const struct sftp_list *l, const bool *eligible)
{
	for (size_t i = 0; i < l->n; i++)
		printf("%s %s %llu %lld%s\n", l->v[i].is_dir ? "dir" : "file", l->v[i].name,
			(unsigned long long)l->v[i].size, (long long)l->v[i].mtime,
			eligible && eligible[i] ? " eligible" : "");
}

static int split_markers(const char *spec, char *buf, size_t bufsize, const char **out, size_t max)
{
	size_t n = 0;
	if (spec == NULL)
		return 0;
	snprintf(buf, bufsize, "%s", spec);
	for (char *p = buf; p != NULL && *p != '\0' && n + 1 < max;) {
		char *comma = strchr(p, ',');
		if (comma != NULL)
			*comma = '\0';
		out[n++] = p;
		p = comma != NULL ? comma + 1 : NULL;
	}
	out[n] = NULL;
	return (int)n;
}

static int cmd_sftp(const struct opts *o)
{
	struct chan_err err = { 0 };
	struct sftp *s = NULL;
	char dir[1024];
	int ret = 1;

	if (sftp_connect(o, &s, dir, sizeof(dir), &err) < 0)
		return report(&err);
	if (strcmp(o->cmd, "sftp-list") == 0) {
		struct sftp_list l;
		if (sftp_list(s, dir, &l, &err) < 0)
			goto fail;
		print_list(&l, NULL);
		sftp_list_free(&l);
	} else if (strcmp(o->cmd, "sftp-get") == 0) {
		char *data;
		size_t len;
		if (o->path == NULL || o->file == NULL)
			goto usage;
		if (sftp_get(s, o->path, o->max_size, &data, &len, &err) < 0)
			goto fail;
		FILE *f = fopen(o->file, "wb");
		if (f == NULL || fwrite(data, 1, len, f) != len || fclose(f) != 0) {
			perror(o->file);
			free(data);
			goto out;
		}
		printf("got %zu\n", len);
		free(data);
	} else if (strcmp(o->cmd, "sftp-rename") == 0) {
		if (o->path == NULL || o->dest == NULL)
			goto usage;
		if (sftp_rename(s, o->path, o->dest, &err) < 0)
			goto fail;
	} else if (strcmp(o->cmd, "sftp-put") == 0) {
		unsigned char *data;
		size_t len;
		if (o->name == NULL || o->file == NULL)
			goto usage;
		if (read_file(o->file, 64 * 1024 * 1024, &data, &len) < 0) {
			perror(o->file);
			goto out;
		}
		int r = sftp_put(s, dir, o->name, (const char *)data, len, &err);
		free(data);
		if (r < 0)
			goto fail;
		printf("put %zu\n", len);
	} else if (strcmp(o->cmd, "sftp-stable") == 0) {
		char mbuf[256];
		const char *markers[8];
		bool has_markers = split_markers(o->markers, mbuf, sizeof(mbuf), markers, 8) > 0;
		struct sftp_stable *st = sftp_stable_new((unsigned)o->stable_seconds,
			has_markers ? markers : NULL, o->markers_required);
		for (int pass = 1; pass <= o->listings; pass++) {
			struct sftp_list l;
			if (pass > 1) {
				printf("waiting\n");
				fflush(stdout);
				sleep((unsigned)o->interval);
			}
			if (sftp_list(s, dir, &l, &err) < 0) {
				sftp_stable_free(&st);
				goto fail;
			}
			bool *el = calloc(l.n + 1, sizeof(*el));
			const char **mk = calloc(l.n + 1, sizeof(*mk));
			if (el == NULL || mk == NULL)
				abort();
			size_t n = sftp_stable_pick(st, &l, time(NULL), el, mk);
			printf("pass %d eligible %zu:", pass, n);
			for (size_t i = 0; i < l.n; i++)
				if (el[i])
					printf(" %s%s%s", l.v[i].name, mk[i] ? "+" : "", mk[i] ? mk[i] : "");
			printf("\n");
			fflush(stdout);
			free(el);
			free(mk);
			sftp_list_free(&l);
		}
		sftp_stable_free(&st);
	} else {
		goto usage;
	}
	printf("result ok\n");
	ret = 0;
	goto out;
usage:
	ret = usage();
	goto out;
fail:
	ret = report(&err);
out:
	sftp_close(&s);
	return ret;
}

int main(int argc, char **argv)
{
	struct opts o;
	signal(SIGPIPE, SIG_IGN);
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (parse(argc, argv, &o) < 0)
		return usage();
	if (strcmp(o.cmd, "imap-poll") == 0)
		return cmd_imap_poll(&o);
	if (strcmp(o.cmd, "imap-idle") == 0)
		return cmd_imap_idle(&o);
	if (strcmp(o.cmd, "imap-open") == 0)
		return cmd_imap_open(&o);
	if (strcmp(o.cmd, "smtp-send") == 0)
		return cmd_smtp_send(&o);
	if (strncmp(o.cmd, "sftp-", 5) == 0)
		return cmd_sftp(&o);
	return usage();
}
