/* cmd_desk.c — the sales desk and the stage queues on the command line:
 * `ordergw exceptions ...`, `ordergw queue ...` and `ordergw stats`.
 *
 * Thin: every action is one call into desk.h or stagequeue.h, which do the
 * work in one transaction; reprocess runs the pipeline in this process,
 * under the daemon worker's limits (pipeline_confine).  Output is a table or a sentence for people and
 * JSON with --json (interfaces.md).  Who acts is --user, else the login
 * name.  Exit codes: 0 ok, 64 usage, 65 refused (not open, bad field),
 * 66 no such item, 75 store busy or failing, 77 claimed by someone else,
 * 78 configuration error. */
#include "cli.h"
#include "config.h"
#include "desk.h"
#include "fsutil.h"
#include "mime.h"
#include "pipeline.h"
#include "stagequeue.h"
#include "store.h"
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#define ORIGINAL_SHOWN (64u * 1024)   /* bytes of the original printed by `show` */

static void put(json_object *o)
{
	puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
}

/* A field as text for the tables; "-" when absent or null. */
static const char *field(json_object *o, const char *k)
{
	/* Seconds come back from SQLite as doubles: show one decimal, not
	 * seventeen digits of binary noise.  A few slots so that one printf
	 * can take several fields. */
	static char slots[8][32];
	static unsigned next;
	json_object *v = NULL;
	if (!json_object_object_get_ex(o, k, &v) || v == NULL)
		return "-";
	if (json_object_is_type(v, json_type_double)) {
		char *b = slots[next++ % 8];
		snprintf(b, sizeof(slots[0]), "%.1f", json_object_get_double(v));
		return b;
	}
	return json_object_get_string(v);
}

static long long field_int(json_object *o, const char *k)
{
	json_object *v = NULL;
	return json_object_object_get_ex(o, k, &v) && v != NULL ? json_object_get_int64(v) : 0;
}

/* "45s", "12m", "3h20m", "2d4h". */
static void age_text(long long s, char *out, size_t n)
{
	if (s < 0)
		s = 0;
	if (s < 60)
		snprintf(out, n, "%llds", s);
	else if (s < 3600)
		snprintf(out, n, "%lldm", s / 60);
	else if (s < 86400)
		snprintf(out, n, "%lldh%02lldm", s / 3600, s % 3600 / 60);
	else
		snprintf(out, n, "%lldd%lldh", s / 86400, s % 86400 / 3600);
}

static int item_id(const char *s, int64_t *id)
{
	char *end;
	errno = 0;
	long long v = s ? strtoll(s, &end, 10) : 0;
	if (s == NULL || *s == '\0' || *end != '\0' || v <= 0 || errno != 0)
		return -1;
	*id = v;
	return 0;
}

static const char *who(struct cli *cli)
{
	static char buf[64];
	if (cli->user != NULL && *cli->user)
		return cli->user;
	const struct passwd *pw = getpwuid(geteuid());
	if (pw != NULL && pw->pw_name != NULL)
		return pw->pw_name;
	snprintf(buf, sizeof(buf), "uid%u", (unsigned)geteuid());
	return buf;
}

/* An action's outcome: the sentence, or JSON {"ok", "message"}; the exit code. */
static int report(struct cli *cli, int rc, const char *msg)
{
	if (rc == 0) {
		if (cli->json) {
			json_object *o = json_object_new_object();
			json_object_object_add(o, "ok", json_object_new_boolean(1));
			json_object_object_add(o, "message", json_object_new_string(msg));
			put(o);
			json_object_put(o);
		} else {
			puts(msg);
		}
		return 0;
	}
	fprintf(stderr, "ordergw: %s\n", msg);
	switch (rc) {
	case DESK_NOT_FOUND: return EX_NOINPUT;
	case DESK_CLAIMED: return EX_NOPERM;
	case DESK_REFUSED: return EX_DATAERR;
	default: return EX_TEMPFAIL;
	}
}

/* ---- exceptions ----------------------------------------------------------------- */

