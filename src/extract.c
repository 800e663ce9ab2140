/* extract.c — see extract.h. */
#include "extract.h"
#include "limits.h"
#include <stdlib.h>
#include <string.h>

static int parse_with(const struct parser *p, const struct extract_input *in,
		      struct parse_output *out)
{
	struct parse_input pi = {
		.data = in->data, .len = in->len, .name = in->name,
		.rules = in->rules, .csv_map = in->csv_map,
		.max_order_bytes = in->max_order_bytes ? in->max_order_bytes : OG_MAX_ORDER_BYTES_DEFAULT,
	};
	return p->parse(&pi, out);
}

int extract_document(const struct extract_input *in, struct parse_output *out,
		     struct extract_mail *mail)
{
	const char *fmt = in->format && strcmp(in->format, "auto") != 0 ? in->format : NULL;
	if (in->len == 0) {
		diag_add(out->diags, DIAG_ERROR, "byte 0", "the document is empty");
		return -1;
	}
	if ((fmt && strcmp(fmt, "email") == 0) || (!fmt && in->is_email)) {
		(void)mail;
		diag_add(out->diags, DIAG_ERROR, "byte 0", "e-mail documents are not supported by this build");
		return -1;
	}
	const struct parser *p;
	if (fmt != NULL) {
		p = parser_find(fmt);
		if (p == NULL) {
			diag_add(out->diags, DIAG_ERROR, NULL, "unknown format \"%s\" (expected one of %s)",
				 fmt, parser_format_names);
			return -1;
		}
	} else {
		p = parser_sniff(in->data, in->len);
		if (p == NULL) {
			diag_add(out->diags, DIAG_ERROR, "byte 0",
				 "the format could not be recognised (expected X12, EDIFACT, UBL, cXML, CSV or an order text)");
			return -1;
		}
	}
	return parse_with(p, in, out);
}

void extract_mail_free(struct extract_mail *m)
{
	if (m == NULL)
		return;
	free(m->from_addr);
	free(m->from_display);
	free(m->subject);
	free(m->message_id);
	free(m->in_reply_to);
	free(m->references);
	free(m->date);
	free(m->body_text);
	memset(m, 0, sizeof(*m));
}
