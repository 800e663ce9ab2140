/* test_config.c — the configuration reader: values, defaults, relative
 * paths, and every mistake reported as file:line in one pass. */
#include "check.h"
#include "config.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[] = "/tmp/ogcfgXXXXXX";

static const char *write_conf(const char *name, const char *text)
{
	static char path[256];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
	return path;
}

static bool has_diag(const struct diags *d, const char *where, const char *text)
{
	for (size_t i = 0; i < d->n; i++)
		if (strstr(d->items[i].where, where) && strstr(d->items[i].message, text))
			return true;
	fprintf(stderr, "no diagnostic at \"%s\" saying \"%s\"; have:\n", where, text);
	for (size_t i = 0; i < d->n; i++)
		fprintf(stderr, "  %s: %s\n", d->items[i].where, d->items[i].message);
	return false;
}

static void test_good(void)
{
	const char *p = write_conf("good.conf",
		"# comment\n[store]\npath = state/og.db\n\n[mailbox sales]\nurl = maildir:inbox\npoll = 5 ; inline\n"
		"[drop edi]\nurl = dir:/srv/drop\n[partner acme]\nname = Acme Ltd\n"
		"emails = buyer@acme.example, *@orders.acme.example\nedi_ids = ZZ:ACMEUS 14:5412345000013\n"
		"[rule acme]\nfrom = *@acme.example\nsubject = ^(PO|Order)\\b\npartner = acme\nparser = auto\n"
		"[queues]\nstages = review purchasing\n");
	struct diags d;
	diags_init(&d);
	struct config *c;
	CHECK(config_load(p, &c, &d) == 0);
	if (c == NULL)
		return;
	char want[300];
	snprintf(want, sizeof(want), "%s/state/og.db", dir);
	CHECK_STR(c->store_path, want);
	snprintf(want, sizeof(want), "maildir:%s/inbox", dir);
	CHECK_STR(c->mailboxes[0].url, want);
	CHECK_INT(c->mailboxes[0].poll, 5);
	CHECK_STR(c->mailboxes[0].done_folder, "Processed");
	CHECK_STR(c->drops[0].url, "dir:/srv/drop");
	CHECK_STR(c->outbox.url + strlen(c->outbox.url) - strlen("/outbox"), "/outbox");
	CHECK_INT(c->partners[0].required.n, 9);
	CHECK_INT(c->stages.n, 2);
	CHECK(config_partner_by_email(c, "buyer@acme.example") == &c->partners[0]);
	CHECK(config_partner_by_email(c, "X@Orders.Acme.Example") == &c->partners[0]);
	CHECK(config_partner_by_email(c, "buyer@evil.example") == NULL);
	CHECK(config_partner_by_edi(c, "ZZ:ACMEUS") == &c->partners[0]);
	CHECK(config_partner_by_edi(c, "01:ACMEUS") == NULL);
	CHECK(config_partner_by_edi(c, "14:5412345000013") == &c->partners[0]);
	CHECK(config_rule_for_mail(c, "sales", "jane@acme.example", "PO 123") == &c->rules[0]);
	CHECK(config_rule_for_mail(c, "sales", "jane@acme.example", "Hello") == NULL);
	CHECK(config_stage_index(c, "purchasing") == 1);
	config_free(&c);
	CHECK(c == NULL);
	diags_free(&d);
}