static int exceptions_list(struct cli *cli, struct store *st, const struct config *cfg, const char *state,
			   const char *partner, const char *reason, long long older)
{
	json_object *rows = store_desk_exceptions(st, state, partner, reason, older, cfg->claim_timeout);
	if (rows == NULL) {
		fprintf(stderr, "ordergw: %s\n", store_error(st));
		return EX_TEMPFAIL;
	}
	if (cli->json) {
		put(rows);
	} else {
		printf("%-6s %-8s %-12s %-14s %-10s %-16s %s\n", "ID", "WAITING", "PARTNER", "REASON", "CLAIMED",
		       "SINCE", "SUMMARY");
		for (size_t i = 0; i < json_object_array_length(rows); i++) {
			json_object *r = json_object_array_get_idx(rows, i);
			char a[32], since[17] = "";
			age_text(field_int(r, "waiting_seconds"), a, sizeof(a));
			/* "2027-01-11T09:00:00.000Z" as "2027-01-11 09:00" (UTC) */
			snprintf(since, sizeof(since), "%s", field(r, "claimed_at"));
			if (since[10] == 'T')
				since[10] = ' ';
			printf("%-6s %-8s %-12s %-14s %-10s %-16s %s\n", field(r, "id"), a, field(r, "partner_id"),
			       field(r, "reason"), field(r, "claimed_by"), since, field(r, "summary"));
		}
	}
	json_object_put(rows);
	return 0;
}

static bool utf8_text(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n;) {
		unsigned char c = p[i];
		size_t k = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
		if (k == 0 || c == 0 || i + k > n)
			return false;
		for (size_t j = 1; j < k; j++)
			if ((p[i + j] & 0xC0) != 0x80)
				return false;
		i += k;
	}
	return true;
}

/* Write the decoded attachments of a mail beside the original; each name is
 * the attachment's own (without folders) or attachment-N, made unique. */
static void save_attachments(const struct store_doc *d, const char *dir, const char *taken, json_object *saved)
{
	struct diags dg;
	diags_init(&dg);
	struct mime_limits lim = { 0 };
	struct mime_message *m = NULL;
	if (mime_parse(d->data, d->len, &lim, &dg, &m) == 0) {
		for (size_t i = 0; i < m->n_attachments; i++) {
			const struct mime_attachment *a = &m->attachments[i];
			char name[300];
			const char *fn = a->filename;
			if (fn == NULL || *fn == '\0' || fn[0] == '.' || strchr(fn, '/') != NULL || strcmp(fn, taken) == 0)
				snprintf(name, sizeof(name), "attachment-%zu%s%s", i + 1, fn && *fn ? "-" : "",
					 fn && *fn && strchr(fn, '/') == NULL && fn[0] != '.' ? fn : "");
			else
				snprintf(name, sizeof(name), "%s", fn);
			if (fs_write_atomic(dir, name, a->data, a->len) < 0) {
				fprintf(stderr, "ordergw: cannot write %s/%s: %s\n", dir, name, strerror(errno));
				continue;
			}
			char *path = fs_join(dir, name);
			json_object_array_add(saved, json_object_new_string(path));
			free(path);
		}
	}
	mime_message_free(&m);
	diags_free(&dg);
}

/* A safe file name for the saved original. */
static void save_name(const struct store_doc *d, char *out, size_t n)
{
	const char *base = d->name ? strrchr(d->name, '/') : NULL;
	base = base ? base + 1 : d->name;
	if (base == NULL || *base == '\0' || strcmp(base, ".") == 0 || strcmp(base, "..") == 0) {
		bool mail = strcmp(d->channel, "imap") == 0 || strcmp(d->channel, "maildir") == 0;
		snprintf(out, n, "document-%lld.%s", (long long)d->id, mail ? "eml" : "dat");
		return;
	}
	snprintf(out, n, "%s", base);
}

