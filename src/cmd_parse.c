/* cmd_parse.c — `ordergw parse`: read one document and print its orders.
 *
 * No store is needed.  Prints {"orders":[...],"diagnostics":[...]} (plus
 * "not_order" when the document is a recognised non-order).  Exit 0 when
 * orders were found, 65 when the input holds none, 66 for no such file. */
#include "cli.h"
#include "acceptance.h"
#include "config.h"
#include "routing.h"
#include <json.h>
#include "extract.h"
#include "limits.h"
#include "readfile.h"
#include "recwriter.h"
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
	struct recwriter *writer;         /* records handed over by the parser */
};

static int write_order(void *ctx, struct order *o)
{
	struct parse_print *pp = ctx;
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

/* A record lent for the call: written here, after any handed over before. */
static int print_order(void *ctx, struct order *o, struct diags *od)
{
	struct parse_print *pp = ctx;
	(void)od;
	recwriter_drain(pp->writer);
	return write_order(pp, o);
}

/* A record handed over with its arena: written on the writer thread. */
static int adopt_order(void *ctx, struct order *o, struct diags *od, struct arena **arena)
{
	struct parse_print *pp = ctx;
	(void)od;
	return recwriter_adopt(pp->writer, o, arena);
}

/* ORDERGW_PARSE_THREADS=1 always, =0 never; unset: when a CPU is idle
 * (the load average below the CPUs less one).  On a busy machine the
 * second thread costs more than it overlaps (measured: bench/README.md). */
static bool want_writer_thread(void)
{
	const char *e = getenv("ORDERGW_PARSE_THREADS");
	if (e != NULL && (strcmp(e, "0") == 0 || strcmp(e, "1") == 0))
		return e[0] == '1';
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	double load;
	return ncpu > 1 && getloadavg(&load, 1) == 1 && load < (double)(ncpu - 1);
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
	bool mapped;
	if (file_map(path, OG_MAX_MESSAGE_BYTES_DEFAULT, &data, &len, &mapped) < 0) {
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
	/* A large interchange: its JSON is written on a second thread while
	 * the parser reads on (when there is an idle CPU to run it). */
	if (len >= OG_PARSE_THREAD_BYTES && want_writer_thread()) {
		po.adopt = adopt_order;
		pp.writer = recwriter_new(write_order, &pp);
		if (mapped)
			recwriter_prefault(pp.writer, data, len);
	}
	struct extract_input in = { .data = data, .len = len, .name = d.prefix, .format = format };
	if (p != NULL) {
		in.rules = p->rules;
		in.csv_map = p->csv_map;
	}
	buf_adds(&out, check ? "{\"results\":[" : "{\"orders\":[");
	int r = extract_document(&in, &po, NULL);
	recwriter_free(&pp.writer);   /* every record written: out is ours again */
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
	file_release(data, len, mapped);
	config_free(&cfg);
	return status;
}

int cmd_parse(struct cli *cli, int argc, char **argv) { return run(cli, argc, argv, false); }
int cmd_check(struct cli *cli, int argc, char **argv) { return run(cli, argc, argv, true); }

/* ---- test-rule ------------------------------------------------------------- */

struct rule_test {
	const struct config *cfg;
	const struct cfg_rule *rule;
	const struct cfg_partner *partner;
	const char *from;
	struct buf *out;
	size_t n;
};

static void rule_headers(void *ctx, const struct extract_mail *mail, struct extract_input *in)
{
	struct rule_test *t = ctx;
	t->rule = config_rule_for_mail(t->cfg, NULL, mail->from_addr, mail->subject);
	if (t->rule && t->rule->partner)
		t->partner = config_partner(t->cfg, t->rule->partner);
	if (t->partner == NULL)
		t->partner = config_partner_by_email(t->cfg, mail->from_addr);
	free((void *)t->from);
	t->from = mail->from_addr ? strdup(mail->from_addr) : NULL;
	if (t->rule && t->rule->rules)
		in->rules = t->rule->rules;
	else if (t->partner && t->partner->rules)
		in->rules = t->partner->rules;
	if (t->rule && t->rule->csv_map)
		in->csv_map = t->rule->csv_map;
	else if (t->partner && t->partner->csv_map)
		in->csv_map = t->partner->csv_map;
}

static int rule_order(void *ctx, struct order *o, struct diags *od)
{
	struct rule_test *t = ctx;
	(void)od;
	const struct cfg_partner *p = t->partner ? t->partner : config_partner_by_edi(t->cfg, o->source.sender);
	o->partner_id = p ? p->id : NULL;
	acceptance_fill_buyer(o, p, NULL, t->from);
	if (o->currency == NULL && p && p->currency)
		o->currency = p->currency;
	struct acceptance a;
	if (acceptance_check(o, p, t->cfg, &a) < 0)
		return -1;
	const char *stage = NULL;
	char why[ROUTING_RULE_MAX] = "";
	if (!a.blocking)
		routing_route(t->cfg, p, o, &stage, why);
	struct buf *b = t->out;
	if (t->n++)
		buf_addc(b, ',');
	buf_adds(b, "{\"po_number\":");
	buf_add_json_str(b, o->po_number);
	buf_printf(b, ",\"format\":\"%s\",\"partner\":", o->format ? o->format : "");
	buf_add_json_str(b, p ? p->id : NULL);
	buf_printf(b, ",\"status\":\"%s\",\"would\":", a.status);
	char what[512];
	if (!a.blocking)
		snprintf(what, sizeof(what), "accept it into %s (%s) and send a %s", stage, why,
			 strcmp(stage, "review") == 0 ? "receipt" : "confirmation");
	else if (p != NULL)
		snprintf(what, sizeof(what), "hold it as an exception and ask %s for what is missing",
			 t->from ? t->from : "the partner");
	else
		snprintf(what, sizeof(what), "hold it as an exception for sales (unknown sender: no answer)");
	buf_add_json_str(b, what);
	buf_printf(b, ",\"problems\":%s,\"order\":",
		   json_object_to_json_string_ext(a.problems, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(a.problems);
	order_to_json(o, b);
	buf_addc(b, '}');
	return 0;
}

int cmd_test_rule(struct cli *cli, int argc, char **argv)
{
	cli_flag(cli, &argc, argv, "--json");
	if (argc != 2) {
		fprintf(stderr, "usage: ordergw test-rule MESSAGE|-\n");
		return EX_USAGE;
	}
	struct config *cfg;
	int rc = cli_load_config(cli, &cfg);
	if (rc != 0)
		return rc;
	unsigned char *data;
	size_t len;
	if (read_file(argv[1], cfg->max_message_bytes, &data, &len) < 0) {
		fprintf(stderr, "ordergw: %s: %s\n", argv[1], strerror(errno));
		config_free(&cfg);
		return errno == EFBIG ? EX_DATAERR : EX_NOINPUT;
	}
	struct diags d;
	diags_init(&d);
	d.prefix = argv[1];
	struct buf out;
	buf_init(&out, (size_t)1 << 32);
	struct rule_test t = { .cfg = cfg, .out = &out };
	struct parse_output po;
	parse_output_init(&po, &d);
	po.emit = rule_order;
	po.ctx = &t;
	struct extract_input in = { .data = data, .len = len, .name = argv[1], .format = "email",
				    .max_mime_parts = cfg->max_mime_parts, .max_mime_depth = cfg->max_mime_depth,
				    .max_order_bytes = cfg->max_order_bytes,
				    .on_headers = rule_headers, .on_headers_ctx = &t };
	buf_adds(&out, "{\"orders\":[");
	extract_document(&in, &po, NULL);
	struct buf head;
	buf_init(&head, 1 << 16);
	buf_adds(&head, "{\"rule\":");
	buf_add_json_str(&head, t.rule ? t.rule->name : NULL);
	buf_adds(&head, ",\"partner\":");
	buf_add_json_str(&head, t.partner ? t.partner->id : NULL);
	buf_adds(&head, ",\"sender\":");
	buf_add_json_str(&head, t.from);
	buf_adds(&head, ",\"parser\":");
	buf_add_json_str(&head, t.rule && t.rule->parser ? t.rule->parser : "auto");
	buf_adds(&head, ",");
	buf_adds(&out, "],\"diagnostics\":");
	diags_to_json(&d, &out);
	buf_adds(&out, "}");
	if (cli->json) {
		fwrite(head.data, 1, head.len, stdout);
		fwrite(out.data + 1, 1, out.len - 1, stdout);
		putchar('\n');
	} else {
		json_object *o = json_tokener_parse(out.data);
		printf("Sender %s: rule %s, partner %s, parser %s\n", t.from ? t.from : "(none)",
		       t.rule ? t.rule->name : "(none)", t.partner ? t.partner->id : "(unknown)",
		       t.rule && t.rule->parser ? t.rule->parser : "auto");
		json_object *orders, *diag;
		if (o && json_object_object_get_ex(o, "orders", &orders))
			for (size_t i = 0; i < json_object_array_length(orders); i++) {
				json_object *r = json_object_array_get_idx(orders, i), *v, *pr;
				json_object_object_get_ex(r, "po_number", &v);
				printf("Order %s: %s; would %s\n", v ? json_object_get_string(v) : "(no PO number)",
				       json_object_get_string(json_object_object_get(r, "status")),
				       json_object_get_string(json_object_object_get(r, "would")));
				if (json_object_object_get_ex(r, "problems", &pr))
					for (size_t k = 0; k < json_object_array_length(pr); k++) {
						json_object *p = json_object_array_get_idx(pr, k);
						printf("  %s %s: %s\n", json_object_get_string(json_object_object_get(p, "check")),
						       json_object_get_string(json_object_object_get(p, "severity")),
						       json_object_get_string(json_object_object_get(p, "message")));
					}
			}
		if (t.n == 0)
			printf("No order found: would raise an exception for sales.\n");
		if (o && json_object_object_get_ex(o, "diagnostics", &diag))
			for (size_t i = 0; i < json_object_array_length(diag); i++) {
				json_object *g = json_object_array_get_idx(diag, i);
				printf("  %s at %s: %s\n", json_object_get_string(json_object_object_get(g, "severity")),
				       json_object_get_string(json_object_object_get(g, "where")),
				       json_object_get_string(json_object_object_get(g, "message")));
			}
		json_object_put(o);
	}
	free((void *)t.from);
	buf_free(&head);
	buf_free(&out);
	parse_output_free(&po);
	diags_free(&d);
	free(data);
	config_free(&cfg);
	return 0;
}
