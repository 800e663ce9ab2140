/* fuzz_mime.c — libFuzzer target for the e-mail reader: the MIME walk,
 * charsets, RFC 2047/2231 and HTML (mime.c, charset.c), then the same
 * bytes through extract.c's e-mail path with whatever parsers are built
 * in.  Small limits keep each run fast; every limit path is exercised. */
#include "charset.h"
#include "extract.h"
#include "mime.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int drop(void *ctx, struct order *o, struct diags *od)
{
	(void)ctx;
	(void)o;
	(void)od;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct diags d;
	diags_init(&d);
	struct mime_limits lim = { .max_parts = 64, .max_depth = 12, .max_attachment_bytes = 1 << 20 };
	struct mime_message *m = NULL;
	if (mime_parse(data, size, &lim, &d, &m) == 0) {
		if (m == NULL || m->body_text == NULL || !charset_utf8_valid(m->body_text, strlen(m->body_text)))
			abort();
		if (m->subject != NULL && !charset_utf8_valid(m->subject, strlen(m->subject)))
			abort();
		for (size_t i = 0; i < m->n_attachments; i++)
			if (m->attachments[i].filename != NULL &&
			    !charset_utf8_valid(m->attachments[i].filename, strlen(m->attachments[i].filename)))
				abort();
	}
	mime_message_free(&m);
	diags_free(&d);

	/* The header decoder and the HTML converter on the raw bytes too. */
	char *s = mime_decode_header((const char *)data, size < 4096 ? size : 4096);
	free(s);
	s = mime_html_to_text((const char *)data, size < 65536 ? size : 65536, 1 << 20);
	free(s);

	diags_init(&d);
	struct parse_output po;
	parse_output_init(&po, &d);
	po.emit = drop;
	struct extract_input in = { .data = data, .len = size, .format = "email",
				    .max_mime_parts = 64, .max_mime_depth = 12 };
	struct extract_mail mail;
	if (size > 0 && extract_document(&in, &po, &mail) == 0)
		extract_mail_free(&mail);
	parse_output_free(&po);
	diags_free(&d);
	return 0;
}
