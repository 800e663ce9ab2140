/* extract.h — from one document's bytes to order records.
 *
 * The one place that decides which parser reads what: an e-mail is walked
 * (mime.h) and its EDI/XML/CSV attachments and its text body are handed to
 * the matching parsers; a file is sniffed (or the format is forced).
 * Used by `ordergw parse|check` and by the pipeline alike, so both always
 * agree on what a document says. */
#ifndef ORDERGW_EXTRACT_H
#define ORDERGW_EXTRACT_H
#include <stdbool.h>
#include <stddef.h>
#include "parser.h"

struct extract_mail;

struct extract_input {
	const unsigned char *data;
	size_t len;
	const char *name;            /* file name or source key, for messages */
	const char *format;          /* "auto" or NULL, "email", or a parser name */
	bool is_email;               /* came from a mailbox (format auto) */
	const struct text_rules *rules;
	const struct csv_map *csv_map;
	size_t max_order_bytes;
	size_t max_mime_parts, max_mime_depth;
	size_t max_message_bytes, max_attachment_bytes;   /* 0 = limits.h defaults */
	/* E-mail: called once the headers are read, before any part is parsed,
	 * so the caller can choose the rule (format, rule set, column map) from
	 * the sender and subject.  May be NULL. */
	void (*on_headers)(void *ctx, const struct extract_mail *mail, struct extract_input *in);
	void *on_headers_ctx;
};

/* Email facts the pipeline needs (sender, subject, ids), filled for mail. */
struct extract_mail {
	char *from_addr;        /* lower-case addr-spec */
	char *from_display;
	char *subject;          /* UTF-8 */
	char *message_id;       /* without <> */
	char *in_reply_to;      /* without <> */
	char *references;       /* raw, space-separated ids */
	char *date;             /* RFC 3339 UTC when it parses */
	char *body_text;        /* the text body in UTF-8 (for replies) */
	char **attachment_names;   /* UTF-8 file names ("part 1.2" when none) */
	size_t n_attachments;
};

/* Returns as parser.h: 0 read, -1 not readable.  `mail` may be NULL. */
int extract_document(const struct extract_input *in, struct parse_output *out,
		     struct extract_mail *mail);
void extract_mail_free(struct extract_mail *m);

#endif
