/* cmd_parse.c — `ordergw parse`: read one document and print its orders.
 *
 * No store is needed.  Prints {"orders":[...],"diagnostics":[...]} (plus
 * "not_order" when the document is a recognised non-order).  Exit 0 when
 * orders were found, 65 when the input holds none, 66 for no such file. */
#include "cli.h"
#include "acceptance.h"
#include "config.h"
#include "extract.h"
#include "limits.h"
#include "readfile.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

bool cli_flag(struct cli *cli, int *argc, char **argv, const char *opt)
{
	bool found = false;
	for (int i = 1; i < *argc; i++) {
		if (strcmp(argv[i], opt) != 0 && !(cli && strcmp(argv[i], "--json") == 0 && strcmp(opt, "--json") == 0))
			continue;
		found = true;
		memmove(&argv[i], &argv[i + 1], (size_t)(*argc - i) * sizeof(char *));
		(*argc)--;
		i--;
	}
	if (found && cli && strcmp(opt, "--json") == 0)
		cli->json = true;
	return found;
}

const char *cli_option(int *argc, char **argv, const char *opt)
{
	for (int i = 1; i + 1 < *argc; i++) {
		if (strcmp(argv[i], opt) != 0)
			continue;
		const char *v = argv[i + 1];
		memmove(&argv[i], &argv[i + 2], (size_t)(*argc - i - 1) * sizeof(char *));
		*argc -= 2;
		return v;
	}
	return NULL;
}

struct parse_print {
	struct buf *out;
	size_t n;
	bool check;                       /* `check`: validate and wrap */
	const struct config *cfg;
	const struct cfg_partner *partner;
	size_t incomplete;
};

static int print_order(void *ctx, struct order *o, struct diags *od)
{
	struct parse_print *pp = ctx;
	(void)od;
	if (pp->n++ > 0)
		buf_addc(pp->out, ',');
	if (pp->check) {
		const struct cfg_partner *p = pp->partner;
		if (p == NULL && pp->cfg != NULL)
			p = config_partner_by_edi(pp->cfg, o->source.sender);
		if (p != NULL)
			o->partner_id = p->id;
		if (pp->partner != NULL && o->source.sender == NULL)
			acceptance_fill_buyer(o, p, NULL, NULL);
		struct acceptance a;
		acceptance_check(o, p, pp->cfg, &a);
		if (strcmp(a.status, "complete") != 0)
			pp->incomplete++;
		buf_adds(pp->out, "{\"order\":");
		int r = order_to_json(o, pp->out);
		buf_printf(pp->out, ",\"status\":\"%s\",\"problems\":%s}", a.status,
			   json_object_to_json_string_ext(a.problems, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(a.problems);
		if (r < 0)
			return -1;
	} else if (order_to_json(o, pp->out) < 0) {
		return -1;
	}
	/* Stream: a large interchange never sits whole in memory as JSON. */
	if (pp->out->len > 1u << 20) {
		fwrite(pp->out->data, 1, pp->out->len, stdout);
		buf_reset(pp->out);
	}
	return 0;
}

static int run(struct cli *cli, int argc, char **argv, bool check)
{
	cli_flag(cli, &argc, argv, "--json");
	const char *format = cli_option(&argc, argv, "--format");
	const char *partner = cli_option(&argc, argv, "--partner");
	if (argc != 2) {
		fprintf(stderr, "usage: ordergw %s [--format F] [--partner ID] FILE|-\n", argv[0]);
		return EX_USAGE;
	}
	/* The configuration is optional here, unless a partner is named. */
	struct config *cfg = NULL;
	const struct cfg_partner *p = NULL;
	const char *cpath = cli->config_path ? cli->config_path : config_default_path();
	if (partner != NULL || cli->config_path != NULL || access(cpath, R_OK) == 0) {
		int rc = cli_load_config(cli, &cfg);
		if (rc != 0)
			return rc;
		if (partner != NULL && (p = config_partner(cfg, partner)) == NULL) {
			fprintf(stderr, "ordergw: %s: no [partner %s]\n", cfg->path, partner);
			config_free(&cfg);
			return EX_USAGE;
		}
	}
	const char *path = argv[1];
	unsigned char *data;
	size_t len;
	if (read_file(path, OG_MAX_MESSAGE_BYTES_DEFAULT, &data, &len) < 0) {
		fprintf(stderr, "ordergw: %s: %s\n", path, strerror(errno));
		config_free(&cfg);
		return errno == EFBIG ? EX_DATAERR : EX_NOINPUT;
	}
	struct diags d;
	diags_init(&d);
	d.prefix = strcmp(path, "-") == 0 ? "<stdin>" : path;
	struct buf out;
	buf_init(&out, (size_t)1 << 34);
	struct parse_print pp = { .out = &out, .check = check, .cfg = cfg, .partner = p };
	struct parse_output po;
	parse_output_init(&po, &d);
	po.emit = print_order;
	po.ctx = &pp;
	struct extract_input in = { .data = data, .len = len, .name = d.prefix, .format = format };
	if (p != NULL) {
		in.rules = p->rules;
		in.csv_map = p->csv_map;
	}
	buf_adds(&out, check ? "{\"results\":[" : "{\"orders\":[");
	int r = extract_document(&in, &po, NULL);
	buf_adds(&out, "],\"diagnostics\":");
	diags_to_json(&d, &out);
	if (po.not_order != NULL) {
		buf_adds(&out, ",\"not_order\":");
		buf_add_json_str(&out, po.not_order);
	}
	buf_adds(&out, "}\n");
	fwrite(out.data, 1, out.len, stdout);
	int status = EX_OK;
	if (pp.n == 0 && (r < 0 || po.not_order != NULL || d.n_errors > 0)) {
		status = EX_DATAERR;
		struct buf s;
		buf_init(&s, 4096);
		const char *first = diags_first_error(&d, &s);
		if (po.not_order != NULL)
			fprintf(stderr, "ordergw: %s: not an order: %s\n", d.prefix, po.not_order);
		else if (first != NULL)
			fprintf(stderr, "ordergw: %s\n", first);
		buf_free(&s);
	} else if (check && pp.incomplete > 0)
		status = 1;
	parse_output_free(&po);
	buf_free(&out);
	diags_free(&d);
	free(data);
	config_free(&cfg);
	return status;
}

int cmd_parse(struct cli *cli, int argc, char **argv) { return run(cli, argc, argv, false); }
int cmd_check(struct cli *cli, int argc, char **argv) { return run(cli, argc, argv, true); }
