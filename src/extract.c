/* extract.c — see extract.h.
 *
 * A file goes to the parser its format names or its bytes sniff as.  An
 * e-mail is read by mime.c, then each attachment is routed: EDI and order
 * XML (by sniffing, or by a .edi/.x12/.edifact/.xml name) to its parser,
 * CSV to the csv parser with the text body as header text, spreadsheets
 * to a warning; when no attachment gave an order, the text body goes to
 * the text parser.  Every order passed on carries the mail's Message-ID,
 * sender and the attachment name (or "body") in its source block.
 * Parsers that are not built in are a diagnostic, never a crash.
 * Diagnostics of a part are prefixed with the part ("part 1.2 (a.csv)"). */
#include "extract.h"
#include "limits.h"
#include "log.h"
#include "mime.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int parse_bytes(const struct parser *p, const struct extract_input *in,
		       const unsigned char *data, size_t len, const char *name,
		       const char *header_text, struct parse_output *out)
{
	struct parse_input pi = {
		.data = data, .len = len, .name = name,
		.rules = in->rules, .csv_map = in->csv_map, .header_text = header_text,
		.max_order_bytes = in->max_order_bytes ? in->max_order_bytes : OG_MAX_ORDER_BYTES_DEFAULT,
	};
	return p->parse(&pi, out);
}

static int parse_with(const struct parser *p, const struct extract_input *in,
		      struct parse_output *out)
{
	return parse_bytes(p, in, in->data, in->len, in->name, NULL, out);
}

/* ---- e-mail ------------------------------------------------------------ */

/* Wraps the caller's emit: stamps the mail's facts into each order. */
struct mail_emit {
	struct parse_output *out;
	const char *message_id, *sender, *document;
	size_t n;
};

static int mail_emit(void *ctx, struct order *o, struct diags *od)
{
	struct mail_emit *me = ctx;
	me->n++;
	if (o->source.message_id == NULL && me->message_id != NULL)
		o->source.message_id = arena_strdup(o->arena, me->message_id);
	if (o->source.sender == NULL && me->sender != NULL)
		o->source.sender = arena_strdup(o->arena, me->sender);
	o->source.document = arena_strdup(o->arena, me->document);
	if (me->out->emit == NULL)
		return 0;
	return me->out->emit(me->out->ctx, o, od);
}

/* Run parser p on one piece of the mail, diagnostics prefixed by `place`. */
static void parse_piece(const struct parser *p, const struct extract_input *in,
			const unsigned char *data, size_t len, const char *name,
			const char *place, const char *header_text,
			struct mail_emit *me, struct parse_output *out, const char **not_order)
{
	struct diags *d = out->diags;
	const char *saved = d->prefix;
	char prefix[600];
	if (saved != NULL)
		snprintf(prefix, sizeof(prefix), "%s: %s", saved, place);
	else
		snprintf(prefix, sizeof(prefix), "%s", place);
	d->prefix = prefix;
	struct parse_output sub;
	parse_output_init(&sub, d);
	sub.emit = mail_emit;
	sub.ctx = me;
	me->document = name;
	parse_bytes(p, in, data, len, name, header_text, &sub);
	d->prefix = saved;
	out->n_orders += sub.n_orders;
	out->n_rejected += sub.n_rejected;
	if (sub.not_order != NULL && *not_order == NULL)
		*not_order = sub.not_order;
	if (sub.ack != NULL && out->ack == NULL) {
		out->ack = sub.ack;
		out->ack_free = sub.ack_free;
		sub.ack = NULL;
	}
	parse_output_free(&sub);
}

static bool ends_with_ci(const char *s, const char *suffix)
{
	size_t n = s ? strlen(s) : 0, k = strlen(suffix);
	return n >= k && strcasecmp(s + n - k, suffix) == 0;
}

static bool is_edi_parser(const struct parser *p)
{
	return p != NULL && (strcmp(p->name, "x12") == 0 || strcmp(p->name, "edifact") == 0 ||
			     strcmp(p->name, "ubl") == 0 || strcmp(p->name, "cxml") == 0);
}

