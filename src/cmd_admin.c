/* cmd_admin.c — the admin command's views of the store and the config:
 * check-config, orders, outbox (exceptions, queue and stats: cmd_desk.c).
 *
 * Every listing prints a table for people and, with --json, the JSON a
 * script reads (interfaces.md).  Exit codes: 0 ok, 64 usage, 66 no such
 * item, 75 the store is busy or unreachable, 78 configuration error. */
#include "cli.h"
#include "webhook.h"
#include "config.h"
#include "log.h"
#include "store.h"
#include "notify.h"
#include "templates.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

/* Load the configuration, printing every problem as file:line. */
int cli_load_config(struct cli *cli, struct config **cfg)
{
	const char *path = cli->config_path ? cli->config_path : config_default_path();
	struct diags d;
	diags_init(&d);
	int rc = config_load(path, cfg, &d);
	for (size_t i = 0; i < d.n; i++)
		fprintf(stderr, "%s: %s%s\n", d.items[i].where,
			d.items[i].severity == DIAG_WARNING ? "warning: " : "", d.items[i].message);
	diags_free(&d);
	return rc < 0 ? EX_CONFIG : 0;
}

int cli_open(struct cli *cli, struct config **cfg, struct store **st)
{
	int rc = cli_load_config(cli, cfg);
	if (rc != 0)
		return rc;
	const char *err;
	if (store_open((*cfg)->store_path, st, &err) < 0) {
		fprintf(stderr, "ordergw: store: %s\n", err);
		config_free(cfg);
		return EX_TEMPFAIL;
	}
	return 0;
}

static void print_json(json_object *o)
{
	puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
}

static const char *js(json_object *o, const char *k)
{
	json_object *v;
	if (!json_object_object_get_ex(o, k, &v) || v == NULL)
		return "-";
	return json_object_get_string(v);
}

static int parse_id(const char *s, int64_t *id)
{
	char *end;
	long long v = strtoll(s, &end, 10);
	if (*s == '\0' || *end != '\0' || v <= 0)
		return -1;
	*id = v;
	return 0;
}

int cmd_check_config(struct cli *cli, int argc, char **argv)
{
	if (cli_flag(cli, &argc, argv, "--man")) {
		config_print_man(stdout);
		return 0;
	}
	if (cli_flag(cli, &argc, argv, "--keys")) {
		config_print_keys(stdout);
		return 0;
	}
	struct config *cfg;
	int rc = cli_load_config(cli, &cfg);
	if (rc != 0)
		return rc;
	/* Every template, shipped and overridden, must parse. */
	struct diags d;
	diags_init(&d);
	int terr = templates_check_dir(notify_templates_dir(), &d);
	if (cfg->templates_dir != NULL) {
		int e = templates_check_dir(cfg->templates_dir, &d);
		terr = terr < 0 || e < 0 ? -1 : terr + e;
	}
	for (size_t i = 0; i < d.n; i++)
		fprintf(stderr, "%s: %s%s\n", d.items[i].where,
			d.items[i].severity == DIAG_WARNING ? "warning: " : "", d.items[i].message);
	diags_free(&d);
	if (terr != 0) {
		fprintf(stderr, "ordergw: %s: templates: %s\n", cfg->path,
			terr < 0 ? "a template folder cannot be read" : "errors above");
		config_free(&cfg);
		return EX_CONFIG;
	}
	printf("%s: OK: %zu mailbox(es), %zu drop(s), %zu partner(s), %zu rule(s); store %s; outbox %s\n",
	       cfg->path, cfg->n_mailboxes, cfg->n_drops, cfg->n_partners, cfg->n_rules, cfg->store_path,
	       cfg->outbox.url);
	config_free(&cfg);
	return 0;
}

