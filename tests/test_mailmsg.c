/* test_mailmsg.c — outgoing mail: no header injection, RFC 2047 subjects and
 * names, quoted-printable UTF-8 bodies, threading headers. */
#include "check.h"
#include "buf.h"
#include "mailmsg.h"
#include <stdlib.h>
#include <string.h>

/* The header block of a message (up to the blank line). */
static char *headers_of(const char *msg)
{
	const char *end = strstr(msg, "\r\n\r\n");
	return strndup(msg, end ? (size_t)(end - msg + 2) : strlen(msg));
}

static int count_lines_starting(const char *h, const char *prefix)
{
	int n = 0;
	for (const char *p = h; p && *p; p = strstr(p, "\r\n") ? strstr(p, "\r\n") + 2 : NULL)
		if (strncmp(p, prefix, strlen(prefix)) == 0)
			n++;
	return n;
}

static void test_injection(void)
{
	struct buf b;
	buf_init(&b, 1 << 20);
	char *id = NULL;
	const char *err = NULL;
	struct mail_out m = {
		.from = "Sales <sales@example.com>", .to = "buyer@acme.example",
		.to_name = "Evil\r\nBcc: victim@example.org",
		.subject = "Order PO-1\r\nBcc: victim@example.org\nX-Evil: 1",
		.text = "line one\nline two\n", .in_reply_to = "abc@acme.example\r\nBcc: x@y.z",
		.references = "r1@acme.example r2@acme.example", .message_id = "fixed@example.com",
	};
	CHECK(mailmsg_build(&m, &b, &id, &err) == 0);
	char *h = headers_of(b.data);
	CHECK_INT(count_lines_starting(h, "Bcc:"), 0);
	CHECK_INT(count_lines_starting(h, "X-Evil:"), 0);
	CHECK(strstr(h, "Message-ID: <fixed@example.com>\r\n") != NULL);
	CHECK_STR(id, "fixed@example.com");
	CHECK(strstr(h, "In-Reply-To: <abc@acme.example>") != NULL);
	CHECK(strstr(h, "References: <r1@acme.example> <r2@acme.example> <abc@acme.example>") != NULL);
	CHECK(strstr(h, "MIME-Version: 1.0\r\n") != NULL);
	CHECK(strstr(h, "Date: ") != NULL);
	CHECK(strstr(h, "Auto-Submitted: auto-replied\r\n") != NULL);
	/* Every header line is a header or a fold: nothing injected. */
	for (const char *p = h; *p; p = strstr(p, "\r\n") + 2)
		CHECK(*p == ' ' || strchr(p, ':') < strstr(p, "\r\n"));
	free(h);
	free(id);
	buf_free(&b);
	/* Addresses are checked. */
	buf_init(&b, 1 << 20);
	m.to = "a@b.example>, evil@x.example";
	CHECK(mailmsg_build(&m, &b, &id, &err) < 0);
	m.to = "not an address";
	CHECK(mailmsg_build(&m, &b, &id, &err) < 0);
	buf_free(&b);
}

static void test_encoding(void)
{
	struct buf b;
	buf_init(&b, 1 << 20);
	char *id = NULL;
	const char *err = NULL;
	struct mail_out m = {
		.from = "华信销售 <sales@example.com>", .to = "caigou@huaxin.example", .to_name = "李明",
		.subject = "订单确认：HX-7701 — 不锈钢支架 2000 件，交货日期 2027年3月1日，贸易术语 CIF 汉堡",
		.text = "您好！\n订单 HX-7701 已确认。 \nA line that is very long and goes on and on past seventy-six characters for sure.\n",
	};
	CHECK(mailmsg_build(&m, &b, &id, &err) == 0);
	char *h = headers_of(b.data);
	CHECK(strstr(h, "Subject: =?UTF-8?B?") != NULL);
	CHECK(strstr(h, "From: =?UTF-8?B?") != NULL);
	CHECK(strstr(h, "To: =?UTF-8?B?5p2O5piO?= <caigou@huaxin.example>") != NULL);
	/* No header line longer than 78 characters. */
	for (const char *p = h; *p; p = strstr(p, "\r\n") + 2)
		CHECK(strstr(p, "\r\n") - p <= 78);
	CHECK(strstr(b.data, "Content-Transfer-Encoding: quoted-printable") != NULL);
	const char *body = strstr(b.data, "\r\n\r\n") + 4;
	CHECK(strncmp(body, "=E6=82=A8=E5=A5=BD=EF=BC=81\r\n", 29) == 0);
	CHECK(strstr(body, "=E8=AE=A4=E3=80=82=20\r\n") != NULL);   /* trailing space encoded */
	for (const char *p = body; *p; p = strstr(p, "\r\n") + 2)
		CHECK(strstr(p, "\r\n") - p <= 76);
	/* 8-bit bytes never appear raw anywhere. */
	for (const unsigned char *p = (const unsigned char *)b.data; *p; p++)
		CHECK(*p < 0x80);
	free(h);
	free(id);
	buf_free(&b);
}

int main(void)
{
	test_injection();
	test_encoding();
	char *a = mailmsg_addr("\"Jane\" <Jane@Acme.Example>");
	CHECK_STR(a, "Jane@Acme.Example");
	free(a);
	CHECK(mailmsg_addr("<>") == NULL);
	char *id = mailmsg_new_id("Sales <sales@example.com>");
	CHECK(id != NULL && strstr(id, "@example.com") != NULL);
	free(id);
	return check_status();
}