/* First non-blank bytes after a UTF-8 byte-order mark. */
static bool starts_with_token(const unsigned char *p, size_t n, const char *tok)
{
	size_t i = 0, k = strlen(tok);
	if (n >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
		i = 3;
	while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' || p[i] == '\n'))
		i++;
	return n - i >= k && memcmp(p + i, tok, k) == 0;
}

static bool mem_has(const unsigned char *p, size_t n, const char *needle)
{
	size_t k = strlen(needle);
	for (size_t i = 0; i + k <= n; i++)
		if (memcmp(p + i, needle, k) == 0)
			return true;
	return false;
}

static void route_attachment(const struct extract_input *in, const struct mime_message *msg,
			     const struct mime_attachment *a, struct mail_emit *me,
			     struct parse_output *out, const char **not_order)
{
	const char *name = a->filename;
	const char *type = a->content_type;
	char place[600], doc[300];
	if (name != NULL) {
		snprintf(place, sizeof(place), "part %s (%s)", a->part, name);
		snprintf(doc, sizeof(doc), "%s", name);
	} else {
		snprintf(place, sizeof(place), "part %s", a->part);
		snprintf(doc, sizeof(doc), "part %s", a->part);
	}
	struct diags *d = out->diags;
	if (ends_with_ci(name, ".xls") || ends_with_ci(name, ".xlsx") || ends_with_ci(name, ".ods") ||
	    strcmp(type, "application/vnd.ms-excel") == 0 ||
	    strcmp(type, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet") == 0 ||
	    strcmp(type, "application/vnd.oasis.opendocument.spreadsheet") == 0) {
		diag_add(d, DIAG_WARNING, place, "spreadsheet attachment %s: save it as CSV", doc);
		return;
	}
	if (a->len == 0)
		return;
	const struct parser *sniffed = parser_sniff(a->data, a->len);
	const struct parser *p = NULL;
	const char *want = NULL;
	if (is_edi_parser(sniffed)) {
		p = sniffed;
	} else if (ends_with_ci(name, ".x12")) {
		want = "x12";
	} else if (ends_with_ci(name, ".edifact")) {
		want = "edifact";
	} else if (ends_with_ci(name, ".edi")) {
		want = starts_with_token(a->data, a->len, "UNA") || starts_with_token(a->data, a->len, "UNB")
			? "edifact" : "x12";
	} else if (ends_with_ci(name, ".xml")) {
		if (mem_has(a->data, a->len, "<cXML") || mem_has(a->data, a->len, "cXML.dtd"))
			want = "cxml";
		else if (mem_has(a->data, a->len, "<Order") || mem_has(a->data, a->len, ":Order"))
			want = "ubl";
		else {
			diag_add(d, DIAG_WARNING, place,
				 "XML attachment %s is neither a UBL nor a cXML order; it was not read", doc);
			return;
		}
	}
	if (want != NULL) {
		p = parser_find(want);
		if (p == NULL) {
			diag_add(d, DIAG_ERROR, place,
				 "attachment %s looks like %s, but no %s parser is available in this build",
				 doc, want, want);
			return;
		}
	}
	if (p != NULL) {
		parse_piece(p, in, a->data, a->len, doc, place, NULL, me, out, not_order);
		return;
	}
	bool csv = ends_with_ci(name, ".csv") || strcmp(type, "text/csv") == 0 ||
		   strcmp(type, "application/csv") == 0 || strcmp(type, "text/comma-separated-values") == 0 ||
		   (sniffed != NULL && strcmp(sniffed->name, "csv") == 0);
	if (!csv)
		return;
	p = parser_find("csv");
	if (p == NULL) {
		diag_add(d, DIAG_ERROR, place,
			 "CSV attachment %s: no csv parser is available in this build", doc);
		return;
	}
	parse_piece(p, in, a->data, a->len, doc, place, msg->body_text, me, out, not_order);
}

static char *dup_or_null(const char *s)
{
	if (s == NULL)
		return NULL;
	char *r = strdup(s);
	if (r == NULL)
		fatal("out of memory");
	return r;
}

static void fill_mail(struct extract_mail *mail, struct mime_message *msg)
{
	memset(mail, 0, sizeof(*mail));
	/* Copies: the caller keeps them after the message is freed. */
	mail->from_addr = dup_or_null(msg->from_addr);
	mail->from_display = dup_or_null(msg->from_display);
	mail->subject = dup_or_null(msg->subject);
	mail->message_id = dup_or_null(msg->message_id);
	mail->in_reply_to = dup_or_null(msg->in_reply_to);
	mail->references = dup_or_null(msg->references);
	mail->date = dup_or_null(msg->date);
	mail->body_text = dup_or_null(msg->body_text);
	if (msg->n_attachments > 0) {
		mail->attachment_names = calloc(msg->n_attachments, sizeof(char *));
		if (mail->attachment_names == NULL)
			fatal("out of memory");
		for (size_t i = 0; i < msg->n_attachments; i++) {
			const struct mime_attachment *a = &msg->attachments[i];
			if (a->filename != NULL) {
				mail->attachment_names[i] = dup_or_null(a->filename);
			} else {
				char n[300];
				snprintf(n, sizeof(n), "part %s", a->part);
				mail->attachment_names[i] = dup_or_null(n);
			}
		}
		mail->n_attachments = msg->n_attachments;
	}
}

static int extract_email(const struct extract_input *in0, struct parse_output *out,
			 struct extract_mail *mail)
{
	struct extract_input local = *in0;
	const struct extract_input *in = &local;
	struct mime_limits lim = {
		.max_message_bytes = in->max_message_bytes,
		.max_parts = in->max_mime_parts,
		.max_depth = in->max_mime_depth,
		.max_attachment_bytes = in->max_attachment_bytes,
	};
	struct mime_message *msg = NULL;
	if (mime_parse(in->data, in->len, &lim, out->diags, &msg) < 0)
		return -1;
	/* The caller chooses rules from the sender and subject before any part
	 * is read. */
	struct extract_mail own;
	if (mail == NULL)
		mail = &own;
	fill_mail(mail, msg);
	if (in0->on_headers != NULL)
		in0->on_headers(in0->on_headers_ctx, mail, &local);
	struct mail_emit me = { .out = out, .message_id = msg->message_id, .sender = msg->from_addr };
	const char *not_order = NULL;
	for (size_t i = 0; i < msg->n_attachments; i++)
		route_attachment(in, msg, &msg->attachments[i], &me, out, &not_order);
	bool body_blank = true;
	for (const char *c = msg->body_text; *c && body_blank; c++)
		body_blank = *c == ' ' || *c == '\t' || *c == '\r' || *c == '\n';
	if (me.n == 0 && not_order == NULL) {
		const struct parser *text = parser_find("text");
		char place[300];
		snprintf(place, sizeof(place), "body (part %s)", msg->body_part ? msg->body_part : "1");
		if (body_blank)
			diag_add(out->diags, DIAG_ERROR, "body",
				 "the e-mail has neither an order attachment nor a text body");
		else if (text == NULL)
			diag_add(out->diags, DIAG_ERROR, place,
				 "no text parser is available in this build; the text body was not read");
		else
			parse_piece(text, in, (const unsigned char *)msg->body_text, strlen(msg->body_text),
				    "body", place, NULL, &me, out, &not_order);
	}
	if (me.n == 0 && not_order != NULL)
		out->not_order = not_order;
	if (mail == &own)
		extract_mail_free(&own);
	mime_message_free(&msg);
	return 0;
}

int extract_document(const struct extract_input *in, struct parse_output *out,
		     struct extract_mail *mail)
{
	const char *fmt = in->format && strcmp(in->format, "auto") != 0 ? in->format : NULL;
	if (in->len == 0) {
		diag_add(out->diags, DIAG_ERROR, "byte 0", "the document is empty");
		return -1;
	}
	if ((fmt && strcmp(fmt, "email") == 0) || (!fmt && in->is_email))
		return extract_email(in, out, mail);
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
	for (size_t i = 0; i < m->n_attachments; i++)
		free(m->attachment_names[i]);
	free(m->attachment_names);
	memset(m, 0, sizeof(*m));
}
