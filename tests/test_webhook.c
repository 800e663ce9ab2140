/* test_webhook.c — the webhook body, its signature and the URL shown in logs. */
#include "../src/webhook.h"
#include "check.h"
#include <stdlib.h>

static void test_sign(void)
{
	/* RFC 4231 test case 2: key "Jefe". */
	char sig[WEBHOOK_SIG_MAX];
	const char *data = "what do ya want for nothing?";
	CHECK_INT(webhook_sign("Jefe", 4, data, strlen(data), sig), 0);
	CHECK_STR(sig, "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

static void test_body(void)
{
	size_t len = 0;
	char *b = webhook_body("{\"po_number\":\"P1\"}", "purch\"asing", 7, 42, &len);
	CHECK_STR(b, "{\"event\":\"stage_entered\",\"stage\":\"purch\\\"asing\",\"item_id\":7,\"order_id\":42,"
		     "\"order\":{\"po_number\":\"P1\"}}");
	CHECK_INT(len, strlen(b));
	free(b);
}

static void test_url_for_log(void)
{
	static const struct { const char *url, *want; } cases[] = {
		{ "https://erp.example.com/hooks/orders", "https://erp.example.com/hooks/orders" },
		{ "https://erp.example.com:8443/h?token=s3cret", "https://erp.example.com:8443/h (credentials and query hidden)" },
		{ "http://user:pass@10.0.0.1/x", "http://10.0.0.1/x (credentials and query hidden)" },
		{ "https://h.example/p#frag", "https://h.example/p (credentials and query hidden)" },
		{ "https://h.example?k=v", "https://h.example (credentials and query hidden)" },
		{ "https://a@b@h.example/p", "https://h.example/p (credentials and query hidden)" },
		/* Not URLs: shown as they are. */
		{ "buyer@acme.example", "buyer@acme.example" },
		{ "dir:/var/spool/ordergw/out?x", "dir:/var/spool/ordergw/out?x" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char out[512];
		CHECK_STR(webhook_url_for_log(cases[i].url, out, sizeof(out)), cases[i].want);
	}
	char small[16];
	webhook_url_for_log("https://erp.example.com/hooks?token=s3cret", small, sizeof(small));
	CHECK(strstr(small, "s3cret") == NULL);
	CHECK_INT(strlen(small), 15);
}

int main(void)
{
	test_sign();
	test_body();
	test_url_for_log();
	return check_status();
}