int cmd_orders(struct cli *cli, int argc, char **argv)
{
	cli_flag(cli, &argc, argv, "--json");
	const char *status = cli_option(&argc, argv, "--status");
	if (argc < 2 || (strcmp(argv[1], "list") != 0 && strcmp(argv[1], "show") != 0)) {
		fprintf(stderr, "usage: ordergw orders list [--status S] | show ID\n");
		return EX_USAGE;
	}
	struct config *cfg;
	struct store *st;
	int rc = cli_open(cli, &cfg, &st);
	if (rc != 0)
		return rc;
	if (strcmp(argv[1], "list") == 0) {
		json_object *rows = store_list_orders(st, status, 0);
		if (rows == NULL) {
			fprintf(stderr, "ordergw: %s\n", store_error(st));
			rc = EX_TEMPFAIL;
		} else if (cli->json) {
			print_json(rows);
		} else {
			printf("%-6s %-12s %-20s %-14s %-10s %-12s %5s %s\n", "ID", "PARTNER", "PO", "FORMAT",
			       "STATUS", "STAGE", "LINES", "RECEIVED");
			for (size_t i = 0; i < json_object_array_length(rows); i++) {
				json_object *r = json_object_array_get_idx(rows, i);
				printf("%-6s %-12s %-20s %-14s %-10s %-12s %5s %s\n", js(r, "id"), js(r, "partner_id"),
				       js(r, "po_number"), js(r, "format"), js(r, "status"), js(r, "stage"),
				       js(r, "line_count"), js(r, "created_at"));
			}
		}
		json_object_put(rows);
	} else {
		int64_t id;
		if (argc < 3 || parse_id(argv[2], &id) < 0) {
			fprintf(stderr, "usage: ordergw orders show ID\n");
			rc = EX_USAGE;
			goto out;
		}
		json_object *o = store_show_order(st, id);
		if (o == NULL) {
			fprintf(stderr, "ordergw: no order %lld\n", (long long)id);
			rc = EX_NOINPUT;
			goto out;
		}
		if (cli->json) {
			print_json(o);
		} else {
			printf("Order %s: PO %s from %s, %s, status %s, stage %s (routed by: %s)\n", js(o, "id"),
			       js(o, "po_number"), js(o, "partner_id"), js(o, "format"), js(o, "status"),
			       js(o, "stage"), js(o, "route_rule"));
			printf("Received %s via %s %s from %s, subject \"%s\"\n", js(o, "received_at"),
			       js(o, "channel"), js(o, "endpoint"), js(o, "sender"), js(o, "subject"));
			json_object *rec, *probs, *hist;
			if (json_object_object_get_ex(o, "record", &rec))
				printf("Record:\n%s\n", json_object_to_json_string_ext(rec,
				       JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
			if (json_object_object_get_ex(o, "problems", &probs))
				for (size_t i = 0; i < json_object_array_length(probs); i++) {
					json_object *p = json_object_array_get_idx(probs, i);
					printf("Problem %s (%s) %s: %s\n", js(p, "check"), js(p, "severity"),
					       js(p, "field"), js(p, "message"));
				}
			if (json_object_object_get_ex(o, "history", &hist)) {
				printf("History:\n");
				for (size_t i = 0; i < json_object_array_length(hist); i++) {
					json_object *h = json_object_array_get_idx(hist, i);
					printf("  %s  %-10s %-9s %-20s %s\n", js(h, "at"), js(h, "actor"), js(h, "entity"),
					       js(h, "action"), js(h, "detail"));
				}
			}
		}
		json_object_put(o);
	}
out:
	store_close(&st);
	config_free(&cfg);
	return rc;
}

int cmd_outbox(struct cli *cli, int argc, char **argv)
{
	cli_flag(cli, &argc, argv, "--json");
	const char *state = cli_option(&argc, argv, "--state");
	if (argc < 2 || strcmp(argv[1], "list") != 0) {
		fprintf(stderr, "usage: ordergw outbox list [--state pending|sent|failed]\n");
		return EX_USAGE;
	}
	struct config *cfg;
	struct store *st;
	int rc = cli_open(cli, &cfg, &st);
	if (rc != 0)
		return rc;
	json_object *rows = store_list_outbox(st, state, 0);
	/* A webhook URL may carry a token in its query or user part: shown
	 * without them (the stored row keeps the whole URL for delivery). */
	for (size_t i = 0; rows != NULL && i < json_object_array_length(rows); i++) {
		json_object *r = json_object_array_get_idx(rows, i), *v;
		char url[512];
		if (json_object_object_get_ex(r, "recipient", &v) && json_object_is_type(v, json_type_string))
			json_object_object_add(r, "recipient", json_object_new_string(
				webhook_url_for_log(json_object_get_string(v), url, sizeof(url))));
	}
	if (rows == NULL) {
		fprintf(stderr, "ordergw: %s\n", store_error(st));
		rc = EX_TEMPFAIL;
	} else if (cli->json) {
		print_json(rows);
	} else {
		printf("%-6s %-14s %-8s %-8s %-30s %s\n", "ID", "KIND", "STATE", "ATTEMPTS", "TO", "SUBJECT");
		for (size_t i = 0; i < json_object_array_length(rows); i++) {
			json_object *r = json_object_array_get_idx(rows, i);
			printf("%-6s %-14s %-8s %-8s %-30s %s\n", js(r, "id"), js(r, "kind"), js(r, "state"),
			       js(r, "attempts"), js(r, "recipient"), js(r, "subject"));
			if (strcmp(js(r, "state"), "sent") != 0 && strcmp(js(r, "last_error"), "-") != 0)
				printf("       last error: %s\n", js(r, "last_error"));
		}
	}
	json_object_put(rows);
	store_close(&st);
	config_free(&cfg);
	return rc;
}