static void test_errors(void)
{
	const char *p = write_conf("bad.conf",
		"stray = 1\n"                          /* 1 */
		"[store]\n"                            /* 2 */
		"path = x.db\n"                        /* 3 */
		"[mailbox]\n"                          /* 4: no name */
		"[mailbox in]\n"                       /* 5 */
		"url = pop3://host\n"                  /* 6 */
		"poll = soon\n"                        /* 7 */
		"password = secret\n"                  /* 8 */
		"[drop d]\n"                           /* 9 */
		"url = sftp://host/in/\n"              /* 10 */
		"[partner p]\n"                        /* 11: name missing */
		"required = C1 C99\n"                  /* 12 */
		"colour = blue\n"                      /* 13 */
		"[nonsense]\n"                         /* 14 */
		"[rule r]\n"                           /* 15 */
		"partner = nobody\n"                   /* 16 */
		"subject = (unclosed\n"                /* 17 */
		"this line has no equals sign\n");     /* 18 */
	struct diags d;
	diags_init(&d);
	struct config *c;
	CHECK(config_load(p, &c, &d) < 0);
	CHECK(c == NULL);
	CHECK(has_diag(&d, "bad.conf: line 1", "outside any section"));
	CHECK(has_diag(&d, "line 4", "needs a name"));
	CHECK(has_diag(&d, "line 6", "must start with one of: imaps imap maildir"));
	CHECK(has_diag(&d, "line 7", "expected a whole number"));
	CHECK(has_diag(&d, "line 8", "passwords do not belong in this file"));
	CHECK(has_diag(&d, "line 9", "known_hosts is required"));
	CHECK(has_diag(&d, "line 11", "\"name\" is required"));
	CHECK(has_diag(&d, "line 11", "\"C99\" is not a check"));
	CHECK(has_diag(&d, "line 13", "unknown key \"colour\""));
	CHECK(has_diag(&d, "line 14", "unknown section [nonsense]"));
	CHECK(has_diag(&d, "line 15", "partner \"nobody\" is not defined"));
	CHECK(has_diag(&d, "line 15", "subject: missing closing parenthesis"));
	CHECK(has_diag(&d, "line 18", "expected \"key = value\""));
	/* The secret itself is never echoed. */
	for (size_t i = 0; i < d.n; i++)
		CHECK(strstr(d.items[i].message, "secret") == NULL);
	diags_free(&d);
	diags_init(&d);
	CHECK(config_load("/nonexistent/og.conf", &c, &d) < 0);
	CHECK(has_diag(&d, "/nonexistent/og.conf", "cannot open"));
	diags_free(&d);
}

/* A password inside a URL is refused like a password key, and never echoed. */
static void test_url_password(void)
{
	const char *p = write_conf("urlpw.conf",
		"[store]\n"                                            /* 1 */
		"path = x.db\n"                                        /* 2 */
		"[mailbox in]\n"                                       /* 3 */
		"url = imaps://sales:hunter2@mail.example/INBOX\n"     /* 4 */
		"user = sales\n"                                       /* 5 */
		"password_file = pw\n"                                 /* 6 */
		"[outbox]\n"                                           /* 7 */
		"url = smtp://relay:hunter2@smtp.example:587\n");      /* 8 */
	struct diags d;
	diags_init(&d);
	struct config *c;
	CHECK(config_load(p, &c, &d) < 0);
	CHECK(has_diag(&d, "line 4", "passwords do not belong in this file"));
	CHECK(has_diag(&d, "line 8", "passwords do not belong in this file"));
	for (size_t i = 0; i < d.n; i++)
		CHECK(strstr(d.items[i].message, "hunter2") == NULL);
	diags_free(&d);
	/* A user name alone, or an '@' in the path, is fine. */
	p = write_conf("urluser.conf", "[store]\npath = x.db\n[outbox]\nurl = smtp://relay@smtp.example:587/a:b@c\n");
	diags_init(&d);
	CHECK(config_load(p, &c, &d) == 0);
	config_free(&c);
	diags_free(&d);
}

static void test_glob(void)
{
	CHECK(config_glob("*@acme.example", "a@acme.example"));
	CHECK(!config_glob("*@acme.example", "a@acme.example.evil"));
	CHECK(config_glob("*.edi", "PO1.EDI"));
	CHECK(config_glob("*", ""));
	CHECK(!config_glob("a*b*c", "abx"));
	CHECK(config_glob("a*b*c", "axxbyyc"));
}

int main(void)
{
	if (mkdtemp(dir) == NULL)
		return 99;
	test_good();
	test_url_password();
	test_errors();
	test_glob();
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	return check_status();
}