static int exceptions_show(struct cli *cli, struct store *st, const struct config *cfg, int64_t id,
			   const char *save_dir)
{
	json_object *o = store_show_exception(st, id);
	if (o == NULL) {
		fprintf(stderr, "ordergw: no exception %lld\n", (long long)id);
		return EX_NOINPUT;
	}
	struct store_claim claim;
	if (store_exception_claim_get(st, id, cfg->claim_timeout, &claim) == 0 && claim.expired) {
		/* As in the list: an expired claim holds no one back. */
		json_object_object_add(o, "claimed_by", NULL);
		json_object_object_add(o, "claimed_at", NULL);
	}
	store_claim_clear(&claim);
	struct store_doc d = { 0 };
	int rc = 0;
	if (store_doc_get(st, field_int(o, "document_id"), &d) == 1) {
		json_object *orig = json_object_new_object();
		json_object_object_add(orig, "size", json_object_new_int64((int64_t)d.len));
		json_object_object_add(orig, "truncated", json_object_new_boolean(d.truncated));
		size_t shown = d.len < ORIGINAL_SHOWN ? d.len : ORIGINAL_SHOWN;
		while (shown > 0 && shown < d.len && (d.data[shown] & 0xC0) == 0x80)
			shown--;   /* do not cut a UTF-8 sequence */
		bool text = utf8_text(d.data, shown);
		json_object_object_add(orig, "text", text ? json_object_new_string_len((const char *)d.data, (int)shown) : NULL);
		json_object_object_add(orig, "text_complete", json_object_new_boolean(text && shown == d.len));
		if (save_dir != NULL) {
			char name[256];
			save_name(&d, name, sizeof(name));
			if (fs_mkdirs(save_dir) < 0 || fs_write_atomic(save_dir, name, d.data, d.len) < 0) {
				fprintf(stderr, "ordergw: cannot write %s/%s: %s\n", save_dir, name, strerror(errno));
				rc = EX_CANTCREAT;
			} else {
				char *path = fs_join(save_dir, name);
				json_object *saved = json_object_new_array();
				json_object_array_add(saved, json_object_new_string(path));
				if (strcmp(d.channel, "imap") == 0 || strcmp(d.channel, "maildir") == 0)
					save_attachments(&d, save_dir, name, saved);
				json_object_object_add(orig, "saved", saved);
				free(path);
			}
		}
		json_object_object_add(o, "original", orig);
	}
	if (cli->json) {
		put(o);
	} else {
		printf("Exception %s (%s, %s%s%s): %s\n", field(o, "id"), field(o, "reason"), field(o, "state"),
		       strcmp(field(o, "claimed_by"), "-") ? ", claimed by " : "",
		       strcmp(field(o, "claimed_by"), "-") ? field(o, "claimed_by") : "", field(o, "summary"));
		printf("From %s via %s %s, subject \"%s\", received %s, document %s (%s bytes)\n",
		       field(o, "sender"), field(o, "channel"), field(o, "endpoint"), field(o, "subject"),
		       field(o, "received_at"), field(o, "document_id"), field(o, "size"));
		json_object *arr;
		if (json_object_object_get_ex(o, "problems", &arr))
			for (size_t i = 0; i < json_object_array_length(arr); i++) {
				json_object *p = json_object_array_get_idx(arr, i);
				printf("  problem %s (%s) %s: %s\n", field(p, "check"), field(p, "severity"),
				       field(p, "field"), field(p, "message"));
			}
		if (json_object_object_get_ex(o, "diagnostics", &arr))
			for (size_t i = 0; i < json_object_array_length(arr); i++) {
				json_object *p = json_object_array_get_idx(arr, i);
				printf("  %s at %s: %s\n", field(p, "severity"), field(p, "where"), field(p, "message"));
			}
		json_object *rec;
		if (json_object_object_get_ex(o, "record", &rec) && rec != NULL)
			printf("Understood:\n%s\n", json_object_to_json_string_ext(rec,
			       JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
		if (json_object_object_get_ex(o, "history", &arr)) {
			printf("History:\n");
			for (size_t i = 0; i < json_object_array_length(arr); i++) {
				json_object *h = json_object_array_get_idx(arr, i);
				printf("  %s  %-10s %-12s %s\n", field(h, "at"), field(h, "actor"), field(h, "action"),
				       field(h, "detail"));
			}
		}
		if (d.data != NULL) {
			printf("Original (%zu bytes):\n", d.len);
			if (utf8_text(d.data, d.len < ORIGINAL_SHOWN ? d.len : ORIGINAL_SHOWN))
				printf("%.*s%s\n", (int)(d.len < ORIGINAL_SHOWN ? d.len : ORIGINAL_SHOWN), (const char *)d.data,
				       d.len > ORIGINAL_SHOWN ? "\n[... shortened; use --save DIR for the whole file]" : "");
			else
				printf("  (binary or not UTF-8: use --save DIR)\n");
		}
		json_object *orig, *saved;
		if (json_object_object_get_ex(o, "original", &orig) && json_object_object_get_ex(orig, "saved", &saved))
			for (size_t i = 0; i < json_object_array_length(saved); i++)
				printf("Saved %s%s\n", json_object_get_string(json_object_array_get_idx(saved, i)),
				       i == 0 ? " (the original)" : "");
	}
	store_doc_clear(&d);
	json_object_put(o);
	return rc;
}

static int exceptions_reprocess_partner(struct cli *cli, struct store *st, const struct config *cfg,
					const char *partner)
{
	int64_t *ids = NULL;
	size_t n = 0, done = 0, skipped = 0;
	if (store_exceptions_open_of(st, partner, &ids, &n) < 0) {
		fprintf(stderr, "ordergw: %s\n", store_error(st));
		return EX_TEMPFAIL;
	}
	int rc = 0;
	for (size_t i = 0; i < n; i++) {
		char msg[1024];
		int r = desk_reprocess(st, cfg, ids[i], who(cli), msg, sizeof(msg));
		if (r == 0)
			done++;
		else if (r < 0)
			rc = EX_TEMPFAIL;
		else
			skipped++;   /* closed by an earlier one of the same document, or claimed */
		if (!cli->json)
			fprintf(r == 0 ? stdout : stderr, "%s\n", msg);
	}
	free(ids);
	char msg[256];
	snprintf(msg, sizeof(msg), "%zu exception(s) of %s reprocessed, %zu skipped", done, partner, skipped);
	return rc ? rc : report(cli, 0, msg);
}

int cmd_exceptions(struct cli *cli, int argc, char **argv)
{
	cli_flag(cli, &argc, argv, "--json");
	const char *partner = cli_option(&argc, argv, "--partner");
	const char *reason = cli_option(&argc, argv, "--reason");
	const char *state = cli_option(&argc, argv, "--state");
	const char *older = cli_option(&argc, argv, "--older-than");
	const char *save = cli_option(&argc, argv, "--save");
	bool all = cli_flag(NULL, &argc, argv, "--all");
	bool force = cli_flag(NULL, &argc, argv, "--force");
	const char *sub = argc >= 2 ? argv[1] : "";
	static const char usage[] =
		"usage: ordergw exceptions list [--partner ID] [--reason R] [--state S|--all] [--older-than 2h]\n"
		"       ordergw exceptions show ID [--save DIR]\n"
		"       ordergw exceptions set ID FIELD=VALUE...    (lines[0].quantity=500, incoterms.code=FOB)\n"
		"       ordergw exceptions accept ID | reject ID --reason TEXT\n"
		"       ordergw exceptions reprocess ID | reprocess --partner ID\n"
		"       ordergw exceptions claim ID | release ID [--force]\n";
	long long min_age = older ? config_duration(older) : 0;
	int64_t id = 0;
	bool needs_id = strcmp(sub, "list") != 0 && !(strcmp(sub, "reprocess") == 0 && partner != NULL);
	if (min_age < 0 || (needs_id && (argc < 3 || item_id(argv[2], &id) < 0)) ||
	    (strcmp(sub, "set") == 0 && argc < 4) || (strcmp(sub, "reject") == 0 && reason == NULL) ||
	    (strcmp(sub, "list") != 0 && strcmp(sub, "show") != 0 && strcmp(sub, "set") != 0 &&
	     strcmp(sub, "accept") != 0 && strcmp(sub, "reject") != 0 && strcmp(sub, "reprocess") != 0 &&
	     strcmp(sub, "claim") != 0 && strcmp(sub, "release") != 0)) {
		fputs(usage, stderr);
		return EX_USAGE;
	}
	struct config *cfg;
	struct store *st;
	int rc = cli_open(cli, &cfg, &st);
	if (rc != 0)
		return rc;
	char msg[2048] = "";
	const char *user = who(cli);
	if (strcmp(sub, "reprocess") == 0)
		pipeline_confine();   /* the pipeline runs here on untrusted input, as in the daemon's worker */
	if (strcmp(sub, "list") == 0)
		rc = exceptions_list(cli, st, cfg, all ? NULL : (state ? state : "open"), partner, reason, min_age);
	else if (strcmp(sub, "show") == 0)
		rc = exceptions_show(cli, st, cfg, id, save);
	else if (strcmp(sub, "set") == 0)
		rc = report(cli, desk_set(st, cfg, id, user, argv + 3, (size_t)(argc - 3), msg, sizeof(msg)), msg);
	else if (strcmp(sub, "accept") == 0)
		rc = report(cli, desk_accept(st, cfg, id, user, msg, sizeof(msg)), msg);
	else if (strcmp(sub, "reject") == 0)
		rc = report(cli, desk_reject(st, cfg, id, user, reason, msg, sizeof(msg)), msg);
	else if (strcmp(sub, "reprocess") == 0 && partner != NULL)
		rc = exceptions_reprocess_partner(cli, st, cfg, partner);
	else if (strcmp(sub, "reprocess") == 0)
		rc = report(cli, desk_reprocess(st, cfg, id, user, msg, sizeof(msg)), msg);
	else if (strcmp(sub, "claim") == 0)
		rc = report(cli, desk_claim(st, cfg, id, user, msg, sizeof(msg)), msg);
	else
		rc = report(cli, desk_release(st, cfg, id, user, force, msg, sizeof(msg)), msg);
	store_close(&st);
	config_free(&cfg);
	return rc;
}

/* ---- queues -------------------------------------------------------------------------- */

static int queue_list(struct cli *cli, struct store *st, const char *stage, bool dead)
{
	json_object *rows = store_desk_queue(st, stage, dead);
	if (rows == NULL) {
		fprintf(stderr, "ordergw: %s\n", store_error(st));
		return EX_TEMPFAIL;
	}
	if (cli->json) {
		put(rows);
	} else {
		printf("%-6s %-6s %-12s %-20s %-7s %-8s %-8s %s\n", "ITEM", "ORDER", "PARTNER", "PO", "STATE",
		       "WAITING", "FAILURES", dead ? "LAST ERROR" : "LEASED BY");
		for (size_t i = 0; i < json_object_array_length(rows); i++) {
			json_object *r = json_object_array_get_idx(rows, i);
			char a[32];
			age_text(field_int(r, "waiting_seconds"), a, sizeof(a));
			printf("%-6s %-6s %-12s %-20s %-7s %-8s %-8s %s\n", field(r, "id"), field(r, "order_id"),
			       field(r, "partner_id"), field(r, "po_number"), field(r, "state"), a, field(r, "failures"),
			       dead ? field(r, "last_error") : field(r, "lease_owner"));
		}
	}
	json_object_put(rows);
	return 0;
}

static int queue_take(struct cli *cli, struct store *st, const struct config *cfg, const char *stage, int lease)
{
	struct store_queue_item q = { 0 };
	char msg[1024];
	int r = stagequeue_take(st, cfg, stage, who(cli), lease, &q, msg, sizeof(msg));
	if (r < 0) {
		fprintf(stderr, "ordergw: %s\n", msg);
		return EX_TEMPFAIL;
	}
	json_object *out = json_object_new_object();
	json_object *order = NULL;
	if (r == 1) {
		json_object *item = json_object_new_object();
		json_object_object_add(item, "id", json_object_new_int64(q.id));
		json_object_object_add(item, "order_id", json_object_new_int64(q.order_id));
		json_object_object_add(item, "stage", json_object_new_string(q.stage));
		json_object_object_add(item, "lease_owner", json_object_new_string(q.lease_owner));
		json_object_object_add(item, "lease_until", json_object_new_string(q.lease_until));
		json_object_object_add(item, "failures", json_object_new_int(q.failures));
		json_object_object_add(item, "facts", json_tokener_parse(q.facts ? q.facts : "{}"));
		json_object_object_add(out, "item", item);
		order = store_show_order(st, q.order_id);
		json_object_object_add(out, "order", order);
	} else {
		json_object_object_add(out, "item", NULL);
	}
	if (cli->json) {
		put(out);
	} else if (r == 0) {
		printf("Nothing ready in %s.\n", stage);
	} else {
		printf("Item %lld (order %lld, PO %s from %s) is yours until %s.\n", (long long)q.id,
		       (long long)q.order_id, field(order, "po_number"), field(order, "partner_id"), q.lease_until);
		json_object *rec;
		if (order != NULL && json_object_object_get_ex(order, "record", &rec))
			printf("%s\n", json_object_to_json_string_ext(rec, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
		printf("When finished: ordergw queue done %lld   (or: queue fail %lld --reason TEXT)\n",
		       (long long)q.id, (long long)q.id);
	}
	json_object_put(out);
	store_queue_item_clear(&q);
	return 0;
}

int cmd_queue(struct cli *cli, int argc, char **argv)
{
	cli_flag(cli, &argc, argv, "--json");
	bool dead = cli_flag(NULL, &argc, argv, "--dead");
	const char *to = cli_option(&argc, argv, "--to");
	const char *reason = cli_option(&argc, argv, "--reason");
	const char *lease_s = cli_option(&argc, argv, "--lease");
	char *facts[64];
	size_t n_facts = 0;
	const char *f;
	while (n_facts < sizeof(facts) / sizeof(facts[0]) && (f = cli_option(&argc, argv, "--set")) != NULL)
		facts[n_facts++] = (char *)f;
	const char *sub = argc >= 2 ? argv[1] : "";
	long long lease = lease_s ? config_duration(lease_s) : 0;
	int64_t id = 0;
	bool by_stage = strcmp(sub, "list") == 0 || strcmp(sub, "take") == 0;
	bool by_item = strcmp(sub, "done") == 0 || strcmp(sub, "fail") == 0;
	if (argc != 3 || (!by_stage && !by_item) || (by_item && item_id(argv[2], &id) < 0) ||
	    (strcmp(sub, "fail") == 0 && reason == NULL) || lease < 0 || lease > 7 * 86400) {
		fprintf(stderr, "usage: ordergw queue list STAGE [--dead] | take STAGE [--lease SECONDS]\n"
				"       ordergw queue done ITEM [--to STAGE] [--set KEY=VALUE]... | fail ITEM --reason TEXT\n");
		return EX_USAGE;
	}
	struct config *cfg;
	struct store *st;
	int rc = cli_open(cli, &cfg, &st);
	if (rc != 0)
		return rc;
	if (by_stage && config_stage_index(cfg, argv[2]) < 0) {
		fprintf(stderr, "ordergw: \"%s\" is not a stage (stages:", argv[2]);
		for (size_t i = 0; i < cfg->stages.n; i++)
			fprintf(stderr, " %s", cfg->stages.v[i]);
		fprintf(stderr, ")\n");
		rc = EX_USAGE;
		goto out;
	}
	char msg[2048] = "";
	if (strcmp(sub, "list") == 0)
		rc = queue_list(cli, st, argv[2], dead);
	else if (strcmp(sub, "take") == 0)
		rc = queue_take(cli, st, cfg, argv[2], lease ? (int)lease : cfg->lease_seconds);
	else if (strcmp(sub, "done") == 0)
		rc = report(cli, stagequeue_done(st, cfg, id, who(cli), to, facts, n_facts, msg, sizeof(msg)), msg);
	else {
		int r = stagequeue_fail(st, cfg, id, who(cli), reason, msg, sizeof(msg));
		rc = report(cli, r == 2 ? 0 : r, msg);
	}
out:
	store_close(&st);
	config_free(&cfg);
	return rc;
}

/* ---- stats ------------------------------------------------------------------------------ */

static json_object *by_key(json_object *arr, const char *key, const char *value)
{
	for (size_t i = 0; arr && i < json_object_array_length(arr); i++) {
		json_object *r = json_object_array_get_idx(arr, i);
		if (strcmp(field(r, key), value) == 0)
			return r;
	}
	return NULL;
}

static void print_counts(json_object *o, const char *title, const char *list, const char *key)
{
	json_object *arr;
	printf("%s", title);
	if (json_object_object_get_ex(o, list, &arr))
		for (size_t i = 0; i < json_object_array_length(arr); i++)
			printf(" %s %s", field(json_object_array_get_idx(arr, i), "count"),
			       field(json_object_array_get_idx(arr, i), key));
	printf("\n");
}

int cmd_stats(struct cli *cli, int argc, char **argv)
{
	cli_flag(cli, &argc, argv, "--json");
	const char *since = cli_option(&argc, argv, "--since");
	if (argc != 1) {
		fprintf(stderr, "usage: ordergw stats [--since YYYY-MM-DD] [--json]\n");
		return EX_USAGE;
	}
	struct config *cfg;
	struct store *st;
	int rc = cli_open(cli, &cfg, &st);
	if (rc != 0)
		return rc;
	json_object *o = store_stats(st, since);
	json_object *queues = store_desk_queues(st), *stages = store_desk_stage_times(st, since);
	json_object *acc = store_desk_acceptance_times(st, since);
	if (queues == NULL || stages == NULL || acc == NULL) {
		fprintf(stderr, "ordergw: %s\n", store_error(st));
		json_object_put(queues);
		json_object_put(stages);
		json_object_put(acc);
		rc = EX_TEMPFAIL;
		goto out;
	}
	json_object_object_add(o, "since", since ? json_object_new_string(since) : NULL);
	json_object_object_add(o, "queues", queues);
	json_object_object_add(o, "stages", stages);
	json_object_object_add(o, "receipt_to_acceptance", acc);
	if (cli->json) {
		put(o);
		goto out;
	}
	print_counts(o, "Documents:", "documents", "state");
	print_counts(o, "Orders:", "orders", "status");
	printf("Receipt to acceptance: %s accepted, median %s s, 90th percentile %s s\n", field(acc, "accepted"),
	       field(acc, "median_seconds"), field(acc, "p90_seconds"));
	printf("%-12s %6s %6s %6s %9s %7s %10s %10s\n", "STAGE", "ITEMS", "LEASED", "DEAD", "OLDEST", "PASSED",
	       "MEDIAN(s)", "P90(s)");
	for (size_t i = 0; i < cfg->stages.n; i++) {
		json_object *q = by_key(queues, "stage", cfg->stages.v[i]);
		json_object *t = by_key(stages, "stage", cfg->stages.v[i]);
		char a[32] = "-";
		if (q != NULL && strcmp(field(q, "oldest"), "-") != 0)
			age_text(field_int(q, "oldest_age_seconds"), a, sizeof(a));
		printf("%-12s %6s %6s %6s %9s %7s %10s %10s\n", cfg->stages.v[i], q ? field(q, "items") : "0",
		       q ? field(q, "leased") : "0", q ? field(q, "dead") : "0", a, t ? field(t, "passed") : "0",
		       t ? field(t, "median_seconds") : "-", t ? field(t, "p90_seconds") : "-");
	}
	json_object *arr;
	printf("Open exceptions by reason:\n");
	if (json_object_object_get_ex(o, "exceptions_by_reason", &arr))
		for (size_t i = 0; i < json_object_array_length(arr); i++)
			printf("  %-14s %s\n", field(json_object_array_get_idx(arr, i), "reason"),
			       field(json_object_array_get_idx(arr, i), "count"));
	printf("Open exceptions by partner:\n");
	if (json_object_object_get_ex(o, "exceptions_by_partner", &arr))
		for (size_t i = 0; i < json_object_array_length(arr); i++)
			printf("  %-14s %s\n", field(json_object_array_get_idx(arr, i), "partner_id"),
			       field(json_object_array_get_idx(arr, i), "count"));
	print_counts(o, "Outbox:", "outbox", "state");
out:
	json_object_put(o);
	store_close(&st);
	config_free(&cfg);
	return rc;
}
