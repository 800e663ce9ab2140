/* ordergw.c — the admin command for IT and sales (interfaces.md).
 *
 * `ordergw [-c CONFIG] [--json] [--user NAME] COMMAND ...`.  Each command is
 * a function in a cmd_*.c file; this file only reads the global options
 * and dispatches.  Exit codes follow sysexits.h as interfaces.md lists. */
#include "cli.h"
#include "log.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

static const struct cli_command commands[] = {
	{ "parse", cmd_parse, "parse [--format F] [--partner ID] FILE|-" },
	{ "check", cmd_check, "check [--format F] [--partner ID] FILE|-" },
	{ "test-rule", cmd_test_rule, "test-rule MESSAGE|-   (which rule, partner and parser apply; no side effects)" },
	{ "check-config", cmd_check_config, "check-config [--keys]" },
	{ "orders", cmd_orders, "orders list [--status S] | show ID" },
	{ "exceptions", cmd_exceptions, "exceptions list [--partner ID] [--reason R] [--all] [--older-than DUR]\n"
	  "          | show ID [--save DIR] | set ID FIELD=VALUE... | accept ID | reject ID --reason TEXT\n"
	  "          | reprocess ID | reprocess --partner ID | claim ID | release ID [--force]" },
	{ "queue", cmd_queue, "queue list STAGE [--dead] | take STAGE [--lease SECONDS]\n"
	  "          | done ITEM [--to STAGE] [--set KEY=VALUE]... | fail ITEM --reason TEXT" },
	{ "outbox", cmd_outbox, "outbox list [--state S]" },
	{ "stats", cmd_stats, "stats [--since DATE]" },
	{ NULL, NULL, NULL }
};

static void usage(FILE *f)
{
	fprintf(f, "usage: ordergw [-c CONFIG] [--json] [--user NAME] COMMAND ...\ncommands:\n");
	for (const struct cli_command *c = commands; c->name; c++)
		fprintf(f, "  ordergw %s\n", c->usage);
}

int main(int argc, char **argv)
{
	struct cli cli = { 0 };
	cli.config_path = getenv("ORDERGW_CONFIG");
	int i = 1;
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "-c") == 0 && i + 1 < argc)
			cli.config_path = argv[++i];
		else if (strcmp(argv[i], "--json") == 0)
			cli.json = true;
		else if (strcmp(argv[i], "--user") == 0 && i + 1 < argc)
			cli.user = argv[++i];
		else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			usage(stdout);
			return 0;
		} else {
			fprintf(stderr, "ordergw: unknown option %s\n", argv[i]);
			usage(stderr);
			return EX_USAGE;
		}
	}
	if (i >= argc) {
		usage(stderr);
		return EX_USAGE;
	}
	log_init("ordergw", true, 0);
	for (const struct cli_command *c = commands; c->name; c++)
		if (strcmp(c->name, argv[i]) == 0)
			return c->run(&cli, argc - i, argv + i);
	fprintf(stderr, "ordergw: unknown command \"%s\"\n", argv[i]);
	usage(stderr);
	return EX_USAGE;
}
