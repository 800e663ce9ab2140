/* cli.h — what the admin command's sub-commands share. */
#ifndef ORDERGW_CLI_H
#define ORDERGW_CLI_H
#include <stdbool.h>

struct cli {
	const char *config_path;     /* NULL: default */
	const char *user;            /* --user, else the login name */
	bool json;                   /* --json anywhere before the command */
};

struct cli_command {
	const char *name;
	int (*run)(struct cli *cli, int argc, char **argv);
	const char *usage;
};

/* argv[0] is the command name.  Return an exit status (sysexits.h). */
int cmd_parse(struct cli *cli, int argc, char **argv);
int cmd_check(struct cli *cli, int argc, char **argv);
int cmd_check_config(struct cli *cli, int argc, char **argv);
int cmd_test_rule(struct cli *cli, int argc, char **argv);
int cmd_orders(struct cli *cli, int argc, char **argv);
/* cmd_desk.c: the sales desk and the stage queues */
int cmd_exceptions(struct cli *cli, int argc, char **argv);
int cmd_queue(struct cli *cli, int argc, char **argv);
int cmd_outbox(struct cli *cli, int argc, char **argv);
int cmd_stats(struct cli *cli, int argc, char **argv);

struct config;
struct store;
/* Load the configuration (problems printed as file:line); 0 or EX_CONFIG. */
int cli_load_config(struct cli *cli, struct config **cfg);
/* Load the configuration and open the store; 0 or an exit status. */
int cli_open(struct cli *cli, struct config **cfg, struct store **st);

/* Does argv[i] equal opt? (also takes --json after the command) */
bool cli_flag(struct cli *cli, int *argc, char **argv, const char *opt);
/* Take "--opt VALUE" out of argv; NULL when absent. */
const char *cli_option(int *argc, char **argv, const char *opt);

#endif
